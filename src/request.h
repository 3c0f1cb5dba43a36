/* request.h: one request as parsed from an input line. */
#ifndef COFETCH_REQUEST_H
#define COFETCH_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "kind.h"

/* Everything here is owned by the request and freed by request_free(). */
struct request {
	uint64_t	 index;
	char		*url;		/* malloced; the URL to fetch (a
					 * scheme-less one gets "http://");
					 * for an invalid line, the line's
					 * text (at most 1 KiB of it) */
	char		*method;	/* malloced, or NULL: use the
					 * command line's choice */
	char		**headers;	/* malloced array of malloced
					 * "Name: value" strings, NULL-ended,
					 * or NULL; from a JSON line */
	char		*body;		/* malloced, or NULL: no body from
					 * the line */
	size_t		 body_len;
	int		 body_is_json;	/* body came as a JSON value: send
					 * Content-Type: application/json */
	char		*id;		/* malloced, or NULL: no "id"; its
					 * JSON text, minified strictly
					 * (numbers keep their digits) */
	size_t		 id_len;
	CURLU		*cu;		/* owned: url parsed, or NULL */
	char		 host[272];	/* "host:port" key for --per-host,
					 * lower-cased; empty when invalid */
	enum kind	 invalid;	/* KIND_NONE, or KIND_INVALID_INPUT
					 * or KIND_INVALID_URL */
	char		 message[200];	/* why it is invalid */
};

void	request_init(struct request *r);
void	request_free(struct request *r);	/* accepts a half-built one;
						 * leaves it as request_init() */

/* Mark r invalid with kind k and a message (printf format); returns -1
 * so that a parser can write "return request_invalid(...)". */
int	request_invalid(struct request *r, enum kind k, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

struct opts;
/* The method to send: the line's, else -X, else POST when there is a body
 * (the line's or -d), else GET. Static or owned by req or o. */
const char	*request_method(const struct request *r, const struct opts *o);

#endif
