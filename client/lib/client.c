/*
 * client.c: requests to claimd over a DEALER socket. A DEALER, not a REQ:
 * a REQ that timed out is stuck in its lockstep and cannot pipeline.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zmq.h>

#include "claim.h"
#include "internal.h"

struct claim_client {
	void *ctx;
	void *sock;
	void *mon; /* handshake events of sock */
	char endpoint[256];
	int timeout;
	uint32_t next_id;
	bool has_curve;
	struct claim_curve curve;
	int handshake; /* the last handshake failure seen, or 0 */
};

int
claim_curve_keypair(
    char public_key[PROTO_Z85_KEY_LEN + 1], char secret[PROTO_Z85_KEY_LEN + 1])
{
	return zmq_curve_keypair(public_key, secret) == 0 ? PROTO_OK
							  : PROTO_EKEY;
}

void
claim_ipv6_for(void *sock, const char *endpoint)
{
	int one = 1;

	if (strncmp(endpoint, "tcp://[", 7) == 0)
		zmq_setsockopt(sock, ZMQ_IPV6, &one, sizeof(one));
}

/* Makes sock a CurveZMQ client of the daemon. */
int
claim_client_secure(const struct claim_client *c, void *sock)
{
	if (!c->has_curve)
		return PROTO_OK;
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, c->curve.server,
		PROTO_Z85_KEY_LEN) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->curve.public_key,
		PROTO_Z85_KEY_LEN) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->curve.secret,
		PROTO_Z85_KEY_LEN) != 0)
		return PROTO_EKEY;
	return PROTO_OK;
}

/* Takes handshake failures from the monitor; the last one stays. */
static void
watch_handshake(struct claim_client *c)
{
	for (;;) {
		uint8_t ev[6];
		char ep[256];
		uint16_t event;

		if (zmq_recv(c->mon, ev, sizeof(ev), ZMQ_DONTWAIT) < 0)
			return;
		if (zmq_recv(c->mon, ep, sizeof(ep), 0) < 0)
			return;
		memcpy(&event, ev, sizeof(event));
		c->handshake = event;
	}
}

/*
 * True once claimd has refused this client's CurveZMQ key. libzmq takes
 * that refusal as final: it does not connect again, so no reply can come,
 * and a send may block for the whole timeout for want of a connection.
 * Any other handshake failure (the daemon going away mid-handshake, say)
 * may pass.
 */
static bool
key_refused(struct claim_client *c)
{
	watch_handshake(c);
	return c->handshake == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
}

int
claim_client_handshake_failed(struct claim_client *c)
{
	if (key_refused(c))
		return PROTO_EUNAUTHORIZED;
	if (c->handshake != 0)
		return PROTO_EPROTOCOL;
	return PROTO_OK;
}

int
claim_client_open(const char *endpoint, int timeout_ms,
    const struct claim_curve *curve, struct claim_client **out, char *err,
    size_t errlen)
{
	struct claim_client *c;
	char mon[64];
	int zero = 0;
	int64_t max = PROTO_WIRE_REPLY_MAX;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return PROTO_ENOMEM;
	snprintf(c->endpoint, sizeof(c->endpoint), "%s", endpoint);
	c->timeout = timeout_ms > 0 ? timeout_ms : CLAIM_DEFAULT_TIMEOUT;
	c->next_id = 1;
	if ((c->ctx = zmq_ctx_new()) == NULL ||
	    (c->sock = zmq_socket(c->ctx, ZMQ_DEALER)) == NULL)
		goto fail;
	zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &max, sizeof(max));
	claim_ipv6_for(c->sock, endpoint);
	/* A DEALER with no peer (refused, or not there yet) blocks on send:
	 * never longer than a reply may take. */
	zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &c->timeout, sizeof(c->timeout));
	if (curve != NULL) {
		c->curve = *curve;
		c->has_curve = true;
		if (claim_client_secure(c, c->sock) != PROTO_OK) {
			proto_fail(
			    err, errlen, PROTO_EKEY, "unusable CurveZMQ keys");
			claim_client_close(c);
			return PROTO_EKEY;
		}
	}
	/* To tell "refused our key" from "not there". */
	snprintf(mon, sizeof(mon), "inproc://claim-monitor-%p", (void *)c);
	if (zmq_socket_monitor(c->sock, mon,
		ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
		    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
		    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    (c->mon = zmq_socket(c->ctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(c->mon, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
	    zmq_connect(c->mon, mon) != 0)
		goto fail;
	if (zmq_connect(c->sock, endpoint) != 0)
		goto fail;
	*out = c;
	return PROTO_OK;
fail:
	proto_fail(err, errlen, PROTO_EINVAL, "cannot use endpoint \"%s\": %s",
	    endpoint, zmq_strerror(errno));
	claim_client_close(c);
	return PROTO_EINVAL;
}

void
claim_client_close(struct claim_client *c)
{
	if (c == NULL)
		return;
	if (c->sock != NULL)
		zmq_close(c->sock);
	if (c->mon != NULL)
		zmq_close(c->mon);
	sodium_memzero(c->curve.secret, sizeof(c->curve.secret));
	if (c->ctx != NULL)
		zmq_ctx_term(c->ctx);
	free(c);
}

const char *
claim_client_endpoint(const struct claim_client *c)
{
	return c->endpoint;
}

int
claim_client_timeout(const struct claim_client *c)
{
	return c->timeout;
}

int
claim_client_send(
    struct claim_client *c, int op, const void *body, size_t len, uint32_t *id)
{
	return claim_client_send_flags(c, op, 0, body, len, id);
}

int
claim_client_send_flags(struct claim_client *c, int op, uint16_t flags,
    const void *body, size_t len, uint32_t *id)
{
	struct proto_wire_header h = {
	    PROTO_WIRE_VERSION, (uint8_t)op, flags, c->next_id++};
	uint8_t hdr[PROTO_WIRE_HEADER_LEN];

	if (c->next_id == 0)
		c->next_id = 1;
	proto_wire_header_put(hdr, &h);
	if (key_refused(c))
		return PROTO_EUNREACHABLE;
	if (zmq_send(c->sock, hdr, sizeof(hdr), ZMQ_SNDMORE) < 0 ||
	    zmq_send(c->sock, body, len, 0) < 0)
		return PROTO_EUNREACHABLE;
	if (id != NULL)
		*id = h.id;
	return PROTO_OK;
}

void
claim_reply_release(struct claim_reply *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Picks the error fields out of an error reply's body. */
static void
parse_error(struct claim_reply *r)
{
	struct proto_field f[] = {
	    {"error", PROTO_F_TEXT, false},
	    {"message", PROTO_F_TEXT, false},
	    {"head", PROTO_F_HASH, false},
	    {"version", PROTO_F_UINT, false},
	    {"claim", PROTO_F_HASH, false},
	    {"index", PROTO_F_UINT, false},
	};
	struct proto_cbor_rd rd;

	snprintf(
	    r->message, sizeof(r->message), "%s", proto_strerror(r->status));
	proto_cbor_rd_init(&rd, r->body, r->len);
	if (proto_cbor_rd_fields(&rd, f, 6, true, PROTO_EPROTOCOL, NULL, 0) !=
	    PROTO_OK)
		return;
	if (f[4].present && f[5].present) {
		r->has_claim = true;
		memcpy(r->claim, f[4].ptr, PROTO_HASH_LEN);
		r->head_index = f[5].u;
	}
	if (f[1].present)
		snprintf(r->message, sizeof(r->message), "%.*s", (int)f[1].len,
		    (const char *)f[1].ptr);
	if (f[2].present) {
		r->has_head = true;
		memcpy(r->head, f[2].ptr, PROTO_HASH_LEN);
		r->head_version = f[3].u;
	}
}

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Waits up to timeout_ms for a reply to be readable: true if one is. A
 * refused key ends the wait at once.
 */
static bool
wait_readable(struct claim_client *c, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		zmq_pollitem_t items[] = {
		    {c->sock, 0, ZMQ_POLLIN, 0}, {c->mon, 0, ZMQ_POLLIN, 0}};
		int64_t left = deadline - now_ms();
		int n;

		if (key_refused(c))
			return false;
		n = zmq_poll(items, 2, left > 0 ? (long)left : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (items[0].revents & ZMQ_POLLIN)
			return true;
		if (!(items[1].revents & ZMQ_POLLIN) && left <= 0)
			return false;
	}
}

int
claim_client_recv(struct claim_client *c, int timeout_ms, struct claim_reply *r)
{
	struct proto_wire_header h;
	zmq_msg_t hdr, body;
	int rc;

	memset(r, 0, sizeof(*r));
	if (timeout_ms < 0)
		timeout_ms = c->timeout;
	zmq_msg_init(&hdr);
	zmq_msg_init(&body);
	/* A reply already here is taken without a poll (a system call). */
	if (zmq_msg_recv(&hdr, c->sock, ZMQ_DONTWAIT) < 0) {
		rc = PROTO_EUNREACHABLE;
		if (errno != EAGAIN)
			goto cleanup;
		if (!wait_readable(c, timeout_ms))
			goto cleanup;
		rc = PROTO_EPROTOCOL;
		if (zmq_msg_recv(&hdr, c->sock, 0) < 0)
			goto cleanup;
	}
	rc = PROTO_EPROTOCOL;
	if (!zmq_msg_more(&hdr) || zmq_msg_recv(&body, c->sock, 0) < 0 ||
	    zmq_msg_more(&body)) {
		/* Skip whatever else the message holds. */
		while (
		    zmq_msg_more(&body) && zmq_msg_recv(&body, c->sock, 0) >= 0)
			;
		goto cleanup;
	}
	if (proto_wire_header_get(zmq_msg_data(&hdr), zmq_msg_size(&hdr), &h) !=
		PROTO_OK ||
	    proto_cbor_check(zmq_msg_data(&body), zmq_msg_size(&body), 8, NULL,
		NULL, 0) != PROTO_OK)
		goto cleanup;
	r->id = h.id;
	r->op = h.op;
	r->status = h.status;
	r->len = zmq_msg_size(&body);
	if ((r->body = malloc(r->len ? r->len : 1)) == NULL) {
		rc = PROTO_ENOMEM;
		goto cleanup;
	}
	memcpy(r->body, zmq_msg_data(&body), r->len);
	if (r->status != PROTO_OK)
		parse_error(r);
	rc = PROTO_OK;
cleanup:
	zmq_msg_close(&hdr);
	zmq_msg_close(&body);
	return rc;
}

/* The reply to request id, dropping others. */
static int
recv_id(struct claim_client *c, uint32_t id, struct claim_reply *r)
{
	int rc;

	/*
	 * Replies to requests that timed out earlier, or that a feed asked
	 * for ahead and then did not need, may still arrive.
	 */
	while ((rc = claim_client_recv(c, -1, r)) == PROTO_OK && r->id != id)
		claim_reply_release(r);
	return rc;
}

/*
 * Entries
 */

static int
bad_signature(const struct claim_entry *e, char *err, size_t errlen)
{
	return proto_fail(err, errlen, PROTO_ESIGNATURE,
	    "entry %llu: signature does not verify",
	    (unsigned long long)e->index);
}

void
claim_entry_set_claim(struct claim_entry *e)
{
	if (e->payload.kind == PROTO_KIND_CLAIM)
		memcpy(e->claim,
		    e->payload.claim.version == 1 ? e->hash
						  : e->payload.claim.claim,
		    PROTO_HASH_LEN);
}

int
claim_entry_open(struct claim_entry *e, uint64_t index, const uint8_t *bytes,
    size_t len, bool verify, char *err, size_t errlen)
{
	int rc;

	memset(e, 0, sizeof(*e));
	if ((e->bytes = malloc(len ? len : 1)) == NULL)
		return PROTO_ENOMEM;
	memcpy(e->bytes, bytes, len);
	e->len = len;
	e->index = index;
	proto_record_hash(bytes, len, e->hash);
	if ((rc = proto_record_parse(e->bytes, len, &e->rec, err, errlen)) !=
	    PROTO_OK)
		goto fail;
	if (verify && (rc = proto_record_verify(&e->rec)) != PROTO_OK) {
		bad_signature(e, err, errlen);
		goto fail;
	}
	if ((rc = proto_record_payload(&e->rec, &e->payload, err, errlen)) !=
	    PROTO_OK)
		goto fail;
	claim_entry_set_claim(e);
	return PROTO_OK;
fail:
	free(e->bytes);
	memset(e, 0, sizeof(*e));
	return rc;
}

/*
 * Signatures of many entries (a page of a list, a history) are checked on
 * every core, on the pool: they are most of what a narrative diff over
 * 100,000 claims costs. Each stripe takes every nt-th entry and stops at
 * its first bad one, so the smallest of the stripes' first failures is
 * the first of all.
 */
#define VERIFY_STRIPES_MAX 8

struct verify_stripe {
	struct claim_job job; /* first: the job is the stripe */
	const struct claim_entry *e;
	size_t from, to, step;
	size_t bad; /* first entry that does not verify, or SIZE_MAX */
};

static void
verify_stripe(struct claim_job *j)
{
	struct verify_stripe *v = (struct verify_stripe *)j;

	v->bad = SIZE_MAX;
	for (size_t k = v->from; k < v->to; k += v->step)
		if (proto_record_verify(&v->e[k].rec) != PROTO_OK) {
			v->bad = k;
			break;
		}
}

/* PROTO_OK, or PROTO_ESIGNATURE with the first entry that fails in *bad. */
static int
verify_entries(const struct claim_entry *e, size_t n, size_t *bad)
{
	struct verify_stripe v[VERIFY_STRIPES_MAX];
	struct claim_pool pool;
	size_t cores = (size_t)claim_pool_cores();
	size_t nt = cores > VERIFY_STRIPES_MAX ? VERIFY_STRIPES_MAX : cores;

	/* A thread is worth it for some dozens of signatures, not for one. */
	if (nt > n / 32 + 1)
		nt = n / 32 + 1;
	*bad = SIZE_MAX;
	if (nt == 1) {
		v[0] = (struct verify_stripe){{0}, e, 0, n, 1, SIZE_MAX};
		verify_stripe(&v[0].job);
		*bad = v[0].bad;
		return *bad == SIZE_MAX ? PROTO_OK : PROTO_ESIGNATURE;
	}
	claim_pool_start(&pool, (int)nt - 1);
	for (size_t t = 0; t < nt; t++) {
		v[t] = (struct verify_stripe){{0}, e, t, n, nt, SIZE_MAX};
		claim_pool_submit(&pool, &v[t].job, verify_stripe);
	}
	for (size_t t = 0; t < nt; t++) {
		claim_pool_wait(&pool, &v[t].job);
		if (v[t].bad < *bad)
			*bad = v[t].bad;
	}
	claim_pool_stop(&pool);
	return *bad == SIZE_MAX ? PROTO_OK : PROTO_ESIGNATURE;
}

void
claim_entry_release(struct claim_entry *e)
{
	proto_payload_release(&e->payload);
	free(e->bytes);
	memset(e, 0, sizeof(*e));
}

void
claim_entries_free(struct claim_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		claim_entry_release(&e[i]);
	free(e);
}

/*
 * Request helpers
 */

int
claim_client_explain(struct claim_client *c, int rc, char *err, size_t errlen)
{
	int hs = claim_client_handshake_failed(c);

	if (hs == PROTO_EUNAUTHORIZED)
		return proto_fail(err, errlen, hs,
		    "claimd at %s refused this client's CurveZMQ key (not on "
		    "its allowlist)",
		    c->endpoint);
	if (hs != PROTO_OK)
		return proto_fail(err, errlen, PROTO_EUNREACHABLE,
		    "the handshake with claimd at %s failed: %s", c->endpoint,
		    c->has_curve ? "is the server key right?"
				 : "does it want CurveZMQ (--server-key)?");
	return proto_fail(err, errlen, rc,
	    "claimd at %s does not answer (waited %d ms)", c->endpoint,
	    c->timeout);
}

/*
 * The outcome of a request: rc from sending or waiting, r the reply when
 * rc is PROTO_OK. The one place an unanswered request is explained and a
 * daemon's status becomes the result.
 */
static int
outcome(struct claim_client *c, int rc, struct claim_reply *r, char *err,
    size_t errlen)
{
	if (rc == PROTO_EUNREACHABLE)
		return claim_client_explain(c, rc, err, errlen);
	if (rc != PROTO_OK)
		return proto_fail(err, errlen, rc, "bad reply from claimd");
	if (r->status != PROTO_OK) {
		/* The status, message, head and claim stay for the caller. */
		free(r->body);
		r->body = NULL;
		r->len = 0;
		return proto_fail(err, errlen, r->status, "%s", r->message);
	}
	return PROTO_OK;
}

int
claim_request(struct claim_client *c, int op, uint16_t flags, const void *body,
    size_t len, struct claim_reply *r, char *err, size_t errlen)
{
	uint32_t id;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = claim_client_send_flags(c, op, flags, body, len, &id);
	if (rc == PROTO_OK)
		rc = recv_id(c, id, r);
	return outcome(c, rc, r, err, errlen);
}

/* Calls op with body; a daemon error becomes the return code and err. */
static int
call(struct claim_client *c, int op, const struct proto_buf *body,
    struct claim_reply *r, char *err, size_t errlen)
{
	return claim_request(c, op, 0, body->data, body->len, r, err, errlen);
}

int
claim_client_wait(struct claim_client *c, uint32_t id, struct claim_reply *r,
    char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	return outcome(c, recv_id(c, id, r), r, err, errlen);
}

/* {"key": text} plus an optional unsigned. */
static int
body_text(struct proto_buf *b, const char *key, const char *text,
    const char *ukey, uint64_t u)
{
	size_t start, n = 0;
	int rc;

	if ((rc = proto_cbor_map_begin(b, &start)) != PROTO_OK)
		return rc;
	if (key != NULL) {
		if ((rc = proto_cbor_put_str(b, key)) ||
		    (rc = proto_cbor_put_str(b, text)))
			return rc;
		n++;
	}
	if (ukey != NULL) {
		if ((rc = proto_cbor_put_str(b, ukey)) ||
		    (rc = proto_cbor_put_uint(b, u)))
			return rc;
		n++;
	}
	return proto_cbor_map_end(b, start, n);
}

/* Reads the reply body's map into a field table. */
static int
reply_fields(const struct claim_reply *r, struct proto_field *f, size_t n,
    char *err, size_t errlen)
{
	struct proto_cbor_rd rd;

	proto_cbor_rd_init(&rd, r->body, r->len);
	return proto_cbor_rd_fields(
	    &rd, f, n, true, PROTO_EPROTOCOL, err, errlen);
}

static int
get(struct claim_client *c, struct proto_buf *body, struct claim_entry *e,
    struct claim_info *info, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"index", PROTO_F_UINT, true},
	    {"record", PROTO_F_BYTES, true},
	    {"claim", PROTO_F_HASH, false},
	    {"first", PROTO_F_UINT, false},
	    {"head", PROTO_F_UINT, false},
	};
	struct claim_reply r;
	int rc;

	if ((rc = call(c, PROTO_OP_GET, body, &r, err, errlen)) != PROTO_OK)
		return rc;
	if ((rc = reply_fields(&r, f, 5, err, errlen)) == PROTO_OK)
		rc = claim_entry_open(
		    e, f[0].u, f[1].ptr, f[1].len, true, err, errlen);
	if (rc == PROTO_OK && info != NULL) {
		memset(info, 0, sizeof(*info));
		if (f[2].present)
			memcpy(info->id, f[2].ptr, PROTO_HASH_LEN);
		info->first = f[3].u;
		info->version = f[4].u;
	}
	claim_reply_release(&r);
	return rc;
}

int
claim_get(struct claim_client *c, const char *ref, uint64_t version,
    struct claim_entry *e, struct claim_info *info, char *err, size_t errlen)
{
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = body_text(&b, "id", ref, version ? "version" : NULL,
		 version)) == PROTO_OK)
		rc = get(c, &b, e, info, err, errlen);
	proto_buf_release(&b);
	return rc;
}

int
claim_get_index(struct claim_client *c, uint64_t index, struct claim_entry *e,
    char *err, size_t errlen)
{
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = body_text(&b, NULL, NULL, "index", index)) == PROTO_OK)
		rc = get(c, &b, e, NULL, err, errlen);
	proto_buf_release(&b);
	return rc;
}

int
claim_resolve(struct claim_client *c, const char *ref,
    uint8_t id[PROTO_HASH_LEN], char *err, size_t errlen)
{
	struct claim_entry e;
	struct claim_info info;
	int rc;

	if ((rc = claim_get(c, ref, 0, &e, &info, err, errlen)) != PROTO_OK)
		return rc;
	if (e.payload.kind != PROTO_KIND_CLAIM)
		rc = proto_fail(err, errlen, PROTO_ENOTFOUND,
		    "%s is a registry record, not a claim", ref);
	else
		memcpy(id, e.claim, PROTO_HASH_LEN);
	claim_entry_release(&e);
	return rc;
}

int
claim_read_entries(struct proto_cbor_rd *rd, bool verify,
    struct claim_entry **out, size_t *n, char *err, size_t errlen)
{
	struct claim_entry *e;
	size_t count, k, two;
	int rc = PROTO_OK;

	*out = NULL;
	*n = 0;
	if (proto_cbor_rd_array(rd, &count) != 0)
		return proto_fail(
		    err, errlen, PROTO_EPROTOCOL, "entries must be an array");
	if (count == 0)
		return PROTO_OK;
	if (count > (size_t)(rd->end - rd->p))
		return proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "reply claims %zu entries", count);
	if ((e = calloc(count, sizeof(*e))) == NULL)
		return PROTO_ENOMEM;
	for (k = 0; k < count; k++) {
		const uint8_t *rec;
		uint64_t index;
		size_t len;

		if (proto_cbor_rd_array(rd, &two) != 0 || two != 2 ||
		    proto_cbor_rd_uint(rd, &index) != 0 ||
		    proto_cbor_rd_bytes(rd, &rec, &len) != 0) {
			rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "entry %zu is not [index, record]", k);
			break;
		}
		if ((rc = claim_entry_open(&e[k], index, rec, len, false, err,
			 errlen)) != PROTO_OK)
			break;
	}
	if (rc == PROTO_OK && verify) {
		size_t bad;

		if (verify_entries(e, count, &bad) != PROTO_OK)
			rc = bad_signature(&e[bad], err, errlen);
	}
	if (rc != PROTO_OK) {
		claim_entries_free(e, k);
		return rc;
	}
	*out = e;
	*n = count;
	return PROTO_OK;
}

int
claim_history(struct claim_client *c, const char *ref, struct claim_entry **out,
    size_t *n, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"claim", PROTO_F_HASH, true},
	    {"versions", PROTO_F_ARRAY, true},
	};
	struct claim_reply r;
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	rc = body_text(&b, "id", ref, NULL, 0);
	if (rc == PROTO_OK)
		rc = call(c, PROTO_OP_HISTORY, &b, &r, err, errlen);
	proto_buf_release(&b);
	if (rc != PROTO_OK)
		return rc;
	if ((rc = reply_fields(&r, f, 2, err, errlen)) == PROTO_OK)
		rc = claim_read_entries(&f[1].sub, true, out, n, err, errlen);
	claim_reply_release(&r);
	return rc;
}

int
claim_range_send(struct claim_client *c, uint64_t from, uint64_t count,
    const char *party, const char *topic, uint32_t *id, char *err,
    size_t errlen)
{
	struct proto_buf b;
	size_t start, np = 2;
	int rc;

	proto_buf_init(&b);
	if ((rc = proto_cbor_map_begin(&b, &start)) ||
	    (rc = proto_cbor_put_str(&b, "from")) ||
	    (rc = proto_cbor_put_uint(&b, from)) ||
	    (rc = proto_cbor_put_str(&b, "count")) ||
	    (rc = proto_cbor_put_uint(&b, count)))
		goto cleanup;
	if (party != NULL &&
	    ((rc = proto_cbor_put_str(&b, "party")) ||
		(rc = proto_cbor_put_str(&b, party)) || (np++, 0)))
		goto cleanup;
	if (topic != NULL &&
	    ((rc = proto_cbor_put_str(&b, "topic")) ||
		(rc = proto_cbor_put_str(&b, topic)) || (np++, 0)))
		goto cleanup;
	if ((rc = proto_cbor_map_end(&b, start, np)) == PROTO_OK &&
	    (rc = claim_client_send(c, PROTO_OP_RANGE, b.data, b.len, id)) !=
		PROTO_OK)
		rc = outcome(c, rc, NULL, err, errlen);
cleanup:
	proto_buf_release(&b);
	return rc;
}

int
claim_range_wait(struct claim_client *c, uint32_t id, uint64_t from,
    struct claim_range_reply *rr, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"size", PROTO_F_UINT, true},
	    {"next", PROTO_F_UINT, true},
	    {"entries", PROTO_F_ARRAY, true},
	};
	struct proto_cbor_rd peek;
	size_t n;
	int rc;

	if ((rc = claim_client_wait(c, id, &rr->r, err, errlen)) != PROTO_OK)
		return rc;
	/* Past the end, next is the size: only entries may not go back. */
	if ((rc = reply_fields(&rr->r, f, 3, err, errlen)) == PROTO_OK &&
	    f[1].u < from &&
	    (peek = f[2].sub, proto_cbor_rd_array(&peek, &n)) == 0 && n > 0)
		rc = proto_fail(
		    err, errlen, PROTO_EPROTOCOL, "range went backwards");
	if (rc != PROTO_OK) {
		claim_reply_release(&rr->r);
		return rc;
	}
	rr->size = f[0].u;
	rr->next = f[1].u;
	rr->entries = f[2].sub;
	return PROTO_OK;
}

int
claim_range(struct claim_client *c, uint64_t from, uint64_t count,
    const char *party, const char *topic, struct claim_entry **out, size_t *n,
    uint64_t *next, uint64_t *size, char *err, size_t errlen)
{
	struct claim_range_reply rr;
	uint32_t id = 0;
	int rc;

	if ((rc = claim_range_send(
		 c, from, count, party, topic, &id, err, errlen)) ||
	    (rc = claim_range_wait(c, id, from, &rr, err, errlen)))
		return rc;
	rc = claim_read_entries(&rr.entries, false, out, n, err, errlen);
	*next = rr.next;
	*size = rr.size;
	claim_reply_release(&rr.r);
	return rc;
}

/*
 * One reply of LIST: its claims opened, their signatures checked together,
 * then handed to fn in order, up to the first that does not verify.
 * Returns -1 if fn asked to stop.
 */
static int
list_page(struct proto_cbor_rd *rd, size_t count, claim_list_fn fn, void *ctx,
    char *err, size_t errlen)
{
	struct claim_entry *e;
	uint64_t *first;
	size_t k, bad = SIZE_MAX;
	int rc = PROTO_OK;

	if (count == 0)
		return PROTO_OK;
	/* Each entry takes bytes: a count beyond them is a lie. */
	if (count > (size_t)(rd->end - rd->p))
		return proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "list reply claims %zu entries", count);
	e = calloc(count, sizeof(*e));
	first = calloc(count, sizeof(*first));
	if (e == NULL || first == NULL) {
		free(e);
		free(first);
		return PROTO_ENOMEM;
	}
	for (k = 0; k < count; k++) {
		const uint8_t *id, *rec;
		uint64_t head;
		size_t idlen, len, four;

		if (proto_cbor_rd_array(rd, &four) != 0 || four != 4 ||
		    proto_cbor_rd_bytes(rd, &id, &idlen) != 0 ||
		    proto_cbor_rd_uint(rd, &first[k]) != 0 ||
		    proto_cbor_rd_uint(rd, &head) != 0 ||
		    proto_cbor_rd_bytes(rd, &rec, &len) != 0) {
			rc = proto_fail(
			    err, errlen, PROTO_EPROTOCOL, "bad list entry");
			break;
		}
		if ((rc = claim_entry_open(&e[k], head, rec, len, false, err,
			 errlen)) != PROTO_OK)
			break;
	}
	/* What came before a bad entry is still handed on. */
	if (verify_entries(e, k, &bad) != PROTO_OK)
		rc = bad_signature(&e[bad], err, errlen);
	for (size_t i = 0; i < k && i < bad; i++)
		if (fn(ctx, &e[i], first[i]) != 0) {
			rc = -1;
			break;
		}
	claim_entries_free(e, k);
	free(first);
	return rc;
}

int
claim_list(struct claim_client *c, const char *party, const char *topic,
    claim_list_fn fn, void *ctx, char *err, size_t errlen)
{
	uint64_t from = 0;
	int rc;

	for (;;) {
		struct proto_field f[] = {
		    {"claims", PROTO_F_ARRAY, true},
		    {"next", PROTO_F_UINT, false},
		};
		struct claim_reply r;
		struct proto_buf b;
		size_t start, n = 1, count;

		proto_buf_init(&b);
		if ((rc = proto_cbor_map_begin(&b, &start)) ||
		    (rc = proto_cbor_put_str(&b, "from")) ||
		    (rc = proto_cbor_put_uint(&b, from)))
			goto next;
		if (party != NULL &&
		    ((rc = proto_cbor_put_str(&b, "party")) ||
			(rc = proto_cbor_put_str(&b, party)) || (n++, 0)))
			goto next;
		if (topic != NULL &&
		    ((rc = proto_cbor_put_str(&b, "topic")) ||
			(rc = proto_cbor_put_str(&b, topic)) || (n++, 0)))
			goto next;
		if ((rc = proto_cbor_map_end(&b, start, n)) ||
		    (rc = call(c, PROTO_OP_LIST, &b, &r, err, errlen)))
			goto next;
		if ((rc = reply_fields(&r, f, 2, err, errlen)) != PROTO_OK ||
		    proto_cbor_rd_array(&f[0].sub, &count) != 0) {
			rc = rc ? rc : PROTO_EPROTOCOL;
			claim_reply_release(&r);
			goto next;
		}
		rc = list_page(&f[0].sub, count, fn, ctx, err, errlen);
		from = f[1].u;
		n = f[1].present;
		claim_reply_release(&r);
		proto_buf_release(&b);
		if (rc != PROTO_OK || !n)
			return rc < 0 ? PROTO_OK : rc;
		continue;
	next:
		proto_buf_release(&b);
		return rc;
	}
}

int
claim_ack_parse(const struct claim_reply *r, struct claim_ack *a)
{
	struct proto_field f[] = {
	    {"index", PROTO_F_UINT, true},
	    {"hash", PROTO_F_HASH, true},
	    {"existed", PROTO_F_BOOL, true},
	    {"claim", PROTO_F_HASH, false},
	    {"version", PROTO_F_UINT, false},
	};
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = reply_fields(r, f, 5, NULL, 0)) != PROTO_OK)
		return rc;
	a->index = f[0].u;
	memcpy(a->hash, f[1].ptr, PROTO_HASH_LEN);
	a->existed = f[2].u != 0;
	if ((a->is_claim = f[3].present)) {
		memcpy(a->claim, f[3].ptr, PROTO_HASH_LEN);
		a->version = f[4].u;
	}
	return PROTO_OK;
}
