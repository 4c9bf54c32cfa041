/*
 * cmd_grant.c: claim grant PUBHEX --party SLUG, and its inverse, revoke.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* claim grant --help, and the line of claim --help. */
const struct cmd_text cmd_grant_usage = {
    "grant PUBHEX --party SLUG",
    "Let a key submit claims for a party (signed with the admin key)",
    "  --party SLUG  the party\n",
};

/* claim revoke --help, and the line of claim --help. */
const struct cmd_text cmd_revoke_usage = {
    "revoke PUBHEX --party SLUG",
    "Withdraw a key's grant for a party (signed with the admin key)",
    "  --party SLUG  the party\n",
};

static int
grant_or_revoke(struct cli *cli, int argc, char **argv, enum proto_kind kind)
{
	static const struct option opts[] = {
	    {"party", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me =
	    cli_cmd(kind == PROTO_KIND_GRANT ? "grant" : "revoke");
	struct proto_payload p;
	struct proto_buf rec;
	struct claim_ack ack;
	const char *party = NULL;
	char err[256], safe[PROTO_SAFE_MAX];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		if (c == 'p')
			party = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error(me, "give one public key in hex");
	if (party == NULL)
		return cli_usage_error(me, "give --party SLUG");
	proto_payload_init(&p);
	p.kind = kind;
	p.time = (uint64_t)time(NULL);
	if (proto_pubkey_parse(argv[optind], p.reg.key, err, sizeof(err)) !=
	    PROTO_OK)
		return cli_usage_error(me, "\"%s\": %s",
		    proto_str_safe(safe, sizeof(safe), argv[optind]), err);
	if (!proto_slug_valid(party, strlen(party)))
		return cli_usage_error(me, "\"%s\" is not a party slug", party);
	p.reg.party = strdup(party);
	proto_buf_init(&rec);
	if ((rc = cli_sign(cli, &p, &rec)) == EX_DONE &&
	    (rc = cli_submit_one(cli, &rec, &ack)) == EX_DONE)
		cli_print_ack(cli, &ack, 0, NULL, NULL);
	proto_payload_release(&p);
	proto_buf_release(&rec);
	return rc;
}

int
cmd_grant(struct cli *cli, int argc, char **argv)
{
	return grant_or_revoke(cli, argc, argv, PROTO_KIND_GRANT);
}

int
cmd_revoke(struct cli *cli, int argc, char **argv)
{
	return grant_or_revoke(cli, argc, argv, PROTO_KIND_REVOKE);
}
