/*
 * claimd.h: what the daemon's files share.
 *
 * Threads: the main thread owns the request socket (ROUTER) and answers
 * reads; verify workers check signatures; one writer groups verified
 * submissions into one store transaction, then acknowledges and publishes
 * them. Work moves between threads as pointers to struct job over inproc
 * sockets, a run of them in one frame; whoever receives a job owns it.
 * Submissions are applied in the order they arrived, although the workers
 * finish them in any order: each job carries its arrival number and the
 * writer puts them back in line.
 */
#ifndef CLAIMD_DAEMON_H
#define CLAIMD_DAEMON_H

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto.h"
#include "store.h"

#define CLAIMD_DEFAULT_API "tcp://127.0.0.1:7411"
#define CLAIMD_DEFAULT_PUB "tcp://127.0.0.1:7412"

/* Inproc endpoints between the threads. */
#define EP_VERIFY "inproc://verify" /* main -> workers (PUSH/PULL) */
#define EP_WRITE  "inproc://write"  /* workers -> writer */
#define EP_DONE   "inproc://done"   /* workers, writer -> main */
#define EP_STOP   "inproc://stop"   /* main -> everyone (PUB/SUB) */

#define IDENT_MAX   256
#define JOB_MSG_MAX 256 /* jobs in one inproc frame */
/* Main hands a burst of submissions to the workers in runs of up to
 * JOB_RUN (and in at least one run per worker): fewer hand-offs, while
 * every worker gets a share, and a run's first submission waits for at
 * most JOB_RUN - 1 verifications (about 0.3 ms) before the writer sees
 * it. */
#define JOB_RUN           8
#define BATCH_MAX         4096  /* submissions in one transaction */
#define OUTSTANDING_MAX   65536 /* submissions in flight, all clients */
#define CLIENT_INFLIGHT   1024  /* submissions in flight per client */
#define REPLY_HWM         (2 * CLIENT_INFLIGHT) /* replies queued per client */
#define RANGE_REPLY_BYTES (1u << 20)            /* records in one range reply */
#define FEED_HWM          100000 /* events queued per subscriber (--feed-hwm) */
#define FEED_HWM_MAX      10000000
#define HEARTBEAT_MS      1000
/* A writer that finds GATHER_BACKLOG or more submissions that arrived
 * before it looked still being verified waits for them, up to GATHER_US
 * or until GATHER_RUN are ready: under load, fewer and larger commits. */
#define GATHER_BACKLOG  64
#define GATHER_US       10000
#define GATHER_RUN      256
#define SLOW_COMMIT_US  5000    /* counted in stats as commits_over_5ms */
#define STALL_COMMIT_US 1000000 /* logged as a warning */
#define DRAIN_MS        10000   /* longest wait for in-flight work at exit */
/* A submission's time may lead claimd's clock by this many seconds. */
#define CLOCK_AHEAD_MAX PROTO_DAY
/*
 * The longest subscription that means anything: a ZMTP 3.1 SUBSCRIBE
 * command (its name, "\x09SUBSCRIBE", then the topic) for the longest
 * topic, "claim/" + party + "/": 81 bytes.
 */
#define FEED_SUB_MAX (10 + sizeof(PROTO_FEED_CLAIM) - 1 + PROTO_SLUG_MAX + 1)
/*
 * The largest frame the feed socket reads (ZMQ_MAXMSGSIZE); a peer that
 * sends more is disconnected. Subscriptions are all a subscriber sends,
 * but the ZMTP handshake passes the same limit, and CurveZMQ's INITIATE
 * command takes about 280 bytes with its metadata.
 */
#define FEED_IN_MAX 512
_Static_assert(FEED_IN_MAX >= FEED_SUB_MAX, "FEED_IN_MAX below a topic");

struct config {
	const char *data;
	const char *api;
	const char *pub;
	const char *admin_hex;
	const char *origin;
	const char *curve_key; /* the server's CurveZMQ key file */
	const char *allow;     /* the allowlist of client keys */
	const char *check_dir;
	const char *backup_dir;
	const char *mirror;  /* --mirror: the upstream's request endpoint */
	const char *log_key; /* --log-key: the upstream log's verifier key */
	const char *relay;   /* --relay: the upstream's request endpoint */
	const char *upstream_key; /* --upstream-key: its CurveZMQ key */
	int workers;
	int feed_hwm; /* events queued per subscriber */
	int verbose;
};

/* A submission on its way through the threads. */
struct job {
	uint8_t ident[IDENT_MAX]; /* the client's ROUTER routing id */
	size_t identlen;
	uint32_t reqid;
	uint8_t *bytes; /* the record as received */
	size_t len;
	struct proto_record rec;
	struct proto_payload payload;
	bool allow_duplicate; /* the request's PROTO_SUBMIT_ALLOW_DUPLICATE */
	int rc;               /* PROTO_OK until a stage refuses it */
	char err[192];
	struct store_result res;
	uint64_t t_recv; /* monotonic microseconds at arrival */
	uint64_t seq;    /* arrival order: the writer applies in this order */
};

struct job *job_new(const uint8_t *ident, size_t identlen, uint32_t reqid,
    const void *bytes, size_t len, uint64_t seq);
void job_free(struct job *j);
/*
 * Jobs go between the threads as one frame of up to JOB_MSG_MAX job
 * pointers: one hand-off (and at most one wake-up) for a run of
 * submissions, not one for each.
 */
int job_send(void *sock, struct job *const *jobs, size_t n);
/* Up to JOB_MSG_MAX jobs into jobs; 0 if none (flags: ZMQ_DONTWAIT). */
size_t job_recv(void *sock, struct job **jobs, int flags);

/* Shared by the threads; the counters are updated atomically. */
struct daemon {
	struct config *cfg;
	struct store *store;
	void *zctx;
	char api_ep[256]; /* as bound, for logs and stats */
	char pub_ep[256];
	uint64_t started; /* wall-clock seconds */
	_Atomic uint64_t submitted, accepted, existed, refused;
	_Atomic uint64_t batches;
	_Atomic uint64_t subscribers;
	_Atomic uint64_t published;
	/* Submissions handed to the workers so far: the next one's seq. */
	_Atomic uint64_t dispatched;
	/* Arrival to stored and published, microseconds, last second. */
	_Atomic uint64_t lat_p50, lat_p99;
	/* One store transaction, microseconds: last second; longest, and
	 * how many took SLOW_COMMIT_US or more, since start. */
	_Atomic uint64_t commit_p50, commit_p99, commit_max, slow_commits;
	/* Thread CPU time the workers spent in Ed25519 verification: the
	 * rest of their time is decoding and checks (claimbench splits a
	 * claim's CPU by this). */
	_Atomic uint64_t verify_cpu_ns;
	/* The log's signing key and its last checkpoint (main thread). */
	char origin[PROTO_ORIGIN_MAX + 1];
	char vkey[PROTO_VKEY_MAX];
	uint8_t *log_sk; /* sodium_malloc'd */
	uint8_t log_pk[PROTO_PUBKEY_LEN];
	bool ckpt_have;
	uint64_t ckpt_size;
	uint8_t ckpt_root[PROTO_HASH_LEN];
	char *ckpt_note;
	/* A mirror: its thread sets the checkpoint, main serves it. */
	pthread_mutex_t ckpt_lock;
	_Atomic bool mirror_failed; /* a fork or a broken log: exit 1 */
	/* A mirror: the size of the upstream's last checkpoint verified,
	 * and when the upstream last answered (unix seconds; 0: never). */
	_Atomic uint64_t upstream_size, upstream_seen;
	_Atomic bool stopping;
	struct auth *auth; /* CurveZMQ and ZAP, or NULL */
	/* The store was found damaged while running: every request is
	 * answered PROTO_EDAMAGED, nothing more is written. */
	_Atomic bool damaged;
};

/* log.c */
void log_init(int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
uint64_t now_us(void);
/*
 * Switches claimd into refusing every request, for damage found while
 * running (cause: what failed, LMDB's words included); logged once.
 */
void daemon_damaged(struct daemon *d, const char *cause);

/* verify.c */
struct worker_socks {
	struct daemon *d;
	void *in;  /* PULL from main */
	void *out; /* PUSH to the writer, refused ones too (it keeps order) */
};
void *verify_main(void *arg);

/* writer.c */
struct writer;
struct writer *writer_new(
    struct daemon *d, void *in, void *done, void *pub, uint64_t size);
void writer_free(struct writer *w);
void *writer_main(void *arg);

/* feed.c */
int feed_event(struct proto_buf *b, const struct job *j);
int feed_heartbeat(struct proto_buf *b, uint64_t size);
void feed_topic(const struct job *j, char *out, size_t cap);
void *feed_monitor_main(void *arg);
/*
 * The feed endpoint a client of server connects to, from the one its
 * stats name: a wildcard host (0.0.0.0, *) made the server's.
 */
void feed_endpoint_for(
    const char *server, const char *feed, char *out, size_t cap);

/* auth.c */
struct auth;
bool endpoint_is_valid(const char *ep);
bool endpoint_is_loopback(const char *ep);
/* Loads the keys and starts the ZAP handler: before any CURVE bind. */
struct auth *auth_new(void *zctx, const char *key_path, const char *allow_path);
/* Makes sock a CURVE server in the ZAP domain; before it binds. */
void auth_secure(struct auth *a, void *sock);
void auth_reload(struct auth *a);
const char *auth_public(const struct auth *a);
void auth_free(struct auth *a);
struct claim_curve;
/* A CurveZMQ client to an upstream whose public key is server_key, with
 * the key pair in key_path (sodium_malloc'd; sodium_free it). */
struct claim_curve *curve_client_new(
    const char *key_path, const char *server_key);
/* Makes sock a CURVE client with c; before it connects. */
void curve_client_secure(const struct claim_curve *c, void *sock);

/* checkpoint.c */
/* Loads or makes the log key and origin; checks the last checkpoint. */
void checkpoint_init(struct daemon *d);
void checkpoint_release(struct daemon *d);
/* The signed checkpoint for the snapshot's size (borrowed). */
int checkpoint_current(struct daemon *d, struct store_snap *snap,
    const char **note, char *err, size_t errlen);

/*
 * A mirror: the latest upstream checkpoint verified, of size entries and
 * that root, all of which this store now holds; kept in DIR/checkpoint
 * and served from now on.
 */
int checkpoint_mirror_set(struct daemon *d, const char *note, uint64_t size,
    const uint8_t root[PROTO_HASH_LEN]);
/* A copy of the checkpoint a mirror serves; PROTO_ENOTFOUND if none. */
int checkpoint_mirror_get(
    struct daemon *d, char *out, size_t cap, char *err, size_t errlen);
/* Writes a fork's evidence into DIR/fork; where says where. */
void checkpoint_fork_evidence(
    struct daemon *d, const char *upstream_note, char *where, size_t cap);

/* mirror.c */
struct mirror;
struct mirror *mirror_new(struct daemon *d, void *pub);
void mirror_free(struct mirror *m);
void *mirror_main(void *arg);

/* relay.c: runs claimd --relay until SIGINT or SIGTERM; exit status. */
int relay_run(const struct config *cfg);

/* main.c, for the relay's sockets too */
/* The send queue per peer and the largest frame a peer may send. */
void socket_limits(void *s, int sndhwm, int64_t maxmsg);
/* Binds s on ep (IPv6 turned on for "tcp://[...]") or exits; the
 * endpoint bound, a port chosen by the system included, into bound. */
void bind_or_die(void *s, const char *ep, char *bound, size_t cap);

/* api.c */
struct api;
struct api *api_new(struct daemon *d, void *router, void *verify);
void api_free(struct api *a);
/* Handles one request message waiting on the router; false if there was
 * none. */
bool api_request(struct api *a);
/* Hands the submissions taken since the last call to the workers. */
void api_flush(struct api *a);
/* Handles one request whose frames are at hand (tests, fuzzing). */
void api_message(struct api *a, const uint8_t *ident, size_t identlen,
    const uint8_t *hdr, size_t hlen, const uint8_t *body, size_t blen);
/* Where replies go instead of the router (tests, fuzzing). */
typedef void (*api_send_fn)(void *ctx, const uint8_t *ident, size_t identlen,
    const uint8_t *hdr, size_t hlen, const uint8_t *body, size_t blen);
void api_set_sender(struct api *a, api_send_fn fn, void *ctx);
/* Answers a job back from the workers or the writer. */
void api_done(struct api *a, struct job *j);
/* Submissions sent on and not yet answered. */
uint64_t api_outstanding(const struct api *a);
void api_set_draining(struct api *a);

#endif /* CLAIMD_DAEMON_H */
