/*
 * cmd_party.c: claim party add SLUG --name TEXT
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* claim party --help, and the line of claim --help. */
const struct cmd_text cmd_party_usage = {
    "party add SLUG --name TEXT",
    "Add a party (signed with the admin key)",
    "  --name TEXT  the party's full name\n",
};

int
cmd_party(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("party");
	struct proto_payload p;
	struct proto_buf rec;
	struct claim_ack ack;
	const char *name = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		if (c == 'n')
			name = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (optind + 2 != argc || strcmp(argv[optind], "add") != 0)
		return cli_usage_error(me, "expected: party add SLUG");
	if (name == NULL)
		return cli_usage_error(me, "give the party's --name");
	if (!proto_slug_valid(argv[optind + 1], strlen(argv[optind + 1])))
		return cli_usage_error(me,
		    "\"%s\" is not a slug: 1 to 64 of a-z 0-9 -",
		    argv[optind + 1]);
	proto_payload_init(&p);
	p.kind = PROTO_KIND_PARTY;
	p.time = (uint64_t)time(NULL);
	p.reg.party = strdup(argv[optind + 1]);
	p.reg.name = strdup(name);
	proto_buf_init(&rec);
	if ((rc = cli_sign(cli, &p, &rec)) == EX_DONE &&
	    (rc = cli_submit_one(cli, &rec, &ack)) == EX_DONE)
		cli_print_ack(cli, &ack, 0, NULL, NULL);
	proto_payload_release(&p);
	proto_buf_release(&rec);
	return rc;
}
