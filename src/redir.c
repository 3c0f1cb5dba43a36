/* redir.c: the redirect rules of RFC 9110 section 15.4, kept out of
 * libcurl because no libcurl from 7.85 to 8.x expresses them: with a
 * custom method libcurl re-sends that method after a 303, and it drops
 * the body of a PUT after a 301 or 302 while keeping the method. */
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "redir.h"

int
redir_followed(long status)
{
	return status >= 300 && status <= 399 && status != 304;
}

const char *
redir_method(long status, const char *method, int *body)
{
	if (status == 303) {
		*body = 0;
		return strcmp(method, "HEAD") == 0 ? "HEAD" : "GET";
	}
	if ((status == 301 || status == 302) && strcmp(method, "POST") == 0) {
		*body = 0;
		return "GET";
	}
	return method;
}

int
redir_scheme_ok(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0;
}

/* Scheme, host and port of url into buf as "scheme://host:port"; -1 when
 * it does not parse. */
static int
redir_origin(const char *url, char *buf, size_t len)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	if (u == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port,
	    CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    (size_t)snprintf(buf, len, "%s://%s:%s", scheme, host, port) <
	    len)
		rc = 0;
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

int
redir_same_origin(const char *a, const char *b)
{
	char oa[512], ob[512];

	if (redir_origin(a, oa, sizeof(oa)) < 0 ||
	    redir_origin(b, ob, sizeof(ob)) < 0)
		return 0;
	return strcasecmp(oa, ob) == 0;
}

int
redir_idempotent(const char *method)
{
	static const char *const safe[] = {
		"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", NULL
	};
	size_t i;

	for (i = 0; safe[i] != NULL; i++)
		if (strcmp(method, safe[i]) == 0)
			return 1;
	return 0;
}
