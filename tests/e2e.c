/*
 * e2e.c: running the real claimd and claim binaries from cmocka tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

const char *e2e_claimd, *e2e_claim;

#define MAXARGS 64

/* argv for claim: e2e_claim, then the arguments in ap up to NULL. */
static void
claim_argv(const char **argv, va_list ap)
{
	int n = 1;
	const char *a;

	argv[0] = e2e_claim;
	while (n < MAXARGS - 1 && (a = va_arg(ap, const char *)) != NULL)
		argv[n++] = a;
	argv[n] = NULL;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

void
e2e_daemon_start(struct e2e_daemon *d, const char *data, const char *admin_hex,
    const char *api, const char *feed)
{
	e2e_daemon_start_args(d, data, admin_hex, api, feed, NULL);
}

void
e2e_daemon_start_args(struct e2e_daemon *d, const char *data,
    const char *admin_hex, const char *api, const char *feed,
    const char *const *extra)
{
	const char *argv[MAXARGS];
	int out[2], n = 0, errfd;
	char buf[1024];
	size_t len = 0;
	struct timespec t0;

	memset(d, 0, sizeof(*d));
	snprintf(d->data, sizeof(d->data), "%s", data);
	snprintf(d->log, sizeof(d->log), "%s.log", data);
	argv[n++] = e2e_claimd;
	argv[n++] = "--data";
	argv[n++] = data;
	argv[n++] = "--api";
	argv[n++] = api ? api : "tcp://127.0.0.1:*";
	argv[n++] = "--pub";
	argv[n++] = feed ? feed : "tcp://127.0.0.1:*";
	if (admin_hex != NULL) {
		argv[n++] = "--admin-key";
		argv[n++] = admin_hex;
	}
	for (; extra != NULL && *extra != NULL && n < MAXARGS - 1; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	assert_int_equal(pipe(out), 0);
	errfd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	assert_true(errfd >= 0);
	if ((d->pid = fork()) == 0) {
		dup2(out[1], 1);
		dup2(errfd, 2);
		close(out[0]);
		close(out[1]);
		execv(e2e_claimd, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(errfd);
	/* It prints "api EP\nfeed EP\n" once it listens. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < 10000) {
		struct pollfd p = {out[0], POLLIN, 0};
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if ((r = read(out[0], buf + len, sizeof(buf) - 1 - len)) <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		{
			char *f = strstr(buf, "\nfeed ");

			if (f != NULL && strchr(f + 1, '\n') != NULL)
				break;
		}
	}
	close(out[0]);
	if (sscanf(buf, "api %127s\nfeed %127s", d->api, d->feed) != 2) {
		char *log = tu_read_file(d->log, NULL);

		fail_msg("claimd did not start: %s", log);
	}
	setenv("CLAIM_SERVER", d->api, 1);
}

int
e2e_daemon_stop(struct e2e_daemon *d, int sig)
{
	int status;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, sig);
	while (waitpid(d->pid, &status, 0) < 0 && errno == EINTR)
		;
	d->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void
e2e_daemon_log_wait(const struct e2e_daemon *d, const char *text, int ms)
{
	struct timespec t0;
	char *log = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		free(log);
		log = tu_read_file(d->log, NULL);
		if (log != NULL && strstr(log, text) != NULL) {
			free(log);
			return;
		}
	} while (ms_since(&t0) < ms && usleep(50 * 1000) == 0);
	fail_msg("claimd's log has no \"%s\" after %d ms: %s", text, ms,
	    log != NULL ? log : "(no log)");
}

/* Appends what fd has to *buf. Returns false at end of file. */
static bool
drain_fd(int fd, char **buf, size_t *len, size_t *cap)
{
	char tmp[65536];
	ssize_t r = read(fd, tmp, sizeof(tmp));

	if (r <= 0)
		return false;
	if (*len + (size_t)r + 1 > *cap) {
		while (*len + (size_t)r + 1 > *cap)
			*cap = *cap ? *cap * 2 : 65536;
		*buf = realloc(*buf, *cap);
		assert_non_null(*buf);
	}
	memcpy(*buf + *len, tmp, (size_t)r);
	*len += (size_t)r;
	(*buf)[*len] = '\0';
	return true;
}

static void
run_argv(struct e2e_run *r, const char *stdin_text, const char **argv)
{
	int in[2], out[2], err[2], status;
	size_t olen = 0, ocap = 0, elen = 0, ecap = 0, wrote = 0;
	size_t inlen = stdin_text ? strlen(stdin_text) : 0;
	bool oopen = true, eopen = true;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	if ((pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	if (inlen == 0) {
		close(in[1]);
		in[1] = -1;
	}
	while (oopen || eopen) {
		struct pollfd p[3] = {
		    {oopen ? out[0] : -1, POLLIN, 0},
		    {eopen ? err[0] : -1, POLLIN, 0},
		    {in[1], POLLOUT, 0},
		};

		if (poll(p, 3, 1000) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			oopen = drain_fd(out[0], &r->out, &olen, &ocap);
		if (p[1].revents)
			eopen = drain_fd(err[0], &r->err, &elen, &ecap);
		if (in[1] >= 0 && (p[2].revents & (POLLOUT | POLLERR))) {
			ssize_t w =
			    write(in[1], stdin_text + wrote, inlen - wrote);

			if (w > 0)
				wrote += (size_t)w;
			if (w < 0 || wrote == inlen) {
				close(in[1]);
				in[1] = -1;
			}
		}
	}
	if (in[1] >= 0)
		close(in[1]);
	close(out[0]);
	close(err[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r->status =
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (r->out == NULL)
		r->out = strdup("");
	if (r->err == NULL)
		r->err = strdup("");
}

void
e2e_claim_run_(struct e2e_run *r, const char *stdin_text, ...)
{
	const char *argv[MAXARGS];
	va_list ap;

	va_start(ap, stdin_text);
	claim_argv(argv, ap);
	va_end(ap);
	run_argv(r, stdin_text, argv);
}

void
e2e_run_free(struct e2e_run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

json_t *
e2e_claim_json_(const char *stdin_text, ...)
{
	const char *argv[MAXARGS];
	struct e2e_run r;
	json_error_t jerr;
	json_t *j;
	va_list ap;

	va_start(ap, stdin_text);
	claim_argv(argv, ap);
	va_end(ap);
	run_argv(&r, stdin_text, argv);
	if (r.status != 0)
		fail_msg("claim %s exited %d: %s", argv[1], r.status, r.err);
	if ((j = json_loads(r.out, JSON_DECODE_ANY, &jerr)) == NULL)
		fail_msg("claim %s printed no JSON: %s (%s)", argv[1], r.out,
		    jerr.text);
	e2e_run_free(&r);
	return j;
}

json_int_t
e2e_stat(const char *server, const char *name)
{
	json_t *st = server != NULL
	    ? e2e_claim_json(NULL, "stats", "--json", "--server", server)
	    : e2e_claim_json(NULL, "stats", "--json");
	json_t *v = json_object_get(st, name);
	json_int_t n;

	if (!json_is_integer(v))
		fail_msg("stats --json has no number \"%s\"", name);
	n = json_integer_value(v);
	json_decref(st);
	return n;
}

void
e2e_wait_stat(
    const char *server, const char *name, json_int_t want, int seconds)
{
	json_int_t got = -1;

	for (int i = 0; i < seconds * 10; i++) {
		if ((got = e2e_stat(server, name)) == want)
			return;
		usleep(100 * 1000);
	}
	fail_msg("%s: stats %s is %lld, want %lld",
	    server != NULL ? server : "claimd", name, (long long)got,
	    (long long)want);
}

/* Starts claim with argv, stdout to a pipe, stderr to errpath if any. */
static void
bg_spawn(struct e2e_bg *b, const char **argv, const char *errpath)
{
	int out[2];

	memset(b, 0, sizeof(*b));
	assert_int_equal(pipe(out), 0);
	if ((b->pid = fork()) == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (errpath != NULL) {
			int err =
			    open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			if (err < 0)
				_exit(127);
			dup2(err, 2);
		}
		dup2(devnull, 0);
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execv(e2e_claim, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	b->out = out[0];
}

void
e2e_bg_start_(struct e2e_bg *b, ...)
{
	const char *argv[MAXARGS];
	va_list ap;

	va_start(ap, b);
	claim_argv(argv, ap);
	va_end(ap);
	bg_spawn(b, argv, NULL);
}

char *
e2e_bg_line(struct e2e_bg *b, int ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		char *nl = memchr(b->buf, '\n', b->len), *line;
		struct pollfd p = {b->out, POLLIN, 0};
		ssize_t r;
		long left;

		if (nl != NULL) {
			size_t n = (size_t)(nl - b->buf);

			line = strndup(b->buf, n);
			memmove(b->buf, nl + 1, b->len - n - 1);
			b->len -= n + 1;
			return line;
		}
		left = ms - ms_since(&t0);
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return NULL;
		r = read(b->out, b->buf + b->len, sizeof(b->buf) - b->len);
		if (r <= 0)
			return NULL;
		b->len += (size_t)r;
	}
}

int
e2e_bg_stop(struct e2e_bg *b, int sig)
{
	int status;

	kill(b->pid, sig);
	while (waitpid(b->pid, &status, 0) < 0 && errno == EINTR)
		;
	close(b->out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *
e2e_keygen(const char *dir, const char *name)
{
	char path[1024];
	struct e2e_run r;
	char *pub;

	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	e2e_claim_run(&r, NULL, "keygen", "--out", path, NULL);
	if (r.status != 0)
		fail_msg("keygen: %s", r.err);
	pub = strndup(r.out, 64);
	e2e_run_free(&r);
	return pub;
}

void
e2e_key_load(const char *path, uint8_t sk[PROTO_SECKEY_LEN])
{
	char err[256] = "", *text;
	size_t len;

	assert_non_null(text = tu_read_file(path, &len));
	if (proto_key_parse(text, len, sk, err, sizeof(err)) != PROTO_OK)
		fail_msg("%s: %s", path, err);
	free(text);
}

char *
e2e_export_line(uint64_t index, const struct proto_buf *rec)
{
	uint8_t h[PROTO_HASH_LEN];
	char hex[2 * PROTO_HASH_LEN + 1], *b64, *line;
	size_t n = proto_base64_len(rec->len);

	assert_non_null(b64 = malloc(n));
	proto_base64(rec->data, rec->len, b64);
	proto_record_hash(rec->data, rec->len, h);
	proto_hex(h, PROTO_HASH_LEN, hex);
	assert_non_null(line = malloc(n + 128));
	snprintf(line, n + 128,
	    "{\"index\":%llu,\"hash\":\"%s\",\"record\":\"%s\"}\n",
	    (unsigned long long)index, hex, b64);
	free(b64);
	return line;
}

void
e2e_must(struct e2e_run *r, int want, const char *what)
{
	if (r->status != want)
		fail_msg("%s: exit %d, want %d\nstdout: %s\nstderr: %s", what,
		    r->status, want, r->out, r->err);
}

struct e2e_fixture *
e2e_fixture_new(const char *const *parties)
{
	struct e2e_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_tmpdir();
	snprintf(f->data, sizeof(f->data), "%s/data", f->dir);
	f->admin_pub = e2e_keygen(f->dir, "admin");
	f->desk_pub = e2e_keygen(f->dir, "desk");
	f->other_pub = e2e_keygen(f->dir, "other");
	snprintf(f->admin_key, sizeof(f->admin_key), "%s/admin.key", f->dir);
	snprintf(f->desk_key, sizeof(f->desk_key), "%s/desk.key", f->dir);
	snprintf(f->other_key, sizeof(f->other_key), "%s/other.key", f->dir);
	e2e_daemon_start(&f->d, f->data, f->admin_pub, NULL, NULL);
	for (; parties != NULL && *parties != NULL; parties++) {
		E2E_CLAIM(0, NULL, "party", "add", *parties, "--name", *parties,
		    "--key", f->admin_key);
		E2E_CLAIM(0, NULL, "grant", f->desk_pub, "--party", *parties,
		    "--key", f->admin_key);
	}
	setenv("CLAIM_KEY", f->desk_key, 1);
	/* Generous: a slow, loaded machine (or a sanitizer) must not turn
	 * a late reply into a failure. Tests that want the daemon's silence
	 * to end quickly say so with their own --timeout. */
	setenv("CLAIM_TIMEOUT", E2E_TIMEOUT, 1);
	return f;
}

void
e2e_fixture_free(struct e2e_fixture *f)
{
	e2e_daemon_stop(&f->d, SIGTERM);
	unsetenv("CLAIM_KEY");
	tu_rmrf(f->dir);
	free(f->dir);
	free(f->admin_pub);
	free(f->desk_pub);
	free(f->other_pub);
	free(f);
}

void
e2e_bg_start_err_(struct e2e_bg *b, const char *errpath, ...)
{
	const char *argv[MAXARGS];
	va_list ap;

	va_start(ap, errpath);
	claim_argv(argv, ap);
	va_end(ap);
	bg_spawn(b, argv, errpath);
}

int
e2e_read_watch(
    struct e2e_bg *w, int *seen, int max, int n, char **hashes, int timeout_ms)
{
	int got = 0;

	while (got < n) {
		char *line = e2e_bg_line(w, timeout_ms);
		json_t *j;
		json_int_t i;

		if (line == NULL)
			break;
		j = json_loads(line, 0, NULL);
		free(line);
		assert_non_null(j);
		i = json_integer_value(json_object_get(j, "index"));
		assert_non_null(json_object_get(j, "hash"));
		assert_non_null(json_object_get(j, "kind"));
		assert_true(i >= 0 && i < max);
		if (hashes != NULL && hashes[i] != NULL)
			assert_string_equal(
			    json_string_value(json_object_get(j, "hash")),
			    hashes[i]);
		json_decref(j);
		seen[i]++;
		got++;
	}
	return got;
}
