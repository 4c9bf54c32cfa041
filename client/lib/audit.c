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
	const struct proto_opdef *op = &proto_ops[PROTO_OP_CHECKPOINT];
	struct proto_checkpoint_rep *rep;
	struct proto_empty q = {0};
	struct claim_reply r;
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rep = malloc(sizeof(*rep))) == NULL)
		return PROTO_ENOMEM;
	if ((rc = proto_msg_encode(&op->req, &q, &b)) == PROTO_OK &&
	    (rc = request(c, PROTO_OP_CHECKPOINT, &b, &r, err, errlen)) ==
		PROTO_OK) {
		if ((rc = proto_msg_decode(&op->rep, r.body, r.len, rep, err,
			 errlen)) == PROTO_OK &&
		    (*note = strdup(rep->checkpoint)) == NULL)
			rc = PROTO_ENOMEM;
		if (rc == PROTO_OK)
			memcpy(vkey, rep->log_key, PROTO_VKEY_MAX);
		claim_reply_release(&r);
	}
	proto_buf_release(&b);
	free(rep);
	return rc;
}

/* A proof's rows (the decoder checked them) into p. */
static int
read_proof(const struct proto_rows *rows, struct claim_proof *p, char *err,
    size_t errlen)
{
	struct proto_rows_rd rd;

	if (rows->n > PROTO_MERKLE_PROOF_MAX)
		return proto_fail(err, errlen, PROTO_EPROTOCOL, "bad proof");
	proto_rows_rd_init(&rd, &proto_row_hash_def, rows);
	for (p->n = 0; p->n < rows->n; p->n++)
		if (proto_rows_next(&rd, p->hashes[p->n]) != 1)
			return proto_fail(
			    err, errlen, PROTO_EPROTOCOL, "bad proof hash");
	return PROTO_OK;
}

int
claim_prove_inclusion(struct claim_client *c, const char *ref, uint64_t size,
    struct claim_proof *p, char *err, size_t errlen)
{
	const struct proto_opdef *op = &proto_ops[PROTO_OP_INCLUSION];
	struct proto_inclusion_req q = {
	    .has_id = true, .has_size = size > 0, .size = size};
	struct proto_inclusion_rep rep;
	struct claim_reply r;
	struct proto_buf b;
	int rc;

	memset(p, 0, sizeof(*p));
	proto_buf_init(&b);
	if ((rc = proto_msg_text(q.id, sizeof(q.id), "id", ref, err, errlen)) ||
	    (rc = proto_msg_encode(&op->req, &q, &b)) ||
	    (rc = request(c, PROTO_OP_INCLUSION, &b, &r, err, errlen)))
		goto done;
	if ((rc = proto_msg_decode(
		 &op->rep, r.body, r.len, &rep, err, errlen)) == PROTO_OK) {
		p->index = rep.index;
		p->size = rep.size;
		memcpy(p->leaf, rep.hash, PROTO_HASH_LEN);
		memcpy(p->root, rep.root, PROTO_HASH_LEN);
		rc = read_proof(&rep.proof, p, err, errlen);
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
	const struct proto_opdef *op = &proto_ops[PROTO_OP_CONSISTENCY];
	struct proto_consistency_req q = {old_size, new_size};
	struct proto_consistency_rep rep;
	struct claim_reply r;
	struct proto_buf b;
	int rc;

	memset(p, 0, sizeof(*p));
	proto_buf_init(&b);
	if ((rc = proto_msg_encode(&op->req, &q, &b)) ||
	    (rc = request(c, PROTO_OP_CONSISTENCY, &b, &r, err, errlen)))
		goto done;
	if ((rc = proto_msg_decode(
		 &op->rep, r.body, r.len, &rep, err, errlen)) == PROTO_OK) {
		p->old_size = rep.old_size;
		p->size = rep.new_size;
		memcpy(p->old_root, rep.old_root, PROTO_HASH_LEN);
		memcpy(p->root, rep.new_root, PROTO_HASH_LEN);
		rc = read_proof(&rep.proof, p, err, errlen);
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
