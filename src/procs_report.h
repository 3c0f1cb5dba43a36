/* procs_report.h: -P: each child sends the parent its numbers (its
 * struct stats, requests in flight) through a pipe of its own, now and
 * then while a progress line is shown and once at the end; the parent
 * adds them up (stats_add()) for one progress line and one --stats
 * summary. Parent and child are the same binary, forked: the numbers
 * travel as the struct itself. */
#ifndef COFETCH_PROCS_REPORT_H
#define COFETCH_PROCS_REPORT_H

#include <stddef.h>

#include "stats.h"

struct ev_loop;
struct input;
struct opts;
struct progress_feed;
struct result;
struct resume;

/* In a child: report to fd (blocking; the parent reads it at once), every
 * REPORT_EVERY seconds when periodic. */
#define REPORT_EVERY	0.25
void	report_child_start(struct ev_loop *loop, int fd, int periodic);
void	report_child_note(const struct result *res);
void	report_child_finish(void);	/* the last report; closes fd */

/* In the parent: fds[n] the read ends (owned: closed at their end); o
 * the user's options, in the parent's input (counted for the progress
 * line's total, once input_count_start()ed), resumed what --resume
 * skips. */
void	report_parent_start(struct ev_loop *loop, int *fds, size_t n,
	    const struct opts *o, struct input *in,
	    const struct resume *resumed);
int	report_parent_done(void);	/* every fd has ended */
/* The sum of the latest reports (valid until the next call; its start
 * is report_parent_start()'s time), and the requests in flight. */
const struct stats *report_parent_sum(long *inflight);
/* The progress line's numbers (progress.c asks nobody): the sums, and
 * the total counted by the parent's input, less the lines --resume
 * skips. */
void	report_parent_feed(struct progress_feed *f);
void	report_parent_free(void);

#endif
