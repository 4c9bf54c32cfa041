/*
 * store.c: opening the environment, metadata, snapshots and every read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEFAULT_MAP (1ULL << 30)

void
store_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t
store_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
store_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return PROTO_OK;
	case MDB_NOTFOUND:
		return PROTO_ENOTFOUND;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
		/* The file is not what LMDB wrote. */
		return PROTO_EDAMAGED;
	case ENOMEM:
		return PROTO_ENOMEM;
	case EIO:
	case ENOSPC:
	case EROFS:
	case EACCES:
	case EPERM:
		return PROTO_EIO;
	default:
		return PROTO_ESTORE;
	}
}

void
store_tree_key(uint8_t key[TREE_KEY_LEN], unsigned level, uint64_t index)
{
	/* By the last leaf it covers: appending leaf i completes exactly
	 * the nodes keyed i || 0, i || 1, ..., all at the end of the db. */
	store_be64(key, ((index + 1) << level) - 1);
	key[8] = (uint8_t)level;
}

size_t
store_index_key(uint8_t *key, const char *name, uint64_t first)
{
	size_t n = strlen(name);

	memcpy(key, name, n);
	key[n] = 0;
	store_be64(key + n + 1, first);
	return n + 9;
}

int
store_claim_decode(const MDB_val *v, uint64_t first, struct store_claim *c)
{
	const uint8_t *p = v->mv_data;
	size_t plen;

	if (v->mv_size < CLAIM_VAL_FIXED + 1 ||
	    (plen = v->mv_size - CLAIM_VAL_FIXED) > PROTO_SLUG_MAX)
		return PROTO_ESTORE;
	c->first = first;
	memcpy(c->id, p, PROTO_HASH_LEN);
	c->head = store_get64(p + PROTO_HASH_LEN);
	c->version = store_get64(p + PROTO_HASH_LEN + 8);
	memcpy(c->head_hash, p + PROTO_HASH_LEN + 16, PROTO_HASH_LEN);
	memcpy(c->party, p + CLAIM_VAL_FIXED, plen);
	c->party[plen] = '\0';
	return PROTO_OK;
}

int
store_claim_find(MDB_txn *txn, struct store *s,
    const uint8_t id[PROTO_HASH_LEN], struct store_claim *c, bool *found)
{
	MDB_val key = {PROTO_HASH_LEN, (void *)id}, val;
	uint8_t k[8];
	int rc;

	*found = false;
	if ((rc = mdb_get(txn, s->hash, &key, &val)) == MDB_NOTFOUND)
		return PROTO_OK;
	if (rc != 0)
		return store_err(rc);
	if (val.mv_size != 8)
		return PROTO_ESTORE;
	memcpy(k, val.mv_data, 8);
	key.mv_size = 8;
	key.mv_data = k;
	if ((rc = mdb_get(txn, s->claim, &key, &val)) == MDB_NOTFOUND)
		return PROTO_OK; /* that record starts no claim */
	if (rc != 0)
		return store_err(rc);
	if ((rc = store_claim_decode(&val, store_get64(k), c)) != PROTO_OK)
		return rc;
	if (memcmp(c->id, id, PROTO_HASH_LEN) != 0)
		return PROTO_ESTORE;
	*found = true;
	return PROTO_OK;
}

void
store_version_key(
    uint8_t key[VERSION_KEY_LEN], uint64_t first, uint64_t version)
{
	store_be64(key, first);
	store_be64(key + 8, version);
}

/*
 * A new store is stamped with STORE_FORMAT; an old one must carry it. A
 * store with entries and no stamp was made before stores had one.
 */
static int
check_format(MDB_txn *txn, struct store *s, char *err, size_t errlen)
{
	MDB_val key = {strlen(META_FORMAT), (void *)META_FORMAT}, val;
	MDB_stat st;
	int rc;

	rc = mdb_get(txn, s->meta, &key, &val);
	if (rc == 0) {
		if (val.mv_size == strlen(STORE_FORMAT) &&
		    memcmp(val.mv_data, STORE_FORMAT, val.mv_size) == 0)
			return PROTO_OK;
		return proto_fail(err, errlen, PROTO_ESTORE,
		    "store format %.*s; this claimd reads format %s only",
		    (int)(val.mv_size > 16 ? 16 : val.mv_size),
		    (const char *)val.mv_data, STORE_FORMAT);
	}
	if (rc != MDB_NOTFOUND)
		return proto_fail(err, errlen, store_err(rc),
		    "cannot read the store format: %s", mdb_strerror(rc));
	if ((rc = mdb_stat(txn, s->log, &st)) != 0)
		return proto_fail(err, errlen, store_err(rc),
		    "cannot read the log: %s", mdb_strerror(rc));
	if (st.ms_entries > 0)
		return proto_fail(err, errlen, PROTO_ESTORE,
		    "store of %zu entries has no format: it was made by an "
		    "older claimd (export it with that one and submit the "
		    "export with claim submit --records)",
		    st.ms_entries);
	if (s->read_only)
		return PROTO_OK; /* empty: nothing to misread */
	val.mv_size = strlen(STORE_FORMAT);
	val.mv_data = (void *)STORE_FORMAT;
	if ((rc = mdb_put(txn, s->meta, &key, &val, 0)) != 0)
		return proto_fail(err, errlen, store_err(rc),
		    "cannot record the store format: %s", mdb_strerror(rc));
	return PROTO_OK;
}

static int
open_dbs(struct store *s, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} dbs[] = {
	    {"log", offsetof(struct store, log)},
	    {"hash", offsetof(struct store, hash)},
	    {"claim", offsetof(struct store, claim)},
	    {"version", offsetof(struct store, version)},
	    {"byparty", offsetof(struct store, byparty)},
	    {"bytopic", offsetof(struct store, bytopic)},
	    {"party", offsetof(struct store, party)},
	    {"grant", offsetof(struct store, grant)},
	    {"tree", offsetof(struct store, tree)},
	    {"meta", offsetof(struct store, meta)},
	};
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_txn_begin(
		 s->env, NULL, s->read_only ? MDB_RDONLY : 0, &txn)) != 0)
		return proto_fail(err, errlen, store_err(rc),
		    "cannot begin a transaction: %s", mdb_strerror(rc));
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		MDB_dbi *dbi = (MDB_dbi *)((char *)s + dbs[i].off);

		if ((rc = mdb_dbi_open(txn, dbs[i].name,
			 s->read_only ? 0 : MDB_CREATE, dbi)) != 0) {
			mdb_txn_abort(txn);
			return proto_fail(err, errlen, store_err(rc),
			    "cannot open database \"%s\": %s", dbs[i].name,
			    mdb_strerror(rc));
		}
	}
	/* Younger than the rest: an older store opened read-only lacks it. */
	rc = mdb_dbi_open(
	    txn, "content", s->read_only ? 0 : MDB_CREATE, &s->content);
	if (rc != 0 && !(rc == MDB_NOTFOUND && s->read_only)) {
		mdb_txn_abort(txn);
		return proto_fail(err, errlen, store_err(rc),
		    "cannot open database \"content\": %s", mdb_strerror(rc));
	}
	s->has_content = rc == 0;
	if ((rc = check_format(txn, s, err, errlen)) != PROTO_OK) {
		mdb_txn_abort(txn);
		return rc;
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		return proto_fail(err, errlen, store_err(rc),
		    "cannot create the databases: %s", mdb_strerror(rc));
	return s->read_only ? PROTO_OK : store_content_build(s, err, errlen);
}

int
store_open(const char *dir, const struct store_opts *opts, struct store **out,
    char *err, size_t errlen)
{
	pthread_rwlockattr_t attr;
	struct store_file f;
	struct store *s;
	char path[4096];
	int rc, dead;
	size_t map =
	    opts != NULL && opts->map_size ? opts->map_size : DEFAULT_MAP;
	unsigned flags = MDB_NOTLS;

	*out = NULL;
	/* Before LMDB maps it: an empty or foreign data.mdb is damage, and
	 * only a folder without one is a new store. */
	if ((size_t)snprintf(path, sizeof(path), "%s/data.mdb", dir) >=
	    sizeof(path))
		return proto_fail(
		    err, errlen, PROTO_EINVAL, "store path too long: %s", dir);
	if ((rc = store_probe(path, &f, err, errlen)) != PROTO_OK)
		return rc;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return PROTO_ENOMEM;
	memcpy(s->path, path, sizeof(s->path));
	s->read_only = opts != NULL && opts->read_only;
	if (s->read_only)
		flags |= MDB_RDONLY;
	pthread_rwlockattr_init(&attr);
	/* Let the writer in: readers arrive all the time in a daemon. */
	pthread_rwlockattr_setkind_np(
	    &attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->resize, &attr);
	pthread_rwlockattr_destroy(&attr);
	if ((rc = mdb_env_create(&s->env)) != 0) {
		free(s);
		return proto_fail(err, errlen, store_err(rc),
		    "cannot create an LMDB environment: %s", mdb_strerror(rc));
	}
	/* An assertion on a damaged page jumps back to store_walk(). */
	if ((rc = mdb_env_set_assert(s->env, store_assert)) != 0 ||
	    (rc = mdb_env_set_maxdbs(s->env, MAX_DBS)) != 0 ||
	    (rc = mdb_env_set_maxreaders(s->env, 512)) != 0 ||
	    (rc = mdb_env_set_mapsize(s->env, map)) != 0)
		goto fail;
	if ((rc = mdb_env_open(s->env, dir, flags, 0600)) != 0) {
		proto_fail(err, errlen, store_err(rc),
		    "cannot open store %s: %s", dir, mdb_strerror(rc));
		rc = store_err(rc);
		goto close;
	}
	/* Every page read once, guarded, before anything else reads one. */
	if (f.exists &&
	    (rc = store_walk(s->env, path, &f, err, errlen)) != PROTO_OK)
		goto close;
	/* Readers a killed process left behind would pin old pages. */
	if ((rc = mdb_reader_check(s->env, &dead)) != 0)
		goto fail;
	/* Another process may have grown the map: adopt its size. */
	if ((rc = mdb_env_set_mapsize(s->env, 0)) != 0)
		goto fail;
	store_map_note(s);
	if ((rc = open_dbs(s, err, errlen)) != PROTO_OK)
		goto close;
	*out = s;
	return PROTO_OK;
fail:
	proto_fail(err, errlen, store_err(rc), "cannot open store %s: %s", dir,
	    mdb_strerror(rc));
	rc = store_err(rc);
close:
	mdb_env_close(s->env);
	pthread_rwlock_destroy(&s->resize);
	free(s);
	return rc;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	mdb_env_close(s->env);
	pthread_rwlock_destroy(&s->resize);
	free(s);
}

int
store_reader_check(struct store *s, unsigned *cleared)
{
	int dead = 0, rc = mdb_reader_check(s->env, &dead);

	*cleared = dead > 0 ? (unsigned)dead : 0;
	return rc == 0 ? PROTO_OK : store_err(rc);
}

/*
 * Metadata
 */

static int
meta_put(
    struct store *s, const char *name, const void *v, size_t n, unsigned flags)
{
	MDB_val key = {strlen(name), (void *)name}, val = {n, (void *)v};
	MDB_txn *txn;
	int rc;

	if (s->read_only)
		return PROTO_EIO;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		return store_err(rc);
	if ((rc = mdb_put(txn, s->meta, &key, &val, flags)) != 0) {
		mdb_txn_abort(txn);
		return rc == MDB_KEYEXIST ? PROTO_EEXISTS : store_err(rc);
	}
	return store_err(mdb_txn_commit(txn));
}

static int
meta_get(struct store *s, const char *name, MDB_val *out, void *buf, size_t cap,
    bool *found)
{
	struct store_snap *snap;
	MDB_val key = {strlen(name), (void *)name};
	int rc;

	*found = false;
	if ((rc = store_snap_begin(s, &snap)) != PROTO_OK)
		return rc;
	/* LMDB's code mapped, and only LMDB's: store_err(PROTO_EINVAL)
	 * would be PROTO_ESTORE. */
	rc = mdb_get(snap->txn, s->meta, &key, out);
	if (rc == MDB_NOTFOUND) {
		rc = PROTO_OK;
	} else if (rc != 0) {
		rc = store_err(rc);
	} else {
		*found = true;
		if (out->mv_size > cap)
			rc = PROTO_EINVAL;
		else
			memcpy(buf, out->mv_data, out->mv_size);
	}
	store_snap_end(snap);
	return rc;
}

int
store_admin_get(struct store *s, uint8_t admin[PROTO_PUBKEY_LEN], bool *set)
{
	uint8_t buf[PROTO_PUBKEY_LEN];
	MDB_val v;
	int rc;

	if ((rc = meta_get(s, META_ADMIN, &v, buf, sizeof(buf), set)) != 0)
		return rc;
	if (*set && v.mv_size != PROTO_PUBKEY_LEN)
		return PROTO_ESTORE;
	if (*set)
		memcpy(admin, buf, PROTO_PUBKEY_LEN);
	return PROTO_OK;
}

int
store_admin_set(struct store *s, const uint8_t admin[PROTO_PUBKEY_LEN])
{
	return meta_put(
	    s, META_ADMIN, admin, PROTO_PUBKEY_LEN, MDB_NOOVERWRITE);
}

int
store_meta_get(
    struct store *s, const char *name, char *out, size_t cap, bool *found)
{
	MDB_val v;
	int rc;

	if (cap == 0)
		return PROTO_EINVAL;
	if ((rc = meta_get(s, name, &v, out, cap - 1, found)) != 0)
		return rc;
	out[*found ? v.mv_size : 0] = '\0';
	return PROTO_OK;
}

int
store_meta_set(struct store *s, const char *name, const char *value)
{
	return meta_put(s, name, value, strlen(value), 0);
}

int
store_counter(MDB_txn *txn, struct store *s, const char *name, uint64_t *v)
{
	MDB_val key = {strlen(name), (void *)name}, val;
	int rc;

	*v = 0;
	if ((rc = mdb_get(txn, s->meta, &key, &val)) == MDB_NOTFOUND)
		return PROTO_OK;
	if (rc != 0)
		return store_err(rc);
	if (val.mv_size != 8)
		return PROTO_ESTORE;
	*v = store_get64(val.mv_data);
	return PROTO_OK;
}

/*
 * Snapshots
 */

int
store_snap_begin(struct store *s, struct store_snap **out)
{
	struct store_snap *snap;
	int rc;

	*out = NULL;
	if ((snap = malloc(sizeof(*snap))) == NULL)
		return PROTO_ENOMEM;
	snap->s = s;
	snap->why[0] = '\0';
	pthread_rwlock_rdlock(&s->resize);
	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &snap->txn);
	if (rc == MDB_MAP_RESIZED) {
		/* Another process grew the map; adopt its size once. */
		pthread_rwlock_unlock(&s->resize);
		pthread_rwlock_wrlock(&s->resize);
		mdb_env_set_mapsize(s->env, 0);
		store_map_note(s);
		pthread_rwlock_unlock(&s->resize);
		pthread_rwlock_rdlock(&s->resize);
		rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &snap->txn);
	}
	if (rc != 0) {
		pthread_rwlock_unlock(&s->resize);
		free(snap);
		return store_err(rc);
	}
	*out = snap;
	return PROTO_OK;
}

void
store_snap_end(struct store_snap *snap)
{
	if (snap == NULL)
		return;
	mdb_txn_abort(snap->txn);
	pthread_rwlock_unlock(&snap->s->resize);
	free(snap);
}

/*
 * Reads
 */

/*
 * A failed read in snap: its cause kept for store_snap_error(), the code
 * returned. rc is LMDB's code, or 0 for a value out of shape.
 */
static int
snap_fail(struct store_snap *snap, int rc, const char *what)
{
	if (snap->why[0] == '\0')
		snprintf(snap->why, sizeof(snap->why), "%s: %s", what,
		    rc != 0 ? mdb_strerror(rc) : "a value out of shape");
	return rc != 0 ? store_err(rc) : PROTO_ESTORE;
}

/* The same for a read that may find nothing: MDB_NOTFOUND is no failure. */
static int
snap_miss(struct store_snap *snap, int rc, const char *what)
{
	return rc == MDB_NOTFOUND ? PROTO_ENOTFOUND : snap_fail(snap, rc, what);
}

/* A failure already a proto_err, kept the same way. */
static int
snap_note(struct store_snap *snap, int rc, const char *what)
{
	if (snap->why[0] == '\0')
		snprintf(snap->why, sizeof(snap->why), "%s: %s", what,
		    proto_strerror(rc));
	return rc;
}

const char *
store_snap_error(const struct store_snap *snap)
{
	return snap->why;
}

uint64_t
store_size(struct store_snap *snap)
{
	MDB_stat st;

	if (mdb_stat(snap->txn, snap->s->log, &st) != 0)
		return 0;
	return st.ms_entries;
}

int
store_get(
    struct store_snap *snap, uint64_t index, const uint8_t **bytes, size_t *len)
{
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	int rc;

	store_be64(k, index);
	if ((rc = mdb_get(snap->txn, snap->s->log, &key, &val)) != 0)
		return snap_miss(snap, rc, "reading the log");
	*bytes = val.mv_data;
	*len = val.mv_size;
	return PROTO_OK;
}

int
store_find(struct store_snap *snap, const uint8_t hash[PROTO_HASH_LEN],
    uint64_t *index)
{
	MDB_val key = {PROTO_HASH_LEN, (void *)hash}, val;
	int rc;

	if ((rc = mdb_get(snap->txn, snap->s->hash, &key, &val)) != 0)
		return snap_miss(snap, rc, "reading the hash index");
	if (val.mv_size != 8)
		return snap_fail(snap, 0, "reading the hash index");
	*index = store_get64(val.mv_data);
	return PROTO_OK;
}

/* Whether the first n hex digits of hash are the digits d. */
static bool
prefix_match(const uint8_t *hash, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int v = i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 15;

		if (v != d[i])
			return false;
	}
	return true;
}

int
store_resolve(
    struct store_snap *snap, const char *prefix, uint8_t hash[PROTO_HASH_LEN])
{
	uint8_t digits[2 * PROTO_HASH_LEN], k[PROTO_HASH_LEN] = {0};
	size_t n = strlen(prefix);
	MDB_val key, val;
	MDB_cursor *cur;
	int rc;

	if (n < PROTO_HEX_PREFIX_MIN || n > 2 * PROTO_HASH_LEN)
		return PROTO_EINVAL;
	for (size_t i = 0; i < n; i++) {
		int v = proto_hex_digit(prefix[i]);

		if (v < 0)
			return PROTO_EINVAL;
		digits[i] = (uint8_t)v;
		k[i / 2] |= (uint8_t)(i % 2 == 0 ? v << 4 : v);
	}
	if ((rc = mdb_cursor_open(snap->txn, snap->s->hash, &cur)) != 0)
		return snap_fail(snap, rc, "reading the hash index");
	key.mv_size = (n + 1) / 2;
	key.mv_data = k;
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	if (rc != 0 || key.mv_size != PROTO_HASH_LEN ||
	    !prefix_match(key.mv_data, digits, n)) {
		rc = rc == 0 ? PROTO_ENOTFOUND
			     : snap_miss(snap, rc, "reading the hash index");
		goto cleanup;
	}
	memcpy(hash, key.mv_data, PROTO_HASH_LEN);
	rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
	if (rc == 0 && prefix_match(key.mv_data, digits, n))
		rc = PROTO_EAMBIGUOUS;
	else if (rc == 0 || rc == MDB_NOTFOUND)
		rc = PROTO_OK;
	else
		rc = snap_fail(snap, rc, "reading the hash index");
cleanup:
	mdb_cursor_close(cur);
	return rc;
}

int
store_claim_get(struct store_snap *snap, const uint8_t id[PROTO_HASH_LEN],
    struct store_claim *c)
{
	bool found;
	int rc;

	if ((rc = store_claim_find(snap->txn, snap->s, id, c, &found)) != 0)
		return snap_note(snap, rc, "reading the claim index");
	return found ? PROTO_OK : PROTO_ENOTFOUND;
}

int
store_claim_version(struct store_snap *snap, const uint8_t id[PROTO_HASH_LEN],
    uint64_t v, uint64_t *index)
{
	uint8_t k[VERSION_KEY_LEN];
	MDB_val key = {sizeof(k), k}, val;
	struct store_claim c;
	int rc;

	if ((rc = store_claim_get(snap, id, &c)) != PROTO_OK)
		return rc;
	store_version_key(k, c.first, v);
	if ((rc = mdb_get(snap->txn, snap->s->version, &key, &val)) != 0)
		return snap_miss(snap, rc, "reading the version index");
	if (val.mv_size != 8)
		return snap_fail(snap, 0, "reading the version index");
	*index = store_get64(val.mv_data);
	return PROTO_OK;
}

int
store_claim_of(struct store_snap *snap, const uint8_t hash[PROTO_HASH_LEN],
    uint8_t id[PROTO_HASH_LEN])
{
	struct proto_payload p;
	struct proto_record r;
	const uint8_t *bytes = NULL;
	uint64_t index;
	size_t len = 0;
	int rc;

	if ((rc = store_find(snap, hash, &index)) != PROTO_OK ||
	    (rc = store_get(snap, index, &bytes, &len)) != PROTO_OK)
		return rc;
	/* The store holds only records it checked: decoding suffices, and
	 * fails only for want of memory, or on a record out of shape. */
	if ((rc = proto_record_parse(bytes, len, &r, NULL, 0)) != PROTO_OK ||
	    (rc = proto_record_payload(&r, &p, NULL, 0)) != PROTO_OK)
		return rc == PROTO_ENOMEM
		    ? rc
		    : snap_note(snap, PROTO_ESTORE, "decoding a record");
	if (p.kind != PROTO_KIND_CLAIM)
		rc = PROTO_EINVAL;
	else
		memcpy(id, p.claim.version == 1 ? hash : p.claim.claim,
		    PROTO_HASH_LEN);
	proto_payload_release(&p);
	return rc;
}

/* The claim that starts at log index first. */
static int
claim_at(struct store_snap *snap, uint64_t first, struct store_claim *c)
{
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	int rc;

	store_be64(k, first);
	if ((rc = mdb_get(snap->txn, snap->s->claim, &key, &val)) != 0)
		return snap_fail(snap, rc == MDB_NOTFOUND ? 0 : rc,
		    "reading the claim index");
	if (store_claim_decode(&val, first, c) != PROTO_OK)
		return snap_fail(snap, 0, "reading the claim index");
	return PROTO_OK;
}

int
store_claims(struct store_snap *snap, const char *party, const char *topic,
    uint64_t from, store_claim_fn fn, void *ctx)
{
	uint8_t k[INDEX_KEY_MAX];
	const char *name = topic != NULL ? topic : party;
	MDB_dbi dbi = topic != NULL ? snap->s->bytopic
	    : party != NULL         ? snap->s->byparty
				    : snap->s->claim;
	size_t plen = 0; /* length of the name || 0 prefix */
	MDB_val key, val;
	MDB_cursor *cur;
	MDB_cursor_op op = MDB_SET_RANGE;
	int rc = PROTO_OK, mrc;

	if (name != NULL) {
		if (strlen(name) > PROTO_SLUG_MAX)
			return PROTO_OK;
		key.mv_size = store_index_key(k, name, from);
		plen = key.mv_size - 8;
	} else {
		store_be64(k, from);
		key.mv_size = 8;
	}
	key.mv_data = k;
	if ((mrc = mdb_cursor_open(snap->txn, dbi, &cur)) != 0)
		return snap_fail(snap, mrc, "reading a claim index");
	while ((mrc = mdb_cursor_get(cur, &key, &val, op)) == 0) {
		uint64_t first;
		struct store_claim c;

		op = MDB_NEXT;
		if (key.mv_size != plen + 8 ||
		    memcmp(key.mv_data, k, plen) != 0)
			break; /* past this name */
		first = store_get64((uint8_t *)key.mv_data + plen);
		if (name != NULL)
			rc = claim_at(snap, first, &c);
		else if ((rc = store_claim_decode(&val, first, &c)) != 0)
			rc = snap_fail(snap, 0, "reading the claim index");
		if (rc != PROTO_OK)
			break;
		if (topic != NULL && party != NULL && strcmp(c.party, party))
			continue;
		if ((rc = fn(ctx, &c)) != PROTO_OK)
			break;
	}
	mdb_cursor_close(cur);
	/* The cursor's code apart from fn's: LMDB's are negative or errno
	 * values (EIO is 5), which would pass for a proto_err. */
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		return snap_fail(snap, mrc, "reading a claim index");
	return rc == STORE_STOP ? PROTO_OK : rc;
}

/* One topic's tally in store_topics(). */
struct topic_tally {
	char name[PROTO_SLUG_MAX + 1];
	uint64_t claims, last;
	char (*parties)[PROTO_SLUG_MAX + 1];
	size_t nparties, cap;
};

static int
tally_party(struct topic_tally *t, const char *party)
{
	for (size_t i = 0; i < t->nparties; i++)
		if (strcmp(t->parties[i], party) == 0)
			return PROTO_OK;
	if (t->nparties == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		void *p = realloc(t->parties, cap * sizeof(*t->parties));

		if (p == NULL)
			return PROTO_ENOMEM;
		t->parties = p;
		t->cap = cap;
	}
	memcpy(t->parties[t->nparties++], party, PROTO_SLUG_MAX + 1);
	return PROTO_OK;
}

int
store_topics(struct store_snap *snap,
    int (*fn)(void *ctx, const char *topic, uint64_t claims, uint64_t parties,
	uint64_t last),
    void *ctx)
{
	struct topic_tally t;
	MDB_cursor *cur;
	MDB_val key, val;
	int rc = PROTO_OK, mrc;

	memset(&t, 0, sizeof(t));
	if ((mrc = mdb_cursor_open(snap->txn, snap->s->bytopic, &cur)) != 0)
		return snap_fail(snap, mrc, "reading the topic index");
	while ((mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		size_t n = key.mv_size - 9;
		struct store_claim c;

		if (key.mv_size < 10 || key.mv_size > INDEX_KEY_MAX ||
		    ((uint8_t *)key.mv_data)[n] != 0) {
			rc = snap_fail(snap, 0, "reading the topic index");
			break;
		}
		if (t.claims > 0 &&
		    (strlen(t.name) != n ||
			memcmp(t.name, key.mv_data, n) != 0)) {
			if ((rc = fn(ctx, t.name, t.claims, t.nparties,
				 t.last)) != PROTO_OK)
				break;
			t.claims = t.last = 0;
			t.nparties = 0;
		}
		memcpy(t.name, key.mv_data, n);
		t.name[n] = '\0';
		if ((rc = claim_at(snap,
			 store_get64((uint8_t *)key.mv_data + n + 1), &c)) !=
			PROTO_OK ||
		    (rc = tally_party(&t, c.party)) != PROTO_OK)
			break;
		t.claims++;
		if (c.head > t.last)
			t.last = c.head;
	}
	mdb_cursor_close(cur);
	if (mrc == MDB_NOTFOUND && t.claims > 0)
		rc = fn(ctx, t.name, t.claims, t.nparties, t.last);
	free(t.parties);
	/* As in store_claims: the cursor's code is never fn's. */
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		return snap_fail(snap, mrc, "reading the topic index");
	return rc == STORE_STOP ? PROTO_OK : rc;
}

int
store_parties(struct store_snap *snap,
    int (*fn)(void *ctx, const char *slug, const char *name, uint64_t index),
    void *ctx)
{
	char slug[PROTO_SLUG_MAX + 1], *name;
	MDB_cursor *cur;
	MDB_val key, val;
	int rc = PROTO_OK, mrc;

	if ((mrc = mdb_cursor_open(snap->txn, snap->s->party, &cur)) != 0)
		return snap_fail(snap, mrc, "reading the party index");
	while ((mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		if (key.mv_size > PROTO_SLUG_MAX || val.mv_size < 8) {
			rc = snap_fail(snap, 0, "reading the party index");
			break;
		}
		memcpy(slug, key.mv_data, key.mv_size);
		slug[key.mv_size] = '\0';
		if ((name = strndup(
			 (char *)val.mv_data + 8, val.mv_size - 8)) == NULL) {
			rc = PROTO_ENOMEM;
			break;
		}
		rc = fn(ctx, slug, name, store_get64(val.mv_data));
		free(name);
		if (rc != PROTO_OK)
			break;
	}
	mdb_cursor_close(cur);
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		return snap_fail(snap, mrc, "reading the party index");
	return rc == STORE_STOP ? PROTO_OK : rc;
}

int
store_party_get(struct store_snap *snap, const char *slug, bool *exists)
{
	MDB_val key = {strlen(slug), (void *)slug}, val;
	int rc = mdb_get(snap->txn, snap->s->party, &key, &val);

	*exists = rc == 0;
	if (rc == 0 || rc == MDB_NOTFOUND)
		return PROTO_OK;
	return snap_fail(snap, rc, "reading the party index");
}

int
store_grants(struct store_snap *snap,
    int (*fn)(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party,
	uint64_t index),
    void *ctx)
{
	char party[PROTO_SLUG_MAX + 1];
	MDB_cursor *cur;
	MDB_val key, val;
	int rc = PROTO_OK, mrc;

	if ((mrc = mdb_cursor_open(snap->txn, snap->s->grant, &cur)) != 0)
		return snap_fail(snap, mrc, "reading the grant index");
	while ((mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		size_t pl = key.mv_size - PROTO_PUBKEY_LEN;

		if (key.mv_size <= PROTO_PUBKEY_LEN || pl > PROTO_SLUG_MAX ||
		    val.mv_size != 8) {
			rc = snap_fail(snap, 0, "reading the grant index");
			break;
		}
		memcpy(party, (uint8_t *)key.mv_data + PROTO_PUBKEY_LEN, pl);
		party[pl] = '\0';
		if ((rc = fn(ctx, key.mv_data, party,
			 store_get64(val.mv_data))) != PROTO_OK)
			break;
	}
	mdb_cursor_close(cur);
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		return snap_fail(snap, mrc, "reading the grant index");
	return rc == STORE_STOP ? PROTO_OK : rc;
}

/*
 * The tree
 */

static int
tree_get(void *ctx, unsigned level, uint64_t index, uint8_t out[PROTO_HASH_LEN])
{
	struct store_snap *snap = ctx;
	uint8_t k[TREE_KEY_LEN];
	MDB_val key = {sizeof(k), k}, val;
	int rc;

	store_tree_key(k, level, index);
	if ((rc = mdb_get(snap->txn, snap->s->tree, &key, &val)) != 0)
		return snap_fail(
		    snap, rc == MDB_NOTFOUND ? 0 : rc, "reading the tree");
	if (val.mv_size != PROTO_HASH_LEN)
		return snap_fail(snap, 0, "reading the tree");
	memcpy(out, val.mv_data, PROTO_HASH_LEN);
	return PROTO_OK;
}

int
store_root(struct store_snap *snap, uint64_t size, uint8_t root[PROTO_HASH_LEN])
{
	if (size > store_size(snap))
		return PROTO_EINVAL;
	return proto_merkle_root(tree_get, snap, size, root);
}

int
store_inclusion(struct store_snap *snap, uint64_t index, uint64_t size,
    uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN], size_t *n)
{
	if (size > store_size(snap) || index >= size)
		return PROTO_EINVAL;
	return proto_merkle_inclusion(tree_get, snap, index, size, proof, n);
}

int
store_consistency(struct store_snap *snap, uint64_t old_size, uint64_t new_size,
    uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN], size_t *n)
{
	if (new_size > store_size(snap) || old_size > new_size)
		return PROTO_EINVAL;
	return proto_merkle_consistency(
	    tree_get, snap, old_size, new_size, proof, n);
}

int
store_stats(struct store_snap *snap, struct store_stats *st)
{
	static const struct {
		const char *name;
		size_t off;
	} counters[] = {
	    {META_CLAIMS, offsetof(struct store_stats, claims)},
	    {META_REVISIONS, offsetof(struct store_stats, revisions)},
	    {META_RETRACTIONS, offsetof(struct store_stats, retractions)},
	    {META_PARTIES, offsetof(struct store_stats, parties)},
	    {META_GRANTS, offsetof(struct store_stats, grants)},
	    {META_REVOKES, offsetof(struct store_stats, revokes)},
	};
	MDB_envinfo info;
	MDB_stat est;
	int rc;

	memset(st, 0, sizeof(*st));
	st->size = store_size(snap);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if ((rc = store_counter(snap->txn, snap->s, counters[i].name,
			 (uint64_t *)((char *)st + counters[i].off))) != 0)
			return snap_note(snap, rc, "reading the counters");
	if ((rc = mdb_env_info(snap->s->env, &info)) != 0 ||
	    (rc = mdb_env_stat(snap->s->env, &est)) != 0)
		return snap_fail(snap, rc, "reading the environment");
	st->map_size = info.me_mapsize;
	st->used = (uint64_t)(info.me_last_pgno + 1) * est.ms_psize;
	return PROTO_OK;
}
