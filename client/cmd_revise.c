/*
 * cmd_revise.c: claim revise ID FILE|- [--note TEXT]
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

/* claim revise --help, and the line of claim --help. */
const struct cmd_text cmd_revise_usage = {
    "revise ID FILE|- [--note TEXT] [--attach DOC]",
    "A new version of a claim from JSON (the whole claim as it should "
    "now read)",
    "  --note TEXT   what changed and why (required, here or as \"note\" "
    "in\n                the JSON)\n"
    "  --attach DOC  check quotes against DOC, as submit does\n"
    "Refused (exit 4): a revision without a note, one that says what the\n"
    "claim says now (statement, topics, date made, sources and relations\n"
    "all unchanged), and one of a retracted claim: use claim reinstate.\n"
    "A revision without sources is stored with a warning on stderr.\n",
};

int
cmd_revise(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"note", required_argument, NULL, 'n'},
	    {"attach", required_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("revise");
	const char *note = NULL, *attach[16];
	size_t nattach = 0;
	struct batch *b;
	json_error_t jerr;
	json_t *op;
	size_t len;
	char err[256], *text;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:a:", opts, NULL)) != -1) {
		if (c == 'n')
			note = optarg;
		else if (c == 'a' && nattach < 16)
			attach[nattach++] = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (optind + 2 != argc)
		return cli_usage_error(me,
		    "give the claim id and a FILE (or "
		    "-)");
	if ((text = cli_read_input(argv[optind + 1], &len, err, sizeof(err))) ==
	    NULL)
		return cli_fail(EX_USAGE, "%s", err);
	op = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!json_is_object(op)) {
		json_decref(op);
		return cli_fail(EX_USAGE, "%s: %s", argv[optind + 1],
		    op == NULL ? cli_json_why(&jerr)
			       : "expected one JSON object");
	}
	json_object_set_new(op, "revises", json_string(argv[optind]));
	if (note != NULL)
		json_object_set_new(op, "note", json_string(note));
	if ((rc = batch_begin(&b, cli, 1, true)) == EX_DONE) {
		for (size_t i = 0; i < nattach && rc == EX_DONE; i++)
			rc = batch_attach(b, attach[i]);
		rc = batch_end(b, rc == EX_DONE ? batch_add(b, op, 1) : rc);
	}
	json_decref(op);
	return rc;
}
