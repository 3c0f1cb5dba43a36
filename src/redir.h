/* redir.h: which redirects an attempt follows and what the follow-up
 * request is (RFC 9110 section 15.4). Pure functions. */
#ifndef COFETCH_REDIR_H
#define COFETCH_REDIR_H

/* A 3xx with a Location is followed, except 304 (not a redirect). */
int	redir_followed(long status);
/* The method of the follow-up to a status answered to method; *body
 * says whether the body (and its Content-Type) goes along: 303 turns
 * anything but HEAD into GET without a body; 301 and 302 turn POST into
 * GET without a body; every other case keeps method and body. Returns
 * method itself or a static string. */
const char	*redir_method(long status, const char *method, int *body);
/* 1 when url's scheme is one cofetch fetches (http, https). */
int	redir_scheme_ok(const char *url);
/* 1 when a and b have the same scheme, host and port (credentials from
 * -H or a JSON line go only there, as libcurl does). */
int	redir_same_origin(const char *a, const char *b);

/* 1 for a method RFC 9110 9.2.2 calls idempotent. */
int	redir_idempotent(const char *method);

#endif
