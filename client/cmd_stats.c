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

/* claim stats --help, and the line of claim --help. */
const struct cmd_text cmd_stats_usage = {
    "stats",
    "The log's size, counts, subscribers, uptime and throughput",
    "",
};

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
	if ((rc = cli_request(cli, PROTO_OP_STATS, &(struct proto_empty){0},
		 &st, &r)) != EX_DONE)
		return rc;
	/* Read by proto's stats table; shown as it came with --json. */
	if (cli->json)
		j = cli_cbor_to_json(r.body, r.len);
	claim_reply_release(&r);
	if (cli->json && j == NULL)
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
		if (st.upstream[0] != '\0')
			printf("mirror of    %s: %lld %s behind, last "
			       "answered %llds ago\n",
			    st.upstream, N(BEHIND),
			    noun(&st, PROTO_STAT_BEHIND, "entry", "entries"),
			    N(UPSTREAM_AGE));
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
