/*
 * names.c: the parties and topics claimd holds, and the closest of them
 * to a name that is not one, for "did you mean" in the listing verbs and
 * filters.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A request with an empty map, its reply as JSON holding array key. */
static int
fetch(struct cli *cli, int op, const char *key, json_t **out)
{
	union {
		struct proto_parties_rep parties;
		struct proto_topics_rep topics;
	} rep;
	struct claim_reply r;
	int rc;

	*out = NULL;
	if ((rc = cli_request(cli, op, &(struct proto_empty){0}, &rep, &r)) !=
	    EX_DONE)
		return rc;
	/* Of the op's shape (proto's tables), then shown as it came. */
	*out = cli_cbor_to_json(r.body, r.len);
	claim_reply_release(&r);
	if (*out == NULL || !json_is_array(json_object_get(*out, key))) {
		json_decref(*out);
		*out = NULL;
		return cli_fail(EX_UNREACHABLE, "bad reply from claimd");
	}
	return EX_DONE;
}

int
cli_parties_fetch(struct cli *cli, json_t **out)
{
	int rc = fetch(cli, PROTO_OP_PARTIES, "parties", out);

	if (rc == EX_DONE && !json_is_array(json_object_get(*out, "grants"))) {
		json_decref(*out);
		*out = NULL;
		return cli_fail(EX_UNREACHABLE, "bad reply from claimd");
	}
	return rc;
}

int
cli_topics_fetch(struct cli *cli, json_t **out)
{
	return fetch(cli, PROTO_OP_TOPICS, "topics", out);
}

/*
 * The optimal string alignment distance (Damerau-Levenshtein without
 * editing a substring twice): insertions, deletions, substitutions and
 * swaps of neighbours cost one each. Names are slugs of at most 64
 * bytes; longer input is cut there, which only makes it less alike.
 */
#define NAME_MAX_LEN 64

size_t
cli_distance(const char *a, const char *b)
{
	size_t d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];
	size_t m = strnlen(a, NAME_MAX_LEN), n = strnlen(b, NAME_MAX_LEN);

	for (size_t i = 0; i <= m; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= n; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= m; i++)
		for (size_t j = 1; j <= n; j++) {
			size_t cost = a[i - 1] != b[j - 1], v;

			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[m][n];
}

const char *
cli_closest(const char *name, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1;

	for (size_t i = 0; i < n; i++) {
		size_t d = cli_distance(name, names[i]);

		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}

/*
 * The name of names a mistyped or shortened name most likely means: one
 * that begins with it (the shortest), else one that holds it, else the
 * one fewest edits away. "lachin" means lachin-checkpoint, not whatever
 * short name is four edits from it.
 */
static const char *
likely(const char *name, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t len = strlen(name);

	for (int pass = 0; pass < 2 && best == NULL && len >= 3; pass++)
		for (size_t i = 0; i < n; i++) {
			bool hit = pass == 0 ? strncmp(names[i], name, len) == 0
					     : strstr(names[i], name) != NULL;

			if (hit &&
			    (best == NULL || strlen(names[i]) < strlen(best)))
				best = names[i];
		}
	return best != NULL ? best : cli_closest(name, names, n);
}

/* As cli_name_known(); when !fatal, an unknown name is a warning only. */
static int
name_check(json_t *list, const char *what, const char *name, bool fatal)
{
	const char **names = NULL;
	const char *near;
	json_t *p;
	size_t i, n = json_array_size(list);
	int rc = EX_DONE;

	if ((names = calloc(n ? n : 1, sizeof(*names))) == NULL)
		return cli_fail(EX_UNREACHABLE, "out of memory");
	json_array_foreach(list, i, p)
	{
		names[i] = json_string_value(json_array_get(p, 0));
		if (names[i] == NULL)
			names[i] = "";
		if (strcmp(names[i], name) == 0)
			goto cleanup;
	}
	near = likely(name, names, n);
	if (!fatal && near != NULL)
		cli_warn("no %s \"%s\" yet; did you mean \"%s\"? (waiting for "
			 "it anyway)",
		    what, name, near);
	else if (!fatal)
		cli_warn(
		    "no %s \"%s\" yet (waiting for it anyway)", what, name);
	else if (near != NULL)
		rc = cli_fail_err(PROTO_ENOTFOUND, false,
		    "no %s \"%s\"; did you mean \"%s\"?", what, name, near);
	else
		rc = cli_fail_err(PROTO_ENOTFOUND, false,
		    "no %s \"%s\"; claimd has none", what, name);
cleanup:
	free(names);
	return rc;
}

int
cli_name_known(json_t *list, const char *what, const char *name)
{
	return name_check(list, what, name, true);
}

int
cli_names_known(struct cli *cli, const char *const *parties, size_t np,
    const char *const *topics, size_t nt, bool fatal)
{
	json_t *j;
	int rc = EX_DONE;

	if (np > 0) {
		if ((rc = cli_parties_fetch(cli, &j)) != EX_DONE)
			return rc;
		for (size_t i = 0; i < np && rc == EX_DONE; i++)
			rc = name_check(json_object_get(j, "parties"), "party",
			    parties[i], fatal);
		json_decref(j);
	}
	if (nt > 0 && rc == EX_DONE) {
		if ((rc = cli_topics_fetch(cli, &j)) != EX_DONE)
			return rc;
		for (size_t i = 0; i < nt && rc == EX_DONE; i++)
			rc = name_check(json_object_get(j, "topics"), "topic",
			    topics[i], fatal);
		json_decref(j);
	}
	return rc;
}

int
cli_party_known(struct cli *cli, const char *slug)
{
	json_t *j;
	int rc;

	if ((rc = cli_parties_fetch(cli, &j)) != EX_DONE)
		return rc;
	rc = cli_name_known(json_object_get(j, "parties"), "party", slug);
	json_decref(j);
	return rc;
}

int
cli_topic_known(struct cli *cli, const char *topic)
{
	json_t *j;
	int rc;

	if ((rc = cli_topics_fetch(cli, &j)) != EX_DONE)
		return rc;
	rc = cli_name_known(json_object_get(j, "topics"), "topic", topic);
	json_decref(j);
	return rc;
}
