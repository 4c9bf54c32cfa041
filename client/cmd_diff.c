/*
 * cmd_diff.c: claim diff ID --from N --to M
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void
print_segments(json_t *segs, bool color)
{
	json_t *s;
	size_t i;

	json_array_foreach(segs, i, s)
	{
		const char *op = json_string_value(json_object_get(s, "op"));
		const char *t = json_string_value(json_object_get(s, "text"));

		if (strcmp(op, "same") == 0)
			fputs(t, stdout);
		else if (color)
			printf("\033[%sm%s\033[0m",
			    strcmp(op, "add") == 0 ? "32" : "9;31", t);
		else
			printf(strcmp(op, "add") == 0 ? "{+%s+}" : "[-%s-]", t);
	}
	putchar('\n');
}

static void
print_source(const char *sign, json_t *s)
{
	printf("  %s %s, \"%s\"", sign,
	    json_string_value(json_object_get(s, "publisher")),
	    json_string_value(json_object_get(s, "title")));
	if (json_object_get(s, "published"))
		printf(" (%s)",
		    json_string_value(json_object_get(s, "published")));
	putchar('\n');
}

static void
print_set(const char *title, json_t *set, bool sources)
{
	json_t *x;
	size_t i;

	if (set == NULL)
		return;
	printf("%s\n", title);
	json_array_foreach(json_object_get(set, "removed"), i, x)
	{
		if (sources)
			print_source("-", x);
		else if (json_is_string(x))
			printf("  - %s\n", json_string_value(x));
		else
			printf("  - %s %s\n",
			    json_string_value(json_object_get(x, "rel")),
			    json_string_value(json_object_get(x, "claim")));
	}
	json_array_foreach(json_object_get(set, "added"), i, x)
	{
		if (sources)
			print_source("+", x);
		else if (json_is_string(x))
			printf("  + %s\n", json_string_value(x));
		else
			printf("  + %s %s\n",
			    json_string_value(json_object_get(x, "rel")),
			    json_string_value(json_object_get(x, "claim")));
	}
}

static void
print_value(const char *title, json_t *ch)
{
	json_t *from, *to;

	if (ch == NULL)
		return;
	from = json_object_get(ch, "from");
	to = json_object_get(ch, "to");
	printf("%-10s %s -> %s\n", title,
	    json_is_string(from) ? json_string_value(from) : "(none)",
	    json_is_string(to) ? json_string_value(to) : "(none)");
}

/* The claims fetched for a narrative, grown as relations are followed. */
struct claims {
	struct claim_entry *e;
	size_t n, cap;
	int rc;
};

typedef uint8_t claim_id[PROTO_HASH_LEN];

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, PROTO_HASH_LEN);
}

/*
 * The claims the listed ones relate to that are not among them, each
 * once, sorted: found by sorting rather than by searching the list for
 * each relation, which a topic of 100,000 claims would not survive.
 */
static claim_id *
related_missing(const struct claims *cs, size_t *out)
{
	claim_id *have, *want;
	size_t nr = 0, m = 0;

	for (size_t i = 0; i < cs->n; i++)
		if (cs->e[i].payload.kind == PROTO_KIND_CLAIM)
			nr += cs->e[i].payload.claim.nrelations;
	have = malloc((cs->n ? cs->n : 1) * sizeof(*have));
	want = malloc((nr ? nr : 1) * sizeof(*want));
	if (have == NULL || want == NULL) {
		free(have);
		free(want);
		return NULL;
	}
	nr = 0;
	for (size_t i = 0; i < cs->n; i++) {
		const struct proto_claim *c = &cs->e[i].payload.claim;

		memcpy(have[i], cs->e[i].claim, PROTO_HASH_LEN);
		if (cs->e[i].payload.kind != PROTO_KIND_CLAIM)
			continue;
		for (size_t r = 0; r < c->nrelations; r++)
			memcpy(
			    want[nr++], c->relations[r].claim, PROTO_HASH_LEN);
	}
	qsort(have, cs->n, sizeof(*have), cmp_id);
	qsort(want, nr, sizeof(*want), cmp_id);
	for (size_t i = 0; i < nr; i++)
		if ((m == 0 || cmp_id(want[m - 1], want[i]) != 0) &&
		    bsearch(want[i], have, cs->n, sizeof(*have), cmp_id) ==
			NULL)
			memmove(want[m++], want[i], PROTO_HASH_LEN);
	free(have);
	*out = m;
	return want;
}

static struct claim_entry *
slot(struct claims *cs)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 64;
		struct claim_entry *e = realloc(cs->e, cap * sizeof(*e));

		if (e == NULL)
			return NULL;
		cs->e = e;
		cs->cap = cap;
	}
	return &cs->e[cs->n];
}

static int
keep(void *ctx, const struct claim_entry *e, uint64_t first)
{
	struct claims *cs = ctx;
	struct claim_entry *s = slot(cs);

	(void)first;
	if (s == NULL ||
	    (cs->rc = claim_entry_open(
		 s, e->index, e->bytes, e->len, false, NULL, 0)) != PROTO_OK)
		return 1;
	cs->n++;
	return 0;
}

/* From an export: the claims (registry records are not narratives). */
static int
keep_claim(void *ctx, const struct claim_entry *e)
{
	if (e->payload.kind != PROTO_KIND_CLAIM)
		return 0;
	return keep(ctx, e, 0);
}

/* All the claim records of the export at path ("-": standard input). */
static int
load_export(const char *path, struct claims *cs)
{
	char err[300];
	FILE *f;
	int rc;

	if ((rc = cli_open_input(path, &f)) != EX_DONE)
		return rc;
	rc = claim_read_export(f, keep_claim, cs, err, sizeof(err));
	cli_close_input(f);
	if (rc == -1)
		return cli_fail(EX_USAGE, "%s: %s", path,
		    cs->rc == PROTO_OK ? "out of memory"
				       : proto_strerror(cs->rc));
	if (rc != PROTO_OK)
		return cli_fail(EX_NOTFOUND, "%s: %s", path, err);
	return EX_DONE;
}

static int
cmp_claim_then_index(const void *a, const void *b)
{
	const struct claim_entry *x = a, *y = b;
	int c = memcmp(x->claim, y->claim, PROTO_HASH_LEN);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

struct by_first {
	uint64_t first; /* the log index of version 1 */
	struct claim_entry e;
};

static int
cmp_first(const void *a, const void *b)
{
	const struct by_first *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * Keeps the newest version of each claim (the last in the log), in order
 * of creation, as claim_list() gives them.
 */
static int
newest_only(struct claims *cs)
{
	struct by_first *b = malloc((cs->n ? cs->n : 1) * sizeof(*b));
	size_t m = 0;
	uint64_t first = 0;
	bool same = false;

	if (b == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	qsort(cs->e, cs->n, sizeof(*cs->e), cmp_claim_then_index);
	for (size_t i = 0; i < cs->n; i++) {
		/* Entries before i may be released: compare i with i + 1. */
		if (!same)
			first = cs->e[i].index;
		same = i + 1 < cs->n &&
		    memcmp(cs->e[i].claim, cs->e[i + 1].claim,
			PROTO_HASH_LEN) == 0;
		if (same) {
			claim_entry_release(&cs->e[i]);
			continue;
		}
		b[m].first = first;
		b[m++].e = cs->e[i];
	}
	qsort(b, m, sizeof(*b), cmp_first);
	for (size_t i = 0; i < m; i++)
		cs->e[i] = b[i].e;
	cs->n = m;
	free(b);
	return EX_DONE;
}

/* "no claims on T by A, B or C": exit 1. */
static int
no_claims(const char *topic, const char **parties, size_t np)
{
	char who[PROTO_SAFE_MAX] = "";
	size_t at = 0;

	for (size_t i = 0; i < np && at < sizeof(who); i++)
		at += (size_t)snprintf(who + at, sizeof(who) - at, "%s%s",
		    i == 0           ? ""
			: i + 1 < np ? ", "
				     : " or ",
		    parties[i]);
	return cli_fail(EX_NOTFOUND, "no claims on %s by %s", topic, who);
}

/*
 * How many independent sources each claim of the narrative and each
 * party's account rest on (docs/narratives.md, Source independence),
 * from the graph of the whole log: into each on-topic claim's card
 * "independence": {"cited", "n_primary", "owners"}, and into n
 * "independence": {party: {"claims", "cited", "n_primary", "owners"}}.
 */
static int
add_independence(struct cli *cli, const char *export, const char *topic,
    const char **parties, size_t np, json_t *n)
{
	struct claim_filter flt = {parties, np, NULL, 0};
	json_t *t, *x, *by = json_object();
	struct cli_graph h;
	size_t i;
	int rc;

	if ((rc = cli_graph_load(cli, export, &h)) != EX_DONE) {
		cli_graph_free(&h);
		json_decref(by);
		return rc;
	}
	if (claim_independence_topic(h.g, topic, &flt, &t) != PROTO_OK) {
		cli_graph_free(&h);
		json_decref(by);
		return cli_fail_err(PROTO_ENOMEM, false, "out of memory");
	}
	json_array_foreach(json_object_get(t, "claims"), i, x)
	{
		json_t *c = json_object_get(json_object_get(n, "claims"),
		    json_string_value(json_object_get(x, "claim")));

		if (c != NULL)
			json_object_set_new(c, "independence",
			    json_pack("{s:O, s:O, s:O}", "cited",
				json_object_get(x, "cited"), "n_primary",
				json_object_get(x, "n_primary"), "owners",
				json_object_get(x, "owners")));
	}
	json_array_foreach(json_object_get(t, "parties"), i, x)
	    json_object_set_new(by,
		json_string_value(json_object_get(x, "party")),
		json_pack("{s:O, s:O, s:O, s:O}", "claims",
		    json_object_get(x, "claims"), "cited",
		    json_object_get(x, "cited"), "n_primary",
		    json_object_get(x, "n_primary"), "owners",
		    json_object_get(x, "owners")));
	json_object_set_new(n, "independence", by);
	json_decref(t);
	cli_graph_free(&h);
	return EX_DONE;
}

static int
topic_diff(struct cli *cli, const char *topic, const char **parties, size_t np,
    const char *html, const char *export)
{
	struct claims cs = {NULL, 0, 0, PROTO_OK};
	claim_id *want;
	size_t nwant;
	char err[256];
	json_t *n;
	int rc;

	if (export != NULL) {
		/* Every claim is there, those related to included. */
		if ((rc = load_export(export, &cs)) != EX_DONE ||
		    (rc = newest_only(&cs)) != EX_DONE)
			goto done;
		goto narrate;
	}
	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	if ((rc = claim_list(cli->client, NULL, topic, keep, &cs, err,
		 sizeof(err))) != PROTO_OK) {
		rc = cli_fail_err(rc, false, "%s", err);
		goto done;
	}
	/* No claim was ever on it: a misspelt topic, said with the closest. */
	if (cs.n == 0 && (rc = cli_topic_known(cli, topic)) != EX_DONE)
		goto done;
	/* The claims they relate to, on this topic or not: a dispute shows
	 * both sides. (Their own relations are not followed.) */
	if ((want = related_missing(&cs, &nwant)) == NULL) {
		rc = cli_fail(EX_USAGE, "out of memory");
		goto done;
	}
	for (size_t k = 0; k < nwant; k++) {
		char hex[2 * PROTO_HASH_LEN + 1];
		struct claim_entry *s;

		if ((s = slot(&cs)) == NULL)
			break;
		proto_hex(want[k], PROTO_HASH_LEN, hex);
		if (claim_get(cli->client, hex, 0, s, NULL, err, sizeof(err)) ==
		    PROTO_OK)
			cs.n++;
	}
	free(want);
narrate:
	if (claim_narrative(cs.e, cs.n, topic, parties, np, &n) != PROTO_OK) {
		rc = cli_fail(EX_USAGE, "out of memory");
		goto done;
	}
	rc = EX_DONE;
	if (json_array_size(json_object_get(n, "timeline")) == 0) {
		/* Nothing to set side by side: said, not drawn as an empty
		 * page. --json still prints the (empty) narrative. */
		rc = no_claims(topic, parties, np);
		if (cli->json)
			cli_print_json(n);
		else
			json_decref(n);
		goto done;
	}
	if ((rc = add_independence(cli, export, topic, parties, np, n)) !=
	    EX_DONE) {
		json_decref(n);
		goto done;
	}
	if (html != NULL) {
		FILE *f = fopen(html, "w");

		if (f == NULL || narrative_html(n, f) != 0)
			rc = cli_fail(EX_USAGE, "cannot write %s", html);
		if (f != NULL)
			fclose(f);
	}
	/* The page is written besides the view, not instead of it: stdout
	 * has what it has without --html, and stderr says where the page
	 * went. */
	if (cli->json)
		cli_print_json(n);
	else {
		narrative_print(n);
		fflush(stdout);
		if (html != NULL && rc == EX_DONE)
			cli_warn("wrote %s", html);
		json_decref(n);
	}
done:
	claim_entries_free(cs.e, cs.n);
	return rc;
}

/*
 * The diff from version from to version to (0: the newest) of one claim
 * whose versions are v[0..m), oldest first (where: the export they came
 * from, or NULL for claimd); between them, every version for its note.
 * Backwards (--from 3 --to 1): the two versions only.
 */
static int
span_diff(const struct claim_entry *v, size_t m, const char *id,
    const char *where, uint64_t from, uint64_t to, json_t **out)
{
	struct claim_entry pair[2];
	int rc;

	for (size_t i = 0; i < m; i++)
		if (v[i].payload.claim.version != i + 1)
			return cli_fail(EX_NOTFOUND,
			    "%s does not hold version %zu of claim %s%s",
			    where ? where : "claimd's history", i + 1, id,
			    where ? " (an export from a later index, or one "
				    "to check with claim verify)"
				  : "");
	if (to == 0)
		to = m;
	if (from > m || to > m)
		return cli_fail(EX_NOTFOUND, "claim %s has %zu version%s%s%s",
		    id, m, m == 1 ? "" : "s", where ? " in " : "",
		    where ? where : "");
	if (from < to)
		rc =
		    claim_diff_span(&v[from - 1], (size_t)(to - from + 1), out);
	else {
		pair[0] = v[from - 1];
		pair[1] = v[to - 1];
		rc = claim_diff_span(pair, 2, out);
	}
	return rc == PROTO_OK ? EX_DONE : cli_fail(EX_USAGE, "out of memory");
}

/* claim diff ID --from N [--to M], the versions from claimd's history. */
static int
version_span(
    struct cli *cli, const char *id, uint64_t from, uint64_t to, json_t **out)
{
	struct claim_entry *v;
	size_t m;
	char err[256];
	int rc;

	*out = NULL;
	if ((rc = claim_history(cli->client, id, &v, &m, err, sizeof(err))) !=
	    PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	rc = span_diff(v, m, id, NULL, from, to, out);
	claim_entries_free(v, m);
	return rc;
}

/*
 * claim diff ID --from N [--to M] --export FILE: the versions of the one
 * claim whose id starts with id, from the export.
 */
static int
version_span_export(
    const char *path, const char *id, uint64_t from, uint64_t to, json_t **out)
{
	struct claims cs = {NULL, 0, 0, PROTO_OK};
	struct claim_entry *v = NULL;
	size_t m = 0, idlen = strlen(id);
	int rc;

	*out = NULL;
	if (idlen < 4 || idlen > 2 * PROTO_HASH_LEN ||
	    strspn(id, "0123456789abcdef") != idlen)
		return cli_fail(EX_USAGE,
		    "with --export, give the claim id in hex (4 digits or "
		    "more)");
	if ((rc = load_export(path, &cs)) != EX_DONE)
		goto done;
	/* This claim's versions, together, in log order. */
	qsort(cs.e, cs.n, sizeof(*cs.e), cmp_claim_then_index);
	for (size_t i = 0; i < cs.n; i++) {
		char hex[2 * PROTO_HASH_LEN + 1];

		proto_hex(cs.e[i].claim, PROTO_HASH_LEN, hex);
		if (strncmp(hex, id, idlen) != 0)
			continue;
		if (v != NULL &&
		    memcmp(v->claim, cs.e[i].claim, PROTO_HASH_LEN) != 0) {
			rc = cli_fail(EX_USAGE,
			    "%s names more than one claim in %s: give more "
			    "digits",
			    id, path);
			goto done;
		}
		if (v == NULL)
			v = &cs.e[i];
		m++;
	}
	if (v == NULL)
		rc = cli_fail(EX_NOTFOUND, "no claim %s in %s", id, path);
	else
		rc = span_diff(v, m, id, path, from, to, out);
done:
	claim_entries_free(cs.e, cs.n);
	return rc;
}

#define PARTIES_MAX 16

/* claim diff --help, and the line of claim --help. */
const struct cmd_text cmd_diff_usage = {
    "diff ID --from N [--to M] [--export FILE] | diff --topic T --party A "
    "--party B ... [--html FILE] [--export FILE]",
    "What changed between two versions of a claim (word by word); or "
    "the narratives of parties on a topic side by side: disputes, "
    "support, what only one says, shared sources, a timeline",
    "  --from N       the older version\n"
    "  --to M         the newer version (default: the newest)\n"
    "  --topic T      the topic of the narratives\n"
    "  --party P      a party, two or more times\n"
    "  --html FILE    also write a page with the parties in columns (one\n"
    "                 column by date for more than four, or on a phone)\n"
    "                 (the terminal view is printed too)\n"
    "                 (none of the parties has a claim on T: exit 1,\n"
    "                 no page)\n"
    "  --export FILE  work on an export (claim export; - for standard\n"
    "                 input) instead of asking claimd: each record's\n"
    "                 hash and signature are checked, the log as a\n"
    "                 whole is claim verify's\n",
};

int
cmd_diff(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"topic", required_argument, NULL, 'T'},
	    {"party", required_argument, NULL, 'p'},
	    {"html", required_argument, NULL, 'H'},
	    {"export", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("diff");
	const char *parties[PARTIES_MAX], *topic = NULL, *html = NULL,
					  *export = NULL;
	uint64_t from = 0, to = 0;
	size_t np = 0;
	json_t *d;
	int c, rc;

	optind = 1;
	while (
	    (c = getopt_long(argc, argv, "f:t:T:p:H:e:", opts, NULL)) != -1) {
		uint64_t *v = c == 'f' ? &from : &to;

		if (c == 'T') {
			topic = optarg;
			continue;
		}
		if (c == 'H') {
			html = optarg;
			continue;
		}
		if (c == 'e') {
			export = optarg;
			continue;
		}
		if (c == 'p') {
			if (np == PARTIES_MAX)
				return cli_usage_error(
				    me, "at most %d parties", PARTIES_MAX);
			parties[np++] = optarg;
			continue;
		}
		if (c == '?')
			return cli_bad_option(me, argv);
		if ((c != 'f' && c != 't') || !cli_parse_u64(optarg, v) ||
		    *v == 0)
			return cli_usage_error(me,
			    "--from and --to take "
			    "version numbers from 1");
	}
	if (topic != NULL) {
		if (np < 2 || optind != argc)
			return cli_usage_error(me,
			    "diff --topic T --party A "
			    "--party B [--party C ...]");
		/* They are printed as they are: slugs only. */
		if (!proto_slug_valid(topic, strlen(topic)))
			return cli_usage_error(me,
			    "topic \"%s\" is not a slug (1 to 64 of a-z 0-9 -)",
			    topic);
		for (size_t i = 0; i < np; i++)
			if (!proto_slug_valid(parties[i], strlen(parties[i])))
				return cli_usage_error(me,
				    "party \"%s\" is not a slug (1 to 64 of "
				    "a-z 0-9 -)",
				    parties[i]);
		/* A misspelt party is exit 1 with the closest one. */
		if (export == NULL) {
			json_t *held;

			if ((rc = cli_parties_fetch(cli, &held)) != EX_DONE)
				return rc;
			for (size_t i = 0; rc == EX_DONE && i < np; i++)
				rc = cli_name_known(
				    json_object_get(held, "parties"), "party",
				    parties[i]);
			json_decref(held);
			if (rc != EX_DONE)
				return rc;
		}
		return topic_diff(cli, topic, parties, np, html, export);
	}
	if (optind + 1 != argc || from == 0)
		return cli_usage_error(me, "give a claim id and --from N");
	if (export != NULL)
		rc = version_span_export(export, argv[optind], from, to, &d);
	else if ((rc = cli_connect(cli)) == EX_DONE)
		rc = version_span(cli, argv[optind], from, to, &d);
	if (rc != EX_DONE)
		return rc;
	if (cli->json) {
		cli_print_json(d);
		return EX_DONE;
	}
	printf("claim %s: version %lld -> %lld\n",
	    json_string_value(json_object_get(d, "claim")),
	    (long long)json_integer_value(json_object_get(d, "from")),
	    (long long)json_integer_value(json_object_get(d, "to")));
	if (json_object_get(d, "statement") != NULL) {
		printf("statement\n  ");
		print_segments(
		    json_object_get(d, "statement"), isatty(STDOUT_FILENO));
	}
	print_value("status", json_object_get(d, "status"));
	print_value("made", json_object_get(d, "made"));
	print_set("topics", json_object_get(d, "topics"), false);
	print_set("sources", json_object_get(d, "sources"), true);
	print_set("relations", json_object_get(d, "relations"), false);
	if (json_is_true(json_object_get(d, "no_sources")))
		printf("no sources in version %lld\n",
		    (long long)json_integer_value(json_object_get(d, "to")));
	if (json_object_get(d, "notes") != NULL) {
		json_t *n;
		size_t i;

		json_array_foreach(json_object_get(d, "notes"), i, n)
		{
			printf("note v%-3lld %s\n",
			    (long long)json_integer_value(
				json_object_get(n, "version")),
			    json_string_value(json_object_get(n, "note")));
		}
	} else if (json_object_get(d, "note") != NULL) {
		printf("note       %s\n",
		    json_string_value(json_object_get(d, "note")));
	}
	{
		/* Beside claim, from, to, the notes and the mark, was
		 * anything changed? */
		size_t keys = json_object_size(d) - 3 -
		    (json_object_get(d, "note") != NULL) -
		    (json_object_get(d, "notes") != NULL) -
		    (json_object_get(d, "no_sources") != NULL);

		if (keys == 0)
			printf("(no changes)\n");
	}
	json_decref(d);
	return EX_DONE;
}
