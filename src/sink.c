/* sink.c: where a response goes while it arrives. The write callback
 * counts the decoded body, keeps it for --body, writes it to the --save
 * file and stops the transfer past --max-size; the header callback keeps
 * the final response's headers for --headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "retry.h"
#include "save.h"
#include "sink.h"
#include "util.h"
#include "xfer.h"

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

size_t
sink_write_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nmemb;

	if (x->res->size + (int64_t)len > so->max_size) {
		x->too_large = 1;
		return 0;
	}
	x->res->size += (int64_t)len;
	hash_update(&x->hash, p, len);
	if (so->body != BODY_NONE)
		buf_add(&x->res->body, p, len);
	if (x->save_fd >= 0 && save_write(x, p, len) < 0)
		return 0;
	return len;
}

size_t
sink_header_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nmemb;
	char val[64];
	size_t n;

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or a 100): only the
		 * final one's headers count. */
		buf_reset(&x->res->headers);
		x->retry_after = -1;
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
