/* hist.c: log-linear latency histogram (see hist.h for the resolution). */
#include <math.h>
#include <string.h>

#include "hist.h"

#define SUB	(1 << HIST_SUB_BITS)		/* exact buckets */
#define HALF	(1 << (HIST_SUB_BITS - 1))	/* buckets per octave */
#define US_MAX	((UINT64_C(1) << (HIST_MAX_EXP + 1)) - 1)

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

int
hist_bucket(uint64_t us)
{
	int e, shift;

	if (us > US_MAX)
		us = US_MAX;
	if (us < SUB)
		return (int)us;
	e = 63 - __builtin_clzll(us);		/* 2^e <= us < 2^(e+1) */
	shift = e - HIST_SUB_BITS + 1;		/* us >> shift: [HALF, SUB) */
	return SUB + (e - HIST_SUB_BITS) * HALF +
	    (int)((us >> shift) - HALF);
}

uint64_t
hist_bucket_low(int b)
{
	int octave;

	if (b < SUB)
		return (uint64_t)b;
	octave = (b - SUB) / HALF;
	return (uint64_t)((b - SUB) % HALF + HALF) << (octave + 1);
}

uint64_t
hist_bucket_width(int b)
{
	if (b < SUB)
		return 1;
	return UINT64_C(1) << ((b - SUB) / HALF + 1);
}

void
hist_add(struct hist *h, double sec)
{
	double us;

	if (!(sec > 0))			/* also NaN */
		sec = 0;
	us = sec * 1e6 + 0.5;
	h->counts[hist_bucket(us >= (double)US_MAX ? US_MAX :
	    (uint64_t)us)]++;
	if (h->n == 0 || sec < h->min)
		h->min = sec;
	if (h->n == 0 || sec > h->max)
		h->max = sec;
	h->n++;
}

double
hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0;
	double v;
	int b;

	if (h->n == 0)
		return 0;
	/* p * n first: exact for whole p, where p / 100 * n is not. */
	v = ceil(p * (double)h->n / 100.0);
	rank = v < 1 ? 1 : v > (double)h->n ? h->n : (uint64_t)v;
	for (b = 0; b < HIST_BUCKETS; b++) {
		seen += h->counts[b];
		if (seen >= rank)
			break;
	}
	if (b == HIST_BUCKETS)
		b--;
	v = ((double)hist_bucket_low(b) +
	    (double)(hist_bucket_width(b) - 1) / 2.0) / 1e6;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}
