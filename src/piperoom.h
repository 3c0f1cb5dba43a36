/* piperoom.h: how much of a queue of records a pipe can take whole now,
 * so that a reader who stops reading (or a run cut short by a signal)
 * never finds half a record in the pipe. Pure: the bytes the pipe holds
 * (FIONREAD) are an argument, so the rule is unit-tested against a model
 * of the kernel's pipe.
 *
 * What a pipe guarantees (pipe(7), "PIPE_BUF"): a write of at most
 * PIPE_BUF bytes goes whole or not at all (EAGAIN). A longer one goes in
 * part when the pipe fills, and the bytes queued say little about the
 * room left: a pipe is a ring of pages (16 by default), a write that does
 * not fit in the tail of the last page takes pages of its own, so a pipe
 * can be full with far less than its capacity in it. What bounds the
 * pages a write takes: at most ceil(len / page) new ones, plus the
 * partly filled page it may add to. So the writes still in the pipe,
 * each counted that way, bound the pages in use, and a long record goes
 * only when the bound says it fits (or the pipe is empty). */
#ifndef COFETCH_PIPEROOM_H
#define COFETCH_PIPEROOM_H

#include <stddef.h>
#include <stdint.h>

#define PIPEROOM_WRITES	256	/* writes remembered one by one; more
				 * are counted with the newest */

struct piperoom {
	size_t		 cap;		/* bytes (F_GETPIPE_SZ) */
	size_t		 page;		/* bytes (sysconf(_SC_PAGESIZE)) */
	uint64_t	 written;	/* bytes written, ever */
	uint64_t	 end[PIPEROOM_WRITES];	/* ring: where each write
						 * still in the pipe ends */
	unsigned	 pages[PIPEROOM_WRITES]; /* and the pages it may
						 * hold */
	size_t		 head, n;	/* the ring's oldest, count */
	size_t		 held;		/* sum of pages[] in the ring */
};

/* cap: the pipe's capacity in bytes; page: the page size. */
void	piperoom_init(struct piperoom *r, size_t cap, size_t page);
/* The pipe was made larger (F_SETPIPE_SZ): cap bytes now. */
void	piperoom_set_cap(struct piperoom *r, size_t cap);
/* How many of the n bytes at p (a queue of whole records, each ending
 * in '\n') to write now, given queued bytes in the pipe: whole records
 * only, at most PIPE_BUF bytes of them, or one longer record when the
 * pipe surely has the pages for it; 0: wait for the reader. A record
 * longer than the pipe can never go whole: all n (in pieces). */
size_t	piperoom_fit(struct piperoom *r, uint64_t queued, const char *p,
	    size_t n);
/* Note a write of n bytes (n > 0) that the pipe took. */
void	piperoom_wrote(struct piperoom *r, size_t n);

#endif
