/*
 * cmd_audit.c: claim audit --state FILE [--log-key KEY]
 *
 * Fetches the newest signed checkpoint, proves it consistent with the
 * last one seen (kept in FILE), and keeps the new one. A log that was
 * rewritten or rolled back is reported loudly, exit 1, and FILE is left
 * as it was: the evidence stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

static int
save_state(const char *path, const char *vkey, const char *note)
{
	char tmp[4200];
	json_t *o =
	    json_pack("{s:s, s:s}", "log_key", vkey, "checkpoint", note);
	int fd, rc = -1;
	char *s = json_dumps(o, JSON_INDENT(2));

	json_decref(o);
	if (s == NULL)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >=
	    0) {
		if (write(fd, s, strlen(s)) == (ssize_t)strlen(s) &&
		    write(fd, "\n", 1) == 1 && fsync(fd) == 0)
			rc = 0;
		close(fd);
		if (rc == 0 && rename(tmp, path) != 0)
			rc = -1;
	}
	free(s);
	return rc;
}

static int alert(const char *server, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
alert(const char *server, const char *fmt, ...)
{
	char why[PROTO_SAFE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cli_warn("ALERT: the log at %s was REWRITTEN: %s", server, why);
	cli_warn("ALERT: the state file keeps the checkpoint that proves it");
	return EX_NOTFOUND;
}

/* claim audit --help, and the line of claim --help. */
const struct cmd_text cmd_audit_usage = {
    "audit --state FILE [--log-key KEY]",
    "Check the newest signed checkpoint against the last one seen (kept "
    "in FILE) with a consistency proof; a rewritten log is exit 1",
    "  --state FILE   where the last checkpoint seen is kept (created)\n"
    "  --log-key KEY  the log's verifier key (default: as in FILE, or on "
    "first\n                 use the one claimd names)\n",
};

int
cmd_audit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"state", required_argument, NULL, 's'},
	    {"log-key", required_argument, NULL, 'k'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("audit");
	const char *state = NULL, *given = NULL, *vkey;
	char daemon_key[PROTO_VKEY_MAX], err[256], *note = NULL;
	uint8_t root[PROTO_HASH_LEN], old_root[PROTO_HASH_LEN];
	uint64_t size, old_size = 0;
	json_t *st = NULL;
	bool have_old = false;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:k:", opts, NULL)) != -1) {
		if (c == 's')
			state = optarg;
		else if (c == 'k')
			given = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (state == NULL || optind != argc)
		return cli_usage_error(me, "give --state FILE");
	if (access(state, F_OK) == 0) {
		json_error_t jerr;

		if ((st = json_load_file(state, 0, &jerr)) == NULL ||
		    !json_is_string(json_object_get(st, "log_key")) ||
		    !json_is_string(json_object_get(st, "checkpoint")))
			return cli_fail(EX_USAGE,
			    "%s is not an audit state "
			    "file",
			    state);
	}
	if ((rc = cli_connect(cli)) != EX_DONE)
		goto done;
	if ((rc = claim_checkpoint_fetch(cli->client, &note, daemon_key, err,
		 sizeof(err))) != PROTO_OK) {
		rc = cli_fail_err(rc, false, "%s", err);
		goto done;
	}
	/* The log key: as remembered, as given, or (first run) as claimd
	 * says, which is then remembered. */
	vkey = st   ? json_string_value(json_object_get(st, "log_key"))
	    : given ? given
		    : daemon_key;
	if (given != NULL && strcmp(given, vkey) != 0) {
		rc = cli_fail(
		    EX_USAGE, "--log-key differs from the key in %s", state);
		goto done;
	}
	if (st == NULL && given == NULL)
		cli_warn("first audit: trusting log key %s", vkey);
	if (claim_checkpoint_verify(note, strlen(note), vkey, &size, root, err,
		sizeof(err)) != PROTO_OK) {
		cli_warn("ALERT: claimd's checkpoint is not signed by the log "
			 "key %s: %s",
		    vkey, err);
		rc = EX_NOTFOUND;
		goto done;
	}
	if (st != NULL) {
		const char *old =
		    json_string_value(json_object_get(st, "checkpoint"));

		if (claim_checkpoint_verify(old, strlen(old), vkey, &old_size,
			old_root, err, sizeof(err)) != PROTO_OK) {
			rc = cli_fail(
			    EX_USAGE, "%s: its checkpoint: %s", state, err);
			goto done;
		}
		have_old = true;
	}
	if (have_old && size < old_size) {
		rc = alert(cli->server,
		    "it has %llu %s, %llu were signed before",
		    (unsigned long long)size,
		    cli_noun(size, "entry", "entries"),
		    (unsigned long long)old_size);
		goto done;
	}
	if (have_old && size == old_size &&
	    sodium_memcmp(root, old_root, PROTO_HASH_LEN) != 0) {
		rc = alert(cli->server,
		    "its %llu %s another root than the "
		    "checkpoint of %llu %s seen before",
		    (unsigned long long)size,
		    cli_noun(size, "entry has", "entries have"),
		    (unsigned long long)old_size,
		    cli_noun(old_size, "entry", "entries"));
		goto done;
	}
	if (have_old && size > old_size && old_size > 0) {
		struct claim_proof p;

		rc = claim_prove_consistency(
		    cli->client, old_size, size, &p, err, sizeof(err));
		if (rc == PROTO_EUNREACHABLE) {
			rc = cli_fail_err(rc, false, "%s", err);
			goto done;
		}
		/* Against the signed roots, not the ones claimd reports. */
		if (rc != PROTO_OK ||
		    proto_merkle_verify_consistency(old_size, size, old_root,
			root, (const uint8_t(*)[PROTO_HASH_LEN])p.hashes,
			p.n) != PROTO_OK) {
			rc = alert(cli->server,
			    "the checkpoint of size %llu does not extend the "
			    "one of size %llu seen before",
			    (unsigned long long)size,
			    (unsigned long long)old_size);
			goto done;
		}
	}
	if (save_state(state, vkey, note) != 0) {
		rc = cli_fail(
		    EX_USAGE, "cannot write %s: %s", state, strerror(errno));
		goto done;
	}
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "ok", json_true());
		json_object_set_new(
		    o, "old_size", json_integer((json_int_t)old_size));
		json_object_set_new(o, "size", json_integer((json_int_t)size));
		cli_print_json(o);
	} else if (have_old && size == old_size) {
		printf("ok: the log is unchanged at %llu %s, its checkpoint "
		       "the one seen before\n",
		    (unsigned long long)size,
		    cli_noun(size, "entry", "entries"));
	} else if (have_old) {
		printf("ok: the log grew from %llu to %llu %s, and the "
		       "new checkpoint extends the old one\n",
		    (unsigned long long)old_size, (unsigned long long)size,
		    cli_noun(size, "entry", "entries"));
	} else {
		printf("ok: checkpoint of %llu %s recorded in %s\n",
		    (unsigned long long)size,
		    cli_noun(size, "entry", "entries"), state);
	}
	rc = EX_DONE;
done:
	free(note);
	json_decref(st);
	return rc;
}
