/*
 * cmd_stats.c: claim stats
 */
#include "cli.h"

/* The noun for a stat. */
static const char *
noun(const struct proto_stats_rep *st, enum proto_stat k, const char *one,
    const char *many)
{
	return cli_noun(st->v[k], one, many);
}

/* A stat as printed. */
#define N(k) ((long long)st.v[PROTO_STAT_##k])

int
cmd_stats(struct cli *cli, int argc, char **argv)
{
	const struct cmd *me = cli_cmd("stats");
	struct proto_stats_rep st;
	struct claim_reply r;
	json_t *j = NULL;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_usage_error(me, "stats takes no arguments");
	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	rc = claim_client_call(cli->client, PROTO_OP_STATS, "\xa0", 1, &r);
	if (rc != PROTO_OK) {
		char err[256];

		rc = claim_client_explain(cli->client, rc, err, sizeof(err));
		return cli_fail_err(rc, false, "%s", err);
	}
	if (r.status != PROTO_OK) {
		rc = cli_fail_err(r.status, false, "%s", r.message);
		claim_reply_release(&r);
		return rc;
	}
	/* Read by proto's stats table; shown as it came with --json. */
	rc = proto_msg_decode(
	    &proto_ops[PROTO_OP_STATS].rep, r.body, r.len, &st, NULL, 0);
	if (rc == PROTO_OK && cli->json)
		j = claim_cbor_to_json(r.body, r.len);
	claim_reply_release(&r);
	if (rc != PROTO_OK || (cli->json && j == NULL))
		return cli_fail(EX_UNREACHABLE, "bad reply from claimd");
	if (cli->json) {
		cli_print_json(j); /* takes j */
		return EX_DONE;
	}
	{
		long long up = N(UPTIME), acc = N(ACCEPTED);

		printf("log size     %lld %s\n", N(SIZE),
		    noun(&st, PROTO_STAT_SIZE, "entry", "entries"));
		printf("claims       %lld (+%lld %s, %lld %s)\n", N(CLAIMS),
		    N(REVISIONS),
		    noun(&st, PROTO_STAT_REVISIONS, "revision", "revisions"),
		    N(RETRACTIONS),
		    noun(&st, PROTO_STAT_RETRACTIONS, "retraction",
			"retractions"));
		printf("registry     %lld %s, %lld %s, %lld %s\n", N(PARTIES),
		    noun(&st, PROTO_STAT_PARTIES, "party", "parties"),
		    N(GRANTS), noun(&st, PROTO_STAT_GRANTS, "grant", "grants"),
		    N(REVOKES),
		    noun(&st, PROTO_STAT_REVOKES, "revoke", "revokes"));
		printf("subscribers  %lld on %s\n", N(SUBSCRIBERS), st.feed);
		printf("uptime       %lldh%02lldm%02llds\n", up / 3600,
		    up / 60 % 60, up % 60);
		printf("this run     %lld submitted, %lld accepted, %lld "
		       "already there, %lld refused, %lld batches\n",
		    N(SUBMITTED), acc, N(EXISTED), N(REFUSED), N(BATCHES));
		printf("throughput   %lld accepted/s over the last %s, "
		       "%.1f since start\n",
		    N(RATE), up < 59 ? "seconds" : "minute",
		    up > 0 ? (double)acc / (double)up : (double)acc);
		printf("latency      p50 %lld us, p99 %lld us from arrival to "
		       "stored (last busy second)\n",
		    N(LATENCY_P50_US), N(LATENCY_P99_US));
		printf("commits      p50 %lld us, p99 %lld us (last busy "
		       "second); longest %.1f ms, %lld over 5 ms since start\n",
		    N(COMMIT_P50_US), N(COMMIT_P99_US),
		    (double)N(COMMIT_MAX_US) / 1000.0, N(COMMITS_OVER_5MS));
		printf("disk         %.1f MiB used of a %.0f MiB map\n",
		    (double)N(DISK_USED) / 1048576.0,
		    (double)N(MAP_SIZE) / 1048576.0);
	}
	return EX_DONE;
}
