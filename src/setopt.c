/* setopt.c: the run's options as curl_easy_setopt() calls, and the
 * request header lists. Nothing here runs a transfer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "setopt.h"
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
static char			 ae_list[64];	/* what libcurl decodes */
static int			 proxy_env;	/* a proxy variable is set */
#define H2C_HOSTS	1024
static char			*h2c_hosts[H2C_HOSTS]; /* malloced host
						 * keys with an h2c connection,
						 * most recent first */
static size_t			 h2c_n;
static int			 h2c_reuse_broken; /* libcurl < 7.88.2 */

/* What libcurl can decode, as CURLOPT_ACCEPT_ENCODING "" would offer it
 * (same order), so the header we send by hand says the same. */
static void
setopt_accept_encoding_init(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	char *l = ae_list;

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
	(void)curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, (long)o->follow);
	(void)curl_easy_setopt(e, CURLOPT_MAXREDIRS, o->max_redirs);
	(void)curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)(o->timeout * 1000));
	(void)curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(o->connect_timeout * 1000));
	/* User-Agent and Accept-Encoding go out as ready-made header lines
	 * (setopt_base_hdrs_init): libcurl would format each of them
	 * afresh, a byte at a time, for every request. The options still
	 * matter: CURLOPT_ACCEPT_ENCODING turns decoding on, and a proxy's
	 * CONNECT carries CURLOPT_USERAGENT. A header line of the same name
	 * wins over both. */
	if (o->proxy != NULL || proxy_env)
		(void)curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	if (o->compress)
		(void)curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ae_list);
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
	(void)curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink_write_cb);
	if (sink_header_cb_on())
		(void)curl_easy_setopt(e, CURLOPT_HEADERFUNCTION,
		    sink_header_cb);
	(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, common_hdrs);
	(void)curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
}

/* The header list for req: base headers the line does not override, then
 * the line's own, then Content-Type for a JSON body. NULL when the
 * common list serves. */
static struct curl_slist *
setopt_build_headers(const struct request *req)
{
	struct curl_slist *l = NULL;
	char **h;
	size_t i;
	int overridden, has_ctype = 0;

	if (req->headers == NULL && !req->body_is_json)
		return NULL;
	for (i = 0; i < nbase; i++) {
		overridden = 0;
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
		l = curl_slist_append(l, *h);
		if (header_same_name(*h, "Content-Type:"))
			has_ctype = 1;
	}
	if (req->body_is_json && !has_ctype)
		l = curl_slist_append(l, "Content-Type: application/json");
	return l;
}

/* libcurl 7.88 breaks a reused h2c prior-knowledge connection (curl
 * issue 10634, fixed in 7.88.2): it layers HTTP/2 onto it a second time
 * and the stream fails with "Error in the HTTP2 framing layer". So only
 * the first transfer to a host asks for prior knowledge, which opens the
 * connection; the others ask for plain HTTP/2, which multiplexes on that
 * connection (PIPEWAIT makes them wait for it). */
static void
setopt_prior_knowledge(CURL *e, const struct request *req)
{
	long ver = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
	size_t i;

	if (h2c_reuse_broken && req->host[0] != '\0') {
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
	(void)curl_easy_setopt(e, CURLOPT_HTTP_VERSION, ver);
}

void
setopt_request(CURL *e, struct setopt_state *st, const struct request *req,
    struct curl_slist **hdrs)
{
	const char *method = request_method(req, xo);
	const char *body = req->body != NULL ? req->body : xo->data;
	size_t body_len = req->body != NULL ? req->body_len : xo->data_len;
	int pipewait;

	if (req->cu != NULL)
		(void)curl_easy_setopt(e, CURLOPT_CURLU, req->cu);
	else
		(void)curl_easy_setopt(e, CURLOPT_URL, req->url);
	/* Set only what differs from a plain GET, and undo what the
	 * previous request on this handle changed. */
	if (st->custom) {
		(void)curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		(void)curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
		(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, common_hdrs);
		st->custom = 0;
	}
	curl_slist_free_all(*hdrs);
	*hdrs = setopt_build_headers(req);
	if (*hdrs != NULL) {
		(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, *hdrs);
		st->custom = 1;
	}
	if (strcmp(method, "GET") != 0 || body != NULL) {
		st->custom = 1;
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
		setopt_prior_knowledge(e, req);
	if (pipewait != st->pipewait) {
		(void)curl_easy_setopt(e, CURLOPT_PIPEWAIT, (long)pipewait);
		st->pipewait = pipewait;
	}
}

void
setopt_reuse(CURL *e, int keep)
{
	(void)curl_easy_setopt(e, CURLOPT_FORBID_REUSE, keep ? 0L : 1L);
}
