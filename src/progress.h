/* progress.h: the live progress line on stderr. */
#ifndef COFETCH_PROGRESS_H
#define COFETCH_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "opts.h"
#include "stats.h"

struct ev_loop;

/* The numbers the line shows, handed over by main.c each time. */
struct progress_feed {
	const struct stats *st;		/* the records so far */
	long		 inflight;	/* requests in flight */
	int		 total_known;
	uint64_t	 total;		/* request lines of the whole input
					 * (every shard), when known */
};

/* Returns 1 when a line will be shown (so the total is worth counting),
 * else 0: the other calls then do nothing. */
int	progress_init(struct ev_loop *loop, const struct opts *o);
/* Would progress_init() show a line (non-zero), from o and stderr alone?
 * (-P decides before it forks whether children report now and then.) */
int	progress_wanted(const struct opts *o);
void	progress_admit(void);			/* a request got its index */
/* A request of this shard was skipped by --resume: one fewer to wait for
 * (the total shrinks). */
void	progress_skip(void);
void	progress_tick(const struct progress_feed *f);	/* the loop is about
							 * to block */
void	progress_finish(const struct progress_feed *f);	/* clear the line,
							 * or a last one */
void	progress_free(void);
/* Erase the live line before other text is written to stderr; the next
 * progress_tick() draws it again. */
void	progress_clear(void);

/* The pure parts, exposed for the tests. */

/* What the live line shows. */
struct progress_view {
	const struct stats *st;
	int		 total_known;
	uint64_t	 total;		/* records to expect, when known */
	long		 inflight;
	double		 rate_recent;	/* records per second, last seconds */
	double		 rate_all;	/* records per second, whole run */
};

/* Format the live line (no escapes, no newline) into line[size]: at most
 * width - 1 characters when width > 0, cut at the end, where the least
 * useful fields are; not cut when width <= 0. Returns its length. */
size_t	progress_format(char *line, size_t size,
	    const struct progress_view *v, int width);
/* How many of indexes 0..total-1 fall in shard k (1-based) of n. */
uint64_t progress_shard_share(uint64_t total, uint64_t k, uint64_t n);

#endif
