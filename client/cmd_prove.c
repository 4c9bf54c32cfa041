/*
 * cmd_prove.c: claim prove inclusion ID|HASH [--size N],
 *              claim prove consistency --from M --to N
 *
 * Proofs are printed as DESIGN.md has them, hashes in standard base64,
 * after they verified here. Without --size, an inclusion proof is for the
 * current signed checkpoint, whose root it is checked against.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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
			return cli_fail(cli_exit_for(rc, false), "%s", err);
		rc = claim_checkpoint_verify(note, strlen(note),
		    vkey ? vkey : kbuf, &cp_size, cp_root, err, sizeof(err));
		free(note);
		if (rc != PROTO_OK)
			return cli_fail(EX_NOTFOUND, "checkpoint: %s", err);
		size = cp_size;
	}
	if ((rc = claim_prove_inclusion(
		 cli->client, ref, size, &p, err, sizeof(err))) != PROTO_OK)
		return cli_fail(cli_exit_for(rc, false), "%s", err);
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
		return cli_fail(cli_exit_for(rc, false), "%s", err);
	o = json_object();
	json_object_set_new(o, "old_size", json_integer((json_int_t)from));
	json_object_set_new(o, "new_size", json_integer((json_int_t)to));
	json_object_set_new(o, "proof", proof_json(&p));
	cli_print_json(o);
	return EX_DONE;
}

int
cmd_prove(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"size", required_argument, NULL, 's'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"log-key", required_argument, NULL, 'k'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("prove");
	uint64_t size = 0, from = 0, to = 0;
	bool have_from = false, have_to = false;
	const char *vkey = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:f:t:k:", opts, NULL)) != -1) {
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
		default:
			return cli_usage_error(me, "unknown option");
		}
	}
	if (optind < argc && strcmp(argv[optind], "inclusion") == 0) {
		if (optind + 2 != argc)
			return cli_usage_error(me, "prove inclusion ID|HASH");
		if ((rc = cli_connect(cli)) != EX_DONE)
			return rc;
		return inclusion(cli, argv[optind + 1], size, vkey);
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
