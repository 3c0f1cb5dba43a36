/* procs_owed.h: -P: the requests a child has started, so that when a
 * child dies of a signal the parent can still give each request it owed
 * exactly one record (kind `internal`). The child notes each start on a
 * pipe of its own (batched, see NOTE_EVERY); the parent
 * counts a start up and a record of the same index down, and once the
 * dead child's pipes are all read, what is left was started and never
 * recorded. */
#ifndef COFETCH_PROCS_OWED_H
#define COFETCH_PROCS_OWED_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct ev_loop;
struct opts;
struct request;

/* In a child: note starts on fd (owned; blocking). */
void	owed_child_start(struct ev_loop *loop, int fd);
void	owed_child_note(const struct request *req);
void	owed_child_finish(void);		/* flush, close */

/* In the parent: fds[n] the read ends (owned: closed at their end). */
void	owed_parent_start(struct ev_loop *loop, int *fds, size_t n);
/* Child c's record of index went out. */
void	owed_seen(size_t c, uint64_t index);
int	owed_ended(size_t c);			/* c's pipe is at its end */
/* Append an `internal` record (why: its message) for each request child
 * c started and did not record, in index order; forget them. Returns how
 * many. */
size_t	owed_records(size_t c, struct buf *out, const struct opts *o,
	    const char *why);
void	owed_parent_free(void);

#endif
