/*
 * api.c: the request socket. Every request is size- and shape-checked
 * here, centrally, before a handler from the dispatch table sees it.
 * Reads are answered at once from a store snapshot; submissions go on to
 * the verify workers and are answered when they come back (api_done).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "claimd.h"

struct api {
	struct daemon *d;
	void *router;
	void *verify;
	uint64_t outstanding;
	uint64_t seq;     /* arrival number of the next submission */
	uint64_t deaf;    /* replies dropped: their client did not read */
	api_send_fn send; /* replies go here instead, if set */
	void *send_ctx;
	/* Submissions in flight per client (by routing id). */
	struct inflight {
		uint8_t ident[IDENT_MAX];
		size_t len;
		uint32_t n;
	} * inflight;
	size_t ninflight, capinflight;
	bool draining;
	/* Accepted submissions per second over the last minute. */
	uint64_t rate_count[60];
	uint64_t rate_sec[60];
	struct proto_buf out; /* reply body under construction */
};

/* One request, as the handlers see it. */
struct req {
	uint8_t ident[IDENT_MAX];
	size_t identlen;
	struct proto_wire_header h;
	const uint8_t *body;
	size_t len;
	struct store_snap *snap; /* for H_READ handlers */
	struct proto_buf *out;   /* the reply body */
	char err[256];           /* the reason, for an error reply */
	bool later;              /* in flight: answered when it is done */
};

#define H_READ 0x1 /* runs on a store snapshot */
#define H_MAP  0x2 /* body is a CBOR map, checked before the handler */

struct handler {
	int op;
	int (*fn)(struct api *a, struct req *r);
	unsigned flags;
	size_t min, max;   /* body length */
	uint16_t reqflags; /* request flags the op defines */
};

static int h_submit(struct api *, struct req *);
static int h_get(struct api *, struct req *);
static int h_history(struct api *, struct req *);
static int h_list(struct api *, struct req *);
static int h_range(struct api *, struct req *);
static int h_stats(struct api *, struct req *);
static int h_parties(struct api *, struct req *);
static int h_checkpoint(struct api *, struct req *);
static int h_inclusion(struct api *, struct req *);
static int h_consistency(struct api *, struct req *);
static int h_topics(struct api *, struct req *);

static const struct handler handlers[] = {
    {PROTO_OP_SUBMIT, h_submit, 0, 1, PROTO_RECORD_MAX,
	PROTO_SUBMIT_ALLOW_DUPLICATE},
    {PROTO_OP_GET, h_get, H_READ | H_MAP, 1, 512},
    {PROTO_OP_HISTORY, h_history, H_READ | H_MAP, 1, 512},
    {PROTO_OP_LIST, h_list, H_READ | H_MAP, 1, 512},
    {PROTO_OP_RANGE, h_range, H_READ | H_MAP, 1, 512},
    {PROTO_OP_STATS, h_stats, H_READ | H_MAP, 1, 64},
    {PROTO_OP_PARTIES, h_parties, H_READ | H_MAP, 1, 64},
    {PROTO_OP_CHECKPOINT, h_checkpoint, H_READ | H_MAP, 1, 64},
    {PROTO_OP_INCLUSION, h_inclusion, H_READ | H_MAP, 1, 512},
    {PROTO_OP_CONSISTENCY, h_consistency, H_READ | H_MAP, 1, 512},
    {PROTO_OP_TOPICS, h_topics, H_READ | H_MAP, 1, 64},
};

struct api *
api_new(struct daemon *d, void *router, void *verify)
{
	struct api *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->d = d;
	a->router = router;
	a->verify = verify;
	proto_buf_init(&a->out);
	return a;
}

void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	proto_buf_release(&a->out);
	free(a->inflight);
	free(a);
}

uint64_t
api_outstanding(const struct api *a)
{
	return a->outstanding;
}

void
api_set_draining(struct api *a)
{
	a->draining = true;
}

/*
 * Replies
 */

void
api_set_sender(struct api *a, api_send_fn fn, void *ctx)
{
	a->send = fn;
	a->send_ctx = ctx;
}

static void
send_reply(struct api *a, const uint8_t *ident, size_t identlen, uint8_t op,
    uint32_t id, int status, const uint8_t *body, size_t len)
{
	struct proto_wire_header h = {
	    PROTO_WIRE_VERSION, op, (uint16_t)status, id};
	uint8_t hdr[PROTO_WIRE_HEADER_LEN];

	proto_wire_header_put(hdr, &h);
	if (a->send != NULL) {
		a->send(
		    a->send_ctx, ident, identlen, hdr, sizeof(hdr), body, len);
		return;
	}
	/*
	 * Never block on one client: a client gone, or one whose queue is
	 * full because it does not read its replies (ZMQ_ROUTER_MANDATORY
	 * makes that EAGAIN, not silence), loses this reply; claimd goes
	 * on. A client that reads will have asked for no more than the
	 * queue holds.
	 */
	if (zmq_send(a->router, ident, identlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) <
	    0) {
		if (errno == EAGAIN && a->deaf++ % 1000 == 0)
			log_warnx("a client does not read its replies; %llu "
				  "replies dropped so far",
			    (unsigned long long)a->deaf);
		return;
	}
	if (zmq_send(a->router, hdr, sizeof(hdr), ZMQ_SNDMORE) < 0 ||
	    zmq_send(a->router, body, len, 0) < 0)
		log_debug("reply dropped: %s", zmq_strerror(errno));
}

/*
 * {"error": name, "message": text}; a conflict adds the claim's head,
 * {"head": hash, "version": n}, and a duplicate the identical claim,
 * {"claim": id, "head": hash, "version": n, "index": head's index}.
 */
static int
error_body(struct proto_buf *b, int status, const char *msg,
    const struct store_result *res)
{
	const struct proto_head *head = NULL;
	char text[512];
	size_t start, n = 2;
	int rc;

	/* Messages quote what they refuse: made one line with no control
	 * characters (a client prints it), valid UTF-8 (a text string must
	 * be) and cut at a character. */
	proto_str_safe(
	    text, sizeof(text), msg[0] ? msg : proto_strerror(status));
	if (res != NULL &&
	    (status == PROTO_ECONFLICT || status == PROTO_EDUPLICATE))
		head = &res->head;
	b->len = 0;
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "error")) ||
	    (rc = proto_cbor_put_str(b, proto_errname(status))) ||
	    (rc = proto_cbor_put_str(b, "message")) ||
	    (rc = proto_cbor_put_str(b, text)))
		return rc;
	if (head != NULL) {
		if ((rc = proto_cbor_put_str(b, "head")) ||
		    (rc = proto_cbor_put_bytes(
			 b, head->hash, PROTO_HASH_LEN)) ||
		    (rc = proto_cbor_put_str(b, "version")) ||
		    (rc = proto_cbor_put_uint(b, head->version)))
			return rc;
		n += 2;
	}
	if (head != NULL && status == PROTO_EDUPLICATE) {
		if ((rc = proto_cbor_put_str(b, "claim")) ||
		    (rc = proto_cbor_put_bytes(
			 b, res->claim, PROTO_HASH_LEN)) ||
		    (rc = proto_cbor_put_str(b, "index")) ||
		    (rc = proto_cbor_put_uint(b, res->index)))
			return rc;
		n += 2;
	}
	return proto_cbor_map_end(b, start, n);
}

static void
send_error(struct api *a, const uint8_t *ident, size_t identlen, uint8_t op,
    uint32_t id, int status, const char *msg, const struct store_result *res)
{
	if (error_body(&a->out, status, msg, res) != PROTO_OK)
		a->out.len = 0;
	send_reply(a, ident, identlen, op, id, status, a->out.data, a->out.len);
}

/*
 * Requests
 */

/* Receives the rest of a message and drops it. */
static void
drain(void *sock)
{
	int more = 1;
	size_t sz = sizeof(more);
	zmq_msg_t m;

	while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0) {
			zmq_msg_close(&m);
			return;
		}
		zmq_msg_close(&m);
	}
}

/* What a client of a damaged store is told. */
#define DAMAGED_TEXT                                                           \
	"claimd's store is damaged; it serves nothing until its data folder "  \
	"is restored from a backup"

/*
 * A read that failed in the store: a storage failure is logged with its
 * cause; damage switches claimd into refusing everything.
 */
static void
store_failed(struct api *a, struct req *r, int rc)
{
	const char *why = store_snap_error(r->snap);
	char cause[320];

	snprintf(cause, sizeof(cause), "%s request: %s", proto_op_name(r->h.op),
	    why[0] ? why : proto_strerror(rc));
	if (rc == PROTO_EDAMAGED) {
		daemon_damaged(a->d, cause);
		snprintf(r->err, sizeof(r->err), DAMAGED_TEXT);
	} else {
		log_warnx("storage failure: %s", cause);
	}
}

/* A handler run under the store's guard (store_guarded). */
struct guarded {
	struct api *a;
	struct req *r;
	const struct handler *hd;
};

static int
run_guarded(void *ctx)
{
	struct guarded *g = ctx;

	return g->hd->fn(g->a, g->r);
}

static const struct handler *
handler_for(int op)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].op == op)
			return &handlers[i];
	return NULL;
}

/*
 * One request, its frames already received: checked centrally, handed to
 * its handler, answered (submissions answer later).
 */
void
api_message(struct api *a, const uint8_t *ident, size_t identlen,
    const uint8_t *hdr, size_t hlen, const uint8_t *body, size_t blen)
{
	const struct handler *hd;
	struct req r;
	int rc;

	memset(&r, 0, sizeof(r));
	if (identlen > IDENT_MAX)
		return;
	memcpy(r.ident, ident, identlen);
	r.identlen = identlen;
	if (proto_wire_header_get(hdr, hlen, &r.h) != PROTO_OK) {
		send_error(a, r.ident, r.identlen, 0, 0, PROTO_EPROTOCOL,
		    "bad request header or protocol version", NULL);
		return;
	}
	r.body = body;
	r.len = blen;
	r.out = &a->out;
	a->out.len = 0;
	if (a->d->damaged) {
		snprintf(r.err, sizeof(r.err), DAMAGED_TEXT);
		rc = PROTO_EDAMAGED;
	} else if ((hd = handler_for(r.h.op)) == NULL) {
		snprintf(r.err, sizeof(r.err), "unknown request op %u", r.h.op);
		rc = PROTO_EPROTOCOL;
	} else if ((r.h.status & ~hd->reqflags) != 0) {
		snprintf(r.err, sizeof(r.err), "%s request with flags 0x%x",
		    proto_op_name(r.h.op), r.h.status);
		rc = PROTO_EPROTOCOL;
	} else if (r.len < hd->min || r.len > hd->max) {
		snprintf(r.err, sizeof(r.err),
		    "%s request body of %zu bytes; allowed %zu to %zu",
		    proto_op_name(r.h.op), r.len, hd->min, hd->max);
		rc = r.len > hd->max ? PROTO_ETOOBIG : PROTO_EPROTOCOL;
	} else if ((hd->flags & H_MAP) &&
	    ((rc = proto_cbor_check(
		  r.body, r.len, 4, NULL, r.err, sizeof(r.err))) != PROTO_OK ||
		proto_cbor_rd_peek(&(struct proto_cbor_rd){
		    r.body, r.body + r.len}) != PROTO_CBOR_MAP)) {
		if (rc == PROTO_OK)
			snprintf(r.err, sizeof(r.err), "body must be a map");
		rc = PROTO_EPROTOCOL;
	} else if ((hd->flags & H_READ) &&
	    (rc = store_snap_begin(a->d->store, &r.snap)) != PROTO_OK) {
		snprintf(r.err, sizeof(r.err), "cannot read the store");
		log_warnx("%s request: cannot read the store: %s",
		    proto_op_name(r.h.op), proto_strerror(rc));
	} else {
		struct guarded g = {a, &r, hd};
		char why[320], cause[400];

		/* A fault or an LMDB assertion on a damaged page comes back
		 * as damage instead of killing claimd. */
		rc = store_guarded(
		    a->d->store, run_guarded, &g, why, sizeof(why));
		if (why[0] != '\0') {
			snprintf(cause, sizeof(cause), "%s request: %s",
			    proto_op_name(r.h.op), why);
			daemon_damaged(a->d, cause);
			snprintf(r.err, sizeof(r.err), DAMAGED_TEXT);
		} else if (r.snap != NULL &&
		    (rc == PROTO_ESTORE || rc == PROTO_EDAMAGED)) {
			store_failed(a, &r, rc);
		}
		store_snap_end(r.snap);
	}
	/* A submission in flight is answered later; a status, even
	 * PROTO_ENOMEM (1), is answered now. */
	if (rc == PROTO_OK && r.later)
		return;
	if (rc == PROTO_OK)
		send_reply(a, r.ident, r.identlen, r.h.op, r.h.id, PROTO_OK,
		    a->out.data, a->out.len);
	else
		send_error(
		    a, r.ident, r.identlen, r.h.op, r.h.id, rc, r.err, NULL);
}

void
api_request(struct api *a)
{
	zmq_msg_t id, hdr, body;
	int more = 0;
	size_t sz = sizeof(more);

	zmq_msg_init(&id);
	zmq_msg_init(&hdr);
	zmq_msg_init(&body);
	/* identity, header, body: exactly three frames. */
	if (zmq_msg_recv(&id, a->router, ZMQ_DONTWAIT) < 0)
		goto done;
	if (zmq_msg_size(&id) > IDENT_MAX || !zmq_msg_more(&id)) {
		drain(a->router);
		goto done;
	}
	if (zmq_msg_recv(&hdr, a->router, 0) < 0 || !zmq_msg_more(&hdr) ||
	    zmq_msg_recv(&body, a->router, 0) < 0 ||
	    (zmq_getsockopt(a->router, ZMQ_RCVMORE, &more, &sz) == 0 && more)) {
		drain(a->router);
		log_debug("request with the wrong number of frames dropped");
		send_error(a, zmq_msg_data(&id), zmq_msg_size(&id), 0, 0,
		    PROTO_EPROTOCOL, "a request is two frames: header and body",
		    NULL);
		goto done;
	}
	api_message(a, zmq_msg_data(&id), zmq_msg_size(&id), zmq_msg_data(&hdr),
	    zmq_msg_size(&hdr), zmq_msg_data(&body), zmq_msg_size(&body));
done:
	zmq_msg_close(&id);
	zmq_msg_close(&hdr);
	zmq_msg_close(&body);
}

/*
 * Submissions
 */

/* The count of a client's submissions in flight, made if create. */
static struct inflight *
inflight(struct api *a, const uint8_t *ident, size_t len, bool create)
{
	struct inflight *f;

	for (size_t i = 0; i < a->ninflight; i++)
		if (a->inflight[i].len == len &&
		    memcmp(a->inflight[i].ident, ident, len) == 0)
			return &a->inflight[i];
	if (!create)
		return NULL;
	if (a->ninflight == a->capinflight) {
		size_t cap = a->capinflight ? a->capinflight * 2 : 16;

		if ((f = realloc(a->inflight, cap * sizeof(*f))) == NULL)
			return NULL;
		a->inflight = f;
		a->capinflight = cap;
	}
	f = &a->inflight[a->ninflight++];
	memcpy(f->ident, ident, len);
	f->len = len;
	f->n = 0;
	return f;
}

static void
inflight_done(struct api *a, const uint8_t *ident, size_t len)
{
	struct inflight *f = inflight(a, ident, len, false);

	if (f != NULL && --f->n == 0)
		*f = a->inflight[--a->ninflight];
}

static int
h_submit(struct api *a, struct req *r)
{
	struct inflight *mine;
	struct job *j;

	a->d->submitted++;
	if (a->draining) {
		snprintf(r->err, sizeof(r->err),
		    "claimd is shutting down; submit again after it restarts");
		return PROTO_ESHUTDOWN;
	}
	if (a->outstanding >= OUTSTANDING_MAX) {
		snprintf(r->err, sizeof(r->err),
		    "%d submissions in flight; slow down", OUTSTANDING_MAX);
		return PROTO_EBUSY;
	}
	/* One client cannot crowd out the others. */
	if ((mine = inflight(a, r->ident, r->identlen, true)) == NULL)
		return PROTO_ENOMEM;
	if (mine->n >= CLIENT_INFLIGHT) {
		snprintf(r->err, sizeof(r->err),
		    "%d of your submissions are in flight; wait for answers",
		    CLIENT_INFLIGHT);
		return PROTO_EBUSY;
	}
	if ((j = job_new(r->ident, r->identlen, r->h.id, r->body, r->len,
		 a->seq)) == NULL)
		return PROTO_ENOMEM;
	j->allow_duplicate = (r->h.status & PROTO_SUBMIT_ALLOW_DUPLICATE) != 0;
	if (job_send(a->verify, j) != 0) {
		job_free(j);
		snprintf(r->err, sizeof(r->err), "cannot queue: %s",
		    zmq_strerror(errno));
		return PROTO_ESHUTDOWN;
	}
	a->outstanding++;
	a->seq++;
	a->d->dispatched = a->seq;
	mine->n++;
	r->later = true;
	return PROTO_OK;
}

/* {"index", "hash", "existed", ? "claim", ? "version"} */
static int
ack_body(struct proto_buf *b, const struct job *j)
{
	size_t start, n = 3;
	int rc;

	b->len = 0;
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "index")) ||
	    (rc = proto_cbor_put_uint(b, j->res.index)) ||
	    (rc = proto_cbor_put_str(b, "hash")) ||
	    (rc = proto_cbor_put_bytes(b, j->res.hash, PROTO_HASH_LEN)) ||
	    (rc = proto_cbor_put_str(b, "existed")) ||
	    (rc = proto_cbor_put_bool(b, j->res.existed)))
		return rc;
	if (j->payload.kind == PROTO_KIND_CLAIM) {
		if ((rc = proto_cbor_put_str(b, "claim")) ||
		    (rc = proto_cbor_put_bytes(
			 b, j->res.claim, PROTO_HASH_LEN)) ||
		    (rc = proto_cbor_put_str(b, "version")) ||
		    (rc = proto_cbor_put_uint(b, j->res.version)))
			return rc;
		n += 2;
	}
	return proto_cbor_map_end(b, start, n);
}

void
api_done(struct api *a, struct job *j)
{
	if (a->outstanding > 0)
		a->outstanding--;
	inflight_done(a, j->ident, j->identlen);
	if (j->rc == PROTO_OK) {
		if (j->res.existed) {
			a->d->existed++;
		} else {
			uint64_t sec = (uint64_t)time(NULL);

			a->d->accepted++;
			if (a->rate_sec[sec % 60] != sec) {
				a->rate_sec[sec % 60] = sec;
				a->rate_count[sec % 60] = 0;
			}
			a->rate_count[sec % 60]++;
		}
		if (ack_body(&a->out, j) == PROTO_OK)
			send_reply(a, j->ident, j->identlen, PROTO_OP_SUBMIT,
			    j->reqid, PROTO_OK, a->out.data, a->out.len);
	} else {
		a->d->refused++;
		log_debug(
		    "submission refused: %s: %s", proto_errname(j->rc), j->err);
		send_error(a, j->ident, j->identlen, PROTO_OP_SUBMIT, j->reqid,
		    j->rc, j->err, &j->res);
	}
	job_free(j);
}

/*
 * Reads
 */

/* Reads the request's fields; unknown keys are a protocol error. */
static int
fields(struct req *r, struct proto_field *f, size_t n)
{
	struct proto_cbor_rd rd;

	proto_cbor_rd_init(&rd, r->body, r->len);
	return proto_cbor_rd_fields(
	    &rd, f, n, false, PROTO_EPROTOCOL, r->err, sizeof(r->err));
}

static int
text_field(struct req *r, const struct proto_field *f, char *out, size_t cap)
{
	if (!f->present) {
		out[0] = '\0';
		return PROTO_OK;
	}
	if (f->len >= cap)
		return proto_fail(r->err, sizeof(r->err), PROTO_EINVAL,
		    "\"%s\" too long", f->key);
	memcpy(out, f->ptr, f->len);
	out[f->len] = '\0';
	return PROTO_OK;
}

/* Resolves an id prefix to its record hash, with a clear error. */
static int
resolve(struct req *r, const char *prefix, uint8_t hash[PROTO_HASH_LEN])
{
	int rc = store_resolve(r->snap, prefix, hash);

	if (rc == PROTO_ENOTFOUND)
		snprintf(
		    r->err, sizeof(r->err), "no record or claim %s", prefix);
	else if (rc == PROTO_EAMBIGUOUS)
		snprintf(r->err, sizeof(r->err),
		    "%s matches more than one record; give more digits",
		    prefix);
	else if (rc == PROTO_EINVAL)
		snprintf(r->err, sizeof(r->err),
		    "\"%s\" is not 8 to 64 hex digits", prefix);
	return rc;
}

/* Appends [index, record] for log entry index. */
static int
put_entry(struct req *r, struct proto_buf *b, uint64_t index)
{
	const uint8_t *bytes;
	size_t len;
	int rc;

	if ((rc = store_get(r->snap, index, &bytes, &len)) ||
	    (rc = proto_cbor_put_array(b, 2)) ||
	    (rc = proto_cbor_put_uint(b, index)) ||
	    (rc = proto_cbor_put_bytes(b, bytes, len)))
		return rc;
	return PROTO_OK;
}

/*
 * get: {"id": prefix, ? "version": n} or {"index": n}
 * -> {"index", "record", ? "claim", ? "first", ? "head"}
 */
static int
h_get(struct api *a, struct req *r)
{
	struct proto_field f[] = {
	    {"id", PROTO_F_TEXT, false},
	    {"version", PROTO_F_UINT, false},
	    {"index", PROTO_F_UINT, false},
	};
	struct proto_buf *b = r->out;
	char prefix[2 * PROTO_HASH_LEN + 1];
	uint8_t hash[PROTO_HASH_LEN], id[PROTO_HASH_LEN];
	struct store_claim c;
	const uint8_t *bytes;
	uint64_t index;
	size_t start, len, n = 2;
	bool claim = false;
	int rc;

	(void)a;
	if ((rc = fields(r, f, 3)) != PROTO_OK)
		return rc;
	if (f[0].present == f[2].present)
		return proto_fail(r->err, sizeof(r->err), PROTO_EPROTOCOL,
		    "give either \"id\" or \"index\"");
	if (f[2].present) {
		index = f[2].u;
	} else {
		if ((rc = text_field(r, &f[0], prefix, sizeof(prefix))) ||
		    (rc = resolve(r, prefix, hash)) ||
		    (rc = store_find(r->snap, hash, &index)))
			return rc;
		rc = store_claim_of(r->snap, hash, id);
		if (rc == PROTO_OK) {
			claim = true;
			if ((rc = store_claim_get(r->snap, id, &c)) != 0)
				return rc;
			index = c.head;
			if (f[1].present &&
			    (rc = store_claim_version(
				 r->snap, id, f[1].u, &index)) != PROTO_OK)
				return proto_fail(r->err, sizeof(r->err), rc,
				    "claim %.16s has no version %llu (head is "
				    "%llu)",
				    prefix, (unsigned long long)f[1].u,
				    (unsigned long long)c.version);
		} else if (rc != PROTO_EINVAL) {
			return rc;
		} else if (f[1].present) {
			return proto_fail(r->err, sizeof(r->err),
			    PROTO_ENOTFOUND, "%s is a registry record", prefix);
		}
	}
	if ((rc = store_get(r->snap, index, &bytes, &len)) != PROTO_OK)
		return proto_fail(r->err, sizeof(r->err), rc,
		    "no log entry %llu (the log has %llu)",
		    (unsigned long long)index,
		    (unsigned long long)store_size(r->snap));
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "index")) ||
	    (rc = proto_cbor_put_uint(b, index)) ||
	    (rc = proto_cbor_put_str(b, "record")) ||
	    (rc = proto_cbor_put_bytes(b, bytes, len)))
		return rc;
	if (claim) {
		if ((rc = proto_cbor_put_str(b, "claim")) ||
		    (rc = proto_cbor_put_bytes(b, id, PROTO_HASH_LEN)) ||
		    (rc = proto_cbor_put_str(b, "first")) ||
		    (rc = proto_cbor_put_uint(b, c.first)) ||
		    (rc = proto_cbor_put_str(b, "head")) ||
		    (rc = proto_cbor_put_uint(b, c.version)))
			return rc;
		n += 3;
	}
	return proto_cbor_map_end(b, start, n);
}

/* history: {"id": prefix} -> {"claim", "versions": [[index, record]...]} */
static int
h_history(struct api *a, struct req *r)
{
	struct proto_field f[] = {{"id", PROTO_F_TEXT, true}};
	struct proto_buf *b = r->out;
	char prefix[2 * PROTO_HASH_LEN + 1];
	uint8_t hash[PROTO_HASH_LEN], id[PROTO_HASH_LEN];
	struct store_claim c;
	size_t start;
	int rc;

	(void)a;
	if ((rc = fields(r, f, 1)) ||
	    (rc = text_field(r, f, prefix, sizeof(prefix))) ||
	    (rc = resolve(r, prefix, hash)))
		return rc;
	if ((rc = store_claim_of(r->snap, hash, id)) == PROTO_EINVAL)
		return proto_fail(r->err, sizeof(r->err), PROTO_ENOTFOUND,
		    "%s is a registry record, not a claim", prefix);
	if (rc != PROTO_OK || (rc = store_claim_get(r->snap, id, &c)) != 0)
		return rc;
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "claim")) ||
	    (rc = proto_cbor_put_bytes(b, id, PROTO_HASH_LEN)) ||
	    (rc = proto_cbor_put_str(b, "versions")) ||
	    (rc = proto_cbor_put_array(b, c.version)))
		return rc;
	for (uint64_t v = 1; v <= c.version; v++) {
		uint64_t index;

		if ((rc = store_claim_version(r->snap, id, v, &index)) ||
		    (rc = put_entry(r, b, index)))
			return rc;
	}
	return proto_cbor_map_end(b, start, 2);
}

/* Whether the record at index is a claim of party with topic. */
static bool
entry_matches(
    const uint8_t *bytes, size_t len, const char *party, const char *topic)
{
	struct proto_payload p;
	struct proto_record rec;
	bool match;

	if (proto_record_parse(bytes, len, &rec, NULL, 0) != PROTO_OK ||
	    proto_record_payload(&rec, &p, NULL, 0) != PROTO_OK)
		return false;
	if (p.kind != PROTO_KIND_CLAIM) {
		/* Registry records pass a party filter for their party. */
		match = topic[0] == '\0' &&
		    (party[0] == '\0' || strcmp(p.reg.party, party) == 0);
	} else {
		match = party[0] == '\0' || strcmp(p.claim.party, party) == 0;
		if (match && topic[0] != '\0') {
			match = false;
			for (size_t i = 0; i < p.claim.ntopics; i++)
				if (strcmp(p.claim.topics[i], topic) == 0)
					match = true;
		}
	}
	proto_payload_release(&p);
	return match;
}

struct list_ctx {
	struct req *r;
	struct proto_buf items;
	const char *topic;
	size_t n, limit;
	uint64_t next;
	int rc;
};

static int
list_one(void *ctx, const struct store_claim *c)
{
	struct list_ctx *l = ctx;
	const uint8_t *bytes;
	size_t len;
	int rc;

	if (l->n == l->limit) {
		l->next = c->first;
		return 1;
	}
	if ((rc = store_get(l->r->snap, c->head, &bytes, &len)) != PROTO_OK) {
		l->rc = rc;
		return 1;
	}
	/* The topic index remembers every version's topics: list a claim
	 * under a topic only while its head has it. */
	if (l->topic[0] != '\0' && !entry_matches(bytes, len, "", l->topic))
		return 0;
	if ((rc = proto_cbor_put_array(&l->items, 4)) ||
	    (rc = proto_cbor_put_bytes(&l->items, c->id, PROTO_HASH_LEN)) ||
	    (rc = proto_cbor_put_uint(&l->items, c->first)) ||
	    (rc = proto_cbor_put_uint(&l->items, c->head)) ||
	    (rc = proto_cbor_put_bytes(&l->items, bytes, len))) {
		l->rc = rc;
		return 1;
	}
	l->n++;
	return 0;
}

/*
 * list: {? "party", ? "topic", ? "from", ? "limit"}
 * -> {"claims": [[id, first, head index, head record]...], ? "next"}
 */
static int
h_list(struct api *a, struct req *r)
{
	struct proto_field f[] = {
	    {"party", PROTO_F_TEXT, false},
	    {"topic", PROTO_F_TEXT, false},
	    {"from", PROTO_F_UINT, false},
	    {"limit", PROTO_F_UINT, false},
	};
	char party[PROTO_SLUG_MAX + 1], topic[PROTO_SLUG_MAX + 1];
	struct list_ctx l = {r};
	struct proto_buf *b = r->out;
	size_t start, n = 1;
	int rc;

	(void)a;
	if ((rc = fields(r, f, 4)) ||
	    (rc = text_field(r, &f[0], party, sizeof(party))) ||
	    (rc = text_field(r, &f[1], topic, sizeof(topic))))
		return rc;
	l.topic = topic;
	l.limit =
	    f[3].present && f[3].u < PROTO_LIST_MAX ? f[3].u : PROTO_LIST_MAX;
	l.next = UINT64_MAX;
	proto_buf_init(&l.items);
	rc = store_claims(r->snap, party[0] ? party : NULL,
	    topic[0] ? topic : NULL, f[2].present ? f[2].u : 0, list_one, &l);
	if (rc < 0 || l.rc != PROTO_OK || (rc != 0 && rc != 1)) {
		rc = l.rc != PROTO_OK ? l.rc : rc;
		goto cleanup;
	}
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "claims")) ||
	    (rc = proto_cbor_put_array(b, l.n)) ||
	    (rc = proto_buf_append(b, l.items.data, l.items.len)))
		goto cleanup;
	if (l.next != UINT64_MAX) {
		if ((rc = proto_cbor_put_str(b, "next")) ||
		    (rc = proto_cbor_put_uint(b, l.next)))
			goto cleanup;
		n++;
	}
	rc = proto_cbor_map_end(b, start, n);
cleanup:
	proto_buf_release(&l.items);
	return rc;
}

/*
 * range: {"from", "count", ? "party", ? "topic"}
 * -> {"size", "next", "entries": [[index, record]...]}
 * Reads at most count entries from index from on; with filters, returns
 * the matching ones. next is where the following range starts.
 */
static int
h_range(struct api *a, struct req *r)
{
	struct proto_field f[] = {
	    {"from", PROTO_F_UINT, true},
	    {"count", PROTO_F_UINT, true},
	    {"party", PROTO_F_TEXT, false},
	    {"topic", PROTO_F_TEXT, false},
	};
	char party[PROTO_SLUG_MAX + 1], topic[PROTO_SLUG_MAX + 1];
	struct proto_buf *b = r->out, items;
	uint64_t size = store_size(r->snap), i, end;
	size_t start, n = 0, bytes = 0;
	int rc;

	(void)a;
	if ((rc = fields(r, f, 4)) ||
	    (rc = text_field(r, &f[2], party, sizeof(party))) ||
	    (rc = text_field(r, &f[3], topic, sizeof(topic))))
		return rc;
	end = f[1].u > PROTO_RANGE_MAX ? PROTO_RANGE_MAX : f[1].u;
	end =
	    f[0].u > size ? size : (f[0].u + end > size ? size : f[0].u + end);
	proto_buf_init(&items);
	for (i = f[0].u < size ? f[0].u : size; i < end; i++) {
		const uint8_t *rec;
		size_t len;

		/* Stay well inside the client's reply limit. */
		if (bytes > RANGE_REPLY_BYTES)
			break;
		if ((rc = store_get(r->snap, i, &rec, &len)) != PROTO_OK)
			goto cleanup;
		if ((party[0] || topic[0]) &&
		    !entry_matches(rec, len, party, topic))
			continue;
		if ((rc = proto_cbor_put_array(&items, 2)) ||
		    (rc = proto_cbor_put_uint(&items, i)) ||
		    (rc = proto_cbor_put_bytes(&items, rec, len)))
			goto cleanup;
		bytes += len;
		n++;
	}
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "size")) ||
	    (rc = proto_cbor_put_uint(b, size)) ||
	    (rc = proto_cbor_put_str(b, "next")) ||
	    (rc = proto_cbor_put_uint(b, i)) ||
	    (rc = proto_cbor_put_str(b, "entries")) ||
	    (rc = proto_cbor_put_array(b, n)) ||
	    (rc = proto_buf_append(b, items.data, items.len)))
		goto cleanup;
	rc = proto_cbor_map_end(b, start, 3);
cleanup:
	proto_buf_release(&items);
	return rc;
}

static int
put_kv(struct proto_buf *b, const char *k, uint64_t v)
{
	int rc;

	if ((rc = proto_cbor_put_str(b, k)) != PROTO_OK)
		return rc;
	return proto_cbor_put_uint(b, v);
}

/* stats: {} -> counts, rates, endpoints */
static int
h_stats(struct api *a, struct req *r)
{
	struct daemon *d = a->d;
	struct proto_buf *b = r->out;
	struct store_stats st;
	uint64_t up = (uint64_t)time(NULL) - d->started;
	size_t start;
	int rc;

	uint64_t now = (uint64_t)time(NULL), recent = 0;

	if ((rc = fields(r, NULL, 0)) ||
	    (rc = store_stats(r->snap, &st)) != PROTO_OK)
		return rc;
	for (int i = 0; i < 60; i++)
		if (now - a->rate_sec[i] < 60)
			recent += a->rate_count[i];
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = put_kv(b, "size", st.size)) ||
	    (rc = put_kv(b, "claims", st.claims)) ||
	    (rc = put_kv(b, "revisions", st.revisions)) ||
	    (rc = put_kv(b, "retractions", st.retractions)) ||
	    (rc = put_kv(b, "parties", st.parties)) ||
	    (rc = put_kv(b, "grants", st.grants)) ||
	    (rc = put_kv(b, "revokes", st.revokes)) ||
	    (rc = put_kv(b, "subscribers", d->subscribers)) ||
	    (rc = put_kv(b, "uptime", up)) ||
	    (rc = put_kv(b, "submitted", d->submitted)) ||
	    (rc = put_kv(b, "accepted", d->accepted)) ||
	    (rc = put_kv(b, "existed", d->existed)) ||
	    (rc = put_kv(b, "refused", d->refused)) ||
	    (rc = put_kv(b, "batches", d->batches)) ||
	    (rc = put_kv(b, "in_flight", a->outstanding)) ||
	    (rc = put_kv(b, "map_size", st.map_size)) ||
	    (rc = put_kv(b, "disk_used", st.used)) ||
	    /* Over the last minute, or since start if that is shorter. */
	    (rc = put_kv(b, "rate", recent / (up + 1 < 60 ? up + 1 : 60))) ||
	    (rc = put_kv(b, "latency_p50_us", d->lat_p50)) ||
	    (rc = put_kv(b, "latency_p99_us", d->lat_p99)) ||
	    (rc = put_kv(b, "commit_p50_us", d->commit_p50)) ||
	    (rc = put_kv(b, "commit_p99_us", d->commit_p99)) ||
	    (rc = put_kv(b, "commit_max_us", d->commit_max)) ||
	    (rc = put_kv(b, "commits_over_5ms", d->slow_commits)) ||
	    (rc = proto_cbor_put_str(b, "feed")) ||
	    (rc = proto_cbor_put_str(b, d->pub_ep)) ||
	    (rc = proto_cbor_put_str(b, "origin")) ||
	    (rc = proto_cbor_put_str(b, d->origin)) ||
	    (rc = proto_cbor_put_str(b, "log_key")) ||
	    (rc = proto_cbor_put_str(b, d->vkey)) ||
	    (rc = proto_cbor_put_str(b, "curve_key")) ||
	    (rc = proto_cbor_put_str(b, d->auth ? auth_public(d->auth) : "")))
		return rc;
	return proto_cbor_map_end(b, start, 28);
}

struct parties_ctx {
	struct proto_buf items;
	size_t n;
};

static int
party_one(void *ctx, const char *slug, const char *name, uint64_t index)
{
	struct parties_ctx *p = ctx;
	int rc;

	if ((rc = proto_cbor_put_array(&p->items, 3)) ||
	    (rc = proto_cbor_put_str(&p->items, slug)) ||
	    (rc = proto_cbor_put_str(&p->items, name)) ||
	    (rc = proto_cbor_put_uint(&p->items, index)))
		return rc;
	p->n++;
	return 0;
}

static int
grant_one(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party,
    uint64_t index)
{
	struct parties_ctx *p = ctx;
	int rc;

	if ((rc = proto_cbor_put_array(&p->items, 3)) ||
	    (rc = proto_cbor_put_bytes(&p->items, key, PROTO_PUBKEY_LEN)) ||
	    (rc = proto_cbor_put_str(&p->items, party)) ||
	    (rc = proto_cbor_put_uint(&p->items, index)))
		return rc;
	p->n++;
	return 0;
}

/* parties: {} -> {"parties": [[slug, name, index]...],
 *                 "grants": [[key, party, index]...]} */
static int
h_parties(struct api *a, struct req *r)
{
	struct parties_ctx p, g;
	struct proto_buf *b = r->out;
	size_t start;
	int rc;

	(void)a;
	if ((rc = fields(r, NULL, 0)) != PROTO_OK)
		return rc;
	memset(&p, 0, sizeof(p));
	memset(&g, 0, sizeof(g));
	if ((rc = store_parties(r->snap, party_one, &p)) != 0 ||
	    (rc = store_grants(r->snap, grant_one, &g)) != 0)
		goto cleanup;
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "parties")) ||
	    (rc = proto_cbor_put_array(b, p.n)) ||
	    (rc = proto_buf_append(b, p.items.data, p.items.len)) ||
	    (rc = proto_cbor_put_str(b, "grants")) ||
	    (rc = proto_cbor_put_array(b, g.n)) ||
	    (rc = proto_buf_append(b, g.items.data, g.items.len)))
		goto cleanup;
	rc = proto_cbor_map_end(b, start, 2);
cleanup:
	proto_buf_release(&p.items);
	proto_buf_release(&g.items);
	return rc;
}

static int
topic_one(void *ctx, const char *topic, uint64_t claims, uint64_t parties,
    uint64_t last)
{
	struct parties_ctx *p = ctx;
	int rc;

	if ((rc = proto_cbor_put_array(&p->items, 4)) ||
	    (rc = proto_cbor_put_str(&p->items, topic)) ||
	    (rc = proto_cbor_put_uint(&p->items, claims)) ||
	    (rc = proto_cbor_put_uint(&p->items, parties)) ||
	    (rc = proto_cbor_put_uint(&p->items, last)))
		return rc;
	p->n++;
	return 0;
}

/* topics: {} -> {"topics": [[topic, claims, parties, last index]...]} */
static int
h_topics(struct api *a, struct req *r)
{
	struct parties_ctx t;
	struct proto_buf *b = r->out;
	size_t start;
	int rc;

	(void)a;
	if ((rc = fields(r, NULL, 0)) != PROTO_OK)
		return rc;
	memset(&t, 0, sizeof(t));
	if ((rc = store_topics(r->snap, topic_one, &t)) != 0)
		goto cleanup;
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "topics")) ||
	    (rc = proto_cbor_put_array(b, t.n)) ||
	    (rc = proto_buf_append(b, t.items.data, t.items.len)))
		goto cleanup;
	rc = proto_cbor_map_end(b, start, 1);
cleanup:
	proto_buf_release(&t.items);
	return rc;
}

/* checkpoint: {} -> {"checkpoint": signed note, "log_key": vkey} */
static int
h_checkpoint(struct api *a, struct req *r)
{
	struct proto_buf *b = r->out;
	const char *note;
	size_t start;
	int rc;

	if ((rc = fields(r, NULL, 0)) != PROTO_OK ||
	    (rc = checkpoint_current(
		 a->d, r->snap, &note, r->err, sizeof(r->err))) != PROTO_OK)
		return rc;
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = proto_cbor_put_str(b, "checkpoint")) ||
	    (rc = proto_cbor_put_str(b, note)) ||
	    (rc = proto_cbor_put_str(b, "log_key")) ||
	    (rc = proto_cbor_put_str(b, a->d->vkey)))
		return rc;
	return proto_cbor_map_end(b, start, 2);
}

static int
put_proof(struct proto_buf *b, uint8_t (*proof)[PROTO_HASH_LEN], size_t n)
{
	int rc;

	if ((rc = proto_cbor_put_array(b, n)) != PROTO_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = proto_cbor_put_bytes(b, proof[i], PROTO_HASH_LEN)))
			return rc;
	return PROTO_OK;
}

/*
 * inclusion: {"id": prefix or "index": n, ? "size": n}
 * -> {"index", "size", "hash", "root", "proof": [hash...]}
 */
static int
h_inclusion(struct api *a, struct req *r)
{
	struct proto_field f[] = {
	    {"id", PROTO_F_TEXT, false},
	    {"index", PROTO_F_UINT, false},
	    {"size", PROTO_F_UINT, false},
	};
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN];
	uint8_t hash[PROTO_HASH_LEN], root[PROTO_HASH_LEN];
	char prefix[2 * PROTO_HASH_LEN + 1];
	struct proto_buf *b = r->out;
	uint64_t index, size = store_size(r->snap);
	const uint8_t *bytes;
	size_t n, len, start;
	int rc;

	(void)a;
	if ((rc = fields(r, f, 3)) != PROTO_OK)
		return rc;
	if (f[0].present == f[1].present)
		return proto_fail(r->err, sizeof(r->err), PROTO_EPROTOCOL,
		    "give either \"id\" or \"index\"");
	if (f[0].present) {
		if ((rc = text_field(r, &f[0], prefix, sizeof(prefix))) ||
		    (rc = resolve(r, prefix, hash)) ||
		    (rc = store_find(r->snap, hash, &index)))
			return rc;
	} else {
		index = f[1].u;
	}
	if (f[2].present)
		size = f[2].u;
	if (index >= size || size > store_size(r->snap))
		return proto_fail(r->err, sizeof(r->err), PROTO_EINVAL,
		    "no entry %llu in a tree of size %llu (the log has %llu)",
		    (unsigned long long)index, (unsigned long long)size,
		    (unsigned long long)store_size(r->snap));
	if ((rc = store_get(r->snap, index, &bytes, &len)) ||
	    (rc = store_inclusion(r->snap, index, size, proof, &n)) ||
	    (rc = store_root(r->snap, size, root)))
		return rc;
	proto_record_hash(bytes, len, hash);
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = put_kv(b, "index", index)) ||
	    (rc = put_kv(b, "size", size)) ||
	    (rc = proto_cbor_put_str(b, "hash")) ||
	    (rc = proto_cbor_put_bytes(b, hash, PROTO_HASH_LEN)) ||
	    (rc = proto_cbor_put_str(b, "root")) ||
	    (rc = proto_cbor_put_bytes(b, root, PROTO_HASH_LEN)) ||
	    (rc = proto_cbor_put_str(b, "proof")) ||
	    (rc = put_proof(b, proof, n)))
		return rc;
	return proto_cbor_map_end(b, start, 5);
}

/*
 * consistency: {"from": m, "to": n}
 * -> {"old_size", "new_size", "old_root", "new_root", "proof": [...]}
 */
static int
h_consistency(struct api *a, struct req *r)
{
	struct proto_field f[] = {
	    {"from", PROTO_F_UINT, true},
	    {"to", PROTO_F_UINT, true},
	};
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN];
	uint8_t r1[PROTO_HASH_LEN], r2[PROTO_HASH_LEN];
	struct proto_buf *b = r->out;
	size_t n, start;
	int rc;

	(void)a;
	if ((rc = fields(r, f, 2)) != PROTO_OK)
		return rc;
	if (f[0].u > f[1].u || f[1].u > store_size(r->snap))
		return proto_fail(r->err, sizeof(r->err), PROTO_EINVAL,
		    "need from <= to <= %llu",
		    (unsigned long long)store_size(r->snap));
	if ((rc = store_consistency(r->snap, f[0].u, f[1].u, proof, &n)) ||
	    (rc = store_root(r->snap, f[0].u, r1)) ||
	    (rc = store_root(r->snap, f[1].u, r2)))
		return rc;
	if ((rc = proto_cbor_map_begin(b, &start)) ||
	    (rc = put_kv(b, "old_size", f[0].u)) ||
	    (rc = put_kv(b, "new_size", f[1].u)) ||
	    (rc = proto_cbor_put_str(b, "old_root")) ||
	    (rc = proto_cbor_put_bytes(b, r1, PROTO_HASH_LEN)) ||
	    (rc = proto_cbor_put_str(b, "new_root")) ||
	    (rc = proto_cbor_put_bytes(b, r2, PROTO_HASH_LEN)) ||
	    (rc = proto_cbor_put_str(b, "proof")) ||
	    (rc = put_proof(b, proof, n)))
		return rc;
	return proto_cbor_map_end(b, start, 5);
}
