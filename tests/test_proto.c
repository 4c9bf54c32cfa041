/*
 * test_proto: the record codec, schema, JSON, keys, rules and Merkle
 * arithmetic of proto/.
 *
 *   test_proto VECTORS_DIR     run the cmocka tests
 *   test_proto --emit          print C-made records, one line each (hash,
 *                              TAB, hex), for verify_records.py --hashes
 *   test_proto --merkle FILE   check roots and proofs from merkle.py
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "testutil.h"

static const char *vectors_dir = "tests/vectors";

/*
 * CBOR
 */

static void
expect_hex(const struct proto_buf *b, const char *hex)
{
	char got[256];

	assert_true(b->len * 2 < sizeof(got));
	proto_hex(b->data, b->len, got);
	assert_string_equal(got, hex);
}

static void
test_cbor_writer_shortest(void **state)
{
	static const struct {
		uint64_t v;
		const char *hex;
	} cases[] = {
	    {0, "00"},
	    {23, "17"},
	    {24, "1818"},
	    {255, "18ff"},
	    {256, "190100"},
	    {65535, "19ffff"},
	    {65536, "1a00010000"},
	    {4294967295ULL, "1affffffff"},
	    {4294967296ULL, "1b0000000100000000"},
	};
	struct proto_buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		proto_buf_init(&b);
		assert_int_equal(proto_cbor_put_uint(&b, cases[i].v), 0);
		expect_hex(&b, cases[i].hex);
		proto_buf_release(&b);
	}
	proto_buf_init(&b);
	assert_int_equal(proto_cbor_put_negint(&b, 7), 0); /* -8 */
	assert_int_equal(proto_cbor_put_text(&b, "abc", 3), 0);
	assert_int_equal(proto_cbor_put_bytes(&b, "\x01\x02", 2), 0);
	assert_int_equal(proto_cbor_put_tag(&b, 18), 0);
	assert_int_equal(proto_cbor_put_bool(&b, true), 0);
	assert_int_equal(proto_cbor_put_null(&b), 0);
	expect_hex(&b, "2763616263420102d2f5f6");
	proto_buf_release(&b);
}

static const struct {
	const char *hex;
	int rc;
	const char *msg; /* what the error says, before " at offset" */
} cbor_cases[] = {
    /* accepted */
    {"a0", PROTO_OK},
    {"80", PROTO_OK},
    {"f4", PROTO_OK},
    {"f5", PROTO_OK},
    {"f6", PROTO_OK},
    {"1817", PROTO_ENONSHORTEST, "integer not in shortest form"},
    {"1818", PROTO_OK},
    {"a2616101616202", PROTO_OK},
    {"a261610162616102", PROTO_OK},                   /* shorter key first */
    {"8181818181818181818181818181818100", PROTO_OK}, /* 16 deep */
    {"62c3a9", PROTO_OK},
    {"64f09f988a", PROTO_OK},
    /* refused, each with its own code */
    {"1805", PROTO_ENONSHORTEST, "integer not in shortest form"},
    {"190005", PROTO_ENONSHORTEST, "integer not in shortest form"},
    {"1a0000ffff", PROTO_ENONSHORTEST, "integer not in shortest form"},
    {"1b00000000ffffffff", PROTO_ENONSHORTEST, "integer not in shortest form"},
    {"3817", PROTO_ENONSHORTEST, "integer not in shortest form"},
    {"7800", PROTO_ENONSHORTEST, "length not in shortest form"},
    {"590001ff", PROTO_ENONSHORTEST, "length not in shortest form"},
    {"d812a0", PROTO_ENONSHORTEST, "tag number not in shortest form"},
    {"9800", PROTO_ENONSHORTEST, "length not in shortest form"},
    {"5f4101ff", PROTO_EINDEFINITE, "indefinite length"},
    {"7f6161ff", PROTO_EINDEFINITE, "indefinite length"},
    {"9fff", PROTO_EINDEFINITE, "indefinite length"},
    {"bfff", PROTO_EINDEFINITE, "indefinite length"},
    {"f93c00", PROTO_EFLOAT, "floating-point value"},
    {"fa3f800000", PROTO_EFLOAT, "floating-point value"},
    {"fb3ff0000000000000", PROTO_EFLOAT, "floating-point value"},
    {"a2616201616101", PROTO_EUNSORTED, "map keys out of order"},
    {"a262616101616202", PROTO_EUNSORTED,
	"map keys out of order"}, /* longer key first */
    {"a2616101616102", PROTO_EDUPKEY, "map key repeated"},
    {"a3616201616101616202", PROTO_EDUPKEY,
	"map key repeated"}, /* unsorted and repeated */
    {"62c328", PROTO_EUTF8, "invalid UTF-8"},
    {"62c080", PROTO_EUTF8, "invalid UTF-8"},     /* overlong */
    {"63eda080", PROTO_EUTF8, "invalid UTF-8"},   /* surrogate */
    {"64f4908080", PROTO_EUTF8, "invalid UTF-8"}, /* above U+10FFFF */
    {"63e282", PROTO_ETRUNCATED, "string longer than input"},
    {"62e282", PROTO_EUTF8, "invalid UTF-8"}, /* sequence cut short */
    {"818181818181818181818181818181818100", PROTO_EDEPTH, "nesting too deep"},
    {"1c", PROTO_EMALFORMED, "reserved additional information"},
    {"ff", PROTO_EMALFORMED, "stray break"},
    {"1f", PROTO_EMALFORMED, "indefinite integer"},
    {"f7", PROTO_EMALFORMED, "unsupported simple value"},
    {"f820", PROTO_EMALFORMED, "unsupported simple value"},
    {"0000", PROTO_ETRAILING, "trailing bytes"},
    {"6261", PROTO_ETRUNCATED, "string longer than input"},
    {"", PROTO_ETRUNCATED, "input ends"},
    {"d2", PROTO_ETRUNCATED, "input ends"},
    {"a101", PROTO_ETRUNCATED, "map longer than input"},
    {"19ff", PROTO_ETRUNCATED, "head ends early"},
    {"9bffffffffffffffff", PROTO_ETRUNCATED, "array longer than input"},
    {"bbffffffffffffffff", PROTO_ETRUNCATED, "map longer than input"},
};

static void
test_cbor_check_each_violation(void **state)
{
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cbor_cases) / sizeof(cbor_cases[0]);
	     i++) {
		size_t n;
		uint8_t *p = tu_unhex(cbor_cases[i].hex, &n);
		int rc;

		err[0] = '\0';
		rc = proto_cbor_check(
		    p, n, PROTO_DEPTH_MAX, NULL, err, sizeof(err));
		if (rc != cbor_cases[i].rc)
			fail_msg("%s: got %s (%s), want %s", cbor_cases[i].hex,
			    proto_errname(rc), err,
			    proto_errname(cbor_cases[i].rc));
		if (rc != PROTO_OK) {
			char want[128];

			snprintf(want, sizeof(want), "%s at offset ",
			    cbor_cases[i].msg);
			if (strncmp(err, want, strlen(want)) != 0)
				fail_msg("%s: says \"%s\", want \"%s...\"",
				    cbor_cases[i].hex, err, want);
		}
		free(p);
	}
}

static void
test_cbor_sort_map(void **state)
{
	struct proto_buf b;
	size_t start;

	(void)state;
	proto_buf_init(&b);
	assert_int_equal(proto_cbor_put_map(&b, 3), 0);
	start = b.len;
	assert_int_equal(proto_cbor_put_str(&b, "time"), 0);
	assert_int_equal(proto_cbor_put_uint(&b, 1), 0);
	assert_int_equal(proto_cbor_put_str(&b, "b"), 0);
	assert_int_equal(proto_cbor_put_uint(&b, 2), 0);
	assert_int_equal(proto_cbor_put_str(&b, "kind"), 0);
	assert_int_equal(proto_cbor_put_uint(&b, 3), 0);
	assert_int_equal(proto_cbor_sort_map(&b, start, 3), 0);
	expect_hex(&b, "a3616202646b696e64036474696d6501");
	assert_int_equal(
	    proto_cbor_check(b.data, b.len, 16, NULL, NULL, 0), PROTO_OK);
	/* A repeated key cannot be put in order. */
	b.len = 0;
	assert_int_equal(proto_cbor_put_map(&b, 2), 0);
	start = b.len;
	assert_int_equal(proto_cbor_put_str(&b, "a"), 0);
	assert_int_equal(proto_cbor_put_uint(&b, 1), 0);
	assert_int_equal(proto_cbor_put_str(&b, "a"), 0);
	assert_int_equal(proto_cbor_put_uint(&b, 2), 0);
	assert_int_equal(proto_cbor_sort_map(&b, start, 2), PROTO_EDUPKEY);
	proto_buf_release(&b);
}

/* map_begin/map_end across the one-byte head limit. */
static void
test_cbor_map_heads(void **state)
{
	struct proto_buf b;

	(void)state;
	for (size_t n = 0; n <= 40; n++) {
		size_t start, used;

		proto_buf_init(&b);
		assert_int_equal(proto_cbor_put_uint(&b, 7), 0); /* before */
		assert_int_equal(proto_cbor_map_begin(&b, &start), 0);
		for (size_t i = n; i-- > 0;) {
			char key[24];

			snprintf(key, sizeof(key), "k%02zu", i);
			assert_int_equal(proto_cbor_put_str(&b, key), 0);
			assert_int_equal(proto_cbor_put_uint(&b, i), 0);
		}
		assert_int_equal(proto_cbor_map_end(&b, start, n), PROTO_OK);
		assert_int_equal(
		    proto_cbor_check(b.data + 1, b.len - 1, 4, &used, NULL, 0),
		    PROTO_OK);
		assert_int_equal(used, b.len - 1);
		assert_int_equal(b.data[1], n < 24 ? 0xa0 | n : 0xb8);
		proto_buf_release(&b);
	}
}

static void
test_cbor_reader_fields(void **state)
{
	struct proto_field f[] = {
	    {"a", PROTO_F_UINT, true},
	    {"b", PROTO_F_TEXT, false},
	    {"c", PROTO_F_HASH, false},
	};
	struct proto_cbor_rd rd;
	char err[128];
	size_t n;
	uint8_t *p;

	(void)state;
	/* {"a": 5, "b": "xy"} */
	p = tu_unhex("a2616105616262787a", &n);
	proto_cbor_rd_init(&rd, p, n);
	assert_int_equal(proto_cbor_rd_fields(
			     &rd, f, 3, false, PROTO_ESCHEMA, err, sizeof(err)),
	    PROTO_OK);
	assert_true(f[0].present && f[0].u == 5);
	assert_true(f[1].present && f[1].len == 2);
	assert_false(f[2].present);
	free(p);
	/* {"a": "x"}: wrong type */
	p = tu_unhex("a161616178", &n);
	proto_cbor_rd_init(&rd, p, n);
	assert_int_equal(proto_cbor_rd_fields(
			     &rd, f, 3, false, PROTO_ESCHEMA, err, sizeof(err)),
	    PROTO_ESCHEMA);
	assert_non_null(strstr(err, "\"a\" must be an unsigned integer"));
	free(p);
	/* {"z": 1}: unknown key, and "a" missing */
	p = tu_unhex("a1617a01", &n);
	proto_cbor_rd_init(&rd, p, n);
	assert_int_equal(proto_cbor_rd_fields(
			     &rd, f, 3, false, PROTO_ESCHEMA, err, sizeof(err)),
	    PROTO_ESCHEMA);
	assert_non_null(strstr(err, "unknown key \"z\""));
	proto_cbor_rd_init(&rd, p, n);
	assert_int_equal(proto_cbor_rd_fields(
			     &rd, f, 3, true, PROTO_ESCHEMA, err, sizeof(err)),
	    PROTO_ESCHEMA);
	assert_non_null(strstr(err, "\"a\" missing"));
	free(p);
}

/*
 * Records and payloads
 */

/* A claim with every optional field filled, non-ASCII text included. */
static void
full_claim(struct proto_payload *p)
{
	struct proto_claim *c = &p->claim;

	tu_claim(p, "az-mfa", "normalization",
	    "Azerbaijan says it is ready to normalize relations — "
	    "“on the basis of international law”.");
	c->topics = realloc(c->topics, 2 * sizeof(char *));
	c->topics[1] = strdup("peace-treaty");
	c->ntopics = 2;
	c->made = strdup("2021-11-08");
	c->note = strdup("Հայաստան, Azərbaycan");
	c->nsources = 2;
	c->sources = calloc(2, sizeof(*c->sources));
	c->sources[0].publisher = strdup("Anadolu Agency");
	c->sources[0].title = strdup("Azeris willing to normalize ties");
	c->sources[0].url = strdup("https://www.aa.com.tr/en/world/1");
	c->sources[0].published = strdup("2021-11-08");
	c->sources[0].quote = strdup("Armenia must choose between regional "
				     "cooperation and illegal claims");
	c->sources[0].has_sha256 = true;
	memset(c->sources[0].sha256, 0xab, PROTO_HASH_LEN);
	c->sources[0].has_derivation = true;
	c->sources[0].from = 1;
	c->sources[0].how = PROTO_HOW_QUOTES;
	c->sources[1].publisher = strdup("Ministry of Foreign Affairs");
	c->sources[1].title = strdup("Statement on Victory Day");
	c->nrelations = 1;
	c->relations = calloc(1, sizeof(*c->relations));
	c->relations[0].rel = PROTO_REL_DISPUTES;
	memset(c->relations[0].claim, 0x11, PROTO_HASH_LEN);
}

/* Byte at a time, as the definitions read: the fast paths must agree. */
static bool
ref_utf8(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4, cp = s[i] & 0x07;
		else
			return false;
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static bool
ref_text(const uint8_t *s, size_t n)
{
	if (!ref_utf8(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
			s[i] != '\r') ||
		    s[i] == 0x7f)
			return false;
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0x9f)
			return false;
	}
	return true;
}

/*
 * proto_utf8_repair: well-formed text is left alone; a character cut in
 * the middle (as "%.64s" cuts), a stray continuation byte, an overlong
 * form and a surrogate each become '?', byte for byte; the result is
 * always valid. Then every byte value and every lead byte with every
 * second byte, at the end of a string and inside it.
 */
static void
test_utf8_repair(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"plain ascii", "plain ascii"},
	    {"\xd5\xa1\xd5\xb2 Armenian", "\xd5\xa1\xd5\xb2 Armenian"},
	    {"cut \xd5", "cut ?"},
	    {"cut \xe2\x80", "cut ??"},
	    {"stray \x80 byte", "stray ? byte"},
	    {"overlong \xc0\xaf", "overlong ??"},
	    {"surrogate \xed\xa0\x80", "surrogate ???"},
	    {"\xf0\x9f\x98\x80 emoji", "\xf0\x9f\x98\x80 emoji"},
	    {"\xf5\x80\x80\x80", "????"},
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		proto_utf8_repair(buf);
		assert_string_equal(buf, cases[i].want);
	}
	for (unsigned a = 1; a < 256; a++)
		for (unsigned b = 1; b < 256; b++) {
			char s[] = {'x', (char)a, (char)b, 'y', '\0'};
			char t[] = {'x', (char)a, '\0'};

			proto_utf8_repair(s);
			proto_utf8_repair(t);
			assert_true(
			    proto_utf8_valid((const uint8_t *)s, strlen(s)));
			assert_true(
			    proto_utf8_valid((const uint8_t *)t, strlen(t)));
			assert_int_equal(strlen(s), 4);
			assert_int_equal(strlen(t), 2);
		}
}

/* True if s holds no byte below 0x20 or 0x7f, and is valid UTF-8
 * with no C1 control. */
static bool
printable(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return proto_text_valid(s, n);
}

/*
 * proto_text_safe: printable text is copied; every control character,
 * ANSI sequence, C1 control, line or paragraph separator, bidi override
 * and invalid byte is escaped; what does not fit is cut at a character
 * or escape and ends in "...". Then every byte value and every pair, at
 * every out size: the result is always printable, one line, bounded.
 */
static void
test_text_safe(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"plain ascii", "plain ascii"},
	    {"\xd5\xa1\xd5\xb2 Armenian", "\xd5\xa1\xd5\xb2 Armenian"},
	    {"red \x1b[31mtext", "red \\e[31mtext"},
	    {"\x1b]0;TITLE\x07\x1b[2J", "\\e]0;TITLE\\x07\\e[2J"},
	    {"two\nlines\r\n", "two\\nlines\\r\\n"},
	    {"tab\there", "tab\\there"},
	    {"del \x7f nul-less", "del \\x7f nul-less"},
	    {"c1 \xc2\x9b"
	     "31m",
		"c1 \\u{009b}31m"},
	    {"ls \xe2\x80\xa8 ps \xe2\x80\xa9", "ls \\u{2028} ps \\u{2029}"},
	    {"bidi \xe2\x80\xae"
	     "cba",
		"bidi \\u{202e}cba"},
	    {"isolate \xe2\x81\xa6x\xe2\x81\xa9",
		"isolate \\u{2066}x\\u{2069}"},
	    {"marks \xe2\x80\x8f\xd8\x9c", "marks \\u{200f}\\u{061c}"},
	    {"\xef\xbb\xbf[] bom", "\\u{feff}[] bom"},
	    {"stray \x80 byte", "stray \\x80 byte"},
	    {"cut \xd5", "cut \\xd5"},
	    {"overlong \xc0\xaf", "overlong \\xc0\\xaf"},
	    {"\xf0\x9f\x98\x80 emoji", "\xf0\x9f\x98\x80 emoji"},
	};
	char buf[128], small[12];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_ptr_equal(
		    proto_str_safe(buf, sizeof(buf), cases[i].in), buf);
		assert_string_equal(buf, cases[i].want);
	}
	/* A NUL inside the given length is escaped too. */
	proto_text_safe(buf, sizeof(buf), "a\0b", 3);
	assert_string_equal(buf, "a\\x00b");
	assert_string_equal(proto_str_safe(buf, sizeof(buf), NULL), "(null)");
	/* Cut: never inside an escape or a character. */
	proto_str_safe(small, sizeof(small), "abcdefghijklmnop");
	assert_string_equal(small, "abcdefgh...");
	proto_str_safe(small, sizeof(small), "abcdef\x1b[2Jx");
	assert_string_equal(small, "abcdef\\e...");
	proto_str_safe(small, sizeof(small), "abcdefgh\xd5\xa1\xd5\xb2");
	assert_string_equal(small, "abcdefgh...");
	proto_str_safe(small, sizeof(small), "abcdefghijk");
	assert_string_equal(small, "abcdefghijk");
	proto_str_safe(small, 1, "abc");
	assert_string_equal(small, "");
	for (unsigned a = 0; a < 256; a++)
		for (unsigned b = 0; b < 256; b++) {
			char s[] = {'x', (char)a, (char)b, 'y'};

			for (size_t len = 1; len <= 24; len++) {
				proto_text_safe(buf, len, s, sizeof(s));
				assert_true(strlen(buf) < len);
				assert_true(printable(buf));
			}
		}
}

/*
 * The word-at-a-time ASCII paths of proto_utf8_valid and
 * proto_text_valid: every byte value, and every two-byte pair starting
 * with a lead byte, at every position of strings long enough to take
 * several words, give what the byte-wise definitions give.
 */
static void
test_text_fast_paths(void **state)
{
	uint8_t s[27];

	(void)state;
	for (size_t n = 0; n <= sizeof(s); n++) {
		for (size_t pos = 0; pos < n; pos++) {
			for (unsigned b = 0; b < 256; b++) {
				memset(s, 'a', sizeof(s));
				s[pos] = (uint8_t)b;
				assert_int_equal(
				    proto_utf8_valid(s, n), ref_utf8(s, n));
				assert_int_equal(proto_text_valid((char *)s, n),
				    ref_text(s, n));
				if (pos + 1 < n) {
					static const uint8_t lead[] = {
					    0xc2, 0xc3, 0xe2, 0xed, 0xf0};

					for (size_t k = 0; k < sizeof(lead);
					     k++) {
						s[pos] = lead[k];
						s[pos + 1] = (uint8_t)b;
						assert_int_equal(
						    proto_utf8_valid(s, n),
						    ref_utf8(s, n));
						assert_int_equal(
						    proto_text_valid(
							(char *)s, n),
						    ref_text(s, n));
					}
				}
			}
		}
	}
}

/*
 * Whether libsodium's strict decoder takes s, and what to. libsodium
 * 1.0.18 reads any byte from 0x80 up as '/' (a signed char slips through
 * its masks); no such string is base64, and the reference says so here.
 */
static bool
ref_unbase64(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	const char *end;

	for (size_t i = 0; i < n; i++)
		if ((uint8_t)s[i] >= 0x80)
			return false;
	return sodium_base642bin(out, cap, s, n, NULL, len, &end,
		   sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    end == s + n;
}

/*
 * proto_unbase64 is table-free and variable-time; libsodium's strict
 * decoder is the reference. Every string of four from an alphabet of
 * digits, padding and strangers, the same as the last group after a
 * valid one, and round trips of every length up to 100.
 */
static void
test_unbase64(void **state)
{
	static const char alpha[] = "ABQgwz09+/= -_\x01\xff";
	size_t na = sizeof(alpha) - 1;
	uint8_t got[80], want[80], raw[100];
	char s[160];

	(void)state;
	for (size_t i = 0; i < na * na * na * na; i++) {
		size_t k = i, gl = 0, wl = 0;
		bool ok, wok;

		memcpy(s, "QUJD", 4); /* "ABC" */
		for (int j = 0; j < 4; j++, k /= na)
			s[4 + j] = alpha[k % na];
		for (size_t off = 0; off <= 4; off += 4) {
			ok = proto_unbase64(s + 4 - off, 4 + off, got,
				 sizeof(got), &gl) == PROTO_OK;
			wok = ref_unbase64(
			    s + 4 - off, 4 + off, want, sizeof(want), &wl);
			if (ok != wok)
				fail_msg("\"%.*s\": %d, libsodium %d",
				    (int)(4 + off), s + 4 - off, ok, wok);
			if (ok) {
				assert_int_equal(gl, wl);
				assert_memory_equal(got, want, gl);
			}
		}
	}
	for (size_t n = 0; n <= sizeof(raw); n++) {
		uint8_t back[100];
		size_t gl;

		randombytes_buf(raw, n);
		proto_base64(raw, n, s);
		assert_int_equal(
		    proto_unbase64(s, strlen(s), back, sizeof(back), &gl),
		    PROTO_OK);
		assert_int_equal(gl, n);
		assert_memory_equal(back, raw, n);
		/* One byte short of room: refused, nothing written past. */
		if (n > 0)
			assert_int_equal(
			    proto_unbase64(s, strlen(s), back, n - 1, &gl),
			    PROTO_EINVAL);
	}
}

/*
 * proto_sha256 (nettle) against FIPS 180-2's examples and, over every
 * length across several blocks, libsodium's independent implementation.
 */
static void
test_sha256(void **state)
{
	uint8_t buf[300], got[32], want[32];

	(void)state;
	proto_sha256("abc", 3, got);
	assert_int_equal(proto_unhex("ba7816bf8f01cfea414140de5dae2223b00361a3"
				     "96177a9cb410ff61f20015ad",
			     want, 32),
	    0);
	assert_memory_equal(got, want, 32);
	proto_sha256(NULL, 0, got);
	assert_int_equal(proto_unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
				     "649b934ca495991b7852b855",
			     want, 32),
	    0);
	assert_memory_equal(got, want, 32);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof(buf); n++) {
		proto_sha256(buf, n, got);
		crypto_hash_sha256(want, buf, n);
		assert_memory_equal(got, want, 32);
	}
}

static void
test_record_roundtrip(void **state)
{
	uint8_t pk[32], sk[64], h[32], want[32], zero = 0;
	struct proto_payload p, q;
	struct proto_buf rec, enc;
	struct proto_record r;
	crypto_hash_sha256_state st;
	char err[256];

	(void)state;
	tu_key(1, pk, sk);
	full_claim(&p);
	proto_buf_init(&rec);
	tu_sign(&p, sk, &rec);
	assert_int_equal(
	    proto_record_open(rec.data, rec.len, &r, &q, err, sizeof(err)),
	    PROTO_OK);
	assert_memory_equal(r.kid, pk, 32);
	/* Re-encoding the decoded payload gives the same bytes. */
	proto_buf_init(&enc);
	assert_int_equal(proto_payload_encode(&q, &enc, err, sizeof(err)), 0);
	assert_int_equal(enc.len, r.payload_len);
	assert_memory_equal(enc.data, r.payload, enc.len);
	assert_string_equal(q.claim.statement, p.claim.statement);
	assert_string_equal(q.claim.note, p.claim.note);
	assert_int_equal(q.claim.sources[0].from, 1);
	assert_int_equal(q.claim.relations[0].rel, PROTO_REL_DISPUTES);
	/* The envelope is exactly d2 84 58 26 a2 01 27 04 58 20 <kid> a0. */
	assert_memory_equal(
	    rec.data, "\xd2\x84\x58\x26\xa2\x01\x27\x04\x58\x20", 10);
	assert_memory_equal(rec.data + 10, pk, 32);
	assert_int_equal(rec.data[42], 0xa0);
	/* The record hash is SHA-256(0x00 || record). */
	proto_record_hash(rec.data, rec.len, h);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, rec.data, rec.len);
	crypto_hash_sha256_final(&st, want);
	assert_memory_equal(h, want, 32);
	/* Copies are deep and equal. */
	{
		struct proto_payload c;
		struct proto_buf e2;

		assert_int_equal(proto_payload_copy(&c, &q), 0);
		proto_buf_init(&e2);
		assert_int_equal(proto_payload_encode(&c, &e2, NULL, 0), 0);
		assert_int_equal(e2.len, enc.len);
		assert_memory_equal(e2.data, enc.data, enc.len);
		proto_buf_release(&e2);
		proto_payload_release(&c);
	}
	proto_buf_release(&enc);
	proto_payload_release(&q);
	proto_payload_release(&p);
	proto_buf_release(&rec);
}

static void
test_record_registry_roundtrip(void **state)
{
	uint8_t pk[32], sk[64], other[32], osk[64];
	struct proto_payload p, q;
	struct proto_buf rec;
	struct proto_record r;
	char err[256];
	enum proto_kind kinds[] = {PROTO_KIND_GRANT, PROTO_KIND_REVOKE};

	(void)state;
	tu_key(1, pk, sk);
	tu_key(2, other, osk);
	tu_party(&p, "am-mfa", "Armenia, Ministry of Foreign Affairs");
	proto_buf_init(&rec);
	tu_sign(&p, sk, &rec);
	assert_int_equal(
	    proto_record_open(rec.data, rec.len, &r, &q, err, sizeof(err)),
	    PROTO_OK);
	assert_int_equal(q.kind, PROTO_KIND_PARTY);
	assert_string_equal(q.reg.name, p.reg.name);
	proto_payload_release(&q);
	proto_payload_release(&p);
	for (size_t i = 0; i < 2; i++) {
		rec.len = 0;
		tu_grant(&p, kinds[i], other, "am-mfa");
		tu_sign(&p, sk, &rec);
		assert_int_equal(proto_record_open(rec.data, rec.len, &r, &q,
				     err, sizeof(err)),
		    PROTO_OK);
		assert_int_equal(q.kind, kinds[i]);
		assert_memory_equal(q.reg.key, other, 32);
		proto_payload_release(&q);
		proto_payload_release(&p);
	}
	proto_buf_release(&rec);
}

/* Signs raw payload bytes given in hex. */
static void
sign_raw(const char *payload_hex, const uint8_t sk[64], struct proto_buf *out)
{
	size_t n;
	uint8_t *p = tu_unhex(payload_hex, &n);

	out->len = 0;
	assert_int_equal(proto_record_sign(p, n, sk, out), 0);
	free(p);
}

static int
open_rc(const struct proto_buf *b, char *err, size_t errlen)
{
	struct proto_payload p;
	struct proto_record r;
	int rc = proto_record_open(b->data, b->len, &r, &p, err, errlen);

	if (rc == PROTO_OK)
		proto_payload_release(&p);
	return rc;
}

static void
test_record_envelope_rejections(void **state)
{
	uint8_t pk[32], sk[64];
	struct proto_payload p;
	struct proto_buf rec, bad;
	char err[256];

	(void)state;
	tu_key(3, pk, sk);
	tu_claim(&p, "am-mfa", "normalization", "A statement.");
	proto_buf_init(&rec);
	tu_sign(&p, sk, &rec);
	proto_payload_release(&p);
	assert_int_equal(open_rc(&rec, err, sizeof(err)), PROTO_OK);
	proto_buf_init(&bad);

#define MUTATE(stmt, want)                                                     \
	do {                                                                   \
		bad.len = 0;                                                   \
		assert_int_equal(                                              \
		    proto_buf_append(&bad, rec.data, rec.len), 0);             \
		stmt;                                                          \
		assert_int_equal(open_rc(&bad, err, sizeof(err)), want);       \
	} while (0)

	/* Tag 17 (COSE_Mac0) instead of 18. */
	MUTATE(bad.data[0] = 0xd1, PROTO_ETAG);
	/* Untagged: drop the tag byte. */
	MUTATE((memmove(bad.data, bad.data + 1, bad.len - 1), bad.len--),
	    PROTO_ETAG);
	/* Array of four items claimed as five: truncated. */
	MUTATE(bad.data[1] = 0x85, PROTO_ETRUNCATED);
	/* alg -7 (ES256). */
	MUTATE(bad.data[6] = 0x26, PROTO_EALG);
	/* Unprotected header not empty: a0 -> a1 01 01 needs a rebuild. */
	MUTATE(
	    {
		    uint8_t tail[4096];
		    size_t t = bad.len - 43;

		    memcpy(tail, bad.data + 43, t);
		    bad.data[42] = 0xa1;
		    bad.data[43] = 0x01;
		    bad.data[44] = 0x01;
		    memcpy(bad.data + 45, tail, t);
		    bad.len += 2;
	    },
	    PROTO_EHEADER);
	/* Signature of 63 bytes. */
	MUTATE((bad.data[bad.len - 65] = 0x3f, bad.len--), PROTO_EHEADER);
	/* One trailing byte. */
	MUTATE(bad.data[bad.len++] = 0x00, PROTO_ETRAILING);
	/* Cut short. */
	MUTATE(bad.len -= 10, PROTO_ETRUNCATED);
	/* A flipped bit in the payload, or in the signature. */
	MUTATE(bad.data[60] ^= 0x01, PROTO_ESIGNATURE);
	MUTATE(bad.data[bad.len - 1] ^= 0x80, PROTO_ESIGNATURE);
	/* Over the record limit. */
	MUTATE(
	    {
		    assert_int_equal(
			proto_buf_reserve(&bad, PROTO_RECORD_MAX), 0);
		    memset(bad.data + bad.len, 0, PROTO_RECORD_MAX);
		    bad.len += PROTO_RECORD_MAX;
	    },
	    PROTO_ETOOBIG);
#undef MUTATE
	proto_buf_release(&bad);
	proto_buf_release(&rec);
}

/*
 * proto_record_payload() decodes without checking the payload's bytes
 * again: proto_record_parse() must have refused any that are not
 * deterministic, and the schema is still checked.
 */
static void
test_record_payload_after_parse(void **state)
{
	uint8_t pk[32], sk[64];
	struct proto_payload p, q, d;
	struct proto_buf rec;
	struct proto_record r;
	char err[256];

	(void)state;
	tu_key(4, pk, sk);
	tu_claim(&p, "am-mfa", "normalization", "A statement.");
	proto_buf_init(&rec);
	tu_sign(&p, sk, &rec);
	assert_int_equal(
	    proto_record_parse(rec.data, rec.len, &r, err, sizeof(err)), 0);
	assert_int_equal(proto_record_payload(&r, &q, err, sizeof(err)), 0);
	assert_int_equal(proto_payload_decode(
			     r.payload, r.payload_len, &d, err, sizeof(err)),
	    0);
	assert_string_equal(q.claim.statement, "A statement.");
	assert_string_equal(q.claim.statement, d.claim.statement);
	assert_string_equal(q.claim.topics[0], d.claim.topics[0]);
	proto_payload_release(&d);
	proto_payload_release(&q);
	proto_payload_release(&p);
	/* {"kind": 1} with 1 written in two bytes: parse refuses it. */
	sign_raw("a1646b696e641801", sk, &rec);
	assert_int_equal(
	    proto_record_parse(rec.data, rec.len, &r, err, sizeof(err)),
	    PROTO_ENONSHORTEST);
	/* {"kind": "claim"}: deterministic, so parsed; the schema refuses. */
	sign_raw("a1646b696e6465636c61696d", sk, &rec);
	assert_int_equal(
	    proto_record_parse(rec.data, rec.len, &r, err, sizeof(err)), 0);
	assert_int_equal(
	    proto_record_payload(&r, &q, err, sizeof(err)), PROTO_ESCHEMA);
	proto_buf_release(&rec);
}

/*
 * Payload schema: payloads written byte by byte and properly signed, so
 * that only the schema can refuse them.
 */
static void
test_payload_schema_rejections(void **state)
{
	static const struct {
		const char *what;
		const char *hex;
		int rc;
		const char *msg;
	} cases[] = {
	    {"valid",
		"a9646b696e6465636c61696d6474696d651a386d438065706172747961616673"
		"746174757368617373657274656466746f7069637381617467736f7572636573"
		"806776657273696f6e016972656c6174696f6e73806973746174656d656e7461"
		"73",
		PROTO_OK, NULL},
	    {"statement missing",
		"a8646b696e6465636c61696d6474696d651a386d438065706172747961616673"
		"746174757368617373657274656466746f7069637381617467736f7572636573"
		"806776657273696f6e016972656c6174696f6e7380",
		PROTO_ESCHEMA, "\"statement\" missing"},
	    {"unknown key",
		"aa646b696e6465636c61696d6474696d651a386d438065706172747961616673"
		"746174757368617373657274656466746f7069637381617467736f7572636573"
		"806776657273696f6e016972656c6174696f6e73806973746174656d656e7461"
		"736a756e6b6e6f776e6b657901",
		PROTO_ESCHEMA, "unknown key \"unknownkey\""},
	    {"bad slug",
		"a9646b696e6465636c61696d6474696d651a386d438065706172747961416673"
		"746174757368617373657274656466746f7069637381617467736f7572636573"
		"806776657273696f6e016972656c6174696f6e73806973746174656d656e7461"
		"73",
		PROTO_ESCHEMA, "not a slug"},
	    {"version 1 with prev",
		"aa646b696e6465636c61696d6470726576582000000000000000000000000000"
		"000000000000000000000000000000000000006474696d651a386d4380657061"
		"72747961616673746174757368617373657274656466746f7069637381617467"
		"736f7572636573806776657273696f6e016972656c6174696f6e738069737461"
		"74656d656e746173",
		PROTO_ESCHEMA, "version 1 has no claim or prev"},
	    {"version 2 without prev",
		"aa646b696e6465636c61696d6474696d651a386d438065636c61696d58200000"
		"0000000000000000000000000000000000000000000000000000000000006570"
		"6172747961616673746174757368617373657274656466746f70696373816174"
		"67736f7572636573806776657273696f6e026972656c6174696f6e7380697374"
		"6174656d656e746173",
		PROTO_ESCHEMA, "names its claim and prev"},
	    {"empty topics",
		"a9646b696e6465636c61696d6474696d651a386d438065706172747961616673"
		"746174757368617373657274656466746f706963738067736f75726365738067"
		"76657273696f6e016972656c6174696f6e73806973746174656d656e746173",
		PROTO_ESCHEMA, "1 to 32 topics"},
	    {"unknown status",
		"a9646b696e6465636c61696d6474696d651a386d438065706172747961616673"
		"746174757364646f6e6566746f7069637381617467736f757263657380677665"
		"7273696f6e016972656c6174696f6e73806973746174656d656e746173",
		PROTO_ESCHEMA, "\"status\" value \"done\" unknown"},
	    {"ESC in statement",
		"a9646b696e6465636c61696d6474696d651a386d438065706172747961616673"
		"746174757368617373657274656466746f7069637381617467736f7572636573"
		"806776657273696f6e016972656c6174696f6e73806973746174656d656e7462"
		"1b5b",
		PROTO_ESCHEMA, "control character"},
	    {"NUL in statement",
		"a9646b696e6465636c61696d6474696d651a386d438065706172747961616673"
		"746174757368617373657274656466746f7069637381617467736f7572636573"
		"806776657273696f6e016972656c6174696f6e73806973746174656d656e7463"
		"610062",
		PROTO_ESCHEMA, "NUL"},
	    {"time not a number",
		"a9646b696e6465636c61696d6474696d65636e6f776570617274796161667374"
		"6174757368617373657274656466746f7069637381617467736f757263657380"
		"6776657273696f6e016972656c6174696f6e73806973746174656d656e746173",
		PROTO_ESCHEMA, "\"time\" must be an unsigned integer"},
	    {"hash of 31 bytes",
		"ab646b696e6465636c61696d6470726576582000000000000000000000000000"
		"000000000000000000000000000000000000006474696d651a386d438065636c"
		"61696d581f000000000000000000000000000000000000000000000000000000"
		"0000000065706172747961616673746174757368617373657274656466746f70"
		"69637381617467736f7572636573806776657273696f6e026972656c6174696f"
		"6e73806973746174656d656e746173",
		PROTO_ESCHEMA, "\"claim\" must be a 32-byte string"},
	    {"party record with topics",
		"a5646b696e64657061727479646e616d6561416474696d651a386d4380657061"
		"727479616166746f70696373816174",
		PROTO_ESCHEMA, "a party record has no \"topics\""},
	    {"grant with short key",
		"a4636b6579581f00000000000000000000000000000000000000000000000000"
		"000000000000646b696e64656772616e746474696d651a386d43806570617274"
		"796161",
		PROTO_ESCHEMA, "32-byte public key"},
	    {"unknown kind",
		"a3646b696e646474616c6b6474696d651a386d43806570617274796161",
		PROTO_ESCHEMA, "\"kind\" value \"talk\" unknown"},
	    {"not a map", "83010203", PROTO_ESCHEMA, "payload must be a map"},
	    {"33 topics",
		"a9646b696e6465636c61696d6474696d651a386d438065706172747961616673"
		"746174757368617373657274656466746f706963739821627430627431627432"
		"6274336274346274356274366274376274386274396374313063743131637431"
		"3263743133637431346374313563743136637431376374313863743139637432"
		"3063743231637432326374323363743234637432356374323663743237637432"
		"386374323963743330637433316374333267736f757263657380677665727369"
		"6f6e016972656c6174696f6e73806973746174656d656e746173",
		PROTO_ETOOBIG, "more than 32"},
	};
	uint8_t pk[32], sk[64];
	struct proto_buf rec;
	char err[256];

	(void)state;
	tu_key(4, pk, sk);
	proto_buf_init(&rec);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		sign_raw(cases[i].hex, sk, &rec);
		err[0] = '\0';
		rc = open_rc(&rec, err, sizeof(err));
		if (rc != cases[i].rc)
			fail_msg("%s: got %s (%s), want %s", cases[i].what,
			    proto_errname(rc), err, proto_errname(cases[i].rc));
		if (cases[i].msg != NULL && strstr(err, cases[i].msg) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"",
			    cases[i].what, err, cases[i].msg);
	}
	proto_buf_release(&rec);
}

static void
check_msg(const char *err, const char *want)
{
	if (want != NULL && strstr(err, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err, want);
}

/* Mutations of a valid claim that validation must refuse. */
static void
test_payload_validate_rules(void **state)
{
	struct proto_payload p;
	struct proto_buf b;
	char err[256];
	char *big;

	(void)state;
	proto_buf_init(&b);
#define CHECK(mutation, want, text)                                            \
	do {                                                                   \
		full_claim(&p);                                                \
		mutation;                                                      \
		b.len = 0;                                                     \
		err[0] = '\0';                                                 \
		assert_int_equal(                                              \
		    proto_payload_encode(&p, &b, err, sizeof(err)), want);     \
		check_msg(err, text);                                          \
		proto_payload_release(&p);                                     \
	} while (0)

	CHECK((void)0, PROTO_OK, NULL);
	CHECK((free(p.claim.topics[1]),
		  p.claim.topics[1] = strdup("normalization")),
	    PROTO_ESCHEMA, "repeated");
	CHECK((free(p.claim.made), p.claim.made = strdup("2021-02-29")),
	    PROTO_ESCHEMA, "not a date");
	CHECK((free(p.claim.made), p.claim.made = strdup("2020-02-29")),
	    PROTO_OK, NULL);
	CHECK((free(p.claim.sources[0].published),
		  p.claim.sources[0].published = strdup("2021-13-40")),
	    PROTO_ESCHEMA, "sources[0].published");
	CHECK(p.claim.sources[1].has_derivation = true, PROTO_ESCHEMA, "cycle");
	CHECK(p.claim.sources[0].from = 0, PROTO_ESCHEMA, "no other source");
	CHECK(p.claim.sources[0].from = 7, PROTO_ESCHEMA, "no other source");
	/* A chain through a later source whose own "from" is out of range
	 * (found by fuzz_record): refused, nothing read past the array. */
	CHECK((p.claim.sources[1].has_derivation = true,
		  p.claim.sources[1].from = 64),
	    PROTO_ESCHEMA, "sources[1].derivation.from names no other source");
	CHECK(p.claim.version = 2, PROTO_ESCHEMA, "names its claim and prev");
	CHECK((p.claim.version = 2, memset(p.claim.claim, 1, 32),
		  memset(p.claim.prev, 2, 32)),
	    PROTO_OK, NULL);
	CHECK((p.claim.status = PROTO_STATUS_RETRACTED, free(p.claim.note),
		  p.claim.note = NULL),
	    PROTO_ESCHEMA, "reason");
	CHECK((free(p.claim.sources[1].title),
		  p.claim.sources[1].title = strdup("")),
	    PROTO_ESCHEMA, "sources[1].title is empty");
	CHECK((free(p.claim.party), p.claim.party = strdup("x_y")),
	    PROTO_ESCHEMA, "not a slug");
	big = malloc(PROTO_STATEMENT_MAX + 2);
	memset(big, 'a', PROTO_STATEMENT_MAX + 1);
	big[PROTO_STATEMENT_MAX + 1] = '\0';
	CHECK((free(p.claim.statement), p.claim.statement = strdup(big)),
	    PROTO_ETOOBIG, "statement of 8193 bytes");
	big[PROTO_STATEMENT_MAX] = '\0';
	CHECK((free(p.claim.statement), p.claim.statement = strdup(big)),
	    PROTO_OK, NULL);
	free(big);
	CHECK(p.claim.relations[0].rel = 9, PROTO_ESCHEMA, "rel unknown");
	CHECK((p.claim.relations = realloc(
		   p.claim.relations, 2 * sizeof(*p.claim.relations)),
		  p.claim.relations[1] = p.claim.relations[0],
		  p.claim.nrelations = 2),
	    PROTO_ESCHEMA, "same claim");
	CHECK((free(p.claim.note), p.claim.note = strdup("bell \x07")),
	    PROTO_ESCHEMA, "control character");
	CHECK((free(p.claim.note), p.claim.note = strdup("c1 \xc2\x9b")),
	    PROTO_ESCHEMA, "control character");
	CHECK((free(p.claim.note), p.claim.note = strdup("bad \xff")),
	    PROTO_ESCHEMA, "invalid UTF-8");
#undef CHECK
	proto_buf_release(&b);
}

/*
 * Out-of-range values (docs/format.md, Times and Payload): a time before
 * 2000-01-01 or from 2^53 on, a "made" more than a day after the time, a
 * key that can never sign. Each is refused when encoding and, in a
 * properly signed record, when decoding.
 */

static void
expect_rc(const char *what, int rc, int want, const char *err, const char *msg)
{
	if (rc != want)
		fail_msg("%s: got %s (%s), want %s", what, proto_errname(rc),
		    err, proto_errname(want));
	if (msg != NULL && strstr(err, msg) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", what, err, msg);
}

/* What proto_record_open() says of p signed with its time set to t. */
static int
open_with_time(const struct proto_payload *p, uint64_t t, const uint8_t *sk,
    char *err, size_t errlen)
{
	struct proto_buf rec;
	int rc;

	proto_buf_init(&rec);
	tu_sign_time(p, t, sk, &rec);
	err[0] = '\0';
	rc = open_rc(&rec, err, errlen);
	proto_buf_release(&rec);
	return rc;
}

static void
test_payload_time_bounds(void **state)
{
	static const struct {
		uint64_t t;
		int rc;
		const char *msg;
	} cases[] = {
	    {0, PROTO_ETIME, "time 0 is before 2000-01-01 (946684800)"},
	    {946684799, PROTO_ETIME, "time 946684799 is before 2000-01-01"},
	    {946684800, PROTO_OK, NULL},
	    {1700000000, PROTO_OK, NULL},
	    {(1ULL << 53) - 1, PROTO_OK, NULL},
	    {1ULL << 53, PROTO_ETIME,
		"time 9007199254740992 is 2^53 (9007199254740992) or more"},
	    {UINT64_MAX, PROTO_ETIME, "time 18446744073709551615 is 2^53"},
	};
	uint8_t pk[32], sk[64];
	struct proto_payload p;
	struct proto_buf b;
	char err[256], what[64];
	json_t *j;

	(void)state;
	tu_key(5, pk, sk);
	proto_buf_init(&b);
	for (int k = PROTO_KIND_CLAIM; k <= PROTO_KIND_REVOKE; k++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (k == PROTO_KIND_CLAIM)
				tu_claim(&p, "az-mfa", "t", "In time.");
			else if (k == PROTO_KIND_PARTY)
				tu_party(&p, "az-mfa", "Ministry");
			else
				tu_grant(&p, (enum proto_kind)k, pk, "az-mfa");
			snprintf(what, sizeof(what), "%s at %llu",
			    proto_kind_name((enum proto_kind)k),
			    (unsigned long long)cases[i].t);
			/* Decoding: the same payload signed with that time. */
			expect_rc(what,
			    open_with_time(
				&p, cases[i].t, sk, err, sizeof(err)),
			    cases[i].rc, err, cases[i].msg);
			p.time = cases[i].t;
			b.len = 0;
			err[0] = '\0';
			expect_rc(what,
			    proto_payload_encode(&p, &b, err, sizeof(err)),
			    cases[i].rc, err, cases[i].msg);
			proto_payload_release(&p);
		}
	/* JSON shows every valid time exactly, and no other. */
	tu_party(&p, "az-mfa", "Ministry");
	p.time = (1ULL << 53) - 1;
	assert_non_null(j = proto_payload_to_json(&p));
	assert_true(json_integer_value(json_object_get(j, "time")) ==
	    (json_int_t)((1ULL << 53) - 1));
	json_decref(j);
	p.time = UINT64_MAX;
	assert_null(proto_payload_to_json(&p));
	proto_payload_release(&p);
	proto_buf_release(&b);
}

static void
test_payload_made_bounds(void **state)
{
	static const struct {
		uint64_t t;
		const char *made;
		const char *day; /* the UTC date of t, when refused */
	} cases[] = {
	    {1636502400, "2021-11-10", NULL}, /* 2021-11-10T00:00:00Z */
	    {1636502400, "2021-11-11", NULL},
	    {1636502400, "2021-11-12", "2021-11-10 (1636502400)"},
	    {1636588799, "2021-11-11", NULL}, /* 2021-11-10T23:59:59Z */
	    {1636588799, "2021-11-12", "2021-11-10 (1636588799)"},
	    {1636502399, "2021-11-10", NULL}, /* 2021-11-09T23:59:59Z */
	    {1636502399, "2021-11-11", "2021-11-09 (1636502399)"},
	    {1709251199, "2024-03-01", NULL}, /* 2024-02-29T23:59:59Z */
	    {1709251199, "2024-03-02", "2024-02-29 (1709251199)"},
	    {1640995199, "2022-01-01", NULL}, /* 2021-12-31T23:59:59Z */
	    {1640995199, "2022-01-02", "2021-12-31 (1640995199)"},
	    {946684800, "1999-12-31", NULL}, /* only time has a floor */
	    {946684800, "2000-01-02", NULL},
	    {946684800, "2000-01-03", "2000-01-01 (946684800)"},
	    {(1ULL << 53) - 1, "9999-12-31", NULL},
	};
	uint8_t pk[32], sk[64];
	struct proto_payload p;
	struct proto_buf b;
	char err[256], what[64], msg[128];

	(void)state;
	tu_key(6, pk, sk);
	proto_buf_init(&b);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int want = cases[i].day == NULL ? PROTO_OK : PROTO_ESCHEMA;

		snprintf(what, sizeof(what), "made %s at %llu", cases[i].made,
		    (unsigned long long)cases[i].t);
		if (cases[i].day != NULL)
			snprintf(msg, sizeof(msg),
			    "made %s is later than the day after the record's "
			    "time, %s",
			    cases[i].made, cases[i].day);
		full_claim(&p);
		free(p.claim.made);
		p.claim.made = strdup(cases[i].made);
		/* Decoding: made in a record encoded at the latest time. */
		p.time = (1ULL << 53) - 1;
		expect_rc(what,
		    open_with_time(&p, cases[i].t, sk, err, sizeof(err)), want,
		    err, cases[i].day != NULL ? msg : NULL);
		p.time = cases[i].t;
		b.len = 0;
		err[0] = '\0';
		expect_rc(what, proto_payload_encode(&p, &b, err, sizeof(err)),
		    want, err, cases[i].day != NULL ? msg : NULL);
		proto_payload_release(&p);
	}
	proto_buf_release(&b);
}

/* Encodings that are no key that can sign. */
static const struct {
	const char *what;
	const char *hex;
} bad_keys[] = {
    {"all zero (order 4)",
	"0000000000000000000000000000000000000000000000000000000000000000"},
    {"order 4, x negative",
	"0000000000000000000000000000000000000000000000000000000000000080"},
    {"identity",
	"0100000000000000000000000000000000000000000000000000000000000000"},
    {"order 2",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
    {"order 8",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"},
    {"order 8, x negative",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"},
    {"order 8, the other y",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"},
    {"order 8, the other y, x negative",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"},
    {"identity, sign bit set",
	"0100000000000000000000000000000000000000000000000000000000000080"},
    {"order 2, sign bit set",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
    {"non-canonical y = p (order 4)",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
    {"non-canonical y = p + 1 (identity)",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
    {"non-canonical y = p + 3 (a point of large order)",
	"f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
    {"not a point (y = 2)",
	"0200000000000000000000000000000000000000000000000000000000000000"},
};

/* The payload bytes of a grant or revoke of key, properly signed. */
static void
sign_with_key(struct proto_payload *p, const uint8_t key[32], const uint8_t *sk,
    struct proto_buf *rec)
{
	struct proto_buf pl;
	uint8_t *at = NULL;

	proto_buf_init(&pl);
	assert_int_equal(proto_payload_encode(p, &pl, NULL, 0), PROTO_OK);
	for (size_t i = 0; i + 32 <= pl.len && at == NULL; i++)
		if (memcmp(pl.data + i, p->reg.key, 32) == 0)
			at = pl.data + i;
	assert_non_null(at);
	memcpy(at, key, 32);
	rec->len = 0;
	assert_int_equal(proto_record_sign(pl.data, pl.len, sk, rec), 0);
	proto_buf_release(&pl);
}

static void
check_bad_key(const char *what, const uint8_t key[32], const uint8_t *good,
    const uint8_t *sk)
{
	char hex[65], err[256], vkey[PROTO_VKEY_MAX], name[64];
	uint8_t pk[32];
	struct proto_payload p;
	struct proto_buf b;

	proto_hex(key, 32, hex);
	if (proto_pubkey_valid(key))
		fail_msg("%s: %s taken as a key", what, hex);
	err[0] = '\0';
	expect_rc(what, proto_pubkey_parse(hex, pk, err, sizeof(err)),
	    PROTO_EKEY, err, "not a valid Ed25519 public key");
	/* A log key (claim verify --log-key, claim audit). */
	assert_int_equal(proto_vkey_format("log", key, vkey, sizeof(vkey)), 0);
	assert_int_equal(
	    proto_vkey_parse(vkey, name, sizeof(name), pk), PROTO_EKEY);
	proto_buf_init(&b);
	for (int k = PROTO_KIND_GRANT; k <= PROTO_KIND_REVOKE; k++) {
		tu_grant(&p, (enum proto_kind)k, key, "az-mfa");
		err[0] = '\0';
		expect_rc(what, proto_payload_encode(&p, &b, err, sizeof(err)),
		    PROTO_ESCHEMA, err, "is not a valid Ed25519 public key");
		memcpy(p.reg.key, good, 32);
		sign_with_key(&p, key, sk, &b);
		err[0] = '\0';
		expect_rc(what, open_rc(&b, err, sizeof(err)), PROTO_ESCHEMA,
		    err, "is not a valid Ed25519 public key");
		proto_payload_release(&p);
	}
	proto_buf_release(&b);
}

static void
test_keys_that_cannot_sign(void **state)
{
	static const uint8_t order8[32] = {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2,
	    0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5,
	    0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
	    0x6d, 0x53, 0xfc, 0x05};
	uint8_t pk[32], sk[64], key[32], mixed[32], out[32];
	char hex[65], err[256], vkey[PROTO_VKEY_MAX], name[64];
	struct proto_payload p;
	struct proto_buf b;
	size_t n;

	(void)state;
	tu_key(7, pk, sk);
	for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		uint8_t *k = tu_unhex(bad_keys[i].hex, &n);

		assert_int_equal(n, 32);
		check_bad_key(bad_keys[i].what, k, pk, sk);
		free(k);
	}
	/* A real key plus a point of order 8: on the curve, of large
	 * order, outside the prime-order group. */
	assert_int_equal(crypto_core_ed25519_add(mixed, pk, order8), 0);
	check_bad_key("mixed order", mixed, pk, sk);
	/* Real keys pass every one of those checks. */
	for (uint8_t seed = 1; seed < 8; seed++) {
		tu_key(seed, key, sk);
		proto_hex(key, 32, hex);
		assert_true(proto_pubkey_valid(key));
		assert_int_equal(
		    proto_pubkey_parse(hex, out, err, sizeof(err)), PROTO_OK);
		assert_memory_equal(out, key, 32);
		assert_int_equal(
		    proto_vkey_format("log", key, vkey, sizeof(vkey)), 0);
		assert_int_equal(
		    proto_vkey_parse(vkey, name, sizeof(name), out), PROTO_OK);
		tu_grant(&p, PROTO_KIND_GRANT, key, "az-mfa");
		proto_buf_init(&b);
		tu_sign(&p, sk, &b);
		assert_int_equal(open_rc(&b, err, sizeof(err)), PROTO_OK);
		proto_buf_release(&b);
		proto_payload_release(&p);
	}
	err[0] = '\0';
	expect_rc("63 digits",
	    proto_pubkey_parse(hex + 1, out, err, sizeof(err)), PROTO_EKEY, err,
	    "not 64 hex digits");
}

/*
 * JSON
 */

static void
test_json_roundtrip(void **state)
{
	const char *in =
	    "{\"party\": \"az-mfa\", \"topics\": [\"normalization\"],"
	    " \"statement\": \"Ready to normalize.\","
	    " \"made\": \"2021-11-08\","
	    " \"sources\": [{\"publisher\": \"AA\", \"title\": "
	    "\"T\", \"url\": \"https://aa.com.tr/x\","
	    " \"published\": \"2021-11-08\", \"quote\": \"q\","
	    " \"sha256\": \"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB\","
	    " \"derivation\": {\"from\": 1, \"how\": \"reports\"}},"
	    " {\"publisher\": \"MFA\", \"title\": \"S\"}],"
	    " \"relations\": [{\"rel\": \"supports\", \"claim\": "
	    "\"1111111111111111111111111111111111111111111111111111111111111111\"}],"
	    " \"note\": \"n\", \"hash\": \"ignored\", \"index\": 3}";
	struct proto_payload p, q;
	struct proto_buf b;
	json_error_t jerr;
	json_t *j, *out;
	char err[256], *s;

	(void)state;
	j = json_loads(in, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(j);
	assert_int_equal(
	    proto_claim_from_json(j, NULL, NULL, NULL, &p, err, sizeof(err)),
	    PROTO_OK);
	p.time = 1636329600;
	proto_buf_init(&b);
	assert_int_equal(proto_payload_encode(&p, &b, err, sizeof(err)), 0);
	assert_int_equal(
	    proto_payload_decode(b.data, b.len, &q, err, sizeof(err)), 0);
	out = proto_payload_to_json(&q);
	s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s,
	    "{\"kind\":\"claim\",\"made\":\"2021-11-08\",\"note\":\"n\","
	    "\"party\":\"az-mfa\",\"relations\":[{\"claim\":"
	    "\"1111111111111111111111111111111111111111111111111111111111111111\","
	    "\"rel\":\"supports\"}],\"sources\":[{\"derivation\":{\"from\":1,"
	    "\"how\":\"reports\"},\"published\":\"2021-11-08\",\"publisher\":"
	    "\"AA\",\"quote\":\"q\",\"sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"title\":\"T\",\"url\":\"https://aa.com.tr/x\"},{\"publisher\":"
	    "\"MFA\",\"title\":\"S\"}],\"statement\":\"Ready to normalize.\","
	    "\"status\":\"asserted\",\"time\":1636329600,\"topics\":"
	    "[\"normalization\"],"
	    "\"version\":1}");
	free(s);
	json_decref(out);
	json_decref(j);
	proto_payload_release(&p);
	proto_payload_release(&q);
	proto_buf_release(&b);
}

static void
test_json_rejections(void **state)
{
	static const struct {
		const char *json;
		const char *msg;
	} cases[] = {
	    {"[]", "must be a JSON object"},
	    {"{\"topics\": [\"t\"], \"statement\": \"s\"}",
		"\"party\" missing"},
	    {"{\"party\": \"p\", \"statement\": \"s\"}", "\"topics\""},
	    {"{\"party\": \"p\", \"topics\": [\"t\"], \"statement\": \"s\", "
	     "\"color\": 1}",
		"unknown key \"color\""},
	    {"{\"party\": \"p\", \"topics\": [\"t\"], \"statement\": 5}",
		"\"statement\" must be a string"},
	    {"{\"party\": \"p\", \"topics\": [\"t\"], \"statement\": \"s\", "
	     "\"sources\": [{\"publisher\": \"a\", \"title\": \"b\", "
	     "\"sha256\": \"abc\"}]}",
		"sha256 must be 64 hex digits"},
	    {"{\"party\": \"p\", \"topics\": [\"t\"], \"statement\": \"s\", "
	     "\"relations\": [{\"rel\": \"refutes\", \"claim\": \"ab\"}]}",
		"is not supports, disputes, cites or review"},
	    {"{\"party\": \"p\", \"topics\": [\"t\"], \"statement\": \"s\", "
	     "\"relations\": [{\"rel\": \"cites\", \"claim\": \"abcdef12\"}]}",
		"64-digit claim id"},
	    {"{\"party\": \"p\", \"topics\": [\"t\"], \"statement\": \"s\", "
	     "\"sources\": [{\"publisher\": \"a\", \"title\": \"b\", "
	     "\"derivation\": {\"from\": 0, \"how\": \"copies\"}}]}",
		"derivation.how \"copies\""},
	};
	struct proto_payload p;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = json_loads(cases[i].json, 0, NULL);

		assert_non_null(j);
		err[0] = '\0';
		assert_int_not_equal(proto_claim_from_json(j, NULL, NULL, NULL,
					 &p, err, sizeof(err)),
		    PROTO_OK);
		if (strstr(err, cases[i].msg) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].json, err,
			    cases[i].msg);
		json_decref(j);
	}
}

/*
 * Reviews and ratings (docs/format.md, Ratings)
 */

static void
test_decimals(void **state)
{
	static const struct {
		const char *in, *canon; /* canon NULL: refused */
	} cases[] = {
	    {"2.5", "2.5"},
	    {"2.50", "2.5"},
	    {"+3", "3"},
	    {" 4 ", "4"},
	    {"007", "7"},
	    {".5", "0.5"},
	    {"5.", "5"},
	    {"-0", "0"},
	    {"-0.000", "0"},
	    {"-1.25", "-1.25"},
	    {"999999999.999999", "999999999.999999"},
	    {"1000000000", NULL},
	    {"0.1234567", NULL},
	    {"0.1234560", "0.123456"},
	    {"1e3", NULL},
	    {"2,5", NULL},
	    {"", NULL},
	    {".", NULL},
	    {"-", NULL},
	    {"five", NULL},
	};
	char out[PROTO_DECIMAL_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc =
		    proto_decimal_canon(cases[i].in, strlen(cases[i].in), out);

		if (cases[i].canon == NULL) {
			if (rc == PROTO_OK)
				fail_msg(
				    "\"%s\" accepted as %s", cases[i].in, out);
			continue;
		}
		assert_int_equal(rc, PROTO_OK);
		assert_string_equal(out, cases[i].canon);
		assert_true(proto_decimal_valid(out, strlen(out)));
	}
	assert_false(proto_decimal_valid("-0", 2));
	assert_false(proto_decimal_valid("2.50", 4));
	assert_false(proto_decimal_valid("02", 2));
	assert_false(proto_decimal_valid("1.", 2));
	assert_int_equal(proto_decimal_micros("2.5"), 2500000);
	assert_int_equal(proto_decimal_micros("-0.000001"), -1);
	assert_int_equal(
	    proto_decimal_micros("-999999999.999999"), -999999999999999LL);
}

static struct proto_rating *
rating(const char *text, const char *value, const char *best, const char *worst)
{
	struct proto_rating *g = calloc(1, sizeof(*g));

	g->text = text ? strdup(text) : NULL;
	g->value = value ? strdup(value) : NULL;
	g->best = best ? strdup(best) : NULL;
	g->worst = worst ? strdup(worst) : NULL;
	return g;
}

static void
test_review_roundtrip(void **state)
{
	struct proto_payload p, q, r;
	struct proto_buf b, b2;
	uint8_t c1[PROTO_HASH_LEN], c2[PROTO_HASH_LEN];
	char err[256];

	(void)state;
	full_claim(&p);
	p.claim.relations =
	    realloc(p.claim.relations, 2 * sizeof(*p.claim.relations));
	p.claim.relations[1].rel = PROTO_REL_REVIEW;
	memset(p.claim.relations[1].claim, 0x22, PROTO_HASH_LEN);
	p.claim.relations[1].rating =
	    rating("Mostly false — «ложь»", "2.5", "5", "1");
	p.claim.nrelations = 2;
	proto_buf_init(&b);
	proto_buf_init(&b2);
	assert_int_equal(proto_payload_encode(&p, &b, err, sizeof(err)), 0);
	assert_int_equal(
	    proto_payload_decode(b.data, b.len, &q, err, sizeof(err)), 0);
	assert_int_equal(q.claim.relations[1].rel, PROTO_REL_REVIEW);
	assert_null(q.claim.relations[0].rating);
	assert_string_equal(
	    q.claim.relations[1].rating->text, "Mostly false — «ложь»");
	assert_string_equal(q.claim.relations[1].rating->value, "2.5");
	assert_string_equal(q.claim.relations[1].rating->best, "5");
	assert_string_equal(q.claim.relations[1].rating->worst, "1");
	/* A deep copy encodes to the same bytes; the rating is content. */
	assert_int_equal(proto_payload_copy(&r, &q), 0);
	assert_ptr_not_equal(
	    r.claim.relations[1].rating, q.claim.relations[1].rating);
	assert_int_equal(proto_payload_encode(&r, &b2, err, sizeof(err)), 0);
	assert_int_equal(b.len, b2.len);
	assert_memory_equal(b.data, b2.data, b.len);
	assert_int_equal(proto_claim_content(&q.claim, c1), 0);
	free(r.claim.relations[1].rating->value);
	r.claim.relations[1].rating->value = strdup("3");
	assert_int_equal(proto_claim_content(&r.claim, c2), 0);
	assert_memory_not_equal(c1, c2, PROTO_HASH_LEN);
	/* The rating map's keys in deterministic order: best, text, value,
	 * worst (shorter first, then bytewise). */
	{
		const uint8_t want[] = {0x66, 'r', 'a', 't', 'i', 'n', 'g',
		    0xa4, 0x64, 'b', 'e', 's', 't'};
		bool found = false;

		for (size_t i = 0; i + sizeof(want) <= b.len; i++)
			if (memcmp(b.data + i, want, sizeof(want)) == 0)
				found = true;
		assert_true(found);
	}
	proto_payload_release(&p);
	proto_payload_release(&q);
	proto_payload_release(&r);
	proto_buf_release(&b);
	proto_buf_release(&b2);
}

static void
test_review_refusals(void **state)
{
	struct proto_payload p;
	struct proto_buf b;
	char err[256], *big;
	struct proto_rating **g;

	(void)state;
	proto_buf_init(&b);
#define CHECK(mutate, want, text)                                              \
	do {                                                                   \
		full_claim(&p);                                                \
		p.claim.relations[0].rel = PROTO_REL_REVIEW;                   \
		g = &p.claim.relations[0].rating;                              \
		*g = rating("False", "1", "5", "1");                           \
		mutate;                                                        \
		err[0] = '\0';                                                 \
		assert_int_equal(                                              \
		    proto_payload_encode(&p, &b, err, sizeof(err)), want);     \
		check_msg(err, text);                                          \
		proto_payload_release(&p);                                     \
	} while (0)

	CHECK((void)0, PROTO_OK, NULL);
	CHECK((proto_rating_free(*g), *g = NULL), PROTO_ESCHEMA,
	    "review without its rating");
	CHECK(p.claim.relations[0].rel = PROTO_REL_CITES, PROTO_ESCHEMA,
	    "is not a review and has no rating");
	CHECK((free((*g)->text), (*g)->text = strdup("")), PROTO_ESCHEMA,
	    "relations[0].rating.text is empty");
	CHECK((free((*g)->text), (*g)->text = NULL), PROTO_ESCHEMA,
	    "rating.text missing");
	CHECK((free((*g)->text), (*g)->text = strdup("False\x1b[2J")),
	    PROTO_ESCHEMA, "control character");
	big = malloc(PROTO_RATING_TEXT_MAX + 2);
	memset(big, 'f', PROTO_RATING_TEXT_MAX + 1);
	big[PROTO_RATING_TEXT_MAX + 1] = '\0';
	CHECK((free((*g)->text), (*g)->text = strdup(big)), PROTO_ETOOBIG,
	    "rating.text of 257 bytes");
	big[PROTO_RATING_TEXT_MAX] = '\0';
	CHECK((free((*g)->text), (*g)->text = strdup(big)), PROTO_OK, NULL);
	free(big);
	CHECK((free((*g)->value), (*g)->value = strdup("2.50")), PROTO_ESCHEMA,
	    "rating.value \"2.50\" is not a canonical decimal");
	CHECK((free((*g)->best), (*g)->best = strdup("1e1")), PROTO_ESCHEMA,
	    "rating.best");
	CHECK((free((*g)->worst), (*g)->worst = strdup("-0")), PROTO_ESCHEMA,
	    "rating.worst");
	CHECK((free((*g)->value), (*g)->value = strdup("5.000001")),
	    PROTO_ESCHEMA, "outside worst 1 to best 5");
	CHECK((free((*g)->value), (*g)->value = strdup("0.999999")),
	    PROTO_ESCHEMA, "outside");
	CHECK((free((*g)->best), (*g)->best = strdup("1")), PROTO_ESCHEMA,
	    "best and worst are both 1");
	/* Reversed scales and text-only ratings are fine. */
	CHECK((free((*g)->best), (*g)->best = strdup("-1"), free((*g)->value),
		  (*g)->value = strdup("0.5")),
	    PROTO_OK, NULL);
	CHECK((free((*g)->best), free((*g)->worst), free((*g)->value),
		  (*g)->best = (*g)->worst = (*g)->value = NULL),
	    PROTO_OK, NULL);
	CHECK((free((*g)->best), (*g)->best = NULL, free((*g)->value),
		  (*g)->value = strdup("999999999.999999")),
	    PROTO_OK, NULL);
#undef CHECK
	proto_buf_release(&b);
}

static void
test_review_json(void **state)
{
	static const char *const good[][2] = {
	    {"{\"text\": \"Half True\", \"value\": 2.5, \"best\": 5, "
	     "\"worst\": 1}",
		"{\"best\":\"5\",\"text\":\"Half True\",\"value\":\"2.5\","
		"\"worst\":\"1\"}"},
	    {"{\"text\": \"Faux\", \"value\": \"2.50\", \"best\": \"+5\"}",
		"{\"best\":\"5\",\"text\":\"Faux\",\"value\":\"2.5\"}"},
	    {"{\"text\": \"Ложь\"}", "{\"text\":\"Ложь\"}"},
	    {"{\"text\": \"x\", \"value\": 0.1}",
		"{\"text\":\"x\",\"value\":\"0.1\"}"},
	};
	static const char *const bad[][2] = {
	    {"{\"value\": 1}", "\"text\" missing"},
	    {"{\"text\": \"x\", \"value\": \"two\"}",
		"rating.value must be a number"},
	    {"{\"text\": \"x\", \"value\": true}", "must be a number"},
	    {"{\"text\": \"x\", \"value\": 1e12}", "must be a number"},
	    {"{\"text\": \"x\", \"scale\": 5}", "unknown key \"scale\""},
	    {"\"False\"", "rating must be {"},
	};
	char in[512], err[256], *s;
	struct proto_payload p;
	json_t *j, *out;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(in, sizeof(in),
		    "{\"party\": \"p\", \"topics\": [\"t\"], \"statement\": "
		    "\"s\", \"relations\": [{\"rel\": \"review\", \"claim\": "
		    "\"%064d\", \"rating\": %s}]}",
		    1, good[i][0]);
		assert_non_null(j = json_loads(in, 0, NULL));
		assert_int_equal(proto_claim_from_json(
				     j, NULL, NULL, NULL, &p, err, sizeof(err)),
		    PROTO_OK);
		p.time = 1636329600;
		assert_int_equal(
		    proto_payload_validate(&p, err, sizeof(err)), PROTO_OK);
		out = proto_payload_to_json(&p);
		s = json_dumps(
		    json_object_get(
			json_array_get(json_object_get(out, "relations"), 0),
			"rating"),
		    JSON_COMPACT | JSON_SORT_KEYS);
		assert_string_equal(s, good[i][1]);
		free(s);
		json_decref(out);
		json_decref(j);
		proto_payload_release(&p);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(in, sizeof(in),
		    "{\"party\": \"p\", \"topics\": [\"t\"], \"statement\": "
		    "\"s\", \"relations\": [{\"rel\": \"review\", \"claim\": "
		    "\"%064d\", \"rating\": %s}]}",
		    1, bad[i][0]);
		assert_non_null(j = json_loads(in, 0, NULL));
		err[0] = '\0';
		assert_int_not_equal(proto_claim_from_json(j, NULL, NULL, NULL,
					 &p, err, sizeof(err)),
		    PROTO_OK);
		if (strstr(err, bad[i][1]) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i][0], err,
			    bad[i][1]);
		json_decref(j);
	}
}

/*
 * Keys
 */

static void
test_key_file_roundtrip(void **state)
{
	uint8_t pk[32], sk[64], sk2[64];
	struct proto_buf b;
	char err[256];

	(void)state;
	assert_int_equal(proto_key_generate(pk, sk), 0);
	proto_buf_init(&b);
	assert_int_equal(proto_key_format(sk, &b), 0);
	assert_int_equal(
	    proto_key_parse((char *)b.data, b.len, sk2, err, sizeof(err)),
	    PROTO_OK);
	assert_memory_equal(sk, sk2, 64);
	/* A public line that the seed does not give is refused. */
	b.data[30] = b.data[30] == '0' ? '1' : '0';
	assert_int_equal(
	    proto_key_parse((char *)b.data, b.len, sk2, err, sizeof(err)),
	    PROTO_EKEY);
	assert_non_null(strstr(err, "does not give the public key"));
	assert_int_equal(
	    proto_key_parse("hello", 5, sk2, err, sizeof(err)), PROTO_EKEY);
	assert_non_null(strstr(err, "not a claimd secret key"));
	proto_buf_release(&b);
	assert_int_equal(proto_pubkey_parse("00", pk, NULL, 0), PROTO_EKEY);
}

static void
test_key_sealed_roundtrip(void **state)
{
	uint8_t pk[32], sk[64], sk2[64];
	struct proto_buf b;
	char err[256], *text;

	(void)state;
	assert_int_equal(proto_key_generate(pk, sk), 0);
	proto_buf_init(&b);
	assert_int_equal(
	    proto_key_format_sealed(sk, "correct horse", 13, &b), PROTO_OK);
	assert_true(proto_key_sealed((char *)b.data, b.len));
	/* The seed is nowhere in the file. */
	{
		char hex[65];

		proto_hex(sk, 32, hex);
		text = strndup((char *)b.data, b.len);
		assert_null(strstr(text, hex));
		free(text);
	}
	assert_int_equal(proto_key_parse_sealed((char *)b.data, b.len,
			     "correct horse", 13, sk2, err, sizeof(err)),
	    PROTO_OK);
	assert_memory_equal(sk, sk2, 64);
	assert_int_equal(proto_key_parse_sealed((char *)b.data, b.len,
			     "correct horsf", 13, sk2, err, sizeof(err)),
	    PROTO_EKEY);
	assert_non_null(strstr(err, "wrong passphrase"));
	/* Without a passphrase the plain parser says what is wrong. */
	assert_int_equal(
	    proto_key_parse((char *)b.data, b.len, sk2, err, sizeof(err)),
	    PROTO_EKEY);
	assert_non_null(strstr(err, "protected by a passphrase"));
	/* A flipped bit in the sealed part. */
	b.data[b.len - 5] = b.data[b.len - 5] == '0' ? '1' : '0';
	assert_int_equal(proto_key_parse_sealed((char *)b.data, b.len,
			     "correct horse", 13, sk2, err, sizeof(err)),
	    PROTO_EKEY);
	proto_buf_release(&b);
	/* Plain files still read through the sealed parser. */
	proto_buf_init(&b);
	assert_int_equal(proto_key_format(sk, &b), PROTO_OK);
	assert_int_equal(proto_key_parse_sealed((char *)b.data, b.len, "", 0,
			     sk2, err, sizeof(err)),
	    PROTO_OK);
	assert_memory_equal(sk, sk2, 64);
	proto_buf_release(&b);
}

/*
 * Rules, over a tiny in-memory state
 */

struct mem_state {
	char parties[8][65];
	int nparties;
	struct {
		uint8_t key[32];
		char party[65];
	} grants[8];
	int ngrants;
	struct {
		uint8_t id[32];
		struct proto_head head;
	} claims[8];
	int nclaims;
};

static int
ms_party_exists(void *ctx, const char *slug, bool *exists)
{
	struct mem_state *m = ctx;

	*exists = false;
	for (int i = 0; i < m->nparties; i++)
		if (strcmp(m->parties[i], slug) == 0)
			*exists = true;
	return 0;
}

static int
ms_grant_held(void *ctx, const uint8_t key[32], const char *party, bool *held)
{
	struct mem_state *m = ctx;

	*held = false;
	for (int i = 0; i < m->ngrants; i++)
		if (memcmp(m->grants[i].key, key, 32) == 0 &&
		    strcmp(m->grants[i].party, party) == 0)
			*held = true;
	return 0;
}

static int
ms_claim_head(
    void *ctx, const uint8_t id[32], struct proto_head *head, bool *found)
{
	struct mem_state *m = ctx;

	*found = false;
	for (int i = 0; i < m->nclaims; i++)
		if (memcmp(m->claims[i].id, id, 32) == 0) {
			*head = m->claims[i].head;
			*found = true;
		}
	return 0;
}

/* The test state keeps whole heads: claim_head gave them all. */
static int
ms_head_content(void *ctx, const uint8_t id[32], struct proto_head *head)
{
	bool found;

	return ms_claim_head(ctx, id, head, &found);
}

static int
ms_party_add(void *ctx, const char *slug, const char *name)
{
	struct mem_state *m = ctx;

	(void)name;
	strcpy(m->parties[m->nparties++], slug);
	return 0;
}

static int
ms_grant_set(void *ctx, const uint8_t key[32], const char *party, bool held)
{
	struct mem_state *m = ctx;

	if (held) {
		memcpy(m->grants[m->ngrants].key, key, 32);
		strcpy(m->grants[m->ngrants++].party, party);
		return 0;
	}
	for (int i = 0; i < m->ngrants; i++)
		if (memcmp(m->grants[i].key, key, 32) == 0 &&
		    strcmp(m->grants[i].party, party) == 0)
			m->grants[i] = m->grants[--m->ngrants];
	return 0;
}

static int
ms_head_set(void *ctx, const uint8_t id[32], const struct proto_head *head)
{
	struct mem_state *m = ctx;

	for (int i = 0; i < m->nclaims; i++)
		if (memcmp(m->claims[i].id, id, 32) == 0) {
			m->claims[i].head = *head;
			return 0;
		}
	memcpy(m->claims[m->nclaims].id, id, 32);
	m->claims[m->nclaims++].head = *head;
	return 0;
}

static const struct proto_state_ops ms_ops = {
    .party_exists = ms_party_exists,
    .grant_held = ms_grant_held,
    .claim_head = ms_claim_head,
    .head_content = ms_head_content,
    .party_add = ms_party_add,
    .grant_set = ms_grant_set,
    .head_set = ms_head_set,
    .keeps_content = true,
};

/* Signs p, checks it against m, applies it if accepted; returns rc. */
static int
submit(struct mem_state *m, const uint8_t admin[32], struct proto_payload *p,
    const uint8_t sk[64], uint8_t hash[32], char *err, size_t errlen)
{
	struct proto_payload q;
	struct proto_record r;
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	tu_sign(p, sk, &b);
	assert_int_equal(proto_record_open(b.data, b.len, &r, &q, NULL, 0), 0);
	proto_record_hash(b.data, b.len, hash);
	rc = proto_rules_check(
	    &ms_ops, m, admin, &r, &q, hash, NULL, err, errlen);
	if (rc == PROTO_OK)
		assert_int_equal(proto_rules_apply(&ms_ops, m, &q, hash), 0);
	proto_payload_release(&q);
	proto_payload_release(p);
	proto_buf_release(&b);
	return rc;
}

/* Signs p, checks it against (st, ctx), applies it if accepted. */
static int
submit_to(const struct proto_state_ops *st, void *ctx, const uint8_t admin[32],
    struct proto_payload *p, const uint8_t sk[64], uint8_t hash[32], char *err,
    size_t errlen)
{
	struct proto_payload q;
	struct proto_record r;
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	tu_sign(p, sk, &b);
	assert_int_equal(proto_record_open(b.data, b.len, &r, &q, NULL, 0), 0);
	proto_record_hash(b.data, b.len, hash);
	err[0] = '\0';
	rc = proto_rules_check(st, ctx, admin, &r, &q, hash, NULL, err, errlen);
	if (rc == PROTO_OK)
		assert_int_equal(proto_rules_apply(st, ctx, &q, hash), 0);
	proto_payload_release(&q);
	proto_payload_release(p);
	proto_buf_release(&b);
	return rc;
}

/* Version v of claim id on head prev: statement, status, note. */
static void
next_version(struct proto_payload *p, const uint8_t id[32],
    const uint8_t prev[32], uint64_t v, const char *statement,
    enum proto_status status, const char *note)
{
	tu_claim(p, "am-mfa", "t", statement);
	p->claim.version = v;
	memcpy(p->claim.claim, id, 32);
	memcpy(p->claim.prev, prev, 32);
	p->claim.status = status;
	p->claim.note = note != NULL ? strdup(note) : NULL;
}

/*
 * The version rules of docs/format.md (Versions), over a state: the
 * test's own and the memstate the offline verifier replays with.
 */
static void
version_rules(const struct proto_state_ops *st, void *ctx)
{
	uint8_t apk[32], ask[64], dpk[32], dsk[64], id[32], head[32], h[32];
	struct proto_payload p;
	char err[256], hx[17];

	tu_key(10, apk, ask);
	tu_key(11, dpk, dsk);
	tu_party(&p, "am-mfa", "Armenia MFA");
	assert_int_equal(submit_to(st, ctx, apk, &p, ask, h, err, 256), 0);
	tu_grant(&p, PROTO_KIND_GRANT, dpk, "am-mfa");
	assert_int_equal(submit_to(st, ctx, apk, &p, ask, h, err, 256), 0);
	tu_claim(&p, "am-mfa", "t", "first");
	assert_int_equal(submit_to(st, ctx, apk, &p, dsk, id, err, 256), 0);
	memcpy(head, id, 32);
	proto_hex(id, 8, hx);

	/* A later version says why it was made. */
	next_version(&p, id, head, 2, "second", PROTO_STATUS_ASSERTED, NULL);
	assert_int_equal(
	    submit_to(st, ctx, apk, &p, dsk, h, err, 256), PROTO_ESCHEMA);
	assert_non_null(strstr(err, "has no note"));
	next_version(&p, id, head, 2, "second", PROTO_STATUS_ASSERTED, "");
	assert_int_equal(
	    submit_to(st, ctx, apk, &p, dsk, h, err, 256), PROTO_ESCHEMA);
	/* A revision that says what its head says changes nothing. */
	next_version(&p, id, head, 2, "first", PROTO_STATUS_ASSERTED, "again");
	assert_int_equal(
	    submit_to(st, ctx, apk, &p, dsk, h, err, 256), PROTO_EUNCHANGED);
	assert_non_null(strstr(err, "says what version 1"));
	/* Any change of content will do: a date made. */
	next_version(&p, id, head, 2, "first", PROTO_STATUS_ASSERTED, "dated");
	p.claim.made = strdup("2023-11-14");
	assert_int_equal(submit_to(st, ctx, apk, &p, dsk, head, err, 256), 0);
	/* A live claim is not reinstated. */
	next_version(&p, id, head, 3, "first", PROTO_STATUS_ASSERTED, "back");
	p.claim.reinstates = true;
	assert_int_equal(
	    submit_to(st, ctx, apk, &p, dsk, h, err, 256), PROTO_EUNCHANGED);
	assert_non_null(strstr(err, "nothing to reinstate"));
	/* Retracted once, with what it said: fine. */
	next_version(
	    &p, id, head, 3, "first", PROTO_STATUS_RETRACTED, "misattributed");
	assert_int_equal(submit_to(st, ctx, apk, &p, dsk, head, err, 256), 0);
	/* Not again: the first reason stands. */
	next_version(&p, id, head, 4, "first", PROTO_STATUS_RETRACTED, "other");
	assert_int_equal(
	    submit_to(st, ctx, apk, &p, dsk, h, err, 256), PROTO_ERETRACTED);
	assert_non_null(strstr(err, "already retracted"));
	/* Nor revised, changed or not: only reinstated, by name. */
	next_version(&p, id, head, 4, "fourth", PROTO_STATUS_ASSERTED, "new");
	assert_int_equal(
	    submit_to(st, ctx, apk, &p, dsk, h, err, 256), PROTO_ERETRACTED);
	assert_non_null(strstr(err, "claim reinstate"));
	assert_non_null(strstr(err, hx));
	/* A reinstatement too says why; it may say what the claim said. */
	next_version(&p, id, head, 4, "first", PROTO_STATUS_ASSERTED, NULL);
	p.claim.reinstates = true;
	assert_int_equal(
	    submit_to(st, ctx, apk, &p, dsk, h, err, 256), PROTO_ESCHEMA);
	next_version(&p, id, head, 4, "first", PROTO_STATUS_ASSERTED,
	    "attributed after all");
	p.claim.made = strdup("2023-11-14");
	p.claim.reinstates = true;
	assert_int_equal(submit_to(st, ctx, apk, &p, dsk, head, err, 256), 0);
	/* Live again: a revision must change something, as before. */
	next_version(&p, id, head, 5, "first", PROTO_STATUS_ASSERTED, "same");
	p.claim.made = strdup("2023-11-14");
	assert_int_equal(
	    submit_to(st, ctx, apk, &p, dsk, h, err, 256), PROTO_EUNCHANGED);
	next_version(&p, id, head, 5, "fifth", PROTO_STATUS_ASSERTED, "new");
	assert_int_equal(submit_to(st, ctx, apk, &p, dsk, head, err, 256), 0);
}

static void
test_rules_versions_say_something(void **state)
{
	struct proto_memstate *ms;
	struct mem_state m;

	(void)state;
	memset(&m, 0, sizeof(m));
	version_rules(&ms_ops, &m);
	assert_int_equal(proto_memstate_new(&ms), 0);
	version_rules(&proto_memstate_ops, ms);
	proto_memstate_free(ms);
}

/*
 * Owner records (docs/format.md, Owners): the schema's bounds, a round
 * trip through the encoding and JSON, and the rules over both states:
 * admin only, no party needed.
 */
static void
owner_rules(const struct proto_state_ops *st, void *ctx)
{
	static const char *const pubs[] = {"Wire", "Wire Regional"};
	uint8_t apk[32], ask[64], dpk[32], dsk[64], h[32];
	struct proto_payload p;
	char err[256];

	tu_key(10, apk, ask);
	tu_key(11, dpk, dsk);
	tu_owner(&p, "wire-group", pubs, 2);
	assert_int_equal(
	    submit_to(st, ctx, apk, &p, dsk, h, err, 256), PROTO_EUNAUTHORIZED);
	assert_non_null(
	    strstr(err, "owner records must be signed by the admin"));
	tu_owner(&p, "wire-group", pubs, 2);
	assert_int_equal(submit_to(st, ctx, apk, &p, ask, h, err, 256), 0);
	/* A later list replaces it; none withdraws it. */
	tu_owner(&p, "wire-group", pubs, 1);
	assert_int_equal(submit_to(st, ctx, apk, &p, ask, h, err, 256), 0);
	tu_owner(&p, "wire-group", NULL, 0);
	assert_int_equal(submit_to(st, ctx, apk, &p, ask, h, err, 256), 0);
}

static void
test_owner_record(void **state)
{
	static const char *const pubs[] = {"TASS", "ТАСС", "TASS Regional"};
	struct proto_payload p, q;
	struct proto_memstate *ms;
	struct mem_state m;
	struct proto_buf b;
	char err[256], big[PROTO_LABEL_MAX + 2];
	json_t *j;

	(void)state;
	/* Round trip: the publishers in order, the owner as its slug. */
	tu_owner(&p, "tass", pubs, 3);
	proto_buf_init(&b);
	assert_int_equal(proto_payload_encode(&p, &b, err, sizeof(err)), 0);
	assert_int_equal(proto_payload_decode(b.data, b.len, &q, err, 256), 0);
	assert_int_equal(q.kind, PROTO_KIND_OWNER);
	assert_string_equal(q.reg.party, "tass");
	assert_int_equal(q.reg.npublishers, 3);
	assert_string_equal(q.reg.publishers[1], "ТАСС");
	j = proto_payload_to_json(&q);
	assert_string_equal(
	    json_string_value(json_object_get(j, "owner")), "tass");
	assert_null(json_object_get(j, "party"));
	assert_int_equal(json_array_size(json_object_get(j, "publishers")), 3);
	json_decref(j);
	proto_payload_release(&q);
	assert_int_equal(proto_payload_copy(&q, &p), 0);
	assert_string_equal(q.reg.publishers[2], "TASS Regional");
	proto_payload_release(&q);
	proto_payload_release(&p);
	/* An empty list is a withdrawal, and valid. */
	tu_owner(&p, "tass", NULL, 0);
	b.len = 0;
	assert_int_equal(proto_payload_encode(&p, &b, err, sizeof(err)), 0);
	assert_int_equal(proto_payload_decode(b.data, b.len, &q, err, 256), 0);
	assert_int_equal(q.reg.npublishers, 0);
	proto_payload_release(&q);
	proto_payload_release(&p);
	/* The bounds. */
	tu_owner(&p, "Not A Slug", pubs, 1);
	expect_rc("slug", proto_payload_encode(&p, &b, err, sizeof(err)),
	    PROTO_ESCHEMA, err, "owner \"Not A Slug\" is not a slug");
	proto_payload_release(&p);
	tu_owner(&p, "tass", (const char *const[]){"TASS", ""}, 2);
	expect_rc("empty", proto_payload_encode(&p, &b, err, sizeof(err)),
	    PROTO_ESCHEMA, err, "publishers[1]: publisher is empty");
	proto_payload_release(&p);
	tu_owner(&p, "tass", (const char *const[]){"TASS", "TASS"}, 2);
	expect_rc("repeat", proto_payload_encode(&p, &b, err, sizeof(err)),
	    PROTO_ESCHEMA, err, "publishers[1] repeats publishers[0]");
	proto_payload_release(&p);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tu_owner(&p, "tass", (const char *const[]){big}, 1);
	expect_rc("long", proto_payload_encode(&p, &b, err, sizeof(err)),
	    PROTO_ETOOBIG, err, "publishers[0]: publisher of 1025 bytes");
	proto_payload_release(&p);
	tu_owner(&p, "tass", pubs, 1);
	p.reg.npublishers = PROTO_PUBLISHERS_MAX + 1;
	expect_rc("many", proto_payload_encode(&p, &b, err, sizeof(err)),
	    PROTO_ETOOBIG, err, "257 publishers exceed 256");
	p.reg.npublishers = 1;
	proto_payload_release(&p);
	/* An owner record has no party; other registry records need one. */
	tu_owner(&p, "tass", pubs, 1);
	p.reg.name = strdup("TASS");
	b.len = 0;
	assert_int_equal(proto_payload_encode(&p, &b, err, sizeof(err)), 0);
	assert_int_equal(proto_payload_decode(b.data, b.len, &q, err, 256), 0);
	assert_null(q.reg.name); /* not encoded: not the owner's */
	proto_payload_release(&q);
	proto_payload_release(&p);
	proto_buf_release(&b);
	memset(&m, 0, sizeof(m));
	owner_rules(&ms_ops, &m);
	assert_int_equal(proto_memstate_new(&ms), 0);
	owner_rules(&proto_memstate_ops, ms);
	proto_memstate_free(ms);
}

/* "reinstates" is true or absent, and only on a live later version. */
static void
test_payload_reinstates(void **state)
{
	struct proto_payload p, q;
	struct proto_buf b;
	char err[256];
	size_t at;

	(void)state;
	tu_claim(&p, "am-mfa", "t", "x");
	p.claim.reinstates = true;
	proto_buf_init(&b);
	assert_int_equal(
	    proto_payload_encode(&p, &b, err, sizeof(err)), PROTO_ESCHEMA);
	assert_non_null(strstr(err, "reinstates"));
	p.claim.version = 2;
	memset(p.claim.claim, 1, 32);
	memset(p.claim.prev, 2, 32);
	p.claim.note = strdup("why");
	p.claim.status = PROTO_STATUS_RETRACTED;
	assert_int_equal(
	    proto_payload_encode(&p, &b, err, sizeof(err)), PROTO_ESCHEMA);
	p.claim.status = PROTO_STATUS_ASSERTED;
	b.len = 0;
	assert_int_equal(proto_payload_encode(&p, &b, err, sizeof(err)), 0);
	assert_int_equal(proto_payload_decode(b.data, b.len, &q, err, 256), 0);
	assert_true(q.claim.reinstates);
	proto_payload_release(&q);
	/* The same bytes with false (0xf4) for true (0xf5): refused. */
	at = 0;
	for (size_t i = 0; i + 11 < b.len; i++)
		if (memcmp(b.data + i, "\x6areinstates\xf5", 12) == 0)
			at = i + 11;
	assert_true(at > 0);
	b.data[at] = 0xf4;
	assert_int_equal(
	    proto_payload_decode(b.data, b.len, &q, err, 256), PROTO_ESCHEMA);
	assert_non_null(strstr(err, "never false"));
	/* Content leaves out version, claim, prev, time, note and status. */
	{
		uint8_t c1[32], c2[32];

		assert_int_equal(proto_claim_content(&p.claim, c1), 0);
		p.claim.version = 7;
		p.time++;
		free(p.claim.note);
		p.claim.note = NULL;
		p.claim.status = PROTO_STATUS_RETRACTED;
		p.claim.reinstates = false;
		assert_int_equal(proto_claim_content(&p.claim, c2), 0);
		assert_memory_equal(c1, c2, 32);
		free(p.claim.statement);
		p.claim.statement = strdup("y");
		assert_int_equal(proto_claim_content(&p.claim, c2), 0);
		assert_memory_not_equal(c1, c2, 32);
	}
	proto_payload_release(&p);
	proto_buf_release(&b);
}

static void
test_rules_authorization_and_versions(void **state)
{
	uint8_t apk[32], ask[64], dpk[32], dsk[64], h1[32], h2[32], h3[32];
	struct mem_state m;
	struct proto_payload p;
	char err[256];

	(void)state;
	memset(&m, 0, sizeof(m));
	tu_key(10, apk, ask);
	tu_key(11, dpk, dsk);

	/* Grants need the admin key and an existing party. */
	tu_grant(&p, PROTO_KIND_GRANT, dpk, "am-mfa");
	assert_int_equal(
	    submit(&m, apk, &p, ask, h1, err, sizeof(err)), PROTO_ENOPARTY);
	tu_party(&p, "am-mfa", "Armenia MFA");
	assert_int_equal(submit(&m, apk, &p, dsk, h1, err, sizeof(err)),
	    PROTO_EUNAUTHORIZED);
	assert_non_null(strstr(err, "admin key"));
	tu_party(&p, "am-mfa", "Armenia MFA");
	assert_int_equal(submit(&m, apk, &p, ask, h1, err, sizeof(err)), 0);
	tu_party(&p, "am-mfa", "Again");
	assert_int_equal(
	    submit(&m, apk, &p, ask, h1, err, sizeof(err)), PROTO_EEXISTS);

	/* A claim needs a grant for its party. */
	tu_claim(&p, "am-mfa", "t", "first");
	assert_int_equal(submit(&m, apk, &p, dsk, h1, err, sizeof(err)),
	    PROTO_EUNAUTHORIZED);
	assert_non_null(strstr(err, "holds no grant for party \"am-mfa\""));
	tu_grant(&p, PROTO_KIND_GRANT, dpk, "am-mfa");
	assert_int_equal(submit(&m, apk, &p, ask, h1, err, sizeof(err)), 0);
	tu_grant(&p, PROTO_KIND_GRANT, dpk, "am-mfa");
	assert_int_equal(
	    submit(&m, apk, &p, ask, h1, err, sizeof(err)), PROTO_EEXISTS);
	tu_claim(&p, "am-mfa", "t", "first");
	assert_int_equal(submit(&m, apk, &p, dsk, h1, err, sizeof(err)), 0);

	/* Revision 2 on head h1. */
	tu_claim(&p, "am-mfa", "t", "second");
	p.claim.version = 2;
	memcpy(p.claim.claim, h1, 32);
	memcpy(p.claim.prev, h1, 32);
	p.claim.note = strdup("reworded");
	assert_int_equal(submit(&m, apk, &p, dsk, h2, err, sizeof(err)), 0);
	/* A stale revision (still on h1) is a conflict naming the head. */
	tu_claim(&p, "am-mfa", "t", "stale");
	p.claim.version = 2;
	memcpy(p.claim.claim, h1, 32);
	memcpy(p.claim.prev, h1, 32);
	assert_int_equal(
	    submit(&m, apk, &p, dsk, h3, err, sizeof(err)), PROTO_ECONFLICT);
	{
		char hx[17];

		proto_hex(h2, 8, hx);
		assert_non_null(strstr(err, hx));
		assert_non_null(strstr(err, "version 2"));
	}
	/* Right head, wrong version number. */
	tu_claim(&p, "am-mfa", "t", "skip");
	p.claim.version = 4;
	memcpy(p.claim.claim, h1, 32);
	memcpy(p.claim.prev, h2, 32);
	assert_int_equal(
	    submit(&m, apk, &p, dsk, h3, err, sizeof(err)), PROTO_ECHAIN);
	/* Unknown claim. */
	tu_claim(&p, "am-mfa", "t", "orphan");
	p.claim.version = 2;
	memset(p.claim.claim, 0x55, 32);
	memcpy(p.claim.prev, h2, 32);
	assert_int_equal(
	    submit(&m, apk, &p, dsk, h3, err, sizeof(err)), PROTO_ENOTFOUND);
	/* A relation must name a claim in the log. */
	tu_claim(&p, "am-mfa", "t", "related");
	p.claim.nrelations = 1;
	p.claim.relations = calloc(1, sizeof(*p.claim.relations));
	memset(p.claim.relations[0].claim, 0x66, 32);
	assert_int_equal(
	    submit(&m, apk, &p, dsk, h3, err, sizeof(err)), PROTO_ENOTFOUND);
	tu_claim(&p, "am-mfa", "t", "related");
	p.claim.nrelations = 1;
	p.claim.relations = calloc(1, sizeof(*p.claim.relations));
	memcpy(p.claim.relations[0].claim, h1, 32);
	assert_int_equal(submit(&m, apk, &p, dsk, h3, err, sizeof(err)), 0);

	/* After a revocation the key may no longer speak for the party. */
	tu_grant(&p, PROTO_KIND_REVOKE, dpk, "am-mfa");
	assert_int_equal(submit(&m, apk, &p, ask, h3, err, sizeof(err)), 0);
	tu_grant(&p, PROTO_KIND_REVOKE, dpk, "am-mfa");
	assert_int_equal(
	    submit(&m, apk, &p, ask, h3, err, sizeof(err)), PROTO_ENOTFOUND);
	tu_claim(&p, "am-mfa", "t", "after revoke");
	assert_int_equal(submit(&m, apk, &p, dsk, h3, err, sizeof(err)),
	    PROTO_EUNAUTHORIZED);
}

/*
 * Merkle: compared with a textbook recursion over the leaves, written
 * independently of proto/merkle.c (testutil's tu_merkle_*).
 */

#define NLEAVES 80

static uint8_t leaves[NLEAVES][32];

static int
naive_get(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	(void)ctx;
	tu_merkle_mth((const uint8_t(*)[32])leaves, index << level,
	    (index + 1) << level, out);
	return 0;
}

static void
make_leaves(void)
{
	for (int i = 0; i < NLEAVES; i++) {
		char data[32];
		int len = snprintf(data, sizeof(data), "leaf-%d", i);

		proto_merkle_leaf((uint8_t *)data, (size_t)len, leaves[i]);
	}
}

static void
test_merkle_against_textbook(void **state)
{
	uint8_t root[NLEAVES + 1][32], want[32];
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][32], np[64][32];
	struct proto_merkle_edge edge;
	size_t n, nn;

	(void)state;
	make_leaves();
	proto_merkle_edge_init(&edge);
	/* Size 0: SHA-256 of the empty string. */
	assert_int_equal(proto_merkle_root(naive_get, NULL, 0, root[0]), 0);
	crypto_hash_sha256(want, NULL, 0);
	assert_memory_equal(root[0], want, 32);
	for (uint64_t s = 1; s <= NLEAVES; s++) {
		assert_int_equal(
		    proto_merkle_root(naive_get, NULL, s, root[s]), 0);
		tu_merkle_mth((const uint8_t(*)[32])leaves, 0, s, want);
		assert_memory_equal(root[s], want, 32);
		proto_merkle_edge_push(&edge, leaves[s - 1]);
		proto_merkle_edge_root(&edge, want);
		assert_memory_equal(root[s], want, 32);
	}
	for (uint64_t s = 1; s <= NLEAVES; s++) {
		for (uint64_t i = 0; i < s; i++) {
			assert_int_equal(proto_merkle_inclusion(
					     naive_get, NULL, i, s, proof, &n),
			    0);
			nn = tu_merkle_path(
			    (const uint8_t(*)[32])leaves, i, 0, s, np);
			assert_int_equal(n, nn);
			assert_memory_equal(proof, np, n * 32);
			assert_int_equal(
			    proto_merkle_verify_inclusion(leaves[i], i, s,
				(const uint8_t(*)[32])proof, n, root[s]),
			    PROTO_OK);
			/* Wrong leaf, index, size or a bent hash fail. */
			assert_int_equal(
			    proto_merkle_verify_inclusion(
				leaves[(i + 1) % NLEAVES], i, s,
				(const uint8_t(*)[32])proof, n, root[s]),
			    PROTO_EPROOF);
			if (s > 1)
				assert_int_equal(
				    proto_merkle_verify_inclusion(leaves[i],
					(i + 1) % s, s,
					(const uint8_t(*)[32])proof, n,
					root[s]),
				    PROTO_EPROOF);
			if (n > 0) {
				proof[n - 1][0] ^= 1;
				assert_int_equal(
				    proto_merkle_verify_inclusion(leaves[i], i,
					s, (const uint8_t(*)[32])proof, n,
					root[s]),
				    PROTO_EPROOF);
			}
		}
		for (uint64_t m = 1; m <= s; m++) {
			assert_int_equal(proto_merkle_consistency(
					     naive_get, NULL, m, s, proof, &n),
			    0);
			nn = tu_merkle_subproof(
			    (const uint8_t(*)[32])leaves, m, 0, s, true, np);
			assert_int_equal(n, nn);
			assert_memory_equal(proof, np, n * 32);
			assert_int_equal(
			    proto_merkle_verify_consistency(m, s, root[m],
				root[s], (const uint8_t(*)[32])proof, n),
			    PROTO_OK);
			if (m < s) {
				/* A different old root fails. */
				assert_int_equal(
				    proto_merkle_verify_consistency(m, s,
					root[m - 1], root[s],
					(const uint8_t(*)[32])proof, n),
				    PROTO_EPROOF);
				proof[0][5] ^= 1;
				assert_int_equal(
				    proto_merkle_verify_consistency(m, s,
					root[m], root[s],
					(const uint8_t(*)[32])proof, n),
				    PROTO_EPROOF);
			}
		}
	}
}

/* Parses "a,b,c" hex hashes (or "-") into proof; returns the count. */
static size_t
parse_proof(const char *s, uint8_t (*proof)[32])
{
	size_t n = 0;

	if (strcmp(s, "-") == 0)
		return 0;
	while (*s) {
		char hex[65];

		memcpy(hex, s, 64);
		hex[64] = '\0';
		assert_int_equal(proto_unhex(hex, proof[n++], 32), 0);
		s += 64;
		if (*s == ',')
			s++;
	}
	return n;
}

/*
 * Checks lines "root n HEX", "incl i n PROOF", "cons m n PROOF" over
 * leaves from "leaf i HEX" lines or, without them, the "leaf-%d" leaves.
 */
static int
check_merkle_file(const char *path)
{
	uint8_t got[PROTO_MERKLE_PROOF_MAX][32],
	    want[PROTO_MERKLE_PROOF_MAX][32];
	char *text = tu_read_file(path, NULL), *save = NULL, *line;
	size_t checked = 0;
	int nleaves = 0;

	make_leaves();
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char a[8], b[8192];
		unsigned long long x, y;
		size_t n = 0, nw;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (sscanf(line, "leaf %llu %8191s", &x, b) == 2 ||
		    sscanf(line, "leaf %llu", &x) == 1) {
			size_t len = 0;
			uint8_t *d = strchr(line + 5, ' ') != NULL
			    ? tu_unhex(strchr(line + 5, ' ') + 1, &len)
			    : tu_unhex("", &len);

			proto_merkle_leaf(d, len, leaves[x]);
			nleaves++;
			free(d);
			continue;
		}
		if (sscanf(line, "root %llu %64s", &x, b) == 2) {
			uint8_t r[32], w[32];

			assert_int_equal(
			    proto_merkle_root(naive_get, NULL, x, r), 0);
			assert_int_equal(proto_unhex(b, w, 32), 0);
			if (memcmp(r, w, 32) != 0)
				fail_msg("root %llu differs", x);
			checked++;
			continue;
		}
		if (sscanf(line, "%7s %llu %llu %8191s", a, &x, &y, b) != 4)
			fail_msg("bad line: %s", line);
		nw = parse_proof(b, want);
		if (strcmp(a, "incl") == 0)
			assert_int_equal(proto_merkle_inclusion(
					     naive_get, NULL, x, y, got, &n),
			    0);
		else if (strcmp(a, "cons") == 0)
			assert_int_equal(proto_merkle_consistency(
					     naive_get, NULL, x, y, got, &n),
			    0);
		else
			fail_msg("bad line: %s", line);
		if (n != nw || memcmp(got, want, n * 32) != 0)
			fail_msg("%s %llu %llu differs", a, x, y);
		checked++;
	}
	free(text);
	fprintf(stderr, "merkle: %zu roots and proofs match\n", checked);
	return checked > 0 ? 0 : 1;
}

static void
test_merkle_rfc6962_vectors(void **state)
{
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s/rfc6962.txt", vectors_dir);
	assert_int_equal(check_merkle_file(path), 0);
}

/*
 * Signed notes: known answers from Go's golang.org/x/mod/sumdb/note tests.
 */

#define GO_TEXT                                                                \
	"If you think cryptography is the answer to your problem,\n"           \
	"then you don't know what your problem is.\n"
#define GO_SKEY "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define GO_VKEY                                                                \
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_PETER                                                               \
	"\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
#define GO_ENOCH                                                               \
	"\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"

static void
test_note_go_vectors(void **state)
{
	uint8_t skey[33], pk[32], sk[64];
	char vkey[PROTO_VKEY_MAX], name[64];
	struct proto_buf b;
	size_t n, textlen;
	char err[128];

	(void)state;
	/* The Go private key is 0x01 || seed. */
	assert_int_equal(
	    proto_unbase64(GO_SKEY, strlen(GO_SKEY), skey, sizeof(skey), &n),
	    PROTO_OK);
	assert_int_equal(n, 33);
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, skey + 1), 0);
	assert_int_equal(
	    proto_vkey_format("PeterNeumann", pk, vkey, sizeof(vkey)),
	    PROTO_OK);
	assert_string_equal(vkey, GO_VKEY);
	assert_int_equal(
	    proto_vkey_parse(GO_VKEY, name, sizeof(name), pk), PROTO_OK);
	assert_string_equal(name, "PeterNeumann");
	/* A wrong key id, a wrong algorithm byte, a '+' too many. */
	assert_int_equal(proto_vkey_parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQ"
					  "egwxbzhKqiBfsVkmqq/LDE4izWy10TW",
			     name, sizeof(name), pk),
	    PROTO_EKEY);
	assert_int_equal(proto_vkey_parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQ"
					  "egwxbzhKqiBfsVkmqq/LDE4izWy10TW",
			     name, sizeof(name), pk),
	    PROTO_EKEY);
	assert_int_equal(
	    proto_vkey_parse("a+b+" GO_VKEY, name, sizeof(name), pk),
	    PROTO_EKEY);

	/* Signing gives Go's bytes exactly. */
	proto_buf_init(&b);
	assert_int_equal(
	    proto_note_sign(GO_TEXT, strlen(GO_TEXT), "PeterNeumann", sk, &b),
	    PROTO_OK);
	assert_int_equal(b.len, strlen(GO_TEXT "\n" GO_PETER));
	assert_memory_equal(b.data, GO_TEXT "\n" GO_PETER, b.len);
	proto_buf_release(&b);

	/* Opening: Peter's line verifies; Enoch's, another key's, is not
	 * ours to judge. */
	assert_int_equal(proto_note_open(GO_TEXT "\n" GO_PETER GO_ENOCH,
			     strlen(GO_TEXT "\n" GO_PETER GO_ENOCH),
			     "PeterNeumann", pk, &textlen, err, sizeof(err)),
	    PROTO_OK);
	assert_int_equal(textlen, strlen(GO_TEXT));
	assert_int_equal(proto_note_open(GO_TEXT "\n" GO_ENOCH,
			     strlen(GO_TEXT "\n" GO_ENOCH), "PeterNeumann", pk,
			     &textlen, err, sizeof(err)),
	    PROTO_EPROOF);
	assert_non_null(strstr(err, "not signed by PeterNeumann"));
	/* A changed text, a malformed note. */
	{
		char bad[512];

		snprintf(bad, sizeof(bad), "%s", GO_TEXT "\n" GO_PETER);
		bad[3] ^= 1;
		assert_int_equal(
		    proto_note_open(bad, strlen(bad), "PeterNeumann", pk,
			&textlen, err, sizeof(err)),
		    PROTO_EPROOF);
		assert_non_null(strstr(err, "does not verify"));
		assert_int_equal(
		    proto_note_open(GO_TEXT, strlen(GO_TEXT), "PeterNeumann",
			pk, &textlen, err, sizeof(err)),
		    PROTO_EPROOF);
		snprintf(bad, sizeof(bad), "%s",
		    GO_TEXT "\n" GO_PETER "Unexpected line.\n");
		assert_int_equal(
		    proto_note_open(bad, strlen(bad), "PeterNeumann", pk,
			&textlen, err, sizeof(err)),
		    PROTO_EPROOF);
	}
}

static void
test_checkpoint_text_roundtrip(void **state)
{
	uint8_t root[32], got[32];
	struct proto_buf b;
	char origin[PROTO_ORIGIN_MAX + 1];
	uint64_t size;

	(void)state;
	memset(root, 0x5a, sizeof(root));
	proto_buf_init(&b);
	assert_int_equal(
	    proto_checkpoint_text("example.org/log", 12345, root, &b),
	    PROTO_OK);
	assert_int_equal(b.len, strlen("example.org/log\n12345\n") + 45);
	assert_memory_equal(b.data, "example.org/log\n12345\nWlpa", 26);
	assert_int_equal(proto_checkpoint_parse((char *)b.data, b.len, origin,
			     sizeof(origin), &size, got),
	    PROTO_OK);
	assert_string_equal(origin, "example.org/log");
	assert_int_equal(size, 12345);
	assert_memory_equal(got, root, 32);
	/* Bad origins and sizes. */
	b.len = 0;
	assert_int_equal(
	    proto_checkpoint_text("has space", 1, root, &b), PROTO_EINVAL);
	assert_int_equal(proto_checkpoint_parse("o\n012\nWlpa\n", 11, origin,
			     sizeof(origin), &size, got),
	    PROTO_EPROOF);
	assert_int_equal(proto_checkpoint_parse("o\n-1\nWlpa\n", 10, origin,
			     sizeof(origin), &size, got),
	    PROTO_EPROOF);
	proto_buf_release(&b);
}

/*
 * Cross-implementation vectors from tests/vectors/make_vectors.py
 */

static void
test_python_vectors(void **state)
{
	char path[4096], *text, *save = NULL, *line;
	size_t count = 0, ok = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/records.txt", vectors_dir);
	text = tu_read_file(path, NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *name, *expect, *hex, *s2 = NULL, err[256] = "";
		struct proto_payload p;
		struct proto_record r;
		uint8_t *rec;
		size_t n;
		int rc, want;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		name = strtok_r(line, "\t", &s2);
		expect = strtok_r(NULL, "\t", &s2);
		hex = strtok_r(NULL, "\t", &s2);
		assert_non_null(hex);
		want = strcmp(expect, "ok") == 0 ? PROTO_OK
						 : proto_errcode(expect);
		if (want < 0)
			fail_msg("%s: unknown expectation %s", name, expect);
		rec = tu_unhex(hex, &n);
		rc = proto_record_open(rec, n, &r, &p, err, sizeof(err));
		if (rc != want)
			fail_msg("vector %s: got %s (%s), want %s", name,
			    proto_errname(rc), err, expect);
		if (rc == PROTO_OK) {
			/* Our encoder agrees byte for byte. */
			struct proto_buf b;

			proto_buf_init(&b);
			rc = proto_payload_encode(&p, &b, err, sizeof(err));
			if (rc != PROTO_OK)
				fail_msg(
				    "vector %s: re-encoding: %s", name, err);
			assert_int_equal(b.len, r.payload_len);
			assert_memory_equal(b.data, r.payload, b.len);
			proto_buf_release(&b);
			proto_payload_release(&p);
			ok++;
		}
		free(rec);
		count++;
	}
	free(text);
	fprintf(stderr, "vectors: %zu checked, %zu valid\n", count, ok);
	assert_true(count >= 40);
	assert_true(ok >= 5);
}

/*
 * --emit: records for the Python verifier, one line each: the record hash
 * C computed, a TAB, the record in hex. Every kind, status, relation and
 * derivation, integers at each CBOR width boundary, text in several
 * scripts (4-byte UTF-8 included), and fields at their limits.
 */

static void
emit(struct proto_payload *p, const uint8_t *sk, uint8_t h[32])
{
	struct proto_buf b;
	char *hex, hh[65];

	proto_buf_init(&b);
	tu_sign(p, sk, &b);
	proto_payload_release(p);
	{
		/* C must take back what it made before Python sees it. */
		struct proto_record rec;
		char err[256] = "the signature does not verify";

		if (proto_record_parse(b.data, b.len, &rec, err, sizeof(err)) ||
		    proto_record_verify(&rec) ||
		    proto_record_payload(&rec, p, err, sizeof(err))) {
			fprintf(
			    stderr, "emit: C refuses its record: %s\n", err);
			exit(1);
		}
		proto_payload_release(p);
	}
	hex = malloc(2 * b.len + 1);
	proto_hex(b.data, b.len, hex);
	proto_record_hash(b.data, b.len, h);
	proto_hex(h, 32, hh);
	printf("%s\t%s\n", hh, hex);
	free(hex);
	proto_buf_release(&b);
}

/* n bytes of text cycling through words in three scripts, cut on a
 * character boundary. */
static char *
long_text(size_t n)
{
	static const char *const words[] = {
	    "Hayastan ", "Հայաստան ", "Azərbaycan ", "😀 ", "“quoted” "};
	char *t = malloc(n + 1);
	size_t len = 0;

	for (size_t i = 0;; i++) {
		const char *w = words[i % 5];
		size_t wl = strlen(w);

		if (len + wl > n)
			break;
		memcpy(t + len, w, wl);
		len += wl;
	}
	while (len < n)
		t[len++] = 'x';
	t[len] = '\0';
	return t;
}

static void
add_src(struct proto_claim *c, const char *publisher, bool full, int from,
    enum proto_how how)
{
	struct proto_source *s;

	c->sources = realloc(c->sources, (c->nsources + 1) * sizeof(*s));
	s = &c->sources[c->nsources++];
	memset(s, 0, sizeof(*s));
	s->publisher = strdup(publisher);
	s->title = strdup("Title");
	if (full) {
		s->url = strdup("https://example.org/a?b=c&d=%C3%A9");
		s->published = strdup("2023-09-20");
		s->quote = strdup("«Exact words», she said.");
		s->has_sha256 = true;
		memset(s->sha256, 0x5a, PROTO_HASH_LEN);
	}
	if (from >= 0) {
		s->has_derivation = true;
		s->from = (uint32_t)from;
		s->how = how;
	}
}

static int
emit_records(void)
{
	/* Integers at every CBOR width; a time is 4 or 8 bytes, and in
	 * range (docs/format.md, Times). */
	static const uint64_t versions[] = {1, 23, 24, 255, 256, 65535, 65536,
	    4294967295ULL, 4294967296ULL, 18446744073709551615ULL};
	static const uint64_t times[] = {PROTO_TIME_MIN, 1700000000,
	    4294967295ULL, 4294967296ULL, PROTO_TIME_END - 1};
	uint8_t pk[32], sk[64], dpk[32], dsk[64], h[32], first[32];
	struct proto_payload p;

	tu_key(21, pk, sk);
	tu_key(22, dpk, dsk);

	tu_party(
	    &p, "az-mfa", "Azərbaycan Respublikası Xarici İşlər Nazirliyi");
	emit(&p, sk, h);
	{
		char *name = long_text(PROTO_NAME_MAX);

		tu_party(&p,
		    "a-very-long-party-slug-of-exactly-sixty-four-"
		    "characters-xx",
		    name);
		free(name);
		emit(&p, sk, h);
	}
	tu_grant(&p, PROTO_KIND_GRANT, dpk, "az-mfa");
	emit(&p, sk, h);
	/* Owners: a list, then its withdrawal (docs/format.md, Owners). */
	tu_owner(&p, "anadolu",
	    (const char *const[]){"Anadolu Agency", "Anadolu Ajansı"}, 2);
	emit(&p, sk, h);
	tu_owner(&p, "anadolu", NULL, 0);
	emit(&p, sk, h);
	full_claim(&p);
	emit(&p, dsk, first);
	tu_claim(&p, "az-mfa", "normalization", "Revised statement.");
	p.claim.version = 2;
	memcpy(p.claim.claim, first, 32);
	memcpy(p.claim.prev, first, 32);
	p.claim.note = strdup("narrowed");
	emit(&p, dsk, h);
	tu_claim(&p, "az-mfa", "normalization", "Retracted statement.");
	p.claim.version = 3;
	memcpy(p.claim.claim, first, 32);
	memcpy(p.claim.prev, h, 32);
	p.claim.status = PROTO_STATUS_RETRACTED;
	p.claim.note = strdup("wrongly attributed");
	emit(&p, dsk, h);
	/* Integers at every width: version, and time. */
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		tu_claim(&p, "az-mfa", "t", "Times.");
		p.time = times[i % (sizeof(times) / sizeof(times[0]))];
		if (versions[i] > 1) {
			p.claim.version = versions[i];
			memcpy(p.claim.claim, first, 32);
			memset(p.claim.prev, (int)i, 32);
		}
		emit(&p, dsk, h);
	}
	/* Each relation kind, each derivation, in a three-level chain. */
	for (int rel = PROTO_REL_SUPPORTS; rel <= PROTO_REL_CITES; rel++)
		for (int how = PROTO_HOW_QUOTES; how <= PROTO_HOW_REPUBLISHES;
		     how++) {
			struct proto_claim *c = &p.claim;

			tu_claim(&p, "az-mfa", "chains", "A chain.");
			add_src(
			    c, "Policy journal", true, 1, (enum proto_how)how);
			add_src(c, "News agency", how % 2 == 0, 2,
			    (enum proto_how)((how + 1) % 5));
			add_src(c, "Ministry", false, -1, PROTO_HOW_QUOTES);
			c->relations = calloc(1, sizeof(*c->relations));
			c->nrelations = 1;
			c->relations[0].rel = (enum proto_rel)rel;
			memset(c->relations[0].claim, 0x30 + how, 32);
			emit(&p, dsk, h);
		}
	/* Reviews: a rating as text only, and with its numbers. */
	for (int k = 0; k < 2; k++) {
		struct proto_claim *c = &p.claim;

		tu_claim(&p, "az-mfa", "fact-checks", "A fact-check.");
		c->relations = calloc(1, sizeof(*c->relations));
		c->nrelations = 1;
		c->relations[0].rel = PROTO_REL_REVIEW;
		memset(c->relations[0].claim, 0x50 + k, 32);
		c->relations[0].rating = k == 0
		    ? rating("Pants on Fire", NULL, NULL, NULL)
		    : rating("Half true", "2.5", "1", "5");
		emit(&p, dsk, h);
	}
	/* Fields at their limits. */
	{
		struct proto_claim *c = &p.claim;

		tu_claim(&p, "az-mfa", "t0", "");
		free(c->statement);
		c->statement = long_text(PROTO_STATEMENT_MAX);
		c->note = long_text(PROTO_NOTE_MAX);
		c->topics =
		    realloc(c->topics, PROTO_TOPICS_MAX * sizeof(char *));
		for (size_t i = 1; i < PROTO_TOPICS_MAX; i++) {
			char t[PROTO_SLUG_MAX + 1];

			snprintf(t, sizeof(t), "topic-%02zu", i);
			c->topics[i] = strdup(t);
		}
		c->ntopics = PROTO_TOPICS_MAX;
		c->relations =
		    calloc(PROTO_RELATIONS_MAX, sizeof(*c->relations));
		c->nrelations = PROTO_RELATIONS_MAX;
		for (size_t i = 0; i < PROTO_RELATIONS_MAX; i++) {
			c->relations[i].rel = (enum proto_rel)(i % 3);
			memset(c->relations[i].claim, (int)i, 32);
		}
		emit(&p, dsk, h);
		tu_claim(&p, "az-mfa", "t", "Many sources.");
		for (int i = 0; i < PROTO_SOURCES_MAX; i++)
			add_src(c, "Publisher", i % 2 == 0, i > 0 ? i - 1 : -1,
			    (enum proto_how)(i % 5));
		free(c->sources[0].quote);
		c->sources[0].quote = long_text(PROTO_QUOTE_MAX);
		emit(&p, dsk, h);
	}
	tu_grant(&p, PROTO_KIND_REVOKE, dpk, "az-mfa");
	emit(&p, sk, h);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cbor_writer_shortest),
	    cmocka_unit_test(test_cbor_check_each_violation),
	    cmocka_unit_test(test_cbor_sort_map),
	    cmocka_unit_test(test_cbor_map_heads),
	    cmocka_unit_test(test_sha256),
	    cmocka_unit_test(test_unbase64),
	    cmocka_unit_test(test_text_fast_paths),
	    cmocka_unit_test(test_utf8_repair),
	    cmocka_unit_test(test_text_safe),
	    cmocka_unit_test(test_cbor_reader_fields),
	    cmocka_unit_test(test_record_roundtrip),
	    cmocka_unit_test(test_record_registry_roundtrip),
	    cmocka_unit_test(test_record_envelope_rejections),
	    cmocka_unit_test(test_record_payload_after_parse),
	    cmocka_unit_test(test_payload_schema_rejections),
	    cmocka_unit_test(test_payload_validate_rules),
	    cmocka_unit_test(test_payload_time_bounds),
	    cmocka_unit_test(test_payload_made_bounds),
	    cmocka_unit_test(test_keys_that_cannot_sign),
	    cmocka_unit_test(test_json_roundtrip),
	    cmocka_unit_test(test_json_rejections),
	    cmocka_unit_test(test_decimals),
	    cmocka_unit_test(test_review_roundtrip),
	    cmocka_unit_test(test_review_refusals),
	    cmocka_unit_test(test_review_json),
	    cmocka_unit_test(test_key_file_roundtrip),
	    cmocka_unit_test(test_key_sealed_roundtrip),
	    cmocka_unit_test(test_rules_authorization_and_versions),
	    cmocka_unit_test(test_rules_versions_say_something),
	    cmocka_unit_test(test_owner_record),
	    cmocka_unit_test(test_payload_reinstates),
	    cmocka_unit_test(test_merkle_against_textbook),
	    cmocka_unit_test(test_merkle_rfc6962_vectors),
	    cmocka_unit_test(test_python_vectors),
	    cmocka_unit_test(test_note_go_vectors),
	    cmocka_unit_test(test_checkpoint_text_roundtrip),
	};

	if (sodium_init() < 0)
		return 1;
	if (argc > 1 && strcmp(argv[1], "--emit") == 0)
		return emit_records();
	if (argc > 2 && strcmp(argv[1], "--merkle") == 0)
		return check_merkle_file(argv[2]);
	if (argc > 1)
		vectors_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
