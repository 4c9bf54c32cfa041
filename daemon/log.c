/*
 * log.c: readable log lines on stderr, OpenBSD style: log_warn adds the
 * errno text, log_warnx does not; fatal and fatalx exit.
 *
 *   2026-11-23T11:28:23Z claimd[4242]: info: listening on tcp://127.0.0.1:7411
 *
 * Every message goes through proto_str_safe(): what a client sent can
 * neither end a line nor drive the terminal that shows the log.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "claimd.h"

static int log_verbose;
static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;

void
log_init(int verbose)
{
	log_verbose = verbose;
}

uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
vlog(const char *level, const char *errstr, const char *fmt, va_list ap)
{
	char stamp[32], msg[PROTO_SAFE_MAX], line[PROTO_SAFE_MAX];
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* A message may quote what a client sent: one line, no escapes. */
	proto_str_safe(line, sizeof(line), msg);
	pthread_mutex_lock(&log_mtx);
	if (errstr != NULL)
		fprintf(stderr, "%s claimd[%d]: %s: %s: %s\n", stamp,
		    (int)getpid(), level, line, errstr);
	else
		fprintf(stderr, "%s claimd[%d]: %s: %s\n", stamp, (int)getpid(),
		    level, line);
	fflush(stderr);
	pthread_mutex_unlock(&log_mtx);
}

void
log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog("warning", e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning", NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog("debug", NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	const char *e = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

void
daemon_damaged(struct daemon *d, const char *cause)
{
	if (!atomic_exchange(&d->damaged, true))
		log_warnx("the store is damaged (%s): refusing every request "
			  "from now on; stop claimd and restore the data "
			  "folder from a backup",
		    cause);
}
