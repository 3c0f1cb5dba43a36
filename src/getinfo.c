/* getinfo.c: a finished hop read back from its easy handle with
 * curl_easy_getinfo() into the attempt's struct result: status, version,
 * URL, times (added up over the hops), Retry-After, and the error kind
 * and message, our own verdicts (write callback, redirects) first. */
#include <stdio.h>
#include <string.h>

#include "getinfo.h"
#include "hash.h"
#include "retry.h"
#include "save.h"
#include "sink.h"
#include "state.h"
#include "tlsend.h"
#include "util.h"

static const struct opts	*go;		/* the run's options */

void
getinfo_setup(const struct opts *o)
{
	go = o;
}

static double
us_to_s(curl_off_t us)
{
	return (double)us / 1e6;
}

/* The last Retry-After of the final response, as seconds, or -1. */
static double
getinfo_retry_after(CURL *e)
{
	struct curl_header *h;

	if (curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1,
	    &h) != CURLHE_OK)
		return -1;
	if (h->amount > 1 && curl_easy_header(e, "Retry-After",
	    h->amount - 1, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return -1;
	return retry_after_parse(h->value, now_wall());
}

/* Times of the hop just ended, added to those of the hops before it
 * (as libcurl adds them up over the redirects it follows itself). A
 * reused connection had no DNS, connect or TLS phase. */
void
getinfo_times_add(struct xfer *x, CURL *e)
{
	curl_off_t t[5] = { 0, 0, 0, 0, 0 }, before = x->t_sum[4];
	long nconn = -1;

	(void)curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &t[0]);
	(void)curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &t[1]);
	(void)curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &t[2]);
	(void)curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &t[3]);
	(void)curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &t[4]);
	if (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &nconn) ==
	    CURLE_OK && nconn == 0)
		t[0] = t[1] = t[2] = 0;
	x->t_sum[0] += t[0];
	x->t_sum[1] += t[1] > t[0] ? t[1] - t[0] : 0;
	x->t_sum[2] += t[2] > t[1] ? t[2] - t[1] : 0;
	x->t_sum[3] = before + t[3];
	x->t_sum[4] = before + t[4];
}

static const char *
getinfo_version(long ver)
{
	switch (ver) {
	case CURL_HTTP_VERSION_1_0:
		return "1.0";
	case CURL_HTTP_VERSION_1_1:
		return "1.1";
	case CURL_HTTP_VERSION_2_0:
		return "2";
	case CURL_HTTP_VERSION_3:
		return "3";
	default:
		return NULL;
	}
}

/* Response header bytes of the hop so far (status line included), or
 * 1 when a status line arrived and libcurl has not counted yet. */
long
getinfo_header_bytes(CURL *e)
{
	long n = 0, status = 0;

	(void)curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &n);
	(void)curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	return n > 0 ? n : status != 0;
}

/* --http2-prior-knowledge, and a connection this hop opened gave no
 * HTTP/2 answer: the server does not speak it. How libcurl words that
 * depends on how the bytes arrived ("Empty reply", "framing layer"); it
 * is one fault, the same every time, and not worth a retry. */
static int
getinfo_not_h2(CURL *e, CURLcode result, long status)
{
	long nconn = 0;

	if (go->http != HTTPV_2_PRIOR || status != 0)
		return 0;
	if (result != CURLE_GOT_NOTHING && result != CURLE_HTTP2 &&
	    result != CURLE_RECV_ERROR && result != CURLE_WEIRD_SERVER_REPLY &&
	    result != CURLE_UNSUPPORTED_PROTOCOL && result != CURLE_SEND_ERROR)
		return 0;
	if (getinfo_header_bytes(e) != 0)
		return 0;
	/* A stream that waited for the connection another hop opened dies
	 * with it (nothing of its own was opened): the same fault. */
	return result == CURLE_SEND_ERROR ||
	    (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &nconn) ==
	    CURLE_OK && nconn > 0);
}

/* One Content-Length value: 1*DIGIT, or a list of them ("5, 5", RFC
 * 9110 8.6), its digits without leading zeros into num[numlen] (the
 * members must agree). 0, or -1 when it is no valid length. */
static int
getinfo_length_value(const char *v, char *num, size_t numlen)
{
	const char *p = v, *d;
	size_t n;

	num[0] = '\0';
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		for (d = p; *p >= '0' && *p <= '9'; p++)
			;
		if (p == d)
			return -1;
		while (d + 1 < p && *d == '0')
			d++;
		n = (size_t)(p - d);
		if (n >= numlen || (num[0] != '\0' && (strlen(num) != n ||
		    memcmp(num, d, n) != 0)))
			return -1;
		memcpy(num, d, n);
		num[n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

/* Is the final response's Content-Length no valid length (RFC 9112 6.3,
 * an unrecoverable error without Transfer-Encoding)? libcurl 7.88 reads
 * it with strtoll: "1e3" and "10abc" frame the body as 1 and 10 bytes,
 * "0x41" and "+5" pass too; a body cut to such a length would be ok. And
 * do several disagree? libcurl takes the last one, and a kept-alive
 * connection then reads the rest of the body as the next response. */
static int
getinfo_length_invalid(CURL *e)
{
	struct curl_header *h, *te;
	char first[24], num[24];
	size_t i, n;

	if (!sink_header_api() || curl_easy_header(e, "Content-Length", 0,
	    CURLH_HEADER, -1, &h) != CURLHE_OK ||
	    curl_easy_header(e, "Transfer-Encoding", 0, CURLH_HEADER, -1,
	    &te) == CURLHE_OK)
		return 0;
	if (getinfo_length_value(h->value, first, sizeof(first)) < 0)
		return 1;
	n = h->amount;
	for (i = 1; i < n; i++)
		if (curl_easy_header(e, "Content-Length", i, CURLH_HEADER, -1,
		    &h) == CURLHE_OK && (getinfo_length_value(h->value, num,
		    sizeof(num)) < 0 || strcmp(num, first) != 0))
			return 1;
	return 0;
}

/* Copy s into dst[size], cut to fit, always terminated: what
 * snprintf(dst, size, "%s", s) does, without formatting (this runs for
 * every request). */
static void
getinfo_copy(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The final response's ETag and Last-Modified (--state), "" when absent
 * or too long to keep. */
static void
getinfo_validators(CURL *e, struct result *r)
{
	struct curl_header *h;

	if (curl_easy_header(e, "ETag", 0, CURLH_HEADER, -1,
	    &h) == CURLHE_OK && strlen(h->value) < sizeof(r->etag))
		getinfo_copy(r->etag, sizeof(r->etag), h->value);
	if (curl_easy_header(e, "Last-Modified", 0, CURLH_HEADER, -1,
	    &h) == CURLHE_OK && strlen(h->value) < sizeof(r->last_modified))
		getinfo_copy(r->last_modified, sizeof(r->last_modified),
		    h->value);
}

/* Read the hop's outcome back into x->res. */
void
getinfo_result(struct xfer *x, CURLcode result)
{
	struct result *r = x->res;
	CURL *e = x->easy;
	long ver = 0;
	char *s = NULL, path[4096];
	unsigned char digest[HASH_LEN];

	(void)curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	(void)curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &ver);
	r->http_version = r->status != 0 ? getinfo_version(ver) : NULL;
	if (curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK &&
	    s != NULL && r->status != 0)
		r->final_url = xstrdup(s);
	r->redirects = x->redirects;
	s = NULL;
	if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK &&
	    s != NULL)
		r->content_type = xstrdup(s);
	s = NULL;
	if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &s) == CURLE_OK &&
	    s != NULL)
		getinfo_copy(r->remote_ip, sizeof(r->remote_ip), s);
	r->t_dns = us_to_s(x->t_sum[0]);
	r->t_connect = us_to_s(x->t_sum[1]);
	r->t_tls = us_to_s(x->t_sum[2]);
	r->t_ttfb = us_to_s(x->t_sum[3]);
	r->t_total = us_to_s(x->t_sum[4]);

	if (sink_header_api() && (r->status == 429 || r->status == 503))
		x->retry_after = getinfo_retry_after(e);

	/* Our own verdicts (write callback, redirects, a body whose coding
	 * did not end, a TLS body cut short) come before libcurl's. */
	(void)sink_finish(x, result == CURLE_OK);
	if (result == CURLE_OK && tlsend_truncated(e, x->ssl,
	    strcmp(x->hop_method, "HEAD") == 0))
		result = CURLE_PARTIAL_FILE;
	if (r->kind != KIND_NONE)
		;
	else if (x->too_large)
		r->kind = KIND_TOO_LARGE;
	else if (x->write_failed)
		r->kind = KIND_WRITE;
	else if (x->body_why != NULL) {
		r->kind = KIND_PROTOCOL;
		(void)snprintf(r->message, sizeof(r->message), "%s",
		    x->body_why);
	} else if (result == CURLE_PARTIAL_FILE && x->errbuf[0] == '\0') {
		r->kind = KIND_RECV;
		(void)snprintf(r->message, sizeof(r->message), "%s",
		    "TLS connection closed without close_notify: the "
		    "close-delimited body may be cut short");
	}
	else if (result == CURLE_BAD_FUNCTION_ARGUMENT &&
	    getinfo_header_bytes(e) > 0) {
		/* libcurl 7.88's words for a continuation line (obs-fold,
		 * RFC 9112 5.2) with no header before it: the response is
		 * malformed, nothing is wrong in cofetch. */
		r->kind = KIND_PROTOCOL;
		(void)snprintf(r->message, sizeof(r->message), "malformed "
		    "response header (a folded line with no header before "
		    "it)");
	} else if (result == CURLE_OK && getinfo_length_invalid(e)) {
		r->kind = KIND_PROTOCOL;
		(void)snprintf(r->message, sizeof(r->message), "invalid "
		    "Content-Length, or several that disagree (RFC 9112 6.3)");
	} else if (result == CURLE_OUT_OF_MEMORY &&
	    getinfo_header_bytes(e) > 0)
		/* libcurl gives up on a header line over its limit
		 * (CURL_MAX_HTTP_HEADER, 100 KB) with this code and no
		 * text: the response is too large, not the machine out of
		 * memory. */
		r->kind = KIND_TOO_LARGE;
	else if (getinfo_not_h2(e, result, r->status)) {
		r->kind = KIND_PROTOCOL;
		(void)snprintf(r->message, sizeof(r->message),
		    "no HTTP/2 answer to prior knowledge (%s)",
		    x->errbuf[0] != '\0' ? x->errbuf :
		    curl_easy_strerror(result));
	} else
		r->kind = kind_of_curl(result, r->status, x->errbuf);
	if (r->message[0] != '\0')
		;
	else if (x->too_large || result == CURLE_FILESIZE_EXCEEDED)
		(void)snprintf(r->message, sizeof(r->message),
		    "response body exceeds --max-size %lld bytes",
		    (long long)go->max_size);
	else if (r->kind == KIND_TOO_LARGE)
		(void)snprintf(r->message, sizeof(r->message),
		    "response header too large (over libcurl's limit)%s%s",
		    x->errbuf[0] != '\0' ? ": " : "", x->errbuf);
	else if (x->write_failed) {
		save_path(path, sizeof(path), x->index);
		(void)snprintf(r->message, sizeof(r->message),
		    "cannot write %s: %s", path, strerror(x->write_errno));
	} else if (r->kind == KIND_HTTP)
		(void)snprintf(r->message, sizeof(r->message), "HTTP %ld",
		    r->status);
	else if (r->kind == KIND_PROTOCOL && result == CURLE_OK)
		(void)snprintf(r->message, sizeof(r->message),
		    "invalid status code %ld (not 100-599)", r->status);
	else if (r->kind != KIND_NONE)
		kind_message(r->kind, result, x->errbuf, r->message,
		    sizeof(r->message));
	if (go->state_file != NULL && r->status > 0)
		getinfo_validators(e, r);
	/* A 304 has no body of its own to hash, and a response to HEAD
	 * none at all. */
	if (go->hash && strcmp(x->hop_method, "HEAD") == 0)
		state_compare_head(&x->prev, r);
	else if (go->hash)
		state_compare(&x->prev, r, r->status != 304 &&
		    hash_end(&x->hash, digest) == 0 ? digest : NULL);
	/* Only a response that arrived whole is saved; a 304 keeps the
	 * file an earlier run saved, if any. */
	save_close(x, (r->kind == KIND_NONE || r->kind == KIND_HTTP) &&
	    r->status != 304);
	if (r->status == 304 && go->save_dir != NULL && x->aux_max == 0)
		save_keep_previous(x);
}

