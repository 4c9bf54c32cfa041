/*
 * sources.c: the source graph of a whole log for the verbs that show how
 * many sources a claim rests on (independence, show, diff): every claim
 * and every owner record, from claimd or from an export, the graph built
 * over the claims and the owners plugged into it (docs/narratives.md,
 * Source independence).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
keep(struct cli_graph *h, const struct claim_entry *e, bool copy)
{
	if (e->payload.kind != PROTO_KIND_CLAIM &&
	    e->payload.kind != PROTO_KIND_OWNER)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 256;
		struct claim_entry *n = realloc(h->e, cap * sizeof(*n));

		if (n == NULL) {
			h->rc = PROTO_ENOMEM;
			return 1;
		}
		h->e = n;
		h->cap = cap;
	}
	if (!copy) {
		h->e[h->n++] = *e;
		return 0;
	}
	if ((h->rc = claim_entry_open(&h->e[h->n], e->index, e->bytes, e->len,
		 false, NULL, 0)) != PROTO_OK)
		return 1;
	h->n++;
	return 0;
}

static int
keep_copy(void *ctx, const struct claim_entry *e)
{
	return keep(ctx, e, true);
}

static int
load_export(const char *path, struct cli_graph *h)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char err[300];
	int rc;

	if (f == NULL)
		return cli_fail(
		    EX_USAGE, "cannot open %s: %s", path, strerror(errno));
	if (cli_is_dir(f)) {
		fclose(f);
		return cli_fail(EX_USAGE, "%s is a directory", path);
	}
	rc = claim_read_export(f, keep_copy, h, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (rc == -1)
		return cli_fail_err(
		    h->rc, false, "%s: %s", path, proto_strerror(h->rc));
	if (rc != PROTO_OK)
		return cli_fail(EX_NOTFOUND, "%s: %s", path, err);
	return EX_DONE;
}

/* The whole log, a range at a time: claims and owner records kept. */
static int
load_claimd(struct cli *cli, struct cli_graph *h)
{
	uint64_t next = 0, size = 0;
	char err[256];
	int rc;

	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	do {
		struct claim_entry *e;
		size_t n, i;

		if ((rc = claim_range(cli->client, next, PROTO_RANGE_MAX, NULL,
			 NULL, &e, &n, &next, &size, err, sizeof(err))) !=
		    PROTO_OK)
			return cli_fail_err(rc, false, "%s", err);
		/* Room for the whole log at once: no copying as it grows. */
		if (h->cap < size && size <= SIZE_MAX / sizeof(*e)) {
			struct claim_entry *m =
			    realloc(h->e, (size_t)size * sizeof(*m));

			if (m != NULL) {
				h->e = m;
				h->cap = (size_t)size;
			}
		}
		/* Kept entries move here; the rest are released. */
		for (i = 0; i < n; i++) {
			bool kept = e[i].payload.kind == PROTO_KIND_CLAIM ||
			    e[i].payload.kind == PROTO_KIND_OWNER;

			if (kept && keep(h, &e[i], false) != 0)
				break;
			if (!kept)
				claim_entry_release(&e[i]);
		}
		if (i < n) {
			for (; i < n; i++)
				claim_entry_release(&e[i]);
			free(e);
			return cli_fail_err(
			    PROTO_ENOMEM, false, "out of memory");
		}
		free(e);
		if (n == 0)
			break;
	} while (next < size);
	return EX_DONE;
}

int
cli_graph_load(struct cli *cli, const char *export, struct cli_graph *h)
{
	int rc;

	memset(h, 0, sizeof(*h));
	h->rc = PROTO_OK;
	rc = export != NULL ? load_export(export, h) : load_claimd(cli, h);
	if (rc != EX_DONE)
		return rc;
	if ((h->g = claim_sources_build(h->e, h->n)) == NULL ||
	    (h->owners = claim_owners_build(h->e, h->n)) == NULL)
		return cli_fail_err(PROTO_ENOMEM, false, "out of memory");
	claim_sources_set_owner(h->g, claim_owners_of, h->owners);
	return EX_DONE;
}

void
cli_graph_free(struct cli_graph *h)
{
	claim_sources_free(h->g);
	claim_owners_free(h->owners);
	claim_entries_free(h->e, h->n);
	memset(h, 0, sizeof(*h));
}
