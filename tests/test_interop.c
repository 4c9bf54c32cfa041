/*
 * test_interop: schema.org ClaimReview in (claim import --claimreview)
 * and out, through a real claimd, on the fixtures in
 * tests/fixtures/claimreview/ (docs/interop.md).
 *
 *   test_interop CLAIMD CLAIM FIXTURES_DIR [CHECKER]
 *
 * CHECKER is tests/interop_check.py, run with /usr/bin/python3 on the
 * exports: the independent tools (pyld, prov) read them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static const char *fixtures;

/* The five fixture files and the ClaimReview records each holds that
 * import must take. */
static const struct {
	const char *file;
	int reviews, refused;
} files[] = {
    {"reviews.jsonl", 14, 0},
    {"graph.json", 6, 0},
    {"array.json", 5, 0},
    {"page.html", 4, 0},
    {"refused.jsonl", 1, 5},
};

static int
setup(void **state)
{
	*state = e2e_fixture_new(NULL);
	return 0;
}

static int
teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

static void
fixture_path(const char *file, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", fixtures, file);
}

/* The number of stderr lines of r holding text. */
static int
count(const char *s, const char *text)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, text)) != NULL; p++)
		n++;
	return n;
}

/* Imports every fixture file; the total of claims stored. */
static int
import_all(struct e2e_fixture *f, bool again)
{
	char path[1024];
	int stored = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct e2e_run r;

		fixture_path(files[i].file, path, sizeof(path));
		e2e_claim_run(&r, NULL, "import", "--claimreview", path,
		    "--admin-key", f->admin_key);
		/* Refusals, or (the second time) claims that exist, are
		 * exit 4; a first clean import is 0. */
		e2e_must(&r, again || files[i].refused ? 4 : 0, files[i].file);
		if (strstr(r.err, "ClaimReview record") == NULL)
			fail_msg("%s: no summary: %s", files[i].file, r.err);
		assert_int_equal(
		    count(r.err, "refused: json:"), files[i].refused);
		stored += count(r.out, "\n");
		if (again)
			assert_int_equal(count(r.out, "\n"), 0);
		e2e_run_free(&r);
	}
	return stored;
}

/* The Half True review of claim 24 in show, show --json and the
 * narrative diff (terminal, JSON, HTML). */
static void
show_and_diff(struct e2e_fixture *f)
{
	char *id = NULL, *line, *save = NULL, html[1024], *page;
	struct e2e_run r;
	json_t *j, *pair;
	FILE *h;
	long n;

	e2e_claim_run(&r, NULL, "list", "--party", "politifact", "--json");
	e2e_must(&r, 0, "list --json");
	for (line = strtok_r(r.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "Half True") != NULL) {
			json_t *o = json_loads(line, 0, NULL);

			assert_non_null(o);
			id = strdup(
			    json_string_value(json_object_get(o, "claim")));
			json_decref(o);
		}
	e2e_run_free(&r);
	assert_non_null(id);
	e2e_claim_run(&r, NULL, "show", id);
	e2e_must(&r, 0, "show");
	assert_non_null(strstr(r.out, "  review   "));
	assert_non_null(
	    strstr(r.out, "rated \"Half True\" (2.5, worst 1, best 5)"));
	e2e_run_free(&r);
	j = e2e_claim_json(NULL, "show", id, "--json");
	pair = json_array_get(json_object_get(j, "relations"), 0);
	assert_string_equal(
	    json_string_value(json_object_get(pair, "rel")), "review");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(pair, "rating"), "value")),
	    "2.5");
	json_decref(j);
	free(id);

	e2e_claim_run(&r, NULL, "diff", "--topic", "fact-checks", "--party",
	    "politifact", "--party", "p-2b8929ba");
	e2e_must(&r, 0, "diff");
	assert_non_null(strstr(r.out, "Reviews (1)"));
	assert_non_null(strstr(
	    r.out, "reviews, rating \"Half True\" (2.5, worst 1, best 5)"));
	e2e_run_free(&r);
	j = e2e_claim_json(NULL, "diff", "--topic", "fact-checks", "--party",
	    "politifact", "--party", "p-2b8929ba", "--json");
	pair = json_array_get(json_object_get(j, "reviews"), 0);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(pair, "rating"), "text")),
	    "Half True");
	assert_int_equal(json_array_size(json_object_get(j, "supports")), 0);
	json_decref(j);

	snprintf(html, sizeof(html), "%s/fc.html", f->dir);
	E2E_CLAIM(0, NULL, "diff", "--topic", "fact-checks", "--party",
	    "politifact", "--party", "p-2b8929ba", "--html", html);
	assert_non_null(h = fopen(html, "r"));
	fseek(h, 0, SEEK_END);
	n = ftell(h);
	rewind(h);
	assert_non_null(page = calloc(1, (size_t)n + 1));
	assert_int_equal(fread(page, 1, (size_t)n, h), (size_t)n);
	fclose(h);
	assert_non_null(strstr(page, "<h2>Reviews</h2>"));
	assert_non_null(strstr(page, "reviewed by"));
	assert_non_null(strstr(
	    page, "rating &quot;Half True&quot; (2.5, worst 1, best 5)"));
	free(page);
}

static void
test_import_claimreview_fixtures(void **state)
{
	struct e2e_fixture *f = *state;
	char path[1024];
	struct e2e_run r;
	size_t reviews = 0, i;

	/* Without the admin key: the parties are named, nothing stored. */
	fixture_path("reviews.jsonl", path, sizeof(path));
	e2e_claim_run(&r, NULL, "import", "--claimreview", path);
	e2e_must(&r, 4, "import without parties");
	assert_non_null(strstr(r.err,
	    "party politifact is not registered: "
	    "claim party add politifact --name "
	    "\"PolitiFact\""));
	assert_non_null(strstr(r.err, "or give --admin-key FILE"));
	assert_string_equal(r.out, "");
	e2e_run_free(&r);

	/* 30 reviews: 30 fact-checks, 29 claimants' claims (one claim is
	 * reviewed twice in graph.json). */
	assert_int_equal(import_all(f, false), 59);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		reviews += (size_t)files[i].reviews;
	assert_true(reviews >= 30);
	/* Importing again adds nothing: each claim exists. */
	assert_int_equal(import_all(f, true), 0);

	/* The refusals, each with its line and reason. */
	fixture_path("refused.jsonl", path, sizeof(path));
	e2e_claim_run(&r, NULL, "import", "--claimreview", path);
	e2e_must(&r, 4, "refusals");
	assert_non_null(
	    strstr(r.err, "line 1: refused: json: no claimReviewed"));
	assert_non_null(strstr(r.err, "line 2: refused: json: no claimant"));
	assert_non_null(strstr(r.err,
	    "line 3: refused: json: a ClaimReview without a schema.org "
	    "@context"));
	assert_non_null(strstr(r.err, "line 4: refused: json: reviewRating"));
	assert_non_null(strstr(r.err, "line 5: refused: json: not JSON"));
	assert_non_null(strstr(r.err, "line 6: exists"));
	e2e_run_free(&r);

	/* The same with --json: one object a line, each with its line. */
	e2e_claim_run(&r, NULL, "import", "--claimreview", path, "--json");
	e2e_must(&r, 4, "refusals --json");
	assert_non_null(strstr(
	    r.err, "{\"line\":3,\"status\":\"refused\",\"error\":\"json\""));
	assert_null(strstr(r.err, "claim: "));
	e2e_run_free(&r);

	/* From standard input: an HTML page, every claim already there. */
	{
		FILE *h;
		char *page;
		long n;

		fixture_path("page.html", path, sizeof(path));
		assert_non_null(h = fopen(path, "r"));
		fseek(h, 0, SEEK_END);
		n = ftell(h);
		rewind(h);
		assert_non_null(page = calloc(1, (size_t)n + 1));
		assert_int_equal(fread(page, 1, (size_t)n, h), (size_t)n);
		fclose(h);
		e2e_claim_run(&r, page, "import", "--claimreview", "-");
		e2e_must(&r, 4, "import -");
		assert_non_null(strstr(r.err, "4 ClaimReview records"));
		assert_non_null(strstr(r.err, "8 already stored"));
		e2e_run_free(&r);
		free(page);
	}
	E2E_CLAIM(2, "[]", "import", "--claimreview", "-");
	E2E_CLAIM(2, NULL, "import", "--claimreview", path, "--topic", "A B");
	E2E_CLAIM(2, NULL, "import", path);

	/* Names in any script: slugs made by the rule, full names kept. */
	e2e_claim_run(&r, NULL, "parties");
	e2e_must(&r, 0, "parties");
	assert_non_null(strstr(r.out, "politifact"));
	assert_non_null(strstr(r.out, "afp-fact-check"));
	assert_non_null(strstr(r.out, "faktyoxla-info"));
	/* Non-ASCII: "p-" and 8 hex digits of the name's SHA-256. */
	assert_non_null(strstr(r.out, "p-2b8929ba"));
	assert_non_null(strstr(r.out, "Иван Петров"));
	assert_non_null(strstr(r.out, "台灣事實查核中心"));
	e2e_run_free(&r);

	/* A review, as show prints it: its rating and the claim it rates. */
	e2e_claim_run(&r, NULL, "list", "--party", "politifact");
	e2e_must(&r, 0, "list");
	assert_non_null(strstr(r.out, "Rated \"Half True\": Claim number 24"));
	e2e_run_free(&r);
	show_and_diff(f);
}

static const char *checker;

/* Runs claim export with args into dir/name. */
static void
export_to(struct e2e_fixture *f, const char *name, const char *a, const char *b,
    const char *c, char *path, size_t n)
{
	struct e2e_run r;

	snprintf(path, n, "%s/%s", f->dir, name);
	if (a == NULL)
		e2e_claim_run(&r, NULL, "export", "--out", path);
	else if (b == NULL)
		e2e_claim_run(&r, NULL, "export", a, "--out", path);
	else
		e2e_claim_run(&r, NULL, "export", a, b, c, "--out", path);
	e2e_must(&r, 0, name);
	e2e_run_free(&r);
}

static void
test_export_claimreview_and_prov(void **state)
{
	struct e2e_fixture *f = *state;
	char log[1024], cr[1024], cr2[1024], pv[1024], pv2[1024];
	char cmd[8192];
	struct e2e_run r;
	json_t *ack;

	assert_int_equal(import_all(f, false), 59);
	/* Provenance for PROV to carry beyond what ClaimReview has: a
	 * chain of derivations down to a primary source, a quote, and a
	 * revision. */
	ack = e2e_claim_json(
	    "{\"party\": \"politifact\", \"topics\": [\"fact-checks\"], "
	    "\"statement\": \"A sourced claim.\", \"sources\": ["
	    "{\"publisher\": \"Policy Journal\", \"title\": \"Analysis\", "
	    "\"derivation\": {\"from\": 1, \"how\": \"summarizes\"}}, "
	    "{\"publisher\": \"News Agency\", \"title\": \"Report\", "
	    "\"quote\": \"the words\", "
	    "\"derivation\": {\"from\": 2, \"how\": \"quotes\"}}, "
	    "{\"publisher\": \"Ministry\", \"title\": \"Statement\"}]}",
	    "submit", "-", "--json");
	snprintf(cmd, sizeof(cmd),
	    "{\"party\": \"politifact\", \"topics\": [\"fact-checks\"], "
	    "\"statement\": \"A sourced claim, revised.\", \"sources\": "
	    "[{\"publisher\": \"Ministry\", \"title\": \"Statement\"}]}");
	E2E_CLAIM(0, cmd, "revise",
	    json_string_value(json_object_get(ack, "claim")), "-", "--note",
	    "fewer sources");
	json_decref(ack);

	export_to(f, "log.jsonl", NULL, NULL, NULL, log, sizeof(log));
	export_to(f, "cr.jsonl", "--claimreview", NULL, NULL, cr, sizeof(cr));
	export_to(f, "prov.json", "--prov", NULL, NULL, pv, sizeof(pv));
	/* From an export, the same as from claimd. */
	export_to(
	    f, "cr2.jsonl", "--claimreview", "--export", log, cr2, sizeof(cr2));
	export_to(f, "prov2.json", "--prov", "--export", log, pv2, sizeof(pv2));
	snprintf(
	    cmd, sizeof(cmd), "cmp -s %s %s && cmp -s %s %s", cr, cr2, pv, pv2);
	assert_int_equal(system(cmd), 0);

	/* The independent tools: pyld, prov, and the fixtures read again
	 * with Python's own json and html.parser. */
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s %s %s %s", checker,
	    fixtures, cr, pv, log);
	assert_int_equal(system(cmd), 0);

	/* The export imported again: every claim is already there. */
	e2e_claim_run(&r, NULL, "import", "--claimreview", cr);
	e2e_must(&r, 4, "import of the export");
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "30 ClaimReview records"));
	assert_non_null(strstr(r.err, "0 stored"));
	assert_int_equal(count(r.err, "refused:"), 0);
	e2e_run_free(&r);

	E2E_CLAIM(2, NULL, "export", "--claimreview", "--prov");
	E2E_CLAIM(2, NULL, "export", "--export", log);
	E2E_CLAIM(2, NULL, "export", "--prov", "--from", "3");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_import_claimreview_fixtures, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_export_claimreview_and_prov, setup, teardown),
	};

	if (argc < 4) {
		fprintf(stderr,
		    "usage: test_interop CLAIMD CLAIM FIXTURES [CHECKER]\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	fixtures = argv[3];
	checker = argc > 4 ? argv[4] : "tests/interop_check.py";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
