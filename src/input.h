/* input.h: request lines from URL arguments, -i files and stdin, read
 * through the loop so a slow producer never stalls transfers, and the
 * pure parser that turns one line into a request. */
#ifndef COFETCH_INPUT_H
#define COFETCH_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "input_line.h"
#include "opts.h"
#include "request.h"

#define INPUT_LINE_MAX	(64 * 1024)	/* longer lines are invalid_input */

/* Parse one line (without its newline; may hold any bytes, NULs too).
 * truncated says the reader cut the line at INPUT_LINE_MAX bytes (and
 * found it a request by input_line_feed(): it is one, invalid_input).
 * Returns 0 when the line is no request (blank, or '#' after leading
 * white space), and 1 when it is: req (which must be request_init()ed)
 * is filled, with req->invalid and req->message set when the line is
 * invalid. req->index is left for the caller. */
int	input_parse_line(struct request *req, const char *line, size_t len,
	    int truncated);
/* input_parse_line() keeps one libcurl URL handle between calls (so it is
 * not thread-safe); this frees it, for a clean exit under ASan/valgrind.
 * Parsing again afterwards is fine. */
void	input_parse_cleanup(void);

struct ev_loop;
struct input;

/* Called (from the loop) when input_next() returned 0 and more input has
 * arrived or the input has ended. */
typedef void (*input_wake_fn)(void *arg);

/* Open every source named by o (URL arguments, then each -i FILE in
 * order, else stdin). Returns NULL with a message in err if a file cannot
 * be opened. */
struct input	*input_new(struct ev_loop *loop, const struct opts *o,
		    input_wake_fn wake, void *arg, char *err, size_t errlen);
/* Next request line: 1 with req filled (index not set), 0 when nothing is
 * ready yet (wake is called later), -1 at the end of all input. */
int		 input_next(struct input *in, struct request *req);
/* Which request lines to parse, by index alone (a shard, lines a resumed
 * run already has). A line want() turns down is still counted and handed
 * out by input_next(), with req->index set and nothing parsed, so the
 * caller can skip it; the rest of the work a parse costs (~8k
 * instructions for a URL) is saved. Without want(), every line is
 * parsed. */
typedef int (*input_want_fn)(uint64_t index, void *arg);
void		 input_set_want(struct input *in, input_want_fn want,
		    void *arg);
/* Stop watching the sources (after a signal); input_next() returns -1. */
void		 input_stop(struct input *in);
/* Count the request lines ahead of the reader (for the progress line),
 * when every source is an argument or a regular file: a first slice now,
 * the rest on the loop's time. */
void		 input_count_start(struct input *in);
/* 1 with *total the number of request lines once all are counted; 0
 * (with what is counted so far) while counting or when they cannot be
 * counted. */
int		 input_count_total(const struct input *in, uint64_t *total);
/* Why reading stopped early ("cannot read FILE: error"), or NULL. Lines
 * after a read error are never read. */
const char	*input_error(const struct input *in);
/* The descriptor of source i (each -i FILE in order, or stdin), or -1
 * past the last: -P reads once in the parent what can be read only once
 * (stdin, pipes) and hands it to every child. */
int		 input_source_fd(const struct input *in, size_t i);
void		 input_free(struct input *in);		/* accepts NULL */

#endif
