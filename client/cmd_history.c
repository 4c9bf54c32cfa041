/*
 * cmd_history.c: claim history ID
 */
#include <string.h>
#include <time.h>

#include "cli.h"

/* claim history --help, and the line of claim --help. */
const struct cmd_text cmd_history_usage = {
    "history ID",
    "Every version of a claim, oldest first",
    "",
};

int
cmd_history(struct cli *cli, int argc, char **argv)
{
	const struct cmd *me = cli_cmd("history");
	struct claim_entry *v;
	char err[256], hx[13], when[32];
	size_t n;
	int rc;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error(me, "give one claim id");
	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	if ((rc = claim_history(
		 cli->client, argv[1], &v, &n, err, sizeof(err))) != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	for (size_t i = 0; i < n; i++) {
		const struct proto_claim *c = &v[i].payload.claim;
		time_t t = (time_t)v[i].payload.time;
		struct tm tm;

		if (cli->json) {
			cli_print_json(cli_entry_json(&v[i]));
			continue;
		}
		if (i == 0)
			printf("claim %s (%s)\n", cli_short(v[i].claim, hx),
			    c->party);
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		printf("  v%-3llu index %-7llu %s  %-10s %s  %s\n",
		    (unsigned long long)c->version,
		    (unsigned long long)v[i].index, when,
		    c->reinstates ? "reinstated" : proto_status_name(c->status),
		    cli_short(v[i].hash, hx), c->note != NULL ? c->note : "");
	}
	claim_entries_free(v, n);
	return EX_DONE;
}
