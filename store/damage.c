/*
 * damage.c: opening a store defensively.
 *
 * LMDB keeps no page checksums and trusts its file. A data.mdb cut short
 * faults (SIGBUS) on the first read past its end; a zeroed page fails
 * LMDB's own assertions, which abort(); an empty file is taken for a new
 * store. None of that comes back as an error code. So before LMDB maps
 * the file, store_probe() reads both meta pages with plain reads and
 * compares the file's size with what they say it holds; after, and before
 * anything else reads the store, store_walk() reads every page of every
 * database under a guard that turns a fault or an LMDB assertion into
 * PROTO_EDAMAGED, naming what is damaged and where.
 *
 * The file format read here is LMDB 0.9's (lmdb/mdb.c: MDB_page, MDB_meta),
 * in the machine's byte order, as LMDB writes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The page header (MDB_page) and the meta page (MDB_meta after it). */
#define PAGE_HDR      16
#define PG_PGNO       0  /* uint64: the page's own number */
#define PG_FLAGS      10 /* uint16 */
#define PG_PAGES      12 /* uint32: length of an overflow run */
#define P_BRANCH      0x01
#define P_LEAF        0x02
#define P_OVERFLOW    0x04
#define P_META        0x08
#define P_LEAF2       0x20
#define META_MAGIC    16  /* uint32 */
#define META_VERSION  20  /* uint32 */
#define META_PSIZE    40  /* uint32: the free db's md_pad holds the page size */
#define META_FREEROOT 80  /* uint64: the free db's root page */
#define META_MAINROOT 128 /* uint64: the main db's root page */
#define META_LASTPG   136 /* uint64: the last page in use */
#define META_TXNID    144 /* uint64 */
#define META_LEN      152
#define LMDB_MAGIC    0xBEEFC0DEu
#define LMDB_VERSION  1
#define NO_PAGE       UINT64_MAX /* P_INVALID: an empty database */
#define FREE_DBI      0 /* LMDB's own databases: free pages, and names */
#define MAIN_DBI      1
#define NAME_MAX_LEN  32 /* of a named database */

static uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Meta pages
 */

struct meta {
	bool magic; /* carries LMDB's magic number */
	uint32_t psize;
	uint64_t last, txnid;
	char why[96]; /* what is wrong with it, or "" */
};

static bool
psize_ok(uint32_t p)
{
	return p >= 512 && p <= 65536 && (p & (p - 1)) == 0;
}

/* Reads meta page i at off into m; m->why says what is wrong, if any. */
static void
meta_read(int fd, unsigned i, off_t off, struct meta *m)
{
	uint8_t b[META_LEN];
	ssize_t n = pread(fd, b, sizeof(b), off);
	uint64_t roots[2];

	memset(m, 0, sizeof(*m));
	if (n != (ssize_t)sizeof(b)) {
		snprintf(m->why, sizeof(m->why), "the file ends inside it");
		return;
	}
	m->magic = rd32(b + META_MAGIC) == LMDB_MAGIC;
	m->psize = rd32(b + META_PSIZE);
	m->last = rd64(b + META_LASTPG);
	m->txnid = rd64(b + META_TXNID);
	roots[0] = rd64(b + META_FREEROOT);
	roots[1] = rd64(b + META_MAINROOT);
	if (!m->magic)
		snprintf(m->why, sizeof(m->why), "no LMDB magic number");
	else if (rd32(b + META_VERSION) != LMDB_VERSION)
		snprintf(m->why, sizeof(m->why), "LMDB data version %" PRIu32,
		    rd32(b + META_VERSION));
	else if (!(rd16(b + PG_FLAGS) & P_META) || rd64(b + PG_PGNO) != i)
		snprintf(m->why, sizeof(m->why),
		    "its header is not meta page %u", i);
	else if (!psize_ok(m->psize))
		snprintf(
		    m->why, sizeof(m->why), "page size %" PRIu32, m->psize);
	else if (m->last < 1)
		snprintf(m->why, sizeof(m->why), "last page %" PRIu64, m->last);
	else
		for (int d = 0; d < 2; d++)
			if (roots[d] != NO_PAGE &&
			    (roots[d] < 2 || roots[d] > m->last)) {
				snprintf(m->why, sizeof(m->why),
				    "root page %" PRIu64 " outside pages 2 to "
				    "%" PRIu64,
				    roots[d], m->last);
				break;
			}
}

/* One look at the open file fd; store_probe() says what for. */
static int
probe_once(
    int fd, const char *path, struct store_file *f, char *err, size_t errlen)
{
	struct meta m[2];
	struct stat st;
	long sys = sysconf(_SC_PAGESIZE);
	off_t off1;

	if (fstat(fd, &st) != 0)
		return proto_fail(err, errlen, PROTO_EIO, "cannot stat %s: %s",
		    path, strerror(errno));
	if (st.st_size == 0)
		return proto_fail(err, errlen, PROTO_EDAMAGED,
		    "%s is empty (0 bytes): not a store, and not a new one",
		    path);
	/* Meta page 1 sits one page further: LMDB's page size is the
	 * system's, as meta page 0 should confirm. */
	meta_read(fd, 0, 0, &m[0]);
	off1 = m[0].why[0] == '\0' ? (off_t)m[0].psize
				   : (off_t)(sys > 0 ? sys : 4096);
	meta_read(fd, 1, off1, &m[1]);
	/* The size after the meta pages: a claimd writing beside us only
	 * makes the file longer, and writes pages before the meta page
	 * that counts them. */
	if (fstat(fd, &st) != 0)
		return proto_fail(err, errlen, PROTO_EIO, "cannot stat %s: %s",
		    path, strerror(errno));
	f->size = (uint64_t)st.st_size;
	if (!m[0].magic && !m[1].magic)
		return proto_fail(err, errlen, PROTO_EDAMAGED,
		    "%s is not an LMDB file (%" PRIu64 " bytes, no LMDB meta "
		    "page at its start)",
		    path, f->size);
	for (unsigned i = 0; i < 2; i++)
		if (m[i].why[0] != '\0')
			/* LMDB would fall back on the other one, or not open
			 * at all; either way this file was damaged. */
			return proto_fail(err, errlen, PROTO_EDAMAGED,
			    "%s: meta page %u (byte offset %" PRIu64 ") is "
			    "damaged: %s",
			    path, i, i * (uint64_t)off1, m[i].why);
	if (m[0].psize != m[1].psize)
		return proto_fail(err, errlen, PROTO_EDAMAGED,
		    "%s: the meta pages disagree on the page size (%" PRIu32
		    " and %" PRIu32 ")",
		    path, m[0].psize, m[1].psize);
	f->psize = m[0].psize;
	f->last = m[0].last > m[1].last ? m[0].last : m[1].last;
	for (unsigned i = 0; i < 2; i++) {
		uint64_t want = (m[i].last + 1) * f->psize;

		if (f->size < want)
			return proto_fail(err, errlen, PROTO_EDAMAGED,
			    "%s is %" PRIu64 " bytes, but meta page %u says it "
			    "holds %" PRIu64 " pages of %" PRIu32 " bytes "
			    "(%" PRIu64 "): the file was cut short",
			    path, f->size, i, m[i].last + 1, f->psize, want);
	}
	return PROTO_OK;
}

int
store_probe(const char *path, struct store_file *f, char *err, size_t errlen)
{
	int fd, rc;

	memset(f, 0, sizeof(*f));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return PROTO_OK; /* a new store */
		return proto_fail(err, errlen, PROTO_EIO, "cannot open %s: %s",
		    path, strerror(errno));
	}
	f->exists = true;
	/* A claimd committing beside us (--check, --backup) may be halfway
	 * through writing a meta page as we read it: damage must persist
	 * to be damage. */
	for (int tries = 0; tries < 3; tries++) {
		if (tries > 0)
			usleep(100 * 1000);
		if ((rc = probe_once(fd, path, f, err, errlen)) !=
		    PROTO_EDAMAGED)
			break;
	}
	close(fd);
	return rc;
}

/*
 * The guard: a fault reading the map (SIGBUS, SIGSEGV) or an LMDB
 * assertion while a thread walks or runs under store_guarded() jumps back
 * there instead of killing the process. A signal handler reaches nothing
 * but globals: the jump target is the thread's own, and the handlers,
 * installed once for the process, keep the actions they replaced for a
 * fault outside any guard, which ends the process as it would have.
 */
static _Thread_local sigjmp_buf *guard_jmp;
static _Thread_local volatile sig_atomic_t guard_sig;
static _Thread_local void *volatile guard_addr;
static _Thread_local char guard_msg[200];
/* The addresses whose faults are damage: the store's map while running
 * (others are bugs, and end the process as before), any during a walk. */
static _Thread_local uintptr_t guard_lo, guard_hi;
static struct sigaction guard_old_bus, guard_old_segv;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void
guard_handler(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	if (guard_jmp == NULL || (uintptr_t)si->si_addr < guard_lo ||
	    (uintptr_t)si->si_addr >= guard_hi) {
		/* Not a guarded read: what was there before, as if we were
		 * not; the fault repeats on return. */
		sigaction(sig, sig == SIGBUS ? &guard_old_bus : &guard_old_segv,
		    NULL);
		return;
	}
	guard_sig = sig;
	guard_addr = si->si_addr;
	/* SA_NODEFER: the signal is not blocked, no mask to restore. */
	siglongjmp(*guard_jmp, 1);
}

static void
guard_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &guard_old_bus);
	sigaction(SIGSEGV, &sa, &guard_old_segv);
}

void
store_assert(MDB_env *env, const char *msg)
{
	(void)env;
	if (guard_jmp == NULL)
		return; /* LMDB aborts */
	snprintf(guard_msg, sizeof(guard_msg), "%s", msg);
	guard_sig = SIGABRT;
	siglongjmp(*guard_jmp, 1);
}

/*
 * The walk
 */

struct walk {
	const char *path;
	const struct store_file *f;
	uint64_t last; /* the last page the snapshot may use */
	MDB_txn *txn;
	MDB_cursor *cur;
	/* Read after a jump back, so here and not on walk_all's stack. */
	char names[MAX_DBS][NAME_MAX_LEN + 1];
	const char *db; /* the database being read */
	uint64_t n;     /* its entries read so far */
	char *err;
	size_t errlen;
};

/* Reads a byte in every page of v, and its last one. */
static void
touch(const MDB_val *v)
{
	const volatile uint8_t *p = v->mv_data;

	for (size_t i = 0; i < v->mv_size; i += 4096)
		(void)p[i];
	if (v->mv_size > 0)
		(void)p[v->mv_size - 1];
}

/*
 * The first page whose header does not fit its place (a page zeroed or
 * overwritten), by plain reads, for the message; 0 if none. Free pages
 * may hold anything, so this names a suspect, not a verdict.
 */
static uint64_t
suspect_page(const struct walk *w)
{
	uint8_t h[PAGE_HDR];
	uint64_t found = 0;
	int fd;

	if ((fd = open(w->path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	for (uint64_t p = 2; p <= w->last; p++) {
		uint16_t fl;

		if (pread(fd, h, sizeof(h), (off_t)(p * w->f->psize)) !=
		    (ssize_t)sizeof(h))
			break;
		fl = rd16(h + PG_FLAGS);
		if (rd64(h + PG_PGNO) != p ||
		    (fl & ~(P_BRANCH | P_LEAF | P_OVERFLOW | P_LEAF2)) != 0 ||
		    (fl & (P_BRANCH | P_LEAF | P_OVERFLOW)) == 0) {
			found = p;
			break;
		}
		if (fl & P_OVERFLOW)
			p +=
			    rd32(h + PG_PAGES) > 0 ? rd32(h + PG_PAGES) - 1 : 0;
	}
	close(fd);
	return found;
}

/* Where the walk was, and the suspect page, after what went wrong. */
static int
walk_damage(const struct walk *w, const char *what)
{
	char at[96] = "";
	uint64_t p = suspect_page(w);

	if (p != 0)
		snprintf(at, sizeof(at),
		    "; page %" PRIu64 " (byte offset %" PRIu64 ") does not "
		    "hold a page of the store",
		    p, p * w->f->psize);
	return proto_fail(w->err, w->errlen, PROTO_EDAMAGED,
	    "%s: database \"%s\" is damaged after %" PRIu64 " entries: %s%s",
	    w->path, w->db, w->n, what, at);
}

static int
walk_fail(const struct walk *w, int rc)
{
	char what[128];

	if (store_err(rc) != PROTO_EDAMAGED)
		return proto_fail(w->err, w->errlen, store_err(rc),
		    "%s: cannot read database \"%s\": %s", w->path, w->db,
		    mdb_strerror(rc));
	snprintf(what, sizeof(what), "%s", mdb_strerror(rc));
	return walk_damage(w, what);
}

/* A free-page list: its count, then that many page numbers. */
static bool
freelist_ok(const struct walk *w, const MDB_val *v)
{
	const uint8_t *p = v->mv_data;
	uint64_t n;

	if (v->mv_size < 8 || v->mv_size % 8 != 0)
		return false;
	/* A list may sit in a record longer than it needs. */
	if ((n = rd64(p)) > v->mv_size / 8 - 1)
		return false;
	for (uint64_t i = 1; i <= n; i++) {
		uint64_t pg = rd64(p + 8 * i);

		if (pg < 2 || pg > w->last)
			return false;
	}
	return true;
}

/* Reads every entry of dbi, and with them every page of its tree. */
static int
walk_db(struct walk *w, MDB_dbi dbi, const char *name)
{
	MDB_val k, v, prev = {0, NULL};
	MDB_stat st;
	char what[160];
	int rc;

	w->db = name;
	w->n = 0;
	if ((rc = mdb_stat(w->txn, dbi, &st)) != 0 ||
	    (rc = mdb_cursor_open(w->txn, dbi, &w->cur)) != 0)
		return walk_fail(w, rc);
	while ((rc = mdb_cursor_get(w->cur, &k, &v, MDB_NEXT)) == 0) {
		touch(&k);
		touch(&v);
		if (dbi == FREE_DBI && !freelist_ok(w, &v))
			return walk_damage(w, "a free-page list out of shape");
		if (dbi != FREE_DBI && w->n > 0) {
			size_t l =
			    prev.mv_size < k.mv_size ? prev.mv_size : k.mv_size;
			int c = memcmp(prev.mv_data, k.mv_data, l);

			if (c > 0 || (c == 0 && prev.mv_size >= k.mv_size))
				return walk_damage(w, "keys out of order");
		}
		if (strcmp(name, "log") == 0) {
			struct proto_record r;

			if (k.mv_size != 8 || store_get64(k.mv_data) != w->n)
				return walk_damage(w, "a gap or a stray key");
			if ((rc = proto_record_parse(v.mv_data, v.mv_size, &r,
				 NULL, 0)) != PROTO_OK) {
				snprintf(what, sizeof(what),
				    "entry %" PRIu64 " is not a record: %s",
				    w->n, proto_strerror(rc));
				return walk_damage(w, what);
			}
		}
		prev = k;
		w->n++;
	}
	mdb_cursor_close(w->cur);
	w->cur = NULL;
	if (rc != MDB_NOTFOUND)
		return walk_fail(w, rc);
	if (w->n != st.ms_entries) {
		snprintf(what, sizeof(what),
		    "it holds %" PRIu64 " entries, its count says %zu", w->n,
		    st.ms_entries);
		return walk_damage(w, what);
	}
	return PROTO_OK;
}

/*
 * LMDB's free-page lists, its table of names, then every named database
 * the table lists (store.c opens them by the same names).
 */
static int
walk_all(struct walk *w)
{
	size_t nnames = 0;
	MDB_val k, v;
	MDB_dbi dbi;
	int rc;

	if ((rc = walk_db(w, FREE_DBI, "(free pages)")) != PROTO_OK ||
	    (rc = walk_db(w, MAIN_DBI, "(names)")) != PROTO_OK)
		return rc;
	if ((rc = mdb_cursor_open(w->txn, MAIN_DBI, &w->cur)) != 0)
		return walk_fail(w, rc);
	while ((rc = mdb_cursor_get(w->cur, &k, &v, MDB_NEXT)) == 0) {
		if (nnames == MAX_DBS || k.mv_size == 0 ||
		    k.mv_size > NAME_MAX_LEN ||
		    memchr(k.mv_data, '\0', k.mv_size) != NULL)
			return walk_damage(w, "a stray database name");
		memcpy(w->names[nnames], k.mv_data, k.mv_size);
		w->names[nnames++][k.mv_size] = '\0';
	}
	mdb_cursor_close(w->cur);
	w->cur = NULL;
	if (rc != MDB_NOTFOUND)
		return walk_fail(w, rc);
	for (size_t i = 0; i < nnames; i++) {
		w->db = w->names[i];
		w->n = 0;
		if ((rc = mdb_dbi_open(w->txn, w->names[i], 0, &dbi)) != 0)
			return walk_fail(w, rc);
		if ((rc = walk_db(w, dbi, w->names[i])) != PROTO_OK)
			return rc;
	}
	return PROTO_OK;
}

/*
 * The mapping of path that holds addr (any mapping of it if addr is NULL),
 * from /proc/self/maps: its bounds, and addr's byte offset in the file.
 */
static bool
map_find(const char *path, const void *addr, uintptr_t *lo, uintptr_t *hi,
    uint64_t *off)
{
	char line[4352];
	struct stat st;
	bool found = false;
	FILE *m;

	if (stat(path, &st) != 0 ||
	    (m = fopen("/proc/self/maps", "re")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), m) != NULL) {
		unsigned long long l, h, foff, ino;
		char perms[8], dev[16];

		if (sscanf(line, "%llx-%llx %7s %llx %15s %llu", &l, &h, perms,
			&foff, dev, &ino) != 6 ||
		    ino != (unsigned long long)st.st_ino ||
		    (addr != NULL &&
			((uintptr_t)addr < l || (uintptr_t)addr >= h)))
			continue;
		*lo = (uintptr_t)l;
		*hi = (uintptr_t)h;
		*off = addr != NULL ? (uintptr_t)addr - l + foff : foff;
		found = true;
	}
	fclose(m);
	return found;
}

static bool
map_offset(const char *path, const void *addr, uint64_t *off)
{
	uintptr_t lo, hi;

	return map_find(path, addr, &lo, &hi, off);
}

void
store_map_note(struct store *s)
{
	uintptr_t lo = 0, hi = 0;
	uint64_t off;

	if (!map_find(s->path, NULL, &lo, &hi, &off))
		lo = hi = 0;
	s->map_lo = lo;
	s->map_hi = hi;
	/* A guarded commit that grew the map goes on in the new one. */
	if (guard_jmp != NULL && guard_hi != UINTPTR_MAX) {
		guard_lo = lo;
		guard_hi = hi;
	}
}

static int
fault_report(struct walk *w)
{
	char what[320];
	uint64_t off;

	if (guard_sig == SIGABRT)
		snprintf(what, sizeof(what), "LMDB gave up: %s", guard_msg);
	else if (map_offset(w->path, guard_addr, &off))
		snprintf(what, sizeof(what),
		    "reading it faulted (%s) at byte offset %" PRIu64
		    " (page %" PRIu64 ")%s",
		    strsignal(guard_sig), off, off / w->f->psize,
		    off >= w->f->size ? ", past the end of the file" : "");
	else
		snprintf(what, sizeof(what), "reading it faulted (%s)",
		    strsignal(guard_sig));
	return walk_damage(w, what);
}

int
store_walk(MDB_env *env, const char *path, const struct store_file *f,
    char *err, size_t errlen)
{
	MDB_envinfo info;
	sigjmp_buf jb;
	struct walk *w;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return PROTO_ENOMEM;
	w->path = path;
	w->f = f;
	w->err = err;
	w->errlen = errlen;
	if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &w->txn)) != 0) {
		rc = proto_fail(err, errlen, store_err(rc),
		    "%s: cannot begin a transaction: %s", path,
		    mdb_strerror(rc));
		free(w);
		return rc;
	}
	/* A claimd committing beside us may have grown the file since it
	 * was probed: the newest meta page bounds this snapshot's pages. */
	w->last = f->last;
	if (mdb_env_info(env, &info) == 0 && info.me_last_pgno > w->last)
		w->last = info.me_last_pgno;
	pthread_once(&guard_once, guard_install);
	guard_sig = 0;
	guard_lo = 0;
	guard_hi = UINTPTR_MAX;
	if (sigsetjmp(jb, 0) == 0) {
		guard_jmp = &jb;
		rc = walk_all(w);
		guard_jmp = NULL;
	} else {
		/* LMDB's state for this transaction is unknown: close it
		 * without reading the map again. */
		guard_jmp = NULL;
		rc = fault_report(w);
	}
	if (w->cur != NULL)
		mdb_cursor_close(w->cur);
	mdb_txn_abort(w->txn);
	free(w);
	return rc;
}

/* What the guard caught, in words, for s. */
static int
guard_report(struct store *s, char *why, size_t whylen)
{
	/* LMDB's page size is the system's; its meta pages, which say so,
	 * are in the map that just faulted. */
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t off;

	if (guard_sig == SIGABRT)
		return proto_fail(
		    why, whylen, PROTO_EDAMAGED, "LMDB gave up: %s", guard_msg);
	if (map_offset(s->path, guard_addr, &off) && psize > 0)
		return proto_fail(why, whylen, PROTO_EDAMAGED,
		    "reading %s faulted (%s) at byte offset %" PRIu64
		    " (page %" PRIu64 ")",
		    s->path, strsignal(guard_sig), off, off / (uint64_t)psize);
	return proto_fail(why, whylen, PROTO_EDAMAGED,
	    "a fault (%s) while reading %s", strsignal(guard_sig), s->path);
}

int
store_guarded(
    struct store *s, int (*fn)(void *ctx), void *ctx, char *why, size_t whylen)
{
	sigjmp_buf jb, *prev = guard_jmp;
	int rc;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	pthread_once(&guard_once, guard_install);
	guard_lo = s->map_lo;
	guard_hi = s->map_hi;
	if (sigsetjmp(jb, 0) != 0) {
		guard_jmp = prev;
		return guard_report(s, why, whylen);
	}
	guard_jmp = &jb;
	rc = fn(ctx);
	guard_jmp = prev;
	return rc;
}
