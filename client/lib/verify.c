/*
 * verify.c: checking an export offline, trusting nothing but the admin
 * key (and, with a checkpoint, the log's key).
 *
 * Lines are read in chunks; the threads of libclaim's pool (pool.c)
 * parse each line, check its hash, parse the record strictly, verify its
 * signature and decode its payload, all in parallel. The calling thread takes
 * the chunks back in order and does what must be sequential: indexes without
 * gaps, the authorization and version rules replayed from the first entry, and
 * the Merkle tree. While it waits it works on chunks itself, so every core
 * verifies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "internal.h"

#define CHUNK_LINES 512

struct vent {
	uint64_t index;
	uint8_t hash[PROTO_HASH_LEN];
	int rc;
	char why[200];
	uint8_t *bytes;
	size_t len;
	struct proto_record rec;
	struct proto_payload p;
};

struct chunk {
	struct claim_job job; /* first: the job is the chunk */
	size_t n;
	char *lines[CHUNK_LINES];
	uint64_t lineno[CHUNK_LINES]; /* in the file, from 1 */
	struct vent v[CHUNK_LINES];
};

struct verifier {
	struct claim_pool pool;
	struct chunk *ring;
	size_t depth;
	uint64_t seq_read, seq_done; /* chunks read, chunks consumed */
};

static int
b64_record(const char *s, size_t n, uint8_t **out, size_t *len)
{
	uint8_t *buf;

	if (n > proto_base64_len(PROTO_RECORD_MAX) ||
	    (buf = malloc(n / 4 * 3 + 3)) == NULL)
		return PROTO_ETOOBIG;
	if (proto_unbase64(s, n, buf, n / 4 * 3 + 3, len) != PROTO_OK) {
		free(buf);
		return PROTO_EINVAL;
	}
	*out = buf;
	return PROTO_OK;
}

/* A JSON string's body: printable ASCII but '"' and '\\'; its end. */
static const char *
plain_string(const char *p)
{
	while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
		p++;
	return *p == '"' ? p : NULL;
}

/*
 * The line exactly as claim export writes it, {"index":N,"hash":"...",
 * "record":"..."}, read without a JSON parser; false for anything else,
 * which jansson then reads. What it accepts, jansson reads to the same
 * values: no escapes, no leading zeros, nothing after.
 */
static bool
export_form(const char *line, uint64_t *index, const char **hash, size_t *hlen,
    const char **rec, size_t *rlen)
{
	const char *p = line, *e;
	uint64_t n = 0;
	size_t digits = 0;

	if (strncmp(p, "{\"index\":", 9) != 0)
		return false;
	for (p += 9; *p >= '0' && *p <= '9' && digits < 18; p++, digits++)
		n = n * 10 + (uint64_t)(*p - '0');
	if (digits == 0 || (digits > 1 && p[-(long)digits] == '0') ||
	    strncmp(p, ",\"hash\":\"", 9) != 0)
		return false;
	*hash = p += 9;
	if ((e = plain_string(p)) == NULL)
		return false;
	*hlen = (size_t)(e - p);
	if (strncmp(p = e, "\",\"record\":\"", 12) != 0)
		return false;
	*rec = p += 12;
	if ((e = plain_string(p)) == NULL || strcmp(e, "\"}") != 0)
		return false;
	*rlen = (size_t)(e - p);
	*index = n;
	return true;
}

/*
 * A line's record, base64-decoded into *bytes (malloc'd) with its hash
 * checked against the line's "hash"; on failure the PROTO_E code, why
 * saying what is wrong. The caller frees *bytes either way (NULL when the
 * line held no record).
 */
int
claim_export_line(const char *line, uint64_t *index, uint8_t **bytes,
    size_t *len, uint8_t hash[PROTO_HASH_LEN], char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *o = NULL;
	const char *h, *rec;
	size_t hlen, rlen;
	uint8_t claimed[PROTO_HASH_LEN];
	char hex[2 * PROTO_HASH_LEN + 1];
	int rc = PROTO_EJSON;

	*bytes = NULL;
	*len = 0;
	if (!export_form(line, index, &h, &hlen, &rec, &rlen)) {
		json_t *idx, *jh, *r;

		if ((o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr)) ==
		    NULL) {
			snprintf(why, whylen, "not JSON: %s", jerr.text);
			return rc;
		}
		idx = json_object_get(o, "index");
		jh = json_object_get(o, "hash");
		r = json_object_get(o, "record");
		if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
		    !json_is_string(jh) || !json_is_string(r)) {
			snprintf(why, whylen,
			    "needs \"index\", \"hash\" and \"record\"");
			goto done;
		}
		*index = (uint64_t)json_integer_value(idx);
		h = json_string_value(jh);
		hlen = json_string_length(jh);
		rec = json_string_value(r);
		rlen = json_string_length(r);
	}
	if (hlen == sizeof(hex) - 1) {
		memcpy(hex, h, hlen); /* not ended where the line goes on */
		hex[hlen] = '\0';
	}
	if (hlen != sizeof(hex) - 1 ||
	    proto_unhex(hex, claimed, PROTO_HASH_LEN) != PROTO_OK) {
		snprintf(why, whylen, "\"hash\" is not 64 hex digits");
		goto done;
	}
	if (b64_record(rec, rlen, bytes, len) != PROTO_OK) {
		snprintf(why, whylen, "\"record\" is not base64 of a record");
		goto done;
	}
	proto_record_hash(*bytes, *len, hash);
	if (memcmp(hash, claimed, PROTO_HASH_LEN) != 0) {
		rc = PROTO_EPROOF;
		snprintf(why, whylen,
		    "the record's hash is not the \"hash\" given: the record "
		    "was altered");
		goto done;
	}
	rc = PROTO_OK;
done:
	json_decref(o);
	return rc;
}

/* Everything about one line that needs no other line. */
static void
check_line(const char *line, struct vent *v)
{
	memset(v, 0, sizeof(*v));
	v->rc = claim_export_line(line, &v->index, &v->bytes, &v->len, v->hash,
	    v->why, sizeof(v->why));
	if (v->rc == PROTO_OK)
		v->rc = proto_record_open(
		    v->bytes, v->len, &v->rec, &v->p, v->why, sizeof(v->why));
}

static void
work_chunk(struct claim_job *j)
{
	struct chunk *c = (struct chunk *)j;

	for (size_t i = 0; i < c->n; i++)
		check_line(c->lines[i], &c->v[i]);
}

static void
chunk_clear(struct chunk *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->lines[i]);
		proto_payload_release(&c->v[i].p);
		free(c->v[i].bytes);
		/* A chunk read again but never checked holds nothing. */
		memset(&c->v[i].p, 0, sizeof(c->v[i].p));
		c->v[i].bytes = NULL;
	}
	c->n = 0;
}

/*
 * The next line of the export that is not blank, without its newline, in
 * *line (getline()'s buffer); *lineno counts every line read. False at
 * the end.
 */
static bool
next_line(FILE *in, char **line, size_t *cap, uint64_t *lineno)
{
	ssize_t n;

	while ((n = getline(line, cap, in)) >= 0) {
		(*lineno)++;
		if (n > 0 && (*line)[n - 1] == '\n')
			(*line)[--n] = '\0';
		if ((*line)[strspn(*line, " \t\r")] != '\0')
			return true;
	}
	return false;
}

/* Reads up to CHUNK_LINES non-blank lines; false at the end. */
static bool
fill(struct chunk *c, FILE *in, uint64_t *lineno)
{
	char *line = NULL;
	size_t cap = 0;

	c->n = 0;
	while (c->n < CHUNK_LINES && next_line(in, &line, &cap, lineno)) {
		c->lineno[c->n] = *lineno;
		c->lines[c->n++] = line;
		line = NULL;
		cap = 0;
	}
	free(line);
	return c->n > 0;
}

int
claim_read_export(
    FILE *in, claim_export_fn fn, void *ctx, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	uint64_t lineno = 0;
	int rc = PROTO_OK;

	while (rc == PROTO_OK && next_line(in, &line, &cap, &lineno)) {
		struct vent v;
		struct claim_entry e;

		check_line(line, &v);
		if (v.rc != PROTO_OK) {
			rc = proto_fail(err, errlen, v.rc, "line %llu: %s",
			    (unsigned long long)lineno, v.why);
			proto_payload_release(&v.p);
			free(v.bytes);
			continue;
		}
		/* check_line() parsed, verified and decoded it: the entry
		 * takes what it made. */
		memset(&e, 0, sizeof(e));
		e.index = v.index;
		e.bytes = v.bytes;
		e.len = v.len;
		memcpy(e.hash, v.hash, PROTO_HASH_LEN);
		e.rec = v.rec;
		e.payload = v.p;
		claim_entry_set_claim(&e);
		if (fn(ctx, &e) != 0)
			rc = -1;
		claim_entry_release(&e);
	}
	free(line);
	if (rc == PROTO_OK && ferror(in))
		rc = proto_fail(
		    err, errlen, PROTO_EIO, "cannot read the export");
	return rc;
}

/* The index a line gives, if it gives one. */
static bool
line_index(const char *line, uint64_t *index)
{
	const char *hash, *rec;
	size_t hlen, rlen;
	json_t *o, *idx;
	bool ok;

	if (export_form(line, index, &hash, &hlen, &rec, &rlen))
		return true;
	if ((o = json_loads(line, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return false;
	idx = json_object_get(o, "index");
	if ((ok = json_is_integer(idx) && json_integer_value(idx) >= 0))
		*index = (uint64_t)json_integer_value(idx);
	json_decref(o);
	return ok;
}

/*
 * Entry expect is not where it should be: entry i of the chunk being
 * consumed, which is entry found, is there instead. Says why: entry found
 * came before (repeated), entry expect comes later in the file (out of
 * order) or nowhere (missing). To know, reads the lines already in the
 * ring, then the rest of the export; lineno is how many lines fill read.
 */
static int
misplaced(struct verifier *vf, size_t i, FILE *in, uint64_t lineno,
    uint64_t expect, struct claim_verify_result *res)
{
	const struct chunk *c = &vf->ring[vf->seq_done % vf->depth];
	uint64_t found = c->v[i].index, at = 0, idx;
	unsigned long long e = expect, f = found, l = c->lineno[i];
	char *line = NULL;
	size_t cap = 0;

	if (found < expect) {
		snprintf(res->why, sizeof(res->why),
		    "expected index %llu, found %llu (line %llu): entry %llu "
		    "is repeated",
		    e, f, l, f);
		return PROTO_EPROOF;
	}
	/* Workers only read the lines, as this does: no lock needed. */
	for (uint64_t s = vf->seq_done; s < vf->seq_read && at == 0; s++) {
		const struct chunk *k = &vf->ring[s % vf->depth];

		for (size_t j = s == vf->seq_done ? i + 1 : 0;
		     j < k->n && at == 0; j++)
			if (line_index(k->lines[j], &idx) && idx == expect)
				at = k->lineno[j];
	}
	while (at == 0 && next_line(in, &line, &cap, &lineno))
		if (line_index(line, &idx) && idx == expect)
			at = lineno;
	free(line);
	if (at != 0)
		snprintf(res->why, sizeof(res->why),
		    "expected index %llu, found %llu (line %llu): entry %llu "
		    "comes after entry %llu, at line %llu: entries are out "
		    "of order",
		    e, f, l, e, f, (unsigned long long)at);
	else
		snprintf(res->why, sizeof(res->why),
		    "expected index %llu, found %llu (line %llu): entry %llu "
		    "is missing",
		    e, f, l, e);
	return PROTO_EPROOF;
}

/*
 * The sequential part, on one entry in its place (misplaced() for one
 * that is not); PROTO_OK or why not.
 */
static int
consume(struct vent *v, struct proto_memstate *ms,
    struct claim_verify_result *res, const uint8_t **admin,
    struct proto_merkle_edge *edge, const struct claim_verify_opts *o,
    uint8_t cp_root_seen[PROTO_HASH_LEN], bool *cp_seen)
{
	char why[256];
	int rc;

	if (v->rc != PROTO_OK) {
		snprintf(res->why, sizeof(res->why), "%s", v->why);
		return v->rc;
	}
	if (*admin == NULL) {
		/* Without --admin-key: the signer of the first registry
		 * record, which every later one must match. */
		if (v->p.kind == PROTO_KIND_CLAIM) {
			snprintf(res->why, sizeof(res->why),
			    "a claim before any registry record: give "
			    "--admin-key");
			return PROTO_EUNAUTHORIZED;
		}
		memcpy(res->admin, v->rec.kid, PROTO_PUBKEY_LEN);
		res->admin_inferred = true;
		*admin = res->admin;
	}
	rc = proto_rules_check(&proto_memstate_ops, ms, *admin, &v->rec, &v->p,
	    v->hash, NULL, why, sizeof(why));
	if (rc != PROTO_OK) {
		snprintf(res->why, sizeof(res->why), "%s", why);
		return rc;
	}
	if ((rc = proto_rules_apply(&proto_memstate_ops, ms, &v->p, v->hash)) !=
	    PROTO_OK) {
		snprintf(res->why, sizeof(res->why), "cannot apply: %s",
		    proto_strerror(rc));
		return rc;
	}
	if (v->p.kind == PROTO_KIND_CLAIM)
		res->claims += v->p.claim.version == 1;
	else
		res->registry++;
	proto_merkle_edge_push(edge, v->hash);
	if (o->cp_size == edge->size) {
		proto_merkle_edge_root(edge, cp_root_seen);
		*cp_seen = true;
	}
	return PROTO_OK;
}

int
claim_verify_export(FILE *in, const struct claim_verify_opts *o,
    struct claim_verify_result *res)
{
	struct verifier vf;
	struct proto_memstate *ms = NULL;
	struct proto_merkle_edge edge;
	uint8_t cp_root[PROTO_HASH_LEN];
	const uint8_t *admin = o->admin;
	uint64_t lineno = 0, expect = 0;
	bool eof = false, cp_seen = false;
	int nthreads = o->threads, rc = PROTO_OK;

	memset(res, 0, sizeof(*res));
	memset(&vf, 0, sizeof(vf));
	/* The caller's thread works too. */
	if (nthreads <= 0)
		nthreads = claim_pool_cores() > 1 ? claim_pool_cores() - 1 : 1;
	if (nthreads > CLAIM_POOL_MAX)
		nthreads = CLAIM_POOL_MAX;
	vf.depth = (size_t)nthreads * 2 + 2;
	if ((vf.ring = calloc(vf.depth, sizeof(*vf.ring))) == NULL ||
	    proto_memstate_new(&ms) != PROTO_OK) {
		free(vf.ring);
		return PROTO_ENOMEM;
	}
	proto_merkle_edge_init(&edge);
	claim_pool_start(&vf.pool, nthreads);

	while (rc == PROTO_OK) {
		struct chunk *c;

		/* Keep the ring full. */
		while (!eof && vf.seq_read - vf.seq_done < vf.depth) {
			c = &vf.ring[vf.seq_read % vf.depth];
			if ((eof = !fill(c, in, &lineno)))
				break;
			claim_pool_submit(&vf.pool, &c->job, work_chunk);
			vf.seq_read++;
		}
		if (vf.seq_done == vf.seq_read)
			break; /* all consumed */
		c = &vf.ring[vf.seq_done % vf.depth];
		/* Helps while the next chunk in order is not ready. */
		claim_pool_wait(&vf.pool, &c->job);
		for (size_t i = 0; i < c->n && rc == PROTO_OK; i++, expect++) {
			if (c->v[i].rc == PROTO_OK && c->v[i].index != expect)
				rc = misplaced(&vf, i, in, lineno, expect, res);
			else
				rc = consume(&c->v[i], ms, res, &admin, &edge,
				    o, cp_root, &cp_seen);
			if (rc != PROTO_OK)
				res->bad_index = expect;
		}
		chunk_clear(c);
		vf.seq_done++;
		if (o->progress != NULL)
			o->progress(o->ctx, expect);
	}
	claim_pool_stop(&vf.pool);
	for (size_t i = 0; i < vf.depth; i++)
		chunk_clear(&vf.ring[i]);
	res->entries = edge.size;
	proto_merkle_edge_root(&edge, res->root);
	if (rc == PROTO_OK && ferror(in)) {
		snprintf(res->why, sizeof(res->why), "cannot read the export");
		rc = PROTO_EIO;
	}
	if (rc == PROTO_OK && o->cp_given) {
		res->bad_index = UINT64_MAX;
		if (!cp_seen && !(o->cp_size == 0)) {
			snprintf(res->why, sizeof(res->why),
			    "the export ends at %llu entries; the checkpoint "
			    "covers %llu",
			    (unsigned long long)edge.size,
			    (unsigned long long)o->cp_size);
			rc = PROTO_EPROOF;
		} else {
			if (o->cp_size == 0)
				crypto_hash_sha256(cp_root, NULL, 0);
			if (sodium_memcmp(
				cp_root, o->cp_root, PROTO_HASH_LEN) != 0) {
				snprintf(res->why, sizeof(res->why),
				    "the export's tree root at size %llu is not "
				    "the checkpoint's: this is not the log the "
				    "checkpoint signs",
				    (unsigned long long)o->cp_size);
				rc = PROTO_EPROOF;
			}
		}
	}
	proto_memstate_free(ms);
	free(vf.ring);
	return rc;
}
