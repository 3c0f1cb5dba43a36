/* waitq.c: FIFO of waiters. */
#include <stddef.h>

#include "waitq.h"

void
waitq_init(struct waitq *q)
{
	q->head = q->tail = NULL;
	q->n = 0;
}

void
waitq_push(struct waitq *q, struct waiter *w)
{
	w->granted = 0;
	w->waiting = 1;
	w->next = NULL;
	w->prev = q->tail;
	if (q->tail != NULL)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	q->n++;
}

void
waitq_remove(struct waitq *q, struct waiter *w)
{
	if (!w->waiting)
		return;
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		q->head = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	else
		q->tail = w->prev;
	w->prev = w->next = NULL;
	w->waiting = 0;
	q->n--;
}

struct waiter *
waitq_grant(struct waitq *q)
{
	struct waiter *w = q->head;

	if (w == NULL)
		return NULL;
	waitq_remove(q, w);
	w->granted = 1;
	if (w->who != NULL)
		sched_wake(w->who);
	return w;
}
