/* getinfo.h: a finished hop read back into the attempt's result. */
#ifndef COFETCH_GETINFO_H
#define COFETCH_GETINFO_H

#include <curl/curl.h>

#include "opts.h"
#include "xfer_state.h"

/* Once: the options messages name (not owned; outlives every transfer). */
void	getinfo_setup(const struct opts *o);
/* Add the times of hop e to x's sums: DNS, connect and TLS phases of
 * every hop, time to first byte and total from the attempt's start. */
void	getinfo_times_add(struct xfer *x, CURL *e);
/* Response header bytes of e so far, or 1 when only a status line is
 * known, or 0. */
long	getinfo_header_bytes(CURL *e);
/* Fill x->res from the final hop x->easy that ended with result; a kind
 * or message already set (a redirect refused, a watchdog) stays. Closes
 * the --save file, publishing it for a whole response. */
void	getinfo_result(struct xfer *x, CURLcode result);

#endif
