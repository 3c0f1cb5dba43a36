/* input_url.h: the URL rules of an input line (input_url.c). */
#ifndef COFETCH_INPUT_URL_H
#define COFETCH_INPUT_URL_H

#include <stddef.h>

#include "request.h"

/* Check the URL s[0..len) (no NUL bytes) and fill req->url (malloced, the
 * URL as given, "http://" prepended when it has no scheme), req->cu (the
 * parsed URL) and req->host ("host:port", lower case). Returns 0, or -1
 * with req invalid (request_invalid()). */
int	input_url_check(struct request *req, const char *s, size_t len);
/* Free the parser kept between calls; checking again afterwards is
 * fine. */
void	input_url_cleanup(void);

#endif
