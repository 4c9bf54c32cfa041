/*
 * test_store: the LMDB store on real environments in temporary folders.
 *
 *   test_store            run the cmocka tests
 *   test_store --dump N   append N claims to a fresh store and print its
 *                         leaves, roots and proofs for tests/vectors/merkle.py
 *
 * Linked with -Wl,--wrap=mdb_put so that a test can make the Nth put fail,
 * and with --wrap of mdb_get, mdb_cursor_get and mdb_cursor_open so that
 * one can make the Nth read fail (the store is a static library linked
 * in: its calls go through the wrappers; LMDB's own calls do not).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>

#include "lmdbfault.h"
#include "store.h"
#include "testutil.h"

/* mdb_put fails with EIO when this counts down to zero. */
static int put_countdown = -1;

int __real_mdb_put(
    MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags);
int __wrap_mdb_put(
    MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags);

int
__wrap_mdb_put(
    MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags)
{
	if (put_countdown > 0 && --put_countdown == 0)
		return EIO;
	return __real_mdb_put(txn, dbi, key, data, flags);
}

/* LMDB reads fail on demand: lmdbfault.c. */

/* A signed record and its decoded parts, ready for store_append(). */
struct rec {
	struct proto_buf bytes;
	struct proto_record r;
	struct proto_payload p;
	uint8_t hash[32];
};

static uint8_t admin_pk[32], admin_sk[64], desk_pk[32], desk_sk[64];

/* Signs p (which is released) into x. */
static void
rec_make(struct rec *x, struct proto_payload *p, const uint8_t *sk)
{
	proto_buf_init(&x->bytes);
	tu_sign(p, sk, &x->bytes);
	proto_payload_release(p);
	assert_int_equal(proto_record_open(x->bytes.data, x->bytes.len, &x->r,
			     &x->p, NULL, 0),
	    PROTO_OK);
	proto_record_hash(x->bytes.data, x->bytes.len, x->hash);
}

static void
rec_free(struct rec *x)
{
	proto_payload_release(&x->p);
	proto_buf_release(&x->bytes);
}

/* Appends the records as one batch; returns the batch's code. */
static int
append(struct store *s, struct rec *x, size_t n, struct store_result *res)
{
	struct store_entry *e = calloc(n, sizeof(*e));
	char err[256];
	int rc;

	for (size_t i = 0; i < n; i++) {
		e[i].rec = &x[i].r;
		e[i].payload = &x[i].p;
	}
	rc = store_append(s, e, n, res, err, sizeof(err));
	free(e);
	return rc;
}

/* Appends one record that must be accepted; returns its index. */
static uint64_t
append_ok(struct store *s, struct proto_payload *p, const uint8_t *sk,
    uint8_t hash[32])
{
	struct store_result res;
	struct rec x;

	rec_make(&x, p, sk);
	assert_int_equal(append(s, &x, 1, &res), PROTO_OK);
	if (res.rc != PROTO_OK)
		fail_msg("refused: %s", res.err);
	if (hash != NULL)
		memcpy(hash, x.hash, 32);
	rec_free(&x);
	return res.index;
}

struct fixture {
	char *dir;
	struct store *s;
};

static struct store *
open_store(const char *dir, size_t map)
{
	struct store_opts o = {.map_size = map};
	struct store *s;
	char err[256];

	if (store_open(dir, &o, &s, err, sizeof(err)) != PROTO_OK)
		fail_msg("store_open: %s", err);
	return s;
}

/* A fresh store with the admin key, party am-mfa and a grant to desk. */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct proto_payload p;

	f->dir = tu_tmpdir();
	f->s = open_store(f->dir, 0);
	assert_int_equal(store_admin_set(f->s, admin_pk), PROTO_OK);
	tu_party(&p, "am-mfa", "Armenia, Ministry of Foreign Affairs");
	append_ok(f->s, &p, admin_sk, NULL);
	tu_grant(&p, PROTO_KIND_GRANT, desk_pk, "am-mfa");
	append_ok(f->s, &p, admin_sk, NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static uint64_t
size_of(struct store *s)
{
	struct store_snap *snap;
	uint64_t n;

	assert_int_equal(store_snap_begin(s, &snap), PROTO_OK);
	n = store_size(snap);
	store_snap_end(snap);
	return n;
}

static void
claim_with(struct proto_payload *p, const char *party, const char *stmt,
    const char *t1, const char *t2)
{
	tu_claim(p, party, t1, stmt);
	if (t2 != NULL) {
		p->claim.topics = realloc(p->claim.topics, 2 * sizeof(char *));
		p->claim.topics[1] = strdup(t2);
		p->claim.ntopics = 2;
	}
}

static void
revision(struct proto_payload *p, const uint8_t id[32], const uint8_t prev[32],
    uint64_t version, const char *stmt)
{
	tu_claim(p, "am-mfa", "borders", stmt);
	p->claim.version = version;
	memcpy(p->claim.claim, id, 32);
	memcpy(p->claim.prev, prev, 32);
	p->claim.note = strdup("revised");
}

/*
 * Tests
 */

static void
test_store_append_and_read_back(void **state)
{
	struct fixture *f = *state;
	struct store_snap *snap;
	struct proto_payload p;
	uint8_t h[32], got[32];
	const uint8_t *bytes;
	char hex[65];
	uint64_t idx, at;
	size_t len;
	struct rec x;

	tu_claim(&p, "am-mfa", "borders", "The border commission met.");
	rec_make(&x, &p, desk_sk);
	{
		struct store_result res;

		assert_int_equal(append(f->s, &x, 1, &res), PROTO_OK);
		assert_int_equal(res.rc, PROTO_OK);
		assert_false(res.existed);
		assert_int_equal(res.index, 2);
		assert_int_equal(res.version, 1);
		assert_memory_equal(res.claim, x.hash, 32);
		idx = res.index;
	}
	memcpy(h, x.hash, 32);
	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	assert_int_equal(store_size(snap), 3);
	assert_int_equal(store_get(snap, idx, &bytes, &len), PROTO_OK);
	assert_int_equal(len, x.bytes.len);
	assert_memory_equal(bytes, x.bytes.data, len);
	assert_int_equal(store_find(snap, h, &at), PROTO_OK);
	assert_int_equal(at, idx);
	/* Prefixes of 8 or more digits, either case, resolve. */
	proto_hex(h, 32, hex);
	hex[8] = '\0';
	assert_int_equal(store_resolve(snap, hex, got), PROTO_OK);
	assert_memory_equal(got, h, 32);
	proto_hex(h, 32, hex);
	hex[13] = '\0';
	for (char *c = hex; *c; c++)
		if (*c >= 'a')
			*c = (char)(*c - 32);
	assert_int_equal(store_resolve(snap, hex, got), PROTO_OK);
	assert_memory_equal(got, h, 32);
	assert_int_equal(store_resolve(snap, "0123456", got), PROTO_EINVAL);
	assert_int_equal(store_resolve(snap, "zzzzzzzz", got), PROTO_EINVAL);
	assert_int_equal(store_get(snap, 99, &bytes, &len), PROTO_ENOTFOUND);
	store_snap_end(snap);
	rec_free(&x);
}

/* Declared here, defined with the damage tests below. */
static void damage(const char *dir, const char *db, const void *k, size_t klen,
    const void *v, size_t vlen);

static void
test_store_resolve_ambiguous_and_missing(void **state)
{
	struct fixture *f = *state;
	struct store_snap *snap;
	uint8_t a[32], b[32], got[32], idx[8] = {0};

	/*
	 * Two hashes that share nine hex digits would take some 65,000
	 * records to meet by chance; plant them in the hash index instead.
	 */
	store_close(f->s);
	memset(a, 0, 32);
	memcpy(a, "\xab\xcd\xef\x01\x23", 5);
	memcpy(b, a, 32);
	b[4] = 0x24;
	damage(f->dir, "hash", a, 32, idx, 8);
	damage(f->dir, "hash", b, 32, idx, 8);
	f->s = open_store(f->dir, 0);
	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	assert_int_equal(
	    store_resolve(snap, "abcdef01", got), PROTO_EAMBIGUOUS);
	assert_int_equal(
	    store_resolve(snap, "ABCDEF012", got), PROTO_EAMBIGUOUS);
	assert_int_equal(store_resolve(snap, "abcdef0123", got), PROTO_OK);
	assert_memory_equal(got, a, 32);
	assert_int_equal(store_resolve(snap, "abcdef0124", got), PROTO_OK);
	assert_memory_equal(got, b, 32);
	assert_int_equal(
	    store_resolve(snap, "abcdef0125", got), PROTO_ENOTFOUND);
	assert_int_equal(store_resolve(snap, "abcdef00", got), PROTO_ENOTFOUND);
	assert_int_equal(
	    store_resolve(snap, "ffffffffffffffff", got), PROTO_ENOTFOUND);
	store_snap_end(snap);
}

struct collected {
	uint8_t ids[64][32];
	size_t n;
};

static int
collect(void *ctx, const struct store_claim *c)
{
	struct collected *k = ctx;

	memcpy(k->ids[k->n++], c->id, 32);
	return 0;
}

static size_t
list(struct store *s, const char *party, const char *topic, uint64_t from,
    struct collected *k)
{
	struct store_snap *snap;

	memset(k, 0, sizeof(*k));
	assert_int_equal(store_snap_begin(s, &snap), PROTO_OK);
	assert_int_equal(store_claims(snap, party, topic, from, collect, k), 0);
	store_snap_end(snap);
	return k->n;
}

static int
count_party(void *ctx, const char *slug, const char *name, uint64_t index)
{
	(void)slug;
	(void)name;
	(void)index;
	(*(int *)ctx)++;
	return 0;
}

static int
count_grant(void *ctx, const uint8_t key[32], const char *party, uint64_t i)
{
	(void)key;
	(void)party;
	(void)i;
	(*(int *)ctx)++;
	return 0;
}

/* Appends "topic claims parties last," to the string ctx. */
static int
tally_topic(void *ctx, const char *topic, uint64_t claims, uint64_t parties,
    uint64_t last)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "%s %llu %llu %llu,", topic,
	    (unsigned long long)claims, (unsigned long long)parties,
	    (unsigned long long)last);
	return 0;
}

static int
stop_topic(void *ctx, const char *topic, uint64_t claims, uint64_t parties,
    uint64_t last)
{
	(void)topic;
	(void)claims;
	(void)parties;
	(void)last;
	(*(int *)ctx)++;
	return STORE_STOP;
}

/* A callback's own failure ends the walk and is what comes back. */
static int
fail_party(void *ctx, const char *slug, const char *name, uint64_t index)
{
	(void)slug;
	(void)name;
	(void)index;
	(*(int *)ctx)++;
	return PROTO_ENOMEM;
}

static void
test_store_indexes(void **state)
{
	struct fixture *f = *state;
	struct proto_payload p;
	struct collected k;
	struct store_snap *snap;
	struct store_claim c;
	uint8_t a1[32], a2[32], b1[32], b2[32], r[32], id[32];
	uint64_t at;
	int n;

	tu_party(&p, "az-mfa", "Azerbaijan, Ministry of Foreign Affairs");
	append_ok(f->s, &p, admin_sk, NULL);
	tu_grant(&p, PROTO_KIND_GRANT, desk_pk, "az-mfa");
	append_ok(f->s, &p, admin_sk, NULL);
	claim_with(&p, "am-mfa", "a1", "borders", "lachin");
	append_ok(f->s, &p, desk_sk, a1);
	claim_with(&p, "az-mfa", "b1", "borders", NULL);
	append_ok(f->s, &p, desk_sk, b1);
	claim_with(&p, "am-mfa", "a2", "peace", NULL);
	append_ok(f->s, &p, desk_sk, a2);
	claim_with(&p, "az-mfa", "b2", "lachin", NULL);
	append_ok(f->s, &p, desk_sk, b2);
	/* A revision of a1 gains topic "peace". */
	claim_with(&p, "am-mfa", "a1 revised", "borders", "peace");
	p.claim.version = 2;
	memcpy(p.claim.claim, a1, 32);
	memcpy(p.claim.prev, a1, 32);
	p.claim.note = strdup("gains a topic");
	at = append_ok(f->s, &p, desk_sk, r);

	assert_int_equal(list(f->s, NULL, NULL, 0, &k), 4);
	assert_memory_equal(k.ids[0], a1, 32);
	assert_memory_equal(k.ids[3], b2, 32);
	assert_int_equal(list(f->s, "am-mfa", NULL, 0, &k), 2);
	assert_memory_equal(k.ids[0], a1, 32);
	assert_memory_equal(k.ids[1], a2, 32);
	assert_int_equal(list(f->s, NULL, "lachin", 0, &k), 2);
	assert_memory_equal(k.ids[1], b2, 32);
	assert_int_equal(list(f->s, "az-mfa", "lachin", 0, &k), 1);
	assert_memory_equal(k.ids[0], b2, 32);
	assert_int_equal(list(f->s, NULL, "peace", 0, &k), 2);
	assert_memory_equal(k.ids[0], a1, 32);
	assert_int_equal(list(f->s, NULL, "nothing", 0, &k), 0);
	assert_int_equal(list(f->s, "nobody", NULL, 0, &k), 0);
	/* From a log index on: a1 was created at 4, a2 at 6. */
	assert_int_equal(list(f->s, "am-mfa", NULL, 5, &k), 1);
	assert_memory_equal(k.ids[0], a2, 32);

	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	assert_int_equal(store_claim_get(snap, a1, &c), PROTO_OK);
	assert_int_equal(c.version, 2);
	assert_int_equal(c.first, 4);
	assert_int_equal(c.head, at);
	assert_memory_equal(c.head_hash, r, 32);
	assert_string_equal(c.party, "am-mfa");
	assert_int_equal(store_claim_version(snap, a1, 1, &at), PROTO_OK);
	assert_int_equal(at, 4);
	assert_int_equal(
	    store_claim_version(snap, a1, 3, &at), PROTO_ENOTFOUND);
	assert_int_equal(store_claim_of(snap, r, id), PROTO_OK);
	assert_memory_equal(id, a1, 32);
	assert_int_equal(store_claim_of(snap, b1, id), PROTO_OK);
	assert_memory_equal(id, b1, 32);
	n = 0;
	assert_int_equal(store_parties(snap, count_party, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(store_grants(snap, count_grant, &n), 0);
	assert_int_equal(n, 2);
	/* Topics ever tagged: lachin keeps a1, peace gains it; a claim
	 * counts once, its last change is its revision at 8. */
	{
		char out[256] = "";

		assert_int_equal(store_topics(snap, tally_topic, out), 0);
		assert_string_equal(
		    out, "borders 2 2 8,lachin 2 2 8,peace 2 1 8,");
		n = 0;
		/* Stopped early: the walk ends with OK, never a sentinel. */
		assert_int_equal(store_topics(snap, stop_topic, &n), PROTO_OK);
		assert_int_equal(n, 1);
		n = 0;
		assert_int_equal(
		    store_parties(snap, fail_party, &n), PROTO_ENOMEM);
		assert_int_equal(n, 1);
	}
	{
		struct store_stats st;

		assert_int_equal(store_stats(snap, &st), PROTO_OK);
		assert_int_equal(st.size, 9);
		assert_int_equal(st.claims, 4);
		assert_int_equal(st.revisions, 1);
		assert_int_equal(st.parties, 2);
		assert_int_equal(st.grants, 2);
	}
	store_snap_end(snap);
}

/*
 * Injected read failures: every reader, failing at its 1st, 2nd, ... Nth
 * LMDB read, returns the proto_err of that failure (store_err's), with
 * its cause kept for store_snap_error(); never LMDB's own code, which an
 * iterator could pass off as its callback's (EIO is 5, and so is
 * PROTO_EINDEFINITE).
 */
struct reader {
	const char *name;
	int (*fn)(struct store_snap *snap, void *ctx);
};

struct reader_ctx {
	uint8_t a1[32], r[32], prefix_hash[32];
	char prefix[17];
	uint64_t size;
	int n;
};

static int
count_claim(void *ctx, const struct store_claim *c)
{
	(void)c;
	(*(int *)ctx)++;
	return 0;
}

static int
rd_get(struct store_snap *snap, void *ctx)
{
	const uint8_t *b;
	size_t len;

	(void)ctx;
	return store_get(snap, 0, &b, &len);
}

static int
rd_find(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;
	uint64_t i;

	return store_find(snap, x->r, &i);
}

static int
rd_resolve(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;

	return store_resolve(snap, x->prefix, x->prefix_hash);
}

static int
rd_claim_get(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;
	struct store_claim c;

	return store_claim_get(snap, x->a1, &c);
}

static int
rd_claim_version(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;
	uint64_t i;

	return store_claim_version(snap, x->a1, 2, &i);
}

static int
rd_claim_of(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;
	uint8_t id[32];

	return store_claim_of(snap, x->r, id);
}

static int
rd_claims(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;

	return store_claims(snap, NULL, NULL, 0, count_claim, &x->n);
}

static int
rd_claims_party(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;

	return store_claims(snap, "am-mfa", NULL, 0, count_claim, &x->n);
}

static int
rd_claims_topic(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;

	return store_claims(snap, "az-mfa", "lachin", 0, count_claim, &x->n);
}

static int
rd_parties(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;

	return store_parties(snap, count_party, &x->n);
}

static int
rd_grants(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;

	return store_grants(snap, count_grant, &x->n);
}

static int
rd_topics(struct store_snap *snap, void *ctx)
{
	char out[256] = "";

	(void)ctx;
	return store_topics(snap, tally_topic, out);
}

static int
rd_party_get(struct store_snap *snap, void *ctx)
{
	bool exists;

	(void)ctx;
	return store_party_get(snap, "az-mfa", &exists);
}

static int
rd_root(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;
	uint8_t root[32];

	return store_root(snap, x->size, root);
}

static int
rd_inclusion(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN];
	size_t n;

	return store_inclusion(snap, 2, x->size, proof, &n);
}

static int
rd_consistency(struct store_snap *snap, void *ctx)
{
	struct reader_ctx *x = ctx;
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN];
	size_t n;

	return store_consistency(snap, 3, x->size, proof, &n);
}

static int
rd_stats(struct store_snap *snap, void *ctx)
{
	struct store_stats st;

	(void)ctx;
	return store_stats(snap, &st);
}

static void
test_store_read_failures_are_proto_errs(void **state)
{
	static const struct reader readers[] = {
	    {"store_get", rd_get},
	    {"store_find", rd_find},
	    {"store_resolve", rd_resolve},
	    {"store_claim_get", rd_claim_get},
	    {"store_claim_version", rd_claim_version},
	    {"store_claim_of", rd_claim_of},
	    {"store_claims", rd_claims},
	    {"store_claims party", rd_claims_party},
	    {"store_claims party topic", rd_claims_topic},
	    {"store_parties", rd_parties},
	    {"store_grants", rd_grants},
	    {"store_topics", rd_topics},
	    {"store_party_get", rd_party_get},
	    {"store_root", rd_root},
	    {"store_inclusion", rd_inclusion},
	    {"store_consistency", rd_consistency},
	    {"store_stats", rd_stats},
	};
	/* LMDB's codes and what the store makes of them. */
	static const struct {
		int mdb, want;
	} faults[] = {
	    {MDB_CORRUPTED, PROTO_EDAMAGED},
	    {MDB_PAGE_NOTFOUND, PROTO_EDAMAGED},
	    {EIO, PROTO_EIO},
	    {MDB_BAD_TXN, PROTO_ESTORE},
	    {EINVAL, PROTO_ESTORE},
	};
	struct fixture *f = *state;
	struct reader_ctx x;
	struct proto_payload p;
	struct store_snap *snap;
	uint8_t a1[32];

	memset(&x, 0, sizeof(x));
	tu_party(&p, "az-mfa", "Azerbaijan, Ministry of Foreign Affairs");
	append_ok(f->s, &p, admin_sk, NULL);
	tu_grant(&p, PROTO_KIND_GRANT, desk_pk, "az-mfa");
	append_ok(f->s, &p, admin_sk, NULL);
	claim_with(&p, "am-mfa", "a1", "borders", "lachin");
	append_ok(f->s, &p, desk_sk, a1);
	claim_with(&p, "az-mfa", "b1", "lachin", NULL);
	append_ok(f->s, &p, desk_sk, NULL);
	revision(&p, a1, a1, 2, "a1 revised");
	append_ok(f->s, &p, desk_sk, x.r);
	memcpy(x.a1, a1, 32);
	proto_hex(x.r, 8, x.prefix);
	x.size = size_of(f->s);

	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		for (size_t j = 0; j < sizeof(faults) / sizeof(faults[0]);
		     j++) {
			int n, rc;

			for (n = 1;; n++) {
				bool hit;

				assert_int_equal(
				    store_snap_begin(f->s, &snap), PROTO_OK);
				lmdb_read_fault = faults[j].mdb;
				lmdb_read_countdown = n;
				rc = readers[i].fn(snap, &x);
				hit = lmdb_read_countdown == 0;
				lmdb_read_countdown = -1;
				if (!hit) {
					if (rc != PROTO_OK)
						fail_msg("%s unfaulted: %d",
						    readers[i].name, rc);
					store_snap_end(snap);
					break;
				}
				if (rc != faults[j].want)
					fail_msg("%s, LMDB read %d failing "
						 "with %d (%s): %d, not %s",
					    readers[i].name, n, faults[j].mdb,
					    mdb_strerror(faults[j].mdb), rc,
					    proto_errname(faults[j].want));
				assert_true(store_snap_error(snap)[0] != '\0');
				store_snap_end(snap);
			}
			/* Every reader reads something. */
			assert_true(n > 1);
		}
	}
}

/* store_check never says PROTO_OK when one of its LMDB reads failed. */
static void
test_store_check_read_failures(void **state)
{
	struct fixture *f = *state;
	struct proto_payload p;
	uint8_t a1[32];
	char err[256];
	int n, rc;

	claim_with(&p, "am-mfa", "a1", "borders", "lachin");
	append_ok(f->s, &p, desk_sk, a1);
	revision(&p, a1, a1, 2, "a1 revised");
	append_ok(f->s, &p, desk_sk, NULL);
	for (n = 1;; n++) {
		bool hit;

		lmdb_read_fault = EIO;
		lmdb_read_countdown = n;
		rc = store_check(f->s, NULL, NULL, err, sizeof(err));
		hit = lmdb_read_countdown == 0;
		lmdb_read_countdown = -1;
		if (!hit) {
			if (rc != PROTO_OK)
				fail_msg("unfaulted: %s", err);
			break;
		}
		if (rc == PROTO_OK || rc >= PROTO_ERR_COUNT || rc < 0)
			fail_msg("LMDB read %d failing with EIO: %d", n, rc);
	}
	assert_true(n > 1);
}

static void
test_store_version_conflict(void **state)
{
	struct fixture *f = *state;
	struct store_result res;
	struct proto_payload p;
	uint8_t v1[32], v2[32];
	struct rec x;

	tu_claim(&p, "am-mfa", "borders", "first");
	append_ok(f->s, &p, desk_sk, v1);
	revision(&p, v1, v1, 2, "second");
	append_ok(f->s, &p, desk_sk, v2);
	/* Still based on v1: refused, naming the head v2. */
	revision(&p, v1, v1, 2, "stale");
	rec_make(&x, &p, desk_sk);
	assert_int_equal(append(f->s, &x, 1, &res), PROTO_OK);
	assert_int_equal(res.rc, PROTO_ECONFLICT);
	assert_memory_equal(res.head.hash, v2, 32);
	assert_int_equal(res.head.version, 2);
	{
		/* The claim's id is its first version's hash. */
		char want[200], hv1[65], hv2[65];

		proto_hex(v1, 32, hv1);
		proto_hex(v2, 32, hv2);
		snprintf(want, sizeof(want),
		    "claim %.16s is at version 2, head %.16s; this revision "
		    "is based on %.16s",
		    hv1, hv2, hv1);
		assert_string_equal(res.err, want);
	}
	rec_free(&x);
	/* On the head, but claiming version 5. */
	revision(&p, v1, v2, 5, "skipping");
	rec_make(&x, &p, desk_sk);
	assert_int_equal(append(f->s, &x, 1, &res), PROTO_OK);
	assert_int_equal(res.rc, PROTO_ECHAIN);
	rec_free(&x);
	/* A retraction is a version like any other. */
	revision(&p, v1, v2, 3, "withdrawn");
	p.claim.status = PROTO_STATUS_RETRACTED;
	free(p.claim.note);
	p.claim.note = strdup("misattributed");
	append_ok(f->s, &p, desk_sk, NULL);
	assert_int_equal(size_of(f->s), 5);
}

/*
 * A mirror's replicas: all of a batch or none. Bytes already held and a
 * record the rules refuse each fail the whole batch with the entry's
 * code, and nothing is written; a duplicate claim is not refused.
 */
static void
test_store_replica_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_entry e[2];
	struct store_result res[2];
	struct proto_payload p;
	struct rec x[2];
	uint8_t v1[32];
	char err[256];

	tu_claim(&p, "am-mfa", "borders", "first");
	append_ok(f->s, &p, desk_sk, v1);
	/* The same claim again (not the same bytes: another time). */
	tu_claim(&p, "am-mfa", "borders", "first");
	p.time += 1;
	rec_make(&x[0], &p, desk_sk);
	/* A revision that skips a version. */
	revision(&p, v1, v1, 5, "skipping");
	rec_make(&x[1], &p, desk_sk);
	memset(e, 0, sizeof(e));
	for (int i = 0; i < 2; i++) {
		e[i].rec = &x[i].r;
		e[i].payload = &x[i].p;
		e[i].replica = true;
	}
	assert_int_equal(
	    store_append(f->s, e, 2, res, err, sizeof(err)), PROTO_ECHAIN);
	assert_non_null(strstr(err, "entry 1 of the batch"));
	assert_int_equal(size_of(f->s), 3);
	/* The duplicate alone is a replica like any other. */
	assert_int_equal(
	    store_append(f->s, e, 1, res, err, sizeof(err)), PROTO_OK);
	assert_int_equal(res[0].rc, PROTO_OK);
	assert_int_equal(res[0].index, 3);
	/* Its bytes again: refused, nothing written. */
	assert_int_equal(
	    store_append(f->s, e, 1, res, err, sizeof(err)), PROTO_ECHAIN);
	assert_non_null(strstr(err, "already in the log at index 3"));
	assert_int_equal(size_of(f->s), 4);
	rec_free(&x[0]);
	rec_free(&x[1]);
}

/* One record refused with want, err holding what; the batch goes on. */
static void
append_refused(
    struct store *s, struct proto_payload *p, int want, const char *what)
{
	struct store_result res;
	struct rec x;

	rec_make(&x, p, desk_sk);
	assert_int_equal(append(s, &x, 1, &res), PROTO_OK);
	if (res.rc != want)
		fail_msg("got %s (%s), want %s", proto_errname(res.rc), res.err,
		    proto_errname(want));
	assert_non_null(strstr(res.err, what));
	rec_free(&x);
}

/*
 * The version rules (docs/format.md, Versions) over LMDB, where the
 * head's status and content come from its record in the log; and
 * within one batch, where the head is the batch's own last version.
 */
static void
test_store_version_rules(void **state)
{
	struct fixture *f = *state;
	struct store_result res[2];
	struct proto_payload p;
	uint8_t v1[32], v2[32], v3[32], v4[32];
	char err[256];
	struct rec x[2];

	tu_claim(&p, "am-mfa", "borders", "first");
	append_ok(f->s, &p, desk_sk, v1);
	revision(&p, v1, v1, 2, "second");
	free(p.claim.note);
	p.claim.note = NULL;
	append_refused(f->s, &p, PROTO_ESCHEMA, "has no note");
	revision(&p, v1, v1, 2, "first");
	append_refused(f->s, &p, PROTO_EUNCHANGED, "says what version 1");
	revision(&p, v1, v1, 2, "second");
	append_ok(f->s, &p, desk_sk, v2);
	revision(&p, v1, v2, 3, "second");
	p.claim.reinstates = true;
	append_refused(f->s, &p, PROTO_EUNCHANGED, "nothing to reinstate");
	/* Retracted, then retracted again in the same batch. */
	revision(&p, v1, v2, 3, "second");
	p.claim.status = PROTO_STATUS_RETRACTED;
	rec_make(&x[0], &p, desk_sk);
	revision(&p, v1, x[0].hash, 4, "second");
	p.claim.status = PROTO_STATUS_RETRACTED;
	free(p.claim.note);
	p.claim.note = strdup("another reason");
	rec_make(&x[1], &p, desk_sk);
	assert_int_equal(append(f->s, x, 2, res), PROTO_OK);
	assert_int_equal(res[0].rc, PROTO_OK);
	assert_int_equal(res[1].rc, PROTO_ERETRACTED);
	assert_non_null(strstr(res[1].err, "already retracted"));
	memcpy(v3, x[0].hash, 32);
	rec_free(&x[0]);
	rec_free(&x[1]);
	revision(&p, v1, v3, 4, "second, changed");
	append_refused(f->s, &p, PROTO_ERETRACTED, "claim reinstate");
	revision(&p, v1, v3, 4, "second");
	p.claim.reinstates = true;
	append_ok(f->s, &p, desk_sk, v4);
	revision(&p, v1, v4, 5, "second");
	append_refused(f->s, &p, PROTO_EUNCHANGED, "says what version 4");
	assert_int_equal(size_of(f->s), 6);
	/* The integrity check replays the same rules over memory. */
	assert_int_equal(
	    store_check(f->s, NULL, NULL, err, sizeof(err)), PROTO_OK);
}

/*
 * Owner records over LMDB: admin only, kept in the log, replayed by the
 * integrity check; no party or grant needed.
 */
static void
test_store_owner_records(void **state)
{
	static const char *const pubs[] = {"Wire", "Wire Regional"};
	struct fixture *f = *state;
	struct proto_payload p;
	uint64_t before = size_of(f->s);
	char err[256];

	tu_owner(&p, "wire-group", pubs, 2);
	append_refused(f->s, &p, PROTO_EUNAUTHORIZED,
	    "owner records must be signed by the admin key");
	proto_payload_release(&p);
	tu_owner(&p, "wire-group", pubs, 2);
	append_ok(f->s, &p, admin_sk, NULL);
	proto_payload_release(&p);
	tu_owner(&p, "wire-group", NULL, 0);
	append_ok(f->s, &p, admin_sk, NULL);
	proto_payload_release(&p);
	assert_int_equal(size_of(f->s), before + 2);
	assert_int_equal(
	    store_check(f->s, NULL, NULL, err, sizeof(err)), PROTO_OK);
}

static void
test_store_idempotent_resubmission(void **state)
{
	struct fixture *f = *state;
	struct store_result res[3];
	struct proto_payload p;
	struct rec x[3];

	tu_claim(&p, "am-mfa", "borders", "same bytes");
	rec_make(&x[0], &p, desk_sk);
	tu_claim(&p, "am-mfa", "borders", "same bytes");
	rec_make(&x[1], &p, desk_sk);
	assert_memory_equal(x[0].hash, x[1].hash, 32);
	tu_claim(&p, "am-mfa", "borders", "other bytes");
	rec_make(&x[2], &p, desk_sk);
	/* Twice in one batch: the second is the first's entry. */
	assert_int_equal(append(f->s, x, 3, res), PROTO_OK);
	assert_int_equal(res[0].rc, PROTO_OK);
	assert_false(res[0].existed);
	assert_int_equal(res[1].rc, PROTO_OK);
	assert_true(res[1].existed);
	assert_int_equal(res[1].index, res[0].index);
	assert_int_equal(res[2].index, res[0].index + 1);
	assert_int_equal(size_of(f->s), 4);
	/* And again in a later batch. */
	assert_int_equal(append(f->s, x, 1, res), PROTO_OK);
	assert_true(res[0].existed);
	assert_int_equal(res[0].index, 2);
	assert_int_equal(size_of(f->s), 4);
	for (int i = 0; i < 3; i++)
		rec_free(&x[i]);
}

static void
test_store_batch_atomicity(void **state)
{
	struct fixture *f = *state;
	struct store_result res[4];
	struct store_snap *snap;
	struct proto_payload p;
	uint8_t root_before[32], root_after[32];
	struct rec x[4];
	uint64_t at;

	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	assert_int_equal(store_root(snap, 2, root_before), PROTO_OK);
	store_snap_end(snap);
	for (int i = 0; i < 4; i++) {
		char stmt[32];

		snprintf(stmt, sizeof(stmt), "batch %d", i);
		tu_claim(&p, "am-mfa", "borders", stmt);
		rec_make(&x[i], &p, desk_sk);
	}
	/* Fail some put well into the batch: nothing may remain. */
	put_countdown = 25;
	assert_int_equal(append(f->s, x, 4, res), PROTO_EIO);
	assert_int_equal(put_countdown, 0);
	put_countdown = -1;
	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	assert_int_equal(store_size(snap), 2);
	for (int i = 0; i < 4; i++)
		assert_int_equal(
		    store_find(snap, x[i].hash, &at), PROTO_ENOTFOUND);
	assert_int_equal(store_root(snap, 2, root_after), PROTO_OK);
	assert_memory_equal(root_before, root_after, 32);
	{
		struct collected k;

		memset(&k, 0, sizeof(k));
		assert_int_equal(
		    store_claims(snap, NULL, NULL, 0, collect, &k), 0);
		assert_int_equal(k.n, 0);
	}
	store_snap_end(snap);
	/* The same batch then goes in whole, and the store checks clean. */
	assert_int_equal(append(f->s, x, 4, res), PROTO_OK);
	assert_int_equal(size_of(f->s), 6);
	{
		char err[256];

		assert_int_equal(
		    store_check(f->s, NULL, NULL, err, sizeof(err)), PROTO_OK);
	}
	for (int i = 0; i < 4; i++)
		rec_free(&x[i]);
}

static void
test_store_refused_entry_leaves_batch_alone(void **state)
{
	struct fixture *f = *state;
	struct store_result res[3];
	struct proto_payload p;
	uint8_t other_pk[32], other_sk[64];
	struct rec x[3];

	tu_key(77, other_pk, other_sk);
	tu_claim(&p, "am-mfa", "borders", "fine");
	rec_make(&x[0], &p, desk_sk);
	tu_claim(&p, "am-mfa", "borders", "from a stranger");
	rec_make(&x[1], &p, other_sk);
	tu_claim(&p, "am-mfa", "borders", "also fine");
	rec_make(&x[2], &p, desk_sk);
	assert_int_equal(append(f->s, x, 3, res), PROTO_OK);
	assert_int_equal(res[0].rc, PROTO_OK);
	assert_int_equal(res[1].rc, PROTO_EUNAUTHORIZED);
	assert_int_equal(res[2].rc, PROTO_OK);
	assert_int_equal(res[2].index, res[0].index + 1);
	assert_int_equal(size_of(f->s), 4);
	for (int i = 0; i < 3; i++)
		rec_free(&x[i]);
}

static void
test_store_map_grows(void **state)
{
	char *dir = tu_tmpdir(), err[256];
	struct store_snap *snap;
	struct store_stats st;
	struct proto_payload p;
	struct store *s;

	(void)state;
	/* 64 KiB: full after a few dozen records. */
	s = open_store(dir, 64 * 1024);
	assert_int_equal(store_admin_set(s, admin_pk), PROTO_OK);
	tu_party(&p, "am-mfa", "Armenia");
	append_ok(s, &p, admin_sk, NULL);
	tu_grant(&p, PROTO_KIND_GRANT, desk_pk, "am-mfa");
	append_ok(s, &p, admin_sk, NULL);
	for (int b = 0; b < 20; b++) {
		struct store_result res[50];
		struct rec x[50];

		for (int i = 0; i < 50; i++) {
			char stmt[64];

			snprintf(stmt, sizeof(stmt),
			    "a statement long enough to fill pages %d/%d", b,
			    i);
			tu_claim(&p, "am-mfa", "borders", stmt);
			rec_make(&x[i], &p, desk_sk);
		}
		assert_int_equal(append(s, x, 50, res), PROTO_OK);
		for (int i = 0; i < 50; i++) {
			assert_int_equal(res[i].rc, PROTO_OK);
			rec_free(&x[i]);
		}
	}
	assert_int_equal(store_snap_begin(s, &snap), PROTO_OK);
	assert_int_equal(store_stats(snap, &st), PROTO_OK);
	store_snap_end(snap);
	assert_int_equal(st.size, 1002);
	assert_true(st.map_size > 64 * 1024 * 8);
	assert_int_equal(
	    store_check(s, NULL, NULL, err, sizeof(err)), PROTO_OK);
	store_close(s);
	tu_rmrf(dir);
	free(dir);
}

/*
 * A process killed while it held a read transaction, beside one that keeps
 * the store open (claimd): its reader slot stays in the lock file until
 * store_reader_check() clears it.
 */
static void
test_store_clears_stale_readers(void **state)
{
	struct fixture *f = *state;
	int ready[2];
	unsigned cleared = 99;
	pid_t pid;
	char c;

	assert_int_equal(store_reader_check(f->s, &cleared), PROTO_OK);
	assert_int_equal(cleared, 0);
	assert_int_equal(pipe(ready), 0);
	if ((pid = fork()) == 0) {
		/* Its own environment: never the parent's after fork(). */
		struct store *s = open_store(f->dir, 0);
		struct store_snap *snap;

		if (store_snap_begin(s, &snap) != PROTO_OK)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	/* Alive, it is no stale reader. */
	assert_int_equal(store_reader_check(f->s, &cleared), PROTO_OK);
	assert_int_equal(cleared, 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(store_reader_check(f->s, &cleared), PROTO_OK);
	assert_int_equal(cleared, 1);
	assert_int_equal(store_reader_check(f->s, &cleared), PROTO_OK);
	assert_int_equal(cleared, 0);
}

static void
test_store_reopen(void **state)
{
	struct fixture *f = *state;
	struct store_snap *snap;
	struct proto_payload p;
	uint8_t h[32], admin[32], root1[32], root2[32];
	bool set;
	uint64_t at;

	tu_claim(&p, "am-mfa", "borders", "durable");
	append_ok(f->s, &p, desk_sk, h);
	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	assert_int_equal(store_root(snap, 3, root1), PROTO_OK);
	store_snap_end(snap);
	assert_int_equal(store_meta_set(f->s, "origin", "example.org/log"), 0);
	store_close(f->s);

	f->s = open_store(f->dir, 0);
	assert_int_equal(store_admin_get(f->s, admin, &set), PROTO_OK);
	assert_true(set);
	assert_memory_equal(admin, admin_pk, 32);
	assert_int_equal(store_admin_set(f->s, desk_pk), PROTO_EEXISTS);
	{
		char origin[64];

		assert_int_equal(store_meta_get(f->s, "origin", origin,
				     sizeof(origin), &set),
		    PROTO_OK);
		assert_true(set);
		assert_string_equal(origin, "example.org/log");
	}
	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	assert_int_equal(store_size(snap), 3);
	assert_int_equal(store_find(snap, h, &at), PROTO_OK);
	assert_int_equal(at, 2);
	assert_int_equal(store_root(snap, 3, root2), PROTO_OK);
	assert_memory_equal(root1, root2, 32);
	store_snap_end(snap);
	/* Appending goes on where it stopped. */
	tu_claim(&p, "am-mfa", "borders", "after reopening");
	assert_int_equal(append_ok(f->s, &p, desk_sk, NULL), 3);
}

static void
test_store_backup_reopens_and_checks(void **state)
{
	struct fixture *f = *state;
	char *dir = tu_tmpdir(), err[256];
	struct store_snap *snap;
	struct proto_payload p;
	uint8_t v1[32], v2[32], r1[32], r2[32];
	struct store *b;

	tu_claim(&p, "am-mfa", "borders", "one");
	append_ok(f->s, &p, desk_sk, v1);
	revision(&p, v1, v1, 2, "one, revised");
	append_ok(f->s, &p, desk_sk, v2);
	tu_grant(&p, PROTO_KIND_REVOKE, desk_pk, "am-mfa");
	append_ok(f->s, &p, admin_sk, NULL);
	assert_int_equal(store_backup(f->s, dir, err, sizeof(err)), PROTO_OK);
	b = open_store(dir, 0);
	assert_int_equal(
	    store_check(b, NULL, NULL, err, sizeof(err)), PROTO_OK);
	assert_int_equal(store_snap_begin(b, &snap), PROTO_OK);
	assert_int_equal(store_size(snap), 5);
	assert_int_equal(store_root(snap, 5, r2), PROTO_OK);
	store_snap_end(snap);
	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	assert_int_equal(store_root(snap, 5, r1), PROTO_OK);
	store_snap_end(snap);
	assert_memory_equal(r1, r2, 32);
	store_close(b);
	/* A backup into a folder that does not exist fails cleanly. */
	assert_int_not_equal(
	    store_backup(f->s, "/nonexistent/x", err, sizeof(err)), PROTO_OK);
	tu_rmrf(dir);
	free(dir);
}

/* Damage one database entry directly and expect the check to notice. */
static void
damage(const char *dir, const char *db, const void *k, size_t klen,
    const void *v, size_t vlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	if (v == NULL)
		assert_int_equal(mdb_del(txn, dbi, &key, NULL), 0);
	else
		assert_int_equal(__real_mdb_put(txn, dbi, &key, &val, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* A store says which layout it has; another layout is refused, named. */
static void
test_store_format(void **state)
{
	struct fixture *f = *state;
	struct store_opts ro = {.read_only = true};
	struct store *s;
	char fmt[16], err[256];
	bool set;

	assert_int_equal(
	    store_meta_get(f->s, "format", fmt, sizeof(fmt), &set), PROTO_OK);
	assert_true(set);
	assert_string_equal(fmt, "1");
	store_close(f->s);
	f->s = NULL;

	damage(f->dir, "meta", "format", 6, "2", 1);
	assert_int_equal(
	    store_open(f->dir, NULL, &s, err, sizeof(err)), PROTO_ESTORE);
	assert_non_null(
	    strstr(err, "store format 2; this claimd reads format 1"));
	assert_int_equal(
	    store_open(f->dir, &ro, &s, err, sizeof(err)), PROTO_ESTORE);

	/* No stamp, but entries: made before stores had one. */
	damage(f->dir, "meta", "format", 6, NULL, 0);
	assert_int_equal(
	    store_open(f->dir, NULL, &s, err, sizeof(err)), PROTO_ESTORE);
	assert_non_null(strstr(err, "has no format"));
	assert_non_null(strstr(err, "claim submit --records"));

	/* Stamped again, it opens as before. */
	damage(f->dir, "meta", "format", 6, "1", 1);
	f->s = open_store(f->dir, 0);
}

static void
test_store_check_detects_damage(void **state)
{
	struct fixture *f = *state;
	struct proto_payload p;
	uint8_t v1[32], tk[9] = {0}, bad[32];
	uint8_t vk[40];
	char err[256];
	int rc;

	tu_claim(&p, "am-mfa", "borders", "checked");
	append_ok(f->s, &p, desk_sk, v1);
	assert_int_equal(store_check(f->s, NULL, NULL, err, sizeof(err)), 0);
	store_close(f->s);

	/* A tree node that lies. */
	memset(bad, 0x42, sizeof(bad));
	tk[7] = 1; /* last leaf 1 || level 0: level 0, index 1 */
	damage(f->dir, "tree", tk, sizeof(tk), bad, sizeof(bad));
	f->s = open_store(f->dir, 0);
	rc = store_check(f->s, NULL, NULL, err, sizeof(err));
	assert_int_equal(rc, PROTO_ESTORE);
	assert_non_null(strstr(err, "tree node (level 0, index 1)"));

	/* A fresh store, then a version index entry that goes missing. */
	teardown(state);
	setup(state);
	f = *state;
	tu_claim(&p, "am-mfa", "borders", "checked");
	append_ok(f->s, &p, desk_sk, v1);
	store_close(f->s);
	/* The version index key: the claim's first index (2), version 1. */
	memset(vk, 0, 16);
	vk[7] = 2;
	vk[15] = 1;
	damage(f->dir, "version", vk, 16, NULL, 0);
	f->s = open_store(f->dir, 0);
	rc = store_check(f->s, NULL, NULL, err, sizeof(err));
	assert_int_equal(rc, PROTO_ESTORE);
	assert_non_null(strstr(err, "version index"));
}

/* Appends x alone, with duplicates allowed or not; its result. */
static struct store_result
append_one(struct store *s, struct rec *x, bool allow_duplicate)
{
	struct store_entry e = {&x->r, &x->p, allow_duplicate};
	struct store_result res;
	char err[256];

	assert_int_equal(store_append(s, &e, 1, &res, err, sizeof(err)), 0);
	return res;
}

/*
 * The duplicate guard: a new claim saying what a live claim of the party
 * says now (statement, topics in any order, date made) is refused naming
 * that claim, unless allowed; identical bytes are not duplicates; a claim
 * revised or retracted no longer counts under what it said.
 */
static void
test_store_duplicate_guard(void **state)
{
	struct fixture *f = *state;
	struct store_result res, two[2];
	struct proto_payload p;
	uint8_t a[32], a2[32], b[32];
	uint64_t ai;
	struct rec x, y[2];
	char err[256];

	claim_with(&p, "am-mfa", "The border is open.", "borders", "trade");
	ai = append_ok(f->s, &p, desk_sk, a);
	/* The same bytes: the existing entry, not a duplicate. */
	claim_with(&p, "am-mfa", "The border is open.", "borders", "trade");
	rec_make(&x, &p, desk_sk);
	res = append_one(f->s, &x, false);
	assert_int_equal(res.rc, PROTO_OK);
	assert_true(res.existed);
	rec_free(&x);
	/* Signed again later, topics the other way round: a duplicate. */
	claim_with(&p, "am-mfa", "The border is open.", "trade", "borders");
	p.time++;
	rec_make(&x, &p, desk_sk);
	res = append_one(f->s, &x, false);
	assert_int_equal(res.rc, PROTO_EDUPLICATE);
	assert_memory_equal(res.claim, a, 32);
	assert_memory_equal(res.head.hash, a, 32);
	assert_int_equal(res.head.version, 1);
	assert_int_equal(res.index, ai);
	assert_int_equal(size_of(f->s), 3);
	/* Allowed: stored, and the log holds two such claims. */
	res = append_one(f->s, &x, true);
	assert_int_equal(res.rc, PROTO_OK);
	assert_false(res.existed);
	memcpy(b, x.hash, 32);
	rec_free(&x);
	/* Another date made, another statement: not duplicates. */
	claim_with(&p, "am-mfa", "The border is open.", "borders", "trade");
	p.claim.made = strdup("2021-11-08");
	append_ok(f->s, &p, desk_sk, NULL);
	claim_with(&p, "am-mfa", "The border is closed.", "borders", "trade");
	append_ok(f->s, &p, desk_sk, NULL);
	/* Twice in one batch: the second names the first. */
	tu_claim(&p, "am-mfa", "borders", "Twice in a batch.");
	rec_make(&y[0], &p, desk_sk);
	tu_claim(&p, "am-mfa", "borders", "Twice in a batch.");
	p.time++;
	rec_make(&y[1], &p, desk_sk);
	assert_int_equal(append(f->s, y, 2, two), PROTO_OK);
	assert_int_equal(two[0].rc, PROTO_OK);
	assert_int_equal(two[1].rc, PROTO_EDUPLICATE);
	assert_memory_equal(two[1].claim, y[0].hash, 32);
	assert_int_equal(two[1].index, two[0].index);
	rec_free(&y[0]);
	rec_free(&y[1]);
	/* Claim a revised: what it said before is free again, but b, the
	 * duplicate allowed above, still says it. */
	claim_with(&p, "am-mfa", "The border is open.", "borders", "trade");
	p.claim.version = 2;
	memcpy(p.claim.claim, a, 32);
	memcpy(p.claim.prev, a, 32);
	free(p.claim.statement);
	p.claim.statement = strdup("The border is open again.");
	p.claim.note = strdup("open again");
	append_ok(f->s, &p, desk_sk, a2);
	claim_with(&p, "am-mfa", "The border is open.", "borders", "trade");
	p.time += 5;
	rec_make(&x, &p, desk_sk);
	res = append_one(f->s, &x, false);
	assert_int_equal(res.rc, PROTO_EDUPLICATE);
	assert_memory_equal(res.claim, b, 32);
	rec_free(&x);
	/* What a now says is taken by a. */
	claim_with(
	    &p, "am-mfa", "The border is open again.", "borders", "trade");
	rec_make(&x, &p, desk_sk);
	res = append_one(f->s, &x, false);
	assert_int_equal(res.rc, PROTO_EDUPLICATE);
	assert_memory_equal(res.claim, a, 32);
	assert_memory_equal(res.head.hash, a2, 32);
	assert_int_equal(res.head.version, 2);
	rec_free(&x);
	/* b retracted: nothing live says the first statement any more. */
	claim_with(&p, "am-mfa", "The border is open.", "borders", "trade");
	p.claim.version = 2;
	memcpy(p.claim.claim, b, 32);
	memcpy(p.claim.prev, b, 32);
	p.claim.status = PROTO_STATUS_RETRACTED;
	p.claim.note = strdup("said twice");
	append_ok(f->s, &p, desk_sk, NULL);
	claim_with(&p, "am-mfa", "The border is open.", "borders", "trade");
	p.time += 6;
	append_ok(f->s, &p, desk_sk, NULL);
	/* And the check agrees with every step. */
	assert_int_equal(store_check(f->s, NULL, NULL, err, sizeof(err)), 0);
}

/* Every live claim of the fixture so far, and what a store without the
 * content index must get back: a revision, a retraction, a duplicate. */
static void
content_history(struct store *s)
{
	struct proto_payload p;
	struct rec x;
	uint8_t a[32], b[32];

	tu_claim(&p, "am-mfa", "borders", "Old store, first.");
	append_ok(s, &p, desk_sk, a);
	revision(&p, a, a, 2, "Old store, first, revised.");
	append_ok(s, &p, desk_sk, NULL);
	tu_claim(&p, "am-mfa", "borders", "Old store, second.");
	append_ok(s, &p, desk_sk, b);
	revision(&p, b, b, 2, "Old store, second.");
	p.claim.status = PROTO_STATUS_RETRACTED;
	free(p.claim.note);
	p.claim.note = strdup("withdrawn");
	append_ok(s, &p, desk_sk, NULL);
	tu_claim(&p, "am-mfa", "borders", "Old store, third.");
	append_ok(s, &p, desk_sk, NULL);
	tu_claim(&p, "am-mfa", "borders", "Old store, third.");
	p.time++;
	rec_make(&x, &p, desk_sk);
	assert_int_equal(append_one(s, &x, true).rc, PROTO_OK);
	rec_free(&x);
}

/* Whether a new claim saying statement is refused as a duplicate. */
static bool
is_duplicate(struct store *s, const char *statement)
{
	struct proto_payload p;
	struct rec x;
	int rc;

	tu_claim(&p, "am-mfa", "borders", statement);
	p.time += 100;
	rec_make(&x, &p, desk_sk);
	rc = append_one(s, &x, false).rc;
	rec_free(&x);
	return rc == PROTO_EDUPLICATE;
}

/*
 * The content index's key of a one-topic claim without a date made, from
 * its definition: SHA-256 (libsodium's) of the CBOR ["am-mfa", [topic],
 * statement, null], then the claim's first index.
 */
static void
content_key(
    const char *topic, const char *statement, uint64_t first, uint8_t key[40])
{
	struct proto_buf b;

	proto_buf_init(&b);
	assert_int_equal(proto_cbor_put_array(&b, 4), 0);
	assert_int_equal(proto_cbor_put_str(&b, "am-mfa"), 0);
	assert_int_equal(proto_cbor_put_array(&b, 1), 0);
	assert_int_equal(proto_cbor_put_str(&b, topic), 0);
	assert_int_equal(proto_cbor_put_str(&b, statement), 0);
	assert_int_equal(proto_cbor_put_null(&b), 0);
	crypto_hash_sha256(key, b.data, b.len);
	proto_buf_release(&b);
	for (int i = 0; i < 8; i++)
		key[32 + i] = (uint8_t)(first >> (56 - 8 * i));
}

/*
 * A store made before the content index (no "content" database, no
 * "content.size"): read-only it opens and checks as before; the first
 * read-write open builds the index from the log, and the guard and the
 * check work on it. Entries an older claimd appends afterwards are
 * caught up at the next open.
 */
static void
test_store_content_index_of_an_older_store(void **state)
{
	struct fixture *f = *state;
	struct store_opts ro = {.read_only = true};
	struct proto_payload p;
	struct store *s;
	uint8_t key[40], behind[8];
	uint64_t at;
	char err[256];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;

	content_history(f->s);
	store_close(f->s);
	f->s = NULL;
	/* Back to what an older claimd left. */
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "content", 0, &dbi), 0);
	assert_int_equal(mdb_drop(txn, dbi, 1), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	damage(f->dir, "meta", "content.size", 12, NULL, 0);

	assert_int_equal(store_open(f->dir, &ro, &s, err, sizeof(err)), 0);
	assert_int_equal(store_check(s, NULL, NULL, err, sizeof(err)), 0);
	store_close(s);

	f->s = open_store(f->dir, 0);
	assert_int_equal(store_check(f->s, NULL, NULL, err, sizeof(err)), 0);
	assert_false(is_duplicate(f->s, "Old store, first."));
	assert_true(is_duplicate(f->s, "Old store, first, revised."));
	assert_false(is_duplicate(f->s, "Old store, second."));
	assert_true(is_duplicate(f->s, "Old store, third."));

	/* An older claimd appends a claim: neither the index nor
	 * "content.size" has it. */
	tu_claim(&p, "am-mfa", "borders", "Appended by an older claimd.");
	at = append_ok(f->s, &p, desk_sk, NULL);
	store_close(f->s);
	content_key("borders", "Appended by an older claimd.", at, key);
	damage(f->dir, "content", key, sizeof(key), NULL, 0);
	memcpy(behind, key + 32, 8); /* its index: the size before it */
	damage(f->dir, "meta", "content.size", 12, behind, 8);
	f->s = open_store(f->dir, 0);
	assert_int_equal(store_check(f->s, NULL, NULL, err, sizeof(err)), 0);
	assert_true(is_duplicate(f->s, "Appended by an older claimd."));
}

/* The check cross-checks the content index against the log. */
static void
test_store_check_content_index(void **state)
{
	struct fixture *f = *state;
	struct proto_payload p;
	uint8_t key[40];
	char err[256];
	int rc;

	tu_claim(&p, "am-mfa", "borders", "Indexed by content.");
	content_key("borders", "Indexed by content.",
	    append_ok(f->s, &p, desk_sk, NULL), key);
	assert_int_equal(store_check(f->s, NULL, NULL, err, sizeof(err)), 0);
	store_close(f->s);
	damage(f->dir, "content", key, sizeof(key), NULL, 0);
	f->s = open_store(f->dir, 0);
	rc = store_check(f->s, NULL, NULL, err, sizeof(err));
	assert_int_equal(rc, PROTO_ESTORE);
	assert_non_null(strstr(err, "content index lacks the claim at 2"));
	/* A stray entry: one more than the live claims. */
	store_close(f->s);
	damage(f->dir, "content", key, sizeof(key), "", 0);
	key[0] ^= 1;
	damage(f->dir, "content", key, sizeof(key), "", 0);
	f->s = open_store(f->dir, 0);
	rc = store_check(f->s, NULL, NULL, err, sizeof(err));
	assert_int_equal(rc, PROTO_ESTORE);
	assert_non_null(strstr(err, "content index has 2 entries"));
}

/*
 * Damaged files: store_open() names them and returns PROTO_EDAMAGED,
 * read-only or not, and writes nothing into them; reads of damage found
 * later are PROTO_EDAMAGED with LMDB's cause.
 */
#define PSIZE 4096           /* LMDB's page size: the system's */
#define LEAF  (SIZE_MAX - 1) /* the page of "statement 75." */

/* A compacted store of parties, a grant and n claims "statement i". */
static char *
compacted(struct fixture *f, int n, size_t *len)
{
	struct proto_payload p;
	char *dir = tu_tmpdir(), err[256], stmt[64], path[600], *data;

	for (int i = 0; i < n; i++) {
		snprintf(stmt, sizeof(stmt), "statement %d.", i);
		tu_claim(&p, "am-mfa", "borders", stmt);
		append_ok(f->s, &p, desk_sk, NULL);
	}
	assert_int_equal(store_backup(f->s, dir, err, sizeof(err)), PROTO_OK);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_non_null(data = tu_read_file(path, len));
	tu_rmrf(dir);
	free(dir);
	return data;
}

/* The leaf page of data that holds text. */
static size_t
leaf_with(const char *data, size_t len, const char *text)
{
	size_t tl = strlen(text), page;
	uint16_t flags;

	for (size_t i = 0; i + tl <= len; i++)
		if (memcmp(data + i, text, tl) == 0) {
			page = i / PSIZE;
			memcpy(&flags, data + page * PSIZE + 10, 2);
			assert_true(flags & 0x02); /* P_LEAF */
			return page;
		}
	fail_msg("no \"%s\" in the store", text);
	return 0;
}

static void
put_mdb(const char *dir, const void *data, size_t len)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void
test_store_open_refuses_damage(void **state)
{
	struct fixture *f = *state;
	size_t len, lp;
	char *good = compacted(f, 150, &len), *bad, err[512], path[600];
	const struct {
		const char *what;
		size_t zero; /* page to zero, or SIZE_MAX */
		size_t cut;  /* length to keep, or SIZE_MAX */
		const char *says;
	} cases[] = {
	    {"cut to half", SIZE_MAX, len / 2, "the file was cut short"},
	    {"cut by a byte", SIZE_MAX, len - 1, "the file was cut short"},
	    {"a leaf zeroed", LEAF, SIZE_MAX, "database \"log\" is damaged"},
	    {"meta 0 zeroed", 0, SIZE_MAX, "meta page 0"},
	    {"meta 1 zeroed", 1, SIZE_MAX, "meta page 1"},
	    {"emptied", SIZE_MAX, 0, "is empty (0 bytes)"},
	    {"too short", SIZE_MAX, 100, "is not an LMDB file"},
	};

	lp = leaf_with(good, len, "statement 75.");
	assert_true(lp > 2 && lp < len / PSIZE - 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t zero = cases[i].zero == LEAF ? lp : cases[i].zero;
		size_t keep = cases[i].cut == SIZE_MAX ? len : cases[i].cut;

		for (int ro = 0; ro < 2; ro++) {
			struct store_opts o = {.read_only = ro};
			char *dir = tu_tmpdir();
			struct store *s = NULL;
			size_t after;
			int rc;

			assert_non_null(bad = malloc(len));
			memcpy(bad, good, len);
			if (zero != SIZE_MAX)
				memset(bad + zero * PSIZE, 0, PSIZE);
			put_mdb(dir, bad, keep);
			rc = store_open(dir, &o, &s, err, sizeof(err));
			if (rc != PROTO_EDAMAGED ||
			    strstr(err, cases[i].says) == NULL ||
			    strchr(err, '\n') != NULL)
				fail_msg("%s (%s): %s: %s", cases[i].what,
				    ro ? "read-only" : "read-write",
				    proto_errname(rc), err);
			assert_null(s);
			/* Not a byte written: an empty file is not made a
			 * new store. */
			snprintf(path, sizeof(path), "%s/data.mdb", dir);
			free(tu_read_file(path, &after));
			assert_int_equal(after, keep);
			tu_rmrf(dir);
			free(dir);
			free(bad);
		}
	}
	/* The zeroed leaf, by number. */
	{
		char *dir = tu_tmpdir(), want[64];
		struct store *s = NULL;

		assert_non_null(bad = malloc(len));
		memcpy(bad, good, len);
		memset(bad + lp * PSIZE, 0, PSIZE);
		put_mdb(dir, bad, len);
		assert_int_equal(store_open(dir, NULL, &s, err, sizeof(err)),
		    PROTO_EDAMAGED);
		snprintf(want, sizeof(want), "page %zu (byte offset %zu)", lp,
		    lp * PSIZE);
		if (strstr(err, want) == NULL)
			fail_msg("want \"%s\" in: %s", want, err);
		tu_rmrf(dir);
		free(dir);
		free(bad);
	}
	/* The same bytes undamaged open, and check sound. */
	{
		char *dir = tu_tmpdir();
		struct store *s;

		put_mdb(dir, good, len);
		s = open_store(dir, 0);
		assert_int_equal(
		    store_check(s, NULL, NULL, err, sizeof(err)), PROTO_OK);
		store_close(s);
		tu_rmrf(dir);
		free(dir);
	}
	free(good);
}

static void
test_store_damage_found_while_open(void **state)
{
	struct fixture *f = *state;
	size_t len, lp;
	char *good = compacted(f, 150, &len), *dir = tu_tmpdir(), path[600];
	char zero[PSIZE] = {0};
	struct store_snap *snap;
	const uint8_t *bytes;
	struct store *s;
	int fd;

	lp = leaf_with(good, len, "statement 75.");
	put_mdb(dir, good, len);
	s = open_store(dir, 0);
	assert_int_equal(store_snap_begin(s, &snap), PROTO_OK);
	assert_int_equal(store_get(snap, 2 + 75, &bytes, &len), PROTO_OK);
	assert_string_equal(store_snap_error(snap), "");
	store_snap_end(snap);
	/* The page goes bad under the open store. */
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_true((fd = open(path, O_WRONLY)) >= 0);
	assert_int_equal(pwrite(fd, zero, PSIZE, (off_t)(lp * PSIZE)), PSIZE);
	close(fd);
	assert_int_equal(store_snap_begin(s, &snap), PROTO_OK);
	assert_int_equal(store_get(snap, 2 + 75, &bytes, &len), PROTO_EDAMAGED);
	if (strstr(store_snap_error(snap), "reading the log: MDB_CORRUPTED") ==
	    NULL)
		fail_msg("cause: %s", store_snap_error(snap));
	/* An entry on a sound page still reads. */
	store_snap_end(snap);
	store_close(s);
	tu_rmrf(dir);
	free(dir);
	free(good);
}

/*
 * Roots and proofs against a textbook RFC 6962 recursion (section 2.1,
 * testutil's tu_merkle_*: libsodium's SHA-256 and nothing of proto's
 * Merkle code), for every size from 0 to 75: MTH for the roots, PATH for
 * inclusion proofs and SUBPROOF for consistency proofs, byte for byte.
 */

#define TREE_N 75

static uint8_t leaf[TREE_N][32];

/* Appends TREE_N - 2 claims after the fixture's two registry records. */
static void
fill_tree(struct store *s)
{
	struct store_snap *snap;
	struct proto_payload p;
	const uint8_t *bytes;
	size_t len;

	for (int i = 2; i < TREE_N; i++) {
		char stmt[32];

		snprintf(stmt, sizeof(stmt), "tree %d", i);
		tu_claim(&p, "am-mfa", "t", stmt);
		append_ok(s, &p, desk_sk, NULL);
	}
	assert_int_equal(store_snap_begin(s, &snap), PROTO_OK);
	for (int i = 0; i < TREE_N; i++) {
		assert_int_equal(store_get(snap, (uint64_t)i, &bytes, &len), 0);
		tu_merkle_leaf(bytes, len, leaf[i]);
	}
	store_snap_end(snap);
}

static void
test_store_roots_and_proofs(void **state)
{
	struct fixture *f = *state;
	uint8_t root[TREE_N + 1][32], want[32];
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][32], expect[16][32];
	struct store_snap *snap;
	size_t n;

	fill_tree(f->s);
	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	for (uint64_t s = 0; s <= TREE_N; s++) {
		assert_int_equal(store_root(snap, s, root[s]), PROTO_OK);
		tu_merkle_mth((const uint8_t(*)[32])leaf, 0, s, want);
		assert_memory_equal(root[s], want, 32);
	}
	crypto_hash_sha256(want, NULL, 0);
	assert_memory_equal(root[0], want, 32);
	for (uint64_t s = 1; s <= TREE_N; s++) {
		for (uint64_t i = 0; i < s; i++) {
			assert_int_equal(
			    store_inclusion(snap, i, s, proof, &n), 0);
			assert_int_equal(n,
			    tu_merkle_path(
				(const uint8_t(*)[32])leaf, i, 0, s, expect));
			assert_memory_equal(proof, expect, n * 32);
			assert_int_equal(
			    proto_merkle_verify_inclusion(leaf[i], i, s,
				(const uint8_t(*)[32])proof, n, root[s]),
			    PROTO_OK);
		}
		for (uint64_t m = 0; m <= s; m++) {
			assert_int_equal(
			    store_consistency(snap, m, s, proof, &n), 0);
			if (m > 0) {
				assert_int_equal(n,
				    tu_merkle_subproof(
					(const uint8_t(*)[32])leaf, m, 0, s,
					true, expect));
				assert_memory_equal(proof, expect, n * 32);
			}
			assert_int_equal(
			    proto_merkle_verify_consistency(m, s, root[m],
				root[s], (const uint8_t(*)[32])proof, n),
			    PROTO_OK);
		}
	}
	assert_int_equal(store_root(snap, TREE_N + 1, want), PROTO_EINVAL);
	assert_int_equal(store_inclusion(snap, 5, 5, proof, &n), PROTO_EINVAL);
	store_snap_end(snap);
}

/* --dump: leaves, roots and proofs for the Python implementation. */
static int
dump(void)
{
	struct fixture *f;
	struct store_snap *snap;
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][32], h[32];
	const uint8_t *bytes;
	size_t len, n;
	char hex[2 * PROTO_RECORD_MAX + 1];
	void *state;

	setup(&state);
	f = state;
	fill_tree(f->s);
	assert_int_equal(store_snap_begin(f->s, &snap), PROTO_OK);
	for (uint64_t i = 0; i < TREE_N; i++) {
		assert_int_equal(store_get(snap, i, &bytes, &len), 0);
		proto_hex(bytes, len, hex);
		printf("leaf %llu %s\n", (unsigned long long)i, hex);
	}
	for (uint64_t s = 0; s <= TREE_N; s++) {
		assert_int_equal(store_root(snap, s, h), 0);
		proto_hex(h, 32, hex);
		printf("root %llu %s\n", (unsigned long long)s, hex);
		for (uint64_t i = 0; i < s; i++) {
			assert_int_equal(
			    store_inclusion(snap, i, s, proof, &n), 0);
			printf("incl %llu %llu ", (unsigned long long)i,
			    (unsigned long long)s);
			for (size_t k = 0; k < n; k++) {
				proto_hex(proof[k], 32, hex);
				printf("%s%s", k ? "," : "", hex);
			}
			printf("%s\n", n ? "" : "-");
		}
		for (uint64_t m = 1; m <= s; m++) {
			assert_int_equal(
			    store_consistency(snap, m, s, proof, &n), 0);
			printf("cons %llu %llu ", (unsigned long long)m,
			    (unsigned long long)s);
			for (size_t k = 0; k < n; k++) {
				proto_hex(proof[k], 32, hex);
				printf("%s%s", k ? "," : "", hex);
			}
			printf("%s\n", n ? "" : "-");
		}
	}
	store_snap_end(snap);
	teardown(&state);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_store_append_and_read_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_resolve_ambiguous_and_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_indexes, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_read_failures_are_proto_errs, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_check_read_failures, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_replica_all_or_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_version_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_version_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_owner_records, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_idempotent_resubmission, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_batch_atomicity, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_refused_entry_leaves_batch_alone, setup, teardown),
	    cmocka_unit_test(test_store_map_grows),
	    cmocka_unit_test_setup_teardown(test_store_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_clears_stale_readers, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_backup_reopens_and_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_format, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_duplicate_guard, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_content_index_of_an_older_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_check_content_index, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_check_detects_damage, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_roots_and_proofs, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_open_refuses_damage, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_store_damage_found_while_open, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	tu_key(1, admin_pk, admin_sk);
	tu_key(2, desk_pk, desk_sk);
	if (argc > 1 && strcmp(argv[1], "--dump") == 0)
		return dump();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
