/*
 * cmd_topics.c: claim topics: every topic claimd holds claims on.
 */
#include "cli.h"

/* claim topics --help, and the line of claim --help. */
const struct cmd_text cmd_topics_usage = {
    "topics",
    "Every topic claims were ever tagged with: its claims, their "
    "parties, and the log index of the last change among them",
    "",
};

int
cmd_topics(struct cli *cli, int argc, char **argv)
{
	const struct cmd *me = cli_cmd("topics");
	json_t *j, *t;
	size_t i;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_usage_error(me, "topics takes no arguments");
	if ((rc = cli_topics_fetch(cli, &j)) != EX_DONE)
		return rc;
	if (!cli->json && json_array_size(json_object_get(j, "topics")) > 0)
		printf("%-32s %8s %8s %10s\n", "TOPIC", "CLAIMS", "PARTIES",
		    "LAST");
	json_array_foreach(json_object_get(j, "topics"), i, t)
	{
		const char *topic = json_string_value(json_array_get(t, 0));
		json_int_t claims = json_integer_value(json_array_get(t, 1));
		json_int_t parties = json_integer_value(json_array_get(t, 2));
		json_int_t last = json_integer_value(json_array_get(t, 3));

		if (topic == NULL)
			continue;
		if (cli->json) {
			json_t *o = json_pack("{s:s, s:I, s:I, s:I}", "topic",
			    topic, "claims", claims, "parties", parties, "last",
			    last);

			if (o != NULL)
				cli_put_json(o);
			continue;
		}
		printf("%-32s %8lld %8lld %10lld\n", topic, (long long)claims,
		    (long long)parties, (long long)last);
	}
	fflush(stdout);
	if (!cli->json && json_array_size(json_object_get(j, "topics")) == 0)
		cli_warn("no topics");
	json_decref(j);
	return EX_DONE;
}
