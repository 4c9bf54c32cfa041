/*
 * testutil: helpers shared by the cmocka tests.
 */
#ifndef CLAIMD_TESTUTIL_H
#define CLAIMD_TESTUTIL_H

#include <stdarg.h>
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
void tu_claim(struct proto_payload *p, const char *party, const char *topic,
    const char *statement);
/* Signs p with sk into out (appended); fails the test on error. */
void tu_sign(const struct proto_payload *p, const uint8_t sk[PROTO_SECKEY_LEN],
    struct proto_buf *out);

#endif
