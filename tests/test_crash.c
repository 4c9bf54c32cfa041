/*
 * test_crash: kill -9 claimd at random moments under load, restart it,
 * and prove that every acknowledged claim is there and the log verifies.
 * Then a full disk, a read-only data folder (at start, and remounted so
 * under a running claimd) and a stalling disk (by fault injection, see
 * faultfs.c): clear errors, nothing acknowledged that was not stored, no
 * damage.
 *
 *   test_crash CLAIMD CLAIM FAULTFS_SO [SEED]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

static const char *faultfs;
static unsigned seed;

static int
setup(void **state)
{
	static const char *const parties[] = {"am-mfa", NULL};

	*state = e2e_fixture_new(parties);
	return 0;
}

static int
teardown(void **state)
{
	unsetenv("LD_PRELOAD");
	e2e_fixture_free(*state);
	return 0;
}

static void
write_claims(const char *path, int round, int n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (int i = 0; i < n; i++)
		fprintf(f,
		    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
		    "\"statement\": \"Round %d, claim %d.\"}\n",
		    round, i);
	fclose(f);
}

struct ack {
	char hash[65];
	long long index;
};

/* Takes a line of claim submit --json as an acknowledgement; frees it. */
static void
ack_take(struct ack *a, char *line)
{
	json_t *o = json_loads(line, 0, NULL);

	snprintf(a->hash, sizeof(a->hash), "%s",
	    json_string_value(json_object_get(o, "hash")));
	a->index = json_integer_value(json_object_get(o, "index"));
	json_decref(o);
	free(line);
}

static void
check_store(struct e2e_fixture *f)
{
	char cmd[2048];

	snprintf(
	    cmd, sizeof(cmd), "%s --check %s > /dev/null", e2e_claimd, f->data);
	assert_int_equal(system(cmd), 0);
}

static void
test_crash_kill9_loses_no_acknowledged_claim(void **state)
{
	struct e2e_fixture *f = *state;
	struct ack *acks = calloc(20000, sizeof(*acks));
	char path[600], exp[600];
	int nacks = 0;

	setenv("CLAIM_TIMEOUT", "700", 1);
	for (int round = 0; round < 6; round++) {
		struct e2e_bg s;
		/* Between a few and most of the acknowledgements. */
		int wait_for = 20 + rand_r(&seed) % 1500, got = 0;
		char *line;

		snprintf(path, sizeof(path), "%s/round%d.jsonl", f->dir, round);
		write_claims(path, round, 2000);
		e2e_bg_start(&s, "submit", path, "--json", "--window", "32");
		while (got < wait_for && (line = e2e_bg_line(&s, 10000))) {
			ack_take(&acks[nacks++], line);
			got++;
		}
		/* Some microseconds more, then the power goes. */
		usleep((useconds_t)(rand_r(&seed) % 20000));
		assert_int_equal(
		    e2e_daemon_stop(&f->d, SIGKILL), 128 + SIGKILL);
		/* Anything acknowledged before the kill counts. */
		while ((line = e2e_bg_line(&s, 3000)) != NULL)
			ack_take(&acks[nacks++], line);
		e2e_bg_stop(&s, SIGKILL);
		fprintf(stderr,
		    "round %d: killed after %d acknowledgements "
		    "(%d in all)\n",
		    round, got, nacks);
		/* The store was left as a power cut leaves it: it must check
		 * sound and serve again. */
		check_store(f);
		/* On new ports: the killed client is gone, and a port given
		 * back for a moment may be taken by a test running beside. */
		e2e_daemon_start(&f->d, f->data, NULL, NULL, NULL);
	}
	setenv("CLAIM_TIMEOUT", E2E_TIMEOUT, 1);
	/* Every acknowledged hash at its index, in a log that verifies. */
	snprintf(exp, sizeof(exp), "%s/all.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	E2E_CLAIM(0, NULL, "verify", exp, "--admin-key", f->admin_pub);
	{
		char *text = tu_read_file(exp, NULL), *save = NULL, *l;
		char(*at)[65] = calloc(40000, 65);
		long long n = 0;

		for (l = strtok_r(text, "\n", &save); l != NULL;
		     l = strtok_r(NULL, "\n", &save), n++) {
			json_t *e = json_loads(l, 0, NULL);

			assert_int_equal(
			    json_integer_value(json_object_get(e, "index")), n);
			snprintf(at[n], 65, "%s",
			    json_string_value(json_object_get(e, "hash")));
			json_decref(e);
		}
		for (int i = 0; i < nacks; i++) {
			assert_true(acks[i].index < n);
			assert_string_equal(at[acks[i].index], acks[i].hash);
		}
		free(at);
		free(text);
	}
	free(acks);
}

/* Runs claimd under the fault library; returns its exit status. */
static int
run_faulty(struct e2e_fixture *f, const char *mode, char *log, size_t cap)
{
	char cmd[4096];

	snprintf(log, cap, "%s/faulty.log", f->dir);
	snprintf(cmd, sizeof(cmd),
	    "FAULTFS_DIR=%s FAULTFS_MODE=%s LD_PRELOAD=%s timeout 20 %s "
	    "--data %s --api tcp://127.0.0.1:* --pub tcp://127.0.0.1:* "
	    ">/dev/null 2>%s",
	    f->data, mode, faultfs, e2e_claimd, f->data, log);
	return WEXITSTATUS(system(cmd));
}

static void
test_crash_read_only_data_folder(void **state)
{
	struct e2e_fixture *f = *state;
	char log[700], *text;
	int status;

	e2e_daemon_stop(&f->d, SIGTERM);
	status = run_faulty(f, "erofs", log, sizeof(log));
	text = tu_read_file(log, NULL);
	if (status != 1 || strstr(text, "Read-only file system") == NULL)
		fail_msg("read-only start: exit %d, log: %s", status, text);
	free(text);
	check_store(f);
	e2e_daemon_start(&f->d, f->data, NULL, NULL, NULL);
	E2E_CLAIM(0,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"Still writable.\"}",
	    "submit", "-");
}

/*
 * Restarts claimd under the fault library in mode; the faults happen
 * while the file trigger exists. Later restarts run without it.
 */
static void
faulty_restart(struct e2e_fixture *f, const char *mode, const char *trigger)
{
	e2e_daemon_stop(&f->d, SIGTERM);
	setenv("FAULTFS_DIR", f->data, 1);
	setenv("FAULTFS_MODE", mode, 1);
	setenv("FAULTFS_TRIGGER", trigger, 1);
	setenv("LD_PRELOAD", faultfs, 1);
	e2e_daemon_start(&f->d, f->data, NULL, NULL, NULL);
	unsetenv("LD_PRELOAD");
}

static void
faulty_clear(void)
{
	unsetenv("FAULTFS_DIR");
	unsetenv("FAULTFS_MODE");
	unsetenv("FAULTFS_DELAY_MS");
	unsetenv("FAULTFS_TRIGGER");
}

/* The fault begins. */
static void
touch(const char *path)
{
	FILE *t = fopen(path, "w");

	assert_non_null(t);
	fclose(t);
}

/*
 * A fault that begins while claimd runs (mode, see faultfs.c): submissions
 * are refused with a clear reason (want) and nothing is acknowledged; when
 * the fault ends, the same claimd goes on (the failed transaction was
 * aborted before LMDB wrote its meta page), and a restart finds the store
 * sound and without the refused claim.
 */
static void
fault_while_running(struct e2e_fixture *f, const char *mode, const char *want)
{
	char trigger[600], refused[200], *text;
	struct e2e_run r;

	snprintf(trigger, sizeof(trigger), "%s/fault-%s", f->dir, mode);
	snprintf(refused, sizeof(refused),
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"Refused under %s.\"}",
	    mode);
	faulty_restart(f, mode, trigger);
	/* claimd answers under the fault library. */
	json_decref(e2e_claim_json(NULL, "stats", "--json"));

	/* The fault begins. */
	touch(trigger);
	e2e_claim_run(&r, refused, "submit", "-", "--json");
	assert_int_not_equal(r.status, 0);
	assert_string_equal(r.out, "");
	{
		/* With --json, the refusal is one JSON object on stderr. */
		json_t *o = json_loads(r.err, JSON_DISABLE_EOF_CHECK, NULL);
		const char *msg =
		    json_string_value(json_object_get(o, "message"));

		if (o == NULL ||
		    strcmp(json_string_value(json_object_get(o, "status")),
			"refused") != 0 ||
		    strcmp(json_string_value(json_object_get(o, "error")),
			"io") != 0 ||
		    msg == NULL || strcmp(msg, want) != 0)
			fail_msg("%s: %s", mode, r.err);
		json_decref(o);
	}
	e2e_run_free(&r);
	text = tu_read_file(f->d.log, NULL);
	assert_non_null(strstr(text, want));
	free(text);

	/* It ends. */
	unlink(trigger);
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"After the fault.\"}",
	    "submit", "-", "--json");
	e2e_must(&r, 0, "submit after the fault ended");
	e2e_run_free(&r);
	e2e_daemon_stop(&f->d, SIGTERM);
	check_store(f);
	e2e_daemon_start(&f->d, f->data, NULL, NULL, NULL);
	/* Nothing of the refused submission is in the log. */
	e2e_claim_run(&r, NULL, "list", "--json");
	assert_null(strstr(r.out, "Refused under"));
	assert_non_null(strstr(r.out, "After the fault."));
	e2e_run_free(&r);
	faulty_clear();
}

static void
test_crash_disk_full(void **state)
{
	fault_while_running(
	    *state, "enospc", "not stored: No space left on device");
}

/* The data folder's file system remounted read-only under claimd. */
static void
test_crash_read_only_while_running(void **state)
{
	fault_while_running(
	    *state, "erofs", "not stored: Read-only file system");
}

/*
 * A disk whose flushes stall for over a second: submissions wait for it
 * and are stored, stats counts the slow commits, and claimd's log says
 * that the disk is stalling.
 */
static void
test_crash_stalling_disk(void **state)
{
	struct e2e_fixture *f = *state;
	char trigger[600], *text;
	struct e2e_run r;
	json_t *st;

	snprintf(trigger, sizeof(trigger), "%s/disk-stalls", f->dir);
	setenv("FAULTFS_DELAY_MS", "1100", 1);
	faulty_restart(f, "slowsync", trigger);
	touch(trigger);
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"Through a stalling disk, one.\"}\n"
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"Through a stalling disk, two.\"}\n",
	    "submit", "-", "--json", "--timeout", "20000");
	e2e_must(&r, 0, "submit through a stalling disk");
	e2e_run_free(&r);
	unlink(trigger);
	st = e2e_claim_json(NULL, "stats", "--json");
	assert_true(
	    json_integer_value(json_object_get(st, "commits_over_5ms")) >= 1);
	assert_true(json_integer_value(json_object_get(st, "commit_max_us")) >=
	    1000000);
	json_decref(st);
	e2e_daemon_stop(&f->d, SIGTERM);
	text = tu_read_file(f->d.log, NULL);
	if (strstr(text, "ms: the disk is stalling") == NULL)
		fail_msg("no stall warning in the log: %s", text);
	free(text);
	check_store(f);
	e2e_daemon_start(&f->d, f->data, NULL, NULL, NULL);
	e2e_claim_run(&r, NULL, "list", "--json");
	assert_non_null(strstr(r.out, "Through a stalling disk, one."));
	assert_non_null(strstr(r.out, "Through a stalling disk, two."));
	e2e_run_free(&r);
	faulty_clear();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_crash_kill9_loses_no_acknowledged_claim, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_crash_read_only_data_folder, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_crash_disk_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_crash_read_only_while_running, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_crash_stalling_disk, setup, teardown),
	};

	if (argc < 4) {
		fprintf(
		    stderr, "usage: test_crash CLAIMD CLAIM FAULTFS [SEED]\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	faultfs = argv[3];
	seed = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10)
			: (unsigned)time(NULL);
	fprintf(stderr,
	    "test_crash: seed %u (give it as the 4th argument to "
	    "repeat)\n",
	    seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
