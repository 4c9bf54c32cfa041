/*
 * test_text: no input drives a terminal or forges a log line, and the
 * messages people meet say what is wrong. A real claimd (with -v, so
 * that it logs every refusal) on loopback, driven by the real claim.
 *
 * Every path that quotes input is fed control characters, ANSI escape
 * sequences, invalid UTF-8, NUL and newlines: refused JSON, a refused
 * record relayed from claimd, a hostile export to verify and diff, and
 * claimd's log. Nothing below 0x20 but the line's own newline may come
 * out, and no line may start as a forged log line does.
 *
 *   test_text CLAIMD CLAIM
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

/* The start of the log line a hostile client tries to forge. */
#define FAKE "2026-01-01T00:00:00Z claimd[1]: warning: fake"
#define ESC  "\033"
/* Sets the window title, rings the bell, clears the screen. */
#define TITLE ESC "]0;TITLE\007" ESC "[2J"

static int
setup(void **state)
{
	static const char *const parties[] = {"am-mfa", "az-mfa", NULL};
	static const char *const verbose[] = {"-v", NULL};
	struct e2e_fixture *f = e2e_fixture_new(parties);

	/* The same folder again, now logging every refusal. */
	e2e_daemon_stop(&f->d, SIGTERM);
	e2e_daemon_start_args(
	    &f->d, f->data, f->admin_pub, NULL, NULL, verbose);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

/*
 * Fails unless text (len bytes) is safe to show: no byte below 0x20 but
 * a newline, no DEL, and no line that starts as the forged one.
 */
static void
must_be_inert(const char *text, size_t len, const char *what)
{
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)text[i] < 0x20 && text[i] != '\n') ||
		    text[i] == 0x7f)
			fail_msg("%s: byte 0x%02x at %zu in: %s", what,
			    (unsigned char)text[i], i, text);
	for (const char *l = text; l != NULL && *l != '\0';) {
		if (strncmp(l, FAKE, strlen(FAKE)) == 0)
			fail_msg("%s: a forged line: %s", what, text);
		if ((l = strchr(l, '\n')) != NULL)
			l++;
	}
}

/* Writes len bytes to dir/name; returns the path (caller frees). */
static char *
put_file(const char *dir, const char *name, const void *p, size_t len)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Runs claim into r; requires exit status want and inert stderr. */
#define RUN_INERT(r, want, in, ...)                                            \
	do {                                                                   \
		e2e_claim_run(&(r), in, __VA_ARGS__);                          \
		e2e_must(&(r), want, #__VA_ARGS__);                            \
		must_be_inert((r).err, strlen((r).err), #__VA_ARGS__);         \
	} while (0)

/* Fails unless needle is in haystack. */
static void
must_hold(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("\"%s\" not in: %s", needle, haystack);
}

/* A CBOR text string of any bytes, valid UTF-8 or not. */
static int
put_raw_text(struct proto_buf *b, const char *s)
{
	size_t n = strlen(s);
	uint8_t head[2] = {0x78, (uint8_t)n};

	assert_true(n < 256);
	if (n < 24)
		head[0] = (uint8_t)(0x60 + n);
	return proto_buf_append(b, head, n < 24 ? 1 : 2) ||
	    proto_buf_append(b, s, n);
}

/*
 * A claim record of party party (any bytes: no schema is checked here),
 * signed by a key claimd never granted; as an export line.
 */
static char *
hostile_line(const char *party, uint64_t index)
{
	struct proto_buf pl, rec;
	uint8_t pk[PROTO_PUBKEY_LEN], sk[PROTO_SECKEY_LEN];
	uint8_t hash[PROTO_HASH_LEN];
	char hex[2 * PROTO_HASH_LEN + 1], *b64, *line;
	tu_key(0x77, pk, sk);
	proto_buf_init(&pl);
	proto_buf_init(&rec);
	/* The keys in deterministic order, written by hand: the map
	 * helpers would refuse text that is not UTF-8. */
	assert_int_equal(proto_cbor_put_map(&pl, 9) ||
		proto_cbor_put_str(&pl, "kind") ||
		proto_cbor_put_str(&pl, "claim") ||
		proto_cbor_put_str(&pl, "time") ||
		proto_cbor_put_uint(&pl, 1700000000) ||
		proto_cbor_put_str(&pl, "party") || put_raw_text(&pl, party) ||
		proto_cbor_put_str(&pl, "status") ||
		proto_cbor_put_str(&pl, "asserted") ||
		proto_cbor_put_str(&pl, "topics") ||
		proto_cbor_put_array(&pl, 1) ||
		proto_cbor_put_str(&pl, "lachin") ||
		proto_cbor_put_str(&pl, "sources") ||
		proto_cbor_put_array(&pl, 0) ||
		proto_cbor_put_str(&pl, "version") ||
		proto_cbor_put_uint(&pl, 1) ||
		proto_cbor_put_str(&pl, "relations") ||
		proto_cbor_put_array(&pl, 0) ||
		proto_cbor_put_str(&pl, "statement") ||
		proto_cbor_put_str(&pl, "said"),
	    PROTO_OK);
	assert_int_equal(
	    proto_record_sign(pl.data, pl.len, sk, &rec), PROTO_OK);
	proto_record_hash(rec.data, rec.len, hash);
	proto_hex(hash, PROTO_HASH_LEN, hex);
	assert_non_null(b64 = malloc(rec.len * 4 / 3 + 8));
	proto_base64(rec.data, rec.len, b64);
	assert_true(asprintf(&line,
			"{\"index\":%llu,\"hash\":\"%s\",\"record\":\"%s\"}\n",
			(unsigned long long)index, hex, b64) > 0);
	free(b64);
	proto_buf_release(&pl);
	proto_buf_release(&rec);
	return line;
}

/* The whole of claimd's log so far; fails unless it is inert. */
static char *
log_inert(const struct e2e_fixture *f)
{
	size_t len;
	char *log = tu_read_file(f->d.log, &len);

	must_be_inert(log, len, "claimd's log");
	return log;
}

/*
 * Part A
 */

static void
test_text_refused_json_is_shown_escaped(void **state)
{
	static const char bad_utf8[] = "{\"party\": \"am\xff\xfe" ESC "[2J\"}";
	static const char nul[] = "{\"party\": \"a\0" TITLE "\"}";
	struct e2e_fixture *f = *state;
	struct e2e_run r;
	char *path;

	/* A slug holding ESC[31m: refused here, before anything is sent. */
	RUN_INERT(r, 4,
	    "{\"party\": \"am-mfa\\u001b[31m\", \"topics\": [\"lachin\"], "
	    "\"statement\": \"said\"}",
	    "submit", "-");
	must_hold(r.err, "\"am-mfa\\e[31m\" is not a slug");
	e2e_run_free(&r);
	/* Raw escapes and a newline in JSON: jansson quotes them. */
	RUN_INERT(r, 2, "{\"party\": \"" TITLE "\n" FAKE "\"}", "submit", "-");
	must_hold(r.err, "not JSON");
	e2e_run_free(&r);
	RUN_INERT(r, 2, "[\"" TITLE "\"", "submit", "-");
	e2e_run_free(&r);
	/* Invalid UTF-8, and a NUL byte, in a file. */
	path =
	    put_file(f->dir, "bad-utf8.json", bad_utf8, sizeof(bad_utf8) - 1);
	RUN_INERT(r, 2, NULL, "submit", path);
	e2e_run_free(&r);
	free(path);
	path = put_file(f->dir, "nul.json", nul, sizeof(nul) - 1);
	RUN_INERT(r, 2, NULL, "submit", path);
	e2e_run_free(&r);
	free(path);
	/* JSON Lines: one refused line among good ones, by the batch. */
	RUN_INERT(r, 4,
	    "{\"party\": \"am-mfa\", \"topics\": [\"lachin\"], \"statement\": "
	    "\"said\"}\n"
	    "{\"party\": \"az\\n" FAKE "\\u001b]0;T\\u0007\", \"topics\": "
	    "[\"lachin\"], \"statement\": \"said\"}\n",
	    "submit", "-");
	must_hold(r.err,
	    "line 2: refused: schema: party \"az\\n2026-01-01T00:00:00Z");
	e2e_run_free(&r);
	/* Arguments are input too. */
	RUN_INERT(r, 2, NULL, "show", TITLE "\n" FAKE);
	e2e_run_free(&r);
	RUN_INERT(r, 2, NULL, TITLE "\n" FAKE);
	must_hold(r.err, "unknown verb \"\\e]0;TITLE\\x07\\e[2J\\n2026");
	e2e_run_free(&r);
	free(log_inert(f));
}

static void
test_text_refused_record_in_reply_and_log(void **state)
{
	struct e2e_fixture *f = *state;
	char *line = hostile_line("az\n" FAKE " " TITLE, 0), *log;
	struct e2e_run r;

	/* claimd refuses it, quoting the slug, to the client and in its
	 * log (-v); claim prints claimd's message. */
	RUN_INERT(r, 4, line, "submit", "--records", "-");
	must_hold(r.err, "refused: schema: party \"az\\n2026-01-01");
	e2e_run_free(&r);
	log = log_inert(f);
	must_hold(log,
	    "submission refused: schema: party \"az\\n" FAKE
	    " \\e]0;TITLE\\x07\\e[2J\"");
	free(log);
	free(line);
	/* Invalid UTF-8 is not even CBOR text: refused all the same. */
	line = hostile_line("az\xff\xfe" ESC "[31m", 0);
	RUN_INERT(r, 4, line, "submit", "--records", "-");
	e2e_run_free(&r);
	free(line);
	free(log_inert(f));
}

static void
test_text_hostile_export_to_verify_and_diff(void **state)
{
	struct e2e_fixture *f = *state;
	static const char *const lines[] = {
	    /* Not JSON: raw escapes, which jansson's message quotes. */
	    "{\"index\":0,\"hash\":\"" TITLE "\",\"record\":\"x\"}\n",
	    "[" TITLE "\n",
	    /* JSON whose strings hold escapes. */
	    "{\"index\":0,\"hash\":\"\\u001b]0;TITLE\\u0007\",\"record\":"
	    "\"\\u001b[2J\"}\n",
	    "\xff\xfe" ESC "[2J\n",
	};
	struct e2e_run r;
	char *path, *line;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		path = put_file(
		    f->dir, "hostile.jsonl", lines[i], strlen(lines[i]));
		RUN_INERT(r, 1, NULL, "verify", path);
		must_hold(r.err, "verification failed");
		e2e_run_free(&r);
		/* --json says why too, though the line is not UTF-8. */
		RUN_INERT(r, 1, NULL, "verify", path, "--json");
		must_be_inert(r.out, strlen(r.out), "verify --json stdout");
		{
			json_t *j = json_loads(r.out, 0, NULL);

			assert_non_null(j);
			assert_true(json_is_string(json_object_get(j, "why")));
			json_decref(j);
		}
		e2e_run_free(&r);
		RUN_INERT(r, 1, NULL, "diff", "--topic", "lachin", "--party",
		    "am-mfa", "--party", "az-mfa", "--export", path);
		e2e_run_free(&r);
		free(path);
	}
	/* A well-formed record whose payload quotes a forged line. */
	line = hostile_line("az\n" FAKE " " TITLE, 0);
	path = put_file(f->dir, "hostile.jsonl", line, strlen(line));
	RUN_INERT(r, 1, NULL, "verify", path);
	must_hold(r.err, "verification failed at entry 0: party \"az\\n");
	e2e_run_free(&r);
	RUN_INERT(r, 1, NULL, "diff", "--topic", "lachin", "--party", "am-mfa",
	    "--party", "az-mfa", "--export", path);
	must_be_inert(r.out, strlen(r.out), "diff --export stdout");
	e2e_run_free(&r);
	free(path);
	free(line);
	/* A long slug of two-byte characters, one byte off: the reason is
	 * cut somewhere, and --json must still say it. */
	{
		char party[1 + 2 * 120 + 1] = "a";

		for (int k = 0; k < 120; k++)
			memcpy(party + 1 + 2 * k, "\xd5\xa1", 3);
		line = hostile_line(party, 0);
	}
	path = put_file(f->dir, "hostile.jsonl", line, strlen(line));
	RUN_INERT(r, 1, NULL, "verify", path, "--json");
	{
		json_t *j = json_loads(r.out, 0, NULL);

		if (j == NULL || !json_is_string(json_object_get(j, "why")))
			fail_msg("no reason: %s", r.out);
		json_decref(j);
	}
	e2e_run_free(&r);
	free(path);
	free(line);
}

/*
 * Part B: what people met while trying, each said plainly.
 */

/* A claim of am-mfa as one JSON line, its statement st. */
#define CLAIM_JSON(st)                                                         \
	"{\"party\": \"am-mfa\", \"topics\": [\"lachin\"], \"statement\": "    \
	"\"" st "\"}"

/* Fails unless r's stderr holds want. */
static void
err_holds(struct e2e_run *r, const char *want)
{
	must_hold(r->err, want);
}

static void
test_text_json_nul_and_bom(void **state)
{
	struct e2e_fixture *f = *state;
	static const char bom[] = "\xef\xbb\xbf" CLAIM_JSON("with a BOM");
	static const char bom2[] = "\xef\xbb\xbf" CLAIM_JSON("BOM on stdin");
	struct e2e_run r;
	char *path;

	RUN_INERT(r, 2, CLAIM_JSON("a\\u0000b"), "submit", "-");
	err_holds(&r, "text holds a NUL character (\\u0000)");
	if (strstr(r.err, "JSON_ALLOW_NUL") != NULL)
		fail_msg("jansson's flag shown: %s", r.err);
	e2e_run_free(&r);
	/* A byte order mark, as Windows editors write: accepted. */
	path = put_file(f->dir, "bom.json", bom, sizeof(bom) - 1);
	RUN_INERT(r, 0, NULL, "submit", path);
	e2e_run_free(&r);
	/* Another claim: the same one again is a duplicate. */
	RUN_INERT(r, 0, bom2, "submit", "-");
	e2e_run_free(&r);
	free(path);
}

/* A copy of the key file at from with CRLF line ends, or without its
 * final newline; mode 0600. */
static char *
key_copy(const char *dir, const char *from, const char *name, bool crlf)
{
	size_t len, o = 0;
	char *text = tu_read_file(from, &len), *out = malloc(2 * len + 1);
	char *path;

	assert_non_null(out);
	for (size_t i = 0; i < len; i++) {
		if (crlf && text[i] == '\n')
			out[o++] = '\r';
		out[o++] = text[i];
	}
	if (!crlf && o > 0 && out[o - 1] == '\n')
		o--; /* no final newline */
	path = put_file(dir, name, out, o);
	assert_int_equal(chmod(path, 0600), 0);
	free(text);
	free(out);
	return path;
}

static void
test_text_key_file_as_editors_save_it(void **state)
{
	struct e2e_fixture *f = *state;
	char *nonl = key_copy(f->dir, f->desk_key, "nonl.key", false);
	char *crlf = key_copy(f->dir, f->desk_key, "crlf.key", true);
	struct e2e_run r;

	RUN_INERT(r, 0, CLAIM_JSON("key without its last newline"), "submit",
	    "-", "--key", nonl);
	e2e_run_free(&r);
	RUN_INERT(
	    r, 0, CLAIM_JSON("key with CRLF"), "submit", "-", "--key", crlf);
	e2e_run_free(&r);
	free(nonl);
	free(crlf);
}

static void
test_text_passphrase_file_readable_by_others(void **state)
{
	struct e2e_fixture *f = *state;
	char *pass = put_file(f->dir, "pass", "open sesame\n", 12), *sealed;
	struct e2e_run r;

	assert_true(asprintf(&sealed, "%s/sealed.key", f->dir) > 0);
	assert_int_equal(chmod(pass, 0644), 0);
	RUN_INERT(r, 2, NULL, "keygen", "--out", sealed, "--passphrase",
	    "--passphrase-file", pass);
	err_holds(&r, "can be read by others (mode 0644)");
	e2e_run_free(&r);
	assert_int_equal(access(sealed, F_OK), -1);
	assert_int_equal(chmod(pass, 0600), 0);
	RUN_INERT(r, 0, NULL, "keygen", "--out", sealed, "--passphrase",
	    "--passphrase-file", pass);
	e2e_run_free(&r);
	/* Loading the sealed key reads it the same way. */
	assert_int_equal(chmod(pass, 0640), 0);
	RUN_INERT(r, 2, CLAIM_JSON("sealed"), "submit", "-", "--key", sealed,
	    "--passphrase-file", pass);
	err_holds(&r, "passphrase file");
	err_holds(&r, "can be read by others (mode 0640)");
	e2e_run_free(&r);
	free(pass);
	free(sealed);
}

static void
test_text_usage_messages(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_run r;
	char *out, *text;

	RUN_INERT(r, 2, NULL, "export", "--from", "10", "--to", "5");
	err_holds(&r, "claim: --from 10 is after --to 5\n");
	e2e_run_free(&r);
	setenv("CLAIM_TIMEOUT", "x", 1);
	RUN_INERT(r, 2, NULL, "stats");
	setenv("CLAIM_TIMEOUT", E2E_TIMEOUT, 1);
	err_holds(&r, "CLAIM_TIMEOUT \"x\" is not 1 to 3600000 milliseconds");
	e2e_run_free(&r);
	RUN_INERT(r, 2, NULL, "stats", "--timeout", "y");
	err_holds(&r, "--timeout \"y\" is not");
	e2e_run_free(&r);
	/* A folder where a file belongs is a usage error. */
	RUN_INERT(r, 2, NULL, "verify", f->dir);
	err_holds(&r, "is a directory");
	e2e_run_free(&r);
	RUN_INERT(r, 2, NULL, "submit", f->dir);
	err_holds(&r, "is a directory");
	e2e_run_free(&r);
	/* Nothing to submit is said, and is not success. */
	RUN_INERT(r, 2, "", "submit", "-");
	err_holds(&r, "no claims in standard input");
	e2e_run_free(&r);
	RUN_INERT(r, 2, "[]", "submit", "-");
	err_holds(&r, "no claims in standard input");
	e2e_run_free(&r);
	out = put_file(f->dir, "empty.jsonl", "\n  \n", 4);
	RUN_INERT(r, 2, NULL, "submit", out);
	err_holds(&r, "no claims in ");
	e2e_run_free(&r);
	RUN_INERT(r, 2, NULL, "submit", "--records", out);
	err_holds(&r, "no claims in ");
	e2e_run_free(&r);
	free(out);
	/* export --out keeps an existing file unless --force. */
	out = put_file(f->dir, "kept.jsonl", "mine\n", 5);
	RUN_INERT(r, 2, NULL, "export", "--out", out);
	err_holds(&r, "(--force replaces it)");
	e2e_run_free(&r);
	text = tu_read_file(out, NULL);
	assert_string_equal(text, "mine\n");
	free(text);
	RUN_INERT(r, 0, NULL, "export", "--out", out, "--force");
	e2e_run_free(&r);
	text = tu_read_file(out, NULL);
	assert_non_null(strstr(text, "{\"index\":0,"));
	free(text);
	free(out);
	RUN_INERT(r, 0, NULL, "export", "--help");
	assert_non_null(strstr(r.out, "--force"));
	e2e_run_free(&r);
}

static void
test_text_derivation_from_names_the_bound(void **state)
{
	struct e2e_run r;

	(void)state;
	RUN_INERT(r, 4,
	    "{\"party\": \"am-mfa\", \"topics\": [\"lachin\"], \"statement\": "
	    "\"s\", \"sources\": [{\"publisher\": \"p\", \"title\": \"t\"}, "
	    "{\"publisher\": \"p\", \"title\": \"u\", \"derivation\": "
	    "{\"from\": 99, \"how\": \"quotes\"}}]}",
	    "submit", "-");
	err_holds(&r,
	    "sources[1].derivation.from: 99 names no source (2 "
	    "sources");
	e2e_run_free(&r);
	RUN_INERT(r, 4,
	    "{\"party\": \"am-mfa\", \"topics\": [\"lachin\"], \"statement\": "
	    "\"s\", \"sources\": [{\"publisher\": \"p\", \"title\": \"t\", "
	    "\"derivation\": {\"from\": 0, \"how\": \"quotes\"}}]}",
	    "submit", "-");
	err_holds(&r, "sources[0].derivation.from: 0 is this source itself");
	e2e_run_free(&r);
}

static void
test_text_diff_of_no_claims_is_not_found(void **state)
{
	struct e2e_fixture *f = *state;
	struct e2e_run r;
	char *html;

	assert_true(asprintf(&html, "%s/empty.html", f->dir) > 0);
	RUN_INERT(r, 1, NULL, "diff", "--topic", "nowhere", "--party", "am-mfa",
	    "--party", "az-mfa", "--html", html);
	err_holds(&r, "no topic \"nowhere\"; claimd has none");
	e2e_run_free(&r);
	assert_int_equal(access(html, F_OK), -1);
	RUN_INERT(r, 1, NULL, "diff", "--topic", "nowhere", "--party", "am-mfa",
	    "--party", "az-mfa");
	e2e_run_free(&r);
	/* With claims it is drawn as before. */
	RUN_INERT(r, 0, CLAIM_JSON("there"), "submit", "-");
	e2e_run_free(&r);
	RUN_INERT(r, 0, NULL, "diff", "--topic", "lachin", "--party", "am-mfa",
	    "--party", "az-mfa", "--html", html);
	e2e_run_free(&r);
	assert_int_equal(access(html, F_OK), 0);
	RUN_INERT(r, 2, NULL, "diff", "--topic", "lachin", "--party",
	    "am-mfa\n" FAKE, "--party", "az-mfa");
	err_holds(&r, "is not a slug");
	e2e_run_free(&r);
	free(html);
}

static void
test_text_claimd_endpoint_not_zeromq(void **state)
{
	struct e2e_fixture *f = *state;
	char cmd[2048], *log, *text;

	assert_true(asprintf(&log, "%s/endpoint.log", f->dir) > 0);
	snprintf(cmd, sizeof(cmd),
	    "%s --data %s/other --api foo://bar > /dev/null 2> %s", e2e_claimd,
	    f->dir, log);
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);
	text = tu_read_file(log, NULL);
	must_hold(text, "claimd: --api \"foo://bar\" is not a ZeroMQ endpoint");
	must_hold(text, "tcp://HOST:PORT or ipc://PATH");
	if (strstr(text, "CurveZMQ") != NULL)
		fail_msg("blamed on CurveZMQ: %s", text);
	free(text);
	snprintf(cmd, sizeof(cmd),
	    "%s --data %s/other --pub 'tcp://127.0.0.1' > /dev/null 2> %s",
	    e2e_claimd, f->dir, log);
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);
	text = tu_read_file(log, NULL);
	must_hold(text, "--pub \"tcp://127.0.0.1\" is not a ZeroMQ endpoint");
	free(text);
	free(log);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_text_refused_json_is_shown_escaped, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_text_refused_record_in_reply_and_log, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_text_hostile_export_to_verify_and_diff, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_text_json_nul_and_bom, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_text_key_file_as_editors_save_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_text_passphrase_file_readable_by_others, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_text_usage_messages, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_text_derivation_from_names_the_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_text_diff_of_no_claims_is_not_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_text_claimd_endpoint_not_zeromq, setup, teardown),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: test_text CLAIMD CLAIM\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
