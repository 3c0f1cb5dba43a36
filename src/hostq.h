/* hostq.h: fair per-host queues. A request waits in its host's FIFO
 * without holding a global slot. Hosts that can start now (below their
 * in-flight limit, past their rate slot and any pause) form a ring served
 * round-robin: a free global slot goes to the head waiter of the host at
 * the head of the ring, and that host moves to the tail. A host that
 * cannot start is "blocked"; the time its waiters spend blocked is what
 * a record's time.wait reports.
 *
 * Every decision takes the time as an argument (no clock is read here),
 * so the unit tests run it on a fake clock; the one effect on time is the
 * arm callback, asked to call hostq_wake() at a given time. */
#ifndef COFETCH_HOSTQ_H
#define COFETCH_HOSTQ_H

#include "waitq.h"

struct hq_host {
	struct waitq	 q;		/* waiting to start, FIFO */
	struct hq_host	*rprev, *rnext;	/* ready ring links */
	int		 in_ring;
	long		 inflight;	/* granted, not yet done */
	long		 limit;		/* most in flight; 0: no limit */
	double		 interval;	/* seconds between starts; 0: none */
	double		 next;		/* earliest next start */
	double		 paused_until;	/* no start before */
	double		 blocked_since;	/* -1: not blocked */
	double		 blocked_total;	/* seconds blocked with waiters */
	long		 pauses;	/* host-wide pauses so far */
	long		 fail_run;	/* connection failures in a row */
	int		 fail_level;	/* pauses for them in a row */
	double		 pause_end;	/* end of the last such pause */
};

/* --adaptive: a host's in-flight limit, additive increase and
 * multiplicative decrease (AIMD). */
struct hq_aimd {
	long		 limit;		/* current, 1 .. max */
	long		 max;		/* --per-host, or -c */
	long		 good;		/* fast successes since the last
					 * change */
	double		 base;		/* typical time to first byte of a
					 * fast success (EWMA), 0: none yet */
	double		 cut_at;	/* when the limit was last cut */
};

/* A response slower than this many times the host's typical one is a
 * sign of overload. */
#define HQ_AIMD_SLOW	4.0

/* What one finished attempt says, for --adaptive. */
struct hq_outcome {
	int		 overload;	/* 429, 503 or a timeout */
	int		 ok;		/* a response that is no overload */
	double		 ttfb;		/* seconds, of an ok one */
	double		 started;	/* when the attempt started */
};

/* Connection failures or timeouts in a row that pause a host. */
#define HQ_FAIL_RUN	5

/* What one finished attempt says about its host. */
struct hq_signal {
	long		 status;	/* 0: no response */
	int		 conn_failed;	/* connect or timeout, no response */
	double		 retry_after;	/* seconds, or -1 */
	double		 started;	/* when the attempt started */
	double		 base, cap;	/* --retry-delay, --retry-max-delay */
};

struct hostq {
	struct hq_host	*ring;		/* head of the ready ring, or NULL */
	long		 avail;		/* free global slots */
	void		(*arm)(struct hq_host *h, double at);
};

void	hostq_init(struct hostq *s, long slots,
	    void (*arm)(struct hq_host *h, double at));
/* limit 0: none; per_second 0: no rate. */
void	hq_host_init(struct hq_host *h, long limit, double per_second);
/* Could h start a request at now (ignoring global slots)? */
int	hostq_can_start(const struct hq_host *h, double now);
/* Seconds h has been blocked with waiters, up to now: the difference of
 * two readings is the time a waiter spent blocked in between. */
double	hostq_clock(const struct hq_host *h, double now);
/* Queue w (w->who set by the caller) on h; w->granted becomes 1 and
 * w->who is woken once it holds a global slot and a place in h's limit. */
void	hostq_push(struct hostq *s, struct hq_host *h, struct waiter *w,
	    double now);
/* A granted request ended its attempt: its slot and place are free. */
void	hostq_done(struct hostq *s, struct hq_host *h, double now);
/* Leave h's queue (cancellation); a grant not yet claimed (w->granted
 * still set) is given back. */
void	hostq_cancel(struct hostq *s, struct hq_host *h, struct waiter *w,
	    double now);
/* The time asked of arm has come. */
void	hostq_wake(struct hostq *s, struct hq_host *h, double now);
/* Start nothing on h before until (a later pause wins). */
void	hostq_pause(struct hostq *s, struct hq_host *h, double until,
	    double now);
/* Space h's starts at least interval seconds apart from now on, the next
 * one at least interval after since (--robots' Crawl-delay); a shorter
 * interval than h's own changes nothing. */
void	hostq_set_interval(struct hostq *s, struct hq_host *h,
	    double interval, double since, double now);
/* Change h's in-flight limit (--adaptive). */
void	hostq_set_limit(struct hostq *s, struct hq_host *h, long limit,
	    double now);
/* Nothing queued, in flight, paused or spaced: h may be forgotten
 * without letting anything start early. */
int	hostq_idle(const struct hq_host *h, double now);
/* Pure: the end of the host-wide pause sig calls for, or 0 for none. A
 * 429 or 503 with Retry-After pauses for it (capped); HQ_FAIL_RUN
 * connection failures in a row pause for base, doubling with each such
 * pause in a row (capped); any response ends the run. */
double	hostq_backoff(struct hq_host *h, const struct hq_signal *sig,
	    double now);
void	hostq_aimd_init(struct hq_aimd *a, long max);
/* Pure: the new limit after outcome o at now. Overload, or a response
 * HQ_AIMD_SLOW times slower than usual, halves it (at least 1), once for
 * the attempts started before the cut; a run of as many fast successes as
 * the limit raises it by one (at most max). */
long	hostq_aimd(struct hq_aimd *a, const struct hq_outcome *o, double now);

#endif
