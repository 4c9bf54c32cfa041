/*
 * buf.c: growable byte buffers, hex and base64.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

void
proto_buf_init(struct proto_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
proto_buf_release(struct proto_buf *b)
{
	free(b->data);
	proto_buf_init(b);
}

int
proto_buf_reserve(struct proto_buf *b, size_t more)
{
	size_t need, cap;
	uint8_t *p;

	if (more > SIZE_MAX - b->len)
		return PROTO_ENOMEM;
	need = b->len + more;
	if (need <= b->cap)
		return PROTO_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return PROTO_ENOMEM;
	b->data = p;
	b->cap = cap;
	return PROTO_OK;
}

int
proto_buf_append(struct proto_buf *b, const void *p, size_t n)
{
	int rc;

	if (n == 0)
		return PROTO_OK;
	if ((rc = proto_buf_reserve(b, n)) != PROTO_OK)
		return rc;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return PROTO_OK;
}

void
proto_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int
proto_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
proto_unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = proto_hex_digit(hex[2 * i]), lo;

		if (hi < 0 || (lo = proto_hex_digit(hex[2 * i + 1])) < 0)
			return PROTO_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[2 * n] == '\0' ? PROTO_OK : PROTO_EINVAL;
}

size_t
proto_base64_len(size_t n)
{
	return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
}

void
proto_base64(const uint8_t *p, size_t n, char *out)
{
	sodium_bin2base64(
	    out, proto_base64_len(n), p, n, sodium_base64_VARIANT_ORIGINAL);
}

/* The value of a base64 digit, or 64. */
static uint8_t
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (uint8_t)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (uint8_t)(c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (uint8_t)(c - '0' + 52);
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return 64;
}

/*
 * Strict: padded to a multiple of four, no other characters, and the
 * bits the padding leaves over zero, so each byte string has exactly one
 * encoding. Not constant-time (libsodium's is, and several times slower):
 * only public data, records and notes, is decoded here.
 */
int
proto_unbase64(
    const char *s, size_t slen, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t pad = 0, n = 0;

	if (slen % 4 != 0)
		return PROTO_EINVAL;
	if (slen > 0 && s[slen - 1] == '=')
		pad = s[slen - 2] == '=' ? 2 : 1;
	if (slen / 4 * 3 - pad > cap)
		return PROTO_EINVAL;
	for (size_t i = 0; i < slen; i += 4) {
		uint8_t a = b64_value(s[i]), b = b64_value(s[i + 1]),
			c = b64_value(s[i + 2]), d = b64_value(s[i + 3]);
		bool last = i + 4 == slen;

		if (last && pad == 2) {
			if ((a | b) > 63 || (b & 0x0f) != 0)
				return PROTO_EINVAL;
			out[n++] = (uint8_t)(a << 2 | b >> 4);
		} else if (last && pad == 1) {
			if ((a | b | c) > 63 || (c & 0x03) != 0)
				return PROTO_EINVAL;
			out[n++] = (uint8_t)(a << 2 | b >> 4);
			out[n++] = (uint8_t)(b << 4 | c >> 2);
		} else {
			if ((a | b | c | d) > 63)
				return PROTO_EINVAL;
			out[n++] = (uint8_t)(a << 2 | b >> 4);
			out[n++] = (uint8_t)(b << 4 | c >> 2);
			out[n++] = (uint8_t)(c << 6 | d);
		}
	}
	*outlen = n;
	return PROTO_OK;
}
