/*
 * cmd_verify.c: claim verify FILE [--checkpoint FILE --log-key KEY]
 *                                 [--admin-key HEX]
 *               claim verify --tiles DIR|URL --log-key KEY [--admin-key HEX]
 *
 * Offline: needs no daemon. Exit 0 when everything holds, 1 naming the
 * first failing entry and why.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct progress {
	struct timespec t0;
	uint64_t last;
};

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
show_progress(void *ctx, uint64_t done)
{
	struct progress *p = ctx;
	double s;

	if (done - p->last < 20000)
		return;
	p->last = done;
	s = since(&p->t0);
	fprintf(stderr, "\rverify: %llu entries, %.0f/s",
	    (unsigned long long)done, s > 0 ? (double)done / s : 0.0);
}

/* claim verify --help, and the line of claim --help. */
const struct cmd_text cmd_verify_usage = {
    "verify FILE [--checkpoint FILE --log-key KEY] [--admin-key HEX] | "
    "--tiles DIR|URL --log-key KEY",
    "Verify an export offline, or a log published as tlog-tiles (claim "
    "publish): records, hashes, signatures, version chains, authorization "
    "replayed from the start, and the tree",
    "  --checkpoint FILE  a signed checkpoint the export must match\n"
    "  --tiles DIR|URL    a published log (claim publish), in a folder or\n"
    "                     over HTTP(S): its checkpoint, every tile and every\n"
    "                     entry bundle\n"
    "  --log-key KEY      the log's verifier key, for the checkpoint\n"
    "  --admin-key HEX    the admin key (default: the signer of the first\n"
    "                     registry record, with a warning)\n"
    "  --threads N        verifying threads besides the main one\n",
};

int
cmd_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"checkpoint", required_argument, NULL, 'c'},
	    {"log-key", required_argument, NULL, 'k'},
	    {"admin-key", required_argument, NULL, 'a'},
	    {"threads", required_argument, NULL, 't'},
	    {"tiles", required_argument, NULL, 'T'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("verify");
	const char *cp_path = NULL, *vkey = NULL, *admin_hex = NULL;
	const char *tiles = NULL;
	struct claim_verify_opts o;
	struct claim_verify_result res;
	struct progress prog;
	uint8_t admin[PROTO_PUBKEY_LEN];
	uint64_t threads = 0;
	char err[256], hex[65], b64[64], safe[PROTO_SAFE_MAX];
	FILE *in;
	int c, rc;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:k:a:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cp_path = optarg;
			break;
		case 'k':
			vkey = optarg;
			break;
		case 'a':
			admin_hex = optarg;
			break;
		case 'T':
			tiles = optarg;
			break;
		case 't':
			if (!cli_parse_u64(optarg, &threads) || threads < 1 ||
			    threads > 64)
				return cli_usage_error(me, "--threads 1 to 64");
			break;
		default:
			return cli_bad_option(me, argv);
		}
	}
	if (tiles != NULL && optind != argc)
		return cli_usage_error(me, "--tiles takes no export FILE");
	if (tiles != NULL && (vkey == NULL || cp_path != NULL))
		return cli_usage_error(me,
		    "--tiles needs --log-key, and no --checkpoint: the "
		    "published one is checked");
	if (tiles == NULL && optind + 1 != argc)
		return cli_usage_error(me, "give one export FILE (or -)");
	if (tiles == NULL && (cp_path == NULL) != (vkey == NULL))
		return cli_usage_error(me,
		    "--checkpoint and --log-key go "
		    "together");
	if (admin_hex != NULL) {
		if (proto_pubkey_parse(admin_hex, admin, err, sizeof(err)) !=
		    PROTO_OK)
			return cli_usage_error(me, "--admin-key \"%s\": %s",
			    proto_str_safe(safe, sizeof(safe), admin_hex), err);
		o.admin = admin;
	}
	if (tiles != NULL)
		return verify_tiles(cli, tiles, vkey, o.admin, (int)threads);
	if (cp_path != NULL) {
		size_t len;
		char *note = cli_read_input(cp_path, &len, err, sizeof(err));

		if (note == NULL)
			return cli_fail(EX_USAGE, "%s", err);
		rc = claim_checkpoint_verify(
		    note, len, vkey, &o.cp_size, o.cp_root, err, sizeof(err));
		free(note);
		if (rc == PROTO_EKEY)
			return cli_fail(EX_USAGE, "%s", err);
		if (rc != PROTO_OK)
			return cli_fail(
			    EX_NOTFOUND, "checkpoint %s: %s", cp_path, err);
		o.cp_given = true;
	}
	if ((rc = cli_open_input(argv[optind], &in)) != EX_DONE)
		return rc;
	o.threads = (int)threads;
	if (isatty(STDERR_FILENO)) {
		memset(&prog, 0, sizeof(prog));
		clock_gettime(CLOCK_MONOTONIC, &prog.t0);
		o.progress = show_progress;
		o.ctx = &prog;
	}
	rc = claim_verify_export(in, &o, &res);
	cli_close_input(in);
	if (o.progress != NULL && prog.last > 0)
		fputc('\n', stderr);
	if (res.admin_inferred) {
		proto_hex(res.admin, PROTO_PUBKEY_LEN, hex);
		cli_warn("no --admin-key: trusting the signer of the first "
			 "registry record, %s",
		    hex);
	}
	if (rc != PROTO_OK) {
		if (cli->json) {
			json_t *j = json_object();
			char why[PROTO_SAFE_MAX];

			json_object_set_new(j, "ok", json_false());
			if (res.bad_index != UINT64_MAX)
				json_object_set_new(j, "entry",
				    json_integer((json_int_t)res.bad_index));
			json_object_set_new(
			    j, "error", json_string(proto_errname(rc)));
			/* It may quote the export's bytes, which need not
			 * be UTF-8: a JSON string must be. */
			json_object_set_new(j, "why",
			    json_string(
				proto_str_safe(why, sizeof(why), res.why)));
			cli_print_json(j);
		}
		if (res.bad_index == UINT64_MAX)
			return cli_fail(
			    rc == PROTO_EIO ? EX_USAGE : EX_NOTFOUND,
			    "verification failed: %s", res.why);
		return cli_fail(EX_NOTFOUND,
		    "verification failed at entry %llu: %s",
		    (unsigned long long)res.bad_index, res.why);
	}
	proto_base64(res.root, PROTO_HASH_LEN, b64);
	if (cli->json) {
		json_t *j = json_object();

		json_object_set_new(j, "ok", json_true());
		json_object_set_new(
		    j, "entries", json_integer((json_int_t)res.entries));
		json_object_set_new(
		    j, "claims", json_integer((json_int_t)res.claims));
		json_object_set_new(
		    j, "registry", json_integer((json_int_t)res.registry));
		json_object_set_new(j, "root", json_string(b64));
		if (o.cp_given)
			json_object_set_new(j, "checkpoint_size",
			    json_integer((json_int_t)o.cp_size));
		cli_print_json(j);
	} else {
		printf("ok: %llu %s (%llu %s, %llu registry %s); "
		       "every signature valid, every signer authorized at its "
		       "point of the log, every version chain unbroken\n"
		       "root %s\n",
		    (unsigned long long)res.entries,
		    cli_noun(res.entries, "entry", "entries"),
		    (unsigned long long)res.claims,
		    cli_noun(res.claims, "claim", "claims"),
		    (unsigned long long)res.registry,
		    cli_noun(res.registry, "record", "records"), b64);
		if (o.cp_given)
			printf("matches the signed checkpoint of size %llu\n",
			    (unsigned long long)o.cp_size);
	}
	return EX_DONE;
}
