/*
 * request.c: the requests libclaim makes for its callers (GET, HISTORY,
 * RANGE, LIST) and the replies read into entries and acknowledgements,
 * each through claim_request() (socket.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Calls op with body; a daemon error becomes the return code and err. */
static int
call(struct claim_client *c, int op, const struct proto_buf *body,
    struct claim_reply *r, char *err, size_t errlen)
{
	return claim_request(c, op, 0, body->data, body->len, r, err, errlen);
}

/* {"key": text} plus an optional unsigned. */
static int
body_text(struct proto_buf *b, const char *key, const char *text,
    const char *ukey, uint64_t u)
{
	size_t start, n = 0;
	int rc;

	if ((rc = proto_cbor_map_begin(b, &start)) != PROTO_OK)
		return rc;
	if (key != NULL) {
		if ((rc = proto_cbor_put_str(b, key)) ||
		    (rc = proto_cbor_put_str(b, text)))
			return rc;
		n++;
	}
	if (ukey != NULL) {
		if ((rc = proto_cbor_put_str(b, ukey)) ||
		    (rc = proto_cbor_put_uint(b, u)))
			return rc;
		n++;
	}
	return proto_cbor_map_end(b, start, n);
}

/* Reads the reply body's map into a field table. */
static int
reply_fields(const struct claim_reply *r, struct proto_field *f, size_t n,
    char *err, size_t errlen)
{
	struct proto_cbor_rd rd;

	proto_cbor_rd_init(&rd, r->body, r->len);
	return proto_cbor_rd_fields(
	    &rd, f, n, true, PROTO_EPROTOCOL, err, errlen);
}

static int
get(struct claim_client *c, struct proto_buf *body, struct claim_entry *e,
    struct claim_info *info, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"index", PROTO_F_UINT, true},
	    {"record", PROTO_F_BYTES, true},
	    {"claim", PROTO_F_HASH, false},
	    {"first", PROTO_F_UINT, false},
	    {"head", PROTO_F_UINT, false},
	};
	struct claim_reply r;
	int rc;

	if ((rc = call(c, PROTO_OP_GET, body, &r, err, errlen)) != PROTO_OK)
		return rc;
	if ((rc = reply_fields(&r, f, 5, err, errlen)) == PROTO_OK)
		rc = claim_entry_open(
		    e, f[0].u, f[1].ptr, f[1].len, true, err, errlen);
	if (rc == PROTO_OK && info != NULL) {
		memset(info, 0, sizeof(*info));
		if (f[2].present)
			memcpy(info->id, f[2].ptr, PROTO_HASH_LEN);
		info->first = f[3].u;
		info->version = f[4].u;
	}
	claim_reply_release(&r);
	return rc;
}

int
claim_get(struct claim_client *c, const char *ref, uint64_t version,
    struct claim_entry *e, struct claim_info *info, char *err, size_t errlen)
{
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = body_text(&b, "id", ref, version ? "version" : NULL,
		 version)) == PROTO_OK)
		rc = get(c, &b, e, info, err, errlen);
	proto_buf_release(&b);
	return rc;
}

int
claim_get_index(struct claim_client *c, uint64_t index, struct claim_entry *e,
    char *err, size_t errlen)
{
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = body_text(&b, NULL, NULL, "index", index)) == PROTO_OK)
		rc = get(c, &b, e, NULL, err, errlen);
	proto_buf_release(&b);
	return rc;
}

int
claim_resolve(struct claim_client *c, const char *ref,
    uint8_t id[PROTO_HASH_LEN], char *err, size_t errlen)
{
	struct claim_entry e;
	struct claim_info info;
	int rc;

	if ((rc = claim_get(c, ref, 0, &e, &info, err, errlen)) != PROTO_OK)
		return rc;
	if (e.payload.kind != PROTO_KIND_CLAIM)
		rc = proto_fail(err, errlen, PROTO_ENOTFOUND,
		    "%s is a registry record, not a claim", ref);
	else
		memcpy(id, e.claim, PROTO_HASH_LEN);
	claim_entry_release(&e);
	return rc;
}

int
claim_history(struct claim_client *c, const char *ref, struct claim_entry **out,
    size_t *n, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"claim", PROTO_F_HASH, true},
	    {"versions", PROTO_F_ARRAY, true},
	};
	struct claim_reply r;
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	rc = body_text(&b, "id", ref, NULL, 0);
	if (rc == PROTO_OK)
		rc = call(c, PROTO_OP_HISTORY, &b, &r, err, errlen);
	proto_buf_release(&b);
	if (rc != PROTO_OK)
		return rc;
	if ((rc = reply_fields(&r, f, 2, err, errlen)) == PROTO_OK)
		rc = claim_read_entries(&f[1].sub, true, out, n, err, errlen);
	claim_reply_release(&r);
	return rc;
}

int
claim_range_send(struct claim_client *c, uint64_t from, uint64_t count,
    const char *party, const char *topic, uint32_t *id, char *err,
    size_t errlen)
{
	struct proto_buf b;
	size_t start, np = 2;
	int rc;

	proto_buf_init(&b);
	if ((rc = proto_cbor_map_begin(&b, &start)) ||
	    (rc = proto_cbor_put_str(&b, "from")) ||
	    (rc = proto_cbor_put_uint(&b, from)) ||
	    (rc = proto_cbor_put_str(&b, "count")) ||
	    (rc = proto_cbor_put_uint(&b, count)))
		goto cleanup;
	if (party != NULL &&
	    ((rc = proto_cbor_put_str(&b, "party")) ||
		(rc = proto_cbor_put_str(&b, party)) || (np++, 0)))
		goto cleanup;
	if (topic != NULL &&
	    ((rc = proto_cbor_put_str(&b, "topic")) ||
		(rc = proto_cbor_put_str(&b, topic)) || (np++, 0)))
		goto cleanup;
	if ((rc = proto_cbor_map_end(&b, start, np)) == PROTO_OK &&
	    (rc = claim_client_send(c, PROTO_OP_RANGE, b.data, b.len, id)) !=
		PROTO_OK)
		rc = claim_client_explain(c, rc, err, errlen);
cleanup:
	proto_buf_release(&b);
	return rc;
}

int
claim_range_wait(struct claim_client *c, uint32_t id, uint64_t from,
    struct claim_range_reply *rr, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"size", PROTO_F_UINT, true},
	    {"next", PROTO_F_UINT, true},
	    {"entries", PROTO_F_ARRAY, true},
	};
	struct proto_cbor_rd peek;
	size_t n;
	int rc;

	if ((rc = claim_client_wait(c, id, &rr->r, err, errlen)) != PROTO_OK)
		return rc;
	/* Past the end, next is the size: only entries may not go back. */
	if ((rc = reply_fields(&rr->r, f, 3, err, errlen)) == PROTO_OK &&
	    f[1].u < from &&
	    (peek = f[2].sub, proto_cbor_rd_array(&peek, &n)) == 0 && n > 0)
		rc = proto_fail(
		    err, errlen, PROTO_EPROTOCOL, "range went backwards");
	if (rc != PROTO_OK) {
		claim_reply_release(&rr->r);
		return rc;
	}
	rr->size = f[0].u;
	rr->next = f[1].u;
	rr->entries = f[2].sub;
	return PROTO_OK;
}

int
claim_range(struct claim_client *c, uint64_t from, uint64_t count,
    const char *party, const char *topic, struct claim_entry **out, size_t *n,
    uint64_t *next, uint64_t *size, char *err, size_t errlen)
{
	struct claim_range_reply rr;
	uint32_t id = 0;
	int rc;

	if ((rc = claim_range_send(
		 c, from, count, party, topic, &id, err, errlen)) ||
	    (rc = claim_range_wait(c, id, from, &rr, err, errlen)))
		return rc;
	rc = claim_read_entries(&rr.entries, false, out, n, err, errlen);
	*next = rr.next;
	*size = rr.size;
	claim_reply_release(&rr.r);
	return rc;
}

/*
 * One reply of LIST: its claims opened, their signatures checked together,
 * then handed to fn in order, up to the first that does not verify.
 * Returns -1 if fn asked to stop.
 */
static int
list_page(struct proto_cbor_rd *rd, size_t count, claim_list_fn fn, void *ctx,
    char *err, size_t errlen)
{
	struct claim_entry *e;
	uint64_t *first;
	size_t k, bad = SIZE_MAX;
	int rc = PROTO_OK;

	if (count == 0)
		return PROTO_OK;
	/* Each entry takes bytes: a count beyond them is a lie. */
	if (count > (size_t)(rd->end - rd->p))
		return proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "list reply claims %zu entries", count);
	e = calloc(count, sizeof(*e));
	first = calloc(count, sizeof(*first));
	if (e == NULL || first == NULL) {
		free(e);
		free(first);
		return PROTO_ENOMEM;
	}
	for (k = 0; k < count; k++) {
		const uint8_t *id, *rec;
		uint64_t head;
		size_t idlen, len, four;

		if (proto_cbor_rd_array(rd, &four) != 0 || four != 4 ||
		    proto_cbor_rd_bytes(rd, &id, &idlen) != 0 ||
		    proto_cbor_rd_uint(rd, &first[k]) != 0 ||
		    proto_cbor_rd_uint(rd, &head) != 0 ||
		    proto_cbor_rd_bytes(rd, &rec, &len) != 0) {
			rc = proto_fail(
			    err, errlen, PROTO_EPROTOCOL, "bad list entry");
			break;
		}
		if ((rc = claim_entry_open(&e[k], head, rec, len, false, err,
			 errlen)) != PROTO_OK)
			break;
	}
	/* What came before a bad entry is still handed on. */
	if (claim_entries_verify(e, k, &bad) != PROTO_OK)
		rc = claim_entry_bad_signature(&e[bad], err, errlen);
	for (size_t i = 0; i < k && i < bad; i++)
		if (fn(ctx, &e[i], first[i]) != 0) {
			rc = -1;
			break;
		}
	claim_entries_free(e, k);
	free(first);
	return rc;
}

int
claim_list(struct claim_client *c, const char *party, const char *topic,
    claim_list_fn fn, void *ctx, char *err, size_t errlen)
{
	uint64_t from = 0;
	int rc;

	for (;;) {
		struct proto_field f[] = {
		    {"claims", PROTO_F_ARRAY, true},
		    {"next", PROTO_F_UINT, false},
		};
		struct claim_reply r;
		struct proto_buf b;
		size_t start, n = 1, count;

		proto_buf_init(&b);
		if ((rc = proto_cbor_map_begin(&b, &start)) ||
		    (rc = proto_cbor_put_str(&b, "from")) ||
		    (rc = proto_cbor_put_uint(&b, from)))
			goto next;
		if (party != NULL &&
		    ((rc = proto_cbor_put_str(&b, "party")) ||
			(rc = proto_cbor_put_str(&b, party)) || (n++, 0)))
			goto next;
		if (topic != NULL &&
		    ((rc = proto_cbor_put_str(&b, "topic")) ||
			(rc = proto_cbor_put_str(&b, topic)) || (n++, 0)))
			goto next;
		if ((rc = proto_cbor_map_end(&b, start, n)) ||
		    (rc = call(c, PROTO_OP_LIST, &b, &r, err, errlen)))
			goto next;
		if ((rc = reply_fields(&r, f, 2, err, errlen)) != PROTO_OK ||
		    proto_cbor_rd_array(&f[0].sub, &count) != 0) {
			rc = rc ? rc : PROTO_EPROTOCOL;
			claim_reply_release(&r);
			goto next;
		}
		rc = list_page(&f[0].sub, count, fn, ctx, err, errlen);
		from = f[1].u;
		n = f[1].present;
		claim_reply_release(&r);
		proto_buf_release(&b);
		if (rc != PROTO_OK || !n)
			return rc < 0 ? PROTO_OK : rc;
		continue;
	next:
		proto_buf_release(&b);
		return rc;
	}
}

int
claim_ack_parse(const struct claim_reply *r, struct claim_ack *a)
{
	struct proto_field f[] = {
	    {"index", PROTO_F_UINT, true},
	    {"hash", PROTO_F_HASH, true},
	    {"existed", PROTO_F_BOOL, true},
	    {"claim", PROTO_F_HASH, false},
	    {"version", PROTO_F_UINT, false},
	};
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = reply_fields(r, f, 5, NULL, 0)) != PROTO_OK)
		return rc;
	a->index = f[0].u;
	memcpy(a->hash, f[1].ptr, PROTO_HASH_LEN);
	a->existed = f[2].u != 0;
	if ((a->is_claim = f[3].present)) {
		memcpy(a->claim, f[3].ptr, PROTO_HASH_LEN);
		a->version = f[4].u;
	}
	return PROTO_OK;
}
