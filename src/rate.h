/* rate.h: rate limits as evenly spaced start times (a token bucket of
 * depth one, i.e. GCRA): at R per second, starts are at least 1/R apart,
 * so there is never a burst at the start of a second. Waiting tasks queue
 * FIFO and are woken from one ev_timer per bucket. */
#ifndef COFETCH_RATE_H
#define COFETCH_RATE_H

#include <ev.h>

#include "waitq.h"

struct rate {
	double			 interval;	/* seconds between starts;
						 * 0: unlimited */
	double			 next;		/* earliest next start
						 * (ev_now time) */
	struct waitq		 q;		/* waiting for a slot */
	ev_timer		 timer;		/* wakes the head waiter */
	struct ev_loop		*loop;
	double			(*now)(struct ev_loop *);	/* the clock:
						 * ev_now() unless a unit
						 * test sets its own */
};

/* Pure: may a start happen at now given the next allowed time? If so,
 * advance *next by one interval and return 1. */
int	rate_take(double *next, double now, double interval);

void	rate_init(struct rate *r, struct ev_loop *loop, double per_second);
/* Take a start slot now if one is free and nobody waits: 1, else 0. */
int	rate_try(struct rate *r);
/* Queue w; w->granted becomes 1 and w->who is woken at its slot. */
void	rate_wait(struct rate *r, struct waiter *w);
void	rate_cancel(struct rate *r, struct waiter *w);
/* Grant the queued waiters whose slots are due at r->now() and re-arm the
 * timer for the next one: the timer's callback (unit tests call it). */
void	rate_tick(struct rate *r);
/* True when no waiter is queued and the next slot is already free, so the
 * bucket can be dropped without letting anything start early. */
int	rate_idle(struct rate *r);
void	rate_stop(struct rate *r);	/* stop the timer before freeing */

#endif
