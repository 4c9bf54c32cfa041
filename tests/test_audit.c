/*
 * test_audit: checkpoints, proofs, offline verification and audit, on a
 * real claimd driven by the real claim binary (and libclaim for the
 * thousands of proofs).
 *
 *   test_audit CLAIMD CLAIM VECTORS_DIR
 */
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "claim.h"
#include "e2e.h"

static const char *vectors_dir;

/* Daemons a test starts besides the fixture's; teardown stops them. */
static struct e2e_daemon extra[3];

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
	return 0;
}

static int
teardown(void **state)
{
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		e2e_daemon_stop(&extra[i], SIGTERM);
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

/* The first line of a checkpoint: the log's origin (caller frees). */
static char *
origin_of(const char *note)
{
	return strndup(note, strcspn(note, "\n"));
}

static void
use(const struct e2e_daemon *d)
{
	setenv("CLAIM_SERVER", d->api, 1);
}

/*
 * A second claimd on DIR/name with the fixture's admin key, a copy of its
 * log key (mode 0600, before the first start) and its origin, fed the
 * fixture's log so far: the same log, signed by the same key, until the
 * two are given different entries.
 */
static void
twin_start(struct e2e_fixture *f, struct e2e_daemon *d, const char *name)
{
	char data[600], from[700], to[700], exp[700], *note, *origin, *key;
	const char *args[3] = {"--origin", NULL, NULL};
	size_t len;
	int fd;

	path(f, name, data, sizeof(data));
	snprintf(exp, sizeof(exp), "%s.jsonl", data);
	use(&f->d);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	note = claim_out(NULL, "checkpoint", NULL, NULL);
	args[1] = origin = origin_of(note);
	assert_int_equal(mkdir(data, 0700), 0);
	snprintf(from, sizeof(from), "%s/log.key", f->data);
	snprintf(to, sizeof(to), "%s/log.key", data);
	key = tu_read_file(from, &len);
	fd = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, key, len), (ssize_t)len);
	close(fd);
	sodium_memzero(key, len);
	free(key);
	e2e_daemon_start_args(d, data, f->admin_pub, NULL, NULL, args);
	E2E_CLAIM(0, NULL, "submit", exp, "--records");
	free(origin);
	free(note);
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

/* Entry 4 again in entry 5's place. */
static void
repeat_4(char **lines, int *n, void *ctx)
{
	(void)n;
	(void)ctx;
	free(lines[5]);
	lines[5] = strdup(lines[4]);
}

/*
 * Entry 5 moved to the end, after |*ctx| lines that stand for the entries
 * from 12 on (their index is all verify reads of them before it fails);
 * with *ctx < 0 entry 5 is dropped instead.
 */
static void
move_5_to_end(char **lines, int *n, void *ctx)
{
	int pad = abs(*(int *)ctx);
	char *five = lines[5];

	if (*n != 12 || *n + pad >= 4096)
		abort(); /* not the export the test made */
	memmove(&lines[5], &lines[6], (size_t)(*n - 6) * sizeof(char *));
	(*n)--;
	for (int i = 0; i < pad; i++) {
		char l[200];

		snprintf(l, sizeof(l),
		    "{\"index\":%d,\"hash\":\"%064d\",\"record\":\"AAAA\"}",
		    12 + i, 0);
		lines[(*n)++] = strdup(l);
	}
	if (*(int *)ctx > 0)
		lines[(*n)++] = five;
	else
		free(five);
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
	int move;

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
	/* A dropped, a reordered and a repeated entry, each named. */
	edit_export(exp, bad, drop_5, NULL);
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "entry 5: expected index 5, found 6 (line 6): entry 5 is missing");
	edit_export(exp, bad, swap_5_6, NULL);
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "entry 5: expected index 5, found 6 (line 6): entry 5 comes after "
	    "entry 6, at line 7: entries are out of order");
	edit_export(exp, bad, repeat_4, NULL);
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "entry 5: expected index 5, found 4 (line 6): entry 4 is repeated");
	/* Entry 5 far behind, beyond what verify holds in memory, in any
	 * JSON form; gone from a file as long. */
	move = 3000;
	edit_export(exp, bad, move_5_to_end, &move);
	e2e_claim_run(&r, NULL, "verify", bad, "--admin-key", f->admin_pub,
	    "--threads", "1");
	e2e_must(&r, 1, "verify, entry 5 at the end");
	assert_non_null(strstr(r.err,
	    "entry 5: expected index 5, found 6 (line 6): entry 5 comes after "
	    "entry 6, at line 3012: entries are out of order"));
	e2e_run_free(&r);
	edit_export(bad, bad, reform, "spaced");
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "entry 5 comes after entry 6, at line 3012: entries are out of "
	    "order");
	move = -3000;
	edit_export(exp, bad, move_5_to_end, &move);
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "entry 5: expected index 5, found 6 (line 6): entry 5 is missing");
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

/*
 * An export of another log with as many entries as the checkpoint: every
 * entry holds, but the tree is not the one the checkpoint signs.
 */
static void
test_audit_verify_detects_another_log_of_the_same_size(void **state)
{
	struct e2e_fixture *f = *state;
	char exp[600], other[600], cp[600], *vkey, *note;
	struct e2e_run r;

	twin_start(f, &extra[0], "other");
	use(&extra[0]);
	submit_n(0, 4);
	use(&f->d);
	submit_n(100, 4);
	path(f, "all.jsonl", exp, sizeof(exp));
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	note = claim_out(NULL, "checkpoint", NULL, NULL);
	path(f, "cp.txt", cp, sizeof(cp));
	spit(cp, note);
	vkey = claim_out(NULL, "log-key", NULL, NULL);
	vkey[strcspn(vkey, "\n")] = '\0';
	use(&extra[0]);
	path(f, "other.jsonl", other, sizeof(other));
	/* twin_start() exported there: replaced, as asked. */
	E2E_CLAIM(0, NULL, "export", "--out", other, "--force");

	/* Each export holds alone; this log's matches its checkpoint. */
	e2e_claim_run(&r, NULL, "verify", other, "--admin-key", f->admin_pub);
	e2e_must(&r, 0, "verify the other log alone");
	assert_non_null(strstr(r.out, "ok: 6 entries"));
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "verify", exp, "--admin-key", f->admin_pub,
	    "--checkpoint", cp, "--log-key", vkey);
	e2e_must(&r, 0, "verify this log");
	e2e_run_free(&r);
	verify_fails(other, f->admin_pub, cp, vkey,
	    "verification failed: the export's tree root at size 6 is not the "
	    "checkpoint's: this is not the log the checkpoint signs");
	free(note);
	free(vkey);
}

/* Entry 5, a revision, signed anew with another version or prev. */
struct rechain {
	const uint8_t *sk;
	uint64_t version;
	const char *prev_hex; /* NULL: the revision's own */
};

static void
rechain_5(char **lines, int *n, void *ctx)
{
	const struct rechain *rc = ctx;
	json_t *o, *rj;
	uint8_t rec[PROTO_RECORD_MAX], h[32];
	char b64[4 * PROTO_RECORD_MAX / 3 + 8], hex[65], err[256];
	struct proto_record pr;
	struct proto_payload p;
	struct proto_buf out;
	size_t len;

	if (*n != 6)
		abort(); /* not the export the test made */
	o = json_loads(lines[5], 0, NULL);
	rj = json_object_get(o, "record");
	assert_int_equal(proto_unbase64(json_string_value(rj),
			     json_string_length(rj), rec, sizeof(rec), &len),
	    PROTO_OK);
	assert_int_equal(
	    proto_record_open(rec, len, &pr, &p, err, sizeof(err)), PROTO_OK);
	assert_int_equal(p.kind, PROTO_KIND_CLAIM);
	assert_int_equal(p.claim.version, 2);
	p.claim.version = rc->version;
	if (rc->prev_hex != NULL)
		assert_int_equal(
		    proto_unhex(rc->prev_hex, p.claim.prev, 32), PROTO_OK);
	proto_buf_init(&out);
	tu_sign(&p, rc->sk, &out);
	proto_payload_release(&p);
	proto_base64(out.data, out.len, b64);
	proto_record_hash(out.data, out.len, h);
	proto_hex(h, 32, hex);
	proto_buf_release(&out);
	json_object_set_new(o, "record", json_string(b64));
	json_object_set_new(o, "hash", json_string(hex));
	free(lines[5]);
	lines[5] = json_dumps(o, JSON_COMPACT);
	json_decref(o);
}

/*
 * A revision signed by a key the party granted, so every signature holds,
 * but out of its claim's chain: a version that skips one, a prev that is
 * not the claim's head.
 */
static void
test_audit_verify_detects_a_broken_version_chain(void **state)
{
	struct e2e_fixture *f = *state;
	char exp[600], bad[600], err[256], *text, *id, *other, want[400];
	uint8_t sk[PROTO_SECKEY_LEN];
	struct rechain rc;
	struct e2e_run r;
	json_t *line;
	size_t len;

	text = tu_read_file(f->desk_key, &len);
	assert_int_equal(
	    proto_key_parse(text, len, sk, err, sizeof(err)), PROTO_OK);
	free(text);
	submit_n(0, 3);
	path(f, "all.jsonl", exp, sizeof(exp));
	path(f, "bad.jsonl", bad, sizeof(bad));
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	text = slurp(exp);
	/* Entry 2 is claim "Entry 0.", entry 3 "Entry 1.". */
	line = json_loads(strchr(strchr(text, '\n') + 1, '\n') + 1,
	    JSON_DISABLE_EOF_CHECK, NULL);
	id = strdup(json_string_value(json_object_get(line, "hash")));
	json_decref(line);
	line = json_loads(
	    strchr(strchr(strchr(text, '\n') + 1, '\n') + 1, '\n') + 1,
	    JSON_DISABLE_EOF_CHECK, NULL);
	other = strdup(json_string_value(json_object_get(line, "hash")));
	json_decref(line);
	free(text);
	E2E_CLAIM(0,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], \"statement\": "
	    "\"Entry 0, revised.\"}",
	    "revise", id, "-", "--note", "revised");
	E2E_CLAIM(0, NULL, "export", "--out", exp, "--force");
	e2e_claim_run(&r, NULL, "verify", exp, "--admin-key", f->admin_pub);
	e2e_must(&r, 0, "verify the genuine chain");
	e2e_run_free(&r);

	/* Version 3 after version 1. */
	rc.sk = sk;
	rc.version = 3;
	rc.prev_hex = NULL;
	edit_export(exp, bad, rechain_5, &rc);
	verify_fails(bad, f->admin_pub, NULL, NULL,
	    "verification failed at entry 5: version 3 does not follow the "
	    "head's 1");
	/* Version 2 of the claim, but based on another claim's record. */
	rc.version = 2;
	rc.prev_hex = other;
	edit_export(exp, bad, rechain_5, &rc);
	snprintf(want, sizeof(want),
	    "verification failed at entry 5: claim %.16s is at version 1, "
	    "head %.16s; this revision is based on %.16s",
	    id, id, other);
	verify_fails(bad, f->admin_pub, NULL, NULL, want);
	sodium_memzero(sk, sizeof(sk));
	free(id);
	free(other);
}

/* claimd on data with args must refuse to start, saying want. */
static void
refused_start(
    struct e2e_fixture *f, const char *data, const char *args, const char *want)
{
	char log[700], cmd[2048], *text;

	snprintf(log, sizeof(log), "%s/refused.log", f->dir);
	snprintf(cmd, sizeof(cmd),
	    "%s --data %s %s --api tcp://127.0.0.1:* "
	    "--pub tcp://127.0.0.1:* > /dev/null 2> %s",
	    e2e_claimd, data, args, log);
	assert_int_not_equal(system(cmd), 0);
	text = slurp(log);
	if (strstr(text, want) == NULL)
		fail_msg("claimd said: %s", text);
	free(text);
}

/* The log key is the daemon's alone: 0600, and claimd holds to that. */
static void
test_audit_log_key_is_private(void **state)
{
	struct e2e_fixture *f = *state;
	char key[700], *vkey, *again;
	struct stat st;

	snprintf(key, sizeof(key), "%s/log.key", f->data);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	vkey = claim_out(NULL, "log-key", NULL, NULL);
	e2e_daemon_stop(&f->d, SIGTERM);

	assert_int_equal(chmod(key, 0640), 0);
	refused_start(f, f->data, "",
	    "log.key can be read by others (mode 0640); chmod 600 it");

	/* Put right, it starts with the same key. */
	assert_int_equal(chmod(key, 0600), 0);
	e2e_daemon_start(&f->d, f->data, NULL, NULL, NULL);
	again = claim_out(NULL, "log-key", NULL, NULL);
	assert_string_equal(again, vkey);
	E2E_CLAIM(0, NULL, "checkpoint");
	free(again);
	free(vkey);
}

/*
 * The origin: given with --origin at first start it is the checkpoint's
 * first line and the verifier key's name, and cannot change later; by
 * default it is HOST/claimd-<8 hex digits>.
 */
static void
test_audit_origin(void **state)
{
	struct e2e_fixture *f = *state;
	const char *named[] = {"--origin", "audit.example/claims-7", NULL};
	const char *renamed[] = {"--origin", "audit.example/other", NULL};
	char data[600], host[128] = "", want[200];
	char *note, *vkey, *origin, *text;
	regex_t re;
	size_t j = 0;

	/* The fixture's claimd took the default. */
	note = claim_out(NULL, "checkpoint", NULL, NULL);
	origin = origin_of(note);
	assert_int_equal(regcomp(&re, "^[a-z0-9.-]+/claimd-[0-9a-f]{8}$",
			     REG_EXTENDED | REG_NOSUB),
	    0);
	if (regexec(&re, origin, 0, NULL, 0) != 0)
		fail_msg("default origin \"%s\"", origin);
	regfree(&re);
	gethostname(host, sizeof(host) - 1);
	for (size_t i = 0; host[i]; i++)
		if ((host[i] >= 'a' && host[i] <= 'z') ||
		    (host[i] >= '0' && host[i] <= '9') || host[i] == '-' ||
		    host[i] == '.')
			host[j++] = host[i];
		else if (host[i] >= 'A' && host[i] <= 'Z')
			host[j++] = (char)(host[i] - 'A' + 'a');
	host[j] = '\0';
	snprintf(want, sizeof(want), "%s/claimd-", j ? host : "localhost");
	assert_int_equal(strncmp(origin, want, strlen(want)), 0);
	vkey = claim_out(NULL, "log-key", NULL, NULL);
	snprintf(want, sizeof(want), "%s+", origin);
	assert_int_equal(strncmp(vkey, want, strlen(want)), 0);
	free(vkey);
	free(origin);
	free(note);

	/* A new log named at its first start. */
	path(f, "named", data, sizeof(data));
	e2e_daemon_start_args(&extra[0], data, f->admin_pub, NULL, NULL, named);
	note = claim_out(NULL, "checkpoint", NULL, NULL);
	if (strncmp(note, "audit.example/claims-7\n0\n", 25) != 0)
		fail_msg("checkpoint: %s", note);
	vkey = claim_out(NULL, "log-key", NULL, NULL);
	assert_int_equal(strncmp(vkey, "audit.example/claims-7+", 23), 0);
	free(note);
	e2e_daemon_stop(&extra[0], SIGTERM);

	/* The same name again is fine; another is refused. */
	e2e_daemon_start_args(&extra[0], data, NULL, NULL, NULL, named);
	text = claim_out(NULL, "log-key", NULL, NULL);
	assert_string_equal(text, vkey);
	free(text);
	e2e_daemon_stop(&extra[0], SIGTERM);
	{
		char args[300];

		snprintf(args, sizeof(args), "%s %s", renamed[0], renamed[1]);
		refused_start(f, data, args,
		    "this log's origin is audit.example/claims-7, not "
		    "audit.example/other");
	}
	free(vkey);
	use(&f->d);
}

/* claim audit --state st against d: its exit status and stderr. */
static void
audit_run(struct e2e_run *r, const struct e2e_daemon *d, const char *st)
{
	use(d);
	e2e_claim_run(r, NULL, "audit", "--state", st);
}

/* Audit against d must pass (what names it) and, unless says is NULL,
 * say so. */
static void
audit_passes(const struct e2e_daemon *d, const char *st, const char *what,
    const char *says)
{
	struct e2e_run r;

	audit_run(&r, d, st);
	e2e_must(&r, 0, what);
	if (says != NULL)
		assert_non_null(strstr(r.out, says));
	e2e_run_free(&r);
}

/* Audit against d must raise the alert with why, and keep the state. */
static void
audit_alerts(const struct e2e_daemon *d, const char *st, const char *why)
{
	char *before = slurp(st), *after;
	struct e2e_run r;

	audit_run(&r, d, st);
	e2e_must(&r, 1, why);
	if (strstr(r.err, "claim: ALERT: ") == NULL ||
	    strstr(r.err, why) == NULL)
		fail_msg("audit: \"%s\" lacks \"%s\"", r.err, why);
	e2e_run_free(&r);
	after = slurp(st);
	assert_string_equal(after, before);
	free(after);
	free(before);
}

/*
 * Two claimds on the same admin key, log key and origin: one log until
 * they are fed different entries. An auditor who saw one and then the
 * other is told loudly, whichever way the sizes fall.
 */
static void
test_audit_detects_diverging_twins(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_daemon *one = &f->d, *two = &extra[0], *fake = &extra[1];
	char st[600], st2[600], st3[600], fake_data[600], exp[600];
	const char *args[3] = {"--origin", NULL, NULL};
	char *k1, *k2, *note;

	submit_n(0, 5);
	twin_start(f, two, "twin");
	use(one);
	k1 = claim_out(NULL, "log-key", NULL, NULL);
	use(two);
	k2 = claim_out(NULL, "log-key", NULL, NULL);
	assert_string_equal(k1, k2);

	/* While they agree, an auditor sees one log. */
	path(f, "audit.json", st, sizeof(st));
	audit_passes(
	    one, st, "audit one at 7", "checkpoint of 7 entries recorded");
	audit_passes(
	    two, st, "audit two at 7", "ok: the log is unchanged at 7 entries");

	/* Different history, the same size. */
	use(one);
	submit_n(100, 5);
	use(two);
	submit_n(200, 5);
	audit_passes(one, st, "audit one at 12", "grew from 7 to 12");
	audit_alerts(two, st,
	    "REWRITTEN: its 12 entries have another root than the checkpoint "
	    "of 12 entries seen before");

	/* The twin grows past it: it does not extend what was seen. */
	use(two);
	submit_n(300, 3);
	audit_alerts(two, st,
	    "REWRITTEN: the checkpoint of size 15 does not extend the one of "
	    "size 12 seen before");

	/* Seen at 15 first, the other is smaller. */
	path(f, "audit2.json", st2, sizeof(st2));
	audit_passes(two, st2, "audit two at 15", NULL);
	audit_alerts(
	    one, st2, "REWRITTEN: it has 12 entries, 15 were signed before");

	/* A claimd with the same log and the same origin, but not the log
	 * key: its checkpoints are not the log's. */
	path(f, "audit3.json", st3, sizeof(st3));
	audit_passes(one, st3, "audit one for st3", NULL);
	path(f, "fake", fake_data, sizeof(fake_data));
	path(f, "one.jsonl", exp, sizeof(exp));
	use(one);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	note = claim_out(NULL, "checkpoint", NULL, NULL);
	args[1] = origin_of(note);
	e2e_daemon_start_args(fake, fake_data, f->admin_pub, NULL, NULL, args);
	E2E_CLAIM(0, NULL, "submit", exp, "--records");
	{
		char *fake_note = claim_out(NULL, "checkpoint", NULL, NULL);

		/* The same text, another signature. */
		size_t body = (size_t)(strstr(note, "\n\n") - note) + 2;

		assert_int_equal(strncmp(fake_note, note, body), 0);
		assert_string_not_equal(fake_note, note);
		free(fake_note);
	}
	audit_alerts(fake, st3,
	    "ALERT: claimd's checkpoint is not signed by the log key");

	/* The genuine log, audited again, is fine. */
	use(one);
	submit_n(400, 1);
	audit_passes(one, st, "audit one at 13", "grew from 12 to 13");
	free((char *)args[1]);
	free(note);
	free(k1);
	free(k2);
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

/*
 * claim export on a terminal draws a progress bar on stderr, ending at
 * the log's size, and writes only entries to the file; off a terminal it
 * draws none. (script(1) gives it the terminal.)
 */
static void
test_audit_export_progress_on_a_terminal(void **state)
{
	struct e2e_fixture *f = *state;
	char out[700], cmd[2048], buf[4096], want[64];
	size_t n;
	FILE *p;
	struct e2e_run r;
	json_t *st;

	submit_n(0, 5000); /* the bar is for logs over one range (4,096) */
	st = e2e_claim_json(NULL, "stats", "--json");
	snprintf(want, sizeof(want), "] %lld/%lld",
	    (long long)json_integer_value(json_object_get(st, "size")),
	    (long long)json_integer_value(json_object_get(st, "size")));
	json_decref(st);
	snprintf(out, sizeof(out), "%s/tty-export.jsonl", f->dir);
	if (system("script -qec true /dev/null > /dev/null 2>&1") != 0)
		skip(); /* no util-linux script(1) to give it a terminal */
	snprintf(cmd, sizeof(cmd),
	    "script -qec '%s export --out %s' /dev/null < /dev/null", e2e_claim,
	    out);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	/* The bar redraws on one line: a few hundred bytes in all. */
	assert_int_equal(fgetc(p), EOF);
	assert_int_equal(pclose(p), 0);
	if (strstr(buf, "export [####") == NULL || strstr(buf, want) == NULL)
		fail_msg("no progress bar ending at \"%s\": %s", want, buf);
	{
		char *text = slurp(out);

		assert_null(strstr(text, "export ["));
		assert_int_equal(text[0], '{');
		free(text);
	}
	e2e_claim_run(&r, NULL, "export", "--out", out, "--force");
	e2e_must(&r, 0, "export off a terminal");
	assert_null(strstr(r.err, "export ["));
	assert_non_null(strstr(r.err, "claim: exported "));
	e2e_run_free(&r);
}

/*
 * claim verify without --admin-key trusts the signer of the first registry
 * record and says so; with another admin key it fails at entry 0. With
 * one thread or the default (one per core) the verdict is the same.
 */
static void
test_audit_verify_admin_key_choices(void **state)
{
	struct e2e_fixture *f = *state;
	char exp[700], want[200];
	struct e2e_run r;

	submit_n(0, 300);
	snprintf(exp, sizeof(exp), "%s/all.jsonl", f->dir);
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	e2e_claim_run(&r, NULL, "verify", exp);
	e2e_must(&r, 0, "verify without --admin-key");
	snprintf(want, sizeof(want),
	    "no --admin-key: trusting the signer of the first registry "
	    "record, %s",
	    f->admin_pub);
	assert_non_null(strstr(r.err, want));
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "verify", exp, "--admin-key", f->desk_pub);
	e2e_must(&r, 1, "verify with another admin key");
	assert_non_null(strstr(r.err, "verification failed at entry 0: "));
	e2e_run_free(&r);
	for (int t = 0; t < 2; t++) {
		e2e_claim_run(&r, NULL, "verify", exp, "--admin-key",
		    f->admin_pub, "--threads", t ? "2" : "1");
		e2e_must(&r, 0, "verify --threads");
		assert_null(strstr(r.err, "no --admin-key"));
		e2e_run_free(&r);
	}
}

/*
 * An export whose last entry, a party record by the admin or a claim by
 * a granted desk, is properly signed but has a time out of range: claim
 * verify refuses it offline, at that entry, saying why. The same records
 * with a time in range verify.
 */
static void
test_audit_verify_refuses_a_time_out_of_range(void **state)
{
	static const struct {
		uint64_t t;
		const char *why;
	} cases[] = {
	    {1700000000, NULL},
	    {0, "time 0 is before 2000-01-01 (946684800)"},
	    {946684799, "time 946684799 is before 2000-01-01 (946684800)"},
	    {1ULL << 53,
		"time 9007199254740992 is 2^53 (9007199254740992) or more"},
	    {UINT64_MAX, "time 18446744073709551615 is 2^53"},
	};
	struct e2e_fixture *f = *state;
	uint8_t admin_sk[PROTO_SECKEY_LEN], desk_sk[PROTO_SECKEY_LEN];
	char exp[600], bad[600], want[300], *text, *line;
	struct proto_payload p;
	struct proto_buf rec;
	struct e2e_run r;
	uint64_t n = 0;

	submit_n(0, 2);
	path(f, "all.jsonl", exp, sizeof(exp));
	path(f, "bad.jsonl", bad, sizeof(bad));
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	text = slurp(exp);
	for (const char *c = text; *c != '\0'; c++)
		n += *c == '\n';
	e2e_key_load(f->admin_key, admin_sk);
	e2e_key_load(f->desk_key, desk_sk);
	proto_buf_init(&rec);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int kind = 0; kind < 2; kind++) {
			char *all;

			rec.len = 0;
			if (kind == 0) {
				tu_party(&p, "az-mfa", "Ministry");
				tu_sign_time(&p, cases[i].t, admin_sk, &rec);
			} else {
				tu_claim(&p, "am-mfa", "t", "Out of its time.");
				tu_sign_time(&p, cases[i].t, desk_sk, &rec);
			}
			proto_payload_release(&p);
			line = e2e_export_line(n, &rec);
			all = malloc(strlen(text) + strlen(line) + 1);
			strcpy(all, text);
			strcat(all, line);
			spit(bad, all);
			free(all);
			free(line);
			e2e_claim_run(&r, NULL, "verify", bad, "--admin-key",
			    f->admin_pub);
			if (cases[i].why == NULL) {
				e2e_must(&r, 0, "verify a time in range");
				e2e_run_free(&r);
				continue;
			}
			e2e_must(&r, 1, cases[i].why);
			snprintf(want, sizeof(want),
			    "verification failed at entry %llu: %s",
			    (unsigned long long)n, cases[i].why);
			if (strstr(r.err, want) == NULL)
				fail_msg("\"%s\" lacks \"%s\"", r.err, want);
			e2e_run_free(&r);
		}
	/* --json names the error. */
	e2e_claim_run(
	    &r, NULL, "verify", bad, "--admin-key", f->admin_pub, "--json");
	e2e_must(&r, 1, "verify --json");
	assert_non_null(strstr(r.out, "\"error\":\"time\""));
	e2e_run_free(&r);
	sodium_memzero(admin_sk, sizeof(admin_sk));
	sodium_memzero(desk_sk, sizeof(desk_sk));
	proto_buf_release(&rec);
	free(text);
}

/*
 * Proof bundles.
 *
 * "Refused once any byte is changed", made exact: every byte of a real
 * bundle, each of its 8 bits in turn, is flipped and the result checked
 * with the verifier claim verify-proof runs. A flip that leaves JSON
 * meaning the same as the original (json_equal) must still verify, for
 * that is the same bundle; every other flip changes a value, a key or
 * the JSON itself and must be refused. (No single bit flip turns JSON
 * white space into other white space, so in practice every flip is
 * refused; the test counts and shows which was which.)
 */
static void
flip_every_bit(const char *text, const char *vkey, const char *what)
{
	size_t len = strlen(text), refused = 0, same = 0;
	json_t *orig = json_loads(text, 0, NULL);
	char *t = malloc(len + 1), err[512];
	struct claim_bundle b;

	assert_non_null(orig);
	assert_int_equal(
	    claim_bundle_verify(text, len, vkey, &b, err, sizeof(err)),
	    PROTO_OK);
	claim_bundle_release(&b);
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			json_t *j;
			int rc;

			memcpy(t, text, len + 1);
			t[i] = (char)(t[i] ^ (1 << bit));
			rc = claim_bundle_verify(
			    t, len, vkey, &b, err, sizeof(err));
			j = json_loadb(t, len, JSON_REJECT_DUPLICATES, NULL);
			if (j != NULL && json_equal(j, orig)) {
				if (rc != PROTO_OK)
					fail_msg("%s: byte %zu bit %d: same "
						 "JSON refused: %s",
					    what, i, bit, err);
				claim_bundle_release(&b);
				same++;
			} else {
				if (rc == PROTO_OK)
					fail_msg("%s: byte %zu (%c) bit %d "
						 "changed and accepted",
					    what, i, text[i], bit);
				assert_int_equal(rc, PROTO_EPROOF);
				refused++;
			}
			json_decref(j);
		}
	assert_int_equal(refused + same, 8 * len);
	print_message("%s: %zu bytes, %zu flips refused, %zu kept the "
		      "meaning\n",
	    what, len, refused, same);
	json_decref(orig);
	free(t);
}

/* The bundle at path with the first character of key's value flipped
 * (for an array, of its first string); verify-proof must refuse it. */
static void
cli_refuses_flip(
    const char *path, const char *bad, const char *vkey, const char *key)
{
	char *text = slurp(path), pat[64], *p;
	struct e2e_run r;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	assert_non_null(p = strstr(text, pat));
	p += strlen(pat);
	if (*p == '[')
		p = strchr(p, '"');
	if (*p == '"')
		p++;
	*p = (char)(*p ^ 1);
	spit(bad, text);
	e2e_claim_run(&r, NULL, "verify-proof", bad, "--log-key", vkey);
	e2e_must(&r, 1, key);
	assert_non_null(strstr(r.err, "claim: verification failed: "));
	e2e_run_free(&r);
	free(text);
}

static char *
trimmed(char *s)
{
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static void
test_audit_proof_bundles(void **state)
{
	struct e2e_fixture *f = *state;
	char exp[600], incl[600], cons[600], cons2[600], bad[600], cp[600];
	char st[600], other[PROTO_VKEY_MAX], *vkey, *text, *note, *origin;
	char *save = NULL, *hash = NULL, *l;
	uint8_t pk[PROTO_PUBKEY_LEN], sk[PROTO_SECKEY_LEN];
	struct e2e_run r;
	json_t *j;
	int i = 0;

	submit_n(0, 20);
	vkey = trimmed(claim_out(NULL, "log-key", NULL, NULL));
	path(f, "all.jsonl", exp, sizeof(exp));
	path(f, "incl.json", incl, sizeof(incl));
	path(f, "cons.json", cons, sizeof(cons));
	path(f, "cons2.json", cons2, sizeof(cons2));
	path(f, "bad.json", bad, sizeof(bad));
	path(f, "cp", cp, sizeof(cp));
	path(f, "state.json", st, sizeof(st));
	E2E_CLAIM(0, NULL, "export", "--out", exp);
	text = slurp(exp);
	for (l = strtok_r(text, "\n", &save); l != NULL && i < 7;
	     l = strtok_r(NULL, "\n", &save), i++)
		;
	j = json_loads(l, 0, NULL);
	hash = strdup(json_string_value(json_object_get(j, "hash")));
	json_decref(j);
	free(text);

	/* Inclusion of entry 7, against the newest signed checkpoint. */
	E2E_CLAIM(0, NULL, "prove", "inclusion", hash, "--out", incl);
	E2E_CLAIM(2, NULL, "prove", "inclusion", hash, "--out", incl);
	E2E_CLAIM(
	    0, NULL, "prove", "inclusion", hash, "--out", incl, "--force");
	E2E_CLAIM(
	    2, NULL, "prove", "inclusion", hash, "--out", bad, "--size", "5");
	/* A write that fails is a usage error (the file is the user's). */
	e2e_claim_run(&r, NULL, "prove", "inclusion", hash, "--out",
	    "/dev/full", "--force");
	e2e_must(&r, 2, "prove --out /dev/full");
	assert_non_null(strstr(r.err, "cannot write /dev/full: "));
	e2e_run_free(&r);
	text = slurp(incl);
	j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	note = claim_out(NULL, "checkpoint", NULL, NULL);
	/* DESIGN's fields as they were, and the signed note verbatim. */
	assert_int_equal(json_integer_value(json_object_get(j, "index")), 7);
	assert_int_equal(json_integer_value(json_object_get(j, "size")), 22);
	assert_true(json_array_size(json_object_get(j, "proof")) > 0);
	assert_string_equal(
	    json_string_value(json_object_get(j, "checkpoint")), note);
	assert_string_equal(
	    json_string_value(json_object_get(j, "hash")), hash);
	json_decref(j);

	e2e_claim_run(&r, NULL, "verify-proof", incl, "--log-key", vkey);
	e2e_must(&r, 0, "verify-proof");
	assert_non_null(strstr(r.out, "ok: entry 7, record "));
	e2e_run_free(&r);
	e2e_claim_run(
	    &r, NULL, "verify-proof", incl, "--log-key", vkey, "--json");
	e2e_must(&r, 0, "verify-proof --json");
	assert_non_null(strchr(r.out, '\n'));
	assert_string_equal(strchr(r.out, '\n'), "\n"); /* one line */
	j = json_loads(r.out, 0, NULL);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "index")), 7);
	assert_int_equal(json_integer_value(json_object_get(j, "size")), 22);
	assert_string_equal(
	    json_string_value(json_object_get(j, "hash")), hash);
	assert_string_equal(
	    json_string_value(json_object_get(j, "kind")), "claim");
	assert_string_equal(
	    json_string_value(json_object_get(j, "party")), "am-mfa");
	json_decref(j);
	e2e_run_free(&r);
	/* Standard input, and the same JSON laid out otherwise. */
	E2E_CLAIM(0, text, "verify-proof", "-", "--log-key", vkey);
	{
		json_t *o = json_loads(text, 0, NULL);
		char *compact = json_dumps(o, JSON_COMPACT);

		E2E_CLAIM(0, compact, "verify-proof", "-", "--log-key", vkey);
		free(compact);
		json_decref(o);
	}

	/* Another key of the same name, a key that is none, no key. */
	origin = origin_of(note);
	crypto_sign_keypair(pk, sk);
	assert_int_equal(
	    proto_vkey_format(origin, pk, other, sizeof(other)), PROTO_OK);
	e2e_claim_run(&r, NULL, "verify-proof", incl, "--log-key", other);
	e2e_must(&r, 1, "verify-proof, another key");
	assert_non_null(strstr(r.err, "is not signed by"));
	e2e_run_free(&r);
	e2e_claim_run(
	    &r, NULL, "verify-proof", incl, "--log-key", other, "--json");
	e2e_must(&r, 1, "verify-proof --json, another key");
	j = json_loads(r.out, 0, NULL);
	assert_true(json_is_false(json_object_get(j, "ok")));
	assert_string_equal(
	    json_string_value(json_object_get(j, "error")), "proof");
	json_decref(j);
	e2e_run_free(&r);
	E2E_CLAIM(2, NULL, "verify-proof", incl, "--log-key", "nokey");
	E2E_CLAIM(2, NULL, "verify-proof", incl);
	E2E_CLAIM(2, NULL, "verify-proof", bad, "--log-key", vkey);

	/* Any change to a value, by the command. */
	{
		static const char *const keys[] = {"type", "checkpoint",
		    "index", "size", "record", "hash", "proof"};

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			cli_refuses_flip(incl, bad, vkey, keys[k]);
	}
	/* Any bit of any byte, by its verifier. */
	flip_every_bit(text, vkey, "inclusion bundle");
	free(text);

	/* Consistency: from a size, and from a checkpoint seen before. */
	E2E_CLAIM(
	    0, NULL, "prove", "consistency", "--from", "5", "--out", cons);
	E2E_CLAIM(2, NULL, "prove", "consistency", "--from", "5", "--to", "22",
	    "--out", bad);
	spit(cp, note);
	E2E_CLAIM(0, NULL, "audit", "--state", st);
	submit_n(100, 3);
	E2E_CLAIM(0, NULL, "prove", "consistency", "--old-checkpoint", cp,
	    "--out", cons2);
	e2e_claim_run(&r, NULL, "verify-proof", cons, "--log-key", vkey);
	e2e_must(&r, 0, "verify-proof consistency");
	assert_non_null(strstr(r.out,
	    " of 22 entries, signed, extends the "
	    "tree of 5 entries with root "));
	e2e_run_free(&r);
	e2e_claim_run(&r, NULL, "verify-proof", cons2, "--log-key", vkey,
	    "--old-checkpoint", st, "--json");
	e2e_must(&r, 0, "verify-proof consistency from a checkpoint");
	j = json_loads(r.out, 0, NULL);
	assert_int_equal(
	    json_integer_value(json_object_get(j, "old_size")), 22);
	assert_int_equal(json_integer_value(json_object_get(j, "size")), 25);
	assert_true(json_is_true(json_object_get(j, "old_signed")));
	json_decref(j);
	e2e_run_free(&r);
	/* A bundle from 5 does not start from the checkpoint of 22. */
	E2E_CLAIM(1, NULL, "verify-proof", cons, "--log-key", vkey,
	    "--old-checkpoint", cp);
	E2E_CLAIM(2, NULL, "verify-proof", incl, "--log-key", vkey,
	    "--old-checkpoint", cp);
	/* The audit state file serves as the old checkpoint too. */
	E2E_CLAIM(0, NULL, "prove", "consistency", "--old-checkpoint", st,
	    "--out", bad, "--force");
	E2E_CLAIM(0, NULL, "verify-proof", bad, "--log-key", vkey,
	    "--old-checkpoint", cp);
	/* A bundle stays valid offline while the log grows. */
	E2E_CLAIM(0, NULL, "verify-proof", incl, "--log-key", vkey);
	{
		static const char *const keys[] = {"old_checkpoint",
		    "checkpoint", "old_size", "new_size", "old_root", "proof"};

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			cli_refuses_flip(cons2, bad, vkey, keys[k]);
	}
	/* The independent verifier agrees, both ways. */
	{
		char cmd[4096];

		snprintf(cmd, sizeof(cmd),
		    "/usr/bin/python3 %s/bundle.py '%s' %s %s %s", vectors_dir,
		    vkey, incl, cons, cons2);
		assert_int_equal(system(cmd), 0);
		snprintf(cmd, sizeof(cmd),
		    "/usr/bin/python3 %s/bundle.py '%s' %s", vectors_dir, vkey,
		    bad);
		assert_int_not_equal(system(cmd), 0);
	}
	text = slurp(cons2);
	flip_every_bit(text, vkey, "consistency bundle");
	free(text);
	text = slurp(cons);
	flip_every_bit(text, vkey, "consistency bundle without old checkpoint");
	free(text);
	/* From the empty tree, whose root no proof speaks of. */
	E2E_CLAIM(0, NULL, "prove", "consistency", "--from", "0", "--out", bad,
	    "--force");
	text = slurp(bad);
	flip_every_bit(text, vkey, "consistency bundle from the empty tree");
	free(text);

	sodium_memzero(sk, sizeof(sk));
	free(origin);
	free(note);
	free(hash);
	free(vkey);
}

/*
 * libclaim's one request path, claim_request(): a reply, the daemon's
 * refusal (its status the result, its message in err, the reply's
 * status kept), and no daemon at all (PROTO_EUNREACHABLE, explained).
 */
static void
test_audit_request_results(void **state)
{
	struct e2e_fixture *f = *state;
	struct claim_client *c;
	struct claim_reply r;
	char err[256];
	int rc;

	assert_int_equal(
	    claim_client_open(f->d.api, 3000, NULL, &c, err, sizeof(err)),
	    PROTO_OK);
	assert_int_equal(claim_request(c, PROTO_OP_STATS, 0, "\xa0", 1, &r, err,
			     sizeof(err)),
	    PROTO_OK);
	assert_int_equal(r.status, PROTO_OK);
	assert_non_null(r.body);
	claim_reply_release(&r);
	/* GET names neither an id nor an index: refused. */
	rc = claim_request(c, PROTO_OP_GET, 0, "\xa0", 1, &r, err, sizeof(err));
	assert_int_not_equal(rc, PROTO_OK);
	assert_int_equal(rc, r.status);
	assert_string_equal(err, r.message);
	assert_null(r.body);
	claim_reply_release(&r);
	claim_client_close(c);

	/* Nothing listens on port 1. */
	assert_int_equal(claim_client_open("tcp://127.0.0.1:1", 200, NULL, &c,
			     err, sizeof(err)),
	    PROTO_OK);
	assert_int_equal(claim_request(c, PROTO_OP_STATS, 0, "\xa0", 1, &r, err,
			     sizeof(err)),
	    PROTO_EUNREACHABLE);
	assert_int_equal(r.status, PROTO_OK);
	if (strstr(err, "does not answer (waited 200 ms)") == NULL)
		fail_msg("unreachable, explained as: %s", err);
	claim_reply_release(&r);
	claim_client_close(c);
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
	    cmocka_unit_test_setup_teardown(
		test_audit_verify_detects_another_log_of_the_same_size, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_verify_detects_a_broken_version_chain, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_log_key_is_private, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_origin, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_export_progress_on_a_terminal, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_verify_admin_key_choices, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_detects_diverging_twins, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_verify_refuses_a_time_out_of_range, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_proof_bundles, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_audit_request_results, setup, teardown),
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
