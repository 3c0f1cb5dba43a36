/* sink.c: where a response goes while it arrives. The write callback
 * decodes the body (decode.c; libcurl passes it through as sent),
 * counts the decoded bytes, keeps them for --body, writes them to the
 * --save file and stops the transfer past --max-size; the header callback
 * keeps the final response's headers for --headers and its
 * Content-Encoding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"
#include "retry.h"
#include "save.h"
#include "sink.h"
#include "tlsend.h"
#include "util.h"
#include "xfer_state.h"

static const struct opts	*so;		/* the run's options */
static int		 sink_hdr_api;	/* curl_easy_header() is built in */
static int		 sink_hdr_cb;	/* response headers come through
					 * sink_header_cb() */

void
sink_setup(const struct opts *o)
{
	struct curl_header *hh;

	so = o;
	/* Retry-After is read from libcurl's header store when it has one;
	 * otherwise every header line goes through sink_header_cb(). */
	sink_hdr_api = curl_easy_header(NULL, "Retry-After", 0,
	    CURLH_HEADER, -1, &hh) != CURLHE_NOT_BUILT_IN;
	sink_hdr_cb = o->headers_out || !sink_hdr_api;
}

int
sink_header_api(void)
{
	return sink_hdr_api;
}

int
sink_header_cb_on(void)
{
	return sink_hdr_cb;
}

/* Decoded body bytes: count them against --max-size before anything is
 * kept, then keep them for --body and write them to the --save file. */
static int
sink_deliver(void *arg, const char *p, size_t len)
{
	struct xfer *x = arg;

	if (x->aux_max > 0) {
		/* A side fetch keeps what fits, and stops there. */
		if ((size_t)x->res->size + len > x->aux_max) {
			len = x->aux_max - (size_t)x->res->size;
			x->too_large = 1;
		}
		buf_add(&x->res->body, p, len);
		x->res->size += (int64_t)len;
		return x->too_large ? -1 : 0;
	}
	if (x->res->size + (int64_t)len > so->max_size) {
		x->too_large = 1;
		return -1;
	}
	x->res->size += (int64_t)len;
	hash_update(&x->hash, p, len);
	if (so->body != BODY_NONE) {
		/* Never more than --max-size + 1 bytes, whatever the
		 * doubling of the buffer would take. */
		buf_reserve_max(&x->res->body, len, (size_t)so->max_size);
		buf_add(&x->res->body, p, len);
	}
	if (x->save_fd >= 0 && save_write(x, p, len) < 0)
		return -1;
	return 0;
}

/* The final response's content codings, from libcurl's header store (one
 * look-up at the first body byte costs less than a callback for every
 * header line). */
static void
sink_codings(struct xfer *x, CURL *e)
{
	struct curl_header *h;
	const char *why;
	size_t i, n = 1;

	for (i = 0; i < n; i++) {
		if (curl_easy_header(e, "Content-Encoding", i, CURLH_HEADER,
		    -1, &h) != CURLHE_OK)
			break;
		n = h->amount;
		(void)decode_add(&x->dec, h->value, strlen(h->value), &why);
	}
}

size_t
sink_write_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nmemb;
	const char *why = NULL;
	CURL *e;
	int rc;

	if (!x->body_started) {
		x->body_started = 1;
		e = x->easy;
		x->ssl = tlsend_ssl(e);
		/* Without the header callback, the codings are read here. */
		if (so->compress && !sink_hdr_cb)
			sink_codings(x, e);
	}
	if (x->dec != NULL)
		rc = decode_write(x->dec, p, len, sink_deliver, x, &why);
	else
		rc = sink_deliver(x, p, len);
	if (rc < 0) {
		if (why != NULL)
			x->body_why = why;
		return 0;
	}
	return len;
}

int
sink_finish(struct xfer *x, int complete)
{
	const char *why = NULL;
	int rc = 0;

	if (complete && x->dec != NULL && decode_end(x->dec, &why) < 0) {
		x->body_why = why;
		rc = -1;
	}
	decode_free(x->dec);
	x->dec = NULL;
	return rc;
}

size_t
sink_header_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nmemb;
	const char *why;
	char val[64];
	size_t n;

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or a 100): only the
		 * final one's headers count. */
		buf_reset(&x->res->headers);
		x->retry_after = -1;
		decode_free(x->dec);
		x->dec = NULL;
	} else if (so->compress && len > 17 && (p[0] == 'c' ||
	    p[0] == 'C') && strncasecmp(p, "content-encoding:", 17) == 0) {
		/* (With the header callback on.) Refused at the first body
		 * byte, so that a 304 or a HEAD response naming an odd
		 * coding is still fine. */
		(void)decode_add(&x->dec, p + 17, len - 17, &why);
	} else if (!sink_hdr_api && len > 12 &&
	    (p[0] == 'r' || p[0] == 'R') &&
	    strncasecmp(p, "retry-after:", 12) == 0) {
		n = len - 12;
		if (n >= sizeof(val))
			n = sizeof(val) - 1;
		memcpy(val, p + 12, n);
		val[n] = '\0';
		val[strcspn(val, "\r\n")] = '\0';
		x->retry_after = retry_after_parse(val, now_wall());
	}
	if (so->headers_out)
		buf_add(&x->res->headers, p, len);
	return len;
}
