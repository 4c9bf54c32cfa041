/*
 * cmd_independence.c: claim independence ID | --topic T [--party P]...,
 * from claimd or an export: how many independent primary sources a claim,
 * or each party's account of a topic, rests on (docs/narratives.md,
 * Source independence).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The verb's line in claim --help and its own --help (main.c's table). */
const struct cmd_text cmd_independence_usage = {
    "independence ID [--export FILE] | independence --topic T [--party P]... "
    "[--export FILE]",
    "How many independent primary sources a claim rests on, its sources "
    "followed upstream through the derivations it states and every "
    "claim's beyond them; or each party's account of a topic",
    "  --topic T      every claim on topic T, and each party's account of "
    "it\n"
    "  --party P      with --topic, only the claims of party P; repeated:\n"
    "                 of any of them\n"
    "  --export FILE  work on an export (claim export; - for standard\n"
    "                 input) instead of asking claimd: each record's\n"
    "                 hash and signature are checked\n"
    "Documents are the same across claims by SHA-256, else URL, else\n"
    "publisher and title; a loop of derivations counts as no primary\n"
    "source unless something outside it feeds it. Exit 1 when the claim\n"
    "is not found or no claim is on the topic.\n",
};

/*
 * name is among the parties (or topics) of the held claims; otherwise
 * "no party "X" in FILE; did you mean "Y"?" and exit 1.
 */
static int
known_in_export(
    const struct cli_graph *h, bool party, const char *name, const char *path)
{
	const char **names;
	const char *near;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < h->n; i++)
		if (h->e[i].payload.kind == PROTO_KIND_CLAIM)
			n += party ? 1 : h->e[i].payload.claim.ntopics;
	if ((names = calloc(n ? n : 1, sizeof(*names))) == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	n = 0;
	for (size_t i = 0; i < h->n; i++) {
		const struct proto_claim *c = &h->e[i].payload.claim;

		if (h->e[i].payload.kind != PROTO_KIND_CLAIM)
			continue;
		if (party)
			names[n++] = c->party;
		else
			for (size_t t = 0; t < c->ntopics; t++)
				names[n++] = c->topics[t];
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0) {
			free(names);
			return EX_DONE;
		}
	near = cli_closest(name, names, n);
	if (near != NULL)
		rc = cli_fail_err(PROTO_ENOTFOUND, false,
		    "no %s \"%s\" in %s; did you mean \"%s\"?",
		    party ? "party" : "topic", name, path, near);
	else
		rc = cli_fail_err(PROTO_ENOTFOUND, false, "no %s \"%s\" in %s",
		    party ? "party" : "topic", name, path);
	free(names);
	return rc;
}

/* The claim of the export whose id starts with ref (hex). */
static int
find_in_export(const struct cli_graph *h, const char *ref, const char *path,
    uint8_t id[PROTO_HASH_LEN])
{
	size_t len = strlen(ref);
	bool found = false;

	if (len < 4 || len > 2 * PROTO_HASH_LEN ||
	    strspn(ref, "0123456789abcdef") != len)
		return cli_fail(EX_USAGE,
		    "with --export, give the claim id in hex (4 digits or "
		    "more)");
	for (size_t i = 0; i < h->n; i++) {
		char hex[2 * PROTO_HASH_LEN + 1];

		if (h->e[i].payload.kind != PROTO_KIND_CLAIM)
			continue;
		proto_hex(h->e[i].claim, PROTO_HASH_LEN, hex);
		if (strncmp(hex, ref, len) != 0)
			continue;
		if (found && memcmp(id, h->e[i].claim, PROTO_HASH_LEN) != 0)
			return cli_fail(EX_USAGE,
			    "%s names more than one claim in %s: give more "
			    "digits",
			    ref, path);
		memcpy(id, h->e[i].claim, PROTO_HASH_LEN);
		found = true;
	}
	return found ? EX_DONE
		     : cli_fail(EX_NOTFOUND, "no claim %s in %s", ref, path);
}

/* Document d of an answer: Publisher, "Title" (date). */
static void
print_doc(json_t *a, json_t *d)
{
	json_t *doc = json_array_get(
	    json_object_get(a, "documents"), (size_t)json_integer_value(d));
	json_t *v;

	printf("%s, \"%s\"",
	    json_string_value(json_object_get(doc, "publisher")),
	    json_string_value(json_object_get(doc, "title")));
	if ((v = json_object_get(doc, "published")) != NULL)
		printf(" (%s)", json_string_value(v));
}

static json_int_t
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* "cites 3 sources, 1 independent" (cli_cites()) */
static void
print_count(json_t *a)
{
	char out[CLI_CITES_MAX];

	fputs(cli_cites(num(a, "cited"), num(a, "n_primary"), out), stdout);
}

static void
print_roots_loops(json_t *a)
{
	json_t *x, *m;
	size_t i, k;

	if (json_array_size(json_object_get(a, "roots")) > 0)
		printf("primary sources\n");
	json_array_foreach(json_object_get(a, "roots"), i, x)
	{
		json_int_t amp = num(x, "amplification");
		json_t *doc = json_array_get(json_object_get(a, "documents"),
		    (size_t)num(x, "document"));
		const char *owner =
		    json_string_value(json_object_get(x, "owner"));

		printf("  ");
		print_doc(a, json_object_get(x, "document"));
		/* One owner's outlets count once: say whose it is. */
		if (owner != NULL &&
		    strcmp(owner,
			json_string_value(json_object_get(doc, "publisher"))) !=
			0)
			printf(" [owner %s]", owner);
		printf(": %lld cited %s on it\n", (long long)amp,
		    amp == 1 ? "source rests" : "sources rest");
	}
	if (json_array_size(json_object_get(a, "loops")) > 0)
		printf("loops (no primary source of their own)\n");
	json_array_foreach(json_object_get(a, "loops"), i, x)
	{
		printf("  ");
		json_array_foreach(json_object_get(x, "members"), k, m)
		{
			if (k > 0)
				printf(" <-> ");
			print_doc(a, m);
		}
		printf("\n      %s\n",
		    json_is_true(json_object_get(x, "fed"))
			? "fed from outside: it counts what feeds it"
			: "nothing outside feeds it: it counts as none");
	}
	if (json_array_size(json_object_get(a, "unresolved")) > 0)
		printf("origin unresolved (only loops upstream)\n");
	json_array_foreach(json_object_get(a, "unresolved"), i, x)
	{
		printf("  ");
		print_doc(a, x);
		putchar('\n');
	}
}

static void
print_claim(json_t *a)
{
	json_t *s, *p, *step;
	size_t i, k, j;

	printf("claim %.12s (%s, version %lld): ",
	    json_string_value(json_object_get(a, "claim")),
	    json_string_value(json_object_get(a, "party")),
	    (long long)num(a, "version"));
	print_count(a);
	putchar('\n');
	print_roots_loops(a);
	if (json_array_size(json_object_get(a, "sources")) > 0)
		printf("sources\n");
	json_array_foreach(json_object_get(a, "sources"), i, s)
	{
		json_t *paths = json_object_get(s, "paths");

		printf("  [%lld] ", (long long)num(s, "index"));
		print_doc(a, json_object_get(s, "document"));
		putchar('\n');
		if (!json_is_true(json_object_get(s, "resolved"))) {
			printf("      no primary source: it rests on a loop\n");
			continue;
		}
		json_array_foreach(paths, k, p)
		{
			if (json_array_size(p) == 1) {
				printf("      (primary source)\n");
				continue;
			}
			json_array_foreach(p, j, step)
			{
				json_t *how = json_object_get(step, "how");

				if (how == NULL)
					break;
				printf("      %s ", json_string_value(how));
				print_doc(a,
				    json_object_get(
					json_array_get(p, j + 1), "document"));
				putchar('\n');
			}
		}
	}
}

static void
print_topic(json_t *t)
{
	json_t *x;
	size_t i, n = json_array_size(json_object_get(t, "claims"));

	printf("topic %s: %zu %s\n",
	    json_string_value(json_object_get(t, "topic")), n,
	    cli_noun(n, "claim", "claims"));
	json_array_foreach(json_object_get(t, "parties"), i, x)
	{
		json_int_t nc = num(x, "claims");

		printf("\nparty %s (%lld %s): ",
		    json_string_value(json_object_get(x, "party")),
		    (long long)nc,
		    cli_noun((unsigned long long)nc, "claim", "claims"));
		print_count(x);
		putchar('\n');
		print_roots_loops(x);
	}
	json_array_foreach(json_object_get(t, "claims"), i, x)
	{
		putchar('\n');
		print_claim(x);
	}
}

static int
topic_answer(struct cli *cli, const struct claim_sources *g,
    const struct cli_graph *h, const char *topic,
    const struct claim_filter *parties, const char *export)
{
	json_t *t;
	int rc = EX_DONE;

	if (claim_independence_topic(g, topic, parties, &t) != PROTO_OK)
		return cli_fail_err(PROTO_ENOMEM, false, "out of memory");
	if (json_array_size(json_object_get(t, "claims")) == 0) {
		/* A misspelt name is said with the closest one. */
		if (export != NULL)
			rc = known_in_export(h, false, topic, export);
		else
			rc = cli_topic_known(cli, topic);
		if (rc == EX_DONE)
			rc = parties->np > 0
			    ? cli_fail(EX_NOTFOUND, "no claims on %s by %s%s",
				  topic, parties->parties[0],
				  parties->np > 1 ? " or the others" : "")
			    : cli_fail(EX_NOTFOUND, "no claims on %s", topic);
		if (cli->json)
			cli_print_json(t);
		else
			json_decref(t);
		return rc;
	}
	if (cli->json)
		cli_print_json(t);
	else {
		print_topic(t);
		json_decref(t);
	}
	return EX_DONE;
}

/* The arguments' shape: an id, or --topic (with any --party) and none. */
static int
check_args(const struct cmd *me, int argc, const char *topic,
    const struct claim_filter *flt)
{
	if (topic != NULL ? optind != argc : optind + 1 != argc)
		return cli_usage_error(
		    me, "give one claim id, or --topic T and no id");
	if (flt->np > 0 && topic == NULL)
		return cli_usage_error(me, "--party goes with --topic");
	if (topic != NULL && !proto_slug_valid(topic, strlen(topic)))
		return cli_usage_error(me,
		    "topic \"%s\" is not a slug (1 to 64 of a-z 0-9 -)", topic);
	for (size_t i = 0; i < flt->np; i++)
		if (!proto_slug_valid(flt->parties[i], strlen(flt->parties[i])))
			return cli_usage_error(me,
			    "party \"%s\" is not a slug (1 to 64 of a-z 0-9 -)",
			    flt->parties[i]);
	return EX_DONE;
}

int
cmd_independence(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"topic", required_argument, NULL, 'T'},
	    {"party", required_argument, NULL, 'p'},
	    {"export", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("independence");
	const char *topic = NULL, *export = NULL;
	/* Each at most argc times: "any of" the values given. */
	const char **parties = calloc((size_t)argc + 1, sizeof(char *));
	struct claim_filter flt = {parties, 0, NULL, 0};
	struct cli_graph h;
	struct claim_sources *g;
	uint8_t id[PROTO_HASH_LEN];
	char err[256];
	json_t *a;
	int c, rc;

	memset(&h, 0, sizeof(h));
	if (parties == NULL)
		return cli_fail(EX_UNREACHABLE, "out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "T:p:e:", opts, NULL)) != -1) {
		if (c == 'T') {
			topic = optarg;
		} else if (c == 'p') {
			parties[flt.np++] = optarg;
		} else if (c == 'e') {
			export = optarg;
		} else {
			rc = cli_bad_option(me, argv);
			goto done;
		}
	}
	if ((rc = check_args(me, argc, topic, &flt)) != EX_DONE)
		goto done;
	if ((rc = cli_graph_load(cli, export, &h)) == EX_DONE && export == NULL)
		rc = cli_names_known(cli, parties, flt.np, NULL, 0, true);
	for (size_t i = 0; rc == EX_DONE && export != NULL && i < flt.np; i++)
		rc = known_in_export(&h, true, parties[i], export);
	if (rc != EX_DONE)
		goto done;
	g = h.g;
	if (topic != NULL) {
		rc = topic_answer(cli, g, &h, topic, &flt, export);
		goto done;
	}
	if (export != NULL)
		rc = find_in_export(&h, argv[optind], export, id);
	else if ((rc = claim_resolve(cli->client, argv[optind], id, err,
		      sizeof(err))) != PROTO_OK)
		rc = cli_fail_err(rc, false, "%s", err);
	if (rc != EX_DONE)
		goto done;
	if ((rc = claim_independence(g, id, &a)) != PROTO_OK) {
		/* A record that is no claim, or one newer than the list. */
		if (rc == PROTO_ENOTFOUND)
			rc = cli_fail_err(
			    rc, false, "%s is not a claim", argv[optind]);
		else
			rc = cli_fail_err(rc, false, "out of memory");
		goto done;
	}
	if (cli->json)
		cli_print_json(a);
	else {
		print_claim(a);
		json_decref(a);
	}
done:
	cli_graph_free(&h);
	free(parties);
	return rc;
}
