/*
 * json.c: the client's claim JSON (docs/format.md, Client JSON) to and
 * from payloads. jansson does the parsing; this file only maps names.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "proto.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Keys that show --json prints and that a claim read back as input may
 * carry: the client decides them, so they are accepted and ignored.
 */
static const char *const output_keys[] = {"claim", "version", "hash", "index",
    "status", "signer", "time", "kind", "prev", "reinstates", "independence"};

static bool
in_list(const char *const *list, size_t n, const char *key)
{
	for (size_t i = 0; list != NULL && i < n; i++)
		if (strcmp(list[i], key) == 0)
			return true;
	return false;
}

/* Checks that obj has only keys from known, extra and output_keys. */
static int
check_keys(const json_t *obj, const char *where, const char *const *known,
    size_t nknown, const char *const *extra, bool output, char *err,
    size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
	{
		(void)v;
		if (in_list(known, nknown, key))
			continue;
		if (output && in_list(output_keys, NELEM(output_keys), key))
			continue;
		if (extra != NULL) {
			size_t n = 0;

			while (extra[n] != NULL)
				n++;
			if (in_list(extra, n, key))
				continue;
		}
		return proto_fail(err, errlen, PROTO_EJSON,
		    "%s: unknown key \"%.64s\"", where, key);
	}
	return PROTO_OK;
}

/* Copies the string at key (if present) into *out. */
static int
get_str(const json_t *obj, const char *where, const char *key, bool required,
    char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return proto_fail(err, errlen, PROTO_EJSON,
			    "%s: \"%s\" missing", where, key);
		return PROTO_OK;
	}
	if (!json_is_string(v))
		return proto_fail(err, errlen, PROTO_EJSON,
		    "%s: \"%s\" must be a string", where, key);
	n = json_string_length(v);
	if (memchr(json_string_value(v), '\0', n) != NULL)
		return proto_fail(err, errlen, PROTO_EJSON,
		    "%s: \"%s\" holds a NUL character", where, key);
	if ((*out = strdup(json_string_value(v))) == NULL)
		return PROTO_ENOMEM;
	return PROTO_OK;
}

/* Source i of the n in a claim. */
static int
source_from_json(const json_t *o, size_t i, size_t n, struct proto_source *s,
    char *err, size_t errlen)
{
	static const char *const keys[] = {"publisher", "title", "url",
	    "published", "quote", "sha256", "derivation"};
	char where[32], *hex = NULL;
	json_t *d;
	int rc;

	snprintf(where, sizeof(where), "sources[%zu]", i);
	if (!json_is_object(o))
		return proto_fail(
		    err, errlen, PROTO_EJSON, "%s must be an object", where);
	if ((rc = check_keys(
		 o, where, keys, NELEM(keys), NULL, false, err, errlen)) ||
	    (rc = get_str(
		 o, where, "publisher", true, &s->publisher, err, errlen)) ||
	    (rc = get_str(o, where, "title", true, &s->title, err, errlen)) ||
	    (rc = get_str(o, where, "url", false, &s->url, err, errlen)) ||
	    (rc = get_str(
		 o, where, "published", false, &s->published, err, errlen)) ||
	    (rc = get_str(o, where, "quote", false, &s->quote, err, errlen)) ||
	    (rc = get_str(o, where, "sha256", false, &hex, err, errlen)))
		return rc;
	if (hex != NULL) {
		s->has_sha256 = true;
		rc = proto_unhex(hex, s->sha256, PROTO_HASH_LEN);
		free(hex);
		if (rc != PROTO_OK)
			return proto_fail(err, errlen, PROTO_EJSON,
			    "%s: sha256 must be 64 hex digits", where);
	}
	if ((d = json_object_get(o, "derivation")) != NULL) {
		static const char *const dkeys[] = {"from", "how"};
		json_t *from = json_object_get(d, "from");
		json_t *how = json_object_get(d, "how");
		int h;

		if (!json_is_object(d) ||
		    check_keys(d, where, dkeys, NELEM(dkeys), NULL, false, NULL,
			0) != PROTO_OK ||
		    !json_is_integer(from) || json_integer_value(from) < 0 ||
		    !json_is_string(how))
			return proto_fail(err, errlen, PROTO_EJSON,
			    "%s: derivation must be {\"from\": source index, "
			    "\"how\": \"quotes\"|\"reports\"|...}",
			    where);
		if ((h = proto_how_parse(json_string_value(how))) < 0)
			return proto_fail(err, errlen, PROTO_EJSON,
			    "%s: derivation.how \"%.32s\" is not one of quotes, "
			    "reports, translates, summarizes, republishes",
			    where, json_string_value(how));
		/* The one bound people get wrong: say it with the numbers. */
		if ((json_int_t)n <= json_integer_value(from))
			return proto_fail(err, errlen, PROTO_EJSON,
			    "%s.derivation.from: %lld names no source (%zu "
			    "source%s, numbered from 0)",
			    where, (long long)json_integer_value(from), n,
			    n == 1 ? "" : "s");
		if ((size_t)json_integer_value(from) == i)
			return proto_fail(err, errlen, PROTO_EJSON,
			    "%s.derivation.from: %zu is this source itself",
			    where, i);
		s->has_derivation = true;
		s->from = (uint32_t)json_integer_value(from);
		s->how = (enum proto_how)h;
	}
	return PROTO_OK;
}

/*
 * A rating number: a JSON number, or a string holding one, in canonical
 * decimal text (docs/format.md, Ratings).
 */
static int
decimal_from_json(const json_t *v, size_t i, const char *key, char **out,
    char *err, size_t errlen)
{
	char buf[64], canon[PROTO_DECIMAL_MAX + 1];

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return PROTO_OK;
	if (json_is_integer(v))
		snprintf(
		    buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		/* 15 significant digits: what a double holds exactly. */
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
	else if (json_is_string(v))
		snprintf(buf, sizeof(buf), "%s", json_string_value(v));
	else
		buf[0] = '\0';
	if ((json_is_string(v) && json_string_length(v) >= sizeof(buf)) ||
	    proto_decimal_canon(buf, strlen(buf), canon) != PROTO_OK)
		return proto_fail(err, errlen, PROTO_EJSON,
		    "claim: relations[%zu].rating.%s must be a number (such "
		    "as 4 or 2.5; at most %d digits before the point and %d "
		    "after it)",
		    i, key, PROTO_DECIMAL_INT_MAX, PROTO_DECIMAL_FRAC_MAX);
	return (*out = strdup(canon)) != NULL ? PROTO_OK : PROTO_ENOMEM;
}

static int
rating_from_json(const json_t *o, size_t i, struct proto_rating **out,
    char *err, size_t errlen)
{
	static const char *const keys[] = {"text", "value", "best", "worst"};
	struct proto_rating *g;
	char where[40];
	int rc;

	*out = NULL;
	if (o == NULL || json_is_null(o))
		return PROTO_OK;
	snprintf(where, sizeof(where), "relations[%zu].rating", i);
	if (!json_is_object(o))
		return proto_fail(err, errlen, PROTO_EJSON,
		    "claim: %s must be {\"text\": ..., \"value\": ..., "
		    "\"best\": ..., \"worst\": ...}",
		    where);
	if ((rc = check_keys(
		 o, where, keys, NELEM(keys), NULL, false, err, errlen)))
		return rc;
	if ((*out = g = calloc(1, sizeof(*g))) == NULL)
		return PROTO_ENOMEM;
	if ((rc = get_str(o, where, "text", true, &g->text, err, errlen)) ||
	    (rc = decimal_from_json(json_object_get(o, "value"), i, "value",
		 &g->value, err, errlen)) ||
	    (rc = decimal_from_json(json_object_get(o, "best"), i, "best",
		 &g->best, err, errlen)) ||
	    (rc = decimal_from_json(json_object_get(o, "worst"), i, "worst",
		 &g->worst, err, errlen)))
		return rc;
	return PROTO_OK;
}

int
proto_claim_from_json(const struct json_t *obj, proto_resolve_fn resolve,
    void *ctx, const char *const *extra, struct proto_payload *p, char *err,
    size_t errlen)
{
	static const char *const keys[] = {"party", "topics", "statement",
	    "made", "sources", "relations", "note"};
	struct proto_claim *c = &p->claim;
	json_t *a, *v;
	size_t i;
	int rc;

	proto_payload_init(p);
	p->kind = PROTO_KIND_CLAIM;
	c->version = 1;
	c->status = PROTO_STATUS_ASSERTED;
	if (!json_is_object(obj))
		return proto_fail(
		    err, errlen, PROTO_EJSON, "a claim must be a JSON object");
	if ((rc = check_keys(
		 obj, "claim", keys, NELEM(keys), extra, true, err, errlen)) ||
	    (rc = get_str(
		 obj, "claim", "party", true, &c->party, err, errlen)) ||
	    (rc = get_str(obj, "claim", "statement", true, &c->statement, err,
		 errlen)) ||
	    (rc = get_str(
		 obj, "claim", "made", false, &c->made, err, errlen)) ||
	    (rc = get_str(obj, "claim", "note", false, &c->note, err, errlen)))
		goto fail;

	a = json_object_get(obj, "topics");
	if (!json_is_array(a) || json_array_size(a) == 0) {
		rc = proto_fail(err, errlen, PROTO_EJSON,
		    "claim: \"topics\" must be a non-empty array of slugs");
		goto fail;
	}
	if (json_array_size(a) > PROTO_TOPICS_MAX) {
		rc = proto_fail(err, errlen, PROTO_ETOOBIG,
		    "claim: more than %d topics", PROTO_TOPICS_MAX);
		goto fail;
	}
	if ((c->topics = calloc(json_array_size(a), sizeof(char *))) == NULL)
		goto nomem;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v)) {
			rc = proto_fail(err, errlen, PROTO_EJSON,
			    "claim: topics[%zu] must be a string", i);
			goto fail;
		}
		if ((c->topics[i] = strdup(json_string_value(v))) == NULL)
			goto nomem;
		c->ntopics++;
	}

	if ((a = json_object_get(obj, "sources")) != NULL) {
		if (!json_is_array(a) ||
		    json_array_size(a) > PROTO_SOURCES_MAX) {
			rc = proto_fail(err, errlen, PROTO_EJSON,
			    "claim: \"sources\" must be an array of at most "
			    "%d",
			    PROTO_SOURCES_MAX);
			goto fail;
		}
		if (json_array_size(a) > 0 &&
		    (c->sources = calloc(
			 json_array_size(a), sizeof(*c->sources))) == NULL)
			goto nomem;
		json_array_foreach(a, i, v)
		{
			c->nsources++;
			if ((rc = source_from_json(v, i, json_array_size(a),
				 &c->sources[i], err, errlen)) != PROTO_OK)
				goto fail;
		}
	}

	if ((a = json_object_get(obj, "relations")) != NULL) {
		if (!json_is_array(a) ||
		    json_array_size(a) > PROTO_RELATIONS_MAX) {
			rc = proto_fail(err, errlen, PROTO_EJSON,
			    "claim: \"relations\" must be an array of at most "
			    "%d",
			    PROTO_RELATIONS_MAX);
			goto fail;
		}
		if (json_array_size(a) > 0 &&
		    (c->relations = calloc(
			 json_array_size(a), sizeof(*c->relations))) == NULL)
			goto nomem;
		json_array_foreach(a, i, v)
		{
			static const char *const rkeys[] = {
			    "rel", "claim", "rating"};
			json_t *rel = json_object_get(v, "rel");
			json_t *id = json_object_get(v, "claim");
			int r;

			if (!json_is_object(v) ||
			    check_keys(v, "relation", rkeys, NELEM(rkeys), NULL,
				false, NULL, 0) != PROTO_OK ||
			    !json_is_string(rel) || !json_is_string(id)) {
				rc = proto_fail(err, errlen, PROTO_EJSON,
				    "claim: relations[%zu] must be {\"rel\": "
				    "..., \"claim\": ID}",
				    i);
				goto fail;
			}
			if ((r = proto_rel_parse(json_string_value(rel))) < 0) {
				rc = proto_fail(err, errlen, PROTO_EJSON,
				    "claim: relations[%zu].rel \"%.32s\" is not "
				    "supports, disputes, cites or review",
				    i, json_string_value(rel));
				goto fail;
			}
			c->relations[i].rel = (enum proto_rel)r;
			if ((rc = rating_from_json(json_object_get(v, "rating"),
				 i, &c->relations[i].rating, err, errlen)) !=
			    PROTO_OK) {
				c->nrelations++;
				goto fail;
			}
			if (resolve != NULL)
				rc = resolve(ctx, json_string_value(id),
				    c->relations[i].claim, err, errlen);
			else if ((rc = proto_unhex(json_string_value(id),
				      c->relations[i].claim, PROTO_HASH_LEN)) !=
			    PROTO_OK)
				rc = proto_fail(err, errlen, PROTO_EJSON,
				    "claim: relations[%zu].claim must be a "
				    "64-digit claim id",
				    i);
			c->nrelations++;
			if (rc != PROTO_OK)
				goto fail;
		}
	}
	return PROTO_OK;
nomem:
	rc = PROTO_ENOMEM;
fail:
	proto_payload_release(p);
	return rc;
}

/*
 * Output
 */

static int
set_str(json_t *o, const char *key, const char *s)
{
	if (s == NULL)
		return 0;
	return json_object_set_new(o, key, json_string(s));
}

static int
set_hex(json_t *o, const char *key, const uint8_t *p, size_t n)
{
	char hex[2 * 64 + 1];

	proto_hex(p, n, hex);
	return json_object_set_new(o, key, json_string(hex));
}

static json_t *
source_to_json(const struct proto_source *s)
{
	json_t *o = json_object(), *d;

	if (o == NULL)
		return NULL;
	set_str(o, "publisher", s->publisher);
	set_str(o, "title", s->title);
	set_str(o, "url", s->url);
	set_str(o, "published", s->published);
	set_str(o, "quote", s->quote);
	if (s->has_sha256)
		set_hex(o, "sha256", s->sha256, PROTO_HASH_LEN);
	if (s->has_derivation) {
		d = json_pack("{s:I, s:s}", "from", (json_int_t)s->from, "how",
		    proto_how_name(s->how));
		json_object_set_new(o, "derivation", d);
	}
	return o;
}

struct json_t *
proto_rating_to_json(const struct proto_rating *g)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	/* Numbers as the record holds them: exact decimal text. */
	set_str(o, "text", g->text);
	set_str(o, "value", g->value);
	set_str(o, "best", g->best);
	set_str(o, "worst", g->worst);
	return o;
}

struct json_t *
proto_payload_to_json(const struct proto_payload *p)
{
	const struct proto_claim *c = &p->claim;
	json_t *o = json_object(), *a;

	if (o == NULL)
		return NULL;
	/* Exact in every JSON reader: a valid payload's time is below
	 * 2^53 (docs/format.md, Times). */
	if (p->time >= PROTO_TIME_END) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "kind", json_string(proto_kind_name(p->kind)));
	json_object_set_new(o, "time", json_integer((json_int_t)p->time));
	if (p->kind == PROTO_KIND_OWNER) {
		set_str(o, "owner", p->reg.party);
		a = json_array();
		for (size_t i = 0; i < p->reg.npublishers; i++)
			json_array_append_new(
			    a, json_string(p->reg.publishers[i]));
		json_object_set_new(o, "publishers", a);
		return o;
	}
	if (p->kind != PROTO_KIND_CLAIM) {
		set_str(o, "party", p->reg.party);
		set_str(o, "name", p->reg.name);
		if (p->kind != PROTO_KIND_PARTY)
			set_hex(o, "key", p->reg.key, PROTO_PUBKEY_LEN);
		return o;
	}
	set_str(o, "party", c->party);
	json_object_set_new(o, "version", json_integer((json_int_t)c->version));
	if (c->version > 1) {
		set_hex(o, "claim", c->claim, PROTO_HASH_LEN);
		set_hex(o, "prev", c->prev, PROTO_HASH_LEN);
	}
	json_object_set_new(
	    o, "status", json_string(proto_status_name(c->status)));
	a = json_array();
	for (size_t i = 0; i < c->ntopics; i++)
		json_array_append_new(a, json_string(c->topics[i]));
	json_object_set_new(o, "topics", a);
	set_str(o, "statement", c->statement);
	set_str(o, "made", c->made);
	a = json_array();
	for (size_t i = 0; i < c->nsources; i++)
		json_array_append_new(a, source_to_json(&c->sources[i]));
	json_object_set_new(o, "sources", a);
	a = json_array();
	for (size_t i = 0; i < c->nrelations; i++) {
		json_t *r = json_object();

		json_object_set_new(
		    r, "rel", json_string(proto_rel_name(c->relations[i].rel)));
		set_hex(r, "claim", c->relations[i].claim, PROTO_HASH_LEN);
		if (c->relations[i].rating != NULL)
			json_object_set_new(r, "rating",
			    proto_rating_to_json(c->relations[i].rating));
		json_array_append_new(a, r);
	}
	json_object_set_new(o, "relations", a);
	set_str(o, "note", c->note);
	if (c->reinstates)
		json_object_set_new(o, "reinstates", json_true());
	return o;
}
