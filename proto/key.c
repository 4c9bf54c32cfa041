/*
 * key.c: Ed25519 key pairs and the secret key file format.
 *
 *   claimd-secret-key v1
 *   public <64 hex digits>
 *   seed <64 hex digits>
 *
 * The public line lets a reader check that the seed is the one intended;
 * a file whose seed does not give its public key is refused.
 */
#include <string.h>

#include <sodium.h>

#include "proto.h"

#define KEY_MAGIC "claimd-secret-key v1\n"

int
proto_key_generate(uint8_t pk[PROTO_PUBKEY_LEN], uint8_t sk[PROTO_SECKEY_LEN])
{
	return crypto_sign_keypair(pk, sk) == 0 ? PROTO_OK : PROTO_EKEY;
}

int
proto_key_format(const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out)
{
	char hex[2 * PROTO_SEED_LEN + 1];
	int rc;

	if ((rc = proto_buf_append(out, KEY_MAGIC, strlen(KEY_MAGIC))) != 0)
		return rc;
	proto_hex(sk + PROTO_SEED_LEN, PROTO_PUBKEY_LEN, hex);
	if ((rc = proto_buf_append(out, "public ", 7)) ||
	    (rc = proto_buf_append(out, hex, strlen(hex))) ||
	    (rc = proto_buf_append(out, "\n", 1)))
		goto cleanup;
	proto_hex(sk, PROTO_SEED_LEN, hex);
	if ((rc = proto_buf_append(out, "seed ", 5)) ||
	    (rc = proto_buf_append(out, hex, strlen(hex))) ||
	    (rc = proto_buf_append(out, "\n", 1)))
		goto cleanup;
cleanup:
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

/* Reads "<word> <64 hex>\n" at *p into out; advances *p. */
static int
key_line(const char **p, const char *end, const char *word, uint8_t out[32])
{
	size_t wl = strlen(word);
	char hex[65];
	int rc;

	if ((size_t)(end - *p) < wl + 1 + 64 + 1 || memcmp(*p, word, wl) != 0 ||
	    (*p)[wl] != ' ' || (*p)[wl + 65] != '\n')
		return PROTO_EKEY;
	memcpy(hex, *p + wl + 1, 64);
	hex[64] = '\0';
	rc = proto_unhex(hex, out, 32);
	sodium_memzero(hex, sizeof(hex));
	*p += wl + 66;
	return rc == PROTO_OK ? PROTO_OK : PROTO_EKEY;
}

int
proto_key_parse(const char *text, size_t len, uint8_t sk[PROTO_SECKEY_LEN],
    char *err, size_t errlen)
{
	uint8_t pk[PROTO_PUBKEY_LEN], derived[PROTO_PUBKEY_LEN];
	uint8_t seed[PROTO_SEED_LEN];
	const char *p = text, *end = text + len;
	int rc = PROTO_EKEY;

	if (len < strlen(KEY_MAGIC) ||
	    memcmp(p, KEY_MAGIC, strlen(KEY_MAGIC)) != 0)
		return proto_fail(err, errlen, PROTO_EKEY,
		    "not a claimd secret key file (no \"claimd-secret-key "
		    "v1\" line)");
	p += strlen(KEY_MAGIC);
	if (key_line(&p, end, "public", pk) != PROTO_OK ||
	    key_line(&p, end, "seed", seed) != PROTO_OK) {
		proto_fail(err, errlen, PROTO_EKEY,
		    "key file lines must be \"public <hex>\" and \"seed <hex>\"");
		goto cleanup;
	}
	if (p != end) {
		proto_fail(err, errlen, PROTO_EKEY,
		    "unexpected text after the seed line");
		goto cleanup;
	}
	if (crypto_sign_seed_keypair(derived, sk, seed) != 0)
		goto cleanup;
	if (sodium_memcmp(derived, pk, PROTO_PUBKEY_LEN) != 0) {
		proto_fail(err, errlen, PROTO_EKEY,
		    "the seed does not give the public key in the file");
		sodium_memzero(sk, PROTO_SECKEY_LEN);
		goto cleanup;
	}
	rc = PROTO_OK;
cleanup:
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

int
proto_pubkey_parse(const char *hex, uint8_t pk[PROTO_PUBKEY_LEN])
{
	if (hex == NULL || strlen(hex) != 2 * PROTO_PUBKEY_LEN)
		return PROTO_EKEY;
	return proto_unhex(hex, pk, PROTO_PUBKEY_LEN) == PROTO_OK ? PROTO_OK
								  : PROTO_EKEY;
}
