/* json.c: JSON text out of any bytes: a string encoder whose output is
 * always valid UTF-8 JSON (invalid sequences become U+FFFD), a UTF-8
 * validator, and base64. The strict validator is json_strict.c. */
#include <stdint.h>
#include <string.h>

#include "json.h"

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
int
utf8_seq_len(const unsigned char *p, const unsigned char *end)
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
void
json_add_text(struct buf *out, const char *s, size_t n, int flags)
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
			if (flags == JSON_ESCAPE && stop - p >= 8) {
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
				e = (flags & JSON_ESCAPE) ? json_esc[c] : 0;
				if (e == 0) {
					if ((flags & JSON_LOWER) &&
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
			len = utf8_seq_len(p, end);
			if (len < 0) {
				memcpy(w, "\xef\xbf\xbd", 3);
				w += 3;
				p += -len;
				continue;
			}
			/* U+2028 and U+2029 are valid JSON but end lines in
			 * JavaScript; escape them for consumers that eval. */
			if ((flags & JSON_ESCAPE) && len == 3 && c == 0xe2 &&
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
	json_add_text(out, s, n, JSON_ESCAPE);
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
		if ((len = utf8_seq_len(p, end)) < 0)
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
