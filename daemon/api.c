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
	/* Submissions taken and not yet handed to the workers (api_flush). */
	struct job *pend[JOB_MSG_MAX];
	size_t npend;
};

/* One request, as the handlers see it. */
struct req {
	uint8_t ident[IDENT_MAX];
	size_t identlen;
	struct proto_wire_header h;
	const uint8_t *body;
	size_t len;
	/* The body decoded by the op's request table (not for submit). */
	union {
		struct proto_get_req get;
		struct proto_history_req history;
		struct proto_list_req list;
		struct proto_range_req range;
		struct proto_inclusion_req inclusion;
		struct proto_consistency_req consistency;
		struct proto_empty empty;
	} q;
	struct store_snap *snap; /* for H_READ handlers */
	struct proto_buf *out;   /* the reply body */
	char err[256];           /* the reason, for an error reply */
	bool later;              /* in flight: answered when it is done */
};

#define H_READ 0x1 /* runs on a store snapshot */

/* The op's request and reply, flags and body limits are in proto's op
 * table (proto_opdef); here is who answers it. */
struct handler {
	int op;
	int (*fn)(struct api *a, struct req *r);
	unsigned flags;
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
    {PROTO_OP_SUBMIT, h_submit, 0},
    {PROTO_OP_GET, h_get, H_READ},
    {PROTO_OP_HISTORY, h_history, H_READ},
    {PROTO_OP_LIST, h_list, H_READ},
    {PROTO_OP_RANGE, h_range, H_READ},
    {PROTO_OP_STATS, h_stats, H_READ},
    {PROTO_OP_PARTIES, h_parties, H_READ},
    {PROTO_OP_CHECKPOINT, h_checkpoint, H_READ},
    {PROTO_OP_INCLUSION, h_inclusion, H_READ},
    {PROTO_OP_CONSISTENCY, h_consistency, H_READ},
    {PROTO_OP_TOPICS, h_topics, H_READ},
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
	for (size_t i = 0; i < a->npend; i++)
		job_free(a->pend[i]);
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
 * The error reply (proto_error_def): a conflict adds the claim's head and
 * its version, a duplicate also the identical claim and the head's index.
 */
static int
error_body(struct proto_buf *b, int status, const char *msg,
    const struct store_result *res)
{
	struct proto_error_rep e;

	memset(&e, 0, sizeof(e));
	snprintf(e.error, sizeof(e.error), "%s", proto_errname(status));
	/* Messages quote what they refuse: made one line with no control
	 * characters (a client prints it), valid UTF-8 (a text string must
	 * be) and cut at a character. */
	proto_str_safe(e.message, sizeof(e.message),
	    msg[0] ? msg : proto_strerror(status));
	if (res != NULL &&
	    (status == PROTO_ECONFLICT || status == PROTO_EDUPLICATE)) {
		e.has_head = e.has_version = true;
		memcpy(e.head, res->head.hash, PROTO_HASH_LEN);
		e.version = res->head.version;
		if (status == PROTO_EDUPLICATE) {
			e.has_claim = e.has_index = true;
			memcpy(e.claim, res->claim, PROTO_HASH_LEN);
			e.index = res->index;
		}
	}
	b->len = 0;
	return proto_msg_encode(&proto_error_def, &e, b);
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
	const struct proto_opdef *od;
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
	} else if ((od = proto_opdef(r.h.op)) == NULL ||
	    (hd = handler_for(r.h.op)) == NULL) {
		snprintf(r.err, sizeof(r.err), "unknown request op %u", r.h.op);
		rc = PROTO_EPROTOCOL;
	} else if ((r.h.status & ~od->flags) != 0) {
		snprintf(r.err, sizeof(r.err), "%s request with flags 0x%x",
		    proto_op_name(r.h.op), r.h.status);
		rc = PROTO_EPROTOCOL;
	} else if (r.len < od->min || r.len > od->max) {
		snprintf(r.err, sizeof(r.err),
		    "%s request body of %zu bytes; allowed %zu to %zu",
		    proto_op_name(r.h.op), r.len, od->min, od->max);
		rc = r.len > od->max ? PROTO_ETOOBIG : PROTO_EPROTOCOL;
	} else if (!od->raw &&
	    (rc = proto_msg_decode(&od->req, r.body, r.len, &r.q, r.err,
		 sizeof(r.err))) != PROTO_OK) {
		/* The decoder named what is wrong. */
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

bool
api_request(struct api *a)
{
	zmq_msg_t id, hdr, body;

	zmq_msg_init(&id);
	/* identity, header, body: exactly three frames. */
	if (zmq_msg_recv(&id, a->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&id);
		return false;
	}
	zmq_msg_init(&hdr);
	zmq_msg_init(&body);
	if (zmq_msg_size(&id) > IDENT_MAX || !zmq_msg_more(&id)) {
		drain(a->router);
		goto done;
	}
	if (zmq_msg_recv(&hdr, a->router, 0) < 0 || !zmq_msg_more(&hdr) ||
	    zmq_msg_recv(&body, a->router, 0) < 0 || zmq_msg_more(&body)) {
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
	return true;
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
	if (a->d->cfg->mirror != NULL) {
		snprintf(r->err, sizeof(r->err),
		    "this claimd is a read-only mirror of %s: submit there",
		    a->d->cfg->mirror);
		return PROTO_EREADONLY;
	}
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
	/* Handed to the workers with the rest of the burst (api_flush). */
	if (a->npend == JOB_MSG_MAX)
		api_flush(a);
	a->pend[a->npend++] = j;
	a->outstanding++;
	a->seq++;
	mine->n++;
	r->later = true;
	return PROTO_OK;
}

/*
 * The burst of submissions to the workers: one frame a run of up to
 * JOB_RUN, in at least as many runs as there are workers (PUSH deals the
 * frames out in turn), instead of a frame and a wake-up per submission.
 * A run that cannot be queued (claimd is stopping) is answered now.
 */
void
api_flush(struct api *a)
{
	size_t n = a->npend, workers, runs, off = 0;

	if (n == 0)
		return;
	workers = a->d->cfg != NULL && a->d->cfg->workers > 0
	    ? (size_t)a->d->cfg->workers
	    : 1;
	runs = (n + JOB_RUN - 1) / JOB_RUN;
	if (runs < workers)
		runs = workers < n ? workers : n;
	a->npend = 0;
	for (size_t k = 0; k < runs; k++) {
		size_t m = n * (k + 1) / runs - off;

		if (job_send(a->verify, a->pend + off, m) != 0) {
			const char *why = zmq_strerror(errno);

			for (size_t i = off; i < off + m; i++) {
				struct job *j = a->pend[i];

				j->rc = PROTO_ESHUTDOWN;
				snprintf(j->err, sizeof(j->err),
				    "cannot queue: %s", why);
				api_done(a, j);
			}
		}
		off += m;
	}
	a->d->dispatched = a->seq;
}

/* The submit reply: a claim's id and version besides its entry. */
static int
ack_body(struct proto_buf *b, const struct job *j)
{
	struct proto_submit_rep ack;

	memset(&ack, 0, sizeof(ack));
	ack.index = j->res.index;
	memcpy(ack.hash, j->res.hash, PROTO_HASH_LEN);
	ack.existed = j->res.existed;
	if (j->payload.kind == PROTO_KIND_CLAIM) {
		ack.has_claim = ack.has_version = true;
		memcpy(ack.claim, j->res.claim, PROTO_HASH_LEN);
		ack.version = j->res.version;
	}
	b->len = 0;
	return proto_msg_encode(&proto_ops[PROTO_OP_SUBMIT].rep, &ack, b);
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
 * Reads: each handler reads its decoded request (r->q) and fills its
 * reply struct, which reply() encodes by the op's table.
 */

static int
reply(struct req *r, const void *rep)
{
	return proto_msg_encode(&proto_ops[r->h.op].rep, rep, r->out);
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

/* get: {"id": prefix, ? "version"} or {"index"} */
static int
h_get(struct api *a, struct req *r)
{
	const struct proto_get_req *q = &r->q.get;
	struct proto_get_rep rep;
	uint8_t hash[PROTO_HASH_LEN], id[PROTO_HASH_LEN];
	struct store_claim c;
	uint64_t index;
	int rc;

	(void)a;
	memset(&rep, 0, sizeof(rep));
	if (q->has_id == q->has_index)
		return proto_fail(r->err, sizeof(r->err), PROTO_EPROTOCOL,
		    "give either \"id\" or \"index\"");
	if (q->has_index) {
		index = q->index;
	} else {
		if ((rc = resolve(r, q->id, hash)) ||
		    (rc = store_find(r->snap, hash, &index)))
			return rc;
		rc = store_claim_of(r->snap, hash, id);
		if (rc == PROTO_OK) {
			if ((rc = store_claim_get(r->snap, id, &c)) != 0)
				return rc;
			index = c.head;
			if (q->has_version &&
			    (rc = store_claim_version(
				 r->snap, id, q->version, &index)) != PROTO_OK)
				return proto_fail(r->err, sizeof(r->err), rc,
				    "claim %.16s has no version %llu (head is "
				    "%llu)",
				    q->id, (unsigned long long)q->version,
				    (unsigned long long)c.version);
			rep.has_claim = rep.has_first = rep.has_head = true;
			memcpy(rep.claim, id, PROTO_HASH_LEN);
			rep.first = c.first;
			rep.head = c.version;
		} else if (rc != PROTO_EINVAL) {
			return rc;
		} else if (q->has_version) {
			return proto_fail(r->err, sizeof(r->err),
			    PROTO_ENOTFOUND, "%s is a registry record", q->id);
		}
	}
	if ((rc = store_get(r->snap, index, &rep.record.p, &rep.record.len)) !=
	    PROTO_OK)
		return proto_fail(r->err, sizeof(r->err), rc,
		    "no log entry %llu (the log has %llu)",
		    (unsigned long long)index,
		    (unsigned long long)store_size(r->snap));
	rep.index = index;
	return reply(r, &rep);
}

/* Puts the row [index, record] of log entry index. */
static int
put_entry(struct req *r, struct proto_rows_wr *w, uint64_t index)
{
	struct proto_row_entry e = {index, {NULL, 0}};
	int rc;

	if ((rc = store_get(r->snap, index, &e.record.p, &e.record.len)))
		return rc;
	return proto_rows_put(w, &e);
}

/* history: {"id": prefix} -> the claim and each of its versions */
static int
h_history(struct api *a, struct req *r)
{
	const char *prefix = r->q.history.id;
	struct proto_history_rep rep;
	struct proto_rows_wr w;
	uint8_t hash[PROTO_HASH_LEN];
	struct store_claim c;
	int rc;

	(void)a;
	memset(&rep, 0, sizeof(rep));
	if ((rc = resolve(r, prefix, hash)))
		return rc;
	if ((rc = store_claim_of(r->snap, hash, rep.claim)) == PROTO_EINVAL)
		return proto_fail(r->err, sizeof(r->err), PROTO_ENOTFOUND,
		    "%s is a registry record, not a claim", prefix);
	if (rc != PROTO_OK ||
	    (rc = store_claim_get(r->snap, rep.claim, &c)) != 0)
		return rc;
	proto_rows_wr_init(&w, &proto_row_entry_def);
	for (uint64_t v = 1; v <= c.version && rc == PROTO_OK; v++) {
		uint64_t index;

		if ((rc = store_claim_version(r->snap, rep.claim, v, &index)) ==
		    PROTO_OK)
			rc = put_entry(r, &w, index);
	}
	rep.versions = proto_rows_wr_get(&w);
	if (rc == PROTO_OK)
		rc = reply(r, &rep);
	proto_rows_wr_release(&w);
	return rc;
}

/*
 * Whether a stored record is of party (a claim or a registry record)
 * with topic (claims only), each "" for any. A record the log holds was
 * checked when it was stored: one that does not read back now is
 * damage, or memory ran out; never "no match".
 */
static int
entry_matches(const uint8_t *bytes, size_t len, const char *party,
    const char *topic, bool *match)
{
	struct proto_payload p;
	struct proto_record rec;
	int rc;

	*match = false;
	if ((rc = proto_record_parse(bytes, len, &rec, NULL, 0)) != PROTO_OK ||
	    (rc = proto_record_payload(&rec, &p, NULL, 0)) != PROTO_OK)
		return rc == PROTO_ENOMEM ? PROTO_ENOMEM : PROTO_EDAMAGED;
	if (p.kind != PROTO_KIND_CLAIM) {
		/* Registry records pass a party filter for their party. */
		*match = topic[0] == '\0' &&
		    (party[0] == '\0' || strcmp(p.reg.party, party) == 0);
	} else {
		*match = party[0] == '\0' || strcmp(p.claim.party, party) == 0;
		if (*match && topic[0] != '\0') {
			*match = false;
			for (size_t i = 0; i < p.claim.ntopics; i++)
				if (strcmp(p.claim.topics[i], topic) == 0)
					*match = true;
		}
	}
	proto_payload_release(&p);
	return PROTO_OK;
}

struct list_ctx {
	struct req *r;
	struct proto_rows_wr rows;
	const char *topic;
	size_t limit;
	uint64_t next;
};

/* One claim of store_claims(): listed, skipped, or the page is full. */
static int
list_one(void *ctx, const struct store_claim *c)
{
	struct list_ctx *l = ctx;
	struct proto_row_claim row;
	bool match = true;
	int rc;

	if (l->rows.n == l->limit) {
		l->next = c->first;
		return STORE_STOP;
	}
	memcpy(row.id, c->id, PROTO_HASH_LEN);
	row.first = c->first;
	row.head = c->head;
	if ((rc = store_get(l->r->snap, c->head, &row.record.p,
		 &row.record.len)) != PROTO_OK)
		return rc;
	/* The topic index remembers every version's topics: list a claim
	 * under a topic only while its head has it. */
	if (l->topic[0] != '\0' &&
	    (rc = entry_matches(row.record.p, row.record.len, "", l->topic,
		 &match)) != PROTO_OK)
		return rc;
	return match ? proto_rows_put(&l->rows, &row) : PROTO_OK;
}

/* list: {? "party", ? "topic", ? "from", ? "limit"} -> claims, ? next */
static int
h_list(struct api *a, struct req *r)
{
	const struct proto_list_req *q = &r->q.list;
	struct list_ctx l = {r};
	struct proto_list_rep rep;
	int rc;

	(void)a;
	l.topic = q->topic;
	l.limit = q->has_limit && q->limit < PROTO_LIST_MAX ? q->limit
							    : PROTO_LIST_MAX;
	l.next = UINT64_MAX;
	proto_rows_wr_init(&l.rows, &proto_row_claim_def);
	rc = store_claims(r->snap, q->party[0] ? q->party : NULL,
	    q->topic[0] ? q->topic : NULL, q->has_from ? q->from : 0, list_one,
	    &l);
	if (rc == PROTO_OK) {
		rep.claims = proto_rows_wr_get(&l.rows);
		rep.has_next = l.next != UINT64_MAX;
		rep.next = l.next;
		rc = reply(r, &rep);
	}
	proto_rows_wr_release(&l.rows);
	return rc;
}

/*
 * range: {"from", "count", ? "party", ? "topic"} -> size, next, entries.
 * Reads at most count entries from index from on; with filters, returns
 * the matching ones. next is where the following range starts.
 */
static int
h_range(struct api *a, struct req *r)
{
	const struct proto_range_req *q = &r->q.range;
	struct proto_range_rep rep;
	struct proto_rows_wr w;
	uint64_t size = store_size(r->snap), i, end;
	size_t bytes = 0;
	int rc = PROTO_OK;

	(void)a;
	end = q->count > PROTO_RANGE_MAX ? PROTO_RANGE_MAX : q->count;
	end = q->from > size ? size
			     : (q->from + end > size ? size : q->from + end);
	proto_rows_wr_init(&w, &proto_row_entry_def);
	for (i = q->from < size ? q->from : size; i < end; i++) {
		struct proto_row_entry e = {i, {NULL, 0}};
		bool match = true;

		/* Stay well inside the client's reply limit. */
		if (bytes > RANGE_REPLY_BYTES)
			break;
		if ((rc = store_get(r->snap, i, &e.record.p, &e.record.len)))
			goto cleanup;
		if ((q->party[0] || q->topic[0]) &&
		    (rc = entry_matches(e.record.p, e.record.len, q->party,
			 q->topic, &match)) != PROTO_OK)
			goto cleanup;
		if (!match)
			continue;
		if ((rc = proto_rows_put(&w, &e)) != PROTO_OK)
			goto cleanup;
		bytes += e.record.len;
	}
	rep.size = size;
	rep.next = i;
	rep.entries = proto_rows_wr_get(&w);
	rc = reply(r, &rep);
cleanup:
	proto_rows_wr_release(&w);
	return rc;
}

/* stats: {} -> the stats of proto's table, endpoints and keys */
static int
h_stats(struct api *a, struct req *r)
{
	struct daemon *d = a->d;
	struct proto_stats_rep rep;
	struct store_stats st;
	uint64_t now = (uint64_t)time(NULL), up = now - d->started, recent = 0;
	uint64_t *v = rep.v;
	int rc;

	if ((rc = store_stats(r->snap, &st)) != PROTO_OK)
		return rc;
	for (int i = 0; i < 60; i++)
		if (now - a->rate_sec[i] < 60)
			recent += a->rate_count[i];
	memset(&rep, 0, sizeof(rep));
	v[PROTO_STAT_SIZE] = st.size;
	v[PROTO_STAT_CLAIMS] = st.claims;
	v[PROTO_STAT_REVISIONS] = st.revisions;
	v[PROTO_STAT_RETRACTIONS] = st.retractions;
	v[PROTO_STAT_PARTIES] = st.parties;
	v[PROTO_STAT_GRANTS] = st.grants;
	v[PROTO_STAT_REVOKES] = st.revokes;
	v[PROTO_STAT_SUBSCRIBERS] = d->subscribers;
	v[PROTO_STAT_UPTIME] = up;
	v[PROTO_STAT_SUBMITTED] = d->submitted;
	v[PROTO_STAT_ACCEPTED] = d->accepted;
	v[PROTO_STAT_EXISTED] = d->existed;
	v[PROTO_STAT_REFUSED] = d->refused;
	v[PROTO_STAT_BATCHES] = d->batches;
	v[PROTO_STAT_IN_FLIGHT] = a->outstanding;
	v[PROTO_STAT_MAP_SIZE] = st.map_size;
	v[PROTO_STAT_DISK_USED] = st.used;
	/* Over the last minute, or since start if that is shorter. */
	v[PROTO_STAT_RATE] = recent / (up + 1 < 60 ? up + 1 : 60);
	v[PROTO_STAT_LATENCY_P50_US] = d->lat_p50;
	v[PROTO_STAT_LATENCY_P99_US] = d->lat_p99;
	v[PROTO_STAT_COMMIT_P50_US] = d->commit_p50;
	v[PROTO_STAT_COMMIT_P99_US] = d->commit_p99;
	v[PROTO_STAT_COMMIT_MAX_US] = d->commit_max;
	v[PROTO_STAT_COMMITS_OVER_5MS] = d->slow_commits;
	v[PROTO_STAT_VERIFY_CPU_US] = d->verify_cpu_ns / 1000;
	snprintf(rep.feed, sizeof(rep.feed), "%s", d->pub_ep);
	snprintf(rep.origin, sizeof(rep.origin), "%s", d->origin);
	snprintf(rep.log_key, sizeof(rep.log_key), "%s", d->vkey);
	snprintf(rep.curve_key, sizeof(rep.curve_key), "%s",
	    d->auth ? auth_public(d->auth) : "");
	if (d->cfg->mirror != NULL) {
		uint64_t seen = d->upstream_seen, usize = d->upstream_size;

		snprintf(
		    rep.upstream, sizeof(rep.upstream), "%s", d->cfg->mirror);
		v[PROTO_STAT_BEHIND] = usize > st.size ? usize - st.size : 0;
		/* Never answered: as long as this claimd has run. */
		v[PROTO_STAT_UPSTREAM_AGE] =
		    seen == 0 ? up : (now > seen ? now - seen : 0);
	}
	return reply(r, &rep);
}

static int
party_one(void *ctx, const char *slug, const char *name, uint64_t index)
{
	struct proto_row_party row;

	snprintf(row.slug, sizeof(row.slug), "%s", slug);
	snprintf(row.name, sizeof(row.name), "%s", name);
	row.index = index;
	return proto_rows_put(ctx, &row);
}

static int
grant_one(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party,
    uint64_t index)
{
	struct proto_row_grant row;

	memcpy(row.key, key, PROTO_PUBKEY_LEN);
	snprintf(row.party, sizeof(row.party), "%s", party);
	row.index = index;
	return proto_rows_put(ctx, &row);
}

/* parties: {} -> every party and every grant held */
static int
h_parties(struct api *a, struct req *r)
{
	struct proto_parties_rep rep;
	struct proto_rows_wr p, g;
	int rc;

	(void)a;
	proto_rows_wr_init(&p, &proto_row_party_def);
	proto_rows_wr_init(&g, &proto_row_grant_def);
	if ((rc = store_parties(r->snap, party_one, &p)) == 0 &&
	    (rc = store_grants(r->snap, grant_one, &g)) == 0) {
		rep.parties = proto_rows_wr_get(&p);
		rep.grants = proto_rows_wr_get(&g);
		rc = reply(r, &rep);
	}
	proto_rows_wr_release(&p);
	proto_rows_wr_release(&g);
	return rc;
}

static int
topic_one(void *ctx, const char *topic, uint64_t claims, uint64_t parties,
    uint64_t last)
{
	struct proto_row_topic row;

	snprintf(row.topic, sizeof(row.topic), "%s", topic);
	row.claims = claims;
	row.parties = parties;
	row.last = last;
	return proto_rows_put(ctx, &row);
}

/* topics: {} -> every topic a claim was ever tagged with */
static int
h_topics(struct api *a, struct req *r)
{
	struct proto_topics_rep rep;
	struct proto_rows_wr t;
	int rc;

	(void)a;
	proto_rows_wr_init(&t, &proto_row_topic_def);
	if ((rc = store_topics(r->snap, topic_one, &t)) == 0) {
		rep.topics = proto_rows_wr_get(&t);
		rc = reply(r, &rep);
	}
	proto_rows_wr_release(&t);
	return rc;
}

/* checkpoint: {} -> the signed note and the log's verifier key */
static int
h_checkpoint(struct api *a, struct req *r)
{
	struct proto_checkpoint_rep rep;
	const char *note;
	int rc;

	if (a->d->cfg->mirror != NULL) {
		/* The upstream's, verified: a mirror signs nothing. */
		if ((rc = checkpoint_mirror_get(a->d, rep.checkpoint,
			 sizeof(rep.checkpoint), r->err, sizeof(r->err))) !=
		    PROTO_OK)
			return rc;
	} else if ((rc = checkpoint_current(a->d, r->snap, &note, r->err,
			sizeof(r->err))) != PROTO_OK) {
		return rc;
	} else if ((size_t)snprintf(rep.checkpoint, sizeof(rep.checkpoint),
		       "%s", note) >= sizeof(rep.checkpoint))
		return proto_fail(r->err, sizeof(r->err), PROTO_ETOOBIG,
		    "checkpoint over %d bytes", PROTO_SIGNED_NOTE_MAX);
	snprintf(rep.log_key, sizeof(rep.log_key), "%s", a->d->vkey);
	return reply(r, &rep);
}

/* A proof's hashes as rows. */
static struct proto_rows
proof_rows(struct proto_rows_wr *w, uint8_t (*proof)[PROTO_HASH_LEN], size_t n)
{
	proto_rows_wr_init(w, &proto_row_hash_def);
	for (size_t i = 0; i < n; i++)
		(void)proto_rows_put(w, proof[i]);
	return proto_rows_wr_get(w);
}

/* inclusion: {"id": prefix or "index": n, ? "size": n} -> the proof */
static int
h_inclusion(struct api *a, struct req *r)
{
	const struct proto_inclusion_req *q = &r->q.inclusion;
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN];
	struct proto_inclusion_rep rep;
	struct proto_rows_wr w;
	uint64_t size = store_size(r->snap);
	const uint8_t *bytes;
	size_t n, len;
	int rc;

	(void)a;
	if (q->has_id == q->has_index)
		return proto_fail(r->err, sizeof(r->err), PROTO_EPROTOCOL,
		    "give either \"id\" or \"index\"");
	if (q->has_id) {
		if ((rc = resolve(r, q->id, rep.hash)) ||
		    (rc = store_find(r->snap, rep.hash, &rep.index)))
			return rc;
	} else {
		rep.index = q->index;
	}
	if (q->has_size)
		size = q->size;
	if (rep.index >= size || size > store_size(r->snap))
		return proto_fail(r->err, sizeof(r->err), PROTO_EINVAL,
		    "no entry %llu in a tree of size %llu (the log has %llu)",
		    (unsigned long long)rep.index, (unsigned long long)size,
		    (unsigned long long)store_size(r->snap));
	if ((rc = store_get(r->snap, rep.index, &bytes, &len)) ||
	    (rc = store_inclusion(r->snap, rep.index, size, proof, &n)) ||
	    (rc = store_root(r->snap, size, rep.root)))
		return rc;
	proto_record_hash(bytes, len, rep.hash);
	rep.size = size;
	rep.proof = proof_rows(&w, proof, n);
	rc = w.rc != PROTO_OK ? w.rc : reply(r, &rep);
	proto_rows_wr_release(&w);
	return rc;
}

/* consistency: {"from": m, "to": n} -> both roots and the proof */
static int
h_consistency(struct api *a, struct req *r)
{
	const struct proto_consistency_req *q = &r->q.consistency;
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN];
	struct proto_consistency_rep rep;
	struct proto_rows_wr w;
	size_t n;
	int rc;

	(void)a;
	if (q->from > q->to || q->to > store_size(r->snap))
		return proto_fail(r->err, sizeof(r->err), PROTO_EINVAL,
		    "need from <= to <= %llu",
		    (unsigned long long)store_size(r->snap));
	if ((rc = store_consistency(r->snap, q->from, q->to, proof, &n)) ||
	    (rc = store_root(r->snap, q->from, rep.old_root)) ||
	    (rc = store_root(r->snap, q->to, rep.new_root)))
		return rc;
	rep.old_size = q->from;
	rep.new_size = q->to;
	rep.proof = proof_rows(&w, proof, n);
	rc = w.rc != PROTO_OK ? w.rc : reply(r, &rep);
	proto_rows_wr_release(&w);
	return rc;
}
