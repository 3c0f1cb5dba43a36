/* xfer.h: one attempt of one request on a libcurl easy handle: the
 * handle's life (from a pool, so connections and DNS results, which live
 * in the multi handle, are reused), and finishing the attempt: the
 * outcome read back with curl_easy_getinfo() into a struct result and
 * classified into an error kind. */
#ifndef COFETCH_XFER_H
#define COFETCH_XFER_H

#include <curl/curl.h>

#include "opts.h"
#include "record.h"
#include "request.h"

struct ev_loop;
struct xfer_handle;

struct xfer {
	struct xfer_handle	*h;		/* from the pool during an
						 * attempt, else NULL */
	struct curl_slist	*hdrs;		/* owned: this request's
						 * header list, or NULL */
	struct result		*res;		/* the task's; not owned;
						 * filled before the done
						 * notification */
	const struct request	*req;		/* the task's, during an
						 * attempt */
	void			*owner;		/* handed to the done
						 * callback */
	int			 too_large;	/* the write callback
						 * stopped: --max-size */
	int			 write_failed;	/* --save write failed */
	int			 write_errno;
	double			 retry_after;	/* seconds from the final
						 * response's Retry-After,
						 * or -1 */
	int			 save_fd;	/* --save temporary, or -1 */
	int			 aborted;	/* xfer_cancel() stopped the
						 * attempt: x->res is not its
						 * outcome */
	uint64_t		 index;
	int			 no_reuse;	/* set by the caller: close
						 * the connection after (its
						 * host has no queued work) */
};

/* Called when an attempt has ended (x->res filled) or, after
 * xfer_cancel(), has been stopped. */
typedef void (*xfer_done_fn)(void *owner);

/* Once: the multi handle on loop, and the options shared by every handle
 * (o is not owned and must outlive the run). -1 when libcurl cannot be
 * set up. */
int	xfer_global_init(const struct opts *o, struct ev_loop *loop,
	    xfer_done_fn done);
void	xfer_global_cleanup(void);	/* after every xfer_free() */

void	xfer_init(struct xfer *x, struct result *res);
/* Start an attempt of req (which must outlive it). The done callback
 * follows once the attempt has ended, with x->res filled (kind, status,
 * times, ...); a failure to start is reported the same way, at once. */
void	xfer_start(struct xfer *x, const struct request *req, void *owner);
/* Stop a running attempt (cancellation); the done callback follows
 * before this returns. x->aborted says whether it was stopped or had
 * already ended, with x->res its outcome. */
void	xfer_cancel(struct xfer *x);
/* Abort a running attempt without a callback, free what x holds. */
void	xfer_free(struct xfer *x);

/* Pure: the error kind of a libcurl result; http_status >= 400 with
 * CURLE_OK gives KIND_HTTP. errbuf is libcurl's error text (may be ""). */
enum kind	xfer_classify(CURLcode result, long http_status,
		    const char *errbuf);

#endif
