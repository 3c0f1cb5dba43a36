/* kind.h: the closed set of error kinds of SPEC "Output records". */
#ifndef COFETCH_KIND_H
#define COFETCH_KIND_H

#include <stddef.h>

#include <curl/curl.h>

enum kind {
	KIND_NONE = 0,		/* no error: the record is ok */
	KIND_INVALID_INPUT,
	KIND_INVALID_URL,
	KIND_DNS,
	KIND_CONNECT,
	KIND_TLS,
	KIND_TIMEOUT,
	KIND_SEND,
	KIND_RECV,
	KIND_PROTOCOL,
	KIND_TOO_MANY_REDIRECTS,
	KIND_TOO_LARGE,
	KIND_HTTP,
	KIND_CANCELLED,
	KIND_WRITE,
	KIND_ROBOTS,		/* --robots: disallowed by robots.txt */
	KIND_INTERNAL,
	KIND_COUNT
};

/* "invalid_input", ...; "none" for KIND_NONE. Static storage. */
const char	*kind_name(enum kind k);
/* The kind named s, or -1 if s names none (KIND_NONE is not parsed). */
int		 kind_parse(const char *s);

/* Pure: the error kind of a libcurl result; http_status >= 400 with
 * CURLE_OK gives KIND_HTTP, a status outside 100-599 KIND_PROTOCOL.
 * errbuf is libcurl's error text (may be "" or NULL). */
enum kind	 kind_of_curl(CURLcode result, long http_status,
		    const char *errbuf);
/* The message for a libcurl failure of kind: libcurl's text when it is
 * about this failure, else curl_easy_strerror(result). */
void		 kind_message(enum kind kind, CURLcode result,
		    const char *errbuf, char *msg, size_t len);

#endif
