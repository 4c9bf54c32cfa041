/*
 * cmd_reinstate.c: claim reinstate ID --note TEXT
 */
#include <getopt.h>

#include "cli.h"

/* claim reinstate --help, and the line of claim --help. */
const struct cmd_text cmd_reinstate_usage = {
    "reinstate ID --note TEXT",
    "Make a retracted claim live again: a new version with status "
    "asserted, saying what the claim said, marked as a reinstatement",
    "  --note TEXT  why the claim stands after all (required)\n"
    "A claim that is live is refused (exit 4): there is nothing to "
    "reinstate.\n",
};

int
cmd_reinstate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"note", required_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("reinstate");
	const char *note = NULL;
	struct batch *b;
	json_t *op;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		if (c == 'n')
			note = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error(me, "give one claim id");
	if (note == NULL || note[0] == '\0')
		return cli_usage_error(me, "say why: --note TEXT");
	op = json_pack("{s:s, s:s}", "reinstates", argv[optind], "note", note);
	if ((rc = batch_begin(&b, cli, 1, true)) == EX_DONE)
		rc = batch_end(b, batch_add(b, op, 1));
	json_decref(op);
	return rc;
}
