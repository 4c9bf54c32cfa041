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
 * (store_entry.replica): all of a page or none. So the mirror's log is
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
#define MIRROR_THREADS    8 /* checking a page's signatures */

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
	if (zmq_send(m->pub, topic, strlen(topic), ZMQ_SNDMORE) < 0 ||
	    zmq_send(m->pub, m->buf.data, m->buf.len, 0) < 0)
		log_warn("feed: cannot publish");
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

/*
 * Appends one verified page as replicas and publishes it. The page's
 * tree (edge) was proved part of the signed one already.
 */
static int
store_page(struct mirror *m, struct claim_entry *e, size_t n,
    const struct proto_merkle_edge *edge, char *err, size_t errlen)
{
	struct store_entry *se = calloc(n, sizeof(*se));
	struct store_result *res = calloc(n, sizeof(*res));
	char topic[PROTO_SLUG_MAX + 16];
	int rc;

	if (se == NULL || res == NULL) {
		free(se);
		free(res);
		return PROTO_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		se[i].rec = &e[i].rec;
		se[i].payload = &e[i].payload;
		se[i].replica = true;
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

		m->edge = *edge;
		m->size += n;
		for (size_t i = 0; j != NULL && i < n; i++) {
			memset(j, 0, sizeof(*j));
			j->bytes = e[i].bytes;
			j->len = e[i].len;
			j->payload = e[i].payload;
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
	struct store_snap *snap;
	uint64_t n;
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
	while (m->size < n) {
		struct proto_merkle_edge edge = m->edge;
		struct claim_entry *e = NULL;
		uint64_t next, usize, want = n - m->size;
		size_t got = 0;

		if (want > MIRROR_PAGE)
			want = MIRROR_PAGE;
		if ((rc = claim_range(m->up, m->size, want, NULL, NULL, &e,
			 &got, &next, &usize, err, errlen)) != PROTO_OK)
			goto done;
		if (got == 0)
			rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "the upstream sent no entries from %llu",
			    (unsigned long long)m->size);
		for (size_t i = 0; rc == PROTO_OK && i < got; i++) {
			if (e[i].index != m->size + i)
				rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
				    "the upstream sent entry %llu for %llu",
				    (unsigned long long)e[i].index,
				    (unsigned long long)(m->size + i));
			else
				proto_merkle_edge_push(&edge, e[i].hash);
		}
		if (rc == PROTO_OK && m->size + got > n)
			rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "the upstream sent more entries than asked");
		/* The page's tree, part of the signed one. */
		if (rc == PROTO_OK) {
			proto_merkle_edge_root(&edge, mine);
			rc = prove_prefix(
			    m, edge.size, mine, n, root, &prefix, err, errlen);
		}
		if (rc == PROTO_OK && !prefix) {
			/* The upstream's entries are not its signed log. */
			rc = proto_fail(err, errlen, PROTO_EPROOF,
			    "entries %llu to %llu do not make the upstream's "
			    "signed tree",
			    (unsigned long long)m->size,
			    (unsigned long long)(m->size + got - 1));
		}
		/* In the signed log: a bad signature is the log's own. */
		if (rc == PROTO_OK && got > 0) {
			size_t bad = sigcheck_page(e, got);

			if (bad != SIZE_MAX)
				rc = proto_fail(err, errlen, PROTO_ESIGNATURE,
				    "entry %llu: signature does not verify",
				    (unsigned long long)e[bad].index);
		}
		if (rc == PROTO_OK && m->size == 0 && got > 0)
			rc = admin_infer(m, &e[0], err, errlen);
		if (rc == PROTO_OK)
			rc = store_page(m, e, got, &edge, err, errlen);
		claim_entries_free(e, got);
		if (rc != PROTO_OK)
			goto done;
	}
	rc = checkpoint_mirror_set(m->d, note, n, root);
done:
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
