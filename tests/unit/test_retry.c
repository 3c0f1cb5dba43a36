/* test_retry.c: --retry-on, which failures are retried, the backoff with
 * full jitter, and Retry-After (cofetch(1), --retry-on and
 * --retry-base-delay). */
#include <math.h>
#include <string.h>
#include <time.h>

#include "retry.h"
#include "unit.h"

/* Sun, 06 Nov 1994 08:49:37 GMT */
#define T1994	784111777.0

static struct retry_policy
policy(const char *list)
{
	struct retry_policy	p;
	char			err[512];

	err[0] = '\0';
	CHECK(retry_policy_parse(&p, list, err, sizeof(err)) == 0);
	CHECK(err[0] == '\0');
	return p;
}

TEST(retry_on_default_list_parses)
{
	struct retry_policy	p;

	p = policy("connect,timeout,recv,429,500,502,503,504");
	CHECK(p.kinds == (1u << KIND_CONNECT | 1u << KIND_TIMEOUT |
	    1u << KIND_RECV));
	CHECK(retry_should(&p, KIND_HTTP, 429, "GET", 1, 2));
	CHECK(retry_should(&p, KIND_HTTP, 504, "GET", 1, 2));
	CHECK(!retry_should(&p, KIND_HTTP, 501, "GET", 1, 2));
	CHECK(!retry_should(&p, KIND_HTTP, 404, "GET", 1, 2));
	CHECK(retry_should(&p, KIND_CONNECT, 0, "GET", 1, 2));
	CHECK(!retry_should(&p, KIND_DNS, 0, "GET", 1, 2));
	CHECK(!retry_should(&p, KIND_TLS, 0, "GET", 1, 2));
}

TEST(retry_on_empty_or_none_retries_nothing)
{
	static const char *const lists[] = { "", "none", " none ", "  " };
	struct retry_policy	 p;
	size_t			 i;
	int			 k;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		p = policy(lists[i]);
		CHECK(p.kinds == 0);
		for (k = 0; k < (int)sizeof(p.status); k++)
			CHECK(p.status[k] == 0);
		CHECK(!retry_should(&p, KIND_CONNECT, 0, "GET", 1, 5));
		CHECK(!retry_should(&p, KIND_HTTP, 503, "GET", 1, 5));
	}
}

TEST(retry_on_items_may_have_spaces_and_any_order)
{
	struct retry_policy	p;

	p = policy(" 599 , dns,100");
	CHECK(p.kinds == 1u << KIND_DNS);
	CHECK(retry_should(&p, KIND_HTTP, 599, "GET", 1, 1));
	CHECK(retry_should(&p, KIND_HTTP, 100, "GET", 1, 1));
	CHECK(retry_should(&p, KIND_DNS, 0, "GET", 1, 1));
}

TEST(retry_on_http_kind_retries_every_http_error)
{
	struct retry_policy	p;

	p = policy("http");
	CHECK(retry_should(&p, KIND_HTTP, 404, "GET", 1, 1));
	CHECK(retry_should(&p, KIND_HTTP, 500, "GET", 1, 1));
	CHECK(!retry_should(&p, KIND_CONNECT, 0, "GET", 1, 1));
}

TEST(retry_on_bad_items_are_named)
{
	static const struct {
		const char	*list;
		const char	*named;
	} cases[] = {
		{ "foo", "item 'foo' is neither" },
		{ "connect,bogus", "item 'bogus' is neither" },
		{ "600", "item '600' is neither" },
		{ "099", "item '099' is neither" },
		{ "4290", "item '4290' is neither" },
		{ "42", "item '42' is neither" },
		{ "+429", "item '+429' is neither" },
		{ "CONNECT", "item 'CONNECT' is neither" },
		{ "429,", "item '' is neither" },
		{ ",429", "item '' is neither" },
		{ "429,,500", "item '' is neither" },
		{ "none,", "item '' is neither" },
	};
	struct retry_policy	p;
	char			err[512];
	size_t			i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		memset(&p, 0xff, sizeof(p));
		CHECK(retry_policy_parse(&p, cases[i].list, err,
		    sizeof(err)) == -1);
		CHECK(strstr(err, cases[i].named) == err);
		/* ... and what is accepted. */
		CHECK(strstr(err, "timeout") != NULL &&
		    strstr(err, "100 to 599") != NULL);
		/* A failed parse leaves an empty policy. */
		CHECK(p.kinds == 0 && p.status[429 / 8] == 0);
	}
	/* A short buffer is truncated, not overrun. */
	CHECK(retry_policy_parse(&p, "foo", err, 8) == -1);
	CHECK(strlen(err) == 7);
	CHECK(retry_policy_parse(&p, "foo", NULL, 0) == -1);
}

TEST(only_idempotent_methods_are_retried)
{
	static const char *const yes[] = {
		"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"
	};
	static const char *const no[] = {
		"POST", "PATCH", "CONNECT", "get", "GETX", "", "PROPFIND"
	};
	struct retry_policy	p = policy("connect");
	size_t			i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		CHECK(retry_method_idempotent(yes[i]));
		CHECK(retry_should(&p, KIND_CONNECT, 0, yes[i], 1, 2));
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		CHECK(!retry_method_idempotent(no[i]));
		CHECK(!retry_should(&p, KIND_CONNECT, 0, no[i], 1, 2));
	}
	CHECK(!retry_method_idempotent(NULL));
}

TEST(retry_unsafe_only_when_not_sent_or_a_listed_status)
{
	struct retry_policy	p = policy("dns,connect,tls,timeout,recv,503");

	CHECK(!retry_should(&p, KIND_CONNECT, 0, "POST", 1, 2));
	p.unsafe = 1;
	CHECK(retry_should(&p, KIND_DNS, 0, "POST", 1, 2));
	CHECK(retry_should(&p, KIND_CONNECT, 0, "POST", 1, 2));
	CHECK(retry_should(&p, KIND_TLS, 0, "PATCH", 1, 2));
	CHECK(retry_should(&p, KIND_HTTP, 503, "POST", 1, 2));
	/* Sent, maybe acted on: never again. */
	CHECK(!retry_should(&p, KIND_TIMEOUT, 0, "POST", 1, 2));
	CHECK(!retry_should(&p, KIND_RECV, 0, "POST", 1, 2));
	/* Not listed, or out of attempts: no. */
	CHECK(!retry_should(&p, KIND_HTTP, 500, "POST", 1, 2));
	CHECK(!retry_should(&p, KIND_CONNECT, 0, "POST", 3, 2));
	CHECK(retry_should(&p, KIND_TIMEOUT, 0, "GET", 1, 2));
}

TEST(retry_max_time_is_a_deadline_for_starting_a_retry)
{
	CHECK(retry_in_time(100, 100, 0));		/* no limit */
	CHECK(retry_in_time(1.0, 0.5, 2));
	CHECK(!retry_in_time(1.0, 1.0, 2));
	CHECK(!retry_in_time(2.5, 0, 2));
}

TEST(retries_stop_after_the_limit)
{
	struct retry_policy	p = policy("timeout");

	/* --retries 2: at most 3 attempts. */
	CHECK(retry_should(&p, KIND_TIMEOUT, 0, "GET", 1, 2));
	CHECK(retry_should(&p, KIND_TIMEOUT, 0, "GET", 2, 2));
	CHECK(!retry_should(&p, KIND_TIMEOUT, 0, "GET", 3, 2));
	/* --retries 0: never. */
	CHECK(!retry_should(&p, KIND_TIMEOUT, 0, "GET", 1, 0));
}

TEST(success_and_cancelled_are_never_retried)
{
	struct retry_policy	p = policy("cancelled,timeout,200");

	CHECK(!retry_should(&p, KIND_NONE, 200, "GET", 1, 5));
	CHECK(!retry_should(&p, KIND_CANCELLED, 0, "GET", 1, 5));
	CHECK(!retry_should(&p, KIND_COUNT, 0, "GET", 1, 5));
	/* A status only counts with kind http. */
	CHECK(!retry_should(&p, KIND_TOO_LARGE, 200, "GET", 1, 5));
	CHECK(!retry_should(&p, KIND_HTTP, 700, "GET", 1, 5));
	CHECK(!retry_should(&p, KIND_HTTP, -1, "GET", 1, 5));
}

TEST(backoff_is_full_jitter_of_a_capped_exponential)
{
	/* u * min(max, base * 2^(attempts-1)) */
	CHECK_NEAR(retry_delay(1, 0.5, 30, -1, 0.999999), 0.5, 1e-5);
	CHECK_NEAR(retry_delay(2, 0.5, 30, -1, 0.999999), 1.0, 1e-5);
	CHECK_NEAR(retry_delay(3, 0.5, 30, -1, 0.5), 1.0, 1e-9);
	CHECK_NEAR(retry_delay(4, 0.5, 30, -1, 0.25), 1.0, 1e-9);
	CHECK(retry_delay(5, 0.5, 30, -1, 0) == 0);
	/* The cap. */
	CHECK_NEAR(retry_delay(10, 0.5, 30, -1, 0.5), 15, 1e-9);
	CHECK_NEAR(retry_delay(100000, 0.5, 30, -1, 0.5), 15, 1e-9);
	CHECK_NEAR(retry_delay(2000, 1e300, 30, -1, 0.5), 15, 1e-9);
	/* Nonsense stays in bounds. */
	CHECK(retry_delay(0, 0.5, 30, -1, 0.5) == 0.25);
	CHECK(retry_delay(3, 0, 30, -1, 0.5) == 0);
	CHECK(retry_delay(3, -1, 30, -1, 0.5) == 0);
	CHECK(retry_delay(3, NAN, 30, -1, 0.5) == 0);
	CHECK(retry_delay(3, 0.5, 0, -1, 0.5) == 0);
	CHECK(retry_delay(3, 0.5, NAN, -1, 0.5) == 0);
	CHECK(retry_delay(3, 0.5, 30, -1, NAN) == 0);
	CHECK(retry_delay(3, 0.5, 30, -1, 7) <= 2);
}

TEST(backoff_stays_within_bounds_for_every_jitter)
{
	long	a;
	double	u, d, cap;

	for (a = 1; a <= 20; a++) {
		cap = fmin(30, 0.5 * pow(2, (double)(a - 1)));
		for (u = 0; u < 1; u += 0.0625) {
			d = retry_delay(a, 0.5, 30, -1, u);
			CHECK(d >= 0 && d < cap + 1e-12);
			CHECK_NEAR(d, u * cap, 1e-9);
		}
	}
}

TEST(retry_after_replaces_the_backoff_capped_by_max_delay)
{
	CHECK(retry_delay(1, 0.5, 30, 5, 0.1) == 5);
	CHECK(retry_delay(1, 0.5, 30, 0, 0.9) == 0);
	CHECK(retry_delay(3, 0.5, 30, 120, 0.1) == 30);
	CHECK(retry_delay(3, 0.5, 30, INFINITY, 0.1) == 30);
	CHECK(retry_delay(3, 0.5, 0, 10, 0.1) == 0);
}

TEST(retry_after_seconds)
{
	CHECK(retry_after_parse("120", T1994) == 120);
	CHECK(retry_after_parse(" 5 ", T1994) == 5);
	CHECK(retry_after_parse("\t0", T1994) == 0);
	CHECK(retry_after_parse("007", T1994) == 7);
	CHECK(retry_after_parse("99999999999999999999", T1994) >= 1e19);
}

TEST(retry_after_rejects_what_is_not_seconds_or_a_date)
{
	static const char *const bad[] = {
		"-1", "abc", "", " ", "1.5", "5s", "+5", "1 2", "0x10",
		"tomorrow", "GMT", "Nov", "Sun",
		"Sun, 06 Foo 1994 08:49:37 GMT",	/* no month */
		"Foo, 06 Nov 1994 08:49:37 GMT",
		"Sun, 00 Nov 1994 08:49:37 GMT",	/* no such day */
		"Sun, 06 Nov 1994 24:00:00 GMT",	/* no such time */
		"Sun, 06 Nov 1994 08:60:00 GMT",
		"Sun Nov 123 08:49:37 1994",
	};
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(retry_after_parse(bad[i], T1994) == -1);
		if (retry_after_parse(bad[i], T1994) != -1)
			fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
	}
	CHECK(retry_after_parse(NULL, T1994) == -1);
}

TEST(retry_after_http_dates_in_all_three_forms)
{
	static const char *const same[] = {
		"Sun, 06 Nov 1994 08:49:37 GMT",	/* IMF-fixdate */
		"Sunday, 06-Nov-94 08:49:37 GMT",	/* RFC 850 */
		"Sun Nov  6 08:49:37 1994",		/* asctime */
		/* What servers send besides, as curl reads it. */
		" Sun, 06 Nov 1994 08:49:37 GMT ",
		"sun, 06 nov 1994 08:49:37 gmt",
		"Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun Nov 6 08:49:37 1994",
		"Mon, 06 Nov 1994 08:49:37 GMT",	/* weekday unchecked */
		"Sun, 06 Nov 1994 08:49:37",		/* no zone: GMT */
		"Sun, 06 Nov 94 08:49:37 GMT",		/* two-digit year */
		"Sun, 06 Nov 1994 09:49:37 +0100",	/* another zone */
		"Sun, 06 Nov 1994 08:49:37 GMT; x",	/* text after it */
	};
	size_t	i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		CHECK(retry_after_parse(same[i], T1994 - 90) == 90);
		if (retry_after_parse(same[i], T1994 - 90) != 90)
			fprintf(stderr, "  \"%s\"\n", same[i]);
	}
	/* Fractions of a second of the clock are kept. */
	CHECK_NEAR(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT",
	    T1994 - 0.25), 0.25, 1e-6);
	/* A leap day and a leap second (read as the next second). */
	CHECK(retry_after_parse("Thu, 29 Feb 2024 00:00:00 GMT",
	    1709164800.0 - 1) == 1);
	CHECK(retry_after_parse("Sat, 31 Dec 2016 23:59:60 GMT",
	    1483228800.0 - 1) == 1);
}

TEST(retry_after_date_in_the_past_is_zero)
{
	CHECK(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT",
	    T1994 + 3600) == 0);
	CHECK(retry_after_parse("Thu, 01 Jan 1970 00:00:00 GMT",
	    1.7e9) == 0);
	CHECK(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT",
	    T1994) == 0);
}

TEST(retry_after_two_digit_years_are_1971_to_2070)
{
	double	now2030 = 1893456000.0;	/* 2030-01-01 00:00:00 UTC */

	/* "Friday, 01-Jan-99": 1999, in the past. */
	CHECK(retry_after_parse("Friday, 01-Jan-99 00:00:00 GMT",
	    now2030) == 0);
	/* "Tuesday, 01-Jan-30 00:00:10": 2030. */
	CHECK(retry_after_parse("Tuesday, 01-Jan-30 00:00:10 GMT",
	    now2030) == 10);
	/* "...-Jan-70": 2070; "...-Jan-71": 1971. */
	CHECK(retry_after_parse("Wednesday, 01-Jan-70 00:00:00 GMT",
	    now2030) > 39 * 365 * 86400.0);
	CHECK(retry_after_parse("Friday, 01-Jan-71 00:00:00 GMT",
	    now2030) == 0);
}

TEST(retry_after_ignores_the_locale)
{
	/* Month and day names are English whatever LC_TIME says
	 * (curl_getdate(), not strptime). Check a date in every month. */
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec"
	};
	char	s[64];
	int	m;
	double	t, prev = -1;

	for (m = 0; m < 12; m++) {
		snprintf(s, sizeof(s), "Wed, 15 %s 2025 12:00:00 GMT",
		    months[m]);
		t = retry_after_parse(s, 0);
		CHECK(t > prev);
		prev = t;
	}
	CHECK(prev == 1765800000.0);	/* 2025-12-15 12:00:00 UTC */
}

int
main(void)
{
	RUN(retry_on_default_list_parses);
	RUN(retry_on_empty_or_none_retries_nothing);
	RUN(retry_on_items_may_have_spaces_and_any_order);
	RUN(retry_on_http_kind_retries_every_http_error);
	RUN(retry_on_bad_items_are_named);
	RUN(only_idempotent_methods_are_retried);
	RUN(retry_unsafe_only_when_not_sent_or_a_listed_status);
	RUN(retry_max_time_is_a_deadline_for_starting_a_retry);
	RUN(retries_stop_after_the_limit);
	RUN(success_and_cancelled_are_never_retried);
	RUN(backoff_is_full_jitter_of_a_capped_exponential);
	RUN(backoff_stays_within_bounds_for_every_jitter);
	RUN(retry_after_replaces_the_backoff_capped_by_max_delay);
	RUN(retry_after_seconds);
	RUN(retry_after_rejects_what_is_not_seconds_or_a_date);
	RUN(retry_after_http_dates_in_all_three_forms);
	RUN(retry_after_date_in_the_past_is_zero);
	RUN(retry_after_two_digit_years_are_1971_to_2070);
	RUN(retry_after_ignores_the_locale);
	return unit_done(__FILE__);
}
