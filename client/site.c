/*
 * site.c: the human face of a published log: plain HTML and CSS pages,
 * no scripts, every text escaped, one readable column that holds from a
 * 360 px phone to a wide screen, with 2 parties or 12.
 *
 *   index.html          topics (claims, parties, disputes, last change),
 *                       parties by full name, the latest changes
 *   topic/<t>.html      every party's account: a timeline, disputes and
 *                       support as pairs of cards, what only one party
 *                       says, sources cited by several parties
 *   claim/<id>.html     every version with its word diff and note, the
 *                       trace of each source, relations both ways, record
 *                       hash, log index, signer, inclusion proof
 *   party/<slug>.html   a party's claims, by topic
 *
 * Each page names the signed state of the log it shows. The narrative,
 * diffs and traces are libclaim's (claim_narrative, claim_diff_versions,
 * claim_trace), not recomputed here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "site.h"
#include "tiles.h"

#define LATEST 20

/* Twelve colours told apart on white, one a party, in registry order. */
static const char *const colours[] = {"#1f5fbf", "#b8361e", "#1b7f3b",
    "#7a3db8", "#a86a00", "#0b7a80", "#b0306e", "#4d5d12", "#5a4636", "#2f3e9e",
    "#8c1c1c", "#006d5b"};
#define NCOLOURS (sizeof(colours) / sizeof(colours[0]))

struct site {
	const char *dir;
	const struct claim_entry *e;
	size_t n;
	const struct site_state *st;
	json_t *parties;  /* slug -> {"name", "colour", "order"} */
	json_t *claims;   /* hex id -> [entry index of each version] */
	json_t *order;    /* hex ids in order of creation */
	json_t *incoming; /* hex id -> [[head index, rel]] relating to it */
	const struct claim_entry **heads;
	size_t nheads;
	uint8_t (*lv[64])[PROTO_HASH_LEN];
	uint64_t written, kept;
	/* Source independence (docs/narratives.md): the graph of every
	 * claim with the owners plugged in, and for each head that cites
	 * something, hex id -> [cited, n_primary]. */
	struct claim_sources *g;
	struct claim_owners *owners;
	json_t *indep;
};

/* A slug as a file name: [a-z0-9-] as is, anything else as _XX. */
static void
fname(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || (c >= 'A' && c <= 'Z'))
			fputc(c, f);
		else
			fprintf(f, "_%02x", c);
	}
}

static const char *
when(uint64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, cap, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

static const char *
party_name(const struct site *s, const char *slug)
{
	const char *n = json_string_value(
	    json_object_get(json_object_get(s->parties, slug), "name"));

	return n ? n : slug;
}

static const char *
party_colour(const struct site *s, const char *slug)
{
	const char *c = json_string_value(
	    json_object_get(json_object_get(s->parties, slug), "colour"));

	return c ? c : "#555";
}

static const struct claim_entry *
head_of(const struct site *s, const char *hex)
{
	json_t *v = json_object_get(s->claims, hex);
	size_t k = json_array_size(v);

	return k ? &s->e[json_integer_value(json_array_get(v, k - 1))] : NULL;
}

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:16px/1.5 Georgia,'Times New Roman',serif;"
    "color:#1a1a1a;background:#fafaf7}"
    "main,.top,.state{max-width:50rem;margin:0 auto;padding:0 1rem}"
    ".top{padding-top:.75rem;font:14px/1.4 system-ui,sans-serif}"
    ".top a{color:#333}"
    "h1{font-size:1.7rem;line-height:1.2;margin:.6rem 0 .4rem}"
    "h2{font:600 1.15rem/1.3 system-ui,sans-serif;margin:2rem 0 .6rem;"
    "border-bottom:1px solid #ddd;padding-bottom:.25rem}"
    "h3{font:600 1rem/1.3 system-ui,sans-serif;margin:1.2rem 0 .4rem}"
    "p,li,td,th,blockquote,a,code,span,h1,h2,h3{overflow-wrap:anywhere}"
    "a{color:#1f4f99}"
    ".state{font:13px/1.5 system-ui,sans-serif;color:#555;"
    "margin-top:.5rem}"
    ".state code{font-size:12px;word-break:break-all}"
    "footer.state{border-top:1px solid #ddd;margin-top:3rem;"
    "padding-bottom:2rem}"
    ".legend{display:flex;flex-wrap:wrap;gap:.4rem;padding:0;"
    "list-style:none}"
    ".legend li{font:14px/1.3 system-ui,sans-serif;border-left:.5rem "
    "solid var(--c);background:#fff;padding:.2rem .5rem;max-width:100%}"
    ".card{background:#fff;border:1px solid #ddd;border-left:.4rem solid "
    "var(--c);border-radius:4px;padding:.6rem .8rem;margin:0 0 .8rem;"
    "min-width:0;max-width:100%}"
    ".card header{font:13px/1.4 system-ui,sans-serif;display:flex;"
    "flex-wrap:wrap;gap:.2rem .6rem;align-items:baseline}"
    ".who{font-weight:700;color:var(--c)}"
    ".when{color:#555}"
    ".tag{font-size:12px;font-weight:700;color:#fff;background:#8c1c1c;"
    "border-radius:3px;padding:0 .35rem}"
    ".tag.nosrc{background:#a86a00}"
    ".stmt{margin:.35rem 0;font-size:1.05rem}"
    ".retracted .stmt{text-decoration:line-through;color:#666}"
    ".why{font:14px/1.4 system-ui,sans-serif;color:#8c1c1c;margin:.2rem 0}"
    ".sources{margin:.4rem 0 0;padding-left:1.1rem;"
    "font:14px/1.45 system-ui,sans-serif}"
    ".sources li{margin:.25rem 0}"
    ".sources a{display:block}"
    ".d{white-space:nowrap}"
    "blockquote{margin:.25rem 0 .25rem .2rem;padding-left:.6rem;"
    "border-left:3px solid #ccc;color:#333;font-style:italic}"
    ".card>footer{font:12px/1.4 system-ui,sans-serif;margin-top:.4rem}"
    ".pair{display:grid;grid-template-columns:minmax(0,1fr) auto "
    "minmax(0,1fr);gap:.5rem;align-items:start;margin-bottom:1rem}"
    ".pair .rel{font:600 12px/1 system-ui,sans-serif;text-transform:"
    "uppercase;color:#8c1c1c;padding-top:1.2rem;text-align:center}"
    ".pair .rel.sup{color:#1b7f3b}"
    "@media (max-width:44rem){.pair{grid-template-columns:minmax(0,1fr)}"
    ".pair .rel{padding:0}}"
    "table{border-collapse:collapse;width:100%;"
    "font:14px/1.4 system-ui,sans-serif}"
    "th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid "
    "#e4e4e4;vertical-align:top}"
    "td.n,th.n{text-align:right}"
    "del{background:#fbe3e0;color:#8c1c1c}"
    "ins{background:#e0f3e4;color:#1b5e2b;text-decoration:none}"
    ".proof{font:12px/1.5 ui-monospace,monospace;word-break:break-all;"
    "padding-left:1.4rem}"
    "dl{font:14px/1.5 system-ui,sans-serif}"
    "dt{font-weight:600}dd{margin:0 0 .4rem;overflow-wrap:anywhere}"
    "dd code{word-break:break-all}"
    "ul.plain{list-style:none;padding:0}"
    "ul.plain li{margin:.3rem 0}";

static void
state_line(FILE *f, const struct site *s, const char *up)
{
	char b64[64], t[40];

	proto_base64(s->st->root, PROTO_HASH_LEN, b64);
	fputs("This page shows the log <code>", f);
	cli_html_esc(f, s->st->origin);
	fprintf(f,
	    "</code> at <strong>%llu</strong> entries, tree root "
	    "<code>%s</code>, newest entry %s, as its ",
	    (unsigned long long)s->st->size, b64,
	    s->st->size ? when(s->st->time, t, sizeof(t)) : "none yet");
	fprintf(f,
	    "<a href=\"%scheckpoint\">signed checkpoint</a> says; "
	    "<code>claim verify --tiles</code> checks it all.",
	    up);
}

static void
page_begin(FILE *f, const struct site *s, const char *up, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n<title>",
	    f);
	cli_html_esc(f, title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
	fprintf(f,
	    "<nav class=\"top\"><a href=\"%sindex.html\">All topics "
	    "and parties</a></nav>\n",
	    up);
	fputs("<p class=\"state\">", f);
	state_line(f, s, up);
	fputs("</p>\n<main>\n", f);
}

static int
page_end(FILE *f, struct site *s, const char *up, char **buf, size_t *len,
    const char *rel)
{
	char err[512];
	bool written;
	int rc;

	fputs("</main>\n<footer class=\"state\"><p>", f);
	state_line(f, s, up);
	fputs("</p></footer>\n</body>\n</html>\n", f);
	if (fclose(f) != 0)
		return cli_fail(EX_USAGE, "out of memory");
	rc = tile_put(
	    s->dir, rel, *buf, *len, false, &written, err, sizeof(err));
	free(*buf);
	*buf = NULL;
	if (rc != PROTO_OK)
		return cli_fail_err(rc, false, "%s", err);
	if (written)
		s->written++;
	else
		s->kept++;
	return EX_DONE;
}

static void
claim_link(FILE *f, const char *up, const uint8_t id[PROTO_HASH_LEN])
{
	char hex[2 * PROTO_HASH_LEN + 1];

	proto_hex(id, PROTO_HASH_LEN, hex);
	fprintf(f, "%sclaim/%s.html", up, hex);
}

static bool
is_http(const char *url)
{
	return url != NULL &&
	    (strncmp(url, "http://", 7) == 0 ||
		strncmp(url, "https://", 8) == 0);
}

static void
source_li(FILE *f, const struct proto_source *src)
{
	fputs("<li>", f);
	cli_html_esc(f, src->publisher);
	fputs(", <cite>", f);
	cli_html_esc(f, src->title);
	fputs("</cite>", f);
	if (src->published != NULL) {
		fputs(", <span class=\"d\">", f);
		cli_html_esc(f, src->published);
		fputs("</span>", f);
	}
	if (src->quote != NULL) {
		fputs("<blockquote>", f);
		cli_html_esc(f, src->quote);
		fputs("</blockquote>", f);
	}
	if (is_http(src->url)) {
		fputs("<a rel=\"nofollow noopener\" href=\"", f);
		cli_html_esc(f, src->url);
		fputs("\">", f);
		cli_html_esc(f, src->url);
		fputs("</a>", f);
	} else if (src->url != NULL) {
		fputs(" <code>", f);
		cli_html_esc(f, src->url);
		fputs("</code>", f);
	}
	fputs("</li>", f);
}

/* A claim's card: party, date, status, statement, every source. */
static void
card(FILE *f, const struct site *s, const struct claim_entry *h, const char *up,
    bool sources)
{
	const struct proto_claim *c = &h->payload.claim;
	bool retracted = c->status == PROTO_STATUS_RETRACTED;
	char short_id[13], hex[2 * PROTO_HASH_LEN + 1];
	json_t *fig;

	fprintf(f, "<article class=\"card%s\" style=\"--c:%s\">\n<header>",
	    retracted ? " retracted" : "", party_colour(s, c->party));
	fprintf(f, "<a class=\"who\" href=\"%sparty/", up);
	fname(f, c->party);
	fputs(".html\">", f);
	cli_html_esc(f, party_name(s, c->party));
	fputs("</a><span class=\"when\">", f);
	cli_html_esc(f, c->made ? c->made : "undated");
	fputs("</span>", f);
	if (retracted)
		fputs("<span class=\"tag\">retracted</span>", f);
	if (c->nsources == 0)
		fputs("<span class=\"tag nosrc\">no sources</span>", f);
	fputs("</header>\n<p class=\"stmt\">", f);
	cli_html_esc(f, c->statement);
	fputs("</p>\n", f);
	if (retracted && c->note != NULL) {
		fputs("<p class=\"why\">Retracted: ", f);
		cli_html_esc(f, c->note);
		fputs("</p>\n", f);
	}
	if (sources && c->nsources > 0) {
		fputs("<ul class=\"sources\">", f);
		for (size_t i = 0; i < c->nsources; i++)
			source_li(f, &c->sources[i]);
		fputs("</ul>\n", f);
	}
	fputs("<footer><a href=\"", f);
	claim_link(f, up, h->claim);
	fprintf(f, "\">claim %s, version %llu</a>",
	    cli_short(h->claim, short_id), (unsigned long long)c->version);
	proto_hex(h->claim, PROTO_HASH_LEN, hex);
	if ((fig = json_object_get(s->indep, hex)) != NULL) {
		char cites[CLI_CITES_MAX];

		fputs(" &middot; <a href=\"", f);
		claim_link(f, up, h->claim);
		fprintf(f, "#independence\">%s</a>",
		    cli_cites(json_integer_value(json_array_get(fig, 0)),
			json_integer_value(json_array_get(fig, 1)), cites));
	}
	fputs("</footer>\n</article>\n", f);
}

static bool
has_topic(const struct claim_entry *h, const char *topic)
{
	for (size_t i = 0; i < h->payload.claim.ntopics; i++)
		if (strcmp(h->payload.claim.topics[i], topic) == 0)
			return true;
	return false;
}

static void
pairs(FILE *f, const struct site *s, json_t *nar, const char *key,
    const char *title, const char *verb)
{
	json_t *list = json_object_get(nar, key), *p;
	size_t i;

	fprintf(f, "<h2 id=\"%s\">%s (%zu)</h2>\n", key, title,
	    json_array_size(list));
	if (json_array_size(list) == 0)
		fputs("<p>None.</p>\n", f);
	json_array_foreach(list, i, p)
	{
		const struct claim_entry *a =
		    head_of(s, json_string_value(json_object_get(p, "claim")));
		const struct claim_entry *b =
		    head_of(s, json_string_value(json_object_get(p, "other")));

		if (a == NULL || b == NULL)
			continue;
		fputs("<div class=\"pair\">\n", f);
		card(f, s, a, "../", false);
		fprintf(f, "<div class=\"rel%s\">%s</div>\n",
		    strcmp(key, "supports") == 0 ? " sup" : "", verb);
		card(f, s, b, "../", false);
		fputs("</div>\n", f);
	}
}

static int
topic_page(struct site *s, const char *topic, json_t *stats)
{
	const char **parties = NULL;
	size_t np = 0, i;
	struct claim_entry *copy = NULL;
	json_t *nar = NULL, *id, *v;
	const char *slug, *key;
	char *buf = NULL, rel[600], t[40];
	size_t len = 0, nclaims = 0;
	uint64_t last = 0;
	FILE *f;
	int rc;

	/* Parties with a claim on it, in registry order. */
	parties = calloc(json_object_size(s->parties) + 1, sizeof(*parties));
	json_object_foreach(s->parties, slug, v)
	{
		for (size_t k = 0; k < s->nheads; k++)
			if (strcmp(s->heads[k]->payload.claim.party, slug) ==
				0 &&
			    has_topic(s->heads[k], topic)) {
				parties[np++] = slug;
				break;
			}
	}
	/* claim_narrative takes an array of entries: shallow copies. */
	copy = calloc(s->nheads + 1, sizeof(*copy));
	for (size_t k = 0; k < s->nheads; k++) {
		copy[k] = *s->heads[k];
		if (has_topic(s->heads[k], topic))
			nclaims++;
	}
	for (size_t k = 0; k < s->n; k++)
		if (s->e[k].payload.kind == PROTO_KIND_CLAIM &&
		    has_topic(&s->e[k], topic) && s->e[k].payload.time > last)
			last = s->e[k].payload.time;
	rc = claim_narrative(copy, s->nheads, topic, parties, np, &nar);
	free(copy);
	if (rc != PROTO_OK) {
		free(parties);
		return cli_fail_err(rc, false, "narrative of %s", topic);
	}
	json_object_set_new(stats, "claims", json_integer((json_int_t)nclaims));
	json_object_set_new(stats, "parties", json_integer((json_int_t)np));
	json_object_set_new(stats, "disputes",
	    json_integer(
		(json_int_t)json_array_size(json_object_get(nar, "disputes"))));
	json_object_set_new(stats, "last", json_integer((json_int_t)last));

	f = open_memstream(&buf, &len);
	page_begin(f, s, "../", topic);
	fputs("<h1>", f);
	cli_html_esc(f, topic);
	fprintf(f,
	    "</h1>\n<p>%zu %s by %zu %s; last change %s. "
	    "<a href=\"#timeline\">Timeline</a> &middot; "
	    "<a href=\"#disputes\">Disputes</a> &middot; "
	    "<a href=\"#supports\">Support</a> &middot; "
	    "<a href=\"#only\">Said by one party only</a> &middot; "
	    "<a href=\"#shared\">Shared sources</a></p>\n",
	    nclaims, nclaims == 1 ? "claim" : "claims", np,
	    np == 1 ? "party" : "parties", when(last, t, sizeof(t)));
	fputs("<ul class=\"legend\">", f);
	for (i = 0; i < np; i++) {
		fprintf(f, "<li style=\"--c:%s\"><a href=\"../party/",
		    party_colour(s, parties[i]));
		fname(f, parties[i]);
		fputs(".html\">", f);
		cli_html_esc(f, party_name(s, parties[i]));
		fputs("</a></li>", f);
	}
	fputs("</ul>\n<h2 id=\"timeline\">Timeline</h2>\n", f);
	json_array_foreach(json_object_get(nar, "timeline"), i, id)
	{
		const struct claim_entry *h = head_of(s, json_string_value(id));

		if (h != NULL)
			card(f, s, h, "../", true);
	}
	pairs(f, s, nar, "disputes", "Disputes", "disputes");
	pairs(f, s, nar, "supports", "Support", "supports");
	fputs("<h2 id=\"only\">Said by one party only</h2>\n", f);
	json_object_foreach(json_object_get(nar, "only"), key, v)
	{
		if (json_array_size(v) == 0)
			continue;
		fputs("<h3>", f);
		cli_html_esc(f, party_name(s, key));
		fputs("</h3>\n<ul>", f);
		json_array_foreach(v, i, id)
		{
			const struct claim_entry *h =
			    head_of(s, json_string_value(id));

			if (h == NULL)
				continue;
			fputs("<li><a href=\"", f);
			claim_link(f, "../", h->claim);
			fputs("\">", f);
			cli_html_esc(f, h->payload.claim.statement);
			fputs("</a></li>", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("<h2 id=\"shared\">Sources cited by several parties</h2>\n", f);
	if (json_array_size(json_object_get(nar, "shared_sources")) == 0)
		fputs("<p>None.</p>\n", f);
	json_array_foreach(json_object_get(nar, "shared_sources"), i, v)
	{
		json_t *src = json_object_get(v, "source"), *ids;
		const char *url =
		    json_string_value(json_object_get(src, "url"));

		fputs("<h3>", f);
		cli_html_esc(
		    f, json_string_value(json_object_get(src, "publisher")));
		fputs(", <cite>", f);
		cli_html_esc(
		    f, json_string_value(json_object_get(src, "title")));
		fputs("</cite></h3>\n", f);
		if (is_http(url)) {
			fputs("<p><a rel=\"nofollow noopener\" href=\"", f);
			cli_html_esc(f, url);
			fputs("\">", f);
			cli_html_esc(f, url);
			fputs("</a></p>\n", f);
		}
		fputs("<ul>", f);
		json_object_foreach(json_object_get(v, "cited_by"), key, ids)
		{
			size_t k;

			fputs("<li>", f);
			cli_html_esc(f, party_name(s, key));
			fputs(":", f);
			json_array_foreach(ids, k, id)
			{
				const struct claim_entry *h =
				    head_of(s, json_string_value(id));
				char sid[13];

				if (h == NULL)
					continue;
				fputs(" <a href=\"", f);
				claim_link(f, "../", h->claim);
				fprintf(
				    f, "\">%s</a>", cli_short(h->claim, sid));
			}
			fputs("</li>", f);
		}
		fputs("</ul>\n", f);
	}
	json_decref(nar);
	free(parties);
	{
		FILE *r = fmemopen(rel, sizeof(rel), "w");

		fputs("topic/", r);
		fname(r, topic);
		fputs(".html", r);
		fclose(r);
	}
	return page_end(f, s, "../", &buf, &len, rel);
}

static void
segments(FILE *f, json_t *segs)
{
	json_t *seg;
	size_t i;

	json_array_foreach(segs, i, seg)
	{
		const char *op = json_string_value(json_object_get(seg, "op"));
		const char *tag = strcmp(op, "del") == 0 ? "del"
		    : strcmp(op, "add") == 0             ? "ins"
							 : NULL;

		if (tag)
			fprintf(f, "<%s>", tag);
		cli_html_esc(
		    f, json_string_value(json_object_get(seg, "text")));
		if (tag)
			fprintf(f, "</%s>", tag);
	}
}

static int
merkle_get(
    void *ctx, unsigned level, uint64_t index, uint8_t out[PROTO_HASH_LEN])
{
	struct site *s = ctx;

	if (level >= 64 || s->lv[level] == NULL || index >= (s->n >> level))
		return PROTO_ENOTFOUND;
	memcpy(out, s->lv[level][index], PROTO_HASH_LEN);
	return PROTO_OK;
}

static void
record_facts(FILE *f, struct site *s, const struct claim_entry *v)
{
	uint8_t proof[PROTO_MERKLE_PROOF_MAX][PROTO_HASH_LEN];
	char hex[2 * PROTO_HASH_LEN + 1], t[40];
	size_t np = 0;

	fputs("<dl>", f);
	fprintf(
	    f, "<dt>Log index</dt><dd>%llu</dd>", (unsigned long long)v->index);
	proto_hex(v->hash, PROTO_HASH_LEN, hex);
	fprintf(f,
	    "<dt>Record hash (RFC 6962 leaf)</dt><dd><code>%s</code></dd>",
	    hex);
	proto_hex(v->rec.kid, PROTO_PUBKEY_LEN, hex);
	fprintf(f, "<dt>Signed by</dt><dd><code>%s</code></dd>", hex);
	fprintf(f, "<dt>Signed at</dt><dd>%s</dd>",
	    when(v->payload.time, t, sizeof(t)));
	if (proto_merkle_inclusion(merkle_get, s, v->index, s->n, proof, &np) ==
		PROTO_OK &&
	    proto_merkle_verify_inclusion(v->hash, v->index, s->n,
		(const uint8_t(*)[PROTO_HASH_LEN])proof, np,
		s->st->root) == PROTO_OK) {
		fprintf(f,
		    "<dt>Inclusion proof in the tree of %llu entries "
		    "(RFC 6962, %zu %s, leaf to root)</dt><dd><ol "
		    "class=\"proof\">",
		    (unsigned long long)s->n, np, np == 1 ? "hash" : "hashes");
		for (size_t i = 0; i < np; i++) {
			proto_hex(proof[i], PROTO_HASH_LEN, hex);
			fprintf(f, "<li>%s</li>", hex);
		}
		fputs("</ol></dd>", f);
	}
	fputs("</dl>\n", f);
}

static void
relation_li(FILE *f, const struct site *s, const char *rel,
    const struct claim_entry *other)
{
	fprintf(f, "<li>%s ", rel);
	cli_html_esc(f, party_name(s, other->payload.claim.party));
	fputs(": <a href=\"", f);
	claim_link(f, "../", other->claim);
	fputs("\">", f);
	cli_html_esc(f, other->payload.claim.statement);
	fputs("</a>", f);
	if (other->payload.claim.status == PROTO_STATUS_RETRACTED)
		fputs(" <span class=\"tag\">retracted</span>", f);
	fputs("</li>", f);
}

/* A document of a claim_independence() answer, named for people. */
static void
document(FILE *f, json_t *a, json_int_t d)
{
	json_t *doc = json_array_get(json_object_get(a, "documents"), d);

	cli_html_esc(f, json_string_value(json_object_get(doc, "publisher")));
	fputs(", <cite>", f);
	cli_html_esc(f, json_string_value(json_object_get(doc, "title")));
	fputs("</cite>", f);
}

/*
 * How many independent sources the claim rests on: its primary sources
 * (one owner's outlets once), the loops and what cannot be resolved.
 */
static void
independence_section(FILE *f, const struct site *s, const struct claim_entry *h)
{
	json_t *a = NULL, *x;
	char cites[CLI_CITES_MAX];
	size_t i;

	fputs("<h2 id=\"independence\">Independence</h2>\n", f);
	if (h->payload.claim.nsources == 0 || s->g == NULL ||
	    claim_independence(s->g, h->claim, &a) != PROTO_OK) {
		fputs("<p>No sources.</p>\n", f);
		return;
	}
	cli_cites(json_integer_value(json_object_get(a, "cited")),
	    json_integer_value(json_object_get(a, "n_primary")), cites);
	cites[0] = 'C';
	fprintf(f,
	    "<p>%s: followed upstream through the derivations the claim "
	    "states for its own sources, and every claim's beyond them, the "
	    "primary sources they rest on, one owner's outlets counted "
	    "once.</p>\n<ul>",
	    cites);
	json_array_foreach(json_object_get(a, "roots"), i, x)
	{
		json_int_t amp =
		    json_integer_value(json_object_get(x, "amplification"));

		fputs("<li>", f);
		document(
		    f, a, json_integer_value(json_object_get(x, "document")));
		fprintf(f, ": %lld cited %s on it", (long long)amp,
		    amp == 1 ? "source rests" : "sources rest");
		fputs("</li>", f);
	}
	json_array_foreach(json_object_get(a, "loops"), i, x)
	{
		json_t *m;
		size_t k;

		fputs("<li>A loop of derivations", f);
		fputs(json_is_true(json_object_get(x, "fed"))
			? " (fed from outside): "
			: ", nothing upstream, no primary source: ",
		    f);
		json_array_foreach(json_object_get(x, "members"), k, m)
		{
			if (k > 0)
				fputs("; ", f);
			document(f, a, json_integer_value(m));
		}
		fputs("</li>", f);
	}
	json_array_foreach(json_object_get(a, "unresolved"), i, x)
	{
		fputs("<li>Origin not resolved: ", f);
		document(f, a, json_integer_value(x));
		fputs("</li>", f);
	}
	fputs("</ul>\n", f);
	json_decref(a);
}

static int
claim_page(struct site *s, const char *hex)
{
	json_t *vs = json_object_get(s->claims, hex), *tr = NULL, *src;
	size_t nv = json_array_size(vs), i;
	const struct claim_entry *h = head_of(s, hex), *v, *prev = NULL;
	const struct proto_claim *c = &h->payload.claim;
	char *buf = NULL, rel[200], title[32 + PROTO_NAME_MAX], t[40];
	size_t len = 0;
	bool any;
	FILE *f = open_memstream(&buf, &len);

	snprintf(title, sizeof(title), "Claim %.12s by %s", hex,
	    party_name(s, c->party));
	page_begin(f, s, "../", title);
	fputs("<h1>", f);
	cli_html_esc(f, title);
	fputs("</h1>\n", f);
	card(f, s, h, "../", true);
	fputs("<p>Topics:", f);
	for (i = 0; i < c->ntopics; i++) {
		fputs(" <a href=\"../topic/", f);
		fname(f, c->topics[i]);
		fputs(".html\">", f);
		cli_html_esc(f, c->topics[i]);
		fputs("</a>", f);
	}
	fputs("</p>\n", f);

	fputs("<h2 id=\"relations\">Relations</h2>\n<ul>", f);
	any = false;
	for (i = 0; i < c->nrelations; i++) {
		char ohex[2 * PROTO_HASH_LEN + 1];
		const struct claim_entry *o;

		proto_hex(c->relations[i].claim, PROTO_HASH_LEN, ohex);
		if ((o = head_of(s, ohex)) == NULL)
			continue;
		relation_li(f, s, proto_rel_name(c->relations[i].rel), o);
		any = true;
	}
	json_array_foreach(json_object_get(s->incoming, hex), i, src)
	{
		const struct claim_entry *o =
		    s->heads[json_integer_value(json_array_get(src, 0))];
		char verb[40];

		snprintf(verb, sizeof(verb), "%s this: ",
		    proto_rel_name((enum proto_rel)json_integer_value(
			json_array_get(src, 1))));
		relation_li(f, s, verb, o);
		any = true;
	}
	if (!any)
		fputs("<li>None, either way.</li>", f);
	fputs("</ul>\n", f);

	fputs("<h2 id=\"trace\">Where each source comes from</h2>\n", f);
	if (claim_trace(h, &tr) == PROTO_OK &&
	    json_array_size(json_object_get(tr, "sources")) > 0) {
		fputs("<ol>", f);
		json_array_foreach(json_object_get(tr, "sources"), i, src)
		{
			json_t *link;
			size_t k;

			fputs("<li><ul class=\"plain\">", f);
			json_array_foreach(
			    json_object_get(src, "chain"), k, link)
			{
				const char *how = json_string_value(
				    json_object_get(link, "how"));
				const char *q = json_string_value(
				    json_object_get(link, "quote"));

				fputs("<li>", f);
				if (k > 0) {
					fputs("&larr; ", f);
					cli_html_esc(f, how ? how : "from");
					fputs(" ", f);
				}
				cli_html_esc(f,
				    json_string_value(
					json_object_get(link, "publisher")));
				fputs(", <cite>", f);
				cli_html_esc(f,
				    json_string_value(
					json_object_get(link, "title")));
				fputs("</cite>", f);
				if (json_object_get(link, "published")) {
					fputs(", ", f);
					cli_html_esc(f,
					    json_string_value(json_object_get(
						link, "published")));
				}
				if (q != NULL) {
					fputs("<blockquote>", f);
					cli_html_esc(f, q);
					fputs("</blockquote>", f);
				}
				fputs("</li>", f);
			}
			fputs("</ul></li>", f);
		}
		fputs("</ol>\n", f);
	} else
		fputs("<p>No sources.</p>\n", f);
	json_decref(tr);

	independence_section(f, s, h);
	fprintf(f, "<h2 id=\"versions\">Versions (%zu)</h2>\n", nv);
	for (i = 0; i < nv; i++) {
		json_t *d = NULL;

		v = &s->e[json_integer_value(json_array_get(vs, i))];
		fprintf(f, "<h3 id=\"v%llu\">Version %llu, %s</h3>\n",
		    (unsigned long long)v->payload.claim.version,
		    (unsigned long long)v->payload.claim.version,
		    when(v->payload.time, t, sizeof(t)));
		if (prev == NULL) {
			fputs("<p class=\"stmt\">", f);
			cli_html_esc(f, v->payload.claim.statement);
			fputs("</p>\n", f);
		} else if (claim_diff_versions(prev, v, &d) == PROTO_OK) {
			json_t *st = json_object_get(d, "status");

			if (json_object_get(d, "statement")) {
				fputs("<p class=\"stmt\">", f);
				segments(f, json_object_get(d, "statement"));
				fputs("</p>\n", f);
			} else
				fputs("<p>Statement unchanged.</p>\n", f);
			if (st != NULL) {
				fputs("<p>Status: ", f);
				cli_html_esc(f,
				    json_string_value(
					json_object_get(st, "from")));
				fputs(" &rarr; ", f);
				cli_html_esc(f,
				    json_string_value(
					json_object_get(st, "to")));
				fputs("</p>\n", f);
			}
			if (json_object_get(d, "sources")) {
				json_t *sd = json_object_get(d, "sources");

				fprintf(f,
				    "<p>Sources: %zu added, %zu removed.</p>\n",
				    json_array_size(
					json_object_get(sd, "added")),
				    json_array_size(
					json_object_get(sd, "removed")));
			}
			if (json_object_get(d, "note")) {
				fputs("<p><em>Note:</em> ", f);
				cli_html_esc(f,
				    json_string_value(
					json_object_get(d, "note")));
				fputs("</p>\n", f);
			}
		}
		json_decref(d);
		record_facts(f, s, v);
		prev = v;
	}
	snprintf(rel, sizeof(rel), "claim/%s.html", hex);
	return page_end(f, s, "../", &buf, &len, rel);
}

static int
party_page(struct site *s, const char *slug)
{
	char *buf = NULL, rel[600];
	size_t len = 0, mine = 0;
	json_t *by_topic = json_object(), *list;
	const char *topic;
	FILE *f = open_memstream(&buf, &len);

	page_begin(f, s, "../", party_name(s, slug));
	fprintf(f, "<h1 style=\"color:%s\">", party_colour(s, slug));
	cli_html_esc(f, party_name(s, slug));
	fputs("</h1>\n<p>Party <code>", f);
	cli_html_esc(f, slug);
	fputs("</code>.</p>\n", f);
	/* By topic (each claim under its first), topics in the order the
	 * party first spoke on them. */
	for (size_t k = 0; k < s->nheads; k++) {
		const struct proto_claim *c = &s->heads[k]->payload.claim;
		json_t *l;

		if (strcmp(c->party, slug) != 0)
			continue;
		if ((l = json_object_get(by_topic, c->topics[0])) == NULL)
			json_object_set_new(
			    by_topic, c->topics[0], l = json_array());
		json_array_append_new(l, json_integer((json_int_t)k));
	}
	json_object_foreach(by_topic, topic, list)
	{
		size_t j;
		json_t *k;

		fputs("<h2><a href=\"../topic/", f);
		fname(f, topic);
		fputs(".html\">", f);
		cli_html_esc(f, topic);
		fputs("</a></h2>\n", f);
		json_array_foreach(list, j, k)
		{
			card(
			    f, s, s->heads[json_integer_value(k)], "../", true);
			mine++;
		}
	}
	json_decref(by_topic);
	if (mine == 0)
		fputs("<p>No claims.</p>\n", f);
	{
		FILE *r = fmemopen(rel, sizeof(rel), "w");

		fputs("party/", r);
		fname(r, slug);
		fputs(".html", r);
		fclose(r);
	}
	return page_end(f, s, "../", &buf, &len, rel);
}

struct topic_row {
	const char *name;
	json_t *stats;
};

/* Most recently changed first, then by name. */
static int
by_last_change(const void *a, const void *b)
{
	const struct topic_row *x = a, *y = b;
	json_int_t lx = json_integer_value(json_object_get(x->stats, "last"));
	json_int_t ly = json_integer_value(json_object_get(y->stats, "last"));

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
index_page(struct site *s, json_t *topics)
{
	struct topic_row *rows =
	    calloc(json_object_size(topics) + 1, sizeof(*rows));
	size_t nrows = 0;
	char *buf = NULL, t[40];
	size_t len = 0, shown = 0;
	const char *key;
	json_t *v;
	FILE *f = open_memstream(&buf, &len);

	page_begin(f, s, "", "Claims and narratives");
	fputs("<h1>Claims and narratives</h1>\n", f);
	fputs("<h2 id=\"topics\">Topics</h2>\n<table><thead><tr><th>Topic</th>"
	      "<th class=\"n\">Claims</th><th class=\"n\">Parties</th>"
	      "<th class=\"n\">Disputes</th><th>Last change</th></tr>"
	      "</thead><tbody>\n",
	    f);
	json_object_foreach(topics, key, v)
	{
		if (rows == NULL)
			break;
		rows[nrows].name = key;
		rows[nrows++].stats = v;
	}
	qsort(rows, nrows, sizeof(*rows), by_last_change);
	for (size_t r = 0; r < nrows; r++) {
		key = rows[r].name;
		v = rows[r].stats;
		fputs("<tr><td><a href=\"topic/", f);
		fname(f, key);
		fputs(".html\">", f);
		cli_html_esc(f, key);
		fprintf(f,
		    "</a></td><td class=\"n\">%lld</td><td class=\"n\">%lld"
		    "</td><td class=\"n\">%lld</td><td>%s</td></tr>\n",
		    (long long)json_integer_value(json_object_get(v, "claims")),
		    (long long)json_integer_value(
			json_object_get(v, "parties")),
		    (long long)json_integer_value(
			json_object_get(v, "disputes")),
		    when((uint64_t)json_integer_value(
			     json_object_get(v, "last")),
			t, sizeof(t)));
	}
	fputs("</tbody></table>\n<h2 id=\"parties\">Parties</h2>\n"
	      "<ul class=\"legend\">",
	    f);
	json_object_foreach(s->parties, key, v)
	{
		fprintf(f, "<li style=\"--c:%s\"><a href=\"party/",
		    party_colour(s, key));
		fname(f, key);
		fputs(".html\">", f);
		cli_html_esc(f, party_name(s, key));
		fputs("</a></li>", f);
	}
	fputs("</ul>\n<h2 id=\"latest\">Latest changes</h2>\n", f);
	for (size_t k = s->n; k-- > 0 && shown < LATEST;) {
		const struct claim_entry *e = &s->e[k];

		if (e->payload.kind != PROTO_KIND_CLAIM)
			continue;
		fprintf(f,
		    "<p class=\"when\" style=\"font:13px system-ui,"
		    "sans-serif;margin:.8rem 0 .2rem\">%s, version "
		    "%llu</p>\n",
		    when(e->payload.time, t, sizeof(t)),
		    (unsigned long long)e->payload.claim.version);
		card(f, s, e, "", false);
		shown++;
	}
	free(rows);
	return page_end(f, s, "", &buf, &len, "index.html");
}

static void
site_free(struct site *s)
{
	json_decref(s->parties);
	json_decref(s->claims);
	json_decref(s->order);
	json_decref(s->incoming);
	json_decref(s->indep);
	claim_sources_free(s->g);
	claim_owners_free(s->owners);
	free(s->heads);
	for (unsigned l = 1; l < 64; l++)
		free(s->lv[l]);
}

int
site_pages(const char *dir, const struct claim_entry *e, size_t n,
    const struct site_state *st, uint64_t *written, uint64_t *kept)
{
	struct site s;
	json_t *topics = json_object(), *v;
	const char *key;
	size_t i;
	int rc = EX_DONE;

	memset(&s, 0, sizeof(s));
	s.dir = dir;
	s.e = e;
	s.n = n;
	s.st = st;
	s.parties = json_object();
	s.claims = json_object();
	s.order = json_array();
	for (size_t k = 0; k < n; k++) {
		const struct proto_payload *p = &e[k].payload;
		char hex[2 * PROTO_HASH_LEN + 1];
		json_t *vs;

		if (p->kind == PROTO_KIND_PARTY) {
			size_t o = json_object_size(s.parties);

			json_object_set_new(s.parties, p->reg.party,
			    json_pack("{s:s, s:s}", "name", p->reg.name,
				"colour", colours[o % NCOLOURS]));
			continue;
		}
		if (p->kind != PROTO_KIND_CLAIM)
			continue;
		proto_hex(e[k].claim, PROTO_HASH_LEN, hex);
		if ((vs = json_object_get(s.claims, hex)) == NULL) {
			json_object_set_new(s.claims, hex, vs = json_array());
			json_array_append_new(s.order, json_string(hex));
		}
		json_array_append_new(vs, json_integer((json_int_t)k));
	}
	s.heads = calloc(json_array_size(s.order) + 1, sizeof(*s.heads));
	json_array_foreach(s.order, i, v)
	{
		s.heads[s.nheads] = head_of(&s, json_string_value(v));
		for (size_t k = 0; k < s.heads[s.nheads]->payload.claim.ntopics;
		     k++) {
			const char *tp =
			    s.heads[s.nheads]->payload.claim.topics[k];

			if (json_object_get(topics, tp) == NULL)
				json_object_set_new(topics, tp, json_object());
		}
		s.nheads++;
	}
	/* How many independent sources each head rests on. */
	s.indep = json_object();
	if ((s.g = claim_sources_build(e, n)) != NULL &&
	    (s.owners = claim_owners_build(e, n)) != NULL) {
		claim_sources_set_owner(s.g, claim_owners_of, s.owners);
		for (i = 0; i < s.nheads; i++) {
			char hex[2 * PROTO_HASH_LEN + 1];
			json_t *a;

			if (s.heads[i]->payload.claim.nsources == 0 ||
			    claim_independence(s.g, s.heads[i]->claim, &a) !=
				PROTO_OK)
				continue;
			proto_hex(s.heads[i]->claim, PROTO_HASH_LEN, hex);
			json_object_set_new(s.indep, hex,
			    json_pack("[O, O]", json_object_get(a, "cited"),
				json_object_get(a, "n_primary")));
			json_decref(a);
		}
	}
	/* Who relates to each claim: the other way of its relations. */
	s.incoming = json_object();
	for (i = 0; i < s.nheads; i++) {
		const struct proto_claim *c = &s.heads[i]->payload.claim;

		for (size_t r = 0; r < c->nrelations; r++) {
			char hex[2 * PROTO_HASH_LEN + 1];
			json_t *l;

			proto_hex(c->relations[r].claim, PROTO_HASH_LEN, hex);
			if ((l = json_object_get(s.incoming, hex)) == NULL)
				json_object_set_new(
				    s.incoming, hex, l = json_array());
			json_array_append_new(l,
			    json_pack("[I, i]", (json_int_t)i,
				(int)c->relations[r].rel));
		}
	}
	/* Every complete subtree, for the inclusion proofs. */
	s.lv[0] = calloc(n + 1, PROTO_HASH_LEN);
	for (size_t k = 0; k < n; k++)
		memcpy(s.lv[0][k], e[k].hash, PROTO_HASH_LEN);
	for (unsigned l = 1; l < 64 && (n >> l) > 0; l++) {
		s.lv[l] = calloc(n >> l, PROTO_HASH_LEN);
		for (uint64_t k = 0; k < (n >> l); k++)
			proto_merkle_node(s.lv[l - 1][2 * k],
			    s.lv[l - 1][2 * k + 1], s.lv[l][k]);
	}
	json_object_foreach(topics, key, v)
	{
		if (rc == EX_DONE)
			rc = topic_page(&s, key, v);
	}
	for (i = 0; i < s.nheads && rc == EX_DONE; i++) {
		char hex[2 * PROTO_HASH_LEN + 1];

		proto_hex(s.heads[i]->claim, PROTO_HASH_LEN, hex);
		rc = claim_page(&s, hex);
	}
	json_object_foreach(s.parties, key, v)
	{
		if (rc == EX_DONE)
			rc = party_page(&s, key);
	}
	if (rc == EX_DONE)
		rc = index_page(&s, topics);
	*written = s.written;
	*kept = s.kept;
	free(s.lv[0]);
	json_decref(topics);
	site_free(&s);
	return rc;
}
