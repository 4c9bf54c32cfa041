/*
 * fuzz_record: the strict CBOR checker, the COSE_Sign1 envelope, the
 * payload decoder and encoder, and the payload's JSON, on arbitrary bytes.
 *
 * Input: the bytes of a would-be record (or payload). Invariants, each an
 * abort() when broken:
 *   - proto_cbor_check() with and without "used" agree, and every item it
 *     accepts re-encodes to itself through the typed reader and the
 *     shortest-form writers (only deterministic CBOR gets through);
 *   - proto_record_open() fails exactly as proto_record_parse() does, or
 *     with a signature or payload error after a successful parse;
 *   - a payload that decodes (from a parsed record, signed or not, or the
 *     raw input) re-encodes to the same bytes, and so does a deep copy;
 *   - a decoded claim turned into JSON and read back with
 *     proto_claim_from_json() encodes to the same bytes again.
 * Plus whatever ASan and UBSan see, and leaks.
 */
#include <jansson.h>
#include <sodium.h>

#include "fuzz_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

/* The JSON of p, read back as claim input, encodes to bytes again. */
static void
json_roundtrip(const struct proto_payload *p, const uint8_t *bytes, size_t len)
{
	json_t *j = proto_payload_to_json(p);
	struct proto_payload back;
	struct proto_buf out;
	char err[256], *text;
	int rc;

	FUZZ_CHECK(j != NULL, "proto_payload_to_json failed");
	text = json_dumps(j, JSON_COMPACT);
	FUZZ_CHECK(text != NULL, "the payload's JSON cannot be written");
	free(text);
	if (p->kind != PROTO_KIND_CLAIM) {
		/* An owner record names its owner where the others name
		 * their party; it lists its publishers, each kept. */
		bool owner = p->kind == PROTO_KIND_OWNER;
		const char *party = json_string_value(
		    json_object_get(j, owner ? "owner" : "party"));
		json_t *pubs = json_object_get(j, "publishers");

		FUZZ_CHECK(party != NULL && strcmp(party, p->reg.party) == 0,
		    "registry JSON lost its %s", owner ? "owner" : "party");
		FUZZ_CHECK(
		    !owner || json_array_size(pubs) == p->reg.npublishers,
		    "owner JSON lost publishers");
		for (size_t i = 0; owner && i < p->reg.npublishers; i++) {
			const char *v =
			    json_string_value(json_array_get(pubs, i));

			FUZZ_CHECK(
			    v != NULL && strcmp(v, p->reg.publishers[i]) == 0,
			    "owner JSON changed a publisher");
		}
		json_decref(j);
		return;
	}
	rc =
	    proto_claim_from_json(j, NULL, NULL, NULL, &back, err, sizeof(err));
	FUZZ_CHECK(rc == PROTO_OK, "a decoded claim's JSON is refused: %s: %s",
	    proto_errname(rc), err);
	/* What the JSON input leaves to the client. */
	back.time = p->time;
	back.claim.version = p->claim.version;
	back.claim.status = p->claim.status;
	back.claim.reinstates = p->claim.reinstates;
	memcpy(back.claim.claim, p->claim.claim, PROTO_HASH_LEN);
	memcpy(back.claim.prev, p->claim.prev, PROTO_HASH_LEN);
	proto_buf_init(&out);
	rc = proto_payload_encode(&back, &out, err, sizeof(err));
	FUZZ_CHECK(rc == PROTO_OK,
	    "a claim back from its JSON does not "
	    "encode: %s: %s",
	    proto_errname(rc), err);
	FUZZ_CHECK(out.len == len && memcmp(out.data, bytes, len) == 0,
	    "a claim back from its JSON encodes to other bytes (%zu, was %zu)",
	    out.len, len);
	proto_buf_release(&out);
	proto_payload_release(&back);
	json_decref(j);
}

static void
payload_checks(const struct proto_payload *p, const uint8_t *bytes, size_t len)
{
	fuzz_payload_roundtrip(p, bytes, len);
	json_roundtrip(p, bytes, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_record rec, rec2;
	struct proto_payload p;
	char err[256];
	int rc_parse, rc_open, rc;

	(void)fuzz_cbor_check(data, size, PROTO_DEPTH_MAX);

	rc_parse = proto_record_parse(data, size, &rec, err, sizeof(err));
	rc_open = proto_record_open(data, size, &rec2, &p, err, sizeof(err));
	if (rc_parse != PROTO_OK) {
		FUZZ_CHECK(rc_open == rc_parse, "parse says %s, open says %s",
		    proto_errname(rc_parse), proto_errname(rc_open));
	} else {
		FUZZ_CHECK(rec.bytes == data && rec.len == size &&
			rec.kid >= data &&
			rec.kid + PROTO_PUBKEY_LEN <= data + size &&
			rec.payload >= data &&
			rec.payload + rec.payload_len <= data + size &&
			rec.sig >= data &&
			rec.sig + PROTO_SIG_LEN <= data + size,
		    "a parsed record points outside its bytes");
		/* The payload was checked as deterministic CBOR. */
		FUZZ_CHECK(fuzz_cbor_check(rec.payload, rec.payload_len,
			       PROTO_DEPTH_MAX) == PROTO_OK,
		    "parse accepted a payload the checker refuses");
		/* Unsigned (mutated) records reach the decoder this way. */
		struct proto_payload q;

		rc = proto_payload_decode(
		    rec.payload, rec.payload_len, &q, err, sizeof(err));
		if (rc == PROTO_OK) {
			payload_checks(&q, rec.payload, rec.payload_len);
			proto_payload_release(&q);
		}
		FUZZ_CHECK(rc_open == PROTO_OK || rc_open == PROTO_ESIGNATURE ||
			rc_open == rc,
		    "open says %s after parse; the payload decodes as %s",
		    proto_errname(rc_open), proto_errname(rc));
		FUZZ_CHECK(rc_open != PROTO_OK || rc == PROTO_OK,
		    "open accepts a payload decode refuses (%s)",
		    proto_errname(rc));
	}
	if (rc_open == PROTO_OK) {
		FUZZ_CHECK(proto_record_verify(&rec2) == PROTO_OK,
		    "an opened record does not verify");
		payload_checks(&p, rec2.payload, rec2.payload_len);
		proto_payload_release(&p);
	}

	/* The raw input as a payload. */
	rc = proto_payload_decode(data, size, &p, err, sizeof(err));
	if (rc == PROTO_OK) {
		payload_checks(&p, data, size);
		proto_payload_release(&p);
	}
	return 0;
}
