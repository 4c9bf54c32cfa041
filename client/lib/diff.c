/*
 * diff.c: what changed between two versions of a claim. Works on entries,
 * so it serves fetched records and an export alike.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "claim.h"

struct word {
	const char *p;
	size_t n; /* the word and the blanks after it */
};

/* Splits s into words, each keeping the blanks that follow it. */
static struct word *
words(const char *s, size_t *n)
{
	size_t cap = 16;
	struct word *w = malloc(cap * sizeof(*w)), *nw;

	*n = 0;
	if (w == NULL)
		return NULL;
	while (*s) {
		const char *start = s;

		while (*s && *s != ' ' && *s != '\n' && *s != '\t')
			s++;
		while (*s == ' ' || *s == '\n' || *s == '\t')
			s++;
		if (*n == cap) {
			cap *= 2;
			if ((nw = realloc(w, cap * sizeof(*w))) == NULL) {
				free(w);
				return NULL;
			}
			w = nw;
		}
		w[*n].p = start;
		w[(*n)++].n = (size_t)(s - start);
	}
	return w;
}

/* The length of a word without the blanks after it. */
static size_t
core(const struct word *w)
{
	size_t x = w->n;

	while (x > 0 &&
	    (w->p[x - 1] == ' ' || w->p[x - 1] == '\n' || w->p[x - 1] == '\t'))
		x--;
	return x;
}

/* Words compare without their trailing blanks. */
static bool
word_eq(const struct word *a, const struct word *b)
{
	size_t x = core(a);

	return x == core(b) && memcmp(a->p, b->p, x) == 0;
}

/* Appends text to the last segment if it has the same op, else a new one. */
static void
segment(json_t *out, const char *op, const char *p, size_t n)
{
	size_t last = json_array_size(out);
	json_t *seg = last ? json_array_get(out, last - 1) : NULL;

	if (seg != NULL &&
	    strcmp(json_string_value(json_object_get(seg, "op")), op) == 0) {
		json_t *t = json_object_get(seg, "text");
		size_t old = json_string_length(t);
		char *buf = malloc(old + n + 1);

		if (buf == NULL)
			return;
		memcpy(buf, json_string_value(t), old);
		memcpy(buf + old, p, n);
		buf[old + n] = '\0';
		json_object_set_new(seg, "text", json_stringn(buf, old + n));
		free(buf);
		return;
	}
	json_array_append_new(
	    out, json_pack("{s:s, s:s%}", "op", op, "text", p, n));
}

static json_t *
diff_words(const char *a, const char *b)
{
	size_t na, nb;
	struct word *wa = words(a, &na), *wb = words(b, &nb);
	json_t *out = json_array();
	uint32_t *lcs = NULL;
	size_t i, j;

	if (wa == NULL || wb == NULL || out == NULL)
		goto fail;
	/* Longest common subsequence of words, from the end. */
	if ((lcs = calloc((na + 1) * (nb + 1), sizeof(*lcs))) == NULL)
		goto fail;
#define L(x, y) lcs[(x) * (nb + 1) + (y)]
	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;)
			L(i, j) = word_eq(&wa[i], &wb[j])
			    ? L(i + 1, j + 1) + 1
			    : (L(i + 1, j) > L(i, j + 1) ? L(i + 1, j)
							 : L(i, j + 1));
	for (i = 0, j = 0; i < na || j < nb;) {
		if (i < na && j < nb && word_eq(&wa[i], &wb[j])) {
			/* The word is the same; its blanks may not be. Both
			 * sides must read back exactly. */
			size_t c = core(&wa[i]), ba = wa[i].n - c,
			       bb = wb[j].n - c;

			segment(out, "same", wa[i].p, c);
			if (ba == bb &&
			    memcmp(wa[i].p + c, wb[j].p + c, ba) == 0) {
				segment(out, "same", wa[i].p + c, ba);
			} else {
				if (ba > 0)
					segment(out, "del", wa[i].p + c, ba);
				if (bb > 0)
					segment(out, "add", wb[j].p + c, bb);
			}
			i++;
			j++;
		} else if (i < na && (j == nb || L(i + 1, j) >= L(i, j + 1))) {
			segment(out, "del", wa[i].p, wa[i].n);
			i++;
		} else {
			segment(out, "add", wb[j].p, wb[j].n);
			j++;
		}
	}
#undef L
	free(lcs);
	free(wa);
	free(wb);
	return out;
fail:
	free(lcs);
	free(wa);
	free(wb);
	json_decref(out);
	return NULL;
}

/* Items of array a not in array b (JSON equality). */
static json_t *
minus(json_t *a, json_t *b)
{
	json_t *out = json_array(), *x, *y;
	size_t i, k;

	json_array_foreach(a, i, x)
	{
		bool found = false;

		json_array_foreach(b, k, y)
		{
			if (json_equal(x, y)) {
				found = true;
				break;
			}
		}
		if (!found)
			json_array_append(out, x);
	}
	return out;
}

static void
set_change(json_t *o, const char *key, json_t *a, json_t *b)
{
	json_t *added = minus(b, a), *removed = minus(a, b);

	if (json_array_size(added) || json_array_size(removed))
		json_object_set_new(o, key,
		    json_pack(
			"{s:o, s:o}", "added", added, "removed", removed));
	else {
		json_decref(added);
		json_decref(removed);
	}
}

static void
value_change(json_t *o, const char *key, json_t *a, json_t *b)
{
	if (json_equal(a, b) || (a == NULL && b == NULL))
		return;
	json_object_set_new(
	    o, key, json_pack("{s:O?, s:O?}", "from", a, "to", b));
}

static json_t *
diff_versions(const struct claim_entry *a, const struct claim_entry *b)
{
	json_t *ja = proto_payload_to_json(&a->payload);
	json_t *jb = proto_payload_to_json(&b->payload);
	json_t *o = json_object();
	char hex[2 * PROTO_HASH_LEN + 1];

	if (ja == NULL || jb == NULL || o == NULL) {
		json_decref(ja);
		json_decref(jb);
		json_decref(o);
		return NULL;
	}
	proto_hex(b->claim, PROTO_HASH_LEN, hex);
	json_object_set_new(o, "claim", json_string(hex));
	json_object_set_new(
	    o, "from", json_integer((json_int_t)a->payload.claim.version));
	json_object_set_new(
	    o, "to", json_integer((json_int_t)b->payload.claim.version));
	if (strcmp(a->payload.claim.statement, b->payload.claim.statement))
		json_object_set_new(o, "statement",
		    diff_words(a->payload.claim.statement,
			b->payload.claim.statement));
	value_change(o, "status", json_object_get(ja, "status"),
	    json_object_get(jb, "status"));
	value_change(o, "made", json_object_get(ja, "made"),
	    json_object_get(jb, "made"));
	set_change(o, "topics", json_object_get(ja, "topics"),
	    json_object_get(jb, "topics"));
	set_change(o, "sources", json_object_get(ja, "sources"),
	    json_object_get(jb, "sources"));
	set_change(o, "relations", json_object_get(ja, "relations"),
	    json_object_get(jb, "relations"));
	if (json_object_get(jb, "note") != NULL)
		json_object_set(o, "note", json_object_get(jb, "note"));
	/* Said of the version diffed to, changed or not. */
	if (b->payload.claim.nsources == 0)
		json_object_set_new(o, "no_sources", json_true());
	json_decref(ja);
	json_decref(jb);
	return o;
}

int
claim_diff_words(const char *a, const char *b, json_t **out)
{
	return (*out = diff_words(a, b)) != NULL ? PROTO_OK : PROTO_ENOMEM;
}

/* Versions of one claim (the same id). */
static bool
one_claim(const struct claim_entry *a, const struct claim_entry *b)
{
	return a->payload.kind == PROTO_KIND_CLAIM &&
	    b->payload.kind == PROTO_KIND_CLAIM &&
	    memcmp(a->claim, b->claim, PROTO_HASH_LEN) == 0;
}

int
claim_diff_versions(
    const struct claim_entry *a, const struct claim_entry *b, json_t **out)
{
	*out = NULL;
	if (!one_claim(a, b))
		return PROTO_EINVAL;
	return (*out = diff_versions(a, b)) != NULL ? PROTO_OK : PROTO_ENOMEM;
}

int
claim_diff_span(const struct claim_entry *v, size_t n, json_t **out)
{
	json_t *o, *notes;
	int rc;

	*out = NULL;
	if (n < 2)
		return PROTO_EINVAL;
	for (size_t i = 1; i < n; i++)
		if (!one_claim(&v[0], &v[i]))
			return PROTO_EINVAL;
	if ((rc = claim_diff_versions(&v[0], &v[n - 1], &o)) != PROTO_OK)
		return rc;
	if (n > 2) {
		if ((notes = json_array()) == NULL) {
			json_decref(o);
			return PROTO_ENOMEM;
		}
		for (size_t i = 1; i < n; i++) {
			const struct proto_claim *c = &v[i].payload.claim;

			if (c->note != NULL)
				json_array_append_new(notes,
				    json_pack("{s:I, s:s}", "version",
					(json_int_t)c->version, "note",
					c->note));
		}
		json_object_set_new(o, "notes", notes);
	}
	*out = o;
	return PROTO_OK;
}
