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
