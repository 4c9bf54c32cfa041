/*
 * cmd_keygen.c: claim keygen --out FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

/* claim keygen --help, and the line of claim --help. */
const struct cmd_text cmd_keygen_usage = {
    "keygen --out FILE [--passphrase] [--force] | keygen --curve --out FILE",
    "Make a key pair: the secret key goes to FILE (mode 0600), the "
    "public key is printed in hex",
    "  --out FILE    where to write the secret key\n"
    "  --passphrase  seal it with a passphrase (Argon2id), asked on the\n"
    "                terminal or read from --passphrase-file\n"
    "  --force       replace FILE if it exists\n"
    "  --curve       a CurveZMQ transport key pair instead (for claimd's\n"
    "                --curve-key and --allow, and claim's --curve-key);\n"
    "                prints the public key in Z85\n",
};

int
cmd_keygen(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'f'},
	    {"passphrase", no_argument, NULL, 'p'},
	    {"curve", no_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("keygen");
	uint8_t pk[PROTO_PUBKEY_LEN], *sk;
	const char *out = NULL;
	struct proto_buf text;
	char hex[2 * PROTO_PUBKEY_LEN + 1], curve_pub[PROTO_Z85_KEY_LEN + 1];
	bool force = false, sealed = false, curve = false;
	int c, fd, rc = EX_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:fpc", opts, NULL)) != -1) {
		if (c == 'c') {
			curve = true;
			continue;
		}
		if (c == 'o')
			out = optarg;
		else if (c == 'f')
			force = true;
		else if (c == 'p')
			sealed = true;
		else
			return cli_bad_option(me, argv);
	}
	if (out == NULL || optind != argc)
		return cli_usage_error(me, "give --out FILE and nothing else");
	if (curve && sealed)
		return cli_usage_error(me,
		    "a CurveZMQ key cannot take a passphrase: it is read "
		    "unattended; protect it by its mode (0600)");
	if ((sk = sodium_malloc(PROTO_SECKEY_LEN)) == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	proto_buf_init(&text);
	if (proto_key_generate(pk, sk) != PROTO_OK) {
		rc = cli_fail(EX_USAGE, "cannot make a key");
		goto cleanup;
	}
	if (curve) {
		char zpub[PROTO_Z85_KEY_LEN + 1], zsec[PROTO_Z85_KEY_LEN + 1];

		rc = claim_curve_keypair(zpub, zsec);
		if (rc == PROTO_OK)
			rc = proto_curve_key_format(zpub, zsec, &text);
		sodium_memzero(zsec, sizeof(zsec));
		/* Printed below in the place of the signing key. */
		snprintf(curve_pub, sizeof(curve_pub), "%s", zpub);
	} else if (sealed) {
		char *pass = cli_passphrase(cli, out, true);

		if (pass == NULL)
			goto cleanup;
		rc = proto_key_format_sealed(sk, pass, strlen(pass), &text);
		sodium_free(pass);
	} else {
		rc = proto_key_format(sk, &text);
	}
	if (rc != PROTO_OK) {
		rc = cli_fail(EX_USAGE, "cannot make a key");
		goto cleanup;
	}
	/* 0600 from the start; never an instant readable by others. */
	fd = open(out,
	    O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		(force ? O_TRUNC : O_EXCL),
	    0600);
	if (fd < 0) {
		rc = cli_fail(EX_USAGE, "cannot create %s: %s%s", out,
		    strerror(errno),
		    errno == EEXIST ? " (--force replaces it)" : "");
		goto cleanup;
	}
	if (fchmod(fd, 0600) != 0 ||
	    write(fd, text.data, text.len) != (ssize_t)text.len ||
	    fsync(fd) != 0) {
		rc = cli_fail(
		    EX_USAGE, "cannot write %s: %s", out, strerror(errno));
		close(fd);
		unlink(out);
		goto cleanup;
	}
	close(fd);
	if (curve)
		snprintf(hex, sizeof(hex), "%s", curve_pub);
	else
		proto_hex(pk, PROTO_PUBKEY_LEN, hex);
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "public", json_string(hex));
		json_object_set_new(o, "file", json_string(out));
		cli_print_json(o);
	} else {
		printf("%s\n", hex);
	}
	rc = EX_DONE;
cleanup:
	if (text.data != NULL)
		sodium_memzero(text.data, text.cap);
	proto_buf_release(&text);
	sodium_free(sk);
	return rc;
}
