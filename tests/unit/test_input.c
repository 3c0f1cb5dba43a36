/* test_input.c: what input_parse_line() makes of each kind of input line:
 * skipped lines, plain URLs, JSON requests, and the invalid ones. */
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "request.h"
#include "util.h"
#include "unit.h"

static struct request req;

/* Parse len bytes of s from an exact-size copy, so that ASan catches a
 * read past the line. Frees the previous request first. */
static int
parse_n(const char *s, size_t len, int truncated)
{
	char *copy = xmalloc(len);
	int rc;

	request_free(&req);
	memcpy(copy, s, len);
	rc = input_parse_line(&req, copy, len, truncated);
	free(copy);
	return rc;
}

static int
parse(const char *s)
{
	return parse_n(s, strlen(s), 0);
}

/* The line is a valid request for url with host key host. */
static int
valid(const char *s, const char *url, const char *host)
{
	if (parse(s) != 1 || req.invalid != KIND_NONE) {
		fprintf(stderr, "  %s: invalid: %s\n", s, req.message);
		return 0;
	}
	if (strcmp(req.url, url) != 0 || strcmp(req.host, host) != 0) {
		fprintf(stderr, "  %s: url %s host %s\n", s, req.url,
		    req.host);
		return 0;
	}
	return 1;
}

/* The line is a request of kind k, shown as its trimmed text, with a
 * message holding what. */
static int
invalid(const char *s, enum kind k, const char *what)
{
	if (parse(s) != 1 || req.invalid != k) {
		fprintf(stderr, "  %s: kind %s (%s)\n", s,
		    kind_name(req.invalid), req.message);
		return 0;
	}
	if (req.host[0] != '\0' || req.headers != NULL || req.body != NULL ||
	    req.method != NULL) {
		fprintf(stderr, "  %s: invalid but fields kept\n", s);
		return 0;
	}
	if (strstr(req.message, what) == NULL) {
		fprintf(stderr, "  %s: message \"%s\" lacks \"%s\"\n", s,
		    req.message, what);
		return 0;
	}
	return 1;
}

TEST(blank_and_comment_lines_are_no_request)
{
	CHECK(parse("") == 0);
	CHECK(parse("   ") == 0);
	CHECK(parse("\t \r") == 0);
	CHECK(parse("#") == 0);
	CHECK(parse("# a comment http://example.com") == 0);
	CHECK(parse("   # indented comment") == 0);
	CHECK(parse("\xef\xbb\xbf# comment after a byte order mark") == 0);
	CHECK(parse("\xef\xbb\xbf") == 0);
	CHECK(parse_n("\0", 1, 0) == 1);	/* a NUL is not white space */
}

TEST(a_cut_line_is_a_request_whatever_it_holds)
{
	/* The reader decided by the whole line (input_line_feed()): the
	 * part it hands over may be blank, when the text lies further on. */
	CHECK(parse_n("        ", 8, 1) == 1);
	CHECK(req.invalid == KIND_INVALID_INPUT);
	CHECK_STR(req.url, "");
	CHECK(parse_n("# x", 3, 1) == 1);
	CHECK(req.invalid == KIND_INVALID_INPUT);
}

TEST(white_space_around_a_url_is_trimmed)
{
	CHECK(valid("  http://example.com/a \t\r", "http://example.com/a",
	    "example.com:80"));
	CHECK(valid("\xef\xbb\xbfhttp://example.com/", "http://example.com/",
	    "example.com:80"));
}

TEST(a_url_without_scheme_gets_http)
{
	CHECK(valid("example.com", "http://example.com", "example.com:80"));
	CHECK(valid("example.com/a?b=c#d", "http://example.com/a?b=c#d",
	    "example.com:80"));
	CHECK(valid("localhost:8080/x", "http://localhost:8080/x",
	    "localhost:8080"));
	CHECK(valid("example.com:8443", "http://example.com:8443",
	    "example.com:8443"));
	CHECK(valid("[::1]:9000/", "http://[::1]:9000/", "[::1]:9000"));
	CHECK(valid("ftp.example.com", "http://ftp.example.com",
	    "ftp.example.com:80"));
}

TEST(http_and_https_in_any_case_are_fetched_as_given)
{
	CHECK(valid("http://example.com", "http://example.com",
	    "example.com:80"));
	CHECK(valid("https://example.com/x", "https://example.com/x",
	    "example.com:443"));
	CHECK(valid("HTTPS://Example.COM/Path", "HTTPS://Example.COM/Path",
	    "example.com:443"));
	CHECK(valid("HtTp://EXAMPLE.com", "HtTp://EXAMPLE.com",
	    "example.com:80"));
}

TEST(the_host_key_is_lower_case_host_and_port)
{
	CHECK(valid("http://example.com:80/", "http://example.com:80/",
	    "example.com:80"));
	CHECK(valid("https://example.com:8443", "https://example.com:8443",
	    "example.com:8443"));
	CHECK(valid("http://user:pw@Example.com:81/",
	    "http://user:pw@Example.com:81/", "example.com:81"));
	CHECK(valid("http://127.0.0.1:8000/", "http://127.0.0.1:8000/",
	    "127.0.0.1:8000"));
	CHECK(valid("http://[::1]/", "http://[::1]/", "[::1]:80"));
	CHECK(valid("https://[2001:DB8::1]:444/",
	    "https://[2001:DB8::1]:444/", "[2001:db8::1]:444"));
	CHECK(valid("http://b\xc3\xbc" "cher.de/", "http://b\xc3\xbc" "cher.de/",
	    "b\xc3\xbc" "cher.de:80"));
}

TEST(other_schemes_are_invalid_url)
{
	CHECK(invalid("ftp://example.com/f", KIND_INVALID_URL,
	    "scheme 'ftp' is not allowed: only http and https are fetched"));
	CHECK_STR(req.url, "ftp://example.com/f");
	CHECK(invalid("FILE:///etc/passwd", KIND_INVALID_URL,
	    "scheme 'FILE' is not allowed"));
	CHECK(invalid("file:/etc/passwd", KIND_INVALID_URL,
	    "scheme 'file' is not allowed"));
	CHECK(invalid("javascript:alert(1)", KIND_INVALID_URL,
	    "scheme 'javascript' is not allowed"));
	CHECK(invalid("mailto:me@example.com", KIND_INVALID_URL,
	    "scheme 'mailto'"));
	CHECK(invalid("gopher://example.com", KIND_INVALID_URL,
	    "scheme 'gopher'"));
	CHECK(invalid("httpx://example.com", KIND_INVALID_URL,
	    "scheme 'httpx'"));
}

TEST(bad_urls_are_invalid_url)
{
	CHECK(invalid("http://", KIND_INVALID_URL, "No host"));
	CHECK_STR(req.url, "http://");
	CHECK(invalid("http://exa mple.com", KIND_INVALID_URL, "space"));
	CHECK_STR(req.url, "http://exa mple.com");
	CHECK(invalid("http://example.com/a b", KIND_INVALID_URL, "%20"));
	CHECK(invalid("http://[::1", KIND_INVALID_URL, "IPv6"));
	CHECK(invalid("http://example.com:99999/", KIND_INVALID_URL,
	    "Port number"));
	CHECK(invalid("http://a;b/", KIND_INVALID_URL, "hostname"));
	CHECK(invalid("http:example.com", KIND_INVALID_URL, "slashes"));
	CHECK(invalid("http://example.com/\x01", KIND_INVALID_URL,
	    "control character 0x01"));
	CHECK(invalid("http://example.com/\x7f", KIND_INVALID_URL,
	    "control character 0x7f"));
}

TEST(a_url_that_is_not_utf8_is_invalid_url)
{
	CHECK(invalid("http://example.com/\xff", KIND_INVALID_URL, "UTF-8"));
	CHECK(invalid("http://example.com/\xc3", KIND_INVALID_URL, "UTF-8"));
	CHECK(invalid("http://example.com/\xc0\xaf", KIND_INVALID_URL,
	    "UTF-8"));
	CHECK(invalid("http://example.com/\xed\xa0\x80", KIND_INVALID_URL,
	    "UTF-8"));
	CHECK(valid("http://example.com/\xe2\x82\xac",
	    "http://example.com/\xe2\x82\xac", "example.com:80"));
}

TEST(a_line_with_a_nul_byte_is_invalid_input)
{
	static const char line[] = "http://exa\0mple.com";

	CHECK(parse_n(line, sizeof line - 1, 0) == 1);
	CHECK(req.invalid == KIND_INVALID_INPUT);
	CHECK(strstr(req.message, "NUL") != NULL);
	CHECK_STR(req.url, "http://exa\xef\xbf\xbdmple.com");
	CHECK(req.host[0] == '\0');
}

TEST(a_truncated_line_is_invalid_input)
{
	char *line = xmalloc(INPUT_LINE_MAX);

	memset(line, 'a', INPUT_LINE_MAX);
	memcpy(line, "http://example.com/", 19);
	CHECK(parse_n(line, INPUT_LINE_MAX, 1) == 1);
	CHECK(req.invalid == KIND_INVALID_INPUT);
	CHECK_STR(req.message, "line longer than 64 KiB");
	CHECK(strlen(req.url) == 1024);
	CHECK(strncmp(req.url, "http://example.com/aaa", 22) == 0);
	/* Even a short one: the reader says the rest was cut. */
	CHECK(parse_n("example.com", 11, 1) == 1);
	CHECK(req.invalid == KIND_INVALID_INPUT);
	CHECK_STR(req.url, "example.com");
	free(line);
}

TEST(an_invalid_line_shows_at_most_1024_bytes)
{
	char line[2048];
	size_t n;

	/* 1022 ASCII bytes, then a 3-byte character that does not fit. */
	memcpy(line, "ftp://", 6);
	memset(line + 6, 'x', 1016);
	memcpy(line + 1022, "\xe2\x82\xac\xe2\x82\xac", 6);
	memset(line + 1028, 'y', 100);
	CHECK(parse_n(line, 1128, 0) == 1);
	CHECK(req.invalid == KIND_INVALID_URL);
	n = strlen(req.url);
	CHECK(n == 1022);
	/* Exactly fitting characters are kept whole. */
	memset(line + 6, 'x', 1015);
	memcpy(line + 1021, "\xe2\x82\xac", 3);
	line[1024] = 'y';
	CHECK(parse_n(line, 1128, 0) == 1);
	n = strlen(req.url);
	CHECK(n == 1024);
	CHECK(memcmp(req.url + 1021, "\xe2\x82\xac", 3) == 0);
	/* ... also when a stray continuation byte follows. */
	line[1024] = '\x80';
	CHECK(parse_n(line, 1128, 0) == 1);
	CHECK(strlen(req.url) == 1024);
	/* A 4-byte character cut after 3 of its bytes goes whole. */
	memcpy(line + 1021, "\xf0\x9f\x98\x80", 4);
	CHECK(parse_n(line, 1128, 0) == 1);
	CHECK(strlen(req.url) == 1021);
	/* Stray continuation bytes (not UTF-8 anyway) are cut as bytes. */
	memset(line + 6, '\x80', 1100);
	CHECK(parse_n(line, 1128, 0) == 1);
	CHECK(strlen(req.url) == 1024);
	/* A NUL shown as U+FFFD does not push the text past 1024 bytes. */
	memset(line + 6, 0, 1100);
	CHECK(parse_n(line, 1128, 0) == 1);
	CHECK(req.invalid == KIND_INVALID_INPUT);
	CHECK(strlen(req.url) == 6 + 339 * 3);
}

TEST(a_json_line_is_a_request)
{
	CHECK(parse("{\"url\": \"https://Example.com/x\"}") == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK_STR(req.url, "https://Example.com/x");
	CHECK_STR(req.host, "example.com:443");
	CHECK(req.method == NULL);
	CHECK(req.headers == NULL);
	CHECK(req.body == NULL);
	CHECK(req.id == NULL);

	CHECK(parse("  {\"url\":\"example.com\"}  ") == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK_STR(req.url, "http://example.com");

	CHECK(parse("{\"id\": 7, \"method\": \"PUT\", \"url\": "
	    "\"http://h/\", \"headers\": {\"X-A\": \"1\", \"Accept\": "
	    "\"text/html, */*\", \"X-Empty\": \"\", \"X-Gone\": null}, "
	    "\"body\": \"hi\"}") == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK_STR(req.method, "PUT");
	CHECK(req.headers != NULL);
	if (req.headers != NULL) {
		CHECK_STR(req.headers[0], "X-A: 1");
		CHECK_STR(req.headers[1], "Accept: text/html, */*");
		/* "" sends it empty (curl's "Name;"), null removes it. */
		CHECK_STR(req.headers[2], "X-Empty;");
		CHECK_STR(req.headers[3], "X-Gone:");
		CHECK(req.headers[4] == NULL);
	}
	CHECK_STR(req.body, "hi");
	CHECK(req.body_len == 2);
	CHECK(req.body_is_json == 0);
	CHECK_STR(req.id, "7");
}

TEST(a_json_line_applies_the_url_rules)
{
	CHECK(invalid("{\"url\": \"ftp://x/\"}", KIND_INVALID_URL,
	    "scheme 'ftp' is not allowed"));
	CHECK_STR(req.url, "{\"url\": \"ftp://x/\"}");
	CHECK(invalid("{\"url\": \"http://exa mple.com\"}", KIND_INVALID_URL,
	    "space"));
	CHECK(invalid("{\"url\": \"\"}", KIND_INVALID_URL, "empty"));
	CHECK(invalid("{\"url\": \"http://[::1\"}", KIND_INVALID_URL,
	    "IPv6"));
	CHECK(invalid("{\"url\": \"http://a/\\u0001\"}", KIND_INVALID_URL,
	    "control"));
	/* Invalid UTF-8 makes the line itself invalid JSON (RFC 8259). */
	CHECK(invalid("{\"url\": \"http://a/\xff\"}", KIND_INVALID_INPUT,
	    "not valid JSON"));
}

TEST(a_json_body_string_is_sent_as_is)
{
	CHECK(parse("{\"url\": \"h\", \"body\": \"a\\nb \\u00e9\"}") == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK_STR(req.body, "a\nb \xc3\xa9");
	CHECK(req.body_len == 6);
	CHECK(req.body_is_json == 0);
	CHECK(parse("{\"url\": \"h\", \"body\": \"\"}") == 1);
	CHECK(req.body != NULL && req.body_len == 0);
}

TEST(a_json_body_value_is_sent_compact_with_its_exact_text)
{
	CHECK(parse("{\"body\": { \"a\" : [1, 2.50, 1e3 ],\t\"s\": "
	    "\"x y\\\" }\" , \"n\":12345678901234567890}, \"url\": \"h\"}")
	    == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK_STR(req.body, "{\"a\":[1,2.50,1e3],\"s\":\"x y\\\" }\","
	    "\"n\":12345678901234567890}");
	CHECK(req.body_len == strlen(req.body));
	CHECK(req.body_is_json == 1);
	CHECK(parse("{\"url\": \"h\", \"body\": 42}") == 1);
	CHECK_STR(req.body, "42");
	CHECK(req.body_is_json == 1);
	CHECK(parse("{\"url\": \"h\", \"body\": true }") == 1);
	CHECK_STR(req.body, "true");
	CHECK(parse("{\"url\": \"h\", \"body\": [ ]}") == 1);
	CHECK_STR(req.body, "[]");
	CHECK(parse("{\"url\": \"h\", \"b\\u006fdy\": {\"k\": \"v\"}}") == 1);
	CHECK_STR(req.body, "{\"k\":\"v\"}");
}

TEST(a_null_json_body_is_no_body)
{
	CHECK(parse("{\"url\": \"h\", \"body\": null}") == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK(req.body == NULL);
	CHECK(req.body_is_json == 0);
}

TEST(a_json_id_may_be_any_value)
{
	CHECK(parse("{\"url\": \"h\", \"id\": 12}") == 1);
	CHECK_STR(req.id, "12");
	CHECK(req.id_len == 2);
	CHECK(parse("{\"url\": \"h\", \"id\": \"abc\"}") == 1);
	CHECK_STR(req.id, "\"abc\"");
	CHECK(parse("{\"url\": \"h\", \"id\": {\"a\" : [1, null]}}") == 1);
	CHECK_STR(req.id, "{\"a\":[1,null]}");
	CHECK(parse("{\"url\": \"h\", \"id\": null}") == 1);
	CHECK_STR(req.id, "null");
}

TEST(a_json_id_keeps_its_exact_text)
{
	/* Through a double these would become 12345678901234568,
	 * 9.223372036854776e+18 and null. */
	CHECK(parse("{\"url\": \"h\", \"id\": 12345678901234567}") == 1);
	CHECK_STR(req.id, "12345678901234567");
	CHECK(parse("{\"id\": 9223372036854775808, \"url\": \"h\"}") == 1);
	CHECK_STR(req.id, "9223372036854775808");
	CHECK(parse("{\"url\": \"h\", \"id\":1e400}") == 1);
	CHECK_STR(req.id, "1e400");
	CHECK(parse("{\"url\": \"h\", \"id\": [-0.0, 1.50, 1E+2]}") == 1);
	CHECK_STR(req.id, "[-0.0,1.50,1E+2]");
	/* Strings keep their escapes byte for byte. */
	CHECK(parse("{\"url\": \"h\", \"id\": \"\\u00e9\\/ \"}") == 1);
	CHECK_STR(req.id, "\"\\u00e9\\/ \"");
}

TEST(an_invalid_json_line_keeps_its_id)
{
	CHECK(invalid("{\"id\": \"r1\", \"url\": \"ftp://x\"}",
	    KIND_INVALID_URL, "ftp"));
	CHECK_STR(req.id, "\"r1\"");
	CHECK(invalid("{\"id\": 3, \"url\": \"h\", \"headers\": 1}",
	    KIND_INVALID_INPUT, "headers"));
	CHECK_STR(req.id, "3");
}

TEST(json_method_is_an_http_token)
{
	CHECK(parse("{\"url\": \"h\", \"method\": \"PATCH\"}") == 1);
	CHECK_STR(req.method, "PATCH");
	/* Methods are case-sensitive: sent as written. */
	CHECK(parse("{\"url\": \"h\", \"method\": \"get\"}") == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK_STR(req.method, "get");
	CHECK(parse("{\"url\": \"h\", \"method\": null}") == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK(req.method == NULL);
	CHECK(invalid("{\"url\": \"h\", \"method\": \"GET /x\"}",
	    KIND_INVALID_INPUT, "method \"GET /x\" is not valid"));
	CHECK(invalid("{\"url\": \"h\", \"method\": \"\"}",
	    KIND_INVALID_INPUT, "method"));
	CHECK(invalid("{\"url\": \"h\", \"method\": \"A\\r\\nB\"}",
	    KIND_INVALID_INPUT, "method"));
	CHECK(invalid("{\"url\": \"h\", \"method\": "
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", KIND_INVALID_INPUT,
	    "at most 32"));
	CHECK(parse("{\"url\": \"h\", \"method\": "
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}") == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK(invalid("{\"url\": \"h\", \"method\": 1}", KIND_INVALID_INPUT,
	    "\"method\" must be a string"));
}

TEST(json_headers_are_checked)
{
	CHECK(invalid("{\"url\": \"h\", \"headers\": [\"A: b\"]}",
	    KIND_INVALID_INPUT, "\"headers\" must be an object"));
	CHECK(invalid("{\"url\": \"h\", \"headers\": \"A: b\"}",
	    KIND_INVALID_INPUT, "\"headers\" must be an object"));
	CHECK(invalid("{\"url\": \"h\", \"headers\": {\"A\": 1}}",
	    KIND_INVALID_INPUT,
	    "header \"A\" must have a string or null value"));
	CHECK(invalid("{\"url\": \"h\", \"headers\": {\"A\": \"x\\r\\n"
	    "Evil: 1\"}}", KIND_INVALID_INPUT, "header \"A\" holds CR or LF"));
	CHECK(invalid("{\"url\": \"h\", \"headers\": {\"A\": \"x\\ny\"}}",
	    KIND_INVALID_INPUT, "CR or LF"));
	CHECK(invalid("{\"url\": \"h\", \"headers\": {\"A\": \"x\\u0007\"}}",
	    KIND_INVALID_INPUT, "control character"));
	CHECK(invalid("{\"url\": \"h\", \"headers\": {\"Bad Name\": \"x\"}}",
	    KIND_INVALID_INPUT, "\"Bad Name\" is not a valid header name"));
	CHECK(invalid("{\"url\": \"h\", \"headers\": {\"A:\": \"x\"}}",
	    KIND_INVALID_INPUT, "not a valid header name"));
	CHECK(invalid("{\"url\": \"h\", \"headers\": {\"\": \"x\"}}",
	    KIND_INVALID_INPUT, "not a valid header name"));
	CHECK(invalid("{\"url\": \"h\", \"headers\": {\"A\": \"1\", "
	    "\"A\": \"2\"}}", KIND_INVALID_INPUT, "given twice"));
	/* A tab is allowed in a value; an empty object is no headers. */
	CHECK(parse("{\"url\": \"h\", \"headers\": {\"A\": \"x\\ty\"}}") == 1);
	CHECK(req.invalid == KIND_NONE);
	CHECK(parse("{\"url\": \"h\", \"headers\": {}}") == 1);
	CHECK(req.invalid == KIND_NONE && req.headers == NULL);
	CHECK(parse("{\"url\": \"h\", \"headers\": null}") == 1);
	CHECK(req.invalid == KIND_NONE && req.headers == NULL);
}

TEST(malformed_json_lines_are_invalid_input)
{
	CHECK(invalid("{", KIND_INVALID_INPUT, "not valid JSON"));
	CHECK_STR(req.url, "{");
	CHECK(invalid("{\"url\": \"h\",}", KIND_INVALID_INPUT,
	    "not valid JSON"));
	CHECK(invalid("{\"url\": \"h\"} x", KIND_INVALID_INPUT,
	    "text after the JSON object"));
	CHECK(invalid("{\"url\": \"h\"}{\"url\": \"h\"}", KIND_INVALID_INPUT,
	    "text after"));
	CHECK(invalid("{}", KIND_INVALID_INPUT, "no \"url\""));
	CHECK(invalid("{\"url\": 5}", KIND_INVALID_INPUT,
	    "\"url\" must be a string"));
	CHECK(invalid("{\"url\": null}", KIND_INVALID_INPUT,
	    "\"url\" must be a string"));
	CHECK(invalid("{\"url\": \"h\", \"timeout\": 5}", KIND_INVALID_INPUT,
	    "unknown key \"timeout\""));
	CHECK(invalid("{\"url\": \"h\", \"URL\": \"h\"}", KIND_INVALID_INPUT,
	    "unknown key \"URL\""));
	CHECK(invalid("{\"url\": \"h\", \"url\": \"g\"}", KIND_INVALID_INPUT,
	    "key \"url\" is given twice"));
	CHECK(invalid("{\"url\": \"h\", \"id\": 1, \"id\": 2}",
	    KIND_INVALID_INPUT, "key \"id\" is given twice"));
	CHECK(invalid("{\"url\": \"h\\u0000x\"}", KIND_INVALID_INPUT,
	    "\\u0000"));
	/* An escaped backslash before u0000 is no NUL. */
	CHECK(parse("{\"url\": \"h\", \"id\": \"\\\\u0000\"}") == 1);
	CHECK(req.invalid == KIND_NONE);
}

TEST(an_unknown_key_is_shown_safely)
{
	CHECK(invalid("{\"url\": \"h\", \"a\\u0001\\nb\": 1}",
	    KIND_INVALID_INPUT, "unknown key \"a??b\""));
	CHECK(invalid("{\"url\": \"h\", \"\\u00ff\\u0002\": 1}",
	    KIND_INVALID_INPUT, "unknown key \"\xc3\xbf?\""));
	/* Lenient JSON that cJSON would take is refused as a whole. */
	CHECK(invalid("{\"url\": \"h\", \"\xff\": 1}", KIND_INVALID_INPUT,
	    "not valid JSON"));
	CHECK(invalid("{\"url\": \"http://x/\",\x01\"body\": 1}",
	    KIND_INVALID_INPUT, "not valid JSON"));
	CHECK(invalid("{\"url\": \"http://x/\", \"id\": \"a\tb\"}",
	    KIND_INVALID_INPUT, "not valid JSON"));
	CHECK(invalid("{\"url\": \"http://x/\", \"body\": 01}",
	    KIND_INVALID_INPUT, "not valid JSON"));
	CHECK(invalid("{\"url\": \"h\", \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaa\": 1}", KIND_INVALID_INPUT,
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\""));
}

TEST(a_line_not_starting_with_a_brace_is_a_url)
{
	CHECK(invalid("[\"http://x\"]", KIND_INVALID_URL, ""));
	CHECK(invalid("\"http://x\"", KIND_INVALID_URL, ""));
}

TEST(the_parser_survives_cleanup)
{
	input_parse_cleanup();
	CHECK(valid("example.com", "http://example.com", "example.com:80"));
	input_parse_cleanup();
	input_parse_cleanup();
	CHECK(valid("example.org", "http://example.org", "example.org:80"));
}

int
main(void)
{
	request_init(&req);
	RUN(blank_and_comment_lines_are_no_request);
	RUN(a_cut_line_is_a_request_whatever_it_holds);
	RUN(white_space_around_a_url_is_trimmed);
	RUN(a_url_without_scheme_gets_http);
	RUN(http_and_https_in_any_case_are_fetched_as_given);
	RUN(the_host_key_is_lower_case_host_and_port);
	RUN(other_schemes_are_invalid_url);
	RUN(bad_urls_are_invalid_url);
	RUN(a_url_that_is_not_utf8_is_invalid_url);
	RUN(a_line_with_a_nul_byte_is_invalid_input);
	RUN(a_truncated_line_is_invalid_input);
	RUN(an_invalid_line_shows_at_most_1024_bytes);
	RUN(a_json_line_is_a_request);
	RUN(a_json_line_applies_the_url_rules);
	RUN(a_json_body_string_is_sent_as_is);
	RUN(a_json_body_value_is_sent_compact_with_its_exact_text);
	RUN(a_null_json_body_is_no_body);
	RUN(a_json_id_may_be_any_value);
	RUN(a_json_id_keeps_its_exact_text);
	RUN(an_invalid_json_line_keeps_its_id);
	RUN(json_method_is_an_http_token);
	RUN(json_headers_are_checked);
	RUN(malformed_json_lines_are_invalid_input);
	RUN(an_unknown_key_is_shown_safely);
	RUN(a_line_not_starting_with_a_brace_is_a_url);
	RUN(the_parser_survives_cleanup);
	request_free(&req);
	input_parse_cleanup();
	return unit_done(__FILE__);
}
