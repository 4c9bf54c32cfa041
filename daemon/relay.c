/*
 * relay.c: claimd --relay UPSTREAM, a feed relay for many subscribers.
 *
 * The feed through libzmq's own proxy: XSUB (connected to the upstream's
 * feed) and XPUB (bound on --pub), so that the upstream sees one
 * subscriber however many connect here. The request socket through
 * ROUTER (bound on --api) and DEALER (connected to the upstream's request
 * socket), each request's id swapped for one of the relay's and back
 * (claimd's requests carry no routing envelope for zmq_proxy to keep),
 * so that a subscriber's gap repair (range requests),
 * and any other request, is answered by the upstream through the same
 * hop. The upstream may be the writer or, better, a mirror. Nothing is
 * stored here and nothing is checked: events and replies pass as they
 * are, and a client checks what it reads as it would from claimd.
 *
 * The upstream's stats reply, which names the feed to follow, is passed
 * back naming the relay's: a client of the relay follows the relay.
 *
 * CurveZMQ on either side: --curve-key and --allow make the relay's two
 * sockets CURVE servers with claimd's ZAP handler (a relay off loopback
 * needs them, as claimd does), and --upstream-key connects both upstream
 * sockets as a CURVE client with the relay's own key pair, which the
 * upstream's allowlist names. The stats reply passed back then names the
 * relay's server key, not the upstream's.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "claim.h"
#include "claimd.h"

struct proxy {
	void *front, *back, *control;
	const char *what;
	const char *feed;      /* the relay's own, for stats replies */
	const char *curve_key; /* the relay's server key, or "" */
};

static void *
proxy_main(void *arg)
{
	struct proxy *p = arg;

	if (zmq_proxy_steerable(p->front, p->back, NULL, p->control) != 0 &&
	    errno != ETERM)
		log_warnx("relay: the %s proxy stopped: %s", p->what,
		    zmq_strerror(errno));
	return NULL;
}

/* Requests in flight through the relay, by the relay's id. */
#define RELAY_SLOTS 65536

struct slot {
	uint8_t ident[IDENT_MAX];
	size_t identlen;
	uint32_t id; /* the client's */
};

/* Drops the rest of a message. */
static void
skip_rest(void *s)
{
	int more = 0;
	size_t sz = sizeof(more);
	zmq_msg_t m;

	while (zmq_getsockopt(s, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
		zmq_msg_init(&m);
		zmq_msg_recv(&m, s, 0);
		zmq_msg_close(&m);
	}
}

/* [client id, header, body] from a client, to the upstream. */
static void
up(void *front, void *back, struct slot *slots, uint32_t *next)
{
	uint8_t hdr[PROTO_WIRE_HEADER_LEN], ident[IDENT_MAX];
	struct proto_wire_header h;
	zmq_msg_t body;
	int n;

	zmq_msg_init(&body);
	if ((n = zmq_recv(front, ident, sizeof(ident), 0)) >= 0 &&
	    (size_t)n <= IDENT_MAX &&
	    zmq_recv(front, hdr, sizeof(hdr), 0) == sizeof(hdr) &&
	    zmq_msg_recv(&body, front, 0) >= 0 &&
	    proto_wire_header_get(hdr, sizeof(hdr), &h) == PROTO_OK) {
		struct slot *s = &slots[*next % RELAY_SLOTS];

		memcpy(s->ident, ident, (size_t)n);
		s->identlen = (size_t)n;
		s->id = h.id;
		h.id = (*next)++;
		if (*next == 0)
			*next = 1;
		proto_wire_header_put(hdr, &h);
		if (zmq_send(back, hdr, sizeof(hdr), ZMQ_SNDMORE) >= 0)
			zmq_msg_send(&body, back, 0);
	}
	skip_rest(front);
	zmq_msg_close(&body);
}

/*
 * A stats reply names the feed to follow: the relay's, so that a client
 * of the relay subscribes here and not upstream. NULL if it is left as
 * it came.
 */
static struct proto_buf *
stats_rewrite(zmq_msg_t *body, const struct proxy *p, struct proto_buf *b)
{
	struct proto_stats_rep *st = calloc(1, sizeof(*st));
	const struct proto_opdef *op = &proto_ops[PROTO_OP_STATS];
	struct proto_buf *out = NULL;

	if (st != NULL &&
	    proto_msg_decode(&op->rep, zmq_msg_data(body), zmq_msg_size(body),
		st, NULL, 0) == PROTO_OK) {
		snprintf(st->feed, sizeof(st->feed), "%s", p->feed);
		snprintf(
		    st->curve_key, sizeof(st->curve_key), "%s", p->curve_key);
		b->len = 0;
		if (proto_msg_encode(&op->rep, st, b) == PROTO_OK)
			out = b;
	}
	free(st);
	return out;
}

/* [header, body] from the upstream, to the client that asked. */
static void
down(const struct proxy *p, struct slot *slots, struct proto_buf *b)
{
	uint8_t hdr[PROTO_WIRE_HEADER_LEN];
	struct proto_wire_header h;
	void *front = p->front, *back = p->back;
	zmq_msg_t body;

	zmq_msg_init(&body);
	if (zmq_recv(back, hdr, sizeof(hdr), 0) == sizeof(hdr) &&
	    zmq_msg_recv(&body, back, 0) >= 0 &&
	    proto_wire_header_get(hdr, sizeof(hdr), &h) == PROTO_OK) {
		struct slot *s = &slots[h.id % RELAY_SLOTS];

		h.id = s->id;
		proto_wire_header_put(hdr, &h);
		/* A client gone or not reading loses its reply. */
		if (s->identlen > 0 &&
		    zmq_send(front, s->ident, s->identlen,
			ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
		    zmq_send(front, hdr, sizeof(hdr), ZMQ_SNDMORE) >= 0) {
			struct proto_buf *st = NULL;

			if (h.op == PROTO_OP_STATS && h.status == PROTO_OK)
				st = stats_rewrite(&body, p, b);
			if (st != NULL)
				zmq_send(front, st->data, st->len, 0);
			else
				zmq_msg_send(&body, front, 0);
		}
		s->identlen = 0;
	}
	skip_rest(back);
	zmq_msg_close(&body);
}

/* Requests from clients to the upstream, replies back, until told. */
static void *
requests_main(void *arg)
{
	struct proxy *p = arg;
	struct slot *slots = calloc(RELAY_SLOTS, sizeof(*slots));
	uint32_t next = 1;
	struct proto_buf b;

	if (slots == NULL)
		fatalx("out of memory");
	proto_buf_init(&b);
	for (;;) {
		zmq_pollitem_t items[] = {{p->front, 0, ZMQ_POLLIN, 0},
		    {p->back, 0, ZMQ_POLLIN, 0},
		    {p->control, 0, ZMQ_POLLIN, 0}};

		if (zmq_poll(items, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (items[2].revents & ZMQ_POLLIN)
			break;
		if (items[0].revents & ZMQ_POLLIN)
			up(p->front, p->back, slots, &next);
		if (items[1].revents & ZMQ_POLLIN)
			down(p, slots, &b);
	}
	free(slots);
	proto_buf_release(&b);
	return NULL;
}

static void *
sock(void *ctx, int type, int hwm)
{
	void *s = zmq_socket(ctx, type);
	int zero = 0;

	if (s == NULL)
		fatalx("zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	if (hwm > 0 &&
	    (zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm)) != 0 ||
		zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm)) != 0))
		fatalx("zmq_setsockopt: %s", zmq_strerror(errno));
	return s;
}

/* The upstream's feed endpoint, from its stats. */
static void
upstream_feed(const char *upstream, const struct claim_curve *curve, char *out,
    size_t cap)
{
	struct proto_stats_rep *st = calloc(1, sizeof(*st));
	struct claim_client *c;
	struct claim_reply r;
	char err[512];
	int rc;

	if (st == NULL)
		fatalx("out of memory");
	if ((rc = claim_client_open(upstream, CLAIM_DEFAULT_TIMEOUT, curve, &c,
		 err, sizeof(err))) != PROTO_OK)
		fatalx("relay: %s", err);
	rc = claim_call(c, PROTO_OP_STATS, &(struct proto_empty){0}, st, &r,
	    err, sizeof(err));
	if (rc != PROTO_OK)
		fatalx("relay: cannot ask %s where its feed is: %s", upstream,
		    err);
	feed_endpoint_for(upstream, st->feed, out, cap);
	claim_reply_release(&r);
	claim_client_close(c);
	free(st);
}

int
relay_run(const struct config *cfg)
{
	char feed[256], api_ep[256], pub_ep[256];
	struct claim_curve *curve = NULL;
	struct auth *auth = NULL;
	struct proxy fp, rp;
	pthread_t ft, rt;
	sigset_t mask;
	void *ctx, *fctl, *rctl;
	int sig;

	if ((ctx = zmq_ctx_new()) == NULL)
		fatalx("zmq_ctx_new: %s", zmq_strerror(errno));
	/* The ZAP handler before any CURVE socket binds. */
	if (cfg->curve_key != NULL)
		auth = auth_new(ctx, cfg->curve_key, cfg->allow);
	if (cfg->upstream_key != NULL)
		curve = curve_client_new(cfg->curve_key, cfg->upstream_key);
	upstream_feed(cfg->relay, curve, feed, sizeof(feed));
	/* The feed: every subscription goes upstream, every event down. */
	fp.what = "feed";
	fp.front = sock(ctx, ZMQ_XSUB, FEED_HWM);
	fp.back = sock(ctx, ZMQ_XPUB, cfg->feed_hwm);
	if (curve != NULL)
		curve_client_secure(curve, fp.front);
	if (auth != NULL)
		auth_secure(auth, fp.back);
	socket_limits(fp.back, cfg->feed_hwm, FEED_IN_MAX);
	if (zmq_connect(fp.front, feed) != 0)
		fatalx("relay: cannot follow the feed %s: %s", feed,
		    zmq_strerror(errno));
	bind_or_die(fp.back, cfg->pub, pub_ep, sizeof(pub_ep));
	/* The requests: answered upstream, replies routed back. */
	rp.what = "request";
	rp.front = sock(ctx, ZMQ_ROUTER, REPLY_HWM);
	rp.back = sock(ctx, ZMQ_DEALER, 0);
	if (auth != NULL)
		auth_secure(auth, rp.front);
	socket_limits(rp.front, REPLY_HWM, PROTO_WIRE_BODY_MAX);
	if (curve != NULL)
		curve_client_secure(curve, rp.back);
	bind_or_die(rp.front, cfg->api, api_ep, sizeof(api_ep));
	if (zmq_connect(rp.back, cfg->relay) != 0)
		fatalx("relay: cannot connect %s: %s", cfg->relay,
		    zmq_strerror(errno));
	rp.feed = fp.feed = pub_ep;
	rp.curve_key = fp.curve_key = auth != NULL ? auth_public(auth) : "";
	fp.control = sock(ctx, ZMQ_PAIR, 0);
	fctl = sock(ctx, ZMQ_PAIR, 0);
	rp.control = sock(ctx, ZMQ_PAIR, 0);
	rctl = sock(ctx, ZMQ_PAIR, 0);
	if (zmq_bind(fp.control, "inproc://relay-feed") != 0 ||
	    zmq_connect(fctl, "inproc://relay-feed") != 0 ||
	    zmq_bind(rp.control, "inproc://relay-req") != 0 ||
	    zmq_connect(rctl, "inproc://relay-req") != 0)
		fatalx("relay: %s", zmq_strerror(errno));
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	if (pthread_create(&ft, NULL, proxy_main, &fp) != 0 ||
	    pthread_create(&rt, NULL, requests_main, &rp) != 0)
		fatalx("cannot start the relay's threads");
	log_info("relay of %s%s: requests on %s, feed on %s (from %s)",
	    cfg->relay, curve != NULL ? " over CurveZMQ" : "", api_ep, pub_ep,
	    feed);
	printf("api %s\nfeed %s\n", api_ep, pub_ep);
	fflush(stdout);
	while (sigwait(&mask, &sig) == 0 && sig == SIGHUP) {
		if (auth != NULL)
			auth_reload(auth);
		else
			log_info("SIGHUP: no allowlist to read again");
	}
	log_info("%s: stopping", strsignal(sig));
	zmq_send(fctl, "TERMINATE", 9, 0);
	zmq_send(rctl, "TERMINATE", 9, 0);
	pthread_join(ft, NULL);
	pthread_join(rt, NULL);
	zmq_close(fp.front);
	zmq_close(fp.back);
	zmq_close(fp.control);
	zmq_close(fctl);
	zmq_close(rp.front);
	zmq_close(rp.back);
	zmq_close(rp.control);
	zmq_close(rctl);
	/* The ZAP thread sees ETERM and ends; then the context goes. */
	zmq_ctx_shutdown(ctx);
	auth_free(auth);
	zmq_ctx_term(ctx);
	if (curve != NULL)
		sodium_free(curve);
	return 0;
}
