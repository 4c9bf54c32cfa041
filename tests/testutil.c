/*
 * testutil.c: helpers shared by the cmocka tests.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "testutil.h"

uint8_t *
tu_unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *p = malloc(n ? n : 1);
	char two[3] = {0};

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		two[0] = hex[2 * i];
		two[1] = hex[2 * i + 1];
		assert_int_equal(proto_unhex(two, &p[i], 1), PROTO_OK);
	}
	*len = n;
	return p;
}

char *
tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (base == NULL)
		base = "/tmp";
	assert_true(asprintf(&path, "%s/claimd-test-XXXXXX", base) > 0);
	assert_non_null(mkdtemp(path));
	return path;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
tu_rmrf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void
tu_key(uint8_t seed_byte, uint8_t pk[PROTO_PUBKEY_LEN],
    uint8_t sk[PROTO_SECKEY_LEN])
{
	uint8_t seed[PROTO_SEED_LEN];

	memset(seed, seed_byte, sizeof(seed));
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
}

void
tu_party(struct proto_payload *p, const char *slug, const char *name)
{
	proto_payload_init(p);
	p->kind = PROTO_KIND_PARTY;
	p->time = 1700000000;
	p->reg.party = strdup(slug);
	p->reg.name = strdup(name);
}

void
tu_grant(struct proto_payload *p, enum proto_kind kind,
    const uint8_t key[PROTO_PUBKEY_LEN], const char *party)
{
	proto_payload_init(p);
	p->kind = kind;
	p->time = 1700000001;
	p->reg.party = strdup(party);
	memcpy(p->reg.key, key, PROTO_PUBKEY_LEN);
}

void
tu_owner(struct proto_payload *p, const char *owner, const char *const *pubs,
    size_t n)
{
	proto_payload_init(p);
	p->kind = PROTO_KIND_OWNER;
	p->time = 1700000002;
	p->reg.party = strdup(owner);
	p->reg.publishers = calloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		p->reg.publishers[i] = strdup(pubs[i]);
	p->reg.npublishers = n;
}

void
tu_claim(struct proto_payload *p, const char *party, const char *topic,
    const char *statement)
{
	struct proto_claim *c = &p->claim;

	proto_payload_init(p);
	p->kind = PROTO_KIND_CLAIM;
	p->time = 1700000002;
	c->party = strdup(party);
	c->version = 1;
	c->statement = strdup(statement);
	c->topics = calloc(1, sizeof(char *));
	c->topics[0] = strdup(topic);
	c->ntopics = 1;
}

void
tu_sign(const struct proto_payload *p, const uint8_t sk[PROTO_SECKEY_LEN],
    struct proto_buf *out)
{
	char err[256] = "";
	int rc = proto_payload_sign(p, sk, out, err, sizeof(err));

	if (rc != PROTO_OK)
		fail_msg("sign: %s: %s", proto_strerror(rc), err);
}

void
tu_sign_time(const struct proto_payload *p, uint64_t time,
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out)
{
	struct proto_buf pl, t;
	struct proto_cbor_rd rd;
	const uint8_t *at = NULL, *end = NULL;
	const char *k;
	size_t n, kl;
	uint64_t v;
	char err[256] = "";

	proto_buf_init(&pl);
	proto_buf_init(&t);
	if (proto_payload_encode(p, &pl, err, sizeof(err)) != PROTO_OK)
		fail_msg("sign: %s", err);
	/* The top-level "time" value; the keys keep their order. */
	proto_cbor_rd_init(&rd, pl.data, pl.len);
	assert_int_equal(proto_cbor_rd_map(&rd, &n), 0);
	for (size_t i = 0; i < n && at == NULL; i++) {
		assert_int_equal(proto_cbor_rd_text(&rd, &k, &kl), 0);
		if (kl == 4 && memcmp(k, "time", 4) == 0) {
			at = rd.p;
			assert_int_equal(proto_cbor_rd_uint(&rd, &v), 0);
			end = rd.p;
		} else
			assert_int_equal(proto_cbor_rd_skip(&rd), 0);
	}
	assert_non_null(at);
	assert_int_equal(
	    proto_buf_append(&t, pl.data, (size_t)(at - pl.data)), PROTO_OK);
	assert_int_equal(proto_cbor_put_uint(&t, time), PROTO_OK);
	assert_int_equal(
	    proto_buf_append(&t, end, (size_t)(pl.data + pl.len - end)),
	    PROTO_OK);
	assert_int_equal(proto_record_sign(t.data, t.len, sk, out), PROTO_OK);
	proto_buf_release(&pl);
	proto_buf_release(&t);
}

/* SHA-256(prefix || a || b); b may be NULL. */
static void
prefixed_hash(uint8_t prefix, const uint8_t *a, size_t na, const uint8_t *b,
    size_t nb, uint8_t out[32])
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, a, na);
	if (b != NULL)
		crypto_hash_sha256_update(&st, b, nb);
	crypto_hash_sha256_final(&st, out);
}

/* The largest power of two smaller than n (n > 1). */
static uint64_t
split(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

void
tu_merkle_leaf(const uint8_t *data, size_t len, uint8_t out[32])
{
	prefixed_hash(0x00, data, len, NULL, 0, out);
}

void
tu_merkle_mth(
    const uint8_t (*leaves)[32], uint64_t lo, uint64_t hi, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint64_t k;

	if (hi == lo) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	if (hi - lo == 1) {
		memcpy(out, leaves[lo], 32);
		return;
	}
	k = split(hi - lo);
	tu_merkle_mth(leaves, lo, lo + k, l);
	tu_merkle_mth(leaves, lo + k, hi, r);
	prefixed_hash(0x01, l, 32, r, 32, out);
}

size_t
tu_merkle_path(const uint8_t (*leaves)[32], uint64_t m, uint64_t lo,
    uint64_t hi, uint8_t (*out)[32])
{
	uint64_t k;
	size_t n;

	if (hi - lo <= 1)
		return 0;
	k = split(hi - lo);
	if (m < k) {
		n = tu_merkle_path(leaves, m, lo, lo + k, out);
		tu_merkle_mth(leaves, lo + k, hi, out[n]);
	} else {
		n = tu_merkle_path(leaves, m - k, lo + k, hi, out);
		tu_merkle_mth(leaves, lo, lo + k, out[n]);
	}
	return n + 1;
}

size_t
tu_merkle_subproof(const uint8_t (*leaves)[32], uint64_t m, uint64_t lo,
    uint64_t hi, bool b, uint8_t (*out)[32])
{
	uint64_t k;
	size_t n;

	if (m == hi - lo) {
		if (b)
			return 0;
		tu_merkle_mth(leaves, lo, hi, out[0]);
		return 1;
	}
	k = split(hi - lo);
	if (m <= k) {
		n = tu_merkle_subproof(leaves, m, lo, lo + k, b, out);
		tu_merkle_mth(leaves, lo + k, hi, out[n]);
	} else {
		n = tu_merkle_subproof(leaves, m - k, lo + k, hi, false, out);
		tu_merkle_mth(leaves, lo, lo + k, out[n]);
	}
	return n + 1;
}
