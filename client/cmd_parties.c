/*
 * cmd_parties.c: claim parties, and claim grants [--party P]...: what the
 * registry holds, from one PARTIES request.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* claim parties --help, and the line of claim --help. */
const struct cmd_text cmd_parties_usage = {
    "parties",
    "The parties claimd holds: slug and full name",
    "",
};

int
cmd_parties(struct cli *cli, int argc, char **argv)
{
	const struct cmd *me = cli_cmd("parties");
	char safe[1024];
	json_t *j, *p;
	size_t i;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_usage_error(me, "parties takes no arguments");
	if ((rc = cli_parties_fetch(cli, &j)) != EX_DONE)
		return rc;
	json_array_foreach(json_object_get(j, "parties"), i, p)
	{
		const char *slug = json_string_value(json_array_get(p, 0));
		const char *name = json_string_value(json_array_get(p, 1));
		json_int_t at = json_integer_value(json_array_get(p, 2));

		if (slug == NULL || name == NULL)
			continue;
		if (cli->json) {
			json_t *o = json_pack("{s:s, s:s, s:I}", "party", slug,
			    "name", name, "index", at);

			if (o != NULL)
				cli_put_json(o);
			continue;
		}
		printf("%-24s %s\n", slug,
		    proto_str_safe(safe, sizeof(safe), name));
	}
	fflush(stdout);
	if (!cli->json && json_array_size(json_object_get(j, "parties")) == 0)
		cli_warn("no parties");
	json_decref(j);
	return EX_DONE;
}

/* claim grants --help, and the line of claim --help. */
const struct cmd_text cmd_grants_usage = {
    "grants [--party P]...",
    "The keys granted to parties: key (hex), party",
    "  --party P  only the keys of party P; repeated: of any of them\n"
    "             (a party claimd does not hold: exit 1)\n",
};

int
cmd_grants(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"party", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("grants");
	/* Each at most argc times: "any of" the values given. */
	const char **parties = calloc((size_t)argc + 1, sizeof(char *));
	struct claim_filter flt = {parties, 0, NULL, 0};
	json_t *j = NULL, *g;
	size_t i, n = 0;
	int c, rc;

	if (parties == NULL)
		return cli_fail(EX_UNREACHABLE, "out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		if (c != 'p') {
			rc = cli_bad_option(me, argv);
			goto done;
		}
		parties[flt.np++] = optarg;
	}
	if (optind != argc) {
		rc = cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
		goto done;
	}
	if ((rc = cli_parties_fetch(cli, &j)) != EX_DONE)
		goto done;
	for (i = 0; i < flt.np; i++)
		if ((rc = cli_name_known(json_object_get(j, "parties"), "party",
			 parties[i])) != EX_DONE)
			goto done;
	json_array_foreach(json_object_get(j, "grants"), i, g)
	{
		const char *key = json_string_value(json_array_get(g, 0));
		const char *slug = json_string_value(json_array_get(g, 1));
		json_int_t at = json_integer_value(json_array_get(g, 2));

		if (key == NULL || slug == NULL ||
		    (flt.np > 0 && !claim_filter_party(&flt, slug)))
			continue;
		n++;
		if (cli->json) {
			json_t *o = json_pack("{s:s, s:s, s:I}", "key", key,
			    "party", slug, "index", at);

			if (o != NULL)
				cli_put_json(o);
			continue;
		}
		printf("%s  %s\n", key, slug);
	}
	fflush(stdout);
	if (!cli->json && n == 0)
		cli_warn("no grants%s%s%s", flt.np ? " for " : "",
		    flt.np ? parties[0] : "",
		    flt.np > 1 ? " or the others" : "");
	rc = EX_DONE;
done:
	json_decref(j);
	free(parties);
	return rc;
}
