/*
 * verify_tiles.c: claim verify --tiles DIR|URL --log-key KEY
 *
 * A published log (claim publish) checked with nothing but the log's
 * key: the checkpoint's signature; every entry bundle the checkpoint's
 * size calls for, each entry read back; every hash tile, full and
 * partial, byte for byte against the tiles those entries make; and the
 * entries themselves as claim verify checks an export (records,
 * signatures, version chains, authorization replayed from the start, the
 * tree's root the checkpoint's), by the very same code:
 * claim_verify_export() reads them as the export they spell.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tiles.h"

/* Appends the export line of entry index to f. */
static void
export_line(FILE *f, uint64_t index, const uint8_t *rec, size_t len,
    const uint8_t leaf[PROTO_HASH_LEN], char *b64)
{
	char hex[2 * PROTO_HASH_LEN + 1];

	proto_base64(rec, len, b64);
	proto_hex(leaf, PROTO_HASH_LEN, hex);
	fprintf(f, "{\"index\":%llu,\"hash\":\"%s\",\"record\":\"%s\"}\n",
	    (unsigned long long)index, hex, b64);
}

/* Bundle n, of w entries: each its line of f, its leaf hash in leaf. */
static int
read_bundle(struct tile_site *s, uint64_t n, unsigned w, FILE *f,
    uint8_t (*leaf)[PROTO_HASH_LEN], char *b64, char *why, size_t whylen)
{
	char rel[128], err[512];
	uint8_t *buf;
	size_t len, at = 0;
	int rc;

	tile_path(rel, sizeof(rel), TILE_ENTRIES, n, w);
	if ((rc = tile_site_get(s, rel, &buf, &len, err, sizeof(err))) !=
	    PROTO_OK) {
		snprintf(why, whylen, "%s", err);
		return rc;
	}
	for (unsigned i = 0; i < w; i++) {
		size_t l;

		if (len - at < 2 ||
		    (l = (size_t)buf[at] << 8 | buf[at + 1],
			len - at - 2 < l)) {
			snprintf(why, whylen,
			    "entry bundle %s ends inside entry %u of %u", rel,
			    i, w);
			free(buf);
			return PROTO_EPROOF;
		}
		proto_record_hash(buf + at + 2, l, leaf[i]);
		export_line(
		    f, n * TILE_WIDTH + i, buf + at + 2, l, leaf[i], b64);
		at += 2 + l;
	}
	free(buf);
	if (at != len) {
		snprintf(why, whylen,
		    "entry bundle %s holds %zu bytes after its %u entries", rel,
		    len - at, w);
		return PROTO_EPROOF;
	}
	return PROTO_OK;
}

/* Every tile of t, as the site serves it. */
static int
check_tiles(struct tile_site *s, const struct tile_tree *t, uint64_t *ntiles,
    char *why, size_t whylen)
{
	char rel[128], err[512];

	for (unsigned l = 0; l < t->levels; l++) {
		unsigned partial;
		uint64_t full = tile_tree_full(t, l, &partial);

		for (uint64_t k = 0; k <= full; k++) {
			unsigned w = k < full ? TILE_WIDTH : partial;
			size_t want = (size_t)w * PROTO_HASH_LEN, len;
			uint8_t *buf;
			int rc;

			if (w == 0)
				break;
			tile_path(rel, sizeof(rel), (int)l, k, w);
			if ((rc = tile_site_get(s, rel, &buf, &len, err,
				 sizeof(err))) != PROTO_OK) {
				snprintf(why, whylen, "%s", err);
				return rc;
			}
			rc = len != want ||
			    memcmp(buf, tile_tree_tile(t, l, k), want) != 0;
			free(buf);
			if (rc) {
				snprintf(why, whylen,
				    "tile %s is not the tile of the entries "
				    "published (%zu bytes, %zu expected): it "
				    "was altered",
				    rel, len, want);
				return PROTO_EPROOF;
			}
			(*ntiles)++;
		}
	}
	return PROTO_OK;
}

int
verify_tiles(struct cli *cli, const char *where, const char *vkey,
    const uint8_t *admin, int threads)
{
	struct tile_site *s = NULL;
	struct claim_verify_opts o;
	struct claim_verify_result res;
	struct tile_tree t;
	uint8_t *note = NULL, (*leaf)[PROTO_HASH_LEN] = NULL;
	char err[512], why[768], b64[64], hex[65], *rb64 = NULL;
	uint64_t ntiles = 0;
	size_t len;
	FILE *f = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	o.admin = admin;
	o.threads = threads;
	if ((rc = tile_site_open(where, &s, err, sizeof(err))) != PROTO_OK)
		return cli_fail(EX_USAGE, "%s", err);
	if ((rc = tile_site_get(
		 s, "checkpoint", &note, &len, err, sizeof(err))) != PROTO_OK) {
		rc = cli_fail(EX_NOTFOUND, "%s", err);
		goto done;
	}
	rc = claim_checkpoint_verify((const char *)note, len, vkey, &o.cp_size,
	    o.cp_root, err, sizeof(err));
	if (rc != PROTO_OK) {
		rc = rc == PROTO_EKEY
		    ? cli_fail(EX_USAGE, "%s", err)
		    : cli_fail(EX_NOTFOUND,
			  "verification failed: checkpoint: %s", err);
		goto done;
	}
	o.cp_given = true;
	if ((f = tmpfile()) == NULL ||
	    (leaf = calloc(o.cp_size ? o.cp_size : 1, sizeof(*leaf))) == NULL ||
	    (rb64 = malloc(proto_base64_len(TILE_ENTRY_MAX))) == NULL) {
		rc = cli_fail(EX_USAGE, "out of memory or no temporary file");
		goto done;
	}
	for (uint64_t k = 0; k * TILE_WIDTH < o.cp_size; k++) {
		uint64_t left = o.cp_size - k * TILE_WIDTH;
		unsigned w = left < TILE_WIDTH ? (unsigned)left : TILE_WIDTH;

		if ((rc = read_bundle(s, k, w, f, leaf + k * TILE_WIDTH, rb64,
			 why, sizeof(why))) != PROTO_OK) {
			rc = cli_fail_err(
			    rc, false, "verification failed: %s", why);
			goto done;
		}
	}
	if (tile_tree_build(&t, (const uint8_t(*)[PROTO_HASH_LEN])leaf,
		o.cp_size) != PROTO_OK) {
		rc = cli_fail(EX_USAGE, "out of memory");
		goto done;
	}
	if ((rc = check_tiles(s, &t, &ntiles, why, sizeof(why))) != PROTO_OK) {
		rc = cli_fail_err(rc, false, "verification failed: %s", why);
		goto done;
	}
	rewind(f);
	rc = claim_verify_export(f, &o, &res);
	if (res.admin_inferred) {
		proto_hex(res.admin, PROTO_PUBKEY_LEN, hex);
		cli_warn("no --admin-key: trusting the signer of the first "
			 "registry record, %s",
		    hex);
	}
	if (rc != PROTO_OK) {
		if (res.bad_index == UINT64_MAX)
			rc = cli_fail(
			    EX_NOTFOUND, "verification failed: %s", res.why);
		else
			rc = cli_fail(EX_NOTFOUND,
			    "verification failed at entry %llu: %s",
			    (unsigned long long)res.bad_index, res.why);
		goto done;
	}
	proto_base64(o.cp_root, PROTO_HASH_LEN, b64);
	if (cli->json) {
		json_t *j = json_object();

		json_object_set_new(j, "ok", json_true());
		json_object_set_new(
		    j, "entries", json_integer((json_int_t)res.entries));
		json_object_set_new(
		    j, "claims", json_integer((json_int_t)res.claims));
		json_object_set_new(
		    j, "registry", json_integer((json_int_t)res.registry));
		json_object_set_new(
		    j, "tiles", json_integer((json_int_t)ntiles));
		json_object_set_new(j, "root", json_string(b64));
		cli_print_json(j);
	} else
		printf("ok: %llu %s (%llu %s, %llu registry %s) in %llu entry "
		       "%s and %llu hash %s; the checkpoint's signature valid, "
		       "every tile the tree's, every signature valid, every "
		       "signer authorized at its point of the log, every "
		       "version chain unbroken\nroot %s\n",
		    (unsigned long long)res.entries,
		    cli_noun(res.entries, "entry", "entries"),
		    (unsigned long long)res.claims,
		    cli_noun(res.claims, "claim", "claims"),
		    (unsigned long long)res.registry,
		    cli_noun(res.registry, "record", "records"),
		    (unsigned long long)((o.cp_size + TILE_WIDTH - 1) /
			TILE_WIDTH),
		    cli_noun((o.cp_size + TILE_WIDTH - 1) / TILE_WIDTH,
			"bundle", "bundles"),
		    (unsigned long long)ntiles,
		    cli_noun(ntiles, "tile", "tiles"), b64);
	rc = EX_DONE;
done:
	tile_tree_free(&t);
	if (f != NULL)
		fclose(f);
	free(rb64);
	free(leaf);
	free(note);
	tile_site_close(s);
	return rc;
}
