/* input_parse.c: the pure parser that turns one input line into a
 * request: blank and comment lines, plain URLs, and JSON request objects.
 * It keeps one libcurl URL handle between calls, so it is not thread-safe:
 * only the loop thread parses lines. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "input.h"
#include "record.h"
#include "util.h"

#define URL_TEXT_MAX	1024	/* bytes of an invalid line kept as url */
#define METHOD_MAX	32
#define NAME_SHOW_MAX	40	/* bytes of a key or name quoted in a
				 * message */

/* The URL parser, created on first use and reused for every line; freed
 * in input_parse_cleanup(). */
static CURLU	*parse_cu;
static struct buf strict_scratch;	/* json_minify() output, reused */

/* Bit of each JSON request key, to find keys given twice. */
enum {
	KEY_URL = 1 << 0,
	KEY_METHOD = 1 << 1,
	KEY_HEADERS = 1 << 2,
	KEY_BODY = 1 << 3,
	KEY_ID = 1 << 4
};

static int	parse_fail(struct request *, enum kind, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* White space as the C locale's isspace() sees it. */
static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 7230 tchar: what header names and methods are made of. */
static int
is_tchar(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* JSON's own white space, which is all a minified value drops. */
static int
is_json_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Mark req invalid with kind k and a message; returns -1 so callers can
 * write "return parse_fail(...)". */
static int
parse_fail(struct request *req, enum kind k, const char *fmt, ...)
{
	va_list ap;

	req->invalid = k;
	va_start(ap, fmt);
	(void)vsnprintf(req->message, sizeof req->message, fmt, ap);
	va_end(ap);
	return -1;
}

/* Copy a JSON key or header name into dst for quoting in a message: at
 * most NAME_SHOW_MAX bytes, cut on a character boundary, with control
 * characters (and every non-ASCII byte, if the name is not UTF-8) shown
 * as '?'. */
static void
name_show(char *dst, size_t dstlen, const char *name)
{
	size_t len = strlen(name), n, i;
	int utf8 = utf8_valid(name, len);
	unsigned char c;

	n = len;
	if (n > NAME_SHOW_MAX) {
		n = NAME_SHOW_MAX;
		while (n > 0 && utf8 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	if (n + 4 > dstlen)
		n = dstlen - 4;
	for (i = 0; i < n; i++) {
		c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
			c = '?';
		dst[i] = (char)c;
	}
	if (n < len)
		dst[i++] = '.', dst[i++] = '.', dst[i++] = '.';
	dst[i] = '\0';
}

/* The text an invalid line shows as its url: at most URL_TEXT_MAX bytes,
 * not cut inside a UTF-8 sequence, NUL bytes shown as U+FFFD (the record
 * writer deals with any other bytes). Malloced. */
static char *
line_text(const char *s, size_t len)
{
	size_t i, j, o = 0, need, seq;
	unsigned char c;
	char *t;

	t = xmalloc((len < URL_TEXT_MAX ? len * 3 : URL_TEXT_MAX) + 1);
	for (i = 0; i < len; i++) {
		need = s[i] == '\0' ? 3 : 1;
		if (o + need > URL_TEXT_MAX)
			break;
		if (s[i] == '\0') {
			memcpy(t + o, "\xef\xbf\xbd", 3);
			o += 3;
		} else
			t[o++] = s[i];
	}
	/* Cut before a sequence whose tail did not fit: its lead byte and
	 * continuation bytes were copied one for one. */
	if (i < len && ((unsigned char)s[i] & 0xc0) == 0x80) {
		for (j = i; j > 0 && i - j < 3 &&
		    ((unsigned char)s[j - 1] & 0xc0) == 0x80; j--)
			;
		if (j > 0) {
			c = (unsigned char)s[--j];
			seq = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
			if (j + seq > i)
				o -= i - j;
		}
	}
	t[o] = '\0';
	return t;
}

/* Length of the scheme s starts with, or 0 when it has none (and gets
 * "http://"). "name://" always names a scheme. "name:" without "//"
 * names one ("file:/x", "mailto:x", "javascript:x") unless the name holds
 * a '.' or a digit follows the ':', so that "localhost:8080/x" and
 * "example.com:8080" stay host names. */
static size_t
url_scheme(const char *s, size_t len)
{
	size_t i;
	int dot = 0;
	unsigned char c;

	if (len == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '.')
			dot = 1;
		else if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-')
			break;
	}
	if (i == len || s[i] != ':')
		return 0;
	if (len - i >= 3 && s[i + 1] == '/' && s[i + 2] == '/')
		return i;
	if (dot || (i + 1 < len && is_digit((unsigned char)s[i + 1])))
		return 0;
	return i;
}

/* Check the URL s[0..len) (no NUL bytes) and fill req->url (malloced, the
 * URL as given, "http://" prepended when it has no scheme) and req->host
 * ("host:port", lower case). Returns 0, or -1 with req invalid. */
static int
url_check(struct request *req, const char *s, size_t len)
{
	CURLUcode uc;
	char *host = NULL, *port = NULL, *p;
	size_t i, slen, hlen, plen, off;
	int high = 0, rc = -1;
	unsigned char c;

	if (len == 0)
		return parse_fail(req, KIND_INVALID_URL, "the URL is empty");
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == ' ')
			return parse_fail(req, KIND_INVALID_URL,
			    "the URL holds a space: write it as %%20");
		if (c < 0x20 || c == 0x7f)
			return parse_fail(req, KIND_INVALID_URL,
			    "the URL holds control character 0x%02x: "
			    "percent-encode it", c);
		if (c >= 0x80)
			high = 1;
	}
	if (high && !utf8_valid(s, len))
		return parse_fail(req, KIND_INVALID_URL,
		    "the URL is not valid UTF-8: percent-encode its bytes");

	slen = url_scheme(s, len);
	if (slen == 0) {
		off = sizeof "http://" - 1;
		req->url = xmalloc(off + len + 1);
		memcpy(req->url, "http://", off);
	} else if ((slen == 4 && strncasecmp(s, "http", 4) == 0) ||
	    (slen == 5 && strncasecmp(s, "https", 5) == 0)) {
		off = 0;
		req->url = xmalloc(len + 1);
	} else
		return parse_fail(req, KIND_INVALID_URL,
		    "scheme '%.*s' is not allowed: only http and https are "
		    "fetched", (int)(slen > NAME_SHOW_MAX ? NAME_SHOW_MAX : slen),
		    s);
	memcpy(req->url + off, s, len);
	req->url[off + len] = '\0';

	if (parse_cu == NULL && (parse_cu = curl_url()) == NULL) {
		(void)parse_fail(req, KIND_INTERNAL, "out of memory");
		goto fail;
	}
	/* Every URL here is absolute, so a new one replaces the last one
	 * whole rather than being resolved against it. */
	uc = curl_url_set(parse_cu, CURLUPART_URL, req->url,
	    CURLU_NON_SUPPORT_SCHEME);
	if (uc != CURLUE_OK) {
		(void)parse_fail(req, KIND_INVALID_URL, "%s",
		    curl_url_strerror(uc));
		goto fail;
	}
	uc = curl_url_get(parse_cu, CURLUPART_HOST, &host, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(parse_cu, CURLUPART_PORT, &port,
		    CURLU_DEFAULT_PORT);
	if (uc != CURLUE_OK) {
		(void)parse_fail(req, KIND_INVALID_URL, "%s",
		    curl_url_strerror(uc));
		goto fail;
	}
	hlen = strlen(host);
	plen = strlen(port);
	if (hlen == 0) {
		(void)parse_fail(req, KIND_INVALID_URL,
		    "No host part in the URL");
		goto fail;
	}
	if (hlen + 1 + plen >= sizeof req->host) {
		(void)parse_fail(req, KIND_INVALID_URL,
		    "the host name is too long");
		goto fail;
	}
	p = req->host;
	for (i = 0; i < hlen; i++) {
		c = (unsigned char)host[i];
		*p++ = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	*p++ = ':';
	memcpy(p, port, plen + 1);
	/* The parsed URL goes with the request: libcurl then need not parse
	 * it again (CURLOPT_CURLU). */
	req->cu = parse_cu;
	parse_cu = NULL;
	rc = 0;

fail:
	curl_free(host);
	curl_free(port);
	return rc;
}

/* True when a JSON text holds the escape \u0000: a NUL that C strings
 * (and so the url, method, headers and a string body) cannot hold. A
 * backslash only appears inside strings in valid JSON, so no string
 * tracking is needed. */
static int
json_has_nul(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0)
			return 1;
		p += 2;		/* the backslash and the escaped character */
		if (p >= end)
			break;
	}
	return 0;
}

/* Skip the JSON string at p (on its opening quote). */
static const char *
json_skip_string(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++) {
		if (*p == '\\')
			p++;
	}
	return p < end ? p + 1 : end;
}

/* Skip the JSON value at p. */
static const char *
json_skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (*p == '"')
		return json_skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && !is_json_space((unsigned char)*p) &&
		    *p != ',' && *p != '}' && *p != ']')
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"') {
			p = json_skip_string(p, end);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return end;
}

/* The value of member number want of the JSON object s[0..len), which
 * cJSON has already accepted, minified byte for byte: numbers keep their
 * exact text and strings their escapes, where a cJSON round trip would
 * turn 12345678901234567890 into 1.2345678901234567e+19. Malloced. */
static char *
json_member_text(const char *s, size_t len, int want, size_t *outlen)
{
	const char *p = s + 1, *end = s + len, *v, *vend, *q;
	char *out, *o;
	int n;

	for (n = 0; p < end; n++) {
		while (p < end && (is_json_space((unsigned char)*p) ||
		    *p == ','))
			p++;
		p = json_skip_string(p, end);		/* the key */
		while (p < end && (is_json_space((unsigned char)*p) ||
		    *p == ':'))
			p++;
		v = p;
		p = json_skip_value(p, end);
		if (n != want)
			continue;
		vend = p;
		o = out = xmalloc((size_t)(vend - v) + 1);
		for (q = v; q < vend; q++) {
			if (*q == '"') {
				p = json_skip_string(q, vend);
				memcpy(o, q, (size_t)(p - q));
				o += p - q;
				q = p - 1;
			} else if (!is_json_space((unsigned char)*q))
				*o++ = *q;
		}
		*o = '\0';
		*outlen = (size_t)(o - out);
		return out;
	}
	return NULL;	/* not reached: cJSON found the member */
}

/* Fill req->headers from a JSON object of string values. */
static int
json_headers(struct request *req, const cJSON *obj)
{
	const cJSON *h, *g;
	const char *name = "", *value, *p, *why = NULL;
	char show[NAME_SHOW_MAX + 8];
	size_t n = 0, nlen, vlen;
	char *line;

	for (h = obj->child; h != NULL; h = h->next)
		n++;
	if (n == 0)
		return 0;
	req->headers = xcalloc(n + 1, sizeof *req->headers);
	n = 0;
	for (h = obj->child; h != NULL; h = h->next) {
		name = h->string;
		for (p = name; is_tchar((unsigned char)*p); p++)
			;
		if (*p != '\0' || p == name) {
			why = "is not a valid header name: use letters, digits "
			    "and !#$%&'*+-.^_`|~";
			break;
		}
		for (g = obj->child; g != h; g = g->next) {
			if (strcmp(g->string, name) == 0)
				break;
		}
		if (g != h) {
			why = "is given twice: join its values with \", \"";
			break;
		}
		if (cJSON_IsNull(h)) {
			/* null removes a default header ("Name:" to
			 * libcurl); "" sends it empty ("Name;"). */
			line = xmalloc(strlen(name) + 2);
			(void)sprintf(line, "%s:", name);
			req->headers[n++] = line;
			continue;
		}
		if (!cJSON_IsString(h)) {
			why = "must have a string or null value";
			break;
		}
		value = h->valuestring;
		for (p = value; *p != '\0'; p++) {
			if (*p == '\r' || *p == '\n') {
				why = "holds CR or LF: a header value is one "
				    "line";
				break;
			}
			if (((unsigned char)*p < 0x20 && *p != '\t') ||
			    *p == 0x7f) {
				why = "holds a control character";
				break;
			}
		}
		if (why != NULL)
			break;
		nlen = strlen(name);
		vlen = (size_t)(p - value);
		line = xmalloc(nlen + 2 + vlen + 1);
		memcpy(line, name, nlen);
		memcpy(line + nlen, vlen > 0 ? ": " : ";", 2);
		memcpy(line + nlen + (vlen > 0 ? 2 : 1), value, vlen + 1);
		req->headers[n++] = line;
	}
	if (why == NULL)
		return 0;
	name_show(show, sizeof show, name);
	return parse_fail(req, KIND_INVALID_INPUT, "header \"%s\" %s", show,
	    why);
}

/* Fill req from the JSON request line s[0..len) (starting with '{'). */
static int
json_parse(struct request *req, const char *s, size_t len)
{
	cJSON *root, *it, *url = NULL, *method = NULL, *headers = NULL;
	cJSON *body = NULL, *id = NULL;
	const char *end = NULL, *p;
	char show[NAME_SHOW_MAX + 8];
	int seen = 0, bit, n, body_at = 0, rc = -1;

	root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (root == NULL)
		return parse_fail(req, KIND_INVALID_INPUT,
		    "not valid JSON (at column %zu): a line starting with "
		    "'{' is a JSON request", (size_t)(end - s) + 1);
	if (end != s + len) {
		(void)parse_fail(req, KIND_INVALID_INPUT,
		    "text after the JSON object at column %zu: put one "
		    "request on each line", (size_t)(end - s) + 1);
		goto fail;
	}
	if (!cJSON_IsObject(root)) {
		(void)parse_fail(req, KIND_INVALID_INPUT,
		    "a JSON request must be an object");
		goto fail;
	}
	/* cJSON is lenient (control bytes as white space, raw control
	 * characters and bad UTF-8 in strings, numbers like 01); a request
	 * line must be strict JSON, or the body sent could differ from the
	 * one written. */
	buf_reset(&strict_scratch);
	if (json_minify(&strict_scratch, s, len) < 0) {
		(void)parse_fail(req, KIND_INVALID_INPUT,
		    "not valid JSON (RFC 8259): control characters, invalid "
		    "UTF-8 or a malformed number");
		goto fail;
	}
	if (json_has_nul(s, len)) {
		(void)parse_fail(req, KIND_INVALID_INPUT,
		    "the JSON holds \\u0000 (a NUL character), which cannot "
		    "be sent");
		goto fail;
	}

	for (it = root->child, n = 0; it != NULL; it = it->next, n++) {
		if (strcmp(it->string, "url") == 0) {
			bit = KEY_URL;
			url = it;
		} else if (strcmp(it->string, "method") == 0) {
			bit = KEY_METHOD;
			method = it;
		} else if (strcmp(it->string, "headers") == 0) {
			bit = KEY_HEADERS;
			headers = it;
		} else if (strcmp(it->string, "body") == 0) {
			bit = KEY_BODY;
			body = it;
			body_at = n;
		} else if (strcmp(it->string, "id") == 0) {
			bit = KEY_ID;
			id = it;
		} else {
			name_show(show, sizeof show, it->string);
			(void)parse_fail(req, KIND_INVALID_INPUT,
			    "unknown key \"%s\": a JSON request has url, "
			    "method, headers, body and id", show);
			goto fail;
		}
		if (seen & bit) {
			(void)parse_fail(req, KIND_INVALID_INPUT,
			    "key \"%s\" is given twice", it->string);
			goto fail;
		}
		seen |= bit;
	}
	/* The id is echoed even when the rest of the line is invalid, so
	 * that the record can still be matched to its request. */
	if (id != NULL) {
		req->id = cJSON_DetachItemViaPointer(root, id);
		cJSON_free(req->id->string);	/* a bare value now */
		req->id->string = NULL;
	}

	if (url == NULL) {
		(void)parse_fail(req, KIND_INVALID_INPUT,
		    "the JSON request has no \"url\"");
		goto fail;
	}
	if (!cJSON_IsString(url)) {
		(void)parse_fail(req, KIND_INVALID_INPUT,
		    "\"url\" must be a string");
		goto fail;
	}

	if (method != NULL && !cJSON_IsNull(method)) {
		if (!cJSON_IsString(method)) {
			(void)parse_fail(req, KIND_INVALID_INPUT,
			    "\"method\" must be a string");
			goto fail;
		}
		for (p = method->valuestring; is_tchar((unsigned char)*p); p++)
			;
		if (*p != '\0' || p == method->valuestring ||
		    p - method->valuestring > METHOD_MAX) {
			name_show(show, sizeof show, method->valuestring);
			(void)parse_fail(req, KIND_INVALID_INPUT,
			    "method \"%s\" is not valid: expected a name such "
			    "as GET or POST (HTTP token characters, at most "
			    "%d)", show, METHOD_MAX);
			goto fail;
		}
		req->method = xstrndup(method->valuestring,
		    (size_t)(p - method->valuestring));
	}

	if (headers != NULL && !cJSON_IsNull(headers)) {
		if (!cJSON_IsObject(headers)) {
			(void)parse_fail(req, KIND_INVALID_INPUT,
			    "\"headers\" must be an object such as "
			    "{\"Accept\": \"text/html\"}");
			goto fail;
		}
		if (json_headers(req, headers) == -1)
			goto fail;
	}

	if (body != NULL && cJSON_IsString(body)) {
		req->body_len = strlen(body->valuestring);
		req->body = xstrndup(body->valuestring, req->body_len);
	} else if (body != NULL && !cJSON_IsNull(body)) {
		req->body = json_member_text(s, len, body_at, &req->body_len);
		req->body_is_json = 1;
	}

	rc = url_check(req, url->valuestring, strlen(url->valuestring));

fail:
	cJSON_Delete(root);
	return rc;
}

/* Step over a UTF-8 byte order mark (as editors put at the top of a
 * file) and leading white space. */
static void
line_skip_lead(const char **s, size_t *len)
{
	if (*len >= 3 && memcmp(*s, "\xef\xbb\xbf", 3) == 0) {
		*s += 3;
		*len -= 3;
	}
	while (*len > 0 && is_space((unsigned char)(*s)[0])) {
		(*s)++;
		(*len)--;
	}
}

int
input_line_is_request(const char *line, size_t len)
{
	line_skip_lead(&line, &len);
	return len > 0 && line[0] != '#';
}

int
input_parse_line(struct request *req, const char *line, size_t len,
    int truncated)
{
	const char *s = line;
	char **h;
	int rc;

	line_skip_lead(&s, &len);
	while (len > 0 && is_space((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || s[0] == '#')
		return 0;

	if (truncated)
		rc = parse_fail(req, KIND_INVALID_INPUT,
		    "line longer than 64 KiB");
	else if (memchr(s, '\0', len) != NULL)
		rc = parse_fail(req, KIND_INVALID_INPUT,
		    "the line holds a NUL byte: input must be text");
	else if (s[0] == '{')
		rc = json_parse(req, s, len);
	else
		rc = url_check(req, s, len);
	if (rc == 0)
		return 1;

	/* Invalid: keep only the line's text, the error and the id. */
	free(req->url);
	free(req->method);
	req->method = NULL;
	if (req->headers != NULL) {
		for (h = req->headers; *h != NULL; h++)
			free(*h);
		free(req->headers);
		req->headers = NULL;
	}
	free(req->body);
	req->body = NULL;
	req->body_len = 0;
	req->body_is_json = 0;
	req->host[0] = '\0';
	req->url = line_text(s, len);
	return 1;
}

void
input_parse_cleanup(void)
{
	curl_url_cleanup(parse_cu);
	parse_cu = NULL;
	buf_free(&strict_scratch);
}
