/* redact.h: passwords kept out of what cofetch writes. */
#ifndef COFETCH_REDACT_H
#define COFETCH_REDACT_H

/* url with the password of its userinfo written as "***"
 * ("http://user:***@host/"), malloced; NULL when url has no password
 * (then url itself is fine to write). */
char	*redact_url(const char *url);

#endif
