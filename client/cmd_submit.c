/*
 * cmd_submit.c: claim submit FILE|- [--window N] [--attach DOC]
 * [--records] [--allow-duplicate]
 *
 * The input is one JSON object, a JSON array of them, or JSON Lines;
 * batch.c reports what became of each.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define WINDOW_DEFAULT 256
#define WINDOW_MAX     4096

/*
 * The next line of text at *cursor (NUL-terminated in place), or NULL at
 * the end; every line counts, blank ones too, so numbers match editors.
 */
static char *
next_line(char **cursor)
{
	char *s = *cursor, *nl;

	if (*s == '\0')
		return NULL;
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		*cursor = nl + 1;
	} else {
		*cursor = s + strlen(s);
	}
	return s;
}

/* Whether s holds only white space. */
static bool
blank(const char *s)
{
	return s[strspn(s, " \t\r")] == '\0';
}

/*
 * Submits the records of an export (claim export), as they are; *n
 * counts the lines that are not blank. Once the batch stops, every later
 * line is reported as not sent.
 */
static int
submit_records(struct batch *b, char *text, long *n)
{
	long line = 0;
	char *cur = text, *s;
	uint8_t *rec;
	int rc = EX_DONE;

	if ((rec = malloc(PROTO_RECORD_MAX)) == NULL)
		return cli_fail(EX_USAGE, "out of memory");
	while ((s = next_line(&cur)) != NULL) {
		json_error_t jerr;
		json_t *o, *r;
		size_t len;

		line++;
		if (blank(s))
			continue;
		(*n)++;
		if (rc != EX_DONE) {
			batch_skip(b, line);
			continue;
		}
		if ((o = json_loads(s, 0, &jerr)) == NULL) {
			rc = batch_bad_line(b, line, PROTO_EJSON,
			    "not JSON: %s", cli_json_why(&jerr));
			continue;
		}
		r = json_object_get(o, "record");
		if (!json_is_string(r) ||
		    proto_unbase64(json_string_value(r), json_string_length(r),
			rec, PROTO_RECORD_MAX, &len) != PROTO_OK)
			rc = batch_bad_line(b, line, PROTO_EJSON,
			    "\"record\" must be base64 of a record");
		else
			rc = batch_add_record(b, rec, len, line);
		json_decref(o);
	}
	free(rec);
	return rc;
}

/* Submits each line of JSON Lines text in turn, as submit_records. */
static int
submit_lines(struct batch *b, char *text, long *n)
{
	long line = 0;
	char *cur = text, *s;
	int rc = EX_DONE;

	while ((s = next_line(&cur)) != NULL) {
		json_error_t jerr;
		json_t *op;

		line++;
		if (blank(s))
			continue;
		(*n)++;
		if (rc != EX_DONE) {
			batch_skip(b, line);
			continue;
		}
		if ((op = json_loads(s, JSON_REJECT_DUPLICATES, &jerr)) ==
		    NULL) {
			rc = batch_bad_line(b, line, PROTO_EJSON,
			    "not JSON: %s", cli_json_why(&jerr));
			continue;
		}
		rc = batch_add(b, op, line);
		json_decref(op);
	}
	return rc;
}

/* Input that holds nothing to submit is a mistake, not a success. */
static int
nothing(int rc, long n, const char *path)
{
	if (rc != EX_DONE || n > 0)
		return rc;
	return cli_fail(EX_USAGE, "no claims in %s",
	    strcmp(path, "-") == 0 ? "standard input" : path);
}

/* claim submit --help, and the line of claim --help. */
const struct cmd_text cmd_submit_usage = {
    "submit FILE|- [--window N] [--attach DOC] [--records] "
    "[--allow-duplicate]",
    "Submit new claims from JSON, a JSON array or JSON Lines; one "
    "acknowledgement per claim as it is committed",
    "  --window N  submissions in flight at once (default 256)\n"
    "  --records   FILE is an export: submit its signed records as "
    "they are\n"
    "              (duplicates the exported log holds included)\n"
    "  --attach DOC  check quotes against DOC (repeatable): a quote must "
    "be\n              in the document its sha256 names, and a source "
    "without\n              sha256 gets the hash of the document its "
    "quote is in\n"
    "  --allow-duplicate  store a new claim even if a live claim of the "
    "party\n              has the same statement, topics and date "
    "made\n"
    "JSON Lines may also hold {\"ref\": \"label\", ...} to name a claim "
    "for later\nlines (\"@label\" in relations), {\"revises\": ID|@label, "
    "\"note\": TEXT, ...claim},\n{\"retracts\": ID|@label, \"reason\": "
    "TEXT} and {\"reinstates\": ID|@label,\n\"note\": TEXT}, refused as "
    "claim revise, retract and reinstate say.\n"
    "A claim without sources is stored, with a warning on stderr: \"line "
    "N:\nclaim has no sources\" (with --json, \"warning\": \"no-sources\" in "
    "its\nacknowledgement).\n"
    "A UTF-8 byte order mark at the start is ignored; input that holds no\n"
    "claim at all is a usage error (exit 2).\n"
    "Every line is reported once: stored (an acknowledgement on stdout),\n"
    "or on stderr exists (already in the log: claimd refuses a new claim\n"
    "identical to a live one and names it), refused (with the reason),\n"
    "unconfirmed (sent, no answer: perhaps stored) or not stored (not\n"
    "sent, or claimd was shutting down); then a summary of the counts.\n"
    "With --json, stderr has one JSON object for each of those lines,\n"
    "{\"line\", \"status\", ...}, and the summary as one too. Running a\n"
    "file again after an unfinished run stores only what is missing.\n"
    "Exit 3 if a line is unconfirmed or not stored, else 4 if one is\n"
    "refused or a duplicate.\n"
    "Ctrl-C (or SIGTERM) stops sending; the submissions in flight are\n"
    "still answered and printed, then claim exits with 130 (143).\n",
};

int
cmd_submit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"window", required_argument, NULL, 'w'},
	    {"records", no_argument, NULL, 'r'},
	    {"attach", required_argument, NULL, 'a'},
	    {"allow-duplicate", no_argument, NULL, 'D'},
	    {NULL, 0, NULL, 0},
	};
	bool records = false, allow_duplicate = false;
	const char *attach[16];
	size_t nattach = 0;
	const struct cmd *me = cli_cmd("submit");
	uint64_t window = WINDOW_DEFAULT;
	struct batch *b;
	json_error_t jerr;
	json_t *doc;
	long n = 0;
	size_t len;
	char err[256], *text;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "w:ra:", opts, NULL)) != -1) {
		if (c == 'r') {
			records = true;
			continue;
		}
		if (c == 'D') {
			allow_duplicate = true;
			continue;
		}
		if (c == 'a') {
			if (nattach == 16)
				return cli_usage_error(me,
				    "at most 16 "
				    "--attach");
			attach[nattach++] = optarg;
			continue;
		}
		if (c == '?')
			return cli_bad_option(me, argv);
		if (c != 'w' || !cli_parse_u64(optarg, &window) || window < 1 ||
		    window > WINDOW_MAX)
			return cli_usage_error(
			    me, "--window takes 1 to %d", WINDOW_MAX);
	}
	if (optind + 1 != argc)
		return cli_usage_error(me,
		    "give one FILE, or - for standard "
		    "input");
	if ((text = cli_read_input(argv[optind], &len, err, sizeof(err))) ==
	    NULL)
		return cli_fail(EX_USAGE, "%s", err);
	if ((rc = batch_begin(&b, cli, (size_t)window, !records)) != EX_DONE) {
		free(text);
		return rc;
	}
	/* An export's records are entries of a log already: replayed as
	 * they were, duplicates that log allowed included. */
	if (allow_duplicate || records)
		batch_set_flags(b, PROTO_SUBMIT_ALLOW_DUPLICATE);
	for (size_t i = 0; i < nattach; i++)
		if ((rc = batch_attach(b, attach[i])) != EX_DONE) {
			free(text);
			return batch_end(b, rc);
		}
	if (records) {
		rc = submit_records(b, text, &n);
		free(text);
		return batch_end(b, nothing(rc, n, argv[optind]));
	}
	/* One document (an object, or an array of them), else JSON Lines. */
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (json_is_array(doc)) {
		size_t i;
		json_t *op;

		n = (long)json_array_size(doc);
		json_array_foreach(doc, i, op)
		{
			if (rc == EX_DONE)
				rc = batch_add(b, op, (long)i + 1);
			else
				batch_skip(b, (long)i + 1);
		}
	} else if (doc != NULL) {
		n = 1;
		rc = batch_add(b, doc, 1);
	} else {
		rc = submit_lines(b, text, &n);
	}
	json_decref(doc);
	free(text);
	return batch_end(b, nothing(rc, n, argv[optind]));
}
