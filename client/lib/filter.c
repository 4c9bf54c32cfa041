/*
 * filter.c: the party and topic filters of several values, applied here
 * to what a range request returned unfiltered (claim watch and claim log
 * with --party or --topic given more than once).
 */
#include <string.h>

#include "claim.h"

static bool
one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

bool
claim_filter_party(const struct claim_filter *f, const char *party)
{
	return f == NULL || f->np == 0 || one_of(party, f->parties, f->np);
}

bool
claim_filter_matches(const struct claim_filter *f, const struct claim_entry *e)
{
	const struct proto_payload *p = &e->payload;

	if (f == NULL)
		return true;
	/* The daemon's own rule (range): a registry record has a party
	 * but no topic. */
	if (p->kind != PROTO_KIND_CLAIM)
		return f->nt == 0 &&
		    (f->np == 0 || one_of(p->reg.party, f->parties, f->np));
	if (f->np > 0 && !one_of(p->claim.party, f->parties, f->np))
		return false;
	if (f->nt == 0)
		return true;
	for (size_t i = 0; i < p->claim.ntopics; i++)
		if (one_of(p->claim.topics[i], f->topics, f->nt))
			return true;
	return false;
}
