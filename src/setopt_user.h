/* setopt_user.h: credentials, TLS trust, name overrides and cookies as
 * curl_easy_setopt() calls. */
#ifndef COFETCH_SETOPT_USER_H
#define COFETCH_SETOPT_USER_H

#include <curl/curl.h>

#include "opts.h"

/* Once: split -u, build the --resolve/--connect-to lists, make the
 * cookie share (loading --cookie FILE). */
void	setopt_user_setup(const struct opts *o);
/* On a handle: everything above (o is the run's options). */
void	setopt_user_apply(CURL *e, const struct opts *o);
/* The transfers carry the cookie share (an easy handle takes one share
 * object only). */
int	setopt_user_has_share(void);
/* At the end, after every transfer handle is gone: write --cookie-jar,
 * free what setopt_user_setup() made. */
void	setopt_user_cleanup(const struct opts *o);

#endif
