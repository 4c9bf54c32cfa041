/*
 * main.c: claimd's options, start-up, signals and main loop.
 *
 *   claimd --data DIR [--api EP] [--pub EP] [--admin-key HEX] [--feed-hwm N]
 *   claimd --data DIR --mirror EP --log-key KEY [--upstream-key K]
 *          [--api EP] [--pub EP]
 *   claimd --relay EP [--api EP] [--pub EP] [--feed-hwm N]
 *          [--curve-key FILE --allow FILE] [--upstream-key K]
 *   claimd --check DIR
 *   claimd --data DIR --backup DEST
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "claimd.h"

#define VERSION "0.1.0"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: claimd --data DIR [--api EP] [--pub EP] [--admin-key HEX]\n"
	    "              [--workers N] [--feed-hwm N] [-v]\n"
	    "       claimd --data DIR --mirror EP --log-key KEY "
	    "[--upstream-key K]\n"
	    "              [--api EP] [--pub EP]\n"
	    "       claimd --relay EP [--api EP] [--pub EP] [--feed-hwm N]\n"
	    "              [--curve-key FILE --allow FILE] [--upstream-key K]\n"
	    "       claimd --check DIR\n"
	    "       claimd --data DIR --backup DEST\n"
	    "\n"
	    "Keeps the signed, versioned claims log in DIR and serves it.\n"
	    "\n"
	    "  --data DIR       data folder (created if missing)\n"
	    "  --api EP         request socket, tcp://HOST:PORT or ipc://PATH\n"
	    "                   (default %s)\n"
	    "  --pub EP         feed socket (default %s)\n"
	    "  --admin-key HEX  the admin's Ed25519 public key; needed when DIR\n"
	    "                   is new, checked against DIR otherwise\n"
	    "  --curve-key FILE CurveZMQ on both sockets with this server key\n"
	    "                   (claim keygen --curve); needed for any endpoint\n"
	    "                   that is not loopback\n"
	    "  --allow FILE     client CurveZMQ public keys allowed, one a line\n"
	    "                   (read again on SIGHUP)\n"
	    "  --origin NAME    the log's name in its checkpoints, chosen when\n"
	    "                   DIR is new (default: host name and a random "
	    "suffix)\n"
	    "  --workers N      signature-checking threads (default: cores)\n"
	    "  --feed-hwm N     feed events queued for each subscriber (default\n"
	    "                   %d); a subscriber further behind loses events\n"
	    "                   and fetches them by range (claim watch -v\n"
	    "                   counts them)\n"
	    "  --mirror EP      a read-only mirror of the claimd (or mirror)\n"
	    "                   whose request socket is EP: follows its log,\n"
	    "                   verifies every entry against its signed\n"
	    "                   checkpoints, serves it; refuses submissions\n"
	    "  --log-key KEY    the upstream log's verifier key (claim\n"
	    "                   checkpoint shows it); needed with --mirror\n"
	    "  --upstream-key K the upstream's CurveZMQ public key (claim\n"
	    "                   stats shows it): a mirror or relay connects\n"
	    "                   with CurveZMQ, as a client with its\n"
	    "                   --curve-key\n"
	    "  --relay EP       a feed relay for many subscribers of the\n"
	    "                   claimd (or mirror) whose request socket is\n"
	    "                   EP: its feed on --pub, its requests on --api\n"
	    "                   (libzmq's proxy); no data folder; CurveZMQ\n"
	    "                   as claimd's (--curve-key, --allow) and to\n"
	    "                   its upstream as a mirror's (--upstream-key)\n"
	    "  --check DIR      recompute and cross-check everything in DIR,\n"
	    "                   then exit (0 sound, 1 damaged)\n"
	    "  --backup DEST    consistent compacted copy of the store into\n"
	    "                   DEST (new, or an empty folder), checked before\n"
	    "                   it is put there, then exit\n"
	    "  -v, --verbose    log every batch and refusal\n"
	    "  -h, --help       this text\n"
	    "  --version        the version\n"
	    "\n"
	    "Runs in the foreground; SIGINT or SIGTERM stops it after the\n"
	    "submissions in flight are stored and answered.\n",
	    CLAIMD_DEFAULT_API, CLAIMD_DEFAULT_PUB, FEED_HWM);
}

/* The value of --name, a whole number from 1 to max, or exit 2. */
static int
count_option(const char *name, const char *arg, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || n < 1 || n > max) {
		fprintf(stderr, "claimd: --%s must be 1 to %ld\n", name, max);
		exit(2);
	}
	return (int)n;
}

/* What the options say together, checked once all are read; exit 2 if
 * they do not hold. */
static void
check_args(int argc, char **argv, struct config *cfg)
{
	if (optind < argc) {
		char safe[PROTO_SAFE_MAX];

		fprintf(stderr, "claimd: unexpected argument \"%s\"\n",
		    proto_str_safe(safe, sizeof(safe), argv[optind]));
		usage(stderr);
		exit(2);
	}
	if (cfg->relay != NULL &&
	    (cfg->data != NULL || cfg->mirror != NULL ||
		!endpoint_is_valid(cfg->relay))) {
		fprintf(stderr,
		    "claimd: --relay takes the upstream's request "
		    "endpoint, tcp://HOST:PORT or ipc://PATH, and no "
		    "--data or --mirror\n");
		exit(2);
	}
	if (cfg->check_dir == NULL && cfg->data == NULL && cfg->relay == NULL) {
		fprintf(stderr, "claimd: --data DIR is required\n");
		usage(stderr);
		exit(2);
	}
	if ((cfg->mirror != NULL) != (cfg->log_key != NULL)) {
		fprintf(stderr,
		    "claimd: --mirror and --log-key go together: "
		    "a mirror checks every checkpoint with the "
		    "upstream's log key\n");
		exit(2);
	}
	if (cfg->upstream_key != NULL &&
	    ((cfg->mirror == NULL && cfg->relay == NULL) ||
		cfg->curve_key == NULL ||
		!proto_z85_key_valid(
		    cfg->upstream_key, strlen(cfg->upstream_key)))) {
		fprintf(stderr,
		    "claimd: --upstream-key takes the upstream's "
		    "CurveZMQ public key (40 Z85 characters), "
		    "with --mirror or --relay and --curve-key: its "
		    "own key pair is its client key\n");
		exit(2);
	}
	const char *upstream = cfg->mirror != NULL ? cfg->mirror : cfg->relay;

	if (upstream != NULL && cfg->upstream_key == NULL &&
	    endpoint_is_valid(upstream) && !endpoint_is_loopback(upstream)) {
		fprintf(stderr,
		    "claimd: the upstream %s is not a loopback "
		    "endpoint: CurveZMQ is required; give "
		    "--upstream-key KEY and --curve-key FILE\n",
		    upstream);
		exit(2);
	}
	if (cfg->mirror != NULL && !endpoint_is_valid(cfg->mirror)) {
		fprintf(stderr,
		    "claimd: --mirror needs the upstream's "
		    "request endpoint, tcp://HOST:PORT or "
		    "ipc://PATH\n");
		exit(2);
	}
	if (cfg->curve_key != NULL && cfg->allow == NULL) {
		fprintf(stderr,
		    "claimd: --curve-key needs --allow: a CURVE "
		    "server without an allowlist admits every key\n");
		exit(2);
	}
	if (!endpoint_is_valid(cfg->api) || !endpoint_is_valid(cfg->pub)) {
		bool api = !endpoint_is_valid(cfg->api);
		char safe[PROTO_SAFE_MAX];

		fprintf(stderr,
		    "claimd: --%s \"%s\" is not a ZeroMQ endpoint claimd "
		    "can listen on: give tcp://HOST:PORT or ipc://PATH\n",
		    api ? "api" : "pub",
		    proto_str_safe(
			safe, sizeof(safe), api ? cfg->api : cfg->pub));
		exit(2);
	}
	if (cfg->check_dir == NULL && cfg->backup_dir == NULL &&
	    cfg->curve_key == NULL &&
	    (!endpoint_is_loopback(cfg->api) ||
		!endpoint_is_loopback(cfg->pub))) {
		fprintf(stderr,
		    "claimd: %s is not a loopback endpoint: "
		    "CurveZMQ is required; give --curve-key FILE "
		    "and --allow FILE (docs/operations.md)\n",
		    endpoint_is_loopback(cfg->api) ? cfg->pub : cfg->api);
		exit(2);
	}
	if (cfg->workers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		cfg->workers = n > 0 && n <= 64 ? (int)n : 2;
	}
}

/* claimd's long options; those without a short form numbered from 256. */
enum {
	O_DATA = 256,
	O_API,
	O_PUB,
	O_ADMIN,
	O_CHECK,
	O_BACKUP,
	O_WORKERS,
	O_VERSION,
	O_ORIGIN,
	O_CURVE,
	O_ALLOW,
	O_FEED_HWM,
	O_MIRROR,
	O_LOG_KEY,
	O_RELAY,
	O_UPSTREAM_KEY
};

static const struct option opts[] = {
    {"data", required_argument, NULL, O_DATA},
    {"api", required_argument, NULL, O_API},
    {"pub", required_argument, NULL, O_PUB},
    {"admin-key", required_argument, NULL, O_ADMIN},
    {"origin", required_argument, NULL, O_ORIGIN},
    {"curve-key", required_argument, NULL, O_CURVE},
    {"allow", required_argument, NULL, O_ALLOW},
    {"check", required_argument, NULL, O_CHECK},
    {"backup", required_argument, NULL, O_BACKUP},
    {"workers", required_argument, NULL, O_WORKERS},
    {"feed-hwm", required_argument, NULL, O_FEED_HWM},
    {"mirror", required_argument, NULL, O_MIRROR},
    {"log-key", required_argument, NULL, O_LOG_KEY},
    {"relay", required_argument, NULL, O_RELAY},
    {"upstream-key", required_argument, NULL, O_UPSTREAM_KEY},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, O_VERSION},
    {NULL, 0, NULL, 0},
};

static void
parse_args(int argc, char **argv, struct config *cfg)
{
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->api = CLAIMD_DEFAULT_API;
	cfg->pub = CLAIMD_DEFAULT_PUB;
	cfg->feed_hwm = FEED_HWM;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case O_DATA:
			cfg->data = optarg;
			break;
		case O_API:
			cfg->api = optarg;
			break;
		case O_PUB:
			cfg->pub = optarg;
			break;
		case O_ADMIN:
			cfg->admin_hex = optarg;
			break;
		case O_ORIGIN:
			cfg->origin = optarg;
			break;
		case O_CURVE:
			cfg->curve_key = optarg;
			break;
		case O_ALLOW:
			cfg->allow = optarg;
			break;
		case O_CHECK:
			cfg->check_dir = optarg;
			break;
		case O_BACKUP:
			cfg->backup_dir = optarg;
			break;
		case O_WORKERS:
			cfg->workers = count_option("workers", optarg, 64);
			break;
		case O_FEED_HWM:
			cfg->feed_hwm =
			    count_option("feed-hwm", optarg, FEED_HWM_MAX);
			break;
		case O_MIRROR:
			cfg->mirror = optarg;
			break;
		case O_LOG_KEY:
			cfg->log_key = optarg;
			break;
		case O_RELAY:
			cfg->relay = optarg;
			break;
		case O_UPSTREAM_KEY:
			cfg->upstream_key = optarg;
			break;
		case 'v':
			cfg->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case O_VERSION:
			printf("claimd %s\n", VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	check_args(argc, argv, cfg);
}

/* DIR/db, the LMDB environment. */
static void
db_path(const char *data, char *out, size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s/db", data) >= cap)
		fatalx("data folder path too long: %s", data);
}

static void
make_dirs(const char *data)
{
	char db[4096];

	if (mkdir(data, 0700) != 0 && errno != EEXIST)
		fatal("cannot create data folder %s", data);
	db_path(data, db, sizeof(db));
	if (mkdir(db, 0700) != 0 && errno != EEXIST)
		fatal("cannot create %s", db);
}

/* What to do about a damaged store, after the line that names it. */
#define DAMAGE_ADVICE                                                          \
	"the store is damaged: restore the data folder from a backup"

/*
 * Opens DIR/db, checked defensively (store_open: the file's size and meta
 * pages, then every page read under a guard); rc and err as store_open.
 */
static int
try_store(const char *data, bool read_only, struct store **s, char *err,
    size_t errlen)
{
	struct store_opts o = {.read_only = read_only};
	char db[4096];

	db_path(data, db, sizeof(db));
	return store_open(db, &o, s, err, errlen);
}

static struct store *
open_store(const char *data, bool read_only)
{
	struct store *s;
	char err[512];
	int rc;

	if ((rc = try_store(data, read_only, &s, err, sizeof(err))) ==
	    PROTO_EDAMAGED)
		fatalx("%s; " DAMAGE_ADVICE, err);
	if (rc != PROTO_OK)
		fatalx("%s", err);
	return s;
}

static void
progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rclaimd: checked %llu of %llu entries",
		    (unsigned long long)done, (unsigned long long)total);
	if (done == total && isatty(STDERR_FILENO))
		fputc('\n', stderr);
}

/*
 * Everything --check does, on the store in folder data: opened read-only
 * and defensively, then recomputed and cross-checked. PROTO_OK with its
 * size and root (base64), or the fault in err.
 */
static int
check_folder(
    const char *data, uint64_t *size, char b64[65], char *err, size_t errlen)
{
	struct store *s;
	struct store_snap *snap;
	uint8_t root[PROTO_HASH_LEN];
	int rc;

	if ((rc = try_store(data, true, &s, err, errlen)) != PROTO_OK)
		return rc;
	rc = store_check(s, progress, NULL, err, errlen);
	if (rc == PROTO_OK && (rc = store_snap_begin(s, &snap)) == PROTO_OK) {
		*size = store_size(snap);
		if ((rc = store_root(snap, *size, root)) == PROTO_OK)
			proto_base64(root, PROTO_HASH_LEN, b64);
		else
			snprintf(err, errlen, "cannot read the root: %s",
			    proto_strerror(rc));
		store_snap_end(snap);
	}
	store_close(s);
	return rc;
}

static int
run_check(const char *data)
{
	char err[512], b64[65];
	uint64_t size = 0;
	int rc;

	if ((rc = check_folder(data, &size, b64, err, sizeof(err))) !=
	    PROTO_OK) {
		if (rc == PROTO_EDAMAGED)
			fprintf(stderr, "claimd: %s; " DAMAGE_ADVICE "\n", err);
		else
			fprintf(stderr, "claimd: %s: damaged: %s\n", data, err);
		return 1;
	}
	/* The root in base64, as checkpoints and claim verify show it. */
	printf("ok: %llu %s, root %s\n", (unsigned long long)size,
	    size == 1 ? "entry" : "entries", b64);
	return 0;
}

/* Copies DIR/name to DEST/name with the same mode, if it exists. */
static int
copy_file(const char *data, const char *dest, const char *name)
{
	char from[4096], to[4096], buf[65536];
	struct stat st;
	ssize_t n;
	int in, out, rc = 0;

	snprintf(from, sizeof(from), "%s/%s", data, name);
	snprintf(to, sizeof(to), "%s/%s", dest, name);
	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(in, &st) != 0 ||
	    (out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		 st.st_mode & 0777)) < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			rc = -1;
	if (n < 0 || fsync(out) != 0)
		rc = -1;
	close(in);
	close(out);
	return rc;
}

/* fsync()s the file or folder at path. */
static int
sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Removes the temporary backup folder tmp and what a backup puts in it. */
static void
remove_tmp(const char *tmp)
{
	static const char *const files[] = {
	    "db/data.mdb", "db/lock.mdb", "log.key", "checkpoint"};
	char path[4200]; /* tmp is below 4096 bytes */

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/db", tmp);
	rmdir(path);
	if (rmdir(tmp) != 0 && errno != ENOENT)
		fprintf(stderr, "claimd: cannot remove %s: %s\n", tmp,
		    strerror(errno));
}

/*
 * The copy, made in tmp: the key and the last checkpoint first (the store
 * copied after them extends that checkpoint), then the store, then the
 * whole of it checked as --check does.
 */
static int
backup_into(struct store *s, const char *data, const char *tmp, char *err,
    size_t errlen)
{
	char db[4096], file[4200], hex[65];
	uint64_t size;
	int rc;

	if (copy_file(data, tmp, "log.key") != 0 ||
	    copy_file(data, tmp, "checkpoint") != 0)
		return proto_fail(err, errlen, PROTO_EIO,
		    "cannot copy the log key or checkpoint to %s: %s", tmp,
		    strerror(errno));
	db_path(tmp, db, sizeof(db));
	if (mkdir(db, 0700) != 0)
		return proto_fail(err, errlen, PROTO_EIO,
		    "cannot create %s: %s", db, strerror(errno));
	if ((rc = store_backup(s, db, err, errlen)) != PROTO_OK)
		return rc;
	/* LMDB creates the copy 0666 less the umask: ours is 0600. */
	snprintf(file, sizeof(file), "%s/data.mdb", db);
	if (chmod(file, 0600) != 0 || sync_path(file) != 0)
		return proto_fail(
		    err, errlen, PROTO_EIO, "%s: %s", file, strerror(errno));
	if ((rc = check_folder(tmp, &size, hex, err, errlen)) != PROTO_OK)
		return rc;
	snprintf(file, sizeof(file), "%s/lock.mdb", db);
	unlink(file);
	if (sync_path(db) != 0 || sync_path(tmp) != 0)
		return proto_fail(err, errlen, PROTO_EIO, "cannot sync %s: %s",
		    tmp, strerror(errno));
	return PROTO_OK;
}

/*
 * DEST becomes a data folder of its own: claimd --data DEST serves it.
 * The source is checked first, defensively, so that LMDB never copies a
 * damaged file; the copy is made under a temporary name beside DEST,
 * checked as --check does, and only then renamed to DEST. On any failure
 * nothing is left that looks like a backup.
 */
static int
run_backup(const char *data, const char *dest)
{
	char tmp[4096], parent[4096], err[512], *slash;
	struct store *s;
	int rc;

	umask(077);
	if ((rc = try_store(data, true, &s, err, sizeof(err))) != PROTO_OK) {
		if (rc == PROTO_EDAMAGED)
			fprintf(stderr, "claimd: %s; " DAMAGE_ADVICE "\n", err);
		else
			fprintf(stderr, "claimd: %s: %s\n", data, err);
		return 1;
	}
	/* DEST/ names DEST: the temporary folder goes beside it. */
	snprintf(parent, sizeof(parent), "%s", dest);
	for (size_t n = strlen(parent); n > 1 && parent[n - 1] == '/'; n--)
		parent[n - 1] = '\0';
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", parent) >=
		sizeof(tmp) ||
	    mkdtemp(tmp) == NULL) {
		fprintf(stderr,
		    "claimd: cannot create a folder beside %s: %s\n", dest,
		    strerror(errno));
		store_close(s);
		return 1;
	}
	rc = backup_into(s, data, tmp, err, sizeof(err));
	store_close(s);
	if (rc == PROTO_OK && rename(tmp, dest) != 0)
		rc = proto_fail(err, sizeof(err), PROTO_EIO,
		    "cannot put the backup at %s: %s", dest, strerror(errno));
	if (rc != PROTO_OK) {
		fprintf(stderr, "claimd: backup of %s failed: %s\n", data, err);
		remove_tmp(tmp);
		return 1;
	}
	/* The rename itself durable. */
	snprintf(parent, sizeof(parent), "%s", dest);
	if ((slash = strrchr(parent, '/')) != NULL)
		*(slash == parent ? slash + 1 : slash) = '\0';
	else
		snprintf(parent, sizeof(parent), ".");
	sync_path(parent);
	printf("backup of %s written to %s\n", data, dest);
	return 0;
}

/* One daemon per data folder: a second would fork the feed's indexes. */
static int
lock_data(const char *data)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/claimd.lock", data);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		fatal("cannot open %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			fatalx("another claimd is running on %s", data);
		fatal("cannot lock %s", path);
	}
	return fd;
}

/*
 * The value of --admin-key, checked before DIR is touched: a key that
 * can never sign would bind a new folder to it for good. Exit 2 if not.
 */
static void
admin_key_parse(const char *hex, uint8_t pk[PROTO_PUBKEY_LEN])
{
	char err[256], safe[PROTO_SAFE_MAX];

	if (proto_pubkey_parse(hex, pk, err, sizeof(err)) != PROTO_OK) {
		fprintf(stderr, "claimd: --admin-key \"%s\": %s\n",
		    proto_str_safe(safe, sizeof(safe), hex), err);
		exit(2);
	}
}

/* want: the --admin-key given, or NULL. */
static void
admin_key(struct store *s, const uint8_t *want, bool mirror)
{
	uint8_t have[PROTO_PUBKEY_LEN];
	char hx[65], hy[65];
	bool set;

	if (store_admin_get(s, have, &set) != PROTO_OK)
		fatalx("cannot read the admin key from the store");
	if (!set) {
		/* A mirror takes its upstream's (mirror.c). */
		if (want == NULL && mirror)
			return;
		if (want == NULL)
			fatalx("new data folder: start it once with "
			       "--admin-key HEX (see claim keygen)");
		if (store_admin_set(s, want) != PROTO_OK)
			fatalx("cannot record the admin key");
		proto_hex(want, PROTO_PUBKEY_LEN, hx);
		log_info("new data folder; admin key %s", hx);
		return;
	}
	proto_hex(have, PROTO_PUBKEY_LEN, hx);
	if (want != NULL && sodium_memcmp(want, have, PROTO_PUBKEY_LEN) != 0) {
		proto_hex(want, PROTO_PUBKEY_LEN, hy);
		fatalx(
		    "this data folder belongs to admin key %s, not %s", hx, hy);
	}
	/* A folder made before keys were checked. */
	if (!proto_pubkey_valid(have))
		log_warnx("this data folder's admin key %s is not a valid "
			  "Ed25519 public key: no registry record can ever be "
			  "added",
		    hx);
}

static void *
socket_or_die(void *ctx, int type)
{
	void *s = zmq_socket(ctx, type);
	int linger = 0;

	if (s == NULL)
		fatalx("zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	return s;
}

/*
 * Messages queued for each peer before libzmq drops (PUB) or refuses
 * (ROUTER) more, and the largest frame a peer may send: a larger one is
 * dropped with its connection before libzmq allocates it.
 */
void
socket_limits(void *s, int sndhwm, int64_t maxmsg)
{
	if (zmq_setsockopt(s, ZMQ_SNDHWM, &sndhwm, sizeof(sndhwm)) != 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0)
		fatalx("zmq_setsockopt: %s", zmq_strerror(errno));
}

void
bind_or_die(void *s, const char *ep, char *bound, size_t cap)
{
	/* An IPv6 address ("tcp://[::1]:7411") needs IPv6 turned on. */
	if (strncmp(ep, "tcp://[", 7) == 0) {
		int on = 1;

		if (zmq_setsockopt(s, ZMQ_IPV6, &on, sizeof(on)) != 0)
			fatalx(
			    "zmq_setsockopt ZMQ_IPV6: %s", zmq_strerror(errno));
	}
	if (zmq_bind(s, ep) != 0)
		fatalx("cannot listen on %s: %s", ep, zmq_strerror(errno));
	if (bound != NULL &&
	    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, bound, &cap) != 0)
		fatalx("zmq_getsockopt: %s", zmq_strerror(errno));
}

static void
connect_or_die(void *s, const char *ep)
{
	if (zmq_connect(s, ep) != 0)
		fatalx("cannot connect %s: %s", ep, zmq_strerror(errno));
}

/*
 * The main thread: what it holds from set-up to shutdown. Its loop waits
 * on the request socket, the finished work the workers and the writer
 * send back, and the signals, and hands each event to its handler.
 */
struct claimd {
	struct config cfg;
	struct daemon d;
	struct api *api;
	struct writer *writer;
	struct worker_socks *ws;
	pthread_t *workers, writer_th, monitor_th, mirror_th;
	struct mirror *mirror;
	void *router, *verify, *done, *write_in, *pub, *wdone;
	uint8_t admin[PROTO_PUBKEY_LEN];
	uint64_t size;     /* log entries at start, and at exit */
	uint64_t deadline; /* when stopping: in-flight work given up then */
	int sfd, lockfd;
	bool stopping;
};

/* Signals become readable events in the main loop; every thread started
 * after this inherits the mask. */
static void
setup_signals(struct claimd *c)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
		fatal("pthread_sigmask");
	if ((c->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		fatal("signalfd");
}

/* The request and feed sockets bound, and the inproc ends main owns. */
static void
setup_sockets(struct claimd *c)
{
	struct daemon *d = &c->d;
	int one = 1;

	if ((d->zctx = zmq_ctx_new()) == NULL)
		fatalx("zmq_ctx_new: %s", zmq_strerror(errno));
	if (c->cfg.curve_key != NULL)
		d->auth = auth_new(d->zctx, c->cfg.curve_key, c->cfg.allow);
	c->router = socket_or_die(d->zctx, ZMQ_ROUTER);
	if (d->auth != NULL)
		auth_secure(d->auth, c->router);
	socket_limits(c->router, REPLY_HWM, PROTO_WIRE_BODY_MAX);
	zmq_setsockopt(c->router, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
	bind_or_die(c->router, c->cfg.api, d->api_ep, sizeof(d->api_ep));
	c->pub = socket_or_die(d->zctx, ZMQ_PUB);
	if (d->auth != NULL)
		auth_secure(d->auth, c->pub);
	/* A subscriber further behind than cfg.feed_hwm loses events; it
	 * sees the gap by their indexes and fetches them by range. All a
	 * subscriber sends is subscriptions. */
	socket_limits(c->pub, c->cfg.feed_hwm, FEED_IN_MAX);
	if (zmq_socket_monitor(c->pub, "inproc://feed-monitor",
		ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0)
		fatalx("zmq_socket_monitor: %s", zmq_strerror(errno));
	bind_or_die(c->pub, c->cfg.pub, d->pub_ep, sizeof(d->pub_ep));
	c->verify = socket_or_die(d->zctx, ZMQ_PUSH);
	bind_or_die(c->verify, EP_VERIFY, NULL, 0);
	c->done = socket_or_die(d->zctx, ZMQ_PULL);
	bind_or_die(c->done, EP_DONE, NULL, 0);
	c->write_in = socket_or_die(d->zctx, ZMQ_PULL);
	bind_or_die(c->write_in, EP_WRITE, NULL, 0);
}

/* The threads, and the sockets each one owns from now on. */
static void
start_threads(struct claimd *c)
{
	struct daemon *d = &c->d;
	int n = c->cfg.workers;

	if (c->cfg.mirror != NULL) {
		/* No submissions: the mirror's thread stores and publishes. */
		c->cfg.workers = 0;
		if ((c->mirror = mirror_new(d, c->pub)) == NULL)
			fatalx("out of memory");
		if (pthread_create(
			&c->mirror_th, NULL, mirror_main, c->mirror) != 0)
			fatalx("cannot start the mirror thread");
		if (pthread_create(
			&c->monitor_th, NULL, feed_monitor_main, d) != 0)
			fatalx("cannot start the monitor thread");
		if ((c->api = api_new(d, c->router, c->verify)) == NULL)
			fatalx("out of memory");
		return;
	}
	if ((c->ws = calloc((size_t)n, sizeof(*c->ws))) == NULL ||
	    (c->workers = calloc((size_t)n, sizeof(*c->workers))) == NULL)
		fatalx("out of memory");
	for (int i = 0; i < n; i++) {
		c->ws[i].d = d;
		c->ws[i].in = socket_or_die(d->zctx, ZMQ_PULL);
		connect_or_die(c->ws[i].in, EP_VERIFY);
		c->ws[i].out = socket_or_die(d->zctx, ZMQ_PUSH);
		connect_or_die(c->ws[i].out, EP_WRITE);
		if (pthread_create(
			&c->workers[i], NULL, verify_main, &c->ws[i]) != 0)
			fatalx("cannot start a worker thread");
	}
	c->wdone = socket_or_die(d->zctx, ZMQ_PUSH);
	connect_or_die(c->wdone, EP_DONE);
	if ((c->writer = writer_new(
		 d, c->write_in, c->wdone, c->pub, c->size)) == NULL)
		fatalx("out of memory");
	if (pthread_create(&c->writer_th, NULL, writer_main, c->writer) != 0)
		fatalx("cannot start the writer thread");
	if (pthread_create(&c->monitor_th, NULL, feed_monitor_main, d) != 0)
		fatalx("cannot start the monitor thread");
	if ((c->api = api_new(d, c->router, c->verify)) == NULL)
		fatalx("out of memory");
}

/* Everything before the first request: exits if anything fails. */
static void
setup(struct claimd *c)
{
	struct config *cfg = &c->cfg;
	struct store_snap *snap;

	make_dirs(cfg->data);
	c->lockfd = lock_data(cfg->data);
	c->d.cfg = cfg;
	c->d.started = (uint64_t)time(NULL);
	c->d.store = open_store(cfg->data, false);
	setup_signals(c);
	setup_sockets(c);
	/*
	 * Only now, with every socket bound, is a new folder bound for good
	 * to its admin key, origin and log key: a start that failed before
	 * (a port in use) leaves it new, and a corrected --origin or
	 * --admin-key is taken.
	 */
	admin_key(c->d.store, cfg->admin_hex != NULL ? c->admin : NULL,
	    cfg->mirror != NULL);
	checkpoint_init(&c->d);
	if (store_snap_begin(c->d.store, &snap) != PROTO_OK)
		fatalx("cannot read the store");
	c->size = store_size(snap);
	store_snap_end(snap);
	start_threads(c);

	log_info("claimd %s: %llu %s in %s; requests on %s, feed on %s, "
		 "%d verify %s",
	    VERSION, (unsigned long long)c->size,
	    c->size == 1 ? "entry" : "entries", cfg->data, c->d.api_ep,
	    c->d.pub_ep, cfg->workers,
	    cfg->workers == 1 ? "worker" : "workers");
	if (cfg->feed_hwm != FEED_HWM)
		log_info(
		    "feed: %d events queued per subscriber", cfg->feed_hwm);
	log_info("log key %s", c->d.vkey);
	if (cfg->mirror != NULL)
		log_info("a read-only mirror of %s", cfg->mirror);
	/* For scripts that start claimd on port 0 and must learn the port. */
	printf("api %s\nfeed %s\n", c->d.api_ep, c->d.pub_ep);
	fflush(stdout);
}

static const char *
submissions(uint64_t n)
{
	return n == 1 ? "submission" : "submissions";
}

/* SIGHUP reloads; the first SIGINT or SIGTERM drains, the second stops. */
static void
on_signal(struct claimd *c, int signo)
{
	uint64_t n = api_outstanding(c->api);

	if (signo == SIGHUP) {
		if (c->d.auth != NULL)
			auth_reload(c->d.auth);
		else
			log_info("SIGHUP: nothing to reload");
		return;
	}
	if (c->stopping) {
		log_info("second signal: stopping now");
		c->deadline = 0;
		return;
	}
	log_info("%s: finishing %llu %s in flight, then stopping",
	    strsignal(signo), (unsigned long long)n, submissions(n));
	c->stopping = true;
	c->d.stopping = true;
	c->deadline = now_us() + DRAIN_MS * 1000ULL;
	api_set_draining(c->api);
}

/* Event: the signalfd is readable. */
static void
ev_signals(struct claimd *c)
{
	struct signalfd_siginfo si;

	while (read(c->sfd, &si, sizeof(si)) == sizeof(si))
		on_signal(c, (int)si.ssi_signo);
}

/* Event: jobs back from the workers (refused) or the writer (done). */
static void
ev_done(struct claimd *c)
{
	struct job *jobs[JOB_MSG_MAX];
	size_t n;

	/* A few frames (a commit's jobs come in one), then requests. */
	for (int i = 0; i < 4 && (n = job_recv(c->done, jobs, ZMQ_DONTWAIT));
	     i++)
		for (size_t k = 0; k < n; k++)
			api_done(c->api, jobs[k]);
}

/* Event: requests on the router, a batch at a time; the submissions
 * among them go to the workers together. */
static void
ev_requests(struct claimd *c)
{
	/* Until a receive finds none: asking ZMQ_EVENTS after each request
	 * instead cost two system calls a request (libzmq looks at its
	 * command mailbox, with poll() and getpid()). */
	for (int i = 0; i < 256 && api_request(c->api); i++)
		;
	api_flush(c->api);
}

/* Whether a stopping claimd is done: nothing in flight, or time is up. */
static bool
drained(struct claimd *c)
{
	uint64_t n = api_outstanding(c->api);

	if (!c->stopping || (n > 0 && now_us() < c->deadline))
		return false;
	if (n > 0)
		log_warnx("%llu %s unanswered at exit; none was acknowledged",
		    (unsigned long long)n, submissions(n));
	return true;
}

/*
 * The main loop: each event to its handler, in this order, finished work
 * before new requests so that draining makes progress. While stopping it
 * wakes at least every 100 ms to look at the deadline.
 */
static void
run(struct claimd *c)
{
	static void (*const handlers[])(struct claimd *) = {
	    ev_signals,
	    ev_done,
	    ev_requests,
	};

	do {
		zmq_pollitem_t items[] = {
		    {NULL, c->sfd, ZMQ_POLLIN, 0},
		    {c->done, 0, ZMQ_POLLIN, 0},
		    {c->router, 0, ZMQ_POLLIN, 0},
		};

		if (zmq_poll(items, 3, c->stopping ? 100 : -1) < 0) {
			if (errno == EINTR)
				continue;
			fatalx("zmq_poll: %s", zmq_strerror(errno));
		}
		for (size_t i = 0; i < 3; i++)
			if (items[i].revents & ZMQ_POLLIN)
				handlers[i](c);
	} while (!drained(c));
}

/* The threads stopped and joined, everything closed, in that order. */
static void
teardown(struct claimd *c)
{
	struct store_snap *snap;
	int linger = 2000;

	/* Replies already queued still go out while the router lingers. */
	zmq_setsockopt(c->router, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_ctx_shutdown(c->d.zctx);
	for (int i = 0; i < c->cfg.workers; i++) {
		pthread_join(c->workers[i], NULL);
		zmq_close(c->ws[i].in);
		zmq_close(c->ws[i].out);
	}
	if (c->mirror != NULL)
		pthread_join(c->mirror_th, NULL);
	else
		pthread_join(c->writer_th, NULL);
	pthread_join(c->monitor_th, NULL);
	mirror_free(c->mirror);
	auth_free(c->d.auth);
	zmq_close(c->write_in);
	if (c->wdone != NULL)
		zmq_close(c->wdone);
	zmq_close(c->pub);
	zmq_close(c->verify);
	zmq_close(c->done);
	zmq_close(c->router);
	zmq_ctx_term(c->d.zctx);
	writer_free(c->writer);
	api_free(c->api);
	/* A damaged store is read no more: the read could fault. */
	if (!c->d.damaged && store_snap_begin(c->d.store, &snap) == PROTO_OK) {
		c->size = store_size(snap);
		store_snap_end(snap);
	}
	store_close(c->d.store);
	checkpoint_release(&c->d);
	log_info("stopped; %llu %s, %llu accepted this run",
	    (unsigned long long)c->size, c->size == 1 ? "entry" : "entries",
	    (unsigned long long)c->d.accepted);
	free(c->ws);
	free(c->workers);
	close(c->sfd);
	close(c->lockfd);
}

int
main(int argc, char **argv)
{
	static struct claimd c;

	parse_args(argc, argv, &c.cfg);
	log_init(c.cfg.verbose);
	if (sodium_init() < 0)
		fatalx("libsodium cannot start");
	if (c.cfg.admin_hex != NULL)
		admin_key_parse(c.cfg.admin_hex, c.admin);
	signal(SIGPIPE, SIG_IGN);
	if (c.cfg.check_dir != NULL)
		return run_check(c.cfg.check_dir);
	if (c.cfg.backup_dir != NULL)
		return run_backup(c.cfg.data, c.cfg.backup_dir);
	if (c.cfg.relay != NULL)
		return relay_run(&c.cfg);
	setup(&c);
	run(&c);
	teardown(&c);
	return c.d.mirror_failed ? 1 : 0;
}
