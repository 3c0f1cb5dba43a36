/* input_count.h: counting the request lines of the input files ahead of
 * the reader, for the progress line's total (input_count.c). */
#ifndef COFETCH_INPUT_COUNT_H
#define COFETCH_INPUT_COUNT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct line_count;

/* A file to count: the reader's descriptor (-1: not a regular file, so
 * nothing can be counted) and the offset its reading starts at. */
struct line_file {
	int		 fd;
	off_t		 off;
};

/* Count the request lines of files[0..n) in order, by the reader's rule
 * (input_line_feed()), plus already: a slice now, the rest a slice per
 * tick of an unreferenced timer on loop. The descriptors are duplicated
 * (the same open files, never opened again), so the reader may close its
 * own at any time. Returns NULL when the files cannot be counted. */
struct line_count *line_count_new(struct ev_loop *loop,
		    const struct line_file *files, size_t n,
		    uint64_t already);
/* 1 with *total once every line is counted; else 0, with *total what is
 * counted so far. */
int		 line_count_total(const struct line_count *c,
		    uint64_t *total);
void		 line_count_free(struct line_count *c);	/* accepts NULL */

#endif
