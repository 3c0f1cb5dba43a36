/* test_hostq.c: the fair per-host queues' decisions on a fake clock. */
#include "unit.h"

#include "hostq.h"

static double	armed_at;
static struct hq_host *armed_host;

static void
fake_arm(struct hq_host *h, double at)
{
	armed_host = h;
	armed_at = at;
}

TEST(busy_host_holds_no_global_slot)
{
	struct hostq s;
	struct hq_host a, b;
	struct waiter wa[12], wb[4];
	int i, granted_a = 0, granted_b = 0;

	hostq_init(&s, 4, fake_arm);
	hq_host_init(&a, 1, 0);
	hq_host_init(&b, 1, 0);
	for (i = 0; i < 12; i++) {
		wa[i].who = NULL;
		hostq_push(&s, &a, &wa[i], 0);
	}
	for (i = 0; i < 4; i++) {
		wb[i].who = NULL;
		hostq_push(&s, &b, &wb[i], 0);
	}
	for (i = 0; i < 12; i++)
		granted_a += wa[i].granted;
	for (i = 0; i < 4; i++)
		granted_b += wb[i].granted;
	CHECK(granted_a == 1 && wa[0].granted);
	CHECK(granted_b == 1 && wb[0].granted);
	CHECK(s.avail == 2);		/* the rest is free for other hosts */
	/* A's finish hands A's next waiter its place. */
	wa[0].granted = 0;
	hostq_done(&s, &a, 1);
	CHECK(wa[1].granted);
	CHECK(s.avail == 2);
}

TEST(hosts_are_served_round_robin)
{
	struct hostq s;
	struct hq_host a, b, *last = NULL;
	struct waiter wa[3], wb[3];
	char order[7];
	int i, j, n = 0;

	/* Everything queued before the one slot frees: A's three
	 * requests first in the input, then B's. */
	hostq_init(&s, 0, fake_arm);
	hq_host_init(&a, 0, 0);
	hq_host_init(&b, 0, 0);
	for (i = 0; i < 3; i++) {
		wa[i].who = wb[i].who = NULL;
		hostq_push(&s, &a, &wa[i], 0);
	}
	for (i = 0; i < 3; i++)
		hostq_push(&s, &b, &wb[i], 0);
	s.avail = 1;
	hostq_wake(&s, &a, 0);
	for (j = 0; j < 6; j++) {
		for (i = 0; i < 3; i++) {
			if (wa[i].granted) {
				wa[i].granted = 0;
				order[n++] = 'A';
				last = &a;
			}
			if (wb[i].granted) {
				wb[i].granted = 0;
				order[n++] = 'B';
				last = &b;
			}
		}
		hostq_done(&s, last, j + 1);
	}
	order[n] = '\0';
	CHECK_STR(order, "ABABAB");
	CHECK(s.avail == 1);
}

TEST(per_host_rate_spaces_starts_on_the_clock)
{
	struct hostq s;
	struct hq_host a;
	struct waiter w[2];

	hostq_init(&s, 10, fake_arm);
	hq_host_init(&a, 0, 1.0);	/* one start a second */
	w[0].who = w[1].who = NULL;
	armed_host = NULL;
	hostq_push(&s, &a, &w[0], 100);
	hostq_push(&s, &a, &w[1], 100);
	CHECK(w[0].granted && !w[1].granted);
	CHECK(armed_host == &a);
	CHECK_NEAR(armed_at, 101, 1e-9);
	hostq_wake(&s, &a, 100.5);	/* early: nothing */
	CHECK(!w[1].granted);
	hostq_wake(&s, &a, 101);
	CHECK(w[1].granted);
	/* It waited a second for its rate slot. */
	CHECK_NEAR(hostq_clock(&a, 101), 1.0, 1e-9);
}

TEST(crawl_delay_interval_from_the_fetch)
{
	struct hostq s;
	struct hq_host a;
	struct waiter w[3];

	hostq_init(&s, 10, fake_arm);
	hq_host_init(&a, 0, 0);
	w[0].who = w[1].who = w[2].who = NULL;
	/* robots.txt fetched at 100 says Crawl-delay: 2. */
	hostq_set_interval(&s, &a, 2.0, 100, 100.1);
	armed_host = NULL;
	hostq_push(&s, &a, &w[0], 100.1);
	CHECK(!w[0].granted);
	CHECK(armed_host == &a);
	CHECK_NEAR(armed_at, 102, 1e-9);
	hostq_wake(&s, &a, 102);
	CHECK(w[0].granted);
	hostq_push(&s, &a, &w[1], 102.5);
	CHECK(!w[1].granted);
	CHECK_NEAR(armed_at, 104, 1e-9);
	/* A shorter interval (--per-host-rate, another task) changes
	 * nothing. */
	hostq_set_interval(&s, &a, 0.5, 102.5, 102.5);
	hostq_wake(&s, &a, 103);
	CHECK(!w[1].granted);
	hostq_wake(&s, &a, 104);
	CHECK(w[1].granted);
	CHECK_NEAR(a.interval, 2.0, 1e-9);
}

TEST(pause_holds_the_host_and_counts_as_wait)
{
	struct hostq s;
	struct hq_host a, b;
	struct waiter wa, wb;
	double mark;

	hostq_init(&s, 10, fake_arm);
	hq_host_init(&a, 0, 0);
	hq_host_init(&b, 0, 0);
	wa.who = wb.who = NULL;
	hostq_pause(&s, &a, 5, 0);
	CHECK(a.pauses == 1);
	mark = hostq_clock(&a, 1);
	hostq_push(&s, &a, &wa, 1);
	hostq_push(&s, &b, &wb, 1);
	CHECK(!wa.granted);
	CHECK(wb.granted);		/* other hosts untouched */
	CHECK(armed_host == &a);
	CHECK_NEAR(armed_at, 5, 1e-9);
	hostq_wake(&s, &a, 4.9);
	CHECK(!wa.granted);
	hostq_wake(&s, &a, 5);
	CHECK(wa.granted);
	CHECK_NEAR(hostq_clock(&a, 5) - mark, 4.0, 1e-9);
	/* Extending a pause under way is not a new pause. */
	hostq_pause(&s, &a, 8, 6);
	hostq_pause(&s, &a, 9, 7);
	CHECK(a.pauses == 2);
	/* Waiting for a global slot only is no host wait. */
	CHECK_NEAR(hostq_clock(&b, 9), 0, 1e-9);
}

TEST(waiting_for_a_global_slot_is_not_a_host_wait)
{
	struct hostq s;
	struct hq_host a, b;
	struct waiter wa, wb;
	double mark;

	hostq_init(&s, 1, fake_arm);
	hq_host_init(&a, 0, 0);
	hq_host_init(&b, 0, 0);
	wa.who = wb.who = NULL;
	hostq_push(&s, &a, &wa, 0);
	mark = hostq_clock(&b, 0);
	hostq_push(&s, &b, &wb, 0);
	CHECK(wa.granted && !wb.granted);
	hostq_done(&s, &a, 3);
	CHECK(wb.granted);
	CHECK_NEAR(hostq_clock(&b, 3) - mark, 0, 1e-9);
}

TEST(cancel_gives_back_a_grant_not_claimed)
{
	struct hostq s;
	struct hq_host a;
	struct waiter w[2];

	hostq_init(&s, 1, fake_arm);
	hq_host_init(&a, 0, 0);
	w[0].who = w[1].who = NULL;
	hostq_push(&s, &a, &w[0], 0);
	hostq_push(&s, &a, &w[1], 0);
	CHECK(w[0].granted && !w[1].granted);
	hostq_cancel(&s, &a, &w[0], 0);
	CHECK(!w[0].granted && w[1].granted);
	w[1].granted = 0;
	hostq_done(&s, &a, 1);
	CHECK(s.avail == 1 && a.inflight == 0);
	CHECK(hostq_idle(&a, 1));
}

TEST(raising_the_limit_starts_waiters)
{
	struct hostq s;
	struct hq_host a;
	struct waiter w[3];
	int i;

	hostq_init(&s, 10, fake_arm);
	hq_host_init(&a, 1, 0);
	for (i = 0; i < 3; i++) {
		w[i].who = NULL;
		hostq_push(&s, &a, &w[i], 0);
	}
	CHECK(w[0].granted && !w[1].granted && !w[2].granted);
	hostq_set_limit(&s, &a, 3, 1);
	CHECK(w[1].granted && w[2].granted);
}

TEST(retry_after_pauses_for_its_value_capped)
{
	struct hq_host a;
	struct hq_signal sig = { 429, 0, 2.0, 0, 0.5, 30 };
	double until;

	hq_host_init(&a, 0, 0);
	until = hostq_backoff(&a, &sig, 10);
	CHECK_NEAR(until, 12, 1e-9);
	sig.retry_after = 100;
	until = hostq_backoff(&a, &sig, 10);
	CHECK_NEAR(until, 40, 1e-9);
	sig.status = 500;		/* Retry-After counts on 429/503 */
	CHECK(hostq_backoff(&a, &sig, 10) == 0);
	sig.status = 503;
	sig.retry_after = -1;		/* none given */
	CHECK(hostq_backoff(&a, &sig, 10) == 0);
}

TEST(a_run_of_connection_failures_pauses_and_doubles)
{
	struct hq_host a;
	struct hq_signal sig = { 0, 1, -1, 0, 0.5, 30 };
	double until;
	int i;

	hq_host_init(&a, 0, 0);
	for (i = 1; i < HQ_FAIL_RUN; i++)
		CHECK(hostq_backoff(&a, &sig, 1) == 0);
	until = hostq_backoff(&a, &sig, 1);
	CHECK_NEAR(until, 1.5, 1e-9);
	/* Attempts started before that pause ended do not extend it. */
	sig.started = 1.2;
	for (i = 0; i < 2 * HQ_FAIL_RUN; i++)
		CHECK(hostq_backoff(&a, &sig, 1.3) == 0);
	sig.started = 2;
	for (i = 1; i < HQ_FAIL_RUN; i++)
		CHECK(hostq_backoff(&a, &sig, 3) == 0);
	until = hostq_backoff(&a, &sig, 3);
	CHECK_NEAR(until, 4, 1e-9);	/* 1 s: doubled */
	/* A response ends the run and the doubling. */
	sig.status = 200;
	sig.conn_failed = 0;
	CHECK(hostq_backoff(&a, &sig, 5) == 0);
	sig.status = 0;
	sig.conn_failed = 1;
	sig.started = 10;
	for (i = 1; i < HQ_FAIL_RUN; i++)
		CHECK(hostq_backoff(&a, &sig, 11) == 0);
	until = hostq_backoff(&a, &sig, 11);
	CHECK_NEAR(until, 11.5, 1e-9);
	/* Other failures say nothing of the host's reachability. */
	sig.conn_failed = 0;
	for (i = 0; i < 2 * HQ_FAIL_RUN; i++)
		CHECK(hostq_backoff(&a, &sig, 20) == 0);
}

TEST(aimd_grows_by_one_per_window_of_fast_successes)
{
	struct hq_aimd a;
	struct hq_outcome ok = { 0, 1, 0.010, 0 };
	int i;

	hostq_aimd_init(&a, 4);
	CHECK(a.limit == 1);
	CHECK(hostq_aimd(&a, &ok, 1) == 2);	/* 1 success at 1 */
	CHECK(hostq_aimd(&a, &ok, 1) == 2);
	CHECK(hostq_aimd(&a, &ok, 1) == 3);	/* 2 successes at 2 */
	for (i = 0; i < 20; i++)
		(void)hostq_aimd(&a, &ok, 1);
	CHECK(a.limit == 4);			/* never above max */
}

TEST(aimd_halves_once_per_overload_burst)
{
	struct hq_aimd a;
	struct hq_outcome ok = { 0, 1, 0.010, 0 };
	struct hq_outcome busy = { 1, 0, 0, 5 };
	int i;

	hostq_aimd_init(&a, 16);
	for (i = 0; i < 200; i++)
		(void)hostq_aimd(&a, &ok, 1);
	CHECK(a.limit == 16);
	CHECK(hostq_aimd(&a, &busy, 10) == 8);
	/* Others sent before that cut fail too: no further cut. */
	CHECK(hostq_aimd(&a, &busy, 10.5) == 8);
	busy.started = 11;
	CHECK(hostq_aimd(&a, &busy, 12) == 4);
	busy.started = 13;
	CHECK(hostq_aimd(&a, &busy, 14) == 2);
	busy.started = 15;
	CHECK(hostq_aimd(&a, &busy, 16) == 1);
	busy.started = 17;
	CHECK(hostq_aimd(&a, &busy, 18) == 1);	/* never below 1 */
	/* And it recovers. */
	for (i = 0; i < 200; i++)
		(void)hostq_aimd(&a, &ok, 20);
	CHECK(a.limit == 16);
}

TEST(aimd_cuts_on_rising_latency)
{
	struct hq_aimd a;
	struct hq_outcome ok = { 0, 1, 0.010, 0 };
	struct hq_outcome slow = { 0, 1, 0.100, 5 };
	int i;

	hostq_aimd_init(&a, 8);
	for (i = 0; i < 100; i++)
		(void)hostq_aimd(&a, &ok, 1);
	CHECK(a.limit == 8);
	CHECK(hostq_aimd(&a, &slow, 6) == 4);
	/* A failure that is no overload (a 404, a refused connection)
	 * changes nothing. */
	ok.ok = 0;
	CHECK(hostq_aimd(&a, &ok, 7) == 4);
}

int
main(void)
{
	RUN(busy_host_holds_no_global_slot);
	RUN(hosts_are_served_round_robin);
	RUN(per_host_rate_spaces_starts_on_the_clock);
	RUN(crawl_delay_interval_from_the_fetch);
	RUN(pause_holds_the_host_and_counts_as_wait);
	RUN(waiting_for_a_global_slot_is_not_a_host_wait);
	RUN(cancel_gives_back_a_grant_not_claimed);
	RUN(raising_the_limit_starts_waiters);
	RUN(retry_after_pauses_for_its_value_capped);
	RUN(a_run_of_connection_failures_pauses_and_doubles);
	RUN(aimd_grows_by_one_per_window_of_fast_successes);
	RUN(aimd_halves_once_per_overload_burst);
	RUN(aimd_cuts_on_rising_latency);
	return unit_done("tests/unit/test_hostq.c");
}
