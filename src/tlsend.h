/* tlsend.h: RFC 9112 9.8 for libcurl with OpenSSL: a close-delimited
 * HTTP/1.x body over TLS is complete only when the server's close_notify
 * ended it; a bare TCP close is a truncation. */
#ifndef COFETCH_TLSEND_H
#define COFETCH_TLSEND_H

#include <curl/curl.h>

/* Once, before any handle: find whether libcurl uses OpenSSL. */
void		 tlsend_setup(void);
/* On each new easy handle: watch the alerts of its connections. */
void		 tlsend_handle(CURL *e);
/* During a transfer (the write callback): its connection's SSL object,
 * an opaque key, or NULL (not TLS, or not OpenSSL). */
const void	*tlsend_ssl(CURL *e);
/* After the transfer ended without error: 1 when its response was a
 * close-delimited HTTP/1.x body on the TLS connection ssl (from
 * tlsend_ssl()) that was closed without close_notify; head: the request
 * was HEAD. Forgets ssl. */
int		 tlsend_truncated(CURL *e, const void *ssl, int head);

#endif
