/* progress.h: the live progress line (stderr) and the --stats summary. */
#ifndef COFETCH_PROGRESS_H
#define COFETCH_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "kind.h"
#include "opts.h"
#include "record.h"
#include "request.h"
#include "util.h"

struct ev_loop;
struct input;

/* countable: the input, when its total can be counted up front (regular
 * files and arguments only), else NULL. */
void	progress_init(struct ev_loop *loop, const struct opts *o,
	    struct input *countable);
void	progress_admit(void);			/* a request got its index */
void	progress_note(const struct request *req, const struct result *res);
void	progress_tick(void);			/* the loop is about to block */
void	progress_finish(void);			/* clear the line, --stats */
void	progress_free(void);
/* A request of this shard was skipped by --resume: one fewer to wait for
 * (the total shrinks). */
void	progress_skip(void);
/* Erase the live line before other text is written to stderr; the next
 * progress_tick() draws it again. */
void	progress_clear(void);

/* The pure parts, exposed for the tests. */

/* What --stats reports, gathered from every record. */
struct progress_stats {
	uint64_t	 requests;	/* records */
	uint64_t	 ok;
	uint64_t	 failed;
	uint64_t	 kinds[KIND_COUNT];	/* records by error kind */
	uint64_t	 status[7];	/* no response, 1xx..5xx, other */
	uint64_t	 retries;	/* attempts - 1, summed */
	uint64_t	 bytes;		/* size, summed */
	struct hist	 latency;	/* elapsed, of records with
					 * attempts > 0 */
};

void	progress_stats_init(struct progress_stats *st);
void	progress_stats_note(struct progress_stats *st,
	    const struct result *res);
/* Append the --stats object as one line of JSON ending in "\n"; wall is
 * the run's duration in seconds. */
void	progress_stats_json(struct buf *out, const struct progress_stats *st,
	    double wall);
/* Append the short human summary, one line ending in "\n". */
void	progress_stats_human(struct buf *out,
	    const struct progress_stats *st, double wall);

/* What the live line shows. */
struct progress_view {
	const struct progress_stats *st;
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

/* Counting the request lines of a regular file ahead of the reader, by
 * the reader's rules (input_parse_line(), INPUT_LINE_MAX): a line is a
 * request unless it is blank or starts with '#' after white space and an
 * optional UTF-8 byte order mark. Zero it to start. */
struct progress_lines {
	uint64_t	 count;		/* request lines seen */
	uint64_t	 col;		/* bytes into the current line */
	int		 bom;		/* bytes of a byte order mark matched
					 * at its start */
	int		 decided;	/* 0 not yet, 1 request, -1 not */
};

void	progress_lines_add(struct progress_lines *pl, const char *p,
	    size_t n);
void	progress_lines_end(struct progress_lines *pl);	/* end of a file */
/* How many of indexes 0..total-1 fall in shard k (1-based) of n. */
uint64_t progress_shard_share(uint64_t total, uint64_t k, uint64_t n);

#endif
