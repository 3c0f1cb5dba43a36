/* waitq.h: the FIFO of waiting tasks shared by semaphores and rate
 * buckets: an intrusive doubly-linked list, so leaving it on cancellation
 * is O(1). */
#ifndef COFETCH_WAITQ_H
#define COFETCH_WAITQ_H

#include "sched.h"

struct waiter {
	struct waiter		*prev, *next;
	struct sched_item	*who;		/* woken when granted */
	int			 waiting;	/* on a queue */
	int			 granted;	/* handed what it waited for,
						 * not yet claimed */
};

struct waitq {
	struct waiter		*head, *tail;
	long			 n;
};

void	waitq_init(struct waitq *q);
/* Append w (w->who set by the caller). */
void	waitq_push(struct waitq *q, struct waiter *w);
/* Take w off the queue, if it is on it. */
void	waitq_remove(struct waitq *q, struct waiter *w);
/* Take the oldest waiter off, mark it granted and wake it; NULL if the
 * queue is empty. */
struct waiter	*waitq_grant(struct waitq *q);

#endif
