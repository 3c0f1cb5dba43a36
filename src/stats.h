/* stats.h: the --stats summary of a run: counts gathered from every
 * record, and their renderings. */
#ifndef COFETCH_STATS_H
#define COFETCH_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "kind.h"
#include "record.h"
#include "util.h"

/* What --stats reports, gathered from every record. */
struct stats {
	uint64_t	 requests;	/* records */
	uint64_t	 ok;
	uint64_t	 failed;
	uint64_t	 kinds[KIND_COUNT];	/* records by error kind */
	uint64_t	 status[7];	/* no response, 1xx..5xx, other */
	uint64_t	 retries;	/* attempts - 1, summed */
	uint64_t	 bytes;		/* size, summed */
	struct hist	 latency;	/* elapsed, of records with
					 * attempts > 0 */
	double		 start;		/* now_mono() at stats_init() */
};

void	stats_init(struct stats *st);
void	stats_note(struct stats *st, const struct result *res);
/* Add the counts of st into sum, the histogram too (-P: the parent sums
 * its children's); sum->start is kept. */
void	stats_add(struct stats *sum, const struct stats *st);
/* Append the --stats object as one line of JSON ending in "\n"; wall is
 * the run's duration in seconds. */
void	stats_json(struct buf *out, const struct stats *st, double wall);
/* Append the short human summary, one line ending in "\n": every error
 * kind that occurred is named. */
void	stats_human(struct buf *out, const struct stats *st, double wall);
/* Write the object (and, when human, the human line) to stderr, with the
 * time since stats_init() as the run's duration. */
void	stats_print(const struct stats *st, int human);

/* Append " (timeout 9, http 3, other 4)": the max most frequent error
 * kinds, most first, and "other" for the rest, which is always two kinds
 * or more (a single one is named); nothing when none failed. */
void	stats_add_kinds(struct buf *out, const struct stats *st, int max);
/* A rate: "4.25/s", "42.5/s", "425/s". */
void	stats_fmt_rate(char *s, size_t size, double r);

#endif
