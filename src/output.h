/* output.h: the only writer of records. As completed, records go into one
 * buffer; with --ordered they wait in a reorder window of slots until every
 * earlier one is out. The buffer is written when it is large or when the
 * loop is about to block (output_flush() from the prepare watcher), so a
 * reader sees each record promptly and a busy run makes few write(2)s. */
#ifndef COFETCH_OUTPUT_H
#define COFETCH_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "sched.h"

/* Write to fd (not closed by us unless owned). window = 0: as completed;
 * else --ordered with that many slots. room_waker is woken when a full
 * window frees a slot. */
void	output_init(int fd, int owned, uint64_t window,
	    struct sched_item *room_waker);
/* The next record sequence number: records are numbered in input order
 * as they are admitted; with --ordered they leave in that order. */
uint64_t output_next_seq(void);
/* With --ordered: may record seq (the next to be admitted) take a slot
 * now? Always 1 as completed. */
int	output_room(void);
/* Hand over record seq (one line with its "\n"); copied. */
void	output_emit(uint64_t seq, const char *line, size_t len);
/* Write what is buffered. Returns 0, or -1 once the output is broken. */
int	output_flush(void);
/* 0 fine, EPIPE reader gone, or the errno of a failed write. */
int	output_error(void);
void	output_close(void);

#endif
