/* sem.c: FIFO counting semaphore with direct hand-off. */
#include <stddef.h>

#include "sem.h"

void
sem_init(struct sem *s, long permits)
{
	s->avail = permits;
	s->head = s->tail = NULL;
	s->nwaiting = 0;
}

int
sem_try(struct sem *s)
{
	if (s->avail > 0 && s->head == NULL) {
		s->avail--;
		return 1;
	}
	return 0;
}

void
sem_wait(struct sem *s, struct sem_waiter *w)
{
	w->granted = 0;
	w->waiting = 1;
	w->next = NULL;
	w->prev = s->tail;
	if (s->tail != NULL)
		s->tail->next = w;
	else
		s->head = w;
	s->tail = w;
	s->nwaiting++;
}

static void
sem_unlink(struct sem *s, struct sem_waiter *w)
{
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		s->head = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	else
		s->tail = w->prev;
	w->prev = w->next = NULL;
	w->waiting = 0;
	s->nwaiting--;
}

void
sem_release(struct sem *s)
{
	struct sem_waiter *w = s->head;

	if (w == NULL) {
		s->avail++;
		return;
	}
	sem_unlink(s, w);
	w->granted = 1;
	if (w->who != NULL)
		sched_wake(w->who);
}

void
sem_cancel(struct sem *s, struct sem_waiter *w)
{
	if (w->waiting)
		sem_unlink(s, w);
	else if (w->granted) {
		w->granted = 0;
		sem_release(s);
	}
}

int
sem_idle(const struct sem *s, long permits)
{
	return s->head == NULL && s->avail == permits;
}
