/*
 * mirror.c: claimd --mirror UPSTREAM --log-key KEY, a read-only copy of
 * another claimd's log (or of another mirror's) that verifies before it
 * stores.
 *
 * One thread follows the upstream. Each round it fetches the upstream's
 * signed checkpoint (N, R), checks its signature with KEY, and proves
 * that what this store holds is a prefix of it: the root of its own tree
 * at N when N is not larger, the upstream's consistency proof from its
 * size to N otherwise. Then it fetches the entries it lacks by range, a
 * page at a time, and verifies each page before anything is stored: each
 * record's signature; the tree the page makes (an in-memory right edge,
 * proto_merkle_edge) proved consistent with (N, R), so that these are
 * exactly the signed log's entries; and the rules (version chains,
 * grants) replayed by the store itself, which appends them as replicas
 * (store_entry.replica) in batches of verified pages, one commit each:
 * all of a batch or none. A batch is stored by a thread of its own while
 * the next one's pages are fetched and verified. So the mirror's log is
 * the upstream's entry for entry, with the same roots: it serves the
 * upstream's own signed checkpoints, which it cannot make (the log key
 * stays with the writer), and its own feed of what it stored.
 *
 * The rounds are woken by the upstream's feed (any event or heartbeat)
 * and at least every second, so that a mirror catches up after either
 * side was down with no gap: it always asks from its own size on.
 *
 * A checkpoint that this store is not a prefix of is a fork: the mirror
 * keeps both checkpoints in DIR/fork/ (held.json in claim audit's state
 * format, upstream.checkpoint as received), says so loudly and stops,
 * keeping the log it verified. It will not start again while DIR/fork
 * exists.
 *
 * libclaim is the client here. The dependency rule (proto <- store <-
 * daemon; client depends on proto, never on store) allows it: libclaim
 * does not reach the store, and a mirror is a client of its upstream
 * exactly as claim is. It uses the same requests, the same parsing of
 * replies, and the same proof checks as claim audit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "claim.h"
#include "claimd.h"

#define MIRROR_TIMEOUT_MS 3000 /* one upstream request */
#define MIRROR_PAGE       PROTO_RANGE_MAX
/*
 * Entries verified before one commit. The log's hash and claim indexes
 * are keyed at random: a commit writes about a leaf page of each per
 * entry until the commit holds as many entries as the indexes have
 * leaves, so larger commits write fewer pages an entry (at 1,000,000
 * entries, 0.36 instead of 0.93). Nothing waits on a mirror's commit.
 */
#define MIRROR_BATCH 32768
#define MIRROR_PAGES (MIRROR_BATCH / 64 + 1) /* a range holds >= 64 */

/* Pages fetched and verified, not yet stored. */
struct pending {
	struct claim_entry *page[MIRROR_PAGES];
	size_t len[MIRROR_PAGES];
	size_t pages, n;
};

/*
 * A batch stored by a thread of its own while the mirror thread fetches
 * and verifies the next: the store's commit (one core, and the disk)
 * beside the signature checks (every core).
 */
struct storing {
	struct mirror *m;
	struct pending p;
	struct proto_merkle_edge edge;
	pthread_t thread;
	bool busy;     /* a result to collect */
	bool threaded; /* and a thread to join for it */
	int rc;
	char err[256];
};
#define MIRROR_THREADS 8 /* checking a page's signatures */

struct mirror {
	struct daemon *d;
	void *pub; /* the mirror's own feed */
	void *sub; /* the upstream's feed, a wake-up call */
	struct claim_client *up;
	struct proto_merkle_edge edge; /* this store's tree */
	uint64_t size;
	uint64_t last_beat;
	bool warned;               /* the upstream is unreachable: said once */
	struct claim_curve *curve; /* to the upstream, or NULL */
	struct proto_buf buf;
	struct storing st;
};

/* The tree of the store as it stands, leaf by leaf (once, at start). */
static int
edge_load(struct mirror *m)
{
	struct store_snap *snap;
	const uint8_t *bytes;
	uint8_t leaf[PROTO_HASH_LEN];
	size_t len;
	int rc;

	if ((rc = store_snap_begin(m->d->store, &snap)) != PROTO_OK)
		return rc;
	proto_merkle_edge_init(&m->edge);
	m->size = store_size(snap);
	for (uint64_t i = 0; i < m->size && rc == PROTO_OK; i++)
		if ((rc = store_get(snap, i, &bytes, &len)) == PROTO_OK) {
			proto_record_hash(bytes, len, leaf);
			proto_merkle_edge_push(&m->edge, leaf);
		}
	store_snap_end(snap);
	return rc;
}

static void
publish(struct mirror *m, const char *topic)
{
	/* ETERM: claimd is stopping, and the feed with it. */
	if ((zmq_send(m->pub, topic, strlen(topic), ZMQ_SNDMORE) < 0 ||
		zmq_send(m->pub, m->buf.data, m->buf.len, 0) < 0) &&
	    errno != ETERM)
		log_warnx("feed: cannot publish: %s", zmq_strerror(errno));
}

static void
heartbeat(struct mirror *m)
{
	m->buf.len = 0;
	if (feed_heartbeat(&m->buf, m->size) == PROTO_OK)
		publish(m, PROTO_FEED_HEARTBEAT);
	m->last_beat = now_us();
}

/* The stopping of the daemon: main drains and exits non-zero. */
static void
give_up(struct mirror *m)
{
	m->d->mirror_failed = true;
	kill(getpid(), SIGTERM);
}

/*
 * A fork: evidence kept, said loudly, the mirror stopped. note is the
 * upstream's checkpoint that this store is no prefix of.
 */
static void
fork_found(struct mirror *m, const char *note, const char *why)
{
	char where[4200];

	checkpoint_fork_evidence(m->d, note, where, sizeof(where));
	log_warnx("FORK: the upstream %s shows a checkpoint that is not an "
		  "extension of this mirror's verified log (%llu entries): "
		  "%s",
	    m->d->cfg->mirror, (unsigned long long)m->size, why);
	log_warnx("FORK: both checkpoints are kept in %s (claim audit "
		  "--state %s/held.json --server UPSTREAM shows it); the "
		  "mirror stops, keeping the log it verified",
	    where, where);
	give_up(m);
}

static void
upstream_close(struct mirror *m)
{
	claim_client_close(m->up);
	m->up = NULL;
	if (m->sub != NULL)
		zmq_close(m->sub);
	m->sub = NULL;
}

/* Connects to the upstream and subscribes to its feed. */
static int
upstream_open(struct mirror *m, char *err, size_t errlen)
{
	struct proto_stats_rep *rep;
	struct proto_empty q = {0};
	struct claim_reply r;
	int rc, linger = 0;

	if ((rc = claim_client_open(m->d->cfg->mirror, MIRROR_TIMEOUT_MS,
		 m->curve, &m->up, err, errlen)) != PROTO_OK)
		return rc;
	if ((rep = calloc(1, sizeof(*rep))) == NULL)
		return PROTO_ENOMEM;
	memset(&r, 0, sizeof(r));
	rc = claim_call(m->up, PROTO_OP_STATS, &q, rep, &r, err, errlen);
	if (rc == PROTO_OK) {
		char ep[256];

		feed_endpoint_for(m->d->cfg->mirror, rep->feed, ep, sizeof(ep));
		snprintf(rep->feed, sizeof(rep->feed), "%s", ep);
		if ((m->sub = zmq_socket(m->d->zctx, ZMQ_SUB)) == NULL ||
		    zmq_setsockopt(
			m->sub, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
		    zmq_setsockopt(m->sub, ZMQ_SUBSCRIBE, "", 0) != 0 ||
		    claim_client_secure(m->up, m->sub) != PROTO_OK ||
		    zmq_connect(m->sub, rep->feed) != 0)
			rc = proto_fail(err, errlen, PROTO_EIO,
			    "cannot follow the upstream's feed %s: %s",
			    rep->feed, zmq_strerror(errno));
	}
	claim_reply_release(&r);
	free(rep);
	if (rc != PROTO_OK)
		upstream_close(m);
	return rc;
}

static void
pending_free(struct pending *p)
{
	for (size_t i = 0; i < p->pages; i++)
		claim_entries_free(p->page[i], p->len[i]);
	p->pages = p->n = 0;
}

/*
 * Appends the verified pages as replicas, in one commit, and publishes
 * them. Their tree (edge) was proved part of the signed one already.
 */
static int
store_pending(struct mirror *m, struct pending *p,
    const struct proto_merkle_edge *edge, char *err, size_t errlen)
{
	size_t n = p->n, k = 0;
	struct store_entry *se = calloc(n, sizeof(*se));
	struct store_result *res = calloc(n, sizeof(*res));
	char topic[PROTO_SLUG_MAX + 16];
	int rc;

	if (se == NULL || res == NULL) {
		free(se);
		free(res);
		return PROTO_ENOMEM;
	}
	for (size_t i = 0; i < p->pages; i++)
		for (size_t j = 0; j < p->len[i]; j++, k++) {
			se[k].rec = &p->page[i][j].rec;
			se[k].payload = &p->page[i][j].payload;
			se[k].replica = true;
		}
	rc = store_append(m->d->store, se, n, res, err, errlen);
	if (rc != PROTO_OK && rc != PROTO_ENOMEM && rc != PROTO_ESTORE &&
	    rc != PROTO_EIO && rc != PROTO_EDAMAGED) {
		/* Signed by the log, refused by its rules: no retry helps. */
		log_warnx("mirror: the upstream's log breaks the rules after "
			  "entry %llu: %s: %s; stopping, keeping the %llu "
			  "entries verified",
		    (unsigned long long)m->size, proto_errname(rc), err,
		    (unsigned long long)m->size);
		give_up(m);
	}
	for (size_t i = 0; rc == PROTO_OK && i < n; i++)
		if (res[i].rc != PROTO_OK || res[i].existed ||
		    res[i].index != m->size + i)
			rc = proto_fail(err, errlen, PROTO_ESTORE,
			    "entry %llu was not stored in its place",
			    (unsigned long long)(m->size + i));
	if (rc == PROTO_OK) {
		struct job *j = calloc(1, sizeof(*j));
		size_t pg = 0, at = 0;

		m->edge = *edge;
		m->size += n;
		for (size_t i = 0; j != NULL && i < n; i++) {
			struct claim_entry *e = &p->page[pg][at];

			if (++at == p->len[pg]) {
				pg++;
				at = 0;
			}
			memset(j, 0, sizeof(*j));
			j->bytes = e->bytes;
			j->len = e->len;
			j->payload = e->payload;
			j->res = res[i];
			m->buf.len = 0;
			if (feed_event(&m->buf, j) == PROTO_OK) {
				feed_topic(j, topic, sizeof(topic));
				publish(m, topic);
				m->d->published++;
			}
		}
		free(j);
		m->d->accepted += n;
		m->d->batches++;
	}
	free(se);
	free(res);
	return rc;
}

static void *
storing_main(void *arg)
{
	struct storing *s = arg;

	s->rc = store_pending(s->m, &s->p, &s->edge, s->err, sizeof(s->err));
	pending_free(&s->p);
	return NULL;
}

/* The result of the batch in store, once it is stored; OK if none. */
static int
storing_wait(struct storing *s, char *err, size_t errlen)
{
	if (!s->busy)
		return PROTO_OK;
	if (s->threaded)
		pthread_join(s->thread, NULL);
	s->busy = false;
	if (s->rc != PROTO_OK)
		snprintf(err, errlen, "%s", s->err);
	return s->rc;
}

/* Takes the pending pages (tree edge) to store; p is left empty. */
static void
storing_start(
    struct mirror *m, struct pending *p, const struct proto_merkle_edge *edge)
{
	struct storing *s = &m->st;

	s->m = m;
	s->p = *p;
	s->edge = *edge;
	p->pages = p->n = 0;
	s->busy = true;
	s->threaded = pthread_create(&s->thread, NULL, storing_main, s) == 0;
	if (!s->threaded)
		storing_main(s);
}

/*
 * Ranges fetched ahead by a thread of their own, on a connection of its
 * own, while the mirror thread checks the pages before them: a long
 * catch-up waits on neither the upstream's reading nor the transfer.
 * Every check of what arrives stays with the mirror thread.
 */
#define AHEAD_PAGES 4

struct ahead {
	struct claim_client *c;
	uint64_t from, to; /* the next range's start, the end */
	struct claim_entry *page[AHEAD_PAGES];
	size_t len[AHEAD_PAGES];
	size_t head, count; /* pages ready, a ring */
	bool stop, done;
	int rc; /* why the fetching ended early, after its pages */
	char err[256];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

static void *
ahead_main(void *arg)
{
	struct ahead *a = arg;
	char err[256];

	for (;;) {
		struct claim_entry *e = NULL;
		uint64_t next, usize, from, want;
		size_t got = 0;
		int rc;

		pthread_mutex_lock(&a->mu);
		while (a->count == AHEAD_PAGES && !a->stop)
			pthread_cond_wait(&a->cv, &a->mu);
		from = a->from;
		if (a->stop || from >= a->to) {
			pthread_mutex_unlock(&a->mu);
			break;
		}
		pthread_mutex_unlock(&a->mu);
		want = a->to - from < MIRROR_PAGE ? a->to - from : MIRROR_PAGE;
		rc = claim_range(a->c, from, want, NULL, NULL, &e, &got, &next,
		    &usize, err, sizeof(err));
		if (rc == PROTO_OK && got == 0)
			rc = proto_fail(err, sizeof(err), PROTO_EPROTOCOL,
			    "the upstream sent no entries from %llu",
			    (unsigned long long)from);
		pthread_mutex_lock(&a->mu);
		if (rc != PROTO_OK) {
			a->rc = rc;
			snprintf(a->err, sizeof(a->err), "%s", err);
			pthread_mutex_unlock(&a->mu);
			break;
		}
		a->page[(a->head + a->count) % AHEAD_PAGES] = e;
		a->len[(a->head + a->count) % AHEAD_PAGES] = got;
		a->count++;
		a->from = from + got;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
	}
	pthread_mutex_lock(&a->mu);
	a->done = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* A fetcher of [from, to), or NULL (the mirror thread fetches). */
static struct ahead *
ahead_start(struct mirror *m, uint64_t from, uint64_t to)
{
	struct ahead *a = calloc(1, sizeof(*a));
	char err[256];

	if (a == NULL)
		return NULL;
	if (claim_client_open(m->d->cfg->mirror, MIRROR_TIMEOUT_MS, m->curve,
		&a->c, err, sizeof(err)) != PROTO_OK) {
		free(a);
		return NULL;
	}
	a->from = from;
	a->to = to;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (pthread_create(&a->thread, NULL, ahead_main, a) != 0) {
		pthread_mutex_destroy(&a->mu);
		pthread_cond_destroy(&a->cv);
		claim_client_close(a->c);
		free(a);
		return NULL;
	}
	return a;
}

/* The next page in order; once they are all taken, why there are no more. */
static int
ahead_next(struct ahead *a, struct claim_entry **e, size_t *got, char *err,
    size_t errlen)
{
	int rc = PROTO_OK;

	pthread_mutex_lock(&a->mu);
	while (a->count == 0 && !a->done)
		pthread_cond_wait(&a->cv, &a->mu);
	if (a->count > 0) {
		*e = a->page[a->head];
		*got = a->len[a->head];
		a->head = (a->head + 1) % AHEAD_PAGES;
		a->count--;
		pthread_cond_broadcast(&a->cv);
	} else if (a->rc != PROTO_OK) {
		rc = proto_fail(err, errlen, a->rc, "%s", a->err);
	} else {
		rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "the upstream's ranges ended early");
	}
	pthread_mutex_unlock(&a->mu);
	return rc;
}

static void
ahead_stop(struct ahead *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	for (; a->count > 0; a->count--, a->head = (a->head + 1) % AHEAD_PAGES)
		claim_entries_free(a->page[a->head], a->len[a->head]);
	claim_client_close(a->c);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}

/*
 * A new data folder takes the upstream's admin key: the signer of its
 * first entry, which must be a registry record (the first party). The
 * rules then check every later registry record against it.
 */
static int
admin_infer(
    struct mirror *m, const struct claim_entry *first, char *err, size_t errlen)
{
	uint8_t have[PROTO_PUBKEY_LEN];
	bool set;
	int rc;

	if ((rc = store_admin_get(m->d->store, have, &set)) != PROTO_OK)
		return rc;
	if (set)
		return PROTO_OK;
	if (first->payload.kind == PROTO_KIND_CLAIM)
		return proto_fail(err, errlen, PROTO_ECHAIN,
		    "the upstream's first entry is a claim, not a registry "
		    "record");
	if ((rc = store_admin_set(m->d->store, first->rec.kid)) != PROTO_OK)
		return rc;
	log_info("mirror: admin key taken from the upstream's first entry");
	return PROTO_OK;
}

/* Signatures of a page, on every core: the part one thread checks. */
struct sigcheck {
	struct claim_entry *e;
	size_t from, n, step;
	size_t bad; /* the first that does not verify; SIZE_MAX: none */
};

static void *
sigcheck_main(void *arg)
{
	struct sigcheck *c = arg;

	for (size_t i = c->from; i < c->n; i += c->step)
		if (proto_record_verify(&c->e[i].rec) != PROTO_OK) {
			c->bad = i;
			break;
		}
	return NULL;
}

/* The first entry of e[0..n) whose signature fails, or SIZE_MAX. */
static size_t
sigcheck_page(struct claim_entry *e, size_t n)
{
	struct sigcheck c[MIRROR_THREADS];
	pthread_t t[MIRROR_THREADS];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t k = cores < 1 ? 1 : (size_t)cores, bad = SIZE_MAX;
	bool started[MIRROR_THREADS] = {false};

	if (k > MIRROR_THREADS)
		k = MIRROR_THREADS;
	if (n < 64)
		k = 1;
	for (size_t i = 0; i < k; i++) {
		c[i] = (struct sigcheck){e, i, n, k, SIZE_MAX};
		if (i > 0)
			started[i] = pthread_create(&t[i], NULL, sigcheck_main,
					 &c[i]) == 0;
	}
	/* This thread checks its part, and any a thread did not start for. */
	sigcheck_main(&c[0]);
	for (size_t i = 1; i < k; i++)
		if (started[i])
			pthread_join(t[i], NULL);
		else
			sigcheck_main(&c[i]);
	for (size_t i = 0; i < k; i++)
		if (c[i].bad < bad)
			bad = c[i].bad;
	return bad;
}

/* Whether this store's tree of size old (root) is a prefix of (n, root). */
static int
prove_prefix(struct mirror *m, uint64_t old, const uint8_t old_root[32],
    uint64_t n, const uint8_t root[32], bool *prefix, char *err, size_t errlen)
{
	struct claim_proof p;
	int rc;

	*prefix = true;
	if (old == 0)
		return PROTO_OK;
	if (old == n) {
		*prefix = sodium_memcmp(old_root, root, PROTO_HASH_LEN) == 0;
		return PROTO_OK;
	}
	rc = claim_prove_consistency(m->up, old, n, &p, err, errlen);
	if (rc == PROTO_EPROOF) {
		*prefix = false;
		return PROTO_OK;
	}
	if (rc != PROTO_OK)
		return rc;
	*prefix = sodium_memcmp(p.old_root, old_root, PROTO_HASH_LEN) == 0 &&
	    sodium_memcmp(p.root, root, PROTO_HASH_LEN) == 0;
	return PROTO_OK;
}

/*
 * One round: the upstream's checkpoint verified, this store proved its
 * prefix, the rest fetched, verified and stored. PROTO_EPROOF after a
 * fork (already reported); another code when the upstream could not be
 * followed this time.
 */
static int
sync_round(struct mirror *m, char *err, size_t errlen)
{
	uint8_t root[PROTO_HASH_LEN], mine[PROTO_HASH_LEN];
	char vkey[PROTO_VKEY_MAX], *note = NULL;
	struct proto_merkle_edge edge;
	struct pending pend;
	struct ahead *ahead = NULL;
	struct store_snap *snap;
	uint64_t n, vsize;
	bool prefix;
	int rc;

	if ((rc = claim_checkpoint_fetch(m->up, &note, vkey, err, errlen)) !=
	    PROTO_OK)
		return rc;
	if ((rc = claim_checkpoint_verify(note, strlen(note),
		 m->d->cfg->log_key, &n, root, err, errlen)) != PROTO_OK) {
		log_warnx("mirror: the upstream's checkpoint is not one of "
			  "this log (%s): not following it",
		    err);
		goto done;
	}
	m->d->upstream_seen = (uint64_t)time(NULL);
	m->d->upstream_size = n;
	if (n <= m->size) {
		if ((rc = store_snap_begin(m->d->store, &snap)) != PROTO_OK)
			goto done;
		rc = store_root(snap, n, mine);
		store_snap_end(snap);
		if (rc != PROTO_OK)
			goto done;
		if (sodium_memcmp(mine, root, PROTO_HASH_LEN) != 0) {
			fork_found(m, note,
			    "its root differs from this log's at that size");
			rc = PROTO_EPROOF;
		} else if (n == m->size) {
			rc = checkpoint_mirror_set(m->d, note, n, root);
		}
		goto done;
	}
	proto_merkle_edge_root(&m->edge, mine);
	if ((rc = prove_prefix(
		 m, m->size, mine, n, root, &prefix, err, errlen)) != PROTO_OK)
		goto done;
	if (!prefix) {
		fork_found(
		    m, note, "it is not consistent with this log's tree");
		rc = PROTO_EPROOF;
		goto done;
	}
	/* Pages are verified one by one and stored MIRROR_BATCH at a time,
	 * a batch in store while the next is verified: vsize entries are
	 * verified, edge is their tree. */
	pend.pages = pend.n = 0;
	edge = m->edge;
	vsize = m->size;
	if (n - vsize > 2 * MIRROR_PAGE)
		ahead = ahead_start(m, vsize, n);
	while (vsize < n) {
		struct proto_merkle_edge pe = edge;
		struct claim_entry *e = NULL;
		uint64_t next, usize, from = vsize, want = n - from;
		size_t got = 0;

		if (want > MIRROR_PAGE)
			want = MIRROR_PAGE;
		if (ahead != NULL)
			rc = ahead_next(ahead, &e, &got, err, errlen);
		else
			rc = claim_range(m->up, from, want, NULL, NULL, &e,
			    &got, &next, &usize, err, errlen);
		if (rc != PROTO_OK)
			goto store;
		if (got == 0)
			rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "the upstream sent no entries from %llu",
			    (unsigned long long)from);
		for (size_t i = 0; rc == PROTO_OK && i < got; i++) {
			if (e[i].index != from + i)
				rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
				    "the upstream sent entry %llu for %llu",
				    (unsigned long long)e[i].index,
				    (unsigned long long)(from + i));
			else
				proto_merkle_edge_push(&pe, e[i].hash);
		}
		if (rc == PROTO_OK && from + got > n)
			rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "the upstream sent more entries than asked");
		/* The page's tree, part of the signed one. */
		if (rc == PROTO_OK && got > 0) {
			proto_merkle_edge_root(&pe, mine);
			rc = prove_prefix(
			    m, pe.size, mine, n, root, &prefix, err, errlen);
		}
		if (rc == PROTO_OK && got > 0 && !prefix) {
			/* The upstream's entries are not its signed log. */
			rc = proto_fail(err, errlen, PROTO_EPROOF,
			    "entries %llu to %llu do not make the upstream's "
			    "signed tree",
			    (unsigned long long)from,
			    (unsigned long long)(from + got - 1));
		}
		/* In the signed log: a bad signature is the log's own. */
		if (rc == PROTO_OK && got > 0) {
			size_t bad = sigcheck_page(e, got);

			if (bad != SIZE_MAX)
				rc = proto_fail(err, errlen, PROTO_ESIGNATURE,
				    "entry %llu: signature does not verify",
				    (unsigned long long)e[bad].index);
		}
		if (rc == PROTO_OK && from == 0 && got > 0)
			rc = admin_infer(m, &e[0], err, errlen);
		if (rc != PROTO_OK) {
			claim_entries_free(e, got);
			goto store;
		}
		pend.page[pend.pages] = e;
		pend.len[pend.pages++] = got;
		pend.n += got;
		vsize += got;
		edge = pe;
		/* The batch is full, or holds the rest of the round: stored
		 * once the one before it is. */
		if (pend.n >= MIRROR_BATCH || pend.pages == MIRROR_PAGES ||
		    vsize == n) {
			if ((rc = storing_wait(&m->st, err, errlen)) !=
			    PROTO_OK) {
				pending_free(&pend);
				goto done;
			}
			storing_start(m, &pend, &edge);
		}
	}
	if ((rc = storing_wait(&m->st, err, errlen)) == PROTO_OK)
		rc = checkpoint_mirror_set(m->d, note, n, root);
	goto done;
store:
	/* What was verified before the failure is kept. */
	{
		char why[256];

		if (storing_wait(&m->st, why, sizeof(why)) != PROTO_OK ||
		    (pend.n > 0 &&
			store_pending(m, &pend, &edge, why, sizeof(why)) !=
			    PROTO_OK))
			log_warnx("mirror: %s", why);
		pending_free(&pend);
	}
done:
	ahead_stop(ahead);
	free(note);
	return rc;
}

/* The round's failure: the log's rules broken upstream stop the mirror. */
static void
round_failed(struct mirror *m, int rc, const char *err)
{
	if (m->d->mirror_failed)
		return; /* said already, and stopping */
	switch (rc) {
	case PROTO_EUNREACHABLE:
	case PROTO_EUNAUTHORIZED:
	case PROTO_ESHUTDOWN:
	case PROTO_EBUSY:
		if (!m->warned)
			log_warnx("mirror: upstream %s: %s; trying again",
			    m->d->cfg->mirror, err);
		m->warned = true;
		upstream_close(m);
		return;
	default:
		log_warnx("mirror: cannot follow %s: %s: %s", m->d->cfg->mirror,
		    proto_errname(rc), err);
		if (rc == PROTO_ESIGNATURE) {
			log_warnx("mirror: the upstream's log breaks the "
				  "rules; stopping, keeping what was "
				  "verified");
			give_up(m);
			return;
		}
		upstream_close(m);
	}
}

/* Takes every message waiting on the upstream's feed; true if any. */
static bool
drain_sub(struct mirror *m)
{
	bool any = false;
	zmq_msg_t msg;

	zmq_msg_init(&msg);
	while (zmq_msg_recv(&msg, m->sub, ZMQ_DONTWAIT) >= 0)
		any = true;
	zmq_msg_close(&msg);
	return any;
}

void *
mirror_main(void *arg)
{
	struct mirror *m = arg;
	char err[512];
	int rc;

	heartbeat(m);
	while (!m->d->mirror_failed) {
		zmq_pollitem_t item = {m->sub, 0, ZMQ_POLLIN, 0};

		if (m->up == NULL &&
		    (rc = upstream_open(m, err, sizeof(err))) != PROTO_OK)
			round_failed(m, rc, err);
		if (m->up != NULL) {
			if (m->sub != NULL)
				drain_sub(m);
			if ((rc = sync_round(m, err, sizeof(err))) ==
			    PROTO_OK) {
				if (m->warned)
					log_info("mirror: following %s again, "
						 "%llu entries",
					    m->d->cfg->mirror,
					    (unsigned long long)m->size);
				m->warned = false;
			} else {
				round_failed(m, rc, err);
			}
		}
		if (now_us() - m->last_beat >= HEARTBEAT_MS * 1000ULL)
			heartbeat(m);
		if (m->d->mirror_failed)
			break;
		/* Until the upstream says something, or a second. */
		if (m->sub != NULL) {
			if (zmq_poll(&item, 1, HEARTBEAT_MS) < 0 &&
			    errno == ETERM)
				break;
		} else {
			/* Nothing to wait on: the upstream is away. */
			for (int i = 0; i < 10 && !m->d->stopping; i++)
				usleep(HEARTBEAT_MS * 100);
		}
		if (m->d->stopping)
			break;
	}
	upstream_close(m);
	return NULL;
}

struct mirror *
mirror_new(struct daemon *d, void *pub)
{
	struct mirror *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->d = d;
	m->pub = pub;
	proto_buf_init(&m->buf);
	/* The mirror's own key pair is its client key upstream. */
	if (d->cfg->upstream_key != NULL)
		m->curve =
		    curve_client_new(d->cfg->curve_key, d->cfg->upstream_key);
	if (edge_load(m) != PROTO_OK)
		fatalx("mirror: cannot read the store");
	return m;
}

void
mirror_free(struct mirror *m)
{
	if (m == NULL)
		return;
	proto_buf_release(&m->buf);
	if (m->curve != NULL)
		sodium_free(m->curve);
	free(m);
}
