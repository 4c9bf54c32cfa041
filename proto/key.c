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

	if (len >= strlen("claimd-secret-key v2\n") &&
	    memcmp(p, "claimd-secret-key v2\n", 21) == 0)
		return proto_fail(err, errlen, PROTO_EKEY,
		    "the key file is protected by a passphrase");
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

bool
proto_pubkey_valid(const uint8_t pk[PROTO_PUBKEY_LEN])
{
	return crypto_core_ed25519_is_valid_point(pk) == 1;
}

int
proto_pubkey_parse(
    const char *hex, uint8_t pk[PROTO_PUBKEY_LEN], char *err, size_t errlen)
{
	if (hex == NULL || strlen(hex) != 2 * PROTO_PUBKEY_LEN ||
	    proto_unhex(hex, pk, PROTO_PUBKEY_LEN) != PROTO_OK)
		return proto_fail(err, errlen, PROTO_EKEY, "not 64 hex digits");
	if (!proto_pubkey_valid(pk))
		return proto_fail(err, errlen, PROTO_EKEY,
		    "not a valid Ed25519 public key (a small-order point, a "
		    "non-canonical encoding or no point of the prime-order "
		    "group)");
	return PROTO_OK;
}

/*
 * Keys sealed with a passphrase:
 *
 *   claimd-secret-key v2
 *   public <64 hex digits>
 *   argon2id <opslimit> <memlimit> <salt, 32 hex digits>
 *   sealed <nonce, 48 hex digits> <seed and tag, 96 hex digits>
 *
 * The key that seals the seed is crypto_pwhash (Argon2id) of the
 * passphrase; the seal is crypto_secretbox. The public line is covered:
 * the seed it unseals must give it.
 */
#define SEALED_MAGIC "claimd-secret-key v2\n"

bool
proto_key_sealed(const char *text, size_t len)
{
	return len >= strlen(SEALED_MAGIC) &&
	    memcmp(text, SEALED_MAGIC, strlen(SEALED_MAGIC)) == 0;
}

int
proto_key_format_sealed(const uint8_t sk[PROTO_SECKEY_LEN], const char *pass,
    size_t passlen, struct proto_buf *out)
{
	uint8_t salt[crypto_pwhash_SALTBYTES], key[crypto_secretbox_KEYBYTES];
	uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t box[PROTO_SEED_LEN + crypto_secretbox_MACBYTES];
	char hex[2 * sizeof(box) + 1], line[512];
	unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	int rc = PROTO_OK;

	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	if (crypto_pwhash(key, sizeof(key), pass, passlen, salt, ops, mem,
		crypto_pwhash_ALG_ARGON2ID13) != 0)
		return PROTO_ENOMEM;
	crypto_secretbox_easy(box, sk, PROTO_SEED_LEN, nonce, key);
	sodium_memzero(key, sizeof(key));
	if ((rc = proto_buf_append(out, SEALED_MAGIC, strlen(SEALED_MAGIC))))
		return rc;
	proto_hex(sk + PROTO_SEED_LEN, PROTO_PUBKEY_LEN, hex);
	snprintf(line, sizeof(line), "public %s\n", hex);
	if ((rc = proto_buf_append(out, line, strlen(line))))
		return rc;
	proto_hex(salt, sizeof(salt), hex);
	snprintf(line, sizeof(line), "argon2id %llu %zu %s\n", ops, mem, hex);
	if ((rc = proto_buf_append(out, line, strlen(line))))
		return rc;
	proto_hex(nonce, sizeof(nonce), hex);
	snprintf(line, sizeof(line), "sealed %s ", hex);
	if ((rc = proto_buf_append(out, line, strlen(line))))
		return rc;
	proto_hex(box, sizeof(box), hex);
	if ((rc = proto_buf_append(out, hex, strlen(hex))) ||
	    (rc = proto_buf_append(out, "\n", 1)))
		return rc;
	return PROTO_OK;
}

int
proto_key_parse_sealed(const char *text, size_t len, const char *pass,
    size_t passlen, uint8_t sk[PROTO_SECKEY_LEN], char *err, size_t errlen)
{
	uint8_t pk[PROTO_PUBKEY_LEN], derived[PROTO_PUBKEY_LEN];
	uint8_t salt[crypto_pwhash_SALTBYTES], key[crypto_secretbox_KEYBYTES];
	uint8_t nonce[crypto_secretbox_NONCEBYTES], seed[PROTO_SEED_LEN];
	uint8_t box[PROTO_SEED_LEN + crypto_secretbox_MACBYTES];
	char copy[1024], pkhex[65], salthex[33], noncehex[49], boxhex[97];
	unsigned long long ops;
	size_t mem;
	int n = 0, rc = PROTO_EKEY;

	if (!proto_key_sealed(text, len))
		return proto_key_parse(text, len, sk, err, errlen);
	if (len >= sizeof(copy))
		return proto_fail(err, errlen, PROTO_EKEY, "key file too long");
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (sscanf(copy + strlen(SEALED_MAGIC),
		"public %64[0-9a-f]\nargon2id %llu %zu %32[0-9a-f]\n"
		"sealed %48[0-9a-f] %96[0-9a-f]\n%n",
		pkhex, &ops, &mem, salthex, noncehex, boxhex, &n) != 6 ||
	    (size_t)n + strlen(SEALED_MAGIC) != len ||
	    proto_unhex(pkhex, pk, sizeof(pk)) != PROTO_OK ||
	    proto_unhex(salthex, salt, sizeof(salt)) != PROTO_OK ||
	    proto_unhex(noncehex, nonce, sizeof(nonce)) != PROTO_OK ||
	    proto_unhex(boxhex, box, sizeof(box)) != PROTO_OK)
		return proto_fail(err, errlen, PROTO_EKEY,
		    "malformed passphrase-protected key file");
	/* Bounds that keep a hostile file from taking all memory or time. */
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > 64 ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > (1ULL << 31))
		return proto_fail(err, errlen, PROTO_EKEY,
		    "key file asks for unreasonable Argon2id limits");
	if (crypto_pwhash(key, sizeof(key), pass, passlen, salt, ops, mem,
		crypto_pwhash_ALG_ARGON2ID13) != 0)
		return proto_fail(err, errlen, PROTO_ENOMEM,
		    "not enough memory for Argon2id");
	if (crypto_secretbox_open_easy(seed, box, sizeof(box), nonce, key) !=
	    0) {
		proto_fail(err, errlen, PROTO_EKEY,
		    "wrong passphrase (or a damaged key file)");
		goto cleanup;
	}
	if (crypto_sign_seed_keypair(derived, sk, seed) != 0 ||
	    sodium_memcmp(derived, pk, PROTO_PUBKEY_LEN) != 0) {
		sodium_memzero(sk, PROTO_SECKEY_LEN);
		proto_fail(err, errlen, PROTO_EKEY,
		    "the sealed seed does not give the public key in the file");
		goto cleanup;
	}
	rc = PROTO_OK;
cleanup:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(copy, sizeof(copy));
	return rc;
}

/*
 * CurveZMQ key files: the transport keys, Z85 as libzmq takes them.
 *
 *   claimd-curve-key v1
 *   public <40 Z85 characters>
 *   secret <40 Z85 characters>
 */
#define CURVE_MAGIC "claimd-curve-key v1\n"

bool
proto_z85_key_valid(const char *s, size_t n)
{
	static const char z85[] =
	    "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}"
	    "@%$#";

	if (n != PROTO_Z85_KEY_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(z85, s[i]) == NULL)
			return false;
	return true;
}

int
proto_curve_key_format(
    const char *public_z85, const char *secret_z85, struct proto_buf *out)
{
	int rc;

	if (!proto_z85_key_valid(public_z85, strlen(public_z85)) ||
	    !proto_z85_key_valid(secret_z85, strlen(secret_z85)))
		return PROTO_EKEY;
	if ((rc = proto_buf_append(out, CURVE_MAGIC, strlen(CURVE_MAGIC))) ||
	    (rc = proto_buf_append(out, "public ", 7)) ||
	    (rc = proto_buf_append(out, public_z85, PROTO_Z85_KEY_LEN)) ||
	    (rc = proto_buf_append(out, "\nsecret ", 8)) ||
	    (rc = proto_buf_append(out, secret_z85, PROTO_Z85_KEY_LEN)) ||
	    (rc = proto_buf_append(out, "\n", 1)))
		return rc;
	return PROTO_OK;
}

int
proto_curve_key_parse(const char *text, size_t len,
    char public_z85[PROTO_Z85_KEY_LEN + 1],
    char secret_z85[PROTO_Z85_KEY_LEN + 1], char *err, size_t errlen)
{
	size_t m = strlen(CURVE_MAGIC), want = m + 7 + 40 + 8 + 40 + 1;

	if (len != want || memcmp(text, CURVE_MAGIC, m) != 0 ||
	    memcmp(text + m, "public ", 7) != 0 ||
	    memcmp(text + m + 47, "\nsecret ", 8) != 0 ||
	    text[len - 1] != '\n' ||
	    !proto_z85_key_valid(text + m + 7, PROTO_Z85_KEY_LEN) ||
	    !proto_z85_key_valid(text + m + 55, PROTO_Z85_KEY_LEN))
		return proto_fail(err, errlen, PROTO_EKEY,
		    "not a claimd CurveZMQ key file (claim keygen --curve)");
	memcpy(public_z85, text + m + 7, PROTO_Z85_KEY_LEN);
	public_z85[PROTO_Z85_KEY_LEN] = '\0';
	memcpy(secret_z85, text + m + 55, PROTO_Z85_KEY_LEN);
	secret_z85[PROTO_Z85_KEY_LEN] = '\0';
	return PROTO_OK;
}
