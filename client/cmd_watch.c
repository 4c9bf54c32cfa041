/*
 * cmd_watch.c: claim watch [--party P]... [--topic T]... [--from INDEX]
 * [--wait] [-v]
 *
 * Every matching entry exactly once, in log order, across daemon restarts
 * and slow terminals; libclaim's feed does the bookkeeping. With -v, the
 * events the live feed lost and libclaim fetched by range instead are
 * reported on stderr whenever the watcher has caught up, and at the end.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* With -v: what the feed lost since the last report, if anything. */
static void
report_missed(const struct claim_feed *f, uint64_t *reported)
{
	uint64_t n = claim_feed_missed(f);

	if (n == *reported)
		return;
	/* Text, --json or not: the report --verbose documents. */
	fprintf(stderr,
	    "claim: fetched %llu missed %s by range (%llu in all)\n",
	    (unsigned long long)(n - *reported),
	    cli_noun(n - *reported, "event", "events"), (unsigned long long)n);
	*reported = n;
}

static void
print_entry(const struct claim_entry *e)
{
	const struct proto_payload *p = &e->payload;
	char hx[13];

	if (p->kind == PROTO_KIND_CLAIM) {
		int used = printf("%-7llu %-7s %-20s v%-3llu %s  ",
		    (unsigned long long)e->index,
		    p->claim.status == PROTO_STATUS_RETRACTED ? "retract"
							      : "claim",
		    p->claim.party, (unsigned long long)p->claim.version,
		    cli_short(e->claim, hx));

		cli_print_cut(stdout, p->claim.statement,
		    cli_room((size_t)(used > 0 ? used : 0)));
		putchar('\n');
	} else if (p->kind == PROTO_KIND_PARTY) {
		printf("%-7llu %-7s %-20s %s\n", (unsigned long long)e->index,
		    "party", p->reg.party, p->reg.name);
	} else if (p->kind == PROTO_KIND_OWNER) {
		char *text = cli_owner_text(&p->reg);
		int used = printf("%-7llu %-7s %-20s ",
		    (unsigned long long)e->index, "owner", p->reg.party);

		cli_print_cut(stdout, text != NULL ? text : "publishers",
		    cli_room((size_t)(used > 0 ? used : 0)));
		putchar('\n');
		free(text);
	} else {
		printf("%-7llu %-7s %-20s key %s\n",
		    (unsigned long long)e->index, proto_kind_name(p->kind),
		    p->reg.party, cli_short(p->reg.key, hx));
	}
}

/* claim watch --help, and the line of claim --help. */
const struct cmd_text cmd_watch_usage = {
    "watch [--party P]... [--topic T]... [--from INDEX [--wait]]",
    "Follow the log: every entry exactly once, in order, also across "
    "restarts",
    "  --party P     only entries of party P; repeated: of any of them\n"
    "  --topic T     only claims with topic T; repeated: with any of "
    "them\n"
    "                (--party and --topic together: both must hold;\n"
    "                one claimd does not hold yet: a warning, and waited\n"
    "                for)\n"
    "  --from INDEX  start at log index INDEX (default: new entries "
    "only);\n"
    "                past the log's end: exit 1 saying how far\n"
    "  --wait        with --from past the end: wait for INDEX instead\n"
    "  --count N     stop after N entries\n"
    "  --verify      check each entry's signature\n"
    "  -v, --verbose report on stderr the events the live feed lost\n"
    "                (claimd's --feed-hwm) and that were fetched by\n"
    "                range instead: \"claim: fetched N missed events by\n"
    "                range (M in all)\", and a count at the end\n",
};

int
cmd_watch(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"party", required_argument, NULL, 'p'},
	    {"topic", required_argument, NULL, 't'},
	    {"from", required_argument, NULL, 'f'},
	    {"count", required_argument, NULL, 'n'},
	    {"verify", no_argument, NULL, 'V'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"wait", no_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("watch");
	/* Each at most argc times: "any of" the values given. */
	const char **parties = calloc((size_t)argc + 1, sizeof(char *));
	const char **topics = calloc((size_t)argc + 1, sizeof(char *));
	struct claim_filter flt = {NULL, 0, NULL, 0};
	uint64_t from = CLAIM_FEED_NOW, count = 0, seen = 0, reported = 0;
	struct claim_feed *f = NULL;
	struct sigaction sa;
	bool verify = false, warned = false, verbose = false, wait = false;
	char err[256];
	int c, rc;

	if (parties == NULL || topics == NULL) {
		rc = cli_fail(EX_USAGE, "out of memory");
		goto done;
	}
	flt.parties = parties;
	flt.topics = topics;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:t:f:n:Vvw", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			parties[flt.np++] = optarg;
			break;
		case 't':
			topics[flt.nt++] = optarg;
			break;
		case 'f':
			if (!cli_parse_u64(optarg, &from)) {
				rc = cli_usage_error(me,
				    "--from takes a log "
				    "index");
				goto done;
			}
			break;
		case 'n':
			if (!cli_parse_u64(optarg, &count) || count == 0) {
				rc = cli_usage_error(me,
				    "--count takes a "
				    "number from 1");
				goto done;
			}
			break;
		case 'V':
			verify = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'w':
			wait = true;
			break;
		default:
			rc = cli_bad_option(me, argv);
			goto done;
		}
	}
	if (optind != argc) {
		rc = cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
		goto done;
	}
	/* A name claimd does not hold yet is warned of, with the one it
	 * most likely means, and watched for all the same. */
	if ((rc = cli_connect(cli)) != EX_DONE ||
	    (rc = cli_names_known(
		 cli, parties, flt.np, topics, flt.nt, false)) != EX_DONE)
		goto done;
	if ((rc = claim_feed_open_filter(cli->client, cli->feed, from, &flt, &f,
		 err, sizeof(err))) != PROTO_OK) {
		rc = cli_fail_err(rc, false, "%s", err);
		goto done;
	}
	/* An index past the end is most often a typo or another log's
	 * index: said at once, not waited for in silence. --wait waits. */
	if (from != CLAIM_FEED_NOW && from > claim_feed_known(f)) {
		uint64_t size = claim_feed_known(f);

		if (!wait) {
			rc = cli_fail_err(PROTO_ENOTFOUND, false,
			    "the log has %llu %s; --from %llu is %llu past "
			    "its end (--from %llu follows new entries; "
			    "--wait waits for index %llu)",
			    (unsigned long long)size,
			    cli_noun(size, "entry", "entries"),
			    (unsigned long long)from,
			    (unsigned long long)(from - size),
			    (unsigned long long)size, (unsigned long long)from);
			goto done;
		}
		cli_warn("the log has %llu %s; waiting for index %llu, %llu "
			 "past its end",
		    (unsigned long long)size,
		    cli_noun(size, "entry", "entries"),
		    (unsigned long long)from,
		    (unsigned long long)(from - size));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_DFL);
	rc = EX_DONE;
	while (!stop && (count == 0 || seen < count)) {
		struct claim_entry e;
		int r = claim_feed_next(f, 0, &e, err, sizeof(err));

		/* Output goes out whenever the watcher would wait: at once
		 * when following, in large writes when catching up. */
		if (r != PROTO_OK) {
			fflush(stdout);
			if (verbose && r == PROTO_ENOTFOUND)
				report_missed(f, &reported); /* caught up */
			if (r == PROTO_ENOTFOUND)
				r = claim_feed_next(
				    f, 500, &e, err, sizeof(err));
		}
		if (r == PROTO_ENOTFOUND)
			continue;
		if (r == PROTO_EUNREACHABLE) {
			/* Keep going: the daemon may be restarting. */
			if (!warned)
				cli_warn("%s; still trying", err);
			warned = true;
			sleep(1);
			continue;
		}
		if (r != PROTO_OK) {
			rc = cli_fail(EX_NOTFOUND, "%s", err);
			break;
		}
		if (warned) {
			cli_warn("claimd answers again");
			warned = false;
		}
		if (verify && proto_record_verify(&e.rec) != PROTO_OK) {
			claim_entry_release(&e);
			rc = cli_fail(EX_NOTFOUND,
			    "entry %llu: signature does not verify",
			    (unsigned long long)e.index);
			break;
		}
		if (cli->json)
			cli_put_json(cli_entry_json(&e));
		else
			print_entry(&e);
		claim_entry_release(&e);
		seen++;
	}
	fflush(stdout);
	if (verbose)
		fprintf(stderr,
		    "claim: %llu %s; %llu missed %s fetched by range\n",
		    (unsigned long long)seen,
		    cli_noun(seen, "entry", "entries"),
		    (unsigned long long)claim_feed_missed(f),
		    cli_noun(claim_feed_missed(f), "event", "events"));
done:
	claim_feed_close(f);
	free(parties);
	free(topics);
	return rc;
}
