/* input_parse.c: the pure parser that turns one input line into a
 * request: the rule for which lines are requests (blank and comment lines
 * are not), JSON request objects, and the text an invalid line shows; the
 * URL rules are input_url.c's. It keeps a scratch buffer and (through
 * input_url.c) a libcurl URL handle between calls, so it is not
 * thread-safe: only the loop thread parses lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ascii.h"
#include "input.h"
#include "input_line.h"
#include "input_url.h"
#include "json.h"
#include "util.h"

#define URL_TEXT_MAX	1024	/* bytes of an invalid line kept as url */
#define METHOD_MAX	32
#define REQ_MEMBERS_MAX	8	/* json_parse(): more than its 5 keys */
#define NAME_SHOW_MAX	40	/* bytes of a key or name quoted in a
				 * message */

static struct buf strict_scratch;	/* json_minify_doc() output, reused;
					 * freed in input_parse_cleanup() */

/* Bit of each JSON request key, to find keys given twice. */
enum {
	KEY_URL = 1 << 0,
	KEY_METHOD = 1 << 1,
	KEY_HEADERS = 1 << 2,
	KEY_BODY = 1 << 3,
	KEY_ID = 1 << 4
};

/* RFC 7230 tchar: what header names and methods are made of. */
static int
is_tchar(unsigned char c)
{
	return ascii_is_alpha(c) || ascii_is_digit(c) || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
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
	return request_invalid(req, KIND_INVALID_INPUT, "header \"%s\" %s",
	    show, why);
}

/* Fill req from the JSON request line s[0..len) (starting with '{'). The
 * line is scanned twice: json_minify_doc() checks it strictly, minifies it
 * and says where each member's value lies (the id and a JSON body are
 * those bytes, so numbers keep every digit); cJSON then decodes the
 * checked text for the keys and string values. */
static int
json_parse(struct request *req, const char *s, size_t len)
{
	struct json_member m[REQ_MEMBERS_MAX];
	struct json_doc doc = { .members = m, .max = REQ_MEMBERS_MAX };
	cJSON *root = NULL, *it, *url = NULL, *method = NULL;
	cJSON *headers = NULL, *body = NULL;
	const char *text, *p;
	char show[NAME_SHOW_MAX + 8];
	int seen = 0, bit, n, body_at = -1, id_at = -1, rc = -1;

	buf_reset(&strict_scratch);
	if (json_minify_doc(&strict_scratch, s, len, &doc) < 0) {
		if (doc.trailing)
			return request_invalid(req, KIND_INVALID_INPUT,
			    "text after the JSON object at column %zu: put "
			    "one request on each line", doc.error_at + 1);
		return request_invalid(req, KIND_INVALID_INPUT,
		    "not valid JSON (RFC 8259) at column %zu: a line "
		    "starting with '{' is a JSON request", doc.error_at + 1);
	}
	if (doc.has_nul)
		return request_invalid(req, KIND_INVALID_INPUT,
		    "the JSON holds \\u0000 (a NUL character), which cannot "
		    "be sent");
	text = strict_scratch.data;
	root = cJSON_ParseWithLength(text, strict_scratch.len);
	if (root == NULL || !cJSON_IsObject(root)) {
		(void)request_invalid(req, KIND_INVALID_INPUT,
		    "a JSON request must be an object");
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
			id_at = n;
		} else {
			name_show(show, sizeof show, it->string);
			(void)request_invalid(req, KIND_INVALID_INPUT,
			    "unknown key \"%s\": a JSON request has url, "
			    "method, headers, body and id", show);
			goto fail;
		}
		if (seen & bit) {
			(void)request_invalid(req, KIND_INVALID_INPUT,
			    "key \"%s\" is given twice", it->string);
			goto fail;
		}
		seen |= bit;
	}
	/* Each key at most once: at most five members, all noted. The id is
	 * echoed even when the rest of the line is invalid, so that the
	 * record can still be matched to its request. */
	if (id_at >= 0) {
		req->id_len = m[id_at].value_len;
		req->id = xstrndup(text + m[id_at].value, req->id_len);
	}

	if (url == NULL) {
		(void)request_invalid(req, KIND_INVALID_INPUT,
		    "the JSON request has no \"url\"");
		goto fail;
	}
	if (!cJSON_IsString(url)) {
		(void)request_invalid(req, KIND_INVALID_INPUT,
		    "\"url\" must be a string");
		goto fail;
	}

	if (method != NULL && !cJSON_IsNull(method)) {
		if (!cJSON_IsString(method)) {
			(void)request_invalid(req, KIND_INVALID_INPUT,
			    "\"method\" must be a string");
			goto fail;
		}
		for (p = method->valuestring; is_tchar((unsigned char)*p); p++)
			;
		if (*p != '\0' || p == method->valuestring ||
		    p - method->valuestring > METHOD_MAX) {
			name_show(show, sizeof show, method->valuestring);
			(void)request_invalid(req, KIND_INVALID_INPUT,
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
			(void)request_invalid(req, KIND_INVALID_INPUT,
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
		req->body_len = m[body_at].value_len;
		req->body = xstrndup(text + m[body_at].value, req->body_len);
		req->body_is_json = 1;
	}

	rc = input_url_check(req, url->valuestring,
	    strlen(url->valuestring));

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
	while (*len > 0 && ascii_is_space((unsigned char)(*s)[0])) {
		(*s)++;
		(*len)--;
	}
}

int
input_parse_line(struct request *req, const char *line, size_t len,
    int truncated)
{
	const char *s = line;
	char **h;
	int rc;

	/* The reader decides whether a cut line is a request, by what lies
	 * beyond the cut too. */
	if (!truncated && !input_line_is_request(line, len))
		return 0;
	line_skip_lead(&s, &len);
	while (len > 0 && ascii_is_space((unsigned char)s[len - 1]))
		len--;

	if (truncated)
		rc = request_invalid(req, KIND_INVALID_INPUT,
		    "line longer than 64 KiB");
	else if (memchr(s, '\0', len) != NULL)
		rc = request_invalid(req, KIND_INVALID_INPUT,
		    "the line holds a NUL byte: input must be text");
	else if (s[0] == '{')
		rc = json_parse(req, s, len);
	else
		rc = input_url_check(req, s, len);
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
	input_url_cleanup();
	buf_free(&strict_scratch);
}
