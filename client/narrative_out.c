/*
 * narrative_out.c: a narrative diff (claim_narrative()) for people: in a
 * terminal, or as a self-contained HTML page with the parties in columns
 * and every dispute linked to both claims.
 */
#include <string.h>

#include "cli.h"

static const char *
str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static json_t *
card(json_t *n, json_t *id)
{
	return json_object_get(
	    json_object_get(n, "claims"), json_string_value(id));
}

/* "cites 7 sources, 2 independent" of an {"cited", "n_primary"}. */
static const char *
count_str(json_t *o)
{
	static char out[CLI_CITES_MAX];

	return cli_cites(json_integer_value(json_object_get(o, "cited")),
	    json_integer_value(json_object_get(o, "n_primary")), out);
}

/* The width of the party column: the longest listed party's name. */
static int party_width = 12;

static void
print_card(json_t *c, const char *indent)
{
	int used =
	    printf("%s%-*s %-10s %.12s  ", indent, party_width, str(c, "party"),
		json_object_get(c, "made") ? str(c, "made") : "(undated)",
		str(c, "claim"));
	size_t flags = 0;

	if (strcmp(str(c, "status"), "retracted") == 0)
		flags += strlen("  [RETRACTED]");
	char ind[64] = "";

	if (json_integer_value(json_object_get(c, "sources")) == 0)
		flags += strlen("  [NO SOURCES]");
	else if (json_object_get(c, "independence") != NULL)
		flags += (size_t)snprintf(ind, sizeof(ind), "  [%s]",
		    count_str(json_object_get(c, "independence")));
	cli_print_cut(stdout, str(c, "statement"),
	    cli_room((size_t)(used > 0 ? used : 0) + flags));
	if (strcmp(str(c, "status"), "retracted") == 0)
		printf("  [RETRACTED]");
	if (json_integer_value(json_object_get(c, "sources")) == 0)
		printf("  [NO SOURCES]");
	fputs(ind, stdout);
	putchar('\n');
}

/* A pair's rating as people read it: rating "False" (1, worst 1, best 5). */
static const char *
rating_str(json_t *r)
{
	static char out[PROTO_RATING_TEXT_MAX + 3 * PROTO_DECIMAL_MAX + 64];
	struct proto_rating g = {
	    .text = (char *)str(r, "text"),
	    .value = (char *)json_string_value(json_object_get(r, "value")),
	    .best = (char *)json_string_value(json_object_get(r, "best")),
	    .worst = (char *)json_string_value(json_object_get(r, "worst")),
	};
	char buf[sizeof(out) - 8];

	snprintf(out, sizeof(out), "rating %s",
	    cli_rating_str(&g, buf, sizeof(buf)));
	return out;
}

static void
print_pairs(json_t *n, const char *title, const char *verb)
{
	json_t *pairs = json_object_get(n, title), *p;
	size_t i;

	printf("\n%s (%zu)\n",
	    strcmp(title, "disputes") == 0      ? "Disputes"
		: strcmp(title, "reviews") == 0 ? "Reviews"
						: "Support",
	    json_array_size(pairs));
	json_array_foreach(pairs, i, p)
	{
		print_card(card(n, json_object_get(p, "claim")), "  ");
		printf("      %s", verb);
		if (json_object_get(p, "rating") != NULL)
			printf(
			    ", %s", rating_str(json_object_get(p, "rating")));
		putchar('\n');
		print_card(card(n, json_object_get(p, "other")), "  ");
	}
}

void
narrative_print(json_t *n)
{
	json_t *parties = json_object_get(n, "parties"), *p, *s, *id;
	size_t i, k;
	const char *key;

	printf("Narratives on \"%s\":", str(n, "topic"));
	party_width = 8;
	json_array_foreach(parties, i, p)
	{
		printf("%s %s", i ? " vs" : "", json_string_value(p));
		if ((int)strlen(json_string_value(p)) > party_width)
			party_width = (int)strlen(json_string_value(p));
	}
	printf("\n");
	print_pairs(n, "disputes", "disputes");
	print_pairs(n, "supports", "supports");
	print_pairs(n, "reviews", "reviews");
	json_object_foreach(json_object_get(n, "only"), key, p)
	{
		printf("\nOnly %s (%zu)\n", key, json_array_size(p));
		json_array_foreach(p, k, id) print_card(card(n, id), "  ");
	}
	if (json_object_size(json_object_get(n, "independence")) > 0)
		printf("\nIndependent sources (details: claim independence "
		       "--topic %s)\n",
		    str(n, "topic"));
	json_object_foreach(json_object_get(n, "independence"), key, p)
	    printf("  %-*s %s\n", party_width, key, count_str(p));
	printf("\nSources both sides cite (%zu)\n",
	    json_array_size(json_object_get(n, "shared_sources")));
	json_array_foreach(json_object_get(n, "shared_sources"), i, s)
	{
		json_t *src = json_object_get(s, "source"), *ids;
		const char *party;

		printf(
		    "  %s, \"%s\"", str(src, "publisher"), str(src, "title"));
		if (json_object_get(src, "published"))
			printf(" (%s)", str(src, "published"));
		printf("\n    cited by");
		json_object_foreach(json_object_get(s, "cited_by"), party, ids)
		    printf(" %s (%zu)", party, json_array_size(ids));
		putchar('\n');
	}
	printf("\nTimeline (%zu)\n",
	    json_array_size(json_object_get(n, "timeline")));
	json_array_foreach(json_object_get(n, "timeline"), i, id)
	    print_card(card(n, id), "  ");
}

/*
 * HTML
 */

static void
html_link(FILE *f, json_t *n, json_t *id)
{
	json_t *c = card(n, id);

	fprintf(f, "<a href=\"#c-%s\">", json_string_value(id));
	cli_html_esc(f, str(c, "party"));
	fputs(": ", f);
	cli_html_esc(f, str(c, "statement"));
	fputs("</a>", f);
}

/* The relations of one claim to the other parties, as links. */
static void
html_relations(FILE *f, json_t *n, const char *id)
{
	static const char *const kinds[] = {"disputes", "supports", "reviews"};
	static const char *const passive[] = {
	    "disputed by", "supported by", "reviewed by"};

	for (int k = 0; k < 3; k++) {
		json_t *p;
		size_t i;

		json_array_foreach(json_object_get(n, kinds[k]), i, p)
		{
			bool from = strcmp(str(p, "claim"), id) == 0;
			bool to = strcmp(str(p, "other"), id) == 0;

			if (!from && !to)
				continue;
			fprintf(f, "<p class=\"rel %s\">%s ", kinds[k],
			    from ? kinds[k] : passive[k]);
			html_link(
			    f, n, json_object_get(p, from ? "other" : "claim"));
			if (json_object_get(p, "rating") != NULL) {
				fputs(" <span class=\"rating\">", f);
				cli_html_esc(f,
				    rating_str(json_object_get(p, "rating")));
				fputs("</span>", f);
			}
			fputs("</p>\n", f);
		}
	}
}

static void
html_card(FILE *f, json_t *n, json_t *id)
{
	json_t *c = card(n, id), *t;
	bool retracted = strcmp(str(c, "status"), "retracted") == 0;
	size_t i;

	fprintf(f, "<div class=\"claim%s\" id=\"c-%s\">\n<p class=\"who\">",
	    retracted ? " retracted" : "", json_string_value(id));
	cli_html_esc(f, str(c, "party"));
	fputs("</p>\n", f);
	if (retracted) {
		fputs("<p class=\"flag\">Retracted: ", f);
		cli_html_esc(f, str(c, "retracted_because"));
		fputs("</p>\n", f);
	}
	if (json_integer_value(json_object_get(c, "sources")) == 0)
		fputs("<p class=\"flag\">No sources</p>\n", f);
	fputs("<p class=\"st\">", f);
	cli_html_esc(f, str(c, "statement"));
	fprintf(f, "</p>\n<p class=\"meta\">v%lld &middot; %.12s &middot;",
	    (long long)json_integer_value(json_object_get(c, "version")),
	    json_string_value(id));
	json_array_foreach(json_object_get(c, "topics"), i, t)
	{
		fputc(' ', f);
		cli_html_esc(f, json_string_value(t));
	}
	if ((t = json_object_get(c, "independence")) != NULL &&
	    json_integer_value(json_object_get(t, "cited")) > 0)
		fprintf(f,
		    " &middot; <span class=\"ind\" title=\"claim independence "
		    "%.12s\">%s</span>",
		    json_string_value(id), count_str(t));
	fputs("</p>\n", f);
	html_relations(f, n, json_string_value(id));
	fputs("</div>\n", f);
}

/* Each party's account: how many independent sources it rests on. */
static void
html_independence(FILE *f, json_t *n)
{
	const char *party;
	json_t *x;

	if (json_object_size(json_object_get(n, "independence")) == 0)
		return;
	fputs("<h2>Independent sources</h2>\n<ul>\n", f);
	json_object_foreach(json_object_get(n, "independence"), party, x)
	{
		json_int_t nc =
		    json_integer_value(json_object_get(x, "claims"));

		fputs("<li>", f);
		cli_html_esc(f, party);
		fprintf(f, " (%lld %s): %s</li>\n", (long long)nc,
		    cli_noun((unsigned long long)nc, "claim", "claims"),
		    count_str(x));
	}
	fputs("</ul>\n<p class=\"meta\">Details: <code>claim independence "
	      "--topic ",
	    f);
	cli_html_esc(f, str(n, "topic"));
	fputs("</code>: each source's path to its primary sources, loops, "
	      "owners.</p>\n",
	    f);
}

/* The claims only one party makes, as links to their cards. */
static void
html_only(FILE *f, json_t *n)
{
	const char *party;
	json_t *ids, *id;
	size_t i;

	fputs("<h2>Claims only one party makes</h2>\n", f);
	json_object_foreach(json_object_get(n, "only"), party, ids)
	{
		fputs("<h3>", f);
		cli_html_esc(f, party);
		fprintf(f, " (%zu)</h3>\n<ul>\n", json_array_size(ids));
		json_array_foreach(ids, i, id)
		{
			fputs("<li>", f);
			html_link(f, n, id);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
}

/*
 * The claims on other topics that a claim here disputes or supports (or
 * is disputed or supported by): not in the timeline, so their cards are
 * drawn here for the links to land on.
 */
static void
html_off_topic(FILE *f, json_t *n)
{
	json_t *on = json_object(), *id, *c;
	const char *key;
	size_t i;
	bool any = false;

	if (on == NULL)
		return;
	json_array_foreach(json_object_get(n, "timeline"), i, id)
	    json_object_set(on, json_string_value(id), json_true());
	json_object_foreach(json_object_get(n, "claims"), key, c)
	{
		if (json_object_get(on, key) != NULL)
			continue;
		if (!any)
			fputs("<h2>Related claims on other topics</h2>\n", f);
		any = true;
		id = json_string(key);
		html_card(f, n, id);
		json_decref(id);
	}
	json_decref(on);
}

/* The rules that lay the side-by-side table out as one column. */
#define STACK(p)                                                               \
	p "table," p "tbody," p "tr," p "td{display:block;width:auto}" p       \
	  "thead{display:none}" p "td{border:0;padding:.2em 0}" p              \
	  "td:empty{display:none}" p "tr{border-top:1px solid #ccc;"           \
	  "padding:.4em 0}" p ".who{display:block}"

int
narrative_html(json_t *n, FILE *f)
{
	json_t *parties = json_object_get(n, "parties"), *p, *id, *s;
	size_t np = json_array_size(parties), i, k;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	      "charset=\"utf-8\">\n<meta name=\"viewport\" "
	      "content=\"width=device-width, initial-scale=1\">\n"
	      "<title>Narratives: ",
	    f);
	cli_html_esc(f, str(n, "topic"));
	fputs(
	    "</title>\n<style>\n"
	    "body{font:15px/1.45 system-ui,sans-serif;margin:2em;color:#222}\n"
	    "table{border-collapse:collapse;width:100%;table-layout:fixed}\n"
	    "th,td{border:1px solid #ccc;padding:.5em;vertical-align:top}\n"
	    "th{background:#f3f3f3}td.date{width:7em;color:#555}\n"
	    ".claim{background:#fafafa;border-left:4px solid #4a7;"
	    "padding:.3em .6em}\n"
	    ".claim.retracted{border-color:#c44;opacity:.7}\n"
	    ".claim.retracted .st{text-decoration:line-through}\n"
	    ".flag{color:#c44;font-weight:bold}.meta{color:#777;"
	    "font-size:85%}\n"
	    ".rel.disputes{color:#a30}.rel.supports{color:#270}\n"
	    ".rel.reviews{color:#235}.rating{font-weight:bold}\n"
	    ":target{outline:3px solid #fc0}\n"
	    "p,li,td,th,a,h1,h2,h3{overflow-wrap:break-word}\n"
	    ".who{display:none;font-weight:bold;margin:.2em 0}\n"
	    /* More than four parties, or a phone: not columns, but one
	     * column of cards by date, each naming its party. */
	    "@media (max-width:44rem){body{margin:1em}" STACK("") "}\n" STACK(
		"body.many ") "</style></head>\n",
	    f);
	fprintf(f, "<body%s>\n<h1>", np > 4 ? " class=\"many\"" : "");
	cli_html_esc(f, str(n, "topic"));
	fputs("</h1>\n<p>", f);
	json_array_foreach(parties, i, p)
	{
		fputs(i ? " &middot; " : "", f);
		cli_html_esc(f, json_string_value(p));
	}
	fputs("</p>\n<h2>Disputes</h2>\n<ul>\n", f);
	json_array_foreach(json_object_get(n, "disputes"), i, p)
	{
		fputs("<li>", f);
		html_link(f, n, json_object_get(p, "claim"));
		fputs(" <strong>disputes</strong> ", f);
		html_link(f, n, json_object_get(p, "other"));
		fputs(json_is_true(json_object_get(p, "retracted"))
			? " (retracted)</li>\n"
			: "</li>\n",
		    f);
	}
	fputs("</ul>\n", f);
	if (json_array_size(json_object_get(n, "reviews")) > 0)
		fputs("<h2>Reviews</h2>\n<ul>\n", f);
	json_array_foreach(json_object_get(n, "reviews"), i, p)
	{
		fputs("<li>", f);
		html_link(f, n, json_object_get(p, "claim"));
		fputs(" <strong>rates</strong> ", f);
		html_link(f, n, json_object_get(p, "other"));
		fputs(" <span class=\"rating\">", f);
		cli_html_esc(f, rating_str(json_object_get(p, "rating")));
		fputs(json_is_true(json_object_get(p, "retracted"))
			? "</span> (retracted)</li>\n"
			: "</span></li>\n",
		    f);
	}
	if (json_array_size(json_object_get(n, "reviews")) > 0)
		fputs("</ul>\n", f);
	fputs("<h2>Side by side</h2>\n<table><thead><tr>"
	      "<th class=\"date\">made</th>",
	    f);
	json_array_foreach(parties, i, p)
	{
		fputs("<th>", f);
		cli_html_esc(f, json_string_value(p));
		fputs("</th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
	json_array_foreach(json_object_get(n, "timeline"), i, id)
	{
		json_t *c = card(n, id);

		fputs("<tr><td class=\"date\">", f);
		cli_html_esc(
		    f, json_object_get(c, "made") ? str(c, "made") : "undated");
		fputs("</td>", f);
		for (k = 0; k < np; k++) {
			fputs("<td>", f);
			if (strcmp(
				json_string_value(json_array_get(parties, k)),
				str(c, "party")) == 0)
				html_card(f, n, id);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n<h2>Sources both sides cite</h2>\n<ul>\n", f);
	json_array_foreach(json_object_get(n, "shared_sources"), i, s)
	{
		json_t *src = json_object_get(s, "source"), *ids;
		const char *party;

		fputs("<li>", f);
		cli_html_esc(f, str(src, "publisher"));
		fputs(", &ldquo;", f);
		cli_html_esc(f, str(src, "title"));
		fputs("&rdquo;", f);
		json_object_foreach(json_object_get(s, "cited_by"), party, ids)
		{
			fputs(" &middot; ", f);
			cli_html_esc(f, party);
			json_array_foreach(ids, k, id)
			    fprintf(f, " <a href=\"#c-%s\">%.8s</a>",
				json_string_value(id), json_string_value(id));
		}
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
	html_independence(f, n);
	html_only(f, n);
	html_off_topic(f, n);
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
