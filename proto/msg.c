/*
 * msg.c: the typed message layer of docs/protocol.md. Each request and
 * reply is a struct and a table of its fields; one encoder writes any of
 * them as deterministic CBOR through the counting map builder, one
 * decoder reads any of them back, strictly.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* Requests and replies nest: map, rows, row, value. */
#define MSG_DEPTH 4
/* The largest row struct, decoded in place while checking rows. */
#define ROW_MAX sizeof(struct proto_row_party)

/*
 * The counting map builder
 */

void
proto_map_begin(struct proto_map *m, struct proto_buf *b)
{
	m->b = b;
	m->n = 0;
	m->start = 0;
	m->rc = proto_cbor_map_begin(b, &m->start);
}

/* Puts key, unless an error came first or the map is full. */
static bool
map_key(struct proto_map *m, const char *key)
{
	if (m->rc != PROTO_OK)
		return false;
	if (m->n >= 255) {
		m->rc = PROTO_EINVAL;
		return false;
	}
	m->rc = proto_cbor_put_str(m->b, key);
	return m->rc == PROTO_OK;
}

/* Counts the pair whose value was just put with status rc. */
static void
map_count(struct proto_map *m, int rc)
{
	m->rc = rc;
	if (rc == PROTO_OK)
		m->n++;
}

void
proto_map_uint(struct proto_map *m, const char *key, uint64_t v)
{
	if (map_key(m, key))
		map_count(m, proto_cbor_put_uint(m->b, v));
}

void
proto_map_bool(struct proto_map *m, const char *key, bool v)
{
	if (map_key(m, key))
		map_count(m, proto_cbor_put_bool(m->b, v));
}

void
proto_map_text(struct proto_map *m, const char *key, const char *s, size_t n)
{
	if (map_key(m, key))
		map_count(m, proto_cbor_put_text(m->b, s, n));
}

void
proto_map_str(struct proto_map *m, const char *key, const char *s)
{
	proto_map_text(m, key, s, strlen(s));
}

void
proto_map_bytes(struct proto_map *m, const char *key, const void *p, size_t n)
{
	if (map_key(m, key))
		map_count(m, proto_cbor_put_bytes(m->b, p, n));
}

void
proto_map_array(
    struct proto_map *m, const char *key, size_t n, const void *p, size_t len)
{
	int rc;

	if (!map_key(m, key))
		return;
	if ((rc = proto_cbor_put_array(m->b, n)) == PROTO_OK && len > 0)
		rc = proto_buf_append(m->b, p, len);
	map_count(m, rc);
}

int
proto_map_end(struct proto_map *m)
{
	if (m->rc != PROTO_OK)
		return m->rc;
	m->rc = proto_cbor_map_end(m->b, m->start, m->n);
	return m->rc;
}

/*
 * Tables
 */

/* A required field of struct S named as its key, and an optional one
 * with its has_<key>. */
#define F_(S, m, t, mx, rows)                                                  \
	{                                                                      \
#m, PROTO_M_##t, true, offsetof(S, m), 0, mx, rows             \
	}
#define O_(S, m, t, mx, rows)                                                  \
	{                                                                      \
#m, PROTO_M_##t, false, offsetof(S, m), offsetof(S, has_##m),  \
		    mx, rows                                                   \
	}
#define SIZEOF(S, m) sizeof(((S *)0)->m)

#define UINT(S, m)        F_(S, m, UINT, 0, NULL)
#define OPT_UINT(S, m)    O_(S, m, UINT, 0, NULL)
#define BOOL(S, m)        F_(S, m, BOOL, 0, NULL)
#define TEXT(S, m)        F_(S, m, TEXT, SIZEOF(S, m), NULL)
#define OPT_TEXT(S, m)    O_(S, m, TEXT, SIZEOF(S, m), NULL)
#define HASH(S, m)        F_(S, m, HASH, 0, NULL)
#define OPT_HASH(S, m)    O_(S, m, HASH, 0, NULL)
#define RECORD(S, m)      F_(S, m, BYTES, PROTO_RECORD_MAX, NULL)
#define ROWS(S, m, d, mx) F_(S, m, ROWS, mx, &d)

#define ROWDEF(n, S, f, bare)                                                  \
	{                                                                      \
		n, f, NELEM(f), sizeof(S), bare                                \
	}
#define MSGDEF(n, S, f)                                                        \
	{                                                                      \
		n, f, NELEM(f), sizeof(S)                                      \
	}
#define EMPTY(n)                                                               \
	{                                                                      \
		n, NULL, 0, sizeof(struct proto_empty)                         \
	}

static const struct proto_mfield entry_f[] = {
    UINT(struct proto_row_entry, index),
    RECORD(struct proto_row_entry, record),
};
static const struct proto_mfield claim_f[] = {
    HASH(struct proto_row_claim, id),
    UINT(struct proto_row_claim, first),
    UINT(struct proto_row_claim, head),
    RECORD(struct proto_row_claim, record),
};
static const struct proto_mfield party_f[] = {
    TEXT(struct proto_row_party, slug),
    TEXT(struct proto_row_party, name),
    UINT(struct proto_row_party, index),
};
static const struct proto_mfield grant_f[] = {
    HASH(struct proto_row_grant, key),
    TEXT(struct proto_row_grant, party),
    UINT(struct proto_row_grant, index),
};
static const struct proto_mfield topic_f[] = {
    TEXT(struct proto_row_topic, topic),
    UINT(struct proto_row_topic, claims),
    UINT(struct proto_row_topic, parties),
    UINT(struct proto_row_topic, last),
};
static const struct proto_mfield hash_f[] = {
    HASH(struct proto_row_hash, hash),
};

const struct proto_rowdef proto_row_entry_def =
    ROWDEF("entry", struct proto_row_entry, entry_f, false);
const struct proto_rowdef proto_row_claim_def =
    ROWDEF("claim", struct proto_row_claim, claim_f, false);
const struct proto_rowdef proto_row_party_def =
    ROWDEF("party", struct proto_row_party, party_f, false);
const struct proto_rowdef proto_row_grant_def =
    ROWDEF("grant", struct proto_row_grant, grant_f, false);
const struct proto_rowdef proto_row_topic_def =
    ROWDEF("topic", struct proto_row_topic, topic_f, false);
const struct proto_rowdef proto_row_hash_def =
    ROWDEF("hash", struct proto_row_hash, hash_f, true);

static const struct proto_mfield error_f[] = {
    TEXT(struct proto_error_rep, error),
    TEXT(struct proto_error_rep, message),
    OPT_HASH(struct proto_error_rep, head),
    OPT_UINT(struct proto_error_rep, version),
    OPT_HASH(struct proto_error_rep, claim),
    OPT_UINT(struct proto_error_rep, index),
};

static const struct proto_mfield submit_rep_f[] = {
    UINT(struct proto_submit_rep, index),
    HASH(struct proto_submit_rep, hash),
    BOOL(struct proto_submit_rep, existed),
    OPT_HASH(struct proto_submit_rep, claim),
    OPT_UINT(struct proto_submit_rep, version),
};

static const struct proto_mfield get_req_f[] = {
    OPT_TEXT(struct proto_get_req, id),
    OPT_UINT(struct proto_get_req, version),
    OPT_UINT(struct proto_get_req, index),
};
static const struct proto_mfield get_rep_f[] = {
    UINT(struct proto_get_rep, index),
    RECORD(struct proto_get_rep, record),
    OPT_HASH(struct proto_get_rep, claim),
    OPT_UINT(struct proto_get_rep, first),
    OPT_UINT(struct proto_get_rep, head),
};

static const struct proto_mfield history_req_f[] = {
    TEXT(struct proto_history_req, id),
};
static const struct proto_mfield history_rep_f[] = {
    HASH(struct proto_history_rep, claim),
    ROWS(struct proto_history_rep, versions, proto_row_entry_def, 0),
};

static const struct proto_mfield list_req_f[] = {
    OPT_TEXT(struct proto_list_req, party),
    OPT_TEXT(struct proto_list_req, topic),
    OPT_UINT(struct proto_list_req, from),
    OPT_UINT(struct proto_list_req, limit),
};
static const struct proto_mfield list_rep_f[] = {
    ROWS(struct proto_list_rep, claims, proto_row_claim_def, PROTO_LIST_MAX),
    OPT_UINT(struct proto_list_rep, next),
};

static const struct proto_mfield range_req_f[] = {
    UINT(struct proto_range_req, from),
    UINT(struct proto_range_req, count),
    OPT_TEXT(struct proto_range_req, party),
    OPT_TEXT(struct proto_range_req, topic),
};
static const struct proto_mfield range_rep_f[] = {
    UINT(struct proto_range_rep, size),
    UINT(struct proto_range_rep, next),
    ROWS(struct proto_range_rep, entries, proto_row_entry_def, PROTO_RANGE_MAX),
};

const struct proto_statdef proto_stats[PROTO_STAT_COUNT] = {
#define STAT_DEF(name, key, unit, desc) [PROTO_STAT_##name] = {key, unit, desc},
    PROTO_STATS(STAT_DEF)
#undef STAT_DEF
};

static const struct proto_mfield stats_rep_f[] = {
#define STAT_FIELD(name, key, unit, desc)                                      \
	{key, PROTO_M_UINT, true,                                              \
	    offsetof(struct proto_stats_rep, v) +                              \
		PROTO_STAT_##name * sizeof(uint64_t),                          \
	    0, 0, NULL},
    PROTO_STATS(STAT_FIELD)
#undef STAT_FIELD
	TEXT(struct proto_stats_rep, feed),
    TEXT(struct proto_stats_rep, origin),
    TEXT(struct proto_stats_rep, log_key),
    TEXT(struct proto_stats_rep, curve_key),
    TEXT(struct proto_stats_rep, upstream),
};

static const struct proto_mfield parties_rep_f[] = {
    ROWS(struct proto_parties_rep, parties, proto_row_party_def, 0),
    ROWS(struct proto_parties_rep, grants, proto_row_grant_def, 0),
};

static const struct proto_mfield checkpoint_rep_f[] = {
    TEXT(struct proto_checkpoint_rep, checkpoint),
    TEXT(struct proto_checkpoint_rep, log_key),
};

static const struct proto_mfield inclusion_req_f[] = {
    OPT_TEXT(struct proto_inclusion_req, id),
    OPT_UINT(struct proto_inclusion_req, index),
    OPT_UINT(struct proto_inclusion_req, size),
};
static const struct proto_mfield inclusion_rep_f[] = {
    UINT(struct proto_inclusion_rep, index),
    UINT(struct proto_inclusion_rep, size),
    HASH(struct proto_inclusion_rep, hash),
    HASH(struct proto_inclusion_rep, root),
    ROWS(struct proto_inclusion_rep, proof, proto_row_hash_def,
	PROTO_MERKLE_PROOF_MAX),
};

static const struct proto_mfield consistency_req_f[] = {
    UINT(struct proto_consistency_req, from),
    UINT(struct proto_consistency_req, to),
};
static const struct proto_mfield consistency_rep_f[] = {
    UINT(struct proto_consistency_rep, old_size),
    UINT(struct proto_consistency_rep, new_size),
    HASH(struct proto_consistency_rep, old_root),
    HASH(struct proto_consistency_rep, new_root),
    ROWS(struct proto_consistency_rep, proof, proto_row_hash_def,
	PROTO_MERKLE_PROOF_MAX),
};

static const struct proto_mfield topics_rep_f[] = {
    ROWS(struct proto_topics_rep, topics, proto_row_topic_def, 0),
};

static const struct proto_mfield slug_f[] = {
    TEXT(struct proto_row_slug, topic),
};

const struct proto_rowdef proto_row_slug_def =
    ROWDEF("topic", struct proto_row_slug, slug_f, true);

#define EV struct proto_feed_event

static const struct proto_mfield feed_claim_f[] = {
    UINT(EV, index),
    HASH(EV, hash),
    TEXT(EV, kind),
    UINT(EV, time),
    RECORD(EV, record),
    TEXT(EV, party),
    HASH(EV, claim),
    UINT(EV, version),
    TEXT(EV, status),
    ROWS(EV, topics, proto_row_slug_def, PROTO_TOPICS_MAX),
};
static const struct proto_mfield feed_registry_f[] = {
    UINT(EV, index),
    HASH(EV, hash),
    TEXT(EV, kind),
    UINT(EV, time),
    RECORD(EV, record),
    TEXT(EV, party),
};
static const struct proto_mfield feed_heartbeat_f[] = {
    UINT(EV, size),
    UINT(EV, time),
};

const struct proto_msgdef proto_feed_claim_def =
    MSGDEF("claim event", EV, feed_claim_f);
const struct proto_msgdef proto_feed_registry_def =
    MSGDEF("registry event", EV, feed_registry_f);
const struct proto_msgdef proto_feed_heartbeat_def =
    MSGDEF("heartbeat", EV, feed_heartbeat_f);

#undef EV

const struct proto_msgdef *
proto_feed_def(const void *topic, size_t n)
{
	static const struct {
		const char *prefix;
		const struct proto_msgdef *def;
	} defs[] = {
	    {PROTO_FEED_CLAIM, &proto_feed_claim_def},
	    {PROTO_FEED_REGISTRY, &proto_feed_registry_def},
	    {PROTO_FEED_HEARTBEAT, &proto_feed_heartbeat_def},
	};

	for (size_t i = 0; i < NELEM(defs); i++)
		if (n >= strlen(defs[i].prefix) &&
		    memcmp(topic, defs[i].prefix, strlen(defs[i].prefix)) == 0)
			return defs[i].def;
	return NULL;
}

const struct proto_msgdef proto_error_def =
    MSGDEF("error", struct proto_error_rep, error_f);

/* Bodies of reads are small maps; stats and the like take only {}. */
#define READ_MAX  512
#define EMPTY_MAX 64

const struct proto_opdef proto_ops[PROTO_OP_MAX + 1] = {
    [PROTO_OP_SUBMIT] = {"submit", true, PROTO_SUBMIT_ALLOW_DUPLICATE, 1,
	PROTO_RECORD_MAX, EMPTY("submit request"),
	MSGDEF("submit reply", struct proto_submit_rep, submit_rep_f)},
    [PROTO_OP_GET] = {"get", false, 0, 1, READ_MAX,
	MSGDEF("get request", struct proto_get_req, get_req_f),
	MSGDEF("get reply", struct proto_get_rep, get_rep_f)},
    [PROTO_OP_HISTORY] = {"history", false, 0, 1, READ_MAX,
	MSGDEF("history request", struct proto_history_req, history_req_f),
	MSGDEF("history reply", struct proto_history_rep, history_rep_f)},
    [PROTO_OP_LIST] = {"list", false, 0, 1, READ_MAX,
	MSGDEF("list request", struct proto_list_req, list_req_f),
	MSGDEF("list reply", struct proto_list_rep, list_rep_f)},
    [PROTO_OP_RANGE] = {"range", false, 0, 1, READ_MAX,
	MSGDEF("range request", struct proto_range_req, range_req_f),
	MSGDEF("range reply", struct proto_range_rep, range_rep_f)},
    [PROTO_OP_STATS] = {"stats", false, 0, 1, EMPTY_MAX, EMPTY("stats request"),
	MSGDEF("stats reply", struct proto_stats_rep, stats_rep_f)},
    [PROTO_OP_PARTIES] = {"parties", false, 0, 1, EMPTY_MAX,
	EMPTY("parties request"),
	MSGDEF("parties reply", struct proto_parties_rep, parties_rep_f)},
    [PROTO_OP_CHECKPOINT] = {"checkpoint", false, 0, 1, EMPTY_MAX,
	EMPTY("checkpoint request"),
	MSGDEF(
	    "checkpoint reply", struct proto_checkpoint_rep, checkpoint_rep_f)},
    [PROTO_OP_INCLUSION] = {"inclusion", false, 0, 1, READ_MAX,
	MSGDEF(
	    "inclusion request", struct proto_inclusion_req, inclusion_req_f),
	MSGDEF("inclusion reply", struct proto_inclusion_rep, inclusion_rep_f)},
    [PROTO_OP_CONSISTENCY] = {"consistency", false, 0, 1, READ_MAX,
	MSGDEF("consistency request", struct proto_consistency_req,
	    consistency_req_f),
	MSGDEF("consistency reply", struct proto_consistency_rep,
	    consistency_rep_f)},
    [PROTO_OP_TOPICS] = {"topics", false, 0, 1, EMPTY_MAX,
	EMPTY("topics request"),
	MSGDEF("topics reply", struct proto_topics_rep, topics_rep_f)},
};

const struct proto_opdef *
proto_opdef(int op)
{
	if (op < 1 || op > PROTO_OP_MAX || proto_ops[op].name == NULL)
		return NULL;
	return &proto_ops[op];
}

/*
 * Encoding
 */

static int put_row(
    struct proto_buf *b, const struct proto_rowdef *d, const void *row);

/* The value of field f of the struct at base. */
static int
put_value(struct proto_buf *b, const struct proto_mfield *f, const void *base)
{
	const uint8_t *at = (const uint8_t *)base + f->off;
	int rc;

	switch (f->type) {
	case PROTO_M_UINT: {
		uint64_t v;

		memcpy(&v, at, sizeof(v));
		return proto_cbor_put_uint(b, v);
	}
	case PROTO_M_BOOL:
		return proto_cbor_put_bool(b, *(const bool *)at);
	case PROTO_M_TEXT: {
		size_t n = strnlen((const char *)at, f->max);

		if (n == f->max)
			return PROTO_EINVAL;
		return proto_cbor_put_text(b, (const char *)at, n);
	}
	case PROTO_M_BYTES: {
		const struct proto_bytes *v = (const void *)at;

		if (v->len > f->max)
			return PROTO_EINVAL;
		return proto_cbor_put_bytes(b, v->p, v->len);
	}
	case PROTO_M_HASH:
		return proto_cbor_put_bytes(b, at, PROTO_HASH_LEN);
	case PROTO_M_ROWS: {
		const struct proto_rows *v = (const void *)at;

		if (f->max > 0 && v->n > f->max)
			return PROTO_EINVAL;
		if ((rc = proto_cbor_put_array(b, v->n)) != PROTO_OK)
			return rc;
		return v->len > 0 ? proto_buf_append(b, v->p, v->len)
				  : PROTO_OK;
	}
	}
	return PROTO_EINVAL;
}

static int
put_row(struct proto_buf *b, const struct proto_rowdef *d, const void *row)
{
	int rc;

	if (d->bare)
		return put_value(b, &d->f[0], row);
	if ((rc = proto_cbor_put_array(b, d->nf)) != PROTO_OK)
		return rc;
	for (size_t i = 0; i < d->nf; i++)
		if ((rc = put_value(b, &d->f[i], row)) != PROTO_OK)
			return rc;
	return PROTO_OK;
}

static bool
field_present(const struct proto_mfield *f, const void *base)
{
	return f->required || *(const bool *)((const uint8_t *)base + f->has);
}

int
proto_msg_encode(
    const struct proto_msgdef *d, const void *msg, struct proto_buf *out)
{
	struct proto_map m;

	proto_map_begin(&m, out);
	for (size_t i = 0; i < d->nf; i++) {
		if (!field_present(&d->f[i], msg) || !map_key(&m, d->f[i].key))
			continue;
		map_count(&m, put_value(out, &d->f[i], msg));
	}
	return proto_map_end(&m);
}

void
proto_rows_wr_init(struct proto_rows_wr *w, const struct proto_rowdef *d)
{
	w->def = d;
	proto_buf_init(&w->buf);
	w->n = 0;
	w->rc = PROTO_OK;
}

int
proto_rows_put(struct proto_rows_wr *w, const void *row)
{
	if (w->rc != PROTO_OK)
		return w->rc;
	if ((w->rc = put_row(&w->buf, w->def, row)) == PROTO_OK)
		w->n++;
	return w->rc;
}

struct proto_rows
proto_rows_wr_get(const struct proto_rows_wr *w)
{
	return (struct proto_rows){w->buf.data, w->buf.len, w->n};
}

void
proto_rows_wr_release(struct proto_rows_wr *w)
{
	proto_buf_release(&w->buf);
	w->n = 0;
}

int
proto_msg_text(char *dst, size_t cap, const char *key, const char *s, char *err,
    size_t errlen)
{
	size_t n = strlen(s);

	if (n >= cap)
		return proto_fail(
		    err, errlen, PROTO_EINVAL, "\"%s\" too long", key);
	memcpy(dst, s, n + 1);
	return PROTO_OK;
}

/*
 * Decoding
 */

static const char *
mtype_name(enum proto_mtype t)
{
	switch (t) {
	case PROTO_M_UINT:
		return "an unsigned integer";
	case PROTO_M_BOOL:
		return "a boolean";
	case PROTO_M_TEXT:
		return "text";
	case PROTO_M_BYTES:
		return "a byte string";
	case PROTO_M_HASH:
		return "a 32-byte string";
	case PROTO_M_ROWS:
		break;
	}
	return "an array";
}

/* Where a field is, for messages: "key" or "rows" row i "key". */
struct where {
	const char *rows; /* NULL outside rows */
	size_t row;
};

static int
bad(char *err, size_t errlen, int code, const struct where *w,
    const struct proto_mfield *f, const char *what)
{
	if (w->rows != NULL)
		return proto_fail(err, errlen, code, "\"%s\" row %zu: %s %s",
		    w->rows, w->row, f->key, what);
	return proto_fail(err, errlen, code, "\"%s\" %s", f->key, what);
}

static int get_row(struct proto_cbor_rd *rd, const struct proto_rowdef *d,
    void *row, const struct where *w, char *err, size_t errlen);

static int
get_value(struct proto_cbor_rd *rd, const struct proto_mfield *f, void *base,
    const struct where *w, char *err, size_t errlen)
{
	uint8_t *at = (uint8_t *)base + f->off;
	char what[64];
	const uint8_t *p;
	size_t n;
	int rc = 0;

	snprintf(what, sizeof(what), "must be %s", mtype_name(f->type));
	switch (f->type) {
	case PROTO_M_UINT: {
		uint64_t v;

		if ((rc = proto_cbor_rd_uint(rd, &v)) == 0)
			memcpy(at, &v, sizeof(v));
		break;
	}
	case PROTO_M_BOOL:
		rc = proto_cbor_rd_bool(rd, (bool *)at);
		break;
	case PROTO_M_TEXT:
		if ((rc = proto_cbor_rd_text(rd, (const char **)&p, &n)) != 0)
			break;
		if (n >= f->max)
			return bad(err, errlen, PROTO_EINVAL, w, f, "too long");
		if (memchr(p, '\0', n) != NULL)
			return bad(
			    err, errlen, PROTO_EPROTOCOL, w, f, "holds a NUL");
		memcpy(at, p, n);
		at[n] = '\0';
		break;
	case PROTO_M_BYTES:
		if ((rc = proto_cbor_rd_bytes(rd, &p, &n)) != 0)
			break;
		if (n > f->max)
			return bad(err, errlen, PROTO_EINVAL, w, f, "too long");
		((struct proto_bytes *)(void *)at)->p = p;
		((struct proto_bytes *)(void *)at)->len = n;
		break;
	case PROTO_M_HASH:
		if ((rc = proto_cbor_rd_bytes(rd, &p, &n)) != 0 ||
		    n != PROTO_HASH_LEN) {
			rc = -1;
			break;
		}
		memcpy(at, p, PROTO_HASH_LEN);
		break;
	case PROTO_M_ROWS: {
		struct proto_rows *v = (void *)at;
		alignas(max_align_t) uint8_t row[ROW_MAX];
		struct where in = {f->key, 0};

		if ((rc = proto_cbor_rd_array(rd, &n)) != 0)
			break;
		if (f->max > 0 && n > f->max)
			return bad(err, errlen, PROTO_EINVAL, w, f,
			    "has too many rows");
		v->p = rd->p;
		v->n = n;
		for (in.row = 0; in.row < n; in.row++)
			if ((rc = get_row(rd, f->rows, row, &in, err,
				 errlen)) != PROTO_OK)
				return rc;
		v->len = (size_t)(rd->p - v->p);
		return PROTO_OK;
	}
	}
	if (rc != 0)
		return bad(err, errlen, PROTO_EPROTOCOL, w, f, what);
	return PROTO_OK;
}

static int
get_row(struct proto_cbor_rd *rd, const struct proto_rowdef *d, void *row,
    const struct where *w, char *err, size_t errlen)
{
	size_t n;
	int rc;

	memset(row, 0, d->size);
	if (d->bare)
		return get_value(rd, &d->f[0], row, w, err, errlen);
	if (proto_cbor_rd_array(rd, &n) != 0 || n != d->nf)
		return proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "\"%s\" row %zu must be an array of %zu", w->rows, w->row,
		    d->nf);
	for (size_t i = 0; i < d->nf; i++)
		if ((rc = get_value(rd, &d->f[i], row, w, err, errlen)))
			return rc;
	return PROTO_OK;
}

int
proto_msg_decode(const struct proto_msgdef *d, const uint8_t *p, size_t n,
    void *msg, char *err, size_t errlen)
{
	static const struct where top = {NULL, 0};
	struct proto_cbor_rd rd;
	uint64_t seen = 0;
	size_t npairs;
	int rc;

	memset(msg, 0, d->size);
	if (d->nf > 64) /* seen holds a bit a field */
		return proto_fail(err, errlen, PROTO_EINVAL,
		    "%s has more than 64 fields", d->name);
	if (proto_cbor_check(p, n, MSG_DEPTH, NULL, err, errlen) != PROTO_OK)
		return PROTO_EPROTOCOL;
	proto_cbor_rd_init(&rd, p, n);
	if (proto_cbor_rd_map(&rd, &npairs) != 0)
		return proto_fail(
		    err, errlen, PROTO_EPROTOCOL, "%s must be a map", d->name);
	for (size_t i = 0; i < npairs; i++) {
		const char *key;
		size_t klen, k;

		if (proto_cbor_rd_text(&rd, &key, &klen) != 0)
			return proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "%s: a key is not text", d->name);
		for (k = 0; k < d->nf; k++)
			if (strlen(d->f[k].key) == klen &&
			    memcmp(d->f[k].key, key, klen) == 0)
				break;
		if (k == d->nf)
			return proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "unknown key \"%.*s\"",
			    (int)(klen > 64 ? 64 : klen), key);
		if ((rc = get_value(&rd, &d->f[k], msg, &top, err, errlen)))
			return rc;
		seen |= 1ULL << k;
		if (!d->f[k].required)
			*(bool *)((uint8_t *)msg + d->f[k].has) = true;
	}
	for (size_t k = 0; k < d->nf; k++)
		if (d->f[k].required && !(seen & (1ULL << k)))
			return proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "\"%s\" missing", d->f[k].key);
	return PROTO_OK;
}

void
proto_rows_rd_init(struct proto_rows_rd *r, const struct proto_rowdef *d,
    const struct proto_rows *rows)
{
	r->def = d;
	proto_cbor_rd_init(&r->rd, rows->p, rows->len);
	r->left = rows->n;
}

int
proto_rows_next(struct proto_rows_rd *r, void *row)
{
	struct where w = {r->def->name, 0};

	if (r->left == 0)
		return 0;
	if (get_row(&r->rd, r->def, row, &w, NULL, 0) != PROTO_OK) {
		r->left = 0;
		return -PROTO_EPROTOCOL;
	}
	r->left--;
	return 1;
}
