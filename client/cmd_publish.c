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
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	uint64_t from_folder;         /* entries read from the folder */
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

	if (p->n == p->want || e->index < p->n)
		return 0; /* after the checkpoint's tree, or read from the
			     folder already */
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

/*
 * The full entry bundles the folder already holds, when its checkpoint is
 * this log's and no newer: entries that need not be fetched again. Read
 * as they are; the root check after the fetch catches any that changed.
 */
static void
from_folder(const char *dir, const char *vkey, struct pub *p)
{
	char rel[128], err[256], *note;
	uint8_t root[PROTO_HASH_LEN], *buf;
	uint64_t old_size;
	size_t len;
	struct tile_site *s;

	if (tile_site_open(dir, &s, err, sizeof(err)) != PROTO_OK)
		return;
	if (tile_site_get(s, "checkpoint", (uint8_t **)&note, &len, err,
		sizeof(err)) != PROTO_OK ||
	    claim_checkpoint_verify(note, len, vkey, &old_size, root, err,
		sizeof(err)) != PROTO_OK ||
	    old_size > p->want)
		old_size = 0;
	free(note);
	for (uint64_t k = 0; (k + 1) * TILE_WIDTH <= old_size; k++) {
		size_t at = 0;
		uint64_t first = p->n;

		tile_path(rel, sizeof(rel), TILE_ENTRIES, k, TILE_WIDTH);
		if (tile_site_get(s, rel, &buf, &len, err, sizeof(err)) !=
		    PROTO_OK)
			break;
		for (unsigned i = 0; i < TILE_WIDTH; i++) {
			size_t l;

			if (len - at < 2 ||
			    (l = (size_t)buf[at] << 8 | buf[at + 1],
				len - at - 2 < l) ||
			    (p->rec[p->n] = malloc(l ? l : 1)) == NULL)
				break;
			memcpy(p->rec[p->n], buf + at + 2, l);
			p->len[p->n] = l;
			proto_record_hash(buf + at + 2, l, p->leaf[p->n]);
			p->n++;
			at += 2 + l;
		}
		free(buf);
		if (p->n - first != TILE_WIDTH || at != len) {
			/* Not a sound bundle: fetch from its first entry. */
			while (p->n > first)
				free(p->rec[--p->n]);
			break;
		}
	}
	p->from_folder = p->n;
	tile_site_close(s);
}

struct popts {
	const char *dir, *export, *cp_path, *want;
	bool no_pages, quiet_same;
};

/*
 * One publish: the checkpoint, the entries it covers (those of the
 * folder's full bundles taken from there), the root checked, the files
 * written. *size the checkpoint's size.
 */
static int
publish_once(struct cli *cli, const struct popts *o, uint64_t *size_out)
{
	char vkey[PROTO_VKEY_MAX], err[256], b64[64], *note = NULL;
	uint8_t root[PROTO_HASH_LEN], got[PROTO_HASH_LEN];
	uint64_t size;
	struct proto_merkle_edge edge;
	struct counts counts = {0, 0};
	struct pub p;
	bool fetch_all = false;
	int rc;

	memset(&p, 0, sizeof(p));
	if (o->export != NULL) {
		size_t len;

		if ((note = cli_read_input(
			 o->cp_path, &len, err, sizeof(err))) == NULL)
			return cli_fail(EX_USAGE, "%s", err);
		snprintf(vkey, sizeof(vkey), "%s", o->want);
	} else {
		if ((rc = cli_connect(cli)) != EX_DONE)
			return rc;
		if ((rc = claim_checkpoint_fetch(cli->client, &note, vkey, err,
			 sizeof(err))) != PROTO_OK)
			return cli_fail_err(rc, false, "%s", err);
		if (o->want != NULL)
			snprintf(vkey, sizeof(vkey), "%s", o->want);
	}
	rc = claim_checkpoint_verify(
	    note, strlen(note), vkey, &size, root, err, sizeof(err));
	if (rc != PROTO_OK) {
		free(note);
		if (rc == PROTO_EKEY)
			return cli_fail(EX_USAGE, "%s", err);
		return cli_fail(EX_NOTFOUND, "checkpoint: %s", err);
	}
	*size_out = size;
	/* First with the folder's bundles; if the tree is then not the
	 * checkpoint's, once more without them: check_existing() and
	 * tile_put() then say what is wrong with the folder. */
again:
	if (pub_alloc(&p, size) != PROTO_OK) {
		rc = cli_fail(EX_USAGE, "out of memory");
		goto done;
	}
	if (!fetch_all)
		from_folder(o->dir, vkey, &p);
	if (o->export != NULL) {
		FILE *in;

		if ((rc = cli_open_input(o->export, &in)) != EX_DONE)
			goto done;
		rc = claim_read_export(in, from_export, &p, err, sizeof(err));
		cli_close_input(in);
		if (rc != PROTO_OK) {
			rc = cli_fail(EX_NOTFOUND, "%s: %s", o->export,
			    rc == -1 ? p.why : err);
			goto done;
		}
		if (p.n < size) {
			rc = cli_fail(EX_NOTFOUND,
			    "%s holds %llu entries; the checkpoint covers %llu",
			    o->export, (unsigned long long)p.n,
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
	if (sodium_memcmp(got, root, PROTO_HASH_LEN) != 0 && p.from_folder) {
		pub_free(&p);
		fetch_all = true;
		goto again;
	}
	if (sodium_memcmp(got, root, PROTO_HASH_LEN) != 0) {
		rc = cli_fail(EX_NOTFOUND,
		    "the tree of the first %llu entries is not the "
		    "checkpoint's: nothing published",
		    (unsigned long long)size);
		goto done;
	}
	if (mkdir(o->dir, 0777) != 0 && errno != EEXIST) {
		rc = cli_fail(
		    EX_USAGE, "cannot make %s: %s", o->dir, strerror(errno));
		goto done;
	}
	if ((rc = check_existing(o->dir, vkey, &p, root)) != EX_DONE ||
	    (rc = write_site(o->dir, &p, note, !o->no_pages, &counts)) !=
		EX_DONE)
		goto done;
	proto_base64(root, PROTO_HASH_LEN, b64);
	if (o->quiet_same && counts.written == 0)
		;
	else if (cli->json) {
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
		    cli_noun(size, "entry", "entries"), b64, o->dir,
		    (unsigned long long)counts.written,
		    cli_noun(counts.written, "file", "files"),
		    (unsigned long long)counts.kept);
	fflush(stdout);
	rc = EX_DONE;
done:
	pub_free(&p);
	free(note);
	return rc;
}

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * --follow: publish again whenever the feed says the log grew. Each round
 * publishes from claimd's checkpoint and the folder as it is, so nothing
 * is missed across a restart of either side; the feed only wakes it.
 */
static int
follow(struct cli *cli, struct popts *o)
{
	struct sigaction sa;
	struct claim_feed *feed = NULL;
	uint64_t size = 0;
	char err[256];
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((rc = publish_once(cli, o, &size)) != EX_DONE)
		return rc;
	o->quiet_same = true;
	while (!stopping) {
		struct claim_entry e;
		bool grew = false;

		if (feed == NULL &&
		    claim_feed_open(cli->client, cli->feed, size, NULL, NULL,
			&feed, err, sizeof(err)) != PROTO_OK) {
			cli_warn("feed: %s; trying again", err);
			sleep(1);
			continue;
		}
		/* Wait for an entry, then for a quiet second: one publish a
		 * batch. */
		while (!stopping) {
			rc = claim_feed_next(feed, 1000, &e, err, sizeof(err));
			if (rc == PROTO_OK) {
				claim_entry_release(&e);
				grew = true;
				continue;
			}
			if (rc == PROTO_ENOTFOUND && !grew)
				continue;
			break;
		}
		if (stopping)
			break;
		if (rc != PROTO_OK && rc != PROTO_ENOTFOUND) {
			cli_warn("feed: %s; trying again", err);
			sleep(1);
		}
		if (publish_once(cli, o, &size) != EX_DONE)
			sleep(1); /* said why; claimd may be restarting */
	}
	claim_feed_close(feed);
	return EX_DONE;
}

/* claim publish --help, and the line of claim --help. */
const struct cmd_text cmd_publish_usage = {
    "publish --out DIR [--export FILE --checkpoint FILE] [--log-key KEY] "
    "[--no-pages] [--follow]",
    "Publish the log in DIR for any web server: HTML pages of every "
    "narrative, and C2SP tlog-tiles (checkpoint, hash tiles, entry "
    "bundles); again: only what changed",
    "  --out DIR          the folder to write (made if missing)\n"
    "  --export FILE      offline: the entries of an export (claim export)\n"
    "  --checkpoint FILE  with --export: the signed checkpoint to publish\n"
    "  --log-key KEY      the log's verifier key (claim log-key); needed\n"
    "                     with --export, checked against claimd's "
    "otherwise\n"
    "  --no-pages         the tiles only, no HTML pages\n"
    "  --follow           keep DIR current: publish again as the feed "
    "shows\n"
    "                     the log grow, until interrupted\n",
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
	    {"follow", no_argument, NULL, 'F'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("publish");
	struct popts o;
	bool follow_on = false;
	uint64_t size;
	int c;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:e:c:k:", opts, NULL)) != -1) {
		if (c == 'o')
			o.dir = optarg;
		else if (c == 'e')
			o.export = optarg;
		else if (c == 'c')
			o.cp_path = optarg;
		else if (c == 'k')
			o.want = optarg;
		else if (c == 'P')
			o.no_pages = true;
		else if (c == 'F')
			follow_on = true;
		else
			return cli_bad_option(me, argv);
	}
	if (optind != argc)
		return cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
	if (o.dir == NULL)
		return cli_usage_error(me, "give --out DIR");
	if ((o.export == NULL) != (o.cp_path == NULL))
		return cli_usage_error(
		    me, "--export and --checkpoint go together");
	if (o.export != NULL && o.want == NULL)
		return cli_usage_error(
		    me, "--export needs --log-key, to check the checkpoint");
	if (o.export != NULL && follow_on)
		return cli_usage_error(
		    me, "--follow follows claimd: not with --export");
	if (follow_on)
		return follow(cli, &o);
	return publish_once(cli, &o, &size);
}
