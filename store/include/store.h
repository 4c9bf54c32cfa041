/*
 * store: claimd's log and indexes in one LMDB environment.
 *
 * One writer appends batches of records in one transaction each: every
 * index and every Merkle node is updated in that transaction, and a batch
 * is durable when store_append() returns PROTO_OK. Many readers read
 * consistent snapshots concurrently. Errors are enum proto_err; LMDB codes
 * are translated here and never leave the store.
 *
 * Threads: store_append() from one thread at a time. Read snapshots may be
 * used from any thread, each by one thread at a time.
 */
#ifndef CLAIMD_STORE_H
#define CLAIMD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define STORE_WUR __attribute__((warn_unused_result))

struct store;
struct store_snap;

struct store_opts {
	size_t map_size; /* initial map size; 0 for the default (1 GiB) */
	bool read_only;  /* open an existing store for reading only */
};

/*
 * Opens (creating if need be) the store in directory dir, which must exist.
 * Clears reader slots left by dead processes.
 *
 * LMDB keeps no page checksums and trusts its file, so the store does not:
 * before LMDB maps dir/data.mdb, its size is checked against what both
 * meta pages say it holds (magic, version, page size, last page); then
 * every page of every database is read under a guard that turns a fault
 * (SIGBUS, SIGSEGV) or an LMDB assertion into an error. A damaged store is
 * PROTO_EDAMAGED, err naming what and where in one line. Only a dir
 * without data.mdb is a new store: an empty or foreign one is damaged.
 * Call it before other threads use LMDB (the guard's signal handlers are
 * the process's while it runs), and once per environment per process.
 */
STORE_WUR int store_open(const char *dir, const struct store_opts *opts,
    struct store **out, char *err, size_t errlen);
void store_close(struct store *s);
/*
 * Clears the reader slots of processes that died holding a snapshot (a
 * killed `claimd --check` or backup beside a running claimd): each would
 * keep LMDB from reusing every page freed since, and the file would only
 * grow. *cleared is how many. store_open() does it too.
 */
STORE_WUR int store_reader_check(struct store *s, unsigned *cleared);

/* The data folder's admin key; *set is false for a new store. */
STORE_WUR int store_admin_get(
    struct store *s, uint8_t admin[PROTO_PUBKEY_LEN], bool *set);
/* Sets the admin key of a store that has none (PROTO_EEXISTS otherwise). */
STORE_WUR int store_admin_set(
    struct store *s, const uint8_t admin[PROTO_PUBKEY_LEN]);

/* A small named value kept beside the log (the log's origin, say). */
STORE_WUR int store_meta_get(
    struct store *s, const char *name, char *out, size_t cap, bool *found);
STORE_WUR int store_meta_set(
    struct store *s, const char *name, const char *value);

/*
 * Appending
 *
 * Each entry is a record already parsed, signature-verified and decoded
 * by the caller (proto_record_open()). store_append() checks each against
 * the rules at its point of the batch, so later entries see earlier ones.
 *
 * Beyond the rules, store_append() refuses a new claim (version 1, not
 * retracted) whose party, statement, topics and date made equal those of
 * the newest version of a live (not retracted) claim: PROTO_EDUPLICATE,
 * unless the entry allows duplicates. That is claimd's admission policy,
 * not a rule of the log: a log holding such duplicates is valid, and an
 * offline verifier replays it without complaint. Identical bytes are not
 * duplicates: they return the existing entry (existed).
 */
struct store_entry {
	const struct proto_record *rec;
	const struct proto_payload *payload;
	bool allow_duplicate; /* record a new claim even if one is identical */
	/*
	 * A mirror's entry, copied from another log: it must be appended
	 * as it stands (not bytes already held, the rules holding, no
	 * duplicate policy), or the whole batch is refused with the
	 * entry's code (its res[i].rc and err say why) and nothing is
	 * written: a mirror's log is the upstream's, entry for entry.
	 */
	bool replica;
};

struct store_result {
	int rc;         /* PROTO_OK, or why this entry was refused */
	bool existed;   /* identical bytes were already in the log */
	uint64_t index; /* the entry's log index (rc == PROTO_OK); on
			   PROTO_EDUPLICATE, the identical claim's head's */
	uint8_t hash[PROTO_HASH_LEN];
	uint8_t claim[PROTO_HASH_LEN]; /* claim id, for claims; on
					  PROTO_EDUPLICATE, the identical
					  claim's */
	uint64_t version;              /* for claims */
	struct proto_head head;        /* the head, on PROTO_ECONFLICT and
					  PROTO_EDUPLICATE */
	char err[192];                 /* why, in words */
};

/*
 * Appends the acceptable entries of a batch in one transaction. PROTO_OK
 * means the transaction committed (each entry's own outcome is in res[i]);
 * any other code means nothing was written and nothing may be acknowledged.
 * A full map is grown and the batch retried without an error.
 */
STORE_WUR int store_append(struct store *s, const struct store_entry *e,
    size_t n, struct store_result *res, char *err, size_t errlen);

/*
 * Reading: a snapshot of the log at one point. Pointers returned from a
 * snapshot stay valid until store_snap_end().
 */
STORE_WUR int store_snap_begin(struct store *s, struct store_snap **out);
void store_snap_end(struct store_snap *snap);
/*
 * Why the first read of the snapshot that failed with PROTO_ESTORE or
 * PROTO_EDAMAGED failed, LMDB's words included ("" if none did); valid
 * until store_snap_end().
 */
const char *store_snap_error(const struct store_snap *snap);

/* Number of entries in the log. */
uint64_t store_size(struct store_snap *snap);
STORE_WUR int store_get(struct store_snap *snap, uint64_t index,
    const uint8_t **bytes, size_t *len);
STORE_WUR int store_find(struct store_snap *snap,
    const uint8_t hash[PROTO_HASH_LEN], uint64_t *index);
/*
 * Resolves a lowercase or uppercase hex prefix of 8 to 64 digits to the
 * one record hash it begins. PROTO_ENOTFOUND, PROTO_EAMBIGUOUS, PROTO_EINVAL.
 */
STORE_WUR int store_resolve(
    struct store_snap *snap, const char *prefix, uint8_t hash[PROTO_HASH_LEN]);

struct store_claim {
	uint8_t id[PROTO_HASH_LEN];
	uint64_t first; /* log index of version 1 */
	uint64_t head;  /* log index of the newest version */
	uint64_t version;
	uint8_t head_hash[PROTO_HASH_LEN];
	char party[PROTO_SLUG_MAX + 1];
};

STORE_WUR int store_claim_get(struct store_snap *snap,
    const uint8_t id[PROTO_HASH_LEN], struct store_claim *c);
/* The log index of version v of claim id. */
STORE_WUR int store_claim_version(struct store_snap *snap,
    const uint8_t id[PROTO_HASH_LEN], uint64_t v, uint64_t *index);
/*
 * The claim a record hash belongs to: the claim itself for version 1, the
 * claim it revises otherwise. PROTO_EINVAL for registry records.
 */
STORE_WUR int store_claim_of(struct store_snap *snap,
    const uint8_t hash[PROTO_HASH_LEN], uint8_t id[PROTO_HASH_LEN]);

/*
 * The iterators below hand each item to fn, which returns PROTO_OK to go
 * on, STORE_STOP to end the walk early (the iterator then returns
 * PROTO_OK), or an enum proto_err, which ends the walk and is returned.
 * An iterator returns enum proto_err only.
 */
#define STORE_STOP (-1)

/*
 * Claims in order of creation, optionally of one party and/or ever tagged
 * with one topic (check the head's topics if only current ones matter),
 * starting at log index from.
 */
typedef int (*store_claim_fn)(void *ctx, const struct store_claim *c);
int store_claims(struct store_snap *snap, const char *party, const char *topic,
    uint64_t from, store_claim_fn fn, void *ctx);

/* Parties and grants now in force. */
int store_parties(struct store_snap *snap,
    int (*fn)(void *ctx, const char *slug, const char *name, uint64_t index),
    void *ctx);
int store_grants(struct store_snap *snap,
    int (*fn)(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party,
	uint64_t index),
    void *ctx);
/*
 * Every topic a claim was ever tagged with, in byte order of the names:
 * how many claims (a claim counts once, whatever its newest version
 * says), of how many distinct parties, and the greatest head index among
 * them (the last change). Reads each claim's index entry: linear in the
 * (topic, claim) pairs.
 */
int store_topics(struct store_snap *snap,
    int (*fn)(void *ctx, const char *topic, uint64_t claims, uint64_t parties,
	uint64_t last),
    void *ctx);
STORE_WUR int store_party_get(
    struct store_snap *snap, const char *slug, bool *exists);

/* Tree heads and proofs for any size up to store_size(). */
STORE_WUR int store_root(
    struct store_snap *snap, uint64_t size, uint8_t root[PROTO_HASH_LEN]);
STORE_WUR int store_inclusion(struct store_snap *snap, uint64_t index,
    uint64_t size, uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN],
    size_t *n);
STORE_WUR int store_consistency(struct store_snap *snap, uint64_t old_size,
    uint64_t new_size, uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN],
    size_t *n);

struct store_stats {
	uint64_t size;        /* log entries */
	uint64_t claims;      /* version-1 claim records */
	uint64_t revisions;   /* later versions, retractions excluded */
	uint64_t retractions; /* versions with status retracted */
	uint64_t parties;
	uint64_t grants;
	uint64_t revokes;
	uint64_t map_size; /* bytes reserved */
	uint64_t used;     /* bytes in use (pages * page size) */
};

STORE_WUR int store_stats(struct store_snap *snap, struct store_stats *st);

/*
 * Runs fn(ctx), reads of s in it, under the guard of store_open(): a fault
 * reading the store's map (SIGBUS, SIGSEGV) or an LMDB assertion, which
 * would kill the process, jumps back and is PROTO_EDAMAGED with what
 * happened in why (why[0] is '\0' otherwise, fn's code returned). What fn
 * held then (a transaction, memory) is left as it was: after damage, use
 * s for nothing more than to close it. A fault at an address outside the
 * store's map is a bug, not damage, and ends the process as before, as
 * does any fault outside a guard.
 */
STORE_WUR int store_guarded(
    struct store *s, int (*fn)(void *ctx), void *ctx, char *why, size_t whylen);

/*
 * Maintenance
 */

/*
 * A consistent, compacted copy of the store into dir (existing, empty).
 * The copy's data.mdb is made 0666 less the umask; check it (store_open,
 * store_check) before trusting it.
 */
STORE_WUR int store_backup(
    struct store *s, const char *dir, char *err, size_t errlen);

/*
 * Recomputes everything from the log: each record's form and signature,
 * the rules replayed in order, the tree's every stored node and root, and
 * every index, cross-checked. progress (may be NULL) is called now and
 * then with entries done and total. PROTO_OK when all holds; otherwise the
 * first fault is described in err.
 */
STORE_WUR int store_check(struct store *s,
    void (*progress)(void *ctx, uint64_t done, uint64_t total), void *ctx,
    char *err, size_t errlen);

#endif /* CLAIMD_STORE_H */
