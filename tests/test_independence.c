/*
 * test_independence: the source graph (claim_sources_build) and the
 * independence of claims and of parties' accounts, on hand-built logs,
 * each case with the answer worked out by hand.
 *
 * The entries are built in memory, never encoded: the graph reads only
 * each entry's kind, claim id, index and payload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "claim.h"
#include "testutil.h"

#define MAX_CLAIMS 8
#define NONE       (-1)

/* A source: publisher, title, URL (may be NULL), a hash byte (0: none),
 * and the source it derives from (NONE) and how. */
struct src {
	const char *publisher, *title, *url;
	int sha;
	int from;
	enum proto_how how;
};

#define ROOT(p, t)                                                             \
	{                                                                      \
		p, t, NULL, 0, NONE, PROTO_HOW_QUOTES                          \
	}
#define FROM(p, t, f, h)                                                       \
	{                                                                      \
		p, t, NULL, 0, f, PROTO_HOW_##h                                \
	}

struct tlog {
	struct claim_entry e[MAX_CLAIMS];
	struct proto_source s[MAX_CLAIMS][8];
	const char *topics[MAX_CLAIMS][1];
	size_t n;
};

/*
 * Appends a claim of party on topic with the sources given (n of them),
 * as version version of claim number id (ids 1, 2, ...), at the next
 * index.
 */
static struct claim_entry *
add(struct tlog *l, int id, uint64_t version, const char *party,
    const char *topic, const struct src *src, size_t n)
{
	struct claim_entry *e = &l->e[l->n];
	struct proto_claim *c = &e->payload.claim;

	assert_true(l->n < MAX_CLAIMS && n <= 8);
	memset(e, 0, sizeof(*e));
	e->index = l->n;
	e->claim[0] = (uint8_t)id;
	e->payload.kind = PROTO_KIND_CLAIM;
	c->party = (char *)party;
	c->version = version;
	c->statement = (char *)"a statement";
	l->topics[l->n][0] = topic;
	c->topics = (char **)l->topics[l->n];
	c->ntopics = 1;
	c->sources = l->s[l->n];
	c->nsources = n;
	for (size_t i = 0; i < n; i++) {
		struct proto_source *s = &c->sources[i];

		memset(s, 0, sizeof(*s));
		s->publisher = (char *)src[i].publisher;
		s->title = (char *)src[i].title;
		s->url = (char *)src[i].url;
		if (src[i].sha != 0) {
			s->has_sha256 = true;
			memset(s->sha256, src[i].sha, PROTO_HASH_LEN);
		}
		if (src[i].from != NONE) {
			s->has_derivation = true;
			s->from = (uint32_t)src[i].from;
			s->how = src[i].how;
		}
	}
	l->n++;
	return e;
}

/* The answer for claim number id of the log. */
static json_t *
answer(const struct tlog *l, int id)
{
	struct claim_sources *g = claim_sources_build(l->e, l->n);
	uint8_t cid[PROTO_HASH_LEN] = {(uint8_t)id};
	json_t *a;

	assert_non_null(g);
	assert_int_equal(claim_independence(g, cid, &a), PROTO_OK);
	claim_sources_free(g);
	return a;
}

static json_int_t
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* The title of document d of an answer. */
static const char *
title(json_t *a, json_t *d)
{
	json_t *doc = json_array_get(
	    json_object_get(a, "documents"), (size_t)json_integer_value(d));

	assert_non_null(doc);
	return json_string_value(json_object_get(doc, "title"));
}

/* The titles of the documents listed in arr, joined with spaces. */
static void
titles(json_t *a, json_t *arr, char *out, size_t len)
{
	json_t *d;
	size_t i;

	out[0] = '\0';
	json_array_foreach(arr, i, d)
	{
		if (i > 0)
			strncat(out, " ", len - strlen(out) - 1);
		strncat(out, title(a, d), len - strlen(out) - 1);
	}
}

/* "Title(amplification)" for each root, in order. */
static void
root_list(json_t *a, char *out, size_t len)
{
	json_t *r;
	size_t i;

	out[0] = '\0';
	json_array_foreach(json_object_get(a, "roots"), i, r)
	{
		char one[128];

		snprintf(one, sizeof(one), "%s%s(%lld)", i > 0 ? " " : "",
		    title(a, json_object_get(r, "document")),
		    (long long)num(r, "amplification"));
		strncat(out, one, len - strlen(out) - 1);
	}
}

/* docs/narratives.md's worked example, as the text tells it. */
static void
test_worked_example(void **state)
{
	static const struct src a[] = {
	    FROM("Daily", "Troops at the border", 1, REPORTS),
	    ROOT("Ministry of Defence", "Statement of 3 May"),
	    FROM("Wire", "Border incident", 1, REPORTS),
	    FROM("Weekly", "Border incident", 2, REPUBLISHES),
	    ROOT("Observers", "Mission report"),
	};
	static const struct src b[] = {
	    ROOT("Weekly", "Border incident"),
	};
	struct tlog l = {.n = 0};
	json_t *ans;
	char buf[256];

	(void)state;
	add(&l, 1, 1, "a", "t", a, 5);
	add(&l, 2, 1, "b", "t", b, 1);
	ans = answer(&l, 1);
	assert_int_equal(num(ans, "cited"), 5);
	assert_int_equal(num(ans, "n_primary"), 2);
	root_list(ans, buf, sizeof(buf));
	assert_string_equal(buf, "Statement of 3 May(4) Mission report(1)");
	json_decref(ans);
	ans = answer(&l, 2);
	root_list(ans, buf, sizeof(buf));
	assert_string_equal(buf, "Statement of 3 May(1)");
	json_decref(ans);
}

/* A policy paper summarizes a news report that reports a ministry
 * statement: three sources, one primary. */
static void
test_chain(void **state)
{
	static const struct src s[] = {
	    FROM("Think Tank", "policy", 1, SUMMARIZES),
	    FROM("Daily", "report", 2, REPORTS),
	    ROOT("Ministry", "statement"),
	};
	struct tlog l = {.n = 0};
	json_t *a, *src0, *path;
	char buf[256];

	(void)state;
	add(&l, 1, 1, "a", "t", s, 3);
	a = answer(&l, 1);
	assert_int_equal(num(a, "cited"), 3);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "statement(3)");
	assert_int_equal(json_array_size(json_object_get(a, "loops")), 0);
	assert_int_equal(json_array_size(json_object_get(a, "unresolved")), 0);
	/* Source 0's path: policy -summarizes-> report -reports-> statement */
	src0 = json_array_get(json_object_get(a, "sources"), 0);
	assert_true(json_is_true(json_object_get(src0, "resolved")));
	path = json_array_get(json_object_get(src0, "paths"), 0);
	assert_int_equal(json_array_size(path), 3);
	assert_string_equal(
	    title(a, json_object_get(json_array_get(path, 0), "document")),
	    "policy");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(path, 0), "how")),
	    "summarizes");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(path, 1), "how")),
	    "reports");
	assert_null(json_object_get(json_array_get(path, 2), "how"));
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(a, "roots"), 0), "owner")),
	    "Ministry");
	json_decref(a);
}

/* A wire copy of a statement, republished four times: one primary
 * source however many copies; a copy of a copy stated by another claim
 * does not raise it either. */
static void
test_fan_out_of_copies(void **state)
{
	static const struct src s[] = {
	    FROM("Wire", "wire copy", 5, REPORTS),
	    FROM("Paper 1", "copy 1", 0, REPUBLISHES),
	    FROM("Paper 2", "copy 2", 0, REPUBLISHES),
	    FROM("Paper 3", "copy 3", 0, REPUBLISHES),
	    FROM("Paper 4", "copy 4", 0, REPUBLISHES),
	    ROOT("Ministry", "statement"),
	};
	/* Another claim: copy 5 is a copy of copy 1. */
	static const struct src t[] = {
	    FROM("Paper 5", "copy 5", 1, REPUBLISHES),
	    ROOT("Paper 1", "copy 1"),
	};
	/* A third cites copies only, with no derivation of its own: the
	 * derivations the other claims state still hold. */
	static const struct src u[] = {
	    ROOT("Paper 5", "copy 5"),
	    ROOT("Paper 2", "copy 2"),
	};
	struct tlog l = {.n = 0};
	json_t *a;
	char buf[256];

	(void)state;
	add(&l, 1, 1, "a", "t", s, 6);
	add(&l, 2, 1, "b", "t", t, 2);
	add(&l, 3, 1, "c", "t", u, 2);
	a = answer(&l, 1);
	assert_int_equal(num(a, "cited"), 6);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "statement(6)");
	json_decref(a);
	a = answer(&l, 2);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "statement(2)");
	json_decref(a);
	a = answer(&l, 3);
	assert_int_equal(num(a, "cited"), 2);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "statement(2)");
	/* copy 5 -> copy 1 -> wire copy -> statement */
	assert_int_equal(
	    json_array_size(json_array_get(
		json_object_get(
		    json_array_get(json_object_get(a, "sources"), 0), "paths"),
		0)),
	    4);
	json_decref(a);
}

static void
test_two_independent_roots(void **state)
{
	static const struct src s[] = {
	    FROM("Daily", "report", 1, REPORTS),
	    ROOT("Ministry", "statement"),
	    ROOT("Observers", "mission report"),
	    FROM("Weekly", "translation", 2, TRANSLATES),
	};
	struct tlog l = {.n = 0};
	json_t *a;
	char buf[256];

	(void)state;
	add(&l, 1, 1, "a", "t", s, 4);
	a = answer(&l, 1);
	assert_int_equal(num(a, "cited"), 4);
	assert_int_equal(num(a, "n_primary"), 2);
	assert_int_equal(num(a, "owners"), 2);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "statement(2) mission report(2)");
	json_decref(a);
}

/* X reports Y says one claim, Y reports X says another: a loop with
 * nothing upstream, no primary source at all, reported by its members. */
static void
test_loop_with_nothing_upstream(void **state)
{
	static const struct src s[] = {
	    FROM("Outlet X", "x", 1, REPORTS),
	    ROOT("Outlet Y", "y"),
	};
	static const struct src t[] = {
	    FROM("Outlet Y", "y", 1, REPORTS),
	    ROOT("Outlet X", "x"),
	};
	struct tlog l = {.n = 0};
	json_t *a, *loop;
	char buf[256];

	(void)state;
	add(&l, 1, 1, "a", "t", s, 2);
	add(&l, 2, 1, "b", "t", t, 2);
	a = answer(&l, 1);
	assert_int_equal(num(a, "cited"), 2);
	assert_int_equal(num(a, "n_primary"), 0);
	assert_int_equal(json_array_size(json_object_get(a, "loops")), 1);
	loop = json_array_get(json_object_get(a, "loops"), 0);
	assert_true(json_is_false(json_object_get(loop, "fed")));
	titles(a, json_object_get(loop, "members"), buf, sizeof(buf));
	assert_string_equal(buf, "x y");
	titles(a, json_object_get(a, "unresolved"), buf, sizeof(buf));
	assert_string_equal(buf, "x y");
	assert_true(json_is_false(json_object_get(
	    json_array_get(json_object_get(a, "sources"), 0), "resolved")));
	json_decref(a);
}

/* The same loop, and a third claim saying Y translates a ministry
 * statement: the loop is fed, and rests on that one root. */
static void
test_loop_fed_from_outside(void **state)
{
	static const struct src s[] = {
	    FROM("Outlet X", "x", 1, REPORTS),
	    ROOT("Outlet Y", "y"),
	};
	static const struct src t[] = {
	    FROM("Outlet Y", "y", 1, REPORTS),
	    ROOT("Outlet X", "x"),
	};
	static const struct src u[] = {
	    FROM("Outlet Y", "y", 1, TRANSLATES),
	    ROOT("Ministry", "statement"),
	};
	struct tlog l = {.n = 0};
	json_t *a, *loop;
	char buf[256];

	(void)state;
	add(&l, 1, 1, "a", "t", s, 2);
	add(&l, 2, 1, "b", "t", t, 2);
	add(&l, 3, 1, "c", "t", u, 2);
	a = answer(&l, 1);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "statement(2)");
	loop = json_array_get(json_object_get(a, "loops"), 0);
	assert_non_null(loop);
	assert_true(json_is_true(json_object_get(loop, "fed")));
	titles(a, json_object_get(loop, "members"), buf, sizeof(buf));
	assert_string_equal(buf, "x y");
	assert_int_equal(json_array_size(json_object_get(a, "unresolved")), 0);
	json_decref(a);
}

/* A chain A -> B -> R rests on R. An edge that closes a loop never
 * raises n_primary: B -> A keeps it at 1 (the claim that states B -> A
 * rests on the loop, fed by R; the chain's own claim says B comes from
 * R, so the loop is not upstream of it), and R -> A takes it to 0 (the
 * loop swallows the root). */
static void
test_edge_closing_a_loop(void **state)
{
	static const struct src chain[] = {
	    FROM("Outlet A", "a", 1, REPORTS),
	    FROM("Outlet B", "b", 2, QUOTES),
	    ROOT("Agency R", "r"),
	};
	static const struct src back_to_a[] = {
	    FROM("Outlet B", "b", 1, REPORTS),
	    ROOT("Outlet A", "a"),
	};
	static const struct src root_from_a[] = {
	    FROM("Agency R", "r", 1, QUOTES),
	    ROOT("Outlet A", "a"),
	};
	struct tlog l = {.n = 0};
	json_int_t before;
	json_t *a;
	char buf[256];

	(void)state;
	add(&l, 1, 1, "a", "t", chain, 3);
	a = answer(&l, 1);
	before = num(a, "n_primary");
	assert_int_equal(before, 1);
	json_decref(a);

	add(&l, 2, 1, "b", "t", back_to_a, 2);
	a = answer(&l, 1);
	assert_int_equal(num(a, "n_primary"), 1);
	assert_true(num(a, "n_primary") <= before);
	assert_int_equal(json_array_size(json_object_get(a, "loops")), 0);
	json_decref(a);
	a = answer(&l, 2);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "r(2)");
	assert_int_equal(json_array_size(json_object_get(a, "loops")), 1);
	assert_true(json_is_true(json_object_get(
	    json_array_get(json_object_get(a, "loops"), 0), "fed")));
	json_decref(a);

	l.n = 1;
	add(&l, 3, 1, "b", "t", root_from_a, 2);
	a = answer(&l, 1);
	assert_int_equal(num(a, "n_primary"), 0);
	titles(a,
	    json_object_get(
		json_array_get(json_object_get(a, "loops"), 0), "members"),
	    buf, sizeof(buf));
	assert_string_equal(buf, "a b r");
	assert_int_equal(json_array_size(json_object_get(a, "unresolved")), 3);
	json_decref(a);
}

/*
 * A document with many derivations, each stated by another claim (a
 * review quoting a different statement in each footnote): a claim that
 * states which of them it rests on rests on that one only, and what is
 * upstream of it by the merged graph; a claim that cites the review
 * without saying which part rests on all of them. A party's account
 * counts the review once, however many parts of it its claims cite.
 */
static void
test_claim_states_the_part(void **state)
{
	static const struct src q1[] = {
	    FROM("Review", "article", 1, QUOTES),
	    ROOT("Ministry", "statement 1"),
	};
	static const struct src q2[] = {
	    FROM("Review", "article", 1, QUOTES),
	    ROOT("Ministry", "statement 2"),
	};
	static const struct src q3[] = {
	    FROM("Review", "article", 1, QUOTES),
	    ROOT("Observers", "report 3"),
	};
	static const struct src plain[] = {
	    ROOT("Review", "article"),
	};
	/* Statement 1 itself reports a wire story: upstream of the part. */
	static const struct src wire[] = {
	    FROM("Ministry", "statement 1", 1, REPORTS),
	    ROOT("Wire", "story"),
	};
	/* A copy of the review, and the review's part, in one claim. */
	static const struct src copy[] = {
	    FROM("Digest", "copy", 1, REPUBLISHES),
	    FROM("Review", "article", 2, QUOTES),
	    ROOT("Ministry", "statement 2"),
	};
	static const char *const one[] = {"a"};
	const struct claim_filter pa = {one, 1, NULL, 0};
	struct tlog l = {.n = 0};
	struct claim_sources *g;
	json_t *a, *t, *p;
	char buf[256];

	(void)state;
	add(&l, 1, 1, "a", "t", q1, 2);
	add(&l, 2, 1, "a", "t", q2, 2);
	add(&l, 3, 1, "b", "t", q3, 2);
	add(&l, 4, 1, "c", "t", plain, 1);
	add(&l, 5, 1, "c", "t", copy, 3);

	/* The claim that says which statement the review quotes. */
	a = answer(&l, 1);
	assert_int_equal(num(a, "cited"), 2);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "statement 1(2)");
	json_decref(a);
	/* The claim that does not rests on every part of the review:
	 * more primaries than sources, which the wording must say. */
	a = answer(&l, 4);
	assert_int_equal(num(a, "cited"), 1);
	assert_int_equal(num(a, "n_primary"), 3);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "statement 1(1) statement 2(1) report 3(1)");
	json_decref(a);
	/* Its own part through a copy of the review. */
	a = answer(&l, 5);
	assert_int_equal(num(a, "cited"), 3);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "statement 2(3)");
	json_decref(a);

	/* Upstream of the claim's own edge, the merged graph's. */
	add(&l, 6, 1, "d", "u", wire, 2);
	a = answer(&l, 1);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "story(2)");
	json_decref(a);

	/* Party a: two parts of the review, cited once. */
	g = claim_sources_build(l.e, l.n);
	assert_non_null(g);
	assert_int_equal(claim_sources_documents(g), 6);
	assert_int_equal(claim_independence_topic(g, "t", &pa, &t), PROTO_OK);
	p = json_array_get(json_object_get(t, "parties"), 0);
	assert_int_equal(num(p, "claims"), 2);
	assert_int_equal(num(p, "cited"), 3);
	assert_int_equal(num(p, "n_primary"), 2);
	root_list(p, buf, sizeof(buf));
	assert_string_equal(buf, "story(2) statement 2(2)");
	json_decref(t);
	claim_sources_free(g);
}

/* One document across claims: the same SHA-256 whatever the URL or the
 * names; else the same URL whatever the names; else the same publisher
 * and title. */
static void
test_identity(void **state)
{
	/* Claim 1 states: doc "h" (hash 7, url u1) reports "root". */
	static const struct src s[] = {
	    {"P", "h", "https://u1", 7, 1, PROTO_HOW_REPORTS},
	    ROOT("Root", "root"),
	};
	/* Hash 7 under another URL and name: the same document. */
	static const struct src by_hash[] = {
	    {"Other", "other name", "https://u2", 7, NONE, PROTO_HOW_QUOTES},
	};
	/* URL u3 twice, titled differently, no hash: one document, which
	 * the first source says derives from "root". */
	static const struct src by_url[] = {
	    {"Q", "u3 first", "https://u3", 0, 1, PROTO_HOW_QUOTES},
	    ROOT("Root", "root"),
	};
	static const struct src by_url2[] = {
	    {"Q2", "u3 second", "https://u3", 0, NONE, PROTO_HOW_QUOTES},
	};
	/* Same publisher and title, neither URL nor hash: one document. A
	 * URL makes it another ("pt" then differs from "url"). */
	static const struct src by_pt[] = {
	    FROM("Daily", "report", 1, REPORTS),
	    ROOT("Root", "root"),
	};
	static const struct src by_pt2[] = {
	    ROOT("Daily", "report"),
	    {"Daily", "report", "https://u4", 0, NONE, PROTO_HOW_QUOTES},
	};
	struct tlog l = {.n = 0};
	struct claim_sources *g;
	json_t *a;
	char buf[256];

	(void)state;
	add(&l, 1, 1, "a", "t", s, 2);
	add(&l, 2, 1, "a", "t", by_hash, 1);
	add(&l, 3, 1, "a", "t", by_url, 2);
	add(&l, 4, 1, "a", "t", by_url2, 1);
	add(&l, 5, 1, "a", "t", by_pt, 2);
	add(&l, 6, 1, "a", "t", by_pt2, 2);
	g = claim_sources_build(l.e, l.n);
	assert_non_null(g);
	/* h, root, u3, report, report at u4 */
	assert_int_equal(claim_sources_documents(g), 5);
	assert_int_equal(claim_sources_edges(g), 3);
	claim_sources_free(g);

	a = answer(&l, 2);
	assert_int_equal(num(a, "n_primary"), 1);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "root(1)");
	/* The card is the first citation's. */
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(a, "documents"), 0), "title")),
	    "h");
	json_decref(a);
	a = answer(&l, 4);
	root_list(a, buf, sizeof(buf));
	assert_string_equal(buf, "root(1)");
	json_decref(a);
	/* "report" (no URL) rests on root; "report" at u4 is its own. */
	a = answer(&l, 6);
	assert_int_equal(num(a, "cited"), 2);
	assert_int_equal(num(a, "n_primary"), 2);
	json_decref(a);
}

/* The newest version of a claim is the one that counts: a derivation
 * the revision dropped is gone. */
static void
test_newest_version_counts(void **state)
{
	static const struct src v1[] = {
	    FROM("Daily", "report", 1, REPORTS),
	    ROOT("Ministry", "statement"),
	};
	static const struct src v2[] = {
	    ROOT("Daily", "report"),
	    ROOT("Ministry", "statement"),
	};
	struct tlog l = {.n = 0};
	json_t *a;

	(void)state;
	add(&l, 1, 1, "a", "t", v1, 2);
	add(&l, 1, 2, "a", "t", v2, 2);
	a = answer(&l, 1);
	assert_int_equal(num(a, "version"), 2);
	assert_int_equal(num(a, "n_primary"), 2);
	json_decref(a);
}

static const char *
one_owner(void *ctx, const char *publisher)
{
	(void)ctx;
	return strcmp(publisher, "Observers") == 0 ? "Ministry" : NULL;
}

/* The owner hook: Observers held by an owner named "Ministry", the
 * ministry itself by none: two roots still (an owner and an unowned
 * publisher are apart), one name in "owners". */
static void
test_owner_hook(void **state)
{
	static const struct src s[] = {
	    ROOT("Ministry", "statement"),
	    ROOT("Observers", "mission report"),
	};
	struct tlog l = {.n = 0};
	struct claim_sources *g;
	uint8_t id[PROTO_HASH_LEN] = {1};
	json_t *a;

	(void)state;
	add(&l, 1, 1, "a", "t", s, 2);
	g = claim_sources_build(l.e, l.n);
	claim_sources_set_owner(g, one_owner, NULL);
	assert_int_equal(claim_independence(g, id, &a), PROTO_OK);
	assert_int_equal(num(a, "n_primary"), 2);
	assert_int_equal(num(a, "owners"), 1);
	json_decref(a);
	id[0] = 9;
	assert_int_equal(claim_independence(g, id, &a), PROTO_ENOTFOUND);
	claim_sources_free(g);
}

/* A party's account of a topic: every source of its claims on it. */
static void
test_topic_by_party(void **state)
{
	static const struct src a1[] = {
	    FROM("Daily", "report", 1, REPORTS),
	    ROOT("Ministry", "statement"),
	};
	static const struct src a2[] = {
	    FROM("Weekly", "summary", 1, SUMMARIZES),
	    ROOT("Daily", "report"),
	};
	static const struct src b1[] = {
	    ROOT("Observers", "mission report"),
	    ROOT("Ministry", "statement"),
	};
	static const struct src off[] = {
	    ROOT("Elsewhere", "other"),
	};
	static const char *const one[] = {"beta"},
				 *const two[] = {"beta", "alpha"};
	const struct claim_filter beta = {one, 1, NULL, 0},
				  both = {two, 2, NULL, 0};
	struct tlog l = {.n = 0};
	struct claim_sources *g;
	json_t *t, *p;

	(void)state;
	add(&l, 1, 1, "alpha", "t", a1, 2);
	add(&l, 2, 1, "alpha", "t", a2, 2);
	add(&l, 3, 1, "beta", "t", b1, 2);
	add(&l, 4, 1, "beta", "other-topic", off, 1);
	g = claim_sources_build(l.e, l.n);
	assert_int_equal(claim_independence_topic(g, "t", NULL, &t), PROTO_OK);
	assert_non_null(t);
	assert_int_equal(json_array_size(json_object_get(t, "claims")), 3);
	assert_int_equal(json_array_size(json_object_get(t, "parties")), 2);
	p = json_array_get(json_object_get(t, "parties"), 0);
	assert_string_equal(
	    json_string_value(json_object_get(p, "party")), "alpha");
	assert_int_equal(num(p, "claims"), 2);
	assert_int_equal(num(p, "cited"), 3);
	assert_int_equal(num(p, "n_primary"), 1);
	assert_null(json_object_get(p, "sources"));
	p = json_array_get(json_object_get(t, "parties"), 1);
	assert_string_equal(
	    json_string_value(json_object_get(p, "party")), "beta");
	assert_int_equal(num(p, "claims"), 1);
	assert_int_equal(num(p, "n_primary"), 2);
	json_decref(t);
	assert_int_equal(claim_independence_topic(g, "t", &beta, &t), PROTO_OK);
	assert_int_equal(json_array_size(json_object_get(t, "claims")), 1);
	json_decref(t);
	/* Several parties: any of them. */
	assert_int_equal(claim_independence_topic(g, "t", &both, &t), PROTO_OK);
	assert_int_equal(json_array_size(json_object_get(t, "claims")), 3);
	assert_int_equal(json_array_size(json_object_get(t, "parties")), 2);
	json_decref(t);
	assert_int_equal(
	    claim_independence_topic(g, "nothing", NULL, &t), PROTO_OK);
	assert_int_equal(json_array_size(json_object_get(t, "claims")), 0);
	assert_int_equal(json_array_size(json_object_get(t, "parties")), 0);
	json_decref(t);
	claim_sources_free(g);
}

/*
 * A chain of 20,000 documents, each link stated by its own claim, then
 * the claim that closes it into one loop: nothing here may recurse per
 * document (the walk and the loop finding are iterative).
 */
#define LONG 20000

static void
test_long_chain_and_big_loop(void **state)
{
	struct claim_entry *e = calloc(LONG + 1, sizeof(*e));
	struct proto_source *src = calloc(2 * (LONG + 1), sizeof(*src));
	char(*titles_)[16] = calloc(LONG + 1, sizeof(*titles_));
	static char *topic[] = {(char *)"t"};
	uint8_t first[PROTO_HASH_LEN] = {0};
	struct claim_sources *g;
	json_t *a, *path;

	(void)state;
	assert_non_null(e);
	assert_non_null(src);
	assert_non_null(titles_);
	for (size_t i = 0; i <= LONG; i++)
		snprintf(titles_[i], sizeof(titles_[i]), "doc %zu", i);
	/* Claim i: doc i reports doc i + 1; the last: doc LONG reports
	 * doc 0, left out of the first graph. */
	for (size_t i = 0; i <= LONG; i++) {
		struct proto_claim *c = &e[i].payload.claim;
		struct proto_source *s = &src[2 * i];

		e[i].index = i;
		e[i].payload.kind = PROTO_KIND_CLAIM;
		memcpy(e[i].claim, &i, sizeof(i));
		e[i].claim[PROTO_HASH_LEN - 1] = 1;
		c->party = (char *)"a";
		c->version = 1;
		c->statement = (char *)"s";
		c->topics = topic;
		c->ntopics = 1;
		c->sources = s;
		c->nsources = 2;
		s[0].publisher = s[1].publisher = (char *)"P";
		s[0].title = titles_[i];
		s[1].title = titles_[i < LONG ? i + 1 : 0];
		s[0].has_derivation = true;
		s[0].from = 1;
		s[0].how = PROTO_HOW_REPORTS;
	}
	memcpy(first, &e[0].claim, PROTO_HASH_LEN);
	g = claim_sources_build(e, LONG);
	assert_non_null(g);
	assert_int_equal(claim_sources_documents(g), LONG + 1);
	assert_int_equal(claim_independence(g, first, &a), PROTO_OK);
	assert_int_equal(num(a, "n_primary"), 1);
	path = json_array_get(
	    json_object_get(
		json_array_get(json_object_get(a, "sources"), 0), "paths"),
	    0);
	assert_int_equal(json_array_size(path), LONG + 1);
	json_decref(a);
	claim_sources_free(g);

	g = claim_sources_build(e, LONG + 1);
	assert_non_null(g);
	assert_int_equal(claim_independence(g, first, &a), PROTO_OK);
	assert_int_equal(num(a, "n_primary"), 0);
	assert_int_equal(
	    json_array_size(json_object_get(
		json_array_get(json_object_get(a, "loops"), 0), "members")),
	    LONG + 1);
	assert_int_equal(json_array_size(json_object_get(a, "unresolved")), 2);
	json_decref(a);
	claim_sources_free(g);
	free(e);
	free(src);
	free(titles_);
}

/* Appends owner record: owner holds pubs[0..n) (the strings live on). */
static void
add_owner(struct tlog *l, const char *owner, const char **pubs, size_t n)
{
	struct claim_entry *e = &l->e[l->n];

	assert_true(l->n < MAX_CLAIMS);
	memset(e, 0, sizeof(*e));
	e->index = l->n;
	e->payload.kind = PROTO_KIND_OWNER;
	e->payload.reg.party = (char *)owner;
	e->payload.reg.publishers = (char **)pubs;
	e->payload.reg.npublishers = n;
	l->n++;
}

/* The answer for claim 1 with the owners of the log plugged in. */
static json_t *
owned_answer(const struct tlog *l, struct claim_owners **keep)
{
	struct claim_sources *g = claim_sources_build(l->e, l->n);
	struct claim_owners *o = claim_owners_build(l->e, l->n);
	uint8_t cid[PROTO_HASH_LEN] = {1};
	json_t *a;

	assert_non_null(g);
	assert_non_null(o);
	claim_sources_set_owner(g, claim_owners_of, o);
	assert_int_equal(claim_independence(g, cid, &a), PROTO_OK);
	claim_sources_free(g);
	if (keep != NULL)
		*keep = o;
	else
		claim_owners_free(o);
	return a;
}

/*
 * Outlets of one owner (owner records, docs/format.md, Owners): a wire
 * service and its regional edition are two roots, one owner; a paper
 * that reports the wire adds nothing. A later record replaces the list,
 * another owner's takes a publisher away, an empty one withdraws.
 */
static void
test_outlets_of_one_owner(void **state)
{
	static const struct src s[] = {
	    ROOT("Wire", "Border incident"),
	    ROOT("Wire Regional", "Border incident, region"),
	    FROM("Daily", "Troops at the border", 0, REPORTS),
	    ROOT("Observers", "Mission report"),
	};
	static const char *both[] = {"Wire", "Wire Regional"};
	static const char *one[] = {"Wire"};
	static const char *regional[] = {"Wire Regional", "Daily"};
	struct tlog l = {.n = 0};
	struct claim_owners *o;
	json_t *a, *r;
	size_t i;

	(void)state;
	add(&l, 1, 1, "a", "t", s, 4);
	/* No owner: three roots. */
	a = owned_answer(&l, NULL);
	assert_int_equal(num(a, "cited"), 4);
	assert_int_equal(num(a, "n_primary"), 3);
	assert_int_equal(num(a, "owners"), 3);
	json_decref(a);
	/* One owner's two outlets count once. */
	add_owner(&l, "wire-group", both, 2);
	a = owned_answer(&l, &o);
	assert_int_equal(num(a, "n_primary"), 2);
	assert_int_equal(num(a, "owners"), 2);
	json_array_foreach(json_object_get(a, "roots"), i, r)
	{
		const char *t = title(a, json_object_get(r, "document"));

		assert_string_equal(
		    json_string_value(json_object_get(r, "owner")),
		    strcmp(t, "Mission report") == 0 ? "Observers"
						     : "wire-group");
	}
	assert_int_equal(claim_owners_count(o), 1);
	assert_string_equal(claim_owners_of(o, "Wire Regional"), "wire-group");
	/* Exactly as sources write it. */
	assert_null(claim_owners_of(o, "wire"));
	assert_null(claim_owners_of(o, "Observers"));
	claim_owners_free(o);
	json_decref(a);
	/* A later list replaces the earlier one. */
	add_owner(&l, "wire-group", one, 1);
	a = owned_answer(&l, NULL);
	assert_int_equal(num(a, "n_primary"), 3);
	json_decref(a);
	/* Back to both; then another owner takes the regional edition. */
	add_owner(&l, "wire-group", both, 2);
	add_owner(&l, "region-media", regional, 2);
	a = owned_answer(&l, &o);
	assert_int_equal(num(a, "n_primary"), 3);
	assert_string_equal(claim_owners_of(o, "Wire"), "wire-group");
	assert_string_equal(
	    claim_owners_of(o, "Wire Regional"), "region-media");
	assert_int_equal(claim_owners_count(o), 2);
	claim_owners_free(o);
	json_decref(a);
	/* Withdrawn: its publishers count on their own again. */
	add_owner(&l, "region-media", NULL, 0);
	a = owned_answer(&l, &o);
	assert_int_equal(num(a, "n_primary"), 3);
	assert_null(claim_owners_of(o, "Wire Regional"));
	assert_int_equal(claim_owners_count(o), 1);
	claim_owners_free(o);
	json_decref(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_worked_example),
	    cmocka_unit_test(test_chain),
	    cmocka_unit_test(test_fan_out_of_copies),
	    cmocka_unit_test(test_two_independent_roots),
	    cmocka_unit_test(test_loop_with_nothing_upstream),
	    cmocka_unit_test(test_loop_fed_from_outside),
	    cmocka_unit_test(test_edge_closing_a_loop),
	    cmocka_unit_test(test_claim_states_the_part),
	    cmocka_unit_test(test_identity),
	    cmocka_unit_test(test_newest_version_counts),
	    cmocka_unit_test(test_owner_hook),
	    cmocka_unit_test(test_outlets_of_one_owner),
	    cmocka_unit_test(test_topic_by_party),
	    cmocka_unit_test(test_long_chain_and_big_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
