/*
 * cmd_prove.c: claim prove inclusion ID|HASH [--size N],
 *              claim prove consistency --from M --to N,
 *              and either with --out FILE: a proof bundle
 *
 * Proofs are printed as docs/protocol.md has them, hashes in standard base64,
 * after they verified here. Without --size, an inclusion proof is for the
 * current signed checkpoint, whose root it is checked against.
 *
 * claimd signs only its newest checkpoint, so a bundle proves against
 * that: the checkpoint is fetched first and the proof asked for at its
 * size, which keeps the bundle coherent while the log grows. The bundle
 * is checked as verify-proof would before it is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static json_t *
proof_json(const struct claim_proof *p)
{
	json_t *a = json_array();
	char b64[64];

	for (size_t i = 0; i < p->n; i++) {
		proto_base64(p->hashes[i], PROTO_HASH_LEN, b64);
		json_array_append_new(a, json_string(b64));
	}
	return a;
}

static int
inclusion(struct cli *cli, const char *ref, uint64_t size, const char *vkey)
{
	uint8_t cp_root[PROTO_HASH_LEN];
	char kbuf[PROTO_VKEY_MAX], err[256], *note = NULL;
	struct claim_proof p;
	uint64_t cp_size = 0;
	json_t *o;
	int rc;

	if (size == 0) {
		if ((rc = claim_checkpoint_fetch(cli->client, &note, kbuf, err,
			 sizeof(err))) != PROTO_OK)
			return cli_fail_err(rc, false, "%s", err);
		rc = claim_checkpoint_verify(note, strlen(note),
		    vkey ? vkey : kbuf, &cp_size, cp_root, err, sizeof(err));
		free(note);
		if (rc != PROTO_OK)
			return cli_fail(EX_NOTFOUND, "checkpoint: %s", err);
		size = cp_size;
	}
	if ((rc = claim_prove_inclusion(
		 cli->client, ref, size, &p, err, sizeof(err))) != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	if (cp_size > 0 && memcmp(p.root, cp_root, PROTO_HASH_LEN) != 0)
		return cli_fail(EX_NOTFOUND,
		    "the proof's root is not the "
		    "signed checkpoint's");
	o = json_object();
	json_object_set_new(o, "index", json_integer((json_int_t)p.index));
	json_object_set_new(o, "size", json_integer((json_int_t)p.size));
	json_object_set_new(o, "proof", proof_json(&p));
	cli_print_json(o);
	return EX_DONE;
}

static int
consistency(struct cli *cli, uint64_t from, uint64_t to)
{
	struct claim_proof p;
	char err[256];
	json_t *o;
	int rc;

	if ((rc = claim_prove_consistency(
		 cli->client, from, to, &p, err, sizeof(err))) != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	o = json_object();
	json_object_set_new(o, "old_size", json_integer((json_int_t)from));
	json_object_set_new(o, "new_size", json_integer((json_int_t)to));
	json_object_set_new(o, "proof", proof_json(&p));
	cli_print_json(o);
	return EX_DONE;
}

/* Where a bundle goes: FILE (replaced only with force) or "-". */
struct out {
	const char *path;
	bool force;
};

static int
write_bundle(const struct out *o, const char *text)
{
	size_t len = strlen(text);
	int fd = STDOUT_FILENO, why = 0;
	bool ok;

	if (strcmp(o->path, "-") != 0 &&
	    (fd = open(o->path,
		 O_WRONLY | O_CREAT | O_CLOEXEC | (o->force ? O_TRUNC : O_EXCL),
		 0644)) < 0)
		return cli_fail(EX_USAGE, "cannot write %s: %s%s", o->path,
		    strerror(errno),
		    errno == EEXIST ? " (--force replaces it)" : "");
	errno = 0;
	ok = write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
	if (!ok)
		why = errno;
	if (fd != STDOUT_FILENO && close(fd) != 0 && ok) {
		ok = false;
		why = errno;
	}
	if (ok)
		return EX_DONE;
	/* No half bundle left behind in a file made here. */
	if (fd != STDOUT_FILENO && !o->force)
		unlink(o->path);
	return cli_fail(EX_USAGE, "cannot write %s: %s", o->path,
	    why ? strerror(why) : "short write");
}

/* Checks the bundle as verify-proof will, then writes it. */
static int
finish_bundle(const struct out *o, char *text, const char *vkey)
{
	struct claim_bundle b;
	char err[256];
	int rc;

	if (text == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	if (claim_bundle_verify(
		text, strlen(text), vkey, &b, err, sizeof(err)) != PROTO_OK) {
		free(text);
		return cli_fail(
		    EX_NOTFOUND, "the bundle does not verify: %s", err);
	}
	claim_bundle_release(&b);
	rc = write_bundle(o, text);
	free(text);
	return rc;
}

/* The newest signed checkpoint, checked with vkey (or claimd's key,
 * copied to used); its size and root. */
static int
newest(struct cli *cli, const char *vkey, char **note,
    char used[PROTO_VKEY_MAX], uint64_t *size, uint8_t root[PROTO_HASH_LEN])
{
	char err[256];
	int rc;

	if ((rc = claim_checkpoint_fetch(
		 cli->client, note, used, err, sizeof(err))) != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	if (vkey != NULL)
		snprintf(used, PROTO_VKEY_MAX, "%s", vkey);
	rc = claim_checkpoint_verify(
	    *note, strlen(*note), used, size, root, err, sizeof(err));
	if (rc != PROTO_OK) {
		free(*note);
		*note = NULL;
		return cli_fail(rc == PROTO_EKEY ? EX_USAGE : EX_NOTFOUND,
		    "checkpoint: %s", err);
	}
	return EX_DONE;
}

static int
inclusion_bundle(
    struct cli *cli, const char *ref, const char *vkey, const struct out *o)
{
	uint8_t root[PROTO_HASH_LEN];
	char used[PROTO_VKEY_MAX], err[256], *note = NULL, *text;
	struct claim_entry e;
	struct claim_proof *p;
	uint64_t size;
	int rc;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	if ((rc = newest(cli, vkey, &note, used, &size, root)) != EX_DONE)
		goto done;
	if ((rc = claim_prove_inclusion(
		 cli->client, ref, size, p, err, sizeof(err))) != PROTO_OK) {
		rc = cli_fail_err(rc, false, "%s", err);
		goto done;
	}
	if ((rc = claim_get_index(
		 cli->client, p->index, &e, err, sizeof(err))) != PROTO_OK) {
		rc = cli_fail_err(rc, false, "entry %llu: %s",
		    (unsigned long long)p->index, err);
		goto done;
	}
	if (claim_bundle_inclusion(note, p, e.bytes, e.len, &text) != PROTO_OK)
		text = NULL;
	rc = finish_bundle(o, text, used);
	claim_entry_release(&e);
done:
	free(note);
	free(p);
	return rc;
}

/*
 * The old checkpoint of a consistency bundle: a signed note, or the
 * audit state file claim audit keeps (caller frees).
 */
static char *
old_checkpoint(const char *path)
{
	char err[256], *text;
	json_t *st;
	size_t len;

	if ((text = cli_read_input(path, &len, err, sizeof(err))) == NULL) {
		cli_warn("%s", err);
		return NULL;
	}
	if ((st = json_loadb(text, len, 0, NULL)) != NULL) {
		const char *note =
		    json_string_value(json_object_get(st, "checkpoint"));

		free(text);
		text = note ? strdup(note) : NULL;
		json_decref(st);
		if (text == NULL)
			cli_warn("%s holds no \"checkpoint\"", path);
	}
	return text;
}

static int
consistency_bundle(struct cli *cli, uint64_t from, const char *old_path,
    const char *vkey, const struct out *o)
{
	uint8_t root[PROTO_HASH_LEN], old_root[PROTO_HASH_LEN];
	char used[PROTO_VKEY_MAX], err[256], *note = NULL, *old = NULL, *text;
	struct claim_proof *p;
	uint64_t size;
	int rc;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	if (old_path != NULL && (old = old_checkpoint(old_path)) == NULL) {
		rc = EX_USAGE;
		goto done;
	}
	if ((rc = newest(cli, vkey, &note, used, &size, root)) != EX_DONE)
		goto done;
	if (old != NULL) {
		rc = claim_checkpoint_verify(
		    old, strlen(old), used, &from, old_root, err, sizeof(err));
		if (rc != PROTO_OK) {
			rc = cli_fail(EX_NOTFOUND, "%s: %s", old_path, err);
			goto done;
		}
	}
	if (from > size) {
		rc = cli_fail(EX_NOTFOUND,
		    "the old tree has %llu %s, claimd's newest signed "
		    "checkpoint %llu",
		    (unsigned long long)from,
		    cli_noun(from, "entry", "entries"),
		    (unsigned long long)size);
		goto done;
	}
	if ((rc = claim_prove_consistency(
		 cli->client, from, size, p, err, sizeof(err))) != PROTO_OK) {
		rc = cli_fail_err(rc, false, "%s", err);
		goto done;
	}
	if (claim_bundle_consistency(note, old, p, &text) != PROTO_OK)
		text = NULL;
	rc = finish_bundle(o, text, used);
done:
	free(old);
	free(note);
	free(p);
	return rc;
}

/* claim prove --help, and the line of claim --help. */
const struct cmd_text cmd_prove_usage = {
    "prove inclusion ID|HASH [--size N | --out FILE] | prove consistency "
    "--from M --to N | prove consistency --from M|--old-checkpoint FILE "
    "--out FILE",
    "Merkle proofs as JSON, checked here before they are printed; with "
    "--out, a proof bundle that claim verify-proof checks offline",
    "  --size N       prove inclusion in the tree of N entries (default:\n"
    "                 the current signed checkpoint, checked too)\n"
    "  --log-key KEY  check that checkpoint with this key\n"
    "  --from M --to N  the sizes a consistency proof joins\n"
    "  --out FILE     write a proof bundle to FILE (- for standard "
    "output):\n"
    "                 the proof against claimd's newest signed "
    "checkpoint,\n"
    "                 that checkpoint, and the record (inclusion) or "
    "the\n"
    "                 old tree's size and root (consistency)\n"
    "  --force        replace FILE if it exists\n"
    "  --old-checkpoint FILE  with consistency --out, instead of --from:\n"
    "                 a signed checkpoint (claim checkpoint) or the state\n"
    "                 file of claim audit; the bundle proves the newest\n"
    "                 extends it and carries it\n",
};

int
cmd_prove(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"size", required_argument, NULL, 's'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"log-key", required_argument, NULL, 'k'},
	    {"out", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'F'},
	    {"old-checkpoint", required_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("prove");
	uint64_t size = 0, from = 0, to = 0;
	bool have_from = false, have_to = false;
	const char *vkey = NULL, *old_path = NULL;
	struct out out = {NULL, false};
	int c, rc;

	optind = 1;
	while (
	    (c = getopt_long(argc, argv, "s:f:t:k:o:Fc:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!cli_parse_u64(optarg, &size) || size == 0)
				return cli_usage_error(me,
				    "--size takes a "
				    "tree size from 1");
			break;
		case 'f':
			have_from = cli_parse_u64(optarg, &from);
			break;
		case 't':
			have_to = cli_parse_u64(optarg, &to);
			break;
		case 'k':
			vkey = optarg;
			break;
		case 'o':
			out.path = optarg;
			break;
		case 'F':
			out.force = true;
			break;
		case 'c':
			old_path = optarg;
			break;
		default:
			return cli_bad_option(me, argv);
		}
	}
	if (out.force && out.path == NULL)
		return cli_usage_error(me, "--force goes with --out FILE");
	if (out.path != NULL && (size > 0 || have_to))
		return cli_usage_error(me,
		    "a bundle (--out) proves against the newest signed "
		    "checkpoint: leave out --size and --to");
	if (old_path != NULL && (out.path == NULL || have_from))
		return cli_usage_error(me,
		    "--old-checkpoint goes with prove consistency --out, "
		    "instead of --from");
	if (optind < argc && strcmp(argv[optind], "inclusion") == 0) {
		if (optind + 2 != argc || old_path != NULL)
			return cli_usage_error(me, "prove inclusion ID|HASH");
		if ((rc = cli_connect(cli)) != EX_DONE)
			return rc;
		if (out.path != NULL)
			return inclusion_bundle(
			    cli, argv[optind + 1], vkey, &out);
		return inclusion(cli, argv[optind + 1], size, vkey);
	}
	if (optind < argc && strcmp(argv[optind], "consistency") == 0 &&
	    out.path != NULL) {
		if (optind + 1 != argc || have_from == (old_path != NULL))
			return cli_usage_error(me,
			    "prove consistency --out FILE with --from M or "
			    "--old-checkpoint FILE");
		if ((rc = cli_connect(cli)) != EX_DONE)
			return rc;
		return consistency_bundle(cli, from, old_path, vkey, &out);
	}
	if (optind < argc && strcmp(argv[optind], "consistency") == 0) {
		if (optind + 1 != argc || !have_from || !have_to || from > to)
			return cli_usage_error(me,
			    "prove consistency --from M "
			    "--to N, M <= N");
		if ((rc = cli_connect(cli)) != EX_DONE)
			return rc;
		return consistency(cli, from, to);
	}
	return cli_usage_error(me, "prove inclusion or prove consistency");
}
