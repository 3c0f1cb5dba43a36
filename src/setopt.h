/* setopt.h: the run's options as curl_easy_setopt() calls, and the
 * request header lists (-H, defaults, a JSON line's own headers). */
#ifndef COFETCH_SETOPT_H
#define COFETCH_SETOPT_H

#include <curl/curl.h>

#include "opts.h"
#include "request.h"

/* What a pooled handle carries from one request to the next that the
 * next request's setup must undo. */
struct setopt_state {
	int	custom;		/* method, body or headers changed */
	int	pipewait;	/* CURLOPT_PIPEWAIT is on */
};

/* Once, before any handle: build the default header lines (o is not
 * owned and must outlive every transfer). */
void	setopt_setup(const struct opts *o);
void	setopt_cleanup(void);
/* Options every transfer shares, on a new handle. */
void	setopt_common(CURL *e);
/* What this request changes: URL, method, body, headers, HTTP version.
 * *hdrs is replaced by this request's header list (owned by the caller,
 * curl_slist_free_all(); NULL when the common list serves), and must live
 * until the transfer ends. */
void	setopt_request(CURL *e, struct setopt_state *st,
	    const struct request *req, struct curl_slist **hdrs);
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
