/* xfer.h: one attempt of one request on a libcurl easy handle: handle
 * setup (from a pool, so connections and DNS results are reused), the
 * write and header callbacks, body sinks (memory, --save file), and the
 * outcome read back with curl_easy_getinfo() into a struct result. */
#ifndef COFETCH_XFER_H
#define COFETCH_XFER_H

#include <curl/curl.h>

#include "opts.h"
#include "record.h"
#include "request.h"

struct xfer_handle;

struct xfer {
	struct xfer_handle	*h;		/* from the pool during an
						 * attempt, else NULL; only
						 * the thread running the
						 * transfer touches it */
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
	struct xfer		*qnext;		/* worker queue link */
	struct xfer		*aprev, *anext;	/* worker's running list */
	struct worker		*worker;	/* running there, or NULL:
						 * in the main loop */
};

/* Called in the main thread when an attempt has ended (x->res filled) or,
 * after xfer_cancel(), has been stopped. */
typedef void (*xfer_done_fn)(void *owner);

/* Once: options shared by every handle; done is the notification. With
 * nworkers > 0, transfers run on that many threads, each with its own
 * loop and multi handle, and the main loop only parses, schedules and
 * writes records. */
int	xfer_global_init(const struct opts *o, struct ev_loop *loop,
	    xfer_done_fn done, int nworkers);
void	xfer_global_cleanup(void);	/* stops the workers, frees pools */

void	xfer_init(struct xfer *x, struct result *res);
/* Start an attempt of req (which must outlive it). The done callback
 * follows once the attempt has ended, with x->res filled (kind, status,
 * times, ...); a failure to start is reported the same way. */
void	xfer_start(struct xfer *x, const struct request *req, void *owner);
/* Stop a running attempt (cancellation); the done callback still follows
 * (perhaps before this returns). x->aborted says whether it was stopped or
 * had already ended, with x->res its outcome. */
void	xfer_cancel(struct xfer *x);
void	xfer_free(struct xfer *x);	/* after the last attempt ended */

/* Run in the thread that owns the loop: the real start and stop. */
void	xfer_run_start(struct xfer *x);
void	xfer_run_abort(struct xfer *x);
/* That thread's end: free its handle pool. */
void	xfer_thread_cleanup(void);
/* net.c's done callback (priv is the struct xfer). */
void	xfer_net_done(void *priv, CURLcode result);
/* The main loop is about to block: send what was queued to the workers. */
void	xfer_flush(void);
/* Stop the workers (their running attempts are dropped): before tasks are
 * freed at the end of the run. */
void	xfer_stop(void);

/* Pure: the error kind of a libcurl result; http_status >= 400 with
 * CURLE_OK gives KIND_HTTP. errbuf is libcurl's error text (may be ""). */
enum kind	xfer_classify(CURLcode result, long http_status,
		    const char *errbuf);

#endif
