/*
 * testutil: helpers shared by the cmocka tests.
 */
#ifndef CLAIMD_TESTUTIL_H
#define CLAIMD_TESTUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include "proto.h"

/* Decodes hex into a new buffer (caller frees); fails the test on error. */
uint8_t *tu_unhex(const char *hex, size_t *len);
/* Reads a whole file into a NUL-terminated buffer (caller frees). */
char *tu_read_file(const char *path, size_t *len);
/* A fresh temporary directory (caller frees the string, tu_rmrf removes). */
char *tu_tmpdir(void);
void tu_rmrf(const char *path);
/* A deterministic key pair from a one-byte seed. */
void tu_key(uint8_t seed_byte, uint8_t pk[PROTO_PUBKEY_LEN],
    uint8_t sk[PROTO_SECKEY_LEN]);
/* A registry payload (caller releases). */
void tu_party(struct proto_payload *p, const char *slug, const char *name);
void tu_grant(struct proto_payload *p, enum proto_kind kind,
    const uint8_t key[PROTO_PUBKEY_LEN], const char *party);
/* A minimal valid version-1 claim (caller releases). */
/* An owner record: owner holds pubs[0..n). */
void tu_owner(struct proto_payload *p, const char *owner,
    const char *const *pubs, size_t n);
void tu_claim(struct proto_payload *p, const char *party, const char *topic,
    const char *statement);
/* Signs p with sk into out (appended); fails the test on error. */
void tu_sign(const struct proto_payload *p, const uint8_t sk[PROTO_SECKEY_LEN],
    struct proto_buf *out);
/*
 * The same with the payload's time then replaced by time, in range or not:
 * a record the format may refuse, properly signed. p must be valid.
 */
void tu_sign_time(const struct proto_payload *p, uint64_t time,
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out);

/*
 * RFC 6962 section 2.1 as the text reads, with libsodium's SHA-256 and
 * nothing of proto/merkle.c, over leaf hashes leaves[lo..hi): the root
 * MTH (SHA-256 of nothing for no leaves), PATH(m) and SUBPROOF(m, b),
 * each proof written to out, its length returned.
 */
void tu_merkle_leaf(const uint8_t *data, size_t len, uint8_t out[32]);
void tu_merkle_mth(
    const uint8_t (*leaves)[32], uint64_t lo, uint64_t hi, uint8_t out[32]);
size_t tu_merkle_path(const uint8_t (*leaves)[32], uint64_t m, uint64_t lo,
    uint64_t hi, uint8_t (*out)[32]);
size_t tu_merkle_subproof(const uint8_t (*leaves)[32], uint64_t m, uint64_t lo,
    uint64_t hi, bool b, uint8_t (*out)[32]);

#endif
