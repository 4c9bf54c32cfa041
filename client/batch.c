/*
 * batch.c: submitting claims, revisions, retractions and reinstatements
 * in a pipeline.
 *
 * Up to a window of signed submissions are in flight on the DEALER
 * socket at once, each answered by its request id; an acknowledgement is
 * printed as each is committed. An operation that depends on an earlier
 * one (a revision, a retraction, a relation to "@label") waits until
 * everything before it is answered, so that it sees the heads those made.
 * A submission whose answer is lost is sent again: identical bytes are
 * idempotent, so it is stored at most once, and an answer to any of its
 * sends counts.
 *
 * Every input line gets exactly one outcome (enum outcome), however the
 * batch ends: acknowledgements on stdout, everything else on stderr (one
 * JSON object a line with --json), then a summary that counts them. What
 * was sent is always waited for, so that no line claimd stored goes
 * unreported: when claimd shuts down, it answers what it took before
 * stopping, and those answers are read and printed before claim exits.
 *
 * Acknowledgements go to stdout's buffer and out whenever the client
 * would wait, and at least every ACK_FLUSH_MS. SIGINT or SIGTERM stops
 * the sending; what is in flight is still answered and printed, so every
 * claim this run stored has its line; a second signal ends it at once.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define RETRIES      3
#define SENDS_MAX    (RETRIES + 1) /* sends of one record unanswered */
#define ACK_FLUSH_MS 10

static volatile sig_atomic_t interrupted; /* the signal, or 0 */

static void
on_interrupt(int sig)
{
	interrupted = sig;
}

/* What became of an input line. */
enum outcome {
	OUT_STORED,      /* acknowledged: in the log at its index (the
			    ack says "existed" if the bytes were there) */
	OUT_EXISTS,      /* an identical claim is in the log (the
			    duplicate guard): not stored again */
	OUT_REFUSED,     /* refused, by claimd or before it was sent */
	OUT_UNCONFIRMED, /* sent, and no answer came: perhaps stored */
	OUT_NOT_STORED,  /* not sent, or claimd was shutting down */
	OUT_COUNT
};

/* The "status" of --json, and the summary's keys. */
static const char *const outcome_name[OUT_COUNT] = {
    "stored", "exists", "refused", "unconfirmed", "not-stored"};
static const char *const outcome_words[OUT_COUNT] = {
    "stored", "already stored", "refused", "unconfirmed", "not stored"};

struct label {
	char *name;
	bool done;   /* acknowledged */
	bool failed; /* refused */
	uint8_t id[PROTO_HASH_LEN];
};

/* Labels are named by their place in b->labels, which grows. */
#define NO_LABEL SIZE_MAX

struct pending {
	uint32_t ids[SENDS_MAX]; /* request ids of its sends not answered */
	size_t nids;
	unsigned sends; /* how often it was sent, answered or not */
	long line;
	struct proto_buf rec;
	size_t defines;  /* "ref": becomes this label */
	bool no_sources; /* a claim or revision without sources */
};

/* A document given with --attach, to check quotes against. */
struct attachment {
	const char *name;
	char *doc;
	size_t len;
	uint8_t sha256[PROTO_HASH_LEN];
};

#define ATTACH_MAX 16

struct batch {
	struct cli *cli;
	struct attachment attach[ATTACH_MAX];
	size_t nattach;
	struct label *labels;
	size_t nlabels;
	struct pending *pend;
	size_t npend, window;
	uint16_t flags; /* request flags of every submission */
	size_t count[OUT_COUNT];
	size_t busy; /* submissions claimd asked us to send again */
	bool shutdown;
	long last_line; /* of the last operation sent */
	/* Lines not sent, for one line at the end (without --json). */
	long unsent_first, unsent_last;
	size_t unsent;
	struct timespec flushed;
};

static void
flush_acks(struct batch *b)
{
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &b->flushed);
}

/* Flushes if the oldest line in the buffer may be ACK_FLUSH_MS old. */
static void
flush_due(struct batch *b)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if ((t.tv_sec - b->flushed.tv_sec) * 1000 +
		(t.tv_nsec - b->flushed.tv_nsec) / 1000000 >=
	    ACK_FLUSH_MS)
		flush_acks(b);
}

static struct label *
label_find(struct batch *b, const char *name)
{
	for (size_t i = 0; i < b->nlabels; i++)
		if (strcmp(b->labels[i].name, name) == 0)
			return &b->labels[i];
	return NULL;
}

/* Adds a label; its index, or NO_LABEL without memory. */
static size_t
label_add(struct batch *b, const char *name)
{
	struct label *l;

	if ((l = realloc(b->labels, (b->nlabels + 1) * sizeof(*l))) == NULL)
		return NO_LABEL;
	b->labels = l;
	l = &b->labels[b->nlabels];
	memset(l, 0, sizeof(*l));
	if ((l->name = strdup(name)) == NULL)
		return NO_LABEL;
	return b->nlabels++;
}

static void
pending_drop(struct batch *b, size_t i)
{
	proto_buf_release(&b->pend[i].rec);
	b->pend[i] = b->pend[--b->npend];
}

/* Prints one JSON object on a line of stderr, and frees it. */
static void
put_json_err(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s != NULL) {
		fprintf(stderr, "%s\n", s);
		free(s);
	}
	json_decref(o);
}

/*
 * Reports line as not stored by this run (o is not OUT_STORED): on
 * stderr, as "claim: line N: <what>: <why>" or, with --json, as
 * {"line", "status", ? "error", "message", ...}. code is the proto_err
 * behind it (0: none); r, if not NULL, is claimd's answer, whose head or
 * identical claim is shown too.
 */
static void report(struct batch *b, long line, enum outcome o, int code,
    const struct claim_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
report(struct batch *b, long line, enum outcome o, int code,
    const struct claim_reply *r, const char *fmt, ...)
{
	char msg[512], hx[2 * PROTO_HASH_LEN + 1], hy[2 * PROTO_HASH_LEN + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->count[o]++;
	if (r != NULL && r->has_claim)
		proto_hex(r->claim, PROTO_HASH_LEN, hx);
	if (r != NULL && r->has_head)
		proto_hex(r->head, PROTO_HASH_LEN, hy);
	if (b->cli->json) {
		json_t *j = json_object();

		json_object_set_new(j, "line", json_integer(line));
		json_object_set_new(j, "status", json_string(outcome_name[o]));
		if (code != PROTO_OK)
			json_object_set_new(
			    j, "error", json_string(proto_errname(code)));
		json_object_set_new(j, "message", json_string(msg));
		if (r != NULL && r->has_claim) {
			json_object_set_new(j, "claim", json_string(hx));
			json_object_set_new(j, "index",
			    json_integer((json_int_t)r->head_index));
		}
		if (r != NULL && r->has_head) {
			json_object_set_new(j, "head", json_string(hy));
			json_object_set_new(j, "version",
			    json_integer((json_int_t)r->head_version));
		}
		put_json_err(j);
		return;
	}
	if (o == OUT_EXISTS && r != NULL && r->has_claim)
		cli_warn(
		    "line %ld: exists: claim %s (version %llu, index %llu)",
		    line, hx, (unsigned long long)r->head_version,
		    (unsigned long long)r->head_index);
	else if (o == OUT_REFUSED && r != NULL && r->has_head)
		cli_warn("line %ld: refused: %s: %s (head %.12s, version %llu)",
		    line, proto_errname(code), msg, hy,
		    (unsigned long long)r->head_version);
	else if (o == OUT_REFUSED && code != PROTO_OK)
		cli_warn("line %ld: refused: %s: %s", line, proto_errname(code),
		    msg);
	else
		cli_warn("line %ld: %s: %s", line, outcome_words[o], msg);
}

/* A line not sent: counted, and reported by itself with --json, or
 * with the others at the end. */
static void
unsent(struct batch *b, long line)
{
	if (b->cli->json) {
		report(b, line, OUT_NOT_STORED, PROTO_OK, NULL, "not sent");
		return;
	}
	b->count[OUT_NOT_STORED]++;
	if (b->unsent++ == 0)
		b->unsent_first = line;
	b->unsent_last = line;
}

/* Sends p's record (again); PROTO_OK when it went. */
static int
send_rec(struct batch *b, struct pending *p)
{
	uint32_t id;
	int rc;

	if (p->nids == SENDS_MAX)
		return PROTO_EBUSY;
	rc = claim_client_send_flags(b->cli->client, PROTO_OP_SUBMIT, b->flags,
	    p->rec.data, p->rec.len, &id);
	if (rc == PROTO_OK) {
		p->ids[p->nids++] = id;
		p->sends++;
	}
	return rc;
}

/*
 * A line whose only send found its very bytes in the log: signed in the
 * same second as by an earlier run (Ed25519 signatures are deterministic),
 * or as an identical earlier line. That is what the duplicate guard says
 * of the same claim signed a second later, and is reported the same way,
 * so that running a file again does not depend on the clock.
 */
static void
existing(struct batch *b, struct pending *p, struct label *l,
    const struct claim_ack *a)
{
	struct claim_reply r;

	memset(&r, 0, sizeof(r));
	r.has_claim = r.has_head = true;
	memcpy(r.claim, a->claim, PROTO_HASH_LEN);
	memcpy(r.head, a->hash, PROTO_HASH_LEN);
	r.head_version = a->version;
	r.head_index = a->index;
	report(b, p->line, OUT_EXISTS, PROTO_EDUPLICATE, &r,
	    "the same record is in the log");
	if (l != NULL) {
		l->done = true;
		memcpy(l->id, a->claim, PROTO_HASH_LEN);
	}
}

/* The pending submission with a send whose request id is id. */
static struct pending *
pending_of(struct batch *b, uint32_t id, size_t *at)
{
	for (size_t i = 0; i < b->npend; i++)
		for (size_t k = 0; k < b->pend[i].nids; k++)
			if (b->pend[i].ids[k] == id) {
				struct pending *p = &b->pend[i];

				/* That send is answered now. */
				p->ids[k] = p->ids[--p->nids];
				*at = i;
				return p;
			}
	return NULL;
}

/* Handles one reply: an acknowledgement or a refusal. */
static void
answer(struct batch *b, struct claim_reply *r)
{
	struct claim_ack ack;
	struct pending *p;
	struct label *l;
	size_t i;

	/* NULL: not ours, or a send already answered otherwise. */
	if ((p = pending_of(b, r->id, &i)) == NULL)
		return;
	l = p->defines != NO_LABEL ? &b->labels[p->defines] : NULL;
	if (r->status == PROTO_OK) {
		if (claim_ack_parse(r, &ack) != PROTO_OK) {
			report(b, p->line, OUT_UNCONFIRMED, PROTO_EPROTOCOL,
			    NULL, "bad acknowledgement from claimd");
			pending_drop(b, i);
			return;
		}
		if (ack.existed && p->sends == 1 &&
		    !(b->flags & PROTO_SUBMIT_ALLOW_DUPLICATE)) {
			existing(b, p, l, &ack);
			pending_drop(b, i);
			return;
		}
		/* "existed" after a send again: a lost answer, and what
		 * the first send stored. */
		b->count[OUT_STORED]++;
		cli_print_ack(b->cli, &ack, p->line, l ? l->name : NULL,
		    p->no_sources ? "no-sources" : NULL);
		flush_due(b);
		if (l != NULL) {
			l->done = true;
			memcpy(l->id, ack.claim, PROTO_HASH_LEN);
		}
	} else if (r->status == PROTO_EBUSY) {
		/* claimd has enough of ours in flight: send it again once
		 * some are answered. */
		b->busy++;
		usleep(2000);
		if (send_rec(b, p) == PROTO_OK || p->nids > 0)
			return;
		report(b, p->line, OUT_NOT_STORED, r->status, NULL,
		    "%s; cannot send it again", r->message);
	} else if (r->status == PROTO_ESHUTDOWN ||
	    r->status == PROTO_EDAMAGED) {
		/* Neither claimd will store anything more: send no more. */
		b->shutdown = true;
		/* An earlier send may have been stored: wait for it. */
		if (p->nids > 0)
			return;
		report(b, p->line, OUT_NOT_STORED, r->status, NULL, "%s",
		    r->message);
	} else if (r->status == PROTO_EDUPLICATE && r->has_claim) {
		report(b, p->line, OUT_EXISTS, r->status, r, "%s", r->message);
		/* Later lines may relate to it, or revise it. */
		if (l != NULL) {
			l->done = true;
			memcpy(l->id, r->claim, PROTO_HASH_LEN);
		}
	} else {
		if (l != NULL)
			l->failed = true;
		report(b, p->line, OUT_REFUSED, r->status, r, "%s", r->message);
	}
	pending_drop(b, i);
}

/*
 * Waits for one answer; on silence sends everything pending again. When
 * claimd does not answer at all, every submission pending is reported
 * unconfirmed and the exit status returned.
 */
static int
wait_one(struct batch *b)
{
	struct claim_reply r;
	char err[256];
	int rc, why;

	for (int attempt = 0;; attempt++) {
		/* What is printed goes out before a wait, not line by line:
		 * one write for each run of acknowledgements. */
		if ((rc = claim_client_recv(b->cli->client, 0, &r)) !=
		    PROTO_OK) {
			flush_acks(b);
			rc = claim_client_recv(b->cli->client, -1, &r);
		}
		if (rc == PROTO_OK) {
			answer(b, &r);
			claim_reply_release(&r);
			return EX_DONE;
		}
		/* A claimd that is shutting down answered what it took
		 * before it went: silence now means it is gone. */
		if (rc != PROTO_EUNREACHABLE || attempt + 1 >= RETRIES ||
		    b->shutdown)
			break;
		for (size_t i = 0; i < b->npend; i++)
			if (send_rec(b, &b->pend[i]) == PROTO_EUNREACHABLE)
				break;
	}
	why = claim_client_explain(b->cli->client, rc, err, sizeof(err));
	flush_acks(b);
	for (size_t i = 0; i < b->npend; i++)
		report(
		    b, b->pend[i].line, OUT_UNCONFIRMED, why, NULL, "%s", err);
	while (b->npend > 0)
		pending_drop(b, b->npend - 1);
	return cli_exit_for(why, false);
}

static int
drain(struct batch *b)
{
	int rc;

	while (b->npend > 0)
		if ((rc = wait_one(b)) != EX_DONE)
			return rc;
	return EX_DONE;
}

struct resolve_ctx {
	struct batch *b;
};

/* A relation's claim: "@label", a full id, or a prefix to look up. */
static int
resolve_ref(void *ctx, const char *ref, uint8_t id[PROTO_HASH_LEN], char *err,
    size_t errlen)
{
	struct batch *b = ((struct resolve_ctx *)ctx)->b;
	struct label *l;

	if (ref[0] == '@') {
		if ((l = label_find(b, ref + 1)) == NULL)
			return proto_fail(err, errlen, PROTO_EJSON,
			    "no earlier line has \"ref\": \"%s\"", ref + 1);
		if (!l->done)
			return proto_fail(err, errlen, PROTO_EJSON,
			    "%s was refused, so nothing can relate to it", ref);
		memcpy(id, l->id, PROTO_HASH_LEN);
		return PROTO_OK;
	}
	if (strlen(ref) == 2 * PROTO_HASH_LEN &&
	    proto_unhex(ref, id, PROTO_HASH_LEN) == PROTO_OK)
		return PROTO_OK;
	return claim_resolve(b->cli->client, ref, id, err, errlen);
}

/* The head of the claim a revision or retraction names. */
struct target {
	uint8_t id[PROTO_HASH_LEN];
	uint8_t head[PROTO_HASH_LEN];
	uint64_t version;
	char party[PROTO_SLUG_MAX + 1];
	struct claim_entry entry; /* the head record, when fetched */
	bool fetched;
};

static int
find_target(struct batch *b, const char *ref, struct target *t, char *err,
    size_t errlen)
{
	char hex[2 * PROTO_HASH_LEN + 1];
	struct claim_info info;
	struct label *l;
	int rc;

	memset(t, 0, sizeof(*t));
	if (ref[0] == '@') {
		if ((l = label_find(b, ref + 1)) == NULL)
			return proto_fail(err, errlen, PROTO_EJSON,
			    "no earlier line has \"ref\": \"%s\"", ref + 1);
		if (!l->done)
			return proto_fail(
			    err, errlen, PROTO_EJSON, "%s was refused", ref);
		proto_hex(l->id, PROTO_HASH_LEN, hex);
		ref = hex;
	}
	/* Fetch the head: its record is needed for a retraction, and the
	 * daemon's head is the one a revision must name. */
	rc = claim_get(b->cli->client, ref, 0, &t->entry, &info, err, errlen);
	if (rc != PROTO_OK)
		return rc;
	t->fetched = true;
	if (t->entry.payload.kind != PROTO_KIND_CLAIM)
		return proto_fail(err, errlen, PROTO_EJSON,
		    "%s is a registry record, not a claim", ref);
	memcpy(t->id, t->entry.claim, PROTO_HASH_LEN);
	memcpy(t->head, t->entry.hash, PROTO_HASH_LEN);
	t->version = t->entry.payload.claim.version;
	snprintf(
	    t->party, sizeof(t->party), "%s", t->entry.payload.claim.party);
	return PROTO_OK;
}

static const char *
str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int
batch_attach(struct batch *b, const char *path)
{
	struct attachment *a;
	char err[256];

	if (b->nattach == ATTACH_MAX)
		return cli_fail(
		    EX_USAGE, "at most %d --attach documents", ATTACH_MAX);
	a = &b->attach[b->nattach];
	if ((a->doc = cli_read_input(path, &a->len, err, sizeof(err))) == NULL)
		return cli_fail(EX_USAGE, "%s", err);
	a->name = path;
	proto_sha256(a->doc, a->len, a->sha256);
	b->nattach++;
	return EX_DONE;
}

/*
 * With attached documents: a quoted source that names one of them by
 * hash must quote it truly; one that names none gets the hash of the
 * document its quote is in, and none at all is refused.
 */
static int
check_attachments(
    struct batch *b, struct proto_payload *pl, char *err, size_t errlen)
{
	struct proto_claim *c = &pl->claim;
	size_t start, end;

	if (b->nattach == 0)
		return PROTO_OK;
	for (size_t i = 0; i < c->nsources; i++) {
		struct proto_source *s = &c->sources[i];
		size_t k;

		if (s->quote == NULL)
			continue;
		for (k = 0; k < b->nattach; k++) {
			struct attachment *a = &b->attach[k];

			if (s->has_sha256 &&
			    memcmp(s->sha256, a->sha256, PROTO_HASH_LEN) != 0)
				continue;
			if (claim_quote_find(
				a->doc, a->len, s->quote, &start, &end))
				break;
			if (s->has_sha256)
				return proto_fail(err, errlen, PROTO_ESCHEMA,
				    "sources[%zu]: the quote is not in %s, the "
				    "document its sha256 names",
				    i, a->name);
		}
		if (k == b->nattach) {
			if (s->has_sha256)
				continue; /* a document not attached here */
			return proto_fail(err, errlen, PROTO_ESCHEMA,
			    "sources[%zu]: the quote is in none of the attached "
			    "documents",
			    i);
		}
		memcpy(s->sha256, b->attach[k].sha256, PROTO_HASH_LEN);
		s->has_sha256 = true;
	}
	return PROTO_OK;
}

/*
 * The version rules (docs/format.md, Versions) that the head alone
 * decides, checked before signing so that the message says what to do;
 * claimd checks them all the same.
 */
static int
check_head(const struct target *t, enum proto_status want, bool reinstates,
    char *err, size_t errlen)
{
	const struct proto_claim *h = &t->entry.payload.claim;
	char hx[2 * PROTO_HASH_LEN + 1];

	proto_hex(t->id, PROTO_HASH_LEN, hx);
	if (h->status == PROTO_STATUS_RETRACTED && want == h->status)
		return proto_fail(err, errlen, PROTO_ERETRACTED,
		    "claim %.16s is already retracted (version %llu); its "
		    "reason stands",
		    hx, (unsigned long long)t->version);
	if (h->status == PROTO_STATUS_RETRACTED && !reinstates)
		return proto_fail(err, errlen, PROTO_ERETRACTED,
		    "claim %.16s is retracted (version %llu); to make it live "
		    "again use claim reinstate %.16s --note TEXT",
		    hx, (unsigned long long)t->version, hx);
	if (h->status != PROTO_STATUS_RETRACTED && reinstates)
		return proto_fail(err, errlen, PROTO_EUNCHANGED,
		    "claim %.16s is live (version %llu): there is nothing to "
		    "reinstate",
		    hx, (unsigned long long)t->version);
	return PROTO_OK;
}

/*
 * A retraction or a reinstatement: the claim as it stands, with the new
 * status and why. Its op has only the target key and why_key.
 */
static int
build_status(struct batch *b, json_t *op, const char *target_key,
    const char *why_key, struct target *t, struct proto_payload *pl, char *err,
    size_t errlen)
{
	const char *ref = str_of(op, target_key), *why = str_of(op, why_key);
	bool reinstates = strcmp(target_key, "reinstates") == 0;
	const char *key;
	json_t *v;
	int rc;

	json_object_foreach(op, key, v)
	{
		(void)v;
		if (strcmp(key, target_key) && strcmp(key, why_key))
			return proto_fail(err, errlen, PROTO_EJSON,
			    "a %s has only \"%s\" and \"%s\", not \"%s\"",
			    reinstates ? "reinstatement" : "retraction",
			    target_key, why_key, key);
	}
	if (ref == NULL)
		return proto_fail(err, errlen, PROTO_EJSON,
		    "\"%s\" must be a claim id or \"@label\"", target_key);
	if (why == NULL || why[0] == '\0')
		return proto_fail(err, errlen, PROTO_EJSON,
		    "a %s needs a \"%s\"",
		    reinstates ? "reinstatement" : "retraction", why_key);
	if ((rc = find_target(b, ref, t, err, errlen)) != 0 ||
	    (rc = check_head(t,
		 reinstates ? PROTO_STATUS_ASSERTED : PROTO_STATUS_RETRACTED,
		 reinstates, err, errlen)) != 0 ||
	    (rc = proto_payload_copy(pl, &t->entry.payload)) != 0)
		return rc;
	free(pl->claim.note);
	if ((pl->claim.note = strdup(why)) == NULL)
		return PROTO_ENOMEM;
	pl->claim.status =
	    reinstates ? PROTO_STATUS_ASSERTED : PROTO_STATUS_RETRACTED;
	pl->claim.reinstates = reinstates;
	return PROTO_OK;
}

/* Builds and signs the record for one operation. */
static int
build(struct batch *b, json_t *op, struct pending *p, char *err, size_t errlen)
{
	static const char *const extra[] = {"ref", "revises", NULL};
	struct resolve_ctx rctx = {b};
	const char *revises = str_of(op, "revises");
	bool retracts = json_object_get(op, "retracts") != NULL;
	/* "reinstates": true is what show --json prints of a reinstatement,
	 * ignored in a claim read back; the op names a claim. */
	bool reinstates = json_is_string(json_object_get(op, "reinstates"));
	struct proto_payload pl;
	struct target t;
	int rc;

	memset(&t, 0, sizeof(t));
	proto_payload_init(&pl);
	if (json_object_get(op, "revises") && revises == NULL)
		return proto_fail(err, errlen, PROTO_EJSON,
		    "\"revises\" must be a claim id or \"@label\"");
	if (retracts || reinstates) {
		/* The claim as it stands, withdrawn or live again. */
		if ((rc = build_status(b, op,
			 retracts ? "retracts" : "reinstates",
			 retracts ? "reason" : "note", &t, &pl, err, errlen)))
			goto cleanup;
	} else {
		if (revises != NULL) {
			if ((rc = find_target(b, revises, &t, err, errlen)) ||
			    (rc = check_head(&t, PROTO_STATUS_ASSERTED, false,
				 err, errlen)))
				goto cleanup;
			/* A revision keeps its party: fill it in if left
			 * out. */
			if (json_object_get(op, "party") == NULL)
				json_object_set_new(
				    op, "party", json_string(t.party));
		}
		if ((rc = proto_claim_from_json(op, resolve_ref, &rctx, extra,
			 &pl, err, errlen)) != PROTO_OK ||
		    (rc = check_attachments(b, &pl, err, errlen)) != PROTO_OK)
			goto cleanup;
		/* Accepted, but a claim nobody can check is worth a word. */
		p->no_sources = pl.claim.nsources == 0;
	}
	if (revises != NULL || retracts || reinstates) {
		pl.claim.version = t.version + 1;
		memcpy(pl.claim.claim, t.id, PROTO_HASH_LEN);
		memcpy(pl.claim.prev, t.head, PROTO_HASH_LEN);
	}
	pl.time = (uint64_t)time(NULL);
	if ((rc = cli_load_key(b->cli)) != EX_DONE) {
		rc = proto_fail(err, errlen, PROTO_EKEY, "no signing key");
		goto cleanup;
	}
	proto_buf_init(&p->rec);
	rc = proto_payload_sign(&pl, b->cli->sk, &p->rec, err, errlen);
	if (rc != PROTO_OK)
		proto_buf_release(&p->rec);
cleanup:
	if (t.fetched)
		claim_entry_release(&t.entry);
	proto_payload_release(&pl);
	return rc;
}

/* Waits until the window has room; the next pending slot, or NULL. */
static struct pending *
next_slot(struct batch *b, long line, int *rc)
{
	struct pending *p;

	*rc = EX_DONE;
	if (b->shutdown) {
		*rc = EX_UNREACHABLE;
		return NULL;
	}
	while (b->npend >= b->window)
		if ((*rc = wait_one(b)) != EX_DONE)
			return NULL;
	/* Answers read while waiting may have said claimd is stopping. */
	if (b->shutdown) {
		*rc = EX_UNREACHABLE;
		return NULL;
	}
	p = &b->pend[b->npend];
	memset(p, 0, sizeof(*p));
	p->line = line;
	p->defines = NO_LABEL;
	return p;
}

/* Sends the record in slot p; it is pending from now on. */
static int
send_slot(struct batch *b, struct pending *p)
{
	if (send_rec(b, p) != PROTO_OK) {
		proto_buf_release(&p->rec);
		report(b, p->line, OUT_NOT_STORED, PROTO_EUNREACHABLE, NULL,
		    "cannot send to claimd at %s", b->cli->server);
		return EX_UNREACHABLE;
	}
	b->npend++;
	b->last_line = p->line;
	return EX_DONE;
}

/* Whether an operation must wait for everything before it. */
static bool
depends(json_t *op)
{
	json_t *rels = json_object_get(op, "relations"), *r;
	size_t i;

	if (json_object_get(op, "revises") || json_object_get(op, "retracts") ||
	    json_is_string(json_object_get(op, "reinstates")))
		return true;
	json_array_foreach(rels, i, r)
	{
		const char *id = str_of(r, "claim");

		if (id != NULL && id[0] == '@')
			return true;
	}
	return false;
}

int
batch_begin(struct batch **out, struct cli *cli, size_t window, bool signing)
{
	struct batch *b;
	int rc;

	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	if (signing && (rc = cli_load_key(cli)) != EX_DONE)
		return rc;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->pend = calloc(window, sizeof(*b->pend))) == NULL) {
		free(b);
		return cli_fail(EX_USAGE, "out of memory");
	}
	b->cli = cli;
	b->window = window;
	clock_gettime(CLOCK_MONOTONIC, &b->flushed);
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_interrupt;
		sa.sa_flags = SA_RESETHAND; /* a second one ends it at once */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	*out = b;
	return EX_DONE;
}

void
batch_set_flags(struct batch *b, uint16_t flags)
{
	b->flags = flags;
}

/* The exit status of a batch a signal stopped: as if it had killed it. */
static int
stopped(void)
{
	return 128 + interrupted;
}

void
batch_skip(struct batch *b, long line)
{
	unsent(b, line);
}

int
batch_bad_line(struct batch *b, long line, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(b, line, OUT_REFUSED, code, NULL, "%s", msg);
	return EX_USAGE;
}

/*
 * One operation (a JSON object) from input line `line`. An operation that
 * cannot be built is reported and counted as refused; the batch goes on.
 * When the batch cannot go on, the line is reported as not sent and the
 * exit status returned.
 */
int
batch_add(struct batch *b, json_t *op, long line)
{
	const char *ref = str_of(op, "ref");
	struct pending *p;
	char err[512];
	int rc;

	if (interrupted) {
		unsent(b, line);
		return stopped();
	}
	if ((!b->shutdown && depends(op) && (rc = drain(b)) != EX_DONE) ||
	    (p = next_slot(b, line, &rc)) == NULL) {
		unsent(b, line);
		return rc;
	}
	if (!json_is_object(op)) {
		snprintf(err, sizeof(err), "a claim must be a JSON object");
		rc = PROTO_EJSON;
	} else if (ref != NULL && label_find(b, ref) != NULL) {
		snprintf(err, sizeof(err), "\"ref\": \"%s\" used twice", ref);
		rc = PROTO_EJSON;
	} else {
		rc = build(b, op, p, err, sizeof(err));
	}
	if (rc == PROTO_EUNREACHABLE) {
		report(b, line, OUT_NOT_STORED, rc, NULL, "%s", err);
		return EX_UNREACHABLE;
	}
	if (rc != PROTO_OK) {
		report(b, line, OUT_REFUSED, rc, NULL, "%s", err);
		if (ref != NULL && label_find(b, ref) == NULL &&
		    (p->defines = label_add(b, ref)) != NO_LABEL)
			b->labels[p->defines].failed = true;
		return EX_DONE;
	}
	/* Stored all the same: said at once, or in its acknowledgement. */
	if (p->no_sources && !b->cli->json)
		cli_warn("line %ld: claim has no sources", line);
	if (ref != NULL && (p->defines = label_add(b, ref)) == NO_LABEL) {
		proto_buf_release(&p->rec);
		unsent(b, line);
		return cli_fail(EX_USAGE, "out of memory");
	}
	return send_slot(b, p);
}

/* A record signed elsewhere (an export's line), sent as it is. */
int
batch_add_record(struct batch *b, const uint8_t *rec, size_t len, long line)
{
	struct pending *p;
	int rc;

	if (interrupted) {
		unsent(b, line);
		return stopped();
	}
	if ((p = next_slot(b, line, &rc)) == NULL) {
		unsent(b, line);
		return rc;
	}
	proto_buf_init(&p->rec);
	if (proto_buf_append(&p->rec, rec, len) != PROTO_OK) {
		unsent(b, line);
		return cli_fail(EX_USAGE, "out of memory");
	}
	return send_slot(b, p);
}

/* The counts, on stderr: one line of words, or one JSON object. */
static void
summary(struct batch *b, size_t lines)
{
	if (b->cli->json) {
		json_t *j = json_object();

		json_object_set_new(
		    j, "lines", json_integer((json_int_t)lines));
		for (int o = 0; o < OUT_COUNT; o++)
			json_object_set_new(j, outcome_name[o],
			    json_integer((json_int_t)b->count[o]));
		put_json_err(j);
		return;
	}
	fprintf(stderr, "claim: %zu lines:", lines);
	for (int o = 0; o < OUT_COUNT; o++)
		fprintf(stderr, "%s %zu %s", o ? "," : "", b->count[o],
		    outcome_words[o]);
	fputc('\n', stderr);
}

/*
 * Waits for every answer to what was sent, however the batch ended, and
 * reports the lines not sent; the exit status for the whole batch.
 */
int
batch_end(struct batch *b, int rc)
{
	bool halted = interrupted && rc == stopped();
	size_t lines = 0;
	int drc;

	/* What was sent is answered all the same (or found unanswered),
	 * so that each line claimd stored is reported. */
	if ((drc = drain(b)) != EX_DONE && rc == EX_DONE)
		rc = drc;
	flush_acks(b);
	if (halted && b->last_line > 0)
		fprintf(stderr,
		    "claim: interrupted: sent up to line %ld, nothing after "
		    "it\n",
		    b->last_line);
	else if (halted)
		fprintf(stderr, "claim: interrupted: nothing sent\n");
	if (b->unsent == 1)
		fprintf(stderr, "claim: line %ld: not stored: not sent\n",
		    b->unsent_first);
	else if (b->unsent > 1)
		fprintf(stderr,
		    "claim: lines %ld to %ld: not stored: not sent (%zu "
		    "lines)\n",
		    b->unsent_first, b->unsent_last, b->unsent);
	if (rc == EX_DONE &&
	    (b->count[OUT_UNCONFIRMED] > 0 || b->count[OUT_NOT_STORED] > 0))
		rc = EX_UNREACHABLE;
	if (rc == EX_DONE &&
	    (b->count[OUT_REFUSED] > 0 || b->count[OUT_EXISTS] > 0))
		rc = EX_REFUSED;
	for (int o = 0; o < OUT_COUNT; o++)
		lines += b->count[o];
	if (lines > 1)
		summary(b, lines);
	for (size_t i = 0; i < b->nlabels; i++)
		free(b->labels[i].name);
	for (size_t i = 0; i < b->nattach; i++)
		free(b->attach[i].doc);
	free(b->labels);
	free(b->pend);
	free(b);
	return rc;
}
