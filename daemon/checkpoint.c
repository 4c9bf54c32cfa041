/*
 * checkpoint.c: the log's own signing key, its origin, and the signed
 * checkpoints (C2SP tlog-checkpoint as a C2SP signed note).
 *
 * The last checkpoint claimd signed is kept in DIR/checkpoint, written
 * before it is handed out. Every new one is checked against it, and so is
 * the store at start: claimd never signs two checkpoints that are not
 * consistent, even after its store was swapped for an older backup.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "claimd.h"

static void
path_of(const struct daemon *d, const char *name, char *out, size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s/%s", d->cfg->data, name) >= cap)
		fatalx("data folder path too long");
}

/* Reads a small file whole; NULL if it does not exist. */
static char *
read_small(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return NULL;
		fatal("cannot open %s", path);
	}
	if (fstat(fd, &st) != 0 || st.st_size > 65536)
		fatalx("%s is not a file claimd wrote", path);
	if ((buf = sodium_malloc((size_t)st.st_size + 1)) == NULL)
		fatalx("out of memory");
	if (read(fd, buf, (size_t)st.st_size) != st.st_size)
		fatal("cannot read %s", path);
	buf[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	close(fd);
	return buf;
}

/* Writes path atomically: a temporary file, fsync, rename, fsync dir. */
static int
write_atomic(const struct daemon *d, const char *name, const void *p, size_t n,
    mode_t mode)
{
	char path[4096], tmp[4200];
	int fd, dfd;

	path_of(d, name, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) <
	    0)
		return -1;
	if (write(fd, p, n) != (ssize_t)n || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0)
		return -1;
	if ((dfd = open(d->cfg->data, O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* A default origin: this host's name and a random suffix. */
static void
default_origin(char *out, size_t cap)
{
	char host[128] = "localhost";
	uint8_t r[4];
	char hex[9];
	size_t j = 0;

	gethostname(host, sizeof(host) - 1);
	randombytes_buf(r, sizeof(r));
	proto_hex(r, sizeof(r), hex);
	/* Keep the characters an origin may hold. */
	for (size_t i = 0; host[i] && j + 1 < sizeof(host); i++)
		if ((host[i] >= 'a' && host[i] <= 'z') ||
		    (host[i] >= '0' && host[i] <= '9') || host[i] == '-' ||
		    host[i] == '.')
			host[j++] = host[i];
		else if (host[i] >= 'A' && host[i] <= 'Z')
			host[j++] = (char)(host[i] - 'A' + 'a');
	host[j] = '\0';
	snprintf(out, cap, "%s/claimd-%s", j ? host : "localhost", hex);
}

static void
load_origin(struct daemon *d)
{
	bool found;

	if (store_meta_get(d->store, "origin", d->origin, sizeof(d->origin),
		&found) != PROTO_OK)
		fatalx("cannot read the log's origin");
	if (found) {
		if (d->cfg->origin != NULL &&
		    strcmp(d->cfg->origin, d->origin) != 0)
			fatalx("this log's origin is %s, not %s", d->origin,
			    d->cfg->origin);
		return;
	}
	if (d->cfg->origin != NULL) {
		if (!proto_note_name_valid(
			d->cfg->origin, strlen(d->cfg->origin)))
			fatalx("--origin must be non-empty, without spaces "
			       "or '+'");
		snprintf(d->origin, sizeof(d->origin), "%s", d->cfg->origin);
	} else {
		default_origin(d->origin, sizeof(d->origin));
	}
	if (store_meta_set(d->store, "origin", d->origin) != PROTO_OK)
		fatalx("cannot record the log's origin");
	log_info("log origin %s", d->origin);
}

static void
load_key(struct daemon *d)
{
	char path[4096], err[256], *text;
	struct proto_buf b;
	struct stat st;
	size_t len;
	uint8_t pk[PROTO_PUBKEY_LEN];

	path_of(d, "log.key", path, sizeof(path));
	if ((d->log_sk = sodium_malloc(PROTO_SECKEY_LEN)) == NULL)
		fatalx("out of memory");
	if ((text = read_small(path, &len)) == NULL) {
		/* First start: a new key, never readable by others. */
		if (proto_key_generate(pk, d->log_sk) != PROTO_OK)
			fatalx("cannot make the log key");
		proto_buf_init(&b);
		if (proto_key_format(d->log_sk, &b) != PROTO_OK ||
		    write_atomic(d, "log.key", b.data, b.len, 0600) != 0)
			fatal("cannot write %s", path);
		sodium_memzero(b.data, b.cap);
		proto_buf_release(&b);
		log_info("new log signing key in %s", path);
	} else {
		if (stat(path, &st) == 0 && (st.st_mode & 077))
			fatalx("%s can be read by others (mode %04o); "
			       "chmod 600 it",
			    path, (unsigned)(st.st_mode & 07777));
		if (proto_key_parse(text, len, d->log_sk, err, sizeof(err)) !=
		    PROTO_OK)
			fatalx("%s: %s", path, err);
		sodium_free(text);
	}
	memcpy(d->log_pk, d->log_sk + PROTO_SEED_LEN, PROTO_PUBKEY_LEN);
	if (proto_vkey_format(d->origin, d->log_pk, d->vkey, sizeof(d->vkey)) !=
	    PROTO_OK)
		fatalx("cannot form the verifier key");
}

/* The last signed checkpoint must describe a prefix of this store. */
static void
load_last(struct daemon *d)
{
	char path[4096], origin[PROTO_ORIGIN_MAX + 1], err[256], *note;
	uint8_t root[PROTO_HASH_LEN];
	struct store_snap *snap;
	size_t len, textlen;
	uint64_t size;

	path_of(d, "checkpoint", path, sizeof(path));
	if ((note = read_small(path, &len)) == NULL)
		return;
	if (proto_note_open(note, len, d->origin, d->log_pk, &textlen, err,
		sizeof(err)) != PROTO_OK ||
	    proto_checkpoint_parse(note, textlen, origin, sizeof(origin),
		&d->ckpt_size, d->ckpt_root) != PROTO_OK ||
	    strcmp(origin, d->origin) != 0)
		fatalx("%s is not a checkpoint of this log (%s)", path, err);
	if (store_snap_begin(d->store, &snap) != PROTO_OK)
		fatalx("cannot read the store");
	size = store_size(snap);
	if (size < d->ckpt_size ||
	    store_root(snap, d->ckpt_size, root) != PROTO_OK ||
	    sodium_memcmp(root, d->ckpt_root, PROTO_HASH_LEN) != 0)
		fatalx("the store (%llu entries) does not extend the last "
		       "signed checkpoint (%llu entries) in %s: it was "
		       "rewritten or replaced; refusing to sign checkpoints "
		       "that contradict it",
		    (unsigned long long)size, (unsigned long long)d->ckpt_size,
		    path);
	store_snap_end(snap);
	d->ckpt_note = strndup(note, len);
	d->ckpt_have = true;
	sodium_free(note);
}

/*
 * A mirror holds no log key: the upstream's verifier key (--log-key)
 * names the origin and the key its checkpoints are checked with.
 */
static void
load_mirror_key(struct daemon *d)
{
	char path[4096];
	struct stat st;

	if (proto_vkey_parse(d->cfg->log_key, d->origin, sizeof(d->origin),
		d->log_pk) != PROTO_OK)
		fatalx("--log-key is not a log's verifier key (claim "
		       "checkpoint shows it as log_key)");
	snprintf(d->vkey, sizeof(d->vkey), "%s", d->cfg->log_key);
	path_of(d, "log.key", path, sizeof(path));
	if (stat(path, &st) == 0)
		fatalx("%s holds a log key: this data folder is a writer's, "
		       "not a mirror's",
		    path);
	path_of(d, "fork", path, sizeof(path));
	if (stat(path, &st) == 0)
		fatalx("this mirror found a fork of its upstream earlier; the "
		       "evidence is in %s (docs/operations.md, Mirrors): move "
		       "it away to follow again",
		    path);
}

void
checkpoint_init(struct daemon *d)
{
	pthread_mutex_init(&d->ckpt_lock, NULL);
	if (d->cfg->mirror != NULL) {
		load_mirror_key(d);
		static char origin[PROTO_ORIGIN_MAX + 1];

		/* The origin is the upstream's, recorded or checked. */
		snprintf(origin, sizeof(origin), "%s", d->origin);
		d->cfg->origin = origin;
		load_origin(d);
		load_last(d);
		return;
	}
	load_origin(d);
	load_key(d);
	load_last(d);
}

int
checkpoint_mirror_set(struct daemon *d, const char *note, uint64_t size,
    const uint8_t root[PROTO_HASH_LEN])
{
	char *copy;

	pthread_mutex_lock(&d->ckpt_lock);
	if (d->ckpt_have && d->ckpt_size == size &&
	    strcmp(d->ckpt_note, note) == 0) {
		pthread_mutex_unlock(&d->ckpt_lock);
		return PROTO_OK;
	}
	pthread_mutex_unlock(&d->ckpt_lock);
	if ((copy = strdup(note)) == NULL)
		return PROTO_ENOMEM;
	if (write_atomic(d, "checkpoint", note, strlen(note), 0644) != 0) {
		log_warn("cannot write the checkpoint");
		free(copy);
		return PROTO_EIO;
	}
	pthread_mutex_lock(&d->ckpt_lock);
	free(d->ckpt_note);
	d->ckpt_note = copy;
	d->ckpt_size = size;
	memcpy(d->ckpt_root, root, PROTO_HASH_LEN);
	d->ckpt_have = true;
	pthread_mutex_unlock(&d->ckpt_lock);
	return PROTO_OK;
}

int
checkpoint_mirror_get(
    struct daemon *d, char *out, size_t cap, char *err, size_t errlen)
{
	int rc = PROTO_OK;

	pthread_mutex_lock(&d->ckpt_lock);
	if (!d->ckpt_have)
		rc = proto_fail(err, errlen, PROTO_ENOTFOUND,
		    "this mirror of %s has verified no checkpoint yet",
		    d->cfg->mirror);
	else if ((size_t)snprintf(out, cap, "%s", d->ckpt_note) >= cap)
		rc = proto_fail(err, errlen, PROTO_ETOOBIG,
		    "checkpoint over %zu bytes", cap);
	pthread_mutex_unlock(&d->ckpt_lock);
	return rc;
}

void
checkpoint_fork_evidence(
    struct daemon *d, const char *upstream_note, char *where, size_t cap)
{
	char *held = NULL, *json;
	json_t *o;

	path_of(d, "fork", where, cap);
	if (mkdir(where, 0755) != 0 && errno != EEXIST)
		log_warn("cannot create %s", where);
	pthread_mutex_lock(&d->ckpt_lock);
	if (d->ckpt_have)
		held = strdup(d->ckpt_note);
	pthread_mutex_unlock(&d->ckpt_lock);
	/* claim audit's state file: the checkpoint held, and its key. */
	o = json_pack("{s:s, s:s}", "log_key", d->vkey, "checkpoint",
	    held != NULL ? held : "");
	if (o != NULL && (json = json_dumps(o, JSON_INDENT(2))) != NULL) {
		if (write_atomic(
			d, "fork/held.json", json, strlen(json), 0644) != 0)
			log_warn("cannot write %s/held.json", where);
		free(json);
	}
	json_decref(o);
	if (write_atomic(d, "fork/upstream.checkpoint", upstream_note,
		strlen(upstream_note), 0644) != 0)
		log_warn("cannot write %s/upstream.checkpoint", where);
	free(held);
}

void
checkpoint_release(struct daemon *d)
{
	if (d->log_sk != NULL)
		sodium_free(d->log_sk);
	free(d->ckpt_note);
}

int
checkpoint_current(struct daemon *d, struct store_snap *snap, const char **note,
    char *err, size_t errlen)
{
	uint8_t root[PROTO_HASH_LEN], old[PROTO_HASH_LEN];
	uint64_t size = store_size(snap);
	struct proto_buf text, signed_note;
	int rc;

	if (d->ckpt_have && d->ckpt_size == size) {
		*note = d->ckpt_note;
		return PROTO_OK;
	}
	if ((rc = store_root(snap, size, root)) != PROTO_OK)
		return proto_fail(err, errlen, rc, "cannot compute the root");
	/* Consistent with the last one, or nothing is signed. */
	if (d->ckpt_have &&
	    (size < d->ckpt_size ||
		store_root(snap, d->ckpt_size, old) != PROTO_OK ||
		sodium_memcmp(old, d->ckpt_root, PROTO_HASH_LEN) != 0)) {
		log_warnx("the log no longer extends checkpoint %llu: not "
			  "signing",
		    (unsigned long long)d->ckpt_size);
		return proto_fail(err, errlen, PROTO_ESTORE,
		    "the log no longer extends its last checkpoint");
	}
	proto_buf_init(&text);
	proto_buf_init(&signed_note);
	if ((rc = proto_checkpoint_text(d->origin, size, root, &text)) ||
	    (rc = proto_note_sign((char *)text.data, text.len, d->origin,
		 d->log_sk, &signed_note)) ||
	    (rc = proto_buf_append(&signed_note, "", 1)))
		goto done;
	/* On disk before anyone sees it. */
	if (write_atomic(d, "checkpoint", signed_note.data, signed_note.len - 1,
		0644) != 0) {
		log_warn("cannot write the checkpoint");
		rc = proto_fail(
		    err, errlen, PROTO_EIO, "cannot record the checkpoint");
		goto done;
	}
	free(d->ckpt_note);
	d->ckpt_note = (char *)signed_note.data;
	proto_buf_init(&signed_note);
	d->ckpt_size = size;
	memcpy(d->ckpt_root, root, PROTO_HASH_LEN);
	d->ckpt_have = true;
	*note = d->ckpt_note;
done:
	proto_buf_release(&text);
	proto_buf_release(&signed_note);
	return rc;
}
