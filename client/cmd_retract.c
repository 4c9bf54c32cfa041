/*
 * cmd_retract.c: claim retract ID --reason TEXT
 */
#include <getopt.h>

#include "cli.h"

/* claim retract --help, and the line of claim --help. */
const struct cmd_text cmd_retract_usage = {
    "retract ID --reason TEXT",
    "Retract a claim: a new version with status retracted",
    "  --reason TEXT  why (required)\n"
    "A claim already retracted is refused (exit 4): its reason stands;\n"
    "claim reinstate makes it live again.\n",
};

int
cmd_retract(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("retract");
	const char *reason = NULL;
	struct batch *b;
	json_t *op;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
		if (c == 'r')
			reason = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error(me, "give one claim id");
	if (reason == NULL || reason[0] == '\0')
		return cli_usage_error(me, "say why: --reason TEXT");
	op =
	    json_pack("{s:s, s:s}", "retracts", argv[optind], "reason", reason);
	if ((rc = batch_begin(&b, cli, 1, true)) == EX_DONE)
		rc = batch_end(b, batch_add(b, op, 1));
	json_decref(op);
	return rc;
}
