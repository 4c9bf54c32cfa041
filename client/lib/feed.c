/*
 * feed.c: following claimd's feed exactly once, in order.
 *
 * The Clone pattern of the ZeroMQ Guide (chapter 5): subscribe first, so
 * nothing published from then on is missed; fetch what came before over
 * the request socket; then take live events, each carrying its log index.
 * Anything not seen in order (the daemon dropped it for a slow reader, or
 * was restarting) is fetched as a range. Heartbeats carry the log size so
 * that a gap shows even when the feed is quiet.
 *
 * Invariant: every index below `scan` has been delivered or is waiting in
 * `queue`; `known` is the largest log size heard of.
 *
 * Apart from that, `live_next` follows the live feed alone: the index the
 * next event should carry if nothing was lost. An event beyond it, or a
 * heartbeat with a larger size, shows how many events the feed never
 * delivered (dropped for this slow reader, published while claimd
 * restarted or before the subscription took effect); `missed` counts
 * them. Each of those is fetched by range like any other gap.
 *
 * Catching up, the next range is asked for before this one is decoded, so
 * that claimd reads while the client decodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "claim.h"
#include "internal.h"

#define RANGE_COUNT     4096
#define SUB_HWM         100000
#define FEED_SILENCE_MS 3000

static uint64_t
mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

struct claim_feed {
	struct claim_client *c;
	void *ctx;
	void *sub;
	/* The filter's own copy; the range request filters by one party
	 * and one topic, so with several the ranges come unfiltered (or by
	 * the single one) and `flt` sorts them here. */
	char **parties, **topics;
	struct claim_filter flt;
	const char *party, *topic; /* for the range request; NULL: none */
	uint64_t scan;
	uint64_t known;
	uint64_t live_next; /* the index the live feed should bring next */
	uint64_t missed;    /* events the live feed never delivered */
	struct claim_entry *queue; /* fetched or live, in log order */
	size_t qhead, qlen, qcap;
	char feed_ep[256]; /* the feed followed */
	unsigned gen;      /* the client's endpoint when it was taken */
	uint64_t heard;    /* ms: the last message of the feed */
	bool ahead;        /* a range from ahead_from was asked for */
	uint32_t ahead_id;
	uint64_t ahead_from;
};

/* The feed endpoint from stats, with a wildcard host made concrete. */
static int
feed_endpoint(
    struct claim_client *c, char *out, size_t cap, char *err, size_t errlen)
{
	struct proto_stats_rep st;
	struct claim_reply r;
	const char *server = claim_client_endpoint(c), *colon, *host;
	char ep[256];
	int rc;

	rc = claim_call(
	    c, PROTO_OP_STATS, &(struct proto_empty){0}, &st, &r, err, errlen);
	if (rc == PROTO_EUNREACHABLE) {
		claim_reply_release(&r);
		return rc;
	}
	if (rc != PROTO_OK) {
		claim_reply_release(&r);
		return proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "claimd did not say where its feed is");
	}
	snprintf(ep, sizeof(ep), "%s", st.feed);
	claim_reply_release(&r);
	/* tcp://0.0.0.0:7412 means "every address": use the server's host. */
	if ((host = strstr(ep, "://")) != NULL &&
	    (strncmp(host + 3, "0.0.0.0:", 8) == 0 ||
		strncmp(host + 3, "*:", 2) == 0) &&
	    (colon = strrchr(server, ':')) != NULL &&
	    strncmp(server, "tcp://", 6) == 0) {
		snprintf(out, cap, "%.*s%s", (int)(colon - server), server,
		    strrchr(ep, ':'));
		return PROTO_OK;
	}
	snprintf(out, cap, "%s", ep);
	return PROTO_OK;
}

int
claim_feed_open(struct claim_client *c, const char *feed_ep, uint64_t from,
    const char *party, const char *topic, struct claim_feed **out, char *err,
    size_t errlen)
{
	struct claim_filter flt = {&party, party != NULL && party[0] != '\0',
	    &topic, topic != NULL && topic[0] != '\0'};

	return claim_feed_open_filter(c, feed_ep, from, &flt, out, err, errlen);
}

/* A copy of n names; NULL only when out of memory. */
static char **
names_copy(const char *const *v, size_t n)
{
	char **out = calloc(n + 1, sizeof(*out));

	for (size_t i = 0; out != NULL && i < n; i++)
		if ((out[i] = strdup(v[i])) == NULL) {
			for (size_t k = 0; k < i; k++)
				free(out[k]);
			free(out);
			out = NULL;
		}
	return out;
}

static void
names_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
claim_feed_open_filter(struct claim_client *c, const char *feed_ep,
    uint64_t from, const struct claim_filter *flt, struct claim_feed **out,
    char *err, size_t errlen)
{
	static const struct claim_filter none = {NULL, 0, NULL, 0};
	struct claim_feed *f;
	struct claim_entry *e;
	char ep[256];
	int zero = 0, hwm = SUB_HWM, rc;
	uint64_t next, size;
	size_t n;

	*out = NULL;
	if (flt == NULL)
		flt = &none;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return PROTO_ENOMEM;
	f->c = c;
	f->parties = names_copy(flt->parties, flt->np);
	f->topics = names_copy(flt->topics, flt->nt);
	if (f->parties == NULL || f->topics == NULL) {
		rc = PROTO_ENOMEM;
		goto fail;
	}
	f->flt.parties = (const char *const *)f->parties;
	f->flt.np = flt->np;
	f->flt.topics = (const char *const *)f->topics;
	f->flt.nt = flt->nt;
	f->party = flt->np == 1 ? f->parties[0] : NULL;
	f->topic = flt->nt == 1 ? f->topics[0] : NULL;
	if (feed_ep == NULL) {
		if ((rc = feed_endpoint(c, ep, sizeof(ep), err, errlen)) !=
		    PROTO_OK)
			goto fail;
		feed_ep = ep;
	}
	if ((f->ctx = zmq_ctx_new()) == NULL ||
	    (f->sub = zmq_socket(f->ctx, ZMQ_SUB)) == NULL) {
		rc = proto_fail(
		    err, errlen, PROTO_ENOMEM, "zmq: %s", zmq_strerror(errno));
		goto fail;
	}
	zmq_setsockopt(f->sub, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(f->sub, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	{
		int64_t max = PROTO_WIRE_BODY_MAX * 2;

		zmq_setsockopt(f->sub, ZMQ_MAXMSGSIZE, &max, sizeof(max));
	}
	if (claim_client_secure(c, f->sub) != PROTO_OK) {
		rc = proto_fail(
		    err, errlen, PROTO_EKEY, "unusable CurveZMQ keys");
		goto fail;
	}
	/* Everything: gaps can only be seen in the whole sequence. */
	zmq_setsockopt(f->sub, ZMQ_SUBSCRIBE, "", 0);
	snprintf(f->feed_ep, sizeof(f->feed_ep), "%s", feed_ep);
	f->gen = claim_client_generation(c);
	f->heard = mono_ms();
	claim_ipv6_for(f->sub, feed_ep);
	if (zmq_connect(f->sub, feed_ep) != 0) {
		rc = proto_fail(err, errlen, PROTO_EINVAL,
		    "cannot use feed endpoint \"%s\": %s", feed_ep,
		    zmq_strerror(errno));
		goto fail;
	}
	/* Subscribed before asking: what is published once the subscription
	 * reaches claimd comes live; what comes before it (the connection
	 * is made in the background) is at or after size, fetched by range
	 * and counted as missed. */
	if ((rc = claim_range(c, 0, 0, NULL, NULL, &e, &n, &next, &size, err,
		 errlen)) != PROTO_OK)
		goto fail;
	f->known = size;
	f->live_next = size;
	f->scan = from == CLAIM_FEED_NOW ? size : from;
	*out = f;
	return PROTO_OK;
fail:
	claim_feed_close(f);
	return rc;
}

void
claim_feed_close(struct claim_feed *f)
{
	if (f == NULL)
		return;
	names_free(f->parties);
	names_free(f->topics);
	for (size_t i = f->qhead; i < f->qlen; i++)
		claim_entry_release(&f->queue[i]);
	free(f->queue);
	if (f->sub != NULL)
		zmq_close(f->sub);
	if (f->ctx != NULL)
		zmq_ctx_term(f->ctx);
	free(f);
}

uint64_t
claim_feed_position(const struct claim_feed *f)
{
	return f->qhead < f->qlen ? f->queue[f->qhead].index : f->scan;
}

uint64_t
claim_feed_known(const struct claim_feed *f)
{
	return f->known;
}

uint64_t
claim_feed_missed(const struct claim_feed *f)
{
	return f->missed;
}

/*
 * The client moved to another endpoint of its list (the one it used
 * stopped answering): the feed follows, to that daemon's feed. The
 * indexes are the same on a writer and its mirrors, so nothing is lost
 * or seen twice; what was published meanwhile is fetched by range.
 */
static int
resubscribe(struct claim_feed *f, char *err, size_t errlen)
{
	char ep[256];
	int rc;

	if ((rc = feed_endpoint(f->c, ep, sizeof(ep), err, errlen)) != PROTO_OK)
		return rc;
	zmq_disconnect(f->sub, f->feed_ep);
	claim_ipv6_for(f->sub, ep);
	if (zmq_connect(f->sub, ep) != 0)
		return proto_fail(err, errlen, PROTO_EINVAL,
		    "cannot use feed endpoint \"%s\": %s", ep,
		    zmq_strerror(errno));
	snprintf(f->feed_ep, sizeof(f->feed_ep), "%s", ep);
	f->gen = claim_client_generation(f->c);
	f->heard = mono_ms();
	return PROTO_OK;
}

/*
 * A feed silent for FEED_SILENCE_MS (claimd beats every second) with
 * more than one endpoint: a request finds out whether its daemon is
 * still there, and moves to the next if not.
 */
static int
probe(struct claim_feed *f, char *err, size_t errlen)
{
	struct claim_entry *e;
	uint64_t next, size;
	size_t n;
	int rc;

	if ((rc = claim_range(f->c, 0, 0, NULL, NULL, &e, &n, &next, &size, err,
		 errlen)) != PROTO_OK)
		return rc;
	claim_entries_free(e, n);
	if (size > f->known)
		f->known = size;
	f->heard = mono_ms();
	if (claim_client_generation(f->c) != f->gen)
		return resubscribe(f, err, errlen);
	return PROTO_OK;
}

/* The live feed has reached size entries: anything skipped was lost. */
static void
live_seen(struct claim_feed *f, uint64_t size)
{
	if (size <= f->live_next)
		return;
	f->missed += size - f->live_next;
	f->live_next = size;
}

/* Takes ownership of e. */
static int
enqueue(struct claim_feed *f, struct claim_entry *e)
{
	if (f->qhead == f->qlen)
		f->qhead = f->qlen = 0;
	if (f->qlen == f->qcap) {
		size_t cap = f->qcap ? f->qcap * 2 : 256;
		struct claim_entry *q;

		if (f->qhead > 0) {
			memmove(f->queue, f->queue + f->qhead,
			    (f->qlen - f->qhead) * sizeof(*q));
			f->qlen -= f->qhead;
			f->qhead = 0;
		}
		if (f->qlen == f->qcap) {
			if ((q = realloc(f->queue, cap * sizeof(*q))) == NULL)
				return PROTO_ENOMEM;
			f->queue = q;
			f->qcap = cap;
		}
	}
	f->queue[f->qlen++] = *e;
	return PROTO_OK;
}

static int
ask(struct claim_feed *f, uint64_t from, uint32_t *id, char *err, size_t errlen)
{
	return claim_range_send(
	    f->c, from, RANGE_COUNT, f->party, f->topic, id, err, errlen);
}

/* Fetches the next range after scan into the queue. */
static int
fetch(struct claim_feed *f, char *err, size_t errlen)
{
	struct claim_range_reply rr;
	struct claim_entry *e;
	uint64_t from = f->scan;
	uint32_t id;
	size_t n;
	int rc;

	if (f->ahead && f->ahead_from == from)
		id = f->ahead_id;
	else if ((rc = ask(f, from, &id, err, errlen)) != PROTO_OK)
		return rc;
	f->ahead = false;
	if ((rc = claim_range_wait(f->c, id, from, &rr, err, errlen)) ==
		PROTO_EUNREACHABLE &&
	    claim_client_nservers(f->c) > 1) {
		/* Another endpoint of the list, and its feed. */
		if ((rc = probe(f, err, errlen)) != PROTO_OK)
			return rc;
		if ((rc = ask(f, from, &id, err, errlen)) != PROTO_OK)
			return rc;
		rc = claim_range_wait(f->c, id, from, &rr, err, errlen);
	}
	if (rc != PROTO_OK)
		return rc;
	/* A log shorter than we heard of: a different log answers. */
	if (rr.size < from || rr.size < rr.next) {
		claim_reply_release(&rr.r);
		return proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "the log shrank from %llu to %llu entries",
		    (unsigned long long)from, (unsigned long long)rr.size);
	}
	/* More to come: ask for it now, decode this meanwhile. */
	if (rr.next > from && rr.next < rr.size &&
	    ask(f, rr.next, &f->ahead_id, NULL, 0) == PROTO_OK) {
		f->ahead = true;
		f->ahead_from = rr.next;
	}
	rc = claim_read_entries(&rr.entries, false, &e, &n, err, errlen);
	claim_reply_release(&rr.r);
	if (rc != PROTO_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (e[i].index < from || e[i].index >= rr.next) {
			claim_entries_free(e, n);
			return proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "range reply out of order");
		}
		/* Filtered by claimd for one party and one topic, here for
		 * several. */
		if (!claim_filter_matches(&f->flt, &e[i])) {
			claim_entry_release(&e[i]);
			continue;
		}
		if ((rc = enqueue(f, &e[i])) != PROTO_OK) {
			for (size_t k = i; k < n; k++)
				claim_entry_release(&e[k]);
			free(e);
			return rc;
		}
	}
	free(e);
	if (rr.next > f->scan)
		f->scan = rr.next;
	if (rr.size > f->known)
		f->known = rr.size;
	return PROTO_OK;
}

/* Reads one live message; only an event at scan is queued directly. */
static int
take_live(struct claim_feed *f)
{
	const struct proto_msgdef *def;
	struct proto_feed_event ev;
	struct claim_entry e;
	zmq_msg_t topic, body;
	int rc = PROTO_OK;

	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	if (zmq_msg_recv(&topic, f->sub, ZMQ_DONTWAIT) < 0)
		goto done;
	if (!zmq_msg_more(&topic) || zmq_msg_recv(&body, f->sub, 0) < 0)
		goto done;
	while (zmq_msg_more(&body) && zmq_msg_recv(&body, f->sub, 0) >= 0)
		; /* not ours: ignore */
	/* The topic frame says which event this is (proto's tables). */
	if ((def = proto_feed_def(
		 zmq_msg_data(&topic), zmq_msg_size(&topic))) == NULL ||
	    proto_msg_decode(def, zmq_msg_data(&body), zmq_msg_size(&body), &ev,
		NULL, 0) != PROTO_OK)
		goto done;
	if (def == &proto_feed_heartbeat_def) {
		if (ev.size > f->known)
			f->known = ev.size;
		live_seen(f, ev.size);
		goto done;
	}
	if (ev.index + 1 > f->known)
		f->known = ev.index + 1;
	/* Any index between the one expected and this one was lost. */
	live_seen(f, ev.index);
	if (ev.index + 1 > f->live_next)
		f->live_next = ev.index + 1;
	/* Behind scan: seen already. Ahead: a gap, fetched by range. */
	if (ev.index != f->scan)
		goto done;
	if (claim_entry_open(&e, ev.index, ev.record.p, ev.record.len, false,
		NULL, 0) != PROTO_OK)
		goto done; /* fetched by range instead */
	f->scan++;
	if (claim_filter_matches(&f->flt, &e))
		rc = enqueue(f, &e);
	else
		claim_entry_release(&e);
done:
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
	return rc;
}

int
claim_feed_next(struct claim_feed *f, int timeout_ms, struct claim_entry *e,
    char *err, size_t errlen)
{
	uint64_t deadline_left = timeout_ms < 0 ? 0 : (uint64_t)timeout_ms;
	int rc;

	for (;;) {
		zmq_pollitem_t item = {f->sub, 0, ZMQ_POLLIN, 0};
		int n;

		if (f->qhead < f->qlen) {
			*e = f->queue[f->qhead++];
			return PROTO_OK;
		}
		if (f->known > f->scan) {
			if ((rc = fetch(f, err, errlen)) != PROTO_OK)
				return rc;
			continue;
		}
		if (claim_client_generation(f->c) != f->gen &&
		    (rc = resubscribe(f, err, errlen)) != PROTO_OK)
			return rc;
		/* Caught up: wait for the feed. */
		n = zmq_poll(&item, 1, (long)deadline_left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && claim_client_nservers(f->c) > 1 &&
		    mono_ms() - f->heard >= FEED_SILENCE_MS) {
			if ((rc = probe(f, err, errlen)) != PROTO_OK)
				return rc;
			if (f->known > f->scan)
				continue;
		}
		if (n <= 0)
			return PROTO_ENOTFOUND;
		f->heard = mono_ms();
		/* Take everything waiting before deciding what is missing. */
		for (int i = 0; i < 1024; i++) {
			int ev = 0;
			size_t sz = sizeof(ev);

			if ((rc = take_live(f)) != PROTO_OK)
				return rc;
			if (zmq_getsockopt(f->sub, ZMQ_EVENTS, &ev, &sz) != 0 ||
			    !(ev & ZMQ_POLLIN))
				break;
		}
	}
}
