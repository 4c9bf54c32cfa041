/*
 * tiles.h: the log as C2SP tlog-tiles (https://c2sp.org/tlog-tiles), for
 * claim publish (writing them) and claim verify --tiles (reading them back
 * from a folder or over HTTP(S)).
 *
 * A tile at level L holds up to 256 consecutive hashes of complete
 * subtrees of 256^L leaves; level 0 holds the leaf hashes (RFC 6962), and
 * each hash of level L + 1 is the root of a full tile of level L. Full
 * tiles never change; the rightmost tile of each level is partial (".p/W")
 * while the log grows. Entry bundles hold the records, each a big-endian
 * uint16 length then its bytes, 256 to a full bundle.
 */
#ifndef CLAIMD_TILES_H
#define CLAIMD_TILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define TILE_WIDTH   256
#define TILE_ENTRIES (-1) /* the "level" of entry bundles in tile_path() */
#define TILE_LEVELS  8    /* 256^8 leaves: more than a uint64_t counts */
/* A record in a bundle has a 16-bit length. */
#define TILE_ENTRY_MAX 65535

/*
 * "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]" (level
 * TILE_ENTRIES), N in 3-digit groups, all but the last with an "x"
 * (1234067: x001/x234/067); w TILE_WIDTH for a full tile.
 */
void tile_path(char *out, size_t cap, int level, uint64_t n, unsigned w);

/* Every hash of every level of a tree, as its tiles lay them out. */
struct tile_tree {
	uint64_t size;
	unsigned levels;                              /* levels with a hash */
	uint8_t (*hash[TILE_LEVELS])[PROTO_HASH_LEN]; /* level L: count[L] */
	uint64_t count[TILE_LEVELS];                  /* size >> 8L */
};

/* The tree over size leaf hashes (copied); PROTO_OK or PROTO_ENOMEM. */
int tile_tree_build(struct tile_tree *t,
    const uint8_t (*leaves)[PROTO_HASH_LEN], uint64_t size);
void tile_tree_free(struct tile_tree *t);
/* Tiles of level L: full ones, then one partial of width *partial (0:
 * none). */
uint64_t tile_tree_full(
    const struct tile_tree *t, unsigned level, unsigned *partial);
/* Tile n of level L, w hashes of it (w * 32 bytes). */
const uint8_t *tile_tree_tile(
    const struct tile_tree *t, unsigned level, uint64_t n);

/*
 * A published log, read from a folder or a URL (http:// or https://,
 * with libcurl). tile_site_get() gives the whole file at rel (a path of
 * tile_path(), or "checkpoint"), malloc'd, in *out; PROTO_ENOTFOUND when
 * there is none, PROTO_EIO when it cannot be read; err says which.
 */
struct tile_site;
int tile_site_open(
    const char *where, struct tile_site **out, char *err, size_t errlen);
int tile_site_get(struct tile_site *s, const char *rel, uint8_t **out,
    size_t *len, char *err, size_t errlen);
void tile_site_close(struct tile_site *s);

/*
 * Writes a file of a published folder the way a web server may serve it
 * while it is written: to a temporary name in the same folder, then
 * renamed. Parent folders are made. When the file already holds data it
 * is left alone (*written false); when it holds something else, an
 * immutable file (a full tile, any tile or bundle: its path says what it
 * holds) is a failure (PROTO_ECONFLICT: the folder holds another log),
 * any other is replaced.
 */
int tile_put(const char *dir, const char *rel, const void *data, size_t len,
    bool immutable, bool *written, char *err, size_t errlen);

#endif /* CLAIMD_TILES_H */
