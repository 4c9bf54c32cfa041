/*
 * test_independence_e2e: claim independence through a real claimd, and
 * the same answers from an export of its log with no daemon.
 *
 *   test_independence_e2e CLAIMD CLAIM
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "e2e.h"
#include "testutil.h"

static int
setup(void **state)
{
	static const char *const parties[] = {"am-mfa", "az-mfa", NULL};

	*state = e2e_fixture_new(parties);
	return 0;
}

static int
teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

/* Submits one claim; returns its id (caller frees). */
static char *
submit(const char *json)
{
	json_t *ack = e2e_claim_json(json, "submit", "-", "--json");
	char *id = strdup(json_string_value(json_object_get(ack, "claim")));

	json_decref(ack);
	return id;
}

static json_int_t
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* A party's entry of a topic answer. */
static json_t *
party_of(json_t *t, const char *party)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(t, "parties"), i, p)
	{
		if (strcmp(json_string_value(json_object_get(p, "party")),
			party) == 0)
			return p;
	}
	fail_msg("no party %s in the answer", party);
	return NULL;
}

/* Fails unless r's stderr holds text. */
static void
err_has(struct e2e_run *r, const char *text)
{
	if (r->err == NULL || strstr(r->err, text) == NULL)
		fail_msg("stderr lacks \"%s\": %s", text, r->err ? r->err : "");
}

/*
 * An export whose third and fifth lines were altered (a hash digit
 * changed) is refused, naming the third: the first bad line, though the
 * lines are checked many at once.
 */
static void
altered_export(const char *dir, const char *exp)
{
	char *text = tu_read_file(exp, NULL), bad[600], *line, *h;
	struct e2e_run r;
	FILE *out;
	int n = 0;

	assert_non_null(text);
	snprintf(bad, sizeof(bad), "%s/altered.jsonl", dir);
	assert_non_null(out = fopen(bad, "w"));
	for (line = strtok(text, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		if ((++n == 3 || n == 5) &&
		    (h = strstr(line, "\"hash\":\"")) != NULL)
			h[8] = h[8] == '0' ? '1' : '0';
		fprintf(out, "%s\n", line);
	}
	assert_int_equal(fclose(out), 0);
	assert_true(n >= 5);
	free(text);
	e2e_claim_run(&r, NULL, "independence", "--topic", "border", "--export",
	    bad, "--server", "tcp://127.0.0.1:1");
	e2e_must(&r, 1, "an altered export");
	assert_non_null(strstr(r.err, "line 3: "));
	assert_non_null(strstr(r.err, "altered"));
	e2e_run_free(&r);
}

static void
test_independence_claimd_and_export(void **state)
{
	struct e2e_fixture *f = *state;
	char *two, *loop, *copy, exp[600];
	json_t *a, *b, *t, *u, *p;
	struct e2e_run r;

	/* A report of a ministry statement, and an observers' report: two
	 * independent roots. */
	two = submit("{\"party\": \"am-mfa\", \"topics\": [\"border\"], "
		     "\"statement\": \"Troops crossed the border.\", "
		     "\"sources\": ["
		     "{\"publisher\": \"Daily\", \"title\": \"Report\", "
		     "\"url\": \"https://daily.example/r\", \"derivation\": "
		     "{\"from\": 1, \"how\": \"reports\"}},"
		     "{\"publisher\": \"Ministry\", \"title\": \"Statement\", "
		     "\"url\": \"https://mfa.example/s\"},"
		     "{\"publisher\": \"Observers\", \"title\": \"Mission\", "
		     "\"url\": \"https://obs.example/m\"}]}");
	/* X reports Y, says one claim; Y reports X, says another: a loop
	 * with nothing upstream. */
	loop = submit("{\"party\": \"az-mfa\", \"topics\": [\"border\"], "
		      "\"statement\": \"No troops crossed.\", \"sources\": ["
		      "{\"publisher\": \"Outlet X\", \"title\": \"X\", "
		      "\"derivation\": {\"from\": 1, \"how\": \"reports\"}},"
		      "{\"publisher\": \"Outlet Y\", \"title\": \"Y\"}]}");
	free(submit("{\"party\": \"az-mfa\", \"topics\": [\"other\"], "
		    "\"statement\": \"The loop closes.\", \"sources\": ["
		    "{\"publisher\": \"Outlet Y\", \"title\": \"Y\", "
		    "\"derivation\": {\"from\": 1, \"how\": \"reports\"}},"
		    "{\"publisher\": \"Outlet X\", \"title\": \"X\"}]}"));
	/* A copy of the daily's report (the same URL, another title): it
	 * rests on the ministry through the first claim's derivation. */
	copy =
	    submit("{\"party\": \"am-mfa\", \"topics\": [\"border\"], "
		   "\"statement\": \"Troops were seen at the border.\", "
		   "\"sources\": ["
		   "{\"publisher\": \"Paper\", \"title\": \"Copy\", "
		   "\"derivation\": {\"from\": 1, \"how\": \"republishes\"}},"
		   "{\"publisher\": \"Daily (web)\", \"title\": \"Report!\", "
		   "\"url\": \"https://daily.example/r\"}]}");

	a = e2e_claim_json(NULL, "independence", two, "--json");
	assert_int_equal(num(a, "cited"), 3);
	assert_int_equal(num(a, "n_primary"), 2);
	assert_int_equal(json_array_size(json_object_get(a, "loops")), 0);
	json_decref(a);

	e2e_claim_run(&r, NULL, "independence", two);
	e2e_must(&r, 0, "independence");
	if (strstr(r.out, "cites 3 sources, 2 independent") == NULL ||
	    strstr(r.out, "reports Ministry, \"Statement\"") == NULL)
		fail_msg("independence: %s", r.out);
	e2e_run_free(&r);

	a = e2e_claim_json(NULL, "independence", loop, "--json");
	assert_int_equal(num(a, "n_primary"), 0);
	assert_int_equal(json_array_size(json_object_get(a, "loops")), 1);
	assert_true(json_is_false(json_object_get(
	    json_array_get(json_object_get(a, "loops"), 0), "fed")));
	assert_int_equal(json_array_size(json_object_get(a, "unresolved")), 2);
	json_decref(a);

	a = e2e_claim_json(NULL, "independence", copy, "--json");
	assert_int_equal(num(a, "cited"), 2);
	assert_int_equal(num(a, "n_primary"), 1);
	assert_int_equal(num(json_array_get(json_object_get(a, "roots"), 0),
			     "amplification"),
	    2);

	t = e2e_claim_json(NULL, "independence", "--topic", "border", "--json");
	assert_int_equal(json_array_size(json_object_get(t, "claims")), 3);
	p = party_of(t, "am-mfa");
	assert_int_equal(num(p, "claims"), 2);
	assert_int_equal(num(p, "cited"), 4);
	assert_int_equal(num(p, "n_primary"), 2);
	p = party_of(t, "az-mfa");
	assert_int_equal(num(p, "n_primary"), 0);

	/* The same answers from an export, with no daemon. */
	snprintf(exp, sizeof(exp), "%s/log.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	b = e2e_claim_json(NULL, "independence", copy, "--export", exp,
	    "--json", "--server", "tcp://127.0.0.1:1");
	assert_true(json_equal(a, b));
	json_decref(b);
	u = e2e_claim_json(NULL, "independence", "--topic", "border",
	    "--export", exp, "--json", "--server", "tcp://127.0.0.1:1");
	assert_true(json_equal(t, u));
	json_decref(u);
	json_decref(a);
	json_decref(t);
	altered_export(f->dir, exp);

	/* The figure where people look: claim show, and claim diff --topic
	 * in the terminal, as JSON and as a page, each with the way to the
	 * details; the same from the export. */
	e2e_claim_run(&r, NULL, "show", two);
	e2e_must(&r, 0, "show");
	if (strstr(r.out,
		"cites 3 sources, 2 independent (details: claim "
		"independence ") == NULL)
		fail_msg("show: %s", r.out);
	e2e_run_free(&r);
	a = e2e_claim_json(NULL, "show", two, "--json");
	assert_int_equal(
	    num(json_object_get(a, "independence"), "n_primary"), 2);
	assert_int_equal(num(json_object_get(a, "independence"), "cited"), 3);
	json_decref(a);
	a = e2e_claim_json(NULL, "show", loop, "--json");
	assert_int_equal(
	    num(json_object_get(a, "independence"), "n_primary"), 0);
	json_decref(a);
	e2e_claim_run(&r, NULL, "diff", "--topic", "border", "--party",
	    "am-mfa", "--party", "az-mfa");
	e2e_must(&r, 0, "diff --topic");
	if (strstr(r.out,
		"Independent sources (details: claim independence "
		"--topic border)") == NULL ||
	    strstr(r.out, "am-mfa   cites 4 sources, 2 independent") == NULL ||
	    strstr(r.out, "az-mfa   cites 2 sources, 0 independent") == NULL ||
	    strstr(r.out, "[cites 3 sources, 2 independent]") == NULL)
		fail_msg("diff --topic: %s", r.out);
	e2e_run_free(&r);
	a = e2e_claim_json(NULL, "diff", "--topic", "border", "--party",
	    "am-mfa", "--party", "az-mfa", "--json");
	assert_int_equal(
	    num(json_object_get(json_object_get(a, "independence"), "am-mfa"),
		"n_primary"),
	    2);
	assert_int_equal(
	    num(json_object_get(
		    json_object_get(json_object_get(a, "claims"), two),
		    "independence"),
		"n_primary"),
	    2);
	b = e2e_claim_json(NULL, "diff", "--topic", "border", "--party",
	    "am-mfa", "--party", "az-mfa", "--json", "--export", exp,
	    "--server", "tcp://127.0.0.1:1");
	assert_true(json_equal(json_object_get(a, "independence"),
	    json_object_get(b, "independence")));
	json_decref(a);
	json_decref(b);
	{
		char page[700], *html;

		snprintf(page, sizeof(page), "%s/border.html", f->dir);
		E2E_CLAIM(0, NULL, "diff", "--topic", "border", "--party",
		    "am-mfa", "--party", "az-mfa", "--html", page);
		html = tu_read_file(page, NULL);
		if (strstr(html, "<h2>Independent sources</h2>") == NULL ||
		    strstr(html,
			"am-mfa (2 claims): cites 4 sources, 2 "
			"independent") == NULL ||
		    strstr(html,
			"<span class=\"ind\" title=\"claim "
			"independence ") == NULL ||
		    strstr(html, "<code>claim independence --topic border") ==
			NULL)
			fail_msg("diff --html: %s", html);
		free(html);
	}

	/* Misspelt names: the closest one, from claimd and from the export. */
	e2e_claim_run(&r, NULL, "independence", "--topic", "bordr");
	e2e_must(&r, 1, "unknown topic");
	err_has(&r, "did you mean \"border\"");
	e2e_run_free(&r);
	e2e_claim_run(
	    &r, NULL, "independence", "--topic", "border", "--party", "am-mfx");
	e2e_must(&r, 1, "unknown party");
	err_has(&r, "did you mean \"am-mfa\"");
	e2e_run_free(&r);
	e2e_claim_run(
	    &r, NULL, "independence", "--topic", "bordr", "--export", exp);
	e2e_must(&r, 1, "unknown topic in an export");
	err_has(&r, "did you mean \"border\"");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "independence", "--topik", "border");
	e2e_must(&r, 2, "unknown option");
	err_has(&r, "--topic");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "independence", "--help");
	e2e_must(&r, 0, "--help");
	e2e_run_free(&r);
	E2E_CLAIM(2, NULL, "independence");
	E2E_CLAIM(1, NULL, "independence", "00000000");
	free(two);
	free(loop);
	free(copy);
}

/*
 * Owners (docs/format.md, Owners) through claimd: claim owner set puts
 * the wire and its regional edition under one owner, signed by the
 * admin (the desk is refused); the claim citing both then rests on one
 * root fewer, and an export answers the same; claim owner withdraw
 * undoes it.
 */
static void
test_independence_owners(void **state)
{
	struct e2e_fixture *f = *state;
	char *id, exp[600];
	json_t *a, *b, *t, *u;
	struct e2e_run r;

	id = submit("{\"party\": \"am-mfa\", \"topics\": [\"border\"], "
		    "\"statement\": \"Troops crossed the border.\", "
		    "\"sources\": ["
		    "{\"publisher\": \"Wire\", \"title\": \"Incident\"},"
		    "{\"publisher\": \"Wire Regional\", \"title\": \"Incident "
		    "in the region\"},"
		    "{\"publisher\": \"Daily\", \"title\": \"Report\", "
		    "\"derivation\": {\"from\": 0, \"how\": \"reports\"}},"
		    "{\"publisher\": \"Observers\", \"title\": \"Mission\"}]}");
	a = e2e_claim_json(NULL, "independence", id, "--json");
	assert_int_equal(num(a, "cited"), 4);
	assert_int_equal(num(a, "n_primary"), 3);
	json_decref(a);

	/* Only the admin key signs an owner record. */
	e2e_claim_run(&r, NULL, "owner", "set", "wire-group", "--publisher",
	    "Wire", "--publisher", "Wire Regional");
	e2e_must(&r, 4, "owner set with the desk's key");
	err_has(&r, "admin key");
	e2e_run_free(&r);
	E2E_CLAIM(0, NULL, "owner", "set", "wire-group", "--publisher", "Wire",
	    "--publisher", "Wire Regional", "--key", f->admin_key);

	a = e2e_claim_json(NULL, "independence", id, "--json");
	assert_int_equal(num(a, "n_primary"), 2);
	assert_int_equal(num(a, "owners"), 2);
	e2e_claim_run(&r, NULL, "independence", id);
	e2e_must(&r, 0, "independence with an owner");
	if (strstr(r.out, "cites 4 sources, 2 independent") == NULL ||
	    strstr(r.out, "[owner wire-group]") == NULL)
		fail_msg("independence: %s", r.out);
	e2e_run_free(&r);
	t = e2e_claim_json(NULL, "independence", "--topic", "border", "--json");
	assert_int_equal(num(party_of(t, "am-mfa"), "n_primary"), 2);

	/* The log shows it; an export answers the same, and verifies. */
	e2e_claim_run(&r, NULL, "log");
	e2e_must(&r, 0, "log");
	if (strstr(r.out, "owner") == NULL ||
	    strstr(r.out, "publishers Wire, Wire Regional") == NULL)
		fail_msg("log: %s", r.out);
	e2e_run_free(&r);
	snprintf(exp, sizeof(exp), "%s/owners.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	E2E_CLAIM(0, NULL, "verify", exp, "--admin-key", f->admin_pub);
	b = e2e_claim_json(NULL, "independence", id, "--export", exp, "--json",
	    "--server", "tcp://127.0.0.1:1");
	assert_true(json_equal(a, b));
	json_decref(b);
	u = e2e_claim_json(NULL, "independence", "--topic", "border",
	    "--export", exp, "--json", "--server", "tcp://127.0.0.1:1");
	assert_true(json_equal(t, u));
	json_decref(u);
	json_decref(t);
	json_decref(a);

	/* Withdrawn: each outlet counts on its own again. */
	E2E_CLAIM(
	    0, NULL, "owner", "withdraw", "wire-group", "--key", f->admin_key);
	a = e2e_claim_json(NULL, "independence", id, "--json");
	assert_int_equal(num(a, "n_primary"), 3);
	json_decref(a);

	/* Usage. */
	E2E_CLAIM(2, NULL, "owner", "set", "wire-group");
	E2E_CLAIM(2, NULL, "owner", "set", "Wire Group", "--publisher", "W");
	E2E_CLAIM(
	    2, NULL, "owner", "withdraw", "wire-group", "--publisher", "W");
	E2E_CLAIM(2, NULL, "owner", "add", "wire-group");
	e2e_claim_run(&r, NULL, "owner", "set", "x", "--publishr", "W");
	e2e_must(&r, 2, "unknown option");
	err_has(&r, "--publisher");
	e2e_run_free(&r);
	E2E_CLAIM(0, NULL, "owner", "--help");
	free(id);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_independence_claimd_and_export, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_independence_owners, setup, teardown),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: test_independence_e2e CLAIMD CLAIM\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
