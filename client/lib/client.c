/*
 * client.c: requests to claimd over a DEALER socket. A DEALER, not a REQ:
 * a REQ that timed out is stuck in its lockstep and cannot pipeline.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
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
	struct proto_error_rep e;

	snprintf(
	    r->message, sizeof(r->message), "%s", proto_strerror(r->status));
	if (proto_msg_decode(&proto_error_def, r->body, r->len, &e, NULL, 0) !=
	    PROTO_OK)
		return;
	if (e.has_claim && e.has_index) {
		r->has_claim = true;
		memcpy(r->claim, e.claim, PROTO_HASH_LEN);
		r->head_index = e.index;
	}
	snprintf(r->message, sizeof(r->message), "%.*s",
	    (int)sizeof(r->message) - 1, e.message);
	if (e.has_head) {
		r->has_head = true;
		memcpy(r->head, e.head, PROTO_HASH_LEN);
		r->head_version = e.version;
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

int
claim_client_call(struct claim_client *c, int op, const void *body, size_t len,
    struct claim_reply *r)
{
	uint32_t id;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = claim_client_send(c, op, body, len, &id)) != PROTO_OK)
		return rc;
	return recv_id(c, id, r);
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
 * every core: they are most of what a narrative diff over 100,000 claims
 * costs. Each thread takes every nt-th entry and stops at its first bad
 * one, so the smallest of the threads' first failures is the first of all.
 */
#define VERIFY_THREADS_MAX 8

struct verify_stripe {
	const struct claim_entry *e;
	size_t from, to, step;
	size_t bad; /* first entry that does not verify, or SIZE_MAX */
};

static void *
verify_stripe(void *arg)
{
	struct verify_stripe *v = arg;

	v->bad = SIZE_MAX;
	for (size_t k = v->from; k < v->to; k += v->step)
		if (proto_record_verify(&v->e[k].rec) != PROTO_OK) {
			v->bad = k;
			break;
		}
	return NULL;
}

/* PROTO_OK, or PROTO_ESIGNATURE with the first entry that fails in *bad. */
static int
verify_entries(const struct claim_entry *e, size_t n, size_t *bad)
{
	struct verify_stripe v[VERIFY_THREADS_MAX];
	pthread_t th[VERIFY_THREADS_MAX];
	bool started[VERIFY_THREADS_MAX] = {false};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt = cores < 1            ? 1
	    : cores > VERIFY_THREADS_MAX ? VERIFY_THREADS_MAX
					 : (size_t)cores;

	/* A thread is worth it for some dozens of signatures, not for one. */
	if (nt > n / 32 + 1)
		nt = n / 32 + 1;
	for (size_t t = 0; t < nt; t++) {
		v[t] = (struct verify_stripe){e, t, n, nt, SIZE_MAX};
		if (t > 0)
			started[t] = pthread_create(&th[t], NULL, verify_stripe,
					 &v[t]) == 0;
	}
	verify_stripe(&v[0]);
	*bad = v[0].bad;
	for (size_t t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			verify_stripe(&v[t]); /* no thread: do it here */
		if (v[t].bad < *bad)
			*bad = v[t].bad;
	}
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

/* The outcome of a request, rc, in err; a daemon error is the code. */
static int
outcome(struct claim_client *c, int rc, struct claim_reply *r, char *err,
    size_t errlen)
{
	if (rc == PROTO_EUNREACHABLE)
		return claim_client_explain(c, rc, err, errlen);
	if (rc != PROTO_OK)
		return proto_fail(err, errlen, rc, "bad reply from claimd");
	if (r->status != PROTO_OK) {
		rc = proto_fail(err, errlen, r->status, "%s", r->message);
		claim_reply_release(r);
		return rc;
	}
	return PROTO_OK;
}

/* Calls op with body; a daemon error becomes the return code and err. */
static int
call(struct claim_client *c, int op, const struct proto_buf *body,
    struct claim_reply *r, char *err, size_t errlen)
{
	return outcome(c, claim_client_call(c, op, body->data, body->len, r), r,
	    err, errlen);
}

int
claim_client_wait(struct claim_client *c, uint32_t id, struct claim_reply *r,
    char *err, size_t errlen)
{
	return outcome(c, recv_id(c, id, r), r, err, errlen);
}

/* The request body of op from its struct q. */
static int
request_body(int op, const void *q, struct proto_buf *b)
{
	return proto_msg_encode(&proto_ops[op].req, q, b);
}

/* Decodes the reply to op into its struct rep. */
static int
reply_decode(
    int op, const struct claim_reply *r, void *rep, char *err, size_t errlen)
{
	return proto_msg_decode(
	    &proto_ops[op].rep, r->body, r->len, rep, err, errlen);
}

static int
get(struct claim_client *c, struct proto_buf *body, struct claim_entry *e,
    struct claim_info *info, char *err, size_t errlen)
{
	struct proto_get_rep rep;
	struct claim_reply r;
	int rc;

	if ((rc = call(c, PROTO_OP_GET, body, &r, err, errlen)) != PROTO_OK)
		return rc;
	if ((rc = reply_decode(PROTO_OP_GET, &r, &rep, err, errlen)) ==
	    PROTO_OK)
		rc = claim_entry_open(e, rep.index, rep.record.p,
		    rep.record.len, true, err, errlen);
	if (rc == PROTO_OK && info != NULL) {
		memset(info, 0, sizeof(*info));
		if (rep.has_claim)
			memcpy(info->id, rep.claim, PROTO_HASH_LEN);
		info->first = rep.first;
		info->version = rep.head;
	}
	claim_reply_release(&r);
	return rc;
}

int
claim_get(struct claim_client *c, const char *ref, uint64_t version,
    struct claim_entry *e, struct claim_info *info, char *err, size_t errlen)
{
	struct proto_get_req q = {
	    .has_version = version != 0, .version = version, .has_id = true};
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = proto_msg_text(q.id, sizeof(q.id), "id", ref, err, errlen)) ==
		PROTO_OK &&
	    (rc = request_body(PROTO_OP_GET, &q, &b)) == PROTO_OK)
		rc = get(c, &b, e, info, err, errlen);
	proto_buf_release(&b);
	return rc;
}

int
claim_get_index(struct claim_client *c, uint64_t index, struct claim_entry *e,
    char *err, size_t errlen)
{
	struct proto_get_req q = {.has_index = true, .index = index};
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = request_body(PROTO_OP_GET, &q, &b)) == PROTO_OK)
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
claim_read_entries(const struct proto_rows *rows, bool verify,
    struct claim_entry **out, size_t *n, char *err, size_t errlen)
{
	struct proto_rows_rd rd;
	struct proto_row_entry row;
	struct claim_entry *e;
	size_t count = rows->n, k;
	int rc = PROTO_OK;

	*out = NULL;
	*n = 0;
	if (count == 0)
		return PROTO_OK;
	/* Each entry takes bytes: a count beyond them is a lie. */
	if (count > rows->len)
		return proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "reply claims %zu entries", count);
	if ((e = calloc(count, sizeof(*e))) == NULL)
		return PROTO_ENOMEM;
	proto_rows_rd_init(&rd, &proto_row_entry_def, rows);
	for (k = 0; k < count; k++) {
		if (proto_rows_next(&rd, &row) != 1) {
			rc = proto_fail(err, errlen, PROTO_EPROTOCOL,
			    "entry %zu is not [index, record]", k);
			break;
		}
		if ((rc = claim_entry_open(&e[k], row.index, row.record.p,
			 row.record.len, false, err, errlen)) != PROTO_OK)
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
	struct proto_history_req q;
	struct proto_history_rep rep;
	struct claim_reply r;
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = proto_msg_text(q.id, sizeof(q.id), "id", ref, err, errlen)) ==
		PROTO_OK &&
	    (rc = request_body(PROTO_OP_HISTORY, &q, &b)) == PROTO_OK)
		rc = call(c, PROTO_OP_HISTORY, &b, &r, err, errlen);
	proto_buf_release(&b);
	if (rc != PROTO_OK)
		return rc;
	if ((rc = reply_decode(PROTO_OP_HISTORY, &r, &rep, err, errlen)) ==
	    PROTO_OK)
		rc = claim_read_entries(
		    &rep.versions, true, out, n, err, errlen);
	claim_reply_release(&r);
	return rc;
}

int
claim_range_send(struct claim_client *c, uint64_t from, uint64_t count,
    const char *party, const char *topic, uint32_t *id, char *err,
    size_t errlen)
{
	struct proto_range_req q = {.from = from,
	    .count = count,
	    .has_party = party != NULL,
	    .has_topic = topic != NULL};
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((party == NULL ||
		(rc = proto_msg_text(q.party, sizeof(q.party), "party", party,
		     err, errlen)) == PROTO_OK) &&
	    (topic == NULL ||
		(rc = proto_msg_text(q.topic, sizeof(q.topic), "topic", topic,
		     err, errlen)) == PROTO_OK) &&
	    (rc = request_body(PROTO_OP_RANGE, &q, &b)) == PROTO_OK &&
	    (rc = claim_client_send(c, PROTO_OP_RANGE, b.data, b.len, id)) !=
		PROTO_OK)
		rc = claim_client_explain(c, rc, err, errlen);
	proto_buf_release(&b);
	return rc;
}

int
claim_range_wait(struct claim_client *c, uint32_t id, uint64_t from,
    struct claim_range_reply *rr, char *err, size_t errlen)
{
	struct proto_range_rep rep;
	int rc;

	if ((rc = claim_client_wait(c, id, &rr->r, err, errlen)) != PROTO_OK)
		return rc;
	/* Past the end, next is the size: only entries may not go back. */
	if ((rc = reply_decode(PROTO_OP_RANGE, &rr->r, &rep, err, errlen)) ==
		PROTO_OK &&
	    rep.next < from && rep.entries.n > 0)
		rc = proto_fail(
		    err, errlen, PROTO_EPROTOCOL, "range went backwards");
	if (rc != PROTO_OK) {
		claim_reply_release(&rr->r);
		return rc;
	}
	rr->size = rep.size;
	rr->next = rep.next;
	rr->entries = rep.entries;
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
list_page(const struct proto_rows *rows, claim_list_fn fn, void *ctx, char *err,
    size_t errlen)
{
	struct proto_rows_rd rd;
	struct proto_row_claim row;
	struct claim_entry *e;
	uint64_t *first;
	size_t count = rows->n, k, bad = SIZE_MAX;
	int rc = PROTO_OK;

	if (count == 0)
		return PROTO_OK;
	/* Each entry takes bytes: a count beyond them is a lie. */
	if (count > rows->len)
		return proto_fail(err, errlen, PROTO_EPROTOCOL,
		    "list reply claims %zu entries", count);
	e = calloc(count, sizeof(*e));
	first = calloc(count, sizeof(*first));
	if (e == NULL || first == NULL) {
		free(e);
		free(first);
		return PROTO_ENOMEM;
	}
	proto_rows_rd_init(&rd, &proto_row_claim_def, rows);
	for (k = 0; k < count; k++) {
		if (proto_rows_next(&rd, &row) != 1) {
			rc = proto_fail(
			    err, errlen, PROTO_EPROTOCOL, "bad list entry");
			break;
		}
		first[k] = row.first;
		if ((rc = claim_entry_open(&e[k], row.head, row.record.p,
			 row.record.len, false, err, errlen)) != PROTO_OK)
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
		struct proto_list_req q = {.has_from = true,
		    .from = from,
		    .has_party = party != NULL,
		    .has_topic = topic != NULL};
		struct proto_list_rep rep;
		struct claim_reply r;
		struct proto_buf b;
		bool more;

		proto_buf_init(&b);
		if ((party != NULL &&
			(rc = proto_msg_text(q.party, sizeof(q.party), "party",
			     party, err, errlen))) ||
		    (topic != NULL &&
			(rc = proto_msg_text(q.topic, sizeof(q.topic), "topic",
			     topic, err, errlen))) ||
		    (rc = request_body(PROTO_OP_LIST, &q, &b)) ||
		    (rc = call(c, PROTO_OP_LIST, &b, &r, err, errlen)))
			goto next;
		if ((rc = reply_decode(PROTO_OP_LIST, &r, &rep, err, errlen)) !=
		    PROTO_OK) {
			claim_reply_release(&r);
			goto next;
		}
		rc = list_page(&rep.claims, fn, ctx, err, errlen);
		from = rep.next;
		more = rep.has_next;
		claim_reply_release(&r);
		proto_buf_release(&b);
		if (rc != PROTO_OK || !more)
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
	struct proto_submit_rep rep;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = reply_decode(PROTO_OP_SUBMIT, r, &rep, NULL, 0)) != PROTO_OK)
		return rc;
	a->index = rep.index;
	memcpy(a->hash, rep.hash, PROTO_HASH_LEN);
	a->existed = rep.existed;
	if ((a->is_claim = rep.has_claim)) {
		memcpy(a->claim, rep.claim, PROTO_HASH_LEN);
		a->version = rep.version;
	}
	return PROTO_OK;
}

/*
 * CBOR to JSON, for replies shown as they are (stats, proofs).
 */

static json_t *
item_to_json(struct proto_cbor_rd *rd, const char *key)
{
	const uint8_t *p;
	const char *s;
	uint64_t u;
	size_t n;
	bool bv;

	switch (proto_cbor_rd_peek(rd)) {
	case PROTO_CBOR_UINT:
		proto_cbor_rd_uint(rd, &u);
		return json_integer((json_int_t)u);
	case PROTO_CBOR_TEXT:
		proto_cbor_rd_text(rd, &s, &n);
		return json_stringn(s, n);
	case PROTO_CBOR_BYTES: {
		char *buf;
		json_t *j;

		proto_cbor_rd_bytes(rd, &p, &n);
		if ((buf = malloc(2 * n + proto_base64_len(n) + 1)) == NULL)
			return NULL;
		/* Proofs in base64 (docs/protocol.md), other bytes hex. */
		if (strcmp(key, "proof") == 0)
			proto_base64(p, n, buf);
		else
			proto_hex(p, n, buf);
		j = json_string(buf);
		free(buf);
		return j;
	}
	case PROTO_CBOR_ARRAY: {
		json_t *a = json_array();

		proto_cbor_rd_array(rd, &n);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, item_to_json(rd, key));
		return a;
	}
	case PROTO_CBOR_MAP: {
		json_t *o = json_object();

		proto_cbor_rd_map(rd, &n);
		for (size_t i = 0; i < n; i++) {
			size_t klen;
			char k[64];

			if (proto_cbor_rd_text(rd, &s, &klen) != 0) {
				json_decref(o);
				return NULL;
			}
			snprintf(k, sizeof(k), "%.*s", (int)klen, s);
			json_object_set_new(o, k, item_to_json(rd, k));
		}
		return o;
	}
	case PROTO_CBOR_SIMPLE:
		if (proto_cbor_rd_bool(rd, &bv) == 0)
			return json_boolean(bv);
		proto_cbor_rd_skip(rd);
		return json_null();
	default:
		proto_cbor_rd_skip(rd);
		return json_null();
	}
}

struct json_t *
claim_cbor_to_json(const uint8_t *p, size_t n)
{
	struct proto_cbor_rd rd;

	proto_cbor_rd_init(&rd, p, n);
	return item_to_json(&rd, "");
}
