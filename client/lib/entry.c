/*
 * entry.c: log entries as received: copied, parsed, decoded, and their
 * signatures checked, many at once on the pool (pool.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int
claim_entry_bad_signature(const struct claim_entry *e, char *err, size_t errlen)
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
		claim_entry_bad_signature(e, err, errlen);
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

int
claim_entries_verify(const struct claim_entry *e, size_t n, size_t *bad)
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

		if (claim_entries_verify(e, count, &bad) != PROTO_OK)
			rc = claim_entry_bad_signature(&e[bad], err, errlen);
	}
	if (rc != PROTO_OK) {
		claim_entries_free(e, k);
		return rc;
	}
	*out = e;
	*n = count;
	return PROTO_OK;
}
