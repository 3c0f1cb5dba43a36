/* metrics.h: the --metrics file: counters of the run written at its end
 * in the Prometheus text exposition format (version 0.0.4), the way the
 * node_exporter textfile collector wants it: to a temporary file in the
 * same directory, then renamed over FILE, so a scrape never sees half a
 * file. Names and labels are listed in the man page (METRICS). */
#ifndef COFETCH_METRICS_H
#define COFETCH_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "opts.h"
#include "record.h"
#include "request.h"

/* At the run's start (the start timestamp); o must outlive the run. */
void	metrics_start(const struct opts *o);
/* Count the record of req and res (every record of the run, also those
 * --only-changed leaves out). */
void	metrics_note(const struct request *req, const struct result *res);
/* Write the exposition of everything counted, with the end timestamp and
 * the run's exit status, to fp. */
void	metrics_print(FILE *fp, int exit_status);
/* metrics_print() into a temporary file next to path, renamed over it.
 * 0, or -1 with the reason in err. */
int	metrics_write(const char *path, int exit_status, char *err,
	    size_t errlen);
void	metrics_free(void);

#endif
