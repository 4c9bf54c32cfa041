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

void
checkpoint_init(struct daemon *d)
{
	load_origin(d);
	load_key(d);
	load_last(d);
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
