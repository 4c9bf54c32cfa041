/*
 * cmd_topics.c: claim topics: every topic claimd holds claims on.
 *
 * The counts of claims, parties and the last change are claimd's (the
 * topics request); the disputes are counted here, in one pass over the
 * newest version of every claim (the list request): a "disputes"
 * relation of a live claim on the topic to a live claim on the topic.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* claim topics --help, and the line of claim --help. */
const struct cmd_text cmd_topics_usage = {
    "topics",
    "Every topic claims were ever tagged with: its claims, their "
    "parties, the disputes among its live claims, and the log index "
    "of the last change among them",
    "DISPUTES counts the \"disputes\" relations of live (not retracted)\n"
    "claims on the topic to live claims on the topic.\n",
};

/* A live claim: its id, topics and the claims it disputes. */
struct live {
	uint8_t id[PROTO_HASH_LEN];
	char **topics;
	size_t ntopics;
	uint8_t (*disputes)[PROTO_HASH_LEN];
	size_t ndisputes;
};

struct lives {
	struct live *v;
	size_t n, cap;
	bool oom;
};

static void
lives_free(struct lives *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t k = 0; k < l->v[i].ntopics; k++)
			free(l->v[i].topics[k]);
		free(l->v[i].topics);
		free(l->v[i].disputes);
	}
	free(l->v);
}

static int
keep(void *ctx, const struct claim_entry *e, uint64_t first)
{
	struct lives *l = ctx;
	const struct proto_claim *c = &e->payload.claim;
	struct live *x;

	(void)first;
	if (e->payload.kind != PROTO_KIND_CLAIM ||
	    c->status == PROTO_STATUS_RETRACTED)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct live *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			l->oom = true;
			return 1;
		}
		l->v = v;
		l->cap = cap;
	}
	x = &l->v[l->n];
	memset(x, 0, sizeof(*x));
	memcpy(x->id, e->claim, PROTO_HASH_LEN);
	x->topics = calloc(c->ntopics + 1, sizeof(char *));
	x->disputes = calloc(c->nrelations + 1, PROTO_HASH_LEN);
	if (x->topics == NULL || x->disputes == NULL) {
		free(x->topics);
		free(x->disputes);
		l->oom = true;
		return 1;
	}
	l->n++;
	for (size_t i = 0; i < c->ntopics; i++)
		if ((x->topics[x->ntopics] = strdup(c->topics[i])) != NULL)
			x->ntopics++;
	for (size_t i = 0; i < c->nrelations; i++)
		if (c->relations[i].rel == PROTO_REL_DISPUTES)
			memcpy(x->disputes[x->ndisputes++],
			    c->relations[i].claim, PROTO_HASH_LEN);
	return 0;
}

static bool
has_topic(const struct live *x, const char *topic)
{
	for (size_t i = 0; i < x->ntopics; i++)
		if (strcmp(x->topics[i], topic) == 0)
			return true;
	return false;
}

static int
by_id(const void *a, const void *b)
{
	return memcmp(((const struct live *)a)->id,
	    ((const struct live *)b)->id, PROTO_HASH_LEN);
}

/* The disputes among the live claims on topic. */
static long long
disputes_on(const struct lives *l, const char *topic)
{
	long long n = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (!has_topic(&l->v[i], topic))
			continue;
		for (size_t k = 0; k < l->v[i].ndisputes; k++) {
			struct live key, *other;

			memcpy(key.id, l->v[i].disputes[k], PROTO_HASH_LEN);
			other = bsearch(&key, l->v, l->n, sizeof(*l->v), by_id);
			if (other != NULL && has_topic(other, topic))
				n++;
		}
	}
	return n;
}

int
cmd_topics(struct cli *cli, int argc, char **argv)
{
	const struct cmd *me = cli_cmd("topics");
	struct lives l = {NULL, 0, 0, false};
	char err[256];
	json_t *j, *t;
	size_t i;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_usage_error(me, "topics takes no arguments");
	if ((rc = cli_topics_fetch(cli, &j)) != EX_DONE)
		return rc;
	if (json_array_size(json_object_get(j, "topics")) > 0) {
		if ((rc = claim_list(cli->client, NULL, NULL, keep, &l, err,
			 sizeof(err))) != PROTO_OK &&
		    !l.oom) {
			rc = cli_fail_err(rc, false, "%s", err);
			goto done;
		}
		if (l.oom) {
			rc = cli_fail(EX_UNREACHABLE, "out of memory");
			goto done;
		}
		qsort(l.v, l.n, sizeof(*l.v), by_id);
	}
	if (!cli->json && json_array_size(json_object_get(j, "topics")) > 0)
		printf("%-32s %8s %8s %8s %10s\n", "TOPIC", "CLAIMS", "PARTIES",
		    "DISPUTES", "LAST");
	json_array_foreach(json_object_get(j, "topics"), i, t)
	{
		const char *topic = json_string_value(json_array_get(t, 0));
		json_int_t claims = json_integer_value(json_array_get(t, 1));
		json_int_t parties = json_integer_value(json_array_get(t, 2));
		json_int_t last = json_integer_value(json_array_get(t, 3));
		long long disputes;

		if (topic == NULL)
			continue;
		disputes = disputes_on(&l, topic);
		if (cli->json) {
			json_t *o =
			    json_pack("{s:s, s:I, s:I, s:I, s:I}", "topic",
				topic, "claims", claims, "parties", parties,
				"disputes", (json_int_t)disputes, "last", last);

			if (o != NULL)
				cli_put_json(o);
			continue;
		}
		printf("%-32s %8lld %8lld %8lld %10lld\n", topic,
		    (long long)claims, (long long)parties, disputes,
		    (long long)last);
	}
	fflush(stdout);
	if (!cli->json && json_array_size(json_object_get(j, "topics")) == 0)
		cli_warn("no topics");
	rc = EX_DONE;
done:
	lives_free(&l);
	json_decref(j);
	return rc;
}
