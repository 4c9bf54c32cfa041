#!/usr/bin/python3
"""RFC 6962 Merkle tree hashes and proofs, written straight from the
recursive definitions of RFC 6962 section 2.1 (MTH, PATH, PROOF/SUBPROOF),
independently of the C code.  SHA-256, leaf hash = H(0x00 || d), node hash =
H(0x01 || left || right), as RFC 9162 and Go's golang.org/x/mod/sumdb/tlog.

Usage
  merkle.py vectors N    for leaves leaf_i = b"leaf-%d" % i, i < N, print for
                         every size n in 0..N:
                           root n <hex>
                           incl i n <hex,hex,...>      for every 0 <= i < n
                           cons m n <hex,hex,...>      for every 1 <= m <= n
                         an empty proof is written `-`.
  merkle.py selftest     check against the published RFC 6962 test vectors
                         (see PUBLISHED below) and verify every proof for
                         sizes up to 70 with the RFC 9162 verification
                         algorithms; exit 1 on any mismatch.
  merkle.py rfc6962      print rfc6962.txt: the published vectors in the line
                         grammar above plus `leaf i <hex>` lines.
  merkle.py check FILE   read `leaf i <hex>` lines (leaf inputs) and root, incl
                         and cons lines computed elsewhere (the C store), and
                         check every one against this implementation; exit 1
                         at the first mismatch.
"""

import hashlib
import signal
import sys
from functools import lru_cache


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(d):
    return sha256(b"\x00" + d)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def split(n):
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Tree:
    """The RFC 6962 section 2.1 definitions over a fixed list of leaf inputs.
    D[lo:hi] is represented by the index range (lo, hi)."""

    def __init__(self, leaves):
        self.leaves = list(leaves)
        self.mth = lru_cache(maxsize=None)(self._mth)

    def _mth(self, lo, hi):
        n = hi - lo
        if n == 0:
            return sha256(b"")
        if n == 1:
            return leaf_hash(self.leaves[lo])
        k = split(n)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def root(self, n):
        return self.mth(0, n)

    def path(self, m, lo, hi):
        """PATH(m, D[lo:hi]): the audit path for leaf lo+m."""
        n = hi - lo
        if n == 1:
            return []
        k = split(n)
        if m < k:
            return self.path(m, lo, lo + k) + [self.mth(lo + k, hi)]
        return self.path(m - k, lo + k, hi) + [self.mth(lo, lo + k)]

    def inclusion(self, i, n):
        assert 0 <= i < n
        return self.path(i, 0, n)

    def subproof(self, m, lo, hi, b):
        """SUBPROOF(m, D[lo:hi], b)."""
        n = hi - lo
        if m == n:
            return [] if b else [self.mth(lo, hi)]
        k = split(n)
        if m <= k:
            return self.subproof(m, lo, lo + k, b) + [self.mth(lo + k, hi)]
        return self.subproof(m - k, lo + k, hi, False) + [self.mth(lo, lo + k)]

    def consistency(self, m, n):
        """PROOF(m, D[n]) for 1 <= m <= n (empty when m == n)."""
        assert 1 <= m <= n
        return self.subproof(m, 0, n, True)


# --------------------------------------------------------------------------
# RFC 9162 section 2.1.3.2 / 2.1.4.2 verification (iterative, used to
# cross-check the recursive generation above)

def verify_inclusion(i, n, lh, proof, root):
    if i >= n:
        return False
    fn, sn, r = i, n - 1, lh
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m, n, proof, first, second):
    if m == n:
        return not proof and first == second
    if m == 0 or m > n or not proof:
        return False
    if m & (m - 1) == 0:                       # m is a power of two
        proof = [first] + proof
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first and sr == second and sn == 0


# --------------------------------------------------------------------------
# Published test vectors: the 8 leaves of RFC 6962 test data, roots of the
# trees of sizes 1..8, and inclusion/consistency proofs, as published in
# github.com/transparency-dev/merkle proof/verify_test.go (the same data as
# google/certificate-transparency's C++ and Java merkle tree tests).  Leaf
# indices here are 0-based (verify_test.go lists them 1-based).

PUBLISHED_LEAVES = ["", "00", "10", "2021", "3031", "40414243",
                    "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
PUBLISHED_ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
PUBLISHED_INCLUSION = [           # (leaf index, tree size, proof)
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
PUBLISHED_CONSISTENCY = [         # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]


def fmt(proof):
    return ",".join(h.hex() for h in proof) or "-"


def vectors(n_max, out):
    t = Tree(b"leaf-%d" % i for i in range(n_max))
    for n in range(n_max + 1):
        out.write("root %d %s\n" % (n, t.root(n).hex()))
        for i in range(n):
            out.write("incl %d %d %s\n" % (i, n, fmt(t.inclusion(i, n))))
        for m in range(1, n + 1):
            out.write("cons %d %d %s\n" % (m, n, fmt(t.consistency(m, n))))


def selftest():
    fails = []

    def check(what, got, want):
        if got != want:
            fails.append("%s: got %s, want %s" % (what, got, want))

    t = Tree(bytes.fromhex(x) for x in PUBLISHED_LEAVES)
    for n, want in PUBLISHED_ROOTS.items():
        check("root %d" % n, t.root(n).hex(), want)
    for i, n, want in PUBLISHED_INCLUSION:
        check("incl %d %d" % (i, n), [h.hex() for h in t.inclusion(i, n)], want)
        check("verify incl %d %d" % (i, n),
              verify_inclusion(i, n, leaf_hash(t.leaves[i]), [bytes.fromhex(h) for h in want],
                               bytes.fromhex(PUBLISHED_ROOTS[n])), True)
    for m, n, want in PUBLISHED_CONSISTENCY:
        check("cons %d %d" % (m, n), [h.hex() for h in t.consistency(m, n)], want)
        check("verify cons %d %d" % (m, n),
              verify_consistency(m, n, [bytes.fromhex(h) for h in want],
                                 bytes.fromhex(PUBLISHED_ROOTS[m]), bytes.fromhex(PUBLISHED_ROOTS[n])), True)

    # Every proof of a larger tree verifies, and a wrong one does not.
    big = Tree(b"leaf-%d" % i for i in range(70))
    for n in range(1, 71):
        root = big.root(n)
        for i in range(n):
            p = big.inclusion(i, n)
            lh = leaf_hash(big.leaves[i])
            if not verify_inclusion(i, n, lh, p, root):
                fails.append("incl %d %d does not verify" % (i, n))
            if n > 1 and verify_inclusion((i + 1) % n, n, lh, p, root):
                fails.append("incl %d %d verifies for the wrong index" % (i, n))
        for m in range(1, n + 1):
            p = big.consistency(m, n)
            if not verify_consistency(m, n, p, big.root(m), root):
                fails.append("cons %d %d does not verify" % (m, n))
            if m < n and verify_consistency(m, n, p, big.root(m - 1) if m > 1 else root, root):
                fails.append("cons %d %d verifies against a wrong old root" % (m, n))

    for f in fails:
        sys.stderr.write("merkle selftest: %s\n" % f)
    if fails:
        return 1
    print("merkle selftest: ok (%d published roots, %d inclusion and %d consistency proofs; "
          "all proofs for sizes 1..70 verified)"
          % (len(PUBLISHED_ROOTS), len(PUBLISHED_INCLUSION), len(PUBLISHED_CONSISTENCY)))
    return 0


RFC6962_HEADER = """\
# RFC 6962 Merkle tree test vectors, written by `merkle.py rfc6962` (do not edit).
# Source: the published test data of github.com/transparency-dev/merkle
# (proof/verify_test.go), identical to google/certificate-transparency's;
# merkle.py selftest checks its own RFC 6962 implementation against them.
# SHA-256; leaf hash H(0x00||d), node hash H(0x01||l||r).
# Grammar, one item a line, fields separated by one space, hashes in
# lowercase hex, indices 0-based:
#   leaf i <hex>              leaf input i (`-` = the empty leaf)
#   root n <hex>              Merkle tree hash of the first n leaves
#   incl i n <hex,hex,...>    inclusion proof (audit path) of leaf i in size n
#   cons m n <hex,hex,...>    consistency proof from size m to size n
# An empty proof is written `-`.
"""


def rfc6962(out):
    t = Tree(bytes.fromhex(x) for x in PUBLISHED_LEAVES)
    out.write(RFC6962_HEADER)
    for i, x in enumerate(PUBLISHED_LEAVES):
        out.write("leaf %d %s\n" % (i, x or "-"))
    for n, r in PUBLISHED_ROOTS.items():
        assert t.root(n).hex() == r
        out.write("root %d %s\n" % (n, r))
    for i, n, p in PUBLISHED_INCLUSION:
        assert [h.hex() for h in t.inclusion(i, n)] == p
        out.write("incl %d %d %s\n" % (i, n, ",".join(p) or "-"))
    for m, n, p in PUBLISHED_CONSISTENCY:
        assert [h.hex() for h in t.consistency(m, n)] == p
        out.write("cons %d %d %s\n" % (m, n, ",".join(p) or "-"))


def check(path):
    leaves, claims = {}, []
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if w[0] == "leaf":
                leaves[int(w[1])] = b"" if w[2] == "-" else bytes.fromhex(w[2])
            else:
                claims.append(w)
    t = Tree(leaves[i] for i in range(len(leaves)))
    for w in claims:
        if w[0] == "root":
            got, want = t.root(int(w[1])).hex(), w[2]
        elif w[0] == "incl":
            got, want = fmt(t.inclusion(int(w[1]), int(w[2]))), w[3]
        elif w[0] == "cons":
            got, want = fmt(t.consistency(int(w[1]), int(w[2]))), w[3]
        else:
            sys.stderr.write("merkle check: bad line: %s\n" % " ".join(w))
            return 1
        if got != want:
            sys.stderr.write("merkle check: %s differs\n" % " ".join(w[:3]))
            return 1
    print("merkle check: %d leaves, %d roots and proofs agree" % (len(leaves), len(claims)))
    return 0 if claims else 1


def main(argv):
    if len(argv) == 3 and argv[1] == "vectors" and argv[2].isdigit():
        vectors(int(argv[2]), sys.stdout)
        return 0
    if len(argv) == 2 and argv[1] == "selftest":
        return selftest()
    if len(argv) == 2 and argv[1] == "rfc6962":
        rfc6962(sys.stdout)
        return 0
    if len(argv) == 3 and argv[1] == "check":
        return check(argv[2])
    sys.stderr.write("usage: merkle.py vectors N | selftest | rfc6962 | check FILE\n")
    return 2


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)     # quiet when piped into head
    sys.exit(main(sys.argv))
