/*
 * test_examples: the example narratives loaded into a real claimd, every
 * quote checked against the seed document its SHA-256 names, and quotes
 * checked at submission with --attach.
 *
 *   test_examples CLAIMD CLAIM EXAMPLES_DIR
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "e2e.h"

static const char *examples;

/* Parties from examples/parties.json, each granted to the desk. */
static void
load_parties(struct e2e_fixture *f)
{
	char path[1024];
	json_t *parties, *p;
	size_t i;

	snprintf(path, sizeof(path), "%s/parties.json", examples);
	parties = json_load_file(path, 0, NULL);
	assert_true(json_array_size(parties) >= 6);
	json_array_foreach(parties, i, p)
	{
		const char *slug =
		    json_string_value(json_object_get(p, "slug"));

		E2E_CLAIM(0, NULL, "party", "add", slug, "--name",
		    json_string_value(json_object_get(p, "name")), "--key",
		    f->admin_key);
		E2E_CLAIM(0, NULL, "grant", f->desk_pub, "--party", slug,
		    "--key", f->admin_key);
	}
	json_decref(parties);
}

static int
setup(void **state)
{
	struct e2e_fixture *f = e2e_fixture_new(NULL);

	load_parties(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

/* Links in an HTML page to a card (#c-ID) that the page does not have. */
static int
dangling_links(const char *page)
{
	const char *p = page;
	int bad = 0;

	while ((p = strstr(p, "href=\"#c-")) != NULL) {
		char target[100];
		size_t n;

		p += strlen("href=\"#c-");
		n = strcspn(p, "\"");
		snprintf(target, sizeof(target), "id=\"c-%.*s\"", (int)n, p);
		if (strstr(page, target) == NULL) {
			fprintf(stderr, "no card for the link to %.*s\n",
			    (int)n, p);
			bad++;
		}
	}
	return bad;
}

/* The seed file whose SHA-256 is hex, or fail. */
static void
seed_for(const char *hex, char *out, size_t cap)
{
	char dir[1024];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/seeds", examples);
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		uint8_t h[32];
		char path[1300], got[65], *text;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = tu_read_file(path, &len);
		crypto_hash_sha256(h, (uint8_t *)text, len);
		free(text);
		proto_hex(h, 32, got);
		if (strcmp(got, hex) == 0) {
			snprintf(out, cap, "%s", path);
			closedir(d);
			return;
		}
	}
	closedir(d);
	fail_msg("no seed document has sha256 %s", hex);
}

/*
 * Every quote of one claim version (as claim list/history --json give it)
 * found in the seed document its sha256 names; a quote without a sha256
 * fails. Returns how many were checked.
 */
static int
check_quotes(json_t *c)
{
	json_t *s;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(c, "sources"), i, s)
	{
		const char *q = json_string_value(json_object_get(s, "quote"));
		const char *sha =
		    json_string_value(json_object_get(s, "sha256"));
		char seed[1400];
		json_t *chk;

		if (q == NULL)
			continue;
		if (sha == NULL)
			fail_msg("claim %s v%lld: a quote without the sha256 "
				 "of its document: %s",
			    json_string_value(json_object_get(c, "claim")),
			    (long long)json_integer_value(
				json_object_get(c, "version")),
			    q);
		seed_for(sha, seed, sizeof(seed));
		chk = e2e_claim_json(
		    NULL, "quote-check", seed, "--quote", q, "--json");
		assert_true(json_is_true(json_object_get(chk, "found")));
		assert_string_equal(
		    json_string_value(json_object_get(chk, "sha256")), sha);
		json_decref(chk);
		n++;
	}
	return n;
}

/*
 * The export gives the same diffs as claimd: narratives on every topic of
 * the examples between the parties that dispute each other, and every
 * revised claim's versions. Then an altered export is refused, naming its
 * line.
 */
static void
diffs_from_export_agree(const char *exp)
{
	static const char *const topics[][3] = {
	    {"lachin-checkpoint", "az-mfa", "am-gov"},
	    {"peace-treaty", "az-mfa", "am-pm"},
	    {"karabakh-war-2020", "am-gov", "az-gov"},
	    {"karabakh-armenians", "az-gov", "karabakh-armenians"},
	    {"territorial-integrity", "am-opposition", "am-pm"},
	    {"trilateral-statement-2020", "az-mfa", "anadolu-agency"},
	    {"use-of-force", "az-mfa", "am-mfa"},
	};
	struct e2e_run r;
	json_t *list, *c;
	size_t i;
	int revised = 0;

	for (i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		json_t *a, *b;

		a = e2e_claim_json(NULL, "diff", "--topic", topics[i][0],
		    "--party", topics[i][1], "--party", topics[i][2], "--json");
		b = e2e_claim_json(NULL, "diff", "--topic", topics[i][0],
		    "--party", topics[i][1], "--party", topics[i][2], "--json",
		    "--export", exp);
		assert_true(json_object_size(json_object_get(a, "claims")) > 0);
		if (!json_equal(a, b))
			fail_msg(
			    "%s: the export's narrative differs", topics[i][0]);
		json_decref(a);
		json_decref(b);
	}
	e2e_claim_run(&r, NULL, "list", "--json");
	e2e_must(&r, 0, "list");
	list = json_array();
	{
		char *save = NULL, *line;

		for (line = strtok_r(r.out, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save))
			json_array_append_new(list, json_loads(line, 0, NULL));
	}
	e2e_run_free(&r);
	json_array_foreach(list, i, c)
	{
		const char *id = json_string_value(json_object_get(c, "claim"));
		json_t *a, *b;

		if (json_integer_value(json_object_get(c, "version")) < 2)
			continue;
		revised++;
		a = e2e_claim_json(NULL, "diff", id, "--from", "1", "--json");
		b = e2e_claim_json(
		    NULL, "diff", id, "--from", "1", "--json", "--export", exp);
		if (!json_equal(a, b))
			fail_msg("%s: the export's version diff differs", id);
		json_decref(a);
		json_decref(b);
	}
	json_decref(list);
	assert_true(revised >= 3);

	/* A record altered in the export: refused, naming its line. */
	{
		char bad[700], cmd[1500];

		snprintf(bad, sizeof(bad), "%s.bad", exp);
		snprintf(cmd, sizeof(cmd),
		    "sed -E '10s/(\"record\":\"[^\"]{60})[A-Ma-m]/\\1N/; "
		    "t; 10s/(\"record\":\"[^\"]{60})./\\1A/' %s > %s",
		    exp, bad);
		assert_int_equal(system(cmd), 0);
		e2e_claim_run(&r, NULL, "diff", "--topic", "peace-treaty",
		    "--party", "az-mfa", "--party", "am-pm", "--export", bad);
		e2e_must(&r, 1, "diff --export of an altered export");
		assert_non_null(strstr(r.err, "line 10: "));
		e2e_run_free(&r);
	}
}

static void
test_examples_load_and_every_quote_is_in_its_seed(void **state)
{
	char path[1024], *save = NULL, *line;
	struct e2e_run r;
	int claims = 0, quotes = 0, retracted = 0, revised = 0;
	int disputes = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/narratives.jsonl", examples);
	e2e_claim_run(&r, NULL, "submit", path, "--json");
	e2e_must(&r, 0, "submit the narratives");
	e2e_run_free(&r);

	e2e_claim_run(&r, NULL, "list", "--json");
	e2e_must(&r, 0, "list");
	for (line = strtok_r(r.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *c = json_loads(line, 0, NULL), *rel;
		const char *party =
		    json_string_value(json_object_get(c, "party"));
		size_t i;

		claims++;
		if (strcmp(json_string_value(json_object_get(c, "status")),
			"retracted") == 0)
			retracted++;
		if (json_integer_value(json_object_get(c, "version")) > 1)
			revised++;
		quotes += check_quotes(c);
		if (json_integer_value(json_object_get(c, "version")) > 1) {
			/* The earlier versions' quotes too. */
			struct e2e_run h;
			char *hs = NULL, *hl;

			e2e_claim_run(&h, NULL, "history",
			    json_string_value(json_object_get(c, "claim")),
			    "--json");
			e2e_must(&h, 0, "history");
			for (hl = strtok_r(h.out, "\n", &hs); hl != NULL;
			     hl = strtok_r(NULL, "\n", &hs)) {
				json_t *v = json_loads(hl, 0, NULL);

				assert_non_null(v);
				if (json_integer_value(
					json_object_get(v, "version")) <
				    json_integer_value(
					json_object_get(c, "version")))
					quotes += check_quotes(v);
				json_decref(v);
			}
			e2e_run_free(&h);
		}
		/* Disputes between different parties. */
		json_array_foreach(json_object_get(c, "relations"), i, rel)
		{
			json_t *o;

			if (strcmp(
				json_string_value(json_object_get(rel, "rel")),
				"disputes") != 0)
				continue;
			o = e2e_claim_json(NULL, "show",
			    json_string_value(json_object_get(rel, "claim")),
			    "--json");
			if (strcmp(
				json_string_value(json_object_get(o, "party")),
				party) != 0)
				disputes++;
			json_decref(o);
		}
		json_decref(c);
	}
	e2e_run_free(&r);
	fprintf(stderr,
	    "examples: %d claims, %d quotes checked, %d revised, "
	    "%d retracted, %d disputes between parties\n",
	    claims, quotes, revised, retracted, disputes);
	assert_true(claims >= 40);
	assert_true(quotes >= claims);
	assert_true(revised >= 3);
	assert_int_equal(retracted, 1);
	assert_true(disputes >= 8);
	/* The narrative diff, as JSON and as a page. */
	{
		struct e2e_fixture *f = *state;
		char html[600], *page;
		json_t *n =
		    e2e_claim_json(NULL, "diff", "--topic", "lachin-checkpoint",
			"--party", "az-mfa", "--party", "am-gov", "--json");
		json_t *d = json_array_get(json_object_get(n, "disputes"), 0);

		assert_true(
		    json_array_size(json_object_get(n, "disputes")) >= 1);
		assert_string_equal(
		    json_string_value(json_object_get(d, "party")), "az-mfa");
		assert_string_equal(
		    json_string_value(json_object_get(d, "other_party")),
		    "am-gov");
		snprintf(html, sizeof(html), "%s/lachin.html", f->dir);
		E2E_CLAIM(0, NULL, "diff", "--topic", "lachin-checkpoint",
		    "--party", "az-mfa", "--party", "am-gov", "--html", html);
		page = tu_read_file(html, NULL);
		assert_non_null(strstr(page, "<th>az-mfa</th><th>am-gov</th>"));
		{
			/* The dispute links to the disputed claim's card. */
			char anchor[100];

			snprintf(anchor, sizeof(anchor), "<a href=\"#c-%s\">",
			    json_string_value(json_object_get(d, "other")));
			assert_non_null(strstr(page, anchor));
			snprintf(anchor, sizeof(anchor), "id=\"c-%s\"",
			    json_string_value(json_object_get(d, "other")));
			assert_non_null(strstr(page, anchor));
		}
		assert_int_equal(dangling_links(page), 0);
		assert_non_null(
		    strstr(page, "<h2>Claims only one party makes</h2>"));
		free(page);
		json_decref(n);
	}
	/*
	 * Source independence (docs/narratives.md): seed 004 reports both
	 * sides of the use-of-force dispute, the Armenian spokesperson's
	 * interview and the Azerbaijani ministry's reply, and the narratives
	 * state both derivations, each party's claim the one of its own
	 * side. Each claim rests on the part of the report it states: the
	 * Armenian account on the interview alone, the Azerbaijani on the
	 * reply (and the ministry's own page), never on the other side's
	 * words; a claim citing the report alone (on another topic), saying
	 * nothing of which part, rests on both, through the others'
	 * derivations.
	 */
	{
		json_t *t = e2e_claim_json(NULL, "independence", "--topic",
			   "use-of-force", "--json"),
		       *p, *x;
		size_t i;
		int seen = 0;

		json_array_foreach(json_object_get(t, "parties"), i, p)
		{
			const char *party =
			    json_string_value(json_object_get(p, "party"));

			if (strcmp(party, "am-mfa") != 0 &&
			    strcmp(party, "az-mfa") != 0)
				continue;
			seen++;
			/* az-mfa also cites its own page (seed 000). */
			assert_int_equal(
			    json_integer_value(json_object_get(p, "n_primary")),
			    strcmp(party, "am-mfa") == 0 ? 1 : 2);
		}
		assert_int_equal(seen, 2);
		json_decref(t);
		t = e2e_claim_json(NULL, "independence", "--topic",
		    "prisoners-of-war", "--json");
		seen = 0;
		json_array_foreach(json_object_get(t, "claims"), i, x)
		{
			if (json_integer_value(json_object_get(x, "cited")) !=
			    1)
				continue;
			seen++;
			assert_int_equal(
			    json_integer_value(json_object_get(x, "n_primary")),
			    2);
		}
		assert_true(seen >= 1);
		json_decref(t);
	}
	/* The log verifies, end to end. */
	{
		char exp[600];
		struct e2e_fixture *f = *state;

		snprintf(exp, sizeof(exp), "%s/all.jsonl", f->dir);
		E2E_CLAIM(0, NULL, "export", "--out", exp);
		E2E_CLAIM(0, NULL, "verify", exp, "--admin-key", f->admin_pub);
		diffs_from_export_agree(exp);
	}
}

static void
test_examples_submit_attach_checks_quotes(void **state)
{
	char seed[1400], sha[65], json[2048];
	struct e2e_run r;
	json_t *ack, *c;

	(void)state;
	snprintf(
	    seed, sizeof(seed), "%s/seeds/002_b2ce8da5a8aaae19.txt", examples);
	{
		char *text;
		size_t len;
		uint8_t h[32];

		text = tu_read_file(seed, &len);
		crypto_hash_sha256(h, (uint8_t *)text, len);
		proto_hex(h, 32, sha);
		free(text);
	}
	/* A true quote without sha256: the document's hash is recorded. */
	snprintf(json, sizeof(json),
	    "{\"party\": \"az-mfa\", \"topics\": [\"normalization\"], "
	    "\"statement\": \"Azerbaijan calls for accepting new realities.\", "
	    "\"sources\": [{\"publisher\": \"A News\", \"title\": \"Azeris "
	    "willing\", \"quote\": \"Attempts to directly or indirectly "
	    "support revanche and its armament in Armenia must be "
	    "stopped,\"}]}");
	ack = e2e_claim_json(json, "submit", "-", "--attach", seed, "--json");
	c = e2e_claim_json(NULL, "show",
	    json_string_value(json_object_get(ack, "claim")), "--json");
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(c, "sources"), 0), "sha256")),
	    sha);
	json_decref(c);
	json_decref(ack);
	/* claim quote-check: the real quote is found where it is, an
	 * altered one is refused with exit 1. */
	{
		json_t *q = e2e_claim_json(NULL, "quote-check", seed, "--quote",
		    "Attempts to directly or indirectly support revanche and "
		    "its armament in Armenia must be stopped",
		    "--json");

		assert_true(json_is_true(json_object_get(q, "found")));
		assert_int_equal(
		    json_integer_value(json_object_get(q, "line")), 17);
		assert_string_equal(
		    json_string_value(json_object_get(q, "sha256")), sha);
		json_decref(q);
		e2e_claim_run(&r, NULL, "quote-check", seed, "--quote",
		    "Attempts to directly or indirectly support revanche and "
		    "its armament in Azerbaijan must be stopped");
		e2e_must(&r, 1, "altered quote-check");
		assert_non_null(strstr(r.err, "the quote is not in"));
		e2e_run_free(&r);
	}
	/* An altered quote is refused before anything is signed. */
	snprintf(json, sizeof(json),
	    "{\"party\": \"az-mfa\", \"topics\": [\"normalization\"], "
	    "\"statement\": \"Altered.\", \"sources\": [{\"publisher\": \"A "
	    "News\", \"title\": \"Azeris willing\", \"quote\": \"Attempts to "
	    "support revanche must be stopped\", \"sha256\": \"%s\"}]}",
	    sha);
	e2e_claim_run(&r, json, "submit", "-", "--attach", seed);
	e2e_must(&r, 4, "altered quote");
	assert_non_null(strstr(r.err, "the quote is not in"));
	e2e_run_free(&r);
	/* A quote in none of the attached documents, no sha256 given. */
	e2e_claim_run(&r,
	    "{\"party\": \"az-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"s\", \"sources\": [{\"publisher\": \"p\", \"title\": \"t\", "
	    "\"quote\": \"words nobody wrote\"}]}",
	    "submit", "-", "--attach", seed);
	e2e_must(&r, 4, "unknown quote");
	assert_non_null(strstr(r.err, "in none of the attached documents"));
	e2e_run_free(&r);
}

/*
 * A dispute of a claim on another topic: claim diff fetches the disputed
 * claim, shows the dispute and gives the claim its card, once, however
 * many claims dispute it.
 */
static void
test_examples_diff_fetches_disputed_claims_off_topic(void **state)
{
	char json[1024];
	json_t *ack, *n, *d;
	const char *target;

	ack = e2e_claim_json("{\"party\": \"az-mfa\", \"topics\": "
			     "[\"water-rights\"], \"statement\": \"The "
			     "reservoirs upstream are shared.\"}",
	    "submit", "-", "--json");
	target = json_string_value(json_object_get(ack, "claim"));
	for (int i = 0; i < 2; i++) {
		json_t *a;

		snprintf(json, sizeof(json),
		    "{\"party\": \"am-gov\", \"topics\": [\"corridor\"], "
		    "\"statement\": \"Objection %d: the reservoirs are not "
		    "shared.\", \"relations\": [{\"rel\": \"disputes\", "
		    "\"claim\": \"%s\"}]}",
		    i, target);
		a = e2e_claim_json(json, "submit", "-", "--json");
		json_decref(a);
	}
	n = e2e_claim_json(NULL, "diff", "--topic", "corridor", "--party",
	    "am-gov", "--party", "az-mfa", "--json");
	assert_int_equal(json_array_size(json_object_get(n, "disputes")), 2);
	for (size_t i = 0; i < 2; i++) {
		d = json_array_get(json_object_get(n, "disputes"), i);
		assert_string_equal(
		    json_string_value(json_object_get(d, "other")), target);
		assert_string_equal(
		    json_string_value(json_object_get(d, "other_party")),
		    "az-mfa");
	}
	d = json_object_get(json_object_get(n, "claims"), target);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "statement")),
	    "The reservoirs upstream are shared.");
	/* Off the topic, it is not on the topic's timeline. */
	for (size_t i = 0; i < json_array_size(json_object_get(n, "timeline"));
	     i++)
		assert_string_not_equal(json_string_value(json_array_get(
					    json_object_get(n, "timeline"), i)),
		    target);
	json_decref(n);
	/* On the page too: the disputed claim has a card the links reach. */
	{
		struct e2e_fixture *f = *state;
		char html[600], want[120], *page;

		snprintf(html, sizeof(html), "%s/corridor.html", f->dir);
		E2E_CLAIM(0, NULL, "diff", "--topic", "corridor", "--party",
		    "am-gov", "--party", "az-mfa", "--html", html);
		page = tu_read_file(html, NULL);
		snprintf(want, sizeof(want), "id=\"c-%s\"", target);
		assert_non_null(strstr(page, want));
		assert_non_null(
		    strstr(page, "<h2>Related claims on other topics</h2>"));
		assert_int_equal(dangling_links(page), 0);
		free(page);
	}
	json_decref(ack);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_examples_load_and_every_quote_is_in_its_seed, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_examples_submit_attach_checks_quotes, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_examples_diff_fetches_disputed_claims_off_topic, setup,
		teardown),
	};

	if (argc < 4) {
		fprintf(stderr, "usage: test_examples CLAIMD CLAIM EXAMPLES\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	examples = argv[3];
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
