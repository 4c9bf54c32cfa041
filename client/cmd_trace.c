/*
 * cmd_trace.c: claim trace ID [--version N]
 */
#include <getopt.h>

#include "cli.h"

static void
print_link(json_t *l, bool first)
{
	json_t *v;

	printf("%s[%lld] %s, \"%s\"", first ? "  " : "      ",
	    (long long)json_integer_value(json_object_get(l, "index")),
	    json_string_value(json_object_get(l, "publisher")),
	    json_string_value(json_object_get(l, "title")));
	if ((v = json_object_get(l, "published")) != NULL)
		printf(", %s", json_string_value(v));
	putchar('\n');
	if ((v = json_object_get(l, "url")) != NULL)
		printf("%s    %s\n", first ? "" : "    ", json_string_value(v));
}

/* claim trace --help, and the line of claim --help. */
const struct cmd_text cmd_trace_usage = {
    "trace ID [--version N]",
    "Where each source of a claim came from, down to the primary one",
    "  --version N  that version instead of the newest\n",
};

int
cmd_trace(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"version", required_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("trace");
	struct claim_entry e;
	uint64_t version = 0;
	char err[256], hx[13];
	json_t *t, *s;
	size_t i;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "V:", opts, NULL)) != -1) {
		if (c == '?')
			return cli_bad_option(me, argv);
		if (c != 'V' || !cli_parse_u64(optarg, &version) ||
		    version == 0)
			return cli_usage_error(me, "--version takes a number");
	}
	if (optind + 1 != argc)
		return cli_usage_error(me, "give one claim id");
	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	if ((rc = claim_get(cli->client, argv[optind], version, &e, NULL, err,
		 sizeof(err))) != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	if (e.payload.kind != PROTO_KIND_CLAIM) {
		claim_entry_release(&e);
		return cli_fail(EX_NOTFOUND, "%s is not a claim", argv[optind]);
	}
	if (claim_trace(&e, &t) != PROTO_OK) {
		claim_entry_release(&e);
		return cli_fail(EX_USAGE, "out of memory");
	}
	if (cli->json) {
		cli_print_json(t);
		claim_entry_release(&e);
		return EX_DONE;
	}
	printf("claim %s (%s, version %llu): %zu sources\n",
	    cli_short(e.claim, hx), e.payload.claim.party,
	    (unsigned long long)e.payload.claim.version,
	    e.payload.claim.nsources);
	json_array_foreach(json_object_get(t, "sources"), i, s)
	{
		json_t *chain = json_object_get(s, "chain"), *l;
		size_t k;

		putchar('\n');
		json_array_foreach(chain, k, l)
		{
			json_t *how = json_object_get(l, "how");

			print_link(l, k == 0);
			if (how != NULL)
				printf("      %s\n", json_string_value(how));
		}
		if (json_array_size(chain) > 1)
			printf("      = primary source [%lld]\n",
			    (long long)json_integer_value(
				json_object_get(s, "primary")));
		else
			printf("      (primary source)\n");
	}
	json_decref(t);
	claim_entry_release(&e);
	return EX_DONE;
}
