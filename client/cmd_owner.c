/*
 * cmd_owner.c: claim owner set OWNER --publisher P... | owner withdraw
 * OWNER: put publishers under one owner, so that outlets of one owner
 * count once in claim independence (docs/format.md, Owners).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* claim owner --help, and the line of claim --help. */
const struct cmd_text cmd_owner_usage = {
    "owner set OWNER --publisher P... | owner withdraw OWNER",
    "Put publishers under one owner, whose outlets then count once as "
    "primary sources (signed with the admin key)",
    "  --publisher P  a publisher the owner holds, written as sources\n"
    "                 write it (exactly); repeated: each of them\n"
    "set replaces the owner's earlier list, and takes each publisher from\n"
    "any other owner; withdraw leaves the owner with none.\n",
};

int
cmd_owner(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"publisher", required_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("owner");
	struct proto_payload p;
	struct proto_buf rec;
	struct claim_ack ack;
	char err[256];
	bool set;
	int c, rc;

	proto_payload_init(&p);
	p.kind = PROTO_KIND_OWNER;
	if ((p.reg.publishers = calloc((size_t)argc, sizeof(char *))) == NULL)
		return cli_fail(EX_UNREACHABLE, "out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "P:", opts, NULL)) != -1) {
		if (c == 'P' &&
		    (p.reg.publishers[p.reg.npublishers++] = strdup(optarg)) ==
			NULL) {
			proto_payload_release(&p);
			return cli_fail(EX_UNREACHABLE, "out of memory");
		} else if (c != 'P') {
			proto_payload_release(&p);
			return cli_bad_option(me, argv);
		}
	}
	set = optind + 2 == argc && strcmp(argv[optind], "set") == 0;
	if (!set &&
	    (optind + 2 != argc || strcmp(argv[optind], "withdraw") != 0))
		rc = cli_usage_error(
		    me, "expected: owner set OWNER or owner withdraw OWNER");
	else if (set && p.reg.npublishers == 0)
		rc = cli_usage_error(me,
		    "give the owner's --publisher (owner withdraw OWNER "
		    "leaves it none)");
	else if (!set && p.reg.npublishers > 0)
		rc = cli_usage_error(me, "--publisher goes with owner set");
	else if (!proto_slug_valid(argv[optind + 1], strlen(argv[optind + 1])))
		rc = cli_usage_error(me,
		    "\"%s\" is not a slug: 1 to 64 of a-z 0-9 -",
		    argv[optind + 1]);
	else
		rc = EX_DONE;
	if (rc != EX_DONE) {
		proto_payload_release(&p);
		return rc;
	}
	p.time = (uint64_t)time(NULL);
	if ((p.reg.party = strdup(argv[optind + 1])) == NULL) {
		proto_payload_release(&p);
		return cli_fail(EX_UNREACHABLE, "out of memory");
	}
	/* The schema's word before the key is asked for. */
	if ((rc = proto_payload_validate(&p, err, sizeof(err))) != PROTO_OK) {
		proto_payload_release(&p);
		return cli_fail_err(rc, false, "%s", err);
	}
	proto_buf_init(&rec);
	if ((rc = cli_sign(cli, &p, &rec)) == EX_DONE &&
	    (rc = cli_submit_one(cli, &rec, &ack)) == EX_DONE)
		cli_print_ack(cli, &ack, 0, NULL, NULL);
	proto_payload_release(&p);
	proto_buf_release(&rec);
	return rc;
}
