/*
 * e2e: running the real claimd and claim binaries from cmocka tests.
 */
#ifndef CLAIMD_E2E_H
#define CLAIMD_E2E_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "testutil.h"

/* Paths to the binaries, from the command line. */
extern const char *e2e_claimd, *e2e_claim;

struct e2e_daemon {
	pid_t pid;
	char api[128];
	char feed[128];
	char data[512];
	char log[512]; /* its stderr */
};

/*
 * Starts claimd on data with admin_hex; api/feed NULL for free loopback
 * ports. Waits until it listens.
 */
void e2e_daemon_start(struct e2e_daemon *d, const char *data,
    const char *admin_hex, const char *api, const char *feed);
/* The same with more arguments for claimd (NULL-terminated; may be NULL). */
void e2e_daemon_start_args(struct e2e_daemon *d, const char *data,
    const char *admin_hex, const char *api, const char *feed,
    const char *const *extra);
/* CLAIM_TIMEOUT of the fixture's clients, in ms. */
#define E2E_TIMEOUT "20000"

/* Sends sig and waits; returns the exit status (or 128 + signal). */
int e2e_daemon_stop(struct e2e_daemon *d, int sig);
/*
 * Waits up to ms for text to appear in claimd's log, for what the daemon
 * does on its own time (a reload on SIGHUP); fails the test otherwise.
 */
void e2e_daemon_log_wait(const struct e2e_daemon *d, const char *text, int ms);

struct e2e_run {
	int status;
	char *out;
	char *err;
};

/*
 * Runs claim with args and stdin text (may be NULL). The macros end the
 * argument list with NULL.
 */
void e2e_claim_run_(struct e2e_run *r, const char *stdin_text, ...);
#define e2e_claim_run(r, in, ...) e2e_claim_run_(r, in, __VA_ARGS__, NULL)
void e2e_run_free(struct e2e_run *r);
/* Runs claim, requires exit 0, returns its stdout parsed as JSON. */
json_t *e2e_claim_json_(const char *stdin_text, ...);
#define e2e_claim_json(in, ...) e2e_claim_json_(in, __VA_ARGS__, NULL)
/* A number of claim stats --json from server (NULL: $CLAIM_SERVER). */
json_int_t e2e_stat(const char *server, const char *name);
/* Waits up to seconds for that number to become want, or fails. */
void e2e_wait_stat(
    const char *server, const char *name, json_int_t want, int seconds);

/* A claim process in the background, its stdout readable line by line. */
struct e2e_bg {
	pid_t pid;
	int out; /* read end of its stdout */
	char buf[1 << 16];
	size_t len;
};

void e2e_bg_start_(struct e2e_bg *b, ...);
#define e2e_bg_start(b, ...) e2e_bg_start_(b, __VA_ARGS__, NULL)
/* The same with its stderr written to the file errpath. */
void e2e_bg_start_err_(struct e2e_bg *b, const char *errpath, ...);
#define e2e_bg_start_err(b, errpath, ...)                                      \
	e2e_bg_start_err_(b, errpath, __VA_ARGS__, NULL)
/* The next line, waiting up to ms; NULL on timeout (caller frees). */
char *e2e_bg_line(struct e2e_bg *b, int ms);
/*
 * Reads watch --json lines until n entries, or a line takes longer than
 * timeout_ms: each index counted in seen[0..max). With hashes, each
 * entry's hash must be the one acknowledged for its index, if any.
 * Returns the entries read.
 */
int e2e_read_watch(
    struct e2e_bg *w, int *seen, int max, int n, char **hashes, int timeout_ms);
int e2e_bg_stop(struct e2e_bg *b, int sig);

/* Writes a new key pair to dir/name.key; returns the public key (hex). */
char *e2e_keygen(const char *dir, const char *name);

/* Reads the secret key of a key file claim keygen wrote. */
void e2e_key_load(const char *path, uint8_t sk[PROTO_SECKEY_LEN]);
/*
 * A line of an export holding rec at index, as claim export writes it,
 * newline included (caller frees): for records made by a test.
 */
char *e2e_export_line(uint64_t index, const struct proto_buf *rec);

/* Fails the test unless r exited with want, showing its output. */
void e2e_must(struct e2e_run *r, int want, const char *what);

/* Runs claim and requires exit status want. */
#define E2E_CLAIM(want, in, ...)                                               \
	do {                                                                   \
		struct e2e_run r_;                                             \
		e2e_claim_run(&r_, in, __VA_ARGS__);                           \
		e2e_must(&r_, want, #__VA_ARGS__);                             \
		e2e_run_free(&r_);                                             \
	} while (0)

/*
 * The usual scene: a temporary folder with admin, desk and other keys,
 * claimd on free loopback ports, the parties added and the desk granted
 * for each, CLAIM_KEY set to the desk's key.
 */
struct e2e_fixture {
	char *dir;
	char data[512];
	char admin_key[600], desk_key[600], other_key[600];
	char *admin_pub, *desk_pub, *other_pub;
	struct e2e_daemon d;
};

/* parties: NULL-terminated. */
struct e2e_fixture *e2e_fixture_new(const char *const *parties);
void e2e_fixture_free(struct e2e_fixture *f);

#endif
