/* outfile.h: the records file, opened at start. */
#ifndef COFETCH_OUTFILE_H
#define COFETCH_OUTFILE_H

#include <stddef.h>

#include "opts.h"
#include "resume.h"

/* -1 with a message in err when one of o's inputs (stdin included) is the
 * file the records would go to, also through a link: opening it would
 * truncate the list (cat(1) refuses the same way). Checked before
 * outfile_open(). */
int	outfile_check_same(const struct opts *o, char *err, size_t errlen);
/* First thing at start: descriptors 0, 1 and 2 that are closed are
 * opened on /dev/null, so that no file the run opens (the records file,
 * a connection) takes their number and gets messages or records meant
 * for them. A closed stdout is remembered: outfile_open() refuses to
 * write records to it. */
void	outfile_std_fds(void);
/* Open the records file into *fd (stdout when o->output is NULL). With
 * --resume, check it (resume_check()), load what it holds into resumed
 * and leave it open for appending. 0; -1 when it cannot be opened or
 * written (exit 3); -2 when it is the wrong file for --resume (a usage
 * error). The message is left in err. */
int	outfile_open(const struct opts *o, struct resume *resumed, int *fd,
	    char *err, size_t errlen);
/* After a signal, with output.c still holding records: say how many the
 * reader did not take (output_unwritten()). */
void	outfile_report_unwritten(const struct opts *o);

#endif
