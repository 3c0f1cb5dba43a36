/* procs.h: -P, --processes N. The parent forks N single-loop children,
 * each the normal run over a shard of the requests (by index, or by a
 * hash of host:port when a per-host policy is set, so per-host limits
 * stay exact), and merges their records onto the output; it forwards
 * SIGINT and SIGTERM, adds up their numbers for --progress and --stats,
 * and combines their exit statuses. Like nginx's master: it starts,
 * watches, forwards and merges, and fetches nothing itself. */
#ifndef COFETCH_PROCS_H
#define COFETCH_PROCS_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct input;
struct opts;
struct request;
struct result;
struct resume;

#define PROCS_CHILD	(-1)

/* Called by main() with o->processes > 1 once the input and the output
 * are open and --resume is loaded (resumed). In the parent: runs the
 * children to their end and returns the exit status. In a child: returns
 * PROCS_CHILD with o rewritten to the child's share (o->processes = 1,
 * its part of -c and -r, its shard, o->output NULL), *out_fd the pipe to
 * the parent, and *loop a new loop of the child's own (the old one is
 * left unused); the caller sets up what it had bound to the old loop
 * (sched_init()), opens the input anew
 * (o->inputs may now name pipes from the parent) and runs as usual. */
int	procs_run(struct opts *o, struct ev_loop **loop, struct input *in,
	    const struct resume *resumed, int *out_fd);
/* In a child sharded by host: is req (parsed) this child's? Else 1. */
int	procs_owns(const struct request *req);
/* Whether -P shards by host (a per-host policy is set: each host must
 * live in one child), else by index. */
int	procs_by_host(const struct opts *o);
/* A task is about to start for req (in a child: noted for the parent,
 * which gives it an `internal` record should the child die). */
void	procs_started(const struct request *req);
/* A record went out (in a child: counted for the parent). */
void	procs_note(const struct request *req, const struct result *res);
/* In a child, at the end of its run: the last report to the parent. */
void	procs_child_finish(void);

/* Called by main() where procs_run() is: in a child, also sets up what
 * main() had bound to the old loop (sched_init()) and opens the input
 * anew into *in on the new loop, with wake and want as before. The
 * status, or PROCS_CHILD. */
int	procs_start(struct opts *o, struct ev_loop **loop, struct input **in,
	    const struct resume *resumed, int *out_fd,
	    void (*wake)(void *), int (*want)(uint64_t, void *));

/* The pure parts, exposed for the tests. */

/* The exit status of the run from the children's wait statuses
 * (waitpid()) and the signal the parent got (0: none): any 3 -> 3; any 2
 * -> 2; a child that died of a signal it was not sent, or exited with an
 * unexpected status -> 70; the parent's signal or a child's 128+N ->
 * 128+N; any 1 -> 1; else 0. */
int	procs_exit_status(const int *wstatus, size_t n, int stop_signal);
/* Child c's share of a total divided among n: total / n, and one more
 * for the first total % n children. */
long	procs_share(long total, size_t c, size_t n);
/* Which of n children owns host key (FNV-1a of "host:port"). */
size_t	procs_host_child(const char *key, size_t n);

#endif
