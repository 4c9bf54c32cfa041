/*
 * make_log: a log of any size, fast, without claimd, for the tile tests:
 *
 *   make_log N OUTDIR [SIZE...]
 *
 * writes OUTDIR/export.jsonl (claim export's JSON Lines: a party, a grant
 * of the desk key to it, then N - 2 claims signed by the desk, all valid
 * by the rules claim verify replays), OUTDIR/admin.pub (the admin key,
 * hex), OUTDIR/log.vkey (the log's verifier key) and, for each SIZE (N
 * when none), OUTDIR/checkpoint.SIZE, the log's signed checkpoint of the
 * first SIZE entries. Deterministic: the same N gives the same entries,
 * so that a longer log extends a shorter one; MAKE_LOG_TOPIC set makes
 * another log (its claims on that topic) under the same keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

#define ORIGIN "claimd.example/tiles-test"

static void
die(const char *what, int rc, const char *err)
{
	fprintf(stderr, "make_log: %s: %s %s\n", what, proto_strerror(rc),
	    err ? err : "");
	exit(1);
}

static void
key(uint8_t seed_byte, uint8_t pk[PROTO_PUBKEY_LEN],
    uint8_t sk[PROTO_SECKEY_LEN])
{
	uint8_t seed[PROTO_SEED_LEN];

	memset(seed, seed_byte, sizeof(seed));
	if (crypto_sign_seed_keypair(pk, sk, seed) != 0)
		die("key", PROTO_EKEY, NULL);
}

static void
emit(FILE *f, uint64_t index, const struct proto_payload *p,
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_merkle_edge *edge,
    char *b64)
{
	struct proto_buf out;
	uint8_t h[PROTO_HASH_LEN];
	char err[256] = "", hex[2 * PROTO_HASH_LEN + 1];
	int rc;

	proto_buf_init(&out);
	if ((rc = proto_payload_sign(p, sk, &out, err, sizeof(err))) !=
	    PROTO_OK)
		die("sign", rc, err);
	proto_record_hash(out.data, out.len, h);
	proto_merkle_edge_push(edge, h);
	proto_hex(h, PROTO_HASH_LEN, hex);
	proto_base64(out.data, out.len, b64);
	fprintf(f, "{\"index\":%llu,\"hash\":\"%s\",\"record\":\"%s\"}\n",
	    (unsigned long long)index, hex, b64);
	proto_buf_release(&out);
}

static void
checkpoint(const char *dir, const struct proto_merkle_edge *edge,
    const uint8_t sk[PROTO_SECKEY_LEN])
{
	struct proto_buf text, note;
	uint8_t root[PROTO_HASH_LEN];
	char path[4096];
	FILE *f;
	int rc;

	proto_buf_init(&text);
	proto_buf_init(&note);
	proto_merkle_edge_root(edge, root);
	if ((rc = proto_checkpoint_text(ORIGIN, edge->size, root, &text)) !=
		PROTO_OK ||
	    (rc = proto_note_sign((const char *)text.data, text.len, ORIGIN, sk,
		 &note)) != PROTO_OK)
		die("checkpoint", rc, NULL);
	snprintf(path, sizeof(path), "%s/checkpoint.%llu", dir,
	    (unsigned long long)edge->size);
	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(note.data, 1, note.len, f) != note.len || fclose(f) != 0)
		die(path, PROTO_EIO, NULL);
	proto_buf_release(&text);
	proto_buf_release(&note);
}

int
main(int argc, char **argv)
{
	uint8_t apk[PROTO_PUBKEY_LEN], ask[PROTO_SECKEY_LEN];
	uint8_t dpk[PROTO_PUBKEY_LEN], dsk[PROTO_SECKEY_LEN];
	uint8_t lpk[PROTO_PUBKEY_LEN], lsk[PROTO_SECKEY_LEN];
	struct proto_merkle_edge edge;
	struct proto_payload p;
	uint64_t n, *sizes;
	size_t nsizes;
	char path[4096], vkey[PROTO_VKEY_MAX], hex[2 * PROTO_PUBKEY_LEN + 1];
	char *b64;
	FILE *f;

	if (argc < 3 || (n = strtoull(argv[1], NULL, 10)) < 2) {
		fprintf(
		    stderr, "usage: make_log N OUTDIR [SIZE...] (N >= 2)\n");
		return 2;
	}
	if (sodium_init() < 0)
		die("sodium", PROTO_EINVAL, NULL);
	nsizes = argc > 3 ? (size_t)argc - 3 : 1;
	sizes = calloc(nsizes, sizeof(*sizes));
	for (size_t i = 0; i < nsizes; i++)
		sizes[i] = argc > 3 ? strtoull(argv[3 + i], NULL, 10) : n;
	b64 = malloc(proto_base64_len(PROTO_RECORD_MAX));
	key(1, apk, ask);
	key(2, dpk, dsk);
	key(3, lpk, lsk);
	proto_merkle_edge_init(&edge);
	snprintf(path, sizeof(path), "%s/export.jsonl", argv[2]);
	if ((f = fopen(path, "w")) == NULL)
		die(path, PROTO_EIO, NULL);
	for (size_t k = 0; k < nsizes; k++)
		if (sizes[k] == 0)
			checkpoint(argv[2], &edge, lsk); /* the empty log's */
	for (uint64_t i = 0; i < n; i++) {
		char statement[64];

		proto_payload_init(&p);
		p.time = 1700000000 + i;
		if (i == 0) {
			p.kind = PROTO_KIND_PARTY;
			p.reg.party = strdup("desk");
			p.reg.name = strdup("The Desk");
		} else if (i == 1) {
			p.kind = PROTO_KIND_GRANT;
			p.reg.party = strdup("desk");
			memcpy(p.reg.key, dpk, PROTO_PUBKEY_LEN);
		} else {
			p.kind = PROTO_KIND_CLAIM;
			p.claim.party = strdup("desk");
			p.claim.version = 1;
			snprintf(statement, sizeof(statement),
			    "Claim number %llu of the tile test.",
			    (unsigned long long)i);
			p.claim.statement = strdup(statement);
			p.claim.topics = calloc(1, sizeof(char *));
			p.claim.topics[0] = strdup(getenv("MAKE_LOG_TOPIC")
				? getenv("MAKE_LOG_TOPIC")
				: "tiles");
			p.claim.ntopics = 1;
		}
		emit(f, i, &p, i < 2 ? ask : dsk, &edge, b64);
		proto_payload_release(&p);
		for (size_t k = 0; k < nsizes; k++)
			if (sizes[k] == edge.size)
				checkpoint(argv[2], &edge, lsk);
	}
	if (fclose(f) != 0)
		die(path, PROTO_EIO, NULL);
	if (proto_vkey_format(ORIGIN, lpk, vkey, sizeof(vkey)) != PROTO_OK)
		die("vkey", PROTO_EKEY, NULL);
	snprintf(path, sizeof(path), "%s/log.vkey", argv[2]);
	if ((f = fopen(path, "w")) == NULL)
		die(path, PROTO_EIO, NULL);
	fprintf(f, "%s\n", vkey);
	fclose(f);
	proto_hex(apk, PROTO_PUBKEY_LEN, hex);
	snprintf(path, sizeof(path), "%s/admin.pub", argv[2]);
	if ((f = fopen(path, "w")) == NULL)
		die(path, PROTO_EIO, NULL);
	fprintf(f, "%s\n", hex);
	fclose(f);
	free(b64);
	free(sizes);
	return 0;
}
