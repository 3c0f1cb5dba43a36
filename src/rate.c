/* rate.c: evenly spaced start slots with a FIFO of waiters. */
#include <stddef.h>

#include "rate.h"

/* Starts closer than this to their slot go now: timers are not exact. */
#define RATE_SLACK	0.0005

int
rate_take(double *next, double now, double interval)
{
	if (interval <= 0)
		return 1;
	if (now + RATE_SLACK < *next)
		return 0;
	/* After an idle spell the next slot is now, not a backlog of
	 * missed slots: that is what keeps starts evenly spaced. */
	*next = (*next > now ? *next : now) + interval;
	return 1;
}

/* The default clock: the time of this loop iteration. */
static double
rate_ev_now(struct ev_loop *loop)
{
	return ev_now(loop);
}

static void
rate_arm(struct rate *r)
{
	double after;

	if (r->q.head == NULL) {
		ev_timer_stop(r->loop, &r->timer);
		return;
	}
	if (ev_is_active(&r->timer))
		return;
	after = r->next - r->now(r->loop);
	ev_timer_set(&r->timer, after > 0 ? after : 0, 0);
	ev_timer_start(r->loop, &r->timer);
}

void
rate_tick(struct rate *r)
{
	/* now is the time of this loop iteration: one slot per expiry,
	 * the rest wait for their own. */
	while (r->q.head != NULL &&
	    rate_take(&r->next, r->now(r->loop), r->interval))
		(void)waitq_grant(&r->q);
	rate_arm(r);
}

static void
rate_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	rate_tick(t->data);
}

void
rate_init(struct rate *r, struct ev_loop *loop, double per_second)
{
	r->interval = per_second > 0 ? 1.0 / per_second : 0;
	r->next = 0;
	waitq_init(&r->q);
	r->loop = loop;
	r->now = rate_ev_now;
	ev_timer_init(&r->timer, rate_timer_cb, 0, 0);
	r->timer.data = r;
}

int
rate_try(struct rate *r)
{
	if (r->interval <= 0)
		return 1;
	if (r->q.head != NULL)
		return 0;
	return rate_take(&r->next, r->now(r->loop), r->interval);
}

void
rate_wait(struct rate *r, struct waiter *w)
{
	waitq_push(&r->q, w);
	rate_arm(r);
}

void
rate_cancel(struct rate *r, struct waiter *w)
{
	if (w->waiting) {
		waitq_remove(&r->q, w);
		rate_arm(r);
	}
	/* A slot already granted is spent: starts are never given back. */
	w->granted = 0;
}

int
rate_idle(struct rate *r)
{
	return r->q.head == NULL &&
	    (r->interval <= 0 || r->next <= r->now(r->loop));
}

void
rate_stop(struct rate *r)
{
	ev_timer_stop(r->loop, &r->timer);
}
