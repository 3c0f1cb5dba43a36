/* sched.h: the run queue of ready tasks. Wakers (libcurl callbacks,
 * timers, semaphores) only queue; the queue is drained from a loop
 * watcher, never from inside a libcurl callback. */
#ifndef COFETCH_SCHED_H
#define COFETCH_SCHED_H

struct ev_loop;

/* Embedded in whatever can be woken. run() is called from sched_drain(). */
struct sched_item {
	struct sched_item	*next;		/* run queue link */
	int			 queued;
	void			(*run)(struct sched_item *);
};

void	sched_init(struct ev_loop *loop);
/* Queue item to run once at the next drain (no-op if already queued). */
void	sched_wake(struct sched_item *item);
/* Take item off the queue if it is on it (before freeing it). */
void	sched_unqueue(struct sched_item *item);
/* Run queued items until the queue is empty. Returns how many ran. */
int	sched_drain(void);
int	sched_pending(void);

#endif
