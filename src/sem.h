/* sem.h: counting semaphore with a FIFO wait queue and direct hand-off:
 * a released permit goes straight to the oldest waiter, so a newcomer can
 * never overtake it. */
#ifndef COFETCH_SEM_H
#define COFETCH_SEM_H

#include "waitq.h"

struct sem {
	long		avail;		/* free permits */
	struct waitq	q;
};

void	sem_init(struct sem *s, long permits);
/* Take a permit if one is free and nobody waits: 1, else 0. */
int	sem_try(struct sem *s);
/* Queue w (w->who set by the caller); w->granted becomes 1 and w->who is
 * woken when a permit is handed over. */
void	sem_wait(struct sem *s, struct waiter *w);
/* Give a permit back: to the oldest waiter, else to the pool. */
void	sem_release(struct sem *s);
/* Leave the queue (cancellation). A permit granted but not yet claimed
 * (w->granted still set) is given back through sem_release(). */
void	sem_cancel(struct sem *s, struct waiter *w);

#endif
