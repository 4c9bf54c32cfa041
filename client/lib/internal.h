/*
 * internal.h: what libclaim's files share. Not part of the public API.
 */
#ifndef CLAIMD_CLIENT_INTERNAL_H
#define CLAIMD_CLIENT_INTERNAL_H

#include <pthread.h>

#include "claim.h"

/*
 * pool.c: the one pool of threads signatures are checked on. A job is
 * submitted, then waited for; the waiting caller runs queued jobs too.
 * Stopping joins the threads once their current jobs end; jobs still
 * queued are left undone.
 */
#define CLAIM_POOL_MAX 64

struct claim_job {
	void (*fn)(struct claim_job *j);
	struct claim_job *next;
	int state;
};

struct claim_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct claim_job *head, *tail; /* queued, oldest first */
	pthread_t th[CLAIM_POOL_MAX];
	int n; /* threads started */
	bool stop;
};

/* The cores online, at least 1. */
int claim_pool_cores(void);
/* threads (at most CLAIM_POOL_MAX) besides the caller; any that cannot
 * be started are done without. */
void claim_pool_start(struct claim_pool *p, int threads);
void claim_pool_submit(
    struct claim_pool *p, struct claim_job *j, void (*fn)(struct claim_job *));
void claim_pool_wait(struct claim_pool *p, struct claim_job *j);
void claim_pool_stop(struct claim_pool *p);

/*
 * socket.c: the reply to request id, already sent, dropping any other;
 * the result as claim_request()'s.
 */
CLAIM_WUR int claim_client_wait(struct claim_client *c, uint32_t id,
    struct claim_reply *r, char *err, size_t errlen);

/*
 * entry.c
 */
/* PROTO_OK, or PROTO_ESIGNATURE with the first entry that fails in *bad;
 * on every core (the pool). */
int claim_entries_verify(const struct claim_entry *e, size_t n, size_t *bad);
/* PROTO_ESIGNATURE, err naming e's index. */
int claim_entry_bad_signature(
    const struct claim_entry *e, char *err, size_t errlen);
/* Opens rows of [index, record] (proto_row_entry_def) as entries. */
CLAIM_WUR int claim_read_entries(const struct proto_rows *rows, bool verify,
    struct claim_entry **out, size_t *n, char *err, size_t errlen);

/*
 * verify.c: one line of an export, {"index", "hash", "record"}: the record
 * base64-decoded into *bytes (malloc'd) and its hash checked against the
 * line's. PROTO_OK, or the PROTO_E code with why saying what is wrong;
 * the caller frees *bytes either way (NULL when the line held none).
 */
CLAIM_WUR int claim_export_line(const char *line, uint64_t *index,
    uint8_t **bytes, size_t *len, uint8_t hash[PROTO_HASH_LEN], char *why,
    size_t whylen);

/*
 * request.c: RANGE in two steps, so that a reader may ask for the next range
 * before decoding this one: claim_range_send() asks; claim_range_wait() takes
 * that reply and reads its size and next, leaving the entries for
 * claim_read_entries(). r is released by the caller.
 */
struct claim_range_reply {
	struct claim_reply r;
	uint64_t size;
	uint64_t next;
	struct proto_rows entries; /* proto_row_entry, in r */
};

CLAIM_WUR int claim_range_send(struct claim_client *c, uint64_t from,
    uint64_t count, const char *party, const char *topic, uint32_t *id,
    char *err, size_t errlen);
CLAIM_WUR int claim_range_wait(struct claim_client *c, uint32_t id,
    uint64_t from, struct claim_range_reply *rr, char *err, size_t errlen);

/* entry.c: sets e->claim for a claim: its own hash at version 1, else the id
 * the payload names. The rest of e is filled already. */
void claim_entry_set_claim(struct claim_entry *e);

/*
 * socket.c: turns IPv6 on for an endpoint with a bracketed address
 * ("tcp://[::1]:7411"), as claimd does: on for every endpoint, a host name
 * such as localhost would resolve to ::1 first, where a claimd listening
 * on 127.0.0.1 is not.
 */
void claim_ipv6_for(void *sock, const char *endpoint);
/* How many endpoints the client's list holds. */
int claim_client_nservers(const struct claim_client *c);
/* Moves to the list's next endpoint: PROTO_OK, or PROTO_EUNREACHABLE
 * when there is no other (or claimd refused this client's key). */
int claim_client_failover(struct claim_client *c);

/*
 * A source's identity across claims, malloc'd (NULL when out of memory):
 * the document's hash if known ("sha256:HEX"), else its URL ("url:URL"),
 * else publisher and title ("pt:PUBLISHER\nTITLE"). The narrative diff's
 * shared sources and the source graph (independence.c) both use it.
 */
char *claim_source_key(const struct proto_source *s);

#endif
