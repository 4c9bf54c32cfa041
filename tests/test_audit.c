/*
 * test_audit: checkpoints, proofs, offline verification and audit, on a
 * real claimd driven by the real claim binary (and libclaim for the
 * thousands of proofs).
 *
 *   test_audit CLAIMD CLAIM VECTORS_DIR
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "claim.h"
#include "e2e.h"

static const char *vectors_dir;

static void
path(const struct e2e_fixture *f, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
}

static int
setup(void **state)
{
	static const char *const parties[] = {"am-mfa", NULL};

	*state = e2e_fixture_new(parties);
	setenv("CLAIM_TIMEOUT", "3000", 1);
	return 0;
}

static int
teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

static void
submit_n(int from, int n)
{
	char *text = malloc((size_t)n * 120 + 1), *p = text;

	for (int i = 0; i < n; i++)
		p += sprintf(p,
		    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
		    "\"statement\": \"Entry %d.\"}\n",
		    from + i);
	E2E_CLAIM(0, text, "submit", "-");
	free(text);
}

static char *
slurp(const char *p)
{
	return tu_read_file(p, NULL);
}

static void
spit(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
claim_out(const char *stdin_text, const char *a, const char *b, const char *c)
{
	struct e2e_run r;
	char *out;

	e2e_claim_run(&r, stdin_text, a, b, c);
	e2e_must(&r, 0, a);
	out = strdup(r.out);
	e2e_run_free(&r);
	return out;
}

/*
 * Inclusion proofs for every index of every size from 1 to 75, and
 * consistency proofs for every pair: checked by libclaim's verifier as
 * they arrive, then by the independent Python implementation.
 */
static void
test_audit_proofs_for_every_size(void **state)
{
	struct e2e_fixture *f = *state;
	struct claim_client *c;
	struct claim_proof p;
	char exp[600], dump[600], cmd[2048], err[256];
	char **hash;
	FILE *out;
	json_t *line;
	int n = 75;

	submit_n(0, n - 2);
	path(f, "all.jsonl", exp, sizeof(exp));
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	/* Leaves for the Python check: the records, from the export. */
	path(f, "proofs.txt", dump, sizeof(dump));
	out = fopen(dump, "w");
	hash = calloc((size_t)n, sizeof(char *));
	{
		char *text = slurp(exp), *save = NULL, *l;
		int i = 0;

		for (l = strtok_r(text, "\n", &save); l != NULL;
		     l = strtok_r(NULL, "\n", &save), i++) {
			uint8_t rec[PROTO_RECORD_MAX];
			char hex[2 * PROTO_RECORD_MAX + 1];
			size_t len;
			json_t *r;

			line = json_loads(l, 0, NULL);
			r = json_object_get(line, "record");
			assert_int_equal(
			    proto_unbase64(json_string_value(r),
				json_string_length(r), rec, sizeof(rec), &len),
			    PROTO_OK);
			proto_hex(rec, len, hex);
			fprintf(out, "leaf %d %s\n", i, hex);
			hash[i] = strdup(
			    json_string_value(json_object_get(line, "hash")));
			json_decref(line);
		}
		assert_int_equal(i, n);
		free(text);
	}
	assert_int_equal(
	    claim_client_open(f->d.api, 3000, NULL, &c, err, sizeof(err)),
	    PROTO_OK);
	for (int s = 1; s <= n; s++) {
		for (int i = 0; i < s; i++) {
			int rc = claim_prove_inclusion(
			    c, hash[i], (uint64_t)s, &p, err, sizeof(err));

			if (rc != PROTO_OK)
				fail_msg("inclusion %d in %d: %s", i, s, err);
			assert_int_equal(p.index, i);
			fprintf(out, "incl %d %d ", i, s);
			for (size_t k = 0; k < p.n; k++) {
				char hx[65];

				proto_hex(p.hashes[k], 32, hx);
				fprintf(out, "%s%s", k ? "," : "", hx);
			}
			fprintf(out, "%s\n", p.n ? "" : "-");
		}
		for (int m = 1; m <= s; m++) {
			int rc = claim_prove_consistency(
			    c, (uint64_t)m, (uint64_t)s, &p, err, sizeof(err));

			if (rc != PROTO_OK)
				fail_msg("consistency %d to %d: %s", m, s, err);
			fprintf(out, "cons %d %d ", m, s);
			for (size_t k = 0; k < p.n; k++) {
				char hx[65];

				proto_hex(p.hashes[k], 32, hx);
				fprintf(out, "%s%s", k ? "," : "", hx);
			}
			fprintf(out, "%s\n", p.n ? "" : "-");
		}
		{
			char hx[65];

			proto_hex(p.root, 32, hx);
			fprintf(out, "root %d %s\n", s, hx);
		}
	}
	fclose(out);
	claim_client_close(c);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/merkle.py check %s",
	    vectors_dir, dump);
	assert_int_equal(system(cmd), 0);

	/* The command prints DESIGN's JSON, checked against the signed
	 * checkpoint when no size is given. */
	{
		json_t *j = e2e_claim_json(NULL, "prove", "inclusion", hash[7]);

		assert_int_equal(
		    json_integer_value(json_object_get(j, "index")), 7);
		assert_int_equal(
		    json_integer_value(json_object_get(j, "size")), n);
		assert_int_equal(
		    json_array_size(json_object_get(j, "proof")), 7);
		json_decref(j);
		j = e2e_claim_json(
		    NULL, "prove", "consistency", "--from", "10", "--to", "70");
		assert_int_equal(
		    json_integer_value(json_object_get(j, "old_size")), 10);
		assert_true(json_array_size(json_object_get(j, "proof")) > 0);
		json_decref(j);
	}
	E2E_CLAIM(2, NULL, "prove", "consistency", "--from", "9", "--to", "8");
	E2E_CLAIM(1, NULL, "prove", "inclusion", "0000000000000000");
	for (int i = 0; i < n; i++)
		free(hash[i]);
	free(hash);
}

/* Rewrites line k of an export with fn; writes the result to out. */
static void
edit_export(const char *in, const char *out,
    void (*fn)(char **lines, int *n, void *ctx), void *ctx)
{
	char *text = slurp(in), *save = NULL, *l, *lines[4096];
	int n = 0;
	FILE *f;

	for (l = strtok_r(text, "\n", &save); l != NULL && n < 4096;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = strdup(l);
	fn(lines, &n, ctx);
	f = fopen(out, "w");
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s\n", lines[i]);
		free(lines[i]);
	}
	fclose(f);
	free(text);
}

static void
drop_5(char **lines, int *n, void *ctx)
{
	(void)ctx;
	if (*n < 7)
		abort(); /* the export is shorter than the test needs */
	free(lines[5]);
	memmove(&lines[5], &lines[6], (size_t)(*n - 6) * sizeof(char *));
	(*n)--;
}

static void
swap_5_6(char **lines, int *n, void *ctx)
{
	char *t = lines[5];

	(void)n;
	(void)ctx;
	lines[5] = lines[6];
	lines[6] = t;
}

/* Changes one letter of entry 5's statement inside its base64 record. */
static void
alter_5(char **lines, int *n, void *ctx)
{
	json_t *o = json_loads(lines[5], 0, NULL), *r;
	uint8_t rec[PROTO_RECORD_MAX], h[32];
	char b64[4 * PROTO_RECORD_MAX / 3 + 8], hex[65];
	bool *fix_hash = ctx;
	size_t len;
	uint8_t *at;

	(void)n;
	r = json_object_get(o, "record");
	assert_int_equal(proto_unbase64(json_string_value(r),
			     json_string_length(r), rec, sizeof(rec), &len),
	    PROTO_OK);
	at = memmem(rec, len, "Entry 3.", 8);
	assert_non_null(at);
	at[6] = '9';
	proto_base64(rec, len, b64);
	json_object_set_new(o, "record", json_string(b64));
	if (*fix_hash) {
		/* A careful forger also fixes the hash: the signature
		 * still gives it away. */
		proto_record_hash(rec, len, h);
		proto_hex(h, 32, hex);
		json_object_set_new(o, "hash", json_string(hex));
	}
	free(lines[5]);
	lines[5] = json_dumps(o, JSON_COMPACT);
	json_decref(o);
}

/*
 * Rewrites every line as other JSON with the same values (ctx says how):
 * verify reads claim export's own form without a JSON parser, and must
 * read every other form as jansson does.
 */
static void
reform(char **lines, int *n, void *ctx)
{
	const char *how = ctx;

	for (int i = 0; i < *n; i++) {
		char *l = lines[i], *out = malloc(2 * strlen(l) + 16), *o = out;

		if (strcmp(how, "spaced") == 0) {
			json_t *j = json_loads(l, 0, NULL);

			free(out);
			out = json_dumps(j, JSON_SORT_KEYS);
			json_decref(j);
		} else if (strcmp(how, "escaped") == 0) {
			for (const char *p = l; *p; p++) {
				if (*p == '/')
					*o++ = '\\';
				*o++ = *p;
			}
			*o = '\0';
		} else if (strcmp(how, "zero") == 0 && i == 5) {
			snprintf(out, 2 * strlen(l) + 16, "{\"index\":0%s",
			    l + strlen("{\"index\":"));
		} else if (strcmp(how, "trailing") == 0 && i == 5) {
			snprintf(out, 2 * strlen(l) + 16, "%s,", l);
		} else {
			strcpy(out, l);
		}
		free(l);
		lines[i] = out;
	}
}

static void
verify_fails(const char *exp, const char *admin, const char *cp,
    const char *vkey, const char *want)
{
	struct e2e_run r;

	if (cp != NULL)
		e2e_claim_run(&r, NULL, "verify", exp, "--admin-key", admin,
		    "--checkpoint", cp, "--log-key", vkey);
	else
		e2e_claim_run(&r, NULL, "verify", exp, "--admin-key", admin);
	e2e_must(&r, 1, want);
	if (strstr(r.err, want) == NULL)
		fail_msg("verify: \"%s\" lacks \"%s\"", r.err, want);
	e2e_run_free(&r);
}

static void
test_audit_verify_detects_tampering(void **state)
{
	struct e2e_fixture *f = *state;
	char exp[600], bad[600], cp[600], *vkey, *note;
	struct e2e_run r;
	bool fix;

	submit_n(0, 10);
	path(f, "all.jsonl", exp, sizeof(exp));
	path(f, "bad.jsonl", bad, sizeof(bad));
	path(f, "cp.txt", cp, sizeof(cp));
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	note = claim_out(NULL, "checkpoint", NULL, NULL);
	spit(cp, note);
	vkey = claim_out(NULL, "log-key", NULL, NULL);
	vkey[strcspn(vkey, "\n")] = '\0';

	/* The genuine export verifies, alone and against the checkpoint. */
	e2e_claim_run(&r, NULL, "verify", exp, "--admin-key", f->admin_pub,
	    "--checkpoint", cp, "--log-key", vkey);
	e2e_must(&r, 0, "verify genuine");
	assert_non_null(strstr(r.out, "ok: 12 entries"));
	assert_non_null(strstr(r.out,
	    "matches the signed checkpoint of size "
	    "12"));
	e2e_run_free(&r);

	/* Any JSON of the same values verifies the same; bad JSON not. */
	edit_export(exp, bad, reform, "spaced");
	e2e_claim_run(&r, NULL, "verify", bad, "--admin-key", f->admin_pub);
	e2e_must(&r, 0, "verify spaced, keys sorted");
	assert_non_null(strstr(r.out, "ok: 12 entries"));
	e2e_run_free(&r);
	edit_export(exp, bad, reform, "escaped");
	e2e_claim_run(&r, NULL, "verify", bad, "--admin-key", f->admin_pub);
	e2e_must(&r, 0, "verify with \\/ escapes");
	e2e_run_free(&r);
	edit_export(exp, bad, reform, "zero");
	verify_fails(bad, f->admin_pub, NULL, NULL, "entry 5: not JSON");
	edit_export(exp, bad, reform, "trailing");
	verify_fails(bad, f->admin_pub, NULL, NULL, "entry 5: not JSON");

	fix = false;
	edit_export(exp, bad, alter_5, &fix);
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "entry 5: the record's hash is not the \"hash\" given");
	fix = true;
	edit_export(exp, bad, alter_5, &fix);
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "entry 5: signature does not verify");
	edit_export(exp, bad, drop_5, NULL);
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "entry 5: expected index 5, found 6: entries are missing");
	edit_export(exp, bad, swap_5_6, NULL);
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "entry 5: expected index 5, found 6");
	/* The wrong admin key: the first registry record is refused. */
	verify_fails(exp, f->desk_pub, NULL, NULL,
	    "entry 0: party records must be signed by the admin key");

	/* A forged checkpoint: another size under the old signature. */
	{
		char forged[2048], *at = strstr(note, "\n12\n");

		assert_non_null(at);
		snprintf(forged, sizeof(forged), "%.*s\n13\n%s",
		    (int)(at - note), note, at + 4);
		spit(bad, forged);
		e2e_claim_run(&r, NULL, "verify", exp, "--admin-key",
		    f->admin_pub, "--checkpoint", bad, "--log-key", vkey);
		e2e_must(&r, 1, "forged checkpoint");
		assert_non_null(strstr(r.err, "does not verify"));
		e2e_run_free(&r);
	}
	/* A checkpoint the export does not reach, or does not match. */
	submit_n(100, 3);
	free(note);
	note = claim_out(NULL, "checkpoint", NULL, NULL);
	spit(cp, note);
	verify_fails(exp, f->admin_pub, cp, vkey,
	    "the export ends at 12 entries; the checkpoint covers 15");
	free(note);
	free(vkey);
}

/*
 * A claim by a revoked key: this log revoked the desk's grant; a replica
 * (same admin key, fed the export before the revocation) still accepts the
 * desk's claims. That claim, appended to this log's export, is caught.
 */
static void
test_audit_verify_refuses_revoked_signer(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon replica;
	char exp[600], before[600], rexp[600], data2[600], *text, *rtext;
	char *last;
	json_t *o;
	struct e2e_run r;

	submit_n(0, 2);
	path(f, "before.jsonl", before, sizeof(before));
	E2E_CLAIM(0, NULL, "export", "--out", before);
	E2E_CLAIM(0, NULL, "revoke", f->desk_pub, "--party", "am-mfa", "--key",
	    f->admin_key);
	path(f, "all.jsonl", exp, sizeof(exp));
	E2E_CLAIM(0, NULL, "export", "--out", exp);

	path(f, "replica", data2, sizeof(data2));
	e2e_daemon_start(&replica, data2, f->admin_pub, NULL, NULL);
	E2E_CLAIM(0, NULL, "submit", before, "--records");
	E2E_CLAIM(0,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"After the revocation.\"}",
	    "submit", "-");
	path(f, "replica.jsonl", rexp, sizeof(rexp));
	E2E_CLAIM(0, NULL, "export", "--from", "4", "--out", rexp);
	e2e_daemon_stop(&replica, SIGTERM);
	setenv("CLAIM_SERVER", f->d.api, 1);

	/* This log's export, then the replica's claim as entry 5. */
	text = slurp(exp);
	rtext = slurp(rexp);
	o = json_loads(rtext, 0, NULL);
	json_object_set_new(o, "index", json_integer(5));
	last = json_dumps(o, JSON_COMPACT);
	{
		char *all = malloc(strlen(text) + strlen(last) + 2);

		sprintf(all, "%s%s\n", text, last);
		spit(exp, all);
		free(all);
	}
	verify_fails(exp, f->admin_pub, NULL, NULL,
	    "verification failed at entry 5: key");
	e2e_claim_run(&r, NULL, "verify", exp, "--admin-key", f->admin_pub);
	assert_non_null(strstr(r.err, "holds no grant for party \"am-mfa\""));
	e2e_run_free(&r);
	json_decref(o);
	free(last);
	free(text);
	free(rtext);
}

static void
test_audit_detects_a_rewritten_log(void **state)
{
	struct e2e_fixture *f = *state;
	char backup[600], st[600], *saved;
	struct e2e_run r;
	char api[128], feed[128];

	submit_n(0, 5);
	path(f, "backup", backup, sizeof(backup));
	path(f, "audit.json", st, sizeof(st));
	E2E_CLAIM(0, NULL, "audit", "--state", st);
	/* A backup at size 7, then the log grows to 20 and is audited. */
	{
		char cmd[2048];

		snprintf(cmd, sizeof(cmd),
		    "%s --data %s --backup %s >/dev/null", e2e_claimd, f->data,
		    backup);
		assert_int_equal(system(cmd), 0);
	}
	submit_n(5, 13);
	e2e_claim_run(&r, NULL, "audit", "--state", st);
	e2e_must(&r, 0, "audit 20");
	assert_non_null(strstr(r.out, "grew from 7 to 20"));
	e2e_run_free(&r);
	saved = slurp(st);

	/* The operator swaps in the backup and writes other history, with
	 * the same log key and the same admin key. */
	snprintf(api, sizeof(api), "%s", f->d.api);
	snprintf(feed, sizeof(feed), "%s", f->d.feed);
	e2e_daemon_stop(&f->d, SIGTERM);
	e2e_daemon_start(&f->d, backup, NULL, api, feed);
	submit_n(500, 20);
	e2e_claim_run(&r, NULL, "audit", "--state", st);
	e2e_must(&r, 1, "audit of a rewritten log");
	assert_non_null(strstr(r.err, "ALERT"));
	assert_non_null(strstr(r.err, "REWRITTEN"));
	assert_non_null(strstr(r.err, "does not extend"));
	e2e_run_free(&r);
	/* The state keeps the evidence. */
	{
		char *now = slurp(st);

		assert_string_equal(now, saved);
		free(now);
	}
	free(saved);
}

static void
test_audit_daemon_never_contradicts_its_checkpoint(void **state)
{
	struct e2e_fixture *f = *state;
	char backup[600], cmd[4096], log[700];
	struct e2e_run r;
	int status;

	path(f, "backup", backup, sizeof(backup));
	snprintf(cmd, sizeof(cmd), "%s --data %s --backup %s >/dev/null",
	    e2e_claimd, f->data, backup);
	assert_int_equal(system(cmd), 0);
	submit_n(0, 4);
	E2E_CLAIM(0, NULL, "checkpoint");
	e2e_daemon_stop(&f->d, SIGTERM);
	/* The store goes back to the backup; the checkpoint file stays. */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/db && cp -r %s/db %s/db", f->data,
	    backup, f->data);
	assert_int_equal(system(cmd), 0);
	snprintf(log, sizeof(log), "%s/refused.log", f->dir);
	snprintf(cmd, sizeof(cmd),
	    "%s --data %s --api tcp://127.0.0.1:* "
	    "--pub tcp://127.0.0.1:* > /dev/null 2> %s",
	    e2e_claimd, f->data, log);
	status = system(cmd);
	assert_int_not_equal(status, 0);
	{
		char *text = slurp(log);

		assert_non_null(strstr(text,
		    "does not extend the last signed "
		    "checkpoint"));
		free(text);
	}
	/* claimd --check says the store itself is sound. */
	snprintf(
	    cmd, sizeof(cmd), "%s --check %s > /dev/null", e2e_claimd, f->data);
	assert_int_equal(system(cmd), 0);
	/* Restart on the backup folder itself for teardown. */
	e2e_daemon_start(&f->d, backup, NULL, NULL, NULL);
	e2e_claim_run(&r, NULL, "stats");
	e2e_must(&r, 0, "stats");
	e2e_run_free(&r);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_audit_proofs_for_every_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_verify_detects_tampering, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_verify_refuses_revoked_signer, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_detects_a_rewritten_log, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_daemon_never_contradicts_its_checkpoint, setup,
		teardown),
	};

	if (argc < 4) {
		fprintf(stderr, "usage: test_audit CLAIMD CLAIM VECTORS\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	vectors_dir = argv[3];
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
