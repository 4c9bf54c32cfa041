/*
 * site.h: the HTML pages claim publish writes beside the tiles.
 */
#ifndef CLAIMD_SITE_H
#define CLAIMD_SITE_H

#include <stdint.h>

#include "claim.h"

/* The signed state of the log the pages show. */
struct site_state {
	char origin[PROTO_ORIGIN_MAX + 1];
	uint64_t size;
	uint8_t root[PROTO_HASH_LEN];
	uint64_t time; /* the newest entry's, UNIX seconds */
};

/*
 * index.html, topic/<topic>.html, claim/<id>.html, party/<slug>.html and
 * style-free of any script, from the log's n entries (e[i].index == i,
 * each parsed and decoded) and their leaf hashes. Each page goes through
 * tile_put() (a temporary name, then renamed; unchanged pages are left
 * alone); *written and *kept count them. An exit status.
 */
int site_pages(const char *dir, const struct claim_entry *e, size_t n,
    const struct site_state *st, uint64_t *written, uint64_t *kept);

#endif /* CLAIMD_SITE_H */
