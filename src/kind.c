/* kind.c: error kind names, and the kind and message of a libcurl
 * result (chosen together, so they always agree). */
#include <stdio.h>
#include <string.h>

#include "kind.h"

static const char *const kind_names[KIND_COUNT] = {
	"none", "invalid_input", "invalid_url", "dns", "connect", "tls",
	"timeout", "send", "recv", "protocol", "too_many_redirects",
	"too_large", "http", "cancelled", "write", "robots", "internal",
};

const char *
kind_name(enum kind k)
{
	if ((int)k < 0 || k >= KIND_COUNT)
		return "internal";
	return kind_names[k];
}

int
kind_parse(const char *s)
{
	int k;

	for (k = 1; k < KIND_COUNT; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

/* libcurl's texts for a response it could not parse. */
static int
kind_text_protocol(const char *t)
{
	return strstr(t, "header") != NULL || strstr(t, "HTTP/0.9") != NULL ||
	    strstr(t, "status") != NULL || strstr(t, "malformed") != NULL ||
	    strstr(t, "Malformed") != NULL || strstr(t, "Invalid") != NULL ||
	    strstr(t, "chunked-encoding") != NULL;
}

/* The kind a libcurl error text names by itself, or KIND_NONE when it
 * names none of these. */
static enum kind
kind_of_text(const char *t)
{
	if (strstr(t, "timed out") != NULL || strstr(t, "Timeout") != NULL)
		return KIND_TIMEOUT;
	if (strstr(t, "Could not resolve") != NULL)
		return KIND_DNS;
	if (strstr(t, "Failed to connect") != NULL ||
	    strstr(t, "Couldn't connect") != NULL)
		return KIND_CONNECT;
	if (strstr(t, "Connection reset") != NULL ||
	    strstr(t, "Connection died") != NULL ||
	    strstr(t, "Recv failure") != NULL ||
	    strstr(t, "Send failure") != NULL)
		return KIND_RECV;
	return KIND_NONE;
}

enum kind
kind_of_curl(CURLcode result, long http_status, const char *errbuf)
{
	switch (result) {
	case CURLE_OK:
		/* RFC 9110 15: a status code is three digits, 1xx-5xx. */
		if (http_status < 100 || http_status > 599)
			return KIND_PROTOCOL;
		return http_status >= 400 ? KIND_HTTP : KIND_NONE;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return KIND_DNS;
	case CURLE_COULDNT_CONNECT:
		return KIND_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return KIND_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CLIENTCERT:
		return KIND_TLS;
	case CURLE_SEND_ERROR:
	case CURLE_SEND_FAIL_REWIND:
		return KIND_SEND;
	case CURLE_RECV_ERROR:
		/* libcurl reports some malformed responses as receive
		 * errors: they are the server's fault and would come back
		 * the same on a retry. */
		if (errbuf != NULL && kind_text_protocol(errbuf))
			return KIND_PROTOCOL;
		return KIND_RECV;
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
		return KIND_RECV;
	case CURLE_HTTP2_STREAM:
		/* A stream reset: a malformed response from nghttp2's
		 * checks (PROTOCOL_ERROR) is the server's fault. */
		if (errbuf != NULL && (strstr(errbuf, "PROTOCOL_ERROR") ||
		    kind_text_protocol(errbuf)))
			return KIND_PROTOCOL;
		return KIND_RECV;
	case CURLE_OUT_OF_MEMORY:
		/* libcurl says "out of memory" for a header line or block
		 * over its limit (CURL_MAX_HTTP_HEADER, 100 KB). */
		if (errbuf != NULL && (strstr(errbuf, "header") ||
		    strstr(errbuf, "giant")))
			return KIND_TOO_LARGE;
		return KIND_INTERNAL;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_HTTP3:
	case CURLE_QUIC_CONNECT_ERROR:
		return KIND_PROTOCOL;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* A redirect to another scheme ("Protocol "file" not
		 * supported or disabled in libcurl"), but also a reply
		 * with no or a bad status line (garbage). */
		if (errbuf != NULL && strncmp(errbuf, "Protocol \"", 10) == 0)
			return KIND_INVALID_URL;
		return KIND_PROTOCOL;
	case CURLE_URL_MALFORMAT:
		return KIND_INVALID_URL;
	case CURLE_BAD_FUNCTION_ARGUMENT:
		/* "Too many response headers" and friends in some versions */
		if (errbuf != NULL && strstr(errbuf, "header"))
			return KIND_PROTOCOL;
		return KIND_INTERNAL;
	case CURLE_TOO_MANY_REDIRECTS:
		return KIND_TOO_MANY_REDIRECTS;
	case CURLE_FILESIZE_EXCEEDED:
		return KIND_TOO_LARGE;
	default:
		return KIND_INTERNAL;
	}
}


void
kind_message(enum kind kind, CURLcode result, const char *errbuf,
    char *msg, size_t len)
{
	enum kind said;

	/* libcurl keeps the first error text of a transfer, also when it
	 * retried on a new connection and then failed otherwise: a text
	 * naming another kind is not this result's. */
	said = errbuf != NULL && errbuf[0] != '\0' ? kind_of_text(errbuf) :
	    KIND_NONE;
	if (said == KIND_RECV && (kind == KIND_SEND || kind == KIND_PROTOCOL))
		said = kind;
	if (errbuf == NULL || errbuf[0] == '\0' ||
	    (said != KIND_NONE && said != kind))
		(void)snprintf(msg, len, "%s", curl_easy_strerror(result));
	else
		(void)snprintf(msg, len, "%s", errbuf);
}
