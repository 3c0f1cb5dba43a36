/* xfer.c: one attempt of one request: a pooled easy handle set up
 * (setopt.c), handed to the multi handle (net.c), and when it ends the
 * outcome read back into the result and classified. The body and headers
 * go through sink.c while the response arrives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "retry.h"
#include "setopt.h"
#include "sink.h"
#include "util.h"
#include "xfer.h"

/* A pooled easy handle and what must live as long as it does. */
struct xfer_handle {
	struct xfer_handle	*next;		/* pool link */
	CURL			*easy;		/* owned, curl_easy_cleanup()
						 * in xfer_global_cleanup() */
	struct setopt_state	 st;		/* what the last request
						 * changed */
	char			 errbuf[CURL_ERROR_SIZE];
};

static const struct opts	*xo;		/* the run's options */
static struct xfer_handle	*xfer_pool;	/* owned: idle handles */
static xfer_done_fn		 xfer_done;

static void xfer_net_done(void *priv, CURLcode result);

int
xfer_global_init(const struct opts *o, struct ev_loop *loop,
    xfer_done_fn done)
{
	xo = o;
	xfer_done = done;
	sink_setup(o);
	setopt_setup(o);
	return net_init(loop, xfer_net_done, o->concurrency);
}

void
xfer_global_cleanup(void)
{
	struct xfer_handle *h;

	net_cleanup();
	while ((h = xfer_pool) != NULL) {
		xfer_pool = h->next;
		curl_easy_cleanup(h->easy);
		free(h);
	}
	setopt_cleanup();
}

static struct xfer_handle *
xfer_handle_get(void)
{
	struct xfer_handle *h = xfer_pool;

	if (h != NULL) {
		xfer_pool = h->next;
		h->next = NULL;
		return h;
	}
	h = xcalloc(1, sizeof(*h));
	h->easy = curl_easy_init();
	if (h->easy == NULL) {
		free(h);
		return NULL;
	}
	setopt_common(h->easy);
	(void)curl_easy_setopt(h->easy, CURLOPT_ERRORBUFFER, h->errbuf);
	return h;
}

static void
xfer_handle_put(struct xfer_handle *h)
{
	/* The URL handle belongs to a request that is about to go. */
	(void)curl_easy_setopt(h->easy, CURLOPT_CURLU, NULL);
	h->next = xfer_pool;
	xfer_pool = h;
}

void
xfer_init(struct xfer *x, struct result *res)
{
	memset(x, 0, sizeof(*x));
	x->res = res;
	x->save_fd = -1;
	x->retry_after = -1;
}

void
xfer_start(struct xfer *x, const struct request *req, void *owner)
{
	struct xfer_handle *h;
	CURL *e;

	x->req = req;
	x->owner = owner;
	x->aborted = 0;
	x->index = req->index;
	x->too_large = x->write_failed = 0;
	x->retry_after = -1;
	h = xfer_handle_get();
	if (h == NULL) {
		x->res->kind = KIND_INTERNAL;
		(void)snprintf(x->res->message, sizeof(x->res->message),
		    "cannot create a libcurl handle");
		xfer_done(owner);
		return;
	}
	x->h = h;
	e = h->easy;
	h->errbuf[0] = '\0';
	if (xo->save_dir != NULL && sink_save_open(x, req) < 0)
		goto fail;
	(void)curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	(void)curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	/* Never without the callback: libcurl would hand the headers to
	 * the body's write function. */
	if (sink_header_cb_on())
		(void)curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	setopt_request(e, &h->st, req, &x->hdrs);
	setopt_reuse(e, !x->no_reuse);
	if (net_add(e) < 0) {
		x->res->kind = KIND_INTERNAL;
		(void)snprintf(x->res->message, sizeof(x->res->message),
		    "curl_multi_add_handle failed");
		goto fail;
	}
	return;
fail:
	sink_save_close(x, 0);
	x->h = NULL;
	xfer_handle_put(h);
	xfer_done(owner);
}

/* Stop the attempt under way, if any, without a callback. */
static void
xfer_abort(struct xfer *x)
{
	if (x->h == NULL)
		return;
	net_remove(x->h->easy);
	sink_save_close(x, 0);
	xfer_handle_put(x->h);
	x->h = NULL;
	x->aborted = 1;
}

void
xfer_cancel(struct xfer *x)
{
	xfer_abort(x);
	xfer_done(x->owner);
}

enum kind
xfer_classify(CURLcode result, long http_status, const char *errbuf)
{
	switch (result) {
	case CURLE_OK:
		return http_status >= 400 ? KIND_HTTP : KIND_NONE;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return KIND_DNS;
	case CURLE_COULDNT_CONNECT:
		return KIND_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return KIND_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CLIENTCERT:
		return KIND_TLS;
	case CURLE_SEND_ERROR:
	case CURLE_SEND_FAIL_REWIND:
		return KIND_SEND;
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2_STREAM:
		return KIND_RECV;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_HTTP3:
	case CURLE_QUIC_CONNECT_ERROR:
		return KIND_PROTOCOL;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* A redirect to another scheme ("Protocol "file" not
		 * supported or disabled in libcurl"), but also a reply
		 * with no or a bad status line (garbage). */
		if (errbuf != NULL && strncmp(errbuf, "Protocol \"", 10) == 0)
			return KIND_INVALID_URL;
		return KIND_PROTOCOL;
	case CURLE_URL_MALFORMAT:
		return KIND_INVALID_URL;
	case CURLE_TOO_MANY_REDIRECTS:
		return KIND_TOO_MANY_REDIRECTS;
	case CURLE_FILESIZE_EXCEEDED:
		return KIND_TOO_LARGE;
	default:
		return KIND_INTERNAL;
	}
}

static double
us_to_s(curl_off_t us)
{
	return (double)us / 1e6;
}

/* The last Retry-After of the final response, as seconds, or -1. */
static double
xfer_retry_after(CURL *e)
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

static void
xfer_finish(struct xfer *x, CURLcode result)
{
	struct xfer_handle *h = x->h;
	struct result *r = x->res;
	CURL *e = h->easy;
	curl_off_t dns = 0, conn = 0, app = 0, start = 0, total = 0;
	long ver = 0, nconn = -1;
	char *s = NULL, path[4096];

	(void)curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	(void)curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &ver);
	switch (ver) {
	case CURL_HTTP_VERSION_1_0:
		r->http_version = "1.0";
		break;
	case CURL_HTTP_VERSION_1_1:
		r->http_version = "1.1";
		break;
	case CURL_HTTP_VERSION_2_0:
		r->http_version = "2";
		break;
	case CURL_HTTP_VERSION_3:
		r->http_version = "3";
		break;
	default:
		r->http_version = NULL;
	}
	if (r->status == 0)
		r->http_version = NULL;
	if (curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK &&
	    s != NULL && r->status != 0)
		r->final_url = xstrdup(s);
	(void)curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &r->redirects);
	s = NULL;
	if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK &&
	    s != NULL)
		r->content_type = xstrdup(s);
	s = NULL;
	if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &s) == CURLE_OK &&
	    s != NULL)
		(void)snprintf(r->remote_ip, sizeof(r->remote_ip), "%s", s);
	(void)curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &dns);
	(void)curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &conn);
	(void)curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &app);
	(void)curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &start);
	(void)curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
	/* A reused connection had no DNS, connect or TLS phase. */
	if (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &nconn) == CURLE_OK &&
	    nconn == 0)
		dns = conn = app = 0;
	r->t_dns = us_to_s(dns);
	r->t_connect = conn > dns ? us_to_s(conn - dns) : 0;
	r->t_tls = app > conn ? us_to_s(app - conn) : 0;
	r->t_ttfb = us_to_s(start);
	r->t_total = us_to_s(total);

	if (sink_header_api() && (r->status == 429 || r->status == 503))
		x->retry_after = xfer_retry_after(e);

	/* Our own write callback's verdicts come before libcurl's. */
	if (x->too_large)
		r->kind = KIND_TOO_LARGE;
	else if (x->write_failed)
		r->kind = KIND_WRITE;
	else
		r->kind = xfer_classify(result, r->status, h->errbuf);
	if (r->kind == KIND_TOO_LARGE)
		(void)snprintf(r->message, sizeof(r->message),
		    "response body exceeds --max-size %lld bytes",
		    (long long)xo->max_size);
	else if (x->write_failed) {
		sink_save_path(path, sizeof(path), x->index);
		(void)snprintf(r->message, sizeof(r->message),
		    "cannot write %s: %s", path, strerror(x->write_errno));
	} else if (r->kind == KIND_HTTP)
		(void)snprintf(r->message, sizeof(r->message), "HTTP %ld",
		    r->status);
	else if (r->kind == KIND_INVALID_URL &&
	    result == CURLE_UNSUPPORTED_PROTOCOL)
		(void)snprintf(r->message, sizeof(r->message),
		    "redirect to a scheme other than http/https refused (%s)",
		    h->errbuf[0] ? h->errbuf : curl_easy_strerror(result));
	else if (r->kind != KIND_NONE)
		(void)snprintf(r->message, sizeof(r->message), "%s",
		    h->errbuf[0] ? h->errbuf : curl_easy_strerror(result));
	/* Only a response that arrived whole is saved. */
	sink_save_close(x, result == CURLE_OK && !x->too_large &&
	    !x->write_failed);
	x->h = NULL;
	xfer_handle_put(h);
}

static void
xfer_net_done(void *priv, CURLcode result)
{
	struct xfer *x = priv;

	xfer_finish(x, result);
	xfer_done(x->owner);
}

void
xfer_free(struct xfer *x)
{
	xfer_abort(x);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
}
