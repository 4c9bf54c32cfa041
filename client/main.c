/*
 * main.c: the claim command: common options, the verb table, dispatch.
 *
 * --server, --key, --feed, --timeout and --json are accepted before or
 * after the verb; everything else belongs to the verb.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"

#define VERSION "0.1.0"

/* Sorted by name; each verb's usage is in its own file (struct cmd_text). */
static const struct cmd cmds[] = {
    {"audit", cmd_audit, &cmd_audit_usage},
    {"checkpoint", cmd_checkpoint, &cmd_checkpoint_usage},
    {"diff", cmd_diff, &cmd_diff_usage},
    {"export", cmd_export, &cmd_export_usage},
    {"grant", cmd_grant, &cmd_grant_usage},
    {"grants", cmd_grants, &cmd_grants_usage},
    {"history", cmd_history, &cmd_history_usage},
    {"import", cmd_import, &cmd_import_usage},
    {"independence", cmd_independence, &cmd_independence_usage},
    {"keygen", cmd_keygen, &cmd_keygen_usage},
    {"list", cmd_list, &cmd_list_usage},
    {"log", cmd_log, &cmd_log_usage},
    {"log-key", cmd_log_key, &cmd_log_key_usage},
    {"owner", cmd_owner, &cmd_owner_usage},
    {"parties", cmd_parties, &cmd_parties_usage},
    {"party", cmd_party, &cmd_party_usage},
    {"prove", cmd_prove, &cmd_prove_usage},
    {"publish", cmd_publish, &cmd_publish_usage},
    {"quote-check", cmd_quote_check, &cmd_quote_check_usage},
    {"reinstate", cmd_reinstate, &cmd_reinstate_usage},
    {"retract", cmd_retract, &cmd_retract_usage},
    {"revise", cmd_revise, &cmd_revise_usage},
    {"revoke", cmd_revoke, &cmd_revoke_usage},
    {"show", cmd_show, &cmd_show_usage},
    {"stats", cmd_stats, &cmd_stats_usage},
    {"submit", cmd_submit, &cmd_submit_usage},
    {"topics", cmd_topics, &cmd_topics_usage},
    {"trace", cmd_trace, &cmd_trace_usage},
    {"verify", cmd_verify, &cmd_verify_usage},
    {"verify-proof", cmd_verify_proof, &cmd_verify_proof_usage},
    {"watch", cmd_watch, &cmd_watch_usage},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

const struct cmd *
cli_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static void
usage(FILE *f)
{
	/* One line a verb, cut to the terminal (80 columns elsewhere). */
	size_t cols = cli_columns() ? cli_columns() : 80;

	fprintf(f,
	    "usage: claim [--server EP] [--key FILE] [--json] VERB "
	    "[ARGS]\n\n"
	    "Submit, read, follow and check claims kept by claimd. The verbs\n"
	    "('claim VERB --help' gives a verb's arguments and options):\n\n");
	for (size_t i = 0; i < NCMDS; i++) {
		fprintf(f, "  %-13s ", cmds[i].name);
		cli_print_cut(
		    f, cmds[i].text->summary, cols > 36 ? cols - 16 : 20);
		fputc('\n', f);
	}
	fprintf(f,
	    "\nCommon options (before or after the verb):\n"
	    "  --server EP   claimd's request socket (CLAIM_SERVER; default "
	    "%s);\n"
	    "                a list EP,EP...: reads and watches go on at the "
	    "next one\n"
	    "                when one is unreachable, submissions go to the "
	    "first\n"
	    "  --key FILE    secret key for signing (CLAIM_KEY)\n"
	    "  --passphrase-file FILE  the key's passphrase, if it has one\n"
	    "                (CLAIM_PASSPHRASE_FILE; default: ask on the "
	    "terminal)\n"
	    "  --feed EP     claimd's feed socket (CLAIM_FEED; default: ask "
	    "claimd)\n"
	    "  --server-key KEY  claimd's CurveZMQ public key (CLAIM_SERVER_KEY)\n"
	    "  --curve-key FILE  this client's CurveZMQ keys (CLAIM_CURVE_KEY)\n"
	    "  --timeout MS  how long to wait for claimd (CLAIM_TIMEOUT; "
	    "default %d)\n"
	    "  --json        machine output: JSON, one object a line; on "
	    "stderr,\n"
	    "                {\"error\", \"message\"} for a failure\n"
	    "\n'claim VERB --help' explains a verb. Exit status: 0 done, 1 not "
	    "found or\nverification failed, 2 usage, 3 claimd unreachable, 4 "
	    "refused by claimd.\n",
	    CLAIM_DEFAULT_SERVER, CLAIM_DEFAULT_TIMEOUT);
}

/*
 * Neither a verb nor a common option: one line with the nearest of those,
 * and where to look, not the whole usage.
 */
static int
unknown(const char *w)
{
	static const char *const options[] = {"--server", "--key", "--feed",
	    "--passphrase-file", "--server-key", "--curve-key", "--timeout",
	    "--json", "--help", "--version"};
	const char *verbs[NCMDS + 1], *near;

	if (w[0] == '-') {
		size_t len = strcspn(w, "=");
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)len, w);
		near = cli_nearest(
		    name, options, sizeof(options) / sizeof(options[0]));
		if (near != NULL)
			return cli_fail(EX_USAGE,
			    "unknown option %s; did you mean %s? See claim "
			    "--help",
			    name, near);
		return cli_fail(
		    EX_USAGE, "unknown option %s; see claim --help", name);
	}
	for (size_t i = 0; i < NCMDS; i++)
		verbs[i] = cmds[i].name;
	verbs[NCMDS] = "help";
	if ((near = cli_nearest(w, verbs, NCMDS + 1)) != NULL)
		return cli_fail(EX_USAGE,
		    "unknown verb \"%s\"; did you mean \"%s\"? See claim "
		    "--help",
		    w, near);
	return cli_fail(EX_USAGE, "unknown verb \"%s\"; see claim --help", w);
}

#define NVALUED 7 /* options of common_options() that take a value */

/* Takes the common options out of argv, leaving the verb and its own. */
static int
common_options(struct cli *cli, int *argc, char **argv)
{
	static const char *const valued[] = {"--server", "--key", "--feed",
	    "--passphrase-file", "--server-key", "--curve-key", "--timeout"};
	const char **slots[] = {&cli->server, &cli->keyfile, &cli->feed,
	    &cli->passfile, &cli->server_key, &cli->curve_key, NULL};
	const char *timeout = getenv("CLAIM_TIMEOUT"), *from = "CLAIM_TIMEOUT";
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i], *val = NULL;
		size_t k;

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--json") == 0) {
			cli->json = true;
			continue;
		}
		for (k = 0; k < NVALUED; k++) {
			size_t n = strlen(valued[k]);

			if (strncmp(a, valued[k], n) != 0)
				continue;
			if (a[n] == '=') {
				val = a + n + 1;
				break;
			}
			if (a[n] == '\0') {
				if (i + 1 >= *argc) {
					return cli_fail(EX_USAGE,
					    "%s needs a value", valued[k]);
				}
				val = argv[++i];
				break;
			}
		}
		if (k == NVALUED) {
			argv[out++] = argv[i];
			continue;
		}
		if (k == NVALUED - 1) {
			timeout = val;
			from = "--timeout";
		} else
			*slots[k] = val;
	}
	argv[out] = NULL;
	*argc = out;
	if (timeout != NULL) {
		uint64_t ms;

		if (!cli_parse_u64(timeout, &ms) || ms == 0 || ms > 3600000)
			return cli_fail(EX_USAGE,
			    "%s \"%s\" is not 1 to 3600000 milliseconds", from,
			    timeout);
		cli->timeout = (int)ms;
	}
	return EX_DONE;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	const struct cmd *c;
	int rc;

	memset(&cli, 0, sizeof(cli));
	cli.server = getenv("CLAIM_SERVER");
	cli.keyfile = getenv("CLAIM_KEY");
	cli.feed = getenv("CLAIM_FEED");
	cli.passfile = getenv("CLAIM_PASSPHRASE_FILE");
	cli.server_key = getenv("CLAIM_SERVER_KEY");
	cli.curve_key = getenv("CLAIM_CURVE_KEY");
	cli.timeout = CLAIM_DEFAULT_TIMEOUT;
	if (cli.server == NULL || cli.server[0] == '\0')
		cli.server = CLAIM_DEFAULT_SERVER;
	/* Diagnostics as JSON from the first, common_options()'s too. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			cli_json_diagnostics(true);
	if ((rc = common_options(&cli, &argc, argv)) != EX_DONE)
		return rc;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (c = cli_cmd(argv[2])) != NULL) {
			cli_help(c, stdout);
			return EX_DONE;
		}
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE : EX_DONE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("claim %s\n", VERSION);
		return EX_DONE;
	}
	if ((c = cli_cmd(argv[1])) == NULL)
		return unknown(argv[1]);
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cli_help(c, stdout);
			return EX_DONE;
		}
	if (sodium_init() < 0)
		return cli_fail(EX_USAGE, "libsodium cannot start");
	/* A verb's bad option is reported by cli_bad_option(), not getopt. */
	opterr = 0;
	rc = c->fn(&cli, argc - 1, argv + 1);
	claim_client_close(cli.client);
	if (cli.sk != NULL)
		sodium_free(cli.sk);
	return rc;
}
