/* xfer.c: libcurl easy handles for one attempt each. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net.h"
#include "retry.h"
#include "util.h"
#include "worker.h"
#include "xfer.h"

/* A pooled easy handle and what must live as long as it does. */
struct xfer_handle {
	struct xfer_handle	*next;		/* pool link */
	CURL			*easy;		/* owned, curl_easy_cleanup()
						 * in xfer_global_cleanup() */
	int			 custom;	/* the last request changed
						 * method, body or headers */
	int			 pipewait;	/* CURLOPT_PIPEWAIT is on */
	char			 errbuf[CURL_ERROR_SIZE];
};

static const struct opts	*xo;		/* the run's options */
static _Thread_local struct xfer_handle *xfer_pool; /* idle handles, per
						 * thread */
static xfer_done_fn		 xfer_done;	/* main thread callback */
static int			 xfer_nworkers;	/* 0: transfers run in
						 * the main loop */
static int			 xfer_stopped;	/* workers joined */
static struct curl_slist	*xfer_common_hdrs; /* owned: xfer_base_hdrs
						 * as a libcurl list */
static const char	**xfer_base_hdrs;	/* malloced: the -H headers,
						 * then the default lines they
						 * do not replace */
static size_t		 xfer_nbase;
static char		*xfer_default_hdrs[2];	/* owned: User-Agent and
						 * Accept-Encoding lines */
static char		 xfer_ae_list[64];	/* what libcurl decodes */
static int			 xfer_proxy_env;   /* a proxy variable is set */
#define H2C_HOSTS	1024
static _Thread_local char	*h2c_hosts[H2C_HOSTS]; /* malloced host
						* keys with an h2c connection,
						* most recent first */
static _Thread_local size_t	 h2c_n;
static int			 xfer_h2c_reuse_broken; /* libcurl < 7.88.2 */
static int			 xfer_header_api; /* curl_easy_header() is
						 * built in */
static int			 xfer_header_cb_on; /* response headers come
						 * through xfer_header_cb */

/* Body bytes: count them, keep them for --body, write them for --save,
 * and stop the transfer past --max-size. */
static size_t
xfer_write_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t len = size * nmemb, off;
	ssize_t w;

	if (x->res->size + (int64_t)len > xo->max_size) {
		x->too_large = 1;
		return 0;
	}
	x->res->size += (int64_t)len;
	if (xo->body != BODY_NONE)
		buf_add(&x->res->body, p, len);
	if (x->save_fd >= 0) {
		for (off = 0; off < len; off += (size_t)w) {
			w = write(x->save_fd, p + off, len - off);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0) {
				x->write_failed = 1;
				x->write_errno = w < 0 ? errno : ENOSPC;
				return 0;
			}
		}
	}
	return len;
}

static size_t
xfer_header_cb(char *p, size_t size, size_t nmemb, void *userdata)
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
	} else if (!xfer_header_api && len > 12 &&
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
	if (xo->headers_out)
		buf_add(&x->res->headers, p, len);
	return len;
}

/* What libcurl can decode, as CURLOPT_ACCEPT_ENCODING "" would offer it
 * (same order), so the header we send by hand says the same. Filled in
 * xfer_global_init(), before any worker thread reads it. */
static void
xfer_accept_encoding_init(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	char *l = xfer_ae_list;

	l[0] = '\0';
	if (v->features & CURL_VERSION_LIBZ)
		(void)strcat(l, "deflate, gzip");
	if (v->features & CURL_VERSION_BROTLI)
		(void)strcat(l, l[0] != '\0' ? ", br" : "br");
	if (v->features & CURL_VERSION_ZSTD)
		(void)strcat(l, l[0] != '\0' ? ", zstd" : "zstd");
	if (l[0] == '\0')
		(void)strcat(l, "identity");
}

static int header_same_name(const char *, const char *);

/* "Name: value", malloced. */
static char *
xfer_header_line(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *l = xmalloc(n);

	(void)snprintf(l, n, "%s: %s", name, value);
	return l;
}

/* The headers every request starts from: -H, then the default
 * User-Agent and Accept-Encoding lines unless -H names them. */
static void
xfer_base_hdrs_init(const struct opts *o)
{
	size_t i, j, n = 0;
	int replaced;

	if (o->user_agent[0] != '\0')
		xfer_default_hdrs[n++] = xfer_header_line("User-Agent",
		    o->user_agent);
	if (o->compress)
		xfer_default_hdrs[n++] = xfer_header_line("Accept-Encoding",
		    xfer_ae_list);
	xfer_base_hdrs = xcalloc(o->nheaders + n + 1,
	    sizeof(*xfer_base_hdrs));
	for (i = 0; i < o->nheaders; i++)
		xfer_base_hdrs[xfer_nbase++] = o->headers[i];
	for (j = 0; j < n; j++) {
		replaced = 0;
		for (i = 0; i < o->nheaders; i++)
			if (header_same_name(o->headers[i],
			    xfer_default_hdrs[j]))
				replaced = 1;
		if (!replaced)
			xfer_base_hdrs[xfer_nbase++] = xfer_default_hdrs[j];
	}
	for (i = 0; i < xfer_nbase; i++)
		xfer_common_hdrs = curl_slist_append(xfer_common_hdrs,
		    xfer_base_hdrs[i]);
}

static void
xfer_set_common(CURL *e)
{
	const struct opts *o = xo;
	long ver;

	(void)curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, (long)o->follow);
	(void)curl_easy_setopt(e, CURLOPT_MAXREDIRS, o->max_redirs);
	(void)curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)(o->timeout * 1000));
	(void)curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(o->connect_timeout * 1000));
	/* User-Agent and Accept-Encoding go out as ready-made header lines
	 * (xfer_base_hdrs_init): libcurl would format each of them afresh,
	 * a byte at a time, for every request. The options still matter:
	 * CURLOPT_ACCEPT_ENCODING turns decoding on, and a proxy's CONNECT
	 * carries CURLOPT_USERAGENT. A header line of the same name wins
	 * over both. */
	if (o->proxy != NULL || xfer_proxy_env)
		(void)curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	if (o->compress)
		(void)curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING,
		    xfer_ae_list);
	if (o->insecure) {
		(void)curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		(void)curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->proxy != NULL)
		(void)curl_easy_setopt(e, CURLOPT_PROXY, o->proxy);
	else if (!xfer_proxy_env) {
		/* No proxy anywhere: spare libcurl its getenv() calls for
		 * the proxy and no_proxy variables on every transfer. */
		(void)curl_easy_setopt(e, CURLOPT_PROXY, "");
		(void)curl_easy_setopt(e, CURLOPT_NOPROXY, "");
	}
	(void)curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	switch (o->http) {
	case HTTPV_1_1:
		ver = CURL_HTTP_VERSION_1_1;
		break;
	case HTTPV_2:
		ver = CURL_HTTP_VERSION_2_0;
		break;
	case HTTPV_2_PRIOR:
		ver = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
		break;
	default:
		ver = CURL_HTTP_VERSION_2TLS;
		break;
	}
	(void)curl_easy_setopt(e, CURLOPT_HTTP_VERSION, ver);
	(void)curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)o->max_size);
	(void)curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, xfer_write_cb);
	if (xfer_header_cb_on)
		(void)curl_easy_setopt(e, CURLOPT_HEADERFUNCTION,
		    xfer_header_cb);
	(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, xfer_common_hdrs);
	(void)curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
}

static void
xfer_deliver(struct xfer *x)
{
	xfer_done(x->owner);
}

int
xfer_global_init(const struct opts *o, struct ev_loop *loop,
    xfer_done_fn done, int nworkers)
{
	struct curl_header *hh;
	static const char *const proxy_vars[] = {
		"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
		"ALL_PROXY", NULL
	};
	size_t i;

	xo = o;
	xfer_done = done;
	xfer_h2c_reuse_broken =
	    curl_version_info(CURLVERSION_NOW)->version_num < 0x075802;
	/* Retry-After is read from libcurl's header store when it has one;
	 * otherwise every header line goes through xfer_header_cb. */
	xfer_header_api = curl_easy_header(NULL, "Retry-After", 0,
	    CURLH_HEADER, -1, &hh) != CURLHE_NOT_BUILT_IN;
	xfer_header_cb_on = o->headers_out || !xfer_header_api;
	for (i = 0; proxy_vars[i] != NULL; i++)
		if (getenv(proxy_vars[i]) != NULL)
			xfer_proxy_env = 1;
	xfer_accept_encoding_init();
	xfer_base_hdrs_init(o);
	xfer_nworkers = nworkers;
	if (nworkers > 0)
		return worker_start_all(nworkers, loop, xfer_deliver,
		    o->concurrency);
	return net_init(loop, xfer_net_done, o->concurrency);
}

void
xfer_thread_cleanup(void)
{
	struct xfer_handle *h;

	while ((h = xfer_pool) != NULL) {
		xfer_pool = h->next;
		curl_easy_cleanup(h->easy);
		free(h);
	}
	while (h2c_n > 0)
		free(h2c_hosts[--h2c_n]);
}

void
xfer_stop(void)
{
	if (xfer_nworkers > 0 && !xfer_stopped)
		worker_stop_all();
	xfer_stopped = 1;
}

void
xfer_flush(void)
{
	if (xfer_nworkers > 0 && !xfer_stopped)
		worker_flush();
}

void
xfer_global_cleanup(void)
{
	xfer_stop();
	if (xfer_nworkers == 0)
		net_cleanup();
	xfer_thread_cleanup();
	curl_slist_free_all(xfer_common_hdrs);
	xfer_common_hdrs = NULL;
	free(xfer_base_hdrs);
	xfer_base_hdrs = NULL;
	xfer_nbase = 0;
	free(xfer_default_hdrs[0]);
	free(xfer_default_hdrs[1]);
	xfer_default_hdrs[0] = xfer_default_hdrs[1] = NULL;
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
	xfer_set_common(h->easy);
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

/* Header name of "Name: value", compared case-insensitively. */
static int
header_same_name(const char *a, const char *b)
{
	size_t na = strcspn(a, ":;"), nb = strcspn(b, ":;");

	return na == nb && strncasecmp(a, b, na) == 0;
}

/* The header list for req: base headers the line does not override, then
 * the line's own, then Content-Type for a JSON body. NULL when the
 * common list serves. */
static struct curl_slist *
xfer_build_headers(const struct request *req)
{
	struct curl_slist *l = NULL;
	char **h;
	size_t i;
	int overridden, has_ctype = 0;

	if (req->headers == NULL && !req->body_is_json)
		return NULL;
	for (i = 0; i < xfer_nbase; i++) {
		overridden = 0;
		for (h = req->headers; h != NULL && *h != NULL; h++)
			if (header_same_name(xfer_base_hdrs[i], *h))
				overridden = 1;
		if (!overridden) {
			l = curl_slist_append(l, xfer_base_hdrs[i]);
			if (header_same_name(xfer_base_hdrs[i],
			    "Content-Type:"))
				has_ctype = 1;
		}
	}
	for (h = req->headers; h != NULL && *h != NULL; h++) {
		l = curl_slist_append(l, *h);
		if (header_same_name(*h, "Content-Type:"))
			has_ctype = 1;
	}
	if (req->body_is_json && !has_ctype)
		l = curl_slist_append(l, "Content-Type: application/json");
	return l;
}

/* The --save path of index: DIR/INDEX, or the temporary DIR/.INDEX.part
 * it is written to first. Nothing from the network goes into it. */
static void
xfer_save_path(char *buf, size_t len, uint64_t index, int tmp)
{
	(void)snprintf(buf, len, tmp ? "%s/.%llu.part" : "%s/%llu",
	    xo->save_dir, (unsigned long long)index);
}

static int
xfer_save_open(struct xfer *x, const struct request *req)
{
	char path[4096];

	xfer_save_path(path, sizeof(path), req->index, 1);
	x->save_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	if (x->save_fd < 0) {
		x->res->kind = KIND_WRITE;
		(void)snprintf(x->res->message, sizeof(x->res->message),
		    "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Close the --save temporary; rename it into place when keep. */
static void
xfer_save_close(struct xfer *x, int keep)
{
	char tmp[4096], path[4096];
	int failed = 0;

	if (x->save_fd < 0)
		return;
	if (close(x->save_fd) < 0 && keep) {
		failed = errno;
		keep = 0;
	}
	x->save_fd = -1;
	xfer_save_path(tmp, sizeof(tmp), x->index, 1);
	xfer_save_path(path, sizeof(path), x->index, 0);
	if (keep && rename(tmp, path) < 0) {
		failed = errno;
		keep = 0;
	}
	if (!keep)
		(void)unlink(tmp);
	if (failed && x->res->kind == KIND_NONE) {
		x->res->kind = KIND_WRITE;
		(void)snprintf(x->res->message, sizeof(x->res->message),
		    "cannot save %s: %s", path, strerror(failed));
	}
	if (keep)
		x->res->file = xstrdup(path);
}

/* libcurl 7.88 breaks a reused h2c prior-knowledge connection (curl
 * issue 10634, fixed in 7.88.2): it layers HTTP/2 onto it a second time and
 * the stream fails with "Error in the HTTP2 framing layer". So only the
 * first transfer to a host asks for prior knowledge, which opens the
 * connection; the others ask for plain HTTP/2, which multiplexes on that
 * connection (PIPEWAIT makes them wait for it). */
static void
xfer_set_prior_knowledge(struct xfer_handle *h, const struct request *req)
{
	long ver = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
	size_t i;

	if (xfer_h2c_reuse_broken && req->host[0] != '\0') {
		for (i = 0; i < h2c_n; i++)
			if (strcmp(h2c_hosts[i], req->host) == 0)
				break;
		if (i < h2c_n)
			ver = CURL_HTTP_VERSION_2_0;
		else {
			if (h2c_n == H2C_HOSTS)
				free(h2c_hosts[--h2c_n]);
			memmove(h2c_hosts + 1, h2c_hosts,
			    h2c_n * sizeof(*h2c_hosts));
			h2c_hosts[0] = xstrdup(req->host);
			h2c_n++;
		}
	}
	(void)curl_easy_setopt(h->easy, CURLOPT_HTTP_VERSION, ver);
}

/* Tell the owner the attempt has ended: through the worker's queue, or at
 * once in the main loop. */
static void
xfer_notify(struct xfer *x)
{
	if (x->worker != NULL)
		worker_finished(x);
	else
		xfer_done(x->owner);
}

void
xfer_start(struct xfer *x, const struct request *req, void *owner)
{
	x->req = req;
	x->owner = owner;
	x->worker = NULL;
	x->aborted = 0;
	if (xfer_stopped) {
		x->res->kind = KIND_CANCELLED;
		(void)snprintf(x->res->message, sizeof(x->res->message),
		    "the run is ending");
		xfer_done(owner);
	} else if (xfer_nworkers > 0)
		worker_submit(x);
	else
		xfer_run_start(x);
}

void
xfer_cancel(struct xfer *x)
{
	if (x->worker != NULL && !xfer_stopped) {
		worker_cancel(x);	/* delivered once stopped */
		return;
	}
	xfer_run_abort(x);
	xfer_done(x->owner);
}

void
xfer_run_start(struct xfer *x)
{
	const struct request *req = x->req;
	void *priv = x;
	struct xfer_handle *h;
	const char *method = request_method(req, xo);
	const char *body = req->body != NULL ? req->body : xo->data;
	size_t body_len = req->body != NULL ? req->body_len : xo->data_len;
	int pipewait;
	CURL *e;

	x->index = req->index;
	x->too_large = x->write_failed = 0;
	x->retry_after = -1;
	h = xfer_handle_get();
	if (h == NULL) {
		x->res->kind = KIND_INTERNAL;
		(void)snprintf(x->res->message, sizeof(x->res->message),
		    "cannot create a libcurl handle");
		xfer_notify(x);
		return;
	}
	x->h = h;
	e = h->easy;
	h->errbuf[0] = '\0';
	if (xo->save_dir != NULL && xfer_save_open(x, req) < 0)
		goto fail;
	if (req->cu != NULL)
		(void)curl_easy_setopt(e, CURLOPT_CURLU, req->cu);
	else
		(void)curl_easy_setopt(e, CURLOPT_URL, req->url);
	(void)curl_easy_setopt(e, CURLOPT_PRIVATE, priv);
	(void)curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	/* Never without the callback: libcurl would hand the headers to
	 * the body's write function. */
	if (xfer_header_cb_on)
		(void)curl_easy_setopt(e, CURLOPT_HEADERDATA, x);

	/* Set only what differs from a plain GET, and undo what the
	 * previous request on this handle changed. */
	if (h->custom) {
		(void)curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		(void)curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
		(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER,
		    xfer_common_hdrs);
		h->custom = 0;
	}
	curl_slist_free_all(x->hdrs);
	x->hdrs = xfer_build_headers(req);
	if (x->hdrs != NULL) {
		(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
		h->custom = 1;
	}
	if (strcmp(method, "GET") != 0 || body != NULL) {
		h->custom = 1;
		if (strcmp(method, "HEAD") == 0 && body == NULL)
			(void)curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		else {
			if (body != NULL || strcmp(method, "POST") == 0) {
				(void)curl_easy_setopt(e,
				    CURLOPT_POSTFIELDSIZE_LARGE,
				    (curl_off_t)(body ? body_len : 0));
				(void)curl_easy_setopt(e, CURLOPT_POSTFIELDS,
				    body ? body : "");
			}
			/* POST keeps libcurl's redirect rules; any other
			 * method is sent as given. */
			if (strcmp(method, "POST") != 0)
				(void)curl_easy_setopt(e,
				    CURLOPT_CUSTOMREQUEST, method);
		}
	}
	/* Where HTTP/2 may be used, wait for a connection that can
	 * multiplex rather than open a new one. Never on HTTP/1.1: there
	 * libcurl would hold new transfers until a response arrives. */
	pipewait = xo->http == HTTPV_2 || xo->http == HTTPV_2_PRIOR ||
	    (xo->http == HTTPV_DEFAULT &&
	    strncasecmp(req->url, "https:", 6) == 0);
	if (xo->http == HTTPV_2_PRIOR)
		xfer_set_prior_knowledge(h, req);
	if (pipewait != h->pipewait) {
		(void)curl_easy_setopt(e, CURLOPT_PIPEWAIT, (long)pipewait);
		h->pipewait = pipewait;
	}
	if (net_add(e) < 0) {
		x->res->kind = KIND_INTERNAL;
		(void)snprintf(x->res->message, sizeof(x->res->message),
		    "curl_multi_add_handle failed");
		goto fail;
	}
	return;
fail:
	xfer_save_close(x, 0);
	x->h = NULL;
	xfer_handle_put(h);
	xfer_notify(x);
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

	if (xfer_header_api && (r->status == 429 || r->status == 503))
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
		xfer_save_path(path, sizeof(path), x->index, 0);
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
	xfer_save_close(x, result == CURLE_OK && !x->too_large &&
	    !x->write_failed);
	x->h = NULL;
	xfer_handle_put(h);
}

void
xfer_net_done(void *priv, CURLcode result)
{
	struct xfer *x = priv;

	xfer_finish(x, result);
	xfer_notify(x);
}

void
xfer_run_abort(struct xfer *x)
{
	if (x->h == NULL)
		return;
	net_remove(x->h->easy);
	xfer_save_close(x, 0);
	xfer_handle_put(x->h);
	x->h = NULL;
	x->aborted = 1;
}

void
xfer_free(struct xfer *x)
{
	/* Only ever runs with no attempt under way, or after the workers
	 * stopped (which aborted theirs). */
	xfer_run_abort(x);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
}
