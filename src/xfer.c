/* xfer.c: one attempt of one request, as hops: the request, then each
 * redirect it follows (redir.c). Every hop runs on a new easy handle
 * (curl_easy_init, then setopt.c's options), so no state libcurl keeps
 * on a handle outlives the hop: connections and DNS results live in the
 * multi handle (net.c) and are still reused. When the last hop ends its
 * outcome is read back (getinfo.c). The body and headers go through
 * sink.c while the response arrives. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdlimit.h"
#include "getinfo.h"
#include "net.h"
#include "redir.h"
#include "retry.h"
#include "save.h"
#include "setopt.h"
#include "setopt_user.h"
#include "sink.h"
#include "tlsend.h"
#include "util.h"
#include "xfer.h"

static const struct opts	*xo;		/* the run's options */
static xfer_end_fn		 xfer_ended;	/* the owner's callback */
static struct ev_loop		*xloop;

static void	xfer_on_finished(void *priv, CURLcode result);
static void	xfer_watchdog_cb(struct ev_loop *loop, ev_timer *w,
		    int revents);

/* libcurl turns an IDN host name (bücher.example) into its ASCII form
 * with libidn2's idn2_lookup_ul(), which reads the name in the locale's
 * character set: in the "C" locale every non-ASCII name would fail as a
 * bad URL. URLs reach cofetch as UTF-8 (JSON lines are UTF-8), so the
 * character type is the environment's when it is UTF-8, else C.UTF-8.
 * Only LC_CTYPE changes: numbers are still read and written the C way. */
static void
xfer_locale_init(void)
{
	const char *cs;

	if (setlocale(LC_CTYPE, "") != NULL) {
		cs = nl_langinfo(CODESET);
		if (cs != NULL && strcmp(cs, "UTF-8") == 0)
			return;
	}
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		(void)setlocale(LC_CTYPE, "C");
}

int
xfer_global_init(const struct opts *o, struct ev_loop *loop,
    xfer_end_fn ended)
{
	xo = o;
	xloop = loop;
	xfer_locale_init();
	xfer_ended = ended;
	if (o->hash && hash_setup() < 0)
		return -1;
	sink_setup(o);
	setopt_setup(o);
	getinfo_setup(o);
	tlsend_setup();
	/* Connections in use plus idle ones for the hosts with work
	 * (fdlimit_cache(), net_init()). */
	return net_init(loop, xfer_on_finished, fdlimit_cache_now(
	    o->concurrency, o->queue, o->save_dir != NULL, o->ninputs),
	    !setopt_user_has_share());
}

void
xfer_global_cleanup(void)
{
	net_cleanup();
	setopt_cleanup();
	hash_cleanup();
}

void
xfer_init(struct xfer *x, struct result *res)
{
	memset(x, 0, sizeof(*x));
	x->res = res;
	x->save_fd = -1;
	x->retry_after = -1;
	ev_init(&x->watchdog, xfer_watchdog_cb);
	x->watchdog.data = x;
}

/* Let go of the hop's handle (out of the multi handle first when it is
 * still running there). */
static void
xfer_handle_drop(struct xfer *x, int running)
{
	if (x->easy == NULL)
		return;
	ev_timer_stop(xloop, &x->watchdog);
	if (running)
		net_remove(x->easy);
	curl_easy_cleanup(x->easy);
	x->easy = NULL;
}

/* CURLOPT_WRITEFUNCTION: the body of a redirect that is followed is not
 * the response's (libcurl ignores it when it follows by itself). */
static size_t
xfer_write_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	struct curl_header *loc;
	long status = 0;

	/* CURLINFO_REDIRECT_URL is known only once the transfer is done:
	 * a 3xx with a Location is what xfer_on_finished() follows. */
	if (x->hop_skip < 0) {
		(void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE,
		    &status);
		x->hop_skip = xo->follow && redir_followed(status) &&
		    (!sink_header_api() || curl_easy_header(x->easy,
		    "Location", 0, CURLH_HEADER, -1, &loc) == CURLHE_OK);
	}
	if (x->hop_skip)
		return size * nmemb;
	return sink_write_cb(p, size, nmemb, userdata);
}

/* CURLOPT_OPENSOCKETFUNCTION of a hop that may only reuse a connection
 * (setopt.c, --http2-prior-knowledge on libcurl 7.88): it is started
 * again as one that opens its own. */
static curl_socket_t
xfer_refuse_socket(void *clientp, curlsocktype purpose,
    struct curl_sockaddr *addr)
{
	struct xfer *x = clientp;

	x->hop_refused = 1;
	return CURL_SOCKET_BAD;
}

/* Grace after a deadline, so that libcurl's own timeout (with its own
 * words) comes first where it has one. */
#define WATCHDOG_GRACE	0.05

/* The next deadline of the hop: the connect phase's while it has not
 * begun sending, then the attempt's; 0 when there is none. */
static double
xfer_deadline(struct xfer *x, int sending)
{
	if (!sending && xo->connect_timeout > 0)
		return x->hop_start + xo->connect_timeout + WATCHDOG_GRACE;
	if (xo->timeout > 0)
		return x->t_start + xo->timeout + WATCHDOG_GRACE;
	return 0;
}

static void
xfer_watchdog_arm(struct xfer *x)
{
	double at = xfer_deadline(x, 0), now = now_mono();

	if (at <= 0)
		return;
	ev_timer_set(&x->watchdog, at > now ? at - now : 0., 0.);
	ev_timer_start(xloop, &x->watchdog);
}

/* What the hop was doing when time ran out, for the message. */
static void
xfer_stalled_phase(struct xfer *x, char *buf, size_t len, double waited)
{
	curl_off_t dns = 0, conn = 0;
	const char *host = x->req->host[0] != '\0' ? x->req->host : "host";
	int ms = (int)(waited * 1000);

	(void)curl_easy_getinfo(x->easy, CURLINFO_NAMELOOKUP_TIME_T, &dns);
	(void)curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &conn);
	if (conn > 0)
		(void)snprintf(buf, len, "TLS handshake with %s timed out "
		    "after %d ms", host, ms);
	else if (dns > 0)
		(void)snprintf(buf, len, "connection to %s timed out after "
		    "%d ms", host, ms);
	else
		(void)snprintf(buf, len, "no connection to %s after %d ms "
		    "(waiting for one being opened)", host, ms);
}

/* The hop ran out of time and libcurl has not ended it: end it here. */
static void
xfer_watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct xfer *x = w->data;
	struct result *r = x->res;
	curl_off_t pre = 0;
	double now = now_mono(), at;
	int sending;

	if (x->easy == NULL)
		return;
	(void)curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME_T, &pre);
	sending = pre > 0;
	at = xfer_deadline(x, sending);
	if (sending && at > now) {
		ev_timer_set(w, at - now, 0.);
		ev_timer_start(loop, w);
		return;
	}
	if (at <= 0)
		return;
	r->kind = KIND_TIMEOUT;
	if (!sending)
		xfer_stalled_phase(x, r->message, sizeof(r->message),
		    now - x->hop_start);
	else
		(void)snprintf(r->message, sizeof(r->message),
		    "Operation timed out after %d ms (-t)",
		    (int)((now - x->t_start) * 1000));
	net_remove(x->easy);
	getinfo_times_add(x, x->easy);
	getinfo_result(x, CURLE_OPERATION_TIMEDOUT);
	xfer_handle_drop(x, 0);
	xfer_ended(x->owner);
}

/* Start the current hop on a new handle: 0, or -1 with x->res filled. */
static int
xfer_hop_start(struct xfer *x)
{
	struct setopt_hop hop;
	double left;
	CURL *e;

	/* A new handle, not a curl_easy_duphandle() copy of a template:
	 * a copy costs more (it strdup()s every string option libcurl
	 * holds, and clones the resolver) than setting the dozen options
	 * that differ from libcurl's defaults. */
	e = x->easy = curl_easy_init();
	if (e == NULL) {
		x->res->kind = KIND_INTERNAL;
		(void)snprintf(x->res->message, sizeof(x->res->message),
		    "cannot create a libcurl handle");
		return -1;
	}
	setopt_common(e);
	tlsend_handle(e);
	x->errbuf[0] = '\0';
	x->hop_skip = -1;
	(void)curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	(void)curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	(void)curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, xfer_write_cb);
	(void)curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	/* Never without the callback: libcurl would hand the headers to
	 * the body's write function. */
	if (sink_header_cb_on())
		(void)curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	/* -t bounds the whole attempt, redirects included. */
	if (x->redirects > 0 && xo->timeout > 0) {
		left = xo->timeout - (now_mono() - x->t_start);
		(void)curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
		    left > 0.001 ? secs_to_ms(left) : 1L);
	}
	hop.url = x->hop_url;
	hop.method = x->hop_method;
	hop.body = x->hop_body;
	hop.body_dropped = x->hop_dropped;
	hop.cross_origin = x->hop_cross;
	hop.fresh = x->hop_fresh;
	setopt_request(e, x->req, &hop, &x->hdrs);
	/* Validators only with the content they stand for: a 304 to a key
	 * without a hash (one the line's own If-None-Match got, a row of an
	 * older store, a HEAD) would be asked for again by every later run,
	 * and the content never be known. */
	if (x->prev.found)
		setopt_validators(e, x->req, &hop, &x->hdrs, x->prev.etag,
		    x->prev.last_modified);
	setopt_reuse(e, !x->no_reuse);
	x->hop_refused = 0;
	if (hop.reuse_only) {
		(void)curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION,
		    xfer_refuse_socket);
		(void)curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
	}
	if (net_add(e) < 0) {
		x->res->kind = KIND_INTERNAL;
		(void)snprintf(x->res->message, sizeof(x->res->message),
		    "curl_multi_add_handle failed");
		xfer_handle_drop(x, 0);
		return -1;
	}
	x->hop_start = now_mono();
	xfer_watchdog_arm(x);
	return 0;
}

void
xfer_start(struct xfer *x, const struct request *req, void *owner)
{
	const char *body = req->body != NULL ? req->body : xo->data;

	x->req = req;
	x->owner = owner;
	x->aborted = 0;
	x->index = req->index;
	x->too_large = x->write_failed = 0;
	x->body_why = NULL;
	x->ssl = NULL;
	x->body_started = 0;
	x->retry_after = -1;
	free(x->hop_url);
	x->hop_url = NULL;
	/* A side fetch (aux_max): a plain GET, nothing saved or stored. */
	x->hop_method = x->aux_max > 0 ? "GET" : request_method(req, xo);
	x->hop_body = body != NULL && x->aux_max == 0;
	x->hop_dropped = x->hop_cross = x->hop_fresh = 0;
	x->hop_resends = 0;
	x->redirects = 0;
	memset(x->t_sum, 0, sizeof(x->t_sum));
	x->t_start = now_mono();
	if (x->aux_max == 0 && xo->save_dir != NULL && save_open(x, req) < 0)
		goto fail;
	if (xo->hash && x->aux_max == 0)
		hash_begin(&x->hash);
	if (x->res->attempts <= 1 && x->aux_max == 0) /* once per request */
		state_lookup(req, &x->prev);
	if (xfer_hop_start(x) < 0)
		goto fail;
	return;
fail:
	save_close(x, 0);
	xfer_ended(owner);
}

/* Stop the attempt under way, if any, without a callback. */
static void
xfer_abort(struct xfer *x)
{
	if (x->easy == NULL)
		return;
	xfer_handle_drop(x, 1);
	(void)sink_finish(x, 0);
	save_close(x, 0);
	x->aborted = 1;
}

void
xfer_cancel(struct xfer *x)
{
	xfer_abort(x);
	xfer_ended(x->owner);
}

/* The hop ended with a redirect to follow: set up the next hop. 1 when
 * it is to be started, 0 when the attempt ends here (x->res says why).
 * target is libcurl's, valid until the handle goes. */
static int
xfer_redirect(struct xfer *x, long status, const char *target)
{
	struct result *r = x->res;
	const char *first = x->req->url;
	int had_body = x->hop_body;
	char *next;

	if (x->redirects >= xo->max_redirs && xo->max_redirs >= 0) {
		r->kind = KIND_TOO_MANY_REDIRECTS;
		(void)snprintf(r->message, sizeof(r->message),
		    "Maximum (%ld) redirects followed", xo->max_redirs);
		return 0;
	}
	if (!redir_scheme_ok(target)) {
		r->kind = KIND_INVALID_URL;
		(void)snprintf(r->message, sizeof(r->message),
		    "redirect to a scheme other than http/https refused "
		    "(%.200s)", target);
		return 0;
	}
	next = xstrdup(target);
	free(x->hop_url);
	x->hop_url = next;
	x->hop_method = redir_method(status, x->hop_method, &x->hop_body);
	x->hop_dropped = x->hop_dropped || (had_body && !x->hop_body);
	x->hop_cross = x->hop_cross || !redir_same_origin(first, next);
	x->redirects++;
	return 1;
}

/* Re-sends of a hop whose HTTP/2 stream was not processed. */
#define XFER_H2_RESENDS	3

/* The hop failed without any answer on a connection that was reused
 * (libcurl re-sends such a request by itself, but only while its
 * per-handle budget of 5 lasts, and not for HTTP/2 streams a GOAWAY left
 * unprocessed, RFC 9113 6.8): the server never processed it, so it may be
 * sent again, whatever its method, as libcurl does. */
static int
xfer_unanswered(struct xfer *x, CURLcode result)
{
	long nconn = -1;

	switch (result) {
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		/* Once: libcurl has already tried on other connections. */
		if (x->hop_resends > 0)
			return 0;
		break;
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		/* A new connection can be rotated away in turn. */
		if (x->hop_resends >= XFER_H2_RESENDS)
			return 0;
		break;
	default:
		return 0;
	}
	if (getinfo_header_bytes(x->easy) > 0 || x->res->size > 0)
		return 0;
	if (strstr(x->errbuf, "PROTOCOL_ERROR") != NULL)
		return 0;
	/* An HTTP/2 stream cut off by the connection's end may have been
	 * processed (unlike one refused, or above a GOAWAY's last stream):
	 * only an idempotent request is sent again (RFC 9110 9.2.2). */
	if (strstr(x->errbuf, "not closed cleanly before end") != NULL &&
	    !redir_idempotent(x->hop_method))
		return 0;
	/* An HTTP/2 stream that got nothing was refused or cut off, on
	 * whichever connection it ran (libcurl counts a connection opened
	 * for a transfer waiting on it as that transfer's own). */
	if (strstr(x->errbuf, "Connection died") != NULL ||
	    result == CURLE_HTTP2 || result == CURLE_HTTP2_STREAM)
		return 1;
	return curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &nconn) ==
	    CURLE_OK && nconn == 0;
}

/* net.c's callback: libcurl has finished the hop's transfer. */
static void
xfer_on_finished(void *priv, CURLcode result)
{
	struct xfer *x = priv;
	long status = 0;
	char *target = NULL;

	if (x->hop_refused || xfer_unanswered(x, result)) {
		/* Nothing was sent, or nothing was answered on a reused
		 * connection: the same hop again, once, on a connection of
		 * its own. */
		x->hop_fresh = 1;
		x->hop_resends += !x->hop_refused;
		xfer_handle_drop(x, 0);
		if (xfer_hop_start(x) == 0)
			return;
		save_close(x, 0);
		xfer_ended(x->owner);
		return;
	}
	getinfo_times_add(x, x->easy);
	(void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (result == CURLE_OK && xo->follow && !x->too_large &&
	    !x->write_failed && redir_followed(status) &&
	    curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &target) ==
	    CURLE_OK && target != NULL) {
		if (xfer_redirect(x, status, target)) {
			xfer_handle_drop(x, 0);
			if (xfer_hop_start(x) == 0)
				return;
			save_close(x, 0);
			xfer_ended(x->owner);
			return;
		}
	}
	getinfo_result(x, result);
	xfer_handle_drop(x, 0);
	xfer_ended(x->owner);
}

void
xfer_free(struct xfer *x)
{
	xfer_abort(x);
	hash_free(&x->hash);
	free(x->save_prev);
	x->save_prev = NULL;
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	free(x->hop_url);
	x->hop_url = NULL;
}
