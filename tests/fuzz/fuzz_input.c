/* fuzz_input.c: libFuzzer target for input_parse_line(), the parser of one
 * input line, and record_encode() of what it gives.
 *
 * Input: byte 0 holds flags (bit 0: the line was truncated at 64 KiB,
 * bit 1: input_parse_cleanup() afterwards, bits 2-7: the high bits of the
 * record's index); the remaining bytes are the line.
 *
 * Checked: the parse result is consistent (SPEC "Input", brief points 5,
 * 8 and 9), and for each of several option sets the record of the request
 * with an empty result is one line of valid UTF-8 JSON with the SPEC keys
 * (fuzz_check.c) whose fields say what the request holds.
 *
 * With FUZZ_STRICT_INPUT=1 in the environment, a line starting with '{'
 * that is not strict RFC 8259 JSON must also be invalid_input (brief point
 * 8: "bad JSON"); cJSON, which parses the line, accepts more than that. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "input.h"
#include "kind.h"
#include "opts.h"
#include "json.h"
#include "redact.h"
#include "record.h"
#include "request.h"
#include "util.h"
#include "fuzz_check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The option sets each request is encoded with. */
static const struct variant {
	enum body_mode	 body;
	int		 headers;
	const char	*method;	/* -X */
	const char	*data;		/* -d */
	const char	*save;		/* --save */
} variants[] = {
	{ BODY_NONE,	0, NULL,	NULL,	NULL },
	{ BODY_AUTO,	1, NULL,	NULL,	NULL },
	{ BODY_TEXT,	1, "PATCH",	NULL,	"out" },
	{ BODY_BASE64,	1, NULL,	"x=1",	NULL },
	{ BODY_JSON,	1, "DELETE",	"{}",	"d/ir" },
};

static int	strict_input = -1;	/* FUZZ_STRICT_INPUT */

static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

/* cJSON's compact text of j (malloced), to compare two values. */
static char *
json_text(const cJSON *j)
{
	char	*s = cJSON_PrintUnformatted(j);

	FUZZ_CHECK(s != NULL, "cJSON cannot print a value");
	return s;
}

/* The URL as given, "http://" prepended when it had no scheme. */
static void
check_url_as_given(const struct request *req, const char *given)
{
	size_t	n = strlen(given);

	if (strcmp(req->url, given) == 0)
		return;
	if (strncmp(req->url, "http://", 7) == 0 &&
	    strcmp(req->url + 7, given) == 0)
		return;
	fuzz_show("given", given, n);
	fuzz_show("url", req->url, strlen(req->url));
	FUZZ_CHECK(0, "the url is not the URL as given");
}

static void
check_valid_json_line(const struct request *req, const char *t, size_t tlen)
{
	cJSON		*root, *it, *bj;
	const char	*end;
	char		*a, *b, **h;
	size_t		 nh = 0, i, n;
	struct buf	 min;

	root = cJSON_ParseWithLengthOpts(t, tlen, &end, 0);
	FUZZ_CHECK(root != NULL && end == t + tlen && cJSON_IsObject(root),
	    "a valid request from a line cJSON does not parse");

	it = cJSON_GetObjectItemCaseSensitive(root, "url");
	FUZZ_CHECK(cJSON_IsString(it), "a valid request with no url string");
	check_url_as_given(req, it->valuestring);

	it = cJSON_GetObjectItemCaseSensitive(root, "method");
	if (it == NULL || cJSON_IsNull(it))
		FUZZ_CHECK(req->method == NULL, "a method from nowhere");
	else
		FUZZ_CHECK(req->method != NULL &&
		    strcmp(req->method, it->valuestring) == 0,
		    "the method is not the line's");

	it = cJSON_GetObjectItemCaseSensitive(root, "headers");
	if (req->headers != NULL)
		for (h = req->headers; *h != NULL; h++)
			nh++;
	if (it == NULL || cJSON_IsNull(it))
		FUZZ_CHECK(nh == 0, "headers from nowhere");
	else {
		i = 0;
		for (it = it->child; it != NULL; it = it->next, i++) {
			FUZZ_CHECK(i < nh, "a header of the line is missing");
			a = req->headers[i];
			/* As curl's -H: "Name: value"; "" is sent empty
			 * ("Name;"), null removes a default ("Name:"). */
			n = strlen(it->string);
			FUZZ_CHECK(strncmp(a, it->string, n) == 0 &&
			    (cJSON_IsNull(it) ? strcmp(a + n, ":") == 0 :
			    it->valuestring[0] == '\0' ?
			    strcmp(a + n, ";") == 0 :
			    strncmp(a + n, ": ", 2) == 0 &&
			    strcmp(a + n + 2, it->valuestring) == 0),
			    "header %zu \"%s\" is not the line's", i, a);
		}
		FUZZ_CHECK(i == nh, "more headers than the line has");
	}

	it = cJSON_GetObjectItemCaseSensitive(root, "body");
	if (it == NULL || cJSON_IsNull(it))
		FUZZ_CHECK(req->body == NULL, "a body from nowhere");
	else if (cJSON_IsString(it)) {
		FUZZ_CHECK(req->body != NULL && !req->body_is_json &&
		    req->body_len == strlen(it->valuestring) &&
		    memcmp(req->body, it->valuestring, req->body_len) == 0,
		    "a string body is not sent as is");
	} else {
		FUZZ_CHECK(req->body != NULL && req->body_is_json,
		    "a JSON body is not sent as JSON");
		FUZZ_CHECK(req->body[req->body_len] == '\0' &&
		    strlen(req->body) == req->body_len,
		    "body_len is not the body's length");
		/* The body must be the line's value, whatever text it has. */
		a = json_text(it);
		bj = cJSON_ParseWithLengthOpts(req->body, req->body_len, &end,
		    0);
		if (bj == NULL || end != req->body + req->body_len) {
			fuzz_show("line", t, tlen);
			fuzz_show("body", req->body, req->body_len);
			FUZZ_CHECK(0, "the JSON body sent is not one JSON "
			    "value");
		}
		b = json_text(bj);
		if (strcmp(a, b) != 0) {
			fuzz_show("line", t, tlen);
			fuzz_show("body", req->body, req->body_len);
			FUZZ_CHECK(0, "the JSON body sent is not the line's "
			    "\"body\" (it parses as %s, the line has %s)", b,
			    a);
		}
		cJSON_free(a);
		cJSON_free(b);
		cJSON_Delete(bj);
		if (strict_input) {
			buf_init(&min);
			buf_reserve(&min, 0);	/* data never NULL */
			if (ref_json(req->body, req->body_len, 0, &min) != 0 ||
			    strcmp(min.data, req->body) != 0) {
				fuzz_show("line", t, tlen);
				fuzz_show("body", req->body, req->body_len);
				FUZZ_CHECK(0, "the JSON body sent is not "
				    "compact RFC 8259 JSON");
			}
			buf_free(&min);
		}
	}

	it = cJSON_GetObjectItemCaseSensitive(root, "id");
	FUZZ_CHECK((it == NULL) == (req->id == NULL), "the id is %s",
	    it == NULL ? "made up" : "lost");
	if (it != NULL) {
		/* The id is the line's text: one JSON value, compact. */
		FUZZ_CHECK(strlen(req->id) == req->id_len,
		    "id_len is not the id's length");
		bj = cJSON_ParseWithLengthOpts(req->id, req->id_len, &end, 0);
		FUZZ_CHECK(bj != NULL && end == req->id + req->id_len,
		    "the id is not one JSON value");
		a = json_text(it);
		b = json_text(bj);
		FUZZ_CHECK(strcmp(a, b) == 0, "the id %s is not the line's %s",
		    b, a);
		cJSON_free(a);
		cJSON_free(b);
		cJSON_Delete(bj);
		buf_init(&min);
		buf_reserve(&min, 0);
		FUZZ_CHECK(ref_json(req->id, req->id_len, 0, &min) == 0 &&
		    strcmp(min.data, req->id) == 0,
		    "the id is not compact RFC 8259 JSON");
		buf_free(&min);
	}
	cJSON_Delete(root);
}

/* req came from the trimmed line t[0..tlen). */
static void
check_request(const struct request *req, const char *t, size_t tlen,
    int truncated)
{
	const char	*p, *colon;
	size_t		 n, i;
	char		**h;
	int		 nul = memchr(t, '\0', tlen) != NULL;

	FUZZ_CHECK(req->url != NULL, "no url");
	n = strlen(req->url);
	FUZZ_CHECK(memchr(req->message, '\0', sizeof req->message) != NULL,
	    "message not terminated");

	if (req->invalid != KIND_NONE) {
		FUZZ_CHECK(req->invalid == KIND_INVALID_INPUT ||
		    req->invalid == KIND_INVALID_URL,
		    "invalid with kind %d", (int)req->invalid);
		FUZZ_CHECK(req->message[0] != '\0', "invalid with no message");
		FUZZ_CHECK(!truncated || req->invalid == KIND_INVALID_INPUT,
		    "a truncated line is not invalid_input");
		FUZZ_CHECK(req->method == NULL && req->headers == NULL &&
		    req->body == NULL && req->body_len == 0 &&
		    !req->body_is_json && req->host[0] == '\0' &&
		    req->cu == NULL,
		    "an invalid request keeps more than its text and id");
		FUZZ_CHECK(req->id == NULL || t[0] == '{',
		    "an id from a line that is not JSON");
		/* Brief point 5: the trimmed line text, at most 1024
		 * bytes, not cut inside a UTF-8 character. */
		if (n > 1024) {
			fuzz_show("url", req->url, n);
			FUZZ_CHECK(0, "an invalid line's url is %zu bytes", n);
		}
		if (!nul && (n > tlen || memcmp(req->url, t, n) != 0 ||
		    (n + 3 < tlen && n + 3 < 1024) || (ref_utf8_valid(t,
		    tlen) && !ref_utf8_valid(req->url, n)))) {
			fuzz_show("line", t, tlen);
			fuzz_show("url", req->url, n);
			FUZZ_CHECK(0, "an invalid line's url is not the "
			    "longest prefix of its text that fits in 1024 "
			    "bytes");
		}
		return;
	}

	FUZZ_CHECK(!truncated, "a truncated line is valid");
	FUZZ_CHECK(req->cu != NULL, "a valid request without its parsed URL");
	FUZZ_CHECK(!nul, "a line with a NUL byte is valid");
	FUZZ_CHECK(ref_utf8_valid(req->url, n), "a valid url is not UTF-8");
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)req->url[i] > 0x20 &&
		    req->url[i] != 0x7f, "a valid url holds byte 0x%02x",
		    (unsigned char)req->url[i]);
	/* libcurl takes "http:/x" and "http:x" for "http://x". */
	FUZZ_CHECK(strncasecmp(req->url, "http:", 5) == 0 ||
	    strncasecmp(req->url, "https:", 6) == 0,
	    "a valid url \"%s\" is not http or https", req->url);

	/* host:port, lower case, for --per-host (brief point 12). */
	colon = strrchr(req->host, ':');
	FUZZ_CHECK(colon != NULL && colon != req->host && colon[1] != '\0',
	    "host \"%s\" is not host:port", req->host);
	for (p = req->host; *p != '\0'; p++)
		FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'),
		    "host \"%s\" is not lower case", req->host);
	for (p = colon + 1; *p != '\0'; p++)
		FUZZ_CHECK(*p >= '0' && *p <= '9',
		    "host \"%s\" has no port number", req->host);

	if (req->method != NULL) {
		n = strlen(req->method);
		FUZZ_CHECK(n > 0 && n <= 32, "method length %zu", n);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(is_tchar((unsigned char)req->method[i]),
			    "method \"%s\" is not a token", req->method);
	}
	if (req->headers != NULL) {
		for (h = req->headers; *h != NULL; h++) {
			for (p = *h; is_tchar((unsigned char)*p); p++)
				;
			/* "Name: value", "Name;" (an empty value, as
			 * curl writes it) or "Name:" (null: remove it). */
			FUZZ_CHECK(p != *h && ((p[0] == ':' && p[1] == ' ') ||
			    ((p[0] == ';' || p[0] == ':') && p[1] == '\0')),
			    "header \"%s\" is not \"Name: value\", "
			    "\"Name;\" or \"Name:\"", *h);
			for (p += p[1] == ' ' ? 2 : 1; *p != '\0'; p++)
				FUZZ_CHECK((unsigned char)*p >= 0x20 ?
				    *p != 0x7f : *p == '\t',
				    "header \"%s\" holds control byte 0x%02x",
				    *h, (unsigned char)*p);
		}
	}

	if (t[0] != '{') {
		FUZZ_CHECK(req->method == NULL && req->headers == NULL &&
		    req->body == NULL && req->id == NULL,
		    "a plain URL line with more than a URL");
		FUZZ_CHECK(req->url[0] != '\0', "empty url");
		{
			char *given = xstrndup(t, tlen);

			check_url_as_given(req, given);
			free(given);
		}
	} else
		check_valid_json_line(req, t, tlen);
}

/* Check the record of req with an empty result under option set v. */
static void
check_encode(const struct request *req, const struct variant *v)
{
	struct opts	 o;
	struct result	 res;
	struct buf	 out;
	cJSON		*rec, *it, *err;
	char		 want[64];
	const char	*method;

	memset(&o, 0, sizeof o);
	o.body = v->body;
	o.headers_out = v->headers;
	o.method = v->method;
	o.data = (char *)v->data;
	o.data_len = v->data != NULL ? strlen(v->data) : 0;
	o.save_dir = v->save;
	result_init(&res);
	if (req->invalid != KIND_NONE)
		result_invalid(&res, req);
	buf_init(&out);
	buf_addc(&out, 'x');	/* record_encode() appends */
	record_encode(&out, req, &res, &o);
	FUZZ_CHECK(out.data[0] == 'x', "record_encode() overwrote the buffer");
	rec = check_record(out.data + 1, out.len - 1, req->id != NULL,
	    v->headers, v->body != BODY_NONE, v->save != NULL);

	(void)snprintf(want, sizeof want, "{\"index\":%llu,",
	    (unsigned long long)req->index);
	FUZZ_CHECK(strncmp(out.data + 1, want, strlen(want)) == 0,
	    "the record does not start with %s", want);
	if (req->id != NULL) {
		/* Echoed as its text, byte for byte. */
		(void)snprintf(want, sizeof want, "{\"index\":%llu,\"id\":",
		    (unsigned long long)req->index);
		FUZZ_CHECK(strncmp(out.data + 1 + strlen(want), req->id,
		    req->id_len) == 0,
		    "the record's id is not the line's text");
	}
	it = cJSON_GetObjectItemCaseSensitive(rec, "url");
	FUZZ_CHECK(cJSON_IsString(it), "url is not a string");
	if (ref_utf8_valid(req->url, strlen(req->url))) {
		/* The URL as written, but a password shown as "***". */
		char *masked = redact_url(req->url);

		FUZZ_CHECK(strcmp(it->valuestring,
		    masked ? masked : req->url) == 0,
		    "record url is not the request's");
		FUZZ_CHECK(masked == NULL || strstr(it->valuestring,
		    ":***@") != NULL, "a password is not masked");
		free(masked);
	}
	method = request_method(req, &o);
	it = cJSON_GetObjectItemCaseSensitive(rec, "method");
	FUZZ_CHECK(cJSON_IsString(it) && strcmp(it->valuestring, method) == 0,
	    "record method is not %s", method);
	FUZZ_CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "ok")) ==
	    (req->invalid == KIND_NONE), "ok is not \"the line is valid\"");
	FUZZ_CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(rec,
	    "status")), "status with no response");
	err = cJSON_GetObjectItemCaseSensitive(rec, "error");
	if (req->invalid != KIND_NONE) {
		it = cJSON_GetObjectItemCaseSensitive(err, "kind");
		FUZZ_CHECK(cJSON_IsString(it) && strcmp(it->valuestring,
		    kind_name(req->invalid)) == 0, "error kind is not %s",
		    kind_name(req->invalid));
		it = cJSON_GetObjectItemCaseSensitive(err, "message");
		FUZZ_CHECK(cJSON_IsString(it), "error message not a string");
		if (ref_utf8_valid(req->message, strlen(req->message)))
			FUZZ_CHECK(strcmp(it->valuestring, req->message) == 0,
			    "error message is not the request's");
	}
	if (v->headers)
		FUZZ_CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(rec,
		    "headers")), "headers with no response");
	if (v->body != BODY_NONE)
		FUZZ_CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(rec,
		    "body")) && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
		    rec, "body_encoding")), "body with no response");
	if (v->save != NULL)
		FUZZ_CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(rec,
		    "file")), "file with nothing saved");
	cJSON_Delete(rec);
	buf_free(&out);
	result_free(&res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request	 req;
	const char	*line, *t;
	size_t		 len, tlen, i;
	int		 truncated, rc, blank;

	if (size == 0)
		return 0;
	if (strict_input == -1)
		strict_input = getenv("FUZZ_STRICT_INPUT") != NULL &&
		    strcmp(getenv("FUZZ_STRICT_INPUT"), "1") == 0;
	truncated = data[0] & 1;
	line = (const char *)data + 1;
	len = size - 1;

	/* The line as the parser sees it: no BOM, no white space around. */
	t = line;
	tlen = len;
	if (tlen >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0) {
		t += 3;
		tlen -= 3;
	}
	while (tlen > 0 && is_space((unsigned char)t[0])) {
		t++;
		tlen--;
	}
	while (tlen > 0 && is_space((unsigned char)t[tlen - 1]))
		tlen--;
	/* A cut line is a request whatever it holds: the reader decided so
	 * by the whole line (input_line_feed()). */
	blank = !truncated && (tlen == 0 || t[0] == '#');

	request_init(&req);
	rc = input_parse_line(&req, line, len, truncated);
	FUZZ_CHECK(rc == (blank ? 0 : 1), "returned %d for a%s line", rc,
	    blank ? " blank or comment" : " request");
	if (rc == 0) {
		FUZZ_CHECK(req.url == NULL && req.invalid == KIND_NONE &&
		    req.id == NULL, "a blank line filled the request");
		goto done;
	}
	req.index = (uint64_t)(data[0] >> 2) << 58 | size;
	check_request(&req, t, tlen, truncated);
	if (strict_input && t[0] == '{' && !truncated &&
	    memchr(t, '\0', tlen) == NULL) {
		if (ref_json(t, tlen, 0, NULL) != 0 &&
		    req.invalid != KIND_INVALID_INPUT) {
			fuzz_show("line", t, tlen);
			FUZZ_CHECK(0, "a line that is not RFC 8259 JSON is not "
			    "invalid_input");
		}
	}
	for (i = 0; i < sizeof variants / sizeof variants[0]; i++)
		check_encode(&req, &variants[i]);

done:
	request_free(&req);
	if (data[0] & 2)
		input_parse_cleanup();
	return 0;
}
