/*
 * merkle.c: RFC 6962 / RFC 9162 Merkle tree hashes, proofs and their
 * verification, over stored complete subtrees.
 *
 * In the RFC's recursion the left part of every split is a complete,
 * aligned subtree, so any root or proof node is a complete subtree read
 * from storage or a short right spine composed from O(log n) of them.
 */
#include <string.h>

#include <nettle/sha2.h>
#include <sodium.h>

#include "proto.h"

void
proto_merkle_leaf(const uint8_t *data, size_t len, uint8_t out[PROTO_HASH_LEN])
{
	struct sha256_ctx st;
	const uint8_t prefix = 0x00;

	sha256_init(&st);
	sha256_update(&st, 1, &prefix);
	sha256_update(&st, len, data);
	sha256_digest(&st, PROTO_HASH_LEN, out);
}

void
proto_sha256(const void *data, size_t len, uint8_t out[PROTO_HASH_LEN])
{
	struct sha256_ctx st;

	sha256_init(&st);
	sha256_update(&st, len, data);
	sha256_digest(&st, PROTO_HASH_LEN, out);
}

void
proto_merkle_node(const uint8_t left[PROTO_HASH_LEN],
    const uint8_t right[PROTO_HASH_LEN], uint8_t out[PROTO_HASH_LEN])
{
	uint8_t buf[1 + 2 * PROTO_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, left, PROTO_HASH_LEN);
	memcpy(buf + 1 + PROTO_HASH_LEN, right, PROTO_HASH_LEN);
	proto_sha256(buf, sizeof(buf), out);
}

/* The largest power of two smaller than n (n > 1). */
static uint64_t
split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static bool
complete(uint64_t lo, uint64_t n, unsigned *level)
{
	unsigned l = 0;

	if ((n & (n - 1)) != 0)
		return false;
	while (((uint64_t)1 << l) < n)
		l++;
	if ((lo & (n - 1)) != 0)
		return false;
	*level = l;
	return true;
}

/* MTH(D[lo:hi]) for hi > lo. */
static int
subtree(proto_merkle_get_fn get, void *ctx, uint64_t lo, uint64_t hi,
    uint8_t out[PROTO_HASH_LEN])
{
	uint8_t l[PROTO_HASH_LEN], r[PROTO_HASH_LEN];
	unsigned level;
	uint64_t k;
	int rc;

	if (complete(lo, hi - lo, &level))
		return get(ctx, level, lo >> level, out);
	k = split(hi - lo);
	if ((rc = subtree(get, ctx, lo, lo + k, l)) != PROTO_OK ||
	    (rc = subtree(get, ctx, lo + k, hi, r)) != PROTO_OK)
		return rc;
	proto_merkle_node(l, r, out);
	return PROTO_OK;
}

int
proto_merkle_root(proto_merkle_get_fn get, void *ctx, uint64_t size,
    uint8_t out[PROTO_HASH_LEN])
{
	if (size == 0) {
		proto_sha256(NULL, 0, out);
		return PROTO_OK;
	}
	return subtree(get, ctx, 0, size, out);
}

struct proof {
	uint8_t (*h)[PROTO_HASH_LEN];
	size_t n;
};

static int
proof_add(struct proof *p, proto_merkle_get_fn get, void *ctx, uint64_t lo,
    uint64_t hi)
{
	if (p->n >= PROTO_MERKLE_PROOF_MAX)
		return PROTO_EINVAL;
	return subtree(get, ctx, lo, hi, p->h[p->n++]);
}

/* PATH(m, D[lo:hi]), RFC 6962 section 2.1.1. */
static int
path(struct proof *p, proto_merkle_get_fn get, void *ctx, uint64_t m,
    uint64_t lo, uint64_t hi)
{
	uint64_t k;
	int rc;

	if (hi - lo == 1)
		return PROTO_OK;
	k = split(hi - lo);
	if (m < k) {
		if ((rc = path(p, get, ctx, m, lo, lo + k)) != PROTO_OK)
			return rc;
		return proof_add(p, get, ctx, lo + k, hi);
	}
	if ((rc = path(p, get, ctx, m - k, lo + k, hi)) != PROTO_OK)
		return rc;
	return proof_add(p, get, ctx, lo, lo + k);
}

int
proto_merkle_inclusion(proto_merkle_get_fn get, void *ctx, uint64_t index,
    uint64_t size, uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN],
    size_t *n)
{
	struct proof p = {proof, 0};
	int rc;

	*n = 0;
	if (index >= size)
		return PROTO_EINVAL;
	if ((rc = path(&p, get, ctx, index, 0, size)) != PROTO_OK)
		return rc;
	*n = p.n;
	return PROTO_OK;
}

/* SUBPROOF(m, D[lo:hi], b), RFC 6962 section 2.1.2. */
static int
subproof(struct proof *p, proto_merkle_get_fn get, void *ctx, uint64_t m,
    uint64_t lo, uint64_t hi, bool b)
{
	uint64_t k;
	int rc;

	if (m == hi - lo)
		return b ? PROTO_OK : proof_add(p, get, ctx, lo, hi);
	k = split(hi - lo);
	if (m <= k) {
		if ((rc = subproof(p, get, ctx, m, lo, lo + k, b)) != PROTO_OK)
			return rc;
		return proof_add(p, get, ctx, lo + k, hi);
	}
	if ((rc = subproof(p, get, ctx, m - k, lo + k, hi, false)) != PROTO_OK)
		return rc;
	return proof_add(p, get, ctx, lo, lo + k);
}

int
proto_merkle_consistency(proto_merkle_get_fn get, void *ctx, uint64_t old_size,
    uint64_t new_size, uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN],
    size_t *n)
{
	struct proof p = {proof, 0};
	int rc;

	*n = 0;
	if (old_size > new_size)
		return PROTO_EINVAL;
	if (old_size == 0 || old_size == new_size)
		return PROTO_OK;
	if ((rc = subproof(&p, get, ctx, old_size, 0, new_size, true)) !=
	    PROTO_OK)
		return rc;
	*n = p.n;
	return PROTO_OK;
}

/* RFC 9162 section 2.1.3.2. */
int
proto_merkle_verify_inclusion(const uint8_t leaf[PROTO_HASH_LEN],
    uint64_t index, uint64_t size, const uint8_t (*proof)[PROTO_HASH_LEN],
    size_t n, const uint8_t root[PROTO_HASH_LEN])
{
	uint8_t r[PROTO_HASH_LEN];
	uint64_t fn = index, sn;

	if (index >= size)
		return PROTO_EPROOF;
	sn = size - 1;
	memcpy(r, leaf, PROTO_HASH_LEN);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return PROTO_EPROOF;
		if ((fn & 1) || fn == sn) {
			proto_merkle_node(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			proto_merkle_node(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || sodium_memcmp(r, root, PROTO_HASH_LEN) != 0)
		return PROTO_EPROOF;
	return PROTO_OK;
}

/* RFC 9162 section 2.1.4.2. */
int
proto_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const uint8_t old_root[PROTO_HASH_LEN],
    const uint8_t new_root[PROTO_HASH_LEN],
    const uint8_t (*proof)[PROTO_HASH_LEN], size_t n)
{
	uint8_t fr[PROTO_HASH_LEN], sr[PROTO_HASH_LEN];
	uint64_t fn, sn;
	size_t i = 0;

	if (old_size > new_size)
		return PROTO_EPROOF;
	if (old_size == 0)
		return n == 0 ? PROTO_OK : PROTO_EPROOF;
	if (old_size == new_size)
		return n == 0 &&
			sodium_memcmp(old_root, new_root, PROTO_HASH_LEN) == 0
		    ? PROTO_OK
		    : PROTO_EPROOF;
	if (n == 0)
		return PROTO_EPROOF;
	fn = old_size - 1;
	sn = new_size - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* When old_size is a power of two the old root starts the path. */
	if ((old_size & (old_size - 1)) == 0) {
		memcpy(fr, old_root, PROTO_HASH_LEN);
	} else {
		memcpy(fr, proof[0], PROTO_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, PROTO_HASH_LEN);
	for (; i < n; i++) {
		if (sn == 0)
			return PROTO_EPROOF;
		if ((fn & 1) || fn == sn) {
			proto_merkle_node(proof[i], fr, fr);
			proto_merkle_node(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			proto_merkle_node(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || sodium_memcmp(fr, old_root, PROTO_HASH_LEN) != 0 ||
	    sodium_memcmp(sr, new_root, PROTO_HASH_LEN) != 0)
		return PROTO_EPROOF;
	return PROTO_OK;
}

void
proto_merkle_edge_init(struct proto_merkle_edge *e)
{
	memset(e, 0, sizeof(*e));
}

void
proto_merkle_edge_push(
    struct proto_merkle_edge *e, const uint8_t leaf[PROTO_HASH_LEN])
{
	uint8_t h[PROTO_HASH_LEN];
	unsigned l = 0;

	memcpy(h, leaf, PROTO_HASH_LEN);
	while (e->size & ((uint64_t)1 << l)) {
		proto_merkle_node(e->hash[l], h, h);
		l++;
	}
	memcpy(e->hash[l], h, PROTO_HASH_LEN);
	e->size++;
}

void
proto_merkle_edge_root(
    const struct proto_merkle_edge *e, uint8_t out[PROTO_HASH_LEN])
{
	bool first = true;

	if (e->size == 0) {
		proto_sha256(NULL, 0, out);
		return;
	}
	for (unsigned l = 0; l < 64; l++) {
		if (!(e->size & ((uint64_t)1 << l)))
			continue;
		if (first)
			memcpy(out, e->hash[l], PROTO_HASH_LEN);
		else
			proto_merkle_node(e->hash[l], out, out);
		first = false;
	}
}
