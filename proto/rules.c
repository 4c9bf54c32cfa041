/*
 * rules.c: who may append what (docs/format.md, Authorization), written once
 * over an abstract view of the log's state so that the daemon and an
 * offline auditor replay exactly the same rules.
 */
#include <string.h>

#include <sodium.h>

#include "proto.h"

/* The first 16 hex digits of a hash or key, for messages. */
static const char *
short_hex(const uint8_t *p, char out[17])
{
	proto_hex(p, 8, out);
	return out;
}

static int
check_registry(const struct proto_state_ops *st, void *ctx,
    const uint8_t admin[PROTO_PUBKEY_LEN], const struct proto_record *rec,
    const struct proto_registry *r, enum proto_kind kind, char *err,
    size_t errlen)
{
	char hx[17];
	bool exists, held;
	int rc;

	if (sodium_memcmp(rec->kid, admin, PROTO_PUBKEY_LEN) != 0)
		return proto_fail(err, errlen, PROTO_EUNAUTHORIZED,
		    "%s records must be signed by the admin key",
		    proto_kind_name(kind));
	/* An owner stands apart from parties and keys: each record says
	 * whom it holds now (docs/format.md, Owners). */
	if (kind == PROTO_KIND_OWNER)
		return PROTO_OK;
	if ((rc = st->party_exists(ctx, r->party, &exists)) != PROTO_OK)
		return rc;
	if (kind == PROTO_KIND_PARTY)
		return exists ? proto_fail(err, errlen, PROTO_EEXISTS,
				    "party \"%s\" already exists", r->party)
			      : PROTO_OK;
	if (!exists)
		return proto_fail(
		    err, errlen, PROTO_ENOPARTY, "no party \"%s\"", r->party);
	if ((rc = st->grant_held(ctx, r->key, r->party, &held)) != PROTO_OK)
		return rc;
	if (kind == PROTO_KIND_GRANT && held)
		return proto_fail(err, errlen, PROTO_EEXISTS,
		    "key %s already holds a grant for \"%s\"",
		    short_hex(r->key, hx), r->party);
	if (kind == PROTO_KIND_REVOKE && !held)
		return proto_fail(err, errlen, PROTO_ENOTFOUND,
		    "key %s holds no grant for \"%s\"", short_hex(r->key, hx),
		    r->party);
	return PROTO_OK;
}

static int
check_relations(const struct proto_state_ops *st, void *ctx,
    const struct proto_claim *c, char *err, size_t errlen)
{
	struct proto_head head;
	char hx[17];
	bool found;
	int rc;

	for (size_t i = 0; i < c->nrelations; i++) {
		const uint8_t *id = c->relations[i].claim;

		if (c->version > 1 && memcmp(id, c->claim, PROTO_HASH_LEN) == 0)
			return proto_fail(err, errlen, PROTO_ESCHEMA,
			    "relations[%zu] names the claim itself", i);
		if ((rc = st->claim_head(ctx, id, &head, &found)) != PROTO_OK)
			return rc;
		if (!found)
			return proto_fail(err, errlen, PROTO_ENOTFOUND,
			    "relations[%zu] names no claim in the log (%s)", i,
			    short_hex(id, hx));
	}
	return PROTO_OK;
}

/*
 * The version rules (docs/format.md, Versions) for c, a later version
 * whose head claim_head found: every such version says why it was made;
 * a retracted claim is neither revised nor retracted again, only
 * reinstated, and only a retracted one is; a revision changes what the
 * claim says.
 */
static int
check_version(const struct proto_state_ops *st, void *ctx,
    const struct proto_claim *c, struct proto_head *head, char *err,
    size_t errlen)
{
	uint8_t content[PROTO_HASH_LEN];
	char hx[17];
	int rc;

	short_hex(c->claim, hx);
	if ((rc = st->head_content(ctx, c->claim, head)) != PROTO_OK)
		return rc;
	if (head->status == PROTO_STATUS_RETRACTED) {
		if (c->status == PROTO_STATUS_RETRACTED)
			return proto_fail(err, errlen, PROTO_ERETRACTED,
			    "claim %s is already retracted (version %llu); "
			    "its reason stands",
			    hx, (unsigned long long)head->version);
		if (!c->reinstates)
			return proto_fail(err, errlen, PROTO_ERETRACTED,
			    "claim %s is retracted; to make it live again use "
			    "claim reinstate %s --note TEXT",
			    hx, hx);
	} else if (c->reinstates) {
		return proto_fail(err, errlen, PROTO_EUNCHANGED,
		    "claim %s is live (version %llu): there is nothing to "
		    "reinstate",
		    hx, (unsigned long long)head->version);
	} else if (c->status == PROTO_STATUS_ASSERTED) {
		if ((rc = proto_claim_content(c, content)) != PROTO_OK)
			return rc;
		if (memcmp(content, head->content, PROTO_HASH_LEN) == 0)
			return proto_fail(err, errlen, PROTO_EUNCHANGED,
			    "this revision says what version %llu of claim %s "
			    "says: change the statement, topics, date made, "
			    "sources or relations",
			    (unsigned long long)head->version, hx);
	}
	if (c->note == NULL || c->note[0] == '\0')
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "version %llu of claim %s has no note: every version "
		    "after the first says why it was made",
		    (unsigned long long)c->version, hx);
	return PROTO_OK;
}

int
proto_rules_check(const struct proto_state_ops *st, void *ctx,
    const uint8_t admin[PROTO_PUBKEY_LEN], const struct proto_record *rec,
    const struct proto_payload *p, const uint8_t hash[PROTO_HASH_LEN],
    struct proto_head *head_out, char *err, size_t errlen)
{
	const struct proto_claim *c = &p->claim;
	struct proto_head head;
	char hx[17], hy[17], hz[17];
	bool held, found;
	int rc;

	(void)hash;
	if (p->kind != PROTO_KIND_CLAIM)
		return check_registry(
		    st, ctx, admin, rec, &p->reg, p->kind, err, errlen);
	if ((rc = st->grant_held(ctx, rec->kid, c->party, &held)) != PROTO_OK)
		return rc;
	if (!held)
		return proto_fail(err, errlen, PROTO_EUNAUTHORIZED,
		    "key %s holds no grant for party \"%s\"",
		    short_hex(rec->kid, hx), c->party);
	if (c->version > 1) {
		if ((rc = st->claim_head(ctx, c->claim, &head, &found)) !=
		    PROTO_OK)
			return rc;
		if (!found)
			return proto_fail(err, errlen, PROTO_ENOTFOUND,
			    "no claim %s to revise", short_hex(c->claim, hx));
		if (head_out != NULL)
			*head_out = head;
		if (strcmp(head.party, c->party) != 0)
			return proto_fail(err, errlen, PROTO_ECHAIN,
			    "claim %s belongs to \"%s\"; a revision cannot "
			    "move it to \"%s\"",
			    short_hex(c->claim, hx), head.party, c->party);
		if (memcmp(head.hash, c->prev, PROTO_HASH_LEN) != 0)
			return proto_fail(err, errlen, PROTO_ECONFLICT,
			    "claim %s is at version %llu, head %s; this "
			    "revision is based on %s",
			    short_hex(c->claim, hx),
			    (unsigned long long)head.version,
			    short_hex(head.hash, hy), short_hex(c->prev, hz));
		if (c->version != head.version + 1)
			return proto_fail(err, errlen, PROTO_ECHAIN,
			    "version %llu does not follow the head's %llu",
			    (unsigned long long)c->version,
			    (unsigned long long)head.version);
		if ((rc = check_version(st, ctx, c, &head, err, errlen)) !=
		    PROTO_OK)
			return rc;
	}
	return check_relations(st, ctx, c, err, errlen);
}

int
proto_grant_key(const uint8_t key[PROTO_PUBKEY_LEN], const char *party,
    uint8_t out[PROTO_GRANT_KEY_MAX], size_t *n)
{
	size_t pl = strlen(party);

	if (pl > PROTO_SLUG_MAX)
		return PROTO_EINVAL;
	memcpy(out, key, PROTO_PUBKEY_LEN);
	memcpy(out + PROTO_PUBKEY_LEN, party, pl);
	*n = PROTO_PUBKEY_LEN + pl;
	return PROTO_OK;
}

int
proto_rules_apply(const struct proto_state_ops *st, void *ctx,
    const struct proto_payload *p, const uint8_t hash[PROTO_HASH_LEN])
{
	const struct proto_claim *c = &p->claim;
	struct proto_head head;
	int rc;

	switch (p->kind) {
	case PROTO_KIND_PARTY:
		return st->party_add(ctx, p->reg.party, p->reg.name);
	case PROTO_KIND_GRANT:
	case PROTO_KIND_REVOKE:
		return st->grant_set(
		    ctx, p->reg.key, p->reg.party, p->kind == PROTO_KIND_GRANT);
	case PROTO_KIND_OWNER:
		/* Kept in the log only: the graph replays them. */
		return PROTO_OK;
	case PROTO_KIND_CLAIM:
		memset(&head, 0, sizeof(head));
		head.version = c->version;
		memcpy(head.hash, hash, PROTO_HASH_LEN);
		strncpy(head.party, c->party, PROTO_SLUG_MAX);
		head.status = c->status;
		if (st->keeps_content &&
		    (rc = proto_claim_content(c, head.content)) != PROTO_OK)
			return rc;
		return st->head_set(
		    ctx, c->version == 1 ? hash : c->claim, &head);
	}
	return PROTO_EINVAL;
}
