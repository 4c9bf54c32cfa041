/*
 * cmd_verify_proof.c: claim verify-proof FILE|- --log-key KEY
 *                                           [--old-checkpoint FILE]
 *
 * Offline: checks a proof bundle (claim prove --out) with the log's
 * verifier key alone, and says what it proved. Exit 0 when it holds, 1
 * when it does not (a bundle that is not one included), 2 for usage.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"

/* The audit state file or signed note at path: its tree, under vkey. */
static int
old_tree(const char *path, const char *vkey, uint64_t *size,
    uint8_t root[PROTO_HASH_LEN])
{
	char err[256], *text;
	const char *note;
	json_t *st = NULL;
	size_t len;
	int rc;

	if ((text = cli_read_input(path, &len, err, sizeof(err))) == NULL)
		return cli_fail(EX_USAGE, "%s", err);
	note = text;
	if ((st = json_loadb(text, len, 0, NULL)) != NULL &&
	    (note = json_string_value(json_object_get(st, "checkpoint"))) ==
		NULL) {
		rc = cli_fail(EX_USAGE, "%s holds no \"checkpoint\"", path);
		goto done;
	}
	rc = claim_checkpoint_verify(
	    note, strlen(note), vkey, size, root, err, sizeof(err));
	rc = rc == PROTO_OK
	    ? EX_DONE
	    : cli_fail(EX_USAGE, "--old-checkpoint %s: %s", path, err);
done:
	json_decref(st);
	free(text);
	return rc;
}

static void
print_ok(const struct cli *cli, const struct claim_bundle *b)
{
	const struct proto_claim *c = &b->entry.payload.claim;
	bool claim = b->type == CLAIM_BUNDLE_INCLUSION &&
	    b->entry.payload.kind == PROTO_KIND_CLAIM;
	char hex[2 * PROTO_HASH_LEN + 1], root[64], old[64];
	json_t *o;

	proto_hex(b->hash, PROTO_HASH_LEN, hex);
	proto_base64(b->root, PROTO_HASH_LEN, root);
	proto_base64(b->old_root, PROTO_HASH_LEN, old);
	if (!cli->json) {
		if (b->type == CLAIM_BUNDLE_INCLUSION)
			printf("ok: entry %llu, record %s, is in the log %s "
			       "of %llu %s, signed, root %s\n",
			    (unsigned long long)b->index, hex, b->origin,
			    (unsigned long long)b->size,
			    cli_noun(b->size, "entry", "entries"), root);
		if (claim) {
			proto_hex(b->entry.claim, PROTO_HASH_LEN, hex);
			printf("it is version %llu of claim %s, of %s\n",
			    (unsigned long long)c->version, hex, c->party);
		} else if (b->type == CLAIM_BUNDLE_INCLUSION) {
			printf("it is a %s record\n",
			    proto_kind_name(b->entry.payload.kind));
		}
		if (b->type == CLAIM_BUNDLE_CONSISTENCY)
			printf("ok: the log %s of %llu %s, signed, "
			       "extends the tree of %llu %s with root "
			       "%s%s\n",
			    b->origin, (unsigned long long)b->size,
			    cli_noun(b->size, "entry", "entries"),
			    (unsigned long long)b->old_size,
			    cli_noun(b->old_size, "entry", "entries"), old,
			    b->old_signed ? ", signed too" : "");
		return;
	}
	o = json_object();
	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "type",
	    json_string(b->type == CLAIM_BUNDLE_INCLUSION ? "inclusion"
							  : "consistency"));
	json_object_set_new(o, "origin", json_string(b->origin));
	json_object_set_new(o, "size", json_integer((json_int_t)b->size));
	json_object_set_new(o, "root", json_string(root));
	if (b->type == CLAIM_BUNDLE_INCLUSION) {
		json_object_set_new(
		    o, "index", json_integer((json_int_t)b->index));
		json_object_set_new(o, "hash", json_string(hex));
		json_object_set_new(o, "kind",
		    json_string(proto_kind_name(b->entry.payload.kind)));
		if (claim) {
			proto_hex(b->entry.claim, PROTO_HASH_LEN, hex);
			json_object_set_new(o, "claim", json_string(hex));
			json_object_set_new(
			    o, "version", json_integer((json_int_t)c->version));
			json_object_set_new(o, "party", json_string(c->party));
		}
	} else {
		json_object_set_new(
		    o, "old_size", json_integer((json_int_t)b->old_size));
		json_object_set_new(o, "old_root", json_string(old));
		json_object_set_new(
		    o, "old_signed", json_boolean(b->old_signed));
	}
	cli_print_json(o);
}

/* claim verify-proof --help, and the line of claim --help. */
const struct cmd_text cmd_verify_proof_usage = {
    "verify-proof FILE --log-key KEY [--old-checkpoint FILE]",
    "Check a proof bundle (claim prove --out) offline: its checkpoint's "
    "signature, the record's hash and its path to the signed root, or "
    "the consistency of the old tree with the signed one",
    "  --log-key KEY  the log's verifier key (claim log-key); required\n"
    "  --old-checkpoint FILE  a signed checkpoint or audit --state "
    "file the\n"
    "                 consistency bundle must start from\n"
    "Exit 1 if anything in the bundle does not verify, a bundle that is\n"
    "not one (malformed JSON, a field missing or unknown) included.\n",
};

int
cmd_verify_proof(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"log-key", required_argument, NULL, 'k'},
	    {"old-checkpoint", required_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("verify-proof");
	const char *vkey = NULL, *old_path = NULL;
	uint8_t old_root[PROTO_HASH_LEN];
	uint64_t old_size = 0;
	struct claim_bundle b;
	char err[512], *text;
	size_t len;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:c:", opts, NULL)) != -1) {
		if (c == 'k')
			vkey = optarg;
		else if (c == 'c')
			old_path = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error(me, "give one bundle FILE (or -)");
	if (vkey == NULL)
		return cli_usage_error(me,
		    "give --log-key KEY, the log's verifier key (claim "
		    "log-key)");
	if (old_path != NULL &&
	    (rc = old_tree(old_path, vkey, &old_size, old_root)) != EX_DONE)
		return rc;
	if ((text = cli_read_input(argv[optind], &len, err, sizeof(err))) ==
	    NULL)
		return cli_fail(EX_USAGE, "%s", err);
	rc = claim_bundle_verify(text, len, vkey, &b, err, sizeof(err));
	free(text);
	if (rc == PROTO_EKEY)
		return cli_usage_error(me, "--log-key: %s", err);
	if (rc == PROTO_OK && old_path != NULL &&
	    b.type != CLAIM_BUNDLE_CONSISTENCY) {
		claim_bundle_release(&b);
		return cli_usage_error(
		    me, "--old-checkpoint goes with a consistency bundle");
	}
	if (rc == PROTO_OK && old_path != NULL &&
	    (b.old_size != old_size ||
		sodium_memcmp(b.old_root, old_root, PROTO_HASH_LEN) != 0)) {
		snprintf(err, sizeof(err),
		    "the bundle does not start from the checkpoint of %llu "
		    "%s in %s",
		    (unsigned long long)old_size,
		    cli_noun(old_size, "entry", "entries"), old_path);
		claim_bundle_release(&b);
		rc = PROTO_EPROOF;
	}
	if (rc != PROTO_OK) {
		if (cli->json) {
			json_t *o = json_object();

			json_object_set_new(o, "ok", json_false());
			json_object_set_new(
			    o, "error", json_string(proto_errname(rc)));
			json_object_set_new(o, "why", json_string(err));
			cli_print_json(o);
		}
		return cli_fail(EX_NOTFOUND, "verification failed: %s", err);
	}
	print_ok(cli, &b);
	claim_bundle_release(&b);
	return EX_DONE;
}
