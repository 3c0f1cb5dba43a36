/* worker.h: transfer threads. Each worker owns a libev loop and a libcurl
 * multi handle; the main thread hands it attempts to start or stop, and it
 * hands finished attempts back. Everything else (admission, limits,
 * retries, records) stays in the main thread, so the worker count changes
 * nothing a user can see but the speed. */
#ifndef COFETCH_WORKER_H
#define COFETCH_WORKER_H

struct ev_loop;
struct xfer;

/* Called in the main thread for each attempt a worker finished. */
typedef void (*worker_deliver_fn)(struct xfer *x);

/* Start n workers; max_conns is each multi handle's connection cache. */
int	worker_start_all(int n, struct ev_loop *main_loop,
	    worker_deliver_fn deliver, long max_conns);
/* Main thread: run x on the worker its host belongs to. */
void	worker_submit(struct xfer *x);
/* Main thread, when its loop is about to block: wake the workers that
 * have new work (one wake-up per batch). */
void	worker_flush(void);
/* Main thread: stop x on its worker; it is delivered all the same. */
void	worker_cancel(struct xfer *x);
/* Worker thread: x has ended (x->res filled): hand it back. */
void	worker_finished(struct xfer *x);
/* Main thread: stop and join every worker. Attempts still running are
 * aborted and never delivered. Idempotent. */
void	worker_stop_all(void);

#endif
