/*
 * cmd_list.c: claim list [--party P]... [--topic T]...
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct list_ctx {
	struct cli *cli;
	const struct claim_filter *flt; /* several values: applied here */
	size_t n;
};

static int
one(void *ctx, const struct claim_entry *e, uint64_t first)
{
	struct list_ctx *l = ctx;
	const struct proto_claim *c = &e->payload.claim;
	char hx[13];
	int used;

	(void)first;
	if (!claim_filter_matches(l->flt, e))
		return 0;
	l->n++;
	if (l->cli->json) {
		cli_print_json(cli_entry_json(e));
		return 0;
	}
	used = printf("%s  v%-2llu %-10s %-20s ", cli_short(e->claim, hx),
	    (unsigned long long)c->version,
	    c->status == PROTO_STATUS_RETRACTED ? "retracted" : "", c->party);
	/* The statement fills the line, "  [no sources]" included. */
	cli_print_cut(stdout, c->statement,
	    cli_room((size_t)(used > 0 ? used : 0) +
		(c->nsources == 0 ? strlen("  [no sources]") : 0)));
	if (c->nsources == 0)
		printf("  [no sources]");
	putchar('\n');
	return 0;
}

/* claim list --help, and the line of claim --help. */
const struct cmd_text cmd_list_usage = {
    "list [--party P]... [--topic T]...",
    "Claims in order of creation, newest version of each",
    "  --party P   only claims of party P; repeated: of any of them\n"
    "  --topic T   only claims whose newest version has topic T;\n"
    "              repeated: any of them\n"
    "A party or topic claimd does not hold is exit 1.\n",
};

int
cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"party", required_argument, NULL, 'p'},
	    {"topic", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("list");
	/* Each at most argc times: "any of" the values given. */
	const char **parties = calloc((size_t)argc + 1, sizeof(char *));
	const char **topics = calloc((size_t)argc + 1, sizeof(char *));
	struct claim_filter flt = {parties, 0, topics, 0};
	struct list_ctx l = {cli, NULL, 0};
	char err[256];
	int c, rc;

	if (parties == NULL || topics == NULL) {
		rc = cli_fail(EX_UNREACHABLE, "out of memory");
		goto done;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:t:", opts, NULL)) != -1) {
		if (c == 'p') {
			parties[flt.np++] = optarg;
		} else if (c == 't') {
			topics[flt.nt++] = optarg;
		} else {
			rc = cli_bad_option(me, argv);
			goto done;
		}
	}
	if (optind != argc) {
		rc = cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
		goto done;
	}
	/* A single value is claimd's filter; several are applied here. */
	if (flt.np > 1 || flt.nt > 1)
		l.flt = &flt;
	if ((rc = cli_connect(cli)) != EX_DONE)
		goto done;
	if ((rc = claim_list(cli->client, flt.np == 1 ? parties[0] : NULL,
		 flt.nt == 1 ? topics[0] : NULL, one, &l, err, sizeof(err))) !=
	    PROTO_OK) {
		rc = cli_fail_err(rc, false, "%s", err);
		goto done;
	}
	/* Nothing listed may be a misspelt name; with several, one
	 * misspelt among them would go unseen: say so, and exit 1. */
	if ((l.n == 0 || l.flt != NULL) &&
	    (rc = cli_names_known(
		 cli, parties, flt.np, topics, flt.nt, true)) != EX_DONE)
		goto done;
	if (!cli->json && l.n == 0)
		cli_warn("no claims%s%s%s%s%s%s", flt.np ? " of " : "",
		    flt.np ? parties[0] : "",
		    flt.np > 1 ? " or the others" : "", flt.nt ? " on " : "",
		    flt.nt ? topics[0] : "",
		    flt.nt > 1 ? " or the others" : "");
	rc = EX_DONE;
done:
	free(parties);
	free(topics);
	return rc;
}
