/*
 * payload.c: the claim and registry payload schema of docs/format.md:
 * validation, deterministic encoding and strict decoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

/*
 * Names
 */

static const char *const kind_names[] = {
    [PROTO_KIND_CLAIM] = "claim",
    [PROTO_KIND_PARTY] = "party",
    [PROTO_KIND_GRANT] = "grant",
    [PROTO_KIND_REVOKE] = "revoke",
    [PROTO_KIND_OWNER] = "owner",
};
static const char *const status_names[] = {"asserted", "retracted"};
static const char *const rel_names[] = {
    "supports", "disputes", "cites", "review"};
static const char *const how_names[] = {
    "quotes", "reports", "translates", "summarizes", "republishes"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
name_parse(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strlen(names[i]) == len &&
		    memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

static const char *
name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] != NULL ? names[v] : "?";
}

const char *
proto_kind_name(enum proto_kind k)
{
	return name_of(kind_names, NELEM(kind_names), k);
}

const char *
proto_status_name(enum proto_status s)
{
	return name_of(status_names, NELEM(status_names), s);
}

const char *
proto_rel_name(enum proto_rel r)
{
	return name_of(rel_names, NELEM(rel_names), r);
}

const char *
proto_how_name(enum proto_how h)
{
	return name_of(how_names, NELEM(how_names), h);
}

int
proto_kind_parse(const char *s)
{
	return name_parse(kind_names, NELEM(kind_names), s, strlen(s));
}

int
proto_status_parse(const char *s)
{
	return name_parse(status_names, NELEM(status_names), s, strlen(s));
}

int
proto_rel_parse(const char *s)
{
	return name_parse(rel_names, NELEM(rel_names), s, strlen(s));
}

int
proto_how_parse(const char *s)
{
	return name_parse(how_names, NELEM(how_names), s, strlen(s));
}

/*
 * Field checks
 */

bool
proto_slug_valid(const char *s, size_t n)
{
	if (n < 1 || n > PROTO_SLUG_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool
proto_date_valid(const char *s, size_t n)
{
	static const int mdays[] = {
	    31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	return true;
}

bool
proto_text_valid(const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;

	if (!proto_utf8_valid(u, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t w;

		/*
		 * Eight printable ASCII bytes (0x20..0x7e) at a time. With
		 * no high bit set no byte carries into the next: b + 0x60
		 * has its high bit iff b >= 0x20, b + 0x01 iff b == 0x7f.
		 */
		while (n - i >= 8) {
			memcpy(&w, u + i, 8);
			if (((w | ~(w + 0x6060606060606060ULL) |
				 (w + 0x0101010101010101ULL)) &
				0x8080808080808080ULL) != 0)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' &&
			u[i] != '\r') ||
		    u[i] == 0x7f)
			return false;
		/* C1 controls U+0080..U+009F are encoded c2 80..c2 9f. */
		if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f)
			return false;
	}
	return true;
}

/* A text field: present or not as required, valid, within max. */
static int
check_text(const char *what, const char *s, bool required, size_t max,
    char *err, size_t errlen)
{
	size_t n;

	if (s == NULL)
		return required
		    ? proto_fail(err, errlen, PROTO_ESCHEMA, "%s missing", what)
		    : PROTO_OK;
	n = strlen(s);
	if (n > max)
		return proto_fail(err, errlen, PROTO_ETOOBIG,
		    "%s of %zu bytes exceeds %zu", what, n, max);
	if (!proto_text_valid(s, n))
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "%s holds a control character or invalid UTF-8", what);
	return PROTO_OK;
}

static int
check_nonempty(
    const char *what, const char *s, size_t max, char *err, size_t errlen)
{
	int rc;

	if ((rc = check_text(what, s, true, max, err, errlen)) != PROTO_OK)
		return rc;
	if (*s == '\0')
		return proto_fail(
		    err, errlen, PROTO_ESCHEMA, "%s is empty", what);
	return PROTO_OK;
}

static int
check_slug(const char *what, const char *s, char *err, size_t errlen)
{
	if (s == NULL)
		return proto_fail(
		    err, errlen, PROTO_ESCHEMA, "%s missing", what);
	if (!proto_slug_valid(s, strlen(s)))
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "%s \"%.64s\" is not a slug (1 to 64 of a-z 0-9 -)", what,
		    s);
	return PROTO_OK;
}

static int
check_date(const char *what, const char *s, char *err, size_t errlen)
{
	if (s != NULL && !proto_date_valid(s, strlen(s)))
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "%s \"%.16s\" is not a date (YYYY-MM-DD)", what, s);
	return PROTO_OK;
}

/*
 * Rating numbers (docs/format.md, Ratings): decimal text, since the
 * format has no floats, in one canonical spelling per value.
 */

bool
proto_decimal_valid(const char *s, size_t n)
{
	size_t i = 0, d = 0, f = 0;

	if (n > 0 && s[0] == '-')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	if (s[i] == '0') {
		i++;
		d = 1;
		if (i < n && s[i] >= '0' && s[i] <= '9')
			return false; /* a leading zero */
	}
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		if (++d > PROTO_DECIMAL_INT_MAX)
			return false;
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (++f > PROTO_DECIMAL_FRAC_MAX)
				return false;
		if (f == 0 || s[i - 1] == '0')
			return false; /* "1." or a trailing zero */
	}
	if (i != n)
		return false;
	/* "-0" and "-0.0..." are not canonical: zero has no sign. */
	if (s[0] == '-' && proto_decimal_micros(s) == 0)
		return false;
	return true;
}

int64_t
proto_decimal_micros(const char *s)
{
	int64_t v = 0;
	int neg = *s == '-', frac = -1;

	for (s += neg; *s != '\0'; s++) {
		if (*s == '.') {
			frac = 0;
			continue;
		}
		v = v * 10 + (*s - '0');
		if (frac >= 0)
			frac++;
	}
	for (frac = frac < 0 ? 0 : frac; frac < PROTO_DECIMAL_FRAC_MAX; frac++)
		v *= 10;
	return neg ? -v : v;
}

int
proto_decimal_canon(const char *s, size_t n, char out[PROTO_DECIMAL_MAX + 1])
{
	const char *ip, *fp = NULL;
	size_t in = 0, fn = 0, o = 0;
	bool neg = false;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 0 && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
		n--;
	}
	ip = s;
	while (in < n && ip[in] >= '0' && ip[in] <= '9')
		in++;
	if (in < n && ip[in] == '.') {
		fp = ip + in + 1;
		while (in + 1 + fn < n && fp[fn] >= '0' && fp[fn] <= '9')
			fn++;
		if (in + 1 + fn != n)
			return PROTO_EINVAL;
	} else if (in != n)
		return PROTO_EINVAL;
	if (in + fn == 0)
		return PROTO_EINVAL;
	while (in > 0 && *ip == '0') {
		ip++;
		in--;
	}
	while (fn > 0 && fp[fn - 1] == '0')
		fn--;
	if (in > PROTO_DECIMAL_INT_MAX || fn > PROTO_DECIMAL_FRAC_MAX)
		return PROTO_EINVAL;
	if (neg && in + fn > 0)
		out[o++] = '-';
	if (in == 0)
		out[o++] = '0';
	memcpy(out + o, ip, in);
	o += in;
	if (fn > 0) {
		out[o++] = '.';
		memcpy(out + o, fp, fn);
		o += fn;
	}
	out[o] = '\0';
	return PROTO_OK;
}

/*
 * Times and dates
 *
 * Days are counted from 1970-01-01 in the proleptic Gregorian calendar,
 * by Howard Hinnant's days_from_civil and civil_from_days: no time zone,
 * no C library, the same answer everywhere.
 */

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The UTC date of unix time t, YYYY-MM-DD (more digits past 9999). */
static void
date_of(uint64_t t, char out[32])
{
	int64_t z = (int64_t)(t / PROTO_DAY) + 719468, era, y;
	unsigned doe, yoe, doy, mp, d, m;

	era = z / 146097; /* z >= 0 */
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	snprintf(out, 32, "%04lld-%02u-%02u", (long long)(y + (m <= 2)), m, d);
}

/* The day of a date proto_date_valid() accepted, counted from 1970-01-01. */
static int64_t
date_day(const char *s)
{
	int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
	    (s[2] - '0') * 10 + (s[3] - '0');
	unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));

	return days_from_civil(y, m, d);
}

static int
check_time(uint64_t t, char *err, size_t errlen)
{
	if (t < PROTO_TIME_MIN)
		return proto_fail(err, errlen, PROTO_ETIME,
		    "time %llu is before 2000-01-01 (%llu)",
		    (unsigned long long)t, (unsigned long long)PROTO_TIME_MIN);
	if (t >= PROTO_TIME_END)
		return proto_fail(err, errlen, PROTO_ETIME,
		    "time %llu is 2^53 (%llu) or more", (unsigned long long)t,
		    (unsigned long long)PROTO_TIME_END);
	return PROTO_OK;
}

/*
 * A statement is not made after it is recorded: "made" is at most the
 * day after the UTC date of "time", a margin for the parties' time zones.
 * A valid date and a time check_time() accepted only.
 */
static int
check_made(const char *made, uint64_t t, char *err, size_t errlen)
{
	char day[32];

	if (made == NULL || date_day(made) <= (int64_t)(t / PROTO_DAY) + 1)
		return PROTO_OK;
	date_of(t, day);
	return proto_fail(err, errlen, PROTO_ESCHEMA,
	    "made %s is later than the day after the record's time, %s (%llu)",
	    made, day, (unsigned long long)t);
}

static int
validate_source(const struct proto_claim *c, size_t i, char *err, size_t errlen)
{
	const struct proto_source *s = &c->sources[i];
	int rc;

	if ((rc = check_nonempty(
		 "publisher", s->publisher, PROTO_LABEL_MAX, err, errlen)) ||
	    (rc = check_nonempty(
		 "title", s->title, PROTO_LABEL_MAX, err, errlen)) ||
	    (rc = check_text(
		 "url", s->url, false, PROTO_URL_MAX, err, errlen)) ||
	    (rc = check_date("published", s->published, err, errlen)) ||
	    (rc = check_text(
		 "quote", s->quote, false, PROTO_QUOTE_MAX, err, errlen))) {
		/* Says which source only when one fails: no formatting else. */
		if (err != NULL && errlen > 0) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", err);
			snprintf(err, errlen, "sources[%zu].%s", i, msg);
		}
		return rc;
	}
	if (!s->has_derivation)
		return PROTO_OK;
	if (s->from >= c->nsources || s->from == i)
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "sources[%zu].derivation.from names no other source", i);
	if ((unsigned)s->how >= NELEM(how_names))
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "sources[%zu].derivation.how unknown", i);
	return PROTO_OK;
}

/*
 * Following derivations must reach a primary source within n steps. Run
 * only once every source's own "from" was checked: a chain may pass
 * through sources after this one.
 */
static int
validate_chains(const struct proto_claim *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->nsources; i++)
		for (size_t j = i, steps = 0; c->sources[j].has_derivation;
		     j = c->sources[j].from)
			if (++steps > c->nsources)
				return proto_fail(err, errlen, PROTO_ESCHEMA,
				    "sources[%zu].derivation forms a cycle", i);
	return PROTO_OK;
}

static int
check_decimal(
    size_t i, const char *what, const char *s, char *err, size_t errlen)
{
	if (s == NULL || proto_decimal_valid(s, strlen(s)))
		return PROTO_OK;
	return proto_fail(err, errlen, PROTO_ESCHEMA,
	    "relations[%zu].rating.%s \"%.24s\" is not a canonical decimal "
	    "(such as 4, 2.5 or -1; at most %d digits before the point and %d "
	    "after it)",
	    i, what, s, PROTO_DECIMAL_INT_MAX, PROTO_DECIMAL_FRAC_MAX);
}

/* A review carries its rating; no other relation has one. */
static int
validate_rating(
    const struct proto_relation *r, size_t i, char *err, size_t errlen)
{
	const struct proto_rating *g = r->rating;
	int64_t lo, hi, v;
	int rc;

	if (r->rel != PROTO_REL_REVIEW)
		return g == NULL ? PROTO_OK
				 : proto_fail(err, errlen, PROTO_ESCHEMA,
				       "relations[%zu] is not a review and "
				       "has no rating",
				       i);
	if (g == NULL)
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "relations[%zu] is a review without its rating", i);
	if ((rc = check_nonempty("rating.text", g->text, PROTO_RATING_TEXT_MAX,
		 err, errlen)) != PROTO_OK) {
		if (err != NULL && errlen > 0) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", err);
			snprintf(err, errlen, "relations[%zu].%s", i, msg);
		}
		return rc;
	}
	if ((rc = check_decimal(i, "value", g->value, err, errlen)) ||
	    (rc = check_decimal(i, "best", g->best, err, errlen)) ||
	    (rc = check_decimal(i, "worst", g->worst, err, errlen)))
		return rc;
	if (g->best == NULL || g->worst == NULL)
		return PROTO_OK;
	if (strcmp(g->best, g->worst) == 0)
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "relations[%zu].rating: best and worst are both %s", i,
		    g->best);
	if (g->value == NULL)
		return PROTO_OK;
	/* Scales run either way: 1 may be the best of 5. */
	lo = proto_decimal_micros(g->best);
	hi = proto_decimal_micros(g->worst);
	if (lo > hi) {
		v = lo;
		lo = hi;
		hi = v;
	}
	v = proto_decimal_micros(g->value);
	if (v < lo || v > hi)
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "relations[%zu].rating.value %s is outside worst %s to "
		    "best %s",
		    i, g->value, g->worst, g->best);
	return PROTO_OK;
}

static int
validate_claim(
    const struct proto_claim *c, uint64_t t, char *err, size_t errlen)
{
	static const uint8_t zero[PROTO_HASH_LEN];
	int rc;

	if ((rc = check_slug("party", c->party, err, errlen)) != PROTO_OK)
		return rc;
	if (c->version < 1)
		return proto_fail(
		    err, errlen, PROTO_ESCHEMA, "version must be 1 or more");
	if (c->version > 1 &&
	    (sodium_memcmp(c->claim, zero, PROTO_HASH_LEN) == 0 ||
		sodium_memcmp(c->prev, zero, PROTO_HASH_LEN) == 0))
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "a version after the first names its claim and prev");
	if ((rc = check_nonempty("statement", c->statement, PROTO_STATEMENT_MAX,
		 err, errlen)) != PROTO_OK)
		return rc;
	if (c->ntopics < 1 || c->ntopics > PROTO_TOPICS_MAX)
		return proto_fail(err, errlen,
		    c->ntopics ? PROTO_ETOOBIG : PROTO_ESCHEMA,
		    "a claim has 1 to %d topics, not %zu", PROTO_TOPICS_MAX,
		    c->ntopics);
	for (size_t i = 0; i < c->ntopics; i++) {
		if ((rc = check_slug("topic", c->topics[i], err, errlen)) !=
		    PROTO_OK)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->topics[i], c->topics[j]) == 0)
				return proto_fail(err, errlen, PROTO_ESCHEMA,
				    "topic \"%s\" repeated", c->topics[i]);
	}
	if ((unsigned)c->status >= NELEM(status_names))
		return proto_fail(err, errlen, PROTO_ESCHEMA, "status unknown");
	if ((rc = check_date("made", c->made, err, errlen)) ||
	    (rc = check_made(c->made, t, err, errlen)) ||
	    (rc = check_text(
		 "note", c->note, false, PROTO_NOTE_MAX, err, errlen)))
		return rc;
	if (c->status == PROTO_STATUS_RETRACTED &&
	    (c->note == NULL || *c->note == '\0'))
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "a retraction gives its reason in note");
	if (c->reinstates &&
	    (c->version < 2 || c->status != PROTO_STATUS_ASSERTED))
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "only a live version after the first reinstates a claim");
	if (c->nsources > PROTO_SOURCES_MAX)
		return proto_fail(err, errlen, PROTO_ETOOBIG,
		    "%zu sources exceed %d", c->nsources, PROTO_SOURCES_MAX);
	for (size_t i = 0; i < c->nsources; i++)
		if ((rc = validate_source(c, i, err, errlen)) != PROTO_OK)
			return rc;
	if ((rc = validate_chains(c, err, errlen)) != PROTO_OK)
		return rc;
	if (c->nrelations > PROTO_RELATIONS_MAX)
		return proto_fail(err, errlen, PROTO_ETOOBIG,
		    "%zu relations exceed %d", c->nrelations,
		    PROTO_RELATIONS_MAX);
	for (size_t i = 0; i < c->nrelations; i++) {
		if ((unsigned)c->relations[i].rel >= NELEM(rel_names))
			return proto_fail(err, errlen, PROTO_ESCHEMA,
			    "relations[%zu].rel unknown", i);
		if ((rc = validate_rating(&c->relations[i], i, err, errlen)) !=
		    PROTO_OK)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (memcmp(c->relations[i].claim, c->relations[j].claim,
				PROTO_HASH_LEN) == 0)
				return proto_fail(err, errlen, PROTO_ESCHEMA,
				    "relations[%zu] names the same claim as "
				    "relations[%zu]",
				    i, j);
	}
	return PROTO_OK;
}

/*
 * An owner record: a slug, and at most PROTO_PUBLISHERS_MAX publishers,
 * each a source's publisher text (non-empty, at most PROTO_LABEL_MAX
 * bytes), no two alike. None withdraws the owner.
 */
static int
validate_owner(const struct proto_registry *r, char *err, size_t errlen)
{
	int rc;

	if ((rc = check_slug("owner", r->party, err, errlen)) != PROTO_OK)
		return rc;
	if (r->npublishers > PROTO_PUBLISHERS_MAX)
		return proto_fail(err, errlen, PROTO_ETOOBIG,
		    "%zu publishers exceed %d", r->npublishers,
		    PROTO_PUBLISHERS_MAX);
	for (size_t i = 0; i < r->npublishers; i++) {
		if ((rc = check_nonempty("publisher", r->publishers[i],
			 PROTO_LABEL_MAX, err, errlen)) != PROTO_OK) {
			if (err != NULL && errlen > 0) {
				char msg[256];

				snprintf(msg, sizeof(msg), "%s", err);
				snprintf(
				    err, errlen, "publishers[%zu]: %s", i, msg);
			}
			return rc;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->publishers[i], r->publishers[j]) == 0)
				return proto_fail(err, errlen, PROTO_ESCHEMA,
				    "publishers[%zu] repeats publishers[%zu]",
				    i, j);
	}
	return PROTO_OK;
}

int
proto_payload_validate(const struct proto_payload *p, char *err, size_t errlen)
{
	const struct proto_registry *r = &p->reg;
	char hx[17];
	int rc;

	if ((rc = check_time(p->time, err, errlen)) != PROTO_OK)
		return rc;
	switch (p->kind) {
	case PROTO_KIND_CLAIM:
		return validate_claim(&p->claim, p->time, err, errlen);
	case PROTO_KIND_PARTY:
		if ((rc = check_slug("party", r->party, err, errlen)) !=
		    PROTO_OK)
			return rc;
		return check_nonempty(
		    "name", r->name, PROTO_NAME_MAX, err, errlen);
	case PROTO_KIND_OWNER:
		return validate_owner(r, err, errlen);
	case PROTO_KIND_GRANT:
	case PROTO_KIND_REVOKE:
		if ((rc = check_slug("party", r->party, err, errlen)) !=
		    PROTO_OK)
			return rc;
		/* A key that can never sign would hold its grant for
		 * nothing. */
		if (!proto_pubkey_valid(r->key)) {
			proto_hex(r->key, 8, hx);
			return proto_fail(err, errlen, PROTO_ESCHEMA,
			    "key %s is not a valid Ed25519 public key (a "
			    "small-order point, a non-canonical encoding or no "
			    "point of the prime-order group)",
			    hx);
		}
		return PROTO_OK;
	}
	return proto_fail(err, errlen, PROTO_ESCHEMA, "kind unknown");
}

/*
 * Encoding
 *
 * Each map is written as pairs in a convenient order, then sorted.
 */

static int
put_kv_text(struct proto_buf *b, const char *k, const char *v, size_t *n)
{
	int rc;

	if (v == NULL)
		return PROTO_OK;
	if ((rc = proto_cbor_put_str(b, k)) || (rc = proto_cbor_put_str(b, v)))
		return rc;
	(*n)++;
	return PROTO_OK;
}

static int
put_kv_uint(struct proto_buf *b, const char *k, uint64_t v, size_t *n)
{
	int rc;

	if ((rc = proto_cbor_put_str(b, k)) || (rc = proto_cbor_put_uint(b, v)))
		return rc;
	(*n)++;
	return PROTO_OK;
}

static int
put_kv_bytes(
    struct proto_buf *b, const char *k, const uint8_t *v, size_t len, size_t *n)
{
	int rc;

	if ((rc = proto_cbor_put_str(b, k)) ||
	    (rc = proto_cbor_put_bytes(b, v, len)))
		return rc;
	(*n)++;
	return PROTO_OK;
}

#define map_begin proto_cbor_map_begin
#define map_end   proto_cbor_map_end

static int
put_source(struct proto_buf *b, const struct proto_source *s)
{
	size_t start, n = 0, dstart, dn = 0;
	int rc;

	if ((rc = map_begin(b, &start)) ||
	    (rc = put_kv_text(b, "publisher", s->publisher, &n)) ||
	    (rc = put_kv_text(b, "title", s->title, &n)) ||
	    (rc = put_kv_text(b, "url", s->url, &n)) ||
	    (rc = put_kv_text(b, "published", s->published, &n)) ||
	    (rc = put_kv_text(b, "quote", s->quote, &n)))
		return rc;
	if (s->has_sha256 &&
	    (rc = put_kv_bytes(b, "sha256", s->sha256, PROTO_HASH_LEN, &n)))
		return rc;
	if (s->has_derivation) {
		if ((rc = proto_cbor_put_str(b, "derivation")) ||
		    (rc = map_begin(b, &dstart)) ||
		    (rc = put_kv_uint(b, "from", s->from, &dn)) ||
		    (rc = put_kv_text(b, "how", proto_how_name(s->how), &dn)) ||
		    (rc = map_end(b, dstart, dn)))
			return rc;
		n++;
	}
	return map_end(b, start, n);
}

static int
put_topics(struct proto_buf *b, const struct proto_claim *c)
{
	int rc;

	if ((rc = proto_cbor_put_array(b, c->ntopics)) != PROTO_OK)
		return rc;
	for (size_t i = 0; i < c->ntopics; i++)
		if ((rc = proto_cbor_put_str(b, c->topics[i])) != PROTO_OK)
			return rc;
	return PROTO_OK;
}

static int
put_sources(struct proto_buf *b, const struct proto_claim *c)
{
	int rc;

	if ((rc = proto_cbor_put_array(b, c->nsources)) != PROTO_OK)
		return rc;
	for (size_t i = 0; i < c->nsources; i++)
		if ((rc = put_source(b, &c->sources[i])) != PROTO_OK)
			return rc;
	return PROTO_OK;
}

static int
put_relations(struct proto_buf *b, const struct proto_claim *c)
{
	int rc;

	if ((rc = proto_cbor_put_array(b, c->nrelations)) != PROTO_OK)
		return rc;
	for (size_t i = 0; i < c->nrelations; i++) {
		size_t rstart, rn = 0;

		const struct proto_rating *g = c->relations[i].rating;
		size_t gstart, gn = 0;

		if ((rc = map_begin(b, &rstart)) ||
		    (rc = put_kv_text(
			 b, "rel", proto_rel_name(c->relations[i].rel), &rn)) ||
		    (rc = put_kv_bytes(b, "claim", c->relations[i].claim,
			 PROTO_HASH_LEN, &rn)))
			return rc;
		if (g != NULL) {
			if ((rc = proto_cbor_put_str(b, "rating")) ||
			    (rc = map_begin(b, &gstart)) ||
			    (rc = put_kv_text(b, "text", g->text, &gn)) ||
			    (rc = put_kv_text(b, "value", g->value, &gn)) ||
			    (rc = put_kv_text(b, "best", g->best, &gn)) ||
			    (rc = put_kv_text(b, "worst", g->worst, &gn)) ||
			    (rc = map_end(b, gstart, gn)))
				return rc;
			rn++;
		}
		if ((rc = map_end(b, rstart, rn)) != PROTO_OK)
			return rc;
	}
	return PROTO_OK;
}

static int
put_claim(struct proto_buf *b, const struct proto_claim *c, size_t *n)
{
	int rc;

	if ((rc = put_kv_text(b, "party", c->party, n)) ||
	    (rc = put_kv_uint(b, "version", c->version, n)) ||
	    (rc = put_kv_text(b, "statement", c->statement, n)) ||
	    (rc = put_kv_text(b, "status", proto_status_name(c->status), n)) ||
	    (rc = put_kv_text(b, "made", c->made, n)) ||
	    (rc = put_kv_text(b, "note", c->note, n)))
		return rc;
	if (c->version > 1 &&
	    ((rc = put_kv_bytes(b, "claim", c->claim, PROTO_HASH_LEN, n)) ||
		(rc = put_kv_bytes(b, "prev", c->prev, PROTO_HASH_LEN, n))))
		return rc;
	if (c->reinstates) {
		if ((rc = proto_cbor_put_str(b, "reinstates")) ||
		    (rc = proto_cbor_put_bool(b, true)))
			return rc;
		(*n)++;
	}
	if ((rc = proto_cbor_put_str(b, "topics")) || (rc = put_topics(b, c)) ||
	    (rc = proto_cbor_put_str(b, "sources")) ||
	    (rc = put_sources(b, c)) ||
	    (rc = proto_cbor_put_str(b, "relations")) ||
	    (rc = put_relations(b, c)))
		return rc;
	*n += 3;
	return PROTO_OK;
}

int
proto_claim_content(const struct proto_claim *c, uint8_t out[PROTO_HASH_LEN])
{
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	if ((rc = proto_cbor_put_array(&b, 6)) ||
	    (rc = proto_cbor_put_str(&b, c->party)) ||
	    (rc = proto_cbor_put_str(&b, c->statement)) ||
	    (rc = put_topics(&b, c)) ||
	    (rc = c->made != NULL ? proto_cbor_put_str(&b, c->made)
				  : proto_cbor_put_null(&b)) ||
	    (rc = put_sources(&b, c)) || (rc = put_relations(&b, c)))
		goto cleanup;
	proto_sha256(b.data, b.len, out);
cleanup:
	proto_buf_release(&b);
	return rc;
}

/* The size of the record that carries a payload of n bytes. */
static size_t
record_len(size_t n)
{
	size_t head = n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;

	/* d2 84 58 26 <protected> a0 <payload bstr> 58 40 <signature> */
	return 4 + PROTO_PROTECTED_LEN + 1 + head + n + 2 + PROTO_SIG_LEN;
}

static int
put_owner(struct proto_buf *b, const struct proto_registry *r, size_t *n)
{
	int rc;

	if ((rc = put_kv_text(b, "owner", r->party, n)) ||
	    (rc = proto_cbor_put_str(b, "publishers")) ||
	    (rc = proto_cbor_put_array(b, r->npublishers)))
		return rc;
	for (size_t i = 0; i < r->npublishers; i++)
		if ((rc = proto_cbor_put_str(b, r->publishers[i])) != PROTO_OK)
			return rc;
	(*n)++;
	return PROTO_OK;
}

int
proto_payload_encode(const struct proto_payload *p, struct proto_buf *out,
    char *err, size_t errlen)
{
	size_t start, n = 0, mark = out->len;
	int rc;

	if ((rc = proto_payload_validate(p, err, errlen)) != PROTO_OK)
		return rc;
	if ((rc = map_begin(out, &start)) ||
	    (rc = put_kv_text(out, "kind", proto_kind_name(p->kind), &n)) ||
	    (rc = put_kv_uint(out, "time", p->time, &n)))
		goto fail;
	switch (p->kind) {
	case PROTO_KIND_CLAIM:
		rc = put_claim(out, &p->claim, &n);
		break;
	case PROTO_KIND_PARTY:
		if ((rc = put_kv_text(out, "party", p->reg.party, &n)) == 0)
			rc = put_kv_text(out, "name", p->reg.name, &n);
		break;
	case PROTO_KIND_GRANT:
	case PROTO_KIND_REVOKE:
		if ((rc = put_kv_text(out, "party", p->reg.party, &n)) == 0)
			rc = put_kv_bytes(
			    out, "key", p->reg.key, PROTO_PUBKEY_LEN, &n);
		break;
	case PROTO_KIND_OWNER:
		rc = put_owner(out, &p->reg, &n);
		break;
	}
	if (rc != PROTO_OK || (rc = map_end(out, start, n)) != PROTO_OK)
		goto fail;
	if (record_len(out->len - mark) > PROTO_RECORD_MAX) {
		rc = proto_fail(err, errlen, PROTO_ETOOBIG,
		    "a record with this payload takes %zu bytes, over %d",
		    record_len(out->len - mark), PROTO_RECORD_MAX);
		goto fail;
	}
	return PROTO_OK;
fail:
	out->len = mark;
	return rc;
}

/*
 * Decoding
 */

/* The top-level keys across all kinds, in proto_payload_decode's table. */
enum {
	K_KIND,
	K_TIME,
	K_PARTY,
	K_VERSION,
	K_CLAIM,
	K_PREV,
	K_STATEMENT,
	K_TOPICS,
	K_STATUS,
	K_MADE,
	K_SOURCES,
	K_RELATIONS,
	K_NOTE,
	K_NAME,
	K_KEY,
	K_REINSTATES,
	K_OWNER,
	K_PUBLISHERS,
	NFIELDS
};

static char *
dup_text(const struct proto_field *f)
{
	char *s;

	if (!f->present)
		return NULL;
	if ((s = malloc(f->len + 1)) == NULL)
		return NULL;
	memcpy(s, f->ptr, f->len);
	s[f->len] = '\0';
	return s;
}

/* Copies an optional text field; PROTO_ESCHEMA if it holds a NUL. */
static int
take_text(const struct proto_field *f, char **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!f->present)
		return PROTO_OK;
	if (memchr(f->ptr, '\0', f->len) != NULL)
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "\"%s\" holds a NUL character", f->key);
	if ((*out = dup_text(f)) == NULL)
		return PROTO_ENOMEM;
	return PROTO_OK;
}

static int
take_enum(const struct proto_field *f, const char *const *names, size_t n,
    int *out, char *err, size_t errlen)
{
	int v = name_parse(names, n, (const char *)f->ptr, f->len);

	if (v < 0)
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "\"%s\" value \"%.*s\" unknown", f->key,
		    (int)(f->len > 32 ? 32 : f->len), (const char *)f->ptr);
	*out = v;
	return PROTO_OK;
}

static int
decode_source(
    struct proto_cbor_rd *rd, struct proto_source *s, char *err, size_t errlen)
{
	struct proto_field f[] = {
	    {"publisher", PROTO_F_TEXT, true},
	    {"title", PROTO_F_TEXT, true},
	    {"url", PROTO_F_TEXT, false},
	    {"published", PROTO_F_TEXT, false},
	    {"quote", PROTO_F_TEXT, false},
	    {"sha256", PROTO_F_HASH, false},
	    {"derivation", PROTO_F_MAP, false},
	};
	struct proto_field d[] = {
	    {"from", PROTO_F_UINT, true},
	    {"how", PROTO_F_TEXT, true},
	};
	int rc, how = 0;

	if ((rc = proto_cbor_rd_fields(
		 rd, f, NELEM(f), false, PROTO_ESCHEMA, err, errlen)) ||
	    (rc = take_text(&f[0], &s->publisher, err, errlen)) ||
	    (rc = take_text(&f[1], &s->title, err, errlen)) ||
	    (rc = take_text(&f[2], &s->url, err, errlen)) ||
	    (rc = take_text(&f[3], &s->published, err, errlen)) ||
	    (rc = take_text(&f[4], &s->quote, err, errlen)))
		return rc;
	if ((s->has_sha256 = f[5].present))
		memcpy(s->sha256, f[5].ptr, PROTO_HASH_LEN);
	if (!(s->has_derivation = f[6].present))
		return PROTO_OK;
	if ((rc = proto_cbor_rd_fields(
		 &f[6].sub, d, NELEM(d), false, PROTO_ESCHEMA, err, errlen)) ||
	    (rc = take_enum(
		 &d[1], how_names, NELEM(how_names), &how, err, errlen)))
		return rc;
	if (d[0].u > PROTO_SOURCES_MAX)
		return proto_fail(
		    err, errlen, PROTO_ESCHEMA, "derivation.from out of range");
	s->from = (uint32_t)d[0].u;
	s->how = (enum proto_how)how;
	return PROTO_OK;
}

/* Reads an array head of at most max items into *n, allocating *items. */
static int
decode_array(struct proto_cbor_rd *rd, const char *what, size_t max,
    size_t size, void **items, size_t *n, char *err, size_t errlen)
{
	if (proto_cbor_rd_array(rd, n) != 0)
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "\"%s\" must be an array", what);
	if (*n > max)
		return proto_fail(err, errlen, PROTO_ETOOBIG,
		    "\"%s\" has %zu entries, more than %zu", what, *n, max);
	if (*n == 0)
		return PROTO_OK;
	if ((*items = calloc(*n, size)) == NULL)
		return PROTO_ENOMEM;
	return PROTO_OK;
}

static int
decode_claim(
    struct proto_field *f, struct proto_claim *c, char *err, size_t errlen)
{
	struct proto_field *fl;
	struct proto_cbor_rd rd;
	size_t n;
	int rc, v = 0;

	if ((rc = take_text(&f[K_PARTY], &c->party, err, errlen)) ||
	    (rc = take_text(&f[K_STATEMENT], &c->statement, err, errlen)) ||
	    (rc = take_text(&f[K_MADE], &c->made, err, errlen)) ||
	    (rc = take_text(&f[K_NOTE], &c->note, err, errlen)))
		return rc;
	c->version = f[K_VERSION].u;
	/* Absent or true: one encoding for each meaning. */
	if (f[K_REINSTATES].present && f[K_REINSTATES].u == 0)
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    "reinstates is true or absent, never false");
	c->reinstates = f[K_REINSTATES].present;
	if ((rc = take_enum(&f[K_STATUS], status_names, NELEM(status_names), &v,
		 err, errlen)) != PROTO_OK)
		return rc;
	c->status = (enum proto_status)v;
	fl = &f[K_CLAIM];
	if (fl->present != (c->version > 1) ||
	    f[K_PREV].present != (c->version > 1))
		return proto_fail(err, errlen, PROTO_ESCHEMA,
		    c->version > 1 ? "a version after the first names its "
				     "claim and prev"
				   : "version 1 has no claim or prev");
	if (fl->present) {
		memcpy(c->claim, fl->ptr, PROTO_HASH_LEN);
		memcpy(c->prev, f[K_PREV].ptr, PROTO_HASH_LEN);
	}

	rd = f[K_TOPICS].sub;
	if ((rc = decode_array(&rd, "topics", PROTO_TOPICS_MAX, sizeof(char *),
		 (void **)&c->topics, &n, err, errlen)) != PROTO_OK)
		return rc;
	for (c->ntopics = 0; c->ntopics < n; c->ntopics++) {
		struct proto_field t = {"topics", PROTO_F_TEXT, true};

		if (proto_cbor_rd_text(&rd, (const char **)&t.ptr, &t.len) != 0)
			return proto_fail(
			    err, errlen, PROTO_ESCHEMA, "topics must be text");
		t.present = true;
		if ((rc = take_text(&t, &c->topics[c->ntopics], err, errlen)) !=
		    PROTO_OK)
			return rc;
	}

	rd = f[K_SOURCES].sub;
	if ((rc = decode_array(&rd, "sources", PROTO_SOURCES_MAX,
		 sizeof(struct proto_source), (void **)&c->sources, &n, err,
		 errlen)) != PROTO_OK)
		return rc;
	for (c->nsources = 0; c->nsources < n; c->nsources++)
		if ((rc = decode_source(&rd, &c->sources[c->nsources], err,
			 errlen)) != PROTO_OK) {
			c->nsources++; /* release what it holds */
			return rc;
		}

	rd = f[K_RELATIONS].sub;
	if ((rc = decode_array(&rd, "relations", PROTO_RELATIONS_MAX,
		 sizeof(struct proto_relation), (void **)&c->relations, &n, err,
		 errlen)) != PROTO_OK)
		return rc;
	for (c->nrelations = 0; c->nrelations < n; c->nrelations++) {
		struct proto_field r[] = {
		    {"rel", PROTO_F_TEXT, true},
		    {"claim", PROTO_F_HASH, true},
		    {"rating", PROTO_F_MAP, false},
		};
		struct proto_field g[] = {
		    {"text", PROTO_F_TEXT, true},
		    {"value", PROTO_F_TEXT, false},
		    {"best", PROTO_F_TEXT, false},
		    {"worst", PROTO_F_TEXT, false},
		};
		struct proto_relation *rel = &c->relations[c->nrelations];
		struct proto_rating *rt;

		if ((rc = proto_cbor_rd_fields(&rd, r, NELEM(r), false,
			 PROTO_ESCHEMA, err, errlen)) ||
		    (rc = take_enum(
			 &r[0], rel_names, NELEM(rel_names), &v, err, errlen)))
			return rc;
		rel->rel = (enum proto_rel)v;
		memcpy(rel->claim, r[1].ptr, PROTO_HASH_LEN);
		if (!r[2].present)
			continue;
		c->nrelations++; /* release the rating on failure */
		if ((rel->rating = rt = calloc(1, sizeof(*rt))) == NULL)
			return PROTO_ENOMEM;
		if ((rc = proto_cbor_rd_fields(&r[2].sub, g, NELEM(g), false,
			 PROTO_ESCHEMA, err, errlen)) ||
		    (rc = take_text(&g[0], &rt->text, err, errlen)) ||
		    (rc = take_text(&g[1], &rt->value, err, errlen)) ||
		    (rc = take_text(&g[2], &rt->best, err, errlen)) ||
		    (rc = take_text(&g[3], &rt->worst, err, errlen)))
			return rc;
		c->nrelations--;
	}
	return PROTO_OK;
}

static int
decode_owner(
    struct proto_field *f, struct proto_registry *r, char *err, size_t errlen)
{
	struct proto_cbor_rd rd = f[K_PUBLISHERS].sub;
	size_t n;
	int rc;

	if ((rc = take_text(&f[K_OWNER], &r->party, err, errlen)) ||
	    (rc = decode_array(&rd, "publishers", PROTO_PUBLISHERS_MAX,
		 sizeof(char *), (void **)&r->publishers, &n, err, errlen)))
		return rc;
	for (r->npublishers = 0; r->npublishers < n; r->npublishers++) {
		struct proto_field t = {"publishers", PROTO_F_TEXT, true};

		if (proto_cbor_rd_text(&rd, (const char **)&t.ptr, &t.len) != 0)
			return proto_fail(err, errlen, PROTO_ESCHEMA,
			    "publishers must be text");
		t.present = true;
		if ((rc = take_text(&t, &r->publishers[r->npublishers], err,
			 errlen)) != PROTO_OK)
			return rc;
	}
	return PROTO_OK;
}

/* Decodes a payload whose bytes proto_cbor_check() has passed. */
static int
decode_checked(const uint8_t *buf, size_t len, struct proto_payload *p,
    char *err, size_t errlen)
{
	/* Every key any kind may have; each kind then checks its own set. */
	struct proto_field f[NFIELDS] = {
	    [K_KIND] = {"kind", PROTO_F_TEXT, true},
	    [K_TIME] = {"time", PROTO_F_UINT, true},
	    [K_PARTY] = {"party", PROTO_F_TEXT, false},
	    [K_VERSION] = {"version", PROTO_F_UINT, false},
	    [K_CLAIM] = {"claim", PROTO_F_HASH, false},
	    [K_PREV] = {"prev", PROTO_F_HASH, false},
	    [K_STATEMENT] = {"statement", PROTO_F_TEXT, false},
	    [K_TOPICS] = {"topics", PROTO_F_ARRAY, false},
	    [K_STATUS] = {"status", PROTO_F_TEXT, false},
	    [K_MADE] = {"made", PROTO_F_TEXT, false},
	    [K_SOURCES] = {"sources", PROTO_F_ARRAY, false},
	    [K_RELATIONS] = {"relations", PROTO_F_ARRAY, false},
	    [K_NOTE] = {"note", PROTO_F_TEXT, false},
	    [K_NAME] = {"name", PROTO_F_TEXT, false},
	    [K_KEY] = {"key", PROTO_F_BYTES, false},
	    [K_REINSTATES] = {"reinstates", PROTO_F_BOOL, false},
	    [K_OWNER] = {"owner", PROTO_F_TEXT, false},
	    [K_PUBLISHERS] = {"publishers", PROTO_F_ARRAY, false},
	};
	static const int claim_keys[] = {
	    K_VERSION, K_STATEMENT, K_TOPICS, K_STATUS, K_SOURCES, K_RELATIONS};
	static const int claim_opt[] = {
	    K_CLAIM, K_PREV, K_MADE, K_NOTE, K_REINSTATES};
	struct proto_cbor_rd rd;
	int rc, kind = 0;
	bool allowed[NFIELDS] = {[K_KIND] = true, [K_TIME] = true};

	proto_payload_init(p);
	proto_cbor_rd_init(&rd, buf, len);
	if (proto_cbor_rd_peek(&rd) != PROTO_CBOR_MAP)
		return proto_fail(
		    err, errlen, PROTO_ESCHEMA, "payload must be a map");
	if ((rc = proto_cbor_rd_fields(&rd, f, NFIELDS, false, PROTO_ESCHEMA,
		 err, errlen)) != PROTO_OK)
		return rc;
	if ((rc = take_enum(&f[K_KIND], kind_names, NELEM(kind_names), &kind,
		 err, errlen)) != PROTO_OK)
		return rc;
	p->kind = (enum proto_kind)kind;
	p->time = f[K_TIME].u;
	/* Every kind but owner names its party. */
	if (p->kind != PROTO_KIND_OWNER) {
		if (!f[K_PARTY].present)
			return proto_fail(
			    err, errlen, PROTO_ESCHEMA, "\"party\" missing");
		allowed[K_PARTY] = true;
	}

	/* Which keys this kind has: all required ones, optional ones. */
	switch (p->kind) {
	case PROTO_KIND_CLAIM:
		for (size_t i = 0; i < NELEM(claim_keys); i++) {
			if (!f[claim_keys[i]].present)
				return proto_fail(err, errlen, PROTO_ESCHEMA,
				    "\"%s\" missing", f[claim_keys[i]].key);
			allowed[claim_keys[i]] = true;
		}
		for (size_t i = 0; i < NELEM(claim_opt); i++)
			allowed[claim_opt[i]] = true;
		break;
	case PROTO_KIND_PARTY:
		if (!f[K_NAME].present)
			return proto_fail(
			    err, errlen, PROTO_ESCHEMA, "\"name\" missing");
		allowed[K_NAME] = true;
		break;
	case PROTO_KIND_GRANT:
	case PROTO_KIND_REVOKE:
		if (!f[K_KEY].present || f[K_KEY].len != PROTO_PUBKEY_LEN)
			return proto_fail(err, errlen, PROTO_ESCHEMA,
			    "\"key\" must be a 32-byte public key");
		allowed[K_KEY] = true;
		break;
	case PROTO_KIND_OWNER:
		if (!f[K_OWNER].present || !f[K_PUBLISHERS].present)
			return proto_fail(err, errlen, PROTO_ESCHEMA,
			    "\"%s\" missing",
			    f[K_OWNER].present ? "publishers" : "owner");
		allowed[K_OWNER] = allowed[K_PUBLISHERS] = true;
		break;
	}
	for (size_t i = 0; i < NELEM(f); i++)
		if (f[i].present && !allowed[i])
			return proto_fail(err, errlen, PROTO_ESCHEMA,
			    "a %s record has no \"%s\"", kind_names[kind],
			    f[i].key);

	if (p->kind == PROTO_KIND_CLAIM)
		rc = decode_claim(f, &p->claim, err, errlen);
	else if (p->kind == PROTO_KIND_OWNER)
		rc = decode_owner(f, &p->reg, err, errlen);
	else if ((rc = take_text(&f[K_PARTY], &p->reg.party, err, errlen)) ==
	    PROTO_OK) {
		if (p->kind == PROTO_KIND_PARTY)
			rc = take_text(&f[K_NAME], &p->reg.name, err, errlen);
		else
			memcpy(p->reg.key, f[K_KEY].ptr, PROTO_PUBKEY_LEN);
	}
	if (rc == PROTO_OK)
		rc = proto_payload_validate(p, err, errlen);
	if (rc != PROTO_OK)
		proto_payload_release(p);
	return rc;
}

/*
 * Lifecycle
 */

static int copy_str(char **dst, const char *src);

void
proto_payload_init(struct proto_payload *p)
{
	memset(p, 0, sizeof(*p));
}

static void
source_release(struct proto_source *s)
{
	free(s->publisher);
	free(s->title);
	free(s->url);
	free(s->published);
	free(s->quote);
}

void
proto_rating_free(struct proto_rating *g)
{
	if (g == NULL)
		return;
	free(g->text);
	free(g->value);
	free(g->best);
	free(g->worst);
	free(g);
}

int
proto_rating_copy(struct proto_rating **dst, const struct proto_rating *src)
{
	struct proto_rating *g;

	*dst = NULL;
	if (src == NULL)
		return PROTO_OK;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return PROTO_ENOMEM;
	if (copy_str(&g->text, src->text) || copy_str(&g->value, src->value) ||
	    copy_str(&g->best, src->best) || copy_str(&g->worst, src->worst)) {
		proto_rating_free(g);
		return PROTO_ENOMEM;
	}
	*dst = g;
	return PROTO_OK;
}

void
proto_payload_release(struct proto_payload *p)
{
	if (p->kind == PROTO_KIND_CLAIM) {
		struct proto_claim *c = &p->claim;

		free(c->party);
		free(c->statement);
		free(c->made);
		free(c->note);
		for (size_t i = 0; i < c->ntopics; i++)
			free(c->topics[i]);
		free(c->topics);
		for (size_t i = 0; i < c->nsources; i++)
			source_release(&c->sources[i]);
		free(c->sources);
		for (size_t i = 0; i < c->nrelations; i++)
			proto_rating_free(c->relations[i].rating);
		free(c->relations);
	} else {
		free(p->reg.party);
		free(p->reg.name);
		for (size_t i = 0; i < p->reg.npublishers; i++)
			free(p->reg.publishers[i]);
		free(p->reg.publishers);
	}
	proto_payload_init(p);
}

static int
copy_str(char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return PROTO_OK;
	}
	return (*dst = strdup(src)) != NULL ? PROTO_OK : PROTO_ENOMEM;
}

int
proto_payload_copy(struct proto_payload *dst, const struct proto_payload *src)
{
	const struct proto_claim *s = &src->claim;
	struct proto_claim *d = &dst->claim;
	int rc = PROTO_OK;

	/* Start from a shallow copy, then replace every pointer. */
	*dst = *src;
	if (src->kind != PROTO_KIND_CLAIM) {
		dst->reg.party = dst->reg.name = NULL;
		dst->reg.publishers = NULL;
		dst->reg.npublishers = 0;
		if ((rc = copy_str(&dst->reg.party, src->reg.party)) ||
		    (rc = copy_str(&dst->reg.name, src->reg.name)))
			goto fail;
		if (src->reg.npublishers > 0 &&
		    (dst->reg.publishers = calloc(
			 src->reg.npublishers, sizeof(char *))) == NULL)
			goto nomem;
		for (; dst->reg.npublishers < src->reg.npublishers;
		     dst->reg.npublishers++)
			if ((rc = copy_str(
				 &dst->reg.publishers[dst->reg.npublishers],
				 src->reg.publishers[dst->reg.npublishers])) !=
			    PROTO_OK)
				goto fail;
		return PROTO_OK;
	}
	d->party = d->statement = d->made = d->note = NULL;
	d->topics = NULL;
	d->sources = NULL;
	d->relations = NULL;
	d->ntopics = d->nsources = d->nrelations = 0;
	if ((rc = copy_str(&d->party, s->party)) ||
	    (rc = copy_str(&d->statement, s->statement)) ||
	    (rc = copy_str(&d->made, s->made)) ||
	    (rc = copy_str(&d->note, s->note)))
		goto fail;
	if (s->ntopics > 0 &&
	    (d->topics = calloc(s->ntopics, sizeof(char *))) == NULL)
		goto nomem;
	for (; d->ntopics < s->ntopics; d->ntopics++)
		if ((rc = copy_str(&d->topics[d->ntopics],
			 s->topics[d->ntopics])) != PROTO_OK)
			goto fail;
	if (s->nsources > 0 &&
	    (d->sources = calloc(s->nsources, sizeof(*d->sources))) == NULL)
		goto nomem;
	for (; d->nsources < s->nsources; d->nsources++) {
		const struct proto_source *a = &s->sources[d->nsources];
		struct proto_source *b = &d->sources[d->nsources];

		*b = *a;
		b->publisher = b->title = b->url = b->published = b->quote =
		    NULL;
		if ((rc = copy_str(&b->publisher, a->publisher)) ||
		    (rc = copy_str(&b->title, a->title)) ||
		    (rc = copy_str(&b->url, a->url)) ||
		    (rc = copy_str(&b->published, a->published)) ||
		    (rc = copy_str(&b->quote, a->quote))) {
			d->nsources++;
			goto fail;
		}
	}
	if (s->nrelations > 0) {
		if ((d->relations = calloc(
			 s->nrelations, sizeof(*d->relations))) == NULL)
			goto nomem;
		for (; d->nrelations < s->nrelations; d->nrelations++) {
			d->relations[d->nrelations] =
			    s->relations[d->nrelations];
			if ((rc = proto_rating_copy(
				 &d->relations[d->nrelations].rating,
				 s->relations[d->nrelations].rating)) !=
			    PROTO_OK)
				goto fail;
		}
	}
	return PROTO_OK;
nomem:
	rc = PROTO_ENOMEM;
fail:
	proto_payload_release(dst);
	return rc;
}

/*
 * One-step helpers
 */

int
proto_payload_sign(const struct proto_payload *p,
    const uint8_t sk[PROTO_SECKEY_LEN], struct proto_buf *out, char *err,
    size_t errlen)
{
	struct proto_buf payload;
	int rc;

	proto_buf_init(&payload);
	if ((rc = proto_payload_encode(p, &payload, err, errlen)) == PROTO_OK)
		rc = proto_record_sign(payload.data, payload.len, sk, out);
	proto_buf_release(&payload);
	return rc;
}

int
proto_payload_decode(const uint8_t *buf, size_t len, struct proto_payload *p,
    char *err, size_t errlen)
{
	int rc;

	proto_payload_init(p);
	if ((rc = proto_cbor_check(
		 buf, len, PROTO_DEPTH_MAX, NULL, err, errlen)) != PROTO_OK)
		return rc;
	return decode_checked(buf, len, p, err, errlen);
}

int
proto_record_payload(const struct proto_record *rec, struct proto_payload *p,
    char *err, size_t errlen)
{
	/* proto_record_parse() checked the payload's every byte. */
	return decode_checked(rec->payload, rec->payload_len, p, err, errlen);
}

int
proto_record_open(const uint8_t *buf, size_t len, struct proto_record *rec,
    struct proto_payload *p, char *err, size_t errlen)
{
	int rc;

	proto_payload_init(p);
	if ((rc = proto_record_parse(buf, len, rec, err, errlen)) != PROTO_OK ||
	    (rc = proto_record_verify_err(rec, err, errlen)) != PROTO_OK)
		return rc;
	return proto_record_payload(rec, p, err, errlen);
}
