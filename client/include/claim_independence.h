/*
 * Source independence: how many sources a claim really rests on
 * (docs/narratives.md, Source independence).
 *
 * One graph over every claim given (the whole log, fetched or read from an
 * export): a node per source document, identified as the narrative diff
 * does (the same SHA-256, else the same URL, else the same publisher and
 * title), and an edge from a document to the one it derives from for every
 * derivation any claim states, merged across claims. Two claims may state
 * derivations that together form a loop: that is data, not an error.
 *
 * Terms, for a set of cited documents (a claim's sources, or every source
 * of a party's claims on a topic):
 *   root: a document with no derivation upstream (a primary source);
 *   n_primary: the distinct roots the cited documents reach;
 *   amplification of a root: how many cited documents rest on it;
 *   loop: documents that derive from one another in a circle; it counts
 *     as no primary source, though what feeds it from outside does;
 *   unresolved: a cited document that reaches no root (only loops).
 */
#ifndef CLAIMD_CLAIM_INDEPENDENCE_H
#define CLAIMD_CLAIM_INDEPENDENCE_H

#include "claim.h"

struct claim_sources;

/*
 * The graph of the claims among e[0..n) (other records are skipped),
 * taking the newest version of each claim (the one of the highest log
 * index) and keeping the claims in the order their first entry comes in
 * e. Retracted claims count: a retraction is part of the record. The
 * graph points into e, which must outlive it. NULL when out of memory.
 */
struct claim_sources *claim_sources_build(
    const struct claim_entry *e, size_t n);
void claim_sources_free(struct claim_sources *g);

/*
 * Who owns a publisher, for counting roots of one owner once: the hook a
 * registry of owners will plug into. The default (fn NULL) is the
 * identity: each publisher is its own owner. The string returned must
 * live as long as the graph.
 */
typedef const char *(*claim_owner_fn)(void *ctx, const char *publisher);
void claim_sources_set_owner(
    struct claim_sources *g, claim_owner_fn fn, void *ctx);

/* Documents and derivation edges in the graph (distinct pairs). */
size_t claim_sources_documents(const struct claim_sources *g);
size_t claim_sources_edges(const struct claim_sources *g);

/*
 * For the claim of that id in the graph:
 *   {"claim", "party", "version", "status",
 *    "documents": [{"publisher", "title", ? "url", ? "published",
 *                   ? "sha256"}],
 *    "cited", "n_primary", "owners",
 *    "sources": [{"index", "document", "roots": [d], "paths": [[{"document",
 *                 ? "how"}]], "loops": [l], "resolved"}],
 *    "roots": [{"document", "owner", "amplification"}],
 *    "loops": [{"members": [d], "fed"}],
 *    "unresolved": [d]}
 * Documents are named by their place in "documents"; "cited" counts the
 * distinct documents the claim cites, "owners" the distinct owners of its
 * roots. A path goes from the cited document to one root, each step with
 * how it derives from the next (the shortest such path). A loop is "fed"
 * when one of its members derives from something outside it.
 * PROTO_ENOTFOUND when no claim has that id, PROTO_ENOMEM.
 */
CLAIM_WUR int claim_independence(const struct claim_sources *g,
    const uint8_t id[PROTO_HASH_LEN], struct json_t **out);

/*
 * For every claim on topic (party NULL: of any party):
 *   {"topic", "claims": [as claim_independence()],
 *    "parties": [{"party", "claims", "documents", "cited", "n_primary",
 *                 "owners", "roots", "loops", "unresolved"}]}
 * a party's entry over every source of its claims on the topic (parties
 * by name). No claim on topic: empty arrays. NULL when out of memory.
 */
struct json_t *claim_independence_topic(
    const struct claim_sources *g, const char *topic, const char *party);

#endif /* CLAIMD_CLAIM_INDEPENDENCE_H */
