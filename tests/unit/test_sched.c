/* test_sched.c: the run queue (sched.c), the FIFO of waiters (waitq.c)
 * and the counting semaphore on it (sem.c): order, hand-off without
 * overtaking, and cancellation that leaves no permit lost or doubled. */
#include <ev.h>

#include "sched.h"
#include "sem.h"
#include "waitq.h"
#include "unit.h"

/* A schedulable item that logs its runs into a shared order string. */
struct item {
	struct sched_item	 si;
	char			 name;
	struct item		*wake_on_run;	/* woken from inside run() */
};

static char	order[64];
static size_t	norder;

static void
item_run(struct sched_item *si)
{
	struct item *it = (struct item *)si;

	if (norder < sizeof(order) - 1) {
		order[norder++] = it->name;
		order[norder] = '\0';
	}
	if (it->wake_on_run != NULL) {
		sched_wake(&it->wake_on_run->si);
		it->wake_on_run = NULL;
	}
}

static void
item_init(struct item *it, char name)
{
	it->si.next = NULL;
	it->si.queued = 0;
	it->si.run = item_run;
	it->name = name;
	it->wake_on_run = NULL;
}

static void
order_reset(void)
{
	norder = 0;
	order[0] = '\0';
}

static struct ev_loop	*loop;

TEST(sched_runs_woken_items_once_in_wake_order)
{
	struct item	a, b, c;

	item_init(&a, 'a');
	item_init(&b, 'b');
	item_init(&c, 'c');
	order_reset();
	CHECK(!sched_pending());
	sched_wake(&b.si);
	sched_wake(&a.si);
	sched_wake(&b.si);			/* already queued: no-op */
	sched_wake(&c.si);
	CHECK(sched_pending());
	CHECK(sched_drain() == 3);
	CHECK_STR(order, "bac");
	CHECK(!sched_pending());
	CHECK(!a.si.queued && !b.si.queued && !c.si.queued);
	CHECK(sched_drain() == 0);
}

TEST(sched_item_woken_while_draining_runs_in_the_same_drain)
{
	struct item	a, b;

	item_init(&a, 'a');
	item_init(&b, 'b');
	order_reset();
	a.wake_on_run = &b;
	sched_wake(&a.si);
	CHECK(sched_drain() == 2);
	CHECK_STR(order, "ab");
	/* An item may wake itself: it runs again, after the others. */
	a.wake_on_run = &a;
	order_reset();
	sched_wake(&a.si);
	sched_wake(&b.si);
	CHECK(sched_drain() == 3);
	CHECK_STR(order, "aba");
}

TEST(sched_unqueue_from_head_middle_and_tail)
{
	struct item	a, b, c, d;

	item_init(&a, 'a');
	item_init(&b, 'b');
	item_init(&c, 'c');
	item_init(&d, 'd');
	order_reset();
	sched_wake(&a.si);
	sched_wake(&b.si);
	sched_wake(&c.si);
	sched_unqueue(&b.si);		/* middle */
	sched_unqueue(&c.si);		/* tail: the tail moves back */
	sched_wake(&d.si);			/* appended after a, not lost */
	sched_unqueue(&a.si);		/* head */
	sched_unqueue(&a.si);		/* not queued: no-op */
	CHECK(!b.si.queued && !c.si.queued && !a.si.queued);
	CHECK(sched_drain() == 1);
	CHECK_STR(order, "d");
	/* Unqueued items can be woken again. */
	order_reset();
	sched_wake(&c.si);
	sched_wake(&a.si);
	CHECK(sched_drain() == 2);
	CHECK_STR(order, "ca");
}

/* -- waitq ------------------------------------------------------------- */

TEST(waitq_grants_oldest_first_and_wakes_its_task)
{
	struct waitq	q;
	struct waiter	w[3];
	struct item	it[3];
	int		i;

	waitq_init(&q);
	order_reset();
	for (i = 0; i < 3; i++) {
		item_init(&it[i], (char)('a' + i));
		w[i].who = &it[i].si;
		waitq_push(&q, &w[i]);
		CHECK(w[i].waiting && !w[i].granted);
	}
	CHECK(q.n == 3);
	CHECK(waitq_grant(&q) == &w[0]);
	CHECK(w[0].granted && !w[0].waiting);
	CHECK(it[0].si.queued);		/* woken, not run */
	CHECK(norder == 0);
	CHECK(waitq_grant(&q) == &w[1]);
	CHECK(q.n == 1);
	CHECK(sched_drain() == 2);
	CHECK_STR(order, "ab");
	CHECK(waitq_grant(&q) == &w[2]);
	CHECK(waitq_grant(&q) == NULL);
	CHECK(q.n == 0 && q.head == NULL && q.tail == NULL);
	(void)sched_drain();
}

TEST(waitq_remove_keeps_the_order_of_the_rest)
{
	struct waitq	q;
	struct waiter	w[4];
	int		i;

	waitq_init(&q);
	for (i = 0; i < 4; i++) {
		w[i].who = NULL;	/* nobody to wake */
		waitq_push(&q, &w[i]);
	}
	waitq_remove(&q, &w[1]);	/* middle */
	waitq_remove(&q, &w[3]);	/* tail */
	waitq_remove(&q, &w[3]);	/* not on it: no-op */
	CHECK(q.n == 2);
	CHECK(!w[1].waiting && !w[1].granted);
	waitq_push(&q, &w[3]);		/* behind w[2] */
	waitq_remove(&q, &w[0]);	/* head */
	CHECK(waitq_grant(&q) == &w[2]);
	CHECK(waitq_grant(&q) == &w[3]);
	CHECK(waitq_grant(&q) == NULL);
	CHECK(q.n == 0);
}

/* -- sem --------------------------------------------------------------- */

TEST(sem_hands_a_released_permit_to_the_oldest_waiter)
{
	struct sem	s;
	struct waiter	w1 = { 0 }, w2 = { 0 };

	sem_init(&s, 2);
	CHECK(sem_try(&s));
	CHECK(sem_try(&s));
	CHECK(!sem_try(&s));
	sem_wait(&s, &w1);
	sem_wait(&s, &w2);
	sem_release(&s);
	CHECK(w1.granted && !w2.granted);
	CHECK(s.avail == 0);		/* handed over, not pooled */
	/* A newcomer cannot overtake w2. */
	sem_release(&s);
	CHECK(w2.granted);
	sem_release(&s);
	CHECK(s.avail == 1);
	CHECK(sem_try(&s));
	CHECK(!sem_try(&s));
}

TEST(sem_try_fails_while_anyone_waits)
{
	struct sem	s;
	struct waiter	w = { 0 };

	sem_init(&s, 0);
	sem_wait(&s, &w);
	s.avail = 1;			/* a permit appears in the pool */
	CHECK(!sem_try(&s));		/* w is first in line */
	sem_cancel(&s, &w);
	CHECK(sem_try(&s));
}

TEST(sem_cancel_gives_back_a_granted_unclaimed_permit)
{
	struct sem	s;
	struct waiter	w1 = { 0 }, w2 = { 0 }, w3 = { 0 };

	sem_init(&s, 1);
	CHECK(sem_try(&s));
	sem_wait(&s, &w1);
	sem_wait(&s, &w2);
	sem_wait(&s, &w3);
	sem_cancel(&s, &w2);		/* waiting: just leaves */
	CHECK(!w2.waiting && !w2.granted);
	sem_release(&s);		/* to w1 */
	CHECK(w1.granted);
	sem_cancel(&s, &w1);		/* granted, not claimed: to w3 */
	CHECK(!w1.granted && w3.granted);
	CHECK(s.avail == 0);
	sem_cancel(&s, &w3);		/* nobody left: to the pool */
	CHECK(s.avail == 1);
	sem_cancel(&s, &w3);		/* twice: nothing more */
	CHECK(s.avail == 1);
}

TEST(sem_permits_are_conserved_through_any_mix)
{
	struct sem	s;
	struct waiter	w[8];
	int		has[8] = { 0 };
	int		held = 0, granted, i, k, round;
	unsigned	x = 12345;

	/* 3 permits, 8 tasks taking, waiting, cancelling and releasing in
	 * a fixed pseudo-random order: held + pooled stays 3. */
	sem_init(&s, 3);
	for (i = 0; i < 8; i++) {
		w[i].who = NULL;
		w[i].waiting = w[i].granted = 0;
	}
	for (round = 0; round < 2000; round++) {
		x = x * 1103515245u + 12345u;
		i = (int)((x >> 16) % 8);
		if (has[i]) {
			sem_release(&s);
			has[i] = 0;
			held--;
		} else if (w[i].granted) {
			w[i].granted = 0;	/* claim it */
			has[i] = 1;
			held++;
		} else if (w[i].waiting) {
			if ((x >> 8) & 1)
				sem_cancel(&s, &w[i]);
		} else if (sem_try(&s)) {
			has[i] = 1;
			held++;
		} else
			sem_wait(&s, &w[i]);
		for (granted = k = 0; k < 8; k++)
			granted += w[k].granted;
		CHECK(held + granted + s.avail == 3);
		CHECK(s.avail == 0 || s.q.head == NULL);
	}
}

int
main(void)
{
	loop = ev_loop_new(EVFLAG_AUTO);
	sched_init(loop);
	RUN(sched_runs_woken_items_once_in_wake_order);
	RUN(sched_item_woken_while_draining_runs_in_the_same_drain);
	RUN(sched_unqueue_from_head_middle_and_tail);
	RUN(waitq_grants_oldest_first_and_wakes_its_task);
	RUN(waitq_remove_keeps_the_order_of_the_rest);
	RUN(sem_hands_a_released_permit_to_the_oldest_waiter);
	RUN(sem_try_fails_while_anyone_waits);
	RUN(sem_cancel_gives_back_a_granted_unclaimed_permit);
	RUN(sem_permits_are_conserved_through_any_mix);
	ev_loop_destroy(loop);
	return unit_done(__FILE__);
}
