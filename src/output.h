/* output.h: the only writer of records. As completed, records go into one
 * queue; with --ordered they wait in a reorder window of slots until every
 * earlier one is out. The queue is written when it is large or when the
 * loop is about to block (output_flush() from the prepare watcher), never
 * with a write that blocks: a reader that does not keep up fills the queue,
 * and a full queue pauses admission (output_room()), never the loop. */
#ifndef COFETCH_OUTPUT_H
#define COFETCH_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "sched.h"

struct ev_loop;

/* Called from a loop watcher when the output breaks (output_error()) or
 * its queue has been written out. */
typedef void (*output_notify_fn)(void);

/* Write to fd on loop (closed by us if owned; an inherited fd is reopened
 * so its flags are never changed under the shell). window = 0: as
 * completed; else --ordered with that many slots. room_waker is woken when
 * output_room() said no and there is room again. */
/* Before output_init() in a -P child: the output is the pipe to the
 * parent, whose merge holds a cut record until its rest arrives (and
 * drops it if the child dies), so records need not go whole into that
 * pipe: it gets as much as it takes, in large writes. */
void	output_to_merge(void);
void	output_init(struct ev_loop *loop, int fd, int owned, uint64_t window,
	    struct sched_item *room_waker, output_notify_fn notify);
/* The next record sequence number: records are numbered in input order
 * as they are admitted; with --ordered they leave in that order. */
uint64_t output_next_seq(void);
/* May one more request be admitted: a slot in the reorder window, and
 * the queue below its bound? */
int	output_room(void);
/* Hand over record seq (one line with its "\n"); copied. */
void	output_emit(uint64_t seq, const char *line, size_t len);
/* Write what the descriptor takes now. Returns 0, or -1 once the output
 * is broken. */
int	output_flush(void);
/* Bytes queued and not yet written. */
size_t	output_pending(void);
/* 1 when every record handed over has been written (none queued, none
 * held back by --ordered), else 0. */
int	output_settled(void);
/* Records queued and not written (for the message when the run ends
 * without them); *cut says one record was written only in part. */
uint64_t output_unwritten(int *cut);
/* 0 fine, EPIPE reader gone, or the errno of a failed write (a regular
 * file has been cut back to its last whole record). */
int	output_error(void);
void	output_close(void);

#endif
