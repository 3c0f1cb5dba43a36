/* host.h: the per-host table, keyed by "host:port": each host's fair
 * queue (hostq.h) with its --per-host limit, --per-host-rate spacing and
 * host-wide pause, and the timer that wakes it. Reference-counted, so the
 * table holds only hosts that have work or a pause or rate slot still
 * pending (memory follows the concurrency and the read-ahead window, not
 * the number of distinct hosts). */
#ifndef COFETCH_HOST_H
#define COFETCH_HOST_H

#include <ev.h>

#include "hostq.h"
#include "opts.h"

struct host {
	struct host	*next;		/* hash chain */
	unsigned	 hash;
	long		 refs;		/* tasks using it */
	struct hq_host	 hq;		/* its queue, limit, rate, pause */
	struct hq_aimd	 aimd;		/* --adaptive */
	ev_timer	 timer;		/* hostq's arm: rate slot or pause */
	char		 key[];		/* "host:port" */
};

/* The global slots (-c) and the per-host limits, from o (not owned; it
 * must outlive the run). */
void		 host_setup(struct ev_loop *loop, const struct opts *o);
/* The host for key with a reference taken; made if new. */
struct host	*host_get(const char *key);
/* Drop a reference; frees the host once unused and idle. */
void		 host_put(struct host *h);
void		 host_free_all(void);
/* Has h live requests besides the caller's (so a connection to it will
 * be reused soon)? */
int		 host_has_work(const struct host *h);
/* Requests holding one of the -c slots: started, not yet done. */
long		 host_busy(void);
/* --robots' Crawl-delay: hostq_set_interval() at the loop's time. */
void		 host_set_interval(struct host *h, double interval,
		    double since);

/* hostq.h's operations on the run's queues, at the loop's time. */
void		 host_push(struct host *h, struct waiter *w);
void		 host_done(struct host *h);
void		 host_cancel(struct host *h, struct waiter *w);
double		 host_clock(const struct host *h);
/* Pause h as the finished attempt sig calls for, if it does; with
 * --adaptive, adapt its limit to the outcome o. */
void		 host_note(struct host *h, const struct hq_signal *sig,
		    const struct hq_outcome *o);

#endif
