/*
 * cli.h: what the claim command's files share.
 *
 * Adding a verb:
 *   1. client/cmd_<verb>.c exporting int cmd_<verb>(struct cli *, int,
 *      char **) and, beside its option table, const struct cmd_text
 *      cmd_<verb>_usage (both declared below), with getopt_long()'s '?'
 *      answered with cli_bad_option();
 *   2. a line in the sorted verb table in client/main.c;
 *   3. the file in client/CMakeLists.txt;
 *   4. an end-to-end test in tests/ (test_e2e.c, or the suite of its
 *      subject), and the verb in test_e2e.c's list of verbs;
 *   5. the verb in README.md's list of commands, and what --help cannot
 *      hold in the docs/ file of its subject (docs/protocol.md,
 *      docs/narratives.md, docs/operations.md);
 *   6. the verb and its options in dist/claim.1 (COMMANDS) and
 *      dist/claim.bash (_claim_verbs, _claim_verb_options): the test
 *      install reads claim --help and names what they miss.
 */
#ifndef CLAIMD_CLI_H
#define CLAIMD_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "claim.h"
#include "proto.h"

/* Exit status (README.md, and every verb's --help). */
enum {
	EX_DONE = 0,
	EX_NOTFOUND = 1, /* not found, or verification failed */
	EX_USAGE = 2,
	EX_UNREACHABLE = 3,
	EX_REFUSED = 4 /* unauthorized, conflict, invalid */
};

struct cli {
	const char *server;     /* --server, CLAIM_SERVER */
	const char *keyfile;    /* --key, CLAIM_KEY */
	const char *feed;       /* --feed, CLAIM_FEED */
	const char *passfile;   /* --passphrase-file, CLAIM_PASSPHRASE_FILE */
	const char *server_key; /* --server-key, CLAIM_SERVER_KEY (Z85) */
	const char *curve_key;  /* --curve-key, CLAIM_CURVE_KEY (file) */
	bool json;              /* --json */
	int timeout;            /* --timeout ms, CLAIM_TIMEOUT */
	struct claim_client *client;
	uint8_t *sk; /* sodium_malloc'd secret key, once loaded */
};

/*
 * A verb's usage, kept in its cmd_<verb>.c beside its option table (as
 * git's builtins keep builtin_<verb>_usage): claim VERB --help prints it
 * all, claim --help the usage line, and cli_bad_option() finds the
 * verb's options in it.
 */
struct cmd_text {
	const char *usage;   /* "show ID [--version N]" */
	const char *summary; /* one line */
	const char *help;    /* the options, one per line */
};

struct cmd {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const struct cmd_text *text;
};

/*
 * cli.c
 *
 * Every diagnostic goes to stderr through cli_warn(), cli_fail(),
 * cli_fail_err() or cli_usage_error(): "claim: MESSAGE" on one line, the
 * message passed through proto_str_safe() whole, so that what it quotes (input,
 * an export, claimd's reply) can neither end the line nor drive a terminal.
 * Never fprintf(stderr) a message that quotes anything.
 */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cli_warn(), then returns code. */
int cli_fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same for a proto_err: its name under --json, cli_exit_for()'s status. */
int cli_fail_err(int err, bool write, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * With on (--json, set once by main after the common options), every
 * diagnostic is one JSON object on a line of stderr: {"error": NAME,
 * "message": TEXT} for a failure, NAME a proto_errname() or usage,
 * unreachable, refused or failed (exit 1); {"warning": TEXT} otherwise.
 * cli_usage_error() then leaves out the usage line.
 */
void cli_json_diagnostics(bool on);
/* cli_warn(), then the verb's usage line; returns EX_USAGE. */
int cli_usage_error(const struct cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * For a verb's getopt_long() error ('?': claim's main sets opterr to 0):
 * one line naming the option, what is wrong with it and the nearest
 * option the verb has ("unknown option --jsno; did you mean --json?"),
 * no usage dump; returns EX_USAGE. argv is the verb's.
 */
int cli_bad_option(const struct cmd *c, char **argv);
/* The nearest of n words to w by edit distance; NULL if none is near. */
const char *cli_nearest(const char *w, const char *const *words, size_t n);
void cli_help(const struct cmd *c, FILE *f);
/* Exit status for a proto_err; write says whether a record was refused. */
int cli_exit_for(int err, bool write);
/* Opens the connection once; an exit status on failure. */
int cli_connect(struct cli *cli);
/* Loads --key once into cli->sk; an exit status on failure. */
int cli_load_key(struct cli *cli);
/*
 * A passphrase (sodium_malloc'd, NUL-terminated; sodium_free it) from
 * --passphrase-file, or asked on the terminal (twice when confirm). NULL
 * with a message printed when there is neither.
 */
char *cli_passphrase(struct cli *cli, const char *what, bool confirm);
/*
 * The whole of FILE, or of standard input for "-"; NUL-terminated, a
 * UTF-8 byte order mark at its start left out. NULL with err set when
 * it cannot be read (a directory included).
 */
char *cli_read_input(const char *path, size_t *len, char *err, size_t errlen);
/* True when f is open on a directory (fopen opens one for reading). */
bool cli_is_dir(FILE *f);
/* Opens a file to read from ("-": standard input) into *out, or says why
 * not (EX_USAGE: missing, unreadable, a directory). */
int cli_open_input(const char *path, FILE **out);
/* Closes what cli_open_input() opened (standard input stays open). */
void cli_close_input(FILE *f);
/* What is wrong with JSON jansson refused, said for people. */
const char *cli_json_why(const json_error_t *e);
/* The noun for a count: one when n is 1, else many ("1 entry"). */
static inline const char *
cli_noun(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}
/*
 * A source-independence figure for people, into out: "cites 3 sources, 2
 * independent"; when the primary sources outnumber the sources cited (a
 * cited summary resting on several), "cites 1 source, resting on 3
 * independent primary sources", never "1 source, 3 independent".
 */
#define CLI_CITES_MAX 96
const char *cli_cites(
    long long cited, long long n_primary, char out[CLI_CITES_MAX]);
/* Parses an unsigned number; false if it is not one. */
bool cli_parse_u64(const char *s, uint64_t *out);
/* Prints a JSON value on one line and flushes it, then frees it. */
/* s as HTML text or attribute value (& < > " ' escaped); NULL: nothing. */
void cli_html_esc(FILE *f, const char *s);
void cli_print_json(json_t *j);
/* The same, left in stdout's buffer. */
void cli_put_json(json_t *j);
/* The show --json object of an entry (claim id from e). */
json_t *cli_entry_json(const struct claim_entry *e);
/* A claim in full, for people. */
void cli_print_entry(
    const struct claim_entry *e, const struct claim_info *info);
/*
 * How wide a line of output may be, in columns: $COLUMNS when it is set
 * to a number (as for ls: it wins, piped or not), else the terminal's
 * width when stdout is one (80 if the terminal does not say), else 0:
 * output to a pipe or a file is not cut, so that grep and scripts see
 * whole statements.
 */
size_t cli_columns(void);
/* The least room a statement is given, however narrow the line. */
#define CLI_ROOM_MIN 20
/* Columns left on the line after used ones (0: no limit). */
size_t cli_room(size_t used);
/*
 * The first line of s in at most cols columns, counted as code points
 * (roughly: a wide character counts one): if it is longer, or s has more
 * lines, cut on a character boundary and ended with "...". cols 0: the
 * first line whole (with "..." if more lines follow).
 */
void cli_print_cut(FILE *f, const char *s, size_t cols);
/* An owner record's list: "publishers A, B" or "withdrawn: no
 * publishers"; malloc'd, NULL when out of memory. */
char *cli_owner_text(const struct proto_registry *r);
/* A review's rating for people: "False" (1, worst 1, best 5). */
char *cli_rating_str(const struct proto_rating *g, char *out, size_t outlen);
/* "1a2b3c4d5e6f" : the first 12 hex digits. */
const char *cli_short(const uint8_t *hash, char out[13]);
/*
 * A typed request through claim_call(), connecting first: EX_DONE with
 * the reply decoded into rep (op's reply struct; its bytes and rows live
 * in r: release it), or the failure said and its exit status.
 */
int cli_request(
    struct cli *cli, int op, const void *q, void *rep, struct claim_reply *r);
/* Submits a signed record and waits; an exit status, the ack in *ack. */
int cli_submit_one(
    struct cli *cli, const struct proto_buf *rec, struct claim_ack *ack);
/*
 * Prints an acknowledgement, unflushed: stdout is flushed before waiting.
 * warning (NULL: none) is a name such as "no-sources", shown only with
 * --json, as "warning": diagnostics without it went to stderr already.
 */
void cli_print_ack(const struct cli *cli, const struct claim_ack *a, long line,
    const char *ref, const char *warning);
/* Signs a payload with cli->sk into out; an exit status. */
int cli_sign(struct cli *cli, struct proto_payload *p, struct proto_buf *out);

/*
 * cbor_json.c: a reply's CBOR as JSON: maps of text keys become objects,
 * byte strings hex (base64 under the key "proof"); NULL when a map key
 * is not text or memory runs out.
 */
json_t *cli_cbor_to_json(const uint8_t *p, size_t n);

/* narrative_out.c: a narrative diff for a terminal, or as HTML. */
void narrative_print(json_t *n);
int narrative_html(json_t *n, FILE *f);

/*
 * batch.c: pipelined submission of claims, revisions, retractions and
 * reinstatements.
 */
struct batch;
/* signing: the batch signs (loads --key); false for pre-signed records. */
int batch_begin(
    struct batch **out, struct cli *cli, size_t window, bool signing);
/* A document quotes are checked against (--attach); an exit status. */
int batch_attach(struct batch *b, const char *path);
/* Request flags for every submission (PROTO_SUBMIT_ALLOW_DUPLICATE). */
void batch_set_flags(struct batch *b, uint16_t flags);
/*
 * Each input line goes to exactly one of these, which reports it (sent
 * and answered later, or at once when it cannot be sent). An exit status
 * other than EX_DONE means the batch stops: give every later line to
 * batch_skip(), which reports it as not sent.
 */
int batch_add(struct batch *b, json_t *op, long line);
int batch_add_record(
    struct batch *b, const uint8_t *rec, size_t len, long line);
void batch_skip(struct batch *b, long line);
/* A line that could not be read, reported as refused; EX_USAGE. */
int batch_bad_line(struct batch *b, long line, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Waits for every answer, reports, frees b; the exit status. */
int batch_end(struct batch *b, int rc);

/*
 * interop_out.c: the log from claimd (path NULL) or from the export at
 * path ("-": standard input) as schema.org ClaimReview JSON-LD, one
 * review a line, or as one PROV-JSON document (docs/interop.md); an exit
 * status.
 */
int interop_claimreview(struct cli *cli, const char *path, FILE *out);
int interop_prov(struct cli *cli, const char *path, FILE *out);

/* names.c */
/* The PARTIES reply as JSON in *out (caller json_decref()s); exit status. */
int cli_parties_fetch(struct cli *cli, json_t **out);
/* Of names, the one fewest edits from name (NULL when n is 0). */
const char *cli_closest(const char *name, const char *const *names, size_t n);
/* Edit distance (optimal string alignment; neighbours swapped cost one)
 * of a and b, each cut at 64 bytes; cli_closest and cli_nearest use it. */
size_t cli_distance(const char *a, const char *b);
/*
 * EX_DONE when name is the first member of one of list's arrays (a
 * PARTIES or TOPICS reply's list); otherwise "no WHAT "NAME"; did you
 * mean "LIKELY"?" and EX_NOTFOUND: LIKELY begins with NAME, else holds
 * it, else is the fewest edits from it.
 */
int cli_name_known(json_t *list, const char *what, const char *name);
/*
 * Each of parties and topics checked as cli_name_known() does; with
 * !fatal (watch: a monitor may wait for a party or topic still to come)
 * an unknown one is a warning and EX_DONE.
 */
int cli_names_known(struct cli *cli, const char *const *parties, size_t np,
    const char *const *topics, size_t nt, bool fatal);
/*
 * EX_DONE when claimd holds party slug; otherwise says so, naming the
 * closest party it holds, and returns EX_NOTFOUND (or another failure).
 */
int cli_party_known(struct cli *cli, const char *slug);
/* The TOPICS reply as JSON in *out (caller json_decref()s); exit status. */
int cli_topics_fetch(struct cli *cli, json_t **out);
/* As cli_party_known(), for a topic any claim was ever tagged with. */
int cli_topic_known(struct cli *cli, const char *topic);

/* The verbs, each with its usage (struct cmd_text). */
int cmd_audit(struct cli *, int, char **);
extern const struct cmd_text cmd_audit_usage;
int cmd_checkpoint(struct cli *, int, char **);
extern const struct cmd_text cmd_checkpoint_usage;
int cmd_diff(struct cli *, int, char **);
extern const struct cmd_text cmd_diff_usage;
int cmd_export(struct cli *, int, char **);
extern const struct cmd_text cmd_export_usage;
int cmd_grant(struct cli *, int, char **);
extern const struct cmd_text cmd_grant_usage;
int cmd_grants(struct cli *, int, char **);
extern const struct cmd_text cmd_grants_usage;
int cmd_history(struct cli *, int, char **);
extern const struct cmd_text cmd_history_usage;
int cmd_import(struct cli *, int, char **);
extern const struct cmd_text cmd_import_usage;
/* The party slug import makes of a name (docs/interop.md, Parties). */
void import_slug(const char *name, char out[PROTO_SLUG_MAX + 1]);
int cmd_independence(struct cli *, int, char **);
extern const struct cmd_text cmd_independence_usage;
int cmd_keygen(struct cli *, int, char **);
extern const struct cmd_text cmd_keygen_usage;
int cmd_list(struct cli *, int, char **);
extern const struct cmd_text cmd_list_usage;
int cmd_log(struct cli *, int, char **);
extern const struct cmd_text cmd_log_usage;
int cmd_log_key(struct cli *, int, char **);
extern const struct cmd_text cmd_log_key_usage;
/*
 * The source graph of the whole log (sources.c): every claim and owner
 * record of claimd's log, or of the export at export ("-": standard
 * input), the graph over the claims with the owners plugged in. On
 * failure it has said why; cli_graph_free() frees what is held either
 * way.
 */
struct cli_graph {
	struct claim_log *log;
	const struct claim_entry *e; /* claims (every version), owners */
	size_t n;
	struct claim_sources *g;
	struct claim_owners *owners;
};
int cli_graph_load(struct cli *cli, const char *export, struct cli_graph *h);
void cli_graph_free(struct cli_graph *h);

int cmd_owner(struct cli *, int, char **);
extern const struct cmd_text cmd_owner_usage;
int cmd_parties(struct cli *, int, char **);
extern const struct cmd_text cmd_parties_usage;
int cmd_party(struct cli *, int, char **);
extern const struct cmd_text cmd_party_usage;
int cmd_prove(struct cli *, int, char **);
extern const struct cmd_text cmd_prove_usage;
int cmd_publish(struct cli *, int, char **);
extern const struct cmd_text cmd_publish_usage;
int cmd_quote_check(struct cli *, int, char **);
extern const struct cmd_text cmd_quote_check_usage;
int cmd_reinstate(struct cli *, int, char **);
extern const struct cmd_text cmd_reinstate_usage;
int cmd_retract(struct cli *, int, char **);
extern const struct cmd_text cmd_retract_usage;
int cmd_revise(struct cli *, int, char **);
extern const struct cmd_text cmd_revise_usage;
int cmd_revoke(struct cli *, int, char **);
extern const struct cmd_text cmd_revoke_usage;
int cmd_show(struct cli *, int, char **);
extern const struct cmd_text cmd_show_usage;
int cmd_stats(struct cli *, int, char **);
extern const struct cmd_text cmd_stats_usage;
int cmd_submit(struct cli *, int, char **);
extern const struct cmd_text cmd_submit_usage;
int cmd_topics(struct cli *, int, char **);
extern const struct cmd_text cmd_topics_usage;
int cmd_trace(struct cli *, int, char **);
extern const struct cmd_text cmd_trace_usage;
int cmd_verify(struct cli *, int, char **);
extern const struct cmd_text cmd_verify_usage;
/* verify_tiles.c: claim verify --tiles; an exit status. */
int verify_tiles(struct cli *cli, const char *where, const char *vkey,
    const uint8_t *admin, int threads);
int cmd_verify_proof(struct cli *, int, char **);
extern const struct cmd_text cmd_verify_proof_usage;
int cmd_watch(struct cli *, int, char **);
extern const struct cmd_text cmd_watch_usage;

/* main.c */
const struct cmd *cli_cmd(const char *name);

#endif /* CLAIMD_CLI_H */
