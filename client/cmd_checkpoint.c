/*
 * cmd_checkpoint.c: claim checkpoint [--log-key KEY], claim log-key
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* claim log-key --help, and the line of claim --help. */
const struct cmd_text cmd_log_key_usage = {
    "log-key",
    "The log's verifier key: origin+keyid+base64 key",
    "",
};

int
cmd_log_key(struct cli *cli, int argc, char **argv)
{
	const struct cmd *me = cli_cmd("log-key");
	char vkey[PROTO_VKEY_MAX], err[256], *note;
	int rc;

	(void)argv;
	if (argc != 1)
		return cli_usage_error(me, "log-key takes no arguments");
	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	if ((rc = claim_checkpoint_fetch(
		 cli->client, &note, vkey, err, sizeof(err))) != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	free(note);
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "log_key", json_string(vkey));
		cli_print_json(o);
	} else {
		printf("%s\n", vkey);
	}
	return EX_DONE;
}

/* claim checkpoint --help, and the line of claim --help. */
const struct cmd_text cmd_checkpoint_usage = {
    "checkpoint [--log-key KEY]",
    "The log's current signed checkpoint (C2SP tlog-checkpoint)",
    "  --log-key KEY  check it with this verifier key\n",
};

int
cmd_checkpoint(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"log-key", required_argument, NULL, 'k'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("checkpoint");
	char vkey[PROTO_VKEY_MAX], err[256], *note;
	const char *want = NULL;
	uint8_t root[PROTO_HASH_LEN];
	uint64_t size;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
		if (c == 'k')
			want = optarg;
		else
			return cli_bad_option(me, argv);
	}
	if (optind != argc)
		return cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	if ((rc = claim_checkpoint_fetch(
		 cli->client, &note, vkey, err, sizeof(err))) != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	/* Checked with the key given, or else the one claimd names. */
	rc = claim_checkpoint_verify(note, strlen(note), want ? want : vkey,
	    &size, root, err, sizeof(err));
	if (rc != PROTO_OK) {
		free(note);
		return cli_fail(EX_NOTFOUND, "checkpoint: %s", err);
	}
	if (cli->json) {
		json_t *o = json_object();
		char b64[64];

		proto_base64(root, PROTO_HASH_LEN, b64);
		json_object_set_new(o, "checkpoint", json_string(note));
		json_object_set_new(o, "size", json_integer((json_int_t)size));
		json_object_set_new(o, "root", json_string(b64));
		json_object_set_new(o, "log_key", json_string(vkey));
		cli_print_json(o);
	} else {
		fputs(note, stdout);
	}
	free(note);
	return EX_DONE;
}
