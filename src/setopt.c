/* setopt.c: the run's options as curl_easy_setopt() calls, and the
 * request header lists. Nothing here runs a transfer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"
#include "setopt.h"
#include "setopt_user.h"
#include "sink.h"
#include "util.h"

static const struct opts	*xo;		/* the run's options */
static struct curl_slist	*common_hdrs;	/* owned: base_hdrs as a
						 * libcurl list */
static const char		**base_hdrs;	/* malloced: the -H headers,
						 * then the default lines they
						 * do not replace */
static size_t			 nbase;
static char			*default_hdrs[2]; /* owned: User-Agent and
						 * Accept-Encoding lines */
static char			 ae_list[64];	/* what decode.c decodes */
static int			 proxy_env;	/* a proxy variable is set */
#define H2C_HOSTS	1024
static char			*h2c_hosts[H2C_HOSTS]; /* malloced host
						 * keys with an h2c connection,
						 * most recent first */
static size_t			 h2c_n;
static int			 h2c_reuse_broken; /* libcurl < 7.88.2 */

/* What we decode (decode.c), as the Accept-Encoding line we send. */
static void
setopt_accept_encoding_init(void)
{
	(void)snprintf(ae_list, sizeof(ae_list), "%s", decode_accept());
}

/* Header name of "Name: value", compared case-insensitively. */
static int
header_same_name(const char *a, const char *b)
{
	size_t na = strcspn(a, ":;"), nb = strcspn(b, ":;");

	return na == nb && strncasecmp(a, b, na) == 0;
}

/* "Name: value", malloced. */
static char *
header_line(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *l = xmalloc(n);

	(void)snprintf(l, n, "%s: %s", name, value);
	return l;
}

/* The headers every request starts from: -H, then the default
 * User-Agent and Accept-Encoding lines unless -H names them. */
static void
setopt_base_hdrs_init(const struct opts *o)
{
	size_t i, j, n = 0;
	int replaced;

	if (o->user_agent[0] != '\0')
		default_hdrs[n++] = header_line("User-Agent", o->user_agent);
	if (o->compress)
		default_hdrs[n++] = header_line("Accept-Encoding", ae_list);
	base_hdrs = xcalloc(o->nheaders + n + 1, sizeof(*base_hdrs));
	for (i = 0; i < o->nheaders; i++)
		base_hdrs[nbase++] = o->headers[i];
	for (j = 0; j < n; j++) {
		replaced = 0;
		for (i = 0; i < o->nheaders; i++)
			if (header_same_name(o->headers[i], default_hdrs[j]))
				replaced = 1;
		if (!replaced)
			base_hdrs[nbase++] = default_hdrs[j];
	}
	for (i = 0; i < nbase; i++)
		common_hdrs = curl_slist_append(common_hdrs, base_hdrs[i]);
}

void
setopt_setup(const struct opts *o)
{
	static const char *const proxy_vars[] = {
		"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
		"ALL_PROXY", NULL
	};
	size_t i;

	xo = o;
	h2c_reuse_broken =
	    curl_version_info(CURLVERSION_NOW)->version_num < 0x075802;
	for (i = 0; proxy_vars[i] != NULL; i++)
		if (getenv(proxy_vars[i]) != NULL)
			proxy_env = 1;
	setopt_accept_encoding_init();
	setopt_base_hdrs_init(o);
	setopt_user_setup(o);
}

void
setopt_forget(void)
{
	while (h2c_n > 0)
		free(h2c_hosts[--h2c_n]);
}

void
setopt_cleanup(void)
{
	setopt_forget();
	setopt_user_cleanup(xo);
	curl_slist_free_all(common_hdrs);
	common_hdrs = NULL;
	free(base_hdrs);
	base_hdrs = NULL;
	nbase = 0;
	free(default_hdrs[0]);
	free(default_hdrs[1]);
	default_hdrs[0] = default_hdrs[1] = NULL;
}

void
setopt_common(CURL *e)
{
	const struct opts *o = xo;
	long ver;

	(void)curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Redirects are followed by xfer.c, a new handle per hop: see
	 * redir.c for why. libcurl never follows one (no
	 * CURLOPT_FOLLOWLOCATION), so CURLOPT_REDIR_PROTOCOLS_STR would be
	 * parsed on every handle for nothing; redir_scheme_ok() checks each
	 * target, and PROTOCOLS_STR still holds every hop to http/https. */
	(void)curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    secs_to_ms(o->timeout));
	(void)curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    secs_to_ms(o->connect_timeout));
	/* User-Agent and Accept-Encoding go out as ready-made header lines
	 * (setopt_base_hdrs_init): libcurl would format each of them
	 * afresh, a byte at a time, for every request. A proxy's CONNECT
	 * still carries CURLOPT_USERAGENT. Bodies are decoded in sink.c
	 * (decode.c), which checks that each coding's stream ended:
	 * libcurl's decoding must stay off, whatever -H sends. */
	if (o->proxy != NULL || proxy_env)
		(void)curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	(void)curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	if (o->insecure) {
		(void)curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		(void)curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->proxy != NULL)
		(void)curl_easy_setopt(e, CURLOPT_PROXY, o->proxy);
	else if (!proxy_env) {
		/* No proxy anywhere: spare libcurl its getenv() calls for
		 * the proxy and no_proxy variables on every transfer. */
		(void)curl_easy_setopt(e, CURLOPT_PROXY, "");
		(void)curl_easy_setopt(e, CURLOPT_NOPROXY, "");
	}
	if (o->proxy != NULL || proxy_env)
		(void)curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	/* Only what differs from libcurl's defaults is set: every hop's
	 * handle is new (xfer.c), and each call costs. */
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
		ver = CURL_HTTP_VERSION_2TLS;	/* libcurl's default */
		break;
	}
	if (ver != CURL_HTTP_VERSION_2TLS)
		(void)curl_easy_setopt(e, CURLOPT_HTTP_VERSION, ver);
	(void)curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)o->max_size);
	if (sink_header_cb_on())
		(void)curl_easy_setopt(e, CURLOPT_HEADERFUNCTION,
		    sink_header_cb);
	(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, common_hdrs);
	(void)curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	setopt_user_apply(e, o);
}

/* A header line that carries credentials: not sent to another origin
 * after a redirect (as libcurl does for its own redirects). */
static int
header_is_credential(const char *h)
{
	return header_same_name(h, "Authorization:") ||
	    header_same_name(h, "Cookie:") ||
	    header_same_name(h, "Proxy-Authorization:");
}

/* A header line to leave out of hop's request. */
static int
header_dropped(const char *h, const struct setopt_hop *hop)
{
	return (hop->body_dropped && header_same_name(h, "Content-Type:")) ||
	    (hop->cross_origin && header_is_credential(h));
}

/* The header list for req's hop: base headers the line does not
 * override, then the line's own, then Content-Type for a JSON body; a
 * follow-up without the body has no Content-Type, one to another origin
 * no credentials. NULL when the common list serves. */
static struct curl_slist *
setopt_build_headers(const struct request *req, const struct setopt_hop *hop)
{
	struct curl_slist *l = NULL;
	char **h;
	size_t i;
	int overridden, has_ctype = 0;
	int filter = hop->body_dropped || hop->cross_origin;

	if (req->headers == NULL && !(req->body_is_json && hop->body) &&
	    !filter)
		return NULL;
	for (i = 0; i < nbase; i++) {
		overridden = header_dropped(base_hdrs[i], hop);
		for (h = req->headers; h != NULL && *h != NULL; h++)
			if (header_same_name(base_hdrs[i], *h))
				overridden = 1;
		if (!overridden) {
			l = curl_slist_append(l, base_hdrs[i]);
			if (header_same_name(base_hdrs[i], "Content-Type:"))
				has_ctype = 1;
		}
	}
	for (h = req->headers; h != NULL && *h != NULL; h++) {
		if (header_dropped(*h, hop))
			continue;
		l = curl_slist_append(l, *h);
		if (header_same_name(*h, "Content-Type:"))
			has_ctype = 1;
	}
	if (req->body_is_json && hop->body && !has_ctype)
		l = curl_slist_append(l, "Content-Type: application/json");
	return l;
}

/* libcurl 7.88 breaks a reused h2c prior-knowledge connection (curl
 * issue 10634, fixed in 7.88.2): it layers HTTP/2 onto it a second time
 * and the stream fails with "Error in the HTTP2 framing layer". So there,
 * a transfer asks for prior knowledge only when it opens a connection of
 * its own: the first to a host, and any whose hop->fresh is set (with
 * CURLOPT_FRESH_CONNECT, so it never reuses one). Every other asks for
 * plain HTTP/2, which multiplexes on an open h2c connection (PIPEWAIT
 * makes it wait for one being opened), and is marked reuse_only: it must
 * never open a connection itself, where it would send an HTTP/1.1
 * request with "Upgrade: h2c" (xfer.c refuses the socket and starts the
 * hop again as an opener). What goes over the wire is prior knowledge
 * on every connection either way. */
static void
setopt_prior_knowledge(CURL *e, const struct request *req,
    struct setopt_hop *hop)
{
	long ver = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
	size_t i;

	hop->reuse_only = 0;
	if (h2c_reuse_broken && !hop->fresh && req->host[0] != '\0') {
		for (i = 0; i < h2c_n; i++)
			if (strcmp(h2c_hosts[i], req->host) == 0)
				break;
		if (i < h2c_n) {
			ver = CURL_HTTP_VERSION_2_0;
			hop->reuse_only = 1;
		} else {
			if (h2c_n == H2C_HOSTS)
				free(h2c_hosts[--h2c_n]);
			memmove(h2c_hosts + 1, h2c_hosts,
			    h2c_n * sizeof(*h2c_hosts));
			h2c_hosts[0] = xstrdup(req->host);
			h2c_n++;
		}
	}
	(void)curl_easy_setopt(e, CURLOPT_HTTP_VERSION, ver);
}

void
setopt_request(CURL *e, const struct request *req, struct setopt_hop *hop,
    struct curl_slist **hdrs)
{
	const char *method = hop->method;
	const char *body = req->body != NULL ? req->body : xo->data;
	size_t body_len = req->body != NULL ? req->body_len : xo->data_len;
	const char *url = hop->url != NULL ? hop->url : req->url;

	if (!hop->body)
		body = NULL;
	if (hop->url == NULL && req->cu != NULL)
		(void)curl_easy_setopt(e, CURLOPT_CURLU, req->cu);
	else
		(void)curl_easy_setopt(e, CURLOPT_URL, url);
	curl_slist_free_all(*hdrs);
	*hdrs = setopt_build_headers(req, hop);
	if (*hdrs != NULL)
		(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, *hdrs);
	if (strcmp(method, "HEAD") == 0) {
		/* A HEAD response never has a body, whatever its headers
		 * say: only libcurl's NOBODY reads it so. A body given with
		 * HEAD is not sent (it has no meaning, RFC 9110 9.3.2). */
		(void)curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") != 0 || body != NULL) {
		if (body != NULL || strcmp(method, "POST") == 0) {
			(void)curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)(body ? body_len : 0));
			(void)curl_easy_setopt(e, CURLOPT_POSTFIELDS,
			    body ? body : "");
		}
		if (strcmp(method, "POST") != 0)
			(void)curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
			    method);
	}
	if (hop->cross_origin) {
		/* -u credentials go to the first URL's origin only, as
		 * libcurl keeps them when it follows (CURLOPT_UNRESTRICTED_AUTH
		 * off). */
		(void)curl_easy_setopt(e, CURLOPT_USERNAME, NULL);
		(void)curl_easy_setopt(e, CURLOPT_PASSWORD, NULL);
	}
	if (hop->fresh)
		(void)curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	hop->reuse_only = 0;
	if (xo->http == HTTPV_2_PRIOR)
		setopt_prior_knowledge(e, req, hop);
	/* Where HTTP/2 may be used, wait for a connection that can
	 * multiplex rather than open a new one. Never on HTTP/1.1: there
	 * libcurl would hold new transfers until a response arrives. */
	if (xo->http == HTTPV_2 || xo->http == HTTPV_2_PRIOR ||
	    (xo->http == HTTPV_DEFAULT &&
	    strncasecmp(url, "https:", 6) == 0)) {
		(void)curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
		/* libcurl 7.88 reads an HTTP/2 connection through the
		 * receive buffer of whichever transfer drives it: with the
		 * default 16 KB, a header block over that on a shared
		 * connection stalls or fails as "HTTP/0.9". curl's own tool
		 * uses 100 KB (tool_operate.c BUFFER_SIZE), and so do we,
		 * where HTTP/2 may be used: libcurl allocates it per
		 * transfer, and only what arrives is touched. */
		(void)curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 102400L);
	}
}

/* Does the line or -H set a header named like name ("Name:")? */
static int
setopt_user_sets(const struct request *req, const char *name)
{
	char **h;
	size_t i;

	for (h = req->headers; h != NULL && *h != NULL; h++)
		if (header_same_name(*h, name))
			return 1;
	for (i = 0; i < xo->nheaders; i++)
		if (header_same_name(xo->headers[i], name))
			return 1;
	return 0;
}

void
setopt_validators(CURL *e, const struct request *req,
    const struct setopt_hop *hop, struct curl_slist **hdrs, const char *etag,
    const char *last_modified)
{
	const char *method;
	char *l;
	size_t i;

	if (etag[0] == '\0' && last_modified[0] == '\0')
		return;
	method = hop->method;
	if ((strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) ||
	    setopt_user_sets(req, "If-None-Match:") ||
	    setopt_user_sets(req, "If-Modified-Since:"))
		return;
	if (*hdrs == NULL)
		for (i = 0; i < nbase; i++)
			*hdrs = curl_slist_append(*hdrs, base_hdrs[i]);
	if (etag[0] != '\0') {
		l = header_line("If-None-Match", etag);
		*hdrs = curl_slist_append(*hdrs, l);
		free(l);
	}
	if (last_modified[0] != '\0') {
		l = header_line("If-Modified-Since", last_modified);
		*hdrs = curl_slist_append(*hdrs, l);
		free(l);
	}
	(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, *hdrs);
}

void
setopt_reuse(CURL *e, int keep)
{
	if (!keep)	/* 0 is the default of a new handle */
		(void)curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
}
