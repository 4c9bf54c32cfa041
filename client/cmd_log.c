/*
 * cmd_log.c: claim log [--since DATE] [--party P]... [--topic T]... [-n N]
 * [--no-pager]
 *
 * Every change across all claims, newest first, as git log shows commits:
 * submissions, revisions, retractions, reinstatements and the registry's
 * records. Built from range requests alone: the log is read backwards
 * from its head in windows of indexes, each window forwards (a range
 * reply may stop early at its byte limit: the rest of the window is asked
 * for again), then printed from its end.
 *
 * Newest first means log order, the order claimd stored the changes in;
 * the time shown is the record's signing time, which the signer's clock
 * gave. The two mostly agree but need not: a record may be signed well
 * before it is submitted (a prepared batch, submit --records replaying an
 * export), and claimd admits times up to a day ahead of its own clock. So
 * --since filters by signing time over the whole log and does not stop at
 * the first older record, which would miss a newer one stored before it;
 * only -n stops the reading early.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Indexes read at once: small first, for -n, then as much as a range. */
#define WINDOW_FIRST 256
#define WINDOW_MAX   4096

/*
 * DATE as unix seconds, UTC: YYYY-MM-DD, or with THH:MM or THH:MM:SS
 * (a space for the T, and a Z at the end, are allowed). False if not one.
 */
static bool
parse_since(const char *s, uint64_t *out)
{
	struct tm tm, back;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	const char *p;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return false;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return false;
		p += 1 + n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return false;
			p += 1 + n;
		}
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0' || h > 23 || mi > 59 || sec > 59)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	back = tm;
	if ((t = timegm(&tm)) == (time_t)-1 || t < 0)
		return false;
	/* 2026-02-30 is not a day: timegm() would make it March 2nd. */
	if (tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon)
		return false;
	*out = (uint64_t)t;
	return true;
}

/* What a record did: submit, revise, retract, reinstate, or its kind. */
static const char *
change_of(const struct claim_entry *e)
{
	const struct proto_payload *p = &e->payload;

	if (p->kind != PROTO_KIND_CLAIM)
		return proto_kind_name(p->kind);
	if (p->claim.version == 1)
		return "submit";
	if (p->claim.status == PROTO_STATUS_RETRACTED)
		return "retract";
	return p->claim.reinstates ? "reinstate" : "revise";
}

/* Columns left for the text after used ones: at least 10 here, the
 * line being long already; none when output is not cut. */
static size_t
room(size_t used)
{
	size_t cols = cli_columns();

	if (cols == 0)
		return 0;
	return cols > used + 10 ? cols - used : 10;
}

/*
 * INDEX  DATE TIME  CHANGE  PARTY  ID vN  TEXT, fitted to the width: the
 * time is the signing time in UTC, to the minute; TEXT the statement of
 * a submission, the note (or reason) of a later version, a party's name,
 * a key.
 */
static void
print_change(const struct claim_entry *e)
{
	const struct proto_payload *p = &e->payload;
	char when[32], hx[13];
	time_t t = (time_t)p->time;
	struct tm tm;
	int used;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	used = printf("%-6llu %s  %-9s %-14s ", (unsigned long long)e->index,
	    when, change_of(e),
	    p->kind == PROTO_KIND_CLAIM ? p->claim.party : p->reg.party);
	if (used < 0)
		used = 0;
	if (p->kind == PROTO_KIND_CLAIM) {
		const char *text = p->claim.statement, *label = "";
		int more = printf("%s v%-2llu ", cli_short(e->claim, hx),
		    (unsigned long long)p->claim.version);

		/* A later version is there for a reason: its note says it. */
		if (p->claim.version > 1 && p->claim.note != NULL) {
			text = p->claim.note;
			label = p->claim.status == PROTO_STATUS_RETRACTED
			    ? "reason: "
			    : "note: ";
		}
		used += (more > 0 ? more : 0) + (int)strlen(label);
		fputs(label, stdout);
		cli_print_cut(stdout, text, room((size_t)used));
	} else if (p->kind == PROTO_KIND_PARTY)
		cli_print_cut(stdout, p->reg.name, room((size_t)used));
	else if (p->kind == PROTO_KIND_OWNER) {
		char *text = cli_owner_text(&p->reg);

		cli_print_cut(stdout, text != NULL ? text : "publishers",
		    room((size_t)used));
		free(text);
	} else
		printf("key %s", cli_short(p->reg.key, hx));
	putchar('\n');
}

/*
 * The pager, as git does it: only when standard output is a terminal,
 * $PAGER or else less -FRX (which quits at once when all fits on the
 * screen); PAGER empty or "cat" means none. Returns its process, or -1.
 */
static bool
on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	while (path != NULL && *path != '\0') {
		size_t n = strcspn(path, ":");

		snprintf(
		    buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", prog);
		if (access(buf, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

static pid_t
pager_start(void)
{
	const char *pager = getenv("PAGER");
	int fd[2];
	pid_t pid;

	if (!isatty(STDOUT_FILENO))
		return -1;
	if (pager == NULL) {
		if (!on_path("less"))
			return -1;
		pager = "less -FRX";
	}
	if (pager[0] == '\0' || strcmp(pager, "cat") == 0 || pipe(fd) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[0], STDIN_FILENO);
		close(fd[0]);
		close(fd[1]);
		setenv("LESS", "FRX", 0);
		execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
		_exit(127);
	}
	dup2(fd[1], STDOUT_FILENO);
	close(fd[0]);
	close(fd[1]);
	/* The reader quitting early ends the listing, quietly. */
	signal(SIGPIPE, SIG_IGN);
	return pid;
}

static void
pager_end(pid_t pid)
{
	if (pid < 0)
		return;
	fflush(stdout);
	close(STDOUT_FILENO);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The entries of [lo, hi) that match, in log order, appended to *out. */
static int
read_window(struct cli *cli, uint64_t lo, uint64_t hi,
    const struct claim_filter *flt, struct claim_entry **out, size_t *n)
{
	/* One party or topic: claimd filters; several: filtered here. */
	const char *party = flt->np == 1 ? flt->parties[0] : NULL;
	const char *topic = flt->nt == 1 ? flt->topics[0] : NULL;
	uint64_t from = lo;
	size_t cap = 0;
	char err[256];

	*out = NULL;
	*n = 0;
	while (from < hi) {
		struct claim_entry *e;
		uint64_t next, size;
		size_t got;
		int rc;

		if ((rc = claim_range(cli->client, from, hi - from, party,
			 topic, &e, &got, &next, &size, err, sizeof(err))) !=
		    PROTO_OK)
			return cli_fail_err(rc, false, "%s", err);
		if (next <= from || next > hi) {
			claim_entries_free(e, got);
			return cli_fail(EX_UNREACHABLE,
			    "bad range reply from claimd: from %llu, next "
			    "%llu",
			    (unsigned long long)from, (unsigned long long)next);
		}
		for (size_t i = 0; i < got; i++) {
			if (!claim_filter_matches(flt, &e[i])) {
				claim_entry_release(&e[i]);
				continue;
			}
			if (*n == cap) {
				size_t c2 = cap ? cap * 2 : 256;
				struct claim_entry *p =
				    realloc(*out, c2 * sizeof(*p));

				if (p == NULL) {
					for (size_t k = i; k < got; k++)
						claim_entry_release(&e[k]);
					free(e);
					return cli_fail(
					    EX_UNREACHABLE, "out of memory");
				}
				*out = p;
				cap = c2;
			}
			(*out)[(*n)++] = e[i];
		}
		free(e);
		from = next;
	}
	return EX_DONE;
}

/* claim log --help, and the line of claim --help. */
const struct cmd_text cmd_log_usage = {
    "log [--since DATE] [--party P]... [--topic T]... [-n N] "
    "[--no-pager]",
    "Every change across all claims, newest first: submissions, "
    "revisions, retractions, reinstatements and registry records",
    "  --since DATE  only changes signed at or after DATE (UTC): "
    "2026-11-23,\n"
    "                2026-11-23T14:05 or 2026-11-23T14:05:09Z\n"
    "  --party P     only changes of party P; repeated: of any of them\n"
    "  --topic T     only claims with topic T; repeated: any of them\n"
    "                (registry records have no topic)\n"
    "  -n, --count N at most N changes (the newest)\n"
    "  --no-pager    never page (default: through $PAGER, or less -FRX,\n"
    "                when standard output is a terminal)\n"
    "One line a change: log index, signing time (UTC), what it did\n"
    "(submit, revise, retract, reinstate, party, grant, revoke), party,\n"
    "version and claim id, then the statement of a submission or the\n"
    "note of a later version. With --json, show --json's object with\n"
    "\"change\" added, one a line. A party or topic claimd does not hold\n"
    "is exit 1.\n",
};

int
cmd_log(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"party", required_argument, NULL, 'p'},
	    {"topic", required_argument, NULL, 't'},
	    {"count", required_argument, NULL, 'n'},
	    {"no-pager", no_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("log");
	const char **parties = calloc((size_t)argc + 1, sizeof(char *));
	const char **topics = calloc((size_t)argc + 1, sizeof(char *));
	struct claim_filter flt = {parties, 0, topics, 0};
	uint64_t since = 0, limit = 0, shown = 0, hi, next;
	uint64_t window = WINDOW_FIRST;
	struct claim_entry *e = NULL;
	bool paging = true, done = false;
	pid_t pager = -1;
	char err[256];
	size_t n;
	int c, rc;

	if (parties == NULL || topics == NULL) {
		rc = cli_fail(EX_USAGE, "out of memory");
		goto out;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:p:t:n:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!parse_since(optarg, &since)) {
				rc = cli_usage_error(me,
				    "--since takes a date, YYYY-MM-DD, or a "
				    "time, YYYY-MM-DDTHH:MM[:SS] (UTC), not "
				    "\"%s\"",
				    optarg);
				goto out;
			}
			break;
		case 'p':
			parties[flt.np++] = optarg;
			break;
		case 't':
			topics[flt.nt++] = optarg;
			break;
		case 'n':
			if (!cli_parse_u64(optarg, &limit) || limit == 0) {
				rc = cli_usage_error(
				    me, "-n takes a number from 1");
				goto out;
			}
			break;
		case 'P':
			paging = false;
			break;
		default:
			rc = cli_bad_option(me, argv);
			goto out;
		}
	}
	if (optind != argc) {
		rc = cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
		goto out;
	}
	if ((rc = cli_connect(cli)) != EX_DONE ||
	    (rc = cli_names_known(
		 cli, parties, flt.np, topics, flt.nt, true)) != EX_DONE)
		goto out;
	/* The head: a range of nothing says the log's size. */
	if ((rc = claim_range(cli->client, 0, 0, NULL, NULL, &e, &n, &next, &hi,
		 err, sizeof(err))) != PROTO_OK) {
		rc = cli_fail_err(rc, false, "%s", err);
		goto out;
	}
	claim_entries_free(e, n);
	/* The width is the terminal's, decided before a pager takes it. */
	(void)cli_columns();
	if (paging)
		pager = pager_start();
	while (hi > 0 && !done) {
		uint64_t lo = hi > window ? hi - window : 0;

		if ((rc = read_window(cli, lo, hi, &flt, &e, &n)) != EX_DONE)
			break;
		for (size_t i = n; i-- > 0 && !done;) {
			if (e[i].payload.time < since)
				continue;
			if (cli->json) {
				json_t *j = cli_entry_json(&e[i]);

				if (j != NULL) {
					json_object_set_new(j, "change",
					    json_string(change_of(&e[i])));
					cli_put_json(j);
				}
			} else
				print_change(&e[i]);
			shown++;
			done = (limit > 0 && shown >= limit) || ferror(stdout);
		}
		claim_entries_free(e, n);
		hi = lo;
		if (window < WINDOW_MAX)
			window *= 2;
	}
	fflush(stdout);
	pager_end(pager);
	if (rc == EX_DONE && shown == 0 && !cli->json)
		cli_warn("no changes");
out:
	free(parties);
	free(topics);
	return rc;
}
