/*
 * memstate.c: the log's authorization state held in memory, for replaying
 * a log without its store: the offline verifier and the store's integrity
 * check. Open-addressing hash tables over byte-string keys.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

struct slot {
	uint8_t *key; /* NULL: empty */
	size_t klen;
	uint64_t h;
	uint64_t val;           /* parties: index into names; claims: below */
	struct claimrec *claim; /* claims only */
};

struct table {
	struct slot *slots;
	size_t cap; /* a power of two */
	size_t n;
};

struct claimrec {
	uint64_t version;
	uint8_t hash[PROTO_HASH_LEN];
	uint8_t content[PROTO_HASH_LEN]; /* of the head, for the rules */
	uint32_t party;                  /* index into parties */
	uint8_t status;                  /* enum proto_status of the head */
};

struct proto_memstate {
	struct table parties; /* slug -> index into names */
	struct table grants;  /* key || slug -> 1 */
	struct table claims;  /* id -> claimrec */
	char **names;         /* slug of party i */
	char **pnames;        /* display name of party i */
	size_t nnames;
};

static uint64_t
hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static struct slot *
table_find(const struct table *t, const void *key, size_t klen, uint64_t h)
{
	size_t mask = t->cap - 1;

	if (t->cap == 0)
		return NULL;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &t->slots[i];

		if (s->key == NULL)
			return s;
		if (s->h == h && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0)
			return s;
	}
}

static int
table_grow(struct table *t)
{
	struct table nt;

	nt.cap = t->cap ? t->cap * 2 : 64;
	nt.n = t->n;
	if ((nt.slots = calloc(nt.cap, sizeof(*nt.slots))) == NULL)
		return PROTO_ENOMEM;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].key != NULL)
			*table_find(&nt, t->slots[i].key, t->slots[i].klen,
			    t->slots[i].h) = t->slots[i];
	free(t->slots);
	*t = nt;
	return PROTO_OK;
}

/* The slot for key, inserted if absent (*created says which). */
static int
table_put(struct table *t, const void *key, size_t klen, struct slot **out,
    bool *created)
{
	uint64_t h = hash_bytes(key, klen);
	struct slot *s;
	int rc;

	if ((t->n + 1) * 4 > t->cap * 3 && (rc = table_grow(t)) != PROTO_OK)
		return rc;
	s = table_find(t, key, klen, h);
	*created = s->key == NULL;
	if (*created) {
		if ((s->key = malloc(klen)) == NULL)
			return PROTO_ENOMEM;
		memcpy(s->key, key, klen);
		s->klen = klen;
		s->h = h;
		s->val = 0;
		s->claim = NULL;
		t->n++;
	}
	*out = s;
	return PROTO_OK;
}

static struct slot *
table_get(const struct table *t, const void *key, size_t klen)
{
	struct slot *s = table_find(t, key, klen, hash_bytes(key, klen));

	return s != NULL && s->key != NULL ? s : NULL;
}

/* Removes by backward-shift deletion, keeping probe chains intact. */
static void
table_del(struct table *t, struct slot *s)
{
	size_t mask = t->cap - 1, i = (size_t)(s - t->slots), j = i;

	free(s->key);
	free(s->claim);
	s->key = NULL;
	t->n--;
	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (t->slots[j].key == NULL)
			return;
		k = t->slots[j].h & mask;
		/* Move j back to i unless its home lies cyclically in (i, j].
		 */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j].key = NULL;
		i = j;
	}
}

static void
table_free(struct table *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		free(t->slots[i].key);
		free(t->slots[i].claim);
	}
	free(t->slots);
}

int
proto_memstate_new(struct proto_memstate **out)
{
	return (*out = calloc(1, sizeof(**out))) != NULL ? PROTO_OK
							 : PROTO_ENOMEM;
}

void
proto_memstate_free(struct proto_memstate *m)
{
	if (m == NULL)
		return;
	table_free(&m->parties);
	table_free(&m->grants);
	table_free(&m->claims);
	for (size_t i = 0; i < m->nnames; i++) {
		free(m->names[i]);
		free(m->pnames[i]);
	}
	free(m->names);
	free(m->pnames);
	free(m);
}

static int
ms_party_exists(void *ctx, const char *slug, bool *exists)
{
	struct proto_memstate *m = ctx;

	*exists = table_get(&m->parties, slug, strlen(slug)) != NULL;
	return PROTO_OK;
}

static int
ms_grant_held(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party,
    bool *held)
{
	struct proto_memstate *m = ctx;
	uint8_t k[PROTO_GRANT_KEY_MAX];
	size_t n;

	*held = false;
	if (proto_grant_key(key, party, k, &n) != PROTO_OK)
		return PROTO_OK;
	*held = table_get(&m->grants, k, n) != NULL;
	return PROTO_OK;
}

static int
ms_claim_head(void *ctx, const uint8_t id[PROTO_HASH_LEN],
    struct proto_head *head, bool *found)
{
	struct proto_memstate *m = ctx;
	struct slot *s = table_get(&m->claims, id, PROTO_HASH_LEN);

	*found = s != NULL;
	if (s == NULL)
		return PROTO_OK;
	memset(head, 0, sizeof(*head));
	head->version = s->claim->version;
	memcpy(head->hash, s->claim->hash, PROTO_HASH_LEN);
	strncpy(head->party, m->names[s->claim->party], PROTO_SLUG_MAX);
	return PROTO_OK;
}

static int
ms_head_content(
    void *ctx, const uint8_t id[PROTO_HASH_LEN], struct proto_head *head)
{
	struct proto_memstate *m = ctx;
	struct slot *s = table_get(&m->claims, id, PROTO_HASH_LEN);

	if (s == NULL)
		return PROTO_EINVAL;
	head->status = (enum proto_status)s->claim->status;
	memcpy(head->content, s->claim->content, PROTO_HASH_LEN);
	return PROTO_OK;
}

static int
ms_party_add(void *ctx, const char *slug, const char *name)
{
	struct proto_memstate *m = ctx;
	char **names, **pnames;
	struct slot *s;
	bool created;
	int rc;

	if ((rc = table_put(&m->parties, slug, strlen(slug), &s, &created)))
		return rc;
	if (!created)
		return PROTO_EEXISTS;
	if ((names = realloc(m->names, (m->nnames + 1) * sizeof(char *))) ==
	    NULL)
		return PROTO_ENOMEM;
	m->names = names;
	if ((pnames = realloc(m->pnames, (m->nnames + 1) * sizeof(char *))) ==
	    NULL)
		return PROTO_ENOMEM;
	m->pnames = pnames;
	if ((m->names[m->nnames] = strdup(slug)) == NULL)
		return PROTO_ENOMEM;
	if ((m->pnames[m->nnames] = strdup(name ? name : "")) == NULL) {
		free(m->names[m->nnames]);
		return PROTO_ENOMEM;
	}
	s->val = m->nnames++;
	return PROTO_OK;
}

static int
ms_grant_set(void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party,
    bool held)
{
	struct proto_memstate *m = ctx;
	uint8_t k[PROTO_GRANT_KEY_MAX];
	struct slot *s;
	bool created;
	size_t n;
	int rc;

	if ((rc = proto_grant_key(key, party, k, &n)) != PROTO_OK)
		return rc;
	if (held)
		return table_put(&m->grants, k, n, &s, &created);
	if ((s = table_get(&m->grants, k, n)) != NULL)
		table_del(&m->grants, s);
	return PROTO_OK;
}

static int
ms_head_set(
    void *ctx, const uint8_t id[PROTO_HASH_LEN], const struct proto_head *head)
{
	struct proto_memstate *m = ctx;
	struct slot *s, *p;
	bool created;
	int rc;

	if ((p = table_get(&m->parties, head->party, strlen(head->party))) ==
	    NULL)
		return PROTO_ENOPARTY;
	if ((rc = table_put(&m->claims, id, PROTO_HASH_LEN, &s, &created)))
		return rc;
	if (created && (s->claim = malloc(sizeof(*s->claim))) == NULL)
		return PROTO_ENOMEM;
	s->claim->version = head->version;
	memcpy(s->claim->hash, head->hash, PROTO_HASH_LEN);
	memcpy(s->claim->content, head->content, PROTO_HASH_LEN);
	s->claim->party = (uint32_t)p->val;
	s->claim->status = (uint8_t)head->status;
	return PROTO_OK;
}

const struct proto_state_ops proto_memstate_ops = {
    .party_exists = ms_party_exists,
    .grant_held = ms_grant_held,
    .claim_head = ms_claim_head,
    .head_content = ms_head_content,
    .keeps_content = true,
    .party_add = ms_party_add,
    .grant_set = ms_grant_set,
    .head_set = ms_head_set,
};

size_t
proto_memstate_count(const struct proto_memstate *m, enum proto_kind what)
{
	switch (what) {
	case PROTO_KIND_CLAIM:
		return m->claims.n;
	case PROTO_KIND_PARTY:
		return m->parties.n;
	case PROTO_KIND_GRANT:
		return m->grants.n;
	case PROTO_KIND_REVOKE:
	case PROTO_KIND_OWNER:
		break;
	}
	return 0;
}

int
proto_memstate_foreach_party(const struct proto_memstate *m,
    int (*fn)(void *ctx, const char *slug, const char *name), void *ctx)
{
	int rc;

	for (size_t i = 0; i < m->nnames; i++)
		if ((rc = fn(ctx, m->names[i], m->pnames[i])) != 0)
			return rc;
	return 0;
}

int
proto_memstate_foreach_grant(const struct proto_memstate *m,
    int (*fn)(
	void *ctx, const uint8_t key[PROTO_PUBKEY_LEN], const char *party),
    void *ctx)
{
	char party[PROTO_SLUG_MAX + 1];
	int rc;

	for (size_t i = 0; i < m->grants.cap; i++) {
		const struct slot *s = &m->grants.slots[i];

		if (s->key == NULL)
			continue;
		memcpy(party, s->key + PROTO_PUBKEY_LEN,
		    s->klen - PROTO_PUBKEY_LEN);
		party[s->klen - PROTO_PUBKEY_LEN] = '\0';
		if ((rc = fn(ctx, s->key, party)) != 0)
			return rc;
	}
	return 0;
}

int
proto_memstate_foreach_claim(const struct proto_memstate *m,
    int (*fn)(void *ctx, const uint8_t id[PROTO_HASH_LEN],
	const struct proto_head *head),
    void *ctx)
{
	struct proto_head head;
	int rc;

	for (size_t i = 0; i < m->claims.cap; i++) {
		const struct slot *s = &m->claims.slots[i];
		bool found;

		if (s->key == NULL)
			continue;
		ms_claim_head((void *)m, s->key, &head, &found);
		if ((rc = fn(ctx, s->key, &head)) != 0)
			return rc;
	}
	return 0;
}
