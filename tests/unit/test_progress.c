/* test_progress.c: the live progress line as a user sees it (fields,
 * ETA, error kinds, fitting the terminal). The --stats summary is
 * test_stats.c's, the counting of lines test_input_count.c's. */
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "record.h"
#include "stats.h"
#include "util.h"
#include "unit.h"

static struct stats st;

/* Note one record of kind k with status, attempts, size and elapsed. */
static void
note(enum kind k, long status, long attempts, int64_t size, double elapsed)
{
	struct result res;

	result_init(&res);
	res.kind = k;
	res.status = status;
	res.attempts = attempts;
	res.size = size;
	res.elapsed = elapsed;
	stats_note(&st, &res);
	result_free(&res);
}

static void
note_n(int n, enum kind k, long status)
{
	while (n-- > 0)
		note(k, status, 1, 100, 0.05);
}

/* 1234 records: 1200 ok, 20 timeouts, 10 http, 4 dns. */
static void
fill_typical(void)
{
	stats_init(&st);
	note_n(1200, KIND_NONE, 200);
	note_n(20, KIND_TIMEOUT, 0);
	note_n(10, KIND_HTTP, 503);
	note_n(4, KIND_DNS, 0);
}

static void
view_typical(struct progress_view *v, int total_known)
{
	memset(v, 0, sizeof(*v));
	v->st = &st;
	v->total_known = total_known;
	v->total = 10000;
	v->inflight = 50;
	v->rate_recent = 85.2;
	v->rate_all = 80.06;
}

TEST(line_shows_done_total_rates_eta_in_flight_ok_and_failures)
{
	struct progress_view v;
	char line[512];
	size_t n;

	fill_typical();
	view_typical(&v, 1);
	n = progress_format(line, sizeof(line), &v, 0);
	/* 8766 left at 85.2/s: 102.9 s. */
	CHECK_STR(line, "1234/10000 12%  85.2/s (avg 80.1/s)  ETA 1m43s  "
	    "in flight 50  ok 1200  fail 34 (timeout 20, http 10, dns 4)");
	CHECK(n == strlen(line));
}

TEST(line_without_a_known_total_shows_a_running_count_and_no_eta)
{
	struct progress_view v;
	char line[512];

	fill_typical();
	view_typical(&v, 0);
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK_STR(line, "1234 done  85.2/s (avg 80.1/s)  in flight 50  "
	    "ok 1200  fail 34 (timeout 20, http 10, dns 4)");
}

TEST(line_names_the_top_three_error_kinds_and_counts_the_rest)
{
	struct progress_view v;
	char line[512];

	stats_init(&st);
	note_n(3, KIND_CONNECT, 0);
	note_n(5, KIND_TLS, 0);
	note_n(1, KIND_RECV, 0);
	note_n(3, KIND_HTTP, 404);
	note_n(2, KIND_INVALID_URL, 0);
	view_typical(&v, 0);
	v.inflight = 0;
	v.rate_recent = v.rate_all = 0;
	(void)progress_format(line, sizeof(line), &v, 0);
	/* Ties keep the kinds' order (connect before http). */
	CHECK_STR(line, "14 done  0.00/s (avg 0.00/s)  in flight 0  ok 0  "
	    "fail 14 (tls 5, connect 3, http 3, other 3)");
}

TEST(line_never_hides_a_single_kind_under_other)
{
	struct progress_view v;
	char line[512];

	stats_init(&st);
	note_n(3, KIND_CONNECT, 0);
	note_n(5, KIND_TLS, 0);
	note_n(3, KIND_HTTP, 404);
	note_n(1, KIND_RECV, 0);
	view_typical(&v, 0);
	v.inflight = 0;
	v.rate_recent = v.rate_all = 0;
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK_STR(line, "12 done  0.00/s (avg 0.00/s)  in flight 0  ok 0  "
	    "fail 12 (tls 5, connect 3, http 3, recv 1)");
}

TEST(line_with_no_failures_says_fail_0)
{
	struct progress_view v;
	char line[512];

	stats_init(&st);
	note_n(7, KIND_NONE, 200);
	view_typical(&v, 1);
	v.total = 7;
	v.inflight = 0;
	v.rate_recent = 1234.4;
	v.rate_all = 3.333;
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK_STR(line, "7/7 100%  1234/s (avg 3.33/s)  ETA 0s  in flight 0  "
	    "ok 7  fail 0");
}

TEST(eta_falls_back_to_the_overall_rate_and_else_says_unknown)
{
	struct progress_view v;
	char line[512];

	fill_typical();
	view_typical(&v, 1);
	v.rate_recent = 0;		/* nothing finished lately */
	v.rate_all = 2;
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK(strstr(line, "  ETA 1h13m  ") != NULL);	/* 8766 / 2 */
	v.rate_all = 0;
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK(strstr(line, "  ETA --  ") != NULL);
	v.rate_all = 0.01;
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK(strstr(line, "  ETA 10d03h  ") != NULL);
}

TEST(total_never_shows_less_than_done)
{
	struct progress_view v;
	char line[512];

	fill_typical();
	view_typical(&v, 1);
	v.total = 1000;			/* the file grew after counting */
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK(strncmp(line, "1234/1234 100%  ", 16) == 0);
}

TEST(line_fits_the_terminal_dropping_the_least_useful_fields_first)
{
	struct progress_view v;
	char line[512];
	int w;

	fill_typical();
	view_typical(&v, 1);
	(void)progress_format(line, sizeof(line), &v, 80);
	CHECK_STR(line, "1234/10000 12%  85.2/s (avg 80.1/s)  ETA 1m43s  "
	    "in flight 50  ok 1200  fail 34");
	(void)progress_format(line, sizeof(line), &v, 70);
	CHECK_STR(line, "1234/10000 12%  85.2/s  ETA 1m43s  in flight 50  "
	    "ok 1200  fail 34");
	(void)progress_format(line, sizeof(line), &v, 52);
	CHECK_STR(line, "1234/10000 12%  85.2/s  ETA 1m43s  ok 1200  "
	    "fail 34");
	(void)progress_format(line, sizeof(line), &v, 51);
	CHECK_STR(line, "1234/10000 12%  85.2/s  ETA 1m43s  fail 34");
	(void)progress_format(line, sizeof(line), &v, 40);
	CHECK_STR(line, "1234/10000 12%  85.2/s  ETA 1m43s  fail");
	/* Never the last column (no wrap), at any width. */
	for (w = 1; w <= 200; w++)
		CHECK(progress_format(line, sizeof(line), &v, w) <=
		    (size_t)w - 1);
	CHECK(progress_format(line, sizeof(line), &v, 1) == 0);
	CHECK_STR(line, "");
}

TEST(line_respects_a_small_buffer)
{
	struct progress_view v;
	char line[10];

	fill_typical();
	view_typical(&v, 1);
	CHECK(progress_format(line, sizeof(line), &v, 0) == 9);
	CHECK_STR(line, "1234/1000");
}

TEST(line_is_plain_ascii_without_escapes)
{
	struct progress_view v;
	char line[512];
	const char *p;

	fill_typical();
	view_typical(&v, 1);
	(void)progress_format(line, sizeof(line), &v, 0);
	for (p = line; *p != '\0'; p++)
		CHECK(*p >= 0x20 && *p < 0x7f);
}

TEST(a_shard_gets_its_share_of_the_total)
{
	uint64_t total, n, k, sum;

	CHECK(progress_shard_share(5, 1, 2) == 3);	/* 0 2 4 */
	CHECK(progress_shard_share(5, 2, 2) == 2);	/* 1 3 */
	CHECK(progress_shard_share(0, 1, 3) == 0);
	CHECK(progress_shard_share(7, 1, 1) == 7);
	for (total = 0; total < 40; total++)
		for (n = 1; n <= 7; n++) {
			sum = 0;
			for (k = 1; k <= n; k++)
				sum += progress_shard_share(total, k, n);
			CHECK(sum == total);
		}
}

int
main(void)
{
	RUN(line_shows_done_total_rates_eta_in_flight_ok_and_failures);
	RUN(line_without_a_known_total_shows_a_running_count_and_no_eta);
	RUN(line_names_the_top_three_error_kinds_and_counts_the_rest);
	RUN(line_never_hides_a_single_kind_under_other);
	RUN(line_with_no_failures_says_fail_0);
	RUN(eta_falls_back_to_the_overall_rate_and_else_says_unknown);
	RUN(total_never_shows_less_than_done);
	RUN(line_fits_the_terminal_dropping_the_least_useful_fields_first);
	RUN(line_respects_a_small_buffer);
	RUN(line_is_plain_ascii_without_escapes);
	RUN(a_shard_gets_its_share_of_the_total);
	return unit_done(__FILE__);
}
