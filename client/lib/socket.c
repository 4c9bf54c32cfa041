/*
 * socket.c: the connection to claimd, over a DEALER socket (a DEALER,
 * not a REQ: a REQ that timed out is stuck in its lockstep and cannot
 * pipeline): opening it, CurveZMQ and the handshake, sending, receiving,
 * and the one request path, claim_request().
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zmq.h>

#include "internal.h"

struct claim_client {
	void *ctx;
	void *sock;
	void *mon;          /* handshake events of sock */
	char endpoint[256]; /* the one in use */
	/* "a,b,c": the writer first, then mirrors; reads and watches move
	 * on to the next when one does not answer, submissions go to the
	 * first only. */
	char eps[CLAIM_SERVERS_MAX][256];
	int neps, cur;
	unsigned gen; /* changes each time another endpoint is taken */
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

/* "a,b": each endpoint into c->eps; -1 if one is empty or too many. */
static int
split_endpoints(struct claim_client *c, const char *list)
{
	const char *p = list;

	c->neps = 0;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(c->eps[0]) ||
		    c->neps == CLAIM_SERVERS_MAX)
			return -1;
		memcpy(c->eps[c->neps], p, n);
		c->eps[c->neps++][n] = '\0';
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

/* Moves the request socket to endpoint i of the list. */
static int
client_switch(struct claim_client *c, int i)
{
	if (i == c->cur)
		return PROTO_OK;
	zmq_disconnect(c->sock, c->eps[c->cur]);
	claim_ipv6_for(c->sock, c->eps[i]);
	if (zmq_connect(c->sock, c->eps[i]) != 0)
		return PROTO_EINVAL;
	c->cur = i;
	c->gen++;
	c->handshake = 0;
	snprintf(c->endpoint, sizeof(c->endpoint), "%s", c->eps[i]);
	return PROTO_OK;
}

unsigned
claim_client_generation(const struct claim_client *c)
{
	return c->gen;
}

int
claim_client_nservers(const struct claim_client *c)
{
	return c->neps;
}

int
claim_client_failover(struct claim_client *c)
{
	if (c->neps < 2 || key_refused(c))
		return PROTO_EUNREACHABLE;
	return client_switch(c, (c->cur + 1) % c->neps) == PROTO_OK
	    ? PROTO_OK
	    : PROTO_EUNREACHABLE;
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
	if (split_endpoints(c, endpoint) != 0) {
		free(c);
		return proto_fail(err, errlen, PROTO_EINVAL,
		    "\"%s\" is not a list of up to %d endpoints, "
		    "comma-separated",
		    endpoint, CLAIM_SERVERS_MAX);
	}
	snprintf(c->endpoint, sizeof(c->endpoint), "%s", c->eps[0]);
	endpoint = c->endpoint;
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
	/* Submissions go to the writer, the list's first, only. */
	if (op == PROTO_OP_SUBMIT && client_switch(c, 0) != PROTO_OK)
		return PROTO_EUNREACHABLE;
	proto_wire_header_put(hdr, &h);
	/* A send that would wait may be waiting for a connection a refused
	 * key never gets: look at the monitor then, not before every send
	 * (each look costs system calls). Once a message's first frame is
	 * queued, libzmq takes the rest of it without waiting. */
	if (zmq_send(c->sock, hdr, sizeof(hdr), ZMQ_SNDMORE | ZMQ_DONTWAIT) <
	    0) {
		if (errno != EAGAIN || key_refused(c) ||
		    zmq_send(c->sock, hdr, sizeof(hdr), ZMQ_SNDMORE) < 0)
			return PROTO_EUNREACHABLE;
	}
	if (zmq_send(c->sock, body, len, 0) < 0)
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
 * refused key ends the wait at once: its event wakes the poll. (The
 * monitor is read only then: each look into a socket that has nothing
 * costs libzmq system calls, and a pipelined client waits once a reply.)
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

		if (c->handshake == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			return false;
		n = zmq_poll(items, 2, left > 0 ? (long)left : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (items[0].revents & ZMQ_POLLIN)
			return true;
		if (items[1].revents & ZMQ_POLLIN)
			watch_handshake(c);
		else if (left <= 0)
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
	/* A reply already here is taken without a poll (a system call);
	 * with timeout 0, nothing here is the answer. */
	if (zmq_msg_recv(&hdr, c->sock, ZMQ_DONTWAIT) < 0) {
		rc = PROTO_EUNREACHABLE;
		if (errno != EAGAIN || timeout_ms == 0)
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
 * The request path
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
	/* A read the endpoint in use does not answer: the next ones. */
	for (int tried = 1; rc == PROTO_EUNREACHABLE && op != PROTO_OP_SUBMIT &&
	     tried < c->neps;
	     tried++) {
		if (claim_client_failover(c) != PROTO_OK)
			break;
		claim_reply_release(r);
		rc = claim_client_send_flags(c, op, flags, body, len, &id);
		if (rc == PROTO_OK)
			rc = recv_id(c, id, r);
	}
	return outcome(c, rc, r, err, errlen);
}

int
claim_client_wait(struct claim_client *c, uint32_t id, struct claim_reply *r,
    char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	return outcome(c, recv_id(c, id, r), r, err, errlen);
}
