/*
 * cmd_list.c: claim list [--party P] [--topic T]
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

struct list_ctx {
	struct cli *cli;
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
    "list [--party P] [--topic T]",
    "Claims in order of creation, newest version of each",
    "  --party P   only claims of party P\n"
    "  --topic T   only claims whose newest version has topic T\n",
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
	const char *party = NULL, *topic = NULL;
	struct list_ctx l = {cli, 0};
	char err[256];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:t:", opts, NULL)) != -1) {
		if (c == 'p')
			party = optarg;
		else if (c == 't')
			topic = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (optind != argc)
		return cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	if ((rc = claim_list(cli->client, party, topic, one, &l, err,
		 sizeof(err))) != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	/* Nothing listed may be a misspelt name: say so, and exit 1. */
	if (l.n == 0 && party != NULL &&
	    (rc = cli_party_known(cli, party)) != EX_DONE)
		return rc;
	if (l.n == 0 && topic != NULL &&
	    (rc = cli_topic_known(cli, topic)) != EX_DONE)
		return rc;
	if (!cli->json && l.n == 0)
		cli_warn("no claims%s%s%s%s", party ? " of " : "",
		    party ? party : "", topic ? " on " : "",
		    topic ? topic : "");
	return EX_DONE;
}
