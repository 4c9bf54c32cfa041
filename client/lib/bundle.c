/*
 * bundle.c: proof bundles, written by claim prove --out and checked by
 * claim verify-proof with nothing but the log's verifier key.
 *
 * A bundle is one JSON object: the proof JSON of claim prove, plus the
 * signed checkpoint it proves against, verbatim, and what the proof is
 * about (the record, or the old tree). Every field is checked, none is
 * trusted: a field the type does not define, one missing, or a value
 * that does not verify is refused, so that no change to a value of a
 * bundle goes unnoticed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "claim.h"

enum { F_STR, F_UINT, F_ARRAY };

struct field {
	const char *name;
	int type;
	bool required;
};

/* The fields of each type, in the order they are written. */
static const struct field incl_fields[] = {
    {"type", F_STR, true},
    {"checkpoint", F_STR, true},
    {"index", F_UINT, true},
    {"size", F_UINT, true},
    {"record", F_STR, true},
    {"hash", F_STR, true},
    {"proof", F_ARRAY, true},
};

static const struct field cons_fields[] = {
    {"type", F_STR, true},
    {"old_checkpoint", F_STR, false},
    {"checkpoint", F_STR, true},
    {"old_size", F_UINT, true},
    {"new_size", F_UINT, true},
    {"old_root", F_STR, true},
    {"proof", F_ARRAY, true},
};

#define NFIELDS(a) (sizeof(a) / sizeof(a[0]))

static json_t *
proof_array(const struct claim_proof *p)
{
	json_t *a = json_array();
	char b64[64];

	for (size_t i = 0; a != NULL && i < p->n; i++) {
		proto_base64(p->hashes[i], PROTO_HASH_LEN, b64);
		json_array_append_new(a, json_string(b64));
	}
	return a;
}

/* The text of o, which it frees, in *out. */
static int
dump(json_t *o, char **out)
{
	*out = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return *out != NULL ? PROTO_OK : PROTO_ENOMEM;
}

int
claim_bundle_inclusion(const char *note, const struct claim_proof *p,
    const uint8_t *rec, size_t len, char **out)
{
	char hex[2 * PROTO_HASH_LEN + 1], *b64;
	uint8_t h[PROTO_HASH_LEN];
	json_t *o;

	*out = NULL;
	if ((b64 = malloc(proto_base64_len(len))) == NULL)
		return PROTO_ENOMEM;
	proto_base64(rec, len, b64);
	proto_record_hash(rec, len, h);
	proto_hex(h, PROTO_HASH_LEN, hex);
	o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:o}", "type",
	    "inclusion", "checkpoint", note, "index", (json_int_t)p->index,
	    "size", (json_int_t)p->size, "record", b64, "hash", hex, "proof",
	    proof_array(p));
	free(b64);
	return dump(o, out);
}

int
claim_bundle_consistency(const char *note, const char *old_note,
    const struct claim_proof *p, char **out)
{
	char b64[64];
	json_t *o;

	*out = NULL;
	proto_base64(p->old_root, PROTO_HASH_LEN, b64);
	if ((o = json_pack("{s:s}", "type", "consistency")) == NULL)
		return PROTO_ENOMEM;
	if (old_note != NULL)
		json_object_set_new(o, "old_checkpoint", json_string(old_note));
	json_object_set_new(o, "checkpoint", json_string(note));
	json_object_set_new(
	    o, "old_size", json_integer((json_int_t)p->old_size));
	json_object_set_new(o, "new_size", json_integer((json_int_t)p->size));
	json_object_set_new(o, "old_root", json_string(b64));
	json_object_set_new(o, "proof", proof_array(p));
	return dump(o, out);
}

/* Every key defined for the type, of its JSON type; no other key. */
static int
check_fields(
    json_t *o, const struct field *f, size_t nf, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
	{
		size_t i;

		for (i = 0; i < nf && strcmp(f[i].name, key) != 0; i++)
			;
		if (i == nf)
			return proto_fail(err, errlen, PROTO_EPROOF,
			    "unknown field \"%s\"", key);
	}
	for (size_t i = 0; i < nf; i++) {
		v = json_object_get(o, f[i].name);
		if (v == NULL) {
			if (!f[i].required)
				continue;
			return proto_fail(
			    err, errlen, PROTO_EPROOF, "no \"%s\"", f[i].name);
		}
		if ((f[i].type == F_STR && !json_is_string(v)) ||
		    (f[i].type == F_UINT &&
			(!json_is_integer(v) || json_integer_value(v) < 0)) ||
		    (f[i].type == F_ARRAY && !json_is_array(v)))
			return proto_fail(err, errlen, PROTO_EPROOF,
			    "\"%s\" is not %s", f[i].name,
			    f[i].type == F_STR        ? "a string"
				: f[i].type == F_UINT ? "a number from 0"
						      : "an array");
	}
	return PROTO_OK;
}

static uint64_t
uint_of(json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

static int
hash_of(json_t *v, uint8_t out[PROTO_HASH_LEN])
{
	size_t n;

	if (!json_is_string(v) ||
	    proto_unbase64(json_string_value(v), json_string_length(v), out,
		PROTO_HASH_LEN, &n) != PROTO_OK ||
	    n != PROTO_HASH_LEN)
		return PROTO_EPROOF;
	return PROTO_OK;
}

static int
proof_of(json_t *o, struct claim_proof *p, char *err, size_t errlen)
{
	json_t *a = json_object_get(o, "proof");

	if (json_array_size(a) > PROTO_MERKLE_PROOF_MAX)
		return proto_fail(
		    err, errlen, PROTO_EPROOF, "the proof is too long");
	for (p->n = 0; p->n < json_array_size(a); p->n++)
		if (hash_of(json_array_get(a, p->n), p->hashes[p->n]) !=
		    PROTO_OK)
			return proto_fail(err, errlen, PROTO_EPROOF,
			    "proof hash %zu is not a base64 SHA-256 hash",
			    p->n);
	return PROTO_OK;
}

/* The signed checkpoint in field key, under vkey. */
static int
checkpoint_of(json_t *o, const char *key, const char *vkey, uint64_t *size,
    uint8_t root[PROTO_HASH_LEN], char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	char why[256];
	int rc;

	rc = claim_checkpoint_verify(json_string_value(v),
	    json_string_length(v), vkey, size, root, why, sizeof(why));
	if (rc == PROTO_EKEY)
		return proto_fail(err, errlen, rc, "%s", why);
	if (rc != PROTO_OK)
		return proto_fail(
		    err, errlen, PROTO_EPROOF, "\"%s\": %s", key, why);
	return PROTO_OK;
}

static int
verify_inclusion(json_t *o, const char *vkey, struct claim_bundle *b,
    struct claim_proof *p, char *err, size_t errlen)
{
	json_t *rec = json_object_get(o, "record");
	char hex[2 * PROTO_HASH_LEN + 1], why[256];
	uint8_t *bytes = NULL;
	size_t len;
	int rc;

	if ((rc = check_fields(o, incl_fields, NFIELDS(incl_fields), err,
		 errlen)) != PROTO_OK ||
	    (rc = checkpoint_of(o, "checkpoint", vkey, &b->size, b->root, err,
		 errlen)) != PROTO_OK ||
	    (rc = proof_of(o, p, err, errlen)) != PROTO_OK)
		return rc;
	b->index = uint_of(o, "index");
	if (uint_of(o, "size") != b->size)
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "the proof is for a tree of %llu entries, the checkpoint "
		    "signs %llu",
		    (unsigned long long)uint_of(o, "size"),
		    (unsigned long long)b->size);
	/* The leaf hash from the record itself, never from the bundle. */
	if ((bytes = malloc(PROTO_RECORD_MAX)) == NULL)
		return PROTO_ENOMEM;
	if (proto_unbase64(json_string_value(rec), json_string_length(rec),
		bytes, PROTO_RECORD_MAX, &len) != PROTO_OK ||
	    len == 0) {
		rc = proto_fail(err, errlen, PROTO_EPROOF,
		    "\"record\" is not a record in base64");
		goto done;
	}
	proto_record_hash(bytes, len, b->hash);
	proto_hex(b->hash, PROTO_HASH_LEN, hex);
	if (strcmp(json_string_value(json_object_get(o, "hash")), hex) != 0) {
		rc = proto_fail(err, errlen, PROTO_EPROOF,
		    "\"hash\" is not the record's hash, %s", hex);
		goto done;
	}
	if (proto_merkle_verify_inclusion(b->hash, b->index, b->size,
		(const uint8_t(*)[PROTO_HASH_LEN])p->hashes, p->n,
		b->root) != PROTO_OK) {
		rc = proto_fail(err, errlen, PROTO_EPROOF,
		    "the inclusion proof of entry %llu does not lead to the "
		    "checkpoint's root",
		    (unsigned long long)b->index);
		goto done;
	}
	/* In the log, so it was a valid record when it was appended. */
	if ((rc = claim_entry_open(&b->entry, b->index, bytes, len, true, why,
		 sizeof(why))) != PROTO_OK)
		rc = proto_fail(
		    err, errlen, PROTO_EPROOF, "the record: %s", why);
done:
	free(bytes);
	return rc;
}

static int
verify_consistency(json_t *o, const char *vkey, struct claim_bundle *b,
    struct claim_proof *p, char *err, size_t errlen)
{
	uint8_t old_root[PROTO_HASH_LEN];
	uint64_t old_size;
	int rc;

	if ((rc = check_fields(o, cons_fields, NFIELDS(cons_fields), err,
		 errlen)) != PROTO_OK ||
	    (rc = checkpoint_of(o, "checkpoint", vkey, &b->size, b->root, err,
		 errlen)) != PROTO_OK ||
	    (rc = proof_of(o, p, err, errlen)) != PROTO_OK)
		return rc;
	b->old_size = uint_of(o, "old_size");
	if (uint_of(o, "new_size") != b->size)
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "the proof is for a tree of %llu entries, the checkpoint "
		    "signs %llu",
		    (unsigned long long)uint_of(o, "new_size"),
		    (unsigned long long)b->size);
	if (hash_of(json_object_get(o, "old_root"), b->old_root) != PROTO_OK)
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "\"old_root\" is not a base64 SHA-256 hash");
	if (b->old_size > b->size)
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "the old tree (%llu entries) is larger than the new one",
		    (unsigned long long)b->old_size);
	/* The proof says nothing of an empty old tree: its root is fixed. */
	if (b->old_size == 0) {
		proto_sha256(NULL, 0, old_root);
		if (sodium_memcmp(old_root, b->old_root, PROTO_HASH_LEN) != 0)
			return proto_fail(err, errlen, PROTO_EPROOF,
			    "\"old_root\" is not the root of the empty tree");
	}
	if (proto_merkle_verify_consistency(b->old_size, b->size, b->old_root,
		b->root, (const uint8_t(*)[PROTO_HASH_LEN])p->hashes,
		p->n) != PROTO_OK)
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "the consistency proof does not join the tree of %llu "
		    "entries to the checkpoint's",
		    (unsigned long long)b->old_size);
	if (json_object_get(o, "old_checkpoint") == NULL)
		return PROTO_OK;
	if ((rc = checkpoint_of(o, "old_checkpoint", vkey, &old_size, old_root,
		 err, errlen)) != PROTO_OK)
		return rc;
	if (old_size != b->old_size ||
	    sodium_memcmp(old_root, b->old_root, PROTO_HASH_LEN) != 0)
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "\"old_checkpoint\" is not the old tree's");
	b->old_signed = true;
	return PROTO_OK;
}

int
claim_bundle_verify(const char *text, size_t len, const char *vkey,
    struct claim_bundle *b, char *err, size_t errlen)
{
	struct claim_proof *p = NULL;
	json_error_t jerr;
	json_t *o;
	const char *type;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) ==
		NULL ||
	    !json_is_object(o)) {
		json_decref(o);
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "not a proof bundle: not a JSON object");
	}
	type = json_string_value(json_object_get(o, "type"));
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		rc = PROTO_ENOMEM;
	} else if (type != NULL && strcmp(type, "inclusion") == 0) {
		b->type = CLAIM_BUNDLE_INCLUSION;
		rc = verify_inclusion(o, vkey, b, p, err, errlen);
	} else if (type != NULL && strcmp(type, "consistency") == 0) {
		b->type = CLAIM_BUNDLE_CONSISTENCY;
		rc = verify_consistency(o, vkey, b, p, err, errlen);
	} else {
		rc = proto_fail(err, errlen, PROTO_EPROOF,
		    "not a proof bundle: \"type\" is neither \"inclusion\" "
		    "nor \"consistency\"");
	}
	if (rc == PROTO_OK)
		snprintf(b->origin, sizeof(b->origin), "%.*s",
		    (int)strcspn(vkey, "+"), vkey);
	free(p);
	json_decref(o);
	if (rc != PROTO_OK)
		claim_bundle_release(b);
	return rc;
}

void
claim_bundle_release(struct claim_bundle *b)
{
	claim_entry_release(&b->entry);
}
