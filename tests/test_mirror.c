/*
 * test_mirror: claimd --mirror on loopback, end to end: a writer, a
 * mirror of it and a mirror of the mirror; restarts of the mirrors while
 * claims are submitted; every export byte-identical, the checkpoints'
 * roots equal, a watcher on each seeing every index once; a fork that
 * stops a mirror with its evidence kept.
 *
 *   test_mirror CLAIMD CLAIM
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "claim.h"
#include "e2e.h"

/* What a test started, stopped by teardown if the test failed. */
static pid_t started[16];

static void
track(pid_t pid)
{
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i] == 0 || started[i] == pid) {
			started[i] = pid;
			return;
		}
}

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
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++) {
		if (started[i] > 0 && kill(started[i], SIGKILL) == 0)
			waitpid(started[i], NULL, 0);
		started[i] = 0;
	}
	e2e_fixture_free(*state);
	return 0;
}

static void
submit_many(const char *server, int from, int n, const char *party)
{
	char *text = malloc((size_t)n * 200 + 1), *p = text;

	for (int i = 0; i < n; i++)
		p += sprintf(p,
		    "{\"party\": \"%s\", \"topics\": [\"bulk\"], "
		    "\"statement\": \"Statement number %d.\"}\n",
		    party, from + i);
	E2E_CLAIM(0, text, "submit", "-", "--server", server);
	free(text);
}

static char *
export_of(const char *server)
{
	struct e2e_run r;
	char *out;

	e2e_claim_run(&r, NULL, "export", "--server", server);
	e2e_must(&r, 0, "export");
	out = strdup(r.out);
	e2e_run_free(&r);
	return out;
}

/* The log key of the writer at server. */
static char *
log_key(const char *server)
{
	json_t *st =
	    e2e_claim_json(NULL, "stats", "--json", "--server", server);
	char *k = strdup(json_string_value(json_object_get(st, "log_key")));

	json_decref(st);
	return k;
}

static json_t *
checkpoint_of(const char *server)
{
	return e2e_claim_json(NULL, "checkpoint", "--json", "--server", server);
}

/* Starts a mirror of upstream in folder data, on api/feed (NULL: any). */
static void
mirror_start(struct e2e_daemon *m, const char *data, const char *upstream,
    const char *key, const char *api, const char *feed)
{
	const char *extra[] = {"--mirror", upstream, "--log-key", key, NULL};
	char *server = strdup(getenv("CLAIM_SERVER"));

	e2e_daemon_start_args(m, data, NULL, api, feed, extra);
	track(m->pid);
	/* e2e_daemon_start points claim at the daemon it started. */
	setenv("CLAIM_SERVER", server, 1);
	free(server);
}

/* Where a stopped mirror was, to start it there again. */
struct place {
	char api[128], feed[128], data[512];
};

static void
mirror_stop(struct e2e_daemon *m, struct place *p)
{
	snprintf(p->api, sizeof(p->api), "%s", m->api);
	snprintf(p->feed, sizeof(p->feed), "%s", m->feed);
	snprintf(p->data, sizeof(p->data), "%s", m->data);
	assert_int_equal(e2e_daemon_stop(m, SIGTERM), 0);
}

static void
mirror_again(struct e2e_daemon *m, const struct place *p, const char *upstream,
    const char *key)
{
	mirror_start(m, p->data, upstream, key, p->api, p->feed);
}

#define TOTAL 4 + 6 * 30

static void
test_mirror_chain(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon m1, m2;
	struct place p1, p2;
	struct e2e_bg w[3];
	int seen[3][TOTAL + 10];
	char d1[600], d2[600], *key, *exp[3];
	const char *servers[3];
	json_t *cp[3];
	struct e2e_run r;

	memset(seen, 0, sizeof(seen));
	key = log_key(f->d.api);
	submit_many(f->d.api, 0, 30, "am-mfa");
	snprintf(d1, sizeof(d1), "%s/m1", f->dir);
	snprintf(d2, sizeof(d2), "%s/m2", f->dir);
	mirror_start(&m1, d1, f->d.api, key, NULL, NULL);
	mirror_start(&m2, d2, m1.api, key, NULL, NULL);
	servers[0] = f->d.api;
	servers[1] = m1.api;
	servers[2] = m2.api;
	for (int i = 0; i < 3; i++) {
		e2e_bg_start(&w[i], "watch", "--from", "0", "--json",
		    "--server", servers[i], NULL);
		track(w[i].pid);
	}
	e2e_wait_stat(m2.api, "size", 34, 30);
	submit_many(f->d.api, 30, 30, "az-mfa");
	/* Claims while a mirror is down, and after its restart: its own
	 * mirror and its watcher wait for it. */
	mirror_stop(&m1, &p1);
	submit_many(f->d.api, 60, 30, "am-mfa");
	mirror_again(&m1, &p1, f->d.api, key);
	submit_many(f->d.api, 90, 30, "az-mfa");
	/* The mirror of the mirror down and up again. */
	mirror_stop(&m2, &p2);
	submit_many(f->d.api, 120, 30, "am-mfa");
	mirror_again(&m2, &p2, m1.api, key);
	submit_many(f->d.api, 150, 30, "az-mfa");
	assert_int_equal(e2e_stat(f->d.api, "size"), TOTAL);
	e2e_wait_stat(m1.api, "size", TOTAL, 30);
	e2e_wait_stat(m2.api, "size", TOTAL, 30);

	/* Each says what it follows and how far behind it is; the writer
	 * follows nothing. */
	for (int i = 0; i < 3; i++) {
		json_t *st = e2e_claim_json(
		    NULL, "stats", "--json", "--server", servers[i]);

		assert_string_equal(
		    json_string_value(json_object_get(st, "upstream")),
		    i == 0 ? "" : servers[i - 1]);
		assert_int_equal(
		    json_integer_value(json_object_get(st, "behind")), 0);
		assert_true(json_integer_value(
				json_object_get(st, "upstream_age")) <= 5);
		json_decref(st);
	}
	e2e_claim_run(&r, NULL, "stats", "--server", m2.api, NULL);
	e2e_must(&r, 0, "stats of a mirror");
	if (strstr(r.out, "mirror of") == NULL || strstr(r.out, m1.api) == NULL)
		fail_msg("stats do not name the upstream: %s", r.out);
	e2e_run_free(&r);

	/* A mirror refuses submissions, naming its upstream. */
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"bulk\"], "
	    "\"statement\": \"To the mirror.\"}\n",
	    "submit", "-", "--server", m1.api, NULL);
	assert_int_not_equal(r.status, 0);
	if (strstr(r.err, "read-only") == NULL ||
	    strstr(r.err, f->d.api) == NULL)
		fail_msg("refusal does not name the upstream: %s", r.err);
	e2e_run_free(&r);

	for (int i = 0; i < 3; i++) {
		exp[i] = export_of(servers[i]);
		cp[i] = checkpoint_of(servers[i]);
	}
	for (int i = 1; i < 3; i++) {
		if (strcmp(exp[i], exp[0]) != 0)
			fail_msg("mirror %d's export differs", i);
		assert_int_equal(
		    json_integer_value(json_object_get(cp[i], "size")), TOTAL);
		assert_string_equal(
		    json_string_value(json_object_get(cp[i], "root")),
		    json_string_value(json_object_get(cp[0], "root")));
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(e2e_read_watch(&w[i], seen[i], TOTAL + 10,
				     TOTAL, NULL, 20000),
		    TOTAL);
		{
			char *extra = e2e_bg_line(&w[i], 1500);

			if (extra != NULL)
				fail_msg(
				    "watcher %d: extra event %s", i, extra);
		}
		assert_int_equal(e2e_bg_stop(&w[i], SIGTERM), 0);
		for (int k = 0; k < TOTAL; k++)
			if (seen[i][k] != 1)
				fail_msg("watcher %d saw index %d %d times", i,
				    k, seen[i][k]);
		free(exp[i]);
		json_decref(cp[i]);
	}
	assert_int_equal(e2e_daemon_stop(&m2, SIGTERM), 0);
	assert_int_equal(e2e_daemon_stop(&m1, SIGTERM), 0);
	free(key);
}

/* The mirror's log has n entries and checks out (claimd --check). */
static void
check_folder(const char *data, int n)
{
	char cmd[1200], want[64];
	FILE *p;
	char out[512] = "";

	snprintf(cmd, sizeof(cmd), "%s --check %s 2>&1", e2e_claimd, data);
	assert_non_null(p = popen(cmd, "r"));
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	assert_int_equal(pclose(p), 0);
	snprintf(want, sizeof(want), "ok: %d entries", n);
	if (strncmp(out, want, strlen(want)) != 0)
		fail_msg("claimd --check %s: %s", data, out);
}

static void
test_mirror_fork(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon m;
	char dm[600], other[600], path[1300], api[128], feed[128];
	char *key, *origin, *log;
	struct stat st;
	struct e2e_run r;
	json_t *stats;

	key = log_key(f->d.api);
	stats = e2e_claim_json(NULL, "stats", "--json");
	origin = strdup(json_string_value(json_object_get(stats, "origin")));
	json_decref(stats);
	submit_many(f->d.api, 0, 20, "am-mfa");
	snprintf(dm, sizeof(dm), "%s/mirror", f->dir);
	mirror_start(&m, dm, f->d.api, key, NULL, NULL);
	e2e_wait_stat(m.api, "size", 24, 30);

	/* The writer's store swapped for another log with the same keys. */
	snprintf(api, sizeof(api), "%s", f->d.api);
	snprintf(feed, sizeof(feed), "%s", f->d.feed);
	assert_int_equal(e2e_daemon_stop(&f->d, SIGTERM), 0);
	snprintf(other, sizeof(other), "%s/other", f->dir);
	assert_int_equal(mkdir(other, 0700), 0);
	snprintf(path, sizeof(path), "cp -p %s/log.key %s/", f->data, other);
	assert_int_equal(system(path), 0);
	{
		const char *extra[] = {"--origin", origin, NULL};

		e2e_daemon_start_args(
		    &f->d, other, f->admin_pub, api, feed, extra);
	}
	E2E_CLAIM(0, NULL, "party", "add", "zz-other", "--name", "Other",
	    "--key", f->admin_key);

	/* The mirror sees the fork, keeps the evidence, and stops: exit 1. */
	{
		int status = 0, i;
		pid_t got = 0;

		for (i = 0;
		     i < 300 && (got = waitpid(m.pid, &status, WNOHANG)) == 0;
		     i++)
			usleep(100 * 1000);
		if (got != m.pid)
			fail_msg("the mirror did not stop at the fork");
		m.pid = 0;
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 1);
	}
	log = tu_read_file(m.log, NULL);
	if (strstr(log, "FORK") == NULL)
		fail_msg("no fork in the mirror's log: %s", log);
	free(log);
	snprintf(path, sizeof(path), "%s/fork/held.json", dm);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/fork/upstream.checkpoint", dm);
	assert_int_equal(stat(path, &st), 0);
	/* Its verified log is kept. */
	check_folder(dm, 24);
	/* claim audit reads the evidence: the upstream was rewritten. */
	snprintf(path, sizeof(path), "%s/fork/held.json", dm);
	e2e_claim_run(&r, NULL, "audit", "--state", path, NULL);
	e2e_must(&r, 1, "audit of the fork's evidence");
	if (strstr(r.err, "REWRITTEN") == NULL)
		fail_msg("audit: %s", r.err);
	e2e_run_free(&r);
	/* And it will not follow again while the evidence is there. */
	{
		const char *argv_ok = e2e_claimd;
		char cmd[2000];

		snprintf(cmd, sizeof(cmd),
		    "%s --data %s --mirror %s --log-key '%s' --api "
		    "tcp://127.0.0.1:* --pub tcp://127.0.0.1:* >/dev/null "
		    "2>%s/again.log",
		    argv_ok, dm, api, key, f->dir);
		assert_int_not_equal(system(cmd), 0);
	}
	free(key);
	free(origin);
}

/*
 * A client with two endpoints goes on reading, and watching, when the
 * first is stopped; its submissions go to the first only.
 */
static void
test_mirror_client_failover(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon m1, m2;
	char d1[600], d2[600], list[300], reads[300], *key, *before, *after;
	int seen[64];
	struct e2e_bg w;
	struct e2e_run r;

	memset(seen, 0, sizeof(seen));
	key = log_key(f->d.api);
	snprintf(d1, sizeof(d1), "%s/m1", f->dir);
	snprintf(d2, sizeof(d2), "%s/m2", f->dir);
	mirror_start(&m1, d1, f->d.api, key, NULL, NULL);
	mirror_start(&m2, d2, f->d.api, key, NULL, NULL);
	snprintf(list, sizeof(list), "%s,%s", m1.api, m2.api);
	e2e_bg_start(&w, "watch", "--from", "0", "--json", "--server", list,
	    "--timeout", "1000", NULL);
	track(w.pid);
	submit_many(f->d.api, 0, 20, "am-mfa");
	assert_int_equal(e2e_read_watch(&w, seen, 64, 24, NULL, 20000), 24);
	/* The watcher's first endpoint stops: it goes on from the next. */
	assert_int_equal(e2e_daemon_stop(&m1, SIGTERM), 0);
	submit_many(f->d.api, 20, 20, "az-mfa");
	assert_int_equal(e2e_read_watch(&w, seen, 64, 20, NULL, 20000), 20);
	e2e_wait_stat(m2.api, "size", 44, 30);
	for (int i = 0; i < 44; i++)
		if (seen[i] != 1)
			fail_msg("index %d seen %d times", i, seen[i]);
	assert_int_equal(e2e_bg_stop(&w, SIGTERM), 0);

	/* Reads with the writer first go on when it stops. */
	snprintf(reads, sizeof(reads), "%s,%s", f->d.api, m2.api);
	before = export_of(reads);
	{
		char api[128];

		snprintf(api, sizeof(api), "%s", f->d.api);
		assert_int_equal(e2e_daemon_stop(&f->d, SIGTERM), 0);
		snprintf(f->d.api, sizeof(f->d.api), "%s", api);
	}
	e2e_claim_run(&r, NULL, "stats", "--json", "--server", reads,
	    "--timeout", "1000", NULL);
	e2e_must(&r, 0, "stats from the second endpoint");
	if (strstr(r.out, "\"size\": 44") == NULL &&
	    strstr(r.out, "\"size\":44") == NULL)
		fail_msg("stats: %s", r.out);
	e2e_run_free(&r);
	{
		struct e2e_run x;

		e2e_claim_run(&x, NULL, "export", "--server", reads,
		    "--timeout", "1000", NULL);
		e2e_must(&x, 0, "export from the second endpoint");
		after = strdup(x.out);
		e2e_run_free(&x);
	}
	assert_string_equal(before, after);
	/* A submission is for the writer only: not sent to the mirror. */
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"bulk\"], "
	    "\"statement\": \"Nowhere.\"}\n",
	    "submit", "-", "--server", reads, "--timeout", "1000", NULL);
	assert_int_not_equal(r.status, 0);
	if (strstr(r.err, "read-only") != NULL)
		fail_msg("the submission went to the mirror: %s", r.err);
	e2e_run_free(&r);
	assert_int_equal(e2e_daemon_stop(&m2, SIGTERM), 0);
	free(before);
	free(after);
	free(key);
}

/*
 * The writer's machine lost: its mirror promoted with the log key the
 * operator kept, as docs/operations.md says. It signs checkpoints that
 * extend the old writer's, and takes submissions.
 */
static void
test_mirror_promote(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon m;
	char dm[600], cmd[1400], *key;
	json_t *old_cp, *new_cp;
	struct e2e_run r;

	key = log_key(f->d.api);
	submit_many(f->d.api, 0, 10, "am-mfa");
	snprintf(dm, sizeof(dm), "%s/mirror", f->dir);
	mirror_start(&m, dm, f->d.api, key, NULL, NULL);
	e2e_wait_stat(m.api, "size", 14, 30);
	old_cp = checkpoint_of(m.api);
	snprintf(
	    cmd, sizeof(cmd), "cp -p %s/log.key %s/keep.key", f->data, f->dir);
	assert_int_equal(system(cmd), 0);
	/* The writer is gone; the operator brings its key to the mirror. */
	assert_int_equal(e2e_daemon_stop(&f->d, SIGKILL), 128 + SIGKILL);
	assert_int_equal(e2e_daemon_stop(&m, SIGTERM), 0);
	snprintf(cmd, sizeof(cmd), "cp -p %s/keep.key %s/log.key", f->dir, dm);
	assert_int_equal(system(cmd), 0);
	e2e_daemon_start(&m, dm, NULL, NULL, NULL);
	track(m.pid);
	submit_many(m.api, 10, 5, "az-mfa");
	assert_int_equal(e2e_stat(m.api, "size"), 19);
	new_cp = checkpoint_of(m.api);
	assert_string_equal(
	    json_string_value(json_object_get(new_cp, "log_key")), key);
	/* An auditor who held the old writer's checkpoint sees an
	 * extension, not a rewrite. */
	snprintf(cmd, sizeof(cmd), "%s/audit.json", f->dir);
	{
		FILE *fp = fopen(cmd, "w");
		json_t *st = json_pack("{s:s, s:s}", "log_key", key,
		    "checkpoint",
		    json_string_value(json_object_get(old_cp, "checkpoint")));

		assert_non_null(fp);
		json_dumpf(st, fp, 0);
		fclose(fp);
		json_decref(st);
	}
	e2e_claim_run(
	    &r, NULL, "audit", "--state", cmd, "--server", m.api, NULL);
	e2e_must(&r, 0, "audit across the promotion");
	e2e_run_free(&r);
	assert_int_equal(e2e_daemon_stop(&m, SIGTERM), 0);
	json_decref(old_cp);
	json_decref(new_cp);
	free(key);
}

/* claim keygen --curve into dir/name.ck; its public key (caller frees). */
static char *
curve_keygen(const char *dir, const char *name)
{
	char path[700];
	struct e2e_run r;
	char *pub;

	snprintf(path, sizeof(path), "%s/%s.ck", dir, name);
	e2e_claim_run(&r, NULL, "keygen", "--curve", "--out", path);
	e2e_must(&r, 0, "keygen --curve");
	pub = strdup(r.out);
	pub[strcspn(pub, "\n")] = '\0';
	e2e_run_free(&r);
	return pub;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * The keys of a CurveZMQ chain: a writer; a hop (a mirror or a relay),
 * whose key pair is its client key on the writer's allowlist; a client,
 * on both lists.
 */
struct curve_chain {
	char *wpub, *hpub, *cpub;
	char wck[600], hck[600], cck[600], wallow[600], hallow[600];
};

static void
curve_chain_new(struct curve_chain *k, const char *dir, const char *hop)
{
	char text[400];

	k->wpub = curve_keygen(dir, "writer");
	k->hpub = curve_keygen(dir, hop);
	k->cpub = curve_keygen(dir, "client");
	snprintf(k->wck, sizeof(k->wck), "%s/writer.ck", dir);
	snprintf(k->hck, sizeof(k->hck), "%s/%s.ck", dir, hop);
	snprintf(k->cck, sizeof(k->cck), "%s/client.ck", dir);
	snprintf(k->wallow, sizeof(k->wallow), "%s/writer.allow", dir);
	snprintf(k->hallow, sizeof(k->hallow), "%s/%s.allow", dir, hop);
	snprintf(text, sizeof(text), "%s\n%s\n", k->hpub, k->cpub);
	write_file(k->wallow, text);
	snprintf(text, sizeof(text), "%s\n", k->cpub);
	write_file(k->hallow, text);
}

static void
curve_chain_free(struct curve_chain *k)
{
	unsetenv("CLAIM_SERVER_KEY");
	unsetenv("CLAIM_CURVE_KEY");
	free(k->wpub);
	free(k->hpub);
	free(k->cpub);
}

/* The chain's writer in folder data; claim talks to it as the client. */
static void
curve_writer_start(struct e2e_fixture *f, struct e2e_daemon *w,
    const char *data, const struct curve_chain *k)
{
	const char *extra[] = {
	    "--curve-key", k->wck, "--allow", k->wallow, NULL};

	e2e_daemon_start_args(w, data, f->admin_pub, NULL, NULL, extra);
	track(w->pid);
	setenv("CLAIM_SERVER_KEY", k->wpub, 1);
	setenv("CLAIM_CURVE_KEY", k->cck, 1);
}

/*
 * A mirror that follows a CurveZMQ writer: its own key pair is its
 * client key, on the writer's allowlist.
 */
static void
test_mirror_over_curve(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon w, m;
	struct curve_chain k;
	char wdata[600], mdata[600], *key;
	json_t *st;

	curve_chain_new(&k, f->dir, "mirror");
	snprintf(wdata, sizeof(wdata), "%s/cw", f->dir);
	snprintf(mdata, sizeof(mdata), "%s/cm", f->dir);
	curve_writer_start(f, &w, wdata, &k);
	E2E_CLAIM(0, NULL, "party", "add", "am-mfa", "--name", "A", "--key",
	    f->admin_key);
	st = e2e_claim_json(NULL, "stats", "--json");
	key = strdup(json_string_value(json_object_get(st, "log_key")));
	json_decref(st);
	{
		const char *extra[] = {"--mirror", w.api, "--log-key", key,
		    "--upstream-key", k.wpub, "--curve-key", k.hck, "--allow",
		    k.hallow, NULL};

		e2e_daemon_start_args(&m, mdata, NULL, NULL, NULL, extra);
		track(m.pid);
	}
	E2E_CLAIM(0, NULL, "party", "add", "az-mfa", "--name", "B", "--key",
	    f->admin_key, "--server", w.api);
	setenv("CLAIM_SERVER_KEY", k.hpub, 1);
	for (int i = 0; i < 300; i++) {
		st = e2e_claim_json(NULL, "stats", "--json", "--server", m.api);
		if (json_integer_value(json_object_get(st, "size")) == 2) {
			json_decref(st);
			break;
		}
		json_decref(st);
		if (i == 299)
			fail_msg("the mirror did not follow over CurveZMQ: %s",
			    tu_read_file(m.log, NULL));
		usleep(100 * 1000);
	}
	assert_int_equal(e2e_daemon_stop(&m, SIGTERM), 0);
	assert_int_equal(e2e_daemon_stop(&w, SIGTERM), 0);
	curve_chain_free(&k);
	free(key);
}

/* claimd --relay of upstream on free ports: its pid, api and feed. */
static pid_t
relay_start(const char *upstream, const char *log, char *api, char *feed,
    const char *const *extra)
{
	const char *argv[24] = {e2e_claimd, "--relay", upstream, "--api",
	    "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*"};
	size_t argc = 7;
	int out[2], errfd;
	char buf[1024];
	size_t len = 0;
	pid_t pid;

	assert_int_equal(pipe(out), 0);
	errfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	assert_true(errfd >= 0);
	if ((pid = fork()) == 0) {
		dup2(out[1], 1);
		dup2(errfd, 2);
		close(out[0]);
		close(out[1]);
		for (; extra != NULL && *extra != NULL && argc < 23; extra++)
			argv[argc++] = *extra;
		argv[argc] = NULL;
		execv(e2e_claimd, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(errfd);
	track(pid);
	while (len < sizeof(buf) - 1) {
		ssize_t r = read(out[0], buf + len, sizeof(buf) - 1 - len);
		char *f;

		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		if ((f = strstr(buf, "\nfeed ")) != NULL &&
		    strchr(f + 1, '\n') != NULL)
			break;
	}
	buf[len] = '\0';
	close(out[0]);
	if (sscanf(buf, "api %127s\nfeed %127s", api, feed) != 2)
		fail_msg(
		    "the relay did not start: %s", tu_read_file(log, NULL));
	return pid;
}

#define SUBSCRIBERS 100
#define EVENTS      200

/* 100 subscribers through one relay: none misses an event. */
static void
test_relay_hundred_subscribers(void **state)
{
	struct e2e_fixture *f = *state;
	struct claim_feed *feed[SUBSCRIBERS];
	struct claim_client *c;
	char api[128], pub[128], log[600], err[256];
	int live = 0;
	pid_t relay;

	snprintf(log, sizeof(log), "%s/relay.log", f->dir);
	relay = relay_start(f->d.api, log, api, pub, NULL);
	assert_int_equal(
	    claim_client_open(api, 20000, NULL, &c, err, sizeof(err)),
	    PROTO_OK);
	for (int i = 0; i < SUBSCRIBERS; i++)
		/* The relay's stats name its own feed. */
		if (claim_feed_open(c, i % 2 ? pub : NULL, CLAIM_FEED_NOW, NULL,
			NULL, &feed[i], err, sizeof(err)) != PROTO_OK)
			fail_msg("subscriber %d: %s", i, err);
	/* The subscriptions reach the relay (and it the upstream). */
	usleep(500 * 1000);
	submit_many(f->d.api, 0, EVENTS, "am-mfa");
	for (int i = 0; i < SUBSCRIBERS; i++) {
		for (uint64_t k = 0; k < EVENTS; k++) {
			struct claim_entry e;
			int rc = claim_feed_next(
			    feed[i], 20000, &e, err, sizeof(err));

			if (rc != PROTO_OK)
				fail_msg("subscriber %d, event %llu: %s", i,
				    (unsigned long long)k, err);
			assert_int_equal(e.index, 4 + k);
			claim_entry_release(&e);
		}
		if (claim_feed_missed(feed[i]) == 0)
			live++;
		claim_feed_close(feed[i]);
	}
	/* The events came through the relay's feed, not only by range. */
	assert_true(live > 0);
	claim_client_close(c);
	kill(relay, SIGTERM);
	{
		int status;

		assert_int_equal(waitpid(relay, &status, 0), relay);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

/*
 * A long catch-up: more entries than a mirror stores in one commit and
 * than it fetches ahead in one go, stopped in its middle and taken up
 * again; the mirror's log is the writer's, byte for byte.
 */
#define LONG_LOG 40000

static void
test_mirror_long_catch_up(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon m;
	struct place p;
	char data[600], *key = log_key(f->d.api), *a, *b;
	json_t *cw, *cm;
	json_int_t total, mid;

	submit_many(f->d.api, 0, LONG_LOG, "am-mfa");
	total = e2e_stat(f->d.api, "size");
	snprintf(data, sizeof(data), "%s/long", f->dir);
	mirror_start(&m, data, f->d.api, key, NULL, NULL);
	/* Stopped while it catches up: what it stored stays. */
	for (int i = 0; i < 600 && (mid = e2e_stat(m.api, "size")) == 0; i++)
		usleep(20 * 1000);
	mirror_stop(&m, &p);
	mirror_again(&m, &p, f->d.api, key);
	e2e_wait_stat(m.api, "size", total, 120);
	assert_int_equal(e2e_stat(m.api, "behind"), 0);
	a = export_of(f->d.api);
	b = export_of(m.api);
	if (strcmp(a, b) != 0)
		fail_msg("the mirror's export differs from the writer's");
	cw = checkpoint_of(f->d.api);
	cm = checkpoint_of(m.api);
	assert_string_equal(json_string_value(json_object_get(cw, "root")),
	    json_string_value(json_object_get(cm, "root")));
	json_decref(cw);
	json_decref(cm);
	assert_int_equal(e2e_daemon_stop(&m, SIGTERM), 0);
	(void)mid;
	free(a);
	free(b);
	free(key);
}

/* The client key pair in the file path (claim keygen --curve). */
static void
curve_of(const char *path, const char *server, struct claim_curve *c)
{
	char err[256];
	size_t len;
	char *text = tu_read_file(path, &len);

	assert_int_equal(proto_curve_key_parse(text, len, c->public_key,
			     c->secret, err, sizeof(err)),
	    PROTO_OK);
	snprintf(c->server, sizeof(c->server), "%s", server);
	free(text);
}

/*
 * A relay off the writer's loopback needs CurveZMQ on both sides: to its
 * upstream as a client with its own key pair (on the writer's
 * allowlist), and to its subscribers as a server with an allowlist of
 * its own. A listed client reads and watches through it and the stats
 * name the relay's key and feed; a client not on the relay's list is
 * refused; SIGHUP reads the list again.
 */
static void
test_relay_over_curve(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon w;
	struct curve_chain k;
	struct claim_curve curve;
	struct claim_client *c;
	struct claim_feed *feed;
	struct e2e_run r;
	char wdata[600], sck[600], text[400], log[600], api[128], pub[128];
	char err[256], *spub;
	json_t *st;
	pid_t relay;

	curve_chain_new(&k, f->dir, "relay");
	spub = curve_keygen(f->dir, "stranger");
	snprintf(sck, sizeof(sck), "%s/stranger.ck", f->dir);
	snprintf(wdata, sizeof(wdata), "%s/rw", f->dir);
	curve_writer_start(f, &w, wdata, &k);
	E2E_CLAIM(0, NULL, "party", "add", "am-mfa", "--name", "A", "--key",
	    f->admin_key, "--server", w.api);
	E2E_CLAIM(0, NULL, "grant", f->desk_pub, "--party", "am-mfa", "--key",
	    f->admin_key, "--server", w.api);
	snprintf(log, sizeof(log), "%s/relay.log", f->dir);
	{
		const char *extra[] = {"--curve-key", k.hck, "--allow",
		    k.hallow, "--upstream-key", k.wpub, NULL};

		relay = relay_start(w.api, log, api, pub, extra);
	}
	/* Through the relay, with the relay's key: its own feed and key. */
	setenv("CLAIM_SERVER_KEY", k.hpub, 1);
	st = e2e_claim_json(NULL, "stats", "--json", "--server", api);
	assert_string_equal(
	    json_string_value(json_object_get(st, "curve_key")), k.hpub);
	assert_string_equal(
	    json_string_value(json_object_get(st, "feed")), pub);
	assert_int_equal(json_integer_value(json_object_get(st, "size")), 2);
	json_decref(st);
	/* A watcher through the relay sees every event once, in order. */
	curve_of(k.cck, k.hpub, &curve);
	assert_int_equal(
	    claim_client_open(api, 20000, &curve, &c, err, sizeof(err)),
	    PROTO_OK);
	if (claim_feed_open(c, NULL, CLAIM_FEED_NOW, NULL, NULL, &feed, err,
		sizeof(err)) != PROTO_OK)
		fail_msg("watch through the relay: %s", err);
	usleep(500 * 1000);
	setenv("CLAIM_SERVER_KEY", k.wpub, 1);
	submit_many(w.api, 0, 20, "am-mfa");
	for (uint64_t i = 0; i < 20; i++) {
		struct claim_entry e;

		if (claim_feed_next(feed, 20000, &e, err, sizeof(err)) !=
		    PROTO_OK)
			fail_msg("event %llu through the relay: %s",
			    (unsigned long long)i, err);
		assert_int_equal(e.index, 2 + i);
		claim_entry_release(&e);
	}
	claim_feed_close(feed);
	claim_client_close(c);
	/* A key not on the relay's list is refused there. */
	setenv("CLAIM_SERVER_KEY", k.hpub, 1);
	setenv("CLAIM_CURVE_KEY", sck, 1);
	e2e_claim_run(&r, NULL, "stats", "--server", api);
	e2e_must(&r, 4, "a stranger through the relay");
	e2e_run_free(&r);
	/* Listed and SIGHUP: in. */
	snprintf(text, sizeof(text), "%s\n%s\n", k.cpub, spub);
	write_file(k.hallow, text);
	kill(relay, SIGHUP);
	for (int i = 0;; i++) {
		char *l = tu_read_file(log, NULL);
		bool done = strstr(l, "allowlist reloaded: 2") != NULL;

		free(l);
		if (done)
			break;
		if (i == 200)
			fail_msg("the relay did not read its list again");
		usleep(50 * 1000);
	}
	E2E_CLAIM(0, NULL, "stats", "--server", api);
	{
		char *l = tu_read_file(log, NULL);

		assert_non_null(strstr(l, "not on the allowlist"));
		assert_non_null(strstr(l, "over CurveZMQ"));
		free(l);
	}
	kill(relay, SIGTERM);
	{
		int status;

		assert_int_equal(waitpid(relay, &status, 0), relay);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(e2e_daemon_stop(&w, SIGTERM), 0);
	curve_chain_free(&k);
	free(spub);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_mirror_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mirror_fork, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_mirror_client_failover, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_mirror_promote, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_mirror_over_curve, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_relay_hundred_subscribers, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_relay_over_curve, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_mirror_long_catch_up, setup, teardown),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: test_mirror CLAIMD CLAIM\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
