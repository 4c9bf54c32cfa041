/*
 * test_msg: the typed message layer of proto/msg.c, driven by its own
 * tables: every request and reply of every op (and the error reply) is
 * round-tripped and then broken one field at a time, so that an op added
 * to the table is covered without a new test. docs/protocol.md is held
 * to the same tables.
 *
 *   test_msg DOCS_DIR        run the tests
 *   test_msg --render-ops    print the op table of docs/protocol.md
 *   test_msg --render-feed   print the feed table of docs/protocol.md
 *   test_msg --render-stats  print the stats table of docs/operations.md
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *docs_dir = "docs";

/* Every message definition: the error reply, then each op's two. */
static size_t
all_defs(const struct proto_msgdef **out, size_t cap)
{
	size_t n = 0;

	out[n++] = &proto_error_def;
	out[n++] = &proto_feed_claim_def;
	out[n++] = &proto_feed_registry_def;
	out[n++] = &proto_feed_heartbeat_def;
	for (int op = 1; op <= PROTO_OP_MAX; op++) {
		const struct proto_opdef *o = proto_opdef(op);

		assert_non_null(o);
		assert_true(n + 2 <= cap);
		out[n++] = &o->req;
		out[n++] = &o->rep;
	}
	return n;
}

#define DEFS_MAX (2 * PROTO_OP_MAX + 4)

static const uint8_t sample_bytes[] = {0xd2, 0x84, 0x01, 0x02};

/* Fills a struct with a value in every field (optional ones present);
 * rows get two sample rows from writers kept in w. */
struct filled {
	struct proto_rows_wr w[8];
	size_t nw;
};

static void fill_fields(
    const struct proto_mfield *f, size_t nf, void *base, struct filled *keep);

static void
fill_value(const struct proto_mfield *f, void *base, struct filled *keep,
    uint64_t seed)
{
	uint8_t *at = (uint8_t *)base + f->off;

	if (!f->required)
		*(bool *)((uint8_t *)base + f->has) = true;
	switch (f->type) {
	case PROTO_M_UINT: {
		uint64_t v = 1000 + seed;

		memcpy(at, &v, sizeof(v));
		break;
	}
	case PROTO_M_BOOL:
		*(bool *)at = true;
		break;
	case PROTO_M_TEXT:
		snprintf((char *)at, f->max, "t%llu", (unsigned long long)seed);
		break;
	case PROTO_M_BYTES:
		((struct proto_bytes *)(void *)at)->p = sample_bytes;
		((struct proto_bytes *)(void *)at)->len = sizeof(sample_bytes);
		break;
	case PROTO_M_HASH:
		memset(at, (int)(0x10 + seed), PROTO_HASH_LEN);
		break;
	case PROTO_M_ROWS: {
		struct proto_rows_wr *w;
		uint8_t *row = calloc(1, f->rows->size);

		assert_non_null(row);
		assert_true(keep->nw < 8);
		w = &keep->w[keep->nw++];
		proto_rows_wr_init(w, f->rows);
		for (int i = 0; i < 2; i++) {
			fill_fields(f->rows->f, f->rows->nf, row, keep);
			assert_int_equal(proto_rows_put(w, row), PROTO_OK);
		}
		free(row);
		*(struct proto_rows *)(void *)at = proto_rows_wr_get(w);
		break;
	}
	}
}

static void
fill_fields(
    const struct proto_mfield *f, size_t nf, void *base, struct filled *keep)
{
	for (size_t i = 0; i < nf; i++)
		fill_value(&f[i], base, keep, i);
}

static void
filled_release(struct filled *keep)
{
	for (size_t i = 0; i < keep->nw; i++)
		proto_rows_wr_release(&keep->w[i]);
	keep->nw = 0;
}

/* The full encoding of d, every field present. */
static void
encode_full(const struct proto_msgdef *d, struct proto_buf *out)
{
	struct filled keep = {0};
	void *msg = calloc(1, d->size);

	assert_non_null(msg);
	fill_fields(d->f, d->nf, msg, &keep);
	proto_buf_init(out);
	if (proto_msg_encode(d, msg, out) != PROTO_OK)
		fail_msg("%s: encode failed", d->name);
	filled_release(&keep);
	free(msg);
}

/* Decodes, expecting code; returns the decoded struct (caller frees). */
static void *
decode_expect(const struct proto_msgdef *d, const struct proto_buf *b, int code,
    const char *what, const char *key)
{
	void *msg = malloc(d->size);
	char err[256] = "";
	int rc;

	assert_non_null(msg);
	rc = proto_msg_decode(d, b->data, b->len, msg, err, sizeof(err));
	if (rc != code)
		fail_msg("%s, %s \"%s\": got %s (%s), expected %s", d->name,
		    what, key ? key : "", proto_errname(rc), err,
		    proto_errname(code));
	if (code != PROTO_OK && key != NULL && strstr(err, key) == NULL)
		fail_msg("%s, %s: message \"%s\" does not name \"%s\"", d->name,
		    what, err, key);
	return msg;
}

/*
 * A map rebuilt from enc: the pair with key skip left out, the value of
 * key repl replaced by the CBOR item val (vlen bytes), and a pair
 * (extra, 0) added; any may be NULL.
 */
static void
rebuild(const struct proto_buf *enc, const char *skip, const char *repl,
    const uint8_t *val, size_t vlen, const char *extra, struct proto_buf *out)
{
	struct proto_cbor_rd rd;
	size_t npairs, start, n = 0;

	proto_buf_init(out);
	proto_cbor_rd_init(&rd, enc->data, enc->len);
	assert_int_equal(proto_cbor_rd_map(&rd, &npairs), 0);
	assert_int_equal(proto_cbor_map_begin(out, &start), PROTO_OK);
	for (size_t i = 0; i < npairs; i++) {
		const char *key;
		const uint8_t *v;
		size_t klen;
		char k[64];

		assert_int_equal(proto_cbor_rd_text(&rd, &key, &klen), 0);
		assert_true(klen < sizeof(k));
		memcpy(k, key, klen);
		k[klen] = '\0';
		v = rd.p;
		assert_int_equal(proto_cbor_rd_skip(&rd), 0);
		if (skip != NULL && strcmp(k, skip) == 0)
			continue;
		assert_int_equal(proto_cbor_put_str(out, k), PROTO_OK);
		if (repl != NULL && strcmp(k, repl) == 0)
			assert_int_equal(
			    proto_buf_append(out, val, vlen), PROTO_OK);
		else
			assert_int_equal(
			    proto_buf_append(out, v, (size_t)(rd.p - v)),
			    PROTO_OK);
		n++;
	}
	if (extra != NULL) {
		assert_int_equal(proto_cbor_put_str(out, extra), PROTO_OK);
		assert_int_equal(proto_cbor_put_uint(out, 0), PROTO_OK);
		n++;
	}
	assert_int_equal(proto_cbor_map_end(out, start, n), PROTO_OK);
}

static void
test_msg_roundtrip_every_op(void **state)
{
	const struct proto_msgdef *defs[DEFS_MAX];
	size_t n = all_defs(defs, DEFS_MAX);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct proto_msgdef *d = defs[i];
		struct proto_buf enc, again;
		void *msg;

		encode_full(d, &enc);
		msg = decode_expect(d, &enc, PROTO_OK, "round trip", NULL);
		for (size_t k = 0; k < d->nf; k++)
			if (!d->f[k].required &&
			    !*(bool *)((uint8_t *)msg + d->f[k].has))
				fail_msg(
				    "%s: \"%s\" lost", d->name, d->f[k].key);
		proto_buf_init(&again);
		assert_int_equal(proto_msg_encode(d, msg, &again), PROTO_OK);
		if (again.len != enc.len ||
		    memcmp(again.data, enc.data, enc.len) != 0)
			fail_msg("%s: re-encoding differs", d->name);
		proto_buf_release(&again);
		free(msg);
		proto_buf_release(&enc);
	}
}

/* Each field left out: a required one refused, naming it; an optional
 * one decodes as absent and encodes back to the same bytes. */
static void
test_msg_each_field_missing(void **state)
{
	const struct proto_msgdef *defs[DEFS_MAX];
	size_t n = all_defs(defs, DEFS_MAX);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct proto_msgdef *d = defs[i];
		struct proto_buf enc, less, again;

		encode_full(d, &enc);
		for (size_t k = 0; k < d->nf; k++) {
			const struct proto_mfield *f = &d->f[k];
			void *msg;

			rebuild(&enc, f->key, NULL, NULL, 0, NULL, &less);
			msg = decode_expect(d, &less,
			    f->required ? PROTO_EPROTOCOL : PROTO_OK, "missing",
			    f->required ? f->key : NULL);
			if (!f->required) {
				assert_false(
				    *(bool *)((uint8_t *)msg + f->has));
				proto_buf_init(&again);
				assert_int_equal(
				    proto_msg_encode(d, msg, &again), PROTO_OK);
				assert_int_equal(again.len, less.len);
				assert_memory_equal(
				    again.data, less.data, less.len);
				proto_buf_release(&again);
			}
			free(msg);
			proto_buf_release(&less);
		}
		proto_buf_release(&enc);
	}
}

/* Each field given a value of another type, and a hash a byte short;
 * a row of the wrong shape. */
static void
test_msg_each_field_wrong_type(void **state)
{
	static const uint8_t text[] = {0x61, 'x'}, uint1[] = {0x01},
			     short_hash[] = {0x41, 0x00},
			     bad_row[] = {0x81, 0x81, 0x01}, /* [[1]] */
	    bad_bare[] = {0x81, 0x01};                       /* [1] */
	const struct proto_msgdef *defs[DEFS_MAX];
	size_t n = all_defs(defs, DEFS_MAX);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct proto_msgdef *d = defs[i];
		struct proto_buf enc, bad;

		encode_full(d, &enc);
		for (size_t k = 0; k < d->nf; k++) {
			const struct proto_mfield *f = &d->f[k];
			bool num =
			    f->type == PROTO_M_UINT || f->type == PROTO_M_BOOL;

			rebuild(&enc, NULL, f->key, num ? text : uint1,
			    num ? sizeof(text) : sizeof(uint1), NULL, &bad);
			free(decode_expect(
			    d, &bad, PROTO_EPROTOCOL, "wrong type", f->key));
			proto_buf_release(&bad);
			if (f->type == PROTO_M_HASH) {
				rebuild(&enc, NULL, f->key, short_hash,
				    sizeof(short_hash), NULL, &bad);
				free(decode_expect(d, &bad, PROTO_EPROTOCOL,
				    "short hash", f->key));
				proto_buf_release(&bad);
			}
			if (f->type == PROTO_M_ROWS) {
				rebuild(&enc, NULL, f->key,
				    f->rows->bare ? bad_bare : bad_row,
				    f->rows->bare ? sizeof(bad_bare)
						  : sizeof(bad_row),
				    NULL, &bad);
				free(decode_expect(d, &bad, PROTO_EPROTOCOL,
				    "bad row", f->key));
				proto_buf_release(&bad);
			}
		}
		proto_buf_release(&enc);
	}
}

/* Text one byte longer than its field holds, bytes one over their
 * limit, one row too many: PROTO_EINVAL naming the field; the encoder
 * refuses them too. */
static void
test_msg_too_long(void **state)
{
	const struct proto_msgdef *defs[DEFS_MAX];
	size_t n = all_defs(defs, DEFS_MAX);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct proto_msgdef *d = defs[i];
		struct proto_buf enc, val, bad;

		encode_full(d, &enc);
		for (size_t k = 0; k < d->nf; k++) {
			const struct proto_mfield *f = &d->f[k];
			size_t len =
			    f->type == PROTO_M_TEXT ? f->max - 1 : f->max;
			uint8_t *fill;

			if ((f->type != PROTO_M_TEXT &&
				f->type != PROTO_M_BYTES &&
				f->type != PROTO_M_ROWS) ||
			    f->max == 0)
				continue;
			/* At the limit: accepted. Over it: refused. */
			for (size_t over = 0; over <= 1; over++) {
				size_t m = len + over;

				proto_buf_init(&val);
				if (f->type == PROTO_M_ROWS) {
					assert_int_equal(
					    proto_cbor_put_array(&val, m),
					    PROTO_OK);
					for (size_t r = 0; r < m; r++) {
						struct proto_rows_wr w;
						struct filled keep = {0};
						uint8_t row[4096] = {0};

						assert_true(f->rows->size <=
						    sizeof(row));
						fill_fields(f->rows->f,
						    f->rows->nf, row, &keep);
						proto_rows_wr_init(&w, f->rows);
						assert_int_equal(
						    proto_rows_put(&w, row), 0);
						assert_int_equal(
						    proto_buf_append(&val,
							w.buf.data, w.buf.len),
						    0);
						proto_rows_wr_release(&w);
						filled_release(&keep);
					}
				} else {
					fill = malloc(m + 1);
					assert_non_null(fill);
					memset(fill, 'a', m);
					assert_int_equal(f->type == PROTO_M_TEXT
						? proto_cbor_put_text(
						      &val, (char *)fill, m)
						: proto_cbor_put_bytes(
						      &val, fill, m),
					    PROTO_OK);
					free(fill);
				}
				rebuild(&enc, NULL, f->key, val.data, val.len,
				    NULL, &bad);
				free(decode_expect(d, &bad,
				    over ? PROTO_EINVAL : PROTO_OK, "too long",
				    over ? f->key : NULL));
				proto_buf_release(&bad);
				proto_buf_release(&val);
			}
		}
		proto_buf_release(&enc);
	}
}

/* An unknown key, bytes after the map, something else than a map. */
static void
test_msg_unknown_key_and_trailing(void **state)
{
	const struct proto_msgdef *defs[DEFS_MAX];
	size_t n = all_defs(defs, DEFS_MAX);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct proto_msgdef *d = defs[i];
		struct proto_buf enc, bad;

		encode_full(d, &enc);
		rebuild(&enc, NULL, NULL, NULL, 0, "zz_unknown", &bad);
		free(decode_expect(
		    d, &bad, PROTO_EPROTOCOL, "unknown key", "zz_unknown"));
		proto_buf_release(&bad);
		rebuild(&enc, NULL, NULL, NULL, 0, "", &bad);
		free(decode_expect(d, &bad, PROTO_EPROTOCOL, "empty key", ""));
		proto_buf_release(&bad);
		assert_int_equal(proto_buf_append(&enc, "\x00", 1), PROTO_OK);
		free(decode_expect(d, &enc, PROTO_EPROTOCOL, "trailing", NULL));
		enc.len = 0;
		assert_int_equal(proto_cbor_put_array(&enc, 0), PROTO_OK);
		free(decode_expect(d, &enc, PROTO_EPROTOCOL, "array", NULL));
		proto_buf_release(&enc);
	}
}

/* The op table: every op defined, with body limits; only submit is raw. */
static void
test_msg_op_table(void **state)
{
	struct proto_buf b;

	(void)state;
	assert_null(proto_opdef(0));
	assert_null(proto_opdef(PROTO_OP_MAX + 1));
	for (int op = 1; op <= PROTO_OP_MAX; op++) {
		const struct proto_opdef *o = proto_opdef(op);

		assert_string_equal(o->name, proto_op_name(op));
		assert_true(o->min >= 1 && o->min <= o->max);
		assert_true(o->max <= PROTO_WIRE_BODY_MAX);
		assert_int_equal(o->raw, op == PROTO_OP_SUBMIT);
		if (o->raw)
			assert_int_equal(o->req.nf, 0);
		/* A request with every field fits the op's body limit. */
		encode_full(&o->req, &b);
		assert_true(o->raw || b.len <= o->max);
		proto_buf_release(&b);
		assert_true(o->rep.nf > 0 && o->rep.nf <= 64);
	}
	assert_int_equal(
	    proto_opdef(PROTO_OP_SUBMIT)->flags, PROTO_SUBMIT_ALLOW_DUPLICATE);
	/* {} for the ops without fields. */
	encode_full(&proto_ops[PROTO_OP_STATS].req, &b);
	assert_int_equal(b.len, 1);
	assert_int_equal(b.data[0], 0xa0);
	proto_buf_release(&b);
}

/* The stats reply holds every stat of the table, by key, in order. */
static void
test_msg_stats_table(void **state)
{
	const struct proto_msgdef *d = &proto_ops[PROTO_OP_STATS].rep;

	(void)state;
	assert_true(d->nf > PROTO_STAT_COUNT);
	for (size_t i = 0; i < PROTO_STAT_COUNT; i++) {
		assert_string_equal(d->f[i].key, proto_stats[i].key);
		assert_int_equal(d->f[i].type, PROTO_M_UINT);
		assert_int_equal(d->f[i].off,
		    offsetof(struct proto_stats_rep, v) + i * sizeof(uint64_t));
		assert_true(proto_stats[i].unit[0] != '\0');
		assert_true(proto_stats[i].description[0] != '\0');
	}
	assert_string_equal(
	    proto_stats[PROTO_STAT_COMMITS_OVER_5MS].key, "commits_over_5ms");
}

/* The builder's count is the number of puts; the head follows it. */
static void
test_msg_builder_counts(void **state)
{
	struct proto_buf b;
	struct proto_map m;
	struct proto_cbor_rd rd;
	size_t n;
	char key[24];

	(void)state;
	for (size_t want = 0; want <= 255; want += (want < 30 ? 1 : 45)) {
		proto_buf_init(&b);
		proto_map_begin(&m, &b);
		for (size_t i = 0; i < want; i++) {
			snprintf(key, sizeof(key), "k%zu", want - i);
			switch (i % 4) {
			case 0:
				proto_map_uint(&m, key, i);
				break;
			case 1:
				proto_map_str(&m, key, "v");
				break;
			case 2:
				proto_map_bool(&m, key, true);
				break;
			default:
				proto_map_bytes(&m, key, "\x01", 1);
			}
		}
		assert_int_equal(m.n, want);
		assert_int_equal(proto_map_end(&m), PROTO_OK);
		assert_int_equal(
		    proto_cbor_check(b.data, b.len, 2, NULL, NULL, 0), 0);
		proto_cbor_rd_init(&rd, b.data, b.len);
		assert_int_equal(proto_cbor_rd_map(&rd, &n), 0);
		assert_int_equal(n, want);
		proto_buf_release(&b);
	}
	/* The 256th pair is refused, and the error sticks. */
	proto_buf_init(&b);
	proto_map_begin(&m, &b);
	for (size_t i = 0; i < 256; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		proto_map_uint(&m, key, i);
	}
	assert_int_equal(m.n, 255);
	proto_map_uint(&m, "late", 1);
	assert_int_equal(proto_map_end(&m), PROTO_EINVAL);
	proto_buf_release(&b);
	/* A key twice: the first error, at the end. */
	proto_buf_init(&b);
	proto_map_begin(&m, &b);
	proto_map_uint(&m, "a", 1);
	proto_map_uint(&m, "a", 2);
	proto_map_array(&m, "rows", 0, NULL, 0);
	assert_int_equal(proto_map_end(&m), PROTO_EDUPKEY);
	proto_buf_release(&b);
}

/* Rows written are read back in order; rows that do not fit stop. */
static void
test_msg_rows_reader(void **state)
{
	struct proto_rows_wr w;
	struct proto_rows_rd r;
	struct proto_row_topic t = {"t", 1, 2, 3}, got;
	struct proto_rows rows;

	(void)state;
	proto_rows_wr_init(&w, &proto_row_topic_def);
	for (uint64_t i = 0; i < 5; i++) {
		t.last = i;
		assert_int_equal(proto_rows_put(&w, &t), PROTO_OK);
	}
	rows = proto_rows_wr_get(&w);
	assert_int_equal(rows.n, 5);
	proto_rows_rd_init(&r, &proto_row_topic_def, &rows);
	for (uint64_t i = 0; i < 5; i++) {
		assert_int_equal(proto_rows_next(&r, &got), 1);
		assert_string_equal(got.topic, "t");
		assert_int_equal(got.last, i);
	}
	assert_int_equal(proto_rows_next(&r, &got), 0);
	proto_rows_rd_init(&r, &proto_row_entry_def, &rows);
	assert_int_equal(proto_rows_next(&r, &got), -PROTO_EPROTOCOL);
	proto_rows_wr_release(&w);
}

/*
 * docs: the op table and the stats table, rendered as the Markdown that
 * docs/protocol.md and docs/operations.md hold between markers. test_msg
 * --render-ops and --render-stats print them for pasting.
 */

static void
out_str(struct proto_buf *b, const char *s)
{
	assert_int_equal(proto_buf_append(b, s, strlen(s)), PROTO_OK);
}

static void
render_fields(struct proto_buf *b, const struct proto_msgdef *d)
{
	out_str(b, "`{");
	for (size_t i = 0; i < d->nf; i++) {
		const struct proto_mfield *f = &d->f[i];

		out_str(b, i ? ", " : "");
		out_str(b, f->required ? "\"" : "? \"");
		out_str(b, f->key);
		out_str(b, "\"");
		if (f->type != PROTO_M_ROWS)
			continue;
		out_str(b, f->rows->bare ? ": [" : ": [[");
		for (size_t k = 0; k < f->rows->nf; k++) {
			out_str(b, k ? ", " : "");
			out_str(b, f->rows->f[k].key);
		}
		out_str(b, f->rows->bare ? ", ...]" : "], ...]");
	}
	out_str(b, "}`");
}

static void
render_ops(struct proto_buf *b)
{
	char line[64];

	proto_buf_init(b);
	out_str(b, "| op | request | reply |\n|---|---|---|\n");
	for (int op = 1; op <= PROTO_OP_MAX; op++) {
		const struct proto_opdef *o = proto_opdef(op);

		snprintf(line, sizeof(line), "| %d %s | ", op, o->name);
		out_str(b, line);
		if (o->raw)
			out_str(b, "record bytes");
		else
			render_fields(b, &o->req);
		out_str(b, " | ");
		render_fields(b, &o->rep);
		out_str(b, " |\n");
	}
	out_str(b, "| any, refused | | ");
	render_fields(b, &proto_error_def);
	out_str(b, " |\n");
}

static void
render_feed(struct proto_buf *b)
{
	static const struct {
		const char *topic;
		const struct proto_msgdef *d;
	} ev[] = {
	    {PROTO_FEED_CLAIM "<party>/", &proto_feed_claim_def},
	    {PROTO_FEED_REGISTRY, &proto_feed_registry_def},
	    {PROTO_FEED_HEARTBEAT, &proto_feed_heartbeat_def},
	};

	proto_buf_init(b);
	out_str(b, "| topic | event |\n|---|---|\n");
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		out_str(b, "| `");
		out_str(b, ev[i].topic);
		out_str(b, "` | ");
		render_fields(b, ev[i].d);
		out_str(b, " |\n");
	}
}

static void
render_stats(struct proto_buf *b)
{
	proto_buf_init(b);
	out_str(b, "| stat | unit | what |\n|---|---|---|\n");
	for (size_t i = 0; i < PROTO_STAT_COUNT; i++) {
		out_str(b, "| `");
		out_str(b, proto_stats[i].key);
		out_str(b, "` | ");
		out_str(b, proto_stats[i].unit);
		out_str(b, " | ");
		out_str(b, proto_stats[i].description);
		out_str(b, " |\n");
	}
}

/* The text of file between the lines <!-- begin NAME --> and
 * <!-- end NAME -->, compared with want. */
static void
expect_block(const char *file, const char *name, const struct proto_buf *want)
{
	char path[512], begin[64], end[64];
	const char *a, *z = NULL;
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", docs_dir, file);
	snprintf(begin, sizeof(begin), "<!-- begin %s -->\n", name);
	snprintf(end, sizeof(end), "<!-- end %s -->", name);
	text = tu_read_file(path, &len);
	if ((a = strstr(text, begin)) == NULL || (z = strstr(a, end)) == NULL)
		fail_msg("%s: no block %s", path, name);
	a += strlen(begin);
	if ((size_t)(z - a) != want->len || memcmp(a, want->data, want->len))
		fail_msg("%s: block %s is not what the tables say; it "
			 "should read:\n%.*s",
		    path, name, (int)want->len, (const char *)want->data);
	free(text);
}

/* docs/protocol.md documents exactly each op's request and reply keys,
 * and docs/operations.md exactly the stats. */
static void
test_msg_docs_match_tables(void **state)
{
	struct proto_buf b;

	(void)state;
	render_ops(&b);
	expect_block("protocol.md", "ops", &b);
	proto_buf_release(&b);
	render_feed(&b);
	expect_block("protocol.md", "feed", &b);
	proto_buf_release(&b);
	render_stats(&b);
	expect_block("operations.md", "stats", &b);
	proto_buf_release(&b);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_msg_builder_counts),
	    cmocka_unit_test(test_msg_op_table),
	    cmocka_unit_test(test_msg_stats_table),
	    cmocka_unit_test(test_msg_roundtrip_every_op),
	    cmocka_unit_test(test_msg_each_field_missing),
	    cmocka_unit_test(test_msg_each_field_wrong_type),
	    cmocka_unit_test(test_msg_too_long),
	    cmocka_unit_test(test_msg_unknown_key_and_trailing),
	    cmocka_unit_test(test_msg_rows_reader),
	    cmocka_unit_test(test_msg_docs_match_tables),
	};
	struct proto_buf b;

	if (argc > 1 && strncmp(argv[1], "--render-", 9) == 0) {
		if (strcmp(argv[1], "--render-ops") == 0)
			render_ops(&b);
		else if (strcmp(argv[1], "--render-feed") == 0)
			render_feed(&b);
		else
			render_stats(&b);
		fwrite(b.data, 1, b.len, stdout);
		proto_buf_release(&b);
		return 0;
	}
	if (argc > 1)
		docs_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
