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

/* The request body of op from its struct q. */
static int
request_body(int op, const void *q, struct proto_buf *b)
{
	return proto_msg_encode(&proto_ops[op].req, q, b);
}

/* Decodes the reply to op into its struct rep. */
static int
reply_decode(
    int op, const struct claim_reply *r, void *rep, char *err, size_t errlen)
{
	return proto_msg_decode(
	    &proto_ops[op].rep, r->body, r->len, rep, err, errlen);
}

int
claim_call(struct claim_client *c, int op, const void *q, void *rep,
    struct claim_reply *r, char *err, size_t errlen)
{
	struct proto_buf b;
	int rc;

	memset(r, 0, sizeof(*r));
	if (proto_opdef(op) == NULL || proto_ops[op].raw)
		return proto_fail(err, errlen, PROTO_EINVAL, "no op %d", op);
	proto_buf_init(&b);
	if ((rc = request_body(op, q, &b)) == PROTO_OK &&
	    (rc = call(c, op, &b, r, err, errlen)) == PROTO_OK)
		rc = reply_decode(op, r, rep, err, errlen);
	proto_buf_release(&b);
	return rc;
}

static int
get(struct claim_client *c, struct proto_buf *body, struct claim_entry *e,
    struct claim_info *info, char *err, size_t errlen)
{
	struct proto_get_rep rep;
	struct claim_reply r;
	int rc;

	if ((rc = call(c, PROTO_OP_GET, body, &r, err, errlen)) != PROTO_OK)
		return rc;
	if ((rc = reply_decode(PROTO_OP_GET, &r, &rep, err, errlen)) ==
	    PROTO_OK)
		rc = claim_entry_open(e, rep.index, rep.record.p,
		    rep.record.len, true, err, errlen);
	if (rc == PROTO_OK && info != NULL) {
		memset(info, 0, sizeof(*info));
		if (rep.has_claim)
			memcpy(info->id, rep.claim, PROTO_HASH_LEN);
		info->first = rep.first;
		info->version = rep.head;
	}
	claim_reply_release(&r);
	return rc;
}

int
claim_get(struct claim_client *c, const char *ref, uint64_t version,
    struct claim_entry *e, struct claim_info *info, char *err, size_t errlen)
{
	struct proto_get_req q = {
	    .has_version = version != 0, .version = version, .has_id = true};
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = proto_msg_text(q.id, sizeof(q.id), "id", ref, err, errlen)) ==
		PROTO_OK &&
	    (rc = request_body(PROTO_OP_GET, &q, &b)) == PROTO_OK)
		rc = get(c, &b, e, info, err, errlen);
	proto_buf_release(&b);
	return rc;
}

int
claim_get_index(struct claim_client *c, uint64_t index, struct claim_entry *e,
    char *err, size_t errlen)
{
	struct proto_get_req q = {.has_index = true, .index = index};
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = request_body(PROTO_OP_GET, &q, &b)) == PROTO_OK)
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
	struct proto_history_req q;
	struct proto_history_rep rep;
	struct claim_reply r;
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = proto_msg_text(q.id, sizeof(q.id), "id", ref, err, errlen)) ==
		PROTO_OK &&
	    (rc = request_body(PROTO_OP_HISTORY, &q, &b)) == PROTO_OK)
		rc = call(c, PROTO_OP_HISTORY, &b, &r, err, errlen);
	proto_buf_release(&b);
	if (rc != PROTO_OK)
		return rc;
	if ((rc = reply_decode(PROTO_OP_HISTORY, &r, &rep, err, errlen)) ==
	    PROTO_OK)
		rc = claim_read_entries(
		    &rep.versions, true, out, n, err, errlen);
	claim_reply_release(&r);
	return rc;
}

int
claim_range_send(struct claim_client *c, uint64_t from, uint64_t count,
    const char *party, const char *topic, uint32_t *id, char *err,
    size_t errlen)
{
	struct proto_range_req q = {.from = from,
	    .count = count,
	    .has_party = party != NULL,
	    .has_topic = topic != NULL};
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((party == NULL ||
		(rc = proto_msg_text(q.party, sizeof(q.party), "party", party,
		     err, errlen)) == PROTO_OK) &&
	    (topic == NULL ||
		(rc = proto_msg_text(q.topic, sizeof(q.topic), "topic", topic,
		     err, errlen)) == PROTO_OK) &&
	    (rc = request_body(PROTO_OP_RANGE, &q, &b)) == PROTO_OK &&
	    (rc = claim_client_send(c, PROTO_OP_RANGE, b.data, b.len, id)) !=
		PROTO_OK)
		rc = claim_client_explain(c, rc, err, errlen);
	proto_buf_release(&b);
	return rc;
}

int
claim_range_wait(struct claim_client *c, uint32_t id, uint64_t from,
    struct claim_range_reply *rr, char *err, size_t errlen)
{
	struct proto_range_rep rep;
	int rc;

	if ((rc = claim_client_wait(c, id, &rr->r, err, errlen)) != PROTO_OK)
		return rc;
	/* Past the end, next is the size: only entries may not go back. */
	if ((rc = reply_decode(PROTO_OP_RANGE, &rr->r, &rep, err, errlen)) ==
		PROTO_OK &&
	    rep.next < from && rep.entries.n > 0)
		rc = proto_fail(
		    err, errlen, PROTO_EPROTOCOL, "range went backwards");
	if (rc != PROTO_OK) {
		claim_reply_release(&rr->r);
		return rc;
	}
	rr->size = rep.size;
	rr->next = rep.next;
	rr->entries = rep.entries;
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

	/* Unanswered: the next endpoint of the client's list, if any. */
	for (int tried = 0;; tried++) {
		if ((rc = claim_range_send(c, from, count, party, topic, &id,
			 err, errlen)) == PROTO_OK)
			rc = claim_range_wait(c, id, from, &rr, err, errlen);
		if (rc != PROTO_EUNREACHABLE ||
		    tried + 1 >= claim_client_nservers(c) ||
		    claim_client_failover(c) != PROTO_OK)
			break;
	}
	if (rc != PROTO_OK)
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
list_page(const struct proto_rows *rows, claim_list_fn fn, void *ctx, char *err,
    size_t errlen)
{
	struct proto_rows_rd rd;
	struct proto_row_claim row;
	struct claim_entry *e;
	uint64_t *first;
	size_t count = rows->n, k, bad = SIZE_MAX;
	int rc = PROTO_OK;

	if (count == 0)
		return PROTO_OK;
	/* Each entry takes bytes: a count beyond them is a lie. */
	if (count > rows->len)
		return proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "list reply claims %zu entries", count);
	e = calloc(count, sizeof(*e));
	first = calloc(count, sizeof(*first));
	if (e == NULL || first == NULL) {
		free(e);
		free(first);
		return PROTO_ENOMEM;
	}
	proto_rows_rd_init(&rd, &proto_row_claim_def, rows);
	for (k = 0; k < count; k++) {
		if (proto_rows_next(&rd, &row) != 1) {
			rc = proto_fail(
			    err, errlen, PROTO_EPROTOCOL, "bad list entry");
			break;
		}
		first[k] = row.first;
		if ((rc = claim_entry_open(&e[k], row.head, row.record.p,
			 row.record.len, false, err, errlen)) != PROTO_OK)
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
		struct proto_list_req q = {.has_from = true,
		    .from = from,
		    .has_party = party != NULL,
		    .has_topic = topic != NULL};
		struct proto_list_rep rep;
		struct claim_reply r;
		struct proto_buf b;
		bool more;

		proto_buf_init(&b);
		if ((party != NULL &&
			(rc = proto_msg_text(q.party, sizeof(q.party), "party",
			     party, err, errlen))) ||
		    (topic != NULL &&
			(rc = proto_msg_text(q.topic, sizeof(q.topic), "topic",
			     topic, err, errlen))) ||
		    (rc = request_body(PROTO_OP_LIST, &q, &b)) ||
		    (rc = call(c, PROTO_OP_LIST, &b, &r, err, errlen)))
			goto next;
		if ((rc = reply_decode(PROTO_OP_LIST, &r, &rep, err, errlen)) !=
		    PROTO_OK) {
			claim_reply_release(&r);
			goto next;
		}
		rc = list_page(&rep.claims, fn, ctx, err, errlen);
		from = rep.next;
		more = rep.has_next;
		claim_reply_release(&r);
		proto_buf_release(&b);
		if (rc != PROTO_OK || !more)
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
	struct proto_submit_rep rep;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = reply_decode(PROTO_OP_SUBMIT, r, &rep, NULL, 0)) != PROTO_OK)
		return rc;
	a->index = rep.index;
	memcpy(a->hash, rep.hash, PROTO_HASH_LEN);
	a->existed = rep.existed;
	if ((a->is_claim = rep.has_claim)) {
		memcpy(a->claim, rep.claim, PROTO_HASH_LEN);
		a->version = rep.version;
	}
	return PROTO_OK;
}
