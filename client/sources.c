/*
 * sources.c: the source graph of a whole log for the verbs that show how
 * many sources a claim rests on (independence, show, diff): every claim
 * and every owner record, from claimd or from an export, the graph built
 * over the claims and the owners plugged into it (docs/narratives.md,
 * Source independence).
 */
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"

static int
load_export(const char *path, struct cli_graph *h)
{
	char err[300];
	FILE *f;
	int rc;

	if ((rc = cli_open_input(path, &f)) != EX_DONE)
		return rc;
	rc = claim_log_read_export(f, &h->log, err, sizeof(err));
	cli_close_input(f);
	if (rc == PROTO_ENOMEM)
		return cli_fail_err(
		    rc, false, "%s: %s", path, proto_strerror(rc));
	if (rc != PROTO_OK)
		return cli_fail(EX_NOTFOUND, "%s: %s", path, err);
	return EX_DONE;
}

/* The whole log, a range at a time: claims and owner records kept. */
static int
load_claimd(struct cli *cli, struct cli_graph *h)
{
	char err[256];
	int rc;

	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	if ((rc = claim_log_fetch(cli->client, &h->log, err, sizeof(err))) !=
	    PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	return EX_DONE;
}

/*
 * The whole log passes through this process once, in replies and blocks
 * of megabytes: kept in the heap and reused when freed rather than mapped
 * afresh each time, every page of them faulted in anew (half the system
 * time of claim independence over 100,000 claims).
 */
static void
big_heap(void)
{
#ifdef __GLIBC__
	(void)mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
	(void)mallopt(M_TOP_PAD, 64 * 1024 * 1024);
#endif
}

int
cli_graph_load(struct cli *cli, const char *export, struct cli_graph *h)
{
	int rc;

	big_heap();
	memset(h, 0, sizeof(*h));
	rc = export != NULL ? load_export(export, h) : load_claimd(cli, h);
	if (rc != EX_DONE)
		return rc;
	h->e = claim_log_entries(h->log, &h->n);
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
	claim_log_free(h->log);
	memset(h, 0, sizeof(*h));
}
