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

/*
 * How many independent sources the head version rests on, from the graph
 * of the whole log (docs/narratives.md, Source independence): {"cited",
 * "n_primary", "owners"}, or NULL (with *rc EX_DONE) for a claim without
 * sources or an older version than the head, whose sources the graph,
 * made of heads, does not hold.
 */
static json_t *
independence(struct cli *cli, const struct claim_entry *e,
    const struct claim_info *info, int *rc)
{
	struct cli_graph h;
	json_t *a, *o = NULL;

	*rc = EX_DONE;
	if (e->payload.kind != PROTO_KIND_CLAIM ||
	    e->payload.claim.nsources == 0 ||
	    e->payload.claim.version != info->version)
		return NULL;
	if ((*rc = cli_graph_load(cli, NULL, &h)) == EX_DONE &&
	    claim_independence(h.g, e->claim, &a) == PROTO_OK) {
		o = json_pack("{s:O, s:O, s:O}", "cited",
		    json_object_get(a, "cited"), "n_primary",
		    json_object_get(a, "n_primary"), "owners",
		    json_object_get(a, "owners"));
		json_decref(a);
	}
	cli_graph_free(&h);
	return o;
}

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
	json_t *ind;
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
	if ((ind = independence(cli, &e, &info, &rc)) == NULL &&
	    rc != EX_DONE) {
		claim_entry_release(&e);
		return rc;
	}
	if (cli->json) {
		json_t *o = cli_entry_json(&e);

		if (ind != NULL)
			json_object_set(o, "independence", ind);
		cli_print_json(o);
	} else {
		cli_print_entry(&e, &info);
		if (ind != NULL) {
			char hex[2 * PROTO_HASH_LEN + 1], fig[CLI_CITES_MAX];

			proto_hex(e.claim, PROTO_HASH_LEN, hex);
			printf("\n%s (details: claim independence %.12s)\n",
			    cli_cites(json_integer_value(
					  json_object_get(ind, "cited")),
				json_integer_value(
				    json_object_get(ind, "n_primary")),
				fig),
			    hex);
		}
	}
	json_decref(ind);
	claim_entry_release(&e);
	return EX_DONE;
}
