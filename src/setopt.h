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
/* After setopt_request(): add If-None-Match: etag and If-Modified-Since:
 * last_modified ("" for none) to *hdrs, for a GET or HEAD whose line and
 * -H set neither header themselves (--state). */
void	setopt_validators(CURL *e, struct setopt_state *st,
	    const struct request *req, struct curl_slist **hdrs,
	    const char *etag, const char *last_modified);
/* Forget per-host state (h2c hosts). */
void	setopt_forget(void);

#endif
