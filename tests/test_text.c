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
	must_hold(r.err, "line 2: party \"az\\n2026-01-01T00:00:00Z");
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
}

/*
 * Part B: what people met while trying, each said plainly.
 */

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
