// tiles.go: checks a folder that claim publish wrote with Go's own
// transparency-log code (golang.org/x/mod/sumdb/tlog and sumdb/note, the
// checksum database's, as Debian packages them), nothing of claimd's:
//
//	go run tiles.go DIR VKEY
//
// The checkpoint's signature (note.Open with the verifier key), every
// entry of the bundles tlog-tiles calls for, their RFC 6962 tree
// (tlog.StoredHashes, tlog.TreeHash) against the checkpoint's root, every
// hash tile byte for byte against tlog.ReadTileData, each tile path as
// tlog.Tile.Path() spells it (without the height element tlog-tiles drops),
// every leaf read back through tlog.TileHashReader (which authenticates
// each tile it loads against the root), and an inclusion proof of every
// 97th record. Prints "ok SIZE TILES" or why not, exit 1.
//
// Built offline against /usr/share/gocode: GO111MODULE=off
// GOPATH=/usr/share/gocode go run tiles.go DIR VKEY.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

var dir string

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tiles.go: "+format+"\n", args...)
	os.Exit(1)
}

// The C2SP path of a tile: tlog's path without the height element.
func tilePath(t tlog.Tile) string {
	p := t.Path()
	prefix := fmt.Sprintf("tile/%d/", height)
	if !strings.HasPrefix(p, prefix) {
		fail("unexpected tlog path %s", p)
	}
	return "tile/" + p[len(prefix):]
}

// The entry bundle holding the records of level-0 tile t.
func bundlePath(t tlog.Tile) string {
	p := tilePath(t)
	return "tile/entries/" + strings.TrimPrefix(p, "tile/0/")
}

type hashes []tlog.Hash

func (h hashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(h)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = h[x]
	}
	return out, nil
}

type dirTiles struct{}

func (dirTiles) Height() int { return height }

func (dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := os.ReadFile(filepath.Join(dir, tilePath(t)))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func main() {
	if len(os.Args) != 3 {
		fail("usage: tiles DIR VKEY")
	}
	dir = os.Args[1]
	v, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fail("verifier key: %v", err)
	}
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fail("checkpoint: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != v.Name() {
		fail("checkpoint text %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		fail("checkpoint size %q", lines[1])
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("checkpoint root %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], rootBytes)

	// The records, from the bundles, into the tree's stored hashes.
	var stored hashes
	var records [][]byte
	for start := int64(0); start < size; start += 1 << height {
		t := tlog.Tile{H: height, L: 0, N: start >> height, W: 1 << height}
		if size-start < 1<<height {
			t.W = int(size - start)
		}
		b, err := os.ReadFile(filepath.Join(dir, bundlePath(t)))
		if err != nil {
			fail("%v", err)
		}
		for i := 0; i < t.W; i++ {
			if len(b) < 2 || len(b) < 2+int(b[0])<<8|int(b[1]) {
				fail("%s ends inside entry %d", bundlePath(t), i)
			}
			l := int(b[0])<<8 | int(b[1])
			rec := b[2 : 2+l]
			b = b[2+l:]
			h, err := tlog.StoredHashes(int64(len(records)), rec, stored)
			if err != nil {
				fail("%v", err)
			}
			stored = append(stored, h...)
			records = append(records, rec)
		}
		if len(b) != 0 {
			fail("%s: %d bytes after its entries", bundlePath(t), len(b))
		}
	}
	th, err := tlog.TreeHash(size, stored)
	if err != nil {
		fail("%v", err)
	}
	if size == 0 {
		// RFC 6962's empty tree is SHA-256 of nothing; tlog, which
		// never signs one, says all zeros.
		th = sha256.Sum256(nil)
	}
	if th != root {
		fail("the records' tree root %v is not the checkpoint's %v", th, root)
	}

	// Every tile a tree of this size has: the full ones and the widest
	// partial one of each level.
	widest := map[[2]int64]int{}
	all := tlog.NewTiles(height, 0, size)
	for _, t := range all {
		k := [2]int64{int64(t.L), t.N}
		if t.W > widest[k] {
			widest[k] = t.W
		}
	}
	count := 0
	for _, t := range all {
		if t.W != widest[[2]int64{int64(t.L), t.N}] {
			continue
		}
		want, err := tlog.ReadTileData(t, stored)
		if err != nil {
			fail("%v", err)
		}
		got, err := os.ReadFile(filepath.Join(dir, tilePath(t)))
		if err != nil {
			fail("%v", err)
		}
		if !bytes.Equal(got, want) {
			fail("tile %s differs from tlog's", tilePath(t))
		}
		count++
	}

	// Every leaf through the tiles, each tile authenticated by tlog.
	tree := tlog.Tree{N: size, Hash: root}
	thr := tlog.TileHashReader(tree, dirTiles{})
	if size > 0 {
		idx := make([]int64, size)
		for i := range idx {
			idx[i] = tlog.StoredHashIndex(0, int64(i))
		}
		got, err := thr.ReadHashes(idx)
		if err != nil {
			fail("TileHashReader: %v", err)
		}
		for i, h := range got {
			if h != tlog.RecordHash(records[i]) {
				fail("leaf %d from the tiles is not its record's", i)
			}
		}
	}
	for i := int64(0); i < size; i += 97 {
		p, err := tlog.ProveRecord(size, i, thr)
		if err != nil {
			fail("ProveRecord(%d): %v", i, err)
		}
		if err := tlog.CheckRecord(p, size, root, i, tlog.RecordHash(records[i])); err != nil {
			fail("CheckRecord(%d): %v", i, err)
		}
	}
	fmt.Printf("ok %d %d\n", size, count)
}
