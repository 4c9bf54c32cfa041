/*
 * fuzz_json: the client's claim JSON (proto_claim_from_json) into the
 * payload encoder and decoder, and libclaim's text helpers, quote finding
 * (claim_quote_find) and word diffs (claim_diff_words).
 *
 * Input: JSON text (any bytes). Invariants, each an abort() when broken:
 *   - a claim read from JSON that encodes decodes again, and re-encodes to
 *     the same bytes;
 *   - what show --json prints of it (proto_payload_to_json) reads back
 *     into a claim that encodes to the same bytes: ratings' numbers, as
 *     canonical decimal text, among them;
 *   - a slice of a valid UTF-8 input, cut at character boundaries and not
 *     all white space, is found by claim_quote_find() in the input, and
 *     every span found lies inside the document;
 *   - the segments of claim_diff_words(a, b), read without "add", spell a
 *     and read without "del" spell b (claim.h), for valid UTF-8 a and b.
 */
#include <jansson.h>
#include <sodium.h>

#include "claim.h"
#include "fuzz_common.h"

/* Word diffs are quadratic; statements are at most 8 KiB, and diffs of
 * that size are slow, not wrong. */
#define DIFF_HALF_MAX 256

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

/* The JSON show --json prints of q, read back, encodes as q did. */
static void
shown_roundtrip(const struct proto_payload *q, const struct proto_buf *enc)
{
	struct proto_payload r;
	struct proto_buf again;
	json_t *shown = proto_payload_to_json(q);
	char err[256];
	int rc;

	FUZZ_CHECK(shown != NULL, "a valid claim has no JSON");
	rc = proto_claim_from_json(
	    shown, NULL, NULL, NULL, &r, err, sizeof(err));
	json_decref(shown);
	FUZZ_CHECK(rc == PROTO_OK, "show --json of a claim reads back: %s: %s",
	    proto_errname(rc), err);
	r.time = q->time;
	proto_buf_init(&again);
	rc = proto_payload_encode(&r, &again, err, sizeof(err));
	FUZZ_CHECK(rc == PROTO_OK && again.len == enc->len &&
		memcmp(again.data, enc->data, enc->len) == 0,
	    "show --json of a claim reads back as another claim (%s)",
	    proto_errname(rc));
	proto_buf_release(&again);
	proto_payload_release(&r);
}

static void
claim_json(const uint8_t *data, size_t size)
{
	struct proto_payload p, q;
	struct proto_buf enc, again;
	json_error_t jerr;
	char err[256];
	json_t *obj;
	int rc;

	obj =
	    json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL)
		return;
	rc = proto_claim_from_json(obj, NULL, NULL, NULL, &p, err, sizeof(err));
	json_decref(obj);
	if (rc != PROTO_OK)
		return;
	p.time = 1700000000;
	proto_buf_init(&enc);
	if (proto_payload_encode(&p, &enc, err, sizeof(err)) == PROTO_OK) {
		rc = proto_payload_decode(
		    enc.data, enc.len, &q, err, sizeof(err));
		FUZZ_CHECK(rc == PROTO_OK,
		    "an encoded claim does not decode: %s: %s",
		    proto_errname(rc), err);
		proto_buf_init(&again);
		rc = proto_payload_encode(&q, &again, err, sizeof(err));
		FUZZ_CHECK(rc == PROTO_OK && again.len == enc.len &&
			memcmp(again.data, enc.data, enc.len) == 0,
		    "a decoded claim re-encodes differently (%s)",
		    proto_errname(rc));
		fuzz_payload_roundtrip(&q, enc.data, enc.len);
		shown_roundtrip(&q, &enc);
		proto_buf_release(&again);
		proto_payload_release(&q);
	}
	proto_buf_release(&enc);
	proto_payload_release(&p);
}

/* A UTF-8 continuation byte: not where a character starts. */
static bool
is_cont(uint8_t c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * Whether s holds a character that claim_quote_find() does not fold to a
 * space: ASCII white space, NBSP (c2 a0) and U+2002-200A, U+202F
 * (e2 80 82-8a, e2 80 af) are spaces to it.
 */
static bool
has_nonblank(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			i++;
		} else if (c == 0xc2 && i + 1 < n && s[i + 1] == 0xa0) {
			i += 2;
		} else if (c == 0xe2 && i + 2 < n && s[i + 1] == 0x80 &&
		    ((s[i + 2] >= 0x82 && s[i + 2] <= 0x8a) ||
			s[i + 2] == 0xaf)) {
			i += 3;
		} else {
			return true;
		}
	}
	return false;
}

static void
quote(const uint8_t *data, size_t size)
{
	const char *doc = (const char *)data;
	size_t from, len, start = 0, end = 0;
	bool found, must;
	char *q;

	if (size < 2)
		return;
	/* The first and last two bytes choose the slice, never empty. */
	from = ((size_t)data[0] << 8 | data[1]) % size;
	len = 1 +
	    (((size_t)data[size - 1] << 8 | data[size - 2]) % (size - from));
	if ((q = malloc(len + 1)) == NULL)
		return;
	memcpy(q, data + from, len);
	q[len] = '\0';
	found = claim_quote_find(doc, size, q, &start, &end);
	if (found)
		FUZZ_CHECK(start <= end && end <= size,
		    "span [%zu, %zu) outside a document of %zu bytes", start,
		    end, size);
	/*
	 * An exact copy of a span must be found, where folding cannot differ
	 * between the copy and the document: whole characters of valid
	 * UTF-8, no NUL (the quote is a C string), and something other than
	 * white space (all-blank quotes are refused by design).
	 */
	must = memchr(q, '\0', len) == NULL && proto_utf8_valid(data, size) &&
	    !is_cont(data[from]) &&
	    (from + len == size || !is_cont(data[from + len])) &&
	    has_nonblank(data + from, len);
	if (must)
		FUZZ_CHECK(found, "quote [%zu, +%zu) of the document not found",
		    from, len);
	free(q);
}

/* Appends the texts of the segments whose op is not skip. */
static char *
spell(const json_t *segs, const char *skip)
{
	size_t i, n = 0, cap = 64;
	char *s = malloc(cap), *ns;
	json_t *seg;

	if (s == NULL)
		return NULL;
	json_array_foreach(segs, i, seg)
	{
		const char *op = json_string_value(json_object_get(seg, "op"));
		json_t *t = json_object_get(seg, "text");
		size_t len = json_string_length(t);

		FUZZ_CHECK(op != NULL && json_is_string(t),
		    "diff segment %zu malformed", i);
		FUZZ_CHECK(strcmp(op, "same") == 0 || strcmp(op, "del") == 0 ||
			strcmp(op, "add") == 0,
		    "diff segment op \"%s\"", op);
		if (strcmp(op, skip) == 0)
			continue;
		if (n + len + 1 > cap) {
			cap = 2 * (n + len + 1);
			if ((ns = realloc(s, cap)) == NULL) {
				free(s);
				return NULL;
			}
			s = ns;
		}
		memcpy(s + n, json_string_value(t), len);
		n += len;
	}
	s[n] = '\0';
	return s;
}

static void
diff(const uint8_t *data, size_t size)
{
	size_t half = size / 2, nb = size - half;
	char *a, *b, *sa, *sb;
	json_t *segs;

	if (half > DIFF_HALF_MAX)
		half = DIFF_HALF_MAX;
	if (nb > DIFF_HALF_MAX)
		nb = DIFF_HALF_MAX;
	if ((a = strndup((const char *)data, half)) == NULL ||
	    (b = strndup((const char *)data + size / 2, nb)) == NULL) {
		free(a);
		return;
	}
	if (claim_diff_words(a, b, &segs) != PROTO_OK)
		segs = NULL;
	/* Texts come from records: valid UTF-8. JSON strings cannot hold
	 * anything else, so other input is only run, not checked. */
	if (segs != NULL && proto_utf8_valid((uint8_t *)a, strlen(a)) &&
	    proto_utf8_valid((uint8_t *)b, strlen(b))) {
		sa = spell(segs, "add");
		sb = spell(segs, "del");
		FUZZ_CHECK(sb == NULL || strcmp(sb, b) == 0,
		    "diff segments without \"del\" do not spell b");
		FUZZ_CHECK(sa == NULL || strcmp(sa, a) == 0,
		    "diff segments without \"add\" do not spell a");
		free(sa);
		free(sb);
	}
	json_decref(segs);
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	claim_json(data, size);
	quote(data, size);
	diff(data, size);
	return 0;
}
