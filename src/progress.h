/* progress.h: the live progress line (stderr) and the --stats summary. */
#ifndef COFETCH_PROGRESS_H
#define COFETCH_PROGRESS_H

#include "opts.h"
#include "record.h"
#include "request.h"

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

#endif
