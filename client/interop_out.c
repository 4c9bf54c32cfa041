/*
 * interop_out.c: the log as schema.org ClaimReview (JSON-LD, one review
 * a line) and as W3C PROV-JSON (docs/interop.md), for claim export
 * --claimreview and --prov. Both read the whole log in order: from
 * claimd, or from an export.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* What the log says: the party names, each claim's versions. */
struct log_view {
	json_t *names; /* slug -> full name */
	json_t *heads; /* claim id hex -> index into e of its newest */
	struct claim_entry *e;
	size_t n, cap;
};

static int
keep(void *ctx, const struct claim_entry *in)
{
	struct log_view *v = ctx;
	struct claim_entry *e;
	char err[256];

	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 256;

		if ((e = realloc(v->e, cap * sizeof(*e))) == NULL)
			return PROTO_ENOMEM;
		v->e = e;
		v->cap = cap;
	}
	/* A copy of its own: the reader reuses its entry. */
	if (claim_entry_open(&v->e[v->n], in->index, in->bytes, in->len, false,
		err, sizeof(err)) != PROTO_OK)
		return PROTO_ENOMEM;
	v->n++;
	return PROTO_OK;
}

/* Every entry of the log, from claimd or from the export at path. */
static int
load(struct cli *cli, const char *path, struct log_view *v)
{
	char err[256];
	int rc;

	memset(v, 0, sizeof(*v));
	v->names = json_object();
	v->heads = json_object();
	if (path != NULL) {
		FILE *f;

		if ((rc = cli_open_input(path, &f)) != EX_DONE)
			return rc;
		rc = claim_read_export(f, keep, v, err, sizeof(err));
		cli_close_input(f);
		if (rc != PROTO_OK)
			return cli_fail_err(rc, false, "%s: %s", path, err);
	} else {
		uint64_t next = 0, size = 0;

		if ((rc = cli_connect(cli)) != EX_DONE)
			return rc;
		do {
			struct claim_entry *e;
			size_t n;

			if ((rc = claim_range(cli->client, next, 4096, NULL,
				 NULL, &e, &n, &next, &size, err,
				 sizeof(err))) != PROTO_OK)
				return cli_fail_err(rc, false, "%s", err);
			for (size_t i = 0; i < n && rc == PROTO_OK; i++)
				rc = keep(v, &e[i]);
			claim_entries_free(e, n);
			if (rc != PROTO_OK)
				return cli_fail(EX_USAGE, "out of memory");
			if (n == 0)
				break;
		} while (next < size);
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct proto_payload *p = &v->e[i].payload;
		char hex[2 * PROTO_HASH_LEN + 1];

		if (p->kind == PROTO_KIND_PARTY)
			json_object_set_new(
			    v->names, p->reg.party, json_string(p->reg.name));
		if (p->kind != PROTO_KIND_CLAIM)
			continue;
		proto_hex(v->e[i].claim, PROTO_HASH_LEN, hex);
		json_object_set_new(v->heads, hex, json_integer((json_int_t)i));
	}
	return EX_DONE;
}

static void
unload(struct log_view *v)
{
	for (size_t i = 0; i < v->n; i++)
		claim_entry_release(&v->e[i]);
	free(v->e);
	json_decref(v->names);
	json_decref(v->heads);
}

static const char *
name_of(struct log_view *v, const char *slug)
{
	const char *s = json_string_value(json_object_get(v->names, slug));

	return s ? s : slug;
}

/* The newest version of the claim with id, or NULL. */
static const struct claim_entry *
head_of(struct log_view *v, const uint8_t id[PROTO_HASH_LEN])
{
	char hex[2 * PROTO_HASH_LEN + 1];
	json_t *i;

	proto_hex(id, PROTO_HASH_LEN, hex);
	if ((i = json_object_get(v->heads, hex)) == NULL)
		return NULL;
	return &v->e[json_integer_value(i)];
}

static bool
is_head(struct log_view *v, const struct claim_entry *e)
{
	return head_of(v, e->claim) == e;
}

/* A rating number as JSON: an integer, or a decimal fraction. */
static json_t *
number(const char *s)
{
	if (strchr(s, '.') == NULL)
		return json_integer(strtoll(s, NULL, 10));
	return json_real(strtod(s, NULL));
}

static void
put(json_t *o, const char *k, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, k, json_string(s));
}

/* One ClaimReview: review claim r rates claim t with g. */
static json_t *
claimreview(struct log_view *v, const struct claim_entry *r,
    const struct claim_entry *t, const struct proto_rating *g)
{
	const struct proto_claim *rc = &r->payload.claim;
	const struct proto_claim *tc = &t->payload.claim;
	json_t *o = json_object(), *item, *rating, *apps;
	char hex[2 * PROTO_HASH_LEN + 1];

	json_object_set_new(o, "@context", json_string("https://schema.org"));
	json_object_set_new(o, "@type", json_string("ClaimReview"));
	/* The review's own page: its first source with an address. */
	for (size_t i = 0; i < rc->nsources; i++)
		if (rc->sources[i].url != NULL) {
			put(o, "url", rc->sources[i].url);
			put(o, "headline", rc->sources[i].title);
			break;
		}
	put(o, "datePublished", rc->made);
	proto_hex(r->claim, PROTO_HASH_LEN, hex);
	put(o, "identifier", hex);
	put(o, "claimReviewed", tc->statement);
	json_object_set_new(o, "author",
	    json_pack("{s:s, s:s, s:s}", "@type", "Organization", "name",
		name_of(v, rc->party), "identifier", rc->party));
	rating = json_pack(
	    "{s:s, s:s}", "@type", "Rating", "alternateName", g->text);
	if (g->value != NULL)
		json_object_set_new(rating, "ratingValue", number(g->value));
	if (g->best != NULL)
		json_object_set_new(rating, "bestRating", number(g->best));
	if (g->worst != NULL)
		json_object_set_new(rating, "worstRating", number(g->worst));
	json_object_set_new(o, "reviewRating", rating);
	item = json_pack("{s:s, s:{s:s, s:s, s:s}}", "@type", "Claim", "author",
	    "@type", "Thing", "name", name_of(v, tc->party), "identifier",
	    tc->party);
	put(item, "datePublished", tc->made);
	apps = json_array();
	for (size_t i = 0; i < tc->nsources; i++) {
		const struct proto_source *s = &tc->sources[i];
		json_t *a = json_pack("{s:s, s:s, s:{s:s, s:s}}", "@type",
		    "CreativeWork", "headline", s->title, "publisher", "@type",
		    "Organization", "name", s->publisher);

		put(a, "url", s->url);
		put(a, "datePublished", s->published);
		json_array_append_new(apps, a);
	}
	if (json_array_size(apps) > 0)
		json_object_set_new(item, "appearance", apps);
	else
		json_decref(apps);
	json_object_set_new(o, "itemReviewed", item);
	return o;
}

int
interop_claimreview(struct cli *cli, const char *path, FILE *out)
{
	struct log_view v;
	size_t written = 0;
	int rc;

	if ((rc = load(cli, path, &v)) != EX_DONE) {
		unload(&v);
		return rc;
	}
	for (size_t i = 0; i < v.n; i++) {
		const struct claim_entry *e = &v.e[i];
		const struct proto_claim *c = &e->payload.claim;

		/* One review per rated claim, as it now stands. */
		if (e->payload.kind != PROTO_KIND_CLAIM || !is_head(&v, e) ||
		    c->status != PROTO_STATUS_ASSERTED)
			continue;
		for (size_t k = 0; k < c->nrelations; k++) {
			const struct claim_entry *t;
			json_t *o;
			char *s;

			if (c->relations[k].rating == NULL ||
			    (t = head_of(&v, c->relations[k].claim)) == NULL)
				continue;
			o = claimreview(&v, e, t, c->relations[k].rating);
			s = json_dumps(
			    o, JSON_COMPACT | JSON_REAL_PRECISION(15));
			fprintf(out, "%s\n", s);
			free(s);
			json_decref(o);
			written++;
		}
	}
	unload(&v);
	if (!cli->json)
		cli_warn("%zu ClaimReview %s", written,
		    cli_noun(written, "record", "records"));
	return EX_DONE;
}

/*
 * PROV-JSON (W3C Note, 2013): entities, agents, and the relations
 * between them, each relation under its own blank-node id.
 */
struct prov {
	json_t *doc;
	unsigned next; /* for relation ids */
};

static json_t *
section(struct prov *p, const char *name)
{
	json_t *s = json_object_get(p->doc, name);

	if (s == NULL) {
		s = json_object();
		json_object_set_new(p->doc, name, s);
	}
	return s;
}

static void
relation(struct prov *p, const char *kind, const char *k1, const char *v1,
    const char *k2, const char *v2, const char *type)
{
	char id[32];
	json_t *r = json_pack("{s:s, s:s}", k1, v1, k2, v2);

	if (type != NULL)
		json_object_set_new(r, "prov:type",
		    json_pack("{s:s, s:s}", "$", type, "type",
			"prov:QUALIFIED_NAME"));
	snprintf(id, sizeof(id), "_:r%u", p->next++);
	json_object_set_new(section(p, kind), id, r);
}

/* A publisher's agent id: claimd:publisher/ and the name's hash. */
static void
publisher_id(const char *name, char out[64])
{
	uint8_t h[PROTO_HASH_LEN];
	char hex[2 * PROTO_HASH_LEN + 1];

	proto_sha256(name, strlen(name), h);
	proto_hex(h, 8, hex);
	memcpy(out, "claimd:publisher-", 17);
	memcpy(out + 17, hex, 17); /* 16 digits and the NUL */
}

int
interop_prov(struct cli *cli, const char *path, FILE *out)
{
	struct log_view v;
	struct prov p = {json_object(), 0};
	json_t *parties;
	const char *slug;
	json_t *name;
	char *s;
	int rc;

	if ((rc = load(cli, path, &v)) != EX_DONE) {
		unload(&v);
		json_decref(p.doc);
		return rc;
	}
	json_object_set_new(p.doc, "prefix",
	    json_pack("{s:s, s:s}", "claimd", "urn:claimd:", "schema",
		"https://schema.org/"));
	parties = section(&p, "agent");
	json_object_foreach(v.names, slug, name)
	{
		char id[PROTO_SLUG_MAX + 16];

		snprintf(id, sizeof(id), "claimd:party-%s", slug);
		json_object_set_new(parties, id,
		    json_pack("{s:O, s:s}", "prov:label", name, "prov:type",
			"claimd:party"));
	}
	for (size_t i = 0; i < v.n; i++) {
		const struct claim_entry *e = &v.e[i];
		const struct proto_claim *c = &e->payload.claim;
		char id[80], sid[128], agent[PROTO_SLUG_MAX + 16], hex[65];
		json_t *ent;

		if (e->payload.kind != PROTO_KIND_CLAIM)
			continue;
		proto_hex(e->hash, PROTO_HASH_LEN, hex);
		snprintf(id, sizeof(id), "claimd:%s", hex);
		ent = json_pack("{s:s, s:s, s:I, s:s}", "prov:label",
		    c->statement, "prov:type", "claimd:claim", "claimd:version",
		    (json_int_t)c->version, "claimd:status",
		    proto_status_name(c->status));
		put(ent, "claimd:made", c->made);
		json_object_set_new(section(&p, "entity"), id, ent);
		snprintf(agent, sizeof(agent), "claimd:party-%s", c->party);
		relation(&p, "wasAttributedTo", "prov:entity", id, "prov:agent",
		    agent, NULL);
		if (c->version > 1) {
			char prev[80];

			proto_hex(c->prev, PROTO_HASH_LEN, hex);
			snprintf(prev, sizeof(prev), "claimd:%s", hex);
			relation(&p, "wasDerivedFrom", "prov:generatedEntity",
			    id, "prov:usedEntity", prev, "prov:Revision");
		}
		for (size_t k = 0; k < c->nsources; k++) {
			const struct proto_source *src = &c->sources[k];
			char pub[64], from[128];
			size_t j;

			snprintf(sid, sizeof(sid), "%s-source-%zu", id, k);
			ent = json_pack("{s:s, s:s}", "prov:label", src->title,
			    "prov:type", "claimd:source");
			put(ent, "schema:url", src->url);
			put(ent, "schema:datePublished", src->published);
			json_object_set_new(section(&p, "entity"), sid, ent);
			publisher_id(src->publisher, pub);
			if (json_object_get(section(&p, "agent"), pub) == NULL)
				json_object_set_new(section(&p, "agent"), pub,
				    json_pack("{s:s, s:s}", "prov:label",
					src->publisher, "prov:type",
					"claimd:publisher"));
			relation(&p, "wasAttributedTo", "prov:entity", sid,
			    "prov:agent", pub, NULL);
			/* The claim rests on each of its sources: quoted
			 * when a quote of it is kept. */
			relation(&p, "wasDerivedFrom", "prov:generatedEntity",
			    id, "prov:usedEntity", sid,
			    src->quote != NULL ? "prov:Quotation" : NULL);
			if (!src->has_derivation)
				continue;
			snprintf(
			    from, sizeof(from), "%s-source-%u", id, src->from);
			relation(&p, "wasDerivedFrom", "prov:generatedEntity",
			    sid, "prov:usedEntity", from,
			    src->how == PROTO_HOW_QUOTES ? "prov:Quotation"
							 : NULL);
			/* The end of the chain (format.md: every chain has
			 * one). */
			for (j = src->from; c->sources[j].has_derivation;
			     j = c->sources[j].from)
				;
			snprintf(from, sizeof(from), "%s-source-%zu", id, j);
			relation(&p, "wasDerivedFrom", "prov:generatedEntity",
			    sid, "prov:usedEntity", from, "prov:PrimarySource");
		}
	}
	s = json_dumps(p.doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	fprintf(out, "%s\n", s);
	free(s);
	json_decref(p.doc);
	unload(&v);
	return EX_DONE;
}
