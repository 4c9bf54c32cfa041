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
	PROTO_EREADONLY = 40,     /* a read-only mirror: submit upstream */
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
#define PROTO_PUBLISHERS_MAX  256 /* an owner record's publishers */
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
 * Messages use struct proto_map (Typed messages), which counts the pairs
 * itself, or the message tables; these are for the layer and records.
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
/* The same, saying why in err. */
PROTO_WUR int proto_record_verify_err(
    const struct proto_record *rec, char *err, size_t errlen);
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
	PROTO_KIND_REVOKE = 4,
	/* Puts publishers under one owner (docs/format.md, Owners). */
	PROTO_KIND_OWNER = 5
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
	/* The party of party, grant and revoke records; an owner record's
	 * owner (its "owner" key), so that every registry record has a
	 * slug to be filtered and announced by. */
	char *party;
	char *name;                    /* party records */
	uint8_t key[PROTO_PUBKEY_LEN]; /* grant and revoke records */
	/* Owner records: the publishers the owner now holds, each as
	 * sources name them (none: the owner is withdrawn). */
	char **publishers;
	size_t npublishers;
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

/*
 * Typed messages (docs/protocol.md, Requests)
 *
 * Every request and reply is defined once, here and in proto/msg.c: a C
 * struct and a table of its fields (key, type, required or optional,
 * where in the struct, how long at most). proto_msg_encode() writes the
 * struct as deterministic CBOR and proto_msg_decode() reads it back
 * strictly. Handlers and clients fill and read structs; no one counts
 * map pairs.
 */

/*
 * A counting map builder: each put counts its pair; proto_map_end()
 * writes the head from that count and sorts the pairs (up to 255). The
 * first error sticks: puts after it do nothing, and proto_map_end()
 * returns it, so callers chain puts and check once.
 */
struct proto_map {
	struct proto_buf *b;
	size_t start;
	size_t n;
	int rc;
};

void proto_map_begin(struct proto_map *m, struct proto_buf *b);
void proto_map_uint(struct proto_map *m, const char *key, uint64_t v);
void proto_map_bool(struct proto_map *m, const char *key, bool v);
void proto_map_text(
    struct proto_map *m, const char *key, const char *s, size_t n);
void proto_map_str(struct proto_map *m, const char *key, const char *s);
void proto_map_bytes(
    struct proto_map *m, const char *key, const void *p, size_t n);
/* key and an array of n items already encoded as the len bytes at p. */
void proto_map_array(
    struct proto_map *m, const char *key, size_t n, const void *p, size_t len);
PROTO_WUR int proto_map_end(struct proto_map *m);

/* Field types of a message. */
enum proto_mtype {
	PROTO_M_UINT,  /* uint64_t */
	PROTO_M_BOOL,  /* bool */
	PROTO_M_TEXT,  /* char[max]: NUL-terminated, at most max - 1 bytes */
	PROTO_M_BYTES, /* struct proto_bytes, at most max bytes */
	PROTO_M_HASH,  /* uint8_t[PROTO_HASH_LEN] */
	PROTO_M_ROWS   /* struct proto_rows of .rows, at most max (0: any) */
};

/*
 * Bytes and rows point into the buffer they were decoded from (or, for
 * encoding, into whatever the caller filled them from): they live as
 * long as that buffer does, e.g. a claim_reply until its release.
 */
struct proto_bytes {
	const uint8_t *p;
	size_t len;
};

/* An array of rows, encoded: the n rows after the array's head. */
struct proto_rows {
	const uint8_t *p;
	size_t len;
	size_t n;
};

struct proto_rowdef;

struct proto_mfield {
	const char *key; /* in a row: the position's name, for docs */
	enum proto_mtype type;
	bool required;
	size_t off; /* of the value in the struct */
	size_t has; /* of the bool has_<key>, optional fields only */
	size_t max; /* TEXT: the array's size; BYTES: length; ROWS: count */
	const struct proto_rowdef *rows; /* ROWS only */
};

/*
 * A row is a fixed tuple, an array of its fields in order; a bare row
 * is its one field alone (a proof is [hash...], not [[hash]...]).
 */
struct proto_rowdef {
	const char *name;
	const struct proto_mfield *f;
	size_t nf;
	size_t size; /* of the row struct */
	bool bare;
};

struct proto_msgdef {
	const char *name;
	const struct proto_mfield *f;
	size_t nf;
	size_t size; /* of the struct */
};

/* Rows */
struct proto_row_entry { /* [index, record]: history, range */
	uint64_t index;
	struct proto_bytes record;
};
struct proto_row_claim { /* [id, first, head, record]: list */
	uint8_t id[PROTO_HASH_LEN];
	uint64_t first;
	uint64_t head; /* log index of the head version */
	struct proto_bytes record;
};
struct proto_row_party { /* [slug, name, index]: parties */
	char slug[PROTO_SLUG_MAX + 1];
	char name[PROTO_NAME_MAX + 1];
	uint64_t index;
};
struct proto_row_grant { /* [key, party, index]: parties */
	uint8_t key[PROTO_PUBKEY_LEN];
	char party[PROTO_SLUG_MAX + 1];
	uint64_t index;
};
struct proto_row_topic { /* [topic, claims, parties, last]: topics */
	char topic[PROTO_SLUG_MAX + 1];
	uint64_t claims;
	uint64_t parties;
	uint64_t last;
};
struct proto_row_hash { /* hash: proofs */
	uint8_t hash[PROTO_HASH_LEN];
};

extern const struct proto_rowdef proto_row_entry_def, proto_row_claim_def,
    proto_row_party_def, proto_row_grant_def, proto_row_topic_def,
    proto_row_hash_def;

/* Rows written while iterating: put rows, then point a message at them. */
struct proto_rows_wr {
	const struct proto_rowdef *def;
	struct proto_buf buf;
	size_t n;
	int rc; /* first error, sticky */
};

void proto_rows_wr_init(struct proto_rows_wr *w, const struct proto_rowdef *d);
/* Appends row (a struct of d's type); returns the sticky error. */
int proto_rows_put(struct proto_rows_wr *w, const void *row);
/* The rows so far, borrowed from w. */
struct proto_rows proto_rows_wr_get(const struct proto_rows_wr *w);
void proto_rows_wr_release(struct proto_rows_wr *w);

/* Rows read one by one from rows a decoder accepted. */
struct proto_rows_rd {
	const struct proto_rowdef *def;
	struct proto_cbor_rd rd;
	size_t left;
};

void proto_rows_rd_init(struct proto_rows_rd *r, const struct proto_rowdef *d,
    const struct proto_rows *rows);
/* 1 with the next row in row (a struct of d's type), 0 at the end,
 * PROTO_EPROTOCOL negated (-30) for rows that do not fit d. */
int proto_rows_next(struct proto_rows_rd *r, void *row);

/* Messages: one struct per request and reply of each op. */
#define PROTO_PREFIX_MAX  (2 * PROTO_HASH_LEN + 1) /* id prefix buffer */
#define PROTO_MESSAGE_MAX 512                      /* an error's message */

/* Requests without fields: {} */
struct proto_empty {
	char unused_;
};

/* error reply: {"error", "message", ? "head", ? "version", ? "claim",
 * ? "index"} */
struct proto_error_rep {
	char error[32]; /* proto_errname() */
	char message[PROTO_MESSAGE_MAX];
	bool has_head;
	uint8_t head[PROTO_HASH_LEN];
	bool has_version;
	uint64_t version;
	bool has_claim;
	uint8_t claim[PROTO_HASH_LEN];
	bool has_index;
	uint64_t index;
};

/* submit: the raw record -> {"index", "hash", "existed", ? "claim",
 * ? "version"} */
struct proto_submit_rep {
	uint64_t index;
	uint8_t hash[PROTO_HASH_LEN];
	bool existed;
	bool has_claim;
	uint8_t claim[PROTO_HASH_LEN];
	bool has_version;
	uint64_t version;
};

struct proto_get_req {
	bool has_id;
	char id[PROTO_PREFIX_MAX];
	bool has_version;
	uint64_t version;
	bool has_index;
	uint64_t index;
};
struct proto_get_rep {
	uint64_t index;
	struct proto_bytes record;
	bool has_claim;
	uint8_t claim[PROTO_HASH_LEN];
	bool has_first;
	uint64_t first;
	bool has_head;
	uint64_t head; /* the head's version */
};

struct proto_history_req {
	char id[PROTO_PREFIX_MAX];
};
struct proto_history_rep {
	uint8_t claim[PROTO_HASH_LEN];
	struct proto_rows versions; /* proto_row_entry */
};

struct proto_list_req {
	bool has_party;
	char party[PROTO_SLUG_MAX + 1];
	bool has_topic;
	char topic[PROTO_SLUG_MAX + 1];
	bool has_from;
	uint64_t from;
	bool has_limit;
	uint64_t limit;
};
struct proto_list_rep {
	struct proto_rows claims; /* proto_row_claim */
	bool has_next;
	uint64_t next;
};

struct proto_range_req {
	uint64_t from;
	uint64_t count;
	bool has_party;
	char party[PROTO_SLUG_MAX + 1];
	bool has_topic;
	char topic[PROTO_SLUG_MAX + 1];
};
struct proto_range_rep {
	uint64_t size;
	uint64_t next;
	struct proto_rows entries; /* proto_row_entry */
};

/*
 * claimd's stats, each once: X(NAME, key, unit, description). Every one
 * is an unsigned integer of the stats reply; the reply's text fields
 * follow in struct proto_stats_rep.
 */
#define PROTO_STATS(X)                                                         \
	X(SIZE, "size", "entries", "entries in the log")                       \
	X(CLAIMS, "claims", "claims", "version-1 claim records")               \
	X(REVISIONS, "revisions", "versions",                                  \
	    "later versions, retractions excluded")                            \
	X(RETRACTIONS, "retractions", "versions",                              \
	    "versions with status retracted")                                  \
	X(PARTIES, "parties", "parties", "parties registered")                 \
	X(GRANTS, "grants", "records", "grant records")                        \
	X(REVOKES, "revokes", "records", "revoke records")                     \
	X(SUBSCRIBERS, "subscribers", "connections", "connected to the feed")  \
	X(UPTIME, "uptime", "s", "seconds since claimd started")               \
	X(SUBMITTED, "submitted", "requests", "submissions this run")          \
	X(ACCEPTED, "accepted", "records", "records stored this run")          \
	X(EXISTED, "existed", "records", "submissions already in the log")     \
	X(REFUSED, "refused", "requests", "submissions refused this run")      \
	X(BATCHES, "batches", "commits", "store transactions this run")        \
	X(IN_FLIGHT, "in_flight", "requests", "submissions not yet answered")  \
	X(MAP_SIZE, "map_size", "bytes", "the LMDB map reserved")              \
	X(DISK_USED, "disk_used", "bytes", "pages in use times the page size") \
	X(RATE, "rate", "records/s", "accepted per second, last minute")       \
	X(LATENCY_P50_US, "latency_p50_us", "us",                              \
	    "arrival to stored, median, last busy second")                     \
	X(LATENCY_P99_US, "latency_p99_us", "us",                              \
	    "arrival to stored, 99th percentile, last busy second")            \
	X(COMMIT_P50_US, "commit_p50_us", "us",                                \
	    "one commit, median, last busy second")                            \
	X(COMMIT_P99_US, "commit_p99_us", "us",                                \
	    "one commit, 99th percentile, last busy second")                   \
	X(COMMIT_MAX_US, "commit_max_us", "us", "longest commit since start")  \
	X(COMMITS_OVER_5MS, "commits_over_5ms", "commits",                     \
	    "commits of 5 ms or more since start")                             \
	X(VERIFY_CPU_US, "verify_cpu_us", "us",                                \
	    "CPU time in Ed25519 verification of submissions since start")     \
	X(BEHIND, "behind", "entries",                                         \
	    "a mirror: its upstream's checkpoint beyond its log")              \
	X(UPSTREAM_AGE, "upstream_age", "s",                                   \
	    "a mirror: since its upstream last answered")

enum proto_stat {
#define PROTO_STAT_ENUM(name, key, unit, desc) PROTO_STAT_##name,
	PROTO_STATS(PROTO_STAT_ENUM)
#undef PROTO_STAT_ENUM
	    PROTO_STAT_COUNT
};

struct proto_statdef {
	const char *key;
	const char *unit;
	const char *description;
};

extern const struct proto_statdef proto_stats[PROTO_STAT_COUNT];

struct proto_stats_rep {
	uint64_t v[PROTO_STAT_COUNT]; /* by enum proto_stat */
	char feed[256];               /* the feed's endpoint */
	char origin[PROTO_ORIGIN_MAX + 1];
	char log_key[PROTO_VKEY_MAX];
	char curve_key[PROTO_Z85_KEY_LEN + 1]; /* "" without CurveZMQ */
	char upstream[256];                    /* a mirror's, "" otherwise */
};

struct proto_parties_rep {
	struct proto_rows parties; /* proto_row_party */
	struct proto_rows grants;  /* proto_row_grant */
};

struct proto_checkpoint_rep {
	char checkpoint[PROTO_SIGNED_NOTE_MAX + 1];
	char log_key[PROTO_VKEY_MAX];
};

struct proto_inclusion_req {
	bool has_id;
	char id[PROTO_PREFIX_MAX];
	bool has_index;
	uint64_t index;
	bool has_size;
	uint64_t size;
};
struct proto_inclusion_rep {
	uint64_t index;
	uint64_t size;
	uint8_t hash[PROTO_HASH_LEN];
	uint8_t root[PROTO_HASH_LEN];
	struct proto_rows proof; /* proto_row_hash */
};

struct proto_consistency_req {
	uint64_t from;
	uint64_t to;
};
struct proto_consistency_rep {
	uint64_t old_size;
	uint64_t new_size;
	uint8_t old_root[PROTO_HASH_LEN];
	uint8_t new_root[PROTO_HASH_LEN];
	struct proto_rows proof; /* proto_row_hash */
};

struct proto_topics_rep {
	struct proto_rows topics; /* proto_row_topic */
};

/* One op: its request and reply, flags and body size. */
struct proto_opdef {
	const char *name;
	/* The request body is the raw record (submit), not a map: req has
	 * no fields and the body is not decoded. */
	bool raw;
	uint16_t flags;  /* request flags the op defines */
	size_t min, max; /* request body length */
	struct proto_msgdef req, rep;
};

/* Indexed by op, 1 to PROTO_OP_MAX. */
extern const struct proto_opdef proto_ops[PROTO_OP_MAX + 1];
extern const struct proto_msgdef proto_error_def;

/* The op's definition, or NULL for an op that does not exist. */
const struct proto_opdef *proto_opdef(int op);

/*
 * Copies s into a text field of cap bytes (sizeof the array);
 * PROTO_EINVAL, err naming key, if it does not fit.
 */
PROTO_WUR int proto_msg_text(char *dst, size_t cap, const char *key,
    const char *s, char *err, size_t errlen);

/* Appends the message msg (a struct of d's type) to out. */
PROTO_WUR int proto_msg_encode(
    const struct proto_msgdef *d, const void *msg, struct proto_buf *out);
/*
 * Strictly decodes the n bytes at p into msg (a struct of d's type,
 * zeroed first): one deterministic CBOR map, nothing after it, only d's
 * keys, every required one, each of its type; text and bytes not
 * longer than the field holds, rows each of their row's shape.
 * PROTO_EPROTOCOL, or PROTO_EINVAL for a text or bytes too long, with
 * err naming the field.
 */
PROTO_WUR int proto_msg_decode(const struct proto_msgdef *d, const uint8_t *p,
    size_t n, void *msg, char *err, size_t errlen);

/* Feed messages: a topic frame, then a CBOR event (docs/protocol.md). */
#define PROTO_FEED_CLAIM     "claim/" /* + party + "/" */
#define PROTO_FEED_REGISTRY  "registry/"
#define PROTO_FEED_HEARTBEAT "hb/"

/*
 * Feed events, each a message of the tables too: a claim event, a
 * registry event and a heartbeat fill the fields of struct
 * proto_feed_event their table lists (all of them required).
 */
struct proto_row_slug { /* a claim's topics */
	char topic[PROTO_SLUG_MAX + 1];
};

extern const struct proto_rowdef proto_row_slug_def;

struct proto_feed_event {
	uint64_t index;
	uint8_t hash[PROTO_HASH_LEN];
	char kind[16]; /* proto_kind_name() */
	uint64_t time; /* the record's; a heartbeat's when it was sent */
	struct proto_bytes record;
	char party[PROTO_SLUG_MAX + 1];
	uint8_t claim[PROTO_HASH_LEN];
	uint64_t version;
	char status[16];          /* proto_status_name() */
	struct proto_rows topics; /* proto_row_slug */
	uint64_t size;            /* heartbeats: the log's size */
};

extern const struct proto_msgdef proto_feed_claim_def, proto_feed_registry_def,
    proto_feed_heartbeat_def;

/* The event table for a feed message's topic frame, or NULL. */
const struct proto_msgdef *proto_feed_def(const void *topic, size_t n);

#endif /* CLAIMD_PROTO_H */
