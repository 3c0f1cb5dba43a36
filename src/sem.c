/* sem.c: FIFO counting semaphore with direct hand-off. */
#include <stddef.h>

#include "sem.h"

void
sem_init(struct sem *s, long permits)
{
	s->avail = permits;
	waitq_init(&s->q);
}

int
sem_try(struct sem *s)
{
	if (s->avail > 0 && s->q.head == NULL) {
		s->avail--;
		return 1;
	}
	return 0;
}

void
sem_wait(struct sem *s, struct waiter *w)
{
	waitq_push(&s->q, w);
}

void
sem_release(struct sem *s)
{
	if (waitq_grant(&s->q) == NULL)
		s->avail++;
}

void
sem_cancel(struct sem *s, struct waiter *w)
{
	if (w->waiting)
		waitq_remove(&s->q, w);
	else if (w->granted) {
		w->granted = 0;
		sem_release(s);
	}
}
