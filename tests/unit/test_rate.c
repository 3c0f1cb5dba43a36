/* test_rate.c: rate limits (rate.c) on a fake clock: starts are at least
 * one interval apart whatever the timer's lateness, waiters are served in
 * order one slot each, an idle spell builds no backlog (no burst), and
 * cancelling never gives a start back. The e2e tests (test_rate.py) only
 * check that the limiter is wired in; the spacing is proved here. */
#include <math.h>
#include <string.h>

#include <ev.h>

#include "rate.h"
#include "sched.h"
#include "unit.h"

#define SLACK	0.0005		/* rate.c's RATE_SLACK */

static struct ev_loop	*loop;
static double		 fake_now;

static double
fake_clock(struct ev_loop *l)
{
	(void)l;
	return fake_now;
}

static void
fake_rate(struct rate *r, double per_second, double t0)
{
	rate_init(r, loop, per_second);
	r->now = fake_clock;
	fake_now = t0;
}

/* When the armed timer would fire, in fake time; -1 if it is not armed.
 * The loop never runs, so its own clock stands still. */
static double
timer_due(struct rate *r)
{
	if (!ev_is_active(&r->timer))
		return -1;
	return fake_now + ev_timer_remaining(loop, &r->timer);
}

TEST(rate_take_spaces_starts_one_interval_apart)
{
	double	next = 0;

	CHECK(rate_take(&next, 100, 0.1));
	CHECK_NEAR(next, 100.1, 1e-9);
	CHECK(!rate_take(&next, 100.05, 0.1));
	CHECK(!rate_take(&next, 100.1 - 2 * SLACK, 0.1));
	CHECK_NEAR(next, 100.1, 1e-9);
	/* Within the slack: a timer a hair early still starts. */
	CHECK(rate_take(&next, 100.1 - SLACK / 2, 0.1));
	CHECK_NEAR(next, 100.2, 1e-9);
	/* Unlimited. */
	CHECK(rate_take(&next, 0, 0));
	CHECK(rate_take(&next, 0, -1));
}

TEST(rate_take_after_an_idle_spell_builds_no_backlog)
{
	double	next = 0;
	int	n = 0;

	CHECK(rate_take(&next, 10, 0.5));
	/* Ten seconds idle, then a crowd: one start now, the next one a
	 * full interval later, not twenty missed slots at once. */
	while (rate_take(&next, 20, 0.5))
		n++;
	CHECK(n == 1);
	CHECK_NEAR(next, 20.5, 1e-9);
}

TEST(rate_try_takes_free_slots_and_never_overtakes_a_waiter)
{
	struct rate	r;
	struct waiter	w = { 0 };

	fake_rate(&r, 10, 1000);
	CHECK(rate_try(&r));
	CHECK(!rate_try(&r));
	fake_now = 1000.1;
	CHECK(rate_try(&r));
	rate_wait(&r, &w);
	fake_now = 1000.5;		/* a slot is free, but w is first */
	CHECK(!rate_try(&r));
	rate_tick(&r);
	CHECK(w.granted);
	CHECK(!rate_try(&r));		/* w took the slot at 1000.5 */
	fake_now = 1000.6;
	CHECK(rate_try(&r));
	rate_stop(&r);
}

/* Serve n waiters by running the timer each time it is due, late by
 * late(i) seconds; the grant times go in at[]. */
static void
serve(struct rate *r, struct waiter *w, double *at, int n,
    double (*late)(int))
{
	int	i, fired = 0, granted = 0;
	double	due;

	memset(w, 0, sizeof(*w) * (size_t)n);	/* who: nobody to wake */
	for (i = 0; i < n; i++) {
		if (rate_try(r))
			at[granted++] = fake_now;
		else
			rate_wait(r, &w[i]);
	}
	while (granted < n && fired < 10 * n) {
		due = timer_due(r);
		CHECK(due >= fake_now - 1e-9);
		if (due < 0)
			break;
		fake_now = due + late(fired++);
		rate_tick(r);
		for (i = 0; i < n; i++) {
			if (w[i].granted) {
				w[i].granted = 0;	/* claimed */
				at[granted++] = fake_now;
			}
		}
	}
	CHECK(granted == n);
}

static double
on_time(int i)
{
	return 0;
}

static double
late_by_load(int i)
{
	/* A loaded machine: timers fire up to 40 ms late, unevenly. */
	static const double ms[] = { 0, 40, 3, 17, 0, 29, 1, 8 };

	return ms[i % 8] / 1000;
}

static double
early(int i)
{
	return -SLACK / 2;		/* within the slack */
}

TEST(rate_waiters_start_one_interval_apart_in_order)
{
	double	(*lateness[])(int) = { on_time, late_by_load, early };
	struct rate	r;
	struct waiter	w[25];
	double		at[25];
	size_t		k;
	int		i;

	for (k = 0; k < sizeof(lateness) / sizeof(lateness[0]); k++) {
		fake_rate(&r, 10, 50);
		serve(&r, w, at, 25, lateness[k]);
		for (i = 1; i < 25; i++) {
			CHECK(at[i] - at[i - 1] >= 0.1 - SLACK);
			if (at[i] - at[i - 1] < 0.1 - SLACK)
				fprintf(stderr, "  case %zu: gap %d %.4f\n",
				    k, i, at[i] - at[i - 1]);
		}
		if (lateness[k] == on_time) {
			/* -r 10: 25 starts span exactly 2.4 s. */
			CHECK_NEAR(at[24] - at[0], 2.4, 1e-6);
		}
		CHECK(!ev_is_active(&r.timer));	/* nobody left */
		rate_stop(&r);
	}
}

TEST(rate_timer_is_armed_for_the_next_slot_only_while_someone_waits)
{
	struct rate	r;
	struct waiter	a = { 0 }, b = { 0 };

	fake_rate(&r, 4, 10);		/* one start per 0.25 s */
	CHECK(rate_try(&r));
	CHECK(timer_due(&r) == -1);
	rate_wait(&r, &a);
	rate_wait(&r, &b);
	CHECK_NEAR(timer_due(&r), 10.25, 1e-6);
	fake_now = 10.25;
	rate_tick(&r);
	CHECK(a.granted && !b.granted);
	CHECK_NEAR(timer_due(&r), 10.5, 1e-6);
	rate_cancel(&r, &b);		/* the last waiter leaves */
	CHECK(timer_due(&r) == -1);
	CHECK(!b.waiting && !b.granted);
	rate_stop(&r);
}

TEST(rate_cancel_never_gives_a_start_back)
{
	struct rate	r;
	struct waiter	a = { 0 }, b = { 0 };

	fake_rate(&r, 10, 10);
	CHECK(rate_try(&r));
	rate_wait(&r, &a);
	rate_wait(&r, &b);
	fake_now = 10.1;
	rate_tick(&r);
	CHECK(a.granted);
	rate_cancel(&r, &a);		/* granted, then cancelled */
	CHECK(!a.granted);
	CHECK(!b.granted);		/* b still waits for its own slot */
	fake_now = 10.15;
	rate_tick(&r);
	CHECK(!b.granted);
	fake_now = 10.2;
	rate_tick(&r);
	CHECK(b.granted);
	rate_stop(&r);
}

TEST(rate_idle_only_when_the_next_slot_is_free)
{
	struct rate	r;

	fake_rate(&r, 2, 100);
	CHECK(rate_idle(&r));
	CHECK(rate_try(&r));
	/* Dropping the bucket now would let the next start come early. */
	CHECK(!rate_idle(&r));
	fake_now = 100.4;
	CHECK(!rate_idle(&r));
	fake_now = 100.5;
	CHECK(rate_idle(&r));
	rate_stop(&r);
}

TEST(rate_unlimited_always_starts)
{
	struct rate	r;
	int		i;

	fake_rate(&r, 0, 5);
	for (i = 0; i < 1000; i++)
		CHECK(rate_try(&r));
	CHECK(rate_idle(&r));
	rate_stop(&r);
}

int
main(void)
{
	loop = ev_loop_new(EVFLAG_AUTO);
	sched_init(loop);
	RUN(rate_take_spaces_starts_one_interval_apart);
	RUN(rate_take_after_an_idle_spell_builds_no_backlog);
	RUN(rate_try_takes_free_slots_and_never_overtakes_a_waiter);
	RUN(rate_waiters_start_one_interval_apart_in_order);
	RUN(rate_timer_is_armed_for_the_next_slot_only_while_someone_waits);
	RUN(rate_cancel_never_gives_a_start_back);
	RUN(rate_idle_only_when_the_next_slot_is_free);
	RUN(rate_unlimited_always_starts);
	ev_loop_destroy(loop);
	return unit_done(__FILE__);
}
