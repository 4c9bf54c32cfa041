/*
 * cmd_import.c: claim import --claimreview FILE|- [--topic T]
 * [--admin-key FILE] [--window N]
 *
 * schema.org ClaimReview (JSON-LD objects, arrays, @graph, JSON Lines, or
 * HTML pages holding <script type="application/ld+json"> blocks) into
 * claims: each review becomes the claimant's claim and the fact-checker's
 * review of it, linked by a review relation with the rating
 * (docs/interop.md). The claims go through batch.c as claim submit's do,
 * so that a second import of the same file reports each as existing.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

#define WINDOW_DEFAULT 64
#define SLUG_WORDS_MAX 48 /* of the 64 a slug may have, before a hash */

/* claim import --help, and the line of claim --help. */
const struct cmd_text cmd_import_usage = {
    "import --claimreview FILE|- [--topic T] [--admin-key FILE] "
    "[--window N]",
    "Import schema.org ClaimReview (JSON-LD, JSON Lines or HTML pages): "
    "claims, fact-checks and ratings",
    "  --claimreview FILE  the ClaimReview input; - for standard input\n"
    "  --topic T           the topic of every imported claim (default\n"
    "                      fact-checks)\n"
    "  --admin-key FILE    register the parties not yet held and grant\n"
    "                      them to --key (otherwise import names them\n"
    "                      and stops)\n"
    "  --window N          submissions in flight (default 64)\n",
};

/*
 * Party slugs from names (docs/interop.md, Parties): ASCII letters and
 * digits lowercased, every other run of characters one '-', at most 48
 * of them; a name with any other character (any script but Latin
 * without accents) gets "-" and 8 hex digits of the SHA-256 of the whole
 * name, so that names that differ only there stay apart ("p-..." when no
 * ASCII letter is left).
 */
void
import_slug(const char *name, char out[PROTO_SLUG_MAX + 1])
{
	uint8_t h[PROTO_HASH_LEN];
	char hex[2 * PROTO_HASH_LEN + 1];
	bool dash = true, other = false;
	size_t n = 0;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		if (isascii(*s) && isalnum(*s)) {
			if (n < SLUG_WORDS_MAX)
				out[n++] = (char)tolower(*s);
			dash = false;
			continue;
		}
		if (*s >= 0x80)
			other = true;
		if (!dash && n < SLUG_WORDS_MAX)
			out[n++] = '-';
		dash = true;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (!other && n > 0)
		return;
	proto_sha256(name, strlen(name), h);
	proto_hex(h, 4, hex);
	snprintf(out + n, PROTO_SLUG_MAX + 1 - n, "%s%s", n ? "-" : "p-", hex);
}

/* A name as kept: white space trimmed and each run of it one space. */
static char *
clean_name(const char *s)
{
	char *out = malloc(strlen(s) + 1);
	size_t n = 0;
	bool space = false;

	if (out == NULL)
		return NULL;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = *s;
	}
	out[n] = '\0';
	return out;
}

/* s cut to at most max bytes, at a character boundary; a new string. */
static json_t *
cut_string(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return json_stringn(s, n);
}

struct import {
	struct cli *cli;
	const char *topic;
	json_t *ops;      /* [[line, op]] in input order */
	json_t *refusals; /* [[line, reason]] */
	json_t *parties;  /* slug -> name */
	json_t *claims;   /* "party\x1fstatement\x1fmade" -> label */
	size_t reviews, nlabels;
};

/*
 * JSON-LD, as ClaimReview markup writes it
 */

/* Whether a @context names schema.org: a string, {"@vocab"}, an array. */
static bool
context_ok(json_t *c)
{
	const char *s;
	json_t *v;
	size_t i;

	if (json_is_array(c)) {
		json_array_foreach(c, i, v) if (context_ok(v)) return true;
		return false;
	}
	if (json_is_object(c))
		return context_ok(json_object_get(c, "@vocab")) ||
		    context_ok(json_object_get(c, "schema"));
	if ((s = json_string_value(c)) == NULL)
		return false;
	return strncmp(s, "http://schema.org", 17) == 0 ||
	    strncmp(s, "https://schema.org", 18) == 0;
}

/* A term without its schema.org prefix ("schema:Claim", full IRIs). */
static const char *
term(const char *s)
{
	static const char *const prefixes[] = {
	    "schema:", "http://schema.org/", "https://schema.org/"};

	for (size_t i = 0; i < 3; i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return s + strlen(prefixes[i]);
	return s;
}

static bool
has_type(json_t *o, const char *type)
{
	json_t *t = json_object_get(o, "@type"), *v;
	size_t i;

	if (json_is_string(t))
		return strcmp(term(json_string_value(t)), type) == 0;
	json_array_foreach(t, i, v) if (json_is_string(v) &&
	    strcmp(term(json_string_value(v)), type) == 0) return true;
	return false;
}

/* A property, written plain or as "schema:NAME"; the first of an array. */
static json_t *
prop(json_t *o, const char *name)
{
	char key[64];
	json_t *v;

	if (!json_is_object(o))
		return NULL;
	if ((v = json_object_get(o, name)) == NULL) {
		snprintf(key, sizeof(key), "schema:%s", name);
		v = json_object_get(o, key);
	}
	if (json_is_array(v))
		v = json_array_get(v, 0);
	return v;
}

/* Text of a value: a string, {"@value"}, a number; NULL if none. */
static const char *
text_of(json_t *v)
{
	static char num[64];

	if (json_is_object(v))
		v = json_object_get(v, "@value");
	if (json_is_string(v))
		return json_string_value(v)[0] ? json_string_value(v) : NULL;
	if (json_is_integer(v)) {
		snprintf(
		    num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return num;
	}
	if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
		return num;
	}
	return NULL;
}

/*
 * Text that is words, never a number: its pointer stays valid while v
 * does (text_of() writes numbers into one buffer, which the next call
 * overwrites).
 */
static const char *
words(json_t *v)
{
	if (json_is_object(v))
		v = json_object_get(v, "@value");
	return json_is_string(v) && json_string_value(v)[0]
	    ? json_string_value(v)
	    : NULL;
}

/* The name of a Person, an Organization, or a bare name. */
static const char *
name_of(json_t *v)
{
	if (json_is_string(v))
		return words(v);
	return words(prop(v, "name"));
}

/* The date of an ISO 8601 date or date-time, into out; false if none. */
static bool
date_of(json_t *v, char out[11])
{
	const char *s = text_of(v);

	if (s == NULL || strlen(s) < 10 || !proto_date_valid(s, 10) ||
	    (s[10] != '\0' && s[10] != 'T' && s[10] != ' '))
		return false;
	memcpy(out, s, 10);
	out[10] = '\0';
	return true;
}

/* The url of a thing: "url", else "@id" when it is a web address. */
static const char *
url_of(json_t *v)
{
	const char *u = text_of(prop(v, "url"));

	if (u == NULL && json_is_string(v))
		u = json_string_value(v);
	if (u == NULL)
		u = text_of(json_object_get(v, "@id"));
	if (u != NULL && strncmp(u, "http://", 7) != 0 &&
	    strncmp(u, "https://", 8) != 0)
		return NULL;
	return u;
}

/*
 * Building the claims
 */

/* The party for a name: its slug, noting the name to register. */
static int
party_for(struct import *im, const char *raw, char slug[PROTO_SLUG_MAX + 1])
{
	char *name = clean_name(raw);

	if (name == NULL)
		return PROTO_ENOMEM;
	import_slug(name, slug);
	if (json_object_get(im->parties, slug) == NULL)
		json_object_set_new(
		    im->parties, slug, cut_string(name, PROTO_NAME_MAX));
	free(name);
	return PROTO_OK;
}

static json_t *
source(const char *publisher, const char *title, const char *url,
    const char *published)
{
	json_t *s = json_object();

	json_object_set_new(
	    s, "publisher", cut_string(publisher, PROTO_LABEL_MAX));
	json_object_set_new(s, "title", cut_string(title, PROTO_LABEL_MAX));
	if (url != NULL && strlen(url) <= PROTO_URL_MAX)
		json_object_set_new(s, "url", json_string(url));
	if (published != NULL)
		json_object_set_new(s, "published", json_string(published));
	return s;
}

/* An appearance of the claim (a CreativeWork, or its url) as a source. */
static json_t *
appearance(json_t *a, const char *claimant)
{
	const char *url = url_of(a), *pub, *title;
	char date[11];
	bool dated = date_of(prop(a, "datePublished"), date);

	pub = name_of(prop(a, "publisher"));
	if (pub == NULL)
		pub = name_of(prop(a, "author"));
	if (pub == NULL)
		pub = claimant;
	title = text_of(prop(a, "headline"));
	if (title == NULL)
		title = text_of(prop(a, "name"));
	if (title == NULL)
		title = url;
	if (title == NULL)
		return NULL;
	return source(pub, title, url, dated ? date : NULL);
}

/* The rating: {"text", ? "value", ? "best", ? "worst"}, or a reason. */
static json_t *
rating(json_t *r, const char **why)
{
	char canon[PROTO_DECIMAL_MAX + 1];
	const char *text, *v;
	json_t *g = json_object();
	static const char *const nums[][2] = {{"ratingValue", "value"},
	    {"bestRating", "best"}, {"worstRating", "worst"}};

	for (size_t i = 0; i < 3; i++) {
		if ((v = text_of(prop(r, nums[i][0]))) == NULL)
			continue;
		if (proto_decimal_canon(v, strlen(v), canon) == PROTO_OK)
			json_object_set_new(g, nums[i][1], json_string(canon));
		else if (i > 0) {
			*why = "bestRating or worstRating is not a number";
			json_decref(g);
			return NULL;
		}
	}
	/* What the publisher says in words: alternateName (Google's
	 * "the truthfulness rating"), else name, else a worded
	 * ratingValue, else the number itself. */
	text = text_of(prop(r, "alternateName"));
	if (text == NULL)
		text = text_of(prop(r, "name"));
	if (text == NULL && (v = text_of(prop(r, "ratingValue"))) != NULL)
		text = v;
	if (text == NULL) {
		*why = "reviewRating has no alternateName, name or ratingValue";
		json_decref(g);
		return NULL;
	}
	json_object_set_new(g, "text", cut_string(text, PROTO_RATING_TEXT_MAX));
	return g;
}

static void
refuse(struct import *im, long line, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	json_array_append_new(
	    im->refusals, json_pack("[I, s]", (json_int_t)line, msg));
}

/* One ClaimReview: the claimant's claim (unless an earlier review made
 * the same one) and the review. */
static void
review(struct import *im, json_t *r, long line)
{
	json_t *item = prop(r, "itemReviewed"), *claim, *rev, *sources;
	json_t *rel, *g, *a;
	const char *said = words(prop(r, "claimReviewed")), *why = NULL;
	const char *claimant, *checker, *url = url_of(r), *title;
	char cslug[PROTO_SLUG_MAX + 1], fslug[PROTO_SLUG_MAX + 1];
	char made[11], reviewed[11], label[32], *key, *statement;
	bool has_made, has_reviewed;
	size_t i;

	im->reviews++;
	if (said == NULL && item != NULL)
		said = words(prop(item, "text"));
	if (said == NULL && item != NULL)
		said = words(prop(item, "name"));
	if (said == NULL) {
		refuse(im, line, "%sno claimReviewed", "");
		return;
	}
	claimant = name_of(prop(item, "author"));
	if (claimant == NULL) {
		refuse(im, line,
		    "%sno claimant (itemReviewed.author has no name)", "");
		return;
	}
	checker = name_of(prop(r, "author"));
	if (checker == NULL)
		checker = name_of(prop(r, "publisher"));
	if (checker == NULL) {
		refuse(im, line, "%sno fact-checker (author has no name)", "");
		return;
	}
	if ((g = rating(prop(r, "reviewRating"), &why)) == NULL) {
		refuse(im, line, "%s", why ? why : "no reviewRating");
		return;
	}
	if (party_for(im, claimant, cslug) != PROTO_OK ||
	    party_for(im, checker, fslug) != PROTO_OK) {
		json_decref(g);
		{
			refuse(im, line, "%sout of memory", "");
			return;
		}
	}
	has_made = date_of(prop(item, "datePublished"), made);
	has_reviewed = date_of(prop(r, "datePublished"), reviewed);

	/* The claimant's claim, once for every review of it. */
	statement = malloc(strlen(said) + 1);
	if (statement == NULL)
		return;
	snprintf(statement, strlen(said) + 1, "%s", said);
	if ((key = malloc(strlen(cslug) + strlen(said) + 16)) == NULL) {
		free(statement);
		return;
	}
	sprintf(key, "%s\x1f%s\x1f%s", cslug, said, has_made ? made : "");
	if (json_object_get(im->claims, key) != NULL) {
		snprintf(label, sizeof(label), "%s",
		    json_string_value(json_object_get(im->claims, key)));
	} else {
		snprintf(label, sizeof(label), "cr-%zu", im->nlabels++);
		json_object_set_new(im->claims, key, json_string(label));
		claim = json_object();
		json_object_set_new(claim, "ref", json_string(label));
		json_object_set_new(claim, "party", json_string(cslug));
		json_object_set_new(
		    claim, "topics", json_pack("[s]", im->topic));
		json_object_set_new(claim, "statement",
		    cut_string(statement, PROTO_STATEMENT_MAX));
		if (has_made)
			json_object_set_new(claim, "made", json_string(made));
		sources = json_array();
		/* Where the claim was made: appearance, firstAppearance,
		 * or an itemReviewed that is itself the work. */
		json_array_foreach(json_object_get(item, "appearance"), i, a)
		{
			json_t *s = appearance(a, claimant);

			if (s != NULL)
				json_array_append_new(sources, s);
		}
		if (json_is_object(json_object_get(item, "appearance")) ||
		    json_is_string(json_object_get(item, "appearance")))
			if ((a = appearance(json_object_get(item, "appearance"),
				 claimant)) != NULL)
				json_array_append_new(sources, a);
		if ((a = prop(item, "firstAppearance")) != NULL &&
		    (a = appearance(a, claimant)) != NULL)
			json_array_append_new(sources, a);
		if (json_array_size(sources) == 0 && url_of(item) != NULL &&
		    (a = appearance(item, claimant)) != NULL)
			json_array_append_new(sources, a);
		while (json_array_size(sources) > PROTO_SOURCES_MAX)
			json_array_remove(sources, PROTO_SOURCES_MAX);
		json_object_set_new(claim, "sources", sources);
		json_array_append_new(
		    im->ops, json_pack("[I, o]", (json_int_t)line, claim));
	}
	free(key);

	/* The fact-checker's review, rating it. */
	rev = json_object();
	json_object_set_new(rev, "party", json_string(fslug));
	json_object_set_new(rev, "topics", json_pack("[s]", im->topic));
	{
		const char *t = json_string_value(json_object_get(g, "text"));
		size_t n = strlen(t) + strlen(statement) + 32;
		char *s = malloc(n);

		if (s == NULL)
			return;
		snprintf(s, n, "Rated \"%s\": %s", t, statement);
		json_object_set_new(
		    rev, "statement", cut_string(s, PROTO_STATEMENT_MAX));
		free(s);
	}
	free(statement);
	if (has_reviewed)
		json_object_set_new(rev, "made", json_string(reviewed));
	title = text_of(prop(r, "headline"));
	if (title == NULL)
		title = text_of(prop(r, "name"));
	if (title == NULL)
		title = "Fact check";
	json_object_set_new(rev, "sources",
	    json_pack("[o]",
		source(checker, title, url, has_reviewed ? reviewed : NULL)));
	{
		char at[40];

		snprintf(at, sizeof(at), "@%s", label);
		rel = json_pack("{s:s, s:s, s:o}", "rel", "review", "claim", at,
		    "rating", g);
	}
	json_object_set_new(rev, "relations", json_pack("[o]", rel));
	json_array_append_new(
	    im->ops, json_pack("[I, o]", (json_int_t)line, rev));
}

/* Every ClaimReview in v, under a @context that names schema.org. */
static void
walk(struct import *im, json_t *v, bool schema, long line, int depth)
{
	json_t *x;
	size_t i;

	if (depth > 8)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		    walk(im, x, schema, line, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	if (json_object_get(v, "@context") != NULL)
		schema = context_ok(json_object_get(v, "@context"));
	if (has_type(v, "ClaimReview")) {
		if (!schema) {
			im->reviews++;
			refuse(im, line,
			    "%sa ClaimReview without a schema.org @context",
			    "");
			return;
		}
		review(im, v, line);
		return;
	}
	walk(im, json_object_get(v, "@graph"), schema, line, depth + 1);
	/* A page's markup may hang the review off the page. */
	walk(im, json_object_get(v, "mainEntity"), schema, line, depth + 1);
	walk(im, json_object_get(v, "review"), schema, line, depth + 1);
}

/*
 * Reading the input
 */

static long
lines_in(const char *s, size_t n)
{
	long l = 0;

	for (size_t i = 0; i < n; i++)
		l += s[i] == '\n';
	return l;
}

/*
 * JSON values one after another (one document, JSON Lines, or a
 * top-level array whose items are read one by one for their lines).
 * line is the line text starts on.
 */
static void
read_json(struct import *im, const char *text, size_t len, long line)
{
	size_t pos = 0;
	bool in_array = false;

	for (;;) {
		json_error_t jerr;
		json_t *v;
		size_t skip = strspn(text + pos, " \t\r\n");

		line += lines_in(text + pos, skip);
		pos += skip;
		if (in_array && pos < len && (text[pos] == ',')) {
			pos++;
			continue;
		}
		if (in_array && pos < len && text[pos] == ']') {
			in_array = false;
			pos++;
			continue;
		}
		if (pos >= len)
			return;
		if (!in_array && text[pos] == '[') {
			in_array = true;
			pos++;
			continue;
		}
		v = json_loadb(text + pos, len - pos,
		    JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY |
			JSON_REJECT_DUPLICATES,
		    &jerr);
		if (v == NULL) {
			const char *nl = memchr(text + pos, '\n', len - pos);

			char why[256];

			snprintf(why, sizeof(why), "%s (line %ld)", jerr.text,
			    line + (jerr.line > 0 ? jerr.line - 1 : 0));
			refuse(im, line, "not JSON: %s", why);
			/* On with the next line, as JSON Lines go. */
			if (nl == NULL || in_array)
				return;
			line++;
			pos = (size_t)(nl - text) + 1;
			continue;
		}
		walk(im, v, false, line, 0);
		json_decref(v);
		line += lines_in(text + pos, (size_t)jerr.position);
		pos += (size_t)jerr.position;
	}
}

static const char *
find_ci(const char *s, const char *end, const char *what)
{
	size_t n = strlen(what);

	for (; s + n <= end; s++)
		if (strncasecmp(s, what, n) == 0)
			return s;
	return NULL;
}

/* The JSON-LD blocks of an HTML page. */
static void
read_html(struct import *im, const char *text, size_t len)
{
	const char *end = text + len, *s = text, *tag, *close, *body;

	while ((tag = find_ci(s, end, "<script")) != NULL) {
		if ((close = memchr(tag, '>', (size_t)(end - tag))) == NULL)
			return;
		body = close + 1;
		s = find_ci(body, end, "</script");
		if (s == NULL)
			s = end;
		if (find_ci(tag, close, "application/ld+json") != NULL)
			read_json(im, body, (size_t)(s - body),
			    1 + lines_in(text, (size_t)(body - text)));
	}
}

/*
 * Parties: registered with --admin-key, or named and the import stopped
 */

static int
submit_admin(struct cli *cli, struct proto_payload *p, const char *what)
{
	struct proto_buf rec;
	struct claim_ack ack;
	int rc;

	p->time = (uint64_t)time(NULL);
	proto_buf_init(&rec);
	if ((rc = cli_sign(cli, p, &rec)) == EX_DONE &&
	    (rc = cli_submit_one(cli, &rec, &ack)) == EX_DONE && !cli->json)
		cli_warn("%s", what);
	proto_buf_release(&rec);
	return rc;
}

static int
ensure_parties(struct import *im, const char *admin_key)
{
	struct cli *cli = im->cli;
	json_t *have = NULL, *p, *g;
	const char *slug;
	uint8_t pk[PROTO_PUBKEY_LEN];
	char hex[2 * PROTO_PUBKEY_LEN + 1], msg[PROTO_NAME_MAX + 128];
	size_t i, missing = 0, ungranted = 0;
	int rc;

	if ((rc = cli_load_key(cli)) != EX_DONE ||
	    (rc = cli_parties_fetch(cli, &have)) != EX_DONE)
		return rc;
	memcpy(pk, cli->sk + PROTO_SEED_LEN, PROTO_PUBKEY_LEN);
	proto_hex(pk, PROTO_PUBKEY_LEN, hex);
	json_object_foreach(im->parties, slug, p)
	{
		bool known = false, granted = false;

		json_array_foreach(json_object_get(have, "parties"), i, g)
		    known |=
		    strcmp(json_string_value(json_array_get(g, 0)), slug) == 0;
		json_array_foreach(json_object_get(have, "grants"), i, g)
		    granted |= strcmp(json_string_value(json_array_get(g, 1)),
				   slug) == 0 &&
		    strcmp(json_string_value(json_array_get(g, 0)), hex) == 0;
		if (known && granted)
			continue;
		if (admin_key == NULL) {
			if (!known)
				cli_warn("party %s is not registered: claim "
					 "party add %s --name \"%s\"",
				    slug, slug, json_string_value(p));
			cli_warn("key %.16s holds no grant for %s: claim grant "
				 "%s --party %s",
			    hex, slug, hex, slug);
			missing += !known;
			ungranted++;
			continue;
		}
		{
			/* Sign these with the admin key, then go back to
			 * the desk's. */
			uint8_t *desk = cli->sk;
			const char *deskfile = cli->keyfile;
			struct proto_payload pl;

			cli->sk = NULL;
			cli->keyfile = admin_key;
			proto_payload_init(&pl);
			rc = EX_DONE;
			if (!known) {
				pl.kind = PROTO_KIND_PARTY;
				pl.reg.party = strdup(slug);
				pl.reg.name = strdup(json_string_value(p));
				snprintf(msg, sizeof(msg), "party %s added: %s",
				    slug, json_string_value(p));
				rc = submit_admin(cli, &pl, msg);
				proto_payload_release(&pl);
			}
			if (rc == EX_DONE) {
				pl.kind = PROTO_KIND_GRANT;
				pl.reg.party = strdup(slug);
				memcpy(pl.reg.key, pk, PROTO_PUBKEY_LEN);
				snprintf(msg, sizeof(msg),
				    "key %.16s granted for %s", hex, slug);
				rc = submit_admin(cli, &pl, msg);
				proto_payload_release(&pl);
			}
			if (cli->sk != NULL)
				sodium_free(cli->sk);
			cli->sk = desk;
			cli->keyfile = deskfile;
			if (rc != EX_DONE) {
				json_decref(have);
				return rc;
			}
		}
	}
	json_decref(have);
	if (missing + ungranted > 0)
		return cli_fail_err(PROTO_EUNAUTHORIZED, false,
		    "%zu %s to register and %zu %s to grant: run the commands "
		    "above with the admin key, or give --admin-key FILE",
		    missing, cli_noun(missing, "party", "parties"), ungranted,
		    cli_noun(ungranted, "grant", "grants"));
	return EX_DONE;
}

static void
progress(size_t done, size_t total)
{
	fprintf(stderr, "\rimport: %zu/%zu claims sent", done, total);
	if (done == total)
		fputc('\n', stderr);
}

int
cmd_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"claimreview", required_argument, NULL, 'c'},
	    {"topic", required_argument, NULL, 't'},
	    {"admin-key", required_argument, NULL, 'a'},
	    {"window", required_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	const struct cmd *me = cli_cmd("import");
	const char *path = NULL, *topic = "fact-checks", *admin = NULL;
	struct import im;
	struct batch *b = NULL;
	uint64_t window = WINDOW_DEFAULT;
	char err[256], *text;
	size_t len, nops, next_ref = 0, sent = 0;
	bool bar;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c')
			path = optarg;
		else if (c == 't')
			topic = optarg;
		else if (c == 'a')
			admin = optarg;
		else if (c == 'w' && cli_parse_u64(optarg, &window) &&
		    window >= 1 && window <= 4096)
			;
		else if (c == 'w')
			return cli_usage_error(me, "--window takes 1 to 4096");
		else
			return cli_bad_option(me, argv);
	}
	if (admin == NULL)
		admin = getenv("CLAIM_ADMIN_KEY");
	if (optind != argc)
		return cli_usage_error(me, "unexpected \"%s\"", argv[optind]);
	if (path == NULL)
		return cli_usage_error(me, "give --claimreview FILE (or -)");
	if (!proto_slug_valid(topic, strlen(topic)))
		return cli_usage_error(
		    me, "--topic \"%s\" is not a slug", topic);
	if ((text = cli_read_input(path, &len, err, sizeof(err))) == NULL)
		return cli_fail(EX_USAGE, "%s", err);
	memset(&im, 0, sizeof(im));
	im.cli = cli;
	im.topic = topic;
	im.ops = json_array();
	im.refusals = json_array();
	im.parties = json_object();
	im.claims = json_object();
	{
		size_t lead = strspn(text, " \t\r\n\xef\xbb\xbf");

		if (lead < len && text[lead] == '<')
			read_html(&im, text, len);
		else
			read_json(&im, text, len, 1);
	}
	free(text);
	nops = json_array_size(im.ops);
	if (im.reviews == 0 && json_array_size(im.refusals) == 0) {
		rc = cli_usage_error(me, "no ClaimReview in %s",
		    strcmp(path, "-") ? path : "standard input");
		goto done;
	}
	if (!cli->json)
		cli_warn("%zu ClaimReview %s: %zu %s to submit, %zu refused "
			 "here",
		    im.reviews, cli_noun(im.reviews, "record", "records"), nops,
		    cli_noun(nops, "claim", "claims"),
		    json_array_size(im.refusals));
	if (nops > 0 && (rc = ensure_parties(&im, admin)) != EX_DONE)
		goto done;
	if ((rc = batch_begin(&b, cli, (size_t)window, true)) != EX_DONE)
		goto done;
	bar = !cli->json && isatty(STDERR_FILENO) && nops >= 200;
	/* Ops and refusals in input order: each refusal by its line. */
	for (size_t i = 0; i < nops; i++) {
		json_t *o = json_array_get(im.ops, i);
		long line = (long)json_integer_value(json_array_get(o, 0));

		while (next_ref < json_array_size(im.refusals)) {
			json_t *r = json_array_get(im.refusals, next_ref);

			if (json_integer_value(json_array_get(r, 0)) > line)
				break;
			(void)batch_bad_line(b,
			    (long)json_integer_value(json_array_get(r, 0)),
			    PROTO_EJSON, "%s",
			    json_string_value(json_array_get(r, 1)));
			next_ref++;
		}
		if (rc != EX_DONE) {
			batch_skip(b, line);
			continue;
		}
		rc = batch_add(b, json_array_get(o, 1), line);
		if (bar && (++sent % 50 == 0 || sent == nops))
			progress(sent, nops);
	}
	for (; next_ref < json_array_size(im.refusals); next_ref++) {
		json_t *r = json_array_get(im.refusals, next_ref);

		(void)batch_bad_line(b,
		    (long)json_integer_value(json_array_get(r, 0)), PROTO_EJSON,
		    "%s", json_string_value(json_array_get(r, 1)));
	}
	rc = batch_end(b, rc);
done:
	json_decref(im.ops);
	json_decref(im.refusals);
	json_decref(im.parties);
	json_decref(im.claims);
	return rc;
}
