/*
 * tiles.c: C2SP tlog-tiles: paths, the hashes of each tile, reading a
 * published log from a folder or over HTTP(S), writing one safely.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "tiles.h"

/* The largest file a site may hand over: a full bundle of the largest
 * records. */
#define SITE_FILE_MAX ((size_t)TILE_WIDTH * (TILE_ENTRY_MAX + 2))

void
tile_path(char *out, size_t cap, int level, uint64_t n, unsigned w)
{
	char groups[64], lvl[16];
	unsigned g[8];
	size_t k = 0, at = 0;

	do {
		g[k++] = (unsigned)(n % 1000);
		n /= 1000;
	} while (n > 0);
	while (k-- > 0)
		at += (size_t)snprintf(groups + at, sizeof(groups) - at,
		    k > 0 ? "x%03u/" : "%03u", g[k]);
	if (level == TILE_ENTRIES)
		snprintf(lvl, sizeof(lvl), "entries");
	else
		snprintf(lvl, sizeof(lvl), "%d", level);
	if (w < TILE_WIDTH)
		snprintf(out, cap, "tile/%s/%s.p/%u", lvl, groups, w);
	else
		snprintf(out, cap, "tile/%s/%s", lvl, groups);
}

/* MTH of 256 hashes: a perfect tree of height 8. */
static void
tile_root(const uint8_t (*h)[PROTO_HASH_LEN], uint8_t out[PROTO_HASH_LEN])
{
	uint8_t buf[TILE_WIDTH / 2][PROTO_HASH_LEN];
	size_t n = TILE_WIDTH / 2;

	for (size_t i = 0; i < n; i++)
		proto_merkle_node(h[2 * i], h[2 * i + 1], buf[i]);
	for (n /= 2; n > 0; n /= 2)
		for (size_t i = 0; i < n; i++)
			proto_merkle_node(buf[2 * i], buf[2 * i + 1], buf[i]);
	memcpy(out, buf[0], PROTO_HASH_LEN);
}

int
tile_tree_build(
    struct tile_tree *t, const uint8_t (*leaves)[PROTO_HASH_LEN], uint64_t size)
{
	memset(t, 0, sizeof(*t));
	t->size = size;
	for (unsigned l = 0; l < TILE_LEVELS; l++) {
		uint64_t c = l == 0 ? size : t->count[l - 1] / TILE_WIDTH;

		if (c == 0)
			break;
		if ((t->hash[l] = malloc(c * PROTO_HASH_LEN)) == NULL) {
			tile_tree_free(t);
			return PROTO_ENOMEM;
		}
		t->count[l] = c;
		t->levels = l + 1;
		if (l == 0)
			memcpy(t->hash[0], leaves, c * PROTO_HASH_LEN);
		else
			for (uint64_t j = 0; j < c; j++)
				tile_root(t->hash[l - 1] + j * TILE_WIDTH,
				    t->hash[l][j]);
	}
	return PROTO_OK;
}

void
tile_tree_free(struct tile_tree *t)
{
	for (unsigned l = 0; l < TILE_LEVELS; l++)
		free(t->hash[l]);
	memset(t, 0, sizeof(*t));
}

uint64_t
tile_tree_full(const struct tile_tree *t, unsigned level, unsigned *partial)
{
	uint64_t c = level < t->levels ? t->count[level] : 0;

	*partial = (unsigned)(c % TILE_WIDTH);
	return c / TILE_WIDTH;
}

const uint8_t *
tile_tree_tile(const struct tile_tree *t, unsigned level, uint64_t n)
{
	return t->hash[level][n * TILE_WIDTH];
}

/*
 * Reading a site
 */
struct tile_site {
	char *base; /* without a trailing '/' */
	CURL *curl;
};

struct grow {
	uint8_t *p;
	size_t len, cap;
	bool over;
};

static size_t
grow_write(char *data, size_t size, size_t n, void *ctx)
{
	struct grow *g = ctx;
	size_t add = size * n;

	if (g->len + add > SITE_FILE_MAX) {
		g->over = true;
		return 0;
	}
	if (g->len + add > g->cap) {
		size_t cap = g->cap ? g->cap : 16384;
		uint8_t *p;

		while (cap < g->len + add)
			cap *= 2;
		if ((p = realloc(g->p, cap)) == NULL)
			return 0;
		g->p = p;
		g->cap = cap;
	}
	memcpy(g->p + g->len, data, add);
	g->len += add;
	return add;
}

int
tile_site_open(
    const char *where, struct tile_site **out, char *err, size_t errlen)
{
	struct tile_site *s;
	size_t n = strlen(where);
	bool http = strncmp(where, "http://", 7) == 0 ||
	    strncmp(where, "https://", 8) == 0;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->base = strdup(where)) == NULL) {
		free(s);
		return proto_fail(err, errlen, PROTO_ENOMEM, "out of memory");
	}
	while (n > 1 && s->base[n - 1] == '/')
		s->base[--n] = '\0';
	if (http) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
		    (s->curl = curl_easy_init()) == NULL) {
			tile_site_close(s);
			return proto_fail(
			    err, errlen, PROTO_EIO, "libcurl cannot start");
		}
		curl_easy_setopt(s->curl, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(s->curl, CURLOPT_MAXREDIRS, 5L);
		curl_easy_setopt(s->curl, CURLOPT_ACCEPT_ENCODING, "");
		curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, 30L);
		curl_easy_setopt(s->curl, CURLOPT_USERAGENT, "claim-verify");
		curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, grow_write);
	}
	*out = s;
	return PROTO_OK;
}

static int
http_get(struct tile_site *s, const char *url, struct grow *g, char *err,
    size_t errlen)
{
	CURLcode cc;
	long code = 0;

	curl_easy_setopt(s->curl, CURLOPT_URL, url);
	curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, g);
	cc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	if (g->over)
		return proto_fail(
		    err, errlen, PROTO_ETOOBIG, "%s: too large", url);
	if (cc != CURLE_OK)
		return proto_fail(err, errlen, PROTO_EIO, "%s: %s", url,
		    curl_easy_strerror(cc));
	if (code == 404 || code == 410)
		return proto_fail(err, errlen, PROTO_ENOTFOUND,
		    "%s: not there (HTTP %ld)", url, code);
	if (code != 200)
		return proto_fail(
		    err, errlen, PROTO_EIO, "%s: HTTP %ld", url, code);
	return PROTO_OK;
}

static int
file_get(const char *path, struct grow *g, char *err, size_t errlen)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return proto_fail(err, errlen,
		    errno == ENOENT ? PROTO_ENOTFOUND : PROTO_EIO,
		    "cannot open %s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (grow_write(buf, 1, n, g) != n) {
			fclose(f);
			return proto_fail(
			    err, errlen, PROTO_ETOOBIG, "%s: too large", path);
		}
	if (ferror(f)) {
		fclose(f);
		return proto_fail(
		    err, errlen, PROTO_EIO, "cannot read %s", path);
	}
	fclose(f);
	return PROTO_OK;
}

int
tile_site_get(struct tile_site *s, const char *rel, uint8_t **out, size_t *len,
    char *err, size_t errlen)
{
	struct grow g = {0};
	char *where;
	int rc;

	*out = NULL;
	*len = 0;
	if (asprintf(&where, "%s/%s", s->base, rel) < 0)
		return proto_fail(err, errlen, PROTO_ENOMEM, "out of memory");
	rc = s->curl ? http_get(s, where, &g, err, errlen)
		     : file_get(where, &g, err, errlen);
	free(where);
	if (rc != PROTO_OK) {
		free(g.p);
		return rc;
	}
	/* One byte more, so that text can be ended. */
	if (grow_write("", 1, 1, &g) != 1) {
		free(g.p);
		return proto_fail(err, errlen, PROTO_ENOMEM, "out of memory");
	}
	*out = g.p;
	*len = g.len - 1;
	return PROTO_OK;
}

void
tile_site_close(struct tile_site *s)
{
	if (s == NULL)
		return;
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	free(s->base);
	free(s);
}

/*
 * Writing a site
 */
static int
make_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p != NULL;
	     p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Whether the file at path holds exactly data; -1 when it is not there. */
static int
same_content(const char *path, const void *data, size_t len)
{
	struct stat st;
	uint8_t *buf;
	int fd, same;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size != len) {
		close(fd);
		return 0;
	}
	if ((buf = malloc(len ? len : 1)) == NULL ||
	    read(fd, buf, len) != (ssize_t)len)
		same = 0;
	else
		same = memcmp(buf, data, len) == 0;
	free(buf);
	close(fd);
	return same;
}

int
tile_put(const char *dir, const char *rel, const void *data, size_t len,
    bool immutable, bool *written, char *err, size_t errlen)
{
	char *path = NULL, *tmp = NULL;
	int fd = -1, rc = PROTO_OK, same;
	const uint8_t *p = data;
	size_t left = len;

	*written = false;
	if (asprintf(&path, "%s/%s", dir, rel) < 0 ||
	    asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		free(path);
		return proto_fail(err, errlen, PROTO_ENOMEM, "out of memory");
	}
	if ((same = same_content(path, data, len)) == 1)
		goto done;
	if (same == 0 && immutable) {
		rc = proto_fail(err, errlen, PROTO_ECONFLICT,
		    "%s holds other data than this log's: the folder holds "
		    "another log, or a damaged copy",
		    path);
		goto done;
	}
	if (make_parents(path) != 0 ||
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) <
		0) {
		rc = proto_fail(err, errlen, PROTO_EIO, "cannot create %s: %s",
		    tmp, strerror(errno));
		goto done;
	}
	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = proto_fail(err, errlen, PROTO_EIO,
			    "cannot write %s: %s", tmp, strerror(errno));
			goto done;
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = proto_fail(err, errlen, PROTO_EIO, "cannot write %s: %s",
		    tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = proto_fail(err, errlen, PROTO_EIO, "cannot rename %s: %s",
		    tmp, strerror(errno));
		goto done;
	}
	*written = true;
done:
	if (fd >= 0)
		close(fd);
	if (rc != PROTO_OK)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}
