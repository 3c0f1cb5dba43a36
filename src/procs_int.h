/* procs_int.h: what procs.c (the parent) and procs_child.c share: the
 * pipes made before the children are forked. */
#ifndef COFETCH_PROCS_INT_H
#define COFETCH_PROCS_INT_H

#include <stddef.h>

struct ev_loop;
struct input;
struct opts;

/* Every array malloced and every descriptor in them closed (or set to -1
 * when handed on) by procs_fds_free(). */
struct procs_fds {
	size_t		 n;		/* children */
	size_t		 ntee;		/* sources the parent copies */
	int		*rec;		/* [2 * n]: records, pipe pairs */
	int		*rep;		/* [2 * n]: reports, pipe pairs */
	int		*own;		/* [2 * n]: started requests
					 * (procs_owed.c), pipe pairs */
	int		*tee_rd;	/* [n * ntee]: child c's read end for
					 * copied source s at c * ntee + s */
	int		*tee_wr;	/* [n * ntee]: the write ends */
	int		*tee_src;	/* [ntee]: the source descriptors
					 * (input.c's: not closed here) */
	size_t		*tee_of;	/* [ntee]: their source numbers */
};

/* Find the sources the parent copies (procs_tee.c) among in's, and make
 * every pipe, for f->n children. -1 with a message in err. */
int	procs_fds_make(struct procs_fds *f, const struct opts *o,
	    struct input *in, char *err, size_t errlen);
void	procs_close_fd(int *fd);		/* close, set -1 */
void	procs_fds_free(struct procs_fds *f);
/* In child c, just forked: keep its own ends, close the others, make
 * stdout the record pipe, rewrite o to the child's share, give it a loop
 * of its own in *loop, and start its reports (prog: now and then, for
 * the parent's progress line) and its notes of started requests. */
void	procs_become_child(struct procs_fds *f, struct opts *o,
	    struct ev_loop **loop, size_t c, int prog, int *out_fd);

#endif
