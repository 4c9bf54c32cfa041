/*
 * audit.c: checkpoints and proofs from claimd, checked here.
 */
#include <stdlib.h>
#include <string.h>

#include "claim.h"

int
claim_checkpoint_verify(const char *note, size_t len, const char *vkey,
    uint64_t *size, uint8_t root[PROTO_HASH_LEN], char *err, size_t errlen)
{
	char name[PROTO_ORIGIN_MAX + 1], origin[PROTO_ORIGIN_MAX + 1];
	uint8_t pk[PROTO_PUBKEY_LEN];
	char safe[PROTO_VKEY_MAX];
	size_t textlen;
	int rc;

	if (proto_vkey_parse(vkey, name, sizeof(name), pk) != PROTO_OK)
		return proto_fail(err, errlen, PROTO_EKEY,
		    "\"%s\" is not a log key (name+keyid+key, of a valid "
		    "Ed25519 public key)",
		    proto_str_safe(safe, sizeof(safe), vkey));
	if ((rc = proto_note_open(
		 note, len, name, pk, &textlen, err, errlen)) != PROTO_OK)
		return rc;
	if (proto_checkpoint_parse(
		note, textlen, origin, sizeof(origin), size, root) != PROTO_OK)
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "the signed note is not a checkpoint");
	if (strcmp(origin, name) != 0)
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "checkpoint of log %s signed by key %s", origin, name);
	return PROTO_OK;
}

/* Sends a map body; the reply, or why there is none (claim_request). */
static int
request(struct claim_client *c, int op, struct proto_buf *body,
    struct claim_reply *r, char *err, size_t errlen)
{
	return claim_request(c, op, 0, body->data, body->len, r, err, errlen);
}

int
claim_checkpoint_fetch(struct claim_client *c, char **note,
    char vkey[PROTO_VKEY_MAX], char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"checkpoint", PROTO_F_TEXT, true},
	    {"log_key", PROTO_F_TEXT, true},
	};
	struct proto_buf b = {(uint8_t *)"\xa0", 1, 1};
	struct proto_cbor_rd rd;
	struct claim_reply r;
	int rc;

	if ((rc = request(c, PROTO_OP_CHECKPOINT, &b, &r, err, errlen)) != 0)
		return rc;
	proto_cbor_rd_init(&rd, r.body, r.len);
	if ((rc = proto_cbor_rd_fields(
		 &rd, f, 2, true, PROTO_EPROTOCOL, err, errlen)) == PROTO_OK) {
		if (f[1].len >= PROTO_VKEY_MAX ||
		    (*note = strndup((const char *)f[0].ptr, f[0].len)) ==
			NULL) {
			rc = PROTO_EPROTOCOL;
		} else {
			memcpy(vkey, f[1].ptr, f[1].len);
			vkey[f[1].len] = '\0';
		}
	}
	claim_reply_release(&r);
	return rc;
}

static int
read_proof(
    struct proto_field *f, struct claim_proof *p, char *err, size_t errlen)
{
	size_t n;

	if (proto_cbor_rd_array(&f->sub, &n) != 0 || n > PROTO_MERKLE_PROOF_MAX)
		return proto_fail(err, errlen, PROTO_EPROTOCOL, "bad proof");
	for (p->n = 0; p->n < n; p->n++) {
		const uint8_t *h;
		size_t len;

		if (proto_cbor_rd_bytes(&f->sub, &h, &len) != 0 ||
		    len != PROTO_HASH_LEN)
			return proto_fail(
			    err, errlen, PROTO_EPROTOCOL, "bad proof hash");
		memcpy(p->hashes[p->n], h, PROTO_HASH_LEN);
	}
	return PROTO_OK;
}

int
claim_prove_inclusion(struct claim_client *c, const char *ref, uint64_t size,
    struct claim_proof *p, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"index", PROTO_F_UINT, true},
	    {"size", PROTO_F_UINT, true},
	    {"hash", PROTO_F_HASH, true},
	    {"root", PROTO_F_HASH, true},
	    {"proof", PROTO_F_ARRAY, true},
	};
	struct proto_cbor_rd rd;
	struct claim_reply r;
	struct proto_buf b;
	size_t start;
	int rc;

	memset(p, 0, sizeof(*p));
	proto_buf_init(&b);
	if ((rc = proto_cbor_map_begin(&b, &start)) ||
	    (rc = proto_cbor_put_str(&b, "id")) ||
	    (rc = proto_cbor_put_str(&b, ref)))
		goto done;
	if (size > 0 &&
	    ((rc = proto_cbor_put_str(&b, "size")) ||
		(rc = proto_cbor_put_uint(&b, size))))
		goto done;
	if ((rc = proto_cbor_map_end(&b, start, size > 0 ? 2 : 1)) ||
	    (rc = request(c, PROTO_OP_INCLUSION, &b, &r, err, errlen)))
		goto done;
	proto_cbor_rd_init(&rd, r.body, r.len);
	if ((rc = proto_cbor_rd_fields(
		 &rd, f, 5, true, PROTO_EPROTOCOL, err, errlen)) == PROTO_OK) {
		p->index = f[0].u;
		p->size = f[1].u;
		memcpy(p->leaf, f[2].ptr, PROTO_HASH_LEN);
		memcpy(p->root, f[3].ptr, PROTO_HASH_LEN);
		rc = read_proof(&f[4], p, err, errlen);
	}
	if (rc == PROTO_OK &&
	    proto_merkle_verify_inclusion(p->leaf, p->index, p->size,
		(const uint8_t(*)[PROTO_HASH_LEN])p->hashes, p->n,
		p->root) != PROTO_OK)
		rc = proto_fail(err, errlen, PROTO_EPROOF,
		    "the inclusion proof from claimd does not verify");
	claim_reply_release(&r);
done:
	proto_buf_release(&b);
	return rc;
}

int
claim_prove_consistency(struct claim_client *c, uint64_t old_size,
    uint64_t new_size, struct claim_proof *p, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"old_size", PROTO_F_UINT, true},
	    {"new_size", PROTO_F_UINT, true},
	    {"old_root", PROTO_F_HASH, true},
	    {"new_root", PROTO_F_HASH, true},
	    {"proof", PROTO_F_ARRAY, true},
	};
	struct proto_cbor_rd rd;
	struct claim_reply r;
	struct proto_buf b;
	size_t start;
	int rc;

	memset(p, 0, sizeof(*p));
	proto_buf_init(&b);
	if ((rc = proto_cbor_map_begin(&b, &start)) ||
	    (rc = proto_cbor_put_str(&b, "from")) ||
	    (rc = proto_cbor_put_uint(&b, old_size)) ||
	    (rc = proto_cbor_put_str(&b, "to")) ||
	    (rc = proto_cbor_put_uint(&b, new_size)) ||
	    (rc = proto_cbor_map_end(&b, start, 2)) ||
	    (rc = request(c, PROTO_OP_CONSISTENCY, &b, &r, err, errlen)))
		goto done;
	proto_cbor_rd_init(&rd, r.body, r.len);
	if ((rc = proto_cbor_rd_fields(
		 &rd, f, 5, true, PROTO_EPROTOCOL, err, errlen)) == PROTO_OK) {
		p->old_size = f[0].u;
		p->size = f[1].u;
		memcpy(p->old_root, f[2].ptr, PROTO_HASH_LEN);
		memcpy(p->root, f[3].ptr, PROTO_HASH_LEN);
		rc = read_proof(&f[4], p, err, errlen);
	}
	if (rc == PROTO_OK && (p->old_size != old_size || p->size != new_size))
		rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "claimd answered for other sizes");
	if (rc == PROTO_OK &&
	    proto_merkle_verify_consistency(p->old_size, p->size, p->old_root,
		p->root, (const uint8_t(*)[PROTO_HASH_LEN])p->hashes,
		p->n) != PROTO_OK)
		rc = proto_fail(err, errlen, PROTO_EPROOF,
		    "the consistency proof from claimd does not verify");
	claim_reply_release(&r);
done:
	proto_buf_release(&b);
	return rc;
}
