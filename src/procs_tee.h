/* procs_tee.h: -P: input that can be read only once (stdin, a pipe, a
 * socket, a terminal) is read by the parent through its loop and copied
 * to every child through a pipe of the child's own, so every child sees
 * every line and numbers the lines as a single process would. */
#ifndef COFETCH_PROCS_TEE_H
#define COFETCH_PROCS_TEE_H

#include <stddef.h>

struct ev_loop;
struct tee;

/* Copy srcs[0..nsrcs), one after the other, to the children: wr[c *
 * nsrcs + s] is the write end of child c's pipe for source s (the tee
 * owns them and makes them non-blocking). A child's pipe is closed once
 * its source has ended and all of it is written; a child that has gone
 * (EPIPE) is dropped. Reading pauses while any child has TEE_HIGH bytes
 * waiting. done(arg) is called once every pipe is closed. */
#define TEE_HIGH	(1024 * 1024)
struct tee	*tee_new(struct ev_loop *loop, const int *srcs, size_t nsrcs,
		    int *wr, size_t nchildren, void (*done)(void *),
		    void *arg);
/* Read no more; close every pipe (after a signal). */
void		 tee_stop(struct tee *t);
int		 tee_done(const struct tee *t);
void		 tee_free(struct tee *t);		/* accepts NULL */

#endif
