/* tlsend.c: was a close-delimited HTTP/1.x body over TLS ended by the
 * server's close_notify alert (RFC 9112 9.8)? libcurl 7.88 treats a
 * TCP close without it as a normal end, so an attacker (or a crash) that
 * cuts the connection gives a shorter body that looks whole.
 *
 * OpenSSL tells us through the SSL_CTX info callback, installed on every
 * new connection's context (CURLOPT_SSL_CTX_FUNCTION), when a close_notify
 * is read; the connection's SSL object is freed before the transfer is
 * finished, so its address goes into a small ring, and is dropped from it
 * when a handshake starts (a new SSL object at the same address). The
 * write callback notes each transfer's SSL object at its first byte. */
#include <string.h>

#include <openssl/ssl.h>

#include "tlsend.h"

#define RING	256	/* close_notify seen, not yet asked about */

static const void	*ring[RING];	/* SSL objects (never dereferenced) */
static unsigned		 ring_next;
static int		 tlsend_on;	/* libcurl uses OpenSSL */

static void
ring_drop(const void *ssl)
{
	unsigned i;

	for (i = 0; i < RING; i++)
		if (ring[i] == ssl)
			ring[i] = NULL;
}

static void
tlsend_info_cb(const SSL *ssl, int where, int ret)
{
	if (where & SSL_CB_HANDSHAKE_START)
		ring_drop(ssl);
	else if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT &&
	    (ret & 0xff) == SSL_AD_CLOSE_NOTIFY) {
		ring_drop(ssl);
		ring[ring_next++ % RING] = ssl;
	}
}

static CURLcode
tlsend_ctx_cb(CURL *e, void *ctx, void *arg)
{
	(void)e;
	(void)arg;
	SSL_CTX_set_info_callback(ctx, tlsend_info_cb);
	return CURLE_OK;
}

void
tlsend_setup(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	tlsend_on = v->ssl_version != NULL &&
	    strncmp(v->ssl_version, "OpenSSL/", 8) == 0;
}

void
tlsend_handle(CURL *e)
{
	if (tlsend_on)
		(void)curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION,
		    tlsend_ctx_cb);
}

const void *
tlsend_ssl(CURL *e)
{
	struct curl_tlssessioninfo *ti = NULL;

	if (!tlsend_on || curl_easy_getinfo(e, CURLINFO_TLS_SSL_PTR,
	    &ti) != CURLE_OK || ti == NULL ||
	    ti->backend != CURLSSLBACKEND_OPENSSL)
		return NULL;
	return ti->internals;
}

int
tlsend_truncated(CURL *e, const void *ssl, int head)
{
	struct curl_header *h;
	curl_off_t cl = -1;
	long ver = 0, status = 0;
	unsigned i;

	if (ssl == NULL)
		return 0;
	for (i = 0; i < RING; i++)
		if (ring[i] == ssl) {
			ring[i] = NULL;
			return 0;
		}
	/* Only a body delimited by the close can be cut unnoticed. */
	(void)curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &ver);
	(void)curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	(void)curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if (head || cl >= 0 || status == 204 || status == 304 ||
	    status < 200 || (ver != CURL_HTTP_VERSION_1_0 &&
	    ver != CURL_HTTP_VERSION_1_1))
		return 0;
	/* Chunked: ended by its last chunk. Without libcurl's header
	 * store (before 7.83) we cannot tell, and say nothing. */
	return curl_easy_header(e, "Transfer-Encoding", 0, CURLH_HEADER, -1,
	    &h) == CURLHE_MISSING;
}
