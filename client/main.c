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

/* Sorted by name. */
static const struct cmd cmds[] = {
    {"audit", cmd_audit, "audit --state FILE [--log-key KEY]",
	"Check the newest signed checkpoint against the last one seen (kept "
	"in FILE) with a consistency proof; a rewritten log is exit 1",
	"  --state FILE   where the last checkpoint seen is kept (created)\n"
	"  --log-key KEY  the log's verifier key (default: as in FILE, or on "
	"first\n                 use the one claimd names)\n"},
    {"checkpoint", cmd_checkpoint, "checkpoint [--log-key KEY]",
	"The log's current signed checkpoint (C2SP tlog-checkpoint)",
	"  --log-key KEY  check it with this verifier key\n"},
    {"diff", cmd_diff,
	"diff ID --from N [--to M] [--export FILE] | diff --topic T --party A "
	"--party B ... [--html FILE] [--export FILE]",
	"What changed between two versions of a claim (word by word); or "
	"the narratives of parties on a topic side by side: disputes, "
	"support, what only one says, shared sources, a timeline",
	"  --from N       the older version\n"
	"  --to M         the newer version (default: the newest)\n"
	"  --topic T      the topic of the narratives\n"
	"  --party P      a party, two or more times\n"
	"  --html FILE    also write a page with the parties in columns\n"
	"                 (none of the parties has a claim on T: exit 1,\n"
	"                 no page)\n"
	"  --export FILE  work on an export (claim export; - for standard\n"
	"                 input) instead of asking claimd: each record's\n"
	"                 hash and signature are checked, the log as a\n"
	"                 whole is claim verify's\n"},
    {"export", cmd_export, "export [--out FILE [--force]] [--from I] [--to J]",
	"Write the log as JSON Lines: {\"index\", \"hash\", \"record\"} "
	"per entry, in log order",
	"  --out FILE  write to FILE instead of standard output\n"
	"  --force     replace FILE if it exists\n"
	"  --from I    first index (default 0)\n"
	"  --to J      stop before index J (default: the log's size)\n"},
    {"grant", cmd_grant, "grant PUBHEX --party SLUG",
	"Let a key submit claims for a party (signed with the admin key)",
	"  --party SLUG  the party\n"},
    {"grants", cmd_grants, "grants [--party P]",
	"The keys granted to parties: key (hex), party",
	"  --party P  only the keys of party P (unknown: exit 1)\n"},
    {"history", cmd_history, "history ID",
	"Every version of a claim, oldest first", ""},
    {"independence", cmd_independence, cmd_independence_usage,
	cmd_independence_summary, cmd_independence_help},
    {"keygen", cmd_keygen,
	"keygen --out FILE [--passphrase] [--force] | keygen --curve --out FILE",
	"Make a key pair: the secret key goes to FILE (mode 0600), the "
	"public key is printed in hex",
	"  --out FILE    where to write the secret key\n"
	"  --passphrase  seal it with a passphrase (Argon2id), asked on the\n"
	"                terminal or read from --passphrase-file\n"
	"  --force       replace FILE if it exists\n"
	"  --curve       a CurveZMQ transport key pair instead (for claimd's\n"
	"                --curve-key and --allow, and claim's --curve-key);\n"
	"                prints the public key in Z85\n"},
    {"list", cmd_list, "list [--party P] [--topic T]",
	"Claims in order of creation, newest version of each",
	"  --party P   only claims of party P\n"
	"  --topic T   only claims whose newest version has topic T\n"},
    {"log-key", cmd_log_key, "log-key",
	"The log's verifier key: origin+keyid+base64 key", ""},
    {"parties", cmd_parties, "parties",
	"The parties claimd holds: slug and full name", ""},
    {"party", cmd_party, "party add SLUG --name TEXT",
	"Add a party (signed with the admin key)",
	"  --name TEXT  the party's full name\n"},
    {"prove", cmd_prove,
	"prove inclusion ID|HASH [--size N | --out FILE] | prove consistency "
	"--from M --to N | prove consistency --from M|--old-checkpoint FILE "
	"--out FILE",
	"Merkle proofs as JSON, checked here before they are printed; with "
	"--out, a proof bundle that claim verify-proof checks offline",
	"  --size N       prove inclusion in the tree of N entries (default:\n"
	"                 the current signed checkpoint, checked too)\n"
	"  --log-key KEY  check that checkpoint with this key\n"
	"  --from M --to N  the sizes a consistency proof joins\n"
	"  --out FILE     write a proof bundle to FILE (- for standard "
	"output):\n"
	"                 the proof against claimd's newest signed "
	"checkpoint,\n"
	"                 that checkpoint, and the record (inclusion) or "
	"the\n"
	"                 old tree's size and root (consistency)\n"
	"  --force        replace FILE if it exists\n"
	"  --old-checkpoint FILE  with consistency --out, instead of --from:\n"
	"                 a signed checkpoint (claim checkpoint) or the state\n"
	"                 file of claim audit; the bundle proves the newest\n"
	"                 extends it and carries it\n"},
    {"quote-check", cmd_quote_check, "quote-check DOC --quote TEXT",
	"A document's SHA-256, and whether (and where) a quote is in it, "
	"tolerant of white space and typographic quote marks",
	"  --quote TEXT  the quoted span\n"},
    {"reinstate", cmd_reinstate, "reinstate ID --note TEXT",
	"Make a retracted claim live again: a new version with status "
	"asserted, saying what the claim said, marked as a reinstatement",
	"  --note TEXT  why the claim stands after all (required)\n"
	"A claim that is live is refused (exit 4): there is nothing to "
	"reinstate.\n"},
    {"retract", cmd_retract, "retract ID --reason TEXT",
	"Retract a claim: a new version with status retracted",
	"  --reason TEXT  why (required)\n"
	"A claim already retracted is refused (exit 4): its reason stands;\n"
	"claim reinstate makes it live again.\n"},
    {"revise", cmd_revise, "revise ID FILE|- [--note TEXT] [--attach DOC]",
	"A new version of a claim from JSON (the whole claim as it should "
	"now read)",
	"  --note TEXT   what changed and why (required, here or as \"note\" "
	"in\n                the JSON)\n"
	"  --attach DOC  check quotes against DOC, as submit does\n"
	"Refused (exit 4): a revision without a note, one that says what the\n"
	"claim says now (statement, topics, date made, sources and relations\n"
	"all unchanged), and one of a retracted claim: use claim reinstate.\n"
	"A revision without sources is stored with a warning on stderr.\n"},
    {"revoke", cmd_revoke, "revoke PUBHEX --party SLUG",
	"Withdraw a key's grant for a party (signed with the admin key)",
	"  --party SLUG  the party\n"},
    {"show", cmd_show, "show ID [--version N]",
	"A claim (or any record) in full; signatures are checked here",
	"  --version N  that version instead of the newest\n"},
    {"stats", cmd_stats, "stats",
	"The log's size, counts, subscribers, uptime and throughput", ""},
    {"submit", cmd_submit,
	"submit FILE|- [--window N] [--attach DOC] [--records] "
	"[--allow-duplicate]",
	"Submit new claims from JSON, a JSON array or JSON Lines; one "
	"acknowledgement per claim as it is committed",
	"  --window N  submissions in flight at once (default 256)\n"
	"  --records   FILE is an export: submit its signed records as "
	"they are\n"
	"              (duplicates the exported log holds included)\n"
	"  --attach DOC  check quotes against DOC (repeatable): a quote must "
	"be\n              in the document its sha256 names, and a source "
	"without\n              sha256 gets the hash of the document its "
	"quote is in\n"
	"  --allow-duplicate  store a new claim even if a live claim of the "
	"party\n              has the same statement, topics and date "
	"made\n"
	"JSON Lines may also hold {\"ref\": \"label\", ...} to name a claim "
	"for later\nlines (\"@label\" in relations), {\"revises\": ID|@label, "
	"\"note\": TEXT, ...claim},\n{\"retracts\": ID|@label, \"reason\": "
	"TEXT} and {\"reinstates\": ID|@label,\n\"note\": TEXT}, refused as "
	"claim revise, retract and reinstate say.\n"
	"A claim without sources is stored, with a warning on stderr: \"line "
	"N:\nclaim has no sources\" (with --json, \"warning\": \"no-sources\" in "
	"its\nacknowledgement).\n"
	"A UTF-8 byte order mark at the start is ignored; input that holds no\n"
	"claim at all is a usage error (exit 2).\n"
	"Every line is reported once: stored (an acknowledgement on stdout),\n"
	"or on stderr exists (already in the log: claimd refuses a new claim\n"
	"identical to a live one and names it), refused (with the reason),\n"
	"unconfirmed (sent, no answer: perhaps stored) or not stored (not\n"
	"sent, or claimd was shutting down); then a summary of the counts.\n"
	"With --json, stderr has one JSON object for each of those lines,\n"
	"{\"line\", \"status\", ...}, and the summary as one too. Running a\n"
	"file again after an unfinished run stores only what is missing.\n"
	"Exit 3 if a line is unconfirmed or not stored, else 4 if one is\n"
	"refused or a duplicate.\n"
	"Ctrl-C (or SIGTERM) stops sending; the submissions in flight are\n"
	"still answered and printed, then claim exits with 130 (143).\n"},
    {"topics", cmd_topics, "topics",
	"Every topic claims were ever tagged with: its claims, their "
	"parties, and the log index of the last change among them",
	""},
    {"trace", cmd_trace, "trace ID [--version N]",
	"Where each source of a claim came from, down to the primary one",
	"  --version N  that version instead of the newest\n"},
    {"verify", cmd_verify,
	"verify FILE [--checkpoint FILE --log-key KEY] [--admin-key HEX]",
	"Verify an export offline: records, hashes, signatures, version "
	"chains, authorization replayed from the start, and the tree",
	"  --checkpoint FILE  a signed checkpoint the export must match\n"
	"  --log-key KEY      the log's verifier key, for the checkpoint\n"
	"  --admin-key HEX    the admin key (default: the signer of the first\n"
	"                     registry record, with a warning)\n"
	"  --threads N        verifying threads besides the main one\n"},
    {"verify-proof", cmd_verify_proof,
	"verify-proof FILE --log-key KEY [--old-checkpoint FILE]",
	"Check a proof bundle (claim prove --out) offline: its checkpoint's "
	"signature, the record's hash and its path to the signed root, or "
	"the consistency of the old tree with the signed one",
	"  --log-key KEY  the log's verifier key (claim log-key); required\n"
	"  --old-checkpoint FILE  a signed checkpoint or audit --state "
	"file the\n"
	"                 consistency bundle must start from\n"
	"Exit 1 if anything in the bundle does not verify, a bundle that is\n"
	"not one (malformed JSON, a field missing or unknown) included.\n"},
    {"watch", cmd_watch, "watch [--party P] [--topic T] [--from INDEX]",
	"Follow the log: every entry exactly once, in order, also across "
	"restarts",
	"  --party P     only entries of party P (once)\n"
	"  --topic T     only claims with topic T (once)\n"
	"  --from INDEX  start at log index INDEX (default: new entries "
	"only)\n"
	"  --count N     stop after N entries\n"
	"  --verify      check each entry's signature\n"
	"  -v, --verbose report on stderr the events the live feed lost\n"
	"                (claimd's --feed-hwm) and that were fetched by\n"
	"                range instead: \"claim: fetched N missed events by\n"
	"                range (M in all)\", and a count at the end\n"},
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
	fprintf(f,
	    "usage: claim [--server EP] [--key FILE] [--json] VERB "
	    "[ARGS]\n\n"
	    "Submit, read, follow and check claims kept by claimd.\n\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-46s\n", cmds[i].usage);
	fprintf(f,
	    "\nCommon options (before or after the verb):\n"
	    "  --server EP   claimd's request socket (CLAIM_SERVER; default "
	    "%s)\n"
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
