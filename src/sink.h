/* sink.h: where a response goes while it arrives: libcurl's write and
 * header callbacks, the body kept for --body and the --max-size limit
 * (the --save file is save.c's). */
#ifndef COFETCH_SINK_H
#define COFETCH_SINK_H

#include <stddef.h>

#include "opts.h"
#include "request.h"

struct xfer;

/* Once, before any transfer: the options the callbacks read (not owned;
 * must outlive every transfer). */
void	sink_setup(const struct opts *o);
/* libcurl has curl_easy_header() (7.83+). */
int	sink_header_api(void);
/* The header callback must be installed (--headers, or no header API). */
int	sink_header_cb_on(void);

/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION; userdata is the
 * struct xfer. They only record; a 0 return stops the transfer (the
 * reason is left in the xfer). */
size_t	sink_write_cb(char *p, size_t size, size_t nmemb, void *userdata);
size_t	sink_header_cb(char *p, size_t size, size_t nmemb, void *userdata);

/* The response has ended (complete: libcurl says it arrived whole):
 * check that every content coding's stream ended, and free the decoder.
 * -1 with x->body_why set when the body is cut short. Idempotent. */
int	sink_finish(struct xfer *x, int complete);

#endif
