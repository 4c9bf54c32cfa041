/*
 * test_damage: damaged stores are named, never crash anything.
 *
 * A real store is made by the real claimd and claim, compacted by
 * claimd --backup; copies of its data.mdb are then damaged the ways disks
 * and people damage files (cut to half, a page of the log zeroed, a meta
 * page zeroed, emptied, replaced by something that is not LMDB). For each,
 * claimd --check, claimd itself and claimd --backup must exit below 128
 * with one line naming the damage, and --backup must leave nothing at its
 * destination. Then damage under a running claimd: it must log it, answer
 * "damaged" and store nothing more; and a storage failure that is not
 * damage must be logged with its cause.
 *
 *   test_damage CLAIMD CLAIM
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "e2e.h"

#define NCLAIMS   300
#define PAGE_SIZE 4096 /* of the stores made here (LMDB: the system's) */
#define P_LEAF    0x02

/* The pristine, compacted store every test damages a copy of. */
static struct e2e_fixture *fx;
static char pristine[600];

static void
write_file(const char *path, const void *data, size_t len, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/*
 * Runs argv (claimd) to completion, at most 20 s; stderr in *err. Returns
 * the exit status, 128 + signal if a signal ended it.
 */
static int
run(const char *const *argv, char **err)
{
	char path[700];
	int status = 0, fd;
	pid_t pid;
	struct timespec t0, t;

	snprintf(path, sizeof(path), "%s/run.err", fx->dir);
	if ((pid = fork()) == 0) {
		int devnull = open("/dev/null", O_RDWR);

		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 20) {
			/* A claimd that serves a damaged store never ends. */
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*err = tu_read_file(path, NULL);
			fail_msg("%s %s still running after 20 s: %s", argv[0],
			    argv[1], *err);
		}
		usleep(20 * 1000);
	}
	*err = tu_read_file(path, NULL);
	assert_non_null(*err);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A folder the store's files are copied into, damaged then by the test. */
static void
copy_store(const char *to)
{
	static const char *const files[] = {
	    "log.key", "checkpoint", "db/data.mdb"};
	char from[700], dst[700], db[700];
	size_t len;
	char *data;

	tu_rmrf(to);
	assert_int_equal(mkdir(to, 0700), 0);
	snprintf(db, sizeof(db), "%s/db", to);
	assert_int_equal(mkdir(db, 0700), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(from, sizeof(from), "%s/%s", pristine, files[i]);
		snprintf(dst, sizeof(dst), "%s/%s", to, files[i]);
		if ((data = tu_read_file(from, &len)) == NULL)
			continue; /* no checkpoint yet */
		write_file(dst, data, len, 0600);
		free(data);
	}
}

/* The page of data.mdb that holds text; must be a leaf page. */
static long
page_with(const char *mdb, const char *text)
{
	size_t len, tl = strlen(text);
	char *data = tu_read_file(mdb, &len);
	long page = -1;

	assert_non_null(data);
	for (size_t i = 0; i + tl <= len; i++)
		if (memcmp(data + i, text, tl) == 0) {
			page = (long)(i / PAGE_SIZE);
			break;
		}
	assert_true(page >= 2);
	/* A page the log really uses: a leaf whose header is its own. */
	{
		const uint8_t *p = (const uint8_t *)data + page * PAGE_SIZE;
		uint64_t pgno;
		uint16_t flags;

		memcpy(&pgno, p, 8);
		memcpy(&flags, p + 10, 2);
		assert_int_equal(pgno, (uint64_t)page);
		assert_int_equal(flags & P_LEAF, P_LEAF);
	}
	free(data);
	return page;
}

static void
zero_page(const char *mdb, long page)
{
	char zero[PAGE_SIZE] = {0};
	int fd = open(mdb, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(
	    pwrite(fd, zero, sizeof(zero), page * PAGE_SIZE), PAGE_SIZE);
	close(fd);
}

enum damage { HALF, LEAF, META0, META1, EMPTY, TEXT, RANDOM };

static const struct {
	const char *name;
	const char *says; /* in the one line that names it */
} damages[] = {
    [HALF] = {"half", "the file was cut short"},
    [LEAF] = {"leaf", "database \"log\" is damaged"},
    [META0] = {"meta0", "meta page 0 (byte offset 0) is damaged"},
    [META1] = {"meta1", "meta page 1 (byte offset 4096) is damaged"},
    [EMPTY] = {"empty", "is empty (0 bytes)"},
    [TEXT] = {"text", "is not an LMDB file"},
    [RANDOM] = {"random", "is not an LMDB file"},
};

/* A copy of the store in dir/NAME, damaged as d says. */
static void
make_damaged(enum damage d, char *folder, size_t cap, long *leaf)
{
	char mdb[800];
	size_t len;
	char *data;

	snprintf(folder, cap, "%s/%s", fx->dir, damages[d].name);
	copy_store(folder);
	snprintf(mdb, sizeof(mdb), "%s/db/data.mdb", folder);
	data = tu_read_file(mdb, &len);
	assert_non_null(data);
	assert_true(len >= 16 * PAGE_SIZE);
	switch (d) {
	case HALF:
		assert_int_equal(truncate(mdb, (off_t)len / 2), 0);
		break;
	case LEAF:
		*leaf = page_with(mdb, "Damage test statement 150.");
		/* In the middle, not at either end. */
		assert_true(*leaf > 2 && (size_t)*leaf < len / PAGE_SIZE - 1);
		zero_page(mdb, *leaf);
		break;
	case META0:
		zero_page(mdb, 0);
		break;
	case META1:
		zero_page(mdb, 1);
		break;
	case EMPTY:
		assert_int_equal(truncate(mdb, 0), 0);
		break;
	case TEXT: {
		char text[8192];

		for (size_t i = 0; i < sizeof(text); i++)
			text[i] = "claimd data, honestly\n"[i % 22];
		write_file(mdb, text, sizeof(text), 0600);
		break;
	}
	case RANDOM: {
		unsigned seed = 1;

		for (size_t i = 0; i < len; i++)
			data[i] = (char)rand_r(&seed);
		write_file(mdb, data, len, 0600);
		break;
	}
	}
	free(data);
}

/* One line, ending in a newline, saying what. */
static void
one_line(const char *what, const char *err, const char *says)
{
	size_t n = strlen(err);

	if (n == 0 || err[n - 1] != '\n' || strchr(err, '\n') != err + n - 1)
		fail_msg("%s: want one line, got: \"%s\"", what, err);
	if (strstr(err, says) == NULL || strstr(err, "damaged") == NULL ||
	    strstr(err, "restore") == NULL)
		fail_msg("%s: want \"%s\", \"damaged\" and \"restore\" in: %s",
		    what, says, err);
}

/* Nothing at dest, and no temporary folder beside it. */
static void
nothing_left(const char *dest)
{
	struct stat st;
	struct dirent *e;
	DIR *dir;

	if (stat(dest, &st) == 0)
		fail_msg("--backup left %s", dest);
	assert_non_null(dir = opendir(fx->dir));
	while ((e = readdir(dir)) != NULL)
		if (strstr(e->d_name, ".tmp-") != NULL)
			fail_msg("--backup left %s/%s", fx->dir, e->d_name);
	closedir(dir);
}

static void
test_damage_each_tool_names_it(void **state)
{
	(void)state;
	for (size_t d = 0; d < sizeof(damages) / sizeof(damages[0]); d++) {
		char folder[700], dest[700], says[200], *err;
		long leaf = 0;
		int st;
		const char *check[] = {e2e_claimd, "--check", folder, NULL};
		const char *start[] = {e2e_claimd, "--data", folder, "--api",
		    "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*", NULL};
		const char *backup[] = {
		    e2e_claimd, "--data", folder, "--backup", dest, NULL};

		make_damaged((enum damage)d, folder, sizeof(folder), &leaf);
		snprintf(dest, sizeof(dest), "%s/backup-%s", fx->dir,
		    damages[d].name);
		snprintf(says, sizeof(says), "%s", damages[d].says);
		fprintf(stderr, "%s:\n", damages[d].name);

		st = run(check, &err);
		fprintf(stderr, "  --check  %d: %s", st, err);
		if (st == 0 || st >= 128)
			fail_msg("--check on %s exited %d", folder, st);
		one_line("--check", err, says);
		if (d == LEAF) {
			/* Where: the zeroed page, by number and offset. */
			snprintf(says, sizeof(says),
			    "page %ld (byte offset %ld)", leaf,
			    leaf * PAGE_SIZE);
			one_line("--check", err, says);
		}
		free(err);

		st = run(start, &err);
		fprintf(stderr, "  claimd   %d: %s", st, err);
		if (st == 0 || st >= 128)
			fail_msg("claimd on %s exited %d", folder, st);
		one_line("claimd", err, says);
		free(err);

		st = run(backup, &err);
		fprintf(stderr, "  --backup %d: %s", st, err);
		if (st == 0 || st >= 128)
			fail_msg("--backup of %s exited %d", folder, st);
		one_line("--backup", err, says);
		nothing_left(dest);
		free(err);
		tu_rmrf(folder);
	}
}

/* Sound, the same store checks, starts and backs up, the copy 0600. */
static void
test_damage_sound_store_passes(void **state)
{
	char folder[700], dest[700], path[800], *err;
	struct stat st;
	const char *check[] = {e2e_claimd, "--check", folder, NULL};
	const char *backup[] = {
	    e2e_claimd, "--data", folder, "--backup", dest, NULL};
	const char *check_dest[] = {e2e_claimd, "--check", dest, NULL};

	(void)state;
	snprintf(folder, sizeof(folder), "%s/sound", fx->dir);
	snprintf(dest, sizeof(dest), "%s/backup-sound/", fx->dir);
	copy_store(folder);
	assert_int_equal(run(check, &err), 0);
	free(err);
	assert_int_equal(run(backup, &err), 0);
	free(err);
	assert_int_equal(run(check_dest, &err), 0);
	free(err);
	snprintf(path, sizeof(path), "%s/db/data.mdb", dest);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/log.key", dest);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* A destination that exists and is not empty is refused. */
	assert_int_not_equal(run(backup, &err), 0);
	assert_non_null(strstr(err, "cannot put the backup at"));
	free(err);
	tu_rmrf(dest);
	nothing_left(dest);
	tu_rmrf(folder);
}

/* Whether claimd's log holds text, and how many times. */
static int
log_count(const struct e2e_daemon *d, const char *text)
{
	char *log = tu_read_file(d->log, NULL), *p;
	int n = 0;

	assert_non_null(log);
	for (p = log; (p = strstr(p, text)) != NULL; p += strlen(text))
		n++;
	free(log);
	return n;
}

/* Stops d, which must exit 0; its log shown otherwise. */
static void
stop_clean(struct e2e_daemon *d)
{
	int st = e2e_daemon_stop(d, SIGTERM);
	char *log;

	if (st != 0) {
		log = tu_read_file(d->log, NULL);
		fail_msg("claimd exited %d: %s", st, log);
	}
}

/* A page of the log zeroed under a running claimd. */
static void
test_damage_while_running(void **state)
{
	struct e2e_daemon d;
	struct e2e_run r;
	char folder[700], mdb[800], out[800];

	(void)state;
	snprintf(folder, sizeof(folder), "%s/running", fx->dir);
	copy_store(folder);
	e2e_daemon_start(&d, folder, NULL, NULL, NULL);
	E2E_CLAIM(0, NULL, "stats");
	snprintf(mdb, sizeof(mdb), "%s/db/data.mdb", folder);
	zero_page(mdb, page_with(mdb, "Damage test statement 150."));

	snprintf(out, sizeof(out), "%s/export.jsonl", fx->dir);
	e2e_claim_run(&r, NULL, "export", "--out", out);
	e2e_must(&r, 3, "export of a damaged store");
	assert_non_null(strstr(r.err, "claimd's store is damaged"));
	e2e_run_free(&r);
	e2e_daemon_log_wait(&d, "warning: the store is damaged (range", 5000);
	assert_int_equal(log_count(&d, "MDB_CORRUPTED"), 1);

	/* From now on: every request refused, nothing stored. */
	e2e_claim_run(&r, NULL, "stats");
	e2e_must(&r, 3, "stats of a damaged store");
	assert_non_null(strstr(r.err, "claimd's store is damaged"));
	e2e_run_free(&r);
	e2e_claim_run(&r,
	    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
	    "\"statement\": \"Onto a damaged store.\"}\n",
	    "submit", "-");
	e2e_must(&r, 3, "submit to a damaged store: not stored");
	assert_non_null(strstr(r.err, "line 1: not stored: "));
	assert_non_null(strstr(r.err, "damaged"));
	e2e_run_free(&r);
	assert_int_equal(log_count(&d, "the store is damaged ("), 1);
	stop_clean(&d);
	/* And the next start refuses it. */
	{
		const char *start[] = {e2e_claimd, "--data", folder, "--api",
		    "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*", NULL};
		char *err;
		int st = run(start, &err);

		assert_true(st > 0 && st < 128);
		one_line("claimd", err, "database \"log\" is damaged");
		free(err);
	}
	tu_rmrf(folder);
}

/*
 * data.mdb cut to half under a running claimd: reading past its end
 * faults (SIGBUS), which killed claimd; the guard makes it damage.
 */
static void
test_damage_cut_while_running(void **state)
{
	struct e2e_daemon d;
	struct e2e_run r;
	char folder[700], mdb[800], out[800];
	struct stat st;

	(void)state;
	snprintf(folder, sizeof(folder), "%s/cut", fx->dir);
	copy_store(folder);
	e2e_daemon_start(&d, folder, NULL, NULL, NULL);
	snprintf(mdb, sizeof(mdb), "%s/db/data.mdb", folder);
	assert_int_equal(stat(mdb, &st), 0);
	assert_int_equal(truncate(mdb, st.st_size / 2), 0);
	snprintf(out, sizeof(out), "%s/cut.jsonl", fx->dir);
	e2e_claim_run(&r, NULL, "export", "--out", out);
	e2e_must(&r, 3, "export of a store cut short");
	assert_non_null(strstr(r.err, "claimd's store is damaged"));
	e2e_run_free(&r);
	e2e_daemon_log_wait(&d, "faulted (Bus error) at byte offset", 5000);
	E2E_CLAIM(3, NULL, "stats");
	stop_clean(&d);
	tu_rmrf(folder);
}

/* The page of mdb holding the bytes of pat (len n); -1 if none. */
static long
page_of(const char *mdb, const void *pat, size_t n)
{
	size_t len;
	char *data = tu_read_file(mdb, &len);
	long page = -1;

	assert_non_null(data);
	for (size_t i = 0; i + n <= len && page < 0; i++)
		if (memcmp(data + i, pat, n) == 0)
			page = (long)(i / PAGE_SIZE);
	free(data);
	return page;
}

/*
 * A page zeroed where a cursor steps onto it: LMDB asserts (and would
 * abort claimd), the guard turns that into damage, claimd goes on
 * refusing and stops cleanly.
 */
static void
test_damage_while_running_assertion(void **state)
{
	struct e2e_daemon d;
	struct e2e_run r;
	char folder[700], mdb[800];
	uint8_t first[15] = "am-mfa", last[15] = "am-mfa";
	long p1, p2;

	(void)state;
	snprintf(folder, sizeof(folder), "%s/asserting", fx->dir);
	copy_store(folder);
	snprintf(mdb, sizeof(mdb), "%s/db/data.mdb", folder);
	/* The party index: "am-mfa" 0, then the first index of each claim
	 * (2 to NCLAIMS + 1, after the party and the grant). */
	memset(first + 6, 0, 9);
	memset(last + 6, 0, 9);
	first[14] = 2;
	last[13] = (NCLAIMS + 1) >> 8;
	last[14] = (NCLAIMS + 1) & 0xff;
	p1 = page_of(mdb, first, sizeof(first));
	p2 = page_of(mdb, last, sizeof(last));
	/* The cursor walks from p1 into p2 by its sibling link. */
	assert_true(p1 >= 2 && p2 >= 2 && p1 != p2);
	e2e_daemon_start(&d, folder, NULL, NULL, NULL);
	zero_page(mdb, p2);
	e2e_claim_run(&r, NULL, "list", "--party", "am-mfa");
	e2e_must(&r, 3, "list of a damaged store");
	assert_non_null(strstr(r.err, "claimd's store is damaged"));
	e2e_run_free(&r);
	e2e_daemon_log_wait(&d,
	    "warning: the store is damaged (list request: LMDB gave up: ",
	    5000);
	E2E_CLAIM(3, NULL, "stats");
	stop_clean(&d);
	tu_rmrf(folder);
}

/*
 * A failure that is not damage of the file: a hash index value out of
 * shape, written with LMDB while claimd is stopped. The read fails, the
 * client is told, and claimd logs why.
 */
static void
test_damage_store_failure_logged(void **state)
{
	struct e2e_daemon d;
	struct e2e_run r;
	char folder[700], db[800], prefix[17];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, v, bad = {3, "bad"};
	uint8_t key[32];

	(void)state;
	snprintf(folder, sizeof(folder), "%s/failure", fx->dir);
	copy_store(folder);
	snprintf(db, sizeof(db), "%s/db", folder);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_set_mapsize(env, 1u << 30), 0);
	assert_int_equal(mdb_env_open(env, db, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "hash", 0, &dbi), 0);
	assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
	assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_FIRST), 0);
	assert_int_equal(k.mv_size, 32);
	memcpy(key, k.mv_data, 32);
	mdb_cursor_close(cur);
	k.mv_data = key;
	assert_int_equal(mdb_put(txn, dbi, &k, &bad, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	proto_hex(key, 8, prefix);

	e2e_daemon_start(&d, folder, NULL, NULL, NULL);
	e2e_claim_run(&r, NULL, "show", prefix);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "storage failure"));
	e2e_run_free(&r);
	e2e_daemon_log_wait(&d,
	    "warning: storage failure: get request: reading the hash index: "
	    "a value out of shape",
	    5000);
	/* Not damage of the file: claimd goes on serving. */
	E2E_CLAIM(0, NULL, "stats");
	assert_int_equal(log_count(&d, "the store is damaged"), 0);
	stop_clean(&d);
	tu_rmrf(folder);
}

/*
 * No false alarm: --check and --backup, run again and again beside a
 * claimd that commits all the while, find nothing (the meta pages they
 * read may be half written, the file growing).
 */
static void
test_damage_none_beside_a_busy_claimd(void **state)
{
	static const char *const verbose[] = {"-v", NULL};
	struct e2e_daemon d;
	char folder[700], dest[700], path[700], *err;
	const char *check[] = {e2e_claimd, "--check", folder, NULL};
	const char *backup[] = {
	    e2e_claimd, "--data", folder, "--backup", dest, NULL};
	const char *submit[] = {
	    e2e_claim, "submit", path, "--window", "64", NULL};
	FILE *f;
	pid_t pid;
	int st;

	(void)state;
	snprintf(folder, sizeof(folder), "%s/busy", fx->dir);
	copy_store(folder);
	snprintf(path, sizeof(path), "%s/busy.jsonl", fx->dir);
	assert_non_null(f = fopen(path, "w"));
	for (int i = 0; i < 20000; i++)
		fprintf(f,
		    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
		    "\"statement\": \"Busy statement %d.\"}\n",
		    i);
	fclose(f);
	e2e_daemon_start_args(&d, folder, NULL, NULL, NULL, verbose);
	/* Its answers to nowhere: a pipe nobody reads would stop it. */
	if ((pid = fork()) == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execv(submit[0], (char *const *)submit);
		_exit(127);
	}
	/* Under way before the first look. */
	e2e_daemon_log_wait(&d, "debug: batch of", 20000);
	for (int i = 0; i < 6; i++) {
		snprintf(dest, sizeof(dest), "%s/busy-backup-%d", fx->dir, i);
		if ((st = run(check, &err)) != 0)
			fail_msg("--check beside claimd: %d: %s", st, err);
		free(err);
		if ((st = run(backup, &err)) != 0)
			fail_msg("--backup beside claimd: %d: %s", st, err);
		free(err);
		tu_rmrf(dest);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	stop_clean(&d);
	tu_rmrf(folder);
}

/* A store with NCLAIMS claims, stopped, compacted into pristine. */
static int
group_setup(void **state)
{
	static const char *const parties[] = {"am-mfa", NULL};
	char path[700], *err;
	FILE *f;

	(void)state;
	fx = e2e_fixture_new(parties);
	snprintf(path, sizeof(path), "%s/claims.jsonl", fx->dir);
	assert_non_null(f = fopen(path, "w"));
	for (int i = 0; i < NCLAIMS; i++)
		fprintf(f,
		    "{\"party\": \"am-mfa\", \"topics\": [\"t\"], "
		    "\"statement\": \"Damage test statement %d.\"}\n",
		    i);
	fclose(f);
	E2E_CLAIM(0, NULL, "submit", path, "--json");
	E2E_CLAIM(0, NULL, "checkpoint");
	assert_int_equal(e2e_daemon_stop(&fx->d, SIGTERM), 0);
	snprintf(pristine, sizeof(pristine), "%s/pristine", fx->dir);
	{
		const char *backup[] = {
		    e2e_claimd, "--data", fx->data, "--backup", pristine, NULL};

		if (run(backup, &err) != 0)
			fail_msg("backup: %s", err);
		free(err);
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	e2e_fixture_free(fx);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_damage_sound_store_passes),
	    cmocka_unit_test(test_damage_each_tool_names_it),
	    cmocka_unit_test(test_damage_while_running),
	    cmocka_unit_test(test_damage_while_running_assertion),
	    cmocka_unit_test(test_damage_cut_while_running),
	    cmocka_unit_test(test_damage_store_failure_logged),
	    cmocka_unit_test(test_damage_none_beside_a_busy_claimd),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: test_damage CLAIMD CLAIM\n");
		return 2;
	}
	e2e_claimd = argv[1];
	e2e_claim = argv[2];
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
