/*
 * quote.c: finding a quoted span in a document, tolerant of how text is
 * copied: runs of white space (line breaks, no-break spaces) count as one
 * space, and typographic quote marks match their plain ones.
 */
#include <stdlib.h>
#include <string.h>

#include "claim.h"

/*
 * The next character of s at *i, folded: white space to ' ', curly and
 * angled quote marks to '"' or '\''; others as their bytes. Returns the
 * folded byte (or 0 for "copy n bytes as they are") and advances *i.
 */
static int
fold(const unsigned char *s, size_t len, size_t *i, size_t *n)
{
	unsigned char c = s[*i];

	*n = 1;
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v') {
		(*i)++;
		return ' ';
	}
	if (c == 0xc2 && *i + 1 < len) {
		if (s[*i + 1] == 0xa0) { /* no-break space */
			*i += 2;
			return ' ';
		}
		if (s[*i + 1] == 0xab || s[*i + 1] == 0xbb) { /* « » */
			*i += 2;
			return '"';
		}
	}
	if (c == 0xe2 && *i + 2 < len && s[*i + 1] == 0x80) {
		unsigned char d = s[*i + 2];

		if (d >= 0x98 && d <= 0x9b) { /* ‘ ’ ‚ ‛ */
			*i += 3;
			return '\'';
		}
		if (d >= 0x9c && d <= 0x9f) { /* “ ” „ ‟ */
			*i += 3;
			return '"';
		}
		if ((d >= 0x82 && d <= 0x8a) || d == 0xaf) { /* thin etc. */
			*i += 3;
			return ' ';
		}
	}
	/* A whole UTF-8 sequence as it is. */
	if (c >= 0xc0) {
		size_t k = 1;

		while (*i + k < len && (s[*i + k] & 0xc0) == 0x80 && k < 4)
			k++;
		*n = k;
	}
	*i += *n;
	return 0;
}

/*
 * Folds s into out (len + 1 bytes), with at[k] the offset in s where
 * out[k] came from. Runs of white space become one space; leading and
 * trailing white space goes.
 */
static size_t
normalize(const char *s, size_t len, char *out, size_t *at)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, n;

	while (i < len) {
		size_t from = i;
		int f = fold(u, len, &i, &n);

		if (f == ' ') {
			if (o == 0 || out[o - 1] == ' ')
				continue;
			at[o] = from;
			out[o++] = ' ';
		} else if (f != 0) {
			at[o] = from;
			out[o++] = (char)f;
		} else {
			for (size_t k = 0; k < n; k++) {
				at[o] = from;
				out[o++] = s[from + k];
			}
		}
	}
	if (o > 0 && out[o - 1] == ' ')
		o--;
	at[o] = len;
	out[o] = '\0';
	return o;
}

bool
claim_quote_find(
    const char *doc, size_t len, const char *quote, size_t *start, size_t *end)
{
	size_t qlen = strlen(quote), nd, nq;
	char *d = malloc(len + 1), *q = malloc(qlen + 1), *hit;
	size_t *dat = malloc((len + 1) * sizeof(*dat));
	size_t *qat = malloc((qlen + 1) * sizeof(*qat));
	bool found = false;

	if (d == NULL || q == NULL || dat == NULL || qat == NULL)
		goto done;
	nd = normalize(doc, len, d, dat);
	nq = normalize(quote, qlen, q, qat);
	if (nq == 0)
		goto done;
	if ((hit = memmem(d, nd, q, nq)) != NULL) {
		size_t k = (size_t)(hit - d);

		*start = dat[k];
		/* The end of the last matched character in the document. */
		*end = k + nq < nd ? dat[k + nq] : len;
		while (*end > *start &&
		    (doc[*end - 1] == ' ' || doc[*end - 1] == '\n' ||
			doc[*end - 1] == '\t' || doc[*end - 1] == '\r'))
			(*end)--;
		found = true;
	}
done:
	free(d);
	free(q);
	free(dat);
	free(qat);
	return found;
}
