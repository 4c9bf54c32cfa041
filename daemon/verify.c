/*
 * verify.c: the workers that parse and verify submissions, one per core,
 * so that the writer never spends time on Ed25519.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "claimd.h"

struct job *
job_new(const uint8_t *ident, size_t identlen, uint32_t reqid,
    const void *bytes, size_t len, uint64_t seq)
{
	struct job *j;

	if (identlen > IDENT_MAX || (j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	if ((j->bytes = malloc(len ? len : 1)) == NULL) {
		free(j);
		return NULL;
	}
	memcpy(j->bytes, bytes, len);
	j->len = len;
	memcpy(j->ident, ident, identlen);
	j->identlen = identlen;
	j->reqid = reqid;
	j->t_recv = now_us();
	j->seq = seq;
	return j;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	proto_payload_release(&j->payload);
	free(j->bytes);
	free(j);
}

int
job_send(void *sock, struct job *const *jobs, size_t n)
{
	size_t len = n * sizeof(*jobs);

	if (n == 0 || n > JOB_MSG_MAX)
		return -1;
	return zmq_send(sock, jobs, len, 0) == (int)len ? 0 : -1;
}

size_t
job_recv(void *sock, struct job **jobs, int flags)
{
	int n;

	while ((n = zmq_recv(sock, jobs, JOB_MSG_MAX * sizeof(*jobs), flags)) <
		0 &&
	    errno == EINTR)
		;
	/* Only claimd's own threads send on these sockets. */
	if (n <= 0 || (size_t)n > JOB_MSG_MAX * sizeof(*jobs) ||
	    (size_t)n % sizeof(*jobs) != 0)
		return 0;
	return (size_t)n / sizeof(*jobs);
}

/* "2026-11-23 14:05:09 UTC (1795442709)" */
static void
format_time(uint64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char day[40] = "?";

	if (gmtime_r(&tt, &tm) != NULL)
		strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(out, cap, "%s (%llu)", day, (unsigned long long)t);
}

/*
 * Admission, not format: a record signed more than CLOCK_AHEAD_MAX
 * ahead of this clock is refused now, by this claimd. The log stays
 * valid wherever it is replayed later; the offline verifier does not
 * check this.
 */
static int
check_clock(const struct proto_payload *p, char *err, size_t errlen)
{
	uint64_t now = (uint64_t)time(NULL);
	char t[64], c[64];

	if (p->time <= now + CLOCK_AHEAD_MAX)
		return PROTO_OK;
	format_time(p->time, t, sizeof(t));
	format_time(now, c, sizeof(c));
	return proto_fail(err, errlen, PROTO_ETIME,
	    "signed at %s, more than a day ahead of claimd's clock, %s", t, c);
}

/* This thread's CPU time, nanoseconds. */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0)
		return 0;
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * A run of submissions' checks in three steps, parse, Ed25519
 * verification and payload decoding, as proto_record_open() makes them
 * for one. The thread CPU time of the verifications alone is added to
 * verify_cpu_ns (one pair of clock reads for the run), so that the rest
 * of a worker's time, decoding and checks, can be told from it.
 */
static void
check_jobs(struct daemon *d, struct job **jobs, size_t n)
{
	uint64_t t0;

	for (size_t i = 0; i < n; i++) {
		struct job *j = jobs[i];

		proto_payload_init(&j->payload);
		j->rc = proto_record_parse(
		    j->bytes, j->len, &j->rec, j->err, sizeof(j->err));
	}
	t0 = thread_cpu_ns();
	for (size_t i = 0; i < n; i++) {
		struct job *j = jobs[i];

		if (j->rc == PROTO_OK)
			j->rc = proto_record_verify_err(
			    &j->rec, j->err, sizeof(j->err));
	}
	d->verify_cpu_ns += thread_cpu_ns() - t0;
	for (size_t i = 0; i < n; i++) {
		struct job *j = jobs[i];

		if (j->rc != PROTO_OK)
			continue;
		j->rc = proto_record_payload(
		    &j->rec, &j->payload, j->err, sizeof(j->err));
		if (j->rc == PROTO_OK)
			j->rc =
			    check_clock(&j->payload, j->err, sizeof(j->err));
	}
}

void *
verify_main(void *arg)
{
	struct worker_socks *w = arg;
	struct job *jobs[JOB_MSG_MAX];
	size_t n;

	pthread_setname_np(pthread_self(), "claimd-verify");
	while ((n = job_recv(w->in, jobs, 0)) > 0) {
		check_jobs(w->d, jobs, n);
		if (job_send(w->out, jobs, n) != 0) {
			for (size_t i = 0; i < n; i++)
				job_free(jobs[i]);
			break;
		}
	}
	return NULL;
}
