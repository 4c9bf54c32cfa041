/*
 * cmd_export.c: claim export [--out FILE [--force]] [--from I] [--to J]
 *
 * JSON Lines in log order (docs/protocol.md): {"index", "hash", "record"}, the
 * record in standard base64. A progress bar on a terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define CHUNK 4096

static void
progress(uint64_t done, uint64_t total, uint64_t start)
{
	unsigned width = 40, full;
	uint64_t span = total - start, at = done - start;

	full = span ? (unsigned)((double)at / (double)span * width) : width;
	fprintf(stderr, "\rexport [");
	for (unsigned i = 0; i < width; i++)
		fputc(i < full ? '#' : ' ', stderr);
	fprintf(stderr, "] %llu/%llu", (unsigned long long)done,
	    (unsigned long long)total);
}

/* claim export --help, and the line of claim --help. */
const struct cmd_text cmd_export_usage = {
    "export [--out FILE [--force]] [--from I] [--to J] | export "
    "--claimreview|--prov [--export FILE] [--out FILE [--force]]",
    "Write the log as JSON Lines: {\"index\", \"hash\", \"record\"} "
    "per entry, in log order; or as ClaimReview or PROV-JSON",
    "  --out FILE     write to FILE instead of standard output\n"
    "  --force        replace FILE if it exists\n"
    "  --from I       first index (default 0)\n"
    "  --to J         stop before index J (default: the log's size)\n"
    "  --claimreview  schema.org ClaimReview JSON-LD, one a line: one per\n"
    "                 rating of a live claim (docs/interop.md)\n"
    "  --prov         W3C PROV-JSON: claims and sources as entities,\n"
    "                 parties and publishers as agents\n"
    "  --export FILE  with --claimreview or --prov: read an export (- for\n"
    "                 standard input) instead of claimd\n",
};

int
cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"force", no_argument, NULL, 'F'},
	    {"claimreview", no_argument, NULL, 'C'},
	    {"prov", no_argument, NULL, 'P'},
	    {"export", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("export");
	const char *out = NULL, *export = NULL;
	int as = 0; /* 'C' ClaimReview, 'P' PROV, 0 the log */
	uint64_t from = 0, to = UINT64_MAX, next, size, written = 0;
	FILE *f = stdout;
	char err[256], *b64 = NULL, hex[65];
	bool bar, force = false;
	int c, fd = -1, rc = EX_DONE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:t:", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'F')
			force = true;
		else if (c == 'C' || c == 'P') {
			if (as != 0 && as != c)
				return cli_usage_error(
				    me, "--claimreview or --prov, not both");
			as = c;
		} else if (c == 'e')
			export = optarg;
		else if (c == 'f' && cli_parse_u64(optarg, &from))
			;
		else if (c == 't' && cli_parse_u64(optarg, &to))
			;
		else if (c == 'f' || c == 't')
			return cli_usage_error(me, "--%s takes a log index",
			    c == 'f' ? "from" : "to");
		else
			return cli_bad_option(me, argv);
	}
	if (optind != argc)
		return cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
	if (from > to)
		return cli_usage_error(me, "--from %llu is after --to %llu",
		    (unsigned long long)from, (unsigned long long)to);
	if (force && out == NULL)
		return cli_usage_error(me, "--force goes with --out FILE");
	if (export != NULL && as == 0)
		return cli_usage_error(
		    me, "--export goes with --claimreview or --prov");
	if (as != 0 && (from != 0 || to != UINT64_MAX))
		return cli_usage_error(me,
		    "--from and --to export the log itself, not --%s",
		    as == 'C' ? "claimreview" : "prov");
	if (export == NULL && (rc = cli_connect(cli)) != EX_DONE)
		return rc;
	/* An existing file is replaced only when asked, as keygen does. */
	if (out != NULL &&
	    ((fd = open(out,
		  O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL),
		  0666)) < 0 ||
		(f = fdopen(fd, "w")) == NULL)) {
		rc = cli_fail(EX_USAGE, "cannot create %s: %s%s", out,
		    strerror(errno),
		    errno == EEXIST ? " (--force replaces it)" : "");
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (as != 0) {
		rc = as == 'C' ? interop_claimreview(cli, export, f)
			       : interop_prov(cli, export, f);
		if (rc == EX_DONE && (fflush(f) != 0 || ferror(f)))
			rc = cli_fail(EX_USAGE, "cannot write %s: %s",
			    out ? out : "standard output", strerror(errno));
		goto done;
	}
	if ((b64 = malloc(proto_base64_len(PROTO_RECORD_MAX))) == NULL) {
		rc = cli_fail(EX_USAGE, "out of memory");
		goto done;
	}
	bar = isatty(STDERR_FILENO) && (out != NULL || !isatty(STDOUT_FILENO));
	for (next = from; next < to;) {
		struct claim_entry *e;
		size_t n;
		uint64_t want = to - next < CHUNK ? to - next : CHUNK;

		if ((rc = claim_range(cli->client, next, want, NULL, NULL, &e,
			 &n, &next, &size, err, sizeof(err))) != PROTO_OK) {
			rc = cli_fail_err(rc, false, "%s", err);
			goto done;
		}
		if (to == UINT64_MAX || to > size)
			to = size;
		for (size_t i = 0; i < n; i++) {
			proto_base64(e[i].bytes, e[i].len, b64);
			proto_hex(e[i].hash, PROTO_HASH_LEN, hex);
			fprintf(f,
			    "{\"index\":%llu,\"hash\":\"%s\","
			    "\"record\":\"%s\"}\n",
			    (unsigned long long)e[i].index, hex, b64);
			written++;
		}
		claim_entries_free(e, n);
		if (bar && size > CHUNK)
			progress(next, to, from);
		if (n == 0 && next >= size)
			break;
	}
	if (bar && size > CHUNK)
		fputc('\n', stderr);
	if (fflush(f) != 0 || ferror(f)) {
		rc = cli_fail(EX_USAGE, "cannot write %s: %s",
		    out ? out : "standard output", strerror(errno));
		goto done;
	}
	if (out != NULL)
		cli_warn("exported %llu %s to %s", (unsigned long long)written,
		    cli_noun(written, "entry", "entries"), out);
	rc = EX_DONE;
done:
	free(b64);
	if (f != stdout)
		fclose(f);
	return rc;
}
