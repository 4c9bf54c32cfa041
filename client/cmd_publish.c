/*
 * cmd_publish.c: claim publish --out DIR [--export FILE --checkpoint FILE]
 *                              [--log-key KEY] [--no-pages]
 *
 * HTML pages of every narrative (site.c), and the log as C2SP tlog-tiles
 * (client/tiles.h): the signed checkpoint, the hash tiles and the entry bundles
 * of the tree it signs, in a folder any web server, object store or CDN can
 * serve. From claimd (its current checkpoint, the entries by range), or offline
 * from an export and a checkpoint of it. Nothing is written unless the entries'
 * tree has the checkpoint's root. Run again, it writes only what changed: tiles
 * are immutable (their paths say what they hold), the checkpoint is written
 * last, each file to a temporary name then renamed, so that a server never
 * hands out half a file nor a checkpoint whose tiles are not there yet.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cli.h"
#include "site.h"
#include "tiles.h"

#define CHUNK 4096

struct pub {
	uint8_t **rec;
	size_t *len;
	uint8_t (*leaf)[PROTO_HASH_LEN];
	uint64_t n, want;             /* entries held, entries wanted */
	uint8_t root[PROTO_HASH_LEN]; /* the checkpoint's */
	char why[256];
};

static void
pub_free(struct pub *p)
{
	for (uint64_t i = 0; i < p->n; i++)
		free(p->rec[i]);
	free(p->rec);
	free(p->len);
	free(p->leaf);
}

static int
pub_alloc(struct pub *p, uint64_t size)
{
	memset(p, 0, sizeof(*p));
	p->want = size;
	if (size == 0)
		return PROTO_OK;
	p->rec = calloc(size, sizeof(*p->rec));
	p->len = calloc(size, sizeof(*p->len));
	p->leaf = calloc(size, sizeof(*p->leaf));
	return p->rec && p->len && p->leaf ? PROTO_OK : PROTO_ENOMEM;
}

/* Takes entry e, the next one; -1 (why said) when it cannot. */
static int
pub_add(struct pub *p, const struct claim_entry *e)
{
	if (e->index != p->n) {
		snprintf(p->why, sizeof(p->why),
		    "expected entry %llu, got %llu", (unsigned long long)p->n,
		    (unsigned long long)e->index);
		return -1;
	}
	if (e->len > TILE_ENTRY_MAX) {
		snprintf(p->why, sizeof(p->why),
		    "entry %llu is %zu bytes: a tlog-tiles entry bundle holds "
		    "at most %d",
		    (unsigned long long)e->index, e->len, TILE_ENTRY_MAX);
		return -1;
	}
	if ((p->rec[p->n] = malloc(e->len)) == NULL) {
		snprintf(p->why, sizeof(p->why), "out of memory");
		return -1;
	}
	memcpy(p->rec[p->n], e->bytes, e->len);
	p->len[p->n] = e->len;
	memcpy(p->leaf[p->n], e->hash, PROTO_HASH_LEN);
	p->n++;
	return 0;
}

static int
from_export(void *ctx, const struct claim_entry *e)
{
	struct pub *p = ctx;

	if (p->n == p->want)
		return 0; /* after the checkpoint's tree: not published */
	return pub_add(p, e);
}

static int
from_claimd(struct cli *cli, struct pub *p)
{
	char err[256];
	int rc;

	while (p->n < p->want) {
		struct claim_entry *e;
		size_t n;
		uint64_t next, size, want = p->want - p->n;

		if ((rc = claim_range(cli->client, p->n,
			 want < CHUNK ? want : CHUNK, NULL, NULL, &e, &n, &next,
			 &size, err, sizeof(err))) != PROTO_OK)
			return cli_fail_err(rc, false, "%s", err);
		for (size_t i = 0; i < n && p->n < p->want; i++)
			if (pub_add(p, &e[i]) != 0) {
				claim_entries_free(e, n);
				return cli_fail(EX_NOTFOUND, "%s", p->why);
			}
		claim_entries_free(e, n);
		if (n == 0)
			return cli_fail(EX_NOTFOUND,
			    "claimd holds %llu entries; its checkpoint "
			    "covers %llu",
			    (unsigned long long)size,
			    (unsigned long long)p->want);
	}
	return EX_DONE;
}

struct counts {
	uint64_t written, kept;
};

static int
put(const char *dir, const char *rel, const void *data, size_t len,
    bool immutable, struct counts *c)
{
	char err[512];
	bool written;
	int rc;

	rc = tile_put(
	    dir, rel, data, len, immutable, &written, err, sizeof(err));
	if (rc != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	if (written)
		c->written++;
	else
		c->kept++;
	return EX_DONE;
}

/* The entry bundle of entries [lo, hi). */
static int
put_bundle(const char *dir, const struct pub *p, uint64_t n, unsigned w,
    struct counts *c)
{
	uint64_t lo = n * TILE_WIDTH;
	size_t len = 0;
	uint8_t *buf, *at;
	char rel[128];
	int rc;

	for (unsigned i = 0; i < w; i++)
		len += 2 + p->len[lo + i];
	if ((at = buf = malloc(len)) == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	for (unsigned i = 0; i < w; i++) {
		size_t l = p->len[lo + i];

		*at++ = (uint8_t)(l >> 8);
		*at++ = (uint8_t)l;
		memcpy(at, p->rec[lo + i], l);
		at += l;
	}
	tile_path(rel, sizeof(rel), TILE_ENTRIES, n, w);
	rc = put(dir, rel, buf, len, true, c);
	free(buf);
	return rc;
}

/* The HTML pages (site.c), from the entries decoded. */
static int
pages(const char *dir, const struct pub *p, const char *note, struct counts *c)
{
	struct claim_entry *e = calloc(p->n + 1, sizeof(*e));
	struct site_state st;
	uint64_t w = 0, k = 0, i;
	char err[256];
	int rc = EX_DONE;

	if (e == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	memset(&st, 0, sizeof(st));
	snprintf(st.origin, sizeof(st.origin), "%.*s", (int)strcspn(note, "\n"),
	    note);
	st.size = p->n;
	for (i = 0; i < p->n && rc == EX_DONE; i++) {
		if (claim_entry_open(&e[i], i, p->rec[i], p->len[i], false, err,
			sizeof(err)) != PROTO_OK)
			rc = cli_fail(EX_NOTFOUND, "entry %llu: %s",
			    (unsigned long long)i, err);
		else if (e[i].payload.time > st.time)
			st.time = e[i].payload.time;
	}
	if (rc == EX_DONE) {
		memcpy(st.root, p->root, PROTO_HASH_LEN);
		rc = site_pages(dir, e, (size_t)p->n, &st, &w, &k);
	}
	c->written += w;
	c->kept += k;
	while (i-- > 0)
		claim_entry_release(&e[i]);
	free(e);
	return rc;
}

static int
write_site(const char *dir, const struct pub *p, const char *note,
    bool with_pages, struct counts *c)
{
	struct tile_tree t;
	uint64_t full;
	unsigned partial;
	char rel[128];
	int rc = EX_DONE;

	if (tile_tree_build(&t, (const uint8_t(*)[PROTO_HASH_LEN])p->leaf,
		p->n) != PROTO_OK)
		return cli_fail(EX_USAGE, "out of memory");
	full = p->n / TILE_WIDTH;
	for (uint64_t k = 0; k < full && rc == EX_DONE; k++)
		rc = put_bundle(dir, p, k, TILE_WIDTH, c);
	if (rc == EX_DONE && p->n % TILE_WIDTH != 0)
		rc = put_bundle(dir, p, full, p->n % TILE_WIDTH, c);
	for (unsigned l = 0; l < t.levels && rc == EX_DONE; l++) {
		full = tile_tree_full(&t, l, &partial);
		for (uint64_t k = 0; k <= full && rc == EX_DONE; k++) {
			unsigned w = k < full ? TILE_WIDTH : partial;

			if (w == 0)
				break;
			tile_path(rel, sizeof(rel), (int)l, k, w);
			rc = put(dir, rel, tile_tree_tile(&t, l, k),
			    (size_t)w * PROTO_HASH_LEN, true, c);
		}
	}
	if (rc == EX_DONE && with_pages)
		rc = pages(dir, p, note, c);
	/* Last: a checkpoint is served only once its tiles are. */
	if (rc == EX_DONE)
		rc = put(dir, "checkpoint", note, strlen(note), false, c);
	tile_tree_free(&t);
	return rc;
}

/*
 * The folder's checkpoint, if it has one, must be of this log and no
 * newer: a publish never rolls the site back, nor mixes two logs. Its
 * tree must be the first entries' of this one (no fork).
 */
static int
check_existing(const char *dir, const char *vkey, const struct pub *p,
    const uint8_t root[PROTO_HASH_LEN])
{
	struct proto_merkle_edge edge;
	uint8_t old_root[PROTO_HASH_LEN], got[PROTO_HASH_LEN];
	uint64_t old_size;
	char *path, *note, err[256];
	size_t len;
	FILE *f;
	int rc;

	if (asprintf(&path, "%s/checkpoint", dir) < 0)
		return cli_fail(EX_USAGE, "out of memory");
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return EX_DONE;
	note = calloc(1, PROTO_SIGNED_NOTE_MAX + 1);
	len = note ? fread(note, 1, PROTO_SIGNED_NOTE_MAX, f) : 0;
	fclose(f);
	if (note == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	rc = claim_checkpoint_verify(
	    note, len, vkey, &old_size, old_root, err, sizeof(err));
	free(note);
	if (rc != PROTO_OK)
		return cli_fail(EX_REFUSED,
		    "%s/checkpoint is not this log's (%s): the folder holds "
		    "another log; publish into another folder",
		    dir, err);
	if (old_size > p->n)
		return cli_fail(EX_REFUSED,
		    "%s holds a newer checkpoint (%llu entries) than this one "
		    "(%llu): a site is never rolled back",
		    dir, (unsigned long long)old_size,
		    (unsigned long long)p->n);
	proto_merkle_edge_init(&edge);
	for (uint64_t i = 0; i < old_size; i++)
		proto_merkle_edge_push(&edge, p->leaf[i]);
	proto_merkle_edge_root(&edge, got);
	if (sodium_memcmp(got, old_root, PROTO_HASH_LEN) != 0)
		return cli_fail(EX_REFUSED,
		    "%s/checkpoint of %llu entries is not the tree of this "
		    "log's first %llu: the folder holds another log (or this "
		    "log forked)",
		    dir, (unsigned long long)old_size,
		    (unsigned long long)old_size);
	(void)root;
	return EX_DONE;
}

/* claim publish --help, and the line of claim --help. */
const struct cmd_text cmd_publish_usage = {
    "publish --out DIR [--export FILE --checkpoint FILE] [--log-key KEY] "
    "[--no-pages]",
    "Publish the log in DIR for any web server: HTML pages of every "
    "narrative, and C2SP tlog-tiles (checkpoint, hash tiles, entry "
    "bundles); again: only what changed",
    "  --out DIR          the folder to write (made if missing)\n"
    "  --export FILE      offline: the entries of an export (claim export)\n"
    "  --checkpoint FILE  with --export: the signed checkpoint to publish\n"
    "  --log-key KEY      the log's verifier key (claim log-key); needed\n"
    "                     with --export, checked against claimd's "
    "otherwise\n"
    "  --no-pages         the tiles only, no HTML pages\n",
};

int
cmd_publish(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"export", required_argument, NULL, 'e'},
	    {"checkpoint", required_argument, NULL, 'c'},
	    {"log-key", required_argument, NULL, 'k'},
	    {"no-pages", no_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("publish");
	const char *dir = NULL, *export = NULL, *cp_path = NULL, *want = NULL;
	char vkey[PROTO_VKEY_MAX], err[256], b64[64], *note = NULL;
	uint8_t root[PROTO_HASH_LEN], got[PROTO_HASH_LEN];
	uint64_t size;
	struct proto_merkle_edge edge;
	struct counts counts = {0, 0};
	struct pub p;
	bool no_pages = false;
	int c, rc;

	memset(&p, 0, sizeof(p));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:e:c:k:", opts, NULL)) != -1) {
		if (c == 'o')
			dir = optarg;
		else if (c == 'e')
			export = optarg;
		else if (c == 'c')
			cp_path = optarg;
		else if (c == 'k')
			want = optarg;
		else if (c == 'P')
			no_pages = true;
		else
			return cli_bad_option(me, argv);
	}
	if (optind != argc)
		return cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
	if (dir == NULL)
		return cli_usage_error(me, "give --out DIR");
	if ((export == NULL) != (cp_path == NULL))
		return cli_usage_error(
		    me, "--export and --checkpoint go together");
	if (export != NULL && want == NULL)
		return cli_usage_error(
		    me, "--export needs --log-key, to check the checkpoint");
	if (export != NULL) {
		size_t len;

		if ((note = cli_read_input(cp_path, &len, err, sizeof(err))) ==
		    NULL)
			return cli_fail(EX_USAGE, "%s", err);
		snprintf(vkey, sizeof(vkey), "%s", want);
	} else {
		if ((rc = cli_connect(cli)) != EX_DONE)
			return rc;
		if ((rc = claim_checkpoint_fetch(cli->client, &note, vkey, err,
			 sizeof(err))) != PROTO_OK)
			return cli_fail_err(rc, false, "%s", err);
		if (want != NULL)
			snprintf(vkey, sizeof(vkey), "%s", want);
	}
	rc = claim_checkpoint_verify(
	    note, strlen(note), vkey, &size, root, err, sizeof(err));
	if (rc != PROTO_OK) {
		free(note);
		if (rc == PROTO_EKEY)
			return cli_fail(EX_USAGE, "%s", err);
		return cli_fail(EX_NOTFOUND, "checkpoint: %s", err);
	}
	if (pub_alloc(&p, size) != PROTO_OK) {
		rc = cli_fail(EX_USAGE, "out of memory");
		goto done;
	}
	if (export != NULL) {
		FILE *in =
		    strcmp(export, "-") == 0 ? stdin : fopen(export, "r");

		if (in == NULL) {
			rc = cli_fail(EX_USAGE, "cannot open %s: %s", export,
			    strerror(errno));
			goto done;
		}
		rc = claim_read_export(in, from_export, &p, err, sizeof(err));
		if (in != stdin)
			fclose(in);
		if (rc != PROTO_OK) {
			rc = cli_fail(EX_NOTFOUND, "%s: %s", export,
			    rc == -1 ? p.why : err);
			goto done;
		}
		if (p.n < size) {
			rc = cli_fail(EX_NOTFOUND,
			    "%s holds %llu entries; the checkpoint covers %llu",
			    export, (unsigned long long)p.n,
			    (unsigned long long)size);
			goto done;
		}
	} else if ((rc = from_claimd(cli, &p)) != EX_DONE)
		goto done;
	proto_merkle_edge_init(&edge);
	for (uint64_t i = 0; i < p.n; i++)
		proto_merkle_edge_push(&edge, p.leaf[i]);
	proto_merkle_edge_root(&edge, got);
	memcpy(p.root, root, PROTO_HASH_LEN);
	if (sodium_memcmp(got, root, PROTO_HASH_LEN) != 0) {
		rc = cli_fail(EX_NOTFOUND,
		    "the tree of the first %llu entries is not the "
		    "checkpoint's: nothing published",
		    (unsigned long long)size);
		goto done;
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		rc = cli_fail(
		    EX_USAGE, "cannot make %s: %s", dir, strerror(errno));
		goto done;
	}
	if ((rc = check_existing(dir, vkey, &p, root)) != EX_DONE ||
	    (rc = write_site(dir, &p, note, !no_pages, &counts)) != EX_DONE)
		goto done;
	proto_base64(root, PROTO_HASH_LEN, b64);
	if (cli->json) {
		json_t *j = json_object();

		json_object_set_new(j, "size", json_integer((json_int_t)size));
		json_object_set_new(j, "root", json_string(b64));
		json_object_set_new(
		    j, "written", json_integer((json_int_t)counts.written));
		json_object_set_new(
		    j, "unchanged", json_integer((json_int_t)counts.kept));
		cli_print_json(j);
	} else
		printf("published %llu %s (root %s) to %s: %llu %s written, "
		       "%llu unchanged\n",
		    (unsigned long long)size,
		    cli_noun(size, "entry", "entries"), b64, dir,
		    (unsigned long long)counts.written,
		    cli_noun(counts.written, "file", "files"),
		    (unsigned long long)counts.kept);
	rc = EX_DONE;
done:
	pub_free(&p);
	free(note);
	return rc;
}
