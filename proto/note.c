/*
 * note.c: C2SP signed notes and tlog-checkpoints, Ed25519 only.
 *
 * A note is text ending in a newline, a blank line, then signature lines
 * "— <name> <base64(key id || signature)>". The key id is the first four
 * bytes of SHA-256(name || "\n" || 0x01 || public key); a verifier key is
 * "<name>+<key id in hex>+<base64(0x01 || public key)>". A checkpoint's text
 * is the origin, the tree size in decimal and the root in base64, a line
 * each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <nettle/sha2.h>

#include "proto.h"

#define ALG_ED25519 0x01
#define EM_DASH     "\xe2\x80\x94"
#define SIGS_MAX    100

bool
proto_note_name_valid(const char *name, size_t n)
{
	if (n == 0 || n > PROTO_ORIGIN_MAX ||
	    !proto_utf8_valid((const uint8_t *)name, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		/* No spaces, no '+', no controls (C2SP signed-note). */
		if (c <= 0x20 || c == '+' || c == 0x7f)
			return false;
	}
	return true;
}

void
proto_note_keyid(
    const char *name, const uint8_t pk[PROTO_PUBKEY_LEN], uint8_t id[4])
{
	struct sha256_ctx st;
	uint8_t h[SHA256_DIGEST_SIZE], sep[2] = {'\n', ALG_ED25519};

	sha256_init(&st);
	sha256_update(&st, strlen(name), (const uint8_t *)name);
	sha256_update(&st, 2, sep);
	sha256_update(&st, PROTO_PUBKEY_LEN, pk);
	sha256_digest(&st, sizeof(h), h);
	memcpy(id, h, 4);
}

int
proto_vkey_format(
    const char *name, const uint8_t pk[PROTO_PUBKEY_LEN], char *out, size_t cap)
{
	uint8_t id[4], key[1 + PROTO_PUBKEY_LEN];
	char hex[9], b64[64];

	if (!proto_note_name_valid(name, strlen(name)))
		return PROTO_EINVAL;
	proto_note_keyid(name, pk, id);
	proto_hex(id, 4, hex);
	key[0] = ALG_ED25519;
	memcpy(key + 1, pk, PROTO_PUBKEY_LEN);
	proto_base64(key, sizeof(key), b64);
	if ((size_t)snprintf(out, cap, "%s+%s+%s", name, hex, b64) >= cap)
		return PROTO_EINVAL;
	return PROTO_OK;
}

int
proto_vkey_parse(
    const char *vkey, char *name, size_t namecap, uint8_t pk[PROTO_PUBKEY_LEN])
{
	const char *p1 = strchr(vkey, '+'), *p2;
	uint8_t id[4], want[4], key[1 + PROTO_PUBKEY_LEN + 1];
	char hex[9];
	size_t n;

	/* The name holds no '+', the key id is 8 hex digits; the base64
	 * key after them may hold '+' of its own. */
	if (p1 == NULL || (p2 = strchr(p1 + 1, '+')) == NULL || p2 - p1 != 9)
		return PROTO_EKEY;
	n = (size_t)(p1 - vkey);
	if (n + 1 > namecap || !proto_note_name_valid(vkey, n))
		return PROTO_EKEY;
	memcpy(name, vkey, n);
	name[n] = '\0';
	memcpy(hex, p1 + 1, 8);
	hex[8] = '\0';
	if (proto_unhex(hex, id, 4) != PROTO_OK)
		return PROTO_EKEY;
	if (proto_unbase64(p2 + 1, strlen(p2 + 1), key, sizeof(key), &n) !=
		PROTO_OK ||
	    n != 1 + PROTO_PUBKEY_LEN || key[0] != ALG_ED25519)
		return PROTO_EKEY;
	memcpy(pk, key + 1, PROTO_PUBKEY_LEN);
	if (!proto_pubkey_valid(pk))
		return PROTO_EKEY;
	proto_note_keyid(name, pk, want);
	/* The id must be the one the name and key give. */
	if (memcmp(id, want, 4) != 0)
		return PROTO_EKEY;
	return PROTO_OK;
}

/* Text must be non-empty, end in "\n", hold no blank line or control. */
static bool
text_valid(const char *text, size_t len)
{
	if (len == 0 || text[len - 1] != '\n' ||
	    !proto_utf8_valid((const uint8_t *)text, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)text[i] < 0x20 && text[i] != '\n')
			return false;
		if (text[i] == '\n' && i + 1 < len && text[i + 1] == '\n')
			return false;
	}
	return true;
}

int
proto_note_sign(const char *text, size_t len, const char *name,
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out)
{
	uint8_t sig[4 + PROTO_SIG_LEN];
	char b64[128];
	int rc;

	if (!text_valid(text, len) ||
	    !proto_note_name_valid(name, strlen(name)))
		return PROTO_EINVAL;
	proto_note_keyid(name, sk + PROTO_SEED_LEN, sig);
	if (crypto_sign_detached(
		sig + 4, NULL, (const uint8_t *)text, len, sk) != 0)
		return PROTO_EKEY;
	proto_base64(sig, sizeof(sig), b64);
	if ((rc = proto_buf_append(out, text, len)) ||
	    (rc = proto_buf_append(out, "\n" EM_DASH " ", 5)) ||
	    (rc = proto_buf_append(out, name, strlen(name))) ||
	    (rc = proto_buf_append(out, " ", 1)) ||
	    (rc = proto_buf_append(out, b64, strlen(b64))) ||
	    (rc = proto_buf_append(out, "\n", 1)))
		return rc;
	return PROTO_OK;
}

int
proto_note_open(const char *note, size_t len, const char *name,
    const uint8_t pk[PROTO_PUBKEY_LEN], size_t *textlen, char *err,
    size_t errlen)
{
	const char *end = note + len, *sigs = NULL, *p;
	uint8_t id[4];
	size_t nsigs = 0;
	bool matched = false;

	if (len > PROTO_SIGNED_NOTE_MAX)
		return proto_fail(err, errlen, PROTO_EPROOF, "note too long");
	/* The text ends at the last blank line. */
	for (p = note; p + 1 < end; p++)
		if (p[0] == '\n' && p[1] == '\n')
			sigs = p + 2;
	if (sigs == NULL || !text_valid(note, (size_t)(sigs - 1 - note)) ||
	    end[-1] != '\n')
		return proto_fail(err, errlen, PROTO_EPROOF, "malformed note");
	proto_note_keyid(name, pk, id);
	for (p = sigs; p < end; nsigs++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		uint8_t sig[4 + PROTO_SIG_LEN + 1];
		size_t n, nl_len;

		if (nsigs >= SIGS_MAX || nl == NULL || (size_t)(nl - p) < 5 ||
		    memcmp(p, EM_DASH " ", 4) != 0)
			return proto_fail(err, errlen, PROTO_EPROOF,
			    "malformed signature line");
		p += 4;
		if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
		    !proto_note_name_valid(p, (size_t)(sp - p)) ||
		    proto_unbase64(sp + 1, (size_t)(nl - sp - 1), sig,
			sizeof(sig), &n) != PROTO_OK ||
		    n < 5)
			return proto_fail(err, errlen, PROTO_EPROOF,
			    "malformed signature line");
		nl_len = (size_t)(sp - p);
		/* Lines of other keys are others' business. */
		if (!matched && nl_len == strlen(name) &&
		    memcmp(p, name, nl_len) == 0 && memcmp(sig, id, 4) == 0) {
			if (n != 4 + PROTO_SIG_LEN ||
			    crypto_sign_verify_detached(sig + 4,
				(const uint8_t *)note,
				(size_t)(sigs - 1 - note), pk) != 0)
				return proto_fail(err, errlen, PROTO_EPROOF,
				    "signature of %s does not verify", name);
			matched = true;
		}
		p = nl + 1;
	}
	if (!matched)
		return proto_fail(err, errlen, PROTO_EPROOF,
		    "note is not signed by %s", name);
	*textlen = (size_t)(sigs - 1 - note);
	return PROTO_OK;
}

int
proto_checkpoint_text(const char *origin, uint64_t size,
    const uint8_t root[PROTO_HASH_LEN], struct proto_buf *out)
{
	char line[128], b64[64];
	int n, rc;

	if (!proto_note_name_valid(origin, strlen(origin)))
		return PROTO_EINVAL;
	proto_base64(root, PROTO_HASH_LEN, b64);
	n = snprintf(
	    line, sizeof(line), "\n%llu\n%s\n", (unsigned long long)size, b64);
	if ((rc = proto_buf_append(out, origin, strlen(origin))) ||
	    (rc = proto_buf_append(out, line, (size_t)n)))
		return rc;
	return PROTO_OK;
}

int
proto_checkpoint_parse(const char *text, size_t len, char *origin, size_t cap,
    uint64_t *size, uint8_t root[PROTO_HASH_LEN])
{
	const char *l1 = memchr(text, '\n', len), *l2, *l3;
	char num[24];
	size_t n;

	if (l1 == NULL || (size_t)(l1 - text) + 1 > cap ||
	    !proto_note_name_valid(text, (size_t)(l1 - text)))
		return PROTO_EPROOF;
	memcpy(origin, text, (size_t)(l1 - text));
	origin[l1 - text] = '\0';
	l2 = memchr(l1 + 1, '\n', (size_t)(text + len - l1 - 1));
	if (l2 == NULL || l2 - l1 - 1 < 1 || l2 - l1 - 1 > 20)
		return PROTO_EPROOF;
	memcpy(num, l1 + 1, (size_t)(l2 - l1 - 1));
	num[l2 - l1 - 1] = '\0';
	/* Decimal, no sign, no leading zero (but "0" itself). */
	if (num[0] == '0' && num[1] != '\0')
		return PROTO_EPROOF;
	*size = 0;
	for (char *c = num; *c; c++) {
		if (*c < '0' || *c > '9' || *size > (UINT64_MAX - 9) / 10)
			return PROTO_EPROOF;
		*size = *size * 10 + (uint64_t)(*c - '0');
	}
	l3 = memchr(l2 + 1, '\n', (size_t)(text + len - l2 - 1));
	if (l3 == NULL ||
	    proto_unbase64(l2 + 1, (size_t)(l3 - l2 - 1), root, PROTO_HASH_LEN,
		&n) != PROTO_OK ||
	    n != PROTO_HASH_LEN)
		return PROTO_EPROOF;
	/* Extension lines may follow; they are not ours to judge. */
	return PROTO_OK;
}
