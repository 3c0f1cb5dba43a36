/* progress.c: counters for the progress line and --stats (placeholder:
 * counts only). */
#include <stdio.h>

#include "progress.h"

static long long	 prog_done, prog_failed;

void
progress_init(struct ev_loop *loop, const struct opts *o,
    struct input *countable)
{
}

void
progress_admit(void)
{
}

void
progress_note(const struct request *req, const struct result *res)
{
	prog_done++;
	if (res->kind != KIND_NONE)
		prog_failed++;
}

void
progress_tick(void)
{
}

void
progress_finish(void)
{
}

void
progress_free(void)
{
}
