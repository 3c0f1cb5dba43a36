/* test_hist.c: the --stats latency histogram: percentiles within the
 * resolution hist.h promises, exact minimum and maximum, bounded memory. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "unit.h"

static struct hist h;

/* A fixed pseudo-random sequence (xorshift64*), so failures repeat. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static double
uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of sorted[0..n). */
static double
exact_percentile(const double *sorted, size_t n, double p)
{
	double r = ceil(p * (double)n / 100.0);

	if (r < 1)
		r = 1;
	if (r > (double)n)
		r = (double)n;
	return sorted[(size_t)r - 1];
}

/* hist.h: within 1/128 of the true value plus half a microsecond. */
static int
within_resolution(double got, double want)
{
	if (fabs(got - want) <= want / 128.0 + 0.5e-6 + 1e-12)
		return 1;
	fprintf(stderr, "  got %.9f want %.9f (off by %.3g%%)\n", got, want,
	    100.0 * fabs(got - want) / want);
	return 0;
}

static void
check_sample(double *v, size_t n)
{
	static const double ps[] = { 0.1, 1, 10, 25, 50, 75, 90, 95, 99,
	    99.9, 99.99, 100 };
	size_t i;

	hist_init(&h);
	for (i = 0; i < n; i++)
		hist_add(&h, v[i]);
	qsort(v, n, sizeof(*v), cmp_double);
	CHECK(h.n == n);
	CHECK(h.min == v[0]);
	CHECK(h.max == v[n - 1]);
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		CHECK(within_resolution(hist_percentile(&h, ps[i]),
		    exact_percentile(v, n, ps[i])));
}

TEST(buckets_tile_the_range_without_gaps_or_overlaps)
{
	int b;

	CHECK(hist_bucket_low(0) == 0);
	for (b = 0; b + 1 < HIST_BUCKETS; b++)
		CHECK(hist_bucket_low(b + 1) ==
		    hist_bucket_low(b) + hist_bucket_width(b));
	for (b = 0; b < HIST_BUCKETS; b++) {
		CHECK(hist_bucket(hist_bucket_low(b)) == b);
		CHECK(hist_bucket(hist_bucket_low(b) +
		    hist_bucket_width(b) - 1) == b);
	}
}

TEST(a_bucket_is_at_most_one_64th_of_its_values)
{
	int b;

	for (b = 0; b < 128; b++)
		CHECK(hist_bucket_width(b) == 1);
	for (b = 128; b < HIST_BUCKETS; b++)
		CHECK(hist_bucket_width(b) * 64 <= hist_bucket_low(b));
}

TEST(values_past_the_last_bucket_land_in_it)
{
	CHECK(hist_bucket(UINT64_MAX) == HIST_BUCKETS - 1);
	CHECK(hist_bucket((UINT64_C(1) << 43) - 1) == HIST_BUCKETS - 1);
	CHECK(hist_bucket(UINT64_C(1) << 43) == HIST_BUCKETS - 1);
}

TEST(percentiles_of_log_uniform_latencies_are_within_resolution)
{
	size_t n = 200000, i;
	double *v = malloc(n * sizeof(*v));

	/* 10 us to 100 s, evenly over the orders of magnitude. */
	for (i = 0; i < n; i++)
		v[i] = 1e-5 * pow(10, 7 * uniform());
	check_sample(v, n);
	free(v);
}

TEST(percentiles_of_a_narrow_web_like_sample_are_within_resolution)
{
	size_t n = 100000, i;
	double *v = malloc(n * sizeof(*v));

	/* Mostly 20-60 ms, with a slow tail to 3 s. */
	for (i = 0; i < n; i++)
		v[i] = uniform() < 0.97 ? 0.02 + 0.04 * uniform() :
		    0.06 + 3 * uniform() * uniform();
	check_sample(v, n);
	free(v);
}

TEST(small_odd_samples_are_within_resolution)
{
	double v[] = { 0.25, 0.000001, 0.0001275, 7.5, 0.5, 0.5, 0.5 };
	size_t n;

	for (n = 1; n <= sizeof(v) / sizeof(v[0]); n++) {
		double w[sizeof(v) / sizeof(v[0])];

		memcpy(w, v, n * sizeof(*v));
		check_sample(w, n);
	}
}

TEST(microsecond_latencies_below_128us_are_exact)
{
	int i;

	hist_init(&h);
	for (i = 1; i <= 100; i++)
		hist_add(&h, i * 1e-6);
	CHECK_NEAR(hist_percentile(&h, 50), 50e-6, 1e-12);
	CHECK_NEAR(hist_percentile(&h, 90), 90e-6, 1e-12);
	CHECK_NEAR(hist_percentile(&h, 99), 99e-6, 1e-12);
	CHECK_NEAR(hist_percentile(&h, 100), 100e-6, 1e-12);
}

TEST(one_sample_reports_itself_exactly)
{
	hist_init(&h);
	hist_add(&h, 0.123456789);
	CHECK(hist_percentile(&h, 50) == 0.123456789);
	CHECK(hist_percentile(&h, 99) == 0.123456789);
	CHECK(h.min == 0.123456789 && h.max == 0.123456789);
}

TEST(min_and_max_are_exact_and_bound_every_percentile)
{
	hist_init(&h);
	hist_add(&h, 1.0000001);
	hist_add(&h, 1.0000002);
	hist_add(&h, 1.0000003);
	CHECK(h.min == 1.0000001);
	CHECK(h.max == 1.0000003);
	CHECK(hist_percentile(&h, 1) >= h.min);
	CHECK(hist_percentile(&h, 100) <= h.max);
}

TEST(empty_histogram_reports_zero)
{
	hist_init(&h);
	CHECK(hist_percentile(&h, 50) == 0);
	CHECK(h.n == 0);
}

TEST(negative_nan_and_huge_samples_are_counted_safely)
{
	hist_init(&h);
	hist_add(&h, -1);
	hist_add(&h, NAN);
	hist_add(&h, 1e300);
	CHECK(h.n == 3);
	CHECK(h.min == 0);
	CHECK(h.max == 1e300);
	CHECK(hist_percentile(&h, 50) == 0);
	CHECK(hist_percentile(&h, 100) > 8e6);	/* the last bucket */
}

TEST(memory_is_fixed_whatever_the_sample_count)
{
	size_t i;

	CHECK(sizeof(struct hist) < 32 * 1024);
	hist_init(&h);
	for (i = 0; i < 1000000; i++)
		hist_add(&h, 0.001 * (double)(i % 1000));
	CHECK(h.n == 1000000);
	CHECK(within_resolution(hist_percentile(&h, 50), 0.499));
}

int
main(void)
{
	RUN(buckets_tile_the_range_without_gaps_or_overlaps);
	RUN(a_bucket_is_at_most_one_64th_of_its_values);
	RUN(values_past_the_last_bucket_land_in_it);
	RUN(percentiles_of_log_uniform_latencies_are_within_resolution);
	RUN(percentiles_of_a_narrow_web_like_sample_are_within_resolution);
	RUN(small_odd_samples_are_within_resolution);
	RUN(microsecond_latencies_below_128us_are_exact);
	RUN(one_sample_reports_itself_exactly);
	RUN(min_and_max_are_exact_and_bound_every_percentile);
	RUN(empty_histogram_reports_zero);
	RUN(negative_nan_and_huge_samples_are_counted_safely);
	RUN(memory_is_fixed_whatever_the_sample_count);
	return unit_done(__FILE__);
}
