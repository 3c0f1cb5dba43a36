/* hist.h: a fixed-size latency histogram (log-linear buckets, in the
 * manner of HdrHistogram) for the --stats percentiles: memory and the cost
 * of a sample are constant however many samples are added; no sample is
 * kept.
 *
 * Resolution. Samples are seconds, recorded as whole microseconds
 * (rounded). Below 128 us every microsecond has its own bucket (exact).
 * From 128 us up, each power-of-two range [2^e, 2^(e+1)) is cut into 64
 * equal buckets, so a bucket is at most 1/64 of its lower bound wide; a
 * percentile reports the middle of its bucket, which is within 1/128
 * (0.78%) of the true sample, plus half a microsecond for the rounding.
 * Samples above 2^43 us (about 102 days) count in the last bucket. The
 * minimum and the maximum are exact, and every percentile is clamped
 * between them (so one sample reports itself exactly). */
#ifndef COFETCH_HIST_H
#define COFETCH_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS	7	/* 2^7 exact buckets, 2^6 per octave */
#define HIST_MAX_EXP	42	/* highest octave: [2^42, 2^43) us */
#define HIST_BUCKETS	((1 << HIST_SUB_BITS) +				\
	    (HIST_MAX_EXP - HIST_SUB_BITS + 1) * (1 << (HIST_SUB_BITS - 1)))

/* All inline: about 19 KiB, no pointers; zero it with hist_init(). */
struct hist {
	uint64_t	 counts[HIST_BUCKETS];
	uint64_t	 n;		/* samples */
	double		 min;		/* exact, seconds; 0 when n == 0 */
	double		 max;
};

void	hist_init(struct hist *h);
/* Add one sample of sec seconds (negative or NaN counts as 0). */
void	hist_add(struct hist *h, double sec);
/* The p-th percentile (0 < p <= 100) in seconds by the nearest-rank
 * method: the smallest sample with at least ceil(p * n / 100) samples at
 * or below it, to the resolution above. 0 when there are no samples. */
double	hist_percentile(const struct hist *h, double p);

/* The bucket arithmetic, exposed for the tests: the bucket of a value in
 * microseconds, and the lowest value and width of a bucket. */
int	hist_bucket(uint64_t us);
uint64_t hist_bucket_low(int b);
uint64_t hist_bucket_width(int b);

#endif
