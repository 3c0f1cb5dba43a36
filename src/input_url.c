/* input_url.c: the URL rules of an input line: the scheme (only http and
 * https; none gets "http://"), what bytes a URL may hold, and the host key
 * for --per-host, checked with libcurl's URL parser. The parser handle is
 * kept between lines, so this is not thread-safe. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "ascii.h"
#include "input_url.h"
#include "json.h"
#include "util.h"

#define SCHEME_SHOW_MAX	40	/* bytes of a scheme quoted in a message */

/* The URL parser, created on first use and reused for every line, then
 * handed to the request that parsed well; freed in
 * input_url_cleanup(). */
static CURLU	*parse_cu;

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

	if (len == 0 || !ascii_is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '.')
			dot = 1;
		else if (!ascii_is_alpha(c) && !ascii_is_digit(c) && c != '+' && c != '-')
			break;
	}
	if (i == len || s[i] != ':')
		return 0;
	if (len - i >= 3 && s[i + 1] == '/' && s[i + 2] == '/')
		return i;
	if (dot || (i + 1 < len && ascii_is_digit((unsigned char)s[i + 1])))
		return 0;
	return i;
}

/* Check the URL s[0..len) (no NUL bytes) and fill req->url (malloced, the
 * URL as given, "http://" prepended when it has no scheme) and req->host
 * ("host:port", lower case). Returns 0, or -1 with req invalid. */
int
input_url_check(struct request *req, const char *s, size_t len)
{
	CURLUcode uc;
	char *host = NULL, *port = NULL, *p;
	size_t i, slen, hlen, plen, off;
	int high = 0, rc = -1;
	unsigned char c;

	if (len == 0)
		return request_invalid(req, KIND_INVALID_URL,
		    "the URL is empty");
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == ' ')
			return request_invalid(req, KIND_INVALID_URL,
			    "the URL holds a space: write it as %%20");
		if (c < 0x20 || c == 0x7f)
			return request_invalid(req, KIND_INVALID_URL,
			    "the URL holds control character 0x%02x: "
			    "percent-encode it", c);
		if (c >= 0x80)
			high = 1;
	}
	if (high && !utf8_valid(s, len))
		return request_invalid(req, KIND_INVALID_URL,
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
		return request_invalid(req, KIND_INVALID_URL,
		    "scheme '%.*s' is not allowed: only http and https are "
		    "fetched", (int)(slen > SCHEME_SHOW_MAX ?
		    SCHEME_SHOW_MAX : slen), s);
	memcpy(req->url + off, s, len);
	req->url[off + len] = '\0';

	if (parse_cu == NULL && (parse_cu = curl_url()) == NULL) {
		(void)request_invalid(req, KIND_INTERNAL, "out of memory");
		goto fail;
	}
	/* Every URL here is absolute, so a new one replaces the last one
	 * whole rather than being resolved against it. */
	uc = curl_url_set(parse_cu, CURLUPART_URL, req->url,
	    CURLU_NON_SUPPORT_SCHEME);
	if (uc != CURLUE_OK) {
		(void)request_invalid(req, KIND_INVALID_URL, "%s",
		    curl_url_strerror(uc));
		goto fail;
	}
	uc = curl_url_get(parse_cu, CURLUPART_HOST, &host, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(parse_cu, CURLUPART_PORT, &port,
		    CURLU_DEFAULT_PORT);
	if (uc != CURLUE_OK) {
		(void)request_invalid(req, KIND_INVALID_URL, "%s",
		    curl_url_strerror(uc));
		goto fail;
	}
	hlen = strlen(host);
	plen = strlen(port);
	if (hlen == 0) {
		(void)request_invalid(req, KIND_INVALID_URL,
		    "No host part in the URL");
		goto fail;
	}
	if (hlen + 1 + plen >= sizeof req->host) {
		(void)request_invalid(req, KIND_INVALID_URL,
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

void
input_url_cleanup(void)
{
	curl_url_cleanup(parse_cu);
	parse_cu = NULL;
}
