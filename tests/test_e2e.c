/*
 * test_e2e: a real claimd on free loopback ports and a temporary folder,
 * driven by the real claim binary.
 *
 *   test_e2e CLAIMD CLAIM
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "e2e.h"

/* A claim watch a test leaves running: teardown stops it if it failed. */
static pid_t watcher;

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
	if (watcher > 0) {
		kill(watcher, SIGKILL);
		waitpid(watcher, NULL, 0);
		watcher = 0;
	}
	e2e_fixture_free(*state);
	return 0;
}

/* Submits one claim; returns its id (caller frees). */
static char *
submit(const char *json)
{
	json_t *ack = e2e_claim_json(json, "submit", "-", "--json");
	char *id = strdup(json_string_value(json_object_get(ack, "claim")));

	assert_int_equal(
	    json_integer_value(json_object_get(ack, "version")), 1);
	json_decref(ack);
	return id;
}

static json_int_t
log_size(void)
{
	json_t *st = e2e_claim_json(NULL, "stats", "--json");
	json_int_t n = json_integer_value(json_object_get(st, "size"));

	json_decref(st);
	return n;
}

/* A string member of a JSON object, copied (caller frees). */
static char *
json_str(json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	if (v == NULL)
		fail_msg("no string \"%s\" in the JSON", name);
	return strdup(v);
}

/* The hash show --json gives for a claim (version 0: the newest). */
static char *
shown_hash(const char *id, int version)
{
	char v[16];
	json_t *j;
	char *h;

	snprintf(v, sizeof(v), "%d", version);
	j = version > 0
	    ? e2e_claim_json(NULL, "show", id, "--version", v, "--json")
	    : e2e_claim_json(NULL, "show", id, "--json");
	h = json_str(j, "hash");
	json_decref(j);
	return h;
}

static void
test_e2e_claim_lifecycle(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_run r;
	json_t *j, *h;
	char *id, *hash[3], prefix[9];

	/* The acknowledgement names the record's hash; a claim's id is the
	 * hash of its version 1. */
	j = e2e_claim_json(
	    "{\"party\": \"am-mfa\", \"topics\": [\"use-of-force\"], "
	    "\"statement\": \"Aliyev threatened to use force.\", "
	    "\"made\": \"2021-04-20\", \"sources\": [{\"publisher\": "
	    "\"Young Bhartiya\", \"title\": \"Azerbaijan Ready\", "
	    "\"published\": \"2021-04-22\"}]}",
	    "submit", "-", "--json");
	id = json_str(j, "claim");
	hash[0] = json_str(j, "hash");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "index")), 4);
	json_decref(j);
	assert_int_equal(strlen(hash[0]), 64);
	assert_string_equal(hash[0], id);
	snprintf(prefix, sizeof(prefix), "%.8s", id);

	/* show, by an 8-digit prefix. */
	j = e2e_claim_json(NULL, "show", prefix, "--json");
	assert_string_equal(json_string_value(json_object_get(j, "claim")), id);
	assert_string_equal(
	    json_string_value(json_object_get(j, "party")), "am-mfa");
	assert_string_equal(
	    json_string_value(json_object_get(j, "status")), "asserted");
	assert_string_equal(
	    json_string_value(json_object_get(j, "signer")), f->desk_pub);
	assert_int_equal(json_integer_value(json_object_get(j, "index")), 4);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(j, "hash")), hash[0]);
	assert_true(json_integer_value(json_object_get(j, "time")) > 0);
	json_decref(j);
	e2e_claim_run(&r, NULL, "show", prefix, NULL);
	e2e_must(&r, 0, "show");
	assert_non_null(strstr(r.out, "Aliyev threatened to use force."));
	assert_non_null(strstr(r.out, "Young Bhartiya"));
	e2e_run_free(&r);

	/* revise: the party may be left out; it is the claim's. */
	e2e_claim_run(&r,
	    "{\"topics\": [\"use-of-force\"], \"statement\": \"Aliyev "
	    "threatened to use force against Armenia.\"}",
	    "revise", prefix, "-", "--note", "wording", "--json", NULL);
	e2e_must(&r, 0, "revise");
	j = json_loads(r.out, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "index")), 5);
	assert_string_equal(json_string_value(json_object_get(j, "claim")), id);
	hash[1] = json_str(j, "hash");
	json_decref(j);
	e2e_run_free(&r);
	{
		char *shown = shown_hash(id, 0);

		assert_string_equal(shown, hash[1]);
		free(shown);
	}

	/* retract */
	j = e2e_claim_json(
	    NULL, "retract", id, "--reason", "misattributed", "--json");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
	hash[2] = json_str(j, "hash");
	json_decref(j);
	j = e2e_claim_json(NULL, "show", id, "--json");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
	assert_string_equal(
	    json_string_value(json_object_get(j, "hash")), hash[2]);
	assert_string_equal(
	    json_string_value(json_object_get(j, "status")), "retracted");
	assert_string_equal(
	    json_string_value(json_object_get(j, "note")), "misattributed");
	/* A retraction keeps what the claim said. */
	assert_string_equal(json_string_value(json_object_get(j, "statement")),
	    "Aliyev threatened to use force against Armenia.");
	json_decref(j);

	/* history: three versions in order, one JSON object a line. */
	e2e_claim_run(&r, NULL, "history", prefix, "--json", NULL);
	e2e_must(&r, 0, "history");
	{
		char *save = NULL, *line;
		int v = 0;

		for (line = strtok_r(r.out, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			h = json_loads(line, 0, NULL);
			assert_non_null(h);
			assert_int_equal(
			    json_integer_value(json_object_get(h, "version")),
			    ++v);
			assert_true(v <= 3);
			/* Each version's hash is the one its ack named. */
			assert_string_equal(
			    json_string_value(json_object_get(h, "hash")),
			    hash[v - 1]);
			assert_int_equal(
			    json_integer_value(json_object_get(h, "index")),
			    3 + v);
			json_decref(h);
		}
		assert_int_equal(v, 3);
	}
	e2e_run_free(&r);

	/* show --version 1 is still the original. */
	j = e2e_claim_json(NULL, "show", id, "--version", "1", "--json");
	assert_string_equal(json_string_value(json_object_get(j, "statement")),
	    "Aliyev threatened to use force.");
	json_decref(j);

	/* diff between versions, word by word. */
	j = e2e_claim_json(
	    NULL, "diff", id, "--from", "1", "--to", "2", "--json");
	{
		json_t *seg = json_object_get(j, "statement");
		json_t *last = json_array_get(seg, json_array_size(seg) - 1);

		assert_string_equal(
		    json_string_value(json_object_get(last, "op")), "add");
		assert_non_null(
		    strstr(json_string_value(json_object_get(last, "text")),
			"against Armenia."));
	}
	assert_string_equal(
	    json_string_value(json_object_get(j, "note")), "wording");
	assert_null(json_object_get(j, "notes"));
	json_decref(j);
	/* Over both revisions (to the head): each one's note, in order. */
	j = e2e_claim_json(NULL, "diff", id, "--from", "1", "--json");
	assert_int_equal(json_integer_value(json_object_get(j, "to")), 3);
	{
		json_t *want =
		    json_pack("[{s:i, s:s}, {s:i, s:s}]", "version", 2, "note",
			"wording", "version", 3, "note", "misattributed");

		assert_true(json_equal(json_object_get(j, "notes"), want));
		json_decref(want);
	}
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(j, "status"), "to")),
	    "retracted");
	json_decref(j);
	e2e_claim_run(&r, NULL, "diff", id, "--from", "1", NULL);
	e2e_must(&r, 0, "diff --from 1");
	assert_non_null(strstr(r.out, "note v2   wording\n"));
	assert_non_null(strstr(r.out, "note v3   misattributed\n"));
	e2e_run_free(&r);
	/* Every range, from claimd and from an export alike. */
	{
		char exp[600];

		snprintf(exp, sizeof(exp), "%s/lifecycle.jsonl", f->dir);
		E2E_CLAIM(0, NULL, "export", "--out", exp);
		for (int x = 0; x < 2; x++) {
			/* Without --export, NULL ends the arguments. */
			const char *e1 = x ? "--export" : NULL;
			const char *e2 = x ? exp : NULL;
			json_t *d;

			/* Backwards: the two versions, no notes between. */
			d = e2e_claim_json(NULL, "diff", id, "--from", "3",
			    "--to", "1", "--json", e1, e2);
			assert_int_equal(
			    json_integer_value(json_object_get(d, "from")), 3);
			assert_int_equal(
			    json_integer_value(json_object_get(d, "to")), 1);
			assert_null(json_object_get(d, "notes"));
			json_decref(d);
			/* One version against itself: nothing changed. */
			e2e_claim_run(&r, NULL, "diff", id, "--from", "2",
			    "--to", "2", e1, e2);
			e2e_must(&r, 0, "diff --from 2 --to 2");
			assert_non_null(strstr(r.out, "(no changes)"));
			e2e_run_free(&r);
			/* Past the newest: not found. */
			e2e_claim_run(&r, NULL, "diff", id, "--from", "1",
			    "--to", "9", e1, e2);
			e2e_must(&r, 1, "diff --to 9");
			e2e_run_free(&r);
			/* The notes over both revisions, from the export. */
			d = e2e_claim_json(
			    NULL, "diff", id, "--from", "1", "--json", e1, e2);
			assert_int_equal(
			    json_array_size(json_object_get(d, "notes")), 2);
			json_decref(d);
		}
	}
	free(id);
	for (int i = 0; i < 3; i++)
		free(hash[i]);

	/* Not found is exit 1; a bad prefix is a usage error. */
	E2E_CLAIM(1, NULL, "show", "0000000000000000");
	E2E_CLAIM(2, NULL, "show", "xyz");

	/*
	 * stats reports arrival-to-stored latency once the writer has
	 * summed up a quiet second: present, ordered, and plausible.
	 */
	{
		json_int_t p50 = 0, p99 = 0;

		for (int i = 0; i < 200 && p50 == 0; i++) {
			j = e2e_claim_json(NULL, "stats", "--json");
			p50 = json_integer_value(
			    json_object_get(j, "latency_p50_us"));
			p99 = json_integer_value(
			    json_object_get(j, "latency_p99_us"));
			json_decref(j);
			if (p50 == 0)
				usleep(100 * 1000);
		}
		assert_true(p50 > 0);
		assert_true(p99 >= p50);
		assert_true(p99 < 10 * 1000 * 1000);
		/* A commit is part of a claim's way to stored: shorter. */
		j = e2e_claim_json(NULL, "stats", "--json");
		assert_true(json_integer_value(
				json_object_get(j, "commit_p50_us")) > 0);
		assert_true(
		    json_integer_value(json_object_get(j, "commit_p99_us")) >=
		    json_integer_value(json_object_get(j, "commit_p50_us")));
		assert_true(
		    json_integer_value(json_object_get(j, "commit_max_us")) >=
		    json_integer_value(json_object_get(j, "commit_p99_us")));
		assert_true(
		    json_is_integer(json_object_get(j, "commits_over_5ms")));
		/* The rate is over the seconds claimd has been up, while
		 * that is less than a minute. */
		if (json_integer_value(json_object_get(j, "uptime")) < 50)
			assert_int_equal(
			    json_integer_value(json_object_get(j, "rate")),
			    json_integer_value(json_object_get(j, "accepted")) /
				(json_integer_value(
				     json_object_get(j, "uptime")) +
				    1));
		json_decref(j);
		/* The counts, with the values this test made: two parties
		 * and grants from the fixture, one claim revised once and
		 * retracted, no watcher. */
		j = e2e_claim_json(NULL, "stats", "--json");
		{
			static const struct {
				const char *name;
				json_int_t want;
			} known[] = {{"size", 7}, {"claims", 1},
			    {"revisions", 1}, {"retractions", 1},
			    {"parties", 2}, {"grants", 2}, {"revokes", 0},
			    {"subscribers", 0}, {"refused", 0},
			    {"in_flight", 0}, {"map_size", 1 << 30}};

			for (size_t i = 0; i < sizeof(known) / sizeof(known[0]);
			     i++) {
				json_t *v = json_object_get(j, known[i].name);

				if (!json_is_integer(v) ||
				    json_integer_value(v) != known[i].want)
					fail_msg("stats %s: %lld, want %lld",
					    known[i].name,
					    (long long)json_integer_value(v),
					    (long long)known[i].want);
			}
		}
		/* disk_used is what LMDB's file holds: whole pages, all of
		 * data.mdb when nothing is being written. */
		{
			char path[700];
			struct stat st;
			json_int_t used =
			    json_integer_value(json_object_get(j, "disk_used"));

			snprintf(path, sizeof(path), "%s/db/data.mdb", f->data);
			assert_int_equal(stat(path, &st), 0);
			assert_true(used > 0);
			assert_int_equal(used % sysconf(_SC_PAGESIZE), 0);
			assert_int_equal(used, (json_int_t)st.st_size);
		}
		json_decref(j);
		e2e_claim_run(&r, NULL, "stats", NULL);
		e2e_must(&r, 0, "stats");
		assert_non_null(strstr(r.out, "latency      p50 "));
		assert_non_null(strstr(r.out, "commits      p50 "));
		e2e_run_free(&r);
	}
}

static void
test_e2e_ungranted_key_and_revocation(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_run r;
	const char *claim = "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
			    "\"statement\": \"From a stranger.\"}";

	/* A key without a grant is refused: exit 4, no entry. */
	e2e_claim_run(&r, claim, "submit", "-", "--key", f->other_key, NULL);
	e2e_must(&r, 4, "ungranted submit");
	assert_non_null(strstr(r.err, "unauthorized"));
	assert_non_null(strstr(r.err, "holds no grant for party \"am-mfa\""));
	e2e_run_free(&r);
	assert_int_equal(log_size(), 4);
	/* Registry records need the admin key. */
	E2E_CLAIM(4, NULL, "grant", f->other_pub, "--party", "am-mfa", "--key",
	    f->desk_key);
	/* Granted, it is accepted; revoked, refused again. */
	E2E_CLAIM(0, NULL, "grant", f->other_pub, "--party", "am-mfa", "--key",
	    f->admin_key);
	E2E_CLAIM(0, claim, "submit", "-", "--key", f->other_key);
	E2E_CLAIM(0, NULL, "revoke", f->other_pub, "--party", "am-mfa", "--key",
	    f->admin_key);
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"After the revocation.\"}",
	    "submit", "-", "--key", f->other_key, NULL);
	e2e_must(&r, 4, "revoked submit");
	assert_non_null(strstr(r.err, "unauthorized"));
	e2e_run_free(&r);
	/* Its grant for one party says nothing about another. */
	E2E_CLAIM(4,
	    "{\"party\": \"az-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"x\"}",
	    "submit", "-", "--key", f->other_key);
	/* A grant for a party that does not exist is refused. */
	E2E_CLAIM(4, NULL, "grant", f->other_pub, "--party", "nobody", "--key",
	    f->admin_key);
	assert_int_equal(log_size(), 7);
	/* stats counts the registry as it now stands: the fixture's two
	 * parties and grants, one more grant and its revocation, one claim;
	 * and the five refusals above. */
	assert_int_equal(e2e_stat(NULL, "parties"), 2);
	assert_int_equal(e2e_stat(NULL, "grants"), 3);
	assert_int_equal(e2e_stat(NULL, "revokes"), 1);
	assert_int_equal(e2e_stat(NULL, "claims"), 1);
	assert_int_equal(e2e_stat(NULL, "refused"), 5);
	assert_int_equal(e2e_stat(NULL, "accepted"), 7);
}

/*
 * Two desks revise the same version 1. The second desk works on a replica
 * (a second daemon fed this one's export up to version 1), so its v2 is
 * signed against v1 after this log has moved on to another v2: stale.
 */
static void
test_e2e_stale_revision_is_a_conflict(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon replica;
	char data2[600], exp[600], want[80];
	struct e2e_run r;
	json_t *j;
	char *id, *head, *shown;

	id = submit("{\"party\": \"az-mfa\", \"topics\": [\"t\"], "
		    "\"statement\": \"v1\"}");
	/* The replica gets entries 0-4: the registry and v1. */
	snprintf(exp, sizeof(exp), "%s/v1.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--to", "5", "--out", exp);
	j = e2e_claim_json("{\"statement\": \"v2\", \"topics\": [\"t\"]}",
	    "revise", id, "-", "--note", "v2", "--json");
	head = json_str(j, "hash");
	json_decref(j);
	shown = shown_hash(id, 0);
	assert_string_equal(shown, head);
	free(shown);
	snprintf(data2, sizeof(data2), "%s/replica", f->dir);
	e2e_daemon_start(&replica, data2, f->admin_pub, NULL, NULL);
	E2E_CLAIM(0, NULL, "submit", exp, "--records");
	E2E_CLAIM(0,
	    "{\"statement\": \"v2 from another desk\", \"topics\": "
	    "[\"t\"]}",
	    "revise", id, "-", "--note", "elsewhere");
	snprintf(exp, sizeof(exp), "%s/stale.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--from", "5", "--out", exp);
	e2e_daemon_stop(&replica, SIGTERM);

	/* Here it names v1 as its prev while v2 is the head: a conflict
	 * that names the head, exit 4, nothing stored. */
	setenv("CLAIM_SERVER", f->d.api, 1);
	e2e_claim_run(&r, NULL, "submit", exp, "--records", NULL);
	e2e_must(&r, 4, "stale revision");
	assert_non_null(strstr(r.err, "conflict"));
	assert_non_null(strstr(r.err, "is at version 2"));
	/* The head it names is this log's v2, not the replica's: claimd's
	 * message gives 16 hex digits of it, the client's note 12. */
	snprintf(want, sizeof(want), "head %.16s;", head);
	if (strstr(r.err, want) == NULL)
		fail_msg("no \"%s\" in: %s", want, r.err);
	snprintf(want, sizeof(want), "(head %.12s, version 2)", head);
	if (strstr(r.err, want) == NULL)
		fail_msg("no \"%s\" in: %s", want, r.err);
	e2e_run_free(&r);
	j = e2e_claim_json(NULL, "show", id, "--json");
	assert_string_equal(
	    json_string_value(json_object_get(j, "statement")), "v2");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	json_decref(j);
	assert_int_equal(log_size(), 6);
	free(head);
	free(id);
}

static void
test_e2e_idempotent_resubmission(void **state)
{
	struct e2e_fixture *f = *state;
	char exp[600], *id;
	struct e2e_run r;
	json_int_t before;

	id = submit("{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
		    "\"statement\": \"Said once.\"}");
	free(id);
	before = log_size();
	snprintf(exp, sizeof(exp), "%s/all.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	/* The same bytes again: every entry already there, nothing new. */
	e2e_claim_run(&r, NULL, "submit", exp, "--records", "--json", NULL);
	e2e_must(&r, 0, "resubmit");
	{
		char *save = NULL, *line;
		int n = 0;

		for (line = strtok_r(r.out, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			json_t *a = json_loads(line, 0, NULL);

			assert_true(
			    json_is_true(json_object_get(a, "existed")));
			assert_int_equal(
			    json_integer_value(json_object_get(a, "index")),
			    json_integer_value(json_object_get(a, "line")) - 1);
			json_decref(a);
			n++;
		}
		assert_int_equal(n, before);
	}
	e2e_run_free(&r);
	assert_int_equal(log_size(), before);
}

static void
submit_many(int from, int n, const char *party)
{
	char *text = malloc((size_t)n * 200 + 1), *p = text;

	for (int i = 0; i < n; i++)
		p += sprintf(p,
		    "{\"party\": \"%s\", \"topics\": [\"bulk\"], "
		    "\"statement\": \"Statement number %d.\"}\n",
		    party, from + i);
	E2E_CLAIM(0, text, "submit", "-");
	free(text);
}

/*
 * Like submit_many, and keeps what submit --json acknowledged: the hash
 * of the entry at index i in hashes[i] (hashes has max slots).
 */
static void
submit_many_acked(int from, int n, const char *party, char **hashes, int max)
{
	char *text = malloc((size_t)n * 200 + 1), *p = text, *save = NULL;
	struct e2e_run r;
	int lines = 0;

	for (int i = 0; i < n; i++)
		p += sprintf(p,
		    "{\"party\": \"%s\", \"topics\": [\"bulk\"], "
		    "\"statement\": \"Statement number %d.\"}\n",
		    party, from + i);
	e2e_claim_run(&r, text, "submit", "-", "--json");
	e2e_must(&r, 0, "submit --json");
	free(text);
	for (char *line = strtok_r(r.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		json_t *a = json_loads(line, 0, NULL);
		json_int_t i;

		assert_non_null(a);
		i = json_integer_value(json_object_get(a, "index"));
		assert_true(i >= 0 && i < max);
		assert_null(hashes[i]);
		hashes[i] = json_str(a, "hash");
		json_decref(a);
	}
	assert_int_equal(lines, n);
	e2e_run_free(&r);
}

/* Every acknowledged hash is in the log at its index (claim export). */
static void
expect_acked(char **hashes, int max)
{
	struct e2e_run r;
	char *save = NULL;
	int found = 0, want = 0;

	e2e_claim_run(&r, NULL, "export");
	e2e_must(&r, 0, "export");
	for (char *line = strtok_r(r.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *e = json_loads(line, 0, NULL);
		json_int_t i = json_integer_value(json_object_get(e, "index"));

		if (i >= 0 && i < max && hashes[i] != NULL) {
			assert_string_equal(
			    json_string_value(json_object_get(e, "hash")),
			    hashes[i]);
			found++;
		}
		json_decref(e);
	}
	e2e_run_free(&r);
	for (int i = 0; i < max; i++)
		want += hashes[i] != NULL;
	assert_int_equal(found, want);
}

/*
 * The daemon restarts under a watcher, stopped with SIGINT (Ctrl-C): it
 * exits 0, says so in its log, and every acknowledged claim is there
 * after the restart.
 */
static void
test_e2e_watch_exactly_once_across_restart(void **state)
{
	struct e2e_fixture *f = *state;
	int seen[400] = {0};
	char *hashes[400] = {0}, *log;
	struct e2e_bg w;
	char api[128], feed[128];

	/* From index 0: the four registry entries first, then the rest. */
	e2e_bg_start(&w, "watch", "--from", "0", "--json", NULL);
	submit_many_acked(0, 100, "am-mfa", hashes, 400);
	assert_int_equal(
	    e2e_read_watch(&w, seen, 400, 104, hashes, 10000), 104);
	/* Restart the daemon on the same ports; the watcher stays. */
	snprintf(api, sizeof(api), "%s", f->d.api);
	snprintf(feed, sizeof(feed), "%s", f->d.feed);
	assert_int_equal(e2e_daemon_stop(&f->d, SIGINT), 0);
	log = tu_read_file(f->d.log, NULL);
	assert_non_null(log);
	if (strstr(log, "Interrupt: finishing 0 submissions in flight") ==
		NULL ||
	    strstr(log, "info: stopped; 104 entries, 104 accepted") == NULL)
		fail_msg("no clean stop in the log: %s", log);
	free(log);
	e2e_daemon_start(&f->d, f->data, NULL, api, feed);
	expect_acked(hashes, 400);
	submit_many_acked(100, 150, "az-mfa", hashes, 400);
	assert_int_equal(
	    e2e_read_watch(&w, seen, 400, 150, hashes, 10000), 150);
	/* Nothing more arrives: no duplicate. */
	{
		char *extra = e2e_bg_line(&w, 1500);

		if (extra != NULL)
			fail_msg("unexpected extra event: %s", extra);
	}
	assert_int_equal(e2e_bg_stop(&w, SIGTERM), 0);
	for (int i = 0; i < 254; i++)
		if (seen[i] != 1)
			fail_msg("index %d seen %d times", i, seen[i]);
	for (int i = 254; i < 400; i++)
		assert_int_equal(seen[i], 0);
	for (int i = 0; i < 400; i++)
		free(hashes[i]);
}

static void
test_e2e_watch_catches_up_from_an_index(void **state)
{
	int seen[400] = {0};
	struct e2e_bg w;

	(void)state;
	submit_many(0, 300, "am-mfa");
	/* A watcher 250 entries behind reads them in order, then live. */
	e2e_bg_start(&w, "watch", "--from", "54", "--json", NULL);
	assert_int_equal(e2e_read_watch(&w, seen, 400, 250, NULL, 10000), 250);
	submit_many(300, 10, "az-mfa");
	assert_int_equal(e2e_read_watch(&w, seen, 400, 10, NULL, 10000), 10);
	assert_int_equal(e2e_bg_stop(&w, SIGTERM), 0);
	for (int i = 0; i < 314; i++)
		assert_int_equal(seen[i], i >= 54 ? 1 : 0);
}

/* The statements list prints for one filter, "s1,s2,", in order. */
static const char *
list_statements(const char *opt, const char *val)
{
	static char out[1024];
	struct e2e_run r;
	char *save = NULL, *line;

	out[0] = '\0';
	e2e_claim_run(&r, NULL, "list", opt, val, "--json");
	e2e_must(&r, 0, "list");
	for (line = strtok_r(r.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);

		strcat(out, json_string_value(json_object_get(j, "statement")));
		strcat(out, ",");
		json_decref(j);
	}
	e2e_run_free(&r);
	return out;
}

static void
test_e2e_party_and_topic_filters(void **state)
{
	struct e2e_bg wp, wt;
	struct e2e_run r;
	char *line;
	int n;

	(void)state;
	/* From the log's current end, named: a watcher that starts late
	 * must not miss what came in between. */
	assert_int_equal(e2e_stat(NULL, "subscribers"), 0);
	e2e_bg_start(
	    &wp, "watch", "--party", "az-mfa", "--json", "--from", "4");
	e2e_bg_start(
	    &wt, "watch", "--topic", "lachin", "--json", "--from", "4");
	/* stats counts both on the feed. */
	e2e_wait_stat(NULL, "subscribers", 2, 20);
	E2E_CLAIM(0,
	    "{\"party\": \"am-mfa\", \"topics\": [\"lachin\"], \"statement\": "
	    "\"a1\"}\n"
	    "{\"party\": \"az-mfa\", \"topics\": [\"borders\"], \"statement\": "
	    "\"b1\"}\n"
	    "{\"party\": \"az-mfa\", \"topics\": [\"lachin\", \"borders\"], "
	    "\"statement\": \"b2\"}\n"
	    "{\"party\": \"am-mfa\", \"topics\": [\"borders\"], \"statement\": "
	    "\"a2\"}\n",
	    "submit", "-", "--window", "1");
	/* Party az-mfa: b1, b2. Topic lachin: a1, b2. */
	for (n = 0; n < 2; n++) {
		json_t *j;

		assert_non_null(line = e2e_bg_line(&wp, 10000));
		j = json_loads(line, 0, NULL);
		assert_string_equal(
		    json_string_value(json_object_get(j, "statement")),
		    n == 0 ? "b1" : "b2");
		json_decref(j);
		free(line);
		assert_non_null(line = e2e_bg_line(&wt, 10000));
		j = json_loads(line, 0, NULL);
		assert_string_equal(
		    json_string_value(json_object_get(j, "statement")),
		    n == 0 ? "a1" : "b2");
		json_decref(j);
		free(line);
	}
	assert_null(e2e_bg_line(&wp, 1000));
	assert_null(e2e_bg_line(&wt, 200));
	assert_int_equal(e2e_bg_stop(&wp, SIGTERM), 0);
	e2e_wait_stat(NULL, "subscribers", 1, 20);
	assert_int_equal(e2e_bg_stop(&wt, SIGTERM), 0);
	e2e_wait_stat(NULL, "subscribers", 0, 20);

	/* list filters the same way. */
	assert_string_equal(list_statements("--party", "am-mfa"), "a1,a2,");
	assert_string_equal(list_statements("--topic", "lachin"), "a1,b2,");
	e2e_claim_run(&r, NULL, "list", "--topic", "lachin", "--party",
	    "az-mfa", "--json");
	e2e_must(&r, 0, "list --topic --party");
	{
		json_t *j = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);

		assert_string_equal(
		    json_string_value(json_object_get(j, "statement")), "b2");
		assert_int_equal(
		    strchr(r.out, '\n') - r.out + 1, (long)strlen(r.out));
		json_decref(j);
	}
	e2e_run_free(&r);
}

/* Output holds text, or the test fails naming what it holds. */
static void
holds(const char *out, const char *text)
{
	if (strstr(out, text) == NULL)
		fail_msg("\"%s\" not in: %s", text, out);
}

static void
test_e2e_listing_verbs_and_unknown_names(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_run r;
	json_t *j;
	char *save = NULL;
	size_t n = 0;

	/* parties: slug and name a line, in the order of the slugs. */
	e2e_claim_run(&r, NULL, "parties");
	e2e_must(&r, 0, "parties");
	assert_string_equal(r.out,
	    "am-mfa                   am-mfa\n"
	    "az-mfa                   az-mfa\n");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "parties", "--json");
	e2e_must(&r, 0, "parties --json");
	for (char *line = strtok_r(r.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save), n++) {
		assert_non_null(j = json_loads(line, 0, NULL));
		assert_string_equal(
		    json_string_value(json_object_get(j, "party")),
		    n == 0 ? "am-mfa" : "az-mfa");
		assert_true(json_is_string(json_object_get(j, "name")));
		assert_true(json_is_integer(json_object_get(j, "index")));
		json_decref(j);
	}
	assert_int_equal(n, 2);
	e2e_run_free(&r);
	E2E_CLAIM(2, NULL, "parties", "extra");

	/* grants: the desk key is granted both parties. */
	e2e_claim_run(&r, NULL, "grants", "--party", "az-mfa");
	e2e_must(&r, 0, "grants --party");
	holds(r.out, f->desk_pub);
	holds(r.out, "az-mfa");
	assert_null(strstr(r.out, "am-mfa"));
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "grants", "--json");
	e2e_must(&r, 0, "grants --json");
	save = NULL;
	n = 0;
	for (char *line = strtok_r(r.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save), n++) {
		assert_non_null(j = json_loads(line, 0, NULL));
		assert_string_equal(
		    json_string_value(json_object_get(j, "key")), f->desk_pub);
		json_decref(j);
	}
	assert_int_equal(n, 2);
	e2e_run_free(&r);

	/* A misspelt party: exit 1, the closest party named. */
	e2e_claim_run(&r, NULL, "grants", "--party", "az-mfs");
	e2e_must(&r, 1, "grants --party az-mfs");
	assert_string_equal(r.out, "");
	holds(r.err, "no party \"az-mfs\"; did you mean \"az-mfa\"?");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "list", "--party", "ma-mfa");
	e2e_must(&r, 1, "list --party ma-mfa");
	holds(r.err, "no party \"ma-mfa\"; did you mean \"am-mfa\"?");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "list", "--party", "nobody", "--json");
	e2e_must(&r, 1, "list --party nobody --json");
	assert_string_equal(r.out, "");
	/* Under --json the failure is one JSON object on stderr. */
	j = json_loads(r.err, 0, NULL);
	assert_non_null(j);
	assert_string_equal(
	    json_string_value(json_object_get(j, "error")), "not-found");
	holds(json_string_value(json_object_get(j, "message")),
	    "no party \"nobody\"; did you mean");
	json_decref(j);
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "diff", "--topic", "t", "--party", "am-mfa",
	    "--party", "azmfa");
	e2e_must(&r, 1, "diff --party azmfa");
	holds(r.err, "no party \"azmfa\"; did you mean \"az-mfa\"?");
	e2e_run_free(&r);
	/* A party that is held but has no claims is still exit 0. */
	E2E_CLAIM(0, NULL, "list", "--party", "am-mfa");

	/* topics: none yet, then a line each under a header. */
	e2e_claim_run(&r, NULL, "topics");
	e2e_must(&r, 0, "topics, none");
	assert_string_equal(r.out, "");
	holds(r.err, "no topics");
	e2e_run_free(&r);
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"lachin\"], "
	    "\"statement\": \"a1\"}\n"
	    "{\"party\": \"az-mfa\", \"topics\": [\"lachin\", \"borders\"], "
	    "\"statement\": \"b1\"}\n"
	    "{\"party\": \"az-mfa\", \"topics\": [\"lachin\"], "
	    "\"statement\": \"b2\"}\n",
	    "submit", "-", "--window", "1");
	e2e_must(&r, 0, "submit");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "topics");
	e2e_must(&r, 0, "topics");
	holds(r.out, "TOPIC");
	holds(r.out, "borders                                 1        1");
	holds(r.out, "lachin                                  3        2");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "topics", "--json");
	e2e_must(&r, 0, "topics --json");
	save = NULL;
	n = 0;
	for (char *line = strtok_r(r.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save), n++) {
		assert_non_null(j = json_loads(line, 0, NULL));
		assert_string_equal(
		    json_string_value(json_object_get(j, "topic")),
		    n == 0 ? "borders" : "lachin");
		assert_int_equal(
		    json_integer_value(json_object_get(j, "claims")),
		    n == 0 ? 1 : 3);
		assert_int_equal(
		    json_integer_value(json_object_get(j, "parties")),
		    n == 0 ? 1 : 2);
		assert_int_equal(json_integer_value(json_object_get(j, "last")),
		    n == 0 ? log_size() - 2 : log_size() - 1);
		json_decref(j);
	}
	assert_int_equal(n, 2);
	e2e_run_free(&r);
	/* A misspelt topic: exit 1, the closest topic named. */
	e2e_claim_run(&r, NULL, "list", "--topic", "lachni", "--json");
	e2e_must(&r, 1, "list --topic lachni");
	assert_string_equal(r.out, "");
	holds(r.err,
	    "\"message\":\"no topic \\\"lachni\\\"; did you mean "
	    "\\\"lachin\\\"?\"");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "diff", "--topic", "border", "--party",
	    "am-mfa", "--party", "az-mfa");
	e2e_must(&r, 1, "diff --topic border");
	holds(r.err, "no topic \"border\"; did you mean \"borders\"?");
	e2e_run_free(&r);
	/* A topic that exists but not for that party: exit 0, none. */
	E2E_CLAIM(0, NULL, "list", "--topic", "borders", "--party", "am-mfa");
	/* Repeated, as everywhere: any of them. */
	e2e_claim_run(&r, NULL, "list", "--party", "am-mfa", "--party",
	    "az-mfa", "--topic", "borders", "--topic", "lachin");
	e2e_must(&r, 0, "list, two parties, two topics");
	holds(r.out, " a1  [no sources]");
	holds(r.out, " b1  [no sources]");
	holds(r.out, " b2  [no sources]");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "list", "--party", "az-mfa", "--party",
	    "az-mfa", "--topic", "borders");
	e2e_must(&r, 0, "list, one topic of several");
	holds(r.out, " b1  [no sources]");
	assert_null(strstr(r.out, " b2  [no sources]"));
	assert_null(strstr(r.out, " a1  [no sources]"));
	e2e_run_free(&r);
	/* One misspelt among several is not hidden by the others' claims. */
	e2e_claim_run(
	    &r, NULL, "list", "--topic", "lachin", "--topic", "bordres");
	e2e_must(&r, 1, "list --topic lachin --topic bordres");
	holds(r.err, "no topic \"bordres\"; did you mean \"borders\"?");
	e2e_run_free(&r);
	e2e_claim_run(
	    &r, NULL, "grants", "--party", "az-mfa", "--party", "am-mfa");
	e2e_must(&r, 0, "grants, two parties");
	holds(r.out, "  am-mfa\n");
	holds(r.out, "  az-mfa\n");
	e2e_run_free(&r);
}

static void
test_e2e_batch_labels_revisions_retractions(void **state)
{
	struct e2e_run r;
	json_t *j;

	(void)state;
	e2e_claim_run(&r,
	    "{\"ref\": \"a\", \"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"A says so.\"}\n"
	    "\n"
	    "{\"ref\": \"b\", \"party\": \"az-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"B says not.\", \"relations\": [{\"rel\": "
	    "\"disputes\", \"claim\": \"@a\"}]}\n"
	    "{\"revises\": \"@a\", \"topics\": [\"t\"], \"statement\": \"A "
	    "says so, firmly.\", \"note\": \"stronger\"}\n"
	    "{\"retracts\": \"@b\", \"reason\": \"wrong party\"}\n"
	    "{\"party\": \"az-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"bad\", \"relations\": [{\"rel\": \"supports\", \"claim\": "
	    "\"@nope\"}]}\n",
	    "submit", "-", "--json", NULL);
	/* Four stored, the last refused before sending: exit 4, and with
	 * --json the refusal is a JSON object on stderr. */
	e2e_must(&r, 4, "batch");
	assert_non_null(j = json_loads(r.err, JSON_DISABLE_EOF_CHECK, NULL));
	assert_int_equal(json_integer_value(json_object_get(j, "line")), 6);
	assert_string_equal(
	    json_string_value(json_object_get(j, "status")), "refused");
	assert_non_null(strstr(json_string_value(json_object_get(j, "message")),
	    "\"ref\": \"nope\""));
	json_decref(j);
	{
		char *save = NULL, *line, *a = NULL, *b = NULL;
		int n = 0;

		for (line = strtok_r(r.out, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save), n++) {
			json_t *ack = json_loads(line, 0, NULL);
			const char *ref =
			    json_string_value(json_object_get(ack, "ref"));

			if (ref != NULL && strcmp(ref, "a") == 0)
				a = strdup(json_string_value(
				    json_object_get(ack, "claim")));
			if (ref != NULL && strcmp(ref, "b") == 0)
				b = strdup(json_string_value(
				    json_object_get(ack, "claim")));
			json_decref(ack);
		}
		assert_int_equal(n, 4);
		assert_non_null(a);
		assert_non_null(b);
		j = e2e_claim_json(NULL, "show", b, "--json");
		assert_string_equal(
		    json_string_value(json_object_get(j, "status")),
		    "retracted");
		assert_string_equal(
		    json_string_value(json_object_get(
			json_array_get(json_object_get(j, "relations"), 0),
			"claim")),
		    a);
		json_decref(j);
		j = e2e_claim_json(NULL, "show", a, "--json");
		assert_int_equal(
		    json_integer_value(json_object_get(j, "version")), 2);
		json_decref(j);
		free(a);
		free(b);
	}
	e2e_run_free(&r);
}

static void
test_e2e_sigterm_during_batch_loses_no_ack(void **state)
{
	struct e2e_fixture *f = *state;
	char *text = malloc(3000 * 160), *p = text, **acked;
	struct e2e_bg s;
	int nacked = 0;

	for (int i = 0; i < 3000; i++)
		p += sprintf(p,
		    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
		    "\"statement\": \"Batch claim %d.\"}\n",
		    i);
	{
		char path[600], errpath[600];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/batch.jsonl", f->dir);
		snprintf(errpath, sizeof(errpath), "%s/batch.err", f->dir);
		fp = fopen(path, "w");
		fputs(text, fp);
		fclose(fp);
		/* A small window keeps the batch going a while; the report
		 * of each line not stored goes to a file. */
		e2e_bg_start_err(&s, errpath, "submit", path, "--json",
		    "--window", "4", "--timeout", "3000");
	}
	free(text);
	acked = calloc(3000, sizeof(char *));
	/* Stop the daemon in the middle of the batch. */
	while (nacked < 500) {
		char *line = e2e_bg_line(&s, 10000);

		assert_non_null(line);
		acked[nacked++] = line;
	}
	assert_int_equal(e2e_daemon_stop(&f->d, SIGTERM), 0);
	/* Every line to the end: the client gives up after its own
	 * timeout (--timeout, 3 s, and sending twice more) and closes its
	 * output. Under load that may take longer; killing it then would
	 * lose its exit status. */
	for (char *line; (line = e2e_bg_line(&s, 60000)) != NULL;)
		acked[nacked++] = line;
	/* The client ends with "unreachable" (3): not everything was
	 * stored, and it says so. (Signal 0: wait, do not kill.) */
	assert_int_equal(e2e_bg_stop(&s, 0), 3);
	assert_true(nacked < 3000);
	/* Every acknowledged claim is there after a restart. */
	e2e_daemon_start(&f->d, f->data, NULL, NULL, NULL);
	for (int i = 0; i < nacked; i++) {
		json_t *ack = json_loads(acked[i], 0, NULL), *j;
		const char *id =
		    json_string_value(json_object_get(ack, "claim"));

		j = e2e_claim_json(NULL, "show", id, "--json");
		assert_int_equal(
		    json_integer_value(json_object_get(j, "index")),
		    json_integer_value(json_object_get(ack, "index")));
		json_decref(j);
		json_decref(ack);
		free(acked[i]);
	}
	free(acked);
	{
		struct e2e_run r;

		/* And the store is sound. */
		e2e_daemon_stop(&f->d, SIGTERM);
		{
			const char *argv_check = f->data;
			char cmd[1200];

			snprintf(cmd, sizeof(cmd), "%s --check %s >/dev/null",
			    e2e_claimd, argv_check);
			assert_int_equal(system(cmd), 0);
		}
		e2e_daemon_start(&f->d, f->data, NULL, NULL, NULL);
		e2e_claim_run(&r, NULL, "stats", NULL);
		e2e_must(&r, 0, "stats after restart");
		e2e_run_free(&r);
	}
}

/*
 * Ctrl-C during a batch: the client sends nothing more but still prints
 * the answer to everything it had sent, so the claims this run stored
 * are exactly those it acknowledged; then it exits with 130.
 */
static void
test_e2e_interrupted_submit_acknowledges_what_it_stored(void **state)
{
	struct e2e_fixture *f = *state;
	char path[600], errpath[600];
	json_t *st;
	json_int_t before, after;
	struct e2e_bg s;
	int nacked = 0;
	FILE *fp;

	st = e2e_claim_json(NULL, "stats", "--json");
	before = json_integer_value(json_object_get(st, "claims"));
	json_decref(st);
	snprintf(path, sizeof(path), "%s/interrupted.jsonl", f->dir);
	fp = fopen(path, "w");
	for (int i = 0; i < 3000; i++)
		fprintf(fp,
		    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
		    "\"statement\": \"Interrupted batch claim %d.\"}\n",
		    i);
	fclose(fp);
	snprintf(errpath, sizeof(errpath), "%s/interrupted.err", f->dir);
	e2e_bg_start_err(
	    &s, errpath, "submit", path, "--json", "--window", "4");
	while (nacked < 300) {
		char *line = e2e_bg_line(&s, 10000);

		assert_non_null(line);
		free(line);
		nacked++;
	}
	kill(s.pid, SIGINT);
	for (char *line; (line = e2e_bg_line(&s, 10000)) != NULL; nacked++) {
		json_t *ack = json_loads(line, 0, NULL);

		assert_non_null(json_object_get(ack, "index"));
		json_decref(ack);
		free(line);
	}
	assert_int_equal(e2e_bg_stop(&s, 0), 130);
	assert_true(nacked < 3000);
	st = e2e_claim_json(NULL, "stats", "--json");
	after = json_integer_value(json_object_get(st, "claims"));
	json_decref(st);
	assert_int_equal(after - before, nacked);
}

/*
 * What claim submit --json reported for each input line: stdout's
 * acknowledgements and stderr's objects, by line number.
 */
struct report {
	int times; /* reported how often: exactly once is right */
	char status[16];
	char claim[65];
	bool existed; /* acknowledged, as bytes the log had already */
};

/* The claim id of a JSON object, or "". */
static void
report_take(struct report *rep, int n, json_t *o, const char *status)
{
	json_int_t line = json_integer_value(json_object_get(o, "line"));
	const char *id = json_string_value(json_object_get(o, "claim"));

	if (line < 1 || line > n)
		fail_msg(
		    "a report of no input line: line %lld", (long long)line);
	rep[line].times++;
	rep[line].existed = json_is_true(json_object_get(o, "existed"));
	snprintf(rep[line].status, sizeof(rep[line].status), "%s", status);
	snprintf(rep[line].claim, sizeof(rep[line].claim), "%s",
	    id != NULL ? id : "");
}

/*
 * Reads one run's output (acknowledgements on out, one JSON object a
 * line on err) into rep[1..n]; requires every line reported exactly once
 * and a summary that counts them. Returns the summary (caller decrefs).
 */
static json_t *
reports_read(const char *out, const char *err, struct report *rep, int n)
{
	char *text = strdup(out), *save = NULL, *l;
	json_t *summary = NULL;
	int count[5] = {0};
	static const char *const names[5] = {
	    "stored", "exists", "refused", "unconfirmed", "not-stored"};

	memset(rep, 0, (size_t)(n + 1) * sizeof(*rep));
	for (l = strtok_r(text, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		json_t *a = json_loads(l, 0, NULL);

		if (a == NULL || json_object_get(a, "index") == NULL)
			fail_msg("not an acknowledgement on stdout: %s", l);
		report_take(rep, n, a, "stored");
		json_decref(a);
	}
	free(text);
	text = strdup(err);
	for (l = strtok_r(text, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		json_t *o;

		if (l[0] != '{')
			continue; /* "claim: interrupted", say */
		if ((o = json_loads(l, 0, NULL)) == NULL)
			fail_msg("not JSON on stderr: %s", l);
		if (json_object_get(o, "lines") != NULL) {
			assert_null(summary);
			summary = o;
			continue;
		}
		report_take(
		    rep, n, o, json_string_value(json_object_get(o, "status")));
		json_decref(o);
	}
	free(text);
	for (int i = 1; i <= n; i++) {
		int k;

		if (rep[i].times != 1)
			fail_msg("line %d reported %d times", i, rep[i].times);
		for (k = 0; k < 5 && strcmp(rep[i].status, names[k]); k++)
			;
		if (k == 5)
			fail_msg("line %d: status %s", i, rep[i].status);
		count[k]++;
	}
	if (summary == NULL)
		fail_msg("no summary on stderr: %s", err);
	assert_int_equal(
	    json_integer_value(json_object_get(summary, "lines")), n);
	for (int k = 0; k < 5; k++)
		assert_int_equal(
		    json_integer_value(json_object_get(summary, names[k])),
		    count[k]);
	return summary;
}

/* The claims listed under topic: claims[k] is the id of the claim saying
 * "Line k ...", "" if none; fails on a line said twice. Their number. */
static int
claims_of_lines(const char *topic, char (*claims)[65], int n)
{
	struct e2e_run r;
	char *save = NULL, *l;
	int found = 0;

	memset(claims, 0, (size_t)(n + 1) * sizeof(*claims));
	e2e_claim_run(&r, NULL, "list", "--topic", topic, "--json");
	e2e_must(&r, 0, "list");
	for (l = strtok_r(r.out, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		json_t *c = json_loads(l, 0, NULL);
		const char *st =
		    json_string_value(json_object_get(c, "statement"));
		int k = 0;

		if (st == NULL || sscanf(st, "Line %d ", &k) != 1 || k < 1 ||
		    k > n)
			fail_msg("a claim of no line: %s", l);
		if (claims[k][0] != '\0')
			fail_msg("line %d is in the log twice", k);
		snprintf(claims[k], 65, "%s",
		    json_string_value(json_object_get(c, "claim")));
		found++;
		json_decref(c);
	}
	e2e_run_free(&r);
	return found;
}

/*
 * claimd stopped by SIGTERM under a large claim submit (issue 15): claim
 * reports every line exactly once, whichever way; each line it reports
 * stored is in the log, and each claim of the batch in the log was
 * reported stored. Run again on the restarted claimd, the same file
 * stores what is missing and reports the rest as existing, naming the
 * claim stored the first time; a third run stores nothing.
 */
static void
test_e2e_sigterm_during_submit_reports_every_line(void **state)
{
	enum { N = 3000 };
	struct e2e_fixture *f = *state;
	struct report *rep = calloc(N + 1, sizeof(*rep));
	char(*claims)[65] = calloc(N + 1, 65);
	char path[600], errpath[600], *out = calloc(N + 1, 512), *err;
	size_t outlen = 0;
	int stored = 0, acks = 0;
	struct e2e_bg s;
	struct e2e_run r;
	json_int_t size;
	json_t *sum;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/stopped.jsonl", f->dir);
	fp = fopen(path, "w");
	for (int i = 1; i <= N; i++)
		fprintf(fp,
		    "{\"party\": \"am-mfa\", \"topics\": [\"stopped\"], "
		    "\"statement\": \"Line %d of a batch claimd stops "
		    "under.\"}\n",
		    i);
	fclose(fp);
	snprintf(errpath, sizeof(errpath), "%s/run1.err", f->dir);
	/* A small window keeps the batch going a while. */
	e2e_bg_start_err(&s, errpath, "submit", path, "--json", "--window",
	    "16", "--timeout", "5000");
	for (char *line; acks < 600 && (line = e2e_bg_line(&s, 10000));
	     acks++) {
		outlen += (size_t)sprintf(out + outlen, "%s\n", line);
		free(line);
	}
	assert_int_equal(acks, 600);
	assert_int_equal(e2e_daemon_stop(&f->d, SIGTERM), 0);
	/* claimd answered what it took before it stopped; claim reads it
	 * all, then waits one --timeout for nothing more. */
	for (char *line; (line = e2e_bg_line(&s, 60000)) != NULL;) {
		outlen += (size_t)sprintf(out + outlen, "%s\n", line);
		free(line);
	}
	assert_int_equal(e2e_bg_stop(&s, 0), 3);
	err = tu_read_file(errpath, NULL);
	sum = reports_read(out, err, rep, N);
	stored = (int)json_integer_value(json_object_get(sum, "stored"));
	/* Stopped in the middle: some stored, some not. */
	assert_true(stored >= 600 && stored < N);
	assert_true(json_integer_value(json_object_get(sum, "not-stored")) > 0);
	json_decref(sum);
	free(err);

	/* On the same folder: exactly the lines reported stored are in the
	 * log, as the claims reported. */
	e2e_daemon_start(&f->d, f->data, NULL, NULL, NULL);
	assert_int_equal(claims_of_lines("stopped", claims, N), stored);
	for (int i = 1; i <= N; i++)
		if (strcmp(rep[i].status, "stored") == 0
			? strcmp(claims[i], rep[i].claim) != 0
			: claims[i][0] != '\0')
			fail_msg("line %d: reported %s %s, in the log as %s", i,
			    rep[i].status, rep[i].claim, claims[i]);

	/* The same file again: what was stored exists, the rest is stored
	 * now, and no line is in the log twice. A duplicate is refused: 4,
	 * and so is a line signed in the same second as the first time,
	 * whose bytes are the same: both say "exists". */
	{
		struct report *again = calloc(N + 1, sizeof(*again));

		e2e_claim_run(&r, NULL, "submit", path, "--json");
		e2e_must(&r, 4, "the same file again");
		json_decref(reports_read(r.out, r.err, again, N));
		e2e_run_free(&r);
		for (int i = 1; i <= N; i++) {
			bool before = strcmp(rep[i].status, "stored") == 0;
			bool there = strcmp(again[i].status, "exists") == 0 ||
			    (strcmp(again[i].status, "stored") == 0 &&
				again[i].existed);

			if (before != there ||
			    (before && strcmp(again[i].claim, rep[i].claim)) ||
			    (!before && strcmp(again[i].status, "stored")))
				fail_msg("line %d: %s %s, then %s %s", i,
				    rep[i].status, rep[i].claim,
				    again[i].status, again[i].claim);
		}
		free(again);
	}
	assert_int_equal(claims_of_lines("stopped", claims, N), N);
	size = log_size();

	/* A third time: nothing new at all. */
	e2e_claim_run(&r, NULL, "submit", path, "--json");
	e2e_must(&r, 4, "the same file a third time");
	json_decref(reports_read(r.out, r.err, rep, N));
	e2e_run_free(&r);
	for (int i = 1; i <= N; i++)
		if (strcmp(rep[i].status, "exists") != 0 && !rep[i].existed)
			fail_msg("line %d stored again", i);
	assert_int_equal(log_size(), size);
	free(out);
	free(claims);
	free(rep);
}

/* Writes n claims of topic to path: "Line k of <what>." */
static void
lines_file(const char *path, int n, const char *topic, const char *what)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	for (int i = 1; i <= n; i++)
		fprintf(fp,
		    "{\"party\": \"am-mfa\", \"topics\": [\"%s\"], "
		    "\"statement\": \"Line %d of %s.\"}\n",
		    topic, i, what);
	fclose(fp);
}

/*
 * Runs claim submit --json on path in the background, does what to it
 * (or to claimd) after the first acks acknowledgements, and reads every
 * line's report into rep; returns claim's exit status.
 */
static int
submit_and_stop(const char *path, const char *errpath, const char *timeout,
    int acks, void (*what)(pid_t client, void *ctx), void *ctx,
    struct report *rep, int n)
{
	char *out = calloc((size_t)n + 1, 512), *err;
	size_t outlen = 0;
	struct e2e_bg s;
	int got = 0, status;

	e2e_bg_start_err(&s, errpath, "submit", path, "--json", "--window",
	    "16", "--timeout", timeout);
	for (char *line; got < acks && (line = e2e_bg_line(&s, 10000)); got++) {
		outlen += (size_t)sprintf(out + outlen, "%s\n", line);
		free(line);
	}
	assert_int_equal(got, acks);
	what(s.pid, ctx);
	for (char *line; (line = e2e_bg_line(&s, 60000)) != NULL;) {
		outlen += (size_t)sprintf(out + outlen, "%s\n", line);
		free(line);
	}
	status = e2e_bg_stop(&s, 0);
	err = tu_read_file(errpath, NULL);
	json_decref(reports_read(out, err, rep, n));
	free(err);
	free(out);
	return status;
}

static void
interrupt_client(pid_t client, void *ctx)
{
	(void)ctx;
	kill(client, SIGINT);
}

static void
silence_claimd(pid_t client, void *ctx)
{
	(void)client;
	kill(*(pid_t *)ctx, SIGSTOP);
}

/* How many lines rep has with status. */
static int
reports_with(const struct report *rep, int n, const char *status)
{
	int k = 0;

	for (int i = 1; i <= n; i++)
		k += strcmp(rep[i].status, status) == 0;
	return k;
}

/*
 * Ctrl-C, and a claimd that stops answering (the client's timeout): claim
 * reports every line exactly once either way. Interrupted, what it sent
 * is answered and the rest not sent; facing silence, what it sent is
 * unconfirmed. What the log has of the batch was reported stored, or
 * unconfirmed (perhaps stored: claimd, woken, may store what it had
 * read), never not stored; and the file submitted again leaves each
 * line in the log exactly once.
 */
static void
test_e2e_interrupted_or_silenced_submit_reports_every_line(void **state)
{
	enum { N = 1500 };
	struct e2e_fixture *f = *state;
	struct report *rep = calloc(N + 1, sizeof(*rep));
	char(*claims)[65] = calloc(N + 1, 65);
	char path[600], errpath[600];
	json_int_t before = log_size();
	struct e2e_run r;

	snprintf(path, sizeof(path), "%s/interrupted.jsonl", f->dir);
	snprintf(errpath, sizeof(errpath), "%s/interrupted.err", f->dir);
	lines_file(path, N, "interrupted", "an interrupted batch");
	assert_int_equal(submit_and_stop(path, errpath, "20000", 200,
			     interrupt_client, NULL, rep, N),
	    130);
	assert_int_equal(reports_with(rep, N, "unconfirmed"), 0);
	assert_true(reports_with(rep, N, "not-stored") > 0);
	assert_int_equal(log_size() - before, reports_with(rep, N, "stored"));

	snprintf(path, sizeof(path), "%s/silenced.jsonl", f->dir);
	snprintf(errpath, sizeof(errpath), "%s/silenced.err", f->dir);
	lines_file(path, N, "silenced", "a batch claimd goes silent under");
	assert_int_equal(submit_and_stop(path, errpath, "1000", 200,
			     silence_claimd, &f->d.pid, rep, N),
	    3);
	kill(f->d.pid, SIGCONT);
	assert_true(reports_with(rep, N, "unconfirmed") > 0);
	assert_true(reports_with(rep, N, "not-stored") > 0);
	claims_of_lines("silenced", claims, N);
	for (int i = 1; i <= N; i++)
		if (strcmp(rep[i].status, "stored") == 0
			? strcmp(claims[i], rep[i].claim) != 0
			: strcmp(rep[i].status, "unconfirmed") != 0 &&
			    claims[i][0] != '\0')
			fail_msg("line %d: reported %s, in the log as %s", i,
			    rep[i].status, claims[i]);
	e2e_claim_run(&r, NULL, "submit", path, "--json");
	e2e_must(&r, 4, "the silenced file again");
	e2e_run_free(&r);
	assert_int_equal(claims_of_lines("silenced", claims, N), N);
	free(claims);
	free(rep);
}

/*
 * The duplicate guard from the command line: a claim that says what a
 * live claim says (other sources, other bytes) is refused with 4 naming
 * it; --allow-duplicate stores it; a retracted claim no longer counts.
 */
static void
test_e2e_duplicate_claim_is_refused_naming_the_first(void **state)
{
	static const char *const claim1 =
	    "{\"party\": \"az-mfa\", \"topics\": [\"a\", \"b\"], "
	    "\"statement\": \"Said twice.\", \"made\": \"2021-11-08\"}";
	static const char *const claim2 =
	    "{\"party\": \"az-mfa\", \"topics\": [\"b\", \"a\"], "
	    "\"statement\": \"Said twice.\", \"made\": \"2021-11-08\", "
	    "\"sources\": [{\"publisher\": \"P\", \"title\": \"T\"}]}";
	/* The same again, in other bytes than claim2 whenever signed. */
	static const char *const claim3 =
	    "{\"party\": \"az-mfa\", \"topics\": [\"a\", \"b\"], "
	    "\"statement\": \"Said twice.\", \"made\": \"2021-11-08\", "
	    "\"sources\": [{\"publisher\": \"Q\", \"title\": \"T\"}]}";
	struct e2e_fixture *f = *state;
	char want[200], *a, *b;
	struct e2e_run r;
	json_int_t size;
	json_t *o;

	a = submit(claim1);
	size = log_size();
	e2e_claim_run(&r, claim2, "submit", "-");
	e2e_must(&r, 4, "a duplicate");
	snprintf(want, sizeof(want), "claim: line 1: exists: claim %s", a);
	if (strstr(r.err, want) == NULL)
		fail_msg("want \"%s\": %s", want, r.err);
	assert_string_equal(r.out, "");
	e2e_run_free(&r);
	/* With --json, one object on stderr naming it. */
	e2e_claim_run(&r, claim2, "submit", "-", "--json");
	e2e_must(&r, 4, "a duplicate, --json");
	assert_string_equal(r.out, "");
	assert_non_null(o = json_loads(r.err, 0, NULL));
	assert_string_equal(
	    json_string_value(json_object_get(o, "status")), "exists");
	assert_string_equal(
	    json_string_value(json_object_get(o, "error")), "duplicate");
	assert_string_equal(json_string_value(json_object_get(o, "claim")), a);
	json_decref(o);
	e2e_run_free(&r);
	assert_int_equal(log_size(), size);
	/* Allowed, it is stored as a claim of its own. */
	o = e2e_claim_json(
	    claim2, "submit", "-", "--allow-duplicate", "--json");
	b = json_str(o, "claim");
	json_decref(o);
	assert_string_not_equal(a, b);
	/* Both retracted: nothing live says it, and it may be said again. */
	E2E_CLAIM(0, NULL, "retract", a, "--reason", "said twice");
	E2E_CLAIM(4, claim3, "submit", "-");
	E2E_CLAIM(0, NULL, "retract", b, "--reason", "said twice");
	free(submit(claim3));
	free(a);
	free(b);
	/* An export replayed with --records keeps the duplicates its log
	 * allowed: the same log, entry for entry. */
	{
		struct e2e_daemon replica;
		char data2[600], exp[600];

		size = log_size();
		snprintf(exp, sizeof(exp), "%s/dups.jsonl", f->dir);
		E2E_CLAIM(0, NULL, "export", "--out", exp);
		snprintf(data2, sizeof(data2), "%s/replica", f->dir);
		e2e_daemon_start(&replica, data2, f->admin_pub, NULL, NULL);
		E2E_CLAIM(0, NULL, "submit", exp, "--records");
		assert_int_equal(log_size(), size);
		e2e_daemon_stop(&replica, SIGTERM);
		setenv("CLAIM_SERVER", f->d.api, 1);
	}
}

static void
test_e2e_unreachable_usage_and_help(void **state)
{
	struct e2e_run r;

	(void)state;
	/* Nobody listens there: exit 3, a clear message, no hang. */
	e2e_claim_run(&r, NULL, "--server", "tcp://127.0.0.1:9", "--timeout",
	    "300", "stats", NULL);
	e2e_must(&r, 3, "unreachable stats");
	assert_non_null(strstr(r.err, "does not answer"));
	e2e_run_free(&r);
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"s\"}",
	    "submit", "-", "--server", "tcp://127.0.0.1:9", "--timeout", "200",
	    NULL);
	e2e_must(&r, 3, "unreachable submit");
	e2e_run_free(&r);
	/* Usage errors are 2; every verb has --help. */
	E2E_CLAIM(2, NULL, "frobnicate");
	/* A mistyped verb or option: one line naming the nearest, no
	 * usage dump. */
	{
		static const struct {
			const char *args[3], *err;
		} bad[] = {
		    {{"--jsno", NULL},
			"claim: unknown option --jsno; did you "
			"mean --json? See claim --help\n"},
		    {{"sumbit", NULL},
			"claim: unknown verb \"sumbit\"; did "
			"you mean \"submit\"? See claim --help\n"},
		    {{"frobnicate", NULL},
			"claim: unknown verb \"frobnicate\"; see claim "
			"--help\n"},
		    {{"watch", "--partty", NULL},
			"claim: unknown option --partty; did you mean "
			"--party? See claim watch --help\n"},
		    {{"show", "--jsno", NULL},
			"claim: unknown option --jsno; did you mean --json? "
			"See claim show --help\n"},
		    {{"list", "--party", NULL},
			"claim: --party needs a value; see claim list "
			"--help\n"},
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (bad[i].args[1] == NULL)
				e2e_claim_run(&r, NULL, bad[i].args[0], NULL);
			else
				e2e_claim_run(&r, NULL, bad[i].args[0],
				    bad[i].args[1], NULL);
			e2e_must(&r, 2, bad[i].err);
			assert_string_equal(r.err, bad[i].err);
			e2e_run_free(&r);
		}
	}
	/* With --json, a failure is one JSON object on stderr. */
	{
		static const struct {
			int status;
			const char *args[3], *error, *message;
		} bad[] = {
		    {2, {"--json", "frobnicate", NULL}, "usage",
			"unknown verb \"frobnicate\"; see claim --help"},
		    {2, {"show", "--json", NULL}, "usage", "give one claim id"},
		    {1, {"--json", "show", "0123456789ab"}, "not-found", NULL},
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			json_error_t je;
			json_t *o;

			e2e_claim_run(&r, NULL, bad[i].args[0], bad[i].args[1],
			    bad[i].args[2], NULL);
			e2e_must(&r, bad[i].status, bad[i].error);
			o = json_loads(r.err, JSON_DISABLE_EOF_CHECK, &je);
			if (o == NULL ||
			    strchr(r.err, '\n') != r.err + strlen(r.err) - 1)
				fail_msg("not one JSON line: %s", r.err);
			assert_string_equal(
			    json_string_value(json_object_get(o, "error")),
			    bad[i].error);
			assert_non_null(
			    json_string_value(json_object_get(o, "message")));
			if (bad[i].message != NULL)
				assert_string_equal(
				    json_string_value(
					json_object_get(o, "message")),
				    bad[i].message);
			json_decref(o);
			e2e_run_free(&r);
		}
	}
	E2E_CLAIM(2, NULL, "show");
	E2E_CLAIM(2, NULL, "show", "abc", "--version", "x");
	E2E_CLAIM(2, NULL, "submit", "-", "--window", "0");
	E2E_CLAIM(2, "not json", "submit", "-");
	E2E_CLAIM(2, NULL, "keygen");
	{
		static const char *const verbs[] = {"audit", "checkpoint",
		    "diff", "export", "grant", "grants", "history", "import",
		    "independence", "keygen", "list", "log", "log-key", "owner",
		    "parties", "party", "prove", "publish", "quote-check",
		    "reinstate", "retract", "revise", "revoke", "show", "stats",
		    "submit", "topics", "trace", "verify", "verify-proof",
		    "watch"};
		const size_t nverbs = sizeof(verbs) / sizeof(verbs[0]);
		char *save = NULL, want[64];
		size_t listed = 0;

		for (size_t i = 0; i < nverbs; i++) {
			e2e_claim_run(&r, NULL, verbs[i], "--help", NULL);
			e2e_must(&r, 0, verbs[i]);
			snprintf(
			    want, sizeof(want), "usage: claim %s", verbs[i]);
			if (strncmp(r.out, want, strlen(want)) != 0)
				fail_msg("%s --help: %s", verbs[i], r.out);
			e2e_run_free(&r);
		}
		/* And that is every verb claim --help lists. */
		e2e_claim_run(&r, NULL, "--help", NULL);
		e2e_must(&r, 0, "--help");
		for (char *line = strtok_r(r.out, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			size_t k, n;

			/* Verbs are listed as "  verb ...", options as
			 * "  --option". */
			if (strncmp(line, "  ", 2) != 0 || line[2] == '-' ||
			    line[2] == ' ')
				continue;
			n = strcspn(line + 2, " ");
			for (k = 0; k < nverbs; k++)
				if (strlen(verbs[k]) == n &&
				    strncmp(line + 2, verbs[k], n) == 0)
					break;
			if (k == nverbs)
				fail_msg("claim --help lists a verb this test "
					 "does not try: %s",
				    line);
			listed++;
		}
		assert_int_equal(listed, nverbs);
		e2e_run_free(&r);
	}
	/* A schema error in the input is refused before signing. */
	e2e_claim_run(&r,
	    "{\"party\": \"AM\", \"topics\": [\"t\"], "
	    "\"statement\": \"s\"}",
	    "submit", "-", NULL);
	e2e_must(&r, 4, "bad slug");
	assert_non_null(strstr(r.err, "not a slug"));
	e2e_run_free(&r);
}

static void
test_e2e_key_file_permissions(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_run r;
	char loose[600];

	snprintf(loose, sizeof(loose), "%s/loose.key", f->dir);
	{
		char cmd[2048];

		snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 644 %s",
		    f->desk_key, loose, loose);
		assert_int_equal(system(cmd), 0);
	}
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"s\"}",
	    "submit", "-", "--key", loose, NULL);
	e2e_must(&r, 2, "loose key");
	assert_non_null(strstr(r.err, "can be read by others"));
	e2e_run_free(&r);
	/* keygen does not overwrite a key. */
	e2e_claim_run(&r, NULL, "keygen", "--out", f->desk_key, NULL);
	e2e_must(&r, 2, "keygen over a key");
	e2e_run_free(&r);
	/* keygen writes 0600 whatever the umask, and prints the public
	 * key in hex: the one claimd then names as the signer. */
	{
		char cmd[2048], fresh[600], pub[100] = "";
		struct stat st;
		FILE *p;

		snprintf(fresh, sizeof(fresh), "%s/fresh.key", f->dir);
		snprintf(cmd, sizeof(cmd), "umask 000 && %s keygen --out %s",
		    e2e_claim, fresh);
		assert_non_null(p = popen(cmd, "r"));
		assert_non_null(fgets(pub, sizeof(pub), p));
		assert_int_equal(pclose(p), 0);
		assert_int_equal(stat(fresh, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_int_equal(strspn(pub, "0123456789abcdef"), 64);
		assert_int_equal(strlen(pub), 65); /* and the newline */
		pub[64] = '\0';
		E2E_CLAIM(0, NULL, "grant", pub, "--party", "am-mfa", "--key",
		    f->admin_key);
		{
			json_t *ack = e2e_claim_json(
			    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
			    "\"statement\": \"Fresh key.\"}",
			    "submit", "-", "--key", fresh, "--json");
			json_t *j = e2e_claim_json(NULL, "show",
			    json_string_value(json_object_get(ack, "claim")),
			    "--json");

			assert_string_equal(
			    json_string_value(json_object_get(j, "signer")),
			    pub);
			json_decref(j);
			json_decref(ack);
		}
	}
}

/* Writes text to dir/name (mode 0600); returns the path (caller frees). */
static char *
write_file(const char *dir, const char *name, const char *text)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	FILE *fp;

	sprintf(path, "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, 0600), 0);
	return path;
}

/*
 * A member key sealed with a passphrase: keygen writes it 0600 with no
 * seed in the clear; it signs with the right passphrase file only; with a
 * wrong one claim says so, exits 2 and sends nothing.
 */
static void
test_e2e_sealed_key_needs_its_passphrase(void **state)
{
	struct e2e_fixture *f = *state;
	const char *claim = "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
			    "\"statement\": \"Signed with a sealed key.\"}";
	char *pass = write_file(f->dir, "pass", "correct horse battery\n");
	char *wrong = write_file(f->dir, "wrong", "correct horse\n");
	char key[600], *pub, *text, *id;
	struct e2e_run r;
	struct stat st;
	json_int_t before;
	json_t *j;

	snprintf(key, sizeof(key), "%s/sealed.key", f->dir);
	e2e_claim_run(&r, NULL, "keygen", "--passphrase", "--passphrase-file",
	    pass, "--out", key, NULL);
	e2e_must(&r, 0, "keygen --passphrase");
	assert_true(strlen(r.out) >= 64);
	pub = strndup(r.out, 64);
	e2e_run_free(&r);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_non_null(text = tu_read_file(key, NULL));
	assert_non_null(strstr(text, "claimd-secret-key v2"));
	assert_null(strstr(text, "seed "));
	free(text);
	E2E_CLAIM(
	    0, NULL, "grant", pub, "--party", "am-mfa", "--key", f->admin_key);
	before = log_size();

	/* The wrong passphrase: a clear error, exit 2, nothing stored. */
	e2e_claim_run(&r, claim, "submit", "-", "--key", key,
	    "--passphrase-file", wrong, NULL);
	e2e_must(&r, 2, "submit with the wrong passphrase");
	if (strstr(r.err, "wrong passphrase") == NULL ||
	    strstr(r.err, key) == NULL)
		fail_msg("unclear error: %s", r.err);
	assert_string_equal(r.out, "");
	e2e_run_free(&r);
	assert_int_equal(log_size(), before);
	assert_int_equal(e2e_stat(NULL, "refused"), 0);

	/* The right one, as an option and from the environment. */
	j = e2e_claim_json(claim, "submit", "-", "--key", key,
	    "--passphrase-file", pass, "--json");
	id = json_str(j, "claim");
	json_decref(j);
	j = e2e_claim_json(NULL, "show", id, "--json");
	assert_string_equal(
	    json_string_value(json_object_get(j, "signer")), pub);
	json_decref(j);
	setenv("CLAIM_PASSPHRASE_FILE", pass, 1);
	E2E_CLAIM(0, NULL, "retract", id, "--reason", "a test", "--key", key);
	unsetenv("CLAIM_PASSPHRASE_FILE");
	assert_int_equal(log_size(), before + 2);
	free(id);
	free(pub);
	free(pass);
	free(wrong);
}

/*
 * From watch -v's last words on stderr, "claim: N entries; M missed events
 * fetched by range" (or entry, event for 1): M, or -1 if it did not say.
 */
static long long
missed_at_end(const char *path)
{
	char *log = tu_read_file(path, NULL), *p, *hit = NULL;
	long long n = -1;

	assert_non_null(log);
	for (p = log; (p = strstr(p, "\nclaim: ")) != NULL; p++)
		hit = p + 1;
	if (hit == NULL && strncmp(log, "claim: ", 7) == 0)
		hit = log;
	if (hit != NULL &&
	    (sscanf(hit, "claim: %*[0-9] %*[a-z]; %lld", &n) != 1 ||
		(strstr(hit, " missed events fetched by range\n") == NULL &&
		    strstr(hit, " missed event fetched by range\n") == NULL)))
		n = -1;
	free(log);
	return n;
}

/*
 * A watcher too slow for the feed: claimd keeps only a few events for
 * each subscriber (--feed-hwm), and the watcher is stopped (SIGSTOP) while
 * thousands of claims go out, more than the loopback TCP buffers and that
 * queue hold, so the feed drops most of them. Resumed, it still prints
 * every index exactly once, in order, each with the acknowledged hash;
 * and -v shows it fetched what the feed dropped.
 */
static int slow_claims;

/*
 * Enough claims to overflow what the kernel may buffer for a stopped
 * reader: the largest send buffer (tcp_wmem's maximum) and a few times the
 * receive buffer it starts with, at 500 bytes an event (measured here:
 * about 9,200 events filled the buffers of a 4 MiB tcp_wmem), plus 4,000
 * to be dropped. 12,000 at least; at most 60,000, which covers send
 * buffers up to 26 MiB and keeps the test well inside ctest's timeout.
 */
static int
overflowing(void)
{
	long wmem[3] = {0, 0, 4 << 20}, rmem[3] = {0, 128 << 10, 0};
	FILE *fp;
	long n;

	if ((fp = fopen("/proc/sys/net/ipv4/tcp_wmem", "r")) != NULL) {
		if (fscanf(fp, "%ld %ld %ld", &wmem[0], &wmem[1], &wmem[2]) !=
		    3)
			wmem[2] = 4 << 20;
		fclose(fp);
	}
	if ((fp = fopen("/proc/sys/net/ipv4/tcp_rmem", "r")) != NULL) {
		if (fscanf(fp, "%ld %ld %ld", &rmem[0], &rmem[1], &rmem[2]) !=
		    3)
			rmem[1] = 128 << 10;
		fclose(fp);
	}
	n = (wmem[2] + 4 * rmem[1]) / 500 + 4000;
	return n < 12000 ? 12000 : n > 60000 ? 60000 : (int)n;
}

static void
test_e2e_slow_watcher_misses_nothing(void **state)
{
	static const char *const hwm[] = {"--feed-hwm", "10", NULL};
	struct e2e_fixture *f = *state;
	char errlog[600], bulk[600], **hashes, *line;
	struct e2e_run r;
	struct e2e_bg w;
	long long missed;
	FILE *fp;

	slow_claims = overflowing();
	assert_int_equal(e2e_daemon_stop(&f->d, SIGTERM), 0);
	e2e_daemon_start_args(&f->d, f->data, NULL, NULL, NULL, hwm);
	snprintf(errlog, sizeof(errlog), "%s/watch.err", f->dir);
	/* From the log's end, named, so that index 4 comes however late
	 * the watcher starts; once it has printed that, it follows the feed
	 * live. */
	e2e_bg_start_err(&w, errlog, "watch", "--json", "-v", "--from", "4");
	watcher = w.pid;
	e2e_wait_stat(NULL, "subscribers", 1, 20);
	E2E_CLAIM(0,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"Before the stop.\"}",
	    "submit", "-");
	assert_non_null(line = e2e_bg_line(&w, 20000));
	assert_non_null(strstr(line, "\"index\":4,"));
	free(line);

	assert_int_equal(kill(w.pid, SIGSTOP), 0);
	snprintf(bulk, sizeof(bulk), "%s/bulk.jsonl", f->dir);
	assert_non_null(fp = fopen(bulk, "w"));
	for (int i = 0; i < slow_claims; i++)
		fprintf(fp,
		    "{\"party\": \"%s\", \"topics\": [\"bulk\"], "
		    "\"statement\": \"Claim %d, sent while the watcher "
		    "sleeps.\"}\n",
		    i % 2 ? "az-mfa" : "am-mfa", i);
	fclose(fp);
	e2e_claim_run(&r, NULL, "submit", bulk, "--json");
	assert_int_equal(kill(w.pid, SIGCONT), 0);
	e2e_must(&r, 0, "submit while the watcher sleeps");
	hashes = calloc(5 + slow_claims, sizeof(*hashes));
	{
		char *save = NULL;
		int n = 0;

		for (line = strtok_r(r.out, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save), n++) {
			json_t *a = json_loads(line, 0, NULL);
			json_int_t i =
			    json_integer_value(json_object_get(a, "index"));

			assert_true(i >= 5 && i < 5 + slow_claims);
			hashes[i] = json_str(a, "hash");
			json_decref(a);
		}
		assert_int_equal(n, slow_claims);
	}
	e2e_run_free(&r);

	/* Every index once, in order, nothing after. */
	for (int i = 5; i < 5 + slow_claims; i++) {
		json_t *j;

		if ((line = e2e_bg_line(&w, 30000)) == NULL)
			fail_msg("the watcher stopped before index %d", i);
		j = json_loads(line, 0, NULL);
		assert_non_null(j);
		if (json_integer_value(json_object_get(j, "index")) != i)
			fail_msg("want index %d, got %s", i, line);
		assert_string_equal(
		    json_string_value(json_object_get(j, "hash")), hashes[i]);
		json_decref(j);
		free(line);
	}
	if ((line = e2e_bg_line(&w, 1500)) != NULL)
		fail_msg("unexpected extra event: %s", line);
	watcher = 0;
	assert_int_equal(e2e_bg_stop(&w, SIGTERM), 0);

	/* The feed did drop events, and they came by range instead: this
	 * test tried what it meant to. */
	missed = missed_at_end(errlog);
	fprintf(stderr, "slow watcher: %lld of %d events fetched by range\n",
	    missed, slow_claims);
	if (missed <= 0 || missed > slow_claims) {
		char *log = tu_read_file(errlog, NULL);

		fail_msg("the feed dropped nothing, or -v miscounts: %s", log);
	}
	{
		char *log = tu_read_file(errlog, NULL);

		assert_non_null(strstr(log, "claim: fetched "));
		free(log);
	}
	for (int i = 0; i < 5 + slow_claims; i++)
		free(hashes[i]);
	free(hashes);
}

/* IPv6 loopback: claimd listens on [::1] without CurveZMQ (loopback),
 * and claim asks and follows the feed there. */
static void
test_e2e_ipv6_loopback(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_bg w;
	char *ifs, *line, from[24];
	bool has;
	json_t *ack, *ev;

	if (access("/proc/net/if_inet6", R_OK) != 0)
		skip(); /* no IPv6 on this machine */
	ifs = tu_read_file("/proc/net/if_inet6", NULL);
	has = strstr(ifs, "00000000000000000000000000000001") != NULL;
	free(ifs);
	if (!has)
		skip(); /* no IPv6 loopback */
	e2e_daemon_stop(&f->d, SIGTERM);
	e2e_daemon_start(
	    &f->d, f->data, NULL, "tcp://[::1]:*", "tcp://[::1]:*");
	assert_int_equal(strncmp(f->d.api, "tcp://[::1]:", 12), 0);
	assert_int_equal(strncmp(f->d.feed, "tcp://[::1]:", 12), 0);
	/* A watcher on the feed over [::1] before the claim exists. It
	 * starts from the log's end, named: were it slow to ask for the
	 * log's size, the claim would otherwise fall before its start. */
	snprintf(from, sizeof(from), "%lld", (long long)e2e_stat(NULL, "size"));
	e2e_bg_start(&w, "watch", "--json", "--from", from, NULL);
	e2e_wait_stat(NULL, "subscribers", 1, 20);
	ack = e2e_claim_json("{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
			     "\"statement\": \"Over IPv6.\"}",
	    "submit", "-", "--json");
	line = e2e_bg_line(&w, 10000);
	assert_non_null(line);
	assert_non_null(ev = json_loads(line, 0, NULL));
	assert_string_equal(json_string_value(json_object_get(ev, "hash")),
	    json_string_value(json_object_get(ack, "hash")));
	free(line);
	json_decref(ev);
	json_decref(ack);
	e2e_bg_stop(&w, SIGTERM);
}

/*
 * claimd refuses a record signed more than a day ahead of its clock, with
 * both times in the message, and takes one an hour ahead. The refusal is
 * its own admission rule: an export holding the record two days ahead
 * verifies offline all the same.
 */
static void
test_e2e_time_ahead_of_the_clock(void **state)
{
	struct e2e_fixture *f = *state;
	uint64_t now = (uint64_t)time(NULL);
	uint8_t sk[PROTO_SECKEY_LEN];
	struct proto_payload p;
	struct proto_buf ahead, hour;
	char *path, *line, exp[600], want[200];
	struct e2e_run r;
	json_int_t before = log_size();

	e2e_key_load(f->desk_key, sk);
	proto_buf_init(&ahead);
	proto_buf_init(&hour);
	tu_claim(&p, "am-mfa", "t", "Signed two days ahead.");
	p.time = now + 2 * 86400;
	tu_sign(&p, sk, &ahead);
	proto_payload_release(&p);
	tu_claim(&p, "am-mfa", "t", "Signed an hour ahead.");
	p.time = now + 3600;
	tu_sign(&p, sk, &hour);
	proto_payload_release(&p);
	sodium_memzero(sk, sizeof(sk));

	line = e2e_export_line(0, &ahead);
	path = write_file(f->dir, "ahead.jsonl", line);
	free(line);
	e2e_claim_run(&r, NULL, "submit", path, "--records");
	e2e_must(&r, 4, "submit a record two days ahead");
	assert_non_null(strstr(r.err, "refused: time: signed at "));
	snprintf(want, sizeof(want),
	    "(%llu), more than a day ahead of claimd's clock, ",
	    (unsigned long long)(now + 2 * 86400));
	if (strstr(r.err, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", r.err, want);
	assert_non_null(strstr(strstr(r.err, want) + strlen(want), " UTC ("));
	e2e_run_free(&r);
	free(path);
	assert_int_equal(log_size(), before);

	line = e2e_export_line(0, &hour);
	path = write_file(f->dir, "hour.jsonl", line);
	free(line);
	E2E_CLAIM(0, NULL, "submit", path, "--records");
	free(path);
	assert_int_equal(log_size(), before + 1);

	/* Offline, the record two days ahead is as valid as any. */
	snprintf(exp, sizeof(exp), "%s/all.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	{
		FILE *fp = fopen(exp, "a");

		assert_non_null(fp);
		line = e2e_export_line((uint64_t)before + 1, &ahead);
		fputs(line, fp);
		fclose(fp);
		free(line);
	}
	E2E_CLAIM(0, NULL, "verify", exp, "--admin-key", f->admin_pub);
	proto_buf_release(&ahead);
	proto_buf_release(&hour);
}

/*
 * Version v of claim id (statement stmt, no sources, party am-mfa, topic
 * t) on head prev, signed with the desk's key, as an export line at
 * index; written to dir/name, whose path is returned (caller frees).
 */
static char *
crafted_version(struct e2e_fixture *f, const char *name, const char *id_hex,
    const char *prev_hex, uint64_t v, const char *stmt,
    enum proto_status status, const char *note, uint64_t index)
{
	uint8_t sk[PROTO_SECKEY_LEN];
	struct proto_payload p;
	struct proto_buf rec;
	char *line, *path;

	e2e_key_load(f->desk_key, sk);
	tu_claim(&p, "am-mfa", "t", stmt);
	p.time = (uint64_t)time(NULL);
	p.claim.version = v;
	assert_int_equal(proto_unhex(id_hex, p.claim.claim, 32), 0);
	assert_int_equal(proto_unhex(prev_hex, p.claim.prev, 32), 0);
	p.claim.status = status;
	p.claim.note = note != NULL ? strdup(note) : NULL;
	proto_buf_init(&rec);
	tu_sign(&p, sk, &rec);
	sodium_memzero(sk, sizeof(sk));
	proto_payload_release(&p);
	line = e2e_export_line(index, &rec);
	path = write_file(f->dir, name, line);
	free(line);
	proto_buf_release(&rec);
	return path;
}

/* Runs claim with stdin in, requires want and that stderr holds each
 * of the NULL-terminated texts. */
static void
claim_says(int want, const char *in, const char *const *texts, ...)
{
	const char *argv[16] = {NULL};
	struct e2e_run r;
	va_list ap;
	int n = 0;

	va_start(ap, texts);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	e2e_claim_run(&r, in, argv[0], argv[1], argv[2], argv[3], argv[4],
	    argv[5], argv[6], argv[7]);
	e2e_must(&r, want, argv[0]);
	for (size_t i = 0; texts[i] != NULL; i++)
		if (strstr(r.err, texts[i]) == NULL)
			fail_msg("claim %s: no \"%s\" in: %s", argv[0],
			    texts[i], r.err);
	e2e_run_free(&r);
}

#define SAYS(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * The version rules of issue 16, through the real client and claimd:
 * a revision without a note, one that changes nothing, a second
 * retraction and a revision of a retracted claim are refused, by the
 * client and, for records signed elsewhere, by claimd; only reinstate
 * makes a retracted claim live again; claim verify replays the rules.
 * A claim without sources is stored, with a warning, and marked.
 */
static void
test_e2e_version_rules(void **state)
{
	struct e2e_fixture *f = *state;
	char *a, *b, *h3, *path, exp[600], *line;
	struct e2e_run r;
	json_int_t size;
	json_t *j;

	/* Sourced: no warning. Sourceless: a warning, with --json in the
	 * acknowledgement, and stored all the same. */
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"Sourced.\", \"sources\": [{\"publisher\": \"P\", \"title\": "
	    "\"T\"}]}",
	    "submit", "-", NULL);
	e2e_must(&r, 0, "a sourced claim");
	assert_null(strstr(r.err, "no sources"));
	e2e_run_free(&r);
	j = e2e_claim_json(
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"A says so.\"}",
	    "submit", "-", "--json");
	a = json_str(j, "claim");
	assert_string_equal(
	    json_string_value(json_object_get(j, "warning")), "no-sources");
	json_decref(j);
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"B says so.\"}",
	    "submit", "-", NULL);
	e2e_must(&r, 0, "a sourceless claim");
	assert_non_null(strstr(r.err, "claim: line 1: claim has no sources\n"));
	assert_non_null(strstr(r.out, "claim "));
	b = strndup(r.out + strlen("claim "), 64);
	e2e_run_free(&r);
	/* Marked wherever it is shown. */
	e2e_claim_run(&r, NULL, "show", a, NULL);
	e2e_must(&r, 0, "show");
	assert_non_null(strstr(r.out, "\nno sources\n"));
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "list", "--topic", "t", NULL);
	e2e_must(&r, 0, "list");
	assert_non_null(strstr(r.out, "A says so.  [no sources]\n"));
	assert_null(strstr(r.out, "Sourced.  [no sources]"));
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "diff", "--topic", "t", "--party", "am-mfa",
	    "--party", "az-mfa", NULL);
	e2e_must(&r, 0, "diff --topic");
	assert_non_null(strstr(r.out, "A says so.  [NO SOURCES]"));
	assert_null(strstr(r.out, "Sourced.  [NO SOURCES]"));
	e2e_run_free(&r);
	{
		char page[600], *html;
		size_t n;

		snprintf(page, sizeof(page), "%s/t.html", f->dir);
		E2E_CLAIM(0, NULL, "diff", "--topic", "t", "--party", "am-mfa",
		    "--party", "az-mfa", "--html", page);
		html = tu_read_file(page, &n);
		assert_non_null(
		    strstr(html, "<p class=\"flag\">No sources</p>"));
		free(html);
	}

	/* A revision says why it was made, and changes something. */
	claim_says(4, "{\"topics\": [\"t\"], \"statement\": \"A, firmly.\"}",
	    SAYS("refused: schema: version 2 of claim ", "has no note"),
	    "revise", a, "-", NULL);
	claim_says(4, "{\"topics\": [\"t\"], \"statement\": \"A says so.\"}",
	    SAYS("refused: unchanged: this revision says what version 1"),
	    "revise", a, "-", "--note", "again", NULL);
	claim_says(0, "{\"topics\": [\"t\"], \"statement\": \"A, firmly.\"}",
	    SAYS("line 1: claim has no sources"), "revise", a, "-", "--note",
	    "firmer", NULL);
	e2e_claim_run(&r, NULL, "diff", a, "--from", "1", "--to", "2", NULL);
	e2e_must(&r, 0, "diff of versions");
	assert_non_null(strstr(r.out, "no sources in version 2\n"));
	assert_null(strstr(r.out, "(no changes)"));
	e2e_run_free(&r);

	/* Retracted once; not again, and its reason stands. */
	j = e2e_claim_json(
	    NULL, "retract", a, "--reason", "misattributed", "--json");
	h3 = json_str(j, "hash");
	json_decref(j);
	claim_says(4, NULL, SAYS("refused: retracted: ", "already retracted"),
	    "retract", a, "--reason", "another reason", NULL);
	claim_says(4, "{\"topics\": [\"t\"], \"statement\": \"A, changed.\"}",
	    SAYS("is retracted (version 3); to make it live again use claim "
		 "reinstate "),
	    "revise", a, "-", "--note", "n", NULL);
	claim_says(4, NULL,
	    SAYS("refused: unchanged: ", "nothing to reinstate"), "reinstate",
	    b, "--note", "n", NULL);
	claim_says(2, NULL, SAYS("say why: --note TEXT"), "reinstate", a, NULL);
	/* claimd refuses the same, signed elsewhere. */
	size = log_size();
	path = crafted_version(f, "again.jsonl", a, h3, 4, "A, firmly.",
	    PROTO_STATUS_RETRACTED, "another reason", 0);
	claim_says(4, NULL,
	    SAYS("refused: retracted: claim ",
		"is already retracted (version "
		"3); its reason stands"),
	    "submit", path, "--records", NULL);
	free(path);
	path = crafted_version(f, "revived.jsonl", a, h3, 4, "A, changed.",
	    PROTO_STATUS_ASSERTED, "n", 0);
	claim_says(4, NULL,
	    SAYS("refused: retracted: ",
		"to make it live again use claim reinstate "),
	    "submit", path, "--records", NULL);
	free(path);
	assert_int_equal(log_size(), size);
	j = e2e_claim_json(NULL, "show", a, "--json");
	assert_string_equal(
	    json_string_value(json_object_get(j, "note")), "misattributed");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
	json_decref(j);

	/* Reinstated, explicitly; once. */
	j = e2e_claim_json(
	    NULL, "reinstate", a, "--note", "attributed after all", "--json");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 4);
	json_decref(j);
	j = e2e_claim_json(NULL, "show", a, "--json");
	assert_string_equal(
	    json_string_value(json_object_get(j, "status")), "asserted");
	assert_true(json_is_true(json_object_get(j, "reinstates")));
	assert_string_equal(
	    json_string_value(json_object_get(j, "statement")), "A, firmly.");
	json_decref(j);
	e2e_claim_run(&r, NULL, "show", a, NULL);
	e2e_must(&r, 0, "show reinstated");
	assert_non_null(strstr(r.out, "status    asserted (reinstated)\n"));
	e2e_run_free(&r);
	claim_says(4, NULL, SAYS("nothing to reinstate"), "reinstate", a,
	    "--note", "again", NULL);
	/* What show --json prints of it can be edited and sent back. */
	{
		char *text;

		j = e2e_claim_json(NULL, "show", a, "--json");
		json_object_set_new(
		    j, "statement", json_string("A, firmly, and again."));
		text = json_dumps(j, 0);
		json_decref(j);
		j = e2e_claim_json(
		    text, "revise", a, "-", "--note", "edited", "--json");
		assert_int_equal(
		    json_integer_value(json_object_get(j, "version")), 5);
		json_decref(j);
		free(text);
	}
	e2e_claim_run(&r, NULL, "history", a, NULL);
	e2e_must(&r, 0, "history");
	assert_non_null(strstr(r.out, "  retracted  "));
	assert_non_null(strstr(r.out, "  reinstated "));
	assert_non_null(strstr(r.out, " attributed after all\n"));
	e2e_run_free(&r);

	/* The same in JSON Lines. */
	e2e_claim_run(&r,
	    "{\"ref\": \"c\", \"party\": \"az-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"C says so.\"}\n"
	    "{\"retracts\": \"@c\", \"reason\": \"wrong\"}\n"
	    "{\"retracts\": \"@c\", \"reason\": \"wrong again\"}\n"
	    "{\"reinstates\": \"@c\", \"note\": \"right after all\"}\n"
	    "{\"reinstates\": \"@c\"}\n",
	    "submit", "-", NULL);
	e2e_must(&r, 4, "JSON Lines");
	assert_non_null(strstr(r.err, "line 1: claim has no sources"));
	assert_non_null(strstr(r.err, "line 3: refused: retracted: "));
	assert_non_null(strstr(r.err,
	    "line 5: refused: json: a reinstatement "
	    "needs a \"note\""));
	assert_non_null(strstr(r.err, "3 stored, 0 already stored, 2 refused"));
	e2e_run_free(&r);

	/* Offline, claim verify replays the rules: the log as it is
	 * passes; a note-less revision signed elsewhere and appended to it
	 * does not. */
	snprintf(exp, sizeof(exp), "%s/rules.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	E2E_CLAIM(0, NULL, "verify", exp, "--admin-key", f->admin_pub);
	size = log_size();
	path = crafted_version(f, "noteless.jsonl", b, b, 2, "B, changed.",
	    PROTO_STATUS_ASSERTED, NULL, (uint64_t)size);
	{
		FILE *fp = fopen(exp, "a");
		size_t n;

		assert_non_null(fp);
		line = tu_read_file(path, &n);
		fputs(line, fp);
		fclose(fp);
		free(line);
	}
	claim_says(1, NULL,
	    SAYS("verification failed at entry ", "has no note"), "verify", exp,
	    "--admin-key", f->admin_pub, NULL);
	claim_says(4, NULL, SAYS("refused: schema: ", "has no note"), "submit",
	    path, "--records", NULL);
	free(path);
	free(h3);
	free(a);
	free(b);
}

/* Keys that can never sign: the zero key, the identity, and others. */
static const char *const unusable_keys[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0200000000000000000000000000000000000000000000000000000000000000",
};

/*
 * A key that can never sign is refused before anything is signed,
 * stored or read: as claimd's admin key for a new folder (which is not
 * made), as claim grant's key, as claim verify's --admin-key and
 * --log-key.
 */
static void
test_e2e_keys_that_cannot_sign(void **state)
{
	struct e2e_fixture *f = *state;
	char exp[600], cp[600], fresh[600], log[600], cmd[2048], vkey[400];
	uint8_t pk[PROTO_PUBKEY_LEN];
	json_int_t before = log_size();
	struct e2e_run r;
	size_t n;

	snprintf(exp, sizeof(exp), "%s/all.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	e2e_claim_run(&r, NULL, "checkpoint");
	e2e_must(&r, 0, "checkpoint");
	free(write_file(f->dir, "cp", r.out));
	e2e_run_free(&r);
	snprintf(cp, sizeof(cp), "%s/cp", f->dir);
	snprintf(log, sizeof(log), "%s/claimd.err", f->dir);
	for (size_t i = 0; i < sizeof(unusable_keys) / sizeof(*unusable_keys);
	     i++) {
		const char *key = unusable_keys[i];
		uint8_t *raw = tu_unhex(key, &n);
		char *text;

		e2e_claim_run(&r, NULL, "grant", key, "--party", "am-mfa",
		    "--key", f->admin_key);
		e2e_must(&r, 2, key);
		assert_non_null(
		    strstr(r.err, "not a valid Ed25519 public key"));
		e2e_run_free(&r);

		e2e_claim_run(&r, NULL, "verify", exp, "--admin-key", key);
		e2e_must(&r, 2, key);
		assert_non_null(strstr(r.err, "--admin-key \""));
		assert_non_null(
		    strstr(r.err, "not a valid Ed25519 public key"));
		e2e_run_free(&r);

		memcpy(pk, raw, sizeof(pk));
		free(raw);
		assert_int_equal(
		    proto_vkey_format("log", pk, vkey, sizeof(vkey)), 0);
		e2e_claim_run(&r, NULL, "verify", exp, "--checkpoint", cp,
		    "--log-key", vkey);
		e2e_must(&r, 2, vkey);
		assert_non_null(strstr(r.err, "is not a log key"));
		e2e_run_free(&r);

		/* A new folder: claimd says why and makes nothing. Were it
		 * to start, timeout ends it with 124. */
		snprintf(fresh, sizeof(fresh), "%s/fresh", f->dir);
		snprintf(cmd, sizeof(cmd),
		    "timeout 20 %s --data %s --api tcp://127.0.0.1:* --pub "
		    "tcp://127.0.0.1:* --admin-key %s > /dev/null 2> %s",
		    e2e_claimd, fresh, key, log);
		assert_int_equal(WEXITSTATUS(system(cmd)), 2);
		text = tu_read_file(log, NULL);
		if (strstr(text, "claimd: --admin-key \"") == NULL ||
		    strstr(text, "not a valid Ed25519 public key") == NULL ||
		    strchr(text, '\n') != text + strlen(text) - 1)
			fail_msg("claimd --admin-key %s: %s", key, text);
		free(text);
		assert_int_equal(access(fresh, F_OK), -1);
	}
	/* Nothing was sent: the log is as it was. */
	assert_int_equal(log_size(), before);
}

/*
 * A first start that fails (its API port in use) binds the new folder to
 * nothing: started again with another --origin on free ports, claimd
 * takes it, and the log key names it.
 */
static void
test_e2e_failed_first_start_leaves_the_folder_new(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon d2;
	const char *const extra[] = {"--origin", "second.example", NULL};
	char fresh[600], log[600], cmd[2048], want[200], *text;
	struct e2e_run r;
	json_t *cp;

	snprintf(fresh, sizeof(fresh), "%s/fresh", f->dir);
	snprintf(log, sizeof(log), "%s/fresh-first.log", f->dir);
	/* The fixture's claimd holds its API port. */
	snprintf(cmd, sizeof(cmd),
	    "timeout 20 %s --data %s --api %s --pub tcp://127.0.0.1:* "
	    "--admin-key %s --origin first.example > /dev/null 2> %s",
	    e2e_claimd, fresh, f->d.api, f->admin_pub, log);
	{
		int st = system(cmd);

		text = tu_read_file(log, NULL);
		if (!WIFEXITED(st) || WEXITSTATUS(st) == 0 ||
		    WEXITSTATUS(st) == 124 ||
		    strstr(text, "cannot listen on") == NULL)
			fail_msg("claimd on a port in use: %d: %s", st, text);
		free(text);
	}
	e2e_daemon_start_args(&d2, fresh, f->admin_pub, NULL, NULL, extra);
	e2e_claim_run(&r, NULL, "log-key");
	e2e_must(&r, 0, "log-key");
	if (strncmp(r.out, "second.example+", 15) != 0)
		fail_msg("log-key after a corrected --origin: %s", r.out);
	e2e_run_free(&r);
	cp = e2e_claim_json(NULL, "--json", "checkpoint");
	assert_int_equal(e2e_daemon_stop(&d2, SIGTERM), 0);
	setenv("CLAIM_SERVER", f->d.api, 1);

	/* claimd --check shows the root as the checkpoint does: base64. */
	snprintf(
	    cmd, sizeof(cmd), "%s --check %s > %s", e2e_claimd, fresh, log);
	assert_int_equal(system(cmd), 0);
	text = tu_read_file(log, NULL);
	snprintf(want, sizeof(want), "ok: 0 entries, root %s\n",
	    json_string_value(json_object_get(cp, "root")));
	assert_string_equal(text, want);
	free(text);
	json_decref(cp);
}

static int
setup3(void **state)
{
	static const char *const parties[] = {
	    "am-mfa", "az-mfa", "ru-mfa", NULL};

	*state = e2e_fixture_new(parties);
	return 0;
}

/*
 * One member of each JSON line of out, "v1,v2,", in order: a string as
 * it is, a number in decimal. Their number in *n (may be NULL).
 */
static const char *
json_lines_field(const char *out, const char *name, size_t *n)
{
	static char buf[4096];
	char *copy = strdup(out), *save = NULL, *line;
	size_t k = 0;

	buf[0] = '\0';
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save), k++) {
		json_t *j = json_loads(line, 0, NULL), *v;
		char num[32];

		if (j == NULL)
			fail_msg("not a JSON line: %s", line);
		v = json_object_get(j, name);
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
			strcat(buf, num);
		} else if (json_is_string(v))
			strcat(buf, json_string_value(v));
		strcat(buf, ",");
		json_decref(j);
	}
	free(copy);
	if (n != NULL)
		*n = k;
	return buf;
}

/* The run LOG_FIELD makes. */
static struct e2e_run field_run;

/* r exited 0: the member name of each line of its output. */
static const char *
run_field(const char *name, const char *what, struct e2e_run *r)
{
	static char v[4096];

	e2e_must(r, 0, what);
	snprintf(v, sizeof(v), "%s", json_lines_field(r->out, name, NULL));
	e2e_run_free(r);
	return v;
}

/* claim args... --json, exit 0: the member name of each line. */
#define LOG_FIELD(name, ...)                                                   \
	run_field(name, #__VA_ARGS__,                                          \
	    (e2e_claim_run(&field_run, NULL, __VA_ARGS__, "--json"),           \
		&field_run))

/*
 * claim log: every change, newest first in log order; --party and
 * --topic repeated mean any of them; --since is by signing time and
 * reads past an old record stored late; -n stops; no pager into a pipe.
 */
static void
test_e2e_log_newest_first(void **state)
{
	struct e2e_fixture *f = *state;
	json_int_t base = log_size();
	uint8_t sk[PROTO_SECKEY_LEN];
	struct proto_payload p;
	struct proto_buf old;
	struct e2e_run r;
	char want[256], *line, *path;
	size_t n;

	E2E_CLAIM(0,
	    "{\"ref\": \"a\", \"party\": \"am-mfa\", \"topics\": [\"lachin\"], "
	    "\"statement\": \"a1\"}\n"
	    "{\"ref\": \"b\", \"party\": \"az-mfa\", \"topics\": "
	    "[\"borders\"], \"statement\": \"b1\"}\n"
	    "{\"party\": \"ru-mfa\", \"topics\": [\"lachin\"], "
	    "\"statement\": \"c1\"}\n"
	    "{\"revises\": \"@a\", \"topics\": [\"lachin\"], \"statement\": "
	    "\"a2\", \"note\": \"firmer\"}\n"
	    "{\"retracts\": \"@b\", \"reason\": \"wrong party\"}\n"
	    "{\"reinstates\": \"@b\", \"note\": \"right after all\"}\n",
	    "submit", "-", "--window", "1");
	/* Everything, newest first: the claims, then the registry. */
	e2e_claim_run(&r, NULL, "log", "--json");
	e2e_must(&r, 0, "log --json");
	assert_string_equal(json_lines_field(r.out, "change", &n),
	    "reinstate,retract,revise,submit,submit,submit,grant,party,"
	    "grant,party,grant,party,");
	assert_int_equal(n, base + 6);
	snprintf(want, sizeof(want), "%lld,%lld,", (long long)base + 5,
	    (long long)base + 4);
	assert_int_equal(
	    strncmp(json_lines_field(r.out, "index", NULL), want, strlen(want)),
	    0);
	e2e_run_free(&r);
	/* -n: the newest N, one line each, the note saying why. */
	e2e_claim_run(&r, NULL, "log", "-n", "2");
	e2e_must(&r, 0, "log -n 2");
	snprintf(want, sizeof(want), "%lld ", (long long)base + 5);
	assert_int_equal(strncmp(r.out, want, strlen(want)), 0);
	line = strchr(r.out, '\n');
	assert_non_null(line);
	assert_non_null(strstr(r.out, " reinstate "));
	assert_true(strstr(r.out, "note: right after all\n") < line);
	assert_non_null(strstr(line, " retract "));
	assert_non_null(strstr(line, "reason: wrong party\n"));
	assert_int_equal(strchr(line + 1, '\n')[1], '\0');
	e2e_run_free(&r);
	/* Repeated filters: any of them; a registry record has no topic. */
	assert_string_equal(
	    LOG_FIELD("party", "log", "--party", "az-mfa", "--party", "am-mfa"),
	    "az-mfa,az-mfa,am-mfa,az-mfa,am-mfa,az-mfa,az-mfa,am-mfa,am-mfa,");
	assert_string_equal(
	    LOG_FIELD("statement", "log", "--topic", "lachin"), "a2,c1,a1,");
	assert_string_equal(
	    LOG_FIELD("statement", "log", "--topic", "lachin", "--topic",
		"borders", "--party", "az-mfa", "--party", "ru-mfa"),
	    "b1,b1,c1,b1,");
	assert_string_equal(LOG_FIELD("change", "log", "--party", "ru-mfa",
				"--party", "am-mfa", "-n", "3"),
	    "revise,submit,submit,");

	/* A record signed in 2023 (tu_claim's time, 1700000002), stored
	 * last: the newest in the log, the oldest by signing time. */
	e2e_key_load(f->desk_key, sk);
	proto_buf_init(&old);
	tu_claim(&p, "am-mfa", "lachin", "signed long ago");
	tu_sign(&p, sk, &old);
	proto_payload_release(&p);
	sodium_memzero(sk, sizeof(sk));
	line = e2e_export_line(0, &old);
	path = write_file(f->dir, "old.jsonl", line);
	free(line);
	proto_buf_release(&old);
	E2E_CLAIM(0, NULL, "submit", path, "--records");
	free(path);
	/* --since reads on past it: everything else is newer. */
	e2e_claim_run(&r, NULL, "log", "--since", "2024-01-01", "--json");
	e2e_must(&r, 0, "log --since 2024-01-01");
	json_lines_field(r.out, "index", &n);
	assert_int_equal(n, base + 6);
	assert_null(strstr(r.out, "signed long ago"));
	e2e_run_free(&r);
	/* At or after: 2023-11-14T22:13:22Z is its second exactly. */
	snprintf(want, sizeof(want), "%lld,", (long long)base + 6);
	assert_string_equal(LOG_FIELD("index", "log", "--since",
				"2023-11-14T22:13:22Z", "-n", "1"),
	    want);
	assert_string_equal(
	    LOG_FIELD("index", "log", "--since", "2023-11-14", "-n", "1"),
	    want);
	snprintf(want, sizeof(want), "%lld,", (long long)base + 5);
	assert_string_equal(LOG_FIELD("index", "log", "--since",
				"2023-11-14T22:13:23", "-n", "1"),
	    want);
	/* Nothing since: said, exit 0. */
	e2e_claim_run(&r, NULL, "log", "--since", "2100-01-01");
	e2e_must(&r, 0, "log --since 2100");
	assert_string_equal(r.out, "");
	holds(r.err, "no changes");
	e2e_run_free(&r);

	/* Names claimd does not hold, and bad values. */
	e2e_claim_run(
	    &r, NULL, "log", "--party", "am-mfa", "--party", "ru-mfx");
	e2e_must(&r, 1, "log --party ru-mfx");
	assert_string_equal(r.out, "");
	holds(r.err, "no party \"ru-mfx\"; did you mean \"ru-mfa\"?");
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "log", "--topic", "lachni", "--json");
	e2e_must(&r, 1, "log --topic lachni");
	holds(r.err, "\"error\":\"not-found\"");
	holds(r.err, "did you mean \\\"lachin\\\"?");
	e2e_run_free(&r);
	E2E_CLAIM(2, NULL, "log", "--since", "2026-02-30");
	E2E_CLAIM(2, NULL, "log", "--since", "yesterday");
	E2E_CLAIM(2, NULL, "log", "-n", "0");
	e2e_claim_run(&r, NULL, "log", "--sinse", "2024-01-01");
	e2e_must(&r, 2, "log --sinse");
	holds(r.err, "unknown option --sinse; did you mean --since?");
	e2e_run_free(&r);

	/* Into a pipe, never through the pager. */
	setenv("PAGER", "sed s/^/PAGED:/", 1);
	e2e_claim_run(&r, NULL, "log", "-n", "1");
	unsetenv("PAGER");
	e2e_must(&r, 0, "log with PAGER set");
	assert_null(strstr(r.out, "PAGED:"));
	holds(r.out, "signed long ago");
	e2e_run_free(&r);
}

/* The next line of a watcher, as JSON: member name. */
static char *
watched(struct e2e_bg *w, const char *name)
{
	char *line = e2e_bg_line(w, 10000), *v;
	json_t *j;

	if (line == NULL)
		fail_msg("the watcher said nothing");
	if ((j = json_loads(line, 0, NULL)) == NULL)
		fail_msg("not JSON: %s", line);
	v = json_str(j, name);
	json_decref(j);
	free(line);
	return v;
}

/*
 * watch --party A --party B (and --topic likewise): entries of any of
 * them, live and caught up by range, none of a third; --from past the
 * log's end says how far, and waits only with --wait.
 */
static void
test_e2e_watch_any_of_several_and_past_the_end(void **state)
{
	struct e2e_fixture *f = *state;
	static const char *const by_party[] = {"a1", "b1", "a2"};
	static const char *const by_topic[] = {"a1", "r1", "b1", "r3"};
	json_int_t base = log_size();
	char from[32], errpath[600], want[200], *v;
	struct e2e_bg wp, wt, ww;
	struct e2e_run r;

	snprintf(from, sizeof(from), "%lld", (long long)base);
	e2e_bg_start(&wp, "watch", "--party", "am-mfa", "--party", "az-mfa",
	    "--json", "--from", from);
	e2e_bg_start(&wt, "watch", "--topic", "lachin", "--topic", "borders",
	    "--json", "--from", from);
	e2e_wait_stat(NULL, "subscribers", 2, 20);
	E2E_CLAIM(0,
	    "{\"party\": \"am-mfa\", \"topics\": [\"lachin\"], \"statement\": "
	    "\"a1\"}\n"
	    "{\"party\": \"ru-mfa\", \"topics\": [\"lachin\"], \"statement\": "
	    "\"r1\"}\n"
	    "{\"party\": \"az-mfa\", \"topics\": [\"borders\"], \"statement\": "
	    "\"b1\"}\n"
	    "{\"party\": \"ru-mfa\", \"topics\": [\"other\"], \"statement\": "
	    "\"r2\"}\n"
	    "{\"party\": \"ru-mfa\", \"topics\": [\"borders\"], \"statement\": "
	    "\"r3\"}\n"
	    "{\"party\": \"am-mfa\", \"topics\": [\"other\"], \"statement\": "
	    "\"a2\"}\n",
	    "submit", "-", "--window", "1");
	for (size_t i = 0; i < 3; i++) {
		v = watched(&wp, "statement");
		assert_string_equal(v, by_party[i]);
		free(v);
	}
	for (size_t i = 0; i < 4; i++) {
		v = watched(&wt, "statement");
		assert_string_equal(v, by_topic[i]);
		free(v);
	}
	assert_null(e2e_bg_line(&wp, 1000));
	assert_null(e2e_bg_line(&wt, 200));
	assert_int_equal(e2e_bg_stop(&wp, SIGTERM), 0);
	assert_int_equal(e2e_bg_stop(&wt, SIGTERM), 0);
	/* Caught up by range from 0: the registry of both, then theirs. */
	assert_string_equal(
	    LOG_FIELD("party", "watch", "--from", "0", "--party", "az-mfa",
		"--party", "am-mfa", "--count", "7"),
	    "am-mfa,am-mfa,az-mfa,az-mfa,am-mfa,az-mfa,am-mfa,");
	assert_string_equal(
	    LOG_FIELD("statement", "watch", "--from", "0", "--topic", "borders",
		"--topic", "lachin", "--count", "4"),
	    "a1,r1,b1,r3,");

	/* Past the end: how far, exit 1, at once. */
	e2e_claim_run(&r, NULL, "watch", "--from", "999999");
	e2e_must(&r, 1, "watch --from 999999");
	snprintf(want, sizeof(want),
	    "the log has %lld entries; --from 999999 is %lld past its end",
	    (long long)base + 6, (long long)(999999 - base - 6));
	holds(r.err, want);
	assert_string_equal(r.out, "");
	e2e_run_free(&r);
	/* --wait: until the log gets there. */
	snprintf(from, sizeof(from), "%lld", (long long)base + 7);
	snprintf(errpath, sizeof(errpath), "%s/wait.err", f->dir);
	e2e_bg_start_err(
	    &ww, errpath, "watch", "--from", from, "--wait", "--json");
	e2e_wait_stat(NULL, "subscribers", 1, 20);
	E2E_CLAIM(0,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"w1\"}\n"
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"w2\"}\n",
	    "submit", "-", "--window", "1");
	v = watched(&ww, "statement");
	assert_string_equal(v, "w2");
	free(v);
	assert_int_equal(e2e_bg_stop(&ww, SIGTERM), 0);
	{
		char *err = tu_read_file(errpath, NULL);

		assert_non_null(err);
		snprintf(want, sizeof(want),
		    "waiting for index %lld, 1 past its end",
		    (long long)base + 7);
		holds(err, want);
		free(err);
	}
	/* A topic claimd does not hold yet: a monitor may wait for it, so a
	 * warning naming the likely one (it holds "ord"), not a refusal. */
	snprintf(errpath, sizeof(errpath), "%s/unknown.err", f->dir);
	e2e_bg_start_err(&ww, errpath, "watch", "--topic", "ord");
	e2e_wait_stat(NULL, "subscribers", 1, 20);
	assert_int_equal(e2e_bg_stop(&ww, SIGTERM), 0);
	{
		char *err = tu_read_file(errpath, NULL);

		assert_non_null(err);
		holds(err,
		    "no topic \"ord\" yet; did you mean \"borders\"? "
		    "(waiting for it anyway)");
		free(err);
	}
	/* Elsewhere it is exit 1: the name it begins or is part of first. */
	e2e_claim_run(&r, NULL, "list", "--topic", "ord");
	e2e_must(&r, 1, "list --topic ord");
	holds(r.err, "no topic \"ord\"; did you mean \"borders\"?");
	e2e_run_free(&r);
}

/* Code points in the first line of s; fails on UTF-8 cut mid-character. */
static size_t
line_columns(const char *s)
{
	size_t n = 0, i = 0, len = strcspn(s, "\n");

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

		if (c >= 0x80 && c < 0xc0)
			fail_msg("a line starts mid-character: %s", s);
		for (size_t j = 1; j < k; j++)
			if (i + j >= len ||
			    ((unsigned char)s[i + j] & 0xc0) != 0x80)
				fail_msg("a character cut: %.*s", (int)len, s);
		i += k;
		n++;
	}
	return n;
}

/* Every line of out holding text: cols columns, or a few less (a wide
 * party name pushes; the cut ends at a word: text's words are short),
 * cut with "...". */
static void
fits(const char *out, const char *text, size_t cols)
{
	size_t found = 0;

	for (const char *l = out; *l != '\0'; l += strcspn(l, "\n") + 1) {
		const char *end = l + strcspn(l, "\n");
		const char *t = strstr(l, text), *cut = strstr(l, "...");
		size_t n;

		if (t == NULL || t > end)
			continue;
		found++;
		n = line_columns(l);
		if (n > cols || n + 8 < cols || cut == NULL || cut > end)
			fail_msg("not cut at %zu columns (%zu): %.*s", cols, n,
			    (int)(end - l), l);
		if (*end == '\0')
			break;
	}
	if (found == 0)
		fail_msg("\"%s\" not in: %s", text, out);
}

/*
 * Statements fill the width ($COLUMNS here; a terminal's own width
 * otherwise) and are cut on a character, not a byte; into a pipe
 * without COLUMNS, whole.
 */
static void
test_e2e_output_fits_the_width(void **state)
{
	static const char *const cols[] = {"100", "140"};
	/* 40 times "Ərazi ": 280 bytes; claim holds it twice over. */
	char stmt[300] = "", claim[2 * sizeof(stmt) + 200], from[32];
	json_int_t base = log_size();
	struct e2e_run r;

	(void)state;
	for (int i = 0; i < 40; i++)
		strcat(stmt, "\xc6\x8frazi "); /* "Ərazi ": 6 columns */
	stmt[strlen(stmt) - 1] = '\0';
	snprintf(claim, sizeof(claim),
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"%s\"}\n"
	    "{\"party\": \"az-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"B%s\"}\n",
	    stmt, stmt);
	E2E_CLAIM(0, claim, "submit", "-");
	snprintf(from, sizeof(from), "%lld", (long long)base);
	for (size_t k = 0; k < 2; k++) {
		size_t w = (size_t)atoi(cols[k]);

		setenv("COLUMNS", cols[k], 1);
		e2e_claim_run(&r, NULL, "list");
		e2e_must(&r, 0, "list");
		fits(r.out, "\xc6\x8frazi", w);
		e2e_run_free(&r);
		e2e_claim_run(
		    &r, NULL, "watch", "--from", from, "--count", "1");
		e2e_must(&r, 0, "watch");
		fits(r.out, "\xc6\x8frazi", w);
		e2e_run_free(&r);
		e2e_claim_run(&r, NULL, "log", "-n", "1");
		e2e_must(&r, 0, "log");
		fits(r.out, "\xc6\x8frazi", w);
		e2e_run_free(&r);
		e2e_claim_run(&r, NULL, "diff", "--topic", "t", "--party",
		    "am-mfa", "--party", "az-mfa");
		e2e_must(&r, 0, "diff --topic");
		fits(r.out, "B\xc6\x8frazi", w);
		e2e_run_free(&r);
	}
	unsetenv("COLUMNS");
	e2e_claim_run(&r, NULL, "list");
	e2e_must(&r, 0, "list into a pipe");
	holds(r.out, stmt);
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "log", "-n", "2");
	e2e_must(&r, 0, "log into a pipe");
	holds(r.out, stmt);
	e2e_run_free(&r);
}

/* diff --html writes the page and still shows the narratives. */
static void
test_e2e_diff_html_and_the_view(void **state)
{
	struct e2e_fixture *f = *state;
	char page[600], *html;
	struct e2e_run r;

	E2E_CLAIM(0,
	    "{\"ref\": \"a\", \"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"A says so.\"}\n"
	    "{\"party\": \"az-mfa\", \"topics\": [\"t\"], \"statement\": \"B "
	    "says not.\", \"relations\": [{\"rel\": \"disputes\", "
	    "\"claim\": \"@a\"}]}\n",
	    "submit", "-", "--window", "1");
	snprintf(page, sizeof(page), "%s/t.html", f->dir);
	e2e_claim_run(&r, NULL, "diff", "--topic", "t", "--party", "am-mfa",
	    "--party", "az-mfa", "--html", page);
	e2e_must(&r, 0, "diff --html");
	holds(r.out, "Narratives on \"t\": am-mfa vs az-mfa\n");
	holds(r.out, "Disputes (1)\n");
	holds(r.out, "B says not.");
	holds(r.err, "wrote ");
	holds(r.err, page);
	e2e_run_free(&r);
	html = tu_read_file(page, NULL);
	assert_non_null(html);
	holds(html, "<th>am-mfa</th><th>az-mfa</th>");
	free(html);
}

/* The line of topic in topics' output. */
static const char *
topic_line(const char *out, const char *topic)
{
	static char line[256];
	const char *l = out;
	size_t n = strlen(topic);

	for (; *l != '\0'; l += strcspn(l, "\n") + 1)
		if (strncmp(l, topic, n) == 0 && l[n] == ' ') {
			snprintf(line, sizeof(line), "%.*s",
			    (int)strcspn(l, "\n"), l);
			return line;
		}
	fail_msg("no topic %s in: %s", topic, out);
	return NULL;
}

/*
 * topics counts the disputes among a topic's live claims: both claims
 * on the topic, neither retracted.
 */
static void
test_e2e_topics_count_disputes(void **state)
{
	struct e2e_run r;
	char want[256], *d;

	(void)state;
	/* lachin: b and d dispute a (c disputes it from another topic, e
	 * is retracted); borders: f disputes d. */
	E2E_CLAIM(0,
	    "{\"ref\": \"a\", \"party\": \"am-mfa\", \"topics\": [\"lachin\"], "
	    "\"statement\": \"a1\"}\n"
	    "{\"ref\": \"b\", \"party\": \"az-mfa\", \"topics\": [\"lachin\"], "
	    "\"statement\": \"b1\", \"relations\": [{\"rel\": \"disputes\", "
	    "\"claim\": \"@a\"}]}\n"
	    "{\"party\": \"az-mfa\", \"topics\": [\"borders\"], "
	    "\"statement\": \"c1\", \"relations\": [{\"rel\": \"disputes\", "
	    "\"claim\": \"@a\"}]}\n"
	    "{\"ref\": \"d\", \"party\": \"az-mfa\", \"topics\": [\"lachin\", "
	    "\"borders\"], \"statement\": \"d1\", \"relations\": [{\"rel\": "
	    "\"disputes\", \"claim\": \"@a\"}, {\"rel\": \"supports\", "
	    "\"claim\": \"@b\"}]}\n"
	    "{\"ref\": \"e\", \"party\": \"am-mfa\", \"topics\": [\"lachin\"], "
	    "\"statement\": \"e1\", \"relations\": [{\"rel\": \"disputes\", "
	    "\"claim\": \"@b\"}]}\n"
	    "{\"retracts\": \"@e\", \"reason\": \"withdrawn\"}\n"
	    "{\"party\": \"am-mfa\", \"topics\": [\"borders\"], "
	    "\"statement\": \"f1\", \"relations\": [{\"rel\": \"disputes\", "
	    "\"claim\": \"@d\"}]}\n",
	    "submit", "-", "--window", "1");
	e2e_claim_run(&r, NULL, "topics");
	e2e_must(&r, 0, "topics");
	snprintf(want, sizeof(want), "%-32s %8s %8s %8s %10s\n", "TOPIC",
	    "CLAIMS", "PARTIES", "DISPUTES", "LAST");
	holds(r.out, want);
	snprintf(want, sizeof(want), "%-32s %8d %8d %8d ", "lachin", 4, 2, 2);
	assert_int_equal(
	    strncmp(topic_line(r.out, "lachin"), want, strlen(want)), 0);
	snprintf(want, sizeof(want), "%-32s %8d %8d %8d ", "borders", 3, 2, 1);
	assert_int_equal(
	    strncmp(topic_line(r.out, "borders"), want, strlen(want)), 0);
	e2e_run_free(&r);
	assert_string_equal(LOG_FIELD("disputes", "topics"), "1,2,");
	/* d retracted: its dispute of a goes, and f's of it. */
	e2e_claim_run(&r, NULL, "list", "--json", "--topic", "lachin",
	    "--party", "az-mfa");
	e2e_must(&r, 0, "list");
	d = strdup(strchr(json_lines_field(r.out, "claim", NULL), ',') + 1);
	d[strcspn(d, ",")] = '\0';
	e2e_run_free(&r);
	E2E_CLAIM(0, NULL, "retract", d, "--reason", "wrong");
	free(d);
	assert_string_equal(LOG_FIELD("disputes", "topics"), "0,1,");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_e2e_claim_lifecycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_ungranted_key_and_revocation, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_stale_revision_is_a_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_version_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_idempotent_resubmission, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_watch_exactly_once_across_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_watch_catches_up_from_an_index, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_party_and_topic_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_listing_verbs_and_unknown_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_batch_labels_revisions_retractions, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_sigterm_during_batch_loses_no_ack, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_interrupted_submit_acknowledges_what_it_stored, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_sigterm_during_submit_reports_every_line, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_interrupted_or_silenced_submit_reports_every_line,
		setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_duplicate_claim_is_refused_naming_the_first, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_unreachable_usage_and_help, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_key_file_permissions, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_sealed_key_needs_its_passphrase, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_slow_watcher_misses_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_ipv6_loopback, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_time_ahead_of_the_clock, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_keys_that_cannot_sign, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_failed_first_start_leaves_the_folder_new, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_log_newest_first, setup3, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_watch_any_of_several_and_past_the_end, setup3,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_output_fits_the_width, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_diff_html_and_the_view, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_e2e_topics_count_disputes, setup, teardown),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: test_e2e CLAIMD CLAIM\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	if (sodium_init() < 0)
		return 1;
	/* E2E_FILTER=test_e2e_log* runs only those (cmocka's pattern). */
	if (getenv("E2E_FILTER") != NULL)
		cmocka_set_test_filter(getenv("E2E_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
