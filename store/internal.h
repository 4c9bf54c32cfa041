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
 *   claim    first index               -> claim id, head index, version,
 *                                         head hash, party
 *   version  first index || version    -> index
 *   byparty  party || 0 || first index -> (nothing)
 *   bytopic  topic || 0 || first index -> (nothing)
 *   party    slug                      -> index || name
 *   grant    key || slug               -> index
 *   tree     last leaf || level        -> hash of that complete subtree
 *   content  content key || first index -> (nothing), for live claims
 *   meta     name                      -> value
 *
 * A claim is found by its id through hash (its id is the hash of its
 * version 1, whose index is the claim's first index). Keyed by that
 * index, a new claim is appended at the end of claim and version, so the
 * only index a new record dirties at random is hash: commits stay small.
 * Tree nodes likewise: the nodes leaf i completes are keyed i || level,
 * together at the end.
 *
 * content holds each live claim (its newest version not retracted) under
 * the content key of that version (store_content_key()), for the
 * duplicate guard of store_append(). It came after format 1 without
 * changing it: a store made before it gets it on its first read-write
 * open (store_content_build()), and "content.size" in meta says how much
 * of the log it covers, so that entries an older claimd appended later
 * are caught up too. An older store opened read-only may lack it.
 */
struct store {
	MDB_env *env;
	MDB_dbi log, hash, claim, version, byparty, bytopic, party, grant, tree,
	    meta, content;
	bool has_content; /* false: an older store opened read-only */
	/* Readers hold it shared; growing the map takes it exclusively, as
	 * LMDB allows a resize only with no transaction open. */
	pthread_rwlock_t resize;
	bool read_only;
	char path[4096]; /* of data.mdb, for messages */
	/* Where LMDB maps it (store_map_note), for the guard. */
	_Atomic uintptr_t map_lo, map_hi;
};

struct store_snap {
	struct store *s;
	MDB_txn *txn;
	char why[160]; /* the first LMDB failure in it (store_snap_error) */
};

#define MAX_DBS         16 /* named databases an environment may hold */
#define CLAIM_VAL_FIXED (PROTO_HASH_LEN + 8 + 8 + PROTO_HASH_LEN)
#define VERSION_KEY_LEN 16
#define TREE_KEY_LEN    9
#define INDEX_KEY_MAX   (PROTO_SLUG_MAX + 1 + 8)
#define CONTENT_KEY_LEN (PROTO_HASH_LEN + 8)

/* Meta names. */
/*
 * The layout of the databases above. A store records the format it was
 * made with; a claimd that reads another layout refuses to open it rather
 * than misread it. Raise it with any change of keys or values.
 */
#define META_FORMAT      "format"
#define STORE_FORMAT     "1"
#define META_ADMIN       "admin"
#define META_CLAIMS      "n.claims"
#define META_REVISIONS   "n.revisions"
#define META_RETRACTIONS "n.retractions"
#define META_PARTIES     "n.parties"
#define META_GRANTS      "n.grants"
#define META_REVOKES     "n.revokes"
#define META_CONTENT     "content.size" /* log entries content covers */

void store_be64(uint8_t *p, uint64_t v);
uint64_t store_get64(const uint8_t *p);
/* An LMDB or errno code as a proto_err. */
int store_err(int mdb_rc);

void store_tree_key(uint8_t key[TREE_KEY_LEN], unsigned level, uint64_t index);
/* name || 0 || be64(first), for byparty and bytopic; returns its length. */
size_t store_index_key(uint8_t *key, const char *name, uint64_t first);
/* Decodes the claim value stored under first into c. */
int store_claim_decode(const MDB_val *v, uint64_t first, struct store_claim *c);
/*
 * The claim whose id is id, in txn; *found false if there is none (also
 * when id is the hash of a record that starts no claim).
 */
int store_claim_find(MDB_txn *txn, struct store *s,
    const uint8_t id[PROTO_HASH_LEN], struct store_claim *c, bool *found);
/* be64(first) || be64(version) */
void store_version_key(
    uint8_t key[VERSION_KEY_LEN], uint64_t first, uint64_t version);
/* The counter called name in meta, 0 if absent. */
int store_counter(MDB_txn *txn, struct store *s, const char *name, uint64_t *v);

/*
 * The content key of a claim version: SHA-256 of the deterministic CBOR
 * [party, [topics in bytewise order], statement, made or null]. Two
 * versions with equal keys say the same thing for the duplicate guard.
 */
int store_content_key(const struct proto_claim *c, uint8_t key[PROTO_HASH_LEN]);
/* Brings the content index up to the end of the log (append.c). */
int store_content_build(struct store *s, char *err, size_t errlen);

/*
 * damage.c: the file checked before LMDB maps it, and every page read
 * under a guard before anything else reads it.
 */
struct store_file {
	bool exists;    /* false: no data.mdb, a new store */
	uint64_t size;  /* bytes */
	uint32_t psize; /* page size, from the meta pages */
	uint64_t last;  /* the last page in use, from the newer meta page */
};

/* Checks path (a data.mdb) by plain reads; PROTO_EDAMAGED names how. */
int store_probe(
    const char *path, struct store_file *f, char *err, size_t errlen);
/*
 * Reads every page of every database of env, whose file path f describes.
 * A fault or an LMDB assertion meanwhile is PROTO_EDAMAGED, not death.
 * From one thread at a time per process, before env is shared.
 */
int store_walk(MDB_env *env, const char *path, const struct store_file *f,
    char *err, size_t errlen);
/* Notes where s's map is now: after opening and after each resize. */
void store_map_note(struct store *s);
/* LMDB's assertion callback (mdb_env_set_assert) for every env. */
void store_assert(MDB_env *env, const char *msg);

#endif
