/* test_redir.c: the redirect rules of RFC 9110 15.4 (redir.c) and the
 * error kinds of libcurl results (kind.c). */
#include <string.h>

#include "kind.h"
#include "redir.h"
#include "unit.h"

TEST(redir_303_is_get_without_body)
{
	int body = 1;

	CHECK_STR(redir_method(303, "PUT", &body), "GET");
	CHECK(body == 0);
	body = 1;
	CHECK_STR(redir_method(303, "POST", &body), "GET");
	CHECK(body == 0);
	body = 1;
	CHECK_STR(redir_method(303, "HEAD", &body), "HEAD");
	CHECK(body == 0);
}

TEST(redir_301_302_turn_only_post_into_get)
{
	static const long st[] = { 301, 302 };
	size_t i;
	int body;

	for (i = 0; i < 2; i++) {
		body = 1;
		CHECK_STR(redir_method(st[i], "POST", &body), "GET");
		CHECK(body == 0);
		body = 1;
		CHECK_STR(redir_method(st[i], "PUT", &body), "PUT");
		CHECK(body == 1);
		body = 1;
		CHECK_STR(redir_method(st[i], "DELETE", &body), "DELETE");
		CHECK(body == 1);
	}
}

TEST(redir_307_308_keep_everything)
{
	int body = 1;

	CHECK_STR(redir_method(307, "POST", &body), "POST");
	CHECK(body == 1);
	CHECK_STR(redir_method(308, "PATCH", &body), "PATCH");
	CHECK(body == 1);
}

TEST(redir_followed_statuses)
{
	CHECK(redir_followed(301) && redir_followed(308));
	CHECK(!redir_followed(304));
	CHECK(!redir_followed(200) && !redir_followed(400));
}

TEST(redir_schemes_and_origins)
{
	CHECK(redir_scheme_ok("http://a/") && redir_scheme_ok("HTTPS://a/"));
	CHECK(!redir_scheme_ok("ftp://a/") && !redir_scheme_ok("file:///"));
	CHECK(redir_same_origin("http://a/x", "http://A:80/y"));
	CHECK(!redir_same_origin("http://a/x", "http://a:8080/x"));
	CHECK(!redir_same_origin("http://a/x", "https://a/x"));
	CHECK(!redir_same_origin("http://a/x", "http://b/x"));
}

TEST(redir_idempotent_methods)
{
	CHECK(redir_idempotent("GET") && redir_idempotent("PUT"));
	CHECK(!redir_idempotent("POST") && !redir_idempotent("PATCH"));
}

TEST(kind_status_outside_100_599_is_protocol)
{
	CHECK(kind_of_curl(CURLE_OK, 99, "") == KIND_PROTOCOL);
	CHECK(kind_of_curl(CURLE_OK, 600, "") == KIND_PROTOCOL);
	CHECK(kind_of_curl(CURLE_OK, 200, "") == KIND_NONE);
	CHECK(kind_of_curl(CURLE_OK, 404, "") == KIND_HTTP);
}

TEST(kind_h2_protocol_error_is_protocol)
{
	CHECK(kind_of_curl(CURLE_HTTP2_STREAM, 0, "HTTP/2 stream 1 was not "
	    "closed cleanly: PROTOCOL_ERROR (err 1)") == KIND_PROTOCOL);
	CHECK(kind_of_curl(CURLE_HTTP2_STREAM, 0, "HTTP/2 stream 1 was not "
	    "closed cleanly before end of the underlying stream") ==
	    KIND_RECV);
}

TEST(kind_message_agrees_with_kind)
{
	char m[256];

	/* A stale text from a connection libcurl gave up on. */
	kind_message(KIND_TIMEOUT, CURLE_OPERATION_TIMEDOUT,
	    "Recv failure: Connection reset by peer", m, sizeof(m));
	CHECK(strstr(m, "reset") == NULL);
	kind_message(KIND_TIMEOUT, CURLE_OPERATION_TIMEDOUT,
	    "Operation timed out after 1000 milliseconds", m, sizeof(m));
	CHECK(strstr(m, "timed out after 1000") != NULL);
	kind_message(KIND_RECV, CURLE_RECV_ERROR,
	    "Recv failure: Connection reset by peer", m, sizeof(m));
	CHECK(strstr(m, "reset") != NULL);
	kind_message(KIND_CONNECT, CURLE_COULDNT_CONNECT, "", m, sizeof(m));
	CHECK(m[0] != '\0');
}

int
main(void)
{
	RUN(redir_303_is_get_without_body);
	RUN(redir_301_302_turn_only_post_into_get);
	RUN(redir_307_308_keep_everything);
	RUN(redir_followed_statuses);
	RUN(redir_schemes_and_origins);
	RUN(redir_idempotent_methods);
	RUN(kind_status_outside_100_599_is_protocol);
	RUN(kind_h2_protocol_error_is_protocol);
	RUN(kind_message_agrees_with_kind);
	return unit_done("tests/unit/test_redir.c");
}
