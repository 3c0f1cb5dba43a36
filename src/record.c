/* record.c: a request's outcome as one JSON line (SPEC "Output records"),
 * and the JSON helpers it needs: a string encoder that turns any bytes
 * into valid UTF-8 JSON, a UTF-8 validator, base64, and a strict
 * validator that embeds JSON bodies minified byte for byte.
 *
 * The record is written by hand straight into the output buffer: this
 * runs once per request, so it builds no cJSON tree and allocates nothing
 * beyond the buffer's growth (cJSON only prints a request's "id"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "record.h"

#define ADD_LIT(out, s)	buf_add((out), (s), sizeof(s) - 1)

#define JSON_MAX_DEPTH	256	/* json_minify() nesting limit */

/* enc_add() flags. */
#define ENC_ESCAPE	0x1	/* JSON string escapes */
#define ENC_LOWER	0x2	/* ASCII upper case to lower case */

static const char hexdigits[] = "0123456789abcdef";

/* For ASCII c, what a JSON string needs instead of c: 0 (nothing), the
 * letter of a short escape, or 'u' for \u00XX. */
static const char json_esc[128] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	['"'] = '"', ['\\'] = '\\',
};

/* Length of the UTF-8 sequence at p (p < end): > 0 when it is well
 * formed, else minus the length of its maximal subpart (Unicode 3.9,
 * "U+FFFD substitution of maximal subparts"), which is replaced by one
 * U+FFFD. */
static int
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char	c = p[0], lo = 0x80, hi = 0xbf;
	int		need, i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return -1;		/* continuation byte or overlong lead */
	if (c < 0xe0)
		need = 1;
	else if (c < 0xf0) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c < 0xf5) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return -1;
	for (i = 1; i <= need; i++) {
		if (p + i >= end || p[i] < lo || p[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* True when none of the 8 bytes in v needs work in a JSON string: no
 * byte >= 0x80, < 0x20, '"' or '\\' (bit tricks from "Bit Twiddling
 * Hacks": hasless, haszero). */
static int
swar_plain(uint64_t v)
{
	const uint64_t	ones = 0x0101010101010101ULL;
	const uint64_t	high = 0x8080808080808080ULL;
	uint64_t	q = v ^ (ones * '"'), b = v ^ (ones * '\\');

	return (((v - ones * 0x20) & ~v) | ((q - ones) & ~q) |
	    ((b - ones) & ~b) | v) & high ? 0 : 1;
}

/* Append s[0..n) to out with invalid UTF-8 replaced by U+FFFD and, as
 * flags ask, JSON string escapes and ASCII lower-casing. Works in chunks
 * so the worst case (6 bytes out per byte in) is reserved per chunk, not
 * for a whole body. */
static void
enc_add(struct buf *out, const char *s, size_t n, int flags)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + n;
	const unsigned char	*stop;
	unsigned char		 c;
	char			*w, e;
	size_t			 chunk;
	uint64_t		 v;
	int			 len;

	while (p < end) {
		chunk = (size_t)(end - p);
		if (chunk > 4096)
			chunk = 4096;
		buf_reserve(out, chunk * 6);
		w = out->data + out->len;
		stop = p + chunk;
		while (p < stop) {
			if (flags == ENC_ESCAPE && stop - p >= 8) {
				memcpy(&v, p, 8);
				if (swar_plain(v)) {
					memcpy(w, p, 8);
					w += 8;
					p += 8;
					continue;
				}
			}
			c = *p;
			if (c < 0x80) {
				e = (flags & ENC_ESCAPE) ? json_esc[c] : 0;
				if (e == 0) {
					if ((flags & ENC_LOWER) &&
					    c >= 'A' && c <= 'Z')
						c += 'a' - 'A';
					*w++ = (char)c;
				} else if (e == 'u') {
					memcpy(w, "\\u00", 4);
					w[4] = hexdigits[c >> 4];
					w[5] = hexdigits[c & 0xf];
					w += 6;
				} else {
					w[0] = '\\';
					w[1] = e;
					w += 2;
				}
				p++;
				continue;
			}
			len = utf8_len(p, end);
			if (len < 0) {
				memcpy(w, "\xef\xbf\xbd", 3);
				w += 3;
				p += -len;
				continue;
			}
			/* U+2028 and U+2029 are valid JSON but end lines in
			 * JavaScript; escape them for consumers that eval. */
			if ((flags & ENC_ESCAPE) && len == 3 && c == 0xe2 &&
			    p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
				memcpy(w, p[2] == 0xa8 ? "\\u2028" : "\\u2029",
				    6);
				w += 6;
			} else {
				memcpy(w, p, (size_t)len);
				w += len;
			}
			p += len;
		}
		out->len = (size_t)(w - out->data);
		out->data[out->len] = '\0';
	}
}

void
json_add_string(struct buf *out, const char *s, size_t n)
{
	buf_reserve(out, n + 2);
	buf_addc(out, '"');
	enc_add(out, s, n, ENC_ESCAPE);
	buf_addc(out, '"');
}

int
utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + n;
	uint64_t		 v;
	int			 len;

	while (p < end) {
		if (*p < 0x80) {
			while (end - p >= 8) {
				memcpy(&v, p, 8);
				if (v & 0x8080808080808080ULL)
					break;
				p += 8;
			}
			while (p < end && *p < 0x80)
				p++;
			continue;
		}
		if ((len = utf8_len(p, end)) < 0)
			return 0;
		p += len;
	}
	return 1;
}

void
base64_add(struct buf *out, const unsigned char *s, size_t n)
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			*w;
	uint32_t		 v;
	size_t			 i;

	buf_reserve(out, (n + 2) / 3 * 4);
	w = out->data + out->len;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		w[0] = b64[v >> 18];
		w[1] = b64[(v >> 12) & 0x3f];
		w[2] = b64[(v >> 6) & 0x3f];
		w[3] = b64[v & 0x3f];
		w += 4;
	}
	if (n - i == 1) {
		v = (uint32_t)s[i] << 16;
		w[0] = b64[v >> 18];
		w[1] = b64[(v >> 12) & 0x3f];
		w[2] = '=';
		w[3] = '=';
		w += 4;
	} else if (n - i == 2) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		w[0] = b64[v >> 18];
		w[1] = b64[(v >> 12) & 0x3f];
		w[2] = b64[(v >> 6) & 0x3f];
		w[3] = '=';
		w += 4;
	}
	out->len = (size_t)(w - out->data);
	out->data[out->len] = '\0';
}

/* json_minify() helpers. Each scans from *pp (< end), copies what it
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
json_string(const unsigned char **pp, const unsigned char *end, char **wp)
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
			if ((len = utf8_len(p, end)) < 0)
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

int
json_minify(struct buf *out, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + n;
	unsigned char		 stack[JSON_MAX_DEPTH];	/* open '{' or '[' */
	size_t			 depth = 0, start = out->len;
	char			*w;
	enum { J_VALUE, J_KEY, J_NEXT } state = J_VALUE;
	int			 rc;

	/* The output is never longer than the input. */
	buf_reserve(out, n);
	w = out->data + out->len;
	for (;;) {
		p = json_skip_ws(p, end);
		if (state == J_NEXT && depth == 0) {
			if (p != end)
				goto fail;	/* trailing garbage */
			break;
		}
		if (p == end)
			goto fail;
		switch (state) {
		case J_VALUE:
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
				} else if (stack[depth - 1] == '{')
					state = J_KEY;
				else
					state = J_VALUE;
				continue;
			case '"':
				rc = json_string(&p, end, &w);
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
			break;
		case J_KEY:
			if (*p != '"' || json_string(&p, end, &w) == -1)
				goto fail;
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
			} else
				goto fail;
			break;
		}
	}
	out->len = (size_t)(w - out->data);
	out->data[out->len] = '\0';
	return 0;

fail:
	out->len = start;
	out->data[start] = '\0';
	return -1;
}

void
result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->headers);
	buf_init(&r->body);
}

void
result_free(struct result *r)
{
	free(r->final_url);
	free(r->content_type);
	free(r->file);
	buf_free(&r->headers);
	buf_free(&r->body);
	result_init(r);
}

void
result_reset(struct result *r)
{
	struct buf	headers = r->headers, body = r->body;
	long		attempts = r->attempts;
	double		elapsed = r->elapsed;

	free(r->final_url);
	free(r->content_type);
	free(r->file);
	memset(r, 0, sizeof(*r));
	r->headers = headers;
	r->body = body;
	/* An attempt with a big body does not keep its memory. */
	buf_shrink(&r->headers, 64 * 1024);
	buf_shrink(&r->body, 64 * 1024);
	r->attempts = attempts;
	r->elapsed = elapsed;
}

static void
add_u64(struct buf *out, uint64_t v)
{
	char	tmp[20], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void
add_i64(struct buf *out, int64_t v)
{
	if (v < 0) {
		buf_addc(out, '-');
		add_u64(out, 0 - (uint64_t)v);
	} else
		add_u64(out, (uint64_t)v);
}

/* Seconds as "%.6f". Durations are never negative or non-finite; should
 * a clock step make one so, print 0 rather than invalid JSON. */
static void
add_seconds(struct buf *out, double x)
{
	uint64_t	us;
	char		frac[6];
	int		i;

	if (!isfinite(x) || x < 0)
		x = 0;
	if (x >= 1e12) {
		buf_addf(out, "%.6f", x);
		return;
	}
	us = (uint64_t)(x * 1e6 + 0.5);
	add_u64(out, us / 1000000);
	us %= 1000000;
	for (i = 5; i >= 0; i--) {
		frac[i] = (char)('0' + us % 10);
		us /= 10;
	}
	buf_addc(out, '.');
	buf_add(out, frac, sizeof(frac));
}

static void
add_string_or_null(struct buf *out, const char *s)
{
	if (s == NULL)
		ADD_LIT(out, "null");
	else
		json_add_string(out, s, strlen(s));
}

/* One field of the response headers: name and value point into the raw
 * header text; the value runs to vend and may span obs-fold lines. */
struct hdr {
	const char	*name;
	size_t		 namelen;
	const char	*value;
	const char	*vend;
	uint32_t	 hash;
	int		 next;		/* next field of this name, or -1 */
	int		 last;		/* first of a name: its last field */
	int		 count;		/* first of a name: how many */
	int		 first;		/* the first field of its name */
};

#define HDR_STACK	64	/* fields handled without allocating */

static int
hdr_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int
hdr_name_eq(const struct hdr *a, const struct hdr *b)
{
	size_t	i;
	char	x, y;

	if (a->namelen != b->namelen)
		return 0;
	for (i = 0; i < a->namelen; i++) {
		x = a->name[i];
		y = b->name[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return 1;
}

/* The value as one JSON string: each line trimmed, obs-fold lines joined
 * with one space. */
static void
hdr_add_value(struct buf *out, const struct hdr *h)
{
	const char	*p = h->value, *le, *a, *b;
	int		 any = 0;

	buf_addc(out, '"');
	while (p < h->vend) {
		le = memchr(p, '\n', (size_t)(h->vend - p));
		if (le == NULL)
			le = h->vend;
		a = p;
		b = le;
		while (a < b && hdr_ws(*a))
			a++;
		while (b > a && hdr_ws(b[-1]))
			b--;
		if (a < b) {
			if (any)
				buf_addc(out, ' ');
			enc_add(out, a, (size_t)(b - a), ENC_ESCAPE);
			any = 1;
		}
		if (le == h->vend)
			break;
		p = le + 1;
	}
	buf_addc(out, '"');
}

/* The raw header lines as a JSON object (SPEC; brief point 4). Only the
 * block after the last status line counts, should the buffer hold more
 * than one response. */
static void
headers_add(struct buf *out, const struct buf *raw)
{
	struct hdr	 hstack[HDR_STACK], *h = hstack, *f;
	int		 tstack[HDR_STACK * 2], *table = tstack;
	const char	*p, *end, *le, *colon, *a, *b;
	size_t		 nlines = 1, nslots, i, slot;
	int		 nh = 0, j, k, folding = 0, any = 0;

	p = raw->data;
	end = p + raw->len;
	if (raw->len == 0) {
		ADD_LIT(out, "{}");
		return;
	}
	for (le = p; (le = memchr(le, '\n', (size_t)(end - le))) != NULL;
	    le++) {
		nlines++;
		if (end - (le + 1) >= 5 && memcmp(le + 1, "HTTP/", 5) == 0) {
			p = le + 1;
			nlines = 1;
		}
	}
	for (nslots = 2; nslots < nlines * 2; nslots *= 2)
		;
	if (nlines > HDR_STACK) {
		h = xmalloc(nlines * sizeof(*h));
		table = xmalloc(nslots * sizeof(*table));
	}
	for (i = 0; i < nslots; i++)
		table[i] = -1;

	for (; p < end; p = le + (le < end)) {
		if ((le = memchr(p, '\n', (size_t)(end - p))) == NULL)
			le = end;
		if (p < le && (*p == ' ' || *p == '\t')) {
			if (folding)
				h[nh - 1].vend = le;	/* obs-fold */
			continue;
		}
		folding = 0;
		colon = memchr(p, ':', (size_t)(le - p));
		if (colon == NULL ||
		    (le - p >= 5 && memcmp(p, "HTTP/", 5) == 0))
			continue;	/* status line, blank or malformed */
		a = p;
		b = colon;
		while (b > a && hdr_ws(b[-1]))
			b--;
		if (a == b)
			continue;
		f = &h[nh];
		f->name = a;
		f->namelen = (size_t)(b - a);
		f->value = colon + 1;
		f->vend = le;
		f->next = -1;
		f->last = nh;
		f->count = 1;
		f->first = 1;
		f->hash = 2166136261u;	/* FNV-1a of the lower-cased name */
		for (; a < b; a++)
			f->hash = (f->hash ^ (unsigned char)((*a >= 'A' &&
			    *a <= 'Z') ? *a + ('a' - 'A') : *a)) * 16777619u;
		for (slot = f->hash & (nslots - 1); (j = table[slot]) != -1;
		    slot = (slot + 1) & (nslots - 1)) {
			if (h[j].hash == f->hash && hdr_name_eq(&h[j], f))
				break;
		}
		if (j == -1)
			table[slot] = nh;
		else {
			f->first = 0;
			h[h[j].last].next = nh;
			h[j].last = nh;
			h[j].count++;
		}
		nh++;
		folding = 1;
	}

	buf_addc(out, '{');
	for (j = 0; j < nh; j++) {
		if (!h[j].first)
			continue;
		if (any)
			buf_addc(out, ',');
		any = 1;
		buf_addc(out, '"');
		enc_add(out, h[j].name, h[j].namelen, ENC_ESCAPE | ENC_LOWER);
		ADD_LIT(out, "\":");
		if (h[j].count == 1) {
			hdr_add_value(out, &h[j]);
			continue;
		}
		buf_addc(out, '[');
		for (k = j; k != -1; k = h[k].next) {
			if (k != j)
				buf_addc(out, ',');
			hdr_add_value(out, &h[k]);
		}
		buf_addc(out, ']');
	}
	buf_addc(out, '}');

	if (h != hstack) {
		free(h);
		free(table);
	}
}

/* "body" and "body_encoding" of a response (brief points 2 and 3). */
static void
body_add(struct buf *out, const struct buf *body, enum body_mode mode)
{
	const char	*enc;

	ADD_LIT(out, ",\"body\":");
	if (body->len == 0) {
		ADD_LIT(out, "\"\",\"body_encoding\":\"text\"");
		return;
	}
	switch (mode) {
	case BODY_TEXT:
		json_add_string(out, body->data, body->len);
		enc = "text";
		break;
	case BODY_BASE64:
		buf_addc(out, '"');
		base64_add(out, (const unsigned char *)body->data, body->len);
		buf_addc(out, '"');
		enc = "base64";
		break;
	default:	/* BODY_AUTO, and BODY_JSON falls back to it */
		if (json_minify(out, body->data, body->len) == 0)
			enc = "json";
		else if (utf8_valid(body->data, body->len)) {
			json_add_string(out, body->data, body->len);
			enc = "text";
		} else {
			buf_addc(out, '"');
			base64_add(out, (const unsigned char *)body->data,
			    body->len);
			buf_addc(out, '"');
			enc = "base64";
		}
		break;
	}
	ADD_LIT(out, ",\"body_encoding\":\"");
	buf_adds(out, enc);
	buf_addc(out, '"');
}

void
record_encode(struct buf *out, const struct request *req,
    const struct result *res, const struct opts *o)
{
	enum kind	 kind = res->kind;
	const char	*message = res->message, *url = req->url;
	char		*id;
	int		 responded = res->status > 0;

	/* An invalid line's error lives in the request until whoever builds
	 * its record copies it; either way the record says it. */
	if (kind == KIND_NONE && req->invalid != KIND_NONE) {
		kind = req->invalid;
		message = req->message;
	}
	if (message[0] == '\0')
		message = kind_name(kind);
	if (url == NULL)
		url = "";

	buf_reserve(out, 512 + strlen(url));
	ADD_LIT(out, "{\"index\":");
	add_u64(out, req->index);
	if (req->id != NULL) {
		ADD_LIT(out, ",\"id\":");
		/* cJSON copies string bytes as they came; make them UTF-8. */
		if ((id = cJSON_PrintUnformatted(req->id)) != NULL) {
			enc_add(out, id, strlen(id), 0);
			cJSON_free(id);
		} else
			ADD_LIT(out, "null");
	}
	ADD_LIT(out, ",\"url\":");
	json_add_string(out, url, strlen(url));
	ADD_LIT(out, ",\"method\":");
	add_string_or_null(out, request_method(req, o));
	if (kind == KIND_NONE)
		ADD_LIT(out, ",\"ok\":true,\"status\":");
	else
		ADD_LIT(out, ",\"ok\":false,\"status\":");
	if (responded)
		add_i64(out, res->status);
	else
		ADD_LIT(out, "null");
	ADD_LIT(out, ",\"http_version\":");
	add_string_or_null(out, res->http_version);
	ADD_LIT(out, ",\"final_url\":");
	add_string_or_null(out, res->final_url);
	ADD_LIT(out, ",\"redirects\":");
	add_i64(out, res->redirects);
	ADD_LIT(out, ",\"attempts\":");
	add_i64(out, res->attempts);
	ADD_LIT(out, ",\"size\":");
	add_i64(out, res->size);
	ADD_LIT(out, ",\"content_type\":");
	add_string_or_null(out, res->content_type);
	ADD_LIT(out, ",\"remote_ip\":");
	add_string_or_null(out, res->remote_ip[0] != '\0' ?
	    res->remote_ip : NULL);
	ADD_LIT(out, ",\"time\":{\"dns\":");
	add_seconds(out, res->t_dns);
	ADD_LIT(out, ",\"connect\":");
	add_seconds(out, res->t_connect);
	ADD_LIT(out, ",\"tls\":");
	add_seconds(out, res->t_tls);
	ADD_LIT(out, ",\"ttfb\":");
	add_seconds(out, res->t_ttfb);
	ADD_LIT(out, ",\"total\":");
	add_seconds(out, res->t_total);
	ADD_LIT(out, "},\"elapsed\":");
	add_seconds(out, res->elapsed);
	if (kind == KIND_NONE)
		ADD_LIT(out, ",\"error\":null");
	else {
		ADD_LIT(out, ",\"error\":{\"kind\":\"");
		buf_adds(out, kind_name(kind));
		ADD_LIT(out, "\",\"message\":");
		json_add_string(out, message, strlen(message));
		buf_addc(out, '}');
	}
	if (o->headers_out) {
		ADD_LIT(out, ",\"headers\":");
		if (responded)
			headers_add(out, &res->headers);
		else
			ADD_LIT(out, "null");
	}
	if (o->body != BODY_NONE) {
		if (responded)
			body_add(out, &res->body, o->body);
		else
			ADD_LIT(out, ",\"body\":null,\"body_encoding\":null");
	}
	if (o->save_dir != NULL) {
		ADD_LIT(out, ",\"file\":");
		add_string_or_null(out, res->file);
	}
	ADD_LIT(out, "}\n");
}
