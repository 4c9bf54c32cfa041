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

int
proto_unbase64(
    const char *s, size_t slen, uint8_t *out, size_t cap, size_t *outlen)
{
	const char *end;

	if (sodium_base642bin(out, cap, s, slen, NULL, outlen, &end,
		sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + slen)
		return PROTO_EINVAL;
	return PROTO_OK;
}
