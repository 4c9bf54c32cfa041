/*
 * test_curve: CurveZMQ and the ZAP allowlist, end to end. claimd listens
 * on every address (not loopback), so CurveZMQ is required; a client
 * whose key is not on the allowlist is refused at the transport, and the
 * allowlist is read again on SIGHUP.
 *
 *   test_curve CLAIMD CLAIM
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

/* claim keygen --curve: the public key, the file at dir/name.ck. */
static char *
curve_key(const char *dir, const char *name)
{
	char path[600];
	struct e2e_run r;
	char *pub;

	snprintf(path, sizeof(path), "%s/%s.ck", dir, name);
	e2e_claim_run(&r, NULL, "keygen", "--curve", "--out", path);
	e2e_must(&r, 0, "keygen --curve");
	pub = strndup(r.out, 40);
	e2e_run_free(&r);
	return pub;
}

static void
test_curve_required_off_loopback(void **state)
{
	/* Every address but loopback ones, including a host name that
	 * only looks like one, and a loopback feed beside them. */
	static const char *const off[] = {"tcp://0.0.0.0:*", "tcp://*:*",
	    "tcp://127.attacker.example:7411", "tcp://[::]:*",
	    "tcp://[::ffff:10.0.0.1]:*", "tcp://eth0:7411",
	    "tcp://10.0.0.1;127.0.0.1:7411"};
	char *dir = tu_tmpdir(), *admin, cmd[2048], log[600], *text;
	int status;

	(void)state;
	admin = e2e_keygen(dir, "admin");
	snprintf(log, sizeof(log), "%s/log", dir);
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		char want[200];

		snprintf(cmd, sizeof(cmd),
		    "%s --data %s/data --api '%s' --pub tcp://127.0.0.1:* "
		    "--admin-key %s > /dev/null 2> %s",
		    e2e_claimd, dir, off[i], admin, log);
		status = system(cmd);
		assert_int_equal(WEXITSTATUS(status), 2);
		text = tu_read_file(log, NULL);
		snprintf(want, sizeof(want),
		    "%s is not a loopback endpoint: CurveZMQ is "
		    "required",
		    off[i]);
		if (strstr(text, want) == NULL)
			fail_msg("%s: %s", off[i], text);
		free(text);
	}
	/* A CurveZMQ key takes no passphrase, and nothing is written. */
	{
		struct e2e_run r;
		char path[600];

		snprintf(path, sizeof(path), "%s/sealed.ck", dir);
		e2e_claim_run(&r, NULL, "keygen", "--curve", "--passphrase",
		    "--out", path);
		e2e_must(&r, 2, "keygen --curve --passphrase");
		assert_non_null(strstr(r.err, "cannot take a passphrase"));
		assert_int_equal(access(path, F_OK), -1);
		e2e_run_free(&r);
	}
	/* --curve-key alone: a CURVE server must have an allowlist. */
	snprintf(cmd, sizeof(cmd),
	    "%s --data %s/data --curve-key /dev/null --admin-key %s "
	    "> /dev/null 2> %s",
	    e2e_claimd, dir, admin, log);
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);
	text = tu_read_file(log, NULL);
	assert_non_null(strstr(text, "needs --allow"));
	free(text);
	free(admin);
	tu_rmrf(dir);
	free(dir);
}

static void
test_curve_allowlist_at_the_transport(void **state)
{
	char *dir = tu_tmpdir(), *admin, *server, *a, *b;
	char data[600], allow[600], skey[600], akey[600], bkey[600];
	char adminkey[600], cmd[2048];
	struct e2e_daemon d;
	struct e2e_run r;
	FILE *f;

	(void)state;
	admin = e2e_keygen(dir, "admin");
	server = curve_key(dir, "server");
	a = curve_key(dir, "a");
	b = curve_key(dir, "b");
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(allow, sizeof(allow), "%s/allow", dir);
	snprintf(skey, sizeof(skey), "%s/server.ck", dir);
	snprintf(akey, sizeof(akey), "%s/a.ck", dir);
	snprintf(bkey, sizeof(bkey), "%s/b.ck", dir);
	snprintf(adminkey, sizeof(adminkey), "%s/admin.key", dir);
	f = fopen(allow, "w");
	fprintf(f, "# the desk\n%s\n", a);
	fclose(f);

	/* e2e_daemon_start takes plain endpoints; add the CURVE flags via
	 * a wrapper script around claimd. */
	{
		char wrap[700];

		snprintf(wrap, sizeof(wrap), "%s/claimd-curve", dir);
		f = fopen(wrap, "w");
		fprintf(f,
		    "#!/bin/sh\nexec %s \"$@\" --curve-key %s --allow %s\n",
		    e2e_claimd, skey, allow);
		fclose(f);
		chmod(wrap, 0755);
		e2e_claimd = strdup(wrap);
	}
	e2e_daemon_start(&d, data, admin, "tcp://0.0.0.0:*", "tcp://0.0.0.0:*");
	setenv("CLAIM_TIMEOUT", "20000", 1);
	setenv("CLAIM_SERVER_KEY", server, 1);

	/* Key a: on the list; requests, signed submissions and the feed. */
	setenv("CLAIM_CURVE_KEY", akey, 1);
	e2e_claim_run(&r, NULL, "stats", "--json");
	e2e_must(&r, 0, "allowed client");
	assert_non_null(strstr(r.out, server));
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "party", "add", "am-mfa", "--name", "A",
	    "--key", adminkey);
	e2e_must(&r, 0, "allowed client submits");
	e2e_run_free(&r);
	e2e_claim_run(
	    &r, NULL, "watch", "--from", "0", "--count", "1", "--json");
	e2e_must(&r, 0, "allowed client watches");
	assert_non_null(strstr(r.out, "\"kind\":\"party\""));
	e2e_run_free(&r);

	/* Key b: refused at the transport, exit 4, nothing done; and at
	 * once, not when a minute's timeout runs out (a submission would
	 * wait it out three times). */
	setenv("CLAIM_CURVE_KEY", bkey, 1);
	setenv("CLAIM_TIMEOUT", "60000", 1);
	{
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		e2e_claim_run(&r, NULL, "stats");
		e2e_must(&r, 4, "unlisted client");
		assert_non_null(
		    strstr(r.err, "refused this client's CurveZMQ key"));
		e2e_run_free(&r);
		e2e_claim_run(&r, NULL, "party", "add", "az-mfa", "--name", "B",
		    "--key", adminkey);
		e2e_must(&r, 4, "unlisted client submits");
		e2e_run_free(&r);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_true(t1.tv_sec - t0.tv_sec < 60);
	}

	/* No CurveZMQ at all: the handshake fails, and says why (when the
	 * timeout ends: a failed handshake may also be a daemon going
	 * away, so the client waits). */
	unsetenv("CLAIM_SERVER_KEY");
	unsetenv("CLAIM_CURVE_KEY");
	setenv("CLAIM_TIMEOUT", "3000", 1);
	e2e_claim_run(&r, NULL, "stats");
	e2e_must(&r, 3, "plain client");
	assert_non_null(strstr(r.err, "handshake"));
	e2e_run_free(&r);

	/* b joins the list; SIGHUP; b is in. */
	f = fopen(allow, "a");
	fprintf(f, "%s\n", b);
	fclose(f);
	kill(d.pid, SIGHUP);
	/* The log line comes once the new list is in place. */
	e2e_daemon_log_wait(&d, "allowlist reloaded: 2 client keys", 20000);
	setenv("CLAIM_SERVER_KEY", server, 1);
	setenv("CLAIM_CURVE_KEY", bkey, 1);
	setenv("CLAIM_TIMEOUT", "20000", 1);
	e2e_claim_run(&r, NULL, "stats", "--json");
	e2e_must(&r, 0, "b after reload");
	assert_non_null(strstr(r.out, "\"size\":1"));
	e2e_run_free(&r);
	{
		char *log = tu_read_file(d.log, NULL);

		assert_non_null(strstr(log, "not on the allowlist"));
		assert_non_null(strstr(log,
		    "allowlist reloaded: 2 client "
		    "keys"));
		free(log);
	}
	assert_int_equal(e2e_daemon_stop(&d, SIGTERM), 0);
	unsetenv("CLAIM_SERVER_KEY");
	unsetenv("CLAIM_CURVE_KEY");
	(void)cmd;
	free(admin);
	free(server);
	free(a);
	free(b);
	tu_rmrf(dir);
	free(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_curve_required_off_loopback),
	    cmocka_unit_test(test_curve_allowlist_at_the_transport),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: test_curve CLAIMD CLAIM\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
