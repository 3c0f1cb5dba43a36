/* input_line.h: the one rule for "is this a request line", used by the
 * reader (input.c, input_parse.c) and by the counting of lines ahead of
 * it (input_count.c). Pure functions. */
#ifndef COFETCH_INPUT_LINE_H
#define COFETCH_INPUT_LINE_H

#include <stddef.h>
#include <stdint.h>

/* A line is no request when it is blank or, after white space and an
 * optional UTF-8 byte order mark, starts with '#', however long it is.
 * Fed a line's bytes in pieces (without its newline); zero it at the
 * start of each line. */
struct line_class {
	uint64_t	 col;		/* bytes fed */
	int		 bom;		/* bytes of a byte order mark matched
					 * at the line's start */
	int		 decided;	/* 0 not yet, 1 request, -1 not */
};

/* Feed p[0..n): returns the offset in p of the byte that decided, or n
 * while undecided (and 0 when decided before). */
size_t	input_line_feed(struct line_class *lc, const char *p, size_t n);
/* The line has ended: is it a request? */
int	input_line_end(const struct line_class *lc);
/* The rule on a whole line. */
int	input_line_is_request(const char *line, size_t len);

#endif
