/*
 * append.c: the write path. One transaction per batch: the log, every
 * index, the Merkle nodes and the counters, committed together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The state of the log inside a write transaction, for proto_rules. */
struct wctx {
	struct store *s;
	MDB_txn *txn;
	uint64_t index; /* of the record being applied */
	uint64_t first; /* its claim's first index, once head_set ran */
	int mdb_rc;     /* the first LMDB failure, for the caller */
};

struct counters {
	uint64_t claims, revisions, retractions, parties, grants, revokes;
};

/* Records an LMDB failure and returns it as a proto_err. */
static int
fail(struct wctx *w, int rc)
{
	if (w->mdb_rc == 0)
		w->mdb_rc = rc;
	return store_err(rc);
}

static int
put(struct wctx *w, MDB_dbi dbi, const void *k, size_t klen, const void *v,
    size_t vlen, unsigned flags)
{
	MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};
	int rc;

	if ((rc = mdb_put(w->txn, dbi, &key, &val, flags)) != 0)
		return fail(w, rc);
	return PROTO_OK;
}

/* mdb_get, with MDB_NOTFOUND as *found = false. */
static int
get(struct wctx *w, MDB_dbi dbi, const void *k, size_t klen, MDB_val *val,
    bool *found)
{
	MDB_val key = {klen, (void *)k};
	int rc = mdb_get(w->txn, dbi, &key, val);

	*found = rc == 0;
	if (rc == MDB_NOTFOUND)
		return PROTO_OK;
	return rc == 0 ? PROTO_OK : fail(w, rc);
}

static int
w_party_exists(void *ctx, const char *slug, bool *exists)
{
	struct wctx *w = ctx;
	MDB_val v;

	return get(w, w->s->party, slug, strlen(slug), &v, exists);
}

static int
w_grant_held(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party,
    bool *held)
{
	struct wctx *w = ctx;
	uint8_t k[PROTO_GRANT_KEY_MAX];
	MDB_val v;
	size_t n;
	int rc;

	if ((rc = proto_grant_key(key, party, k, &n)) != PROTO_OK)
		return rc;
	return get(w, w->s->grant, k, n, &v, held);
}

static int
w_claim_head(void *ctx, const uint8_t id[PROTO_HASH_LEN],
    struct proto_head *head, bool *found)
{
	struct wctx *w = ctx;
	struct store_claim c;
	int rc;

	if ((rc = store_claim_find(w->txn, w->s, id, &c, found)) != 0 ||
	    !*found)
		return rc;
	memset(head, 0, sizeof(*head));
	head->version = c.version;
	memcpy(head->hash, c.head_hash, PROTO_HASH_LEN);
	memcpy(head->party, c.party, sizeof(head->party));
	return PROTO_OK;
}

/*
 * The claim payload of the log entry at idx (big-endian) into *p, which
 * the caller releases; PROTO_ESTORE if it is missing or no claim.
 */
static int
claim_at(struct wctx *w, const uint8_t idx[8], struct proto_payload *p)
{
	struct proto_record rec;
	MDB_val val;
	bool found;
	int rc;

	if ((rc = get(w, w->s->log, idx, 8, &val, &found)) != 0)
		return rc;
	/* The store holds only records it checked: decoding suffices. */
	if (!found ||
	    proto_record_parse(val.mv_data, val.mv_size, &rec, NULL, 0) !=
		PROTO_OK ||
	    proto_record_payload(&rec, p, NULL, 0) != PROTO_OK)
		return PROTO_ESTORE;
	if (p->kind != PROTO_KIND_CLAIM) {
		proto_payload_release(p);
		return PROTO_ESTORE;
	}
	return PROTO_OK;
}

/* The head's status and content, from its record in the log. */
static int
w_head_content(
    void *ctx, const uint8_t id[PROTO_HASH_LEN], struct proto_head *head)
{
	struct wctx *w = ctx;
	struct proto_payload p;
	struct store_claim c;
	uint8_t idx[8];
	bool found;
	int rc;

	if ((rc = store_claim_find(w->txn, w->s, id, &c, &found)) != 0)
		return rc;
	if (!found)
		return PROTO_ESTORE;
	store_be64(idx, c.head);
	if ((rc = claim_at(w, idx, &p)) != PROTO_OK)
		return rc;
	head->status = p.claim.status;
	rc = proto_claim_content(&p.claim, head->content);
	proto_payload_release(&p);
	return rc;
}

static int
w_party_add(void *ctx, const char *slug, const char *name)
{
	struct wctx *w = ctx;
	uint8_t v[8 + PROTO_NAME_MAX];
	size_t nl = strlen(name);

	if (nl > PROTO_NAME_MAX)
		return PROTO_ETOOBIG;
	store_be64(v, w->index);
	memcpy(v + 8, name, nl);
	return put(
	    w, w->s->party, slug, strlen(slug), v, 8 + nl, MDB_NOOVERWRITE);
}

static int
w_grant_set(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party,
    bool held)
{
	struct wctx *w = ctx;
	uint8_t k[PROTO_GRANT_KEY_MAX], v[8];
	MDB_val mk;
	size_t n;
	int rc;

	if ((rc = proto_grant_key(key, party, k, &n)) != PROTO_OK)
		return rc;
	if (held) {
		store_be64(v, w->index);
		return put(w, w->s->grant, k, n, v, 8, 0);
	}
	mk.mv_size = n;
	mk.mv_data = k;
	if ((rc = mdb_del(w->txn, w->s->grant, &mk, NULL)) != 0)
		return fail(w, rc);
	return PROTO_OK;
}

static int
w_head_set(
    void *ctx, const uint8_t id[PROTO_HASH_LEN], const struct proto_head *head)
{
	struct wctx *w = ctx;
	uint8_t v[CLAIM_VAL_FIXED + PROTO_SLUG_MAX], k[INDEX_KEY_MAX];
	uint8_t first_key[8], vk[VERSION_KEY_LEN], idx[8];
	size_t pl = strlen(head->party);
	uint64_t first = w->index;
	struct store_claim c;
	unsigned flags = 0;
	bool found;
	int rc;

	if ((rc = store_claim_find(w->txn, w->s, id, &c, &found)) != 0)
		return rc;
	if (found) {
		first = c.first;
	} else {
		/* A new claim: at the end of the claim index, and of its
		 * party's list. */
		flags = MDB_APPEND;
		if ((rc = put(w, w->s->byparty, k,
			 store_index_key(k, head->party, first), NULL, 0, 0)))
			return rc;
	}
	store_be64(first_key, first);
	memcpy(v, id, PROTO_HASH_LEN);
	store_be64(v + PROTO_HASH_LEN, w->index);
	store_be64(v + PROTO_HASH_LEN + 8, head->version);
	memcpy(v + PROTO_HASH_LEN + 16, head->hash, PROTO_HASH_LEN);
	memcpy(v + CLAIM_VAL_FIXED, head->party, pl);
	if ((rc = put(w, w->s->claim, first_key, 8, v, CLAIM_VAL_FIXED + pl,
		 flags)) != 0)
		return rc;
	w->first = first;
	store_version_key(vk, first, head->version);
	store_be64(idx, w->index);
	return put(w, w->s->version, vk, sizeof(vk), idx, 8, MDB_NOOVERWRITE);
}

static const struct proto_state_ops wops = {
    .party_exists = w_party_exists,
    .grant_held = w_grant_held,
    .claim_head = w_claim_head,
    .head_content = w_head_content,
    .party_add = w_party_add,
    .grant_set = w_grant_set,
    .head_set = w_head_set,
};

/* Stores leaf index's hash and every subtree it completes. */
static int
tree_add(struct wctx *w, uint64_t index, const uint8_t leaf[PROTO_HASH_LEN])
{
	uint8_t k[TREE_KEY_LEN], cur[PROTO_HASH_LEN];
	unsigned level = 0;
	MDB_val left;
	bool found;
	int rc;

	memcpy(cur, leaf, PROTO_HASH_LEN);
	for (;;) {
		store_tree_key(k, level, index);
		if ((rc = put(w, w->s->tree, k, sizeof(k), cur, PROTO_HASH_LEN,
			 0)) != 0)
			return rc;
		if ((index & 1) == 0)
			return PROTO_OK;
		store_tree_key(k, level, index - 1);
		if ((rc = get(w, w->s->tree, k, sizeof(k), &left, &found)) != 0)
			return rc;
		if (!found || left.mv_size != PROTO_HASH_LEN)
			return PROTO_ESTORE;
		proto_merkle_node(left.mv_data, cur, cur);
		level++;
		index >>= 1;
	}
}

/* The claim's topics, under the first index head_set just wrote. */
static int
topics_add(struct wctx *w, const struct proto_claim *c)
{
	uint8_t k[INDEX_KEY_MAX];
	int rc;

	for (size_t i = 0; i < c->ntopics; i++)
		if ((rc = put(w, w->s->bytopic, k,
			 store_index_key(k, c->topics[i], w->first), NULL, 0,
			 0)) != 0)
			return rc;
	return PROTO_OK;
}

/*
 * The content index (internal.h): the duplicate guard's view of which
 * live claim says what.
 */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
store_content_key(const struct proto_claim *c, uint8_t key[PROTO_HASH_LEN])
{
	const char *t[PROTO_TOPICS_MAX];
	struct proto_buf b;
	size_t n = c->ntopics;
	int rc;

	if (n > PROTO_TOPICS_MAX)
		return PROTO_EINVAL;
	memcpy(t, c->topics, n * sizeof(*t));
	qsort(t, n, sizeof(*t), cmp_str);
	proto_buf_init(&b);
	if ((rc = proto_cbor_put_array(&b, 4)) ||
	    (rc = proto_cbor_put_str(&b, c->party)) ||
	    (rc = proto_cbor_put_array(&b, n)))
		goto cleanup;
	for (size_t i = 0; i < n; i++)
		if ((rc = proto_cbor_put_str(&b, t[i])) != PROTO_OK)
			goto cleanup;
	if ((rc = proto_cbor_put_str(&b, c->statement)) ||
	    (rc = c->made != NULL ? proto_cbor_put_str(&b, c->made)
				  : proto_cbor_put_null(&b)))
		goto cleanup;
	proto_sha256(b.data, b.len, key);
cleanup:
	proto_buf_release(&b);
	return rc;
}

static void
content_db_key(uint8_t k[CONTENT_KEY_LEN], const uint8_t key[PROTO_HASH_LEN],
    uint64_t first)
{
	memcpy(k, key, PROTO_HASH_LEN);
	store_be64(k + PROTO_HASH_LEN, first);
}

/* The content key of version v of the claim at first; *live if asserted. */
static int
version_content(struct wctx *w, uint64_t first, uint64_t v,
    uint8_t key[PROTO_HASH_LEN], bool *live)
{
	uint8_t vk[VERSION_KEY_LEN], idx[8];
	struct proto_payload p;
	MDB_val val;
	bool found;
	int rc;

	store_version_key(vk, first, v);
	if ((rc = get(w, w->s->version, vk, sizeof(vk), &val, &found)) != 0)
		return rc;
	if (!found || val.mv_size != 8)
		return PROTO_ESTORE;
	memcpy(idx, val.mv_data, 8);
	if ((rc = claim_at(w, idx, &p)) != PROTO_OK)
		return rc;
	*live = p.claim.status == PROTO_STATUS_ASSERTED;
	rc = store_content_key(&p.claim, key);
	proto_payload_release(&p);
	return rc;
}

/*
 * Claim record c, with content key key, about to be appended at w->index
 * (before head_set runs): its claim's previous version leaves the index,
 * and this one enters unless it is retracted.
 */
static int
content_apply(struct wctx *w, const struct proto_claim *c,
    const uint8_t key[PROTO_HASH_LEN])
{
	uint8_t k[CONTENT_KEY_LEN], old[PROTO_HASH_LEN];
	uint64_t first = w->index;
	struct store_claim sc;
	MDB_val mk = {sizeof(k), k};
	bool found, live = false;
	int rc;

	if (c->version > 1) {
		if ((rc = store_claim_find(
			 w->txn, w->s, c->claim, &sc, &found)) != 0)
			return rc;
		if (!found)
			return PROTO_ESTORE;
		first = sc.first;
		if ((rc = version_content(
			 w, first, c->version - 1, old, &live)) != 0)
			return rc;
	}
	if (live) {
		content_db_key(k, old, first);
		if ((rc = mdb_del(w->txn, w->s->content, &mk, NULL)) != 0 &&
		    rc != MDB_NOTFOUND)
			return fail(w, rc);
	}
	if (c->status != PROTO_STATUS_ASSERTED)
		return PROTO_OK;
	content_db_key(k, key, first);
	return put(w, w->s->content, k, sizeof(k), NULL, 0, 0);
}

/*
 * The duplicate guard: r->rc is PROTO_EDUPLICATE, with the claim it
 * duplicates in r, when a live claim's newest version has content key.
 */
static int
duplicate(
    struct wctx *w, const uint8_t key[PROTO_HASH_LEN], struct store_result *r)
{
	uint8_t k[CONTENT_KEY_LEN], fk[8];
	MDB_val mk = {PROTO_HASH_LEN, k}, val, cv;
	struct store_claim sc;
	char hx[2 * PROTO_HASH_LEN + 1];
	MDB_cursor *cur;
	bool found;
	int rc;

	memcpy(k, key, PROTO_HASH_LEN);
	if ((rc = mdb_cursor_open(w->txn, w->s->content, &cur)) != 0)
		return fail(w, rc);
	rc = mdb_cursor_get(cur, &mk, &val, MDB_SET_RANGE);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND ||
	    (rc == 0 &&
		(mk.mv_size != CONTENT_KEY_LEN ||
		    memcmp(mk.mv_data, key, PROTO_HASH_LEN) != 0)))
		return PROTO_OK;
	if (rc != 0)
		return fail(w, rc);
	/* The oldest such claim: keys sort by first index. */
	memcpy(fk, (uint8_t *)mk.mv_data + PROTO_HASH_LEN, 8);
	if ((rc = get(w, w->s->claim, fk, 8, &cv, &found)) != 0)
		return rc;
	if (!found || val.mv_size != 0 ||
	    store_claim_decode(&cv, store_get64(fk), &sc) != PROTO_OK)
		return PROTO_ESTORE;
	memcpy(r->claim, sc.id, PROTO_HASH_LEN);
	r->index = sc.head;
	r->head.version = sc.version;
	memcpy(r->head.hash, sc.head_hash, PROTO_HASH_LEN);
	memcpy(r->head.party, sc.party, sizeof(r->head.party));
	proto_hex(sc.id, PROTO_HASH_LEN, hx);
	snprintf(r->err, sizeof(r->err),
	    "claim %s (version %llu) has the same party, statement, topics "
	    "and date made",
	    hx, (unsigned long long)sc.version);
	r->rc = PROTO_EDUPLICATE;
	return PROTO_OK;
}

static void
count(struct counters *n, const struct proto_payload *p)
{
	switch (p->kind) {
	case PROTO_KIND_CLAIM:
		if (p->claim.version == 1)
			n->claims++;
		else if (p->claim.status == PROTO_STATUS_RETRACTED)
			n->retractions++;
		else
			n->revisions++;
		break;
	case PROTO_KIND_PARTY:
		n->parties++;
		break;
	case PROTO_KIND_GRANT:
		n->grants++;
		break;
	case PROTO_KIND_REVOKE:
		n->revokes++;
		break;
	case PROTO_KIND_OWNER:
		break;
	}
}

static void
describe(struct store_result *r, const struct proto_payload *p)
{
	if (p->kind != PROTO_KIND_CLAIM)
		return;
	r->version = p->claim.version;
	memcpy(r->claim, p->claim.version == 1 ? r->hash : p->claim.claim,
	    PROTO_HASH_LEN);
}

/*
 * One entry. Returns PROTO_OK when the batch may go on (the entry's own
 * outcome is in r), an error when the transaction must be abandoned.
 */
static int
append_one(struct wctx *w, const uint8_t admin[PROTO_PUBKEY_LEN],
    uint64_t *size, const struct store_entry *e, struct store_result *r,
    struct counters *n)
{
	const struct proto_payload *p = e->payload;
	uint8_t idx[8], ckey[PROTO_HASH_LEN];
	MDB_val v;
	bool found;
	int rc;

	proto_record_hash(e->rec->bytes, e->rec->len, r->hash);
	describe(r, p);
	if ((rc = get(w, w->s->hash, r->hash, PROTO_HASH_LEN, &v, &found)) != 0)
		return rc;
	if (found && e->replica) {
		r->rc = PROTO_ECHAIN;
		snprintf(r->err, sizeof(r->err),
		    "the record is already in the log at index %llu",
		    (unsigned long long)store_get64(v.mv_data));
		return PROTO_ECHAIN;
	}
	if (found) {
		/* Identical bytes: the existing entry is the answer. */
		r->existed = true;
		r->index = store_get64(v.mv_data);
		return PROTO_OK;
	}
	w->index = *size;
	rc = proto_rules_check(&wops, w, admin, e->rec, p, r->hash, &r->head,
	    r->err, sizeof(r->err));
	if (w->mdb_rc != 0 || rc == PROTO_ENOMEM || rc == PROTO_ESTORE)
		return rc != PROTO_OK ? rc : PROTO_ESTORE;
	if (rc != PROTO_OK) {
		r->rc = rc;
		return e->replica ? rc : PROTO_OK;
	}
	if (p->kind == PROTO_KIND_CLAIM) {
		if ((rc = store_content_key(&p->claim, ckey)) != PROTO_OK)
			return rc;
		if (p->claim.version == 1 &&
		    p->claim.status == PROTO_STATUS_ASSERTED &&
		    !e->allow_duplicate && !e->replica &&
		    ((rc = duplicate(w, ckey, r)) != PROTO_OK ||
			r->rc != PROTO_OK))
			return rc;
	}
	store_be64(idx, *size);
	if ((rc = put(w, w->s->log, idx, 8, e->rec->bytes, e->rec->len,
		 MDB_APPEND)) != 0 ||
	    (rc = put(w, w->s->hash, r->hash, PROTO_HASH_LEN, idx, 8,
		 MDB_NOOVERWRITE)) != 0 ||
	    (rc = tree_add(w, *size, r->hash)) != 0)
		return rc;
	if (p->kind == PROTO_KIND_CLAIM &&
	    (rc = content_apply(w, &p->claim, ckey)) != 0)
		return rc;
	if ((rc = proto_rules_apply(&wops, w, p, r->hash)) != 0)
		return rc;
	if (p->kind == PROTO_KIND_CLAIM && (rc = topics_add(w, &p->claim)) != 0)
		return rc;
	count(n, p);
	r->index = (*size)++;
	return PROTO_OK;
}

static int
counters_add(struct wctx *w, const struct counters *n, uint64_t size)
{
	const struct {
		const char *name;
		uint64_t add;
	} c[] = {
	    {META_CLAIMS, n->claims},
	    {META_REVISIONS, n->revisions},
	    {META_RETRACTIONS, n->retractions},
	    {META_PARTIES, n->parties},
	    {META_GRANTS, n->grants},
	    {META_REVOKES, n->revokes},
	};
	uint8_t buf[8];
	uint64_t v;
	int rc;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (c[i].add == 0)
			continue;
		if ((rc = store_counter(w->txn, w->s, c[i].name, &v)) != 0)
			return rc;
		store_be64(buf, v + c[i].add);
		if ((rc = put(w, w->s->meta, c[i].name, strlen(c[i].name), buf,
			 8, 0)) != 0)
			return rc;
	}
	/* The content index covers the log to its new end. */
	store_be64(buf, size);
	return put(
	    w, w->s->meta, META_CONTENT, strlen(META_CONTENT), buf, 8, 0);
}

/* Doubles the map. No transaction of this process may be open. */
static int
grow(struct store *s)
{
	MDB_envinfo info;
	int rc;

	pthread_rwlock_wrlock(&s->resize);
	if ((rc = mdb_env_info(s->env, &info)) == 0 &&
	    (rc = mdb_env_set_mapsize(s->env, info.me_mapsize * 2)) == 0)
		store_map_note(s); /* the guard's bounds */
	pthread_rwlock_unlock(&s->resize);
	return rc;
}

/* One attempt at the whole batch; the raw LMDB code of a failure in *mdb. */
static int
attempt(struct store *s, const uint8_t admin[PROTO_PUBKEY_LEN],
    const struct store_entry *e, size_t n, struct store_result *res, int *mdb)
{
	struct wctx w = {.s = s};
	struct counters cnt = {0};
	MDB_stat st;
	uint64_t size;
	int rc;

	memset(res, 0, n * sizeof(*res));
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &w.txn)) != 0) {
		*mdb = rc;
		return store_err(rc);
	}
	if ((rc = mdb_stat(w.txn, s->log, &st)) != 0) {
		fail(&w, rc);
		goto abort;
	}
	size = st.ms_entries;
	for (size_t i = 0; i < n; i++)
		if ((rc = append_one(&w, admin, &size, &e[i], &res[i], &cnt)) !=
		    PROTO_OK)
			goto abort;
	if ((rc = counters_add(&w, &cnt, size)) != PROTO_OK)
		goto abort;
	if ((rc = mdb_txn_commit(w.txn)) != 0) {
		*mdb = rc;
		return store_err(rc);
	}
	return PROTO_OK;
abort:
	mdb_txn_abort(w.txn);
	*mdb = w.mdb_rc;
	return rc;
}

int
store_append(struct store *s, const struct store_entry *e, size_t n,
    struct store_result *res, char *err, size_t errlen)
{
	uint8_t admin[PROTO_PUBKEY_LEN];
	bool set;
	int rc, mdb;

	if (s->read_only)
		return proto_fail(
		    err, errlen, PROTO_EIO, "store is open read-only");
	if ((rc = store_admin_get(s, admin, &set)) != PROTO_OK)
		return proto_fail(err, errlen, rc, "cannot read the admin key");
	if (!set)
		return proto_fail(
		    err, errlen, PROTO_EINVAL, "store has no admin key");
	for (;;) {
		mdb = 0;
		rc = attempt(s, admin, e, n, res, &mdb);
		if (mdb != MDB_MAP_FULL)
			break;
		/* Nothing was written: make room and do it all again. */
		if ((mdb = grow(s)) != 0)
			return proto_fail(err, errlen, store_err(mdb),
			    "cannot grow the map: %s", mdb_strerror(mdb));
	}
	/* A replica refused: the entry that was, and why. */
	for (size_t i = 0; rc != PROTO_OK && mdb == 0 && i < n; i++)
		if (res[i].rc != PROTO_OK)
			return proto_fail(err, errlen, rc,
			    "entry %zu of the "
			    "batch: %s",
			    i, res[i].err[0] ? res[i].err : proto_strerror(rc));
	if (rc != PROTO_OK)
		return proto_fail(err, errlen, rc, "%s",
		    mdb != 0 ? mdb_strerror(mdb) : proto_strerror(rc));
	return PROTO_OK;
}

/*
 * Building the content index of a store made before it: the log from
 * where "content.size" says, in transactions of CONTENT_CHUNK entries.
 */
#define CONTENT_CHUNK 65536

/* One transaction of it; *done once the index reaches the log's end. */
static int
content_chunk(struct store *s, bool *done, int *mdb)
{
	struct wctx w = {.s = s};
	uint8_t k[8], ckey[PROTO_HASH_LEN];
	MDB_cursor *cur = NULL;
	MDB_val key = {8, k}, val;
	MDB_stat st;
	uint64_t from, i;
	int rc;

	*done = false;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &w.txn)) != 0) {
		*mdb = rc;
		return store_err(rc);
	}
	if ((rc = mdb_stat(w.txn, s->log, &st)) != 0) {
		rc = fail(&w, rc);
		goto abort;
	}
	if ((rc = store_counter(w.txn, s, META_CONTENT, &from)) != 0)
		goto abort;
	if (from >= st.ms_entries) {
		*done = true;
		goto abort; /* nothing to write */
	}
	if ((rc = mdb_cursor_open(w.txn, s->log, &cur)) != 0) {
		rc = fail(&w, rc);
		goto abort;
	}
	store_be64(k, from);
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_KEY);
	for (i = from; rc == 0 && i < from + CONTENT_CHUNK;
	     i++, rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		struct proto_payload p;
		struct proto_record rec;

		if (key.mv_size != 8 || store_get64(key.mv_data) != i ||
		    proto_record_parse(
			val.mv_data, val.mv_size, &rec, NULL, 0) != PROTO_OK ||
		    proto_record_payload(&rec, &p, NULL, 0) != PROTO_OK) {
			rc = PROTO_ESTORE;
			goto abort;
		}
		if (p.kind == PROTO_KIND_CLAIM) {
			w.index = i;
			if ((rc = store_content_key(&p.claim, ckey)) == 0)
				rc = content_apply(&w, &p.claim, ckey);
		}
		proto_payload_release(&p);
		if (rc != 0)
			goto abort;
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		rc = fail(&w, rc);
		goto abort;
	}
	mdb_cursor_close(cur);
	cur = NULL;
	store_be64(k, i);
	if ((rc = put(&w, s->meta, META_CONTENT, strlen(META_CONTENT), k, 8,
		 0)) != 0)
		goto abort;
	if ((rc = mdb_txn_commit(w.txn)) != 0) {
		*mdb = rc;
		return store_err(rc);
	}
	return PROTO_OK;
abort:
	if (cur != NULL)
		mdb_cursor_close(cur);
	mdb_txn_abort(w.txn);
	*mdb = w.mdb_rc;
	return rc;
}

int
store_content_build(struct store *s, char *err, size_t errlen)
{
	bool done = false;
	int rc, mdb;

	while (!done) {
		mdb = 0;
		rc = content_chunk(s, &done, &mdb);
		if (mdb == MDB_MAP_FULL) {
			if ((mdb = grow(s)) != 0)
				return proto_fail(err, errlen, store_err(mdb),
				    "cannot grow the map: %s",
				    mdb_strerror(mdb));
			continue;
		}
		if (rc != PROTO_OK)
			return proto_fail(err, errlen, rc,
			    "cannot build the content index: %s",
			    mdb != 0 ? mdb_strerror(mdb) : proto_strerror(rc));
	}
	return PROTO_OK;
}
