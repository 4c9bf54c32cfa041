/*
 * internal.h: what the store's files share. Not part of the public API.
 */
#ifndef CLAIMD_STORE_INTERNAL_H
#define CLAIMD_STORE_INTERNAL_H

#include <pthread.h>

#include <lmdb.h>

#include "store.h"

/*
 * The named databases. Integers in keys are 8-byte big-endian so that
 * LMDB's bytewise order is numeric order.
 *
 *   log      index                     -> record bytes
 *   hash     record hash               -> index
 *   claim    claim id                  -> first, head, version,
 *                                         head hash, party
 *   version  claim id || version       -> index
 *   order    first index               -> claim id
 *   byparty  party || 0 || first index -> claim id
 *   bytopic  topic || 0 || first index -> claim id
 *   party    slug                      -> index || name
 *   grant    key || slug               -> index
 *   tree     level || node index       -> hash of that complete subtree
 *   meta     name                      -> value
 */
struct store {
	MDB_env *env;
	MDB_dbi log, hash, claim, version, order, byparty, bytopic, party,
	    grant, tree, meta;
	/* Readers hold it shared; growing the map takes it exclusively, as
	 * LMDB allows a resize only with no transaction open. */
	pthread_rwlock_t resize;
	bool read_only;
};

struct store_snap {
	struct store *s;
	MDB_txn *txn;
};

#define CLAIM_VAL_FIXED (8 + 8 + 8 + PROTO_HASH_LEN)
#define TREE_KEY_LEN    9
#define INDEX_KEY_MAX   (PROTO_SLUG_MAX + 1 + 8)

/* Meta names. */
#define META_ADMIN       "admin"
#define META_CLAIMS      "n.claims"
#define META_REVISIONS   "n.revisions"
#define META_RETRACTIONS "n.retractions"
#define META_PARTIES     "n.parties"
#define META_GRANTS      "n.grants"
#define META_REVOKES     "n.revokes"

void store_be64(uint8_t *p, uint64_t v);
uint64_t store_get64(const uint8_t *p);
/* An LMDB or errno code as a proto_err. */
int store_err(int mdb_rc);

void store_tree_key(uint8_t key[TREE_KEY_LEN], unsigned level, uint64_t index);
/* name || 0 || be64(first), for byparty and bytopic; returns its length. */
size_t store_index_key(uint8_t *key, const char *name, uint64_t first);
/* Decodes a claim value into c (id not set). */
int store_claim_decode(const MDB_val *v, struct store_claim *c);
/* The counter called name in meta, 0 if absent. */
int store_counter(MDB_txn *txn, struct store *s, const char *name, uint64_t *v);

#endif
