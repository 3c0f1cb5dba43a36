/* setopt.h: the run's options as curl_easy_setopt() calls, and the
 * request header lists (-H, defaults, a JSON line's own headers). */
#ifndef COFETCH_SETOPT_H
#define COFETCH_SETOPT_H

#include <curl/curl.h>

#include "opts.h"
#include "request.h"

/* One hop of an attempt: the request itself, or a redirect's
 * follow-up. */
struct setopt_hop {
	const char	*url;		/* NULL: the request's own */
	const char	*method;	/* what to send */
	int		 body;		/* the body goes along */
	int		 body_dropped;	/* a redirect dropped the body: no
					 * Content-Type either */
	int		 cross_origin;	/* another origin than the first
					 * URL's: no credential headers */
	int		 fresh;		/* on a new connection of its own
					 * (CURLOPT_FRESH_CONNECT) */
	int		 reuse_only;	/* set by setopt_request(): the hop
					 * must not open a connection */
};

/* Once, before any handle: build the default header lines (o is not
 * owned and must outlive every transfer). */
void	setopt_setup(const struct opts *o);
void	setopt_cleanup(void);
/* Options every transfer shares, on a new handle. */
void	setopt_common(CURL *e);
/* What this hop of req sets on a new handle: URL, method, body,
 * headers, HTTP version. *hdrs is replaced by the hop's header list
 * (owned by the caller, curl_slist_free_all(); NULL when the common list
 * serves), and must live until the transfer ends. */
void	setopt_request(CURL *e, const struct request *req,
	    struct setopt_hop *hop, struct curl_slist **hdrs);
/* After setopt_request(): add If-None-Match: etag and If-Modified-Since:
 * last_modified ("" for none) to *hdrs, for a GET or HEAD hop whose line
 * and -H set neither header themselves (--state). */
void	setopt_validators(CURL *e, const struct request *req,
	    const struct setopt_hop *hop, struct curl_slist **hdrs,
	    const char *etag, const char *last_modified);
/* Keep the connection for reuse after this transfer, or close it. An
 * idle connection to a host with no queued work is closed rather than
 * left for libcurl 7.88 to evict from a full cache: that eviction
 * (Curl_conncache_extract_oldest) leaves the host's emptied bundle in
 * the cache, and every later eviction walks all of them, so a run over
 * many hosts cost hosts x requests. */
void	setopt_reuse(CURL *e, int keep);
/* Forget per-host state (h2c hosts). */
void	setopt_forget(void);

#endif
