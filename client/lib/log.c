/*
 * log.c: a whole log as the source graph needs it (claim_log_fetch,
 * claim_log_read_export): claims and owner records decoded straight from
 * the record bytes, only the fields the graph and its answers read, their
 * strings copied into large blocks instead of one malloc each. Ranges, or
 * chunks of an export's lines, are decoded on the pool (pool.c) while the
 * next range is on its way or the next lines are read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>

#include "internal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Strings and arrays of many entries, freed together. */
struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
};

/*
 * Blocks of 4 MB on 2 MB boundaries, offered to the kernel as huge pages:
 * touching 100 MB of small pages for the first time costs more than
 * filling them (a page fault each, dear in a virtual machine).
 */
#define BLOCK_BYTES (4 * 1024 * 1024)
#define HUGE_PAGE   (2 * 1024 * 1024)

/* n bytes, on huge pages where the kernel has them; free() frees it. */
static void *
huge_alloc(size_t n)
{
	void *p;

	if (n < HUGE_PAGE)
		return malloc(n);
	n = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	if ((p = aligned_alloc(HUGE_PAGE, n)) != NULL)
		(void)madvise(p, n, MADV_HUGEPAGE);
	return p;
}

/*
 * The blocks of one log, shared by the parts decoding at once: each takes
 * slices of SLICE_BYTES (or of what it needs) under the lock.
 */
#define SLICE_BYTES (256 * 1024)

struct arena {
	pthread_mutex_t mu;
	struct block *blocks;
};

/*
 * What a range or a chunk decodes into: entries, and texts and arrays in
 * slices of the log's arena. Its texts are kept once each (a document is
 * cited by many claims of a range): a table of them, by hash, open
 * addressing.
 */
#define TEXTS_MAX 65536 /* table slots; more texts are not looked up */

struct part {
	struct claim_entry *e;
	size_t n;
	struct arena *arena;
	char *cur; /* the free rest of the part's slice */
	size_t left;
	char **texts; /* TEXTS_MAX slots, NULL: empty */
	size_t ntexts;
};

struct claim_log {
	struct claim_entry *e;
	size_t n;
	struct block *blocks;
};

/* n bytes of the arena's blocks. */
static void *
arena_take(struct arena *a, size_t n)
{
	struct block *b;
	void *r = NULL;

	pthread_mutex_lock(&a->mu);
	b = a->blocks;
	if (b == NULL || b->cap - b->used < n) {
		size_t cap =
		    n > BLOCK_BYTES - sizeof(*b) ? n : BLOCK_BYTES - sizeof(*b);

		if ((b = huge_alloc(sizeof(*b) + cap)) == NULL)
			goto out;
		b->next = a->blocks;
		b->used = 0;
		b->cap = cap;
		a->blocks = b;
	}
	r = (char *)b->data + b->used;
	b->used += (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	    sizeof(max_align_t);
out:
	pthread_mutex_unlock(&a->mu);
	return r;
}

static void *
part_alloc_aligned(struct part *p, size_t n, size_t a)
{
	size_t pad = (a - (uintptr_t)p->cur % a) % a;
	void *r;

	if (p->cur == NULL || p->left < pad + n) {
		size_t slice = n > SLICE_BYTES ? n : SLICE_BYTES;

		if ((p->cur = arena_take(p->arena, slice)) == NULL) {
			p->left = 0;
			return NULL;
		}
		p->left = slice;
		pad = 0;
	}
	r = p->cur + pad;
	p->cur += pad + n;
	p->left -= pad + n;
	return r;
}

static void *
part_alloc(struct part *p, size_t n)
{
	return part_alloc_aligned(p, n, sizeof(max_align_t));
}

static void
blocks_free(struct block *b)
{
	while (b != NULL) {
		struct block *next = b->next;

		free(b);
		b = next;
	}
}

/*
 * A text field, NUL-ended, in the part's blocks, the same text kept once;
 * NULL when absent.
 */
static bool
text(struct part *p, const struct proto_field *f, char **out)
{
	uint64_t h = 1469598103934665603ULL;
	size_t slot = 0, len;

	*out = NULL;
	if (!f->present)
		return true;
	/* A NUL ends it (the schema allows none). */
	len = strnlen((const char *)f->ptr, f->len);
	if (p->texts == NULL &&
	    (p->texts = calloc(TEXTS_MAX, sizeof(*p->texts))) == NULL)
		return false;
	for (size_t i = 0; i < len; i++)
		h = (h ^ f->ptr[i]) * 1099511628211ULL;
	/* Half full at most: past that, texts are only copied. */
	if (2 * p->ntexts < TEXTS_MAX)
		for (slot = (size_t)h & (TEXTS_MAX - 1); p->texts[slot] != NULL;
		     slot = (slot + 1) & (TEXTS_MAX - 1)) {
			const char *t = p->texts[slot];

			if (strncmp(t, (const char *)f->ptr, len) == 0 &&
			    t[len] == '\0') {
				*out = p->texts[slot];
				return true;
			}
		}
	if ((*out = part_alloc_aligned(p, len + 1, 1)) == NULL)
		return false;
	memcpy(*out, f->ptr, len);
	(*out)[len] = '\0';
	if (2 * p->ntexts < TEXTS_MAX) {
		p->texts[slot] = *out;
		p->ntexts++;
	}
	return true;
}

/* The table is not needed once the part is decoded. */
static void
texts_done(struct part *p)
{
	free(p->texts);
	p->texts = NULL;
	p->ntexts = 0;
}

/* An enumeration's value by its name; -1 when unknown. */
static int
name_of(const struct proto_field *f, int (*parse)(const char *))
{
	char buf[32];

	if (f->len >= sizeof(buf))
		return -1;
	memcpy(buf, f->ptr, f->len);
	buf[f->len] = '\0';
	return parse(buf);
}

static int
bad(char *err, size_t errlen, const char *what)
{
	return proto_fail(err, errlen, PROTO_ESCHEMA, "%s", what);
}

static int
lean_source(struct part *p, struct proto_cbor_rd *rd, struct proto_source *s,
    char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"publisher", PROTO_F_TEXT, true},
	    {"title", PROTO_F_TEXT, true},
	    {"url", PROTO_F_TEXT, false},
	    {"published", PROTO_F_TEXT, false},
	    {"sha256", PROTO_F_HASH, false},
	    {"derivation", PROTO_F_MAP, false},
	};
	struct proto_field d[] = {
	    {"from", PROTO_F_UINT, true},
	    {"how", PROTO_F_TEXT, true},
	};
	int rc, how;

	if ((rc = proto_cbor_rd_fields(rd, f, NELEM(f), true, PROTO_ESCHEMA,
		 err, errlen)) != PROTO_OK)
		return rc;
	if (!text(p, &f[0], &s->publisher) || !text(p, &f[1], &s->title) ||
	    !text(p, &f[2], &s->url) || !text(p, &f[3], &s->published))
		return PROTO_ENOMEM;
	if ((s->has_sha256 = f[4].present))
		memcpy(s->sha256, f[4].ptr, PROTO_HASH_LEN);
	if (!(s->has_derivation = f[5].present))
		return PROTO_OK;
	if ((rc = proto_cbor_rd_fields(&f[5].sub, d, NELEM(d), true,
		 PROTO_ESCHEMA, err, errlen)) != PROTO_OK)
		return rc;
	if ((how = name_of(&d[1], proto_how_parse)) < 0 ||
	    d[0].u > PROTO_SOURCES_MAX)
		return bad(err, errlen, "a derivation is not one");
	s->from = (uint32_t)d[0].u;
	s->how = (enum proto_how)how;
	return PROTO_OK;
}

/* An array of texts (topics, publishers) into the part's blocks. */
static int
texts(struct part *p, struct proto_cbor_rd rd, size_t max, char ***out,
    size_t *n, char *err, size_t errlen)
{
	size_t m;

	*out = NULL;
	*n = 0;
	if (proto_cbor_rd_array(&rd, &m) != 0 || m > max)
		return bad(err, errlen, "a list of names is not one");
	if (m > 0 && (*out = part_alloc(p, m * sizeof(**out))) == NULL)
		return PROTO_ENOMEM;
	for (; *n < m; (*n)++) {
		struct proto_field t = {"", PROTO_F_TEXT, true, true};

		if (proto_cbor_rd_text(&rd, (const char **)&t.ptr, &t.len) != 0)
			return bad(err, errlen, "a name is not text");
		if (!text(p, &t, &(*out)[*n]))
			return PROTO_ENOMEM;
	}
	return PROTO_OK;
}

static int
lean_claim(struct part *p, struct proto_field *f, struct proto_claim *c,
    char *err, size_t errlen)
{
	struct proto_cbor_rd rd = f[5].sub;
	size_t n;
	int rc, status;

	if (!f[2].present || !f[3].present || !f[4].present || !f[5].present ||
	    !f[6].present ||
	    (status = name_of(&f[4], proto_status_parse)) < 0 ||
	    f[7].present != (f[3].u > 1))
		return bad(err, errlen, "a claim lacks what a claim has");
	if (!text(p, &f[2], &c->party))
		return PROTO_ENOMEM;
	c->version = f[3].u;
	c->status = (enum proto_status)status;
	c->reinstates = f[8].present;
	if (f[7].present)
		memcpy(c->claim, f[7].ptr, PROTO_HASH_LEN);
	if ((rc = texts(p, f[6].sub, PROTO_TOPICS_MAX, &c->topics, &c->ntopics,
		 err, errlen)) != PROTO_OK)
		return rc;
	if (proto_cbor_rd_array(&rd, &n) != 0 || n > PROTO_SOURCES_MAX)
		return bad(err, errlen, "\"sources\" is not a list of sources");
	if (n > 0 &&
	    (c->sources = part_alloc(p, n * sizeof(*c->sources))) == NULL)
		return PROTO_ENOMEM;
	for (c->nsources = 0; c->nsources < n; c->nsources++) {
		memset(&c->sources[c->nsources], 0, sizeof(*c->sources));
		if ((rc = lean_source(p, &rd, &c->sources[c->nsources], err,
			 errlen)) != PROTO_OK)
			return rc;
	}
	return PROTO_OK;
}

/*
 * Record bytes into e, decoded only as far as the graph needs; a record of
 * another kind leaves only e->payload.kind. hash: the record's, when the
 * caller has it already (NULL: computed if a claim id needs it).
 */
static int
lean_open(struct part *p, struct claim_entry *e, uint64_t index,
    const uint8_t *bytes, size_t len, const uint8_t *hash, bool verify,
    char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"kind", PROTO_F_TEXT, true},
	    {"time", PROTO_F_UINT, true},
	    {"party", PROTO_F_TEXT, false},
	    {"version", PROTO_F_UINT, false},
	    {"status", PROTO_F_TEXT, false},
	    {"sources", PROTO_F_ARRAY, false},
	    {"topics", PROTO_F_ARRAY, false},
	    {"claim", PROTO_F_HASH, false},
	    {"reinstates", PROTO_F_BOOL, false},
	    {"owner", PROTO_F_TEXT, false},
	    {"publishers", PROTO_F_ARRAY, false},
	};
	struct proto_record rec;
	struct proto_cbor_rd rd;
	int rc, kind;

	memset(e, 0, sizeof(*e));
	e->index = index;
	e->len = len;
	if ((rc = proto_record_parse(bytes, len, &rec, err, errlen)) !=
	    PROTO_OK)
		return rc;
	if (verify && proto_record_verify(&rec) != PROTO_OK)
		return claim_entry_bad_signature(e, err, errlen);
	proto_cbor_rd_init(&rd, rec.payload, rec.payload_len);
	if ((rc = proto_cbor_rd_fields(&rd, f, NELEM(f), true, PROTO_ESCHEMA,
		 err, errlen)) != PROTO_OK)
		return rc;
	if ((kind = name_of(&f[0], proto_kind_parse)) < 0)
		return bad(err, errlen, "the record is of no known kind");
	e->payload.kind = (enum proto_kind)kind;
	e->payload.time = f[1].u;
	if (kind == PROTO_KIND_OWNER) {
		if (!f[9].present || !f[10].present)
			return bad(err, errlen, "an owner record lacks a name");
		if (!text(p, &f[9], &e->payload.reg.party))
			return PROTO_ENOMEM;
		return texts(p, f[10].sub, PROTO_PUBLISHERS_MAX,
		    &e->payload.reg.publishers, &e->payload.reg.npublishers,
		    err, errlen);
	}
	if (kind != PROTO_KIND_CLAIM)
		return PROTO_OK;
	if ((rc = lean_claim(p, f, &e->payload.claim, err, errlen)) != PROTO_OK)
		return rc;
	/* The claim id of a first version is its record's hash. */
	if (hash != NULL)
		memcpy(e->hash, hash, PROTO_HASH_LEN);
	else if (e->payload.claim.version == 1)
		proto_record_hash(bytes, len, e->hash);
	claim_entry_set_claim(e);
	return PROTO_OK;
}

static bool
kept(const struct claim_entry *e)
{
	return e->payload.kind == PROTO_KIND_CLAIM ||
	    e->payload.kind == PROTO_KIND_OWNER;
}

/* The parts, in order, and the arena into one log; all are emptied. */
static int
join(struct part *parts, size_t np, struct arena *a, struct claim_log **out)
{
	struct claim_log *l = calloc(1, sizeof(*l));
	size_t n = 0;

	if (l == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < np; i++)
		n += parts[i].n;
	if ((l->e = malloc((n ? n : 1) * sizeof(*l->e))) == NULL) {
		free(l);
		return PROTO_ENOMEM;
	}
	for (size_t i = 0; i < np; i++) {
		if (parts[i].n > 0)
			memcpy(&l->e[l->n], parts[i].e,
			    parts[i].n * sizeof(*l->e));
		l->n += parts[i].n;
		free(parts[i].e);
		memset(&parts[i], 0, sizeof(parts[i]));
	}
	l->blocks = a->blocks;
	a->blocks = NULL;
	*out = l;
	return PROTO_OK;
}

const struct claim_entry *
claim_log_entries(const struct claim_log *l, size_t *n)
{
	*n = l->n;
	return l->e;
}

void
claim_log_free(struct claim_log *l)
{
	if (l == NULL)
		return;
	free(l->e);
	blocks_free(l->blocks);
	free(l);
}

/*
 * From claimd: each range's reply decoded as one job on the pool, while
 * the next is asked for and received.
 */
struct range_job {
	struct claim_job job; /* first: the job is the range */
	struct claim_range_reply rr;
	struct part part; /* its entries: the log's, from base on */
	size_t base;
	int rc;
	char err[256];
};

static void
decode_range(struct claim_job *j)
{
	struct range_job *r = (struct range_job *)j;
	const struct proto_rows *rows = &r->rr.entries;
	struct proto_rows_rd rd;
	struct proto_row_entry row;

	r->rc = PROTO_OK;
	proto_rows_rd_init(&rd, &proto_row_entry_def, rows);
	for (size_t k = 0; k < rows->n; k++) {
		struct claim_entry *e = &r->part.e[r->part.n];

		if (proto_rows_next(&rd, &row) != 1) {
			r->rc =
			    proto_fail(r->err, sizeof(r->err), PROTO_EPROTOCOL,
				"entry %zu is not [index, record]", k);
			break;
		}
		if ((r->rc = lean_open(&r->part, e, row.index, row.record.p,
			 row.record.len, NULL, false, r->err,
			 sizeof(r->err))) != PROTO_OK)
			break;
		if (kept(e))
			r->part.n++;
	}
	texts_done(&r->part);
	claim_reply_release(&r->rr.r);
}

/* At most this many ranges (or chunks) received and not yet decoded. */
#define RANGES_AHEAD 4

/* Asks for the range from from and takes its reply, failing over. */
static int
ask(struct claim_client *c, uint64_t from, uint32_t *id, bool sent,
    struct claim_range_reply *rr, char *err, size_t errlen)
{
	int rc = PROTO_OK;

	for (int tried = 0;; tried++) {
		if (sent ||
		    (rc = claim_range_send(c, from, PROTO_RANGE_MAX, NULL, NULL,
			 id, err, errlen)) == PROTO_OK)
			rc = claim_range_wait(c, *id, from, rr, err, errlen);
		sent = false;
		if (rc != PROTO_EUNREACHABLE ||
		    tried + 1 >= claim_client_nservers(c) ||
		    claim_client_failover(c) != PROTO_OK)
			return rc;
	}
}

/*
 * Room in *all for at least need entries. The jobs that write into it
 * have all been waited for (their entries are moved with it).
 */
static bool
reserve(struct claim_entry **all, size_t *cap, size_t need)
{
	size_t n = *cap > need ? *cap : need;
	struct claim_entry *m;

	if (need <= *cap && *all != NULL)
		return true;
	if (n < 2 * *cap)
		n = 2 * *cap;
	if ((m = huge_alloc((n ? n : 1) * sizeof(*m))) == NULL)
		return false;
	if (*all != NULL)
		memcpy(m, *all, *cap * sizeof(*m));
	free(*all);
	*all = m;
	*cap = n;
	return true;
}

int
claim_log_fetch(
    struct claim_client *c, struct claim_log **out, char *err, size_t errlen)
{
	struct arena arena = {PTHREAD_MUTEX_INITIALIZER, NULL};
	struct claim_pool pool;
	struct range_job **jobs = NULL;
	struct claim_entry *all = NULL;
	struct claim_log *l;
	size_t nj = 0, capj = 0, waited = 0, used = 0, cap = 0, n = 0;
	uint64_t from = 0;
	uint32_t id = 0;
	bool sent = false;
	int rc = PROTO_OK;

	*out = NULL;
	claim_pool_start(&pool, claim_pool_cores());
	for (;;) {
		struct range_job *j;
		struct claim_range_reply rr;

		if ((rc = ask(c, from, &id, sent, &rr, err, errlen)) !=
		    PROTO_OK)
			break;
		sent = false;
		/* Each entry takes bytes: a count beyond them is a lie. */
		if (rr.entries.n > rr.entries.len) {
			rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "reply claims %zu entries", rr.entries.n);
			claim_reply_release(&rr.r);
			break;
		}
		/* The next range is on its way while this one decodes. */
		if (rr.entries.n > 0 && rr.next < rr.size &&
		    claim_range_send(c, rr.next, PROTO_RANGE_MAX, NULL, NULL,
			&id, err, errlen) == PROTO_OK)
			sent = true;
		/* The whole log's entries in one array, decoded in place;
		 * moved only if the log grew meanwhile. */
		if (used + rr.entries.n > cap || all == NULL) {
			while (waited < nj)
				claim_pool_wait(&pool, &jobs[waited++]->job);
			if (!reserve(&all, &cap,
				used + rr.entries.n > rr.size
				    ? used + rr.entries.n
				    : (size_t)rr.size)) {
				claim_reply_release(&rr.r);
				rc = PROTO_ENOMEM;
				break;
			}
		}
		if (nj == capj) {
			size_t cj = capj ? 2 * capj : 64;
			struct range_job **m =
			    realloc(jobs, cj * sizeof(*jobs));

			if (m == NULL) {
				claim_reply_release(&rr.r);
				rc = PROTO_ENOMEM;
				break;
			}
			jobs = m;
			capj = cj;
		}
		if ((j = calloc(1, sizeof(*j))) == NULL) {
			claim_reply_release(&rr.r);
			rc = PROTO_ENOMEM;
			break;
		}
		j->rr = rr;
		j->part.arena = &arena;
		j->base = used;
		j->part.e = &all[used];
		used += rr.entries.n;
		jobs[nj++] = j;
		claim_pool_submit(&pool, &j->job, decode_range);
		/* Not the whole log's replies held at once. */
		while (nj - waited > RANGES_AHEAD)
			claim_pool_wait(&pool, &jobs[waited++]->job);
		if (rr.entries.n == 0 || rr.next >= rr.size)
			break;
		from = rr.next;
	}
	/* A range asked for and not taken: its reply is dropped by the
	 * next request's wait. */
	while (waited < nj)
		claim_pool_wait(&pool, &jobs[waited++]->job);
	claim_pool_stop(&pool);
	/* The kept entries of each range, moved up against the last's. */
	for (size_t i = 0; i < nj; i++) {
		if (rc == PROTO_OK && (rc = jobs[i]->rc) != PROTO_OK &&
		    rc != PROTO_ENOMEM)
			proto_fail(err, errlen, rc, "%s", jobs[i]->err);
		if (rc == PROTO_OK && jobs[i]->part.n > 0)
			memmove(&all[n], &all[jobs[i]->base],
			    jobs[i]->part.n * sizeof(*all));
		n += jobs[i]->part.n;
		free(jobs[i]);
	}
	free(jobs);
	if (rc == PROTO_OK && (l = calloc(1, sizeof(*l))) == NULL)
		rc = PROTO_ENOMEM;
	if (rc != PROTO_OK) {
		free(all);
		blocks_free(arena.blocks);
		pthread_mutex_destroy(&arena.mu);
		return rc;
	}
	l->e = all;
	l->n = n;
	l->blocks = arena.blocks;
	pthread_mutex_destroy(&arena.mu);
	*out = l;
	return PROTO_OK;
}

/*
 * From an export: chunks of lines, each checked (hash, signature) and
 * decoded as one job on the pool while the next lines are read.
 */
#define CHUNK_LINES 1024

struct chunk_job {
	struct claim_job job; /* first: the job is the chunk */
	char *lines[CHUNK_LINES];
	uint64_t lineno[CHUNK_LINES];
	size_t nlines;
	struct part part;
	int rc;
	char err[300];
};

static void decode_lines(struct chunk_job *c);

static void
decode_chunk(struct claim_job *j)
{
	struct chunk_job *c = (struct chunk_job *)j;

	c->rc = PROTO_OK;
	if ((c->part.e = malloc(CHUNK_LINES * sizeof(*c->part.e))) == NULL) {
		c->rc = PROTO_ENOMEM;
		return;
	}
	decode_lines(c);
	texts_done(&c->part);
}

static void
decode_lines(struct chunk_job *c)
{
	for (size_t i = 0; i < c->nlines; i++) {
		struct claim_entry *e = &c->part.e[c->part.n];
		uint8_t *bytes, hash[PROTO_HASH_LEN];
		uint64_t index = 0;
		size_t len;
		char why[200];

		c->rc = claim_export_line(
		    c->lines[i], &index, &bytes, &len, hash, why, sizeof(why));
		if (c->rc == PROTO_OK)
			c->rc = lean_open(&c->part, e, index, bytes, len, hash,
			    true, why, sizeof(why));
		free(bytes);
		if (c->rc == PROTO_ENOMEM)
			return;
		if (c->rc != PROTO_OK) {
			snprintf(c->err, sizeof(c->err), "line %llu: %s",
			    (unsigned long long)c->lineno[i], why);
			return;
		}
		if (kept(e))
			c->part.n++;
	}
}

static void
chunk_free(struct chunk_job *c)
{
	for (size_t i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	free(c->part.e);
	free(c);
}

/* Waits for a chunk; its lines are not needed once decoded. */
static void
lines_done(struct claim_pool *pool, struct chunk_job *c)
{
	claim_pool_wait(pool, &c->job);
	for (size_t k = 0; k < c->nlines; k++) {
		free(c->lines[k]);
		c->lines[k] = NULL;
	}
}

/* The next non-blank line, without its newline, malloc'd; NULL at the end. */
static char *
next_line(FILE *in, uint64_t *lineno)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, in)) >= 0) {
		(*lineno)++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[strspn(line, " \t\r")] != '\0')
			return line;
	}
	free(line);
	return NULL;
}

int
claim_log_read_export(
    FILE *in, struct claim_log **out, char *err, size_t errlen)
{
	struct arena arena = {PTHREAD_MUTEX_INITIALIZER, NULL};
	struct claim_pool pool;
	struct chunk_job **jobs = NULL;
	struct part *parts = NULL;
	size_t nj = 0, capj = 0, waited = 0;
	uint64_t lineno = 0;
	bool end = false;
	int rc = PROTO_OK;

	*out = NULL;
	claim_pool_start(&pool, claim_pool_cores());
	while (!end) {
		struct chunk_job *c = calloc(1, sizeof(*c));

		if (c == NULL ||
		    (nj == capj &&
			(capj = capj ? 2 * capj : 64,
			    (jobs = realloc(jobs, capj * sizeof(*jobs))) ==
				NULL))) {
			free(c);
			rc = PROTO_ENOMEM;
			break;
		}
		while (c->nlines < CHUNK_LINES) {
			char *line = next_line(in, &lineno);

			if (line == NULL) {
				end = true;
				break;
			}
			c->lineno[c->nlines] = lineno;
			c->lines[c->nlines++] = line;
		}
		c->part.arena = &arena;
		jobs[nj++] = c;
		claim_pool_submit(&pool, &c->job, decode_chunk);
		/* Not the whole export's lines held at once. */
		while (nj - waited > RANGES_AHEAD)
			lines_done(&pool, jobs[waited++]);
	}
	while (waited < nj)
		lines_done(&pool, jobs[waited++]);
	claim_pool_stop(&pool);
	if (rc == PROTO_OK && ferror(in))
		rc = proto_fail(
		    err, errlen, PROTO_EIO, "cannot read the export");
	/* The first bad line of the export is the first chunk's that has
	 * one. */
	for (size_t i = 0; rc == PROTO_OK && i < nj; i++)
		if ((rc = jobs[i]->rc) != PROTO_OK && rc != PROTO_ENOMEM)
			proto_fail(err, errlen, rc, "%s", jobs[i]->err);
	if (rc == PROTO_OK &&
	    (parts = calloc(nj ? nj : 1, sizeof(*parts))) == NULL)
		rc = PROTO_ENOMEM;
	for (size_t i = 0; i < nj; i++) {
		if (parts != NULL) {
			parts[i] = jobs[i]->part;
			memset(&jobs[i]->part, 0, sizeof(jobs[i]->part));
		}
		chunk_free(jobs[i]);
	}
	free(jobs);
	if (rc == PROTO_OK)
		rc = join(parts, nj, &arena, out);
	for (size_t i = 0; parts != NULL && i < nj; i++)
		free(parts[i].e);
	free(parts);
	blocks_free(arena.blocks);
	pthread_mutex_destroy(&arena.mu);
	return rc;
}
