/*
 * fuzz_request: claimd's request handler (daemon/api.c) without a socket:
 * the central checks of header and body, the dispatch table, every read
 * handler over a real store, and submissions as far as the verify queue
 * and back.
 *
 * Set-up (once): a temporary data folder with a store holding a small
 * signed log (two parties, grants and a revoke, claims with revisions, a
 * retraction and relations), the log key and origin fixed, an inproc
 * PUSH/PULL pair standing in for the verify workers, and replies captured
 * by api_set_sender(). The checkpoint is signed once; then the folder is
 * removed (LMDB keeps its open files), so that no crash leaves it behind.
 *
 * Input: one control byte, then what it asks for, then the body:
 *
 *   byte 0   bits 0-3  op (1-10 are the protocol's; 0, 11-15 unknown)
 *            bits 4-5  client: 0 "client-a", 1 "client-b", 2 empty
 *                      routing id, 3 routing id from the input (a length
 *                      byte, mod 17, then that many bytes)
 *            bit 6     raw header: a length byte (mod 12), then that many
 *                      bytes as the header frame; else the header is
 *                      version 1, op, status 0, request id 0x01020304
 *            bit 7     repeat: a byte r; the message is sent 1 + r % 4
 *                      times, or, for a submission, 1100 times when r is
 *                      0xff (past a client's CLIENT_INFLIGHT)
 *   rest     the body frame
 *
 * After the messages, the submissions queued for the workers are taken
 * off the PULL socket and answered as the workers and writer would: the
 * record is opened (parse, signature, payload); a record already in the
 * log is acknowledged as existing; anything else comes back refused
 * (opening's error, or "shutdown": the fuzzer stores nothing, so every run
 * sees the same log). Each goes back through api_done().
 *
 * Invariants (abort() when broken): every message gets exactly one reply,
 * to its client; a reply is an 8-byte header of version 1 echoing the op
 * and id, a status that is a known error code, and a body that is one
 * deterministic CBOR map within the reply limit; an error reply says
 * {"error": proto_errname(status), "message": text} (with "head" and
 * "version" exactly for a conflict or a duplicate, "claim" and "index"
 * exactly for a duplicate); a successful get carries a record
 * that parses, and history, list and range carry entries that are exactly
 * the log's records at their indexes; and nothing stays in flight after
 * the drain.
 *
 * CLAIMD_FUZZ_FIXTURE=1 in the environment prints the fixture log (index,
 * record hash, what it is, then each record in hex) at start, for making
 * seed requests; CLAIMD_FUZZ_VERBOSE=1 prints the status of every reply.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>
#include <zmq.h>

#include "claimd.h"
#include "fuzz_common.h"

#define EP_FUZZ_VERIFY "inproc://fuzz-verify"
#define REPEAT_MANY    1100

static struct {
	char dir[256];
	struct config cfg;
	struct daemon d;
	void *push, *pull;
	struct api *api;
	/* The message being answered. */
	const uint8_t *ident;
	size_t identlen;
	bool hdr_ok;
	uint8_t op;
	uint32_t id;
	size_t replies;
	bool verbose; /* CLAIMD_FUZZ_VERBOSE: print each reply */
} F;

/*
 * The fixture log
 */

static uint8_t admin_sk[PROTO_SECKEY_LEN], desk_a_sk[PROTO_SECKEY_LEN],
    desk_b_sk[PROTO_SECKEY_LEN], desk_c_sk[PROTO_SECKEY_LEN];

static void
keypair(uint8_t fill, uint8_t sk[PROTO_SECKEY_LEN])
{
	uint8_t seed[PROTO_SEED_LEN], pk[PROTO_PUBKEY_LEN];

	memset(seed, fill, sizeof(seed));
	if (crypto_sign_seed_keypair(pk, sk, seed) != 0)
		abort();
}

static const uint8_t *
pub(const uint8_t sk[PROTO_SECKEY_LEN])
{
	return sk + PROTO_SEED_LEN;
}

struct fixture_rec {
	struct proto_buf bytes;
	uint8_t hash[PROTO_HASH_LEN];
	const char *what;
};

#define NFIXTURE 12
static struct fixture_rec fx[NFIXTURE];
static size_t nfx;

static void
add_signed(const struct proto_payload *p, const uint8_t *sk, const char *what)
{
	struct fixture_rec *r = &fx[nfx++];
	char err[256];

	proto_buf_init(&r->bytes);
	if (proto_payload_sign(p, sk, &r->bytes, err, sizeof(err)) !=
	    PROTO_OK) {
		fprintf(stderr, "fuzz_request: fixture %s: %s\n", what, err);
		abort();
	}
	proto_record_hash(r->bytes.data, r->bytes.len, r->hash);
	r->what = what;
}

static void
add_registry(enum proto_kind kind, const char *party, const char *name,
    const uint8_t *key, const uint8_t *sk, const char *what)
{
	struct proto_payload p;

	proto_payload_init(&p);
	p.kind = kind;
	p.time = 1700000000 + nfx;
	p.reg.party = (char *)party;
	p.reg.name = (char *)name;
	if (key != NULL)
		memcpy(p.reg.key, key, PROTO_PUBKEY_LEN);
	add_signed(&p, sk, what);
}

/* A claim from its JSON; version > 1 revises claim (an index in fx). */
static void
add_claim(const char *json, uint64_t version, int claim, int prev,
    bool retracted, const uint8_t *sk, const char *what)
{
	struct proto_payload p;
	json_error_t jerr;
	char err[256];
	json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);

	if (o == NULL ||
	    proto_claim_from_json(o, NULL, NULL, NULL, &p, err, sizeof(err)) !=
		PROTO_OK) {
		fprintf(stderr, "fuzz_request: fixture %s: %s %s\n", what,
		    jerr.text, err);
		abort();
	}
	json_decref(o);
	p.time = 1700000000 + nfx;
	p.claim.version = version;
	if (version > 1) {
		memcpy(p.claim.claim, fx[claim].hash, PROTO_HASH_LEN);
		memcpy(p.claim.prev, fx[prev].hash, PROTO_HASH_LEN);
	}
	if (retracted)
		p.claim.status = PROTO_STATUS_RETRACTED;
	add_signed(&p, sk, what);
	proto_payload_release(&p);
}

static char *
hex_of(int i, char *out)
{
	proto_hex(fx[i].hash, PROTO_HASH_LEN, out);
	return out;
}

static void
make_fixture(void)
{
	char h0[65], h1[65], json[2048];

	keypair(0x01, admin_sk);
	keypair(0x02, desk_a_sk);
	keypair(0x03, desk_b_sk);
	keypair(0x04, desk_c_sk);

	add_registry(PROTO_KIND_PARTY, "am-mfa",
	    "Armenia, Ministry of Foreign Affairs", NULL, admin_sk,
	    "party am-mfa");
	add_registry(PROTO_KIND_PARTY, "az-mfa",
	    "Azerbaijan, Ministry of Foreign Affairs", NULL, admin_sk,
	    "party az-mfa");
	add_registry(PROTO_KIND_GRANT, "am-mfa", NULL, pub(desk_a_sk), admin_sk,
	    "grant desk-a am-mfa");
	add_registry(PROTO_KIND_GRANT, "az-mfa", NULL, pub(desk_b_sk), admin_sk,
	    "grant desk-b az-mfa");
	/* 4 */
	add_claim(
	    "{\"party\": \"am-mfa\", \"topics\": [\"lachin-checkpoint\", "
	    "\"normalization\"], \"statement\": \"The checkpoint on the "
	    "Lachin road violates the trilateral statement.\", \"made\": "
	    "\"2023-04-23\", \"sources\": [{\"publisher\": \"MFA of "
	    "Armenia\", \"title\": \"Statement\", \"url\": "
	    "\"https://www.mfa.am/en/\", \"published\": \"2023-04-23\", "
	    "\"quote\": \"violates the trilateral statement\", "
	    "\"sha256\": \"00112233445566778899aabbccddeeff00112233445566"
	    "778899aabbccddeeff\"}, {\"publisher\": \"Agency\", \"title\": "
	    "\"Report\", \"derivation\": {\"from\": 0, \"how\": "
	    "\"reports\"}}]}",
	    1, 0, 0, false, desk_a_sk, "claim A v1 (am-mfa)");
	/* 5 */
	snprintf(json, sizeof(json),
	    "{\"party\": \"az-mfa\", \"topics\": [\"lachin-checkpoint\"], "
	    "\"statement\": \"The checkpoint was set up on Azerbaijan's "
	    "sovereign territory.\", \"made\": \"2023-04-24\", \"relations\": "
	    "[{\"rel\": \"disputes\", \"claim\": \"%s\"}]}",
	    hex_of(4, h0));
	add_claim(json, 1, 0, 0, false, desk_b_sk, "claim B v1 (az-mfa)");
	/* 6 */
	add_claim(
	    "{\"party\": \"am-mfa\", \"topics\": [\"lachin-checkpoint\"], "
	    "\"statement\": \"The checkpoint on the Lachin road violates "
	    "the trilateral statement of 9 November 2020.\", \"note\": "
	    "\"date of the statement\"}",
	    2, 4, 4, false, desk_a_sk, "claim A v2");
	/* 7 */
	snprintf(json, sizeof(json),
	    "{\"party\": \"am-mfa\", \"topics\": [\"prisoners-of-war\"], "
	    "\"statement\": \"Prisoners of war must be returned.\", "
	    "\"relations\": [{\"rel\": \"supports\", \"claim\": \"%s\"}, "
	    "{\"rel\": \"cites\", \"claim\": \"%s\"}]}",
	    hex_of(4, h0), hex_of(5, h1));
	add_claim(json, 1, 0, 0, false, desk_a_sk, "claim C v1 (am-mfa)");
	/* 8 */
	add_claim(
	    "{\"party\": \"am-mfa\", \"topics\": [\"lachin-checkpoint\"], "
	    "\"statement\": \"The checkpoint on the Lachin road violates "
	    "the trilateral statement of 9 November 2020.\", \"note\": "
	    "\"withdrawn pending talks\"}",
	    3, 4, 6, true, desk_a_sk, "claim A v3 (retraction)");
	/* 9, 10 */
	add_registry(PROTO_KIND_GRANT, "am-mfa", NULL, pub(desk_c_sk), admin_sk,
	    "grant desk-c am-mfa");
	add_registry(PROTO_KIND_REVOKE, "am-mfa", NULL, pub(desk_c_sk),
	    admin_sk, "revoke desk-c am-mfa");
	/* 11 */
	add_claim("{\"party\": \"az-mfa\", \"topics\": [\"normalization\", "
		  "\"border\"], \"statement\": \"Azerbaijan is ready to "
		  "normalize relations on the basis of international law.\", "
		  "\"made\": \"2021-11-08\"}",
	    1, 0, 0, false, desk_b_sk, "claim D v1 (az-mfa)");
	if (nfx != NFIXTURE)
		abort();
}

static void
store_fixture(void)
{
	struct proto_record rec[NFIXTURE];
	struct proto_payload p[NFIXTURE];
	struct store_entry e[NFIXTURE];
	struct store_result res[NFIXTURE];
	char err[256];

	/* Every flag of an entry false: allow_duplicate, replica. */
	memset(e, 0, sizeof(e));
	for (size_t i = 0; i < nfx; i++) {
		if (proto_record_open(fx[i].bytes.data, fx[i].bytes.len,
			&rec[i], &p[i], err, sizeof(err)) != PROTO_OK) {
			fprintf(stderr, "fuzz_request: fixture %s: %s\n",
			    fx[i].what, err);
			abort();
		}
		e[i].rec = &rec[i];
		e[i].payload = &p[i];
	}
	if (store_append(F.d.store, e, nfx, res, err, sizeof(err)) !=
	    PROTO_OK) {
		fprintf(stderr, "fuzz_request: store_append: %s\n", err);
		abort();
	}
	for (size_t i = 0; i < nfx; i++) {
		if (res[i].rc != PROTO_OK || res[i].index != i) {
			fprintf(stderr,
			    "fuzz_request: fixture %s refused: %s\n",
			    fx[i].what, res[i].err);
			abort();
		}
		proto_payload_release(&p[i]);
	}
}

/*
 * Set-up and tear-down
 */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
teardown(void)
{
	api_free(F.api);
	zmq_close(F.push);
	zmq_close(F.pull);
	zmq_ctx_term(F.d.zctx);
	store_close(F.d.store);
	checkpoint_release(&F.d);
	for (size_t i = 0; i < nfx; i++)
		proto_buf_release(&fx[i].bytes);
}

static void capture(void *ctx, const uint8_t *ident, size_t identlen,
    const uint8_t *hdr, size_t hlen, const uint8_t *body, size_t blen);

static void
write_log_key(void)
{
	uint8_t sk[PROTO_SECKEY_LEN];
	struct proto_buf b;
	char path[512];
	FILE *f;

	keypair(0x05, sk);
	proto_buf_init(&b);
	snprintf(path, sizeof(path), "%s/log.key", F.dir);
	if (proto_key_format(sk, &b) != PROTO_OK ||
	    (f = fopen(path, "w")) == NULL)
		abort();
	chmod(path, 0600);
	if (fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)
		abort();
	proto_buf_release(&b);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	struct store_opts o = {.map_size = 64u << 20};
	char db[512], err[256];
	int zero = 0, linger = 0;

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	log_init(0);
	snprintf(F.dir, sizeof(F.dir), "%s/claimd-fuzz-XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(F.dir) == NULL) {
		perror("fuzz_request: mkdtemp");
		abort();
	}
	snprintf(db, sizeof(db), "%s/db", F.dir);
	if (mkdir(db, 0700) != 0)
		abort();
	write_log_key();

	F.cfg.data = F.dir;
	F.cfg.api = "inproc://fuzz-api";
	F.cfg.pub = "inproc://fuzz-pub";
	F.cfg.origin = "fuzz.claimd.example/log";
	F.cfg.workers = 1;
	F.d.cfg = &F.cfg;
	F.d.started = 1700000000;
	snprintf(F.d.api_ep, sizeof(F.d.api_ep), "%s", F.cfg.api);
	snprintf(F.d.pub_ep, sizeof(F.d.pub_ep), "%s", F.cfg.pub);
	if (store_open(db, &o, &F.d.store, err, sizeof(err)) != PROTO_OK) {
		fprintf(stderr, "fuzz_request: store_open: %s\n", err);
		abort();
	}
	make_fixture();
	if (store_admin_set(F.d.store, pub(admin_sk)) != PROTO_OK)
		abort();
	store_fixture();
	checkpoint_init(&F.d);
	/*
	 * The log never grows here, so the checkpoint signed now is the one
	 * every request gets. With it made, nothing is written to the data
	 * folder any more: remove it now, so that no crash leaves it behind
	 * (LMDB keeps its open files and mapping).
	 */
	{
		struct store_snap *snap;
		const char *note;

		if (store_snap_begin(F.d.store, &snap) != PROTO_OK ||
		    checkpoint_current(&F.d, snap, &note, err, sizeof(err)) !=
			PROTO_OK) {
			fprintf(stderr, "fuzz_request: checkpoint: %s\n", err);
			abort();
		}
		store_snap_end(snap);
	}
	nftw(F.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);

	if ((F.d.zctx = zmq_ctx_new()) == NULL ||
	    (F.push = zmq_socket(F.d.zctx, ZMQ_PUSH)) == NULL ||
	    (F.pull = zmq_socket(F.d.zctx, ZMQ_PULL)) == NULL)
		abort();
	/* No high-water marks: a full queue would block job_send(). */
	zmq_setsockopt(F.push, ZMQ_SNDHWM, &zero, sizeof(zero));
	zmq_setsockopt(F.pull, ZMQ_RCVHWM, &zero, sizeof(zero));
	zmq_setsockopt(F.push, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(F.pull, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_bind(F.push, EP_FUZZ_VERIFY) != 0 ||
	    zmq_connect(F.pull, EP_FUZZ_VERIFY) != 0)
		abort();
	if ((F.api = api_new(&F.d, NULL, F.push)) == NULL)
		abort();
	api_set_sender(F.api, capture, NULL);
	atexit(teardown);

	F.verbose = getenv("CLAIMD_FUZZ_VERBOSE") != NULL;
	if (getenv("CLAIMD_FUZZ_FIXTURE") != NULL) {
		char hex[65];

		for (size_t i = 0; i < nfx; i++)
			printf("%zu\t%s\t%s\n", i, hex_of((int)i, hex),
			    fx[i].what);
		for (size_t i = 0; i < nfx; i++) {
			char *h = malloc(2 * fx[i].bytes.len + 1);

			if (h == NULL)
				abort();
			proto_hex(fx[i].bytes.data, fx[i].bytes.len, h);
			printf("record\t%zu\t%s\n", i, h);
			free(h);
		}
		fflush(stdout);
	}
	return 0;
}

/*
 * Replies
 */

/* Every record in an array of [index, record] pairs parses. */
static void
check_entries(struct proto_cbor_rd *rd, size_t pairlen)
{
	struct proto_record rec;
	const uint8_t *p;
	size_t n, m, len;
	uint64_t index;

	FUZZ_CHECK(proto_cbor_rd_array(rd, &n) == 0, "entries not an array");
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(proto_cbor_rd_array(rd, &m) == 0 && m == pairlen,
		    "entry %zu is not an array of %zu", i, pairlen);
		if (pairlen == 4) /* list: id, first, head index, record */
			FUZZ_CHECK(proto_cbor_rd_bytes(rd, &p, &len) == 0 &&
				len == PROTO_HASH_LEN &&
				proto_cbor_rd_uint(rd, &index) == 0,
			    "list entry %zu malformed", i);
		FUZZ_CHECK(proto_cbor_rd_uint(rd, &index) == 0 && index < nfx &&
			proto_cbor_rd_bytes(rd, &p, &len) == 0 &&
			proto_record_parse(p, len, &rec, NULL, 0) == PROTO_OK &&
			len == fx[index].bytes.len &&
			memcmp(p, fx[index].bytes.data, len) == 0,
		    "entry %zu is not log entry %llu", i,
		    (unsigned long long)index);
	}
}

/* The one field of a successful reply that holds records. */
static void
check_success(const uint8_t *body, size_t blen)
{
	struct proto_field f = {NULL, PROTO_F_ARRAY, true};
	struct proto_record rec;
	struct proto_cbor_rd rd;
	size_t pairlen = 2;
	char err[256];

	switch (F.op) {
	case PROTO_OP_GET:
		f.key = "record";
		f.type = PROTO_F_BYTES;
		break;
	case PROTO_OP_HISTORY:
		f.key = "versions";
		break;
	case PROTO_OP_RANGE:
		f.key = "entries";
		break;
	case PROTO_OP_LIST:
		f.key = "claims";
		pairlen = 4;
		break;
	default:
		return;
	}
	proto_cbor_rd_init(&rd, body, blen);
	FUZZ_CHECK(proto_cbor_rd_fields(&rd, &f, 1, true, PROTO_EPROTOCOL, err,
		       sizeof(err)) == PROTO_OK,
	    "%s reply: %s", proto_op_name(F.op), err);
	if (F.op == PROTO_OP_GET)
		FUZZ_CHECK(
		    proto_record_parse(f.ptr, f.len, &rec, NULL, 0) == PROTO_OK,
		    "get reply with a record that does not parse");
	else
		check_entries(&f.sub, pairlen);
}

static void
capture(void *ctx, const uint8_t *ident, size_t identlen, const uint8_t *hdr,
    size_t hlen, const uint8_t *body, size_t blen)
{
	struct proto_field f[] = {
	    {"error", PROTO_F_TEXT, true},
	    {"message", PROTO_F_TEXT, true},
	    {"head", PROTO_F_HASH, false},
	    {"version", PROTO_F_UINT, false},
	    {"claim", PROTO_F_HASH, false},
	    {"index", PROTO_F_UINT, false},
	};
	struct proto_wire_header h;
	struct proto_cbor_rd rd;
	char err[256];
	int rc;

	(void)ctx;
	F.replies++;
	if (F.verbose)
		fprintf(stderr, "reply: op %u status %s, %zu bytes\n",
		    hlen > 1 ? hdr[1] : 0,
		    hlen > 3 ? proto_errname(hdr[2] << 8 | hdr[3]) : "?", blen);
	FUZZ_CHECK(identlen == F.identlen &&
		(identlen == 0 || memcmp(ident, F.ident, identlen) == 0),
	    "reply to another client");
	FUZZ_CHECK(hlen == PROTO_WIRE_HEADER_LEN &&
		proto_wire_header_get(hdr, hlen, &h) == PROTO_OK,
	    "reply header of %zu bytes", hlen);
	FUZZ_CHECK(h.status < PROTO_ERR_COUNT, "reply status %u", h.status);
	if (F.hdr_ok)
		FUZZ_CHECK(h.op == F.op && h.id == F.id,
		    "reply header op %u id %u for op %u id %u", h.op, h.id,
		    F.op, F.id);
	else
		FUZZ_CHECK(h.status == PROTO_EPROTOCOL,
		    "bad header answered with status %u", h.status);
	FUZZ_CHECK(blen <= PROTO_WIRE_REPLY_MAX, "reply of %zu bytes", blen);
	rc = proto_cbor_check(
	    body, blen, PROTO_DEPTH_MAX, NULL, err, sizeof(err));
	FUZZ_CHECK(rc == PROTO_OK,
	    "reply body (%zu bytes) is not "
	    "deterministic CBOR: %s",
	    blen, err);
	proto_cbor_rd_init(&rd, body, blen);
	FUZZ_CHECK(proto_cbor_rd_peek(&rd) == PROTO_CBOR_MAP,
	    "reply body is not a map");
	if (h.status == PROTO_OK) {
		check_success(body, blen);
		return;
	}
	rc = proto_cbor_rd_fields(
	    &rd, f, 6, false, PROTO_EPROTOCOL, err, sizeof(err));
	FUZZ_CHECK(rc == PROTO_OK, "error reply: %s", err);
	FUZZ_CHECK(f[0].len == strlen(proto_errname(h.status)) &&
		memcmp(f[0].ptr, proto_errname(h.status), f[0].len) == 0,
	    "error reply \"%.*s\" for status %u", (int)f[0].len,
	    (const char *)f[0].ptr, h.status);
	FUZZ_CHECK(f[1].len > 0, "error reply without a message");
	FUZZ_CHECK(f[2].present ==
		    (h.status == PROTO_ECONFLICT ||
			h.status == PROTO_EDUPLICATE) &&
		f[3].present == f[2].present,
	    "head and version only for a conflict or a duplicate");
	FUZZ_CHECK(f[4].present == (h.status == PROTO_EDUPLICATE) &&
		f[5].present == f[4].present,
	    "claim and index only for a duplicate");
}

/*
 * Submissions: the workers and the writer, stood in for.
 */

static void
answer(struct job *j)
{
	uint8_t hash[PROTO_HASH_LEN];
	struct store_snap *snap;
	uint64_t index;

	j->rc = proto_record_open(
	    j->bytes, j->len, &j->rec, &j->payload, j->err, sizeof(j->err));
	if (j->rc != PROTO_OK)
		return;
	proto_record_hash(j->bytes, j->len, hash);
	if (store_snap_begin(F.d.store, &snap) != PROTO_OK)
		abort();
	if (store_find(snap, hash, &index) == PROTO_OK) {
		/* Identical bytes: the writer answers with the entry. */
		j->res.rc = PROTO_OK;
		j->res.existed = true;
		j->res.index = index;
		memcpy(j->res.hash, hash, PROTO_HASH_LEN);
		if (j->payload.kind == PROTO_KIND_CLAIM) {
			memcpy(j->res.claim,
			    j->payload.claim.version == 1
				? hash
				: j->payload.claim.claim,
			    PROTO_HASH_LEN);
			j->res.version = j->payload.claim.version;
		}
	} else {
		j->rc = PROTO_ESHUTDOWN;
		snprintf(j->err, sizeof(j->err), "the fuzzer stores nothing");
	}
	store_snap_end(snap);
}

static void
drain(void)
{
	int timeout = 5000;

	zmq_setsockopt(F.pull, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	while (api_outstanding(F.api) > 0) {
		struct job *jobs[JOB_MSG_MAX];
		size_t n;

		/* inproc hands the frame over at once; the timeout only
		 * turns a lost job into a clear failure. */
		n = job_recv(F.pull, jobs, 0);
		FUZZ_CHECK(n > 0, "%llu submissions in flight, none queued: %s",
		    (unsigned long long)api_outstanding(F.api),
		    zmq_strerror(errno));
		for (size_t i = 0; i < n; i++) {
			answer(jobs[i]);
			api_done(F.api, jobs[i]);
		}
	}
	FUZZ_CHECK(zmq_recv(F.pull, &timeout, 0, ZMQ_DONTWAIT) < 0,
	    "a job queued that the api does not count");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t client_a[] = "client-a", client_b[] = "client-b";
	uint8_t hdr_buf[PROTO_WIRE_HEADER_LEN];
	const uint8_t *p = data, *end = data + size, *hdr = hdr_buf;
	size_t hlen = PROTO_WIRE_HEADER_LEN, repeat = 1;
	uint8_t ctl, n;

	if (size < 1)
		return 0;
	ctl = *p++;
	F.op = ctl & 0x0f;
	switch ((ctl >> 4) & 3) {
	case 0:
		F.ident = client_a;
		F.identlen = sizeof(client_a) - 1;
		break;
	case 1:
		F.ident = client_b;
		F.identlen = sizeof(client_b) - 1;
		break;
	case 2:
		F.ident = client_a; /* not NULL: memcpy(dst, NULL, 0) is UB */
		F.identlen = 0;
		break;
	default:
		if (p == end)
			return 0;
		n = *p++ % 17;
		if ((size_t)(end - p) < n)
			return 0;
		F.ident = p;
		F.identlen = n;
		p += n;
		break;
	}
	if (ctl & 0x40) {
		struct proto_wire_header h;

		if (p == end)
			return 0;
		hlen = *p++ % 12;
		if ((size_t)(end - p) < hlen)
			return 0;
		hdr = p;
		p += hlen;
		F.hdr_ok = proto_wire_header_get(hdr, hlen, &h) == PROTO_OK;
		F.op = F.hdr_ok ? h.op : 0;
		F.id = F.hdr_ok ? h.id : 0;
	} else {
		struct proto_wire_header h = {
		    PROTO_WIRE_VERSION, F.op, 0, 0x01020304};

		proto_wire_header_put(hdr_buf, &h);
		F.hdr_ok = true;
		F.id = h.id;
	}
	if (ctl & 0x80) {
		if (p == end)
			return 0;
		/* Many only where it matters: submissions in flight. */
		repeat = *p == 0xff && F.hdr_ok && F.op == PROTO_OP_SUBMIT
		    ? REPEAT_MANY
		    : 1 + *p % 4;
		p++;
	}

	F.replies = 0;
	for (size_t i = 0; i < repeat; i++)
		api_message(F.api, F.ident, F.identlen, hdr, hlen, p,
		    (size_t)(end - p));
	api_flush(F.api);
	drain();
	FUZZ_CHECK(F.replies == repeat, "%zu replies to %zu messages",
	    F.replies, repeat);
	FUZZ_CHECK(api_outstanding(F.api) == 0, "still in flight");
	return 0;
}
