/* xfer.h: one attempt of one request: its easy handles' life, the
 * redirects it follows, and finishing the attempt: the outcome read back
 * with curl_easy_getinfo() into a struct result and classified into an
 * error kind. */
#ifndef COFETCH_XFER_H
#define COFETCH_XFER_H

#include <curl/curl.h>
#include <ev.h>

#include "opts.h"
#include "record.h"
#include "request.h"
#include "xfer_state.h"

struct ev_loop;

/* Called when an attempt has ended (x->res filled) or, after
 * xfer_cancel(), has been stopped. */
typedef void (*xfer_end_fn)(void *owner);

/* Once: the multi handle on loop, and the options shared by every handle
 * (o is not owned and must outlive the run). -1 when libcurl cannot be
 * set up. */
int	xfer_global_init(const struct opts *o, struct ev_loop *loop,
	    xfer_end_fn ended);
void	xfer_global_cleanup(void);	/* after every xfer_free() */

void	xfer_init(struct xfer *x, struct result *res);
/* Start an attempt of req (which must outlive it). The end callback
 * follows once the attempt has ended, with x->res filled (kind, status,
 * times, ...); a failure to start is reported the same way, at once. */
void	xfer_start(struct xfer *x, const struct request *req, void *owner);
/* Stop a running attempt (cancellation); the end callback follows
 * before this returns. x->aborted says whether it was stopped or had
 * already ended, with x->res its outcome. */
void	xfer_cancel(struct xfer *x);
/* Abort a running attempt without a callback, free what x holds. */
void	xfer_free(struct xfer *x);

#endif
