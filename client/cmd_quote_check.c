/*
 * cmd_quote_check.c: claim quote-check DOC --quote TEXT
 *
 * Offline: the document's SHA-256, and where the quote is in it; exit 1
 * when it is not there.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* claim quote-check --help, and the line of claim --help. */
const struct cmd_text cmd_quote_check_usage = {
    "quote-check DOC --quote TEXT",
    "A document's SHA-256, and whether (and where) a quote is in it, "
    "tolerant of white space and typographic quote marks",
    "  --quote TEXT  the quoted span\n",
};

int
cmd_quote_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quote", required_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("quote-check");
	const char *quote = NULL;
	uint8_t sha[PROTO_HASH_LEN];
	char err[256], hex[65], *doc;
	size_t len, start, end, line = 1, col = 1;
	bool found;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "q:", opts, NULL)) != -1) {
		if (c == 'q')
			quote = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (optind + 1 != argc || quote == NULL || quote[0] == '\0')
		return cli_usage_error(me, "give a document and --quote TEXT");
	if ((doc = cli_read_input(argv[optind], &len, err, sizeof(err))) ==
	    NULL)
		return cli_fail(EX_USAGE, "%s", err);
	proto_sha256(doc, len, sha);
	proto_hex(sha, PROTO_HASH_LEN, hex);
	found = claim_quote_find(doc, len, quote, &start, &end);
	if (found)
		for (size_t i = 0; i < start; i++) {
			if (doc[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)doc[i] & 0xc0) != 0x80) {
				col++;
			}
		}
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "sha256", json_string(hex));
		json_object_set_new(o, "found", json_boolean(found));
		if (found) {
			json_object_set_new(
			    o, "line", json_integer((json_int_t)line));
			json_object_set_new(
			    o, "column", json_integer((json_int_t)col));
			json_object_set_new(
			    o, "text", json_stringn(doc + start, end - start));
		}
		cli_print_json(o);
	} else if (found) {
		printf("found at line %zu, column %zu\nsha256 %s\n", line, col,
		    hex);
	}
	free(doc);
	if (!found)
		return cli_fail(EX_NOTFOUND,
		    "the quote is not in %s "
		    "(sha256 %s)",
		    argv[optind], hex);
	return EX_DONE;
}
