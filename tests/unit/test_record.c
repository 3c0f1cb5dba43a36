/* test_record.c: the output record (SPEC "Output records", brief points
 * 1-8) and its JSON helpers. Every record line made here is parsed back
 * with cJSON and checked field by field. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "opts.h"
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
		"dns", "connect", "tls", "ttfb", "total", NULL
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
	req.id = cJSON_CreateString("job-1");
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
	    "\"tls\":0.000000,\"ttfb\":0.123457,\"total\":1.500000},"
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
	    "\"tls\":0.000000,\"ttfb\":0.000000,\"total\":0.000000}"));
	e = cJSON_GetObjectItem(j, "error");
	CHECK_STR(str(e, "kind"), "invalid_input");
	CHECK_STR(str(e, "message"), "\"url\" must be a string");
	cJSON_Delete(j);

	/* The same when the task copied the error into the result. */
	req.invalid = KIND_INVALID_URL;
	res.kind = KIND_INVALID_URL;
	strcpy(res.message, "scheme 'ftp' is not http or https");
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
		{ "{\"k\": [1, true, \"x\"]}",
		    "{\"index\":3,\"id\":{\"k\":[1,true,\"x\"]},\"url\"" },
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
		req.id = cJSON_Parse(cases[i].id);
		CHECK(req.id != NULL);
		j = encode(&req, &res, &o);
		CHECK(strncmp(line.data, cases[i].want,
		    strlen(cases[i].want)) == 0);
		cJSON_Delete(j);
		request_free(&req);
	}

	/* cJSON keeps a string's bytes as they came: invalid UTF-8 in an id
	 * still gives a valid record. */
	req_make(&req, 3, "http://example.com/");
	req.id = cJSON_CreateString("x\xff\xfey");
	j = encode(&req, &res, &o);
	CHECK_STR(str(j, "id"), "x\xef\xbf\xbd\xef\xbf\xbdy");
	cJSON_Delete(j);
	request_free(&req);
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
	    "\"tls\":0.000000,\"ttfb\":0.000000,\"total\":86400.000001},"
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

/* json_add_string(s) as a C string. */
static const char *
jstr(const char *s, size_t n)
{
	static struct buf	b;

	if (s == NULL) {
		buf_free(&b);
		return NULL;
	}
	buf_reset(&b);
	json_add_string(&b, s, n);
	return b.data;
}

TEST(json_strings_escape_quotes_backslashes_and_controls)
{
	static const struct {
		const char	*in;
		size_t		 n;
		const char	*want;
	} cases[] = {
		{ "", 0, "\"\"" },
		{ "plain", 5, "\"plain\"" },
		{ "\"\\/", 3, "\"\\\"\\\\/\"" },
		{ "\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"" },
		{ "\0", 1, "\"\\u0000\"" },
		{ "\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
		    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"" },
		/* Unicode table 3-8: one U+FFFD per maximal subpart. */
		{ "a\xf1\x80\x80\xe1\x80\xc2" "b\x80" "c\x80\xbf" "d", 13,
		    "\"a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd"
		    "c\xef\xbf\xbd\xef\xbf\xbd" "d\"" },
		/* Overlongs and surrogates: each byte replaced. */
		{ "\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xe0\x80\xaf", 3,
		    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xed\xa0\x80", 3,
		    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xf4\x90\x80\x80", 4, "\"\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd\"" },
		/* Truncated at the end. */
		{ "x\xf0\x9f\x98", 4, "\"x\xef\xbf\xbd\"" },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_STR(jstr(cases[i].in, cases[i].n), cases[i].want);
		if (strcmp(jstr(cases[i].in, cases[i].n), cases[i].want))
			fprintf(stderr, "  case %zu\n", i);
	}
	(void)jstr(NULL, 0);
}

/* A small deterministic generator for the random tests. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

TEST(json_strings_of_arbitrary_bytes_are_valid_json)
{
	struct buf	 b, in;
	cJSON		*j;
	size_t		 len;
	int		 i, k;

	buf_init(&b);
	buf_init(&in);
	for (i = 0; i < 2000; i++) {
		buf_reset(&in);
		len = rng() % (i < 1900 ? 40 : 20000);
		for (k = 0; k < (int)len; k++) {
			/* Mostly ASCII text, some high and control bytes. */
			uint32_t r = rng();
			buf_addc(&in, (char)(r % 4 ? 0x20 + (r >> 8) % 0x60 :
			    (r >> 8) & 0xff));
		}
		buf_reset(&b);
		json_add_string(&b, in.data, in.len);
		CHECK(utf8_valid(b.data, b.len));
		j = cJSON_ParseWithLength(b.data, b.len);
		CHECK(cJSON_IsString(j));
		/* Valid UTF-8 without NUL survives the round trip. */
		if (j != NULL && utf8_valid(in.data, in.len) &&
		    memchr(in.data, '\0', in.len) == NULL)
			CHECK(strcmp(j->valuestring, in.data) == 0);
		cJSON_Delete(j);
	}
	buf_free(&b);
	buf_free(&in);
}

TEST(utf8_validity)
{
	static const struct {
		const char	*s;
		size_t		 n;
		int		 valid;
	} cases[] = {
		{ "", 0, 1 },
		{ "ascii only, longer than eight bytes", 35, 1 },
		{ "a\0b", 3, 1 },
		{ "\xc2\x80\xdf\xbf", 4, 1 },
		{ "\xe0\xa0\x80\xef\xbf\xbf", 6, 1 },
		{ "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8, 1 },
		{ "\xed\x9f\xbf\xee\x80\x80", 6, 1 },
		{ "\x80", 1, 0 },
		{ "\xc0\x80", 2, 0 },		/* overlong NUL */
		{ "\xc1\xbf", 2, 0 },
		{ "\xe0\x9f\xbf", 3, 0 },	/* overlong */
		{ "\xed\xa0\x80", 3, 0 },	/* surrogate */
		{ "\xf0\x8f\xbf\xbf", 4, 0 },	/* overlong */
		{ "\xf4\x90\x80\x80", 4, 0 },	/* above U+10FFFF */
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xff", 1, 0 },
		{ "\xc3", 1, 0 },		/* truncated */
		{ "12345678\xe2\x82", 10, 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(utf8_valid(cases[i].s, cases[i].n) == cases[i].valid);
		if (utf8_valid(cases[i].s, cases[i].n) != cases[i].valid)
			fprintf(stderr, "  case %zu\n", i);
	}
}

TEST(base64_matches_rfc4648_vectors)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		buf_adds(&b, "<");
		base64_add(&b, (const unsigned char *)cases[i].in,
		    strlen(cases[i].in));
		CHECK_STR(b.data + 1, cases[i].want);
		CHECK(b.len == 1 + strlen(cases[i].want));
	}
	buf_reset(&b);
	base64_add(&b, (const unsigned char *)"\xff\xfe\x00\xfb\xef", 5);
	CHECK_STR(b.data, "//4A++8=");
	buf_free(&b);
}

/* The minified text of s, or NULL when json_minify() rejects it; checks
 * that a rejection leaves the buffer as it was. */
static const char *
minify(const char *s)
{
	static struct buf	b;

	if (s == NULL) {
		buf_free(&b);
		return NULL;
	}
	buf_reset(&b);
	buf_adds(&b, "keep");
	if (json_minify(&b, s, strlen(s)) == -1) {
		CHECK(b.len == 4 && strcmp(b.data, "keep") == 0);
		return NULL;
	}
	CHECK(strncmp(b.data, "keep", 4) == 0);
	return b.data + 4;
}

TEST(json_minify_accepts_rfc8259_documents)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "0", "0" },
		{ "-0", "-0" },
		{ " 1.0e+10 ", "1.0e+10" },
		{ "-12.5E-3", "-12.5E-3" },
		{ "123456789012345678901234567890",
		    "123456789012345678901234567890" },
		{ "true", "true" },
		{ "false", "false" },
		{ "\tnull\r\n", "null" },
		{ "\"\"", "\"\"" },
		{ "\"a b\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"",
		    "\"a b\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"" },
		{ "\"\xc3\xa9\xf0\x9f\x98\x80\x7f\"",
		    "\"\xc3\xa9\xf0\x9f\x98\x80\x7f\"" },
		{ "[]", "[]" },
		{ "{}", "{}" },
		{ "[ ]", "[]" },
		{ "{ }", "{}" },
		{ " [ 1 , [ ] , { } , \"x\" ] ", "[1,[],{},\"x\"]" },
		{ "{ \"a\" : { \"b\" : [ null ] } , \"\" : 0 }",
		    "{\"a\":{\"b\":[null]},\"\":0}" },
		/* Duplicate keys are valid JSON; kept as they are. */
		{ "{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}" },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_STR(minify(cases[i].in), cases[i].want);
		if (minify(cases[i].in) == NULL ||
		    strcmp(minify(cases[i].in), cases[i].want) != 0)
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].in);
	}
}

TEST(json_minify_rejects_what_is_not_one_json_document)
{
	static const char *const cases[] = {
		"", " ", "x", "[", "]", "{", "}", "[1,]", "[,1]", "[1 2]",
		"{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{1:1}",
		"{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1}", "{\"a\":1]",
		"01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "1.5.3",
		"NaN", "Infinity", "-Infinity", "tru", "nul", "True", "nulll",
		"'a'", "\"abc", "\"a\\\"", "\"\\x\"", "\"\\u12\"",
		"\"\\u12g4\"", "\"\\U0041\"",
		"\"\t\"", "\"\n\"", "\"\x01\"",		/* raw controls */
		"\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
		/* Lone surrogate escapes: see json_string(). */
		"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"\\ud800x\"", "\"\\uDBFF\\uDBFF\"",
		"{} x", "[] []", "1 2", "\"a\" \"b\"", "null,",
		"\xef\xbb\xbf{}",			/* BOM */
		"\x0b[]", "\f[]", "[]\f",		/* not JSON space */
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(minify(cases[i]) == NULL);
		if (minify(cases[i]) != NULL)
			fprintf(stderr, "  case %zu: %s\n", i, cases[i]);
	}
	/* A NUL byte anywhere. */
	{
		struct buf b;

		buf_init(&b);
		CHECK(json_minify(&b, "[1]\0", 4) == -1);
		CHECK(json_minify(&b, "\"\0\"", 3) == -1);
		CHECK(b.len == 0);
		CHECK(json_minify(&b, "[1]", 3) == 0);
		CHECK_STR(b.data, "[1]");
		buf_free(&b);
	}
}

/* depth levels of "[" then "]", or of {"a": ... } when obj. */
static char *
nested(int depth, int obj)
{
	struct buf	b;
	int		i;

	buf_init(&b);
	for (i = 0; i < depth; i++)
		buf_adds(&b, obj ? "{\"a\":" : "[");
	buf_adds(&b, "1");
	for (i = 0; i < depth; i++)
		buf_adds(&b, obj ? "}" : "]");
	return b.data;
}

TEST(json_minify_limits_nesting_to_256)
{
	static const struct {
		int	depth;
		int	ok;
	} cases[] = {
		{ 1, 1 }, { 200, 1 }, { 256, 1 }, { 257, 0 }, { 300, 0 },
		{ 100000, 0 },
	};
	size_t	 i;
	char	*s;
	int	 obj;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (obj = 0; obj <= 1; obj++) {
			s = nested(cases[i].depth, obj);
			CHECK((minify(s) != NULL) == cases[i].ok);
			if (cases[i].ok)
				CHECK_STR(minify(s), s);
			free(s);
		}
	}
	(void)minify(NULL);
}

TEST(json_minify_output_always_parses)
{
	static const char *const seeds[] = {
		"{\"a\": [1, 2.5e3, {\"b\": null}], \"c\": \"\\u00e9x\"}",
		"[true, false, \"s\\n\", -0.1, {}]",
	};
	struct buf	 in, out;
	cJSON		*j;
	size_t		 s, pos;
	int		 i, accepted = 0;

	buf_init(&in);
	buf_init(&out);
	for (i = 0; i < 20000; i++) {
		s = (size_t)i % 2;
		buf_reset(&in);
		buf_adds(&in, seeds[s]);
		/* One or two random byte changes. */
		pos = rng() % in.len;
		in.data[pos] = (char)(rng() % 3 ? " ,:[]{}\"\\0e-."[rng() %
		    14] : (char)rng());
		if (rng() % 2)
			in.data[rng() % in.len] = (char)(rng() % 128);
		buf_reset(&out);
		if (json_minify(&out, in.data, in.len) == -1) {
			CHECK(out.len == 0);
			continue;
		}
		accepted++;
		CHECK(utf8_valid(out.data, out.len));
		j = cJSON_ParseWithLength(out.data, out.len);
		CHECK(j != NULL);
		cJSON_Delete(j);
	}
	CHECK(accepted > 100);
	buf_free(&in);
	buf_free(&out);
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
	RUN(json_strings_escape_quotes_backslashes_and_controls);
	RUN(json_strings_of_arbitrary_bytes_are_valid_json);
	RUN(utf8_validity);
	RUN(base64_matches_rfc4648_vectors);
	RUN(json_minify_accepts_rfc8259_documents);
	RUN(json_minify_rejects_what_is_not_one_json_document);
	RUN(json_minify_limits_nesting_to_256);
	RUN(json_minify_output_always_parses);
	buf_free(&line);
	return unit_done(__FILE__);
}
