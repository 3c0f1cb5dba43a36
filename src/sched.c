/* sched.c: the run queue. A FIFO singly-linked list of woken items; an
 * ev_idle watcher keeps the loop from blocking while it is not empty, and
 * the main loop's prepare watcher drains it. */
#include <stddef.h>

#include <ev.h>

#include "sched.h"

static struct sched_item	*runq_head;
static struct sched_item	**runq_tail = &runq_head;
static struct ev_loop		*sched_loop;
static ev_idle			 sched_idle;	/* active while queue
						 * non-empty */

static void
sched_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	/* Nothing: its being active makes the loop poll without blocking,
	 * and the prepare watcher drains the queue. */
	(void)sched_drain();
}

void
sched_init(struct ev_loop *loop)
{
	sched_loop = loop;
	ev_idle_init(&sched_idle, sched_idle_cb);
}

void
sched_wake(struct sched_item *item)
{
	if (item->queued)
		return;
	item->queued = 1;
	item->next = NULL;
	*runq_tail = item;
	runq_tail = &item->next;
	if (!ev_is_active(&sched_idle))
		ev_idle_start(sched_loop, &sched_idle);
}

void
sched_unqueue(struct sched_item *item)
{
	struct sched_item **pp;

	if (!item->queued)
		return;
	for (pp = &runq_head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == item) {
			*pp = item->next;
			if (runq_tail == &item->next)
				runq_tail = pp;
			break;
		}
	}
	item->queued = 0;
}

int
sched_drain(void)
{
	struct sched_item *item;
	int n = 0;

	while ((item = runq_head) != NULL) {
		runq_head = item->next;
		if (runq_head == NULL)
			runq_tail = &runq_head;
		item->queued = 0;
		item->next = NULL;
		item->run(item);
		n++;
	}
	if (ev_is_active(&sched_idle))
		ev_idle_stop(sched_loop, &sched_idle);
	return n;
}

int
sched_pending(void)
{
	return runq_head != NULL;
}
