/* request.c: lifetime of a parsed request. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "request.h"

void
request_init(struct request *r)
{
	memset(r, 0, sizeof(*r));
}

void
request_free(struct request *r)
{
	char **h;

	free(r->url);
	free(r->method);
	if (r->headers != NULL) {
		for (h = r->headers; *h != NULL; h++)
			free(*h);
		free(r->headers);
	}
	free(r->body);
	free(r->id);
	curl_url_cleanup(r->cu);
	request_init(r);
}

int
request_invalid(struct request *r, enum kind k, const char *fmt, ...)
{
	va_list ap;

	r->invalid = k;
	va_start(ap, fmt);
	(void)vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
request_method(const struct request *r, const struct opts *o)
{
	if (r->method != NULL)
		return r->method;
	if (o->method != NULL)
		return o->method;
	if (r->body != NULL || o->data != NULL)
		return "POST";
	return "GET";
}
