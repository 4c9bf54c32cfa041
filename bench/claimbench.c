/*
 * claimbench: claimd's figures against this machine's own limits,
 * measured in one run. Each figure is taken several times; the table shows
 * the median and the spread (min..max), and --json prints one line with
 * everything for tools.
 *
 *   claimbench CLAIMD CLAIM [--json] [--quick] [--keep] [--only SECTION]
 *
 * Raw limits: Ed25519 verification on 1 and 2 threads (libsodium), an
 * fsync'd LMDB commit of one put (rate and p99), a ZeroMQ round trip on
 * loopback; taken at the start and again at the end of the run.
 * Figures: ingest of pre-signed claims with 1, 4 and 16 submitters, the
 * claim command submitting 20,000 JSON Lines, feed latency to 10
 * subscribers at 5,000 claims/s, point reads, a narrative diff over
 * 100,000 claims, claim independence --topic over 100,000 claims in
 * derivation chains (from claimd and from an export), offline verify and
 * watcher catch-up over a 1,000,000-entry log, claimd's private memory after
 * it, and bytes on disk per claim.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <lmdb.h>
#include <sodium.h>
#include <zmq.h>

#include "claim.h"
#include "proto.h"

static const char *claimd_bin, *claim_bin;
static bool quick;
static bool keep_dir;    /* --keep: leave each daemon's folder and -v log */
static const char *only; /* --only SECTION: run just that one */

static bool
section(const char *name)
{
	return only == NULL || strcmp(only, name) == 0;
}

/*
 * Small things
 */

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("claimbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A figure: several samples, reported as median and min..max. */
struct figure {
	const char *key;   /* for JSON */
	const char *label; /* for people */
	const char *unit;
	double v[8];
	int n;
	double target;  /* 0: none */
	bool at_most;   /* the target is an upper bound */
	const char *vs; /* what the target is a ratio of, or NULL */
};

/* 0 for a figure not measured in this run (--only). */
static double
median(const struct figure *f)
{
	double s[8];

	if (f->n == 0)
		return 0;
	memcpy(s, f->v, sizeof(double) * (size_t)f->n);
	qsort(s, (size_t)f->n, sizeof(double), cmp_double);
	return f->n % 2 ? s[f->n / 2] : (s[f->n / 2 - 1] + s[f->n / 2]) / 2;
}

static double
fmin_of(const struct figure *f)
{
	double m = f->v[0];

	for (int i = 1; i < f->n; i++)
		if (f->v[i] < m)
			m = f->v[i];
	return m;
}

static double
fmax_of(const struct figure *f)
{
	double m = f->v[0];

	for (int i = 1; i < f->n; i++)
		if (f->v[i] > m)
			m = f->v[i];
	return m;
}

static void
add(struct figure *f, double v)
{
	if (f->n < 8)
		f->v[f->n++] = v;
	fprintf(stderr, "  %-44s %12.1f %s\n", f->label, v, f->unit);
}

static char *
tmpdir(void)
{
	char *p;

	if (asprintf(&p, "%s/claimbench-XXXXXX",
		getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") < 0 ||
	    mkdtemp(p) == NULL)
		die("cannot make a temporary folder");
	return p;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
rmrf(const char *p)
{
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Raw limits
 */

struct verify_job {
	const uint8_t *pk, *sig, *msg;
	size_t len;
	double seconds;
	long count;
};

static void *
verify_loop(void *arg)
{
	struct verify_job *j = arg;
	double end = now() + j->seconds;

	j->count = 0;
	while (now() < end)
		for (int i = 0; i < 256; i++, j->count++)
			if (crypto_sign_verify_detached(
				j->sig, j->msg, j->len, j->pk) != 0)
				die("verify failed");
	return NULL;
}

struct raw_sign_job {
	const uint8_t *sk, *msg;
	size_t len;
	double seconds;
	long count;
};

static void *
sign_loop(void *arg)
{
	struct raw_sign_job *j = arg;
	double end = now() + j->seconds;
	uint8_t sig[64];

	j->count = 0;
	while (now() < end)
		for (int i = 0; i < 256; i++, j->count++)
			crypto_sign_detached(sig, NULL, j->msg, j->len, j->sk);
	return NULL;
}

/* Ed25519 signatures per second on one thread: what a desk's client
 * pays for each claim it submits. */
static double
raw_sign(void)
{
	uint8_t pk[32], sk[64], msg[320];
	struct raw_sign_job j;
	double start;

	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, sizeof(msg));
	j = (struct raw_sign_job){sk, msg, sizeof(msg), quick ? 0.3 : 1.0, 0};
	start = now();
	sign_loop(&j);
	return (double)j.count / (now() - start);
}

/* Ed25519 verifications per second on threads threads. */
static double
raw_verify(int threads)
{
	uint8_t pk[32], sk[64], sig[64], msg[320];
	struct verify_job j[8];
	pthread_t t[8];
	double start, total = 0;

	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, sizeof(msg));
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	start = now();
	for (int i = 0; i < threads; i++) {
		j[i] = (struct verify_job){
		    pk, sig, msg, sizeof(msg), quick ? 0.3 : 1.0, 0};
		pthread_create(&t[i], NULL, verify_loop, &j[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		total += (double)j[i].count;
	}
	return total / (now() - start);
}

/* fsync'd LMDB commits of one 300-byte put: the rate per second, and the
 * p99 of one commit in *p99 (ms). */
static double
raw_commit(double *p99)
{
	char *dir = tmpdir();
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn;
	uint8_t val[300] = {0};
	int n = quick ? 300 : 1000;
	double start, *t = calloc((size_t)n, sizeof(double));

	if (t == NULL)
		die("out of memory");
	if (mdb_env_create(&env) || mdb_env_set_mapsize(env, 1 << 30) ||
	    mdb_env_open(env, dir, 0, 0600))
		die("lmdb");
	mdb_txn_begin(env, NULL, 0, &txn);
	mdb_dbi_open(txn, NULL, 0, &dbi);
	mdb_txn_commit(txn);
	start = now();
	for (int i = 0; i < n; i++) {
		uint64_t k = (uint64_t)i;
		MDB_val key = {8, &k}, v = {sizeof(val), val};
		double s = now();

		if (mdb_txn_begin(env, NULL, 0, &txn) ||
		    mdb_put(txn, dbi, &key, &v, 0) || mdb_txn_commit(txn))
			die("lmdb commit");
		t[i] = (now() - s) * 1e3;
	}
	start = now() - start;
	mdb_env_close(env);
	rmrf(dir);
	free(dir);
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	*p99 = t[n * 99 / 100];
	free(t);
	return n / start;
}

static void *
echo_main(void *arg)
{
	void *rep = arg;
	char buf[64];
	int n;

	while ((n = zmq_recv(rep, buf, sizeof(buf), 0)) >= 0)
		zmq_send(rep, buf, (size_t)n, 0);
	zmq_close(rep);
	return NULL;
}

/* The median ZeroMQ REQ/REP round trip on loopback TCP, microseconds. */
static double
raw_rtt(void)
{
	void *ctx = zmq_ctx_new(), *rep = zmq_socket(ctx, ZMQ_REP);
	void *req = zmq_socket(ctx, ZMQ_REQ);
	char ep[64];
	size_t len = sizeof(ep);
	int n = quick ? 2000 : 10000, zero = 0;
	double *t = calloc((size_t)n, sizeof(double)), med;
	pthread_t th;

	zmq_setsockopt(req, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(rep, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_bind(rep, "tcp://127.0.0.1:*");
	zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, ep, &len);
	zmq_connect(req, ep);
	pthread_create(&th, NULL, echo_main, rep);
	for (int i = 0; i < n + 200; i++) {
		char buf[64];
		double s = now();

		zmq_send(req, "ping", 4, 0);
		zmq_recv(req, buf, sizeof(buf), 0);
		if (i >= 200)
			t[i - 200] = (now() - s) * 1e6;
	}
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	med = t[n / 2];
	zmq_close(req);
	zmq_ctx_shutdown(ctx);
	pthread_join(th, NULL);
	zmq_ctx_term(ctx);
	free(t);
	return med;
}

/*
 * A daemon of our own
 */

struct daemon {
	pid_t pid;
	char *dir;
	char api[128], feed[128];
	uint8_t admin_pk[32], admin_sk[64], desk_pk[32], desk_sk[64];
};

static void
daemon_start(struct daemon *d, bool fresh)
{
	char data[600], log[600], hex[65], buf[1024] = "";
	int out[2];
	size_t len = 0;
	double deadline;

	if (fresh) {
		d->dir = tmpdir();
		crypto_sign_keypair(d->admin_pk, d->admin_sk);
		crypto_sign_keypair(d->desk_pk, d->desk_sk);
	}
	snprintf(data, sizeof(data), "%s/data", d->dir);
	snprintf(log, sizeof(log), "%s/claimd.log", d->dir);
	proto_hex(d->admin_pk, 32, hex);
	if (pipe(out) != 0)
		die("pipe");
	if ((d->pid = fork()) == 0) {
		int err = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(out[1], 1);
		dup2(err, 2);
		close(out[0]);
		/* --keep: a line per batch in claimd.log, for profiling. */
		execl(claimd_bin, claimd_bin, "--data", data, "--api",
		    "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
		    "--admin-key", hex, keep_dir ? "-v" : (char *)NULL,
		    (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	deadline = now() + 30;
	while (now() < deadline && !strstr(buf, "\nfeed ")) {
		ssize_t r = read(out[0], buf + len, sizeof(buf) - 1 - len);

		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
	}
	while (strchr(strstr(buf, "\nfeed ") ? strstr(buf, "\nfeed ") + 1 : buf,
		   '\n') == NULL) {
		ssize_t r = read(out[0], buf + len, sizeof(buf) - 1 - len);

		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
	}
	close(out[0]);
	if (sscanf(buf, "api %127s\nfeed %127s", d->api, d->feed) != 2)
		die("claimd did not start (see %s)", log);
}

static void
daemon_stop(struct daemon *d, bool keep)
{
	int st;

	kill(d->pid, SIGTERM);
	waitpid(d->pid, &st, 0);
	if (keep_dir && !keep)
		fprintf(stderr, "  kept %s\n", d->dir);
	else if (!keep) {
		rmrf(d->dir);
		free(d->dir);
		d->dir = NULL;
	}
}

/*
 * claimd --relay of d, or claimd --mirror of d in folder data (log key
 * key): another claimd process, its endpoints in api and feed.
 */
static pid_t
helper_start(const struct daemon *d, const char *data, const char *key,
    char *api, char *feed)
{
	char log[700], buf[1024] = "";
	size_t len = 0;
	int out[2];
	pid_t pid;

	snprintf(log, sizeof(log), "%s/%s.log", d->dir,
	    data != NULL ? "mirror" : "relay");
	if (pipe(out) != 0)
		die("pipe");
	if ((pid = fork()) == 0) {
		int err = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(out[1], 1);
		dup2(err, 2);
		close(out[0]);
		if (data != NULL)
			execl(claimd_bin, claimd_bin, "--data", data,
			    "--mirror", d->api, "--log-key", key, "--api",
			    "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
			    (char *)NULL);
		else
			execl(claimd_bin, claimd_bin, "--relay", d->api,
			    "--api", "tcp://127.0.0.1:*", "--pub",
			    "tcp://127.0.0.1:*", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	while (len < sizeof(buf) - 1) {
		ssize_t r = read(out[0], buf + len, sizeof(buf) - 1 - len);
		char *f;

		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		if ((f = strstr(buf, "\nfeed ")) != NULL &&
		    strchr(f + 1, '\n') != NULL)
			break;
	}
	close(out[0]);
	if (sscanf(buf, "api %127s\nfeed %127s", api, feed) != 2)
		die("claimd --%s did not start (see %s)",
		    data != NULL ? "mirror" : "relay", log);
	return pid;
}

static void
helper_stop(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
}

/* A stats number of the claimd at api. */
static uint64_t
stat_of(struct claim_client *c, int which, char *log_key, size_t cap)
{
	struct proto_stats_rep st;
	struct claim_reply rep;
	uint64_t v = UINT64_MAX;

	if (claim_call(c, PROTO_OP_STATS, &(struct proto_empty){0}, &st, &rep,
		NULL, 0) == PROTO_OK) {
		v = st.v[which];
		if (log_key != NULL)
			snprintf(log_key, cap, "%s", st.log_key);
	}
	claim_reply_release(&rep);
	return v;
}

/* A new mirror of d catching up from empty: entries per second. */
static double
mirror_catch_up(struct daemon *d, uint64_t n)
{
	struct claim_client *c, *m;
	char key[PROTO_VKEY_MAX], data[700], api[128], feed[128], err[256];
	double start, took;
	pid_t pid;

	if (claim_client_open(d->api, 30000, NULL, &c, err, sizeof(err)))
		die("%s", err);
	if (stat_of(c, PROTO_STAT_SIZE, key, sizeof(key)) != n)
		die("mirror bench: the log is not %llu entries",
		    (unsigned long long)n);
	claim_client_close(c);
	snprintf(data, sizeof(data), "%s/mirror", d->dir);
	rmrf(data);
	start = now();
	pid = helper_start(d, data, key, api, feed);
	if (claim_client_open(api, 30000, NULL, &m, err, sizeof(err)))
		die("%s", err);
	while (stat_of(m, PROTO_STAT_SIZE, NULL, 0) != n) {
		if (now() - start > 3600)
			die("mirror bench: no catch-up in an hour");
		usleep(20000);
	}
	took = now() - start;
	claim_client_close(m);
	helper_stop(pid);
	rmrf(data);
	return (double)n / took;
}

/*
 * A process's memory from /proc/PID/smaps_rollup, in MiB: "Anonymous"
 * (heap, stacks: what the daemon holds), and the private pages in all,
 * which also count the store's file pages that only claimd maps (LMDB's
 * map: page cache the kernel may drop at any time, not daemon memory).
 */
static double
smaps(pid_t pid, bool anon_only)
{
	char path[64], line[256];
	double kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long v;

		if (anon_only
			? sscanf(line, "Anonymous: %lu kB", &v) == 1
			: (sscanf(line, "Private_Clean: %lu kB", &v) == 1 ||
			      sscanf(line, "Private_Dirty: %lu kB", &v) == 1))
			kb += (double)v;
	}
	fclose(f);
	return kb / 1024;
}

/*
 * Pre-signed records
 */

struct recs {
	uint8_t **p;
	size_t *len;
	size_t n;
};

struct sign_job {
	const struct daemon *d;
	struct recs *r;
	size_t from, to, base;
	const char *party, *topic;
	const struct recs *disputes; /* or NULL: claim i disputes its claim i */
};

static void
sign_claim(const struct daemon *d, size_t i, const char *party,
    const char *topic, const uint8_t *disputes, uint8_t **out, size_t *len)
{
	struct proto_payload p;
	struct proto_buf b;
	char stmt[160];

	proto_payload_init(&p);
	p.kind = PROTO_KIND_CLAIM;
	p.time = 1790000000 + i;
	p.claim.party = strdup(party);
	p.claim.version = 1;
	snprintf(stmt, sizeof(stmt),
	    "Benchmark statement number %zu, about the same length as a real "
	    "one-sentence paraphrase of what a party said.",
	    i);
	p.claim.statement = strdup(stmt);
	/* Shaped like the example narratives: two topics, one source. */
	p.claim.topics = calloc(2, sizeof(char *));
	p.claim.topics[0] = strdup(topic);
	p.claim.topics[1] = strdup("border");
	p.claim.ntopics = strcmp(topic, "border") == 0 ? 1 : 2;
	p.claim.sources = calloc(1, sizeof(struct proto_source));
	p.claim.nsources = 1;
	p.claim.sources[0].publisher = strdup("Ministry of Foreign Affairs");
	p.claim.sources[0].title = strdup("Statement on the peace talks");
	p.claim.sources[0].url = strdup(
	    "https://example.org/news/2026/11/statement-on-the-peace-talks");
	p.claim.sources[0].published = strdup("2026-11-20");
	if (disputes != NULL) {
		p.claim.relations = calloc(1, sizeof(struct proto_relation));
		p.claim.nrelations = 1;
		p.claim.relations[0].rel = PROTO_REL_DISPUTES;
		memcpy(p.claim.relations[0].claim, disputes, PROTO_HASH_LEN);
	}
	proto_buf_init(&b);
	if (proto_payload_sign(&p, d->desk_sk, &b, NULL, 0) != PROTO_OK)
		die("sign");
	proto_payload_release(&p);
	*out = b.data;
	*len = b.len;
}

static void *
sign_main(void *arg)
{
	struct sign_job *j = arg;

	for (size_t i = j->from; i < j->to; i++) {
		uint8_t id[PROTO_HASH_LEN];

		/* A first version's id is its record's hash. */
		if (j->disputes != NULL)
			proto_record_hash(
			    j->disputes->p[i], j->disputes->len[i], id);
		sign_claim(j->d, j->base + i, j->party, j->topic,
		    j->disputes != NULL ? id : NULL, &j->r->p[i],
		    &j->r->len[i]);
	}
	return NULL;
}

/* n claims, signed on two threads (not timed). */
static struct recs
presign_disputing(const struct daemon *d, size_t n, size_t base,
    const char *party, const char *topic, const struct recs *disputes)
{
	struct recs r = {
	    calloc(n, sizeof(uint8_t *)), calloc(n, sizeof(size_t)), n};
	struct sign_job j[2];
	pthread_t t[2];

	for (int k = 0; k < 2; k++) {
		j[k] = (struct sign_job){d, &r, n * (size_t)k / 2,
		    n * (size_t)(k + 1) / 2, base, party, topic, disputes};
		pthread_create(&t[k], NULL, sign_main, &j[k]);
	}
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	return r;
}

static struct recs
presign(const struct daemon *d, size_t n, size_t base, const char *party,
    const char *topic)
{
	return presign_disputing(d, n, base, party, topic, NULL);
}

/*
 * Claims with sources in derivation chains, for claim independence: a
 * world of 2,000 primary statements (50 ministries), 4,000 agency
 * dispatches (20 agencies) each reporting one, and 30,000 outlet
 * articles (200 outlets) each republishing one dispatch. Claim i, of
 * party i % 10 on topic i % 50, cites an article, its dispatch and the
 * statement, the chain stated by two claims in three (the third leans on
 * the others' derivations), and one more article stated by none; one
 * claim in 997 states half of a blog-wiki loop, the next the other half.
 */
#define IND_PARTIES 10
#define IND_TOPICS  50

static void
source_set(struct proto_source *s, const char *pub, size_t pn, const char *kind,
    size_t k, int from, enum proto_how how)
{
	char b[96];

	snprintf(b, sizeof(b), "%s %zu", pub, pn);
	s->publisher = strdup(b);
	snprintf(b, sizeof(b), "%s %zu", kind, k);
	s->title = strdup(b);
	snprintf(b, sizeof(b), "https://example.org/%s/%zu", kind, k);
	s->url = strdup(b);
	if (from >= 0) {
		s->has_derivation = true;
		s->from = (uint32_t)from;
		s->how = how;
	}
}

static void
sign_sourced(const struct daemon *d, size_t i, uint8_t **out, size_t *len)
{
	struct proto_payload p;
	struct proto_buf b;
	size_t o = (i * 2654435761u) % 30000, a = o % 4000, m = a % 2000;
	size_t o2 = (i * 7919 + 13) % 30000, loop = i / 997;
	bool stated = i % 3 != 0;
	char stmt[160], party[32], topic[32];

	proto_payload_init(&p);
	p.kind = PROTO_KIND_CLAIM;
	p.time = 1790000000 + i;
	snprintf(party, sizeof(party), "party-%zu", i % IND_PARTIES);
	p.claim.party = strdup(party);
	p.claim.version = 1;
	snprintf(stmt, sizeof(stmt),
	    "Benchmark statement number %zu, resting on an agency dispatch "
	    "of a ministry statement.",
	    i);
	p.claim.statement = strdup(stmt);
	p.claim.topics = calloc(1, sizeof(char *));
	snprintf(topic, sizeof(topic), "topic-%zu", i % IND_TOPICS);
	p.claim.topics[0] = strdup(topic);
	p.claim.ntopics = 1;
	p.claim.sources = calloc(6, sizeof(struct proto_source));
	source_set(&p.claim.sources[0], "Outlet", o % 200, "article", o,
	    stated ? 1 : -1, PROTO_HOW_REPUBLISHES);
	source_set(&p.claim.sources[1], "Agency", a % 20, "dispatch", a,
	    stated ? 2 : -1, PROTO_HOW_REPORTS);
	source_set(&p.claim.sources[2], "Ministry", m % 50, "statement", m, -1,
	    PROTO_HOW_QUOTES);
	source_set(&p.claim.sources[3], "Outlet", o2 % 200, "article", o2, -1,
	    PROTO_HOW_QUOTES);
	p.claim.nsources = 4;
	if (i % 997 < 2) {
		/* Blog k cites wiki k, says one claim; the next says the
		 * reverse. */
		bool first = i % 997 == 0;

		source_set(&p.claim.sources[4], first ? "Blog" : "Wiki", loop,
		    first ? "post" : "page", loop, 5, PROTO_HOW_SUMMARIZES);
		source_set(&p.claim.sources[5], first ? "Wiki" : "Blog", loop,
		    first ? "page" : "post", loop, -1, PROTO_HOW_QUOTES);
		p.claim.nsources = 6;
	}
	proto_buf_init(&b);
	if (proto_payload_sign(&p, d->desk_sk, &b, NULL, 0) != PROTO_OK)
		die("sign");
	proto_payload_release(&p);
	*out = b.data;
	*len = b.len;
}

struct sourced_job {
	const struct daemon *d;
	struct recs *r;
	size_t from, to;
};

static void *
sourced_main(void *arg)
{
	struct sourced_job *j = arg;

	for (size_t i = j->from; i < j->to; i++)
		sign_sourced(j->d, i, &j->r->p[i], &j->r->len[i]);
	return NULL;
}

/* n sourced claims, signed on two threads (not timed). */
static struct recs
presign_sourced(const struct daemon *d, size_t n)
{
	struct recs r = {
	    calloc(n, sizeof(uint8_t *)), calloc(n, sizeof(size_t)), n};
	struct sourced_job j[2];
	pthread_t t[2];

	for (int k = 0; k < 2; k++) {
		j[k] = (struct sourced_job){
		    d, &r, n * (size_t)k / 2, n * (size_t)(k + 1) / 2};
		pthread_create(&t[k], NULL, sourced_main, &j[k]);
	}
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	return r;
}

/* An owner record: the first ten ministries, one government. */
static void
owner_record(struct daemon *d)
{
	static const char *const pubs[] = {"Ministry 0", "Ministry 1",
	    "Ministry 2", "Ministry 3", "Ministry 4", "Ministry 5",
	    "Ministry 6", "Ministry 7", "Ministry 8", "Ministry 9"};
	struct claim_client *c;
	struct claim_reply rep;
	struct proto_payload p;
	struct proto_buf b;
	char err[256];

	if (claim_client_open(d->api, 10000, NULL, &c, err, sizeof(err)))
		die("%s", err);
	proto_payload_init(&p);
	p.kind = PROTO_KIND_OWNER;
	p.time = 1790000000;
	p.reg.party = strdup("government");
	p.reg.publishers = calloc(10, sizeof(char *));
	for (size_t i = 0; i < 10; i++)
		p.reg.publishers[p.reg.npublishers++] = strdup(pubs[i]);
	proto_buf_init(&b);
	if (proto_payload_sign(&p, d->admin_sk, &b, NULL, 0) ||
	    claim_request(c, PROTO_OP_SUBMIT, 0, b.data, b.len, &rep, NULL,
		0) != PROTO_OK)
		die("owner record refused");
	claim_reply_release(&rep);
	proto_buf_release(&b);
	proto_payload_release(&p);
	claim_client_close(c);
}

static void
recs_free(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->p[i]);
	free(r->p);
	free(r->len);
}

/* The registry a log needs: parties, and the desk's grants. */
static void
registry(struct daemon *d, const char *const *parties, int np)
{
	struct claim_client *c;
	struct claim_reply rep;
	char err[256];

	if (claim_client_open(d->api, 10000, NULL, &c, err, sizeof(err)))
		die("%s", err);
	for (int i = 0; i < np; i++) {
		struct proto_payload p;
		struct proto_buf b;

		for (int k = 0; k < 2; k++) {
			proto_payload_init(&p);
			p.kind = k == 0 ? PROTO_KIND_PARTY : PROTO_KIND_GRANT;
			p.time = 1790000000;
			p.reg.party = strdup(parties[i]);
			if (k == 0)
				p.reg.name = strdup(parties[i]);
			else
				memcpy(p.reg.key, d->desk_pk, 32);
			proto_buf_init(&b);
			if (proto_payload_sign(&p, d->admin_sk, &b, NULL, 0) ||
			    claim_request(c, PROTO_OP_SUBMIT, 0, b.data, b.len,
				&rep, NULL, 0) != PROTO_OK)
				die("registry record refused");
			claim_reply_release(&rep);
			proto_buf_release(&b);
			proto_payload_release(&p);
		}
	}
	claim_client_close(c);
}

/*
 * Ingest: submitters, each a DEALER with a window of requests in flight,
 * counting acknowledgements (sent only after commit).
 */

struct submitter {
	const char *api;
	const struct recs *r;
	size_t from, to;
	int window;
	pthread_barrier_t *go;
	long acked;
	double *sent_at; /* optional: send times by record */
};

static void *
submit_main(void *arg)
{
	struct submitter *s = arg;
	struct claim_client *c;
	char err[256];
	size_t next = s->from;
	long inflight = 0;

	if (claim_client_open(s->api, 30000, NULL, &c, err, sizeof(err)))
		die("%s", err);
	pthread_barrier_wait(s->go);
	while (next < s->to || inflight > 0) {
		struct claim_reply r;

		while (next < s->to && inflight < s->window) {
			if (s->sent_at != NULL)
				s->sent_at[next] = now();
			if (claim_client_send(c, PROTO_OP_SUBMIT, s->r->p[next],
				s->r->len[next], NULL) != PROTO_OK)
				die("send");
			next++;
			inflight++;
		}
		if (claim_client_recv(c, 30000, &r) != PROTO_OK)
			die("no acknowledgement in 30 s");
		if (r.status == PROTO_OK)
			s->acked++;
		else if (r.status != PROTO_EBUSY)
			die("refused: %s", r.message);
		claim_reply_release(&r);
		inflight--;
	}
	claim_client_close(c);
	return NULL;
}

/*
 * claimd's CPU by component. claimd names its threads (claimd-verify,
 * claimd-writer; the main thread is claimd, ZeroMQ's are ZMQbg/...); the
 * kernel counts each thread's user and system time in
 * /proc/PID/task/TID/stat. Inside the verify workers, claimd counts the
 * thread CPU time of the Ed25519 verifications alone (stat
 * verify_cpu_us): the rest of the workers' time is decoding and checks.
 */
enum { CPU_VERIFY, CPU_CHECKS, CPU_COMMIT, CPU_TRANSPORT, CPU_OTHER, CPU_N };

struct cpu_split {
	double s[CPU_N]; /* seconds */
};

/* Seconds of CPU by thread group (verify holds the workers' whole time). */
static void
cpu_read(pid_t pid, struct cpu_split *c)
{
	char path[64], buf[1024];
	struct dirent *e;
	DIR *dir;
	long tick = sysconf(_SC_CLK_TCK);

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((dir = opendir(path)) == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		char file[600], *name, *end;
		unsigned long ut, st;
		FILE *f;
		size_t n;
		int g;

		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/stat", path, e->d_name);
		if ((f = fopen(file, "r")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* "tid (comm) state ppid ...": utime and stime are the 14th
		 * and 15th fields, the 12th and 13th after the comm. */
		if ((name = strchr(buf, '(')) == NULL ||
		    (end = strrchr(buf, ')')) == NULL ||
		    sscanf(end + 2,
			"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			"%lu %lu",
			&ut, &st) != 2)
			continue;
		*end = '\0';
		name++;
		if (strcmp(name, "claimd-verify") == 0)
			g = CPU_VERIFY;
		else if (strcmp(name, "claimd-writer") == 0)
			g = CPU_COMMIT;
		else if (strcmp(name, "claimd") == 0 ||
		    strncmp(name, "ZMQbg/", 6) == 0)
			g = CPU_TRANSPORT;
		else
			g = CPU_OTHER;
		c->s[g] += (double)(ut + st) / (double)tick;
	}
	closedir(dir);
}

/* User and system seconds of a rusage. */
static double
rusage_s(const struct rusage *u)
{
	return (double)u->ru_utime.tv_sec + u->ru_utime.tv_usec / 1e6 +
	    (double)u->ru_stime.tv_sec + u->ru_stime.tv_usec / 1e6;
}

/* Seconds of CPU this process has used, all its threads: during an
 * ingest, the submitters and their ZeroMQ threads (main waits). */
static double
self_cpu(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return rusage_s(&u);
}

/* Seconds the machine's CPUs have spent idle (idle and iowait, summed
 * over the CPUs), from /proc/stat. */
static double
idle_cpu(void)
{
	unsigned long long user, nice, sys, idle = 0, iowait = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle,
		&iowait) != 5)
		idle = iowait = 0;
	fclose(f);
	return (double)(idle + iowait) / (double)sysconf(_SC_CLK_TCK);
}

/* claimd's whole CPU, seconds: every thread. */
static double
cpu_sum(const struct cpu_split *c)
{
	double t = 0;

	for (int i = 0; i < CPU_N; i++)
		t += c->s[i];
	return t;
}

/*
 * The most claims a second the machine's cores could take if claimd did
 * nothing but verify: the cores' time over what a claim costs in
 * verification (in claimd) plus what the load costs (submitters or the
 * claim command), both measured in the run. Above it no change inside
 * claimd's other work can go. With claimd's whole CPU per claim and no
 * load: what claimd as it is could take with the load on other machines.
 */
static double
bound(double verify_us, double load_us)
{
	return (double)sysconf(_SC_NPROCESSORS_ONLN) * 1e6 /
	    (verify_us + load_us);
}

/* claimd's verify_cpu_us now, in seconds. */
static double
verify_cpu(const char *api)
{
	struct claim_client *c;
	char err[256];
	uint64_t v;

	if (claim_client_open(api, 30000, NULL, &c, err, sizeof(err)))
		die("%s", err);
	v = stat_of(c, PROTO_STAT_VERIFY_CPU_US, NULL, 0);
	claim_client_close(c);
	return v == UINT64_MAX ? 0 : (double)v / 1e6;
}

/* claimd's CPU per claim over [a, b] (n claims), microseconds: the
 * workers' time split into Ed25519 and the rest. */
static void
cpu_per_claim(const struct cpu_split *a, const struct cpu_split *b, double va,
    double vb, size_t n, double out[CPU_N])
{
	double workers = b->s[CPU_VERIFY] - a->s[CPU_VERIFY];

	for (int i = 0; i < CPU_N; i++)
		out[i] = (b->s[i] - a->s[i]) * 1e6 / (double)n;
	out[CPU_VERIFY] = (vb - va) * 1e6 / (double)n;
	out[CPU_CHECKS] = (workers - (vb - va)) * 1e6 / (double)n;
	if (out[CPU_CHECKS] < 0) /* the kernel counts in ticks */
		out[CPU_CHECKS] = 0;
}

/* Claims acknowledged per second with n submitters. */
static double
ingest(const char *api, const struct recs *r, size_t from, size_t to, int n,
    int window)
{
	struct submitter s[32];
	pthread_t t[32];
	pthread_barrier_t go;
	double start;
	long acked = 0;

	pthread_barrier_init(&go, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		s[i] = (struct submitter){api, r,
		    from + (to - from) * (size_t)i / (size_t)n,
		    from + (to - from) * (size_t)(i + 1) / (size_t)n, window,
		    &go, 0, NULL};
		pthread_create(&t[i], NULL, submit_main, &s[i]);
	}
	pthread_barrier_wait(&go);
	start = now();
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		acked += s[i].acked;
	}
	start = now() - start;
	pthread_barrier_destroy(&go);
	if ((size_t)acked != to - from)
		die("%ld of %zu acknowledged", acked, to - from);
	return (double)acked / start;
}

/*
 * Running the claim command
 */

/* Runs claim with args, stdin from in (or /dev/null), stdout to out;
 * returns seconds, dies unless it exits 0. cpu, if not NULL: the seconds
 * of CPU the command used (all its threads, user and system). */
static double
run_claim_cpu(
    const char *in, const char *out, const char *const *args, double *cpu)
{
	const char *argv[32];
	double start = now();
	struct rusage ru;
	pid_t pid;
	int st, n = 0;

	argv[n++] = claim_bin;
	while (args[n - 1] != NULL && n < 31) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	if ((pid = fork()) == 0) {
		int i = open(in ? in : "/dev/null", O_RDONLY);
		int o = open(out ? out : "/dev/null",
		    O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(i, 0);
		dup2(o, 1);
		execv(claim_bin, (char *const *)argv);
		_exit(127);
	}
	wait4(pid, &st, 0, &ru);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("claim %s failed (%d)", args[0], WEXITSTATUS(st));
	if (cpu != NULL)
		*cpu = rusage_s(&ru);
	return now() - start;
}

static double
run_claim(const char *in, const char *out, const char *const *args)
{
	return run_claim_cpu(in, out, args, NULL);
}

/*
 * Feed latency: 10 subscribers, submissions paced at a fixed rate. The
 * subscribers share one context and one thread polling all ten sockets,
 * so that the benchmark itself does not crowd claimd off two cores.
 */

#define NSUBS 10

struct subs {
	const char *feed;
	double *sent_at; /* by log index - base */
	size_t base, n;
	double *lat; /* submit to delivery, ms, all subscribers */
	size_t got;
	pthread_barrier_t *ready;
};

/* Takes every event a subscriber holds: one poll per event would make
 * the benchmark's own thread what the figure measures. */
static void
subs_drain(struct subs *f, void *sub)
{
	/* An event holds a whole record. */
	static _Thread_local uint8_t body[PROTO_RECORD_MAX + 1024];

	for (;;) {
		const struct proto_msgdef *def;
		struct proto_feed_event ev;
		char topic[128];
		int tlen, len;

		if ((tlen = zmq_recv(sub, topic, sizeof(topic), ZMQ_DONTWAIT)) <
		    0)
			return;
		if ((len = zmq_recv(sub, body, sizeof(body), 0)) < 0)
			return;
		/* Events by proto's tables; heartbeats carry no index. */
		if ((size_t)tlen > sizeof(topic) ||
		    (size_t)len > sizeof(body) ||
		    (def = proto_feed_def(topic, (size_t)tlen)) == NULL ||
		    def == &proto_feed_heartbeat_def ||
		    proto_msg_decode(def, body, (size_t)len, &ev, NULL, 0) ||
		    ev.index < f->base || ev.index >= f->base + f->n ||
		    f->got >= f->n * NSUBS)
			continue;
		f->lat[f->got++] =
		    (now() - f->sent_at[ev.index - f->base]) * 1e3;
	}
}

static void *
subs_main(void *arg)
{
	struct subs *f = arg;
	void *ctx = zmq_ctx_new(), *s[NSUBS];
	zmq_pollitem_t it[NSUBS];
	int zero = 0;
	double deadline;

	for (int i = 0; i < NSUBS; i++) {
		s[i] = zmq_socket(ctx, ZMQ_SUB);
		zmq_setsockopt(s[i], ZMQ_LINGER, &zero, sizeof(zero));
		zmq_setsockopt(s[i], ZMQ_SUBSCRIBE, PROTO_FEED_CLAIM,
		    strlen(PROTO_FEED_CLAIM));
		zmq_connect(s[i], f->feed);
		it[i] = (zmq_pollitem_t){s[i], 0, ZMQ_POLLIN, 0};
	}
	usleep(300000); /* subscriptions reach the publisher */
	pthread_barrier_wait(f->ready);
	deadline = now() + 60;
	while (f->got < f->n * NSUBS && now() < deadline) {
		if (zmq_poll(it, NSUBS, 1000) <= 0)
			continue;
		for (int i = 0; i < NSUBS; i++)
			if (it[i].revents & ZMQ_POLLIN)
				subs_drain(f, s[i]);
	}
	for (int i = 0; i < NSUBS; i++)
		zmq_close(s[i]);
	zmq_ctx_term(ctx);
	return NULL;
}

/* p50 and p99 of submit-to-delivery at rate claims/s to 10 subscribers. */
static void
feed_latency(struct daemon *d, const struct recs *r, size_t base, double rate,
    double *p50, double *p99, double *slow, double *longest)
{
	struct subs f = {d->feed, calloc(r->n, sizeof(double)), base, r->n,
	    calloc(r->n * NSUBS, sizeof(double)), 0, NULL};
	pthread_barrier_t ready;
	struct claim_client *c;
	pthread_t t;
	size_t acked = 0;
	double start;
	char err[256];

	pthread_barrier_init(&ready, NULL, 2);
	f.ready = &ready;
	pthread_create(&t, NULL, subs_main, &f);
	pthread_barrier_wait(&ready);
	if (claim_client_open(d->api, 30000, NULL, &c, err, sizeof(err)))
		die("%s", err);
	start = now();
	for (size_t i = 0; i < r->n; i++) {
		struct claim_reply rep;
		double due = start + (double)i / rate;

		/* Take the acknowledgements waiting, then sleep until the
		 * send time: polling with zmq's millisecond timeouts would
		 * spin through the 200 us between sends and take a core
		 * from claimd. */
		while (claim_client_recv(c, 0, &rep) == PROTO_OK) {
			acked++;
			claim_reply_release(&rep);
		}
		for (double left; (left = due - now()) > 0;)
			usleep((useconds_t)(left * 1e6));
		f.sent_at[i] = now();
		if (claim_client_send(c, PROTO_OP_SUBMIT, r->p[i], r->len[i],
			NULL) != PROTO_OK)
			die("send");
	}
	while (acked < r->n) {
		struct claim_reply rep;

		if (claim_client_recv(c, 30000, &rep) != PROTO_OK)
			die("feed bench: acknowledgements missing");
		acked++;
		claim_reply_release(&rep);
	}
	{
		struct proto_stats_rep st;
		struct claim_reply rep;

		usleep(1200000); /* claimd sums up each quiet second */
		if (claim_call(c, PROTO_OP_STATS, &(struct proto_empty){0}, &st,
			&rep, NULL, 0) == PROTO_OK) {
			fprintf(stderr,
			    "  (claimd: arrival to stored p50 %llu "
			    "us, p99 %llu us in its last second)\n",
			    (unsigned long long)st.v[PROTO_STAT_LATENCY_P50_US],
			    (unsigned long long)
				st.v[PROTO_STAT_LATENCY_P99_US]);
			/* The disk's stalls in this run: what sets the p99. */
			*slow = (double)st.v[PROTO_STAT_COMMITS_OVER_5MS];
			*longest =
			    (double)st.v[PROTO_STAT_COMMIT_MAX_US] / 1000.0;
		}
		claim_reply_release(&rep);
	}
	claim_client_close(c);
	pthread_join(t, NULL);
	if (f.got < r->n * NSUBS * 99 / 100)
		die("feed bench: %zu of %zu deliveries", f.got, r->n * NSUBS);
	qsort(f.lat, f.got, sizeof(double), cmp_double);
	*p50 = f.lat[f.got / 2];
	*p99 = f.lat[f.got * 99 / 100];
	free(f.lat);
	free(f.sent_at);
	pthread_barrier_destroy(&ready);
}

/* p50 and p99 of a GET by id prefix, microseconds. */
static void
point_reads(struct daemon *d, const struct recs *r, double *p50, double *p99)
{
	struct claim_client *c;
	int n = quick ? 2000 : 10000;
	double *t = calloc((size_t)n, sizeof(double));
	char err[256];

	if (claim_client_open(d->api, 10000, NULL, &c, err, sizeof(err)))
		die("%s", err);
	for (int i = 0; i < n + 200; i++) {
		size_t k = (size_t)i * 7919 % r->n;
		uint8_t h[32];
		char hex[65], body[128];
		struct proto_get_req q = {.has_id = true};
		struct claim_reply rep;
		struct proto_buf b;
		double s;

		proto_record_hash(r->p[k], r->len[k], h);
		proto_hex(h, 32, hex);
		hex[16] = '\0';
		proto_buf_init(&b);
		memcpy(q.id, hex, 17);
		if (proto_msg_encode(&proto_ops[PROTO_OP_GET].req, &q, &b))
			die("cbor");
		(void)body;
		s = now();
		if (claim_request(c, PROTO_OP_GET, 0, b.data, b.len, &rep, NULL,
			0) != PROTO_OK)
			die("get failed");
		if (i >= 200)
			t[i - 200] = (now() - s) * 1e6;
		claim_reply_release(&rep);
		proto_buf_release(&b);
	}
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	*p50 = t[n / 2];
	*p99 = t[n * 99 / 100];
	free(t);
	claim_client_close(c);
}

/* Watcher catch-up with libclaim's feed: entries per second from 0. */
static double
catch_up(struct daemon *d, uint64_t n)
{
	struct claim_client *c;
	struct claim_feed *f;
	char err[256];
	uint64_t got = 0;
	double start;

	if (claim_client_open(d->api, 30000, NULL, &c, err, sizeof(err)))
		die("%s", err);
	start = now();
	if (claim_feed_open(c, d->feed, 0, NULL, NULL, &f, err, sizeof(err)))
		die("%s", err);
	while (got < n) {
		struct claim_entry e;

		if (claim_feed_next(f, 10000, &e, err, sizeof(err)) != PROTO_OK)
			die("catch-up stalled at %llu: %s",
			    (unsigned long long)got, err);
		claim_entry_release(&e);
		got++;
	}
	start = now() - start;
	claim_feed_close(f);
	claim_client_close(c);
	return (double)n / start;
}

/* The figures, by place in the table. */
enum {
	F_VERIFY1,
	F_VERIFY2,
	F_SIGN1,
	F_COMMIT,
	F_COMMIT99,
	F_RTT,
	F_INGEST1,
	F_INGEST4,
	F_INGEST16,
	F_CPU_TOTAL,
	F_CPU_VERIFY,
	F_CPU_CHECKS,
	F_CPU_COMMIT,
	F_CPU_TRANSPORT,
	F_CPU_LOAD,
	F_CPU_IDLE,
	F_INGEST_BOUND,
	F_INGEST_CORE,
	F_INGEST_ALONE,
	F_SUBMIT,
	F_SUBMIT_CLAIMD,
	F_SUBMIT_VERIFY,
	F_SUBMIT_CLIENT,
	F_SUBMIT_IDLE,
	F_SUBMIT_BOUND,
	F_SUBMIT_CORE,
	F_FEED50,
	F_FEED99,
	F_FEED_SLOW,
	F_FEED_LONGEST,
	F_READ50,
	F_READ99,
	F_NARRATIVE,
	F_INDEPENDENCE,
	F_INDEPENDENCE_EXPORT,
	F_VERIFY,
	F_CATCHUP,
	F_WATCH,
	F_RSS,
	F_MAPPED,
	F_DISK,
	F_MIRROR,
	F_RELAY50,
	F_RELAY99,
	NFIG
};

/*
 * The raw limits, reps times. Taken at the start of the run and again at
 * its end: the host's speed drifts over the run, and every target is a
 * ratio to these.
 */
static void
raw_limits(struct figure *fig, int reps)
{
	for (int i = 0; i < reps; i++) {
		double c99;

		add(&fig[F_VERIFY1], raw_verify(1));
		add(&fig[F_VERIFY2], raw_verify(2));
		add(&fig[F_SIGN1], raw_sign());
		add(&fig[F_COMMIT], raw_commit(&c99));
		add(&fig[F_COMMIT99], c99);
		add(&fig[F_RTT], raw_rtt());
	}
}

int
main(int argc, char **argv)
{
	struct figure fig[NFIG] = {
	    [F_VERIFY1] = {"verify_1", "raw: Ed25519 verify, 1 thread", "/s"},
	    [F_VERIFY2] = {"verify_2", "raw: Ed25519 verify, 2 threads", "/s"},
	    [F_SIGN1] = {"sign_1", "raw: Ed25519 sign, 1 thread", "/s"},
	    [F_COMMIT] = {"lmdb_commit", "raw: fsync'd LMDB commit", "/s"},
	    [F_COMMIT99] = {"lmdb_commit_p99_ms",
		"raw: fsync'd LMDB commit p99 (one put)", "ms"},
	    [F_RTT] = {"zmq_rtt_us", "raw: ZeroMQ round trip p50", "us"},
	    [F_INGEST1] = {"ingest_1", "ingest, 1 submitter", "/s"},
	    [F_INGEST4] = {"ingest_4", "ingest, 4 submitters", "/s"},
	    [F_INGEST16] = {"ingest_16", "ingest, 16 submitters", "/s", {0}, 0,
		0.75, false, "verify_2"},
	    [F_CPU_TOTAL] = {"ingest_cpu_us",
		"  ...claimd CPU per claim, 16 submitters", "us"},
	    [F_CPU_VERIFY] = {"ingest_cpu_verify_us",
		"  ...of it Ed25519 verify (workers)", "us"},
	    [F_CPU_CHECKS] = {"ingest_cpu_checks_us",
		"  ...decode and checks (workers)", "us"},
	    [F_CPU_COMMIT] = {"ingest_cpu_commit_us",
		"  ...commit, feed, hand-back (writer)", "us"},
	    [F_CPU_TRANSPORT] = {"ingest_cpu_transport_us",
		"  ...requests, replies (main, ZeroMQ I/O)", "us"},
	    [F_CPU_LOAD] = {"ingest_cpu_submitters_us",
		"  ...the 16 submitters' CPU per claim", "us"},
	    [F_CPU_IDLE] = {"ingest_cpu_idle_us",
		"  ...CPU left idle per claim", "us"},
	    [F_INGEST_BOUND] = {"ingest_bound",
		"  ...bound: claimd verifying, nothing else", "/s", {0}, 0, 0,
		false, "verify_2"},
	    [F_INGEST_CORE] = {"ingest_core",
		"  ...bound: verify, commit, requests, load", "/s", {0}, 0, 0,
		false, "verify_2"},
	    [F_INGEST_ALONE] = {"ingest_alone",
		"  ...bound: claimd as is, load elsewhere", "/s", {0}, 0, 0,
		false, "verify_2"},
	    [F_SUBMIT] = {"claim_submit", "claim submit, 20,000 JSON Lines",
		"/s", {0}, 0, 0.55, false, "verify_2"},
	    [F_SUBMIT_CLAIMD] = {"submit_cpu_claimd_us",
		"  ...claimd CPU per claim", "us"},
	    [F_SUBMIT_VERIFY] = {"submit_cpu_verify_us",
		"  ...of it Ed25519 verify (workers)", "us"},
	    [F_SUBMIT_CLIENT] = {"submit_cpu_client_us",
		"  ...claim's CPU per claim (signs, sends)", "us"},
	    [F_SUBMIT_IDLE] = {"submit_cpu_idle_us",
		"  ...CPU left idle per claim", "us"},
	    [F_SUBMIT_BOUND] = {"submit_bound",
		"  ...bound: claimd verifying, nothing else", "/s", {0}, 0, 0,
		false, "verify_2"},
	    [F_SUBMIT_CORE] = {"submit_core",
		"  ...bound: verify, sign, commit, requests", "/s", {0}, 0, 0,
		false, "verify_2"},
	    [F_FEED50] = {"feed_p50_ms", "feed latency p50, 10 subs, 5k/s",
		"ms"},
	    [F_FEED99] = {"feed_p99_ms", "feed latency p99, 10 subs, 5k/s",
		"ms", {0}, 0, 5.0, true, NULL},
	    [F_FEED_SLOW] = {"feed_slow_commits",
		"  ...claimd's commits over 5 ms in the run", ""},
	    [F_FEED_LONGEST] = {"feed_longest_commit_ms",
		"  ...claimd's longest commit in the run", "ms"},
	    [F_READ50] = {"read_p50_us", "point read p50", "us", {0}, 0, 2.0,
		true, "zmq_rtt_us"},
	    [F_READ99] = {"read_p99_us", "point read p99", "us"},
	    [F_NARRATIVE] = {"narrative_s",
		"narrative diff, 100,000 claims, 50k disputes", "s"},
	    [F_INDEPENDENCE] = {"independence_s",
		"independence --topic, 100,000 claims", "s", {0}, 0, 2, true,
		NULL},
	    [F_INDEPENDENCE_EXPORT] = {"independence_export_s",
		"  ...the same from an export", "s"},
	    [F_VERIFY] = {"offline_verify", "claim verify, 1,000,000 entries",
		"/s", {0}, 0, 0.8, false, "verify_2"},
	    [F_CATCHUP] = {"catch_up", "catch-up, 1,000,000 behind (libclaim)",
		"/s", {0}, 0, 200000, false, NULL},
	    [F_WATCH] = {"watch_cli", "catch-up, claim watch > /dev/null",
		"/s"},
	    [F_RSS] = {"rss_mib", "claimd private RSS (anonymous), 1,000,000",
		"MiB", {0}, 0, 64, true, NULL},
	    [F_MAPPED] = {"rss_with_map_mib",
		"  ...with the store's mapped file pages", "MiB"},
	    [F_DISK] = {"disk_bytes", "bytes on disk per claim", "B"},
	    [F_MIRROR] = {"mirror_catch_up",
		"mirror catch-up from empty, 1,000,000", "/s", {0}, 0, 0.8,
		false, "offline_verify"},
	    [F_RELAY50] = {"relay_feed_p50_ms",
		"feed latency p50 through a relay, 10 subs", "ms"},
	    [F_RELAY99] = {"relay_feed_p99_ms",
		"feed latency p99 through a relay, 10 subs", "ms"},
	};
	const char *parties[] = {"party-a", "party-b"};
	bool json = false;
	int reps;
	size_t big;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--quick") == 0)
			quick = true;
		else if (strcmp(argv[i], "--keep") == 0)
			keep_dir = true;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (claimd_bin == NULL)
			claimd_bin = argv[i];
		else
			claim_bin = argv[i];
	}
	if (claimd_bin == NULL || claim_bin == NULL) {
		fprintf(stderr,
		    "usage: claimbench CLAIMD CLAIM [--json] [--quick] [--keep] "
		    "[--only raw|ingest|submit|feed|narrative|independence|big]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	reps = quick ? 2 : 3;
	big = quick ? 100000 : 1000000;
	if (quick) {
		/* Smaller runs, labelled as such: not for the targets. */
		fig[F_SUBMIT].label = "claim submit, 5,000 JSON Lines (quick)";
		fig[F_NARRATIVE].label =
		    "narrative diff, 20,000 claims (quick)";
		fig[F_INDEPENDENCE].label =
		    "independence --topic, 20,000 claims (quick)";
		fig[F_VERIFY].label = "claim verify, 100,000 entries (quick)";
		fig[F_CATCHUP].label = "catch-up, 100,000 behind (quick)";
		fig[F_RSS].label = "claimd private RSS, 100,000 (quick)";
		fig[F_MIRROR].label = "mirror catch-up, 100,000 (quick)";
	}

	/* Every section's targets are ratios of these: always. */
	fprintf(stderr, "raw limits\n");
	raw_limits(fig, reps);

	fprintf(stderr, "ingest of pre-signed claims\n");
	if (section("ingest")) {
		size_t n = quick ? 20000 : 60000;
		int who[3] = {1, 4, 16},
		    fi[3] = {F_INGEST1, F_INGEST4, F_INGEST16};

		for (int rep = 0; rep < reps; rep++)
			for (int k = 0; k < 3; k++) {
				struct daemon d;
				struct recs r;

				daemon_start(&d, true);
				registry(&d, parties, 1);
				struct cpu_split ca, cb;
				double va, vb, per[CPU_N], total = 0, la, ia;

				r = presign(&d, n, 0, "party-a", "t");
				va = verify_cpu(d.api);
				cpu_read(d.pid, &ca);
				la = self_cpu();
				ia = idle_cpu();
				add(&fig[fi[k]],
				    ingest(d.api, &r, 0, n, who[k], 256));
				ia = idle_cpu() - ia;
				la = self_cpu() - la;
				cpu_read(d.pid, &cb);
				vb = verify_cpu(d.api);
				if (who[k] == 16) {
					cpu_per_claim(&ca, &cb, va, vb, n, per);
					for (int i = 0; i < CPU_N; i++)
						total += per[i];
					add(&fig[F_CPU_TOTAL], total);
					add(&fig[F_CPU_VERIFY],
					    per[CPU_VERIFY]);
					add(&fig[F_CPU_CHECKS],
					    per[CPU_CHECKS]);
					add(&fig[F_CPU_COMMIT],
					    per[CPU_COMMIT]);
					add(&fig[F_CPU_TRANSPORT],
					    per[CPU_TRANSPORT]);
					add(&fig[F_CPU_LOAD], la * 1e6 / n);
					add(&fig[F_CPU_IDLE], ia * 1e6 / n);
					add(&fig[F_INGEST_BOUND],
					    bound(
						per[CPU_VERIFY], la * 1e6 / n));
					add(&fig[F_INGEST_CORE],
					    bound(per[CPU_VERIFY],
						per[CPU_COMMIT] +
						    per[CPU_TRANSPORT] +
						    la * 1e6 / n));
					add(&fig[F_INGEST_ALONE],
					    bound(total, 0));
				}
				recs_free(&r);
				daemon_stop(&d, false);
			}
	}

	fprintf(stderr, "claim submit of 20,000 JSON Lines\n");
	for (int rep = 0; rep < reps && section("submit"); rep++) {
		struct daemon d;
		char lines[700], key[700];
		const char *args[] = {"submit", lines, "--key", key, "--server",
		    NULL, "--window", "1024", NULL};
		FILE *f;
		struct proto_buf kt;
		int n = quick ? 5000 : 20000;

		daemon_start(&d, true);
		registry(&d, parties, 1);
		snprintf(lines, sizeof(lines), "%s/claims.jsonl", d.dir);
		snprintf(key, sizeof(key), "%s/desk.key", d.dir);
		f = fopen(lines, "w");
		/* Each with a source, as a desk's claims have: a claim
		 * without one is warned about, a line on stderr each. */
		for (int i = 0; i < n; i++)
			fprintf(f,
			    "{\"party\": \"party-a\", \"topics\": [\"t\"], "
			    "\"statement\": \"Submitted statement %d, about "
			    "as long as a real one-sentence paraphrase.\", "
			    "\"sources\": [{\"publisher\": \"Wire\", \"title\": "
			    "\"Statement %d\", "
			    "\"url\": \"https://example.org/wire/%d\", "
			    "\"published\": \"2026-12-05\"}]}\n",
			    i, i, i);
		fclose(f);
		proto_buf_init(&kt);
		if (proto_key_format(d.desk_sk, &kt) != PROTO_OK)
			die("key");
		f = fopen(key, "w");
		fwrite(kt.data, 1, kt.len, f);
		fclose(f);
		chmod(key, 0600);
		proto_buf_release(&kt);
		args[5] = d.api;
		{
			struct cpu_split ca, cb;
			double va = verify_cpu(d.api), ia = idle_cpu(), cl, v;

			cpu_read(d.pid, &ca);
			add(&fig[F_SUBMIT],
			    n / run_claim_cpu(NULL, NULL, args, &cl));
			cpu_read(d.pid, &cb);
			ia = idle_cpu() - ia;
			v = (verify_cpu(d.api) - va) * 1e6 / n;
			add(&fig[F_SUBMIT_CLAIMD],
			    (cpu_sum(&cb) - cpu_sum(&ca)) * 1e6 / n);
			add(&fig[F_SUBMIT_VERIFY], v);
			add(&fig[F_SUBMIT_CLIENT], cl * 1e6 / n);
			add(&fig[F_SUBMIT_IDLE], ia * 1e6 / n);
			add(&fig[F_SUBMIT_BOUND], bound(v, cl * 1e6 / n));
			/* If nothing but claimd's verification, commit and
			 * requests and claim's signing (at the raw limit's
			 * rate) cost anything. */
			add(&fig[F_SUBMIT_CORE],
			    bound(v,
				1e6 / median(&fig[F_SIGN1]) +
				    (cb.s[CPU_COMMIT] - ca.s[CPU_COMMIT] +
					cb.s[CPU_TRANSPORT] -
					ca.s[CPU_TRANSPORT]) *
					1e6 / n));
		}
		daemon_stop(&d, false);
	}

	fprintf(stderr, "feed latency and point reads\n");
	for (int rep = 0; rep < reps && section("feed"); rep++) {
		struct daemon d;
		struct recs r;
		double p50, p99, slow = 0, longest = 0;

		daemon_start(&d, true);
		registry(&d, parties, 1);
		r = presign(&d, quick ? 5000 : 20000, 0, "party-a", "t");
		feed_latency(&d, &r, 2, 5000, &p50, &p99, &slow, &longest);
		add(&fig[F_FEED50], p50);
		add(&fig[F_FEED99], p99);
		add(&fig[F_FEED_SLOW], slow);
		add(&fig[F_FEED_LONGEST], longest);
		{
			/* The same through a relay in front of claimd. */
			struct daemon via = d;
			struct recs r2;
			char api[128];
			pid_t relay =
			    helper_start(&d, NULL, NULL, api, via.feed);

			r2 = presign(&d, r.n, r.n, "party-a", "t");
			feed_latency(&via, &r2, 2 + r.n, 5000, &p50, &p99,
			    &slow, &longest);
			add(&fig[F_RELAY50], p50);
			add(&fig[F_RELAY99], p99);
			recs_free(&r2);
			helper_stop(relay);
		}
		point_reads(&d, &r, &p50, &p99);
		add(&fig[F_READ50], p50);
		add(&fig[F_READ99], p99);
		recs_free(&r);
		daemon_stop(&d, false);
	}

	fprintf(stderr, "narrative diff over 100,000 claims\n");
	if (section("narrative")) {
		struct daemon d;
		struct recs a, b;
		size_t n = quick ? 20000 : 100000;
		const char *args[] = {"diff", "--topic", "talks", "--party",
		    "party-a", "--party", "party-b", "--json", "--server", NULL,
		    "--timeout", "60000", NULL};

		daemon_start(&d, true);
		registry(&d, parties, 2);
		/* Each of party-b's claims disputes one of party-a's. */
		a = presign(&d, n / 2, 0, "party-a", "talks");
		b = presign_disputing(&d, n / 2, n, "party-b", "talks", &a);
		ingest(d.api, &a, 0, a.n, 4, 256);
		ingest(d.api, &b, 0, b.n, 4, 256);
		args[9] = d.api;
		for (int rep = 0; rep < reps; rep++)
			add(&fig[F_NARRATIVE], run_claim(NULL, NULL, args));
		recs_free(&a);
		recs_free(&b);
		daemon_stop(&d, false);
	}

	fprintf(stderr, "claim independence --topic over 100,000 claims\n");
	if (section("independence")) {
		static const char *const ip[IND_PARTIES] = {"party-0",
		    "party-1", "party-2", "party-3", "party-4", "party-5",
		    "party-6", "party-7", "party-8", "party-9"};
		struct daemon d;
		struct recs r;
		size_t n = quick ? 20000 : 100000;
		char exp[700];
		const char *args[] = {"independence", "--topic", "topic-7",
		    "--json", "--server", NULL, "--timeout", "60000", NULL};
		const char *exp_args[] = {"export", "--out", exp, "--server",
		    NULL, "--timeout", "60000", NULL};
		const char *off_args[] = {"independence", "--topic", "topic-7",
		    "--json", "--export", exp, NULL};

		daemon_start(&d, true);
		registry(&d, ip, IND_PARTIES);
		owner_record(&d);
		r = presign_sourced(&d, n);
		ingest(d.api, &r, 0, r.n, 4, 256);
		recs_free(&r);
		args[5] = d.api;
		for (int rep = 0; rep < reps; rep++)
			add(&fig[F_INDEPENDENCE], run_claim(NULL, NULL, args));
		snprintf(exp, sizeof(exp), "%s/export.jsonl", d.dir);
		exp_args[4] = d.api;
		run_claim(NULL, NULL, exp_args);
		for (int rep = 0; rep < reps; rep++)
			add(&fig[F_INDEPENDENCE_EXPORT],
			    run_claim(NULL, NULL, off_args));
		daemon_stop(&d, false);
	}

	fprintf(stderr,
	    "a log of %zu claims: memory, disk, catch-up, "
	    "verify\n",
	    big);
	if (section("big")) {
		struct daemon d;
		struct recs r;
		char exp[700], data[700], admin[65];
		const char *exp_args[] = {"export", "--out", exp, "--server",
		    NULL, "--timeout", "60000", NULL};
		const char *ver_args[] = {
		    "verify", exp, "--admin-key", admin, NULL};
		const char *watch_args[] = {"watch", "--from", "0", "--count",
		    NULL, "--server", NULL, "--timeout", "60000", NULL};
		char count[32];
		struct stat st;

		daemon_start(&d, true);
		registry(&d, parties, 1);
		r = presign(&d, big, 0, "party-a", "t");
		fprintf(stderr, "  (ingesting %zu claims: %.0f/s)\n", big,
		    ingest(d.api, &r, 0, big, 16, 256));
		recs_free(&r);
		add(&fig[F_RSS], smaps(d.pid, true));
		add(&fig[F_MAPPED], smaps(d.pid, false));
		snprintf(data, sizeof(data), "%s/data/db/data.mdb", d.dir);
		if (stat(data, &st) != 0)
			die("no data.mdb");
		add(&fig[F_DISK], (double)st.st_blocks * 512 / (double)big);
		for (int rep = 0; rep < reps; rep++)
			add(&fig[F_CATCHUP], catch_up(&d, big + 2));
		snprintf(count, sizeof(count), "%zu", big + 2);
		watch_args[4] = count;
		watch_args[6] = d.api;
		for (int rep = 0; rep < reps; rep++)
			add(&fig[F_WATCH],
			    (double)(big + 2) /
				run_claim(NULL, NULL, watch_args));
		for (int rep = 0; rep < reps; rep++)
			add(&fig[F_MIRROR], mirror_catch_up(&d, big + 2));
		snprintf(exp, sizeof(exp), "%s/export.jsonl", d.dir);
		exp_args[4] = d.api;
		run_claim(NULL, NULL, exp_args);
		daemon_stop(&d, true);
		proto_hex(d.admin_pk, 32, admin);
		for (int rep = 0; rep < reps; rep++)
			add(&fig[F_VERIFY],
			    (double)(big + 2) /
				run_claim(NULL, NULL, ver_args));
		if (keep_dir)
			fprintf(stderr,
			    "  kept %s (data/, export.jsonl; admin key %s)\n",
			    d.dir, admin);
		else
			rmrf(d.dir);
		free(d.dir);
	}

	fprintf(stderr, "raw limits again, at the end\n");
	raw_limits(fig, reps);

	/* The table, with each target as a ratio measured in this run. */
	printf("\n%-44s %12s %22s  %s\n", "figure", "median",
	    "spread (min..max)", "target");
	for (int i = 0; i < NFIG; i++) {
		struct figure *f = &fig[i];
		double m = median(f);
		char target[96] = "";

		if (f->target > 0) {
			double ref = 1;
			bool ok;

			for (int k = 0; f->vs != NULL && k < NFIG; k++)
				if (strcmp(fig[k].key, f->vs) == 0)
					ref = median(&fig[k]);
			ok = f->at_most ? m <= f->target * ref
					: m >= f->target * ref;
			if (f->vs != NULL)
				snprintf(target, sizeof(target),
				    "%s %.2f x %s = %.0f: %s (%.2f x)",
				    f->at_most ? "<=" : ">=", f->target, f->vs,
				    f->target * ref, ok ? "met" : "MISSED",
				    m / ref);
			else
				snprintf(target, sizeof(target), "%s %g: %s",
				    f->at_most ? "<=" : ">=", f->target,
				    ok ? "met" : "MISSED");
		} else if (f->vs != NULL) {
			/* No target, but read as a ratio: say it. */
			for (int k = 0; k < NFIG; k++)
				if (strcmp(fig[k].key, f->vs) == 0 &&
				    median(&fig[k]) > 0)
					snprintf(target, sizeof(target),
					    "(%.2f x %s)", m / median(&fig[k]),
					    f->vs);
		}
		if (f->n == 0)
			continue;
		printf("%-44s %12.1f %10.1f..%-10.1f  %s %s\n", f->label, m,
		    fmin_of(f), fmax_of(f), f->unit, target);
	}
	if (json) {
		const char *sep = "";

		printf("{");
		for (int i = 0; i < NFIG; i++) {
			if (fig[i].n == 0)
				continue;
			printf("%s\"%s\": {\"median\": %.3f, \"min\": %.3f, "
			       "\"max\": %.3f, \"n\": %d}",
			    sep, fig[i].key, median(&fig[i]), fmin_of(&fig[i]),
			    fmax_of(&fig[i]), fig[i].n);
			sep = ", ";
		}
		printf("}\n");
	}
	return 0;
}
