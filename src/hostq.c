/* hostq.c: fair per-host queues (the decisions; no clock, no loop). */
#include <stddef.h>

#include "hostq.h"
#include "rate.h"

/* Starts closer than this to their slot go now: timers are not exact
 * (the same slack as rate.c's). */
#define HQ_SLACK	0.0005

void
hostq_init(struct hostq *s, long slots,
    void (*arm)(struct hq_host *h, double at))
{
	s->ring = NULL;
	s->avail = slots;
	s->arm = arm;
}

void
hq_host_init(struct hq_host *h, long limit, double per_second)
{
	waitq_init(&h->q);
	h->rprev = h->rnext = NULL;
	h->in_ring = 0;
	h->inflight = 0;
	h->limit = limit;
	h->interval = per_second > 0 ? 1.0 / per_second : 0;
	h->next = 0;
	h->paused_until = 0;
	h->blocked_since = -1;
	h->blocked_total = 0;
	h->pauses = 0;
	h->fail_run = 0;
	h->fail_level = 0;
	h->pause_end = 0;
}

int
hostq_can_start(const struct hq_host *h, double now)
{
	if (h->limit > 0 && h->inflight >= h->limit)
		return 0;
	if (now + HQ_SLACK < h->paused_until)
		return 0;
	if (h->interval > 0 && now + HQ_SLACK < h->next)
		return 0;
	return 1;
}

double
hostq_clock(const struct hq_host *h, double now)
{
	return h->blocked_total +
	    (h->blocked_since >= 0 ? now - h->blocked_since : 0);
}

static void
ring_add(struct hostq *s, struct hq_host *h)
{
	if (s->ring == NULL) {
		h->rprev = h->rnext = h;
		s->ring = h;
	} else {			/* at the tail: before the head */
		h->rnext = s->ring;
		h->rprev = s->ring->rprev;
		h->rprev->rnext = h;
		s->ring->rprev = h;
	}
	h->in_ring = 1;
}

static void
ring_remove(struct hostq *s, struct hq_host *h)
{
	if (h->rnext == h)
		s->ring = NULL;
	else {
		h->rprev->rnext = h->rnext;
		h->rnext->rprev = h->rprev;
		if (s->ring == h)
			s->ring = h->rnext;
	}
	h->rprev = h->rnext = NULL;
	h->in_ring = 0;
}

static void
blocked_end(struct hq_host *h, double now)
{
	if (h->blocked_since >= 0) {
		if (now > h->blocked_since)
			h->blocked_total += now - h->blocked_since;
		h->blocked_since = -1;
	}
}

/* Put h where it belongs: in the ring if it has waiters and can start,
 * else blocked (with a wake-up asked for when time alone unblocks it;
 * a full limit is lifted by hostq_done()). */
static void
hostq_eval(struct hostq *s, struct hq_host *h, double now)
{
	double at;
	int ready = h->q.head != NULL && hostq_can_start(h, now);

	if (ready) {
		blocked_end(h, now);
		if (!h->in_ring)
			ring_add(s, h);
		return;
	}
	if (h->in_ring)
		ring_remove(s, h);
	if (h->q.head == NULL) {
		blocked_end(h, now);
		return;
	}
	if (h->blocked_since < 0)
		h->blocked_since = now;
	if (h->limit > 0 && h->inflight >= h->limit)
		return;
	at = h->paused_until;
	if (h->interval > 0 && h->next > at)
		at = h->next;
	if (s->arm != NULL)
		s->arm(h, at);
}

/* Hand free global slots round-robin to the hosts that can start. */
static void
hostq_dispatch(struct hostq *s, double now)
{
	struct hq_host *h;

	while (s->avail > 0 && s->ring != NULL) {
		h = s->ring;
		ring_remove(s, h);
		if (h->q.head == NULL || !hostq_can_start(h, now)) {
			hostq_eval(s, h, now);
			continue;
		}
		s->avail--;
		h->inflight++;
		if (h->interval > 0)
			(void)rate_take(&h->next, now, h->interval);
		(void)waitq_grant(&h->q);
		hostq_eval(s, h, now);	/* back at the tail if it still
					 * can start */
	}
}

void
hostq_push(struct hostq *s, struct hq_host *h, struct waiter *w, double now)
{
	waitq_push(&h->q, w);
	hostq_eval(s, h, now);
	hostq_dispatch(s, now);
}

void
hostq_done(struct hostq *s, struct hq_host *h, double now)
{
	h->inflight--;
	s->avail++;
	hostq_eval(s, h, now);
	hostq_dispatch(s, now);
}

void
hostq_cancel(struct hostq *s, struct hq_host *h, struct waiter *w,
    double now)
{
	if (w->waiting) {
		waitq_remove(&h->q, w);
		hostq_eval(s, h, now);
	} else if (w->granted) {
		w->granted = 0;
		hostq_done(s, h, now);
	}
}

void
hostq_wake(struct hostq *s, struct hq_host *h, double now)
{
	hostq_eval(s, h, now);
	hostq_dispatch(s, now);
}

void
hostq_set_interval(struct hostq *s, struct hq_host *h, double interval,
    double since, double now)
{
	if (interval <= h->interval)
		return;
	h->interval = interval;
	if (since + interval > h->next)
		h->next = since + interval;
	hostq_eval(s, h, now);
}

void
hostq_pause(struct hostq *s, struct hq_host *h, double until, double now)
{
	if (until <= h->paused_until || until <= now)
		return;
	if (h->paused_until <= now)
		h->pauses++;		/* a new pause, not a longer one */
	h->paused_until = until;
	hostq_eval(s, h, now);
}

void
hostq_set_limit(struct hostq *s, struct hq_host *h, long limit, double now)
{
	h->limit = limit;
	hostq_eval(s, h, now);
	hostq_dispatch(s, now);
}

int
hostq_idle(const struct hq_host *h, double now)
{
	return h->q.head == NULL && h->inflight == 0 && !h->in_ring &&
	    h->paused_until <= now && (h->interval <= 0 || h->next <= now);
}

double
hostq_backoff(struct hq_host *h, const struct hq_signal *sig, double now)
{
	double len;

	if (sig->retry_after >= 0 &&
	    (sig->status == 429 || sig->status == 503)) {
		len = sig->retry_after < sig->cap ? sig->retry_after :
		    sig->cap;
		h->fail_run = 0;
		return len > 0 ? now + len : 0;
	}
	if (sig->status > 0) {		/* the host answers */
		h->fail_run = 0;
		h->fail_level = 0;
		return 0;
	}
	if (!sig->conn_failed)
		return 0;
	/* Attempts that started before the last pause ended failed for the
	 * reason that pause was for: they do not make it longer. */
	if (sig->started < h->pause_end)
		return 0;
	if (++h->fail_run < HQ_FAIL_RUN)
		return 0;
	h->fail_run = 0;
	len = sig->base * (double)(1L << (h->fail_level < 6 ?
	    h->fail_level : 6));
	if (h->fail_level < 6)
		h->fail_level++;
	if (len > sig->cap)
		len = sig->cap;
	if (len <= 0)
		return 0;
	h->pause_end = now + len;
	return h->pause_end;
}

void
hostq_aimd_init(struct hq_aimd *a, long max)
{
	a->limit = 1;
	a->max = max > 0 ? max : 1;
	a->good = 0;
	a->base = 0;
	a->cut_at = -1;
}

long
hostq_aimd(struct hq_aimd *a, const struct hq_outcome *o, double now)
{
	int slow = o->ok && a->base > 0 && o->ttfb > a->base * HQ_AIMD_SLOW;

	if (o->overload || slow) {
		a->good = 0;
		/* Attempts started before the last cut were sent at the
		 * old limit: their overload is already answered. */
		if (o->started <= a->cut_at)
			return a->limit;
		a->cut_at = now;
		a->limit = a->limit / 2 > 1 ? a->limit / 2 : 1;
		return a->limit;
	}
	if (!o->ok)
		return a->limit;
	a->base = a->base > 0 ? a->base * 0.9 + o->ttfb * 0.1 : o->ttfb;
	if (++a->good >= a->limit && a->limit < a->max) {
		a->limit++;
		a->good = 0;
	}
	return a->limit;
}
