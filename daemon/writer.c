/*
 * writer.c: group commit. The writer takes every verified submission
 * waiting for it, appends them in one store transaction, and only after
 * the commit publishes them on the feed and hands them back to main for
 * acknowledgement.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "claimd.h"

#define LAT_SAMPLES    8192
#define GATHER_NAP_MIN 8
#define GATHER_NAP_US  250

struct writer {
	struct daemon *d;
	void *in;   /* PULL from the workers */
	void *done; /* PUSH back to main */
	void *pub;  /* the feed */
	uint64_t size;
	uint64_t last_beat;
	unsigned beats; /* for the reader check every READER_CHECK_BEATS */
	/* Jobs back from the workers, by arrival number, until their turn. */
	struct job **ring;
	uint64_t next_seq;
	struct job **jobs;
	/* Arrival to acknowledgement, microseconds, over the last second. */
	uint32_t lat[LAT_SAMPLES];
	size_t nlat;
	uint64_t lat_since;
	/* Each commit's time in the same window. */
	uint32_t clat[LAT_SAMPLES];
	size_t nclat;
	struct store_entry *entries;
	struct store_result *res;
	struct proto_buf buf;
};

static void
publish(struct writer *w, const char *topic, const struct proto_buf *b)
{
	/* PUB never blocks: a subscriber whose queue is full loses it and
	 * catches up over the request socket (every event has its index). */
	if (zmq_send(w->pub, topic, strlen(topic), ZMQ_SNDMORE) < 0 ||
	    zmq_send(w->pub, b->data, b->len, 0) < 0)
		log_warn("feed: cannot publish");
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void
percentiles(uint32_t *v, size_t n, _Atomic uint64_t *p50, _Atomic uint64_t *p99)
{
	if (n == 0)
		return;
	qsort(v, n, sizeof(v[0]), cmp_u32);
	*p50 = v[n / 2];
	*p99 = v[n * 99 / 100];
}

/*
 * Each second (or when the feed goes quiet), the latency percentiles of
 * what was stored since, and of the commits that stored it.
 */
static void
latency(struct writer *w, uint64_t t, bool quiet)
{
	if (w->nlat > 0 &&
	    (quiet || w->nlat == LAT_SAMPLES || w->nclat == LAT_SAMPLES ||
		t - w->lat_since >= 1000000)) {
		percentiles(w->lat, w->nlat, &w->d->lat_p50, &w->d->lat_p99);
		percentiles(
		    w->clat, w->nclat, &w->d->commit_p50, &w->d->commit_p99);
		w->nlat = w->nclat = 0;
	}
	if (w->nlat == 0)
		w->lat_since = t;
}

/* One commit's time: for stats, and a warning when the disk stalls. */
static void
commit_time(struct writer *w, size_t n, uint64_t us)
{
	if (w->nclat < LAT_SAMPLES)
		w->clat[w->nclat++] =
		    us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	if (us > w->d->commit_max)
		w->d->commit_max = us;
	if (us >= SLOW_COMMIT_US)
		w->d->slow_commits++;
	if (us >= STALL_COMMIT_US)
		log_warnx("a commit of %zu took %llu ms: the disk is stalling",
		    n, (unsigned long long)(us / 1000));
}

/* A reader check about once a minute: cheap, and rarely finds one. */
#define READER_CHECK_BEATS 60

static void
heartbeat(struct writer *w)
{
	unsigned cleared;

	latency(w, now_us(), true);
	w->buf.len = 0;
	if (feed_heartbeat(&w->buf, w->size) == PROTO_OK)
		publish(w, PROTO_FEED_HEARTBEAT, &w->buf);
	w->last_beat = now_us();
	if (++w->beats % READER_CHECK_BEATS == 0 &&
	    store_reader_check(w->d->store, &cleared) == PROTO_OK &&
	    cleared > 0)
		log_warnx("cleared %u reader slot(s) of processes that died "
			  "holding a snapshot of the store",
		    cleared);
}

/* store_append() of a batch, for store_guarded(). */
struct guarded_append {
	struct writer *w;
	size_t n;
	char *err;
	size_t errlen;
};

static int
append_batch(void *ctx)
{
	struct guarded_append *g = ctx;

	return store_append(
	    g->w->d->store, g->w->entries, g->n, g->w->res, g->err, g->errlen);
}

/*
 * Stores the jobs in one transaction, in order; jobs a worker refused
 * pass through to be answered in their turn.
 */
static void
commit(struct writer *w, size_t n)
{
	char err[256], topic[PROTO_SLUG_MAX + 16];
	uint64_t t0 = now_us();
	size_t stored = 0, m = 0;
	int rc = PROTO_OK;

	for (size_t i = 0; i < n; i++) {
		if (w->jobs[i]->rc != PROTO_OK)
			continue;
		w->entries[m].rec = &w->jobs[i]->rec;
		w->entries[m].payload = &w->jobs[i]->payload;
		w->entries[m].allow_duplicate = w->jobs[i]->allow_duplicate;
		m++;
	}
	if (m > 0 && w->d->damaged) {
		/* Nothing more onto a damaged store. */
		rc = proto_fail(err, sizeof(err), PROTO_EDAMAGED,
		    "claimd's store is damaged; restore it from a backup");
	} else if (m > 0) {
		struct guarded_append ga = {w, m, err, sizeof(err)};
		char why[320];

		/* A fault or an LMDB assertion on a damaged page comes back
		 * as damage instead of killing claimd. */
		rc = store_guarded(
		    w->d->store, append_batch, &ga, why, sizeof(why));
		if (why[0] != '\0')
			snprintf(err, sizeof(err), "committing: %.200s", why);
		commit_time(w, m, now_us() - t0);
		if (rc == PROTO_EDAMAGED)
			daemon_damaged(w->d, err);
	}
	if (rc != PROTO_OK && rc != PROTO_EDAMAGED)
		log_warnx("batch of %zu not stored: %s", m, err);
	m = 0;
	for (size_t i = 0; i < n; i++) {
		struct job *j = w->jobs[i];

		if (j->rc != PROTO_OK) {
			/* refused by a worker: answer it in its turn */
		} else if (rc != PROTO_OK) {
			/* Nothing was written; nothing is acknowledged. */
			j->rc = rc;
			snprintf(
			    j->err, sizeof(j->err), "not stored: %.160s", err);
			m++;
		} else {
			j->res = w->res[m++];
			j->rc = j->res.rc;
			if (j->rc != PROTO_OK)
				memcpy(j->err, j->res.err, sizeof(j->err));
		}
		if (j->rc == PROTO_OK && !j->res.existed) {
			stored++;
			if (j->res.index + 1 > w->size)
				w->size = j->res.index + 1;
			w->buf.len = 0;
			if (feed_event(&w->buf, j) == PROTO_OK) {
				feed_topic(j, topic, sizeof(topic));
				publish(w, topic, &w->buf);
				w->d->published++;
			}
		}
		if (j->rc == PROTO_OK && w->nlat < LAT_SAMPLES) {
			uint64_t t = now_us();

			w->lat[w->nlat++] =
			    (uint32_t)(t - j->t_recv > UINT32_MAX
				    ? UINT32_MAX
				    : t - j->t_recv);
		}
	}
	/* Back to main for acknowledgement, a frame per JOB_MSG_MAX. */
	for (size_t i = 0; i < n; i += JOB_MSG_MAX) {
		size_t k = n - i < JOB_MSG_MAX ? n - i : JOB_MSG_MAX;

		if (job_send(w->done, w->jobs + i, k) != 0)
			for (size_t q = i; q < i + k; q++)
				job_free(w->jobs[q]);
	}
	latency(w, now_us(), false);
	w->d->batches++;
	log_debug("batch of %zu: %zu new, %llu us", n, stored,
	    (unsigned long long)(now_us() - t0));
}

/* Moves every job waiting into its place in line. */
static void
take(struct writer *w, int flags)
{
	struct job *jobs[JOB_MSG_MAX];
	size_t n;

	for (size_t got = 0; got < OUTSTANDING_MAX; got += n) {
		if ((n = job_recv(w->in, jobs, got ? ZMQ_DONTWAIT : flags)) ==
		    0)
			break;
		for (size_t i = 0; i < n; i++)
			w->ring[jobs[i]->seq % OUTSTANDING_MAX] = jobs[i];
	}
}

/* How many jobs are in line from next_seq, up to GATHER_RUN. */
static uint64_t
run_ready(const struct writer *w)
{
	uint64_t k = w->next_seq;

	while (k - w->next_seq < GATHER_RUN && w->ring[k % OUTSTANDING_MAX])
		k++;
	return k - w->next_seq;
}

/*
 * Group commit under load. A commit's two flushes cost the same for any
 * batch, and its pages are largely shared: here a commit of 5 claims
 * takes 0.8 ms and one of 200 about 5 ms, a seventh of the time a claim.
 * When claims arrive faster than they are committed, waiting for a
 * larger batch gives more throughput from the same disk and CPU (and
 * fewer wake-ups for every thread). The sign of that is a backlog: at
 * least GATHER_BACKLOG submissions that had arrived when the writer
 * looked are still being verified. Then the writer waits for those, up
 * to GATHER_US; with less (light load, where latency is what matters) it
 * commits what it has at once.
 */
static int
gather(struct writer *w)
{
	zmq_pollitem_t item = {w->in, 0, ZMQ_POLLIN, 0};
	uint64_t goal = w->d->dispatched, t0 = now_us(), n = run_ready(w);
	int r;

	if (goal - (w->next_seq + n) < GATHER_BACKLOG)
		return 0;
	for (; n < GATHER_RUN && w->next_seq + n < goal &&
	     now_us() - t0 < GATHER_US;
	     n = run_ready(w)) {
		/* Many to come: nap rather than wake for each one. */
		if (goal - (w->next_seq + n) > GATHER_NAP_MIN) {
			usleep(GATHER_NAP_US);
			take(w, ZMQ_DONTWAIT);
			continue;
		}
		if ((r = zmq_poll(&item, 1, 1)) < 0 && errno != EINTR)
			return -1; /* ETERM */
		if (r > 0)
			take(w, ZMQ_DONTWAIT);
	}
	return 0;
}

void *
writer_main(void *arg)
{
	struct writer *w = arg;
	zmq_pollitem_t item = {w->in, 0, ZMQ_POLLIN, 0};

	pthread_setname_np(pthread_self(), "claimd-writer");
	heartbeat(w);
	for (;;) {
		uint64_t since = (now_us() - w->last_beat) / 1000;
		long wait =
		    since >= HEARTBEAT_MS ? 0 : (long)(HEARTBEAT_MS - since);
		size_t n = 0;
		int r;

		if ((r = zmq_poll(&item, 1, wait)) < 0) {
			if (errno == EINTR)
				continue;
			break; /* ETERM: the daemon is stopping */
		}
		if (r == 0 || now_us() - w->last_beat >= HEARTBEAT_MS * 1000ULL)
			heartbeat(w);
		if (r == 0)
			continue;
		/* Everything waiting, into its place in line. */
		take(w, 0);
		if (gather(w) != 0)
			break;
		/* Then the run that is next in line, up to a batch. */
		for (;;) {
			struct job **slot;

			n = 0;
			while (n < BATCH_MAX &&
			    *(slot = &w->ring[w->next_seq % OUTSTANDING_MAX]) !=
				NULL) {
				w->jobs[n++] = *slot;
				*slot = NULL;
				w->next_seq++;
			}
			if (n == 0)
				break;
			commit(w, n);
		}
	}
	return NULL;
}

struct writer *
writer_new(struct daemon *d, void *in, void *done, void *pub, uint64_t size)
{
	struct writer *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->d = d;
	w->in = in;
	w->done = done;
	w->pub = pub;
	w->size = size;
	w->ring = calloc(OUTSTANDING_MAX, sizeof(*w->ring));
	w->jobs = calloc(BATCH_MAX, sizeof(*w->jobs));
	w->entries = calloc(BATCH_MAX, sizeof(*w->entries));
	w->res = calloc(BATCH_MAX, sizeof(*w->res));
	proto_buf_init(&w->buf);
	if (w->ring == NULL || w->jobs == NULL || w->entries == NULL ||
	    w->res == NULL) {
		writer_free(w);
		return NULL;
	}
	return w;
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < OUTSTANDING_MAX; i++)
		job_free(w->ring[i]);
	free(w->ring);
	free(w->jobs);
	free(w->entries);
	free(w->res);
	proto_buf_release(&w->buf);
	free(w);
}
