/*
 * cli.c: helpers the verbs share: errors and exit status, the connection,
 * the signing key, input, and printing claims for people and programs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

/* Set once by main from --json: diagnostics as JSON objects. */
static bool json_diag;

void
cli_json_diagnostics(bool on)
{
	json_diag = on;
}

/* The "error" of a JSON diagnostic for an exit status. */
static const char *
exit_name(int code)
{
	switch (code) {
	case EX_USAGE:
		return "usage";
	case EX_UNREACHABLE:
		return "unreachable";
	case EX_REFUSED:
		return "refused";
	default:
		return "failed";
	}
}

/*
 * The one way a message reaches stderr: formatted, then made one line that
 * cannot drive a terminal (proto_str_safe), since it may quote input, an
 * export or claimd's reply. The raw text is formatted one byte longer than
 * the safe one can hold, so that a cut always shows as "...". With
 * --json, one object instead: {"error": name, "message"} (a failure) or
 * {"warning": message} (name NULL), its text escaped by JSON itself.
 */
static void
vwarn(const char *name, const char *fmt, va_list ap)
{
	char msg[PROTO_SAFE_MAX + 1], safe[PROTO_SAFE_MAX];
	json_t *o, *text;
	char *line;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!json_diag) {
		fprintf(stderr, "claim: %s\n",
		    proto_str_safe(safe, sizeof(safe), msg));
		return;
	}
	/* Text that is not UTF-8 (or was cut inside a character) is given
	 * as the safe form. */
	if ((text = json_string(msg)) == NULL)
		text = json_string(proto_str_safe(safe, sizeof(safe), msg));
	o = json_object();
	if (name != NULL) {
		json_object_set_new(o, "error", json_string(name));
		json_object_set_new(o, "message", text);
	} else
		json_object_set_new(o, "warning", text);
	if ((line = json_dumps(o, JSON_COMPACT)) != NULL) {
		fprintf(stderr, "%s\n", line);
		free(line);
	}
	json_decref(o);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(NULL, fmt, ap);
	va_end(ap);
}

int
cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(exit_name(code), fmt, ap);
	va_end(ap);
	return code;
}

int
cli_fail_err(int err, bool write, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(proto_errname(err), fmt, ap);
	va_end(ap);
	return cli_exit_for(err, write);
}

const char *
cli_nearest(const char *w, const char *const *words, size_t n)
{
	const char *best;
	size_t d, len = strlen(w);

	/* A word too long to be a mistyped option or verb is none. */
	if (len >= 64 || (best = cli_closest(w, words, n)) == NULL)
		return NULL;
	d = cli_distance(w, best);
	/* Near: two edits at most, and fewer than the word has letters. */
	if (d > 2 || d * 2 >= len)
		return NULL;
	return best;
}

/* The common options (client/main.c), valid after any verb too. */
static const char *const common[] = {"--server", "--key", "--feed",
    "--passphrase-file", "--server-key", "--curve-key", "--timeout", "--json",
    "--help"};

#define NOPTS 64

/*
 * The long options a verb names in its usage and help text, and the
 * common ones, into words (NOPTS, each of 32 bytes); their number.
 */
static size_t
verb_options(const struct cmd *c, char words[][32])
{
	const char *texts[] = {c->text->usage, c->text->help};
	size_t n = 0;

	for (size_t k = 0; k < sizeof(common) / sizeof(common[0]); k++)
		snprintf(words[n++], 32, "%s", common[k]);
	for (size_t t = 0; t < 2; t++) {
		const char *p = texts[t];

		while (p != NULL && (p = strstr(p, "--")) != NULL) {
			size_t len = 2;

			while ((p[len] >= 'a' && p[len] <= 'z') ||
			    (p[len] >= '0' && p[len] <= '9') ||
			    (p[len] == '-' && len > 2))
				len++;
			if (len > 2 && len < 32 && n < NOPTS) {
				bool seen = false;

				for (size_t i = 0; i < n && !seen; i++)
					seen = strncmp(words[i], p, len) == 0 &&
					    words[i][len] == '\0';
				if (!seen)
					snprintf(words[n++], 32, "%.*s",
					    (int)len, p);
			}
			p += len;
		}
	}
	return n;
}

int
cli_bad_option(const struct cmd *c, char **argv)
{
	char words[NOPTS][32], name[64];
	const char *list[NOPTS], *arg = optind > 0 ? argv[optind - 1] : "";
	const char *near;
	size_t n, len;
	bool known = false;

	if (strncmp(arg, "--", 2) != 0) {
		if (optopt != 0)
			return cli_fail(EX_USAGE,
			    "unknown option -%c, or it needs a value; see "
			    "claim %s --help",
			    optopt, c->name);
		return cli_fail(EX_USAGE,
		    "unknown option \"%s\"; see "
		    "claim %s --help",
		    arg, c->name);
	}
	len = strcspn(arg, "=");
	snprintf(name, sizeof(name), "%.*s", (int)len, arg);
	n = verb_options(c, words);
	for (size_t i = 0; i < n; i++) {
		list[i] = words[i];
		known = known || strcmp(words[i], name) == 0;
	}
	if (known && arg[len] == '=')
		return cli_fail(EX_USAGE,
		    "%s takes no value; see claim %s "
		    "--help",
		    name, c->name);
	if (known)
		return cli_fail(EX_USAGE,
		    "%s needs a value; see claim %s "
		    "--help",
		    name, c->name);
	if ((near = cli_nearest(name, list, n)) != NULL)
		return cli_fail(EX_USAGE,
		    "unknown option %s; did you mean %s? See claim %s --help",
		    name, near, c->name);
	return cli_fail(
	    EX_USAGE, "unknown option %s; see claim %s --help", name, c->name);
}

void
cli_help(const struct cmd *c, FILE *f)
{
	fprintf(
	    f, "usage: claim %s\n\n%s.\n", c->text->usage, c->text->summary);
	if (c->text->help != NULL && c->text->help[0] != '\0')
		fprintf(f, "\n%s", c->text->help);
	fprintf(f,
	    "\nCommon options: --server EP (CLAIM_SERVER), --key FILE "
	    "(CLAIM_KEY),\n--json, --timeout MS (CLAIM_TIMEOUT).\n");
}

int
cli_usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(exit_name(EX_USAGE), fmt, ap);
	va_end(ap);
	if (!json_diag)
		fprintf(stderr, "usage: claim %s\n", c->text->usage);
	return EX_USAGE;
}

int
cli_exit_for(int err, bool write)
{
	switch (err) {
	case PROTO_OK:
		return EX_DONE;
	case PROTO_EUNREACHABLE:
	case PROTO_ESHUTDOWN:
	case PROTO_EDAMAGED: /* claimd serves nothing until restored */
		return EX_UNREACHABLE;
	case PROTO_EUNAUTHORIZED:
		return EX_REFUSED;
	case PROTO_ENOTFOUND:
	case PROTO_ESIGNATURE:
	case PROTO_EPROOF:
		return write ? EX_REFUSED : EX_NOTFOUND;
	case PROTO_EAMBIGUOUS:
	case PROTO_EINVAL:
	case PROTO_EJSON:
	case PROTO_EKEY:
		return write ? EX_REFUSED : EX_USAGE;
	default:
		return write ? EX_REFUSED : EX_NOTFOUND;
	}
}

/* The CurveZMQ settings from --server-key and --curve-key. */
static int
curve_settings(struct cli *cli, struct claim_curve *cv)
{
	char err[256], *text;
	size_t len;
	int rc;

	if (cli->curve_key == NULL)
		return cli_fail(EX_USAGE,
		    "--server-key needs this client's "
		    "--curve-key FILE (claim keygen "
		    "--curve)");
	if (!proto_z85_key_valid(cli->server_key, strlen(cli->server_key)))
		return cli_fail(EX_USAGE,
		    "--server-key takes the server's "
		    "CurveZMQ public key (40 Z85 "
		    "characters)");
	snprintf(cv->server, sizeof(cv->server), "%s", cli->server_key);
	if ((text = cli_read_input(cli->curve_key, &len, err, sizeof(err))) ==
	    NULL)
		return cli_fail(EX_USAGE, "%s", err);
	rc = proto_curve_key_parse(
	    text, len, cv->public_key, cv->secret, err, sizeof(err));
	sodium_memzero(text, len);
	free(text);
	if (rc != PROTO_OK)
		return cli_fail(EX_USAGE, "%s: %s", cli->curve_key, err);
	return EX_DONE;
}

int
cli_connect(struct cli *cli)
{
	struct claim_curve cv;
	char err[256];
	int rc;

	if (cli->client != NULL)
		return EX_DONE;
	if (cli->server_key != NULL &&
	    (rc = curve_settings(cli, &cv)) != EX_DONE)
		return rc;
	rc = claim_client_open(cli->server, cli->timeout,
	    cli->server_key ? &cv : NULL, &cli->client, err, sizeof(err));
	sodium_memzero(&cv, sizeof(cv));
	if (rc != PROTO_OK)
		return cli_fail(EX_USAGE, "%s", err);
	return EX_DONE;
}

/*
 * A key file as an editor may have saved it, CRLF line ends or no final
 * newline, made the text the parsers read: LF ends, the last line ended.
 * text has room for one more byte; returns the new length.
 */
static size_t
key_text_normal(char *text, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		if (!(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n'))
			text[o++] = text[i];
	if (o > 0 && text[o - 1] != '\n')
		text[o++] = '\n';
	text[o] = '\0';
	return o;
}

int
cli_load_key(struct cli *cli)
{
	char err[256], *text = NULL;
	struct stat st;
	ssize_t n;
	int fd, rc = EX_USAGE;

	if (cli->sk != NULL)
		return EX_DONE;
	if (cli->keyfile == NULL)
		return cli_fail(EX_USAGE,
		    "this command signs: give --key FILE or set CLAIM_KEY");
	if ((fd = open(cli->keyfile, O_RDONLY | O_CLOEXEC)) < 0)
		return cli_fail(EX_USAGE, "cannot open key file %s: %s",
		    cli->keyfile, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = cli_fail(EX_USAGE, "key file %s is not a regular file",
		    cli->keyfile);
		goto cleanup;
	}
	if (st.st_mode & 077) {
		rc = cli_fail(EX_USAGE,
		    "key file %s can be read by others (mode %04o); "
		    "chmod 600 %s",
		    cli->keyfile, (unsigned)(st.st_mode & 07777), cli->keyfile);
		goto cleanup;
	}
	if (st.st_size > 4096) {
		rc = cli_fail(
		    EX_USAGE, "key file %s is too large", cli->keyfile);
		goto cleanup;
	}
	/* Room for a final newline the file may lack. */
	if ((text = sodium_malloc((size_t)st.st_size + 2)) == NULL ||
	    (cli->sk = sodium_malloc(PROTO_SECKEY_LEN)) == NULL) {
		rc = cli_fail(EX_USAGE, "out of memory");
		goto cleanup;
	}
	if ((n = read(fd, text, (size_t)st.st_size)) != st.st_size) {
		rc =
		    cli_fail(EX_USAGE, "cannot read key file %s", cli->keyfile);
		goto cleanup;
	}
	n = (ssize_t)key_text_normal(text, (size_t)n);
	if (proto_key_sealed(text, (size_t)n)) {
		char *pass = cli_passphrase(cli, cli->keyfile, false);

		if (pass == NULL)
			goto cleanup;
		rc = proto_key_parse_sealed(text, (size_t)n, pass, strlen(pass),
		    cli->sk, err, sizeof(err));
		sodium_free(pass);
		if (rc != PROTO_OK) {
			rc = cli_fail(
			    EX_USAGE, "key file %s: %s", cli->keyfile, err);
			goto cleanup;
		}
	} else if (proto_key_parse(text, (size_t)n, cli->sk, err,
		       sizeof(err)) != PROTO_OK) {
		rc = cli_fail(EX_USAGE, "key file %s: %s", cli->keyfile, err);
		goto cleanup;
	}
	rc = EX_DONE;
cleanup:
	if (text != NULL)
		sodium_free(text); /* wipes */
	if (rc != EX_DONE && cli->sk != NULL) {
		sodium_free(cli->sk);
		cli->sk = NULL;
	}
	close(fd);
	return rc;
}

/* Reads one line from the terminal without echo into buf. */
static bool
read_tty(const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	bool ok = false;
	size_t n;

	if (tty == NULL)
		return false;
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		fputs(prompt, tty);
		fflush(tty);
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
		if (fgets(buf, (int)cap, tty) != NULL) {
			n = strcspn(buf, "\r\n");
			buf[n] = '\0';
			ok = true;
		}
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	return ok;
}

#define PASS_MAX 1024

char *
cli_passphrase(struct cli *cli, const char *what, bool confirm)
{
	char *pass = sodium_malloc(PASS_MAX), *again = NULL, prompt[600];

	if (pass == NULL)
		return NULL;
	if (cli->passfile != NULL) {
		FILE *f = fopen(cli->passfile, "r");
		struct stat st;

		if (f != NULL && fstat(fileno(f), &st) == 0 &&
		    (st.st_mode & 077) != 0) {
			cli_fail(EX_USAGE,
			    "passphrase file %s can be read by others (mode "
			    "%04o); chmod 600 %s",
			    cli->passfile, (unsigned)(st.st_mode & 07777),
			    cli->passfile);
			fclose(f);
			sodium_free(pass);
			return NULL;
		}
		if (f == NULL || fgets(pass, PASS_MAX, f) == NULL) {
			cli_fail(EX_USAGE, "cannot read a passphrase from %s",
			    cli->passfile);
			if (f != NULL)
				fclose(f);
			sodium_free(pass);
			return NULL;
		}
		fclose(f);
		pass[strcspn(pass, "\r\n")] = '\0';
		return pass;
	}
	snprintf(prompt, sizeof(prompt), "passphrase for %s: ", what);
	if (!read_tty(prompt, pass, PASS_MAX)) {
		cli_fail(EX_USAGE,
		    "%s is protected by a passphrase: give "
		    "--passphrase-file FILE, or run on a "
		    "terminal",
		    what);
		sodium_free(pass);
		return NULL;
	}
	if (confirm) {
		if ((again = sodium_malloc(PASS_MAX)) == NULL ||
		    !read_tty("again: ", again, PASS_MAX) ||
		    strcmp(again, pass) != 0) {
			cli_fail(EX_USAGE, "the passphrases differ");
			if (again != NULL)
				sodium_free(again);
			sodium_free(pass);
			return NULL;
		}
		sodium_free(again);
	}
	return pass;
}

bool
cli_is_dir(FILE *f)
{
	struct stat st;

	return fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode);
}

int
cli_open_input(const char *path, FILE **out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

	*out = NULL;
	if (f == NULL)
		return cli_fail(
		    EX_USAGE, "cannot open %s: %s", path, strerror(errno));
	if (cli_is_dir(f)) {
		fclose(f);
		return cli_fail(EX_USAGE, "%s is a directory", path);
	}
	*out = f;
	return EX_DONE;
}

void
cli_close_input(FILE *f)
{
	if (f != NULL && f != stdin)
		fclose(f);
}

char *
cli_read_input(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, r;

	if (f == NULL) {
		proto_fail(err, errlen, PROTO_EIO, "cannot open %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (cli_is_dir(f)) {
		proto_fail(err, errlen, PROTO_EIO, "%s is a directory", path);
		goto done;
	}
	do {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 262144;
			if ((p = realloc(buf, cap)) == NULL) {
				free(buf);
				buf = NULL;
				proto_fail(err, errlen, PROTO_ENOMEM,
				    "out of memory reading %s", path);
				goto done;
			}
			buf = p;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
		proto_fail(err, errlen, PROTO_EIO, "cannot read %s", path);
		goto done;
	}
	buf[n] = '\0';
	/* A UTF-8 byte order mark, as some editors write: not the text. */
	if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(buf, buf + 3, n - 3 + 1);
		n -= 3;
	}
	*len = n;
done:
	if (f != stdin)
		fclose(f);
	return buf;
}

const char *
cli_json_why(const json_error_t *e)
{
	/* jansson names its own flag for a \u0000 escape. */
	if (strstr(e->text, "JSON_ALLOW_NUL") != NULL)
		return "text holds a NUL character (\\u0000)";
	return e->text;
}

bool
cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

void
cli_put_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	if (s != NULL) {
		puts(s);
		free(s);
	}
	json_decref(j);
}

void
cli_print_json(json_t *j)
{
	cli_put_json(j);
	fflush(stdout);
}

/* Set once: the answer does not change while claim runs. */
static size_t columns = (size_t)-1;

size_t
cli_columns(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	uint64_t n;

	if (columns != (size_t)-1)
		return columns;
	if (env != NULL && cli_parse_u64(env, &n) && n > 0 && n < 100000)
		columns = (size_t)n;
	else if (!isatty(STDOUT_FILENO))
		columns = 0;
	else if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		columns = ws.ws_col;
	else
		columns = 80;
	return columns;
}

size_t
cli_room(size_t used)
{
	size_t cols = cli_columns();

	if (cols == 0)
		return 0;
	return cols > used + CLI_ROOM_MIN ? cols - used : CLI_ROOM_MIN;
}

/* A UTF-8 continuation byte: not where a character starts. */
static bool
continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

void
cli_print_cut(FILE *f, const char *s, size_t cols)
{
	size_t len = strcspn(s, "\n"), chars = 0, at = 0;

	if (cols == 0) {
		fprintf(f, "%.*s%s", (int)len, s, s[len] != '\0' ? "..." : "");
		return;
	}
	for (size_t i = 0; i < len; i++)
		chars += !continuation((unsigned char)s[i]);
	if (chars <= cols && len == strlen(s)) {
		fprintf(f, "%.*s", (int)len, s);
		return;
	}
	/* Cut (or a first line of several): room for "..." at the end. */
	cols = cols > 3 ? cols - 3 : 0;
	for (chars = 0; at < len; at++) {
		if (!continuation((unsigned char)s[at]) && chars++ == cols)
			break;
	}
	/* At a word's end when one ends in the last third, and not after
	 * a comma, an opening bracket or a space. */
	if (at < len && s[at] != ' ') {
		size_t w = at;

		while (w > at * 2 / 3 && s[w - 1] != ' ')
			w--;
		if (w > at * 2 / 3)
			at = w;
	}
	while (at > 0 && strchr(" ,;:([{", s[at - 1]) != NULL)
		at--;
	fprintf(f, "%.*s...", (int)at, s);
}

const char *
cli_short(const uint8_t *hash, char out[13])
{
	proto_hex(hash, 6, out);
	return out;
}

static void
set_hex(json_t *o, const char *key, const uint8_t *p, size_t n)
{
	char hex[2 * 64 + 1];

	proto_hex(p, n, hex);
	json_object_set_new(o, key, json_string(hex));
}

json_t *
cli_entry_json(const struct claim_entry *e)
{
	json_t *o = proto_payload_to_json(&e->payload);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "index", json_integer((json_int_t)e->index));
	set_hex(o, "hash", e->hash, PROTO_HASH_LEN);
	set_hex(o, "signer", e->rec.kid, PROTO_PUBKEY_LEN);
	if (e->payload.kind == PROTO_KIND_CLAIM)
		set_hex(o, "claim", e->claim, PROTO_HASH_LEN);
	return o;
}

static void
print_time(const char *label, uint64_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("%-9s %s\n", label, buf);
}

/* Prints text wrapped at 72 columns, each line indented. */
static void
print_wrapped(const char *indent, const char *s)
{
	size_t col = 0, w;

	fputs(indent, stdout);
	while (*s) {
		const char *sp = s;

		while (*sp && *sp != ' ' && *sp != '\n')
			sp++;
		w = (size_t)(sp - s);
		if (col > 0 && col + 1 + w > 72) {
			printf("\n%s", indent);
			col = 0;
		} else if (col > 0) {
			putchar(' ');
			col++;
		}
		fwrite(s, 1, w, stdout);
		col += w;
		s = sp;
		if (*s == '\n') {
			printf("\n%s", indent);
			col = 0;
		}
		if (*s)
			s++;
	}
	putchar('\n');
}

char *
cli_owner_text(const struct proto_registry *r)
{
	size_t n = sizeof("withdrawn: no publishers");
	char *s;

	for (size_t i = 0; i < r->npublishers; i++)
		n += strlen(r->publishers[i]) + 2;
	if ((s = malloc(n + sizeof("publishers "))) == NULL)
		return NULL;
	if (r->npublishers == 0) {
		strcpy(s, "withdrawn: no publishers");
		return s;
	}
	strcpy(s, r->npublishers == 1 ? "publisher " : "publishers ");
	for (size_t i = 0; i < r->npublishers; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, r->publishers[i]);
	}
	return s;
}

void
cli_print_entry(const struct claim_entry *e, const struct claim_info *info)
{
	const struct proto_payload *p = &e->payload;
	const struct proto_claim *c = &p->claim;
	char hex[65];

	if (p->kind != PROTO_KIND_CLAIM) {
		printf("%-9s %s\n", "record", proto_kind_name(p->kind));
		printf("%-9s %s\n",
		    p->kind == PROTO_KIND_OWNER ? "owner" : "party",
		    p->reg.party);
		if (p->kind == PROTO_KIND_OWNER) {
			for (size_t i = 0; i < p->reg.npublishers; i++)
				printf("%-9s %s\n", "publisher",
				    p->reg.publishers[i]);
			if (p->reg.npublishers == 0)
				printf("%-9s %s\n", "withdrawn",
				    "no publishers: each counts on its own");
		} else if (p->kind == PROTO_KIND_PARTY)
			printf("%-9s %s\n", "name", p->reg.name);
		else {
			proto_hex(p->reg.key, PROTO_PUBKEY_LEN, hex);
			printf("%-9s %s\n", "key", hex);
		}
		printf("%-9s %llu\n", "index", (unsigned long long)e->index);
		proto_hex(e->hash, PROTO_HASH_LEN, hex);
		printf("%-9s %s\n", "hash", hex);
		print_time("signed", p->time);
		return;
	}
	proto_hex(e->claim, PROTO_HASH_LEN, hex);
	printf("%-9s %s\n", "claim", hex);
	if (info != NULL && info->version > 0)
		printf("%-9s %llu of %llu\n", "version",
		    (unsigned long long)c->version,
		    (unsigned long long)info->version);
	else
		printf(
		    "%-9s %llu\n", "version", (unsigned long long)c->version);
	printf("%-9s %s\n", "party", c->party);
	printf("%-9s %s%s\n", "status", proto_status_name(c->status),
	    c->reinstates ? " (reinstated)" : "");
	printf("%-9s", "topics");
	for (size_t i = 0; i < c->ntopics; i++)
		printf("%s %s", i ? "," : "", c->topics[i]);
	putchar('\n');
	if (c->made != NULL)
		printf("%-9s %s\n", "made", c->made);
	printf("%-9s %llu\n", "index", (unsigned long long)e->index);
	proto_hex(e->hash, PROTO_HASH_LEN, hex);
	printf("%-9s %s\n", "hash", hex);
	proto_hex(e->rec.kid, PROTO_PUBKEY_LEN, hex);
	printf("%-9s %s\n", "signer", hex);
	print_time("signed", p->time);
	putchar('\n');
	print_wrapped("    ", c->statement);
	/* Marked: nothing shows where the party said it. */
	if (c->nsources == 0)
		printf("\nno sources\n");
	else
		printf("\nsources\n");
	for (size_t i = 0; i < c->nsources; i++) {
		const struct proto_source *s = &c->sources[i];

		printf("  [%zu] %s, \"%s\"%s%s%s\n", i, s->publisher, s->title,
		    s->published ? " (" : "", s->published ? s->published : "",
		    s->published ? ")" : "");
		if (s->url != NULL)
			printf("      %s\n", s->url);
		if (s->quote != NULL) {
			printf("      quote:\n");
			print_wrapped("        ", s->quote);
		}
		if (s->has_sha256) {
			proto_hex(s->sha256, PROTO_HASH_LEN, hex);
			printf("      sha256 %s\n", hex);
		}
		if (s->has_derivation)
			printf(
			    "      %s [%u]\n", proto_how_name(s->how), s->from);
	}
	if (c->nrelations > 0)
		printf("\nrelations\n");
	for (size_t i = 0; i < c->nrelations; i++) {
		char rating[PROTO_RATING_TEXT_MAX + 3 * PROTO_DECIMAL_MAX + 64];

		proto_hex(c->relations[i].claim, PROTO_HASH_LEN, hex);
		printf("  %-8s %s\n", proto_rel_name(c->relations[i].rel), hex);
		if (c->relations[i].rating != NULL)
			printf("           rated %s\n",
			    cli_rating_str(c->relations[i].rating, rating,
				sizeof(rating)));
	}
	if (c->note != NULL) {
		printf("\nnote\n");
		print_wrapped("    ", c->note);
	}
}

char *
cli_rating_str(const struct proto_rating *g, char *out, size_t outlen)
{
	size_t n;

	snprintf(out, outlen, "\"%s\"", g->text);
	n = strlen(out);
	if (g->value == NULL && g->best == NULL && g->worst == NULL)
		return out;
	snprintf(out + n, outlen - n, " (%s%s%s%s%s)",
	    g->value ? g->value : "no value", g->worst ? ", worst " : "",
	    g->worst ? g->worst : "", g->best ? ", best " : "",
	    g->best ? g->best : "");
	return out;
}

int
cli_sign(struct cli *cli, struct proto_payload *p, struct proto_buf *out)
{
	char err[256];
	int rc;

	if ((rc = cli_load_key(cli)) != EX_DONE)
		return rc;
	if ((rc = proto_payload_sign(p, cli->sk, out, err, sizeof(err))) !=
	    PROTO_OK)
		return cli_fail(EX_USAGE, "%s: %s", proto_strerror(rc), err);
	return EX_DONE;
}

int
cli_request(
    struct cli *cli, int op, const void *q, void *rep, struct claim_reply *r)
{
	char err[256];
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	rc = claim_call(cli->client, op, q, rep, r, err, sizeof(err));
	if (rc != PROTO_OK) {
		claim_reply_release(r);
		return cli_fail_err(rc, false, "%s", err);
	}
	return EX_DONE;
}

int
cli_submit_one(
    struct cli *cli, const struct proto_buf *rec, struct claim_ack *ack)
{
	struct claim_reply r;
	char hx[13], err[256];
	int rc;

	if ((rc = cli_connect(cli)) != EX_DONE)
		return rc;
	/* Identical bytes are idempotent: a lost reply is safely asked
	 * for again. */
	for (int attempt = 0; attempt < 3; attempt++) {
		rc = claim_request(cli->client, PROTO_OP_SUBMIT, 0, rec->data,
		    rec->len, &r, err, sizeof(err));
		if (rc != PROTO_EUNREACHABLE)
			break;
	}
	if (r.status == PROTO_OK &&
	    (rc == PROTO_EUNREACHABLE || rc == PROTO_EUNAUTHORIZED))
		return cli_fail_err(rc, false, "%s", err);
	if (rc != PROTO_OK && r.status == PROTO_OK)
		return cli_fail(EX_UNREACHABLE, "bad reply from claimd: %s",
		    proto_strerror(rc));
	if (rc != PROTO_OK) {
		if (r.has_head)
			rc = cli_fail_err(r.status, true,
			    "refused: %s: %s (head %s, version %llu)",
			    proto_errname(r.status), r.message,
			    cli_short(r.head, hx),
			    (unsigned long long)r.head_version);
		else
			rc = cli_fail_err(r.status, true, "refused: %s: %s",
			    proto_errname(r.status), r.message);
		claim_reply_release(&r);
		return rc;
	}
	rc = claim_ack_parse(&r, ack);
	claim_reply_release(&r);
	if (rc != PROTO_OK)
		return cli_fail(EX_UNREACHABLE,
		    "bad acknowledgement from "
		    "claimd");
	return EX_DONE;
}

void
cli_print_ack(const struct cli *cli, const struct claim_ack *a, long line,
    const char *ref, const char *warning)
{
	char claim[65], hash[65];

	proto_hex(a->claim, PROTO_HASH_LEN, claim);
	proto_hex(a->hash, PROTO_HASH_LEN, hash);
	if (cli->json) {
		json_t *o = json_object();

		if (a->is_claim) {
			json_object_set_new(o, "claim", json_string(claim));
			json_object_set_new(
			    o, "version", json_integer((json_int_t)a->version));
		}
		json_object_set_new(o, "hash", json_string(hash));
		json_object_set_new(
		    o, "index", json_integer((json_int_t)a->index));
		json_object_set_new(o, "existed", json_boolean(a->existed));
		if (line > 0)
			json_object_set_new(o, "line", json_integer(line));
		if (ref != NULL)
			json_object_set_new(o, "ref", json_string(ref));
		if (warning != NULL)
			json_object_set_new(o, "warning", json_string(warning));
		cli_put_json(o);
		return;
	}
	if (a->is_claim)
		printf("claim %s v%llu index %llu hash %s%s\n", claim,
		    (unsigned long long)a->version,
		    (unsigned long long)a->index, hash,
		    a->existed ? " (already there)" : "");
	else
		printf("index %llu hash %s%s\n", (unsigned long long)a->index,
		    hash, a->existed ? " (already there)" : "");
}

void
cli_html_esc(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
}

const char *
cli_cites(long long cited, long long n_primary, char out[CLI_CITES_MAX])
{
	const char *src =
	    cli_noun((unsigned long long)cited, "source", "sources");

	if (n_primary > cited)
		snprintf(out, CLI_CITES_MAX,
		    "cites %lld %s, resting on %lld independent primary %s",
		    cited, src, n_primary,
		    cli_noun(
			(unsigned long long)n_primary, "source", "sources"));
	else
		snprintf(out, CLI_CITES_MAX, "cites %lld %s, %lld independent",
		    cited, src, n_primary);
	return out;
}
