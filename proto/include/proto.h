/*
 * proto: the claimd record format, its schema, signing, hashing, the
 * authorization rules and the RFC 6962 tree arithmetic.
 *
 * proto is pure: buffers and structs in, buffers and structs out. It opens
 * no files and no sockets and keeps no global state, so the daemon, the
 * store, the client and an offline verifier all share one definition of
 * what a valid record is. Call sodium_init() once before using it.
 *
 * Conventions: functions return an enum proto_err (PROTO_OK is 0). Where
 * context helps, the caller passes an error buffer (err, errlen; either may
 * be NULL/0) that receives a lowercase message without a final period.
 * Pointers into caller buffers are borrowed and stay valid as long as that
 * buffer does.
 */
#ifndef CLAIMD_PROTO_H
#define CLAIMD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_WUR __attribute__((warn_unused_result))

/*
 * Errors
 *
 * One enum for the whole project. The numbers travel to clients in
 * responses: never renumber, only append.
 */
enum proto_err {
	PROTO_OK = 0,
	PROTO_ENOMEM = 1,         /* out of memory */
	PROTO_ETRUNCATED = 2,     /* input ends inside a CBOR item */
	PROTO_ETRAILING = 3,      /* bytes after the item */
	PROTO_ENONSHORTEST = 4,   /* integer or length not in shortest form */
	PROTO_EINDEFINITE = 5,    /* indefinite-length item */
	PROTO_EFLOAT = 6,         /* floating-point value */
	PROTO_EUNSORTED = 7,      /* map keys out of bytewise order */
	PROTO_EDUPKEY = 8,        /* map key repeated */
	PROTO_EUTF8 = 9,          /* text is not valid UTF-8 */
	PROTO_EDEPTH = 10,        /* nesting too deep */
	PROTO_EMALFORMED = 11,    /* not well-formed CBOR, or unsupported */
	PROTO_ETAG = 12,          /* not a tagged COSE_Sign1 */
	PROTO_EALG = 13,          /* algorithm is not EdDSA */
	PROTO_EHEADER = 14,       /* COSE structure or header wrong */
	PROTO_ESIGNATURE = 15,    /* signature does not verify */
	PROTO_ETOOBIG = 16,       /* record or field over its limit */
	PROTO_ESCHEMA = 17,       /* payload does not match the schema */
	PROTO_EJSON = 18,         /* JSON input unusable */
	PROTO_EKEY = 19,          /* key or key file unusable */
	PROTO_EINVAL = 20,        /* invalid argument */
	PROTO_ENOTFOUND = 21,     /* no such claim, record or entry */
	PROTO_EAMBIGUOUS = 22,    /* id prefix matches more than one */
	PROTO_EUNAUTHORIZED = 23, /* signer may not do this */
	PROTO_ECONFLICT = 24,     /* revision does not name the head */
	PROTO_EEXISTS = 25,       /* party exists, or grant already held */
	PROTO_ENOPARTY = 26,      /* no such party */
	PROTO_ECHAIN = 27,        /* version chain broken */
	PROTO_ESTORE = 28,        /* storage failure */
	PROTO_EIO = 29,           /* I/O failure */
	PROTO_EPROTOCOL = 30,     /* malformed request or response */
	PROTO_EUNREACHABLE = 31,  /* daemon does not answer */
	PROTO_EBUSY = 32,         /* too many requests in flight */
	PROTO_EPROOF = 33,        /* proof or checkpoint does not verify */
	PROTO_ESHUTDOWN = 34,     /* daemon is shutting down */
	PROTO_EDAMAGED = 35,      /* store is damaged: restore a backup */
	PROTO_EDUPLICATE = 36,    /* an identical live claim exists */
	PROTO_ETIME = 37,         /* time out of range */
	PROTO_ERETRACTED = 38,    /* claim is retracted: reinstate it first */
	PROTO_EUNCHANGED = 39,    /* version changes nothing */
	PROTO_ERR_COUNT           /* keep last */
};

/* A sentence for err ("map keys out of order"); never NULL. */
const char *proto_strerror(int err);
/* A short stable name for err ("unsorted"), for JSON and test vectors. */
const char *proto_errname(int err);
/* The code whose proto_errname() is name, or -1. */
int proto_errcode(const char *name);

/* Formats into err (if any) and returns code; for one-line error paths. */
int proto_fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Sizes and limits (docs/format.md)
 */
#define PROTO_HASH_LEN        32
#define PROTO_PUBKEY_LEN      32
#define PROTO_SECKEY_LEN      64
#define PROTO_SEED_LEN        32
#define PROTO_SIG_LEN         64
#define PROTO_RECORD_MAX      65536
#define PROTO_DEPTH_MAX       16
#define PROTO_STATEMENT_MAX   8192
#define PROTO_QUOTE_MAX       4096
#define PROTO_NOTE_MAX        2048
#define PROTO_URL_MAX         2048
#define PROTO_NAME_MAX        2048
#define PROTO_LABEL_MAX       1024 /* publisher, title */
#define PROTO_SLUG_MAX        64
#define PROTO_TOPICS_MAX      32
#define PROTO_SOURCES_MAX     64
#define PROTO_RELATIONS_MAX   64
#define PROTO_RATING_TEXT_MAX 256 /* a review's rating text */
/*
 * A rating number: canonical decimal text, at most 9 digits before the
 * point and 6 after it ("-123456789.123456": 17 bytes).
 */
#define PROTO_DECIMAL_MAX      17
#define PROTO_DECIMAL_INT_MAX  9
#define PROTO_DECIMAL_FRAC_MAX 6
#define PROTO_HEX_PREFIX_MIN   8  /* shortest id prefix accepted */
#define PROTO_COSE_TAG         18 /* COSE_Sign1 */
#define PROTO_COSE_ALG_EDDSA   (-8)
#define PROTO_PROTECTED_LEN    38 /* a2 01 27 04 58 20 kid */
/*
 * Times (docs/format.md, Times): a record's "time" is at least
 * PROTO_TIME_MIN and below PROTO_TIME_END, so that every JSON reader
 * holds it exactly (a double has 53 bits); a claim's "made" is at most
 * the day after the UTC date of its "time".
 */
#define PROTO_TIME_MIN 946684800ULL /* 2000-01-01T00:00:00Z */
#define PROTO_TIME_END (1ULL << 53)
#define PROTO_DAY      86400ULL /* seconds */

/*
 * Byte buffers
 */
struct proto_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void proto_buf_init(struct proto_buf *b);
void proto_buf_release(struct proto_buf *b);
PROTO_WUR int proto_buf_reserve(struct proto_buf *b, size_t more);
PROTO_WUR int proto_buf_append(struct proto_buf *b, const void *p, size_t n);

/* Lowercase hex of n bytes into out (2n+1 bytes with the NUL). */
void proto_hex(const uint8_t *p, size_t n, char *out);
/* The value of one hex digit (either case), or -1. */
int proto_hex_digit(char c);
/* Parses exactly 2n hex digits (either case). */
PROTO_WUR int proto_unhex(const char *hex, uint8_t *out, size_t n);
/* Standard base64 with padding into out (needs proto_base64_len(n)). */
size_t proto_base64_len(size_t n);
void proto_base64(const uint8_t *p, size_t n, char *out);
/* Decodes standard base64; *outlen receives the length. */
PROTO_WUR int proto_unbase64(
    const char *s, size_t slen, uint8_t *out, size_t cap, size_t *outlen);

/*
 * Deterministic CBOR (RFC 8949 section 4.2.1)
 *
 * The writer emits shortest heads (libcbor's head encoders). Maps are
 * written as n key/value pairs in any order and then put in order by
 * proto_cbor_sort_map().
 */
PROTO_WUR int proto_cbor_put_uint(struct proto_buf *b, uint64_t v);
PROTO_WUR int proto_cbor_put_negint(struct proto_buf *b, uint64_t v);
PROTO_WUR int proto_cbor_put_bytes(
    struct proto_buf *b, const void *p, size_t n);
PROTO_WUR int proto_cbor_put_text(struct proto_buf *b, const char *s, size_t n);
PROTO_WUR int proto_cbor_put_str(struct proto_buf *b, const char *s);
PROTO_WUR int proto_cbor_put_array(struct proto_buf *b, size_t n);
PROTO_WUR int proto_cbor_put_map(struct proto_buf *b, size_t n);
PROTO_WUR int proto_cbor_put_tag(struct proto_buf *b, uint64_t tag);
PROTO_WUR int proto_cbor_put_bool(struct proto_buf *b, bool v);
PROTO_WUR int proto_cbor_put_null(struct proto_buf *b);
/*
 * A map of up to 255 pairs written in any order: map_begin() writes a
 * placeholder head, map_end() gives it the pair count and sorts the pairs.
 */
PROTO_WUR int proto_cbor_map_begin(struct proto_buf *b, size_t *start);
PROTO_WUR int proto_cbor_map_end(
    struct proto_buf *b, size_t start, size_t npairs);
/*
 * Sorts the npairs key/value pairs that follow offset start in b into
 * bytewise order of their encoded keys. PROTO_EDUPKEY if two keys are equal.
 */
PROTO_WUR int proto_cbor_sort_map(
    struct proto_buf *b, size_t start, size_t npairs);

/*
 * Checks that p[0..n) is exactly one item of deterministic CBOR nested at
 * most max_depth deep, every text valid UTF-8. On success *used (if not
 * NULL) is n. With used != NULL, bytes may follow the item and *used is
 * its length; with used == NULL they are PROTO_ETRAILING.
 */
PROTO_WUR int proto_cbor_check(const uint8_t *p, size_t n, unsigned max_depth,
    size_t *used, char *err, size_t errlen);

/* Reader over CBOR that proto_cbor_check() accepted. */
struct proto_cbor_rd {
	const uint8_t *p;
	const uint8_t *end;
};

enum proto_cbor_type {
	PROTO_CBOR_UINT = 0,
	PROTO_CBOR_NEGINT = 1,
	PROTO_CBOR_BYTES = 2,
	PROTO_CBOR_TEXT = 3,
	PROTO_CBOR_ARRAY = 4,
	PROTO_CBOR_MAP = 5,
	PROTO_CBOR_TAG = 6,
	PROTO_CBOR_SIMPLE = 7
};

void proto_cbor_rd_init(struct proto_cbor_rd *rd, const uint8_t *p, size_t n);
/* Type of the next item, or -1 at the end. */
int proto_cbor_rd_peek(const struct proto_cbor_rd *rd);
/* Each returns 0, or -1 (reader unchanged) if the next item differs. */
int proto_cbor_rd_uint(struct proto_cbor_rd *rd, uint64_t *v);
int proto_cbor_rd_int(struct proto_cbor_rd *rd, int64_t *v);
int proto_cbor_rd_bytes(struct proto_cbor_rd *rd, const uint8_t **p, size_t *n);
int proto_cbor_rd_text(struct proto_cbor_rd *rd, const char **s, size_t *n);
int proto_cbor_rd_array(struct proto_cbor_rd *rd, size_t *n);
int proto_cbor_rd_map(struct proto_cbor_rd *rd, size_t *n);
int proto_cbor_rd_tag(struct proto_cbor_rd *rd, uint64_t *tag);
int proto_cbor_rd_bool(struct proto_cbor_rd *rd, bool *v);
int proto_cbor_rd_skip(struct proto_cbor_rd *rd);

/*
 * Reads a map with text keys into a table of expected fields. Unknown keys
 * are PROTO_ESCHEMA unless allow_unknown; a missing required field too, and
 * so is a value of the wrong type. A field of type PROTO_F_ARRAY or
 * PROTO_F_MAP leaves a reader positioned on the item in .sub.
 */
enum proto_ftype {
	PROTO_F_UINT,
	PROTO_F_INT,
	PROTO_F_TEXT,
	PROTO_F_BYTES,
	PROTO_F_HASH, /* a byte string of PROTO_HASH_LEN bytes */
	PROTO_F_ARRAY,
	PROTO_F_MAP,
	PROTO_F_BOOL,
	PROTO_F_ANY
};

struct proto_field {
	const char *key;
	enum proto_ftype type;
	bool required;
	/* Filled in by proto_cbor_rd_fields(). */
	bool present;
	uint64_t u;
	int64_t i;
	const uint8_t *ptr; /* text or bytes; the whole item for ANY */
	size_t len;
	struct proto_cbor_rd sub;
};

PROTO_WUR int proto_cbor_rd_fields(struct proto_cbor_rd *rd,
    struct proto_field *f, size_t nf, bool allow_unknown, int code, char *err,
    size_t errlen);

/*
 * Records: tagged COSE_Sign1 with EdDSA
 */
struct proto_record {
	const uint8_t *bytes; /* the whole record, borrowed */
	size_t len;
	const uint8_t *kid; /* signer public key, PROTO_PUBKEY_LEN */
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *sig; /* PROTO_SIG_LEN */
};

/*
 * Checks the envelope and the determinism of every byte, payload
 * included, and points rec into buf. Does not check the signature or the
 * payload schema.
 */
PROTO_WUR int proto_record_parse(const uint8_t *buf, size_t len,
    struct proto_record *rec, char *err, size_t errlen);
/* PROTO_OK if the signature verifies for rec->kid, else PROTO_ESIGNATURE. */
PROTO_WUR int proto_record_verify(const struct proto_record *rec);
/* Signs payload with sk (libsodium layout: seed || public key). */
PROTO_WUR int proto_record_sign(const uint8_t *payload, size_t len,
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out);
/*
 * SHA-256, by nettle: it uses the CPU's SHA extensions where there are
 * some, several times faster than libsodium's portable code.
 */
void proto_sha256(const void *data, size_t len, uint8_t out[PROTO_HASH_LEN]);
/* The record hash: SHA-256(0x00 || record), the RFC 6962 leaf hash. */
void proto_record_hash(
    const uint8_t *buf, size_t len, uint8_t out[PROTO_HASH_LEN]);

/*
 * Payloads (docs/format.md)
 */
enum proto_kind {
	PROTO_KIND_CLAIM = 1,
	PROTO_KIND_PARTY = 2,
	PROTO_KIND_GRANT = 3,
	PROTO_KIND_REVOKE = 4
};

enum proto_status { PROTO_STATUS_ASSERTED = 0, PROTO_STATUS_RETRACTED = 1 };

enum proto_rel {
	PROTO_REL_SUPPORTS = 0,
	PROTO_REL_DISPUTES = 1,
	PROTO_REL_CITES = 2,
	/* A fact-checker's verdict on the claim; carries a rating. */
	PROTO_REL_REVIEW = 3
};

enum proto_how {
	PROTO_HOW_QUOTES = 0,
	PROTO_HOW_REPORTS = 1,
	PROTO_HOW_TRANSLATES = 2,
	PROTO_HOW_SUMMARIZES = 3,
	PROTO_HOW_REPUBLISHES = 4
};

const char *proto_kind_name(enum proto_kind k);
const char *proto_status_name(enum proto_status s);
const char *proto_rel_name(enum proto_rel r);
const char *proto_how_name(enum proto_how h);
/* Parse a name back; -1 when unknown. */
int proto_kind_parse(const char *s);
int proto_status_parse(const char *s);
int proto_rel_parse(const char *s);
int proto_how_parse(const char *s);

/* Strings are NUL-terminated heap copies owned by the struct; NULL = absent. */
struct proto_source {
	char *publisher;
	char *title;
	char *url;
	char *published; /* YYYY-MM-DD */
	char *quote;
	bool has_sha256;
	uint8_t sha256[PROTO_HASH_LEN];
	bool has_derivation;
	uint32_t from;
	enum proto_how how;
};

/*
 * A review's rating (docs/format.md, Ratings): the text as published and,
 * when the publisher gives them, numbers as canonical decimal text
 * ("2.5", "-1", "4"; proto_decimal_valid()), never floats.
 */
struct proto_rating {
	char *text;  /* non-empty, at most PROTO_RATING_TEXT_MAX bytes */
	char *value; /* NULL = absent */
	char *best;
	char *worst;
};

struct proto_relation {
	enum proto_rel rel;
	uint8_t claim[PROTO_HASH_LEN];
	/* Heap-owned; present exactly when rel is PROTO_REL_REVIEW. */
	struct proto_rating *rating;
};

struct proto_claim {
	char *party;
	uint64_t version;
	uint8_t claim[PROTO_HASH_LEN]; /* version > 1 only */
	uint8_t prev[PROTO_HASH_LEN];  /* version > 1 only */
	char *statement;
	char **topics;
	size_t ntopics;
	enum proto_status status;
	char *made; /* YYYY-MM-DD */
	struct proto_source *sources;
	size_t nsources;
	struct proto_relation *relations;
	size_t nrelations;
	char *note;
	/* Makes a retracted claim live again (docs/format.md, Versions). */
	bool reinstates;
};

struct proto_registry {
	char *party;
	char *name;                    /* party records */
	uint8_t key[PROTO_PUBKEY_LEN]; /* grant and revoke records */
};

struct proto_payload {
	enum proto_kind kind;
	uint64_t time;
	union {
		struct proto_claim claim;
		struct proto_registry reg;
	};
};

/* Zeroes p; proto_payload_release() frees what it holds, then zeroes. */
void proto_payload_init(struct proto_payload *p);
void proto_payload_release(struct proto_payload *p);
/* Checks every schema rule of docs/format.md. */
PROTO_WUR int proto_payload_validate(
    const struct proto_payload *p, char *err, size_t errlen);
/* Validates, then appends the deterministic encoding to out. */
PROTO_WUR int proto_payload_encode(const struct proto_payload *p,
    struct proto_buf *out, char *err, size_t errlen);
/* Strictly decodes and validates; on failure p is left released. */
PROTO_WUR int proto_payload_decode(const uint8_t *buf, size_t len,
    struct proto_payload *p, char *err, size_t errlen);
/* A rating's heap copy (NULL for NULL), and its release. */
PROTO_WUR int proto_rating_copy(
    struct proto_rating **dst, const struct proto_rating *src);
void proto_rating_free(struct proto_rating *g);
/* A deep copy of src into dst (which is overwritten). */
PROTO_WUR int proto_payload_copy(
    struct proto_payload *dst, const struct proto_payload *src);

/* Helpers the schema uses and callers may too. */
bool proto_slug_valid(const char *s, size_t n);
bool proto_date_valid(const char *s, size_t n);
/*
 * A rating number in canonical decimal text: -?(0|[1-9][0-9]{0,8})
 * (.[0-9]{0,5}[1-9])?, never "-0": one spelling for each value.
 */
bool proto_decimal_valid(const char *s, size_t n);
/* The value of a valid decimal times 10^6 (exact; fits int64). */
int64_t proto_decimal_micros(const char *s);
/*
 * The canonical decimal text of s, a number as publishers write it ("2.50",
 * "+3", "4.0", "1e1" is not one), into out (PROTO_DECIMAL_MAX + 1 bytes);
 * PROTO_EINVAL when s is no decimal or out of range.
 */
PROTO_WUR int proto_decimal_canon(
    const char *s, size_t n, char out[PROTO_DECIMAL_MAX + 1]);
bool proto_utf8_valid(const uint8_t *s, size_t n);
/* Replaces each byte of text that is not part of well-formed UTF-8 with
 * '?': for messages that quote input, or were cut in mid-character. */
void proto_utf8_repair(char *text);
/* UTF-8 and no control characters other than tab, LF and CR. */
bool proto_text_valid(const char *s, size_t n);
/*
 * Makes untrusted text safe to print on a terminal or in a log line.
 * Writes the n bytes at in (any bytes at all) to out as one line: every
 * control character (U+0000-U+001F, U+007F, U+0080-U+009F), every
 * character that reorders or separates lines (U+2028, U+2029, the bidi
 * embeddings, overrides and isolates U+202A-U+202E, U+2066-U+2069, the
 * bidi marks U+061C, U+200E, U+200F), the invisible byte order mark
 * U+FEFF and every byte that is not part of well-formed UTF-8 is shown
 * escaped: \n, \r, \t, \e for ESC, \xHH for another byte, \u{HHHH} for
 * a character. The rest is copied as it is. When out (outlen bytes) cannot
 * hold it all, the text is cut at a character or escape and ends in
 * "..."; out is always NUL-terminated when outlen > 0. Returns out, so
 * that a call can stand in a printf argument list.
 */
char *proto_text_safe(char *out, size_t outlen, const void *in, size_t n);
/* proto_text_safe() of a NUL-terminated string; NULL prints as "(null)". */
char *proto_str_safe(char *out, size_t outlen, const char *s);
/* The size of a buffer for one message that quotes input. */
#define PROTO_SAFE_MAX 1024

/*
 * Signing a payload in one step: encode, sign, parse back.
 * out receives the record bytes.
 */
PROTO_WUR int proto_payload_sign(const struct proto_payload *p,
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out, char *err,
    size_t errlen);

/*
 * Decodes and validates the payload of a record proto_record_parse()
 * accepted (which checked its bytes already); as proto_payload_decode.
 */
PROTO_WUR int proto_record_payload(const struct proto_record *rec,
    struct proto_payload *p, char *err, size_t errlen);

/*
 * Opens a record in one step: parse, verify the signature, decode the
 * payload. p must be released by the caller on success.
 */
PROTO_WUR int proto_record_open(const uint8_t *buf, size_t len,
    struct proto_record *rec, struct proto_payload *p, char *err,
    size_t errlen);

/*
 * Claim JSON (docs/format.md, Client JSON)
 *
 * jansson's json_t, declared here by its tag so that users of this header
 * need not include jansson.h unless they use these two functions.
 */
struct json_t;

/* Resolves a relation's claim reference (hex id, prefix, label) to an id. */
typedef int (*proto_resolve_fn)(void *ctx, const char *ref,
    uint8_t id[PROTO_HASH_LEN], char *err, size_t errlen);

/*
 * Fills p with a version-1 claim from obj. Keys that show --json prints
 * (claim, version, hash, index, status, signer, time, kind, prev,
 * reinstates) are ignored, so shown claims can be edited and resubmitted;
 * keys listed in extra (NULL-terminated, may be NULL) are left to the
 * caller; any other key is PROTO_EJSON. Without resolve, relation ids
 * must be 64 hex digits. The payload is not yet validated:
 * proto_payload_encode() does that.
 */
PROTO_WUR int proto_claim_from_json(const struct json_t *obj,
    proto_resolve_fn resolve, void *ctx, const char *const *extra,
    struct proto_payload *p, char *err, size_t errlen);
/*
 * A new JSON object with the payload's fields; hashes in hex. NULL for a
 * time of 2^53 or more, which no valid payload has: JSON readers that
 * hold numbers as doubles would show another time.
 */
struct json_t *proto_payload_to_json(const struct proto_payload *p);
/* {"text", ? "value", ? "best", ? "worst"}, numbers as decimal text. */
struct json_t *proto_rating_to_json(const struct proto_rating *g);

/*
 * Keys
 *
 * A secret key file is text (docs/operations.md):
 *   claimd-secret-key v1
 *   public <64 hex>
 *   seed <64 hex>
 * proto_key_format() writes that; proto_key_parse() reads it. The secret
 * key is libsodium's 64-byte layout (seed || public key).
 */
PROTO_WUR int proto_key_generate(
    uint8_t pk[PROTO_PUBKEY_LEN], uint8_t sk[PROTO_SECKEY_LEN]);
/* Appends the file text to out (caller wipes it with sodium_memzero). */
PROTO_WUR int proto_key_format(
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out);
PROTO_WUR int proto_key_parse(const char *text, size_t len,
    uint8_t sk[PROTO_SECKEY_LEN], char *err, size_t errlen);
/*
 * Key files sealed with a passphrase (format v2: Argon2id, secretbox;
 * docs/operations.md). proto_key_parse_sealed() reads both versions; the
 * plain proto_key_parse() refuses a sealed file with a clear message.
 */
bool proto_key_sealed(const char *text, size_t len);
PROTO_WUR int proto_key_format_sealed(const uint8_t sk[PROTO_SECKEY_LEN],
    const char *pass, size_t passlen, struct proto_buf *out);
PROTO_WUR int proto_key_parse_sealed(const char *text, size_t len,
    const char *pass, size_t passlen, uint8_t sk[PROTO_SECKEY_LEN], char *err,
    size_t errlen);
/*
 * CurveZMQ key files (claim keygen --curve): two Z85 strings of 40
 * characters, as libzmq takes them.
 */
#define PROTO_Z85_KEY_LEN 40
bool proto_z85_key_valid(const char *s, size_t n);
PROTO_WUR int proto_curve_key_format(
    const char *public_z85, const char *secret_z85, struct proto_buf *out);
PROTO_WUR int proto_curve_key_parse(const char *text, size_t len,
    char public_z85[PROTO_Z85_KEY_LEN + 1],
    char secret_z85[PROTO_Z85_KEY_LEN + 1], char *err, size_t errlen);
/*
 * Whether pk is an Ed25519 public key that can sign: the canonical
 * encoding of a curve point in the prime-order subgroup, not of small
 * order (libsodium's crypto_core_ed25519_is_valid_point). Every key a key
 * pair is made with is one; the all-zero key, the identity and the other
 * small-order points are not, and no signature by them verifies.
 */
bool proto_pubkey_valid(const uint8_t pk[PROTO_PUBKEY_LEN]);
/*
 * Parses 64 hex digits (either case) into a public key that
 * proto_pubkey_valid() accepts; PROTO_EKEY, err saying which, if hex is
 * not 64 hex digits or not such a key.
 */
PROTO_WUR int proto_pubkey_parse(
    const char *hex, uint8_t pk[PROTO_PUBKEY_LEN], char *err, size_t errlen);

/*
 * Authorization and version rules (docs/format.md, Authorization and
 * versions)
 *
 * The rules are written once, here, over an abstract view of the log's
 * state at a point: the store implements it over LMDB for the daemon, the
 * client over memory for an offline verifier. Each lookup returns
 * PROTO_OK or an error (PROTO_ESTORE, PROTO_ENOMEM) that aborts the check.
 */
struct proto_head {
	uint64_t version;
	uint8_t hash[PROTO_HASH_LEN]; /* record hash of the newest version */
	char party[PROTO_SLUG_MAX + 1];
	/*
	 * For the version rules: filled in by head_content, and given to
	 * head_set (content only where keeps_content); claim_head may leave
	 * them zero.
	 */
	enum proto_status status;        /* of the newest version */
	uint8_t content[PROTO_HASH_LEN]; /* proto_claim_content() of it */
};

struct proto_state_ops {
	int (*party_exists)(void *ctx, const char *slug, bool *exists);
	int (*grant_held)(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN],
	    const char *party, bool *held);
	int (*claim_head)(void *ctx, const uint8_t id[PROTO_HASH_LEN],
	    struct proto_head *head, bool *found);
	/*
	 * The status and content of the head claim_head found for id, into
	 * head. Asked only of a revision's head, so that a store may read
	 * them from the head's record rather than keep them.
	 */
	int (*head_content)(void *ctx, const uint8_t id[PROTO_HASH_LEN],
	    struct proto_head *head);
	/* Effects of an accepted record. */
	int (*party_add)(void *ctx, const char *slug, const char *name);
	int (*grant_set)(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN],
	    const char *party, bool held);
	int (*head_set)(void *ctx, const uint8_t id[PROTO_HASH_LEN],
	    const struct proto_head *head);
	/*
	 * Whether head_set is given each head's content (an encoding and a
	 * hash of the whole claim: microseconds). A state whose head_content
	 * reads the head's record back, as the store does, does without.
	 */
	bool keeps_content;
};

/*
 * The key a grant is kept under in a state: key || party, *n bytes.
 * PROTO_EINVAL for a party longer than a slug.
 */
#define PROTO_GRANT_KEY_MAX (PROTO_PUBKEY_LEN + PROTO_SLUG_MAX)
PROTO_WUR int proto_grant_key(const uint8_t key[PROTO_PUBKEY_LEN],
    const char *party, uint8_t out[PROTO_GRANT_KEY_MAX], size_t *n);

/*
 * What a version says, apart from which version it is and why: the
 * SHA-256 of the deterministic CBOR array [party, statement, topics,
 * made or null, sources, relations], each as the payload encodes it.
 * Two versions with the same content say the same thing (docs/format.md,
 * Versions).
 */
PROTO_WUR int proto_claim_content(
    const struct proto_claim *c, uint8_t out[PROTO_HASH_LEN]);

/*
 * Whether rec (with decoded payload p and record hash hash) may be appended
 * to the log in state st. PROTO_EUNAUTHORIZED, PROTO_ECONFLICT (err names
 * the head; *head_out, if not NULL, receives it), PROTO_ECHAIN,
 * PROTO_ENOPARTY, PROTO_EEXISTS or PROTO_ENOTFOUND (relation or claim id
 * unknown) when not; for the version rules (docs/format.md, Versions)
 * PROTO_ESCHEMA (a later version without a note), PROTO_ERETRACTED (a
 * revision or retraction of a retracted claim: only a reinstatement
 * follows one) or PROTO_EUNCHANGED (a revision equal in content to its
 * head, or a reinstatement of a live claim).
 */
PROTO_WUR int proto_rules_check(const struct proto_state_ops *st, void *ctx,
    const uint8_t admin[PROTO_PUBKEY_LEN], const struct proto_record *rec,
    const struct proto_payload *p, const uint8_t hash[PROTO_HASH_LEN],
    struct proto_head *head_out, char *err, size_t errlen);
/* Applies an accepted record's effects to st. */
PROTO_WUR int proto_rules_apply(const struct proto_state_ops *st, void *ctx,
    const struct proto_payload *p, const uint8_t hash[PROTO_HASH_LEN]);

/*
 * The state held in memory, for replaying a log without its store (the
 * offline verifier, the store's integrity check). Pass proto_memstate_ops
 * with the memstate as ctx.
 */
struct proto_memstate;

extern const struct proto_state_ops proto_memstate_ops;

PROTO_WUR int proto_memstate_new(struct proto_memstate **out);
void proto_memstate_free(struct proto_memstate *m);
/* Claims, parties or grants now held (PROTO_KIND_REVOKE: 0). */
size_t proto_memstate_count(
    const struct proto_memstate *m, enum proto_kind what);
/* Visit every party (in order of creation), grant or claim; a nonzero
 * return from fn stops the walk and is returned. */
int proto_memstate_foreach_party(const struct proto_memstate *m,
    int (*fn)(void *ctx, const char *slug, const char *name), void *ctx);
int proto_memstate_foreach_grant(const struct proto_memstate *m,
    int (*fn)(
	void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party),
    void *ctx);
int proto_memstate_foreach_claim(const struct proto_memstate *m,
    int (*fn)(void *ctx, const uint8_t id[PROTO_HASH_LEN],
	const struct proto_head *head),
    void *ctx);

/*
 * RFC 6962 / RFC 9162 Merkle tree
 *
 * Trees are read through a callback that returns the stored hash of a
 * complete subtree: level L, index i covers leaves [i << L, (i + 1) << L).
 */
typedef int (*proto_merkle_get_fn)(
    void *ctx, unsigned level, uint64_t index, uint8_t out[PROTO_HASH_LEN]);

#define PROTO_MERKLE_PROOF_MAX 64

void proto_merkle_leaf(
    const uint8_t *data, size_t len, uint8_t out[PROTO_HASH_LEN]);
void proto_merkle_node(const uint8_t left[PROTO_HASH_LEN],
    const uint8_t right[PROTO_HASH_LEN], uint8_t out[PROTO_HASH_LEN]);
/* Root of the first size leaves; SHA-256("") for size 0. */
PROTO_WUR int proto_merkle_root(proto_merkle_get_fn get, void *ctx,
    uint64_t size, uint8_t out[PROTO_HASH_LEN]);
PROTO_WUR int proto_merkle_inclusion(proto_merkle_get_fn get, void *ctx,
    uint64_t index, uint64_t size,
    uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN], size_t *n);
PROTO_WUR int proto_merkle_consistency(proto_merkle_get_fn get, void *ctx,
    uint64_t old_size, uint64_t new_size,
    uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN], size_t *n);
/* PROTO_OK or PROTO_EPROOF. */
PROTO_WUR int proto_merkle_verify_inclusion(const uint8_t leaf[PROTO_HASH_LEN],
    uint64_t index, uint64_t size, const uint8_t (*proof)[PROTO_HASH_LEN],
    size_t n, const uint8_t root[PROTO_HASH_LEN]);
PROTO_WUR int proto_merkle_verify_consistency(uint64_t old_size,
    uint64_t new_size, const uint8_t old_root[PROTO_HASH_LEN],
    const uint8_t new_root[PROTO_HASH_LEN],
    const uint8_t (*proof)[PROTO_HASH_LEN], size_t n);

/*
 * A tree built leaf by leaf in memory, keeping only the right edge (one
 * hash per level): the root of a stream of leaves in O(log n) space.
 */
struct proto_merkle_edge {
	uint64_t size;
	uint8_t hash[64][PROTO_HASH_LEN];
};

void proto_merkle_edge_init(struct proto_merkle_edge *e);
void proto_merkle_edge_push(
    struct proto_merkle_edge *e, const uint8_t leaf[PROTO_HASH_LEN]);
void proto_merkle_edge_root(
    const struct proto_merkle_edge *e, uint8_t out[PROTO_HASH_LEN]);

/*
 * C2SP signed notes and tlog-checkpoints (Ed25519)
 */
#define PROTO_ORIGIN_MAX      256
#define PROTO_SIGNED_NOTE_MAX 4096
#define PROTO_VKEY_MAX        (PROTO_ORIGIN_MAX + 64)

/* A key name or origin: non-empty UTF-8, no spaces, no '+'. */
bool proto_note_name_valid(const char *name, size_t n);
/* First four bytes of SHA-256(name || "\n" || 0x01 || pk). */
void proto_note_keyid(
    const char *name, const uint8_t pk[PROTO_PUBKEY_LEN], uint8_t id[4]);
/* "name+keyid+base64(0x01 || pk)" */
PROTO_WUR int proto_vkey_format(const char *name,
    const uint8_t pk[PROTO_PUBKEY_LEN], char *out, size_t cap);
/*
 * PROTO_EKEY unless vkey is well formed, its key id matches and its key
 * is one proto_pubkey_valid() accepts.
 */
PROTO_WUR int proto_vkey_parse(
    const char *vkey, char *name, size_t namecap, uint8_t pk[PROTO_PUBKEY_LEN]);
/* Appends text, a blank line and name's signature line to out. */
PROTO_WUR int proto_note_sign(const char *text, size_t len, const char *name,
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out);
/*
 * Verifies that note carries a valid signature by (name, pk); *textlen
 * receives the length of the signed text. PROTO_EPROOF otherwise, also
 * when a line by that key does not verify.
 */
PROTO_WUR int proto_note_open(const char *note, size_t len, const char *name,
    const uint8_t pk[PROTO_PUBKEY_LEN], size_t *textlen, char *err,
    size_t errlen);
/* "origin\nsize\nbase64(root)\n" */
PROTO_WUR int proto_checkpoint_text(const char *origin, uint64_t size,
    const uint8_t root[PROTO_HASH_LEN], struct proto_buf *out);
PROTO_WUR int proto_checkpoint_parse(const char *text, size_t len, char *origin,
    size_t cap, uint64_t *size, uint8_t root[PROTO_HASH_LEN]);

/*
 * Wire protocol between claim and claimd (docs/protocol.md)
 *
 * A request is two ZeroMQ frames: an 8-byte header and a body. A reply is
 * the same: the header echoes the op and request id and carries the status
 * (an enum proto_err) where the request has its flags. A flag an op does
 * not define is a protocol error.
 */
#define PROTO_WIRE_VERSION    1
#define PROTO_WIRE_HEADER_LEN 8
#define PROTO_WIRE_BODY_MAX   (PROTO_RECORD_MAX + 4096)
/* A reply may carry many records (ranges, lists). */
#define PROTO_WIRE_REPLY_MAX (8u << 20)
#define PROTO_RANGE_MAX      4096 /* entries in one range reply */
#define PROTO_LIST_MAX       1000 /* claims in one list reply */

enum proto_op {
	PROTO_OP_SUBMIT = 1,  /* body: record bytes */
	PROTO_OP_GET = 2,     /* {"id": prefix, ? "version"} / {"index"} */
	PROTO_OP_HISTORY = 3, /* {"id": prefix} */
	PROTO_OP_LIST = 4,    /* {? "party", ? "topic", ? "from", ? "limit"} */
	PROTO_OP_RANGE = 5,   /* {"from", "count", ? "party", ? "topic"} */
	PROTO_OP_STATS = 6,   /* {} */
	PROTO_OP_PARTIES = 7, /* {} */
	PROTO_OP_CHECKPOINT = 8,   /* {} */
	PROTO_OP_INCLUSION = 9,    /* {"id": prefix or "index", ? "size"} */
	PROTO_OP_CONSISTENCY = 10, /* {"from", "to"} */
	PROTO_OP_TOPICS = 11,      /* {} */
	PROTO_OP_MAX = 11
};

/*
 * Request flags of submit: record a new claim even if a live claim with
 * the same party, statement, topics and date made exists (claim submit
 * --allow-duplicate). The flag travels beside the record, not in it.
 */
#define PROTO_SUBMIT_ALLOW_DUPLICATE 0x0001

struct proto_wire_header {
	uint8_t version;
	uint8_t op;
	uint16_t status; /* replies: enum proto_err; requests: flags */
	uint32_t id;     /* chosen by the client, echoed in the reply */
};

void proto_wire_header_put(
    uint8_t out[PROTO_WIRE_HEADER_LEN], const struct proto_wire_header *h);
/* PROTO_EPROTOCOL unless p is a header of this protocol version. */
PROTO_WUR int proto_wire_header_get(
    const uint8_t *p, size_t n, struct proto_wire_header *h);
const char *proto_op_name(int op);

/* Feed messages: a topic frame, then a CBOR event (docs/protocol.md). */
#define PROTO_FEED_CLAIM     "claim/" /* + party + "/" */
#define PROTO_FEED_REGISTRY  "registry/"
#define PROTO_FEED_HEARTBEAT "hb/"

#endif /* CLAIMD_PROTO_H */
