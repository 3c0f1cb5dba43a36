/* fuzz_check.c: reference implementations and record checks shared by the
 * fuzzers (see fuzz_check.h). They are written from RFC 8259, RFC 4648
 * and the Unicode standard, not from json.c, so that a bug there is
 * not repeated here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "record.h"
#include "fuzz_check.h"

void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "\n%s:%d: check failed: %s\n  ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
fuzz_show(const char *what, const char *s, size_t n)
{
	size_t	i, max = n > 600 ? 600 : n;

	fprintf(stderr, "  %s (%zu bytes): \"", what, n);
	for (i = 0; i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(stderr, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "\"%s\n", max < n ? "..." : "");
}

size_t
ref_utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t	v, min;
	size_t		len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		v = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		v = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		v = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

int
ref_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, len;
	uint32_t		 cp;

	while (i < n) {
		if ((len = ref_utf8_char(p + i, n - i, &cp)) == 0)
			return 0;
		i += len;
	}
	return 1;
}

/* The value of four hex digits at p, or -1. */
static long
ref_hex4(const unsigned char *p)
{
	long	v = 0;
	int	i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= p[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A JSON string starting at s[*i] == '"'; *i moves past it. */
static int
ref_string(const unsigned char *s, size_t n, size_t *i)
{
	size_t		j = *i + 1, len;
	long		u, u2;
	uint32_t	cp;

	for (;;) {
		if (j >= n)
			return -1;
		if (s[j] == '"')
			break;
		if (s[j] < 0x20)
			return -1;
		if (s[j] >= 0x80) {
			if ((len = ref_utf8_char(s + j, n - j, &cp)) == 0)
				return -1;
			j += len;
			continue;
		}
		if (s[j] != '\\') {
			j++;
			continue;
		}
		if (j + 1 >= n)
			return -1;
		if (strchr("\"\\/bfnrt", s[j + 1]) != NULL && s[j + 1] != 0) {
			j += 2;
			continue;
		}
		if (s[j + 1] != 'u' || n - j < 6 ||
		    (u = ref_hex4(s + j + 2)) < 0)
			return -1;
		j += 6;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (n - j < 6 || s[j] != '\\' || s[j + 1] != 'u' ||
			    (u2 = ref_hex4(s + j + 2)) < 0xdc00 || u2 > 0xdfff)
				return -1;
			j += 6;
		}
	}
	*i = j + 1;
	return 0;
}

static int
ref_digits(const unsigned char *s, size_t n, size_t *i)
{
	size_t	j = *i;

	while (j < n && s[j] >= '0' && s[j] <= '9')
		j++;
	if (j == *i)
		return -1;
	*i = j;
	return 0;
}

static int
ref_number(const unsigned char *s, size_t n, size_t *i)
{
	size_t	j = *i;

	if (j < n && s[j] == '-')
		j++;
	if (j < n && s[j] == '0')
		j++;
	else if (j < n && s[j] >= '1' && s[j] <= '9')
		(void)ref_digits(s, n, &j);
	else
		return -1;
	if (j < n && s[j] == '.') {
		j++;
		if (ref_digits(s, n, &j) == -1)
			return -1;
	}
	if (j < n && (s[j] == 'e' || s[j] == 'E')) {
		j++;
		if (j < n && (s[j] == '+' || s[j] == '-'))
			j++;
		if (ref_digits(s, n, &j) == -1)
			return -1;
	}
	*i = j;
	return 0;
}

static size_t
ref_ws(const unsigned char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	return i;
}

int
ref_json(const char *text, size_t n, size_t maxdepth, struct buf *out)
{
	const unsigned char	*s = (const unsigned char *)text;
	char			*stack;		/* open brackets, malloced */
	size_t			 depth = 0, i = 0, start, outlen;
	enum { VALUE, MEMBER, AFTER } want = VALUE;
	int			 rc = -1;

	outlen = out != NULL ? out->len : 0;
	stack = xmalloc(n + 1);
	for (;;) {
		i = ref_ws(s, n, i);
		if (want == AFTER && depth == 0) {
			if (i == n)
				rc = 0;
			break;
		}
		if (i == n)
			break;
		start = i;
		if (want == AFTER) {
			if (s[i] == ',')
				want = stack[depth - 1] == '{' ? MEMBER : VALUE;
			else if ((s[i] == '}' && stack[depth - 1] == '{') ||
			    (s[i] == ']' && stack[depth - 1] == '['))
				depth--;
			else
				break;
			i++;
		} else if (want == MEMBER) {
			if (s[i] != '"' || ref_string(s, n, &i) == -1)
				break;
			if (out != NULL)
				buf_add(out, s + start, i - start);
			i = ref_ws(s, n, i);
			if (i == n || s[i] != ':')
				break;
			start = i++;
			want = VALUE;
		} else if (s[i] == '{' || s[i] == '[') {
			if (maxdepth != 0 && depth == maxdepth)
				break;
			stack[depth++] = (char)s[i];
			i++;
			want = s[start] == '{' ? MEMBER : VALUE;
			if (out != NULL)
				buf_add(out, s + start, 1);
			/* An empty object or array. */
			i = ref_ws(s, n, i);
			if (i < n && s[i] == s[start] + 2) {
				depth--;
				start = i++;
				want = AFTER;
			} else
				continue;
		} else {
			if (s[i] == '"') {
				if (ref_string(s, n, &i) == -1)
					break;
			} else if (n - i >= 4 && memcmp(s + i, "true", 4) == 0)
				i += 4;
			else if (n - i >= 5 && memcmp(s + i, "false", 5) == 0)
				i += 5;
			else if (n - i >= 4 && memcmp(s + i, "null", 4) == 0)
				i += 4;
			else if (ref_number(s, n, &i) == -1)
				break;
			want = AFTER;
		}
		if (out != NULL)
			buf_add(out, s + start, i - start);
	}
	free(stack);
	if (rc == -1 && out != NULL && out->data != NULL) {
		out->len = outlen;
		out->data[outlen] = '\0';
	}
	return rc;
}

void
ref_json_unescape(const char *text, size_t n, struct buf *out)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 i = 0;
	unsigned long		 u, u2;
	char			 utf[4];

	while (i < n) {
		if (s[i] != '\\') {
			buf_addc(out, (char)s[i++]);
			continue;
		}
		switch (s[i + 1]) {
		case 'b':
			buf_addc(out, '\b');
			break;
		case 'f':
			buf_addc(out, '\f');
			break;
		case 'n':
			buf_addc(out, '\n');
			break;
		case 'r':
			buf_addc(out, '\r');
			break;
		case 't':
			buf_addc(out, '\t');
			break;
		case 'u':
			u = (unsigned long)ref_hex4(s + i + 2);
			if (u >= 0xd800 && u <= 0xdbff) {
				u2 = (unsigned long)ref_hex4(s + i + 8);
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (u2 - 0xdc00);
				i += 6;
			}
			if (u < 0x80)
				buf_addc(out, (char)u);
			else if (u < 0x800) {
				utf[0] = (char)(0xc0 | u >> 6);
				utf[1] = (char)(0x80 | (u & 0x3f));
				buf_add(out, utf, 2);
			} else if (u < 0x10000) {
				utf[0] = (char)(0xe0 | u >> 12);
				utf[1] = (char)(0x80 | ((u >> 6) & 0x3f));
				utf[2] = (char)(0x80 | (u & 0x3f));
				buf_add(out, utf, 3);
			} else {
				utf[0] = (char)(0xf0 | u >> 18);
				utf[1] = (char)(0x80 | ((u >> 12) & 0x3f));
				utf[2] = (char)(0x80 | ((u >> 6) & 0x3f));
				utf[3] = (char)(0x80 | (u & 0x3f));
				buf_add(out, utf, 4);
			}
			i += 4;
			break;
		default:	/* '"', '\\', '/' */
			buf_addc(out, (char)s[i + 1]);
			break;
		}
		i += 2;
	}
}

int
ref_base64_decode(const char *s, size_t n, struct buf *out)
{
	static const char	 alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;
	uint32_t		 v;
	size_t			 i, k, pad;
	int			 d[4];

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		pad = 0;
		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				d[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || s[i + k] == '\0' ||
			    (p = strchr(alpha, s[i + k])) == NULL)
				return -1;
			d[k] = (int)(p - alpha);
		}
		v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 |
		    (uint32_t)d[2] << 6 | (uint32_t)d[3];
		/* Canonical: the bits padding covers are zero. */
		if ((pad == 1 && (v & 0xff) != 0) ||
		    (pad == 2 && (v & 0xffff) != 0))
			return -1;
		buf_addc(out, (char)(v >> 16));
		if (pad < 2)
			buf_addc(out, (char)(v >> 8));
		if (pad < 1)
			buf_addc(out, (char)v);
	}
	return 0;
}

cJSON *
check_record(const char *out, size_t n, int has_id, int headers_out,
    int body_on, int save_on)
{
	static const char *const keys[] = {
		"index", "id", "url", "method", "ok", "status", "http_version",
		"final_url", "redirects", "attempts", "size", "content_type",
		"remote_ip", "time", "elapsed", "error", "headers", "body",
		"body_encoding", "file", NULL
	};
	static const char *const times[] = {
		"dns", "connect", "tls", "ttfb", "total", "wait", NULL
	};
	const char		*const *k, *end = NULL;
	cJSON			*root, *it, *t;

	if (n < 2 || out[n - 1] != '\n' || memchr(out, '\n', n - 1) != NULL) {
		fuzz_show("record", out, n);
		FUZZ_CHECK(0, "a record is one line ending in one \"\\n\"");
	}
	if (!utf8_valid(out, n) || !ref_utf8_valid(out, n)) {
		fuzz_show("record", out, n);
		FUZZ_CHECK(utf8_valid(out, n), "json.c's utf8_valid() "
		    "rejects the record");
		FUZZ_CHECK(ref_utf8_valid(out, n), "the record is not valid "
		    "UTF-8 (json.c's utf8_valid() says it is)");
	}
	if (ref_json(out, n - 1, 0, NULL) == -1) {
		fuzz_show("record", out, n);
		FUZZ_CHECK(0, "the record is not strict RFC 8259 JSON");
	}
	root = cJSON_ParseWithLengthOpts(out, n - 1, &end, 0);
	if (root == NULL || end != out + n - 1 || !cJSON_IsObject(root)) {
		fuzz_show("record", out, n);
		FUZZ_CHECK(0, "cJSON cannot parse the record as one object");
	}

	it = root->child;
	for (k = keys; *k != NULL; k++) {
		if ((strcmp(*k, "id") == 0 && !has_id) ||
		    (strcmp(*k, "headers") == 0 && !headers_out) ||
		    (strncmp(*k, "body", 4) == 0 && !body_on) ||
		    (strcmp(*k, "file") == 0 && !save_on))
			continue;
		if (it == NULL || strcmp(it->string, *k) != 0) {
			fuzz_show("record", out, n);
			FUZZ_CHECK(0, "key \"%s\" expected, found \"%s\"", *k,
			    it != NULL ? it->string : "(end)");
		}
		it = it->next;
	}
	if (it != NULL) {
		fuzz_show("record", out, n);
		FUZZ_CHECK(0, "unexpected key \"%s\"", it->string);
	}

	it = cJSON_GetObjectItemCaseSensitive(root, "ok");
	FUZZ_CHECK(cJSON_IsBool(it), "\"ok\" is not a boolean");
	FUZZ_CHECK(cJSON_IsTrue(it) == cJSON_IsNull(
	    cJSON_GetObjectItemCaseSensitive(root, "error")),
	    "\"ok\" is not true exactly when \"error\" is null");
	t = cJSON_GetObjectItemCaseSensitive(root, "time");
	FUZZ_CHECK(cJSON_IsObject(t), "\"time\" is not an object");
	it = t->child;
	for (k = times; *k != NULL; k++, it = it->next) {
		FUZZ_CHECK(it != NULL && strcmp(it->string, *k) == 0 &&
		    cJSON_IsNumber(it) && it->valuedouble >= 0,
		    "\"time\" lacks a non-negative \"%s\"", *k);
	}
	FUZZ_CHECK(it == NULL, "\"time\" has more than its six keys");
	return root;
}
