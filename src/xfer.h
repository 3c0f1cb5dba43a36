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
						 * attempt, else NULL */
	struct curl_slist	*hdrs;		/* owned: this request's
						 * header list, or NULL */
	struct result		*res;		/* the task's; not owned */
	int			 too_large;	/* the write callback
						 * stopped: --max-size */
	int			 write_failed;	/* --save write failed */
	int			 write_errno;
	double			 retry_after;	/* seconds from the final
						 * response's Retry-After,
						 * or -1 */
	int			 save_fd;	/* --save temporary, or -1 */
	uint64_t		 index;
};

/* Once: options shared by every handle. */
int	xfer_global_init(const struct opts *o);
void	xfer_global_cleanup(void);		/* frees the pool */

void	xfer_init(struct xfer *x, struct result *res);
/* Start an attempt of req: take a handle, set what this request needs,
 * add it to the multi handle. priv comes back in net's done callback.
 * Returns 0, or -1 with res->kind and res->message set. */
int	xfer_start(struct xfer *x, const struct request *req, void *priv);
/* The attempt finished with result: fill x->res (kind, status, times,
 * ...), finish or drop the --save file, give the handle back. */
void	xfer_finish(struct xfer *x, CURLcode result);
/* Abort a running attempt (cancellation): no outcome is read. */
void	xfer_abort(struct xfer *x);
void	xfer_free(struct xfer *x);		/* after the last attempt */

/* Pure: the error kind of a libcurl result; http_status >= 400 with
 * CURLE_OK gives KIND_HTTP. errbuf is libcurl's error text (may be ""). */
enum kind	xfer_classify(CURLcode result, long http_status,
		    const char *errbuf);

#endif
