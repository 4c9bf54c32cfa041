/*
 * record.c: the COSE_Sign1 envelope, Ed25519 signing and verification,
 * and record hashes.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

/* The fixed head of the protected header: {1: -8, 4: h'<32 bytes>'}. */
static const uint8_t protected_head[] = {0xa2, 0x01, 0x27, 0x04, 0x58, 0x20};

/* The Sig_structure up to the payload: ["Signature1", protected, h'', */
static const uint8_t sig_context[] = {
    0x84, 0x6a, 'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e', '1'};

#define SIG_STACK 2048

static int
parse_protected(
    const uint8_t *p, size_t n, const uint8_t **kid, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {.key = "1", .type = PROTO_F_INT},
	    {.key = "4", .type = PROTO_F_BYTES},
	};
	struct proto_cbor_rd rd;
	size_t npairs;
	int rc;

	if (n == 0)
		return proto_fail(err, errlen, PROTO_EHEADER,
		    "protected header is empty; it must be {1: -8, 4: kid}");
	if ((rc = proto_cbor_check(p, n, PROTO_DEPTH_MAX, NULL, err, errlen)) !=
	    PROTO_OK)
		return rc;
	/*
	 * The header has integer keys, which the field table (text keys)
	 * does not read: walk the two pairs by hand.
	 */
	proto_cbor_rd_init(&rd, p, n);
	if (proto_cbor_rd_map(&rd, &npairs) != 0)
		return proto_fail(err, errlen, PROTO_EHEADER,
		    "protected header is not a map");
	for (size_t i = 0; i < npairs; i++) {
		uint64_t label;
		int k;

		if (proto_cbor_rd_uint(&rd, &label) != 0 ||
		    (label != 1 && label != 4))
			return proto_fail(err, errlen, PROTO_EHEADER,
			    "protected header has a label other than 1 and 4");
		k = label == 1 ? 0 : 1;
		if ((k == 0 ? proto_cbor_rd_int(&rd, &f[0].i)
			    : proto_cbor_rd_bytes(&rd, &f[1].ptr, &f[1].len)) !=
		    0)
			return proto_fail(err, errlen,
			    k == 0 ? PROTO_EALG : PROTO_EHEADER,
			    k == 0 ? "alg is not an integer"
				   : "kid is not a byte string");
		f[k].present = true;
	}
	if (!f[0].present || f[0].i != PROTO_COSE_ALG_EDDSA)
		return proto_fail(
		    err, errlen, PROTO_EALG, "alg must be EdDSA (-8)");
	if (!f[1].present || f[1].len != PROTO_PUBKEY_LEN)
		return proto_fail(err, errlen, PROTO_EHEADER,
		    "kid must be a 32-byte Ed25519 public key");
	*kid = f[1].ptr;
	return PROTO_OK;
}

int
proto_record_parse(const uint8_t *buf, size_t len, struct proto_record *rec,
    char *err, size_t errlen)
{
	struct proto_cbor_rd rd;
	const uint8_t *prot, *sig;
	size_t n, plen, siglen;
	uint64_t tag;
	int rc;

	memset(rec, 0, sizeof(*rec));
	if (len > PROTO_RECORD_MAX)
		return proto_fail(err, errlen, PROTO_ETOOBIG,
		    "record of %zu bytes exceeds %d", len, PROTO_RECORD_MAX);
	if ((rc = proto_cbor_check(
		 buf, len, PROTO_DEPTH_MAX, NULL, err, errlen)) != PROTO_OK)
		return rc;
	proto_cbor_rd_init(&rd, buf, len);
	if (proto_cbor_rd_tag(&rd, &tag) != 0 || tag != PROTO_COSE_TAG)
		return proto_fail(err, errlen, PROTO_ETAG,
		    "record must be CBOR tag 18 (COSE_Sign1)");
	if (proto_cbor_rd_array(&rd, &n) != 0 || n != 4)
		return proto_fail(err, errlen, PROTO_EHEADER,
		    "COSE_Sign1 must be an array of four items");
	if (proto_cbor_rd_bytes(&rd, &prot, &plen) != 0)
		return proto_fail(err, errlen, PROTO_EHEADER,
		    "protected header must be a byte string");
	if ((rc = parse_protected(prot, plen, &rec->kid, err, errlen)) !=
	    PROTO_OK)
		return rc;
	if (proto_cbor_rd_map(&rd, &n) != 0 || n != 0)
		return proto_fail(err, errlen, PROTO_EHEADER,
		    "unprotected header must be an empty map");
	if (proto_cbor_rd_bytes(&rd, &rec->payload, &rec->payload_len) != 0)
		return proto_fail(err, errlen, PROTO_EHEADER,
		    "payload must be a byte string");
	if ((rc = proto_cbor_check(rec->payload, rec->payload_len,
		 PROTO_DEPTH_MAX, NULL, err, errlen)) != PROTO_OK)
		return rc;
	if (proto_cbor_rd_bytes(&rd, &sig, &siglen) != 0 ||
	    siglen != PROTO_SIG_LEN)
		return proto_fail(err, errlen, PROTO_EHEADER,
		    "signature must be a 64-byte string");
	rec->sig = sig;
	rec->bytes = buf;
	rec->len = len;
	return PROTO_OK;
}

/* Writes the Sig_structure for payload into b. */
static int
sig_structure(struct proto_buf *b, const uint8_t kid[PROTO_PUBKEY_LEN],
    const uint8_t *payload, size_t len)
{
	uint8_t prot[PROTO_PROTECTED_LEN];
	int rc;

	memcpy(prot, protected_head, sizeof(protected_head));
	memcpy(prot + sizeof(protected_head), kid, PROTO_PUBKEY_LEN);
	if ((rc = proto_buf_append(b, sig_context, sizeof(sig_context))) ||
	    (rc = proto_cbor_put_bytes(b, prot, sizeof(prot))) ||
	    (rc = proto_cbor_put_bytes(b, NULL, 0)) ||
	    (rc = proto_cbor_put_bytes(b, payload, len)))
		return rc;
	return PROTO_OK;
}

int
proto_record_verify(const struct proto_record *rec)
{
	uint8_t stack[SIG_STACK];
	struct proto_buf b;
	int rc;

	/* Typical records fit the stack; a malloc costs nothing next to
	 * an Ed25519 verification when they do not. */
	b.data = stack;
	b.len = 0;
	b.cap = sizeof(stack);
	if (rec->payload_len + 80 > sizeof(stack)) {
		b.data = NULL;
		b.cap = 0;
	}
	if ((rc = sig_structure(
		 &b, rec->kid, rec->payload, rec->payload_len)) != PROTO_OK)
		goto cleanup;
	if (crypto_sign_verify_detached(rec->sig, b.data, b.len, rec->kid) != 0)
		rc = PROTO_ESIGNATURE;
cleanup:
	if (b.data != stack)
		free(b.data);
	return rc;
}

int
proto_record_verify_err(
    const struct proto_record *rec, char *err, size_t errlen)
{
	int rc;

	if ((rc = proto_record_verify(rec)) != PROTO_OK)
		return proto_fail(err, errlen, rc,
		    "signature does not verify for the key in the header");
	return PROTO_OK;
}

int
proto_record_sign(const uint8_t *payload, size_t len,
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out)
{
	const uint8_t *kid = sk + PROTO_SEED_LEN;
	uint8_t sig[PROTO_SIG_LEN];
	struct proto_buf tbs;
	int rc;

	proto_buf_init(&tbs);
	if ((rc = sig_structure(&tbs, kid, payload, len)) != PROTO_OK)
		goto cleanup;
	if (crypto_sign_detached(sig, NULL, tbs.data, tbs.len, sk) != 0) {
		rc = PROTO_EKEY;
		goto cleanup;
	}
	/* Between the bstr head and the kid sits exactly the protected
	 * header; the tail of the Sig_structure is the payload bstr. */
	if ((rc = proto_cbor_put_tag(out, PROTO_COSE_TAG)) ||
	    (rc = proto_cbor_put_array(out, 4)) ||
	    (rc = proto_cbor_put_bytes(out, tbs.data + sizeof(sig_context) + 2,
		 PROTO_PROTECTED_LEN)) ||
	    (rc = proto_cbor_put_map(out, 0)) ||
	    (rc = proto_cbor_put_bytes(out, payload, len)) ||
	    (rc = proto_cbor_put_bytes(out, sig, sizeof(sig))))
		goto cleanup;
cleanup:
	proto_buf_release(&tbs);
	return rc;
}

void
proto_record_hash(const uint8_t *buf, size_t len, uint8_t out[PROTO_HASH_LEN])
{
	proto_merkle_leaf(buf, len, out);
}
