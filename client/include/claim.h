/*
 * libclaim: a client of claimd.
 *
 * Talks to the request socket (pipelined, each request with its own id),
 * follows the feed with no gap and no duplicate (the ZeroMQ Guide's Clone
 * pattern: live events carry their log index, missing ranges are fetched
 * over the request socket), and checks what it receives: every record is
 * parsed strictly and, where asked, its signature verified here, so that
 * a client need not trust the daemon.
 *
 * Errors are enum proto_err; PROTO_EUNREACHABLE when the daemon does not
 * answer in time. Functions never print or exit.
 */
#ifndef CLAIMD_CLAIM_H
#define CLAIMD_CLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"

#define CLAIM_WUR __attribute__((warn_unused_result))

#define CLAIM_DEFAULT_SERVER  "tcp://127.0.0.1:7411"
#define CLAIM_DEFAULT_TIMEOUT 5000 /* milliseconds */

/*
 * Requests
 */
struct claim_client;

struct claim_reply {
	uint32_t id;
	uint8_t op;
	int status;    /* enum proto_err from the daemon */
	uint8_t *body; /* CBOR map, owned; checked deterministic */
	size_t len;
	char message[256]; /* the daemon's reason, when status != 0 */
	bool has_head;     /* a conflict or a duplicate names a head */
	uint8_t head[PROTO_HASH_LEN];
	uint64_t head_version;
	/* A duplicate (PROTO_EDUPLICATE) names the identical claim: its id,
	 * and its head as above, at log index head_index. */
	bool has_claim;
	uint8_t claim[PROTO_HASH_LEN];
	uint64_t head_index;
};

/*
 * CurveZMQ: the server's public key and this client's key pair, Z85. A
 * client with curve set encrypts and authenticates both its request
 * socket and its feed subscription.
 */
struct claim_curve {
	char server[PROTO_Z85_KEY_LEN + 1];
	char public_key[PROTO_Z85_KEY_LEN + 1];
	char secret[PROTO_Z85_KEY_LEN + 1];
};

/* A new CurveZMQ key pair, Z85. */
CLAIM_WUR int claim_curve_keypair(
    char public_key[PROTO_Z85_KEY_LEN + 1], char secret[PROTO_Z85_KEY_LEN + 1]);

/*
 * curve may be NULL (plain, for loopback). When the daemon's ZAP handler
 * refuses this client's key, requests fail with PROTO_EUNAUTHORIZED.
 *
 * endpoint may be a list, "a,b,c" (up to CLAIM_SERVERS_MAX): the writer
 * first, then its mirrors. A read that the endpoint in use does not
 * answer is sent to the next, and the client stays there; a feed follows
 * it. Submissions go to the first only: a mirror refuses them.
 */
#define CLAIM_SERVERS_MAX 8
CLAIM_WUR int claim_client_open(const char *endpoint, int timeout_ms,
    const struct claim_curve *curve, struct claim_client **out, char *err,
    size_t errlen);
void claim_client_close(struct claim_client *c);
/* Makes another socket (a feed subscriber) a CurveZMQ client likewise. */
CLAIM_WUR int claim_client_secure(const struct claim_client *c, void *sock);
/*
 * Why requests go unanswered: PROTO_EUNAUTHORIZED when the daemon refused
 * this client's key, PROTO_EPROTOCOL for another handshake failure,
 * PROTO_OK when no handshake failed.
 */
int claim_client_handshake_failed(struct claim_client *c);
/* The error for an unanswered request, in words (returns the code). */
int claim_client_explain(
    struct claim_client *c, int rc, char *err, size_t errlen);
/* The endpoint in use (of a list, the one answering last). */
const char *claim_client_endpoint(const struct claim_client *c);
/* Changes each time the client moves to another endpoint of its list. */
unsigned claim_client_generation(const struct claim_client *c);
int claim_client_timeout(const struct claim_client *c);

/*
 * Pipelining (many requests in flight, replies taken as they come):
 * claim_client_send() sends one request; *id identifies its reply. Never
 * blocks for long. An unanswered one is explained by
 * claim_client_explain().
 */
CLAIM_WUR int claim_client_send(
    struct claim_client *c, int op, const void *body, size_t len, uint32_t *id);
/* The same with request flags (PROTO_SUBMIT_ALLOW_DUPLICATE). */
CLAIM_WUR int claim_client_send_flags(struct claim_client *c, int op,
    uint16_t flags, const void *body, size_t len, uint32_t *id);
/* The next reply, waiting up to timeout_ms (-1: the client's timeout). */
CLAIM_WUR int claim_client_recv(
    struct claim_client *c, int timeout_ms, struct claim_reply *r);
/*
 * One request and its reply, the way every request of libclaim and of
 * claim is made: sends op with flags and body, waits for the reply with
 * its id, and makes the result. PROTO_OK: r holds the reply (release
 * it). PROTO_EUNREACHABLE when no reply came, err saying why (a failed
 * handshake, no answer in time), or PROTO_EUNAUTHORIZED when claimd
 * refused this client's CurveZMQ key. The daemon's status
 * when it refused the request, err its message; r keeps the status,
 * message, head and claim (its body freed). Any other code: a reply that
 * could not be read. r may be released in every case.
 */
CLAIM_WUR int claim_request(struct claim_client *c, int op, uint16_t flags,
    const void *body, size_t len, struct claim_reply *r, char *err,
    size_t errlen);
void claim_reply_release(struct claim_reply *r);
/*
 * A typed request, through claim_request(): q, op's request struct
 * (proto_ops[op].req), encoded; the reply decoded into rep, op's reply
 * struct. Results as claim_request()'s, and PROTO_EPROTOCOL for a reply
 * that does not decode. rep's bytes and rows point into r's body: they
 * live until claim_reply_release(r), which may be called in every case.
 */
CLAIM_WUR int claim_call(struct claim_client *c, int op, const void *q,
    void *rep, struct claim_reply *r, char *err, size_t errlen);

/*
 * Entries: a log entry as received, parsed and decoded.
 */
struct claim_entry {
	uint64_t index;
	uint8_t *bytes; /* owned copy of the record */
	size_t len;
	uint8_t hash[PROTO_HASH_LEN];
	uint8_t claim[PROTO_HASH_LEN]; /* for claims: the claim id */
	struct proto_record rec;       /* points into bytes */
	struct proto_payload payload;
};

/*
 * Copies, parses and decodes a record; with verify, also checks its
 * signature. The claim id of version 1 is its own hash.
 */
CLAIM_WUR int claim_entry_open(struct claim_entry *e, uint64_t index,
    const uint8_t *bytes, size_t len, bool verify, char *err, size_t errlen);
void claim_entry_release(struct claim_entry *e);

/* The claim and version a show/history request resolved to. */
struct claim_info {
	uint8_t id[PROTO_HASH_LEN];
	uint64_t first;   /* log index of version 1 */
	uint64_t version; /* the head's version */
};

/*
 * GET: the record that ref (a hex id or hash prefix) names: for a claim,
 * version (0: the head) of it; info (may be NULL) says which claim.
 * Signatures are verified.
 */
CLAIM_WUR int claim_get(struct claim_client *c, const char *ref,
    uint64_t version, struct claim_entry *e, struct claim_info *info, char *err,
    size_t errlen);
/* GET by log index. */
CLAIM_WUR int claim_get_index(struct claim_client *c, uint64_t index,
    struct claim_entry *e, char *err, size_t errlen);
/* Every version of a claim, oldest first; caller releases each, frees. */
CLAIM_WUR int claim_history(struct claim_client *c, const char *ref,
    struct claim_entry **out, size_t *n, char *err, size_t errlen);
/* Resolves ref to a claim id (for relations and revisions). */
CLAIM_WUR int claim_resolve(struct claim_client *c, const char *ref,
    uint8_t id[PROTO_HASH_LEN], char *err, size_t errlen);

/* Claims, newest version of each, in order of creation. */
typedef int (*claim_list_fn)(
    void *ctx, const struct claim_entry *head, uint64_t first);
CLAIM_WUR int claim_list(struct claim_client *c, const char *party,
    const char *topic, claim_list_fn fn, void *ctx, char *err, size_t errlen);

/*
 * RANGE: entries from index from on, at most count, those matching the
 * filters (NULL: any). *next is where the following range starts, *size
 * the log's size. Entries are parsed, not signature-checked.
 */
CLAIM_WUR int claim_range(struct claim_client *c, uint64_t from, uint64_t count,
    const char *party, const char *topic, struct claim_entry **out, size_t *n,
    uint64_t *next, uint64_t *size, char *err, size_t errlen);
void claim_entries_free(struct claim_entry *e, size_t n);

/*
 * Filters of several values: an entry matches when its party is one of
 * parties (np 0: any party) and, for a claim, one of its topics is one of
 * topics (nt 0: any topic); a registry record (party, grant, revoke,
 * owner: its owner slug stands for its party) has no topic, so it
 * matches only when nt is 0. With one party and one topic
 * this is the range request's own filter; with more, the range is asked
 * for unfiltered (or by the one that is single) and this filters it here.
 */
struct claim_filter {
	const char *const *parties;
	size_t np;
	const char *const *topics;
	size_t nt;
};
bool claim_filter_matches(
    const struct claim_filter *f, const struct claim_entry *e);
/* Whether party passes f's party filter (no parties given: every one). */
bool claim_filter_party(const struct claim_filter *f, const char *party);

/*
 * Submitting: sends a signed record; the reply says where it went.
 */
struct claim_ack {
	uint64_t index;
	uint8_t hash[PROTO_HASH_LEN];
	bool existed;
	bool is_claim;
	uint8_t claim[PROTO_HASH_LEN];
	uint64_t version;
};

CLAIM_WUR int claim_ack_parse(const struct claim_reply *r, struct claim_ack *a);

/*
 * Diffs, narratives and traces
 *
 * These build their answer as JSON (jansson), in the shape documented
 * here: it is what claim prints with --json and draws for people, and
 * what docs/narratives.md describes. Like every function of libclaim,
 * they return enum proto_err, the JSON in *out on PROTO_OK (the caller
 * json_decref()s it), *out NULL otherwise: PROTO_ENOMEM, or PROTO_EINVAL
 * for entries that are not what the function takes.
 */
struct json_t;

/*
 * Diffs
 *
 * claim_diff_words(): a word-level diff of two texts as a JSON array of
 * {"op": "same"|"del"|"add", "text": ...} segments that, read in order,
 * spell a (without "add") and b (without "del").
 *
 * claim_diff_versions(): what changed from version a to version b of a
 * claim: {"claim", "from", "to", ? "statement": segments,
 * ? "status"/"made": {"from", "to"}, ? "topics"/"sources"/"relations":
 * {"added": [...], "removed": [...]}, ? "note", ? "no_sources": true}.
 * Absent keys did not change; "note" is version b's revision note, and
 * "no_sources" says that version b has no sources, changed or not.
 *
 * claim_diff_span(): the same from v[0] to v[n - 1], n >= 2 successive
 * versions of one claim, adding for n > 2 "notes": [{"version", "note"}]
 * with the note of every version after v[0] that has one, so that a diff
 * over several revisions keeps why each was made. Both take versions of
 * one claim only (PROTO_EINVAL otherwise).
 */
CLAIM_WUR int claim_diff_words(
    const char *a, const char *b, struct json_t **out);
CLAIM_WUR int claim_diff_versions(const struct claim_entry *a,
    const struct claim_entry *b, struct json_t **out);
CLAIM_WUR int claim_diff_span(
    const struct claim_entry *v, size_t n, struct json_t **out);

/*
 * Narratives
 *
 * claim_narrative(): the claims of the listed parties on topic, side by
 * side, from e (the newest version of each claim; claims they relate to
 * may be among e too, topic or not):
 *   {"topic", "parties", "claims": {id: card}, "disputes": [pair],
 *    "supports": [pair], "reviews": [pair], "only": {party: [id]},
 *    "shared_sources": [{"source", "cited_by": {party: [id]}}],
 *    "timeline": [id]}
 * A pair is {"claim", "party", "other", "other_party", "retracted"}: claim
 * disputes (or supports, or reviews) other; a review's pair also has its
 * "rating" ({"text", ? "value", ? "best", ? "worst"}, numbers as decimal
 * text). "only" holds a party's claims that no claim of another listed
 * party supports, disputes or reviews, nor they it. The
 * timeline is by date made, undated claims last. A card carries the
 * claim's party, version, status, statement, made, topics, number of
 * sources, and for a retraction its reason.
 *
 * claim_trace(): for each source of a claim, the chain of sources it
 * derives from down to the primary one: {"claim", "party", "version",
 * "sources": [{"source", "primary", "chain": [source card + "index",
 * ? "how", ? "quote"]}]}. PROTO_EINVAL when e is not a claim.
 */
CLAIM_WUR int claim_narrative(const struct claim_entry *e, size_t n,
    const char *topic, const char *const *parties, size_t np,
    struct json_t **out);
CLAIM_WUR int claim_trace(const struct claim_entry *e, struct json_t **out);

/*
 * Finds quote in doc, tolerant of white space (any run counts as one
 * space) and typographic quote marks (“ ” ‘ ’ « » match " and '). On
 * success [*start, *end) is the matching span of doc.
 */
bool claim_quote_find(
    const char *doc, size_t len, const char *quote, size_t *start, size_t *end);

/*
 * Audit
 */

/* Verifies a signed checkpoint with a verifier key; its size and root. */
CLAIM_WUR int claim_checkpoint_verify(const char *note, size_t len,
    const char *vkey, uint64_t *size, uint8_t root[PROTO_HASH_LEN], char *err,
    size_t errlen);
/* The daemon's current signed checkpoint (caller frees) and its log key. */
CLAIM_WUR int claim_checkpoint_fetch(struct claim_client *c, char **note,
    char vkey[PROTO_VKEY_MAX], char *err, size_t errlen);

struct claim_proof {
	uint64_t index; /* inclusion */
	uint64_t size;  /* inclusion: tree size; consistency: new size */
	uint64_t old_size;
	uint8_t leaf[PROTO_HASH_LEN];
	uint8_t root[PROTO_HASH_LEN]; /* the daemon's root at size */
	uint8_t old_root[PROTO_HASH_LEN];
	uint8_t hashes[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN];
	size_t n;
};

/* Inclusion of ref (an id or hash prefix) in the tree of size (0: now). */
CLAIM_WUR int claim_prove_inclusion(struct claim_client *c, const char *ref,
    uint64_t size, struct claim_proof *p, char *err, size_t errlen);
CLAIM_WUR int claim_prove_consistency(struct claim_client *c, uint64_t old_size,
    uint64_t new_size, struct claim_proof *p, char *err, size_t errlen);

/*
 * Proof bundles (claim prove --out, claim verify-proof; docs/protocol.md,
 * Proof bundles): a proof with the signed checkpoint it proves against
 * and what it proves, checked with nothing but the log's verifier key.
 *
 * The builders put the bundle's JSON text, malloc'd (free it), in *out:
 * PROTO_OK, or PROTO_ENOMEM with *out NULL. note is the signed
 * checkpoint, verbatim, of p->size entries; rec the record at p->index;
 * old_note (may be NULL) a signed checkpoint of p->old_size entries.
 */
CLAIM_WUR int claim_bundle_inclusion(const char *note,
    const struct claim_proof *p, const uint8_t *rec, size_t len, char **out);
CLAIM_WUR int claim_bundle_consistency(const char *note, const char *old_note,
    const struct claim_proof *p, char **out);

enum claim_bundle_type {
	CLAIM_BUNDLE_INCLUSION = 1,
	CLAIM_BUNDLE_CONSISTENCY = 2
};

struct claim_bundle {
	enum claim_bundle_type type;
	char origin[PROTO_ORIGIN_MAX + 1]; /* the log's */
	uint64_t size;                     /* of the signed checkpoint */
	uint8_t root[PROTO_HASH_LEN];      /* of the signed checkpoint */
	/* inclusion: the entry, its record hash recomputed, decoded and
	 * its signature checked */
	uint64_t index;
	uint8_t hash[PROTO_HASH_LEN];
	struct claim_entry entry;
	/* consistency: the old tree, and whether the bundle held a signed
	 * checkpoint of it too */
	uint64_t old_size;
	uint8_t old_root[PROTO_HASH_LEN];
	bool old_signed;
};

/*
 * Checks a bundle: its checkpoint signed under vkey (and of vkey's
 * origin), the proof's size the checkpoint's, the leaf hash recomputed
 * from the record (and equal to "hash") and its path to the checkpoint's
 * root; or the consistency proof from the old root to the checkpoint's,
 * and any old checkpoint signed and of the old tree. A field the type
 * does not define, or one missing, is refused. PROTO_OK, b filled
 * (release it); PROTO_EKEY when vkey is not a verifier key; otherwise
 * PROTO_EPROOF (or PROTO_ENOMEM) with err saying what failed.
 */
CLAIM_WUR int claim_bundle_verify(const char *text, size_t len,
    const char *vkey, struct claim_bundle *b, char *err, size_t errlen);
void claim_bundle_release(struct claim_bundle *b);

/*
 * Verifying an export (JSON Lines of claim export) offline: each line's
 * hash and record, each signature (on every core), indexes without gap,
 * the rules replayed from the start (the admin key given, or else the
 * signer of the first registry record), and, with a checkpoint, that the
 * tree of the first cp_size entries has the checkpoint's root.
 */
struct claim_verify_opts {
	const uint8_t *admin; /* NULL: the first registry record's signer */
	bool cp_given;
	uint64_t cp_size;
	uint8_t cp_root[PROTO_HASH_LEN];
	int threads; /* workers besides the caller; 0: cores - 1 */
	void (*progress)(void *ctx, uint64_t done);
	void *ctx;
};

struct claim_verify_result {
	uint64_t entries;
	uint8_t root[PROTO_HASH_LEN];
	uint64_t claims;   /* version-1 claims */
	uint64_t registry; /* registry records */
	bool admin_inferred;
	uint8_t admin[PROTO_PUBKEY_LEN];
	uint64_t bad_index; /* the first failing entry; UINT64_MAX: none */
	char why[512];
};

/* PROTO_OK when everything holds; else bad_index and why say what not. */
CLAIM_WUR int claim_verify_export(FILE *in, const struct claim_verify_opts *o,
    struct claim_verify_result *res);

/*
 * Reads an export (claim export's JSON Lines) and hands fn each entry in
 * file order, its hash and signature checked; the checks over the whole
 * log (indexes, chains, grants, tree) are claim_verify_export()'s. fn
 * returning non-zero stops the reading (the result is then -1). A line
 * that is not a sound entry: its PROTO_E code, err naming the line.
 */
typedef int (*claim_export_fn)(void *ctx, const struct claim_entry *e);
CLAIM_WUR int claim_read_export(
    FILE *in, claim_export_fn fn, void *ctx, char *err, size_t errlen);

/*
 * The feed, exactly once and in order: entries from index from on (or,
 * with from == CLAIM_FEED_NOW, from the log's current end), filtered by
 * party and topic. A gap in the live feed, a slow consumer, a restart of
 * the daemon: missing entries are fetched over the request socket.
 */
#define CLAIM_FEED_NOW UINT64_MAX

struct claim_feed;

/* feed_ep NULL: ask the daemon where its feed is. */
CLAIM_WUR int claim_feed_open(struct claim_client *c, const char *feed_ep,
    uint64_t from, const char *party, const char *topic,
    struct claim_feed **out, char *err, size_t errlen);
/* The same with several parties and topics ("any of"); flt may be NULL. */
CLAIM_WUR int claim_feed_open_filter(struct claim_client *c,
    const char *feed_ep, uint64_t from, const struct claim_filter *flt,
    struct claim_feed **out, char *err, size_t errlen);
/* The log's size when the feed was opened, or the largest heard of since. */
uint64_t claim_feed_known(const struct claim_feed *f);
void claim_feed_close(struct claim_feed *f);
/*
 * The next entry, waiting up to timeout_ms. PROTO_OK with an entry (the
 * caller releases it); PROTO_ENOTFOUND when none came in time;
 * PROTO_EUNREACHABLE when the daemon does not answer a needed fetch (the
 * feed stays usable: call again).
 */
CLAIM_WUR int claim_feed_next(struct claim_feed *f, int timeout_ms,
    struct claim_entry *e, char *err, size_t errlen);
/* The next index the feed will deliver or skip past. */
uint64_t claim_feed_position(const struct claim_feed *f);
/*
 * Events the live feed never delivered since the feed was opened, found
 * by the indexes of the events and heartbeats that came after them:
 * dropped because this subscriber fell more than claimd's --feed-hwm
 * events behind, published while claimd restarted, or before the
 * subscription took effect. Each was fetched by range instead (none is
 * lost); a count that keeps growing means a consumer too slow for the
 * feed. Catching up from an index is not counted.
 */
uint64_t claim_feed_missed(const struct claim_feed *f);

/*
 * Source independence: how many sources a claim really rests on
 * (docs/narratives.md, Source independence).
 *
 * One graph over every claim given (the whole log, fetched or read from an
 * export): a node per source document, identified as the narrative diff
 * does (the same SHA-256, else the same URL, else the same publisher and
 * title), and an edge from a document to the one it derives from for every
 * derivation any claim states, merged across claims. Two claims may state
 * derivations that together form a loop: that is data, not an error.
 *
 * A document may derive from many (a review quoting a different
 * statement in each footnote, each stated by another claim). A claim that
 * states the derivation of a source it cites names the part of that
 * document it rests on: for that claim, the document's edges are the ones
 * the claim states, and the merged edges count only upstream of them and
 * for the cited documents whose derivation the claim does not state.
 *
 * Terms, for a set of cited documents (a claim's sources, or every source
 * of a party's claims on a topic):
 *   root: a document with no derivation upstream (a primary source);
 *   n_primary: the distinct roots the cited documents reach, the roots
 *     whose publishers one owner holds counted once;
 *   amplification of a root: how many cited documents rest on it;
 *   loop: documents that derive from one another in a circle; it counts
 *     as no primary source, though what feeds it from outside does;
 *   unresolved: a cited document that reaches no root (only loops).
 */

/*
 * A whole log as the source graph needs it: its claims and owner records,
 * each decoded straight from its record only as far as
 * claim_sources_build(), claim_owners_build() and the answers read it,
 * many at once on every core. Each entry holds its index and claim id
 * (and, for a first version, hash) and, of its payload, kind, time, party,
 * version, claim, status, reinstates, topics and sources (publisher, title,
 * url, published, sha256, derivation), or an owner record's owner and
 * publishers; no statement, made, note, relations or quote, and not the
 * record's bytes (bytes NULL, rec empty). Their strings live in blocks the
 * log holds: never claim_entry_release() them, claim_log_free() the log.
 */
struct claim_log;
/* From claimd, by range: the next range on its way while one decodes. */
CLAIM_WUR int claim_log_fetch(
    struct claim_client *c, struct claim_log **out, char *err, size_t errlen);
/*
 * From an export (claim export's lines): each line's hash and each
 * record's signature checked, as claim_read_export() does; err names the
 * first line that fails.
 */
CLAIM_WUR int claim_log_read_export(
    FILE *in, struct claim_log **out, char *err, size_t errlen);
const struct claim_entry *claim_log_entries(
    const struct claim_log *l, size_t *n);
void claim_log_free(struct claim_log *l);

struct claim_sources;

/*
 * The graph of the claims among e[0..n) (other records are skipped),
 * taking the newest version of each claim (the one of the highest log
 * index) and keeping the claims in the order their first entry comes in
 * e. Retracted claims count: a retraction is part of the record. The
 * graph points into e, which must outlive it. NULL when out of memory.
 */
struct claim_sources *claim_sources_build(
    const struct claim_entry *e, size_t n);
void claim_sources_free(struct claim_sources *g);

/*
 * Who owns a publisher, for counting roots of one owner once (owner
 * records: claim_owners_of below). fn returns the owner, or NULL when
 * none holds the publisher; the default (fn NULL) holds none. Roots whose
 * publishers one owner holds count once in "n_primary"; a root nobody
 * holds counts on its own, and is its own publisher's in "owner" and
 * "owners". The string returned must live as long as the graph.
 */
typedef const char *(*claim_owner_fn)(void *ctx, const char *publisher);
void claim_sources_set_owner(
    struct claim_sources *g, claim_owner_fn fn, void *ctx);

/*
 * The owners the owner records among e[0..n) hold at the end (other
 * records are skipped; docs/format.md, Owners): the records replayed in
 * the order given (log order), each owner's latest list replacing its
 * earlier one, a publisher held by the owner that named it last, an
 * owner with an empty list withdrawn. Points into e, which must outlive
 * it. NULL when out of memory.
 *
 * claim_owners_of is a claim_owner_fn: pass it with the owners as ctx to
 * claim_sources_set_owner(). It names the owner of a publisher (exactly
 * the text of the sources' "publisher"), NULL when none holds it.
 */
struct claim_owners;
struct claim_owners *claim_owners_build(const struct claim_entry *e, size_t n);
void claim_owners_free(struct claim_owners *o);
const char *claim_owners_of(void *owners, const char *publisher);
/* Owners holding at least one publisher. */
size_t claim_owners_count(const struct claim_owners *o);

/* Documents and derivation edges in the graph (distinct pairs). */
size_t claim_sources_documents(const struct claim_sources *g);
size_t claim_sources_edges(const struct claim_sources *g);

/*
 * For the claim of that id in the graph:
 *   {"claim", "party", "version", "status",
 *    "documents": [{"publisher", "title", ? "url", ? "published",
 *                   ? "sha256"}],
 *    "cited", "n_primary", "owners",
 *    "sources": [{"index", "document", "roots": [d], "paths": [[{"document",
 *                 ? "how"}]], "loops": [l], "resolved"}],
 *    "roots": [{"document", "owner", "amplification"}],
 *    "loops": [{"members": [d], "fed"}],
 *    "unresolved": [d]}
 * Documents are named by their place in "documents"; "cited" counts the
 * distinct documents the claim cites, "owners" the distinct owners of its
 * roots. A path goes from the cited document to one root, each step with
 * how it derives from the next (the shortest such path). A loop is "fed"
 * when one of its members derives from something outside it.
 * PROTO_ENOTFOUND when no claim has that id, PROTO_ENOMEM.
 */
CLAIM_WUR int claim_independence(const struct claim_sources *g,
    const uint8_t id[PROTO_HASH_LEN], struct json_t **out);

/*
 * For every claim on topic of the parties parties_of passes (NULL, or no
 * parties in it: of any party; its topics are not looked at):
 *   {"topic", "claims": [as claim_independence()],
 *    "parties": [{"party", "claims", "documents", "cited", "n_primary",
 *                 "owners", "roots", "loops", "unresolved"}]}
 * a party's entry over every source of its claims on the topic (parties
 * by name). No claim on topic: empty arrays. PROTO_ENOMEM.
 */
CLAIM_WUR int claim_independence_topic(const struct claim_sources *g,
    const char *topic, const struct claim_filter *parties_of,
    struct json_t **out);

#endif /* CLAIMD_CLAIM_H */
