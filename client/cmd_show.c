/*
 * cmd_show.c: claim show ID [--version N]
 */
#include <getopt.h>

#include "cli.h"

/* claim show --help, and the line of claim --help. */
const struct cmd_text cmd_show_usage = {
    "show ID [--version N]",
    "A claim (or any record) in full; signatures are checked here",
    "  --version N  that version instead of the newest\n",
};

int
cmd_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"version", required_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("show");
	struct claim_entry e;
	struct claim_info info;
	uint64_t version = 0;
	char err[256];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "V:", opts, NULL)) != -1) {
		if (c == '?')
			return cli_bad_option(me, argv);
		if (c != 'V' || !cli_parse_u64(optarg, &version) ||
		    version == 0)
			return cli_usage_error(me,
			    "--version takes a number "
			    "from 1");
	}
	if (optind + 1 != argc)
		return cli_usage_error(me, "give one claim id");
	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	if ((rc = claim_get(cli->client, argv[optind], version, &e, &info, err,
		 sizeof(err))) != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	if (cli->json)
		cli_print_json(cli_entry_json(&e));
	else
		cli_print_entry(&e, &info);
	claim_entry_release(&e);
	return EX_DONE;
}
