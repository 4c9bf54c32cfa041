/*
 * test_client: libclaim's pure parts on hand-made claims with known
 * answers: version diffs, narrative diffs, traces and quote finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "../client/lib/internal.h"
#include "claim.h"
#include "testutil.h"

static uint8_t pk[32], sk[64];

/* Signs p (released) into an entry at index. */
static void
entry(struct claim_entry *e, struct proto_payload *p, uint64_t index)
{
	struct proto_buf b;

	proto_buf_init(&b);
	tu_sign(p, sk, &b);
	proto_payload_release(p);
	assert_int_equal(
	    claim_entry_open(e, index, b.data, b.len, true, NULL, 0), PROTO_OK);
	proto_buf_release(&b);
}

static void
add_source(struct proto_claim *c, const char *publisher, const char *title,
    const char *date)
{
	struct proto_source *s;

	c->sources = realloc(c->sources, (c->nsources + 1) * sizeof(*s));
	s = &c->sources[c->nsources++];
	memset(s, 0, sizeof(*s));
	s->publisher = strdup(publisher);
	s->title = strdup(title);
	if (date != NULL)
		s->published = strdup(date);
}

static void
add_relation(struct proto_claim *c, enum proto_rel rel, const uint8_t *id)
{
	c->relations =
	    realloc(c->relations, (c->nrelations + 1) * sizeof(*c->relations));
	c->relations[c->nrelations].rel = rel;
	c->relations[c->nrelations].rating = NULL;
	memcpy(c->relations[c->nrelations++].claim, id, 32);
}

static char *
dump(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void
expect_json(json_t *got, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);

	assert_non_null(w);
	if (!json_equal(got, w)) {
		char *g = dump(got);

		fail_msg("got  %s\nwant %s", g, want);
	}
	json_decref(w);
}

static void
test_diff_words_known_answers(void **state)
{
	json_t *d;

	(void)state;
	assert_int_equal(
	    claim_diff_words("Armenia did not withdraw its forces.",
		"Armenia did not fully withdraw its armed forces.", &d),
	    PROTO_OK);
	expect_json(d,
	    "[{\"op\":\"same\",\"text\":\"Armenia did not \"},"
	    "{\"op\":\"add\",\"text\":\"fully \"},"
	    "{\"op\":\"same\",\"text\":\"withdraw its \"},"
	    "{\"op\":\"add\",\"text\":\"armed \"},"
	    "{\"op\":\"same\",\"text\":\"forces.\"}]");
	json_decref(d);
	assert_int_equal(claim_diff_words("a b c", "a x c", &d), PROTO_OK);
	expect_json(d,
	    "[{\"op\":\"same\",\"text\":\"a \"},"
	    "{\"op\":\"del\",\"text\":\"b \"},"
	    "{\"op\":\"add\",\"text\":\"x \"},"
	    "{\"op\":\"same\",\"text\":\"c\"}]");
	json_decref(d);
	assert_int_equal(claim_diff_words("same", "same", &d), PROTO_OK);
	expect_json(d, "[{\"op\":\"same\",\"text\":\"same\"}]");
	json_decref(d);
	assert_int_equal(claim_diff_words("", "new words", &d), PROTO_OK);
	expect_json(d, "[{\"op\":\"add\",\"text\":\"new words\"}]");
	json_decref(d);
}

/* The text the segments spell without op ("add" or "del"). */
static char *
spell(json_t *d, const char *without)
{
	char *out = calloc(1, 4096);
	json_t *seg;
	size_t i;

	json_array_foreach(d, i, seg)
	{
		if (strcmp(json_string_value(json_object_get(seg, "op")),
			without) != 0)
			strcat(out,
			    json_string_value(json_object_get(seg, "text")));
	}
	return out;
}

/* Found by fuzz_json: blanks that differ, words dropped at the end. */
static void
test_diff_words_spell_both_texts(void **state)
{
	static const char *const pairs[][2] = {
	    {"a  b", "a b "},
	    {"x y", "x"},
	    {"x", "x y"},
	    {"one two\nthree", "one  two three four"},
	    {"  lead", "lead  "},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		json_t *d;
		char *a, *b;

		assert_int_equal(
		    claim_diff_words(pairs[i][0], pairs[i][1], &d), PROTO_OK);
		a = spell(d, "add");
		b = spell(d, "del");

		assert_string_equal(a, pairs[i][0]);
		assert_string_equal(b, pairs[i][1]);
		free(a);
		free(b);
		json_decref(d);
	}
}

static void
test_diff_versions_known_answer(void **state)
{
	struct claim_entry v1, v3;
	struct proto_payload p;
	uint8_t rel[32];
	json_t *d;
	char want[2048], id[65];

	(void)state;
	memset(rel, 0x22, 32);
	tu_claim(&p, "am-mfa", "borders", "The commission met twice.");
	add_source(&p.claim, "Agency A", "First report", "2023-01-02");
	add_source(&p.claim, "Agency B", "Second report", NULL);
	p.claim.made = strdup("2023-01-01");
	entry(&v1, &p, 10);

	tu_claim(&p, "am-mfa", "borders", "The commission met three times.");
	p.claim.version = 3;
	memcpy(p.claim.claim, v1.claim, 32);
	memset(p.claim.prev, 0x33, 32);
	add_source(&p.claim, "Agency A", "First report", "2023-01-02");
	add_source(&p.claim, "Ministry", "Statement", "2023-01-05");
	add_relation(&p.claim, PROTO_REL_DISPUTES, rel);
	p.claim.made = strdup("2023-01-03");
	p.claim.note = strdup("recounted");
	p.claim.topics = realloc(p.claim.topics, 2 * sizeof(char *));
	p.claim.topics[1] = strdup("commissions");
	p.claim.ntopics = 2;
	p.claim.status = PROTO_STATUS_ASSERTED;
	entry(&v3, &p, 20);

	assert_int_equal(claim_diff_versions(&v1, &v3, &d), PROTO_OK);
	proto_hex(v1.claim, 32, id);
	snprintf(want, sizeof(want),
	    "{\"claim\":\"%s\",\"from\":1,\"to\":3,"
	    "\"statement\":[{\"op\":\"same\",\"text\":\"The commission met \"},"
	    "{\"op\":\"del\",\"text\":\"twice.\"},"
	    "{\"op\":\"add\",\"text\":\"three times.\"}],"
	    "\"made\":{\"from\":\"2023-01-01\",\"to\":\"2023-01-03\"},"
	    "\"topics\":{\"added\":[\"commissions\"],\"removed\":[]},"
	    "\"sources\":{\"added\":[{\"publisher\":\"Ministry\",\"title\":"
	    "\"Statement\",\"published\":\"2023-01-05\"}],"
	    "\"removed\":[{\"publisher\":\"Agency B\",\"title\":\"Second "
	    "report\"}]},"
	    "\"relations\":{\"added\":[{\"rel\":\"disputes\",\"claim\":"
	    "\"2222222222222222222222222222222222222222222222222222222222222222"
	    "\"}],\"removed\":[]},"
	    "\"note\":\"recounted\"}",
	    id);
	expect_json(d, want);
	json_decref(d);

	/* A retraction: the status changes, nothing else but the note. */
	tu_claim(&p, "am-mfa", "borders", "The commission met three times.");
	p.claim.version = 4;
	memcpy(p.claim.claim, v1.claim, 32);
	memset(p.claim.prev, 0x44, 32);
	add_source(&p.claim, "Agency A", "First report", "2023-01-02");
	add_source(&p.claim, "Ministry", "Statement", "2023-01-05");
	add_relation(&p.claim, PROTO_REL_DISPUTES, rel);
	p.claim.made = strdup("2023-01-03");
	p.claim.topics = realloc(p.claim.topics, 2 * sizeof(char *));
	p.claim.topics[1] = strdup("commissions");
	p.claim.ntopics = 2;
	p.claim.status = PROTO_STATUS_RETRACTED;
	p.claim.note = strdup("wrong meeting");
	claim_entry_release(&v1);
	entry(&v1, &p, 30);
	assert_int_equal(claim_diff_versions(&v3, &v1, &d), PROTO_OK);
	assert_int_equal(json_object_size(d), 5);
	expect_json(json_object_get(d, "status"),
	    "{\"from\":\"asserted\",\"to\":\"retracted\"}");
	assert_string_equal(
	    json_string_value(json_object_get(d, "note")), "wrong meeting");
	json_decref(d);
	claim_entry_release(&v1);
	claim_entry_release(&v3);
}

/* Over several revisions, the diff keeps each one's note, in order. */
static void
test_diff_span_keeps_every_note(void **state)
{
	static const char *const notes[] = {NULL, "typo", NULL, "recounted"};
	struct claim_entry v[4];
	struct proto_payload p;
	json_t *d;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		char stmt[64];

		snprintf(
		    stmt, sizeof(stmt), "The commission met %zu times.", i + 1);
		tu_claim(&p, "am-mfa", "borders", stmt);
		p.claim.version = i + 1;
		if (i > 0) {
			memcpy(p.claim.claim, v[0].claim, 32);
			memcpy(p.claim.prev, v[i - 1].hash, 32);
		}
		if (notes[i] != NULL)
			p.claim.note = strdup(notes[i]);
		entry(&v[i], &p, 10 + i);
	}
	assert_int_equal(claim_diff_span(v, 4, &d), PROTO_OK);
	assert_non_null(d);
	assert_int_equal(json_integer_value(json_object_get(d, "from")), 1);
	assert_int_equal(json_integer_value(json_object_get(d, "to")), 4);
	expect_json(json_object_get(d, "notes"),
	    "[{\"version\":2,\"note\":\"typo\"},"
	    "{\"version\":4,\"note\":\"recounted\"}]");
	assert_string_equal(
	    json_string_value(json_object_get(d, "note")), "recounted");
	json_decref(d);
	/* Two versions: the plain diff, with no "notes". */
	assert_int_equal(claim_diff_span(&v[1], 2, &d), PROTO_OK);
	assert_null(json_object_get(d, "notes"));
	assert_null(json_object_get(d, "note"));
	json_decref(d);
	assert_int_equal(claim_diff_span(v, 1, &d), PROTO_EINVAL);
	assert_null(d);
	for (size_t i = 0; i < 4; i++)
		claim_entry_release(&v[i]);
}

/*
 * Three parties on topic "lachin": a1 (A), b1 disputes a1 (B), c1 supports
 * a1 (C), a2 only A's (retracted), b2 only B's, d1 of an unlisted party D
 * disputing a1 (left out), and x1 of A on another topic that b2 disputes
 * (shown, because it is A's).
 */
static void
test_narrative_known_answer(void **state)
{
	struct claim_entry e[7];
	struct proto_payload p;
	const char *parties[] = {"a-party", "b-party", "c-party"};
	json_t *n;
	char a1[65], b1[65], c1[65], a2[65], b2[65], x1[65], want[4096];

	(void)state;
	tu_claim(&p, "a-party", "lachin", "The road is open.");
	p.claim.made = strdup("2023-04-23");
	add_source(&p.claim, "Wire", "Road report", "2023-04-24");
	entry(&e[0], &p, 1);
	tu_claim(&p, "b-party", "lachin", "The road is closed.");
	p.claim.made = strdup("2023-04-22");
	add_source(&p.claim, "Wire", "Road report", "2023-04-24");
	add_relation(&p.claim, PROTO_REL_DISPUTES, e[0].claim);
	entry(&e[1], &p, 2);
	tu_claim(&p, "c-party", "lachin", "Traffic passes the road.");
	add_relation(&p.claim, PROTO_REL_SUPPORTS, e[0].claim);
	entry(&e[2], &p, 3);
	tu_claim(&p, "a-party", "lachin", "A guard post was built.");
	p.claim.made = strdup("2023-04-25");
	p.claim.status = PROTO_STATUS_RETRACTED;
	p.claim.version = 2;
	memset(p.claim.claim, 0x77, 32);
	memset(p.claim.prev, 0x78, 32);
	p.claim.note = strdup("misattributed");
	entry(&e[3], &p, 4);
	tu_claim(&p, "a-party", "other", "Talks resume in May.");
	entry(&e[4], &p, 5);
	tu_claim(&p, "b-party", "lachin", "Talks will fail.");
	p.claim.made = strdup("2023-04-20");
	add_relation(&p.claim, PROTO_REL_DISPUTES, e[4].claim);
	entry(&e[5], &p, 6);
	tu_claim(&p, "d-party", "lachin", "Nobody asked us.");
	add_relation(&p.claim, PROTO_REL_DISPUTES, e[0].claim);
	entry(&e[6], &p, 7);

	assert_int_equal(
	    claim_narrative(e, 7, "lachin", parties, 3, &n), PROTO_OK);
	proto_hex(e[0].claim, 32, a1);
	proto_hex(e[1].claim, 32, b1);
	proto_hex(e[2].claim, 32, c1);
	proto_hex(e[3].claim, 32, a2);
	proto_hex(e[4].claim, 32, x1);
	proto_hex(e[5].claim, 32, b2);
	/* a2 (a retracted version 2 of another claim) stands alone. */
	snprintf(want, sizeof(want),
	    "{\"disputes\":["
	    "{\"claim\":\"%s\",\"party\":\"b-party\",\"other\":\"%s\","
	    "\"other_party\":\"a-party\",\"retracted\":false},"
	    "{\"claim\":\"%s\",\"party\":\"b-party\",\"other\":\"%s\","
	    "\"other_party\":\"a-party\",\"retracted\":false}],"
	    "\"supports\":[{\"claim\":\"%s\",\"party\":\"c-party\","
	    "\"other\":\"%s\",\"other_party\":\"a-party\",\"retracted\":false}],"
	    "\"only\":{\"a-party\":[\"%s\"],\"b-party\":[],\"c-party\":[]},"
	    "\"timeline\":[\"%s\",\"%s\",\"%s\",\"%s\",\"%s\"]}",
	    b1, a1, b2, x1, c1, a1, a2, b2, b1, a1, a2, c1);
	{
		json_t *sub = json_pack("{s:O, s:O, s:O, s:O}", "disputes",
		    json_object_get(n, "disputes"), "supports",
		    json_object_get(n, "supports"), "only",
		    json_object_get(n, "only"), "timeline",
		    json_object_get(n, "timeline"));

		expect_json(sub, want);
		json_decref(sub);
	}
	/* d-party is not listed; x1 is shown although off the topic. */
	assert_null(json_object_get(json_object_get(n, "claims"),
	    (proto_hex(e[6].claim, 32, want), want)));
	assert_non_null(json_object_get(json_object_get(n, "claims"), x1));
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_object_get(n, "claims"), a2),
		"retracted_because")),
	    "misattributed");
	/* The wire report is cited by A and B. */
	assert_int_equal(
	    json_array_size(json_object_get(n, "shared_sources")), 1);
	expect_json(json_object_get(
			json_array_get(json_object_get(n, "shared_sources"), 0),
			"cited_by"),
	    (snprintf(want, sizeof(want),
		 "{\"a-party\":[\"%s\"],\"b-party\":[\"%s\"]}", a1, b1),
		want));
	json_decref(n);
	/* Versions of two claims have no diff: an error, no JSON. */
	assert_int_equal(claim_diff_versions(&e[0], &e[1], &n), PROTO_EINVAL);
	assert_null(n);
	for (int i = 0; i < 7; i++)
		claim_entry_release(&e[i]);
}

static void
test_trace_three_levels(void **state)
{
	struct claim_entry e;
	struct proto_payload p;
	json_t *t, *chain;

	(void)state;
	tu_claim(&p, "az-mfa", "normalization", "Ready to normalize.");
	add_source(&p.claim, "Policy Quarterly", "An article", "2023-07-27");
	add_source(&p.claim, "Trend", "A news report", "2023-07-20");
	add_source(&p.claim, "Ministry", "A statement", "2023-07-19");
	add_source(&p.claim, "Other", "Unrelated", NULL);
	p.claim.sources[0].has_derivation = true;
	p.claim.sources[0].from = 1;
	p.claim.sources[0].how = PROTO_HOW_SUMMARIZES;
	p.claim.sources[1].has_derivation = true;
	p.claim.sources[1].from = 2;
	p.claim.sources[1].how = PROTO_HOW_REPORTS;
	entry(&e, &p, 0);
	assert_int_equal(claim_trace(&e, &t), PROTO_OK);
	chain = json_object_get(
	    json_array_get(json_object_get(t, "sources"), 0), "chain");
	expect_json(chain,
	    "[{\"index\":0,\"publisher\":\"Policy Quarterly\",\"title\":\"An "
	    "article\",\"published\":\"2023-07-27\",\"how\":\"summarizes\"},"
	    "{\"index\":1,\"publisher\":\"Trend\",\"title\":\"A news report\","
	    "\"published\":\"2023-07-20\",\"how\":\"reports\"},"
	    "{\"index\":2,\"publisher\":\"Ministry\",\"title\":\"A "
	    "statement\",\"published\":\"2023-07-19\"}]");
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_array_get(json_object_get(t, "sources"), 0), "primary")),
	    2);
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_array_get(json_object_get(t, "sources"), 1), "primary")),
	    2);
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_array_get(json_object_get(t, "sources"), 3), "primary")),
	    3);
	json_decref(t);
	claim_entry_release(&e);
}

static void
test_quote_find(void **state)
{
	const char *doc = "He said: \xe2\x80\x9c"
			  "Armenia must choose between\n"
			  "regional   cooperation\xc2\xa0"
			  "and illegal claims."
			  "\xe2\x80\x9d Then he left.";
	size_t s, e;

	(void)state;
	/* Plain quotes and single spaces match curly quotes and breaks. */
	assert_true(claim_quote_find(doc, strlen(doc),
	    "\"Armenia must choose between regional cooperation and illegal "
	    "claims.\"",
	    &s, &e));
	assert_int_equal(s, 9);
	assert_memory_equal(doc + e - 3, "\xe2\x80\x9d", 3);
	/* And verbatim, of course. */
	assert_true(
	    claim_quote_find(doc, strlen(doc), "Then he left.", &s, &e));
	assert_int_equal(e, strlen(doc));
	/* An altered quote is not there. */
	assert_false(claim_quote_find(doc, strlen(doc),
	    "Armenia must choose between regional cooperation and legal "
	    "claims",
	    &s, &e));
	assert_false(claim_quote_find(doc, strlen(doc), "   ", &s, &e));
	assert_false(
	    claim_quote_find(doc, strlen(doc), "he left. Later", &s, &e));
}

/*
 * A reply's entries have their signatures checked on several threads
 * (entry.c, claim_entries_verify()): every one is checked, and the first that
 * fails is the one named, wherever the threads' stripes put it.
 */
static void
read_page(uint8_t **rec, const size_t *len, size_t n, int bad1, int bad2,
    bool verify, int want, const char *want_err)
{
	struct proto_rows_wr w;
	struct proto_rows rows;
	struct claim_entry *e = NULL;
	size_t got = 0;
	char err[256] = "";

	proto_rows_wr_init(&w, &proto_row_entry_def);
	for (size_t i = 0; i < n; i++) {
		struct proto_row_entry row = {10 + i, {rec[i], len[i]}};

		/* The last byte of the signature, flipped. */
		rec[i][len[i] - 1] ^= (int)i == bad1 || (int)i == bad2;
		assert_int_equal(proto_rows_put(&w, &row), PROTO_OK);
		rec[i][len[i] - 1] ^= (int)i == bad1 || (int)i == bad2;
	}
	rows = proto_rows_wr_get(&w);
	assert_int_equal(
	    claim_read_entries(&rows, verify, &e, &got, err, sizeof(err)),
	    want);
	if (want == PROTO_OK) {
		assert_int_equal(got, n);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(e[i].index, 10 + i);
		claim_entries_free(e, got);
	} else {
		assert_null(e);
		if (strstr(err, want_err) == NULL)
			fail_msg(
			    "error \"%s\" does not name %s", err, want_err);
	}
	proto_rows_wr_release(&w);
}

static void
test_read_entries_checks_every_signature(void **state)
{
	enum { N = 200 };
	uint8_t *rec[N];
	size_t len[N];

	(void)state;
	for (size_t i = 0; i < N; i++) {
		struct proto_payload p;
		struct proto_buf b;
		char stmt[64];

		snprintf(stmt, sizeof(stmt), "Statement %zu.", i);
		tu_claim(&p, "a-party", "lachin", stmt);
		proto_buf_init(&b);
		tu_sign(&p, sk, &b);
		proto_payload_release(&p);
		rec[i] = b.data;
		len[i] = b.len;
	}
	read_page(rec, len, N, -1, -1, true, PROTO_OK, NULL);
	read_page(rec, len, N, 137, -1, true, PROTO_ESIGNATURE, "entry 147:");
	read_page(rec, len, N, 0, -1, true, PROTO_ESIGNATURE, "entry 10:");
	read_page(rec, len, N, N - 1, -1, true, PROTO_ESIGNATURE, "entry 209:");
	/* Two bad ones in different stripes: the first is named. */
	read_page(rec, len, N, 150, 41, true, PROTO_ESIGNATURE, "entry 51:");
	read_page(rec, len, N, 150, 42, true, PROTO_ESIGNATURE, "entry 52:");
	/* Too few for a second thread. */
	read_page(rec, len, 3, 2, -1, true, PROTO_ESIGNATURE, "entry 12:");
	/* Not asked to verify: parsed only. */
	read_page(rec, len, N, 137, -1, false, PROTO_OK, NULL);
	for (size_t i = 0; i < N; i++)
		free(rec[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff_words_known_answers),
	    cmocka_unit_test(test_diff_words_spell_both_texts),
	    cmocka_unit_test(test_diff_versions_known_answer),
	    cmocka_unit_test(test_diff_span_keeps_every_note),
	    cmocka_unit_test(test_narrative_known_answer),
	    cmocka_unit_test(test_trace_three_levels),
	    cmocka_unit_test(test_quote_find),
	    cmocka_unit_test(test_read_entries_checks_every_signature),
	};

	if (sodium_init() < 0)
		return 1;
	tu_key(9, pk, sk);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
