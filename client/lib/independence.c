/*
 * independence.c: the source graph over a log, and how many independent
 * roots a claim, or a party's account of a topic, rests on.
 *
 * The graph is built once (documents interned by their identity in a hash
 * table, derivations sorted into a compressed adjacency list, loops found
 * as the strongly connected components, Tarjan's algorithm without
 * recursion); each question is then a breadth-first walk upstream from
 * every cited document, so that a log of 100,000 claims costs one sort and
 * a walk over what each claim actually reaches.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "claim.h"
#include "internal.h"

/*
 * A node is a document (key set, in the table) or the part of a document
 * one claim rests on (key NULL): a claim that states how a source it
 * cites derives from another cites that part, whose edges are only the
 * claim's own (docs/narratives.md, Source independence).
 */
struct node {
	char *key;
	const struct proto_source *src; /* the first citing source: its card */
	size_t doc; /* the document: itself, or its part's */
};

struct edge {
	size_t from, to, order;
	enum proto_how how;
};

struct claim_sources {
	const struct claim_entry **claims; /* newest versions, in order */
	size_t nclaims;
	size_t *byid;  /* places in claims, sorted by claim id */
	size_t *coff;  /* claim i's sources: cnode[coff[i]..coff[i + 1]) */
	size_t *cnode; /* the document of each source */
	struct node *nodes;
	size_t nnodes, capnodes;
	size_t ndocs, ndocedges; /* documents, and edges between them */
	size_t *table;           /* node + 1, 0: empty */
	size_t tcap;
	/* Derivations: node v derives from to[off[v]..off[v + 1]). */
	size_t *off, *to;
	enum proto_how *how;
	size_t nedges;
	/* Strongly connected components, their members by component. */
	size_t *comp, *moff, *members;
	size_t ncomp;
	bool *cyclic, *fed;
	claim_owner_fn owner;
	void *owner_ctx;
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static bool
table_grow(struct claim_sources *g)
{
	size_t cap = g->tcap ? g->tcap * 2 : 1024;
	size_t *t = calloc(cap, sizeof(*t));

	if (t == NULL)
		return false;
	for (size_t v = 0; v < g->nnodes; v++) {
		size_t h;

		if (g->nodes[v].key == NULL) /* a claim's part */
			continue;
		h = (size_t)fnv1a(g->nodes[v].key) & (cap - 1);
		while (t[h] != 0)
			h = (h + 1) & (cap - 1);
		t[h] = v + 1;
	}
	free(g->table);
	g->table = t;
	g->tcap = cap;
	return true;
}

/*
 * A source's identity, claim_source_key()'s text, written into buf: the
 * graph looks up 100,000s of citations and keeps a copy only of each new
 * document's. Longer than buf (a source over the format's limits, from a
 * record no schema checked): claim_source_key()'s own copy.
 */
#define KEY_MAX (8 + PROTO_URL_MAX + 2 * PROTO_LABEL_MAX)

/* Appends the n bytes of t at *at in buf; false past KEY_MAX - 1. */
static bool
put(char *buf, size_t *at, const char *t, size_t n)
{
	if (n >= KEY_MAX - *at)
		return false;
	memcpy(buf + *at, t, n);
	*at += n;
	return true;
}

/* Written by hand, not by snprintf(): it runs for every citation. */
static const char *
key_of(const struct proto_source *s, char buf[KEY_MAX], char **heap)
{
	size_t at = 0;
	bool ok;

	*heap = NULL;
	if (s->has_sha256) {
		ok = put(buf, &at, "sha256:", 7) &&
		    at + 2 * PROTO_HASH_LEN < KEY_MAX;
		if (ok) {
			proto_hex(s->sha256, PROTO_HASH_LEN, buf + at);
			at += 2 * PROTO_HASH_LEN;
		}
	} else if (s->url != NULL)
		ok = put(buf, &at, "url:", 4) &&
		    put(buf, &at, s->url, strlen(s->url));
	else
		ok = put(buf, &at, "pt:", 3) &&
		    put(buf, &at, s->publisher, strlen(s->publisher)) &&
		    put(buf, &at, "\n", 1) &&
		    put(buf, &at, s->title, strlen(s->title));
	if (ok) {
		buf[at] = '\0';
		return buf;
	}
	return *heap = claim_source_key(s);
}

/* Room for one more node. */
static bool
room(struct claim_sources *g)
{
	size_t cap = g->capnodes ? 2 * g->capnodes : 256;
	struct node *n;

	if (g->nnodes < g->capnodes)
		return true;
	if ((n = realloc(g->nodes, cap * sizeof(*n))) == NULL)
		return false;
	g->nodes = n;
	g->capnodes = cap;
	return true;
}

/* The node of a source's document, added when new; SIZE_MAX: no memory. */
static size_t
intern(struct claim_sources *g, const struct proto_source *s)
{
	char buf[KEY_MAX], *heap;
	const char *key = key_of(s, buf, &heap);
	size_t h;

	if (key == NULL)
		return SIZE_MAX;
	if (2 * (g->ndocs + 1) > g->tcap && !table_grow(g)) {
		free(heap);
		return SIZE_MAX;
	}
	h = (size_t)fnv1a(key) & (g->tcap - 1);
	for (; g->table[h] != 0; h = (h + 1) & (g->tcap - 1))
		if (strcmp(g->nodes[g->table[h] - 1].key, key) == 0) {
			free(heap);
			return g->table[h] - 1;
		}
	if (!room(g)) {
		free(heap);
		return SIZE_MAX;
	}
	if (heap == NULL && (heap = strdup(key)) == NULL)
		return SIZE_MAX;
	g->nodes[g->nnodes].key = heap;
	g->nodes[g->nnodes].src = s;
	g->nodes[g->nnodes].doc = g->nnodes;
	g->table[h] = g->nnodes + 1;
	g->ndocs++;
	return g->nnodes++;
}

/* The part of document d a claim cites as source s; SIZE_MAX: no memory. */
static size_t
part_of(struct claim_sources *g, size_t d, const struct proto_source *s)
{
	if (!room(g))
		return SIZE_MAX;
	g->nodes[g->nnodes].key = NULL;
	g->nodes[g->nnodes].src = s;
	g->nodes[g->nnodes].doc = d;
	return g->nnodes++;
}

struct kept {
	const struct claim_entry *e;
	size_t pos;
};

static int
kept_by_id(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;
	int c = memcmp(x->e->claim, y->e->claim, PROTO_HASH_LEN);

	return c != 0 ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static int
kept_by_pos(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;

	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int
edge_order(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/*
 * The newest version of each claim, in the order of each claim's first
 * entry: sorted by id, each run of versions kept once.
 */
static bool
keep_newest(struct claim_sources *g, const struct claim_entry *e, size_t n)
{
	struct kept *k = malloc((n ? n : 1) * sizeof(*k));
	size_t m = 0, out = 0;

	if (k == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (e[i].payload.kind == PROTO_KIND_CLAIM) {
			k[m].e = &e[i];
			k[m++].pos = i;
		}
	qsort(k, m, sizeof(*k), kept_by_id);
	for (size_t i = 0; i < m;) {
		size_t j = i, first = k[i].pos;
		const struct claim_entry *newest = k[i].e;

		for (; j < m &&
		     memcmp(k[j].e->claim, k[i].e->claim, PROTO_HASH_LEN) == 0;
		     j++)
			if (k[j].e->index > newest->index)
				newest = k[j].e;
		k[out].e = newest;
		k[out++].pos = first;
		i = j;
	}
	qsort(k, out, sizeof(*k), kept_by_pos);
	g->claims = malloc((out ? out : 1) * sizeof(*g->claims));
	g->byid = malloc((out ? out : 1) * sizeof(*g->byid));
	if (g->claims == NULL || g->byid == NULL) {
		free(k);
		return false;
	}
	for (size_t i = 0; i < out; i++)
		g->claims[i] = k[i].e;
	g->nclaims = out;
	free(k);
	return true;
}

struct placed {
	const struct claim_entry *e;
	size_t place;
};

static int
placed_by_id(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	return memcmp(x->e->claim, y->e->claim, PROTO_HASH_LEN);
}

/* g->byid: the places of the claims, sorted by claim id. */
static bool
index_ids(struct claim_sources *g)
{
	struct placed *p = malloc((g->nclaims ? g->nclaims : 1) * sizeof(*p));

	if (p == NULL)
		return false;
	for (size_t i = 0; i < g->nclaims; i++) {
		p[i].e = g->claims[i];
		p[i].place = i;
	}
	qsort(p, g->nclaims, sizeof(*p), placed_by_id);
	for (size_t i = 0; i < g->nclaims; i++)
		g->byid[i] = p[i].place;
	free(p);
	return true;
}

static bool place_edges(struct claim_sources *g, struct edge *ed, size_t ne);

/* Whether source k of c states a derivation the graph can follow. */
static bool
stated(const struct proto_claim *c, size_t k)
{
	/* The schema holds from to another source; a record not checked by
	 * it (a test's) is not trusted. */
	return c->sources[k].has_derivation && c->sources[k].from < c->nsources;
}

/*
 * Claim i's citations into g->cnode[ns..): each source's document, or,
 * for a document whose derivation the claim states, the claim's part of
 * it (one per document, whichever of its sources state it).
 */
static bool
cite(struct claim_sources *g, const struct proto_claim *c, size_t ns)
{
	size_t *cn = &g->cnode[ns];

	for (size_t k = 0; k < c->nsources; k++)
		if ((cn[k] = intern(g, &c->sources[k])) == SIZE_MAX)
			return false;
	for (size_t k = 0; k < c->nsources; k++) {
		size_t d = cn[k], p;

		if (!stated(c, k) || g->nodes[d].key == NULL)
			continue;
		if ((p = part_of(g, d, &c->sources[k])) == SIZE_MAX)
			return false;
		for (size_t j = 0; j < c->nsources; j++)
			if (cn[j] == d)
				cn[j] = p;
	}
	return true;
}

/*
 * The documents and the derivations every claim states, merged, and each
 * claim's own edges out of the parts it cites: into the document (or the
 * claim's part of it) the claim says it derives from.
 */
static bool
add_edges(struct claim_sources *g)
{
	size_t ns = 0, ne = 0;
	struct edge *ed;

	for (size_t i = 0; i < g->nclaims; i++)
		ns += g->claims[i]->payload.claim.nsources;
	g->coff = malloc((g->nclaims + 1) * sizeof(*g->coff));
	g->cnode = malloc((ns ? ns : 1) * sizeof(*g->cnode));
	ed = malloc((ns ? 2 * ns : 1) * sizeof(*ed));
	if (g->coff == NULL || g->cnode == NULL || ed == NULL) {
		free(ed);
		return false;
	}
	ns = 0;
	for (size_t i = 0; i < g->nclaims; i++) {
		const struct proto_claim *c = &g->claims[i]->payload.claim;

		g->coff[i] = ns;
		if (!cite(g, c, ns)) {
			free(ed);
			return false;
		}
		for (size_t k = 0; k < c->nsources; k++) {
			size_t from = g->cnode[ns + k],
			       to = g->cnode[ns + c->sources[k].from];

			if (!stated(c, k))
				continue;
			/* The documents' edge, merged across claims... */
			ed[ne].from = g->nodes[from].doc;
			ed[ne].to = g->nodes[to].doc;
			ed[ne].how = c->sources[k].how;
			ed[ne].order = ne;
			ne++;
			/* ...and the claim's own, out of its part. */
			ed[ne].from = from;
			ed[ne].to = to;
			ed[ne].how = c->sources[k].how;
			ed[ne].order = ne;
			ne++;
		}
		ns += c->nsources;
	}
	g->coff[g->nclaims] = ns;
	return place_edges(g, ed, ne);
}

/*
 * The edges into g's adjacency lists, by node (a counting sort: in the
 * order stated within each node), then each node's sorted by target with
 * one edge per pair, the how the first claim to state it gave. Frees ed.
 */
static bool
place_edges(struct claim_sources *g, struct edge *ed, size_t ne)
{
	struct edge *by = malloc((ne ? ne : 1) * sizeof(*by));
	size_t *at = calloc(g->nnodes + 1, sizeof(*at)), m = 0;

	g->off = calloc(g->nnodes + 1, sizeof(*g->off));
	g->to = malloc((ne ? ne : 1) * sizeof(*g->to));
	g->how = malloc((ne ? ne : 1) * sizeof(*g->how));
	if (by == NULL || at == NULL || g->off == NULL || g->to == NULL ||
	    g->how == NULL) {
		free(by);
		free(at);
		free(ed);
		return false;
	}
	for (size_t i = 0; i < ne; i++)
		at[ed[i].from + 1]++;
	for (size_t v = 0; v < g->nnodes; v++)
		at[v + 1] += at[v];
	for (size_t i = 0; i < ne; i++)
		by[at[ed[i].from]++] = ed[i];
	free(ed);
	/* at[v] is now where v's edges end. */
	for (size_t v = 0, start = 0; v < g->nnodes; v++) {
		size_t end = at[v];

		if (end - start > 1)
			qsort(&by[start], end - start, sizeof(*by), edge_order);
		g->off[v] = m;
		for (size_t i = start; i < end; i++) {
			if (i > start && by[i].to == by[i - 1].to)
				continue;
			g->to[m] = by[i].to;
			g->how[m++] = by[i].how;
			if (g->nodes[v].key != NULL)
				g->ndocedges++;
		}
		start = end;
	}
	g->off[g->nnodes] = m;
	g->nedges = m;
	free(by);
	free(at);
	return true;
}

/* Loops: strongly connected components (Tarjan), without recursion. */
static bool
find_loops(struct claim_sources *g)
{
	size_t nv = g->nnodes, counter = 0, sp = 0, depth = 0;
	size_t *ix = malloc((nv ? nv : 1) * sizeof(*ix));
	size_t *low = malloc((nv ? nv : 1) * sizeof(*low));
	size_t *stack = malloc((nv ? nv : 1) * sizeof(*stack));
	size_t *cs = malloc((nv ? nv : 1) * sizeof(*cs));
	size_t *pos = malloc((nv ? nv : 1) * sizeof(*pos));
	bool *on = calloc(nv ? nv : 1, sizeof(*on));
	bool ok = false;

	g->comp = malloc((nv ? nv : 1) * sizeof(*g->comp));
	if (ix == NULL || low == NULL || stack == NULL || cs == NULL ||
	    pos == NULL || on == NULL || g->comp == NULL)
		goto out;
	for (size_t v = 0; v < nv; v++)
		ix[v] = SIZE_MAX;
	for (size_t r = 0; r < nv; r++) {
		if (ix[r] != SIZE_MAX)
			continue;
		cs[depth] = r;
		pos[depth++] = g->off[r];
		ix[r] = low[r] = counter++;
		stack[sp++] = r;
		on[r] = true;
		while (depth > 0) {
			size_t v = cs[depth - 1];

			if (pos[depth - 1] < g->off[v + 1]) {
				size_t w = g->to[pos[depth - 1]++];

				if (ix[w] == SIZE_MAX) {
					cs[depth] = w;
					pos[depth++] = g->off[w];
					ix[w] = low[w] = counter++;
					stack[sp++] = w;
					on[w] = true;
				} else if (on[w] && ix[w] < low[v]) {
					low[v] = ix[w];
				}
				continue;
			}
			if (low[v] == ix[v]) {
				size_t w;

				do {
					w = stack[--sp];
					on[w] = false;
					g->comp[w] = g->ncomp;
				} while (w != v);
				g->ncomp++;
			}
			if (--depth > 0 && low[v] < low[cs[depth - 1]])
				low[cs[depth - 1]] = low[v];
		}
	}
	g->moff = calloc(g->ncomp + 1, sizeof(*g->moff));
	g->members = malloc((nv ? nv : 1) * sizeof(*g->members));
	g->cyclic = calloc(g->ncomp ? g->ncomp : 1, sizeof(*g->cyclic));
	g->fed = calloc(g->ncomp ? g->ncomp : 1, sizeof(*g->fed));
	if (g->moff == NULL || g->members == NULL || g->cyclic == NULL ||
	    g->fed == NULL)
		goto out;
	/* Members by component, each in node order (pos as a cursor). */
	for (size_t v = 0; v < nv; v++)
		g->moff[g->comp[v] + 1]++;
	for (size_t c = 0; c < g->ncomp; c++)
		g->moff[c + 1] += g->moff[c];
	for (size_t c = 0; c < g->ncomp; c++)
		pos[c] = g->moff[c];
	for (size_t v = 0; v < nv; v++)
		g->members[pos[g->comp[v]]++] = v;
	for (size_t v = 0; v < nv; v++) {
		size_t c = g->comp[v];

		if (g->moff[c + 1] - g->moff[c] > 1)
			g->cyclic[c] = true;
		for (size_t k = g->off[v]; k < g->off[v + 1]; k++) {
			if (g->to[k] == v)
				g->cyclic[c] = true;
			else if (g->comp[g->to[k]] != c)
				g->fed[c] = true;
		}
	}
	ok = true;
out:
	free(ix);
	free(low);
	free(stack);
	free(cs);
	free(pos);
	free(on);
	return ok;
}

struct claim_sources *
claim_sources_build(const struct claim_entry *e, size_t n)
{
	struct claim_sources *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	if (!keep_newest(g, e, n) || !index_ids(g) || !add_edges(g) ||
	    !find_loops(g)) {
		claim_sources_free(g);
		return NULL;
	}
	return g;
}

void
claim_sources_free(struct claim_sources *g)
{
	if (g == NULL)
		return;
	for (size_t v = 0; v < g->nnodes; v++)
		free(g->nodes[v].key);
	free(g->nodes);
	free(g->table);
	free(g->claims);
	free(g->byid);
	free(g->coff);
	free(g->cnode);
	free(g->off);
	free(g->to);
	free(g->how);
	free(g->comp);
	free(g->moff);
	free(g->members);
	free(g->cyclic);
	free(g->fed);
	free(g);
}

void
claim_sources_set_owner(struct claim_sources *g, claim_owner_fn fn, void *ctx)
{
	g->owner = fn;
	g->owner_ctx = ctx;
}

size_t
claim_sources_documents(const struct claim_sources *g)
{
	return g->ndocs;
}

size_t
claim_sources_edges(const struct claim_sources *g)
{
	return g->ndocedges;
}

/*
 * What one question needs per document, reused across the questions of a
 * topic: marks carry the generation that set them, so nothing is cleared.
 */
struct scratch {
	uint32_t bfs, query;
	uint32_t *seen; /* by bfs: visited */
	size_t *parent; /* the document it was reached from */
	size_t *queue, *path;
	uint32_t *doc_gen; /* by query: numbered in "documents" */
	size_t *doc_id;
	uint32_t *cited_gen; /* by query, per document: counted as cited */
	uint32_t *node_gen;  /* by query, per node: walked */
	uint32_t *root_gen;  /* by query: in the roots, with amp */
	size_t *amp;
	uint32_t stamp;      /* per cited document: amp counts it once */
	uint32_t *amp_stamp; /* by stamp: the root's amp counts it already */
	uint32_t *rank_gen;  /* by query: ranked */
	size_t *rank;        /* a document's place among those cited */
	uint32_t *loop_gen;  /* by query, per component: listed */
	size_t *loop_id;
	uint32_t *loop_bfs;    /* by bfs, per component: in this source's */
	size_t *roots, *loops; /* an answer's, in the order first reached */
};

static void
scratch_free(struct scratch *s)
{
	free(s->seen);
	free(s->parent);
	free(s->queue);
	free(s->path);
	free(s->doc_gen);
	free(s->doc_id);
	free(s->cited_gen);
	free(s->node_gen);
	free(s->amp_stamp);
	free(s->rank);
	free(s->rank_gen);
	free(s->root_gen);
	free(s->amp);
	free(s->loop_gen);
	free(s->loop_id);
	free(s->loop_bfs);
	free(s->roots);
	free(s->loops);
}

static bool
scratch_init(struct scratch *s, const struct claim_sources *g)
{
	size_t nv = g->nnodes ? g->nnodes : 1, nc = g->ncomp ? g->ncomp : 1;

	memset(s, 0, sizeof(*s));
	s->seen = calloc(nv, sizeof(*s->seen));
	s->parent = malloc(nv * sizeof(*s->parent));
	s->queue = malloc(nv * sizeof(*s->queue));
	s->path = malloc(nv * sizeof(*s->path));
	s->doc_gen = calloc(nv, sizeof(*s->doc_gen));
	s->doc_id = malloc(nv * sizeof(*s->doc_id));
	s->cited_gen = calloc(nv, sizeof(*s->cited_gen));
	s->node_gen = calloc(nv, sizeof(*s->node_gen));
	s->amp_stamp = calloc(nv, sizeof(*s->amp_stamp));
	s->rank = malloc(nv * sizeof(*s->rank));
	s->rank_gen = calloc(nv, sizeof(*s->rank_gen));
	s->root_gen = calloc(nv, sizeof(*s->root_gen));
	s->amp = malloc(nv * sizeof(*s->amp));
	s->loop_gen = calloc(nc, sizeof(*s->loop_gen));
	s->loop_id = malloc(nc * sizeof(*s->loop_id));
	s->loop_bfs = calloc(nc, sizeof(*s->loop_bfs));
	s->roots = malloc(nv * sizeof(*s->roots));
	s->loops = malloc(nc * sizeof(*s->loops));
	if (s->seen == NULL || s->parent == NULL || s->queue == NULL ||
	    s->path == NULL || s->doc_gen == NULL || s->doc_id == NULL ||
	    s->cited_gen == NULL || s->node_gen == NULL ||
	    s->amp_stamp == NULL || s->rank == NULL || s->rank_gen == NULL ||
	    s->root_gen == NULL || s->amp == NULL || s->loop_gen == NULL ||
	    s->loop_id == NULL || s->loop_bfs == NULL || s->roots == NULL ||
	    s->loops == NULL) {
		scratch_free(s);
		return false;
	}
	return true;
}

static json_t *
doc_card(const struct proto_source *s)
{
	json_t *o = json_object();
	char hex[2 * PROTO_HASH_LEN + 1];

	json_object_set_new(o, "publisher", json_string(s->publisher));
	json_object_set_new(o, "title", json_string(s->title));
	if (s->url != NULL)
		json_object_set_new(o, "url", json_string(s->url));
	if (s->published != NULL)
		json_object_set_new(o, "published", json_string(s->published));
	if (s->has_sha256) {
		proto_hex(s->sha256, PROTO_HASH_LEN, hex);
		json_object_set_new(o, "sha256", json_string(hex));
	}
	return o;
}

/* What one question is building. */
struct answer {
	const struct claim_sources *g;
	struct scratch *s;
	json_t *documents;
	size_t *roots, nroots; /* in the order first reached */
	size_t *loops, nloops; /* components */
};

/* A document's place in "documents", numbered when first named. */
static json_int_t
doc(struct answer *a, size_t v)
{
	struct scratch *s = a->s;

	v = a->g->nodes[v].doc;
	if (s->doc_gen[v] != s->query) {
		s->doc_gen[v] = s->query;
		s->doc_id[v] = json_array_size(a->documents);
		json_array_append_new(
		    a->documents, doc_card(a->g->nodes[v].src));
	}
	return (json_int_t)s->doc_id[v];
}

/* The shortest path the walk found from start to root r. */
static json_t *
path_to(struct answer *a, size_t start, size_t r)
{
	struct scratch *s = a->s;
	json_t *p = json_array();
	size_t n = 0;

	for (size_t v = r;; v = s->parent[v]) {
		s->path[n++] = v;
		if (v == start)
			break;
	}
	while (n > 0) {
		size_t v = s->path[--n];
		json_t *step = json_pack("{s:I}", "document", doc(a, v));

		if (n > 0) {
			size_t next = s->path[n - 1];

			/* The edge v -> next: its how. */
			for (size_t k = a->g->off[v]; k < a->g->off[v + 1]; k++)
				if (a->g->to[k] == next) {
					json_object_set_new(step, "how",
					    json_string(
						proto_how_name(a->g->how[k])));
					break;
				}
		}
		json_array_append_new(p, step);
	}
	return p;
}

/*
 * Walks upstream from cited node v (a document, or a claim's part of one):
 * each root it reaches gains one of amplification, once per cited
 * document (s->stamp). With detail, returns
 * {"roots", "paths", "loops", "resolved"} for the source; else NULL.
 * *resolved says whether it reached a root.
 */
static json_t *
walk(struct answer *a, size_t v, bool detail, bool *resolved)
{
	const struct claim_sources *g = a->g;
	struct scratch *s = a->s;
	json_t *roots = NULL, *paths = NULL, *loops = NULL, *o = NULL;
	size_t head = 0, tail = 0;

	if (detail) {
		roots = json_array();
		paths = json_array();
		loops = json_array();
	}
	*resolved = false;
	s->bfs++;
	s->seen[v] = s->bfs;
	s->parent[v] = SIZE_MAX;
	s->queue[tail++] = v;
	while (head < tail) {
		size_t u = s->queue[head++], c = g->comp[u];

		if (g->off[u] == g->off[u + 1]) {
			*resolved = true;
			if (s->root_gen[u] != s->query) {
				s->root_gen[u] = s->query;
				s->amp[u] = 0;
				s->amp_stamp[u] = 0;
				a->roots[a->nroots++] = u;
			}
			if (s->amp_stamp[u] != s->stamp) {
				s->amp_stamp[u] = s->stamp;
				s->amp[u]++;
			}
			if (detail) {
				json_array_append_new(
				    roots, json_integer(doc(a, u)));
				json_array_append_new(paths, path_to(a, v, u));
			}
		}
		if (g->cyclic[c]) {
			if (s->loop_gen[c] != s->query) {
				s->loop_gen[c] = s->query;
				s->loop_id[c] = a->nloops;
				a->loops[a->nloops++] = c;
			}
			if (detail && s->loop_bfs[c] != s->bfs) {
				s->loop_bfs[c] = s->bfs;
				json_array_append_new(loops,
				    json_integer((json_int_t)s->loop_id[c]));
			}
		}
		for (size_t k = g->off[u]; k < g->off[u + 1]; k++) {
			size_t w = g->to[k];

			if (s->seen[w] != s->bfs) {
				s->seen[w] = s->bfs;
				s->parent[w] = u;
				s->queue[tail++] = w;
			}
		}
	}
	if (detail) {
		o = json_object();
		json_object_set_new(o, "roots", roots);
		json_object_set_new(o, "paths", paths);
		json_object_set_new(o, "loops", loops);
		json_object_set_new(o, "resolved", json_boolean(*resolved));
	}
	return o;
}

static const char *
owner_of(const struct claim_sources *g, const char *publisher)
{
	const char *o = g->owner ? g->owner(g->owner_ctx, publisher) : NULL;

	return o != NULL ? o : publisher;
}

/* Whether an owner holds the publisher (the hook names one). */
static bool
owned(const struct claim_sources *g, const char *publisher)
{
	return g->owner != NULL && g->owner(g->owner_ctx, publisher) != NULL;
}

struct citation {
	size_t rank, pos, v;
};

static int
by_rank(const void *a, const void *b)
{
	const struct citation *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/*
 * A party's citations cited[0..n) as the nodes to walk, into *out: each
 * node once, the parts of one document one after another, the documents
 * in the order first cited. Their number; SIZE_MAX when out of memory.
 */
static size_t
group(const struct claim_sources *g, struct scratch *s, const size_t *cited,
    size_t n, size_t **out)
{
	struct citation *c = malloc((n ? n : 1) * sizeof(*c));
	size_t m = 0, ranks = 0;

	if (c == NULL || (*out = malloc((n ? n : 1) * sizeof(**out))) == NULL) {
		free(c);
		return SIZE_MAX;
	}
	for (size_t k = 0; k < n; k++) {
		size_t v = cited[k], b = g->nodes[v].doc;

		if (s->node_gen[v] == s->query)
			continue;
		s->node_gen[v] = s->query;
		if (s->rank_gen[b] != s->query) {
			s->rank_gen[b] = s->query;
			s->rank[b] = ranks++;
		}
		c[m].rank = s->rank[b];
		c[m].pos = k;
		c[m++].v = v;
	}
	qsort(c, m, sizeof(*c), by_rank);
	for (size_t k = 0; k < m; k++)
		(*out)[k] = c[k].v;
	free(c);
	return m;
}

/*
 * The answer for cited documents cited[0..n) into o; with detail (a
 * claim's sources, cited[k] the document of source k) each source's roots,
 * paths and loops too.
 */
static bool
analyze(const struct claim_sources *g, struct scratch *s, const size_t *cited,
    size_t n, bool detail, json_t *o)
{
	struct answer a = {g, s, json_array(), s->roots, 0, s->loops, 0};
	json_t *sources = json_array(), *unresolved = json_array();
	json_t *roots = json_array(), *loops = json_array();
	json_t *owners = json_object(), *held = json_object();
	size_t ncited = 0, nprimary = 0, *order = NULL;
	bool any = false;

	s->query++;
	if (!detail && (n = group(g, s, cited, n, &order)) == SIZE_MAX)
		return false;
	for (size_t k = 0; k < n; k++) {
		size_t v = detail ? cited[k] : order[k], b = g->nodes[v].doc;
		bool first = s->cited_gen[b] != s->query, resolved;
		json_int_t dv;
		json_t *d;

		if (first) {
			s->cited_gen[b] = s->query;
			s->stamp++;
			ncited++;
			any = false;
		}
		/* The cited document is numbered before what it rests on. */
		dv = doc(&a, v);
		d = walk(&a, v, detail, &resolved);
		any |= resolved;
		/* Unresolved: no part of the document cited reaches a root. */
		if (!any &&
		    (detail ? first
			    : k + 1 == n || g->nodes[order[k + 1]].doc != b))
			json_array_append_new(unresolved, json_integer(dv));
		if (detail) {
			json_t *src = json_pack("{s:I, s:I}", "index",
			    (json_int_t)k, "document", dv);

			json_object_update(src, d);
			json_decref(d);
			json_array_append_new(sources, src);
		}
	}
	free(order);
	for (size_t i = 0; i < a.nroots; i++) {
		size_t r = a.roots[i];
		const char *owner = owner_of(g, g->nodes[r].src->publisher);

		/* One owner's outlets are one root; a root nobody owns
		 * counts on its own. */
		if (owned(g, g->nodes[r].src->publisher)) {
			if (json_object_get(held, owner) == NULL)
				nprimary++;
			json_object_set_new(held, owner, json_true());
		} else
			nprimary++;
		json_object_set_new(owners, owner, json_true());
		json_array_append_new(roots,
		    json_pack("{s:I, s:s, s:I}", "document", doc(&a, r),
			"owner", owner, "amplification",
			(json_int_t)s->amp[r]));
	}
	for (size_t i = 0; i < a.nloops; i++) {
		size_t c = a.loops[i];
		json_t *m = json_array();

		for (size_t k = g->moff[c]; k < g->moff[c + 1]; k++)
			json_array_append_new(
			    m, json_integer(doc(&a, g->members[k])));
		json_array_append_new(loops,
		    json_pack("{s:o, s:b}", "members", m, "fed", g->fed[c]));
	}
	json_object_set_new(o, "documents", a.documents);
	json_object_set_new(o, "cited", json_integer((json_int_t)ncited));
	json_object_set_new(o, "n_primary", json_integer((json_int_t)nprimary));
	json_object_set_new(
	    o, "owners", json_integer((json_int_t)json_object_size(owners)));
	if (detail)
		json_object_set_new(o, "sources", sources);
	else
		json_decref(sources);
	json_object_set_new(o, "roots", roots);
	json_object_set_new(o, "loops", loops);
	json_object_set_new(o, "unresolved", unresolved);
	json_decref(owners);
	json_decref(held);
	return true;
}

static json_t *
claim_answer(const struct claim_sources *g, struct scratch *s, size_t place)
{
	const struct claim_entry *e = g->claims[place];
	const struct proto_claim *c = &e->payload.claim;
	char hex[2 * PROTO_HASH_LEN + 1];
	json_t *o;

	proto_hex(e->claim, PROTO_HASH_LEN, hex);
	o = json_pack("{s:s, s:s, s:I, s:s}", "claim", hex, "party", c->party,
	    "version", (json_int_t)c->version, "status",
	    proto_status_name(c->status));
	if (o == NULL ||
	    !analyze(g, s, &g->cnode[g->coff[place]],
		g->coff[place + 1] - g->coff[place], true, o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
claim_independence(const struct claim_sources *g,
    const uint8_t id[PROTO_HASH_LEN], json_t **out)
{
	size_t lo = 0, hi = g->nclaims;
	struct scratch s;

	*out = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(g->claims[g->byid[mid]]->claim, id, PROTO_HASH_LEN) <
		    0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == g->nclaims ||
	    memcmp(g->claims[g->byid[lo]]->claim, id, PROTO_HASH_LEN) != 0)
		return PROTO_ENOTFOUND;
	if (!scratch_init(&s, g))
		return PROTO_ENOMEM;
	*out = claim_answer(g, &s, g->byid[lo]);
	scratch_free(&s);
	return *out != NULL ? PROTO_OK : PROTO_ENOMEM;
}

static bool
on_topic(const struct proto_claim *c, const char *topic)
{
	for (size_t i = 0; i < c->ntopics; i++)
		if (strcmp(c->topics[i], topic) == 0)
			return true;
	return false;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
claim_independence_topic(const struct claim_sources *g, const char *topic,
    const struct claim_filter *parties_of, json_t **result)
{
	json_t *out = json_pack(
		   "{s:s, s:[], s:[]}", "topic", topic, "claims", "parties"),
	       *claims, *parties;
	const char **names = NULL;
	size_t *mine = NULL, *cited = NULL, nm = 0, nn = 0;
	struct scratch s;

	*result = NULL;
	if (out == NULL)
		return PROTO_ENOMEM;
	if (!scratch_init(&s, g)) {
		json_decref(out);
		return PROTO_ENOMEM;
	}
	claims = json_object_get(out, "claims");
	parties = json_object_get(out, "parties");
	mine = malloc((g->nclaims ? g->nclaims : 1) * sizeof(*mine));
	names = malloc((g->nclaims ? g->nclaims : 1) * sizeof(*names));
	cited = malloc(
	    (g->coff[g->nclaims] ? g->coff[g->nclaims] : 1) * sizeof(*cited));
	if (mine == NULL || names == NULL || cited == NULL)
		goto fail;
	for (size_t i = 0; i < g->nclaims; i++) {
		const struct proto_claim *c = &g->claims[i]->payload.claim;
		json_t *a;

		if (!on_topic(c, topic) ||
		    !claim_filter_party(parties_of, c->party))
			continue;
		if ((a = claim_answer(g, &s, i)) == NULL)
			goto fail;
		json_array_append_new(claims, a);
		mine[nm++] = i;
		names[nn++] = c->party;
	}
	qsort(names, nn, sizeof(*names), by_name);
	for (size_t p = 0; p < nn; p++) {
		size_t nc = 0, n = 0;
		json_t *o;

		if (p > 0 && strcmp(names[p], names[p - 1]) == 0)
			continue;
		for (size_t i = 0; i < nm; i++) {
			size_t c = mine[i];

			if (strcmp(g->claims[c]->payload.claim.party,
				names[p]) != 0)
				continue;
			nc++;
			for (size_t k = g->coff[c]; k < g->coff[c + 1]; k++)
				cited[n++] = g->cnode[k];
		}
		o = json_pack(
		    "{s:s, s:I}", "party", names[p], "claims", (json_int_t)nc);
		if (o == NULL || !analyze(g, &s, cited, n, false, o)) {
			json_decref(o);
			goto fail;
		}
		json_array_append_new(parties, o);
	}
	free(mine);
	free(names);
	free(cited);
	scratch_free(&s);
	*result = out;
	return PROTO_OK;
fail:
	free(mine);
	free(names);
	free(cited);
	scratch_free(&s);
	json_decref(out);
	return PROTO_ENOMEM;
}

/*
 * Owners (docs/format.md, Owners): the owner records of a log replayed in
 * log order into one table, publisher -> owner, sorted by publisher.
 */
struct owned_pub {
	const char *publisher, *owner;
};

struct claim_owners {
	struct owned_pub *p;
	size_t n, cap;
	size_t nowners;
};

static int
by_publisher(const void *a, const void *b)
{
	return strcmp(((const struct owned_pub *)a)->publisher,
	    ((const struct owned_pub *)b)->publisher);
}

/* Applies one owner record: its list replaces the owner's, and each
 * publisher it names leaves any other owner. */
static bool
owners_apply(struct claim_owners *o, const struct proto_registry *r)
{
	size_t m = 0;

	for (size_t i = 0; i < o->n; i++) {
		bool drop = strcmp(o->p[i].owner, r->party) == 0;

		for (size_t k = 0; !drop && k < r->npublishers; k++)
			drop = strcmp(o->p[i].publisher, r->publishers[k]) == 0;
		if (!drop)
			o->p[m++] = o->p[i];
	}
	o->n = m;
	if (o->n + r->npublishers > o->cap) {
		size_t cap = 2 * (o->n + r->npublishers);
		struct owned_pub *p = realloc(o->p, cap * sizeof(*p));

		if (p == NULL)
			return false;
		o->p = p;
		o->cap = cap;
	}
	for (size_t k = 0; k < r->npublishers; k++) {
		o->p[o->n].publisher = r->publishers[k];
		o->p[o->n++].owner = r->party;
	}
	return true;
}

struct claim_owners *
claim_owners_build(const struct claim_entry *e, size_t n)
{
	struct claim_owners *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (e[i].payload.kind == PROTO_KIND_OWNER &&
		    !owners_apply(o, &e[i].payload.reg)) {
			claim_owners_free(o);
			return NULL;
		}
	if (o->n > 0)
		qsort(o->p, o->n, sizeof(*o->p), by_publisher);
	for (size_t i = 0; i < o->n; i++) {
		bool seen = false;

		for (size_t k = 0; !seen && k < i; k++)
			seen = strcmp(o->p[k].owner, o->p[i].owner) == 0;
		o->nowners += !seen;
	}
	return o;
}

void
claim_owners_free(struct claim_owners *o)
{
	if (o == NULL)
		return;
	free(o->p);
	free(o);
}

size_t
claim_owners_count(const struct claim_owners *o)
{
	return o->nowners;
}

const char *
claim_owners_of(void *owners, const char *publisher)
{
	const struct claim_owners *o = owners;
	struct owned_pub key = {publisher, NULL}, *hit;

	if (o == NULL || o->n == 0)
		return NULL;
	hit = bsearch(&key, o->p, o->n, sizeof(*o->p), by_publisher);
	return hit != NULL ? hit->owner : NULL;
}
