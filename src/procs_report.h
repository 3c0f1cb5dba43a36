/* procs_report.h: -P: each child sends the parent its numbers (the
 * --stats counters and histogram, requests in flight) through a pipe of
 * its own, now and then while a progress line is shown and once at the
 * end; the parent adds them up for one progress line and one --stats
 * summary. Parent and child are the same binary, forked: the numbers
 * travel as the struct itself. */
#ifndef COFETCH_PROCS_REPORT_H
#define COFETCH_PROCS_REPORT_H

#include <stddef.h>

#include "progress.h"

struct ev_loop;
struct input;
struct opts;
struct result;
struct resume;

/* In a child: report to fd (blocking; the parent reads it at once), every
 * REPORT_EVERY seconds when periodic. */
#define REPORT_EVERY	0.25
void	report_child_start(struct ev_loop *loop, int fd, int periodic);
void	report_child_note(const struct result *res);
void	report_child_finish(void);	/* the last report; closes fd */

/* In the parent: o is the user's (whole-run) options; fds[n] the read
 * ends (owned: closed at their end); in the input when it can be counted
 * (regular files), else NULL; resumed the indexes --resume skips. */
void	report_parent_start(struct ev_loop *loop, const struct opts *o,
	    int *fds, size_t n, const struct input *in,
	    const struct resume *resumed);
/* Will the parent show a progress line (so children report now and
 * then)? Decided before the children start. */
int	report_parent_progress(const struct opts *o);
int	report_parent_done(void);	/* every fd has ended */
void	report_parent_tick(void);	/* the loop is about to block */
void	report_parent_clear(void);	/* before other text on stderr */
void	report_parent_finish(void);	/* the last line, --stats */
void	report_parent_free(void);

/* Pure, for the tests: add st into sum (histograms too). */
void	report_stats_add(struct progress_stats *sum,
	    const struct progress_stats *st);

#endif
