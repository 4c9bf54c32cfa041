/*
 * test_api: claimd's request handling, without a socket. A real struct
 * daemon over a real store in a temporary folder; requests go in through
 * api_message() and replies come out through the sender api_set_sender()
 * installs, so that these tests hold whatever the handlers are made of.
 * Submissions go to a PULL socket of the test's own over inproc, where
 * the test plays the verify workers and the writer (api_done()).
 *
 * Linked with -Wl,--wrap of malloc, calloc and realloc: alloc_countdown
 * makes the Nth allocation of claimd's, the store's and proto's code
 * fail (libraries linked as shared objects, libc's own strdup included,
 * are not wrapped). And with --wrap of mdb_get, mdb_cursor_get and
 * mdb_cursor_open: lmdb_read_countdown makes the Nth LMDB read of the store
 * fail. Both count only while a test arms them, around api_message().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>
#include <sodium.h>
#include <zmq.h>

#include "claimd.h"
#include "lmdbfault.h"
#include "testutil.h"

/*
 * The allocator, failing once when alloc_countdown counts down to zero.
 */
static int alloc_countdown = -1;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static bool
alloc_fails(void)
{
	return alloc_countdown > 0 && --alloc_countdown == 0;
}

void *
__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

/* LMDB reads fail on demand: lmdbfault.c. */

/*
 * Replies, as the sender sees them. It runs while the allocator may be
 * armed: it allocates nothing and asserts nothing.
 */
#define BODY_CAP (1u << 16)

static struct capture {
	int n;
	bool bad_header;
	uint8_t ident[IDENT_MAX];
	size_t identlen;
	struct proto_wire_header h;
	uint8_t body[BODY_CAP];
	size_t blen;
} cap;

static void
capture(void *ctx, const uint8_t *ident, size_t identlen, const uint8_t *hdr,
    size_t hlen, const uint8_t *body, size_t blen)
{
	(void)ctx;
	cap.n++;
	memcpy(cap.ident, ident, identlen);
	cap.identlen = identlen;
	if (proto_wire_header_get(hdr, hlen, &cap.h) != PROTO_OK)
		cap.bad_header = true;
	cap.blen = blen < BODY_CAP ? blen : BODY_CAP;
	memcpy(cap.body, body, cap.blen);
}

/*
 * The fixture: a data folder with a store, its log key, and a daemon.
 */
static uint8_t admin_pk[32], admin_sk[64], desk_pk[32], desk_sk[64];
static const uint8_t IDENT[] = "client-1";

struct t {
	char *dir;
	struct config cfg;
	struct daemon d;
	struct api *api;
	void *verify, *pull;
	uint32_t id;
	uint8_t a1[32], r[32], party[32];
	char a1hex[17], rhex[17], partyhex[17];
	uint64_t size;
};

/* Appends p (released) signed by sk; its hash in hash if not NULL. */
static void
append(struct store *s, struct proto_payload *p, const uint8_t *sk,
    uint8_t hash[32])
{
	struct proto_buf bytes;
	struct proto_record rec;
	struct proto_payload got;
	struct store_entry e;
	struct store_result res;
	char err[256];

	proto_buf_init(&bytes);
	tu_sign(p, sk, &bytes);
	proto_payload_release(p);
	assert_int_equal(
	    proto_record_open(bytes.data, bytes.len, &rec, &got, NULL, 0),
	    PROTO_OK);
	e = (struct store_entry){&rec, &got, false};
	assert_int_equal(store_append(s, &e, 1, &res, err, sizeof(err)), 0);
	if (res.rc != PROTO_OK)
		fail_msg("refused: %s", res.err);
	if (hash != NULL)
		proto_record_hash(bytes.data, bytes.len, hash);
	proto_payload_release(&got);
	proto_buf_release(&bytes);
}

/* Parties am-mfa and az-mfa, desk's grant, claims a1 and b1, a1 v2. */
static void
populate(struct t *t)
{
	struct store *s = t->d.store;
	struct proto_payload p;
	struct store_snap *snap;

	tu_party(&p, "am-mfa", "Armenia, Ministry of Foreign Affairs");
	append(s, &p, admin_sk, t->party);
	tu_party(&p, "az-mfa", "Azerbaijan, Ministry of Foreign Affairs");
	append(s, &p, admin_sk, NULL);
	tu_grant(&p, PROTO_KIND_GRANT, desk_pk, "am-mfa");
	append(s, &p, admin_sk, NULL);
	tu_claim(&p, "am-mfa", "lachin", "a1");
	append(s, &p, desk_sk, t->a1);
	tu_claim(&p, "am-mfa", "peace", "b1");
	append(s, &p, desk_sk, NULL);
	tu_claim(&p, "am-mfa", "lachin", "a1 revised");
	p.claim.version = 2;
	memcpy(p.claim.claim, t->a1, 32);
	memcpy(p.claim.prev, t->a1, 32);
	p.claim.note = strdup("revised");
	append(s, &p, desk_sk, t->r);
	proto_hex(t->a1, 8, t->a1hex);
	proto_hex(t->r, 8, t->rhex);
	proto_hex(t->party, 8, t->partyhex);
	assert_int_equal(store_snap_begin(s, &snap), PROTO_OK);
	t->size = store_size(snap);
	store_snap_end(snap);
}

static int
setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	struct store_opts o = {0};
	char db[4096], err[256];
	int linger = 0;

	t->dir = tu_tmpdir();
	snprintf(db, sizeof(db), "%s/db", t->dir);
	assert_int_equal(mkdir(db, 0700), 0);
	t->cfg.data = t->dir;
	t->cfg.origin = "test.example/api";
	t->cfg.workers = 1;
	t->d.cfg = &t->cfg;
	t->d.started = 1700000000;
	if (store_open(db, &o, &t->d.store, err, sizeof(err)) != PROTO_OK)
		fail_msg("store_open: %s", err);
	assert_int_equal(store_admin_set(t->d.store, admin_pk), PROTO_OK);
	checkpoint_init(&t->d);
	populate(t);
	/* The verify workers' end of the queue is the test's. */
	assert_non_null(t->d.zctx = zmq_ctx_new());
	assert_non_null(t->verify = zmq_socket(t->d.zctx, ZMQ_PUSH));
	assert_non_null(t->pull = zmq_socket(t->d.zctx, ZMQ_PULL));
	zmq_setsockopt(t->verify, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(t->pull, ZMQ_LINGER, &linger, sizeof(linger));
	assert_int_equal(zmq_bind(t->verify, EP_VERIFY), 0);
	assert_int_equal(zmq_connect(t->pull, EP_VERIFY), 0);
	assert_non_null(t->api = api_new(&t->d, NULL, t->verify));
	api_set_sender(t->api, capture, NULL);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t *t = *state;
	struct job *j;

	while (zmq_recv(t->pull, &j, sizeof(j), ZMQ_DONTWAIT) == sizeof(j))
		job_free(j);
	api_free(t->api);
	zmq_close(t->verify);
	zmq_close(t->pull);
	zmq_ctx_term(t->d.zctx);
	store_close(t->d.store);
	checkpoint_release(&t->d);
	tu_rmrf(t->dir);
	free(t->dir);
	free(t);
	return 0;
}

/*
 * Requests
 */

/* A map entry of a request body: text if s is set, else a number. */
struct kv {
	const char *k;
	const char *s;
	uint64_t u;
};

/* The CBOR map of the n entries, into b (cleared first). */
static void
map(struct proto_buf *b, const struct kv *kv, size_t n)
{
	size_t start;

	b->len = 0;
	assert_int_equal(proto_cbor_map_begin(b, &start), PROTO_OK);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(proto_cbor_put_str(b, kv[i].k), PROTO_OK);
		if (kv[i].s != NULL)
			assert_int_equal(
			    proto_cbor_put_str(b, kv[i].s), PROTO_OK);
		else
			assert_int_equal(
			    proto_cbor_put_uint(b, kv[i].u), PROTO_OK);
	}
	assert_int_equal(proto_cbor_map_end(b, start, n), PROTO_OK);
}

/* One request with header fields op, flags; the capture reset first. */
static void
request_as(struct t *t, const uint8_t *ident, size_t identlen, uint8_t op,
    uint16_t flags, const void *body, size_t blen)
{
	struct proto_wire_header h = {PROTO_WIRE_VERSION, op, flags, ++t->id};
	uint8_t hdr[PROTO_WIRE_HEADER_LEN];

	proto_wire_header_put(hdr, &h);
	memset(&cap, 0, offsetof(struct capture, body));
	api_message(t->api, ident, identlen, hdr, sizeof(hdr), body, blen);
	/* A submission goes to the workers as main's loop does it, after
	 * the burst of requests: here one request, so one job a frame. */
	api_flush(t->api);
}

static void
request(struct t *t, uint8_t op, uint16_t flags, const void *body, size_t blen)
{
	request_as(t, IDENT, sizeof(IDENT) - 1, op, flags, body, blen);
}

/* The one reply to the last request, to the right client: its status. */
static int
status(struct t *t, uint8_t op)
{
	assert_int_equal(cap.n, 1);
	assert_false(cap.bad_header);
	assert_int_equal(cap.identlen, sizeof(IDENT) - 1);
	assert_memory_equal(cap.ident, IDENT, cap.identlen);
	assert_int_equal(cap.h.op, op);
	assert_int_equal(cap.h.id, t->id);
	assert_true(cap.h.status < PROTO_ERR_COUNT);
	return cap.h.status;
}

/* The reply's body is one well-formed CBOR map; an error's names it. */
static void
body_is_map(int st)
{
	struct proto_cbor_rd rd = {cap.body, cap.body + cap.blen};
	struct proto_field f[] = {
	    {"error", PROTO_F_TEXT, true},
	    {"message", PROTO_F_TEXT, true},
	};

	assert_int_equal(
	    proto_cbor_check(cap.body, cap.blen, 8, NULL, NULL, 0), PROTO_OK);
	assert_int_equal(proto_cbor_rd_peek(&rd), PROTO_CBOR_MAP);
	if (st == PROTO_OK)
		return;
	assert_int_equal(
	    proto_cbor_rd_fields(&rd, f, 2, true, PROTO_EPROTOCOL, NULL, 0),
	    PROTO_OK);
	assert_int_equal(f[0].len, strlen(proto_errname(st)));
	assert_memory_equal(f[0].ptr, proto_errname(st), f[0].len);
}

/* A read request and the status it is answered with, unfaulted. */
struct read_req {
	const char *what;
	uint8_t op;
	struct kv kv[4];
	size_t n;
};

/* The read requests every test below makes; ids filled in by reads(). */
static size_t
reads(struct t *t, struct read_req *rq)
{
	const struct read_req all[] = {
	    {"get claim", PROTO_OP_GET, {{"id", t->a1hex}}, 1},
	    {"get version", PROTO_OP_GET, {{"id", t->a1hex}, {"version", 0, 1}},
		2},
	    {"get revision", PROTO_OP_GET, {{"id", t->rhex}}, 1},
	    {"get registry", PROTO_OP_GET, {{"id", t->partyhex}}, 1},
	    {"get index", PROTO_OP_GET, {{"index", 0, 2}}, 1},
	    {"history", PROTO_OP_HISTORY, {{"id", t->rhex}}, 1},
	    {"list", PROTO_OP_LIST, {{0}}, 0},
	    {"list party", PROTO_OP_LIST, {{"party", "am-mfa"}}, 1},
	    {"list topic", PROTO_OP_LIST,
		{{"party", "am-mfa"}, {"topic", "lachin"}, {"limit", 0, 1}}, 3},
	    {"range", PROTO_OP_RANGE, {{"from", 0, 0}, {"count", 0, 100}}, 2},
	    {"range topic", PROTO_OP_RANGE,
		{{"from", 0, 1}, {"count", 0, 100}, {"topic", "peace"}}, 3},
	    {"stats", PROTO_OP_STATS, {{0}}, 0},
	    {"parties", PROTO_OP_PARTIES, {{0}}, 0},
	    {"checkpoint", PROTO_OP_CHECKPOINT, {{0}}, 0},
	    {"inclusion id", PROTO_OP_INCLUSION, {{"id", t->rhex}}, 1},
	    {"inclusion index", PROTO_OP_INCLUSION,
		{{"index", 0, 1}, {"size", 0, t->size}}, 2},
	    {"consistency", PROTO_OP_CONSISTENCY,
		{{"from", 0, 2}, {"to", 0, t->size}}, 2},
	    {"topics", PROTO_OP_TOPICS, {{0}}, 0},
	};

	memcpy(rq, all, sizeof(all));
	return sizeof(all) / sizeof(all[0]);
}

#define NREADS 32

/*
 * Tests
 */

/* Every read op answered PROTO_OK with a map, to the client that asked. */
static void
test_api_reads(void **state)
{
	struct t *t = *state;
	struct read_req rq[NREADS];
	struct proto_buf b;
	size_t n = reads(t, rq);

	proto_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		int st;

		map(&b, rq[i].kv, rq[i].n);
		request(t, rq[i].op, 0, b.data, b.len);
		if ((st = status(t, rq[i].op)) != PROTO_OK)
			fail_msg("%s: %s", rq[i].what, proto_errname(st));
		body_is_map(st);
	}
	proto_buf_release(&b);
}

/* What a handler refuses, and the status it says so with. */
static void
test_api_read_refusals(void **state)
{
	struct t *t = *state;
	const struct {
		uint8_t op;
		struct kv kv[3];
		size_t n;
		int want;
	} cases[] = {
	    {PROTO_OP_GET, {{"index", 0, 999}}, 1, PROTO_ENOTFOUND},
	    {PROTO_OP_GET, {{"id", "0000000000"}}, 1, PROTO_ENOTFOUND},
	    {PROTO_OP_GET, {{"id", "a1"}}, 1, PROTO_EINVAL},
	    {PROTO_OP_GET, {{"id", "not-hex-at-all"}}, 1, PROTO_EINVAL},
	    {PROTO_OP_GET, {{0}}, 0, PROTO_EPROTOCOL},
	    {PROTO_OP_GET, {{"id", t->a1hex}, {"index", 0, 1}}, 2,
		PROTO_EPROTOCOL},
	    {PROTO_OP_GET, {{"index", "one"}}, 1, PROTO_EPROTOCOL},
	    {PROTO_OP_GET, {{"bogus", 0, 1}}, 1, PROTO_EPROTOCOL},
	    {PROTO_OP_GET, {{"id", t->a1hex}, {"version", 0, 3}}, 2,
		PROTO_ENOTFOUND},
	    {PROTO_OP_GET, {{"id", t->partyhex}, {"version", 0, 1}}, 2,
		PROTO_ENOTFOUND},
	    {PROTO_OP_HISTORY, {{"id", t->partyhex}}, 1, PROTO_ENOTFOUND},
	    {PROTO_OP_HISTORY, {{0}}, 0, PROTO_EPROTOCOL},
	    {PROTO_OP_LIST, {{"party", "x"}, {"from", "y"}}, 2,
		PROTO_EPROTOCOL},
	    {PROTO_OP_RANGE, {{"from", 0, 0}}, 1, PROTO_EPROTOCOL},
	    {PROTO_OP_STATS, {{"x", 0, 1}}, 1, PROTO_EPROTOCOL},
	    {PROTO_OP_INCLUSION, {{"index", 0, 999}}, 1, PROTO_EINVAL},
	    {PROTO_OP_INCLUSION, {{"index", 0, 1}, {"size", 0, 999}}, 2,
		PROTO_EINVAL},
	    {PROTO_OP_INCLUSION, {{0}}, 0, PROTO_EPROTOCOL},
	    {PROTO_OP_CONSISTENCY, {{"from", 0, 5}, {"to", 0, 2}}, 2,
		PROTO_EINVAL},
	    {PROTO_OP_CONSISTENCY, {{"from", 0, 1}, {"to", 0, 99}}, 2,
		PROTO_EINVAL},
	};
	struct proto_buf b;

	proto_buf_init(&b);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st;

		map(&b, cases[i].kv, cases[i].n);
		request(t, cases[i].op, 0, b.data, b.len);
		if ((st = status(t, cases[i].op)) != cases[i].want)
			fail_msg("case %zu (%s): %s, not %s", i,
			    proto_op_name(cases[i].op), proto_errname(st),
			    proto_errname(cases[i].want));
		body_is_map(st);
	}
	proto_buf_release(&b);
}

/* Checked centrally, before any handler: header, op, flags, size, map. */
static void
test_api_bad_requests(void **state)
{
	struct t *t = *state;
	static const uint8_t empty_map[] = {0xa0}, not_map[] = {0x01},
			     not_cbor[] = {0xff}, trailing[] = {0xa0, 0x00};
	uint8_t big[PROTO_RECORD_MAX + 2], hdr[PROTO_WIRE_HEADER_LEN];
	struct proto_wire_header h = {PROTO_WIRE_VERSION, PROTO_OP_GET, 0, 7};

	/* A header too short, or of another protocol version: answered
	 * with op 0 and id 0, as the request's cannot be trusted. */
	proto_wire_header_put(hdr, &h);
	memset(&cap, 0, offsetof(struct capture, body));
	api_message(t->api, IDENT, sizeof(IDENT) - 1, hdr, sizeof(hdr) - 1,
	    empty_map, 1);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.h.status, PROTO_EPROTOCOL);
	assert_int_equal(cap.h.op, 0);
	assert_int_equal(cap.h.id, 0);
	h.version = PROTO_WIRE_VERSION + 1;
	proto_wire_header_put(hdr, &h);
	memset(&cap, 0, offsetof(struct capture, body));
	api_message(
	    t->api, IDENT, sizeof(IDENT) - 1, hdr, sizeof(hdr), empty_map, 1);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.h.status, PROTO_EPROTOCOL);
	body_is_map(PROTO_EPROTOCOL);

	/* Unknown ops. */
	request(t, 0, 0, empty_map, 1);
	assert_int_equal(status(t, 0), PROTO_EPROTOCOL);
	request(t, PROTO_OP_MAX + 1, 0, empty_map, 1);
	assert_int_equal(status(t, PROTO_OP_MAX + 1), PROTO_EPROTOCOL);
	request(t, 255, 0, empty_map, 1);
	assert_int_equal(status(t, 255), PROTO_EPROTOCOL);
	body_is_map(PROTO_EPROTOCOL);

	/* Flags an op does not define. */
	request(t, PROTO_OP_STATS, PROTO_SUBMIT_ALLOW_DUPLICATE, empty_map, 1);
	assert_int_equal(status(t, PROTO_OP_STATS), PROTO_EPROTOCOL);
	request(t, PROTO_OP_SUBMIT, 0x8000, "x", 1);
	assert_int_equal(status(t, PROTO_OP_SUBMIT), PROTO_EPROTOCOL);

	/* Bodies too long, empty, or not one CBOR map. */
	memset(big, 0xa0, sizeof(big));
	for (uint8_t op = PROTO_OP_GET; op <= PROTO_OP_MAX; op++) {
		request(t, op, 0, big, 513);
		assert_int_equal(status(t, op), PROTO_ETOOBIG);
		request(t, op, 0, big, 0);
		assert_int_equal(status(t, op), PROTO_EPROTOCOL);
		request(t, op, 0, not_map, 1);
		assert_int_equal(status(t, op), PROTO_EPROTOCOL);
		request(t, op, 0, not_cbor, 1);
		assert_int_equal(status(t, op), PROTO_EPROTOCOL);
		request(t, op, 0, trailing, 2);
		assert_int_equal(status(t, op), PROTO_EPROTOCOL);
		body_is_map(PROTO_EPROTOCOL);
	}
	request(t, PROTO_OP_SUBMIT, 0, big, PROTO_RECORD_MAX + 1);
	assert_int_equal(status(t, PROTO_OP_SUBMIT), PROTO_ETOOBIG);
	request(t, PROTO_OP_SUBMIT, 0, big, 0);
	assert_int_equal(status(t, PROTO_OP_SUBMIT), PROTO_EPROTOCOL);

	/* A routing id longer than ROUTER makes: nobody to answer. */
	memset(big, 'i', IDENT_MAX + 1);
	request_as(t, big, IDENT_MAX + 1, PROTO_OP_STATS, 0, empty_map, 1);
	assert_int_equal(cap.n, 0);
}

/* A damaged store: every request refused, reads and submissions. */
static void
test_api_damaged(void **state)
{
	struct t *t = *state;
	static const uint8_t empty_map[] = {0xa0};

	t->d.damaged = true;
	for (uint8_t op = PROTO_OP_SUBMIT; op <= PROTO_OP_MAX; op++) {
		request(t, op, 0, empty_map, 1);
		assert_int_equal(status(t, op), PROTO_EDAMAGED);
		body_is_map(PROTO_EDAMAGED);
	}
	assert_int_equal(api_outstanding(t->api), 0);
}

/* A claim of desk's for a submission: bytes in b. */
static void
submission(struct proto_buf *b, const char *statement)
{
	struct proto_payload p;

	tu_claim(&p, "am-mfa", "borders", statement);
	b->len = 0;
	tu_sign(&p, desk_sk, b);
	proto_payload_release(&p);
}

/* The job the last submission queued for the workers, or NULL. */
static struct job *
queued(struct t *t)
{
	struct job *j;

	if (zmq_recv(t->pull, &j, sizeof(j), ZMQ_DONTWAIT) != sizeof(j))
		return NULL;
	return j;
}

/*
 * A submission is not answered at once: it goes to the workers, and is
 * answered when it comes back, accepted or refused.
 */
static void
test_api_submit(void **state)
{
	struct t *t = *state;
	struct proto_buf b;
	struct job *j;
	uint32_t id;

	proto_buf_init(&b);
	submission(&b, "s1");
	request(t, PROTO_OP_SUBMIT, 0, b.data, b.len);
	id = t->id;
	assert_int_equal(cap.n, 0);
	assert_int_equal(api_outstanding(t->api), 1);
	assert_non_null(j = queued(t));
	assert_int_equal(j->reqid, id);
	assert_int_equal(j->len, b.len);
	assert_memory_equal(j->bytes, b.data, b.len);
	assert_false(j->allow_duplicate);
	/* Accepted by the writer: acknowledged with its index. */
	j->rc = PROTO_OK;
	j->res.index = t->size;
	api_done(t->api, j);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.h.op, PROTO_OP_SUBMIT);
	assert_int_equal(cap.h.id, id);
	assert_int_equal(cap.h.status, PROTO_OK);
	body_is_map(PROTO_OK);
	assert_int_equal(api_outstanding(t->api), 0);
	assert_int_equal(t->d.accepted, 1);

	/* Refused by a worker: the refusal is the reply. */
	request(
	    t, PROTO_OP_SUBMIT, PROTO_SUBMIT_ALLOW_DUPLICATE, b.data, b.len);
	id = t->id;
	assert_int_equal(cap.n, 0);
	assert_non_null(j = queued(t));
	assert_true(j->allow_duplicate);
	j->rc = PROTO_ESIGNATURE;
	snprintf(j->err, sizeof(j->err), "bad signature");
	memset(&cap, 0, offsetof(struct capture, body));
	api_done(t->api, j);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.h.id, id);
	assert_int_equal(cap.h.status, PROTO_ESIGNATURE);
	body_is_map(PROTO_ESIGNATURE);
	assert_int_equal(t->d.refused, 1);
	assert_int_equal(t->d.submitted, 2);

	/* Shutting down: refused at once, nothing queued. */
	api_set_draining(t->api);
	request(t, PROTO_OP_SUBMIT, 0, b.data, b.len);
	assert_int_equal(status(t, PROTO_OP_SUBMIT), PROTO_ESHUTDOWN);
	body_is_map(PROTO_ESHUTDOWN);
	assert_null(queued(t));
	assert_int_equal(api_outstanding(t->api), 0);
	proto_buf_release(&b);
}

/* One client's CLIENT_INFLIGHT submissions in flight: its next is refused
 * at once, EBUSY, and another client's is not. */
static void
test_api_submit_per_client_limit(void **state)
{
	struct t *t = *state;
	static const uint8_t other[] = "client-2";
	struct job **jobs = calloc(CLIENT_INFLIGHT + 1, sizeof(*jobs));
	struct proto_buf b;

	proto_buf_init(&b);
	submission(&b, "s1");
	for (int i = 0; i < CLIENT_INFLIGHT; i++) {
		request(t, PROTO_OP_SUBMIT, 0, b.data, b.len);
		assert_int_equal(cap.n, 0);
		assert_non_null(jobs[i] = queued(t));
	}
	request(t, PROTO_OP_SUBMIT, 0, b.data, b.len);
	assert_int_equal(status(t, PROTO_OP_SUBMIT), PROTO_EBUSY);
	body_is_map(PROTO_EBUSY);
	assert_null(queued(t));
	request_as(
	    t, other, sizeof(other) - 1, PROTO_OP_SUBMIT, 0, b.data, b.len);
	assert_int_equal(cap.n, 0);
	assert_non_null(jobs[CLIENT_INFLIGHT] = queued(t));
	assert_int_equal(api_outstanding(t->api), CLIENT_INFLIGHT + 1);
	/* One answered: the client may submit one more. */
	jobs[0]->rc = PROTO_OK;
	api_done(t->api, jobs[0]);
	request(t, PROTO_OP_SUBMIT, 0, b.data, b.len);
	assert_int_equal(cap.n, 0);
	assert_non_null(jobs[0] = queued(t));
	for (int i = 0; i <= CLIENT_INFLIGHT; i++) {
		jobs[i]->rc = PROTO_OK;
		api_done(t->api, jobs[i]);
	}
	assert_int_equal(api_outstanding(t->api), 0);
	free(jobs);
	proto_buf_release(&b);
}

/*
 * Allocation failure: for each read, the 1st, 2nd, ... Nth allocation
 * made while it is handled fails in turn, until one runs with none
 * failing. Each is answered at once, exactly once: PROTO_ENOMEM when an
 * allocation failed, PROTO_OK when none did. Never silence (a request
 * once went unanswered when its status equalled the "answer later"
 * sentinel, PROTO_ENOMEM).
 */
static void
test_api_reads_out_of_memory(void **state)
{
	struct t *t = *state;
	struct read_req rq[NREADS];
	struct proto_buf b;
	size_t n = reads(t, rq);

	proto_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		int k, st;
		bool hit;

		map(&b, rq[i].kv, rq[i].n);
		for (k = 1; k < 1000; k++) {
			alloc_countdown = k;
			request(t, rq[i].op, 0, b.data, b.len);
			hit = alloc_countdown == 0;
			alloc_countdown = -1;
			if (cap.n != 1)
				fail_msg("%s, allocation %d failing: %d "
					 "replies",
				    rq[i].what, k, cap.n);
			st = status(t, rq[i].op);
			if (!hit && st == PROTO_OK)
				break;
			if (st != PROTO_ENOMEM)
				fail_msg("%s, allocation %d failing: %s",
				    rq[i].what, k, proto_errname(st));
		}
		/* Each allocates, a snapshot at least: the wrap works
		 * (under the sanitizers too, whose malloc __real_malloc
		 * then is). */
		assert_true(k > 1 && k < 1000);
		assert_false(t->d.damaged);
	}
	proto_buf_release(&b);
}

/* The same for a submission: refused at once with PROTO_ENOMEM and
 * nothing queued, or queued and not answered yet. */
static void
test_api_submit_out_of_memory(void **state)
{
	struct t *t = *state;
	struct proto_buf b;
	struct job *j;
	int k;

	proto_buf_init(&b);
	submission(&b, "s1");
	for (k = 1; k < 1000; k++) {
		bool hit;

		alloc_countdown = k;
		request(t, PROTO_OP_SUBMIT, 0, b.data, b.len);
		hit = alloc_countdown == 0;
		alloc_countdown = -1;
		if (!hit)
			break;
		assert_int_equal(status(t, PROTO_OP_SUBMIT), PROTO_ENOMEM);
		assert_null(queued(t));
		assert_int_equal(api_outstanding(t->api), 0);
	}
	assert_true(k > 1);
	assert_int_equal(cap.n, 0);
	assert_non_null(j = queued(t));
	assert_int_equal(api_outstanding(t->api), 1);
	j->rc = PROTO_OK;
	api_done(t->api, j);
	assert_int_equal(cap.n, 1);
	assert_int_equal(api_outstanding(t->api), 0);
	proto_buf_release(&b);
}

/*
 * An LMDB read that fails under a request: the client is told a
 * proto_err, the store's mapping of LMDB's code, never LMDB's code
 * itself; damage switches claimd into refusing everything.
 */
static void
test_api_store_failures(void **state)
{
	static const struct {
		int mdb, want;
	} faults[] = {
	    {MDB_CORRUPTED, PROTO_EDAMAGED},
	    {EIO, PROTO_EIO},
	    {MDB_BAD_TXN, PROTO_ESTORE},
	};
	struct t *t = *state;
	struct read_req rq[NREADS];
	struct proto_buf b;
	size_t n = reads(t, rq);

	proto_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		map(&b, rq[i].kv, rq[i].n);
		for (size_t f = 0; f < sizeof(faults) / sizeof(faults[0]);
		     f++) {
			int k, st;
			bool hit;

			for (k = 1; k < 1000; k++) {
				t->d.damaged = false;
				lmdb_read_fault = faults[f].mdb;
				lmdb_read_countdown = k;
				request(t, rq[i].op, 0, b.data, b.len);
				hit = lmdb_read_countdown == 0;
				lmdb_read_countdown = -1;
				st = status(t, rq[i].op);
				if (!hit && st == PROTO_OK)
					break;
				if (!hit || st != faults[f].want)
					fail_msg("%s, LMDB read %d failing "
						 "with %s: %s, not %s",
					    rq[i].what, k,
					    mdb_strerror(faults[f].mdb),
					    proto_errname(st),
					    proto_errname(faults[f].want));
				body_is_map(st);
				assert_int_equal(t->d.damaged,
				    faults[f].want == PROTO_EDAMAGED);
			}
			assert_true(k < 1000);
		}
	}
	t->d.damaged = false;
	proto_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_api_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_api_read_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_api_bad_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_damaged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_submit, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_api_submit_per_client_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_api_reads_out_of_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_api_submit_out_of_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_api_store_failures, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	log_init(0);
	tu_key(1, admin_pk, admin_sk);
	tu_key(2, desk_pk, desk_sk);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
