/* test_record.c: the output record (SPEC "Output records", brief points
 * 1-8) and its JSON helpers. Every record line made here is parsed back
 * with cJSON and checked field by field. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "opts.h"
#include "json.h"
#include "record.h"
#include "request.h"
#include "util.h"
#include "unit.h"

static struct buf line;		/* the last record, freed in main() */

static void
opts_default(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->body = BODY_NONE;
}

/* A request for url (owned by the caller's request_free()). */
static void
req_make(struct request *req, uint64_t index, const char *url)
{
	request_init(req);
	req->index = index;
	req->url = xstrdup(url);
}

static void
res_set(struct result *res, const char *field, const char *value)
{
	char	**p;

	if (strcmp(field, "final_url") == 0)
		p = &res->final_url;
	else if (strcmp(field, "content_type") == 0)
		p = &res->content_type;
	else
		p = &res->file;
	free(*p);
	*p = xstrdup(value);
}

/* Encode a record into line and parse it back; the line must be one line
 * of valid UTF-8 ending in "\n". Returns the parsed object (caller
 * deletes) or NULL after a failed check. */
static cJSON *
encode(const struct request *req, const struct result *res,
    const struct opts *o)
{
	cJSON	*j;

	buf_reset(&line);
	record_encode(&line, req, res, o);
	CHECK(line.len > 0 && line.data[line.len - 1] == '\n');
	if (line.len == 0)
		return NULL;
	CHECK(memchr(line.data, '\n', line.len) == line.data + line.len - 1);
	CHECK(strlen(line.data) == line.len);	/* no raw NUL */
	CHECK(utf8_valid(line.data, line.len));
	j = cJSON_ParseWithLength(line.data, line.len - 1);
	CHECK(j != NULL && cJSON_IsObject(j));
	if (j == NULL)
		fprintf(stderr, "unparsable record: %s", line.data);
	return j;
}

/* True when obj's keys are exactly keys (NULL-ended), in that order. */
static int
keys_are(const cJSON *obj, const char *const *keys)
{
	const cJSON	*c;
	size_t		 i = 0;

	for (c = obj != NULL ? obj->child : NULL; c != NULL; c = c->next) {
		if (keys[i] == NULL || strcmp(c->string, keys[i]) != 0) {
			fprintf(stderr, "key %zu is \"%s\", expected \"%s\"\n",
			    i, c->string, keys[i] ? keys[i] : "(end)");
			return 0;
		}
		i++;
	}
	return keys[i] == NULL;
}

static const char *
str(const cJSON *obj, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
num(const cJSON *obj, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int
is_null(const cJSON *obj, const char *key)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static int
contains(const char *needle)
{
	return strstr(line.data, needle) != NULL;
}

/* A completed 200 response with every field set. */
static void
res_full(struct result *res)
{
	result_init(res);
	res->status = 200;
	res->http_version = "1.1";
	res_set(res, "final_url", "http://example.com/final");
	res->redirects = 2;
	res->attempts = 3;
	res->size = 5;
	res_set(res, "content_type", "text/plain; charset=utf-8");
	strcpy(res->remote_ip, "192.0.2.7");
	res->t_dns = 0.001;
	res->t_connect = 0.0025;
	res->t_tls = 0;
	res->t_ttfb = 0.1234567;
	res->t_total = 1.5;
	res->elapsed = 3.25;
	buf_adds(&res->headers, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 5\r\n\r\n");
	buf_adds(&res->body, "hello");
}

TEST(full_record_has_every_key_in_spec_order)
{
	static const char *const keys[] = {
		"index", "id", "url", "method", "ok", "status",
		"http_version", "final_url", "redirects", "attempts", "size",
		"content_type", "remote_ip", "time", "elapsed", "error",
		"headers", "body", "body_encoding", "file", NULL
	};
	static const char *const tkeys[] = {
		"dns", "connect", "tls", "ttfb", "total", "wait", NULL
	};
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j, *t;

	opts_default(&o);
	o.headers_out = 1;
	o.body = BODY_AUTO;
	o.save_dir = "out";
	req_make(&req, 42, "http://example.com/");
	req.id = xstrdup("\"job-1\"");
	req.id_len = strlen(req.id);
	res_full(&res);
	res_set(&res, "file", "out/42");

	j = encode(&req, &res, &o);
	CHECK(keys_are(j, keys));
	CHECK(num(j, "index") == 42);
	CHECK_STR(str(j, "id"), "job-1");
	CHECK_STR(str(j, "url"), "http://example.com/");
	CHECK_STR(str(j, "method"), "GET");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
	CHECK(num(j, "status") == 200);
	CHECK_STR(str(j, "http_version"), "1.1");
	CHECK_STR(str(j, "final_url"), "http://example.com/final");
	CHECK(num(j, "redirects") == 2);
	CHECK(num(j, "attempts") == 3);
	CHECK(num(j, "size") == 5);
	CHECK_STR(str(j, "content_type"), "text/plain; charset=utf-8");
	CHECK_STR(str(j, "remote_ip"), "192.0.2.7");
	t = cJSON_GetObjectItem(j, "time");
	CHECK(keys_are(t, tkeys));
	CHECK_NEAR(num(t, "ttfb"), 0.123457, 1e-9);
	CHECK(is_null(j, "error"));
	CHECK_STR(str(j, "body"), "hello");
	CHECK_STR(str(j, "body_encoding"), "text");
	CHECK_STR(str(j, "file"), "out/42");
	/* Times and elapsed are seconds with six decimals. */
	CHECK(contains("\"time\":{\"dns\":0.001000,\"connect\":0.002500,"
	    "\"tls\":0.000000,\"ttfb\":0.123457,\"total\":1.500000,"
	    "\"wait\":0.000000},"
	    "\"elapsed\":3.250000,"));
	/* Integers are printed as integers. */
	CHECK(contains("\"index\":42,") && contains("\"status\":200,") &&
	    contains("\"size\":5,"));
	cJSON_Delete(j);
	request_free(&req);
	result_free(&res);
}

TEST(optional_keys_are_absent_without_their_options)
{
	static const char *const keys[] = {
		"index", "url", "method", "ok", "status", "http_version",
		"final_url", "redirects", "attempts", "size", "content_type",
		"remote_ip", "time", "elapsed", "error", NULL
	};
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j;

	opts_default(&o);
	req_make(&req, 0, "http://example.com/");
	res_full(&res);
	j = encode(&req, &res, &o);
	CHECK(keys_are(j, keys));
	cJSON_Delete(j);
	request_free(&req);
	result_free(&res);
}

TEST(invalid_line_record_has_nulls_zeros_and_its_error)
{
	static const char *const keys[] = {
		"index", "url", "method", "ok", "status", "http_version",
		"final_url", "redirects", "attempts", "size", "content_type",
		"remote_ip", "time", "elapsed", "error", "headers", "body",
		"body_encoding", "file", NULL
	};
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j, *e;

	opts_default(&o);
	o.headers_out = 1;
	o.body = BODY_TEXT;
	o.save_dir = "dir";
	req_make(&req, 7, "{\"url\": 1}");
	req.invalid = KIND_INVALID_INPUT;
	strcpy(req.message, "\"url\" must be a string");
	result_init(&res);
	result_invalid(&res, &req);

	j = encode(&req, &res, &o);
	CHECK(keys_are(j, keys));
	CHECK_STR(str(j, "url"), "{\"url\": 1}");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
	CHECK(is_null(j, "status") && is_null(j, "http_version") &&
	    is_null(j, "final_url") && is_null(j, "content_type") &&
	    is_null(j, "remote_ip") && is_null(j, "headers") &&
	    is_null(j, "body") && is_null(j, "body_encoding") &&
	    is_null(j, "file"));
	CHECK(num(j, "attempts") == 0 && num(j, "redirects") == 0 &&
	    num(j, "size") == 0 && num(j, "elapsed") == 0);
	CHECK(contains("\"time\":{\"dns\":0.000000,\"connect\":0.000000,"
	    "\"tls\":0.000000,\"ttfb\":0.000000,\"total\":0.000000,"
	    "\"wait\":0.000000}"));
	e = cJSON_GetObjectItem(j, "error");
	CHECK_STR(str(e, "kind"), "invalid_input");
	CHECK_STR(str(e, "message"), "\"url\" must be a string");
	cJSON_Delete(j);

	/* The same for an invalid URL. */
	req.invalid = KIND_INVALID_URL;
	strcpy(req.message, "scheme 'ftp' is not http or https");
	result_invalid(&res, &req);
	j = encode(&req, &res, &o);
	e = cJSON_GetObjectItem(j, "error");
	CHECK_STR(str(e, "kind"), "invalid_url");
	CHECK_STR(str(e, "message"), "scheme 'ftp' is not http or https");
	cJSON_Delete(j);
	request_free(&req);
	result_free(&res);
}

TEST(http_error_record_keeps_the_response)
{
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j, *e;

	opts_default(&o);
	o.headers_out = 1;
	req_make(&req, 1, "http://example.com/missing");
	res_full(&res);
	res.status = 404;
	res.kind = KIND_HTTP;
	strcpy(res.message, "HTTP 404");
	j = encode(&req, &res, &o);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
	CHECK(num(j, "status") == 404);
	e = cJSON_GetObjectItem(j, "error");
	CHECK(cJSON_GetArraySize(e) == 2);
	CHECK_STR(str(e, "kind"), "http");
	CHECK_STR(str(e, "message"), "HTTP 404");
	CHECK(cJSON_IsObject(cJSON_GetObjectItem(j, "headers")));
	cJSON_Delete(j);

	/* An error without a message still says something. */
	res.kind = KIND_TIMEOUT;
	res.status = 0;
	res.message[0] = '\0';
	j = encode(&req, &res, &o);
	e = cJSON_GetObjectItem(j, "error");
	CHECK_STR(str(e, "kind"), "timeout");
	CHECK_STR(str(e, "message"), "timeout");
	CHECK(is_null(j, "status") && is_null(j, "headers"));
	cJSON_Delete(j);
	request_free(&req);
	result_free(&res);
}

TEST(id_is_echoed_right_after_index)
{
	static const struct {
		const char	*id;	/* JSON text */
		const char	*want;	/* as printed in the record */
	} cases[] = {
		{ "7", "{\"index\":3,\"id\":7,\"url\"" },
		{ "\"a\\\"b\"", "{\"index\":3,\"id\":\"a\\\"b\",\"url\"" },
		{ "null", "{\"index\":3,\"id\":null,\"url\"" },
		{ "{\"k\":[1,true,\"x\"]}",
		    "{\"index\":3,\"id\":{\"k\":[1,true,\"x\"]},\"url\"" },
		{ "12345678901234567",
		    "{\"index\":3,\"id\":12345678901234567,\"url\"" },
	};
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j;
	size_t		 i;

	opts_default(&o);
	result_init(&res);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req_make(&req, 3, "http://example.com/");
		req.id = xstrdup(cases[i].id);
		req.id_len = strlen(req.id);
		j = encode(&req, &res, &o);
		CHECK(strncmp(line.data, cases[i].want,
		    strlen(cases[i].want)) == 0);
		cJSON_Delete(j);
		request_free(&req);
	}

	result_free(&res);
}

TEST(method_is_the_lines_then_X_then_POST_with_a_body_then_GET)
{
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j;
	char		 data[] = "x=1";

	opts_default(&o);
	result_init(&res);
	req_make(&req, 0, "http://example.com/");
	j = encode(&req, &res, &o);
	CHECK_STR(str(j, "method"), "GET");
	cJSON_Delete(j);

	o.data = data;
	o.data_len = 3;
	j = encode(&req, &res, &o);
	CHECK_STR(str(j, "method"), "POST");
	cJSON_Delete(j);

	o.method = "PUT";
	j = encode(&req, &res, &o);
	CHECK_STR(str(j, "method"), "PUT");
	cJSON_Delete(j);

	req.method = xstrdup("PATCH");
	j = encode(&req, &res, &o);
	CHECK_STR(str(j, "method"), "PATCH");
	cJSON_Delete(j);
	request_free(&req);

	opts_default(&o);
	req_make(&req, 0, "http://example.com/");
	req.body = xstrdup("{}");
	req.body_len = 2;
	j = encode(&req, &res, &o);
	CHECK_STR(str(j, "method"), "POST");
	cJSON_Delete(j);
	request_free(&req);
	result_free(&res);
}

/* Encode a 200 response with body b[0..n) in mode; fills *enc and returns
 * the parsed record (caller deletes). */
static cJSON *
body_record(enum body_mode mode, const char *b, size_t n)
{
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j;

	opts_default(&o);
	o.body = mode;
	req_make(&req, 0, "http://example.com/");
	result_init(&res);
	res.status = 200;
	buf_add(&res.body, b, n);
	res.size = (int64_t)n;
	j = encode(&req, &res, &o);
	request_free(&req);
	result_free(&res);
	return j;
}

TEST(body_auto_embeds_json_minified_byte_for_byte)
{
	const char	*b = " { \"a\" : 1.50 , \"b\" : [ true , null ],"
	    " \"c\" : \"x y\\u00e9\" , \"big\": 12345678901234567890 }\n";
	cJSON		*j, *body;

	j = body_record(BODY_AUTO, b, strlen(b));
	CHECK_STR(str(j, "body_encoding"), "json");
	body = cJSON_GetObjectItem(j, "body");
	CHECK(cJSON_IsObject(body));
	CHECK(contains(",\"body\":{\"a\":1.50,\"b\":[true,null],"
	    "\"c\":\"x y\\u00e9\",\"big\":12345678901234567890},"
	    "\"body_encoding\":\"json\"}\n"));
	cJSON_Delete(j);

	/* A scalar is a JSON document too. */
	j = body_record(BODY_JSON, "42", 2);
	CHECK_STR(str(j, "body_encoding"), "json");
	CHECK(num(j, "body") == 42);
	cJSON_Delete(j);
}

TEST(body_auto_falls_back_to_text_then_base64)
{
	cJSON	*j;

	j = body_record(BODY_AUTO, "<html>h\xc3\xa9</html>", 17);
	CHECK_STR(str(j, "body_encoding"), "text");
	CHECK_STR(str(j, "body"), "<html>h\xc3\xa9</html>");
	cJSON_Delete(j);

	/* Not quite JSON: trailing garbage. */
	j = body_record(BODY_AUTO, "{} x", 4);
	CHECK_STR(str(j, "body_encoding"), "text");
	CHECK_STR(str(j, "body"), "{} x");
	cJSON_Delete(j);

	j = body_record(BODY_AUTO, "\x89PNG\r\n\x1a\n", 8);
	CHECK_STR(str(j, "body_encoding"), "base64");
	CHECK_STR(str(j, "body"), "iVBORw0KGgo=");
	cJSON_Delete(j);
}

TEST(body_json_that_is_not_json_falls_back_like_auto)
{
	cJSON	*j;

	j = body_record(BODY_JSON, "{\"a\":", 5);
	CHECK_STR(str(j, "body_encoding"), "text");
	CHECK_STR(str(j, "body"), "{\"a\":");
	cJSON_Delete(j);

	j = body_record(BODY_JSON, "\"\xff\"", 3);
	CHECK_STR(str(j, "body_encoding"), "base64");
	CHECK_STR(str(j, "body"), "Iv8i");
	cJSON_Delete(j);
}

TEST(body_text_replaces_invalid_utf8_and_escapes_controls)
{
	cJSON	*j;

	j = body_record(BODY_TEXT, "a\xff" "b\x01\n\"\\", 7);
	CHECK_STR(str(j, "body_encoding"), "text");
	CHECK_STR(str(j, "body"), "a\xef\xbf\xbd" "b\x01\n\"\\");
	CHECK(contains("\"body\":\"a\xef\xbf\xbd" "b\\u0001\\n\\\"\\\\\""));
	cJSON_Delete(j);

	/* JSON is not parsed in text mode. */
	j = body_record(BODY_TEXT, "{ }", 3);
	CHECK_STR(str(j, "body"), "{ }");
	CHECK_STR(str(j, "body_encoding"), "text");
	cJSON_Delete(j);
}

TEST(body_with_nul_bytes_stays_whole)
{
	cJSON	*j;

	/* NUL is valid UTF-8: text, escaped. */
	j = body_record(BODY_AUTO, "a\0b", 3);
	CHECK_STR(str(j, "body_encoding"), "text");
	CHECK(contains("\"body\":\"a\\u0000b\""));
	cJSON_Delete(j);

	j = body_record(BODY_BASE64, "a\0b", 3);
	CHECK_STR(str(j, "body_encoding"), "base64");
	CHECK_STR(str(j, "body"), "YQBi");
	cJSON_Delete(j);

	/* A NUL inside a JSON string is not JSON. */
	j = body_record(BODY_JSON, "\"a\0b\"", 5);
	CHECK_STR(str(j, "body_encoding"), "text");
	cJSON_Delete(j);
}

TEST(body_base64_and_empty_body_and_no_response)
{
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j;
	enum body_mode	 m;

	j = body_record(BODY_BASE64, "hello", 5);
	CHECK_STR(str(j, "body_encoding"), "base64");
	CHECK_STR(str(j, "body"), "aGVsbG8=");
	cJSON_Delete(j);

	/* An empty body is "" with encoding text, in every mode. */
	for (m = BODY_AUTO; m <= BODY_JSON; m++) {
		j = body_record(m, "", 0);
		CHECK_STR(str(j, "body"), "");
		CHECK_STR(str(j, "body_encoding"), "text");
		cJSON_Delete(j);
	}

	/* No response: both null. */
	opts_default(&o);
	o.body = BODY_AUTO;
	req_make(&req, 0, "http://nx.invalid/");
	result_init(&res);
	res.kind = KIND_DNS;
	strcpy(res.message, "Could not resolve host: nx.invalid");
	buf_adds(&res.body, "stale");	/* ignored without a status */
	j = encode(&req, &res, &o);
	CHECK(is_null(j, "body") && is_null(j, "body_encoding"));
	cJSON_Delete(j);
	request_free(&req);
	result_free(&res);
}

TEST(invalid_utf8_anywhere_gives_a_valid_record)
{
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j, *h;

	opts_default(&o);
	o.headers_out = 1;
	o.body = BODY_TEXT;
	req_make(&req, 0, "http://ex\xe9mple.com/\xc0\xaf");
	result_init(&res);
	res.status = 200;
	res_set(&res, "final_url", "http://x/\xed\xa0\x80");
	res_set(&res, "content_type", "text/\xf5");
	buf_adds(&res.headers, "X-\xff: v\xfe\r\n");
	buf_adds(&res.body, "\xf0\x9f\x98");
	res.kind = KIND_PROTOCOL;
	strcpy(res.message, "bad \x80 byte");
	j = encode(&req, &res, &o);
	CHECK_STR(str(j, "url"),
	    "http://ex\xef\xbf\xbdmple.com/\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(str(j, "final_url"),
	    "http://x/\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(str(j, "content_type"), "text/\xef\xbf\xbd");
	h = cJSON_GetObjectItem(j, "headers");
	CHECK_STR(str(h, "x-\xef\xbf\xbd"), "v\xef\xbf\xbd");
	CHECK_STR(str(j, "body"), "\xef\xbf\xbd");
	CHECK_STR(str(cJSON_GetObjectItem(j, "error"), "message"),
	    "bad \xef\xbf\xbd byte");
	cJSON_Delete(j);
	request_free(&req);
	result_free(&res);
}

/* Encode a 200 response with raw header text and return its "headers"
 * JSON text (static, valid until the next call). */
static const char *
headers_json(const char *raw)
{
	static char	 text[4096];
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j;
	char		*p;

	opts_default(&o);
	o.headers_out = 1;
	req_make(&req, 0, "http://example.com/");
	result_init(&res);
	res.status = 200;
	buf_adds(&res.headers, raw);
	j = encode(&req, &res, &o);
	text[0] = '\0';
	if (j != NULL) {
		p = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "headers"));
		if (p != NULL)
			snprintf(text, sizeof(text), "%s", p);
		cJSON_free(p);
		cJSON_Delete(j);
	}
	request_free(&req);
	result_free(&res);
	return text;
}

TEST(headers_are_lower_cased_trimmed_in_order_of_first_appearance)
{
	CHECK_STR(headers_json("HTTP/1.1 200 OK\r\n"
	    "Content-Type:  text/html \r\n"
	    "X-Empty:\r\n"
	    "ETag: \"abc\"\r\n"
	    "Server:nginx\r\n"
	    "\r\n"),
	    "{\"content-type\":\"text/html\",\"x-empty\":\"\","
	    "\"etag\":\"\\\"abc\\\"\",\"server\":\"nginx\"}");
	/* Bare LF line ends, and no status line. */
	CHECK_STR(headers_json("A: 1\nb: 2\n"), "{\"a\":\"1\",\"b\":\"2\"}");
	/* Only the value's first colon splits. */
	CHECK_STR(headers_json("Location: http://h:8/x\r\n"),
	    "{\"location\":\"http://h:8/x\"}");
	CHECK_STR(headers_json(""), "{}");
	CHECK_STR(headers_json("HTTP/2 204\r\n\r\n"), "{}");
	/* Lines without a colon or a name are dropped. */
	CHECK_STR(headers_json("junk\r\n: v\r\nA: 1\r\n"), "{\"a\":\"1\"}");
}

TEST(repeated_headers_become_an_array_in_order)
{
	CHECK_STR(headers_json("HTTP/1.1 200 OK\r\n"
	    "Set-Cookie: a=1\r\n"
	    "Vary: Accept\r\n"
	    "set-cookie: b=2\r\n"
	    "SET-COOKIE: c=3\r\n"
	    "\r\n"),
	    "{\"set-cookie\":[\"a=1\",\"b=2\",\"c=3\"],\"vary\":\"Accept\"}");
}

TEST(obs_fold_lines_continue_the_value_with_a_space)
{
	CHECK_STR(headers_json("HTTP/1.1 200 OK\r\n"
	    "X-Long: part one\r\n"
	    "   part two\r\n"
	    "\tpart three\r\n"
	    "X-Next: n\r\n"
	    "\r\n"),
	    "{\"x-long\":\"part one part two part three\",\"x-next\":\"n\"}");
	/* A fold with nothing to continue is dropped. */
	CHECK_STR(headers_json("HTTP/1.1 200 OK\r\n  stray\r\nA: 1\r\n"),
	    "{\"a\":\"1\"}");
	/* Folded values of a repeated header. */
	CHECK_STR(headers_json("A: 1\r\n 2\r\nA: 3\r\n"),
	    "{\"a\":[\"1 2\",\"3\"]}");
}

TEST(only_the_final_responses_headers_are_kept)
{
	CHECK_STR(headers_json("HTTP/1.1 301 Moved\r\n"
	    "Location: /b\r\n"
	    "Set-Cookie: old\r\n"
	    "\r\n"
	    "HTTP/1.1 200 OK\r\n"
	    "Set-Cookie: new\r\n"
	    "\r\n"),
	    "{\"set-cookie\":\"new\"}");
}

TEST(many_headers_are_all_kept)
{
	struct buf	 raw;
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j, *h, *v;
	int		 i;

	/* Past the on-stack table: 300 fields, 100 names, 3 of each. */
	buf_init(&raw);
	buf_adds(&raw, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < 300; i++)
		buf_addf(&raw, "X-H%d: v%d\r\n", i % 100, i);
	opts_default(&o);
	o.headers_out = 1;
	req_make(&req, 0, "http://example.com/");
	result_init(&res);
	res.status = 200;
	buf_add(&res.headers, raw.data, raw.len);
	j = encode(&req, &res, &o);
	h = cJSON_GetObjectItem(j, "headers");
	CHECK(cJSON_GetArraySize(h) == 100);
	CHECK_STR(h->child->string, "x-h0");
	v = cJSON_GetObjectItem(h, "x-h42");
	CHECK(cJSON_GetArraySize(v) == 3);
	CHECK_STR(cJSON_GetArrayItem(v, 0)->valuestring, "v42");
	CHECK_STR(cJSON_GetArrayItem(v, 2)->valuestring, "v242");
	cJSON_Delete(j);
	request_free(&req);
	result_free(&res);
	buf_free(&raw);
}

TEST(times_never_print_as_invalid_json)
{
	struct request	 req;
	struct result	 res;
	struct opts	 o;
	cJSON		*j;

	opts_default(&o);
	req_make(&req, 0, "http://example.com/");
	result_init(&res);
	res.t_dns = NAN;
	res.t_connect = -1;
	res.t_tls = INFINITY;
	res.t_ttfb = 0.0000004;
	res.t_total = 86400.0000005;
	res.elapsed = 2e13;
	j = encode(&req, &res, &o);
	CHECK(contains("\"time\":{\"dns\":0.000000,\"connect\":0.000000,"
	    "\"tls\":0.000000,\"ttfb\":0.000000,\"total\":86400.000001,"
	    "\"wait\":0.000000},"
	    "\"elapsed\":20000000000000.000000,"));
	cJSON_Delete(j);
	request_free(&req);
	result_free(&res);
}

TEST(result_reset_keeps_attempts_and_elapsed_and_empties_the_buffers)
{
	struct result	 res;

	res_full(&res);
	res.kind = KIND_HTTP;
	strcpy(res.message, "HTTP 503");
	res_set(&res, "file", "d/1");
	result_reset(&res);
	CHECK(res.attempts == 3);
	CHECK(res.elapsed == 3.25);
	CHECK(res.kind == KIND_NONE && res.message[0] == '\0');
	CHECK(res.status == 0 && res.final_url == NULL &&
	    res.content_type == NULL && res.file == NULL &&
	    res.remote_ip[0] == '\0' && res.http_version == NULL);
	CHECK(res.headers.len == 0 && res.body.len == 0);
	/* The next attempt's bytes are all the buffers hold. */
	buf_adds(&res.headers, "HTTP/1.1 204 No Content\r\n\r\n");
	buf_adds(&res.body, "x");
	CHECK(res.headers.len == 27 &&
	    memcmp(res.headers.data, "HTTP/1.1 204 No Content\r\n\r\n",
	    27) == 0);
	CHECK(res.body.len == 1 && res.body.data[0] == 'x');
	result_free(&res);
	CHECK(res.headers.data == NULL && res.attempts == 0);
	result_free(&res);	/* twice is fine */
}

int
main(void)
{
	buf_init(&line);
	RUN(full_record_has_every_key_in_spec_order);
	RUN(optional_keys_are_absent_without_their_options);
	RUN(invalid_line_record_has_nulls_zeros_and_its_error);
	RUN(http_error_record_keeps_the_response);
	RUN(id_is_echoed_right_after_index);
	RUN(method_is_the_lines_then_X_then_POST_with_a_body_then_GET);
	RUN(body_auto_embeds_json_minified_byte_for_byte);
	RUN(body_auto_falls_back_to_text_then_base64);
	RUN(body_json_that_is_not_json_falls_back_like_auto);
	RUN(body_text_replaces_invalid_utf8_and_escapes_controls);
	RUN(body_with_nul_bytes_stays_whole);
	RUN(body_base64_and_empty_body_and_no_response);
	RUN(invalid_utf8_anywhere_gives_a_valid_record);
	RUN(headers_are_lower_cased_trimmed_in_order_of_first_appearance);
	RUN(repeated_headers_become_an_array_in_order);
	RUN(obs_fold_lines_continue_the_value_with_a_space);
	RUN(only_the_final_responses_headers_are_kept);
	RUN(many_headers_are_all_kept);
	RUN(times_never_print_as_invalid_json);
	RUN(result_reset_keeps_attempts_and_elapsed_and_empties_the_buffers);
	buf_free(&line);
	return unit_done(__FILE__);
}
