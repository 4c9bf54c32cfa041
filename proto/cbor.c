/*
 * cbor.c: deterministic CBOR (RFC 8949 section 4.2.1).
 *
 * Writing uses libcbor's head encoders, which always emit the shortest
 * form. Reading does not use libcbor: its decoder accepts non-shortest
 * integers and repeated map keys without a word, and hides the encoded
 * width of each head, which is exactly what a strict decoder must see. So
 * proto_cbor_check() walks the bytes itself and names each violation, and
 * the reader below trusts only input that check accepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "proto.h"

#define HEAD_MAX 9 /* initial byte and an 8-byte argument */

/*
 * Writer
 */

static int
put_head(struct proto_buf *b, size_t (*enc)(uint64_t, unsigned char *, size_t),
    uint64_t v)
{
	size_t n;
	int rc;

	if ((rc = proto_buf_reserve(b, HEAD_MAX)) != PROTO_OK)
		return rc;
	if ((n = enc(v, b->data + b->len, HEAD_MAX)) == 0)
		return PROTO_EINVAL;
	b->len += n;
	return PROTO_OK;
}

/* libcbor takes size_t for lengths; adapt to one signature. */
static size_t
enc_bytes(uint64_t n, unsigned char *p, size_t cap)
{
	return cbor_encode_bytestring_start((size_t)n, p, cap);
}

static size_t
enc_text(uint64_t n, unsigned char *p, size_t cap)
{
	return cbor_encode_string_start((size_t)n, p, cap);
}

static size_t
enc_array(uint64_t n, unsigned char *p, size_t cap)
{
	return cbor_encode_array_start((size_t)n, p, cap);
}

static size_t
enc_map(uint64_t n, unsigned char *p, size_t cap)
{
	return cbor_encode_map_start((size_t)n, p, cap);
}

int
proto_cbor_put_uint(struct proto_buf *b, uint64_t v)
{
	return put_head(b, cbor_encode_uint, v);
}

int
proto_cbor_put_negint(struct proto_buf *b, uint64_t v)
{
	return put_head(b, cbor_encode_negint, v);
}

int
proto_cbor_put_bytes(struct proto_buf *b, const void *p, size_t n)
{
	int rc;

	if ((rc = put_head(b, enc_bytes, n)) != PROTO_OK)
		return rc;
	return proto_buf_append(b, p, n);
}

int
proto_cbor_put_text(struct proto_buf *b, const char *s, size_t n)
{
	int rc;

	if ((rc = put_head(b, enc_text, n)) != PROTO_OK)
		return rc;
	return proto_buf_append(b, s, n);
}

int
proto_cbor_put_str(struct proto_buf *b, const char *s)
{
	return proto_cbor_put_text(b, s, strlen(s));
}

int
proto_cbor_put_array(struct proto_buf *b, size_t n)
{
	return put_head(b, enc_array, n);
}

int
proto_cbor_put_map(struct proto_buf *b, size_t n)
{
	return put_head(b, enc_map, n);
}

int
proto_cbor_put_tag(struct proto_buf *b, uint64_t tag)
{
	return put_head(b, cbor_encode_tag, tag);
}

int
proto_cbor_put_bool(struct proto_buf *b, bool v)
{
	int rc;

	if ((rc = proto_buf_reserve(b, 1)) != PROTO_OK)
		return rc;
	b->len += cbor_encode_bool(v, b->data + b->len, 1);
	return PROTO_OK;
}

int
proto_cbor_put_null(struct proto_buf *b)
{
	int rc;

	if ((rc = proto_buf_reserve(b, 1)) != PROTO_OK)
		return rc;
	b->len += cbor_encode_null(b->data + b->len, 1);
	return PROTO_OK;
}

/*
 * Strict checking
 */

struct head {
	int major;
	unsigned ai;  /* additional information, the low five bits */
	uint64_t arg; /* the argument, for ai < 28 */
};

struct checker {
	const uint8_t *start;
	const uint8_t *p;
	const uint8_t *end;
	unsigned max_depth;
	char *err;
	size_t errlen;
};

static int
fail_at(struct checker *c, const uint8_t *at, int code, const char *what)
{
	return proto_fail(c->err, c->errlen, code, "%s at offset %zu", what,
	    (size_t)(at - c->start));
}

/* Reads one head at c->p, checking only that its bytes are present. */
static int
read_head(struct checker *c, struct head *h)
{
	const uint8_t *at = c->p;
	size_t w;

	if (c->p >= c->end)
		return fail_at(c, at, PROTO_ETRUNCATED, "input ends");
	h->major = *c->p >> 5;
	h->ai = *c->p & 31;
	c->p++;
	if (h->ai < 24) {
		h->arg = h->ai;
		return PROTO_OK;
	}
	if (h->ai >= 28) {
		h->arg = 0;
		return PROTO_OK;
	}
	w = (size_t)1 << (h->ai - 24);
	if ((size_t)(c->end - c->p) < w)
		return fail_at(c, at, PROTO_ETRUNCATED, "head ends early");
	h->arg = 0;
	for (size_t i = 0; i < w; i++)
		h->arg = h->arg << 8 | c->p[i];
	c->p += w;
	return PROTO_OK;
}

static bool
head_shortest(const struct head *h)
{
	switch (h->ai) {
	case 24:
		return h->arg >= 24;
	case 25:
		return h->arg > 0xff;
	case 26:
		return h->arg > 0xffff;
	case 27:
		return h->arg > 0xffffffffULL;
	default:
		return true;
	}
}

/* The length of the well-formed UTF-8 sequence at s (n > 0 bytes left,
 * s[0] >= 0x80), or 0 if there is none. */
static size_t
utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	uint32_t cp;
	size_t len;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0; /* continuation, overlong 2-byte, > 4 */
	}
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool
proto_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t len;

		if (s[i] < 0x80) {
			uint64_t w;

			/* Mostly ASCII: eight bytes at a time. */
			i++;
			while (n - i >= 8) {
				memcpy(&w, s + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			continue;
		}
		if ((len = utf8_seq(s + i, n - i)) == 0)
			return false;
		i += len;
	}
	return true;
}

void
proto_utf8_repair(char *text)
{
	uint8_t *s = (uint8_t *)text;
	size_t n = strlen(text), i = 0, len;

	while (i < n) {
		if (s[i] < 0x80)
			i++;
		else if ((len = utf8_seq(s + i, n - i)) > 0)
			i += len;
		else
			s[i++] = '?';
	}
}

/* The code point of the well-formed sequence of len bytes at s. */
static uint32_t
utf8_cp(const uint8_t *s, size_t len)
{
	uint32_t cp = s[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);

	for (size_t k = 1; k < len; k++)
		cp = cp << 6 | (s[k] & 0x3f);
	return cp;
}

/* Characters that are printable but move or reorder what follows, or
 * that show as nothing at all (a byte order mark). */
static bool
cp_unsafe(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x061c || cp == 0x200e || cp == 0x200f || cp == 0xfeff;
}

char *
proto_text_safe(char *out, size_t outlen, const void *in, size_t n)
{
	static const char dots[] = "...";
	const uint8_t *s = in;
	size_t o = 0, i = 0, mark = 0; /* a boundary with room for dots */

	if (outlen == 0)
		return out;
	while (i < n) {
		char esc[16];
		const char *piece;
		size_t len, plen;

		if (s[i] >= 0x20 && s[i] < 0x7f) {
			piece = (const char *)s + i;
			len = plen = 1;
		} else if (s[i] < 0x80) {
			len = 1;
			if (s[i] == '\n')
				piece = "\\n";
			else if (s[i] == '\r')
				piece = "\\r";
			else if (s[i] == '\t')
				piece = "\\t";
			else if (s[i] == 0x1b)
				piece = "\\e";
			else {
				snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
				piece = esc;
			}
			plen = strlen(piece);
		} else if ((len = utf8_seq(s + i, n - i)) == 0) {
			len = 1;
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			piece = esc;
			plen = strlen(piece);
		} else if (cp_unsafe(utf8_cp(s + i, len))) {
			snprintf(esc, sizeof(esc), "\\u{%04x}",
			    (unsigned)utf8_cp(s + i, len));
			piece = esc;
			plen = strlen(piece);
		} else {
			piece = (const char *)s + i;
			plen = len;
		}
		if (o + plen >= outlen) {
			/* Cut back to where "..." still fits. */
			o = mark;
			if (o + sizeof(dots) - 1 < outlen) {
				memcpy(out + o, dots, sizeof(dots) - 1);
				o += sizeof(dots) - 1;
			}
			break;
		}
		memcpy(out + o, piece, plen);
		o += plen;
		i += len;
		if (o + sizeof(dots) - 1 < outlen)
			mark = o;
	}
	out[o] = '\0';
	return out;
}

char *
proto_str_safe(char *out, size_t outlen, const char *s)
{
	if (s == NULL)
		s = "(null)";
	return proto_text_safe(out, outlen, s, strlen(s));
}

struct span {
	const uint8_t *p;
	size_t n;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	return (x->n > y->n) - (x->n < y->n);
}

static int check_item(struct checker *c, unsigned depth);

/*
 * A map whose keys are out of order may also repeat one; name the
 * repetition, the graver fault, when there is one.
 */
static int
diagnose_unsorted(struct checker *c, const uint8_t *map, uint64_t npairs,
    const uint8_t *first)
{
	struct span *keys;
	const uint8_t *save = c->p;
	int rc = PROTO_OK;

	if ((keys = calloc(npairs, sizeof(*keys))) == NULL)
		return PROTO_ENOMEM;
	c->p = first;
	for (uint64_t i = 0; i < npairs && rc == PROTO_OK; i++) {
		keys[i].p = c->p;
		if ((rc = check_item(c, 0)) != PROTO_OK)
			break;
		keys[i].n = (size_t)(c->p - keys[i].p);
		rc = check_item(c, 0);
	}
	c->p = save;
	if (rc == PROTO_OK) {
		qsort(keys, npairs, sizeof(*keys), span_cmp);
		rc = PROTO_EUNSORTED;
		for (uint64_t i = 1; i < npairs; i++)
			if (span_cmp(&keys[i - 1], &keys[i]) == 0)
				rc = PROTO_EDUPKEY;
	}
	free(keys);
	if (rc == PROTO_EDUPKEY)
		return fail_at(c, map, rc, "map key repeated");
	if (rc == PROTO_EUNSORTED)
		return fail_at(c, map, rc, "map keys out of order");
	return rc;
}

static int
check_map(struct checker *c, const uint8_t *at, uint64_t npairs, unsigned depth)
{
	struct span prev = {NULL, 0}, key;
	const uint8_t *first = c->p;
	bool unsorted = false;
	int rc;

	/* Each pair takes at least two bytes. */
	if (npairs > (uint64_t)(c->end - c->p) / 2)
		return fail_at(
		    c, at, PROTO_ETRUNCATED, "map longer than input");
	for (uint64_t i = 0; i < npairs; i++) {
		key.p = c->p;
		if ((rc = check_item(c, depth + 1)) != PROTO_OK)
			return rc;
		key.n = (size_t)(c->p - key.p);
		if (i > 0) {
			int cmp = span_cmp(&prev, &key);

			if (cmp == 0)
				return fail_at(c, key.p, PROTO_EDUPKEY,
				    "map key repeated");
			if (cmp > 0)
				unsorted = true;
		}
		prev = key;
		if ((rc = check_item(c, depth + 1)) != PROTO_OK)
			return rc;
	}
	if (unsorted)
		return diagnose_unsorted(c, at, npairs, first);
	return PROTO_OK;
}

static int
check_item(struct checker *c, unsigned depth)
{
	const uint8_t *at = c->p;
	struct head h = {0};
	int rc;

	if ((rc = read_head(c, &h)) != PROTO_OK)
		return rc;
	if (h.ai >= 28 && h.ai <= 30)
		return fail_at(
		    c, at, PROTO_EMALFORMED, "reserved additional information");
	if (h.ai == 31) {
		if (h.major >= 2 && h.major <= 5)
			return fail_at(
			    c, at, PROTO_EINDEFINITE, "indefinite length");
		return fail_at(c, at, PROTO_EMALFORMED,
		    h.major == 7 ? "stray break" : "indefinite integer");
	}
	if (h.major == 7) {
		if (h.ai >= 25 && h.ai <= 27)
			return fail_at(
			    c, at, PROTO_EFLOAT, "floating-point value");
		if (h.ai < 20 || h.ai > 22)
			return fail_at(c, at, PROTO_EMALFORMED,
			    "unsupported simple value");
		return PROTO_OK;
	}
	if (!head_shortest(&h))
		return fail_at(c, at, PROTO_ENONSHORTEST,
		    h.major <= 1       ? "integer not in shortest form"
			: h.major == 6 ? "tag number not in shortest form"
				       : "length not in shortest form");
	switch (h.major) {
	case 0:
	case 1:
		return PROTO_OK;
	case 2:
	case 3:
		if (h.arg > (uint64_t)(c->end - c->p))
			return fail_at(c, at, PROTO_ETRUNCATED,
			    "string longer than input");
		if (h.major == 3 && !proto_utf8_valid(c->p, (size_t)h.arg))
			return fail_at(c, at, PROTO_EUTF8, "invalid UTF-8");
		c->p += h.arg;
		return PROTO_OK;
	case 4:
	case 5:
	case 6:
		if (depth + 1 > c->max_depth)
			return fail_at(c, at, PROTO_EDEPTH, "nesting too deep");
		if (h.major == 6)
			return check_item(c, depth + 1);
		if (h.major == 5)
			return check_map(c, at, h.arg, depth);
		if (h.arg > (uint64_t)(c->end - c->p))
			return fail_at(
			    c, at, PROTO_ETRUNCATED, "array longer than input");
		for (uint64_t i = 0; i < h.arg; i++)
			if ((rc = check_item(c, depth + 1)) != PROTO_OK)
				return rc;
		return PROTO_OK;
	}
	return PROTO_EMALFORMED; /* not reached: major is three bits */
}

int
proto_cbor_check(const uint8_t *p, size_t n, unsigned max_depth, size_t *used,
    char *err, size_t errlen)
{
	struct checker c = {p, p, p + n, max_depth, err, errlen};
	int rc;

	if ((rc = check_item(&c, 0)) != PROTO_OK)
		return rc;
	if (used != NULL) {
		*used = (size_t)(c.p - p);
		return PROTO_OK;
	}
	if (c.p != c.end)
		return fail_at(&c, c.p, PROTO_ETRAILING, "trailing bytes");
	return PROTO_OK;
}

/*
 * Sorting a written map
 */

struct pair {
	struct span key;
	size_t n; /* key and value */
};

static int
pair_cmp(const void *a, const void *b)
{
	return span_cmp(
	    &((const struct pair *)a)->key, &((const struct pair *)b)->key);
}

int
proto_cbor_sort_map(struct proto_buf *b, size_t start, size_t npairs)
{
	struct checker c = {b->data, b->data + start, b->data + b->len,
	    PROTO_DEPTH_MAX, NULL, 0};
	struct pair *pairs;
	uint8_t *tmp = NULL, *w;
	int rc = PROTO_OK;

	if (npairs < 2)
		return PROTO_OK;
	if ((pairs = calloc(npairs, sizeof(*pairs))) == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < npairs; i++) {
		pairs[i].key.p = c.p;
		if ((rc = check_item(&c, 0)) != PROTO_OK)
			goto cleanup;
		pairs[i].key.n = (size_t)(c.p - pairs[i].key.p);
		if ((rc = check_item(&c, 0)) != PROTO_OK)
			goto cleanup;
		pairs[i].n = (size_t)(c.p - pairs[i].key.p);
	}
	qsort(pairs, npairs, sizeof(*pairs), pair_cmp);
	for (size_t i = 1; i < npairs; i++)
		if (pair_cmp(&pairs[i - 1], &pairs[i]) == 0) {
			rc = PROTO_EDUPKEY;
			goto cleanup;
		}
	if ((tmp = malloc((size_t)(c.p - (b->data + start)))) == NULL) {
		rc = PROTO_ENOMEM;
		goto cleanup;
	}
	w = tmp;
	for (size_t i = 0; i < npairs; i++) {
		memcpy(w, pairs[i].key.p, pairs[i].n);
		w += pairs[i].n;
	}
	memcpy(b->data + start, tmp, (size_t)(w - tmp));
cleanup:
	free(tmp);
	free(pairs);
	return rc;
}

/*
 * Maps are written with a one-byte placeholder head, then sorted and given
 * their real head: one byte for fewer than 24 pairs, two up to 255.
 */
int
proto_cbor_map_begin(struct proto_buf *b, size_t *start)
{
	int rc;

	if ((rc = proto_buf_append(b, "\xa0", 1)) != PROTO_OK)
		return rc;
	*start = b->len;
	return PROTO_OK;
}

int
proto_cbor_map_end(struct proto_buf *b, size_t start, size_t npairs)
{
	int rc;

	if (npairs > 255 || start == 0)
		return PROTO_EINVAL;
	if ((rc = proto_cbor_sort_map(b, start, npairs)) != PROTO_OK)
		return rc;
	if (npairs < 24) {
		b->data[start - 1] = (uint8_t)(0xa0 | npairs);
		return PROTO_OK;
	}
	/* 24 pairs or more take a two-byte head: make room for it. */
	if ((rc = proto_buf_reserve(b, 1)) != PROTO_OK)
		return rc;
	memmove(b->data + start + 1, b->data + start, b->len - start);
	b->data[start - 1] = 0xb8;
	b->data[start] = (uint8_t)npairs;
	b->len++;
	return PROTO_OK;
}

/*
 * Reader
 */

void
proto_cbor_rd_init(struct proto_cbor_rd *rd, const uint8_t *p, size_t n)
{
	rd->p = p;
	rd->end = p + n;
}

int
proto_cbor_rd_peek(const struct proto_cbor_rd *rd)
{
	if (rd->p >= rd->end)
		return -1;
	return *rd->p >> 5;
}

/* Reads a head of the given major type; -1 (reader unchanged) otherwise. */
static int
rd_head(struct proto_cbor_rd *rd, int major, uint64_t *arg)
{
	struct checker c = {rd->p, rd->p, rd->end, 0, NULL, 0};
	struct head h = {0};

	if (read_head(&c, &h) != PROTO_OK || h.major != major || h.ai >= 28)
		return -1;
	if (major == 7 && h.ai >= 24)
		return -1;
	*arg = h.arg;
	rd->p = c.p;
	return 0;
}

int
proto_cbor_rd_uint(struct proto_cbor_rd *rd, uint64_t *v)
{
	return rd_head(rd, 0, v);
}

int
proto_cbor_rd_int(struct proto_cbor_rd *rd, int64_t *v)
{
	struct proto_cbor_rd save = *rd;
	uint64_t a;

	if (rd_head(rd, 0, &a) == 0) {
		if (a > INT64_MAX)
			goto bad;
		*v = (int64_t)a;
		return 0;
	}
	if (rd_head(rd, 1, &a) == 0) {
		if (a > INT64_MAX)
			goto bad;
		*v = -1 - (int64_t)a;
		return 0;
	}
bad:
	*rd = save;
	return -1;
}

static int
rd_string(struct proto_cbor_rd *rd, int major, const uint8_t **p, size_t *n)
{
	struct proto_cbor_rd save = *rd;
	uint64_t len;

	if (rd_head(rd, major, &len) != 0)
		return -1;
	if (len > (uint64_t)(rd->end - rd->p)) {
		*rd = save;
		return -1;
	}
	*p = rd->p;
	*n = (size_t)len;
	rd->p += len;
	return 0;
}

int
proto_cbor_rd_bytes(struct proto_cbor_rd *rd, const uint8_t **p, size_t *n)
{
	return rd_string(rd, 2, p, n);
}

int
proto_cbor_rd_text(struct proto_cbor_rd *rd, const char **s, size_t *n)
{
	return rd_string(rd, 3, (const uint8_t **)s, n);
}

int
proto_cbor_rd_array(struct proto_cbor_rd *rd, size_t *n)
{
	uint64_t a;

	if (rd_head(rd, 4, &a) != 0)
		return -1;
	*n = (size_t)a;
	return 0;
}

int
proto_cbor_rd_map(struct proto_cbor_rd *rd, size_t *n)
{
	uint64_t a;

	if (rd_head(rd, 5, &a) != 0)
		return -1;
	*n = (size_t)a;
	return 0;
}

int
proto_cbor_rd_tag(struct proto_cbor_rd *rd, uint64_t *tag)
{
	return rd_head(rd, 6, tag);
}

int
proto_cbor_rd_bool(struct proto_cbor_rd *rd, bool *v)
{
	struct proto_cbor_rd save = *rd;
	uint64_t a;

	if (rd_head(rd, 7, &a) != 0 || (a != 20 && a != 21)) {
		*rd = save;
		return -1;
	}
	*v = a == 21;
	return 0;
}

int
proto_cbor_rd_skip(struct proto_cbor_rd *rd)
{
	struct checker c = {rd->p, rd->p, rd->end, PROTO_DEPTH_MAX, NULL, 0};

	if (check_item(&c, 0) != PROTO_OK)
		return -1;
	rd->p = c.p;
	return 0;
}

/*
 * Field tables
 */

static const char *
ftype_name(enum proto_ftype t)
{
	switch (t) {
	case PROTO_F_UINT:
		return "an unsigned integer";
	case PROTO_F_INT:
		return "an integer";
	case PROTO_F_TEXT:
		return "text";
	case PROTO_F_BYTES:
		return "a byte string";
	case PROTO_F_HASH:
		return "a 32-byte string";
	case PROTO_F_ARRAY:
		return "an array";
	case PROTO_F_MAP:
		return "a map";
	case PROTO_F_BOOL:
		return "a boolean";
	case PROTO_F_ANY:
		break;
	}
	return "a value";
}

static int
read_field(struct proto_cbor_rd *rd, struct proto_field *f)
{
	const uint8_t *start = rd->p;
	size_t n;

	switch (f->type) {
	case PROTO_F_UINT:
		return proto_cbor_rd_uint(rd, &f->u);
	case PROTO_F_INT:
		return proto_cbor_rd_int(rd, &f->i);
	case PROTO_F_TEXT:
		return proto_cbor_rd_text(rd, (const char **)&f->ptr, &f->len);
	case PROTO_F_BYTES:
		return proto_cbor_rd_bytes(rd, &f->ptr, &f->len);
	case PROTO_F_HASH:
		if (proto_cbor_rd_bytes(rd, &f->ptr, &f->len) != 0)
			return -1;
		if (f->len != PROTO_HASH_LEN) {
			rd->p = start;
			return -1;
		}
		return 0;
	case PROTO_F_ARRAY:
		f->sub = *rd;
		if (proto_cbor_rd_array(rd, &n) != 0)
			return -1;
		rd->p = start;
		return proto_cbor_rd_skip(rd);
	case PROTO_F_MAP:
		f->sub = *rd;
		if (proto_cbor_rd_map(rd, &n) != 0)
			return -1;
		rd->p = start;
		return proto_cbor_rd_skip(rd);
	case PROTO_F_BOOL: {
		bool v;

		if (proto_cbor_rd_bool(rd, &v) != 0)
			return -1;
		f->u = v;
		return 0;
	}
	case PROTO_F_ANY:
		f->ptr = start;
		if (proto_cbor_rd_skip(rd) != 0)
			return -1;
		f->len = (size_t)(rd->p - start);
		return 0;
	}
	return -1;
}

int
proto_cbor_rd_fields(struct proto_cbor_rd *rd, struct proto_field *f, size_t nf,
    bool allow_unknown, int code, char *err, size_t errlen)
{
	size_t npairs;

	for (size_t k = 0; k < nf; k++) {
		f[k].present = false;
		f[k].u = 0;
		f[k].i = 0;
		f[k].ptr = NULL;
		f[k].len = 0;
	}
	if (proto_cbor_rd_map(rd, &npairs) != 0)
		return proto_fail(err, errlen, code, "expected a map");
	for (size_t i = 0; i < npairs; i++) {
		const char *key;
		size_t klen, k;

		if (proto_cbor_rd_text(rd, &key, &klen) != 0)
			return proto_fail(
			    err, errlen, code, "map key is not text");
		for (k = 0; k < nf; k++)
			if (klen > 0 && f[k].key[0] == key[0] &&
			    strnlen(f[k].key, klen + 1) == klen &&
			    memcmp(f[k].key, key, klen) == 0)
				break;
		if (k == nf) {
			if (!allow_unknown)
				return proto_fail(err, errlen, code,
				    "unknown key \"%.*s\"",
				    (int)(klen > 64 ? 64 : klen), key);
			if (proto_cbor_rd_skip(rd) != 0)
				return proto_fail(
				    err, errlen, code, "unreadable value");
			continue;
		}
		if (f[k].present)
			return proto_fail(err, errlen, PROTO_EDUPKEY,
			    "key \"%s\" repeated", f[k].key);
		if (read_field(rd, &f[k]) != 0)
			return proto_fail(err, errlen, code,
			    "\"%s\" must be %s", f[k].key,
			    ftype_name(f[k].type));
		f[k].present = true;
	}
	for (size_t k = 0; k < nf; k++)
		if (f[k].required && !f[k].present)
			return proto_fail(
			    err, errlen, code, "\"%s\" missing", f[k].key);
	return PROTO_OK;
}
