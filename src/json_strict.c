/* json_strict.c: a strict RFC 8259 validator that copies a document
 * minified byte for byte (numbers keep their text, strings their escapes)
 * and says where each member of the top-level object lies, so a request
 * line is checked and its values found in one pass. cJSON alone is too
 * lenient (control bytes as white space, raw control characters and bad
 * UTF-8 in strings, numbers like 01) and turns numbers into doubles. */
#include <stdint.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_DEPTH	256	/* nesting limit */

/* json_minify_doc() helpers. Each scans from *pp (< end), copies what it
 * accepts to *wp and advances both; -1 when the text is not valid. */

static const unsigned char *
json_skip_ws(const unsigned char *p, const unsigned char *end)
{
	while (p < end &&
	    (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* Four hex digits at p (p + 4 <= end), or -1. */
static long
json_hex4(const unsigned char *p)
{
	long	v = 0;
	int	i, d;

	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
			d = (p[i] | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* A string, *pp at its opening quote. Escaped surrogates must pair up: a
 * lone one is allowed by RFC 8259's grammar but rejected by cJSON,
 * serde_json and others, and the record must parse everywhere (such a
 * body falls back to text). */
static int
json_string(const unsigned char **pp, const unsigned char *end, char **wp,
    int *nul)
{
	const unsigned char	*p = *pp + 1, *run;
	char			*w = *wp;
	long			 u, u2;
	int			 len;

	*w++ = '"';
	for (;;) {
		run = p;
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' &&
		    *p != '\\')
			p++;
		memcpy(w, run, (size_t)(p - run));
		w += p - run;
		if (p == end)
			return -1;
		if (*p == '"')
			break;
		if (*p < 0x20)
			return -1;	/* raw control character */
		if (*p >= 0x80) {
			if ((len = utf8_seq_len(p, end)) < 0)
				return -1;
			memcpy(w, p, (size_t)len);
			w += len;
			p += len;
			continue;
		}
		/* A backslash. */
		if (end - p < 2)
			return -1;
		switch (p[1]) {
		case '"': case '\\': case '/':
		case 'b': case 'f': case 'n': case 'r': case 't':
			memcpy(w, p, 2);
			w += 2;
			p += 2;
			continue;
		case 'u':
			break;
		default:
			return -1;
		}
		if (end - p < 6 || (u = json_hex4(p + 2)) == -1)
			return -1;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;	/* lone low surrogate */
		if (u == 0)
			*nul = 1;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
			    (u2 = json_hex4(p + 8)) == -1 ||
			    u2 < 0xdc00 || u2 > 0xdfff)
				return -1;	/* lone high surrogate */
			memcpy(w, p, 12);
			w += 12;
			p += 12;
		} else {
			memcpy(w, p, 6);
			w += 6;
			p += 6;
		}
	}
	*w++ = '"';
	*pp = p + 1;
	*wp = w;
	return 0;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int
json_number(const unsigned char **pp, const unsigned char *end, char **wp)
{
	const unsigned char	*p = *pp, *d;

	if (p < end && *p == '-')
		p++;
	if (p == end)
		return -1;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else
		return -1;
	if (p < end && *p == '.') {
		d = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return -1;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		d = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return -1;
	}
	memcpy(*wp, *pp, (size_t)(p - *pp));
	*wp += p - *pp;
	*pp = p;
	return 0;
}

static int
json_literal(const unsigned char **pp, const unsigned char *end, char **wp,
    const char *lit, size_t len)
{
	if ((size_t)(end - *pp) < len || memcmp(*pp, lit, len) != 0)
		return -1;
	memcpy(*wp, lit, len);
	*wp += len;
	*pp += len;
	return 0;
}

/* A value of the top-level object ended at w: note where it lies. */
static void
doc_value_end(struct json_doc *doc, size_t vstart, size_t w)
{
	if (doc->n > 0 && doc->n <= doc->max) {
		doc->members[doc->n - 1].value = vstart;
		doc->members[doc->n - 1].value_len = w - vstart;
	}
}

int
json_minify_doc(struct buf *out, const char *s, size_t n,
    struct json_doc *doc)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + n;
	const unsigned char	*start = p;
	unsigned char		 stack[JSON_MAX_DEPTH];	/* open '{' or '[' */
	size_t			 depth = 0, base = out->len, vstart = 0, k;
	char			*w;
	enum { J_VALUE, J_KEY, J_NEXT } state = J_VALUE;
	struct json_doc		 none;
	int			 rc, top;	/* top: in the top-level
						 * object */

	if (doc == NULL) {
		memset(&none, 0, sizeof(none));
		doc = &none;
	}
	doc->n = 0;
	doc->error_at = 0;
	doc->trailing = 0;
	doc->has_nul = 0;
	/* The output is never longer than the input. */
	buf_reserve(out, n);
	w = out->data + out->len;
	for (;;) {
		p = json_skip_ws(p, end);
		top = depth == 1 && stack[0] == '{';
		if (state == J_NEXT && depth == 0) {
			if (p != end) {
				doc->trailing = 1;
				goto fail;	/* trailing garbage */
			}
			break;
		}
		if (p == end)
			goto fail;
		switch (state) {
		case J_VALUE:
			if (top)
				vstart = (size_t)(w - out->data);
			state = J_NEXT;
			switch (*p) {
			case '{':
			case '[':
				if (depth == JSON_MAX_DEPTH)
					goto fail;
				stack[depth++] = *p;
				*w++ = (char)*p++;
				p = json_skip_ws(p, end);
				if (p < end && *p == stack[depth - 1] + 2) {
					/* '{' + 2 == '}', '[' + 2 == ']' */
					depth--;
					*w++ = (char)*p++;
					if (top)
						doc_value_end(doc, vstart,
						    (size_t)(w - out->data));
				} else if (stack[depth - 1] == '{')
					state = J_KEY;
				else
					state = J_VALUE;
				continue;
			case '"':
				rc = json_string(&p, end, &w, &doc->has_nul);
				break;
			case 't':
				rc = json_literal(&p, end, &w, "true", 4);
				break;
			case 'f':
				rc = json_literal(&p, end, &w, "false", 5);
				break;
			case 'n':
				rc = json_literal(&p, end, &w, "null", 4);
				break;
			default:
				rc = json_number(&p, end, &w);
				break;
			}
			if (rc == -1)
				goto fail;
			if (top)
				doc_value_end(doc, vstart,
				    (size_t)(w - out->data));
			break;
		case J_KEY:
			k = (size_t)(w - out->data);
			if (*p != '"' ||
			    json_string(&p, end, &w, &doc->has_nul) == -1)
				goto fail;
			if (top && doc->n++ < doc->max) {
				doc->members[doc->n - 1].key = k;
				doc->members[doc->n - 1].key_len =
				    (size_t)(w - out->data) - k;
			}
			p = json_skip_ws(p, end);
			if (p == end || *p != ':')
				goto fail;
			*w++ = (char)*p++;
			state = J_VALUE;
			break;
		case J_NEXT:
			if (*p == ',') {
				*w++ = (char)*p++;
				state = stack[depth - 1] == '{' ?
				    J_KEY : J_VALUE;
			} else if (*p == stack[depth - 1] + 2) {
				depth--;
				*w++ = (char)*p++;
				if (depth == 1 && stack[0] == '{')
					doc_value_end(doc, vstart,
					    (size_t)(w - out->data));
			} else
				goto fail;
			break;
		}
	}
	out->len = (size_t)(w - out->data);
	out->data[out->len] = '\0';
	return 0;

fail:
	doc->error_at = (size_t)(p - start);
	out->len = base;
	out->data[base] = '\0';
	return -1;
}

int
json_minify(struct buf *out, const char *s, size_t n)
{
	return json_minify_doc(out, s, n, NULL);
}
