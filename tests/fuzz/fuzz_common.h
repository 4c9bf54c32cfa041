/*
 * fuzz_common.h: what the fuzz targets share (header-only, each target is
 * one translation unit plus this).
 *
 * FUZZ_CHECK(cond, ...) aborts with a message when an invariant of the
 * code under test does not hold: libFuzzer then saves the input as a
 * crash. Only real bugs may trip it; an input the code refuses is never
 * one.
 */
#ifndef CLAIMD_FUZZ_COMMON_H
#define CLAIMD_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
			    "fuzz invariant failed: %s (%s:%d): ", #cond,      \
			    __FILE__, __LINE__);                               \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Known bugs
 *
 * A bug a fuzzer found would stop every later run within seconds until it
 * is fixed. While one is open, a target may step around it at one place
 * marked KNOWN BUG, unless fuzz_strict(): CLAIMD_FUZZ_STRICT is set in the
 * environment, to check a fix with the reproducers in crashes/. Delete the
 * workaround with the fix. None is open now.
 */
static inline bool
fuzz_strict(void)
{
	static int strict = -1;

	if (strict < 0)
		strict = getenv("CLAIMD_FUZZ_STRICT") != NULL;
	return strict != 0;
}

/*
 * Re-encodes one item of CBOR that proto_cbor_check() accepted with the
 * proto_cbor_put_* writers (shortest heads only) and the typed reader, so
 * that the result equals the input exactly when the checker let only
 * deterministic encodings through. Returns 0, or -1 if the reader refused
 * an item the checker accepted.
 */
static inline int
fuzz_cbor_rewrite(struct proto_cbor_rd *rd, struct proto_buf *out, int depth)
{
	const uint8_t *p;
	size_t n;
	uint64_t u;
	int64_t i;
	bool b;

	if (depth > PROTO_DEPTH_MAX + 1)
		return -1;
	switch (proto_cbor_rd_peek(rd)) {
	case PROTO_CBOR_UINT:
		if (proto_cbor_rd_uint(rd, &u) != 0)
			return -1;
		return proto_cbor_put_uint(out, u) == PROTO_OK ? 0 : -1;
	case PROTO_CBOR_NEGINT: {
		const uint8_t *start = rd->p;

		if (proto_cbor_rd_int(rd, &i) == 0)
			return proto_cbor_put_negint(out, (uint64_t)(-1 - i)) ==
				PROTO_OK
			    ? 0
			    : -1;
		/* Below INT64_MIN: rd_int cannot say; copy it as it is. */
		if (proto_cbor_rd_skip(rd) != 0)
			return -1;
		return proto_buf_append(out, start, (size_t)(rd->p - start)) ==
			PROTO_OK
		    ? 0
		    : -1;
	}
	case PROTO_CBOR_BYTES:
		if (proto_cbor_rd_bytes(rd, &p, &n) != 0)
			return -1;
		return proto_cbor_put_bytes(out, p, n) == PROTO_OK ? 0 : -1;
	case PROTO_CBOR_TEXT:
		if (proto_cbor_rd_text(rd, (const char **)&p, &n) != 0 ||
		    !proto_utf8_valid(p, n))
			return -1;
		return proto_cbor_put_text(out, (const char *)p, n) == PROTO_OK
		    ? 0
		    : -1;
	case PROTO_CBOR_ARRAY:
		if (proto_cbor_rd_array(rd, &n) != 0 ||
		    proto_cbor_put_array(out, n) != PROTO_OK)
			return -1;
		for (size_t k = 0; k < n; k++)
			if (fuzz_cbor_rewrite(rd, out, depth + 1) != 0)
				return -1;
		return 0;
	case PROTO_CBOR_MAP:
		if (proto_cbor_rd_map(rd, &n) != 0 ||
		    proto_cbor_put_map(out, n) != PROTO_OK)
			return -1;
		for (size_t k = 0; k < 2 * n; k++)
			if (fuzz_cbor_rewrite(rd, out, depth + 1) != 0)
				return -1;
		return 0;
	case PROTO_CBOR_TAG:
		if (proto_cbor_rd_tag(rd, &u) != 0 ||
		    proto_cbor_put_tag(out, u) != PROTO_OK)
			return -1;
		return fuzz_cbor_rewrite(rd, out, depth + 1);
	case PROTO_CBOR_SIMPLE:
		if (proto_cbor_rd_bool(rd, &b) == 0)
			return proto_cbor_put_bool(out, b) == PROTO_OK ? 0 : -1;
		/* The only other simple value allowed is null (f6). */
		if (rd->p >= rd->end || rd->p[0] != 0xf6)
			return -1;
		rd->p++;
		return proto_cbor_put_null(out) == PROTO_OK ? 0 : -1;
	default:
		return -1;
	}
}

/*
 * proto_cbor_check() with and without "used" must agree, and what it
 * accepts must re-encode to itself. Returns the check's result.
 */
static inline int
fuzz_cbor_check(const uint8_t *p, size_t n, unsigned max_depth)
{
	char err[256];
	size_t used = (size_t)-1;
	int rc, rc_used;

	rc = proto_cbor_check(p, n, max_depth, NULL, err, sizeof(err));
	rc_used = proto_cbor_check(p, n, max_depth, &used, err, sizeof(err));
	if (rc_used != PROTO_OK) {
		FUZZ_CHECK(rc == rc_used, "check %d but check with used %d", rc,
		    rc_used);
		return rc;
	}
	FUZZ_CHECK(used >= 1 && used <= n, "used %zu of %zu", used, n);
	FUZZ_CHECK(rc == (used == n ? PROTO_OK : PROTO_ETRAILING),
	    "check %d, but the first item is %zu of %zu bytes", rc, used, n);
	{
		struct proto_cbor_rd rd;
		struct proto_buf out;

		proto_buf_init(&out);
		proto_cbor_rd_init(&rd, p, used);
		FUZZ_CHECK(fuzz_cbor_rewrite(&rd, &out, 1) == 0,
		    "the reader refuses an item the checker accepted");
		FUZZ_CHECK(rd.p == p + used, "the reader read %zu of %zu bytes",
		    (size_t)(rd.p - p), used);
		FUZZ_CHECK(out.len == used && memcmp(out.data, p, used) == 0,
		    "accepted CBOR is not deterministic: it re-encodes to "
		    "%zu other bytes",
		    out.len);
		proto_buf_release(&out);
	}
	return rc;
}

/*
 * A decoded payload must encode back to exactly the bytes it came from,
 * and so must a deep copy of it.
 */
static inline void
fuzz_payload_roundtrip(
    const struct proto_payload *p, const uint8_t *bytes, size_t len)
{
	struct proto_payload copy;
	struct proto_buf out;
	char err[256];
	int rc;

	proto_buf_init(&out);
	rc = proto_payload_encode(p, &out, err, sizeof(err));
	FUZZ_CHECK(rc == PROTO_OK, "a decoded payload does not encode: %s: %s",
	    proto_errname(rc), err);
	FUZZ_CHECK(out.len == len && memcmp(out.data, bytes, len) == 0,
	    "payload of %zu bytes re-encodes to %zu different bytes", len,
	    out.len);
	proto_buf_release(&out);

	rc = proto_payload_copy(&copy, p);
	FUZZ_CHECK(rc == PROTO_OK, "proto_payload_copy: %s", proto_errname(rc));
	rc = proto_payload_encode(&copy, &out, err, sizeof(err));
	FUZZ_CHECK(rc == PROTO_OK && out.len == len &&
		memcmp(out.data, bytes, len) == 0,
	    "a copy of a payload encodes differently (%s)", proto_errname(rc));
	proto_buf_release(&out);
	proto_payload_release(&copy);
}

#endif /* CLAIMD_FUZZ_COMMON_H */
