/*
 * cmd_stats.c: claim stats
 */
#include "cli.h"

/* A number of claimd's stats reply. */
static long long
stat_of(json_t *j, const char *key)
{
	return (long long)json_integer_value(json_object_get(j, key));
}

/* The noun for that number. */
static const char *
noun(json_t *j, const char *key, const char *one, const char *many)
{
	return cli_noun((unsigned long long)stat_of(j, key), one, many);
}

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
	struct claim_reply r;
	json_t *j;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_usage_error(me, "stats takes no arguments");
	if ((rc = cli_request(cli, PROTO_OP_STATS, "\xa0", 1, &r)) != EX_DONE)
		return rc;
	j = cli_cbor_to_json(r.body, r.len);
	claim_reply_release(&r);
	if (j == NULL)
		return cli_fail(EX_UNREACHABLE, "bad reply from claimd");
	if (cli->json) {
		cli_print_json(j);
		return EX_DONE;
	}
	{
		json_int_t up =
		    json_integer_value(json_object_get(j, "uptime"));
		json_int_t acc =
		    json_integer_value(json_object_get(j, "accepted"));

		printf("log size     %lld %s\n", stat_of(j, "size"),
		    noun(j, "size", "entry", "entries"));
		printf("claims       %lld (+%lld %s, %lld %s)\n",
		    stat_of(j, "claims"), stat_of(j, "revisions"),
		    noun(j, "revisions", "revision", "revisions"),
		    stat_of(j, "retractions"),
		    noun(j, "retractions", "retraction", "retractions"));
		printf("registry     %lld %s, %lld %s, %lld %s\n",
		    stat_of(j, "parties"),
		    noun(j, "parties", "party", "parties"),
		    stat_of(j, "grants"), noun(j, "grants", "grant", "grants"),
		    stat_of(j, "revokes"),
		    noun(j, "revokes", "revoke", "revokes"));
		printf("subscribers  %lld on %s\n",
		    (long long)json_integer_value(
			json_object_get(j, "subscribers")),
		    json_string_value(json_object_get(j, "feed")));
		printf("uptime       %lldh%02lldm%02llds\n",
		    (long long)up / 3600, (long long)(up / 60 % 60),
		    (long long)(up % 60));
		printf("this run     %lld submitted, %lld accepted, %lld "
		       "already there, %lld refused, %lld batches\n",
		    (long long)json_integer_value(
			json_object_get(j, "submitted")),
		    (long long)acc,
		    (long long)json_integer_value(
			json_object_get(j, "existed")),
		    (long long)json_integer_value(
			json_object_get(j, "refused")),
		    (long long)json_integer_value(
			json_object_get(j, "batches")));
		printf("throughput   %lld accepted/s over the last %s, "
		       "%.1f since start\n",
		    (long long)json_integer_value(json_object_get(j, "rate")),
		    up < 59 ? "seconds" : "minute",
		    up > 0 ? (double)acc / (double)up : (double)acc);
		printf("latency      p50 %lld us, p99 %lld us from arrival to "
		       "stored (last busy second)\n",
		    (long long)json_integer_value(
			json_object_get(j, "latency_p50_us")),
		    (long long)json_integer_value(
			json_object_get(j, "latency_p99_us")));
		printf("commits      p50 %lld us, p99 %lld us (last busy "
		       "second); longest %.1f ms, %lld over 5 ms since start\n",
		    (long long)json_integer_value(
			json_object_get(j, "commit_p50_us")),
		    (long long)json_integer_value(
			json_object_get(j, "commit_p99_us")),
		    (double)json_integer_value(
			json_object_get(j, "commit_max_us")) /
			1000.0,
		    (long long)json_integer_value(
			json_object_get(j, "commits_over_5ms")));
		printf("disk         %.1f MiB used of a %.0f MiB map\n",
		    (double)json_integer_value(
			json_object_get(j, "disk_used")) /
			1048576.0,
		    (double)json_integer_value(json_object_get(j, "map_size")) /
			1048576.0);
	}
	json_decref(j);
	return EX_DONE;
}
