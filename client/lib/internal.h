/*
 * internal.h: what libclaim's files share. Not part of the public API.
 */
#ifndef CLAIMD_CLIENT_INTERNAL_H
#define CLAIMD_CLIENT_INTERNAL_H

#include "claim.h"

/*
 * The reply to request id, already sent, dropping any other; a daemon
 * error becomes the return code and err.
 */
CLAIM_WUR int claim_client_wait(struct claim_client *c, uint32_t id,
    struct claim_reply *r, char *err, size_t errlen);

/* Opens rows of [index, record] (proto_row_entry_def) as entries. */
CLAIM_WUR int claim_read_entries(const struct proto_rows *rows, bool verify,
    struct claim_entry **out, size_t *n, char *err, size_t errlen);

/*
 * RANGE in two steps, so that a reader may ask for the next range before
 * decoding this one: claim_range_send() asks; claim_range_wait() takes
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

/* Sets e->claim for a claim: its own hash at version 1, else the id the
 * payload names. The rest of e is filled already. */
void claim_entry_set_claim(struct claim_entry *e);

/*
 * Turns IPv6 on for an endpoint with a bracketed address
 * ("tcp://[::1]:7411"), as claimd does: on for every endpoint, a host name
 * such as localhost would resolve to ::1 first, where a claimd listening
 * on 127.0.0.1 is not.
 */
void claim_ipv6_for(void *sock, const char *endpoint);

#endif
