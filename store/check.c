/*
 * check.c: online backup, and the integrity check that recomputes
 * everything from the log and cross-checks every index against it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int
store_backup(struct store *s, const char *dir, char *err, size_t errlen)
{
	int rc;

	pthread_rwlock_rdlock(&s->resize);
	rc = mdb_env_copy2(s->env, dir, MDB_CP_COMPACT);
	pthread_rwlock_unlock(&s->resize);
	if (rc != 0)
		return proto_fail(err, errlen, store_err(rc),
		    "cannot back up to %s: %s", dir, mdb_strerror(rc));
	return PROTO_OK;
}

struct check {
	struct store_snap *snap;
	struct proto_memstate *ms;
	char *err;
	size_t errlen;
	uint64_t versions; /* claim records seen */
	uint64_t nodes;    /* tree nodes checked */
	uint64_t topic_pairs;
	uint64_t live; /* claims whose newest version is not retracted */
	struct store_stats want;
	uint8_t level[64][PROTO_HASH_LEN]; /* last complete node per level */
};

static uint64_t
entries(struct check *c, MDB_dbi dbi)
{
	MDB_stat st;

	if (mdb_stat(c->snap->txn, dbi, &st) != 0)
		return UINT64_MAX;
	return st.ms_entries;
}

/* Checks the stored node (level, index) equals h. */
static int
node_ok(struct check *c, unsigned level, uint64_t index,
    const uint8_t h[PROTO_HASH_LEN])
{
	uint8_t k[TREE_KEY_LEN];
	MDB_val key = {sizeof(k), k}, val;

	store_tree_key(k, level, index);
	c->nodes++;
	if (mdb_get(c->snap->txn, c->snap->s->tree, &key, &val) != 0 ||
	    val.mv_size != PROTO_HASH_LEN ||
	    memcmp(val.mv_data, h, PROTO_HASH_LEN) != 0)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "tree node (level %u, index %llu) is missing or wrong",
		    level, (unsigned long long)index);
	return PROTO_OK;
}

static int
tree_ok(struct check *c, uint64_t i, const uint8_t leaf[PROTO_HASH_LEN])
{
	uint8_t cur[PROTO_HASH_LEN];
	unsigned l = 0;
	int rc;

	memcpy(cur, leaf, PROTO_HASH_LEN);
	for (;;) {
		if ((rc = node_ok(c, l, i, cur)) != PROTO_OK)
			return rc;
		if ((i & 1) == 0) {
			memcpy(c->level[l], cur, PROTO_HASH_LEN);
			return PROTO_OK;
		}
		proto_merkle_node(c->level[l], cur, cur);
		l++;
		i >>= 1;
	}
}

static int
index_has(struct check *c, MDB_dbi dbi, const char *what, const char *name,
    uint64_t first)
{
	uint8_t k[INDEX_KEY_MAX];
	MDB_val key = {store_index_key(k, name, first), k}, val;

	if (mdb_get(c->snap->txn, dbi, &key, &val) != 0 || val.mv_size != 0)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "%s index lacks claim at %llu under %s", what,
		    (unsigned long long)first, name);
	return PROTO_OK;
}

/* The indexes a claim record must appear in. */
static int
claim_ok(struct check *c, uint64_t i, const struct proto_claim *cl,
    const uint8_t hash[PROTO_HASH_LEN])
{
	const uint8_t *id = cl->version == 1 ? hash : cl->claim;
	struct store_claim sc;
	uint64_t at;
	int rc;

	c->versions++;
	if (store_claim_version(c->snap, id, cl->version, &at) != PROTO_OK ||
	    at != i)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "entry %llu: version index does not point at it",
		    (unsigned long long)i);
	if (store_claim_get(c->snap, id, &sc) != PROTO_OK)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "entry %llu: claim missing from the claim index",
		    (unsigned long long)i);
	if (cl->version == 1 && sc.first != i)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "entry %llu: claim index has it at %llu",
		    (unsigned long long)i, (unsigned long long)sc.first);
	if (cl->version == 1 &&
	    (rc = index_has(c, c->snap->s->byparty, "party", cl->party, i)) !=
		PROTO_OK)
		return rc;
	for (size_t t = 0; t < cl->ntopics; t++)
		if ((rc = index_has(c, c->snap->s->bytopic, "topic",
			 cl->topics[t], sc.first)) != PROTO_OK)
			return rc;
	return PROTO_OK;
}

static void
tally(struct store_stats *st, const struct proto_payload *p)
{
	switch (p->kind) {
	case PROTO_KIND_CLAIM:
		if (p->claim.version == 1)
			st->claims++;
		else if (p->claim.status == PROTO_STATUS_RETRACTED)
			st->retractions++;
		else
			st->revisions++;
		break;
	case PROTO_KIND_PARTY:
		st->parties++;
		break;
	case PROTO_KIND_GRANT:
		st->grants++;
		break;
	case PROTO_KIND_REVOKE:
		st->revokes++;
		break;
	case PROTO_KIND_OWNER:
		break;
	}
}

static int
entry_ok(struct check *c, const uint8_t admin[PROTO_PUBKEY_LEN], uint64_t i,
    const MDB_val *key, const MDB_val *val)
{
	char why[192] = "";
	struct proto_payload p;
	struct proto_record r;
	uint8_t hash[PROTO_HASH_LEN];
	uint64_t at;
	int rc;

	if (key->mv_size != 8 || store_get64(key->mv_data) != i)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "log has a gap or stray key at entry %llu",
		    (unsigned long long)i);
	if ((rc = proto_record_open(val->mv_data, val->mv_size, &r, &p, why,
		 sizeof(why))) != PROTO_OK)
		return proto_fail(c->err, c->errlen, rc, "entry %llu: %s",
		    (unsigned long long)i, why);
	proto_record_hash(val->mv_data, val->mv_size, hash);
	if (store_find(c->snap, hash, &at) != PROTO_OK || at != i) {
		rc = proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "entry %llu: hash index does not point at it",
		    (unsigned long long)i);
		goto cleanup;
	}
	if ((rc = tree_ok(c, i, hash)) != PROTO_OK)
		goto cleanup;
	if ((rc = proto_rules_check(&proto_memstate_ops, c->ms, admin, &r, &p,
		 hash, NULL, why, sizeof(why))) != PROTO_OK) {
		rc = proto_fail(c->err, c->errlen, rc,
		    "entry %llu breaks the rules: %s", (unsigned long long)i,
		    why);
		goto cleanup;
	}
	if ((rc = proto_rules_apply(&proto_memstate_ops, c->ms, &p, hash)) !=
	    PROTO_OK)
		goto cleanup;
	if (p.kind == PROTO_KIND_CLAIM) {
		c->topic_pairs += p.claim.ntopics;
		rc = claim_ok(c, i, &p.claim, hash);
	}
	tally(&c->want, &p);
cleanup:
	proto_payload_release(&p);
	return rc;
}

static int
head_ok(void *ctx, const uint8_t id[PROTO_HASH_LEN], const struct proto_head *h)
{
	struct check *c = ctx;
	struct store_claim sc;
	uint64_t at;

	if (store_claim_get(c->snap, id, &sc) != PROTO_OK ||
	    sc.version != h->version ||
	    memcmp(sc.head_hash, h->hash, PROTO_HASH_LEN) != 0 ||
	    strcmp(sc.party, h->party) != 0 ||
	    store_find(c->snap, h->hash, &at) != PROTO_OK || at != sc.head)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "claim index disagrees with the log about a claim of %s",
		    h->party);
	return 0;
}

static int
party_ok(void *ctx, const char *slug, const char *name)
{
	struct check *c = ctx;
	bool exists;

	(void)name;
	if (store_party_get(c->snap, slug, &exists) != PROTO_OK || !exists)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "party index lacks \"%s\"", slug);
	return 0;
}

static int
grant_ok(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party)
{
	struct check *c = ctx;
	uint8_t k[PROTO_GRANT_KEY_MAX];
	MDB_val mk = {0, k}, v;

	if (proto_grant_key(key, party, k, &mk.mv_size) != PROTO_OK ||
	    mdb_get(c->snap->txn, c->snap->s->grant, &mk, &v) != 0)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "grant index lacks a grant for \"%s\"", party);
	return 0;
}

/* A live claim is in the content index under its head's content key. */
static int
content_one(
    void *ctx, const uint8_t id[PROTO_HASH_LEN], const struct proto_head *h)
{
	struct check *c = ctx;
	uint8_t key[PROTO_HASH_LEN], k[CONTENT_KEY_LEN];
	MDB_val mk = {sizeof(k), k}, v;
	struct proto_payload p;
	struct proto_record r;
	struct store_claim sc;
	const uint8_t *bytes;
	size_t len;
	bool live;
	int rc;

	if (store_claim_get(c->snap, id, &sc) != PROTO_OK ||
	    store_get(c->snap, sc.head, &bytes, &len) != PROTO_OK ||
	    proto_record_parse(bytes, len, &r, NULL, 0) != PROTO_OK ||
	    proto_record_payload(&r, &p, NULL, 0) != PROTO_OK)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "cannot read the head of a claim of %s", h->party);
	live = p.kind == PROTO_KIND_CLAIM &&
	    p.claim.status == PROTO_STATUS_ASSERTED;
	rc = live ? store_content_key(&p.claim, key) : PROTO_OK;
	proto_payload_release(&p);
	if (rc != PROTO_OK || !live)
		return rc;
	c->live++;
	memcpy(k, key, PROTO_HASH_LEN);
	store_be64(k + PROTO_HASH_LEN, sc.first);
	if (mdb_get(c->snap->txn, c->snap->s->content, &mk, &v) != 0 ||
	    v.mv_size != 0)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "content index lacks the claim at %llu",
		    (unsigned long long)sc.first);
	return 0;
}

/*
 * The content index holds exactly the live claims, each under its head's
 * content key. Not there yet (a store of an older claimd, opened read-
 * only), or behind the log (an older claimd wrote since), it is left to
 * the next start of claimd, which brings it up to date.
 */
static int
content_ok(struct check *c, uint64_t size)
{
	uint64_t covered, n;
	int rc;

	if (!c->snap->s->has_content)
		return PROTO_OK;
	if ((rc = store_counter(
		 c->snap->txn, c->snap->s, META_CONTENT, &covered)) != PROTO_OK)
		return rc;
	if (covered != size)
		return PROTO_OK;
	if ((rc = proto_memstate_foreach_claim(c->ms, content_one, c)) != 0)
		return rc;
	if ((n = entries(c, c->snap->s->content)) != c->live)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "content index has %llu entries, the log has %llu live "
		    "claims",
		    (unsigned long long)n, (unsigned long long)c->live);
	return PROTO_OK;
}

/* Whether each bytopic entry names a claim whose first index it carries. */
static int
topics_ok(struct check *c)
{
	MDB_cursor *cur;
	MDB_val key, val;
	uint64_t n = 0;
	int rc;

	if (mdb_cursor_open(c->snap->txn, c->snap->s->bytopic, &cur) != 0)
		return PROTO_ESTORE;
	while ((rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		uint8_t k[8];
		MDB_val ck = {8, k}, cv;

		n++;
		if (key.mv_size >= 10)
			memcpy(k, (uint8_t *)key.mv_data + key.mv_size - 8, 8);
		if (key.mv_size < 10 || val.mv_size != 0 ||
		    mdb_get(c->snap->txn, c->snap->s->claim, &ck, &cv) != 0) {
			mdb_cursor_close(cur);
			return proto_fail(c->err, c->errlen, PROTO_ESTORE,
			    "topic index entry %llu names no claim",
			    (unsigned long long)n);
		}
	}
	mdb_cursor_close(cur);
	/* A read that failed is no end of the index. */
	if (rc != MDB_NOTFOUND)
		return proto_fail(c->err, c->errlen, store_err(rc),
		    "cannot read the topic index: %s", mdb_strerror(rc));
	/* Each (topic, claim) pair once, however many versions had it. */
	if (n > c->topic_pairs)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "topic index has %llu entries, more than the log's %llu",
		    (unsigned long long)n, (unsigned long long)c->topic_pairs);
	return PROTO_OK;
}

static int
totals_ok(struct check *c, uint64_t size)
{
	struct store *s = c->snap->s;
	struct store_stats got;
	uint64_t claims = proto_memstate_count(c->ms, PROTO_KIND_CLAIM);
	const struct {
		const char *what;
		uint64_t have, want;
	} t[] = {
	    {"hash index", entries(c, s->hash), size},
	    {"tree", entries(c, s->tree), c->nodes},
	    {"version index", entries(c, s->version), c->versions},
	    {"claim index", entries(c, s->claim), claims},
	    {"party claim index", entries(c, s->byparty), claims},
	    {"party index", entries(c, s->party),
		proto_memstate_count(c->ms, PROTO_KIND_PARTY)},
	    {"grant index", entries(c, s->grant),
		proto_memstate_count(c->ms, PROTO_KIND_GRANT)},
	};
	int rc;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].have != t[i].want)
			return proto_fail(c->err, c->errlen, PROTO_ESTORE,
			    "%s has %llu entries, the log implies %llu",
			    t[i].what, (unsigned long long)t[i].have,
			    (unsigned long long)t[i].want);
	if ((rc = store_stats(c->snap, &got)) != PROTO_OK)
		return rc;
	if (got.claims != c->want.claims ||
	    got.revisions != c->want.revisions ||
	    got.retractions != c->want.retractions ||
	    got.parties != c->want.parties || got.grants != c->want.grants ||
	    got.revokes != c->want.revokes)
		return proto_fail(c->err, c->errlen, PROTO_ESTORE,
		    "counters disagree with the log");
	return PROTO_OK;
}

int
store_check(struct store *s,
    void (*progress)(void *ctx, uint64_t done, uint64_t total), void *pctx,
    char *err, size_t errlen)
{
	uint8_t admin[PROTO_PUBKEY_LEN], root[PROTO_HASH_LEN];
	uint8_t want[PROTO_HASH_LEN];
	struct proto_merkle_edge edge;
	struct check *c;
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	uint64_t size, i = 0;
	bool set;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return PROTO_ENOMEM;
	c->err = err;
	c->errlen = errlen;
	if ((rc = store_admin_get(s, admin, &set)) != PROTO_OK)
		goto done;
	if ((rc = proto_memstate_new(&c->ms)) != PROTO_OK ||
	    (rc = store_snap_begin(s, &c->snap)) != PROTO_OK)
		goto done;
	size = store_size(c->snap);
	if (!set && size > 0) {
		rc = proto_fail(err, errlen, PROTO_ESTORE,
		    "log has entries but no admin key");
		goto done;
	}
	proto_merkle_edge_init(&edge);
	if ((rc = mdb_cursor_open(c->snap->txn, s->log, &cur)) != 0) {
		rc = store_err(rc);
		goto done;
	}
	while ((rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		if ((rc = entry_ok(c, admin, i, &key, &val)) != PROTO_OK)
			goto done;
		{
			uint8_t h[PROTO_HASH_LEN];

			proto_record_hash(val.mv_data, val.mv_size, h);
			proto_merkle_edge_push(&edge, h);
		}
		i++;
		if (progress != NULL && (i % 4096 == 0 || i == size))
			progress(pctx, i, size);
	}
	if (rc != MDB_NOTFOUND) {
		rc = proto_fail(err, errlen, store_err(rc),
		    "cannot read the log: %s", mdb_strerror(rc));
		goto done;
	}
	if (i != size) {
		rc = proto_fail(err, errlen, PROTO_ESTORE,
		    "log holds %llu entries, its count says %llu",
		    (unsigned long long)i, (unsigned long long)size);
		goto done;
	}
	proto_merkle_edge_root(&edge, want);
	if ((rc = store_root(c->snap, size, root)) != PROTO_OK ||
	    memcmp(root, want, PROTO_HASH_LEN) != 0) {
		rc = proto_fail(err, errlen, PROTO_ESTORE,
		    "tree root for size %llu differs from the log's",
		    (unsigned long long)size);
		goto done;
	}
	if ((rc = proto_memstate_foreach_claim(c->ms, head_ok, c)) != 0 ||
	    (rc = proto_memstate_foreach_party(c->ms, party_ok, c)) != 0 ||
	    (rc = proto_memstate_foreach_grant(c->ms, grant_ok, c)) != 0 ||
	    (rc = topics_ok(c)) != PROTO_OK || (rc = totals_ok(c, size)) != 0 ||
	    (rc = content_ok(c, size)) != PROTO_OK)
		goto done;
	rc = PROTO_OK;
done:
	if (cur != NULL)
		mdb_cursor_close(cur);
	store_snap_end(c->snap);
	proto_memstate_free(c->ms);
	free(c);
	return rc;
}
