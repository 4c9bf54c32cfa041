/*
 * narrative.c: competing accounts side by side, and where sources came
 * from. Both work on claim entries, fetched or read from an export.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "claim.h"
#include "internal.h"

static bool
listed(const char *party, const char *const *parties, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(parties[i], party) == 0)
			return true;
	return false;
}

/*
 * Relations name claims by id. A narrative may hold 100,000 claims and as
 * many relations, so they are looked up in the claims sorted by id (then
 * by place, so that the first entry of a claim is the one found), not by
 * walking the list for each one.
 */
static int
by_id(const void *a, const void *b)
{
	const struct claim_entry *x = *(const struct claim_entry *const *)a;
	const struct claim_entry *y = *(const struct claim_entry *const *)b;
	int c = memcmp(x->claim, y->claim, PROTO_HASH_LEN);

	return c != 0 ? c : (x > y) - (x < y);
}

static const struct claim_entry **
id_index(const struct claim_entry *e, size_t n, size_t *out)
{
	const struct claim_entry **ix = calloc(n ? n : 1, sizeof(*ix));
	size_t m = 0;

	if (ix == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (e[i].payload.kind == PROTO_KIND_CLAIM)
			ix[m++] = &e[i];
	qsort(ix, m, sizeof(*ix), by_id);
	*out = m;
	return ix;
}

static const struct claim_entry *
find(const struct claim_entry **ix, size_t n, const uint8_t id[PROTO_HASH_LEN])
{
	size_t lo = 0, hi = n;

	/* The first entry whose id is not below id. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(ix[mid]->claim, id, PROTO_HASH_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && memcmp(ix[lo]->claim, id, PROTO_HASH_LEN) == 0 ? ix[lo]
									: NULL;
}

static bool
has_topic(const struct proto_claim *c, const char *topic)
{
	for (size_t i = 0; i < c->ntopics; i++)
		if (strcmp(c->topics[i], topic) == 0)
			return true;
	return false;
}

static json_t *
id_json(const uint8_t id[PROTO_HASH_LEN])
{
	char hex[2 * PROTO_HASH_LEN + 1];

	proto_hex(id, PROTO_HASH_LEN, hex);
	return json_string(hex);
}

/* The short summary of a claim every section refers to. */
static json_t *
claim_card(const struct claim_entry *e)
{
	const struct proto_claim *c = &e->payload.claim;
	json_t *o = json_object(), *topics = json_array();

	json_object_set_new(o, "claim", id_json(e->claim));
	json_object_set_new(o, "party", json_string(c->party));
	json_object_set_new(o, "version", json_integer((json_int_t)c->version));
	json_object_set_new(
	    o, "status", json_string(proto_status_name(c->status)));
	json_object_set_new(o, "statement", json_string(c->statement));
	if (c->made != NULL)
		json_object_set_new(o, "made", json_string(c->made));
	for (size_t i = 0; i < c->ntopics; i++)
		json_array_append_new(topics, json_string(c->topics[i]));
	json_object_set_new(o, "topics", topics);
	json_object_set_new(
	    o, "sources", json_integer((json_int_t)c->nsources));
	if (c->status == PROTO_STATUS_RETRACTED && c->note != NULL)
		json_object_set_new(
		    o, "retracted_because", json_string(c->note));
	return o;
}

char *
claim_source_key(const struct proto_source *s)
{
	char hex[2 * PROTO_HASH_LEN + 1], *k;

	if (s->has_sha256) {
		proto_hex(s->sha256, PROTO_HASH_LEN, hex);
		return asprintf(&k, "sha256:%s", hex) < 0 ? NULL : k;
	}
	if (s->url != NULL)
		return asprintf(&k, "url:%s", s->url) < 0 ? NULL : k;
	return asprintf(&k, "pt:%s\n%s", s->publisher, s->title) < 0 ? NULL : k;
}

static json_t *
source_card(const struct proto_source *s)
{
	json_t *o = json_object();
	char hex[2 * PROTO_HASH_LEN + 1];

	json_object_set_new(o, "publisher", json_string(s->publisher));
	json_object_set_new(o, "title", json_string(s->title));
	if (s->url)
		json_object_set_new(o, "url", json_string(s->url));
	if (s->published)
		json_object_set_new(o, "published", json_string(s->published));
	if (s->has_sha256) {
		proto_hex(s->sha256, PROTO_HASH_LEN, hex);
		json_object_set_new(o, "sha256", json_string(hex));
	}
	return o;
}

/* Sources cited by claims of at least two of the listed parties. */
static json_t *
shared_sources(const struct claim_entry **mine, size_t n)
{
	json_t *by_key = json_object(), *out = json_array(), *v;
	const char *key;

	for (size_t i = 0; i < n; i++) {
		const struct proto_claim *c = &mine[i]->payload.claim;

		for (size_t k = 0; k < c->nsources; k++) {
			char *sk = claim_source_key(&c->sources[k]);
			json_t *entry, *cited, *ids;

			if (sk == NULL)
				continue;
			if ((entry = json_object_get(by_key, sk)) == NULL) {
				entry = json_pack("{s:o, s:o}", "source",
				    source_card(&c->sources[k]), "cited_by",
				    json_object());
				json_object_set_new(by_key, sk, entry);
			}
			cited = json_object_get(entry, "cited_by");
			if ((ids = json_object_get(cited, c->party)) == NULL) {
				ids = json_array();
				json_object_set_new(cited, c->party, ids);
			}
			/* A claim citing one document twice counts once. */
			v = id_json(mine[i]->claim);
			if (json_array_size(ids) > 0 &&
			    json_equal(
				json_array_get(ids, json_array_size(ids) - 1),
				v))
				json_decref(v);
			else
				json_array_append_new(ids, v);
			free(sk);
		}
	}
	json_object_foreach(by_key, key, v)
	{
		if (json_object_size(json_object_get(v, "cited_by")) >= 2)
			json_array_append(out, v);
	}
	json_decref(by_key);
	return out;
}

static int
by_made(const void *a, const void *b)
{
	const struct claim_entry *x = *(const struct claim_entry *const *)a;
	const struct claim_entry *y = *(const struct claim_entry *const *)b;
	const char *dx = x->payload.claim.made, *dy = y->payload.claim.made;
	int c;

	/* Undated claims last; ties in log order. */
	if (dx == NULL || dy == NULL) {
		if (dx != dy)
			return dx == NULL ? 1 : -1;
	} else if ((c = strcmp(dx, dy)) != 0) {
		return c;
	}
	return (x->index > y->index) - (x->index < y->index);
}

static json_t *
narrative(const struct claim_entry *e, size_t n, const char *topic,
    const char *const *parties, size_t np)
{
	const struct claim_entry **mine, **ix = NULL;
	json_t *out = json_object(), *only = json_object(), *plist;
	json_t *disputes = json_array(), *supports = json_array();
	json_t *reviews = json_array();
	json_t *timeline = json_array(), *cards = json_object();
	size_t nm = 0, nix = 0;
	bool *linked = NULL;
	size_t *place = NULL; /* by entry: its place in mine, or SIZE_MAX */

	if ((mine = calloc(n ? n : 1, sizeof(*mine))) == NULL ||
	    (linked = calloc(n ? n : 1, sizeof(*linked))) == NULL ||
	    (place = calloc(n ? n : 1, sizeof(*place))) == NULL ||
	    (ix = id_index(e, n, &nix)) == NULL) {
		free(mine);
		free(linked);
		free(place);
		json_decref(out);
		json_decref(only);
		json_decref(disputes);
		json_decref(supports);
		json_decref(reviews);
		json_decref(timeline);
		json_decref(cards);
		return NULL;
	}
	/* The listed parties' claims on the topic. */
	for (size_t i = 0; i < n; i++) {
		const struct proto_claim *c = &e[i].payload.claim;

		place[i] = SIZE_MAX;
		if (e[i].payload.kind == PROTO_KIND_CLAIM &&
		    has_topic(c, topic) && listed(c->party, parties, np)) {
			place[i] = nm;
			mine[nm++] = &e[i];
		}
	}
	for (size_t i = 0; i < nm; i++) {
		char hex[2 * PROTO_HASH_LEN + 1];

		proto_hex(mine[i]->claim, PROTO_HASH_LEN, hex);
		json_object_set_new(cards, hex, claim_card(mine[i]));
	}
	/* Relations between claims of different listed parties. The
	 * target may lie outside the topic: it still shows the dispute. */
	for (size_t i = 0; i < nm; i++) {
		const struct proto_claim *c = &mine[i]->payload.claim;

		for (size_t r = 0; r < c->nrelations; r++) {
			const struct claim_entry *t =
			    find(ix, nix, c->relations[r].claim);
			json_t *pair;

			if (t == NULL ||
			    c->relations[r].rel == PROTO_REL_CITES ||
			    !listed(t->payload.claim.party, parties, np) ||
			    strcmp(t->payload.claim.party, c->party) == 0)
				continue;
			linked[i] = true;
			if (place[t - e] != SIZE_MAX)
				linked[place[t - e]] = true;
			if (!has_topic(&t->payload.claim, topic)) {
				char hex[2 * PROTO_HASH_LEN + 1];

				proto_hex(t->claim, PROTO_HASH_LEN, hex);
				json_object_set_new(cards, hex, claim_card(t));
			}
			pair = json_pack("{s:o, s:s, s:o, s:s, s:b}", "claim",
			    id_json(mine[i]->claim), "party", c->party, "other",
			    id_json(t->claim), "other_party",
			    t->payload.claim.party, "retracted",
			    c->status == PROTO_STATUS_RETRACTED ||
				t->payload.claim.status ==
				    PROTO_STATUS_RETRACTED);
			if (c->relations[r].rating != NULL)
				json_object_set_new(pair, "rating",
				    proto_rating_to_json(
					c->relations[r].rating));
			json_array_append_new(
			    c->relations[r].rel == PROTO_REL_DISPUTES ? disputes
				: c->relations[r].rel == PROTO_REL_REVIEW
				? reviews
				: supports,
			    pair);
		}
	}
	plist = json_array();
	for (size_t p = 0; p < np; p++) {
		json_t *ids = json_array();

		json_array_append_new(plist, json_string(parties[p]));
		for (size_t i = 0; i < nm; i++)
			if (!linked[i] &&
			    strcmp(mine[i]->payload.claim.party, parties[p]) ==
				0)
				json_array_append_new(
				    ids, id_json(mine[i]->claim));
		json_object_set_new(only, parties[p], ids);
	}
	qsort(mine, nm, sizeof(*mine), by_made);
	for (size_t i = 0; i < nm; i++)
		json_array_append_new(timeline, id_json(mine[i]->claim));
	json_object_set_new(out, "topic", json_string(topic));
	json_object_set_new(out, "parties", plist);
	json_object_set_new(out, "claims", cards);
	json_object_set_new(out, "disputes", disputes);
	json_object_set_new(out, "supports", supports);
	json_object_set_new(out, "reviews", reviews);
	json_object_set_new(out, "only", only);
	json_object_set_new(out, "shared_sources", shared_sources(mine, nm));
	json_object_set_new(out, "timeline", timeline);
	free(mine);
	free(linked);
	free(place);
	free(ix);
	return out;
}

int
claim_narrative(const struct claim_entry *e, size_t n, const char *topic,
    const char *const *parties, size_t np, json_t **out)
{
	*out = narrative(e, n, topic, parties, np);
	return *out != NULL ? PROTO_OK : PROTO_ENOMEM;
}

int
claim_trace(const struct claim_entry *e, json_t **result)
{
	const struct proto_claim *c = &e->payload.claim;
	json_t *out, *list;

	*result = NULL;
	if (e->payload.kind != PROTO_KIND_CLAIM)
		return PROTO_EINVAL;
	if ((out = json_object()) == NULL)
		return PROTO_ENOMEM;
	if ((list = json_array()) == NULL) {
		json_decref(out);
		return PROTO_ENOMEM;
	}

	json_object_set_new(out, "claim", id_json(e->claim));
	json_object_set_new(out, "party", json_string(c->party));
	json_object_set_new(
	    out, "version", json_integer((json_int_t)c->version));
	for (size_t i = 0; i < c->nsources; i++) {
		json_t *chain = json_array(), *t = json_object();
		size_t j = i, steps = 0;

		/* The schema guarantees the chain ends (no cycles). */
		for (;;) {
			const struct proto_source *s = &c->sources[j];
			json_t *link = source_card(s);

			json_object_set_new(
			    link, "index", json_integer((json_int_t)j));
			if (s->quote != NULL)
				json_object_set_new(
				    link, "quote", json_string(s->quote));
			if (s->has_derivation)
				json_object_set_new(link, "how",
				    json_string(proto_how_name(s->how)));
			json_array_append_new(chain, link);
			if (!s->has_derivation || ++steps > c->nsources)
				break;
			j = s->from;
		}
		json_object_set_new(t, "source", json_integer((json_int_t)i));
		json_object_set_new(t, "primary", json_integer((json_int_t)j));
		json_object_set_new(t, "chain", chain);
		json_array_append_new(list, t);
	}
	json_object_set_new(out, "sources", list);
	*result = out;
	return PROTO_OK;
}
