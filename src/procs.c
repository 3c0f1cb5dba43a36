/* procs.c: -P: fork the children, hand each its share, watch them,
 * forward signals, merge their records and combine their statuses.
 *
 * Input. Every child reads the whole input and keeps its shard, so the
 * indexes in its records are the global ones. Regular files and URL
 * arguments each child reads itself; what can be read only once (stdin, a
 * pipe, a socket, a terminal) the parent reads through its loop and
 * copies to every child (procs_tee.c).
 *
 * Output. Each child writes its records to a pipe; the parent merges
 * whole lines (procs_merge.c) into output.c, which never blocks: while
 * output_room() says no, the parent reads no records, so the children's
 * pipes fill and each child's own output.c pauses its admission (the
 * reader's pace reaches every child). Numbers for --progress and
 * --stats travel on a second pipe (procs_report.c), notes of started
 * requests on a third (procs_owed.c), so a child that dies still leaves
 * one record per started request. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "exitcode.h"
#include "input.h"
#include "msg.h"
#include "opts.h"
#include "outfile.h"
#include "output.h"
#include "procs.h"
#include "procs_int.h"
#include "procs_merge.h"
#include "procs_owed.h"
#include "procs_report.h"
#include "procs_tee.h"
#include "progress.h"
#include "record.h"
#include "request.h"
#include "sched.h"
#include "util.h"

#define READ_CHUNK	(64 * 1024)
#define PROCS_GRACE	1.0	/* seconds a reader gets, after a signal,
				 * to take the records still queued (as
				 * main.c's OUTPUT_GRACE) */

struct child {
	pid_t		 pid;		/* 0 once reaped */
	int		 wstatus;
	int		 rec_fd;	/* records, read end; -1 at EOF */
	ev_io		 rec_w;
	ev_child	 child_w;
	size_t		 no;		/* 0-based */
	int		 settled;	/* its stream is ended in the merge */
	char		 why[160];	/* it died: why its owed records
					 * failed; "" if it did not */
};

/* The parent's state. */
static struct ev_loop	*pr_loop;
static struct child	*pr_ch;		/* malloced [pr_n] */
static size_t		 pr_n;
static struct procs_fds	 pf;		/* the pipes; pf.n == pr_n */
static const struct opts *pr_o;		/* the user's options */
static struct merge	*pr_merge;
static struct tee	*pr_tee;
static int		 pr_signal;	/* SIGINT/SIGTERM received */
static int		 pr_out_broken;
static int		 pr_finished;
static char		*pr_buf;	/* malloced [READ_CHUNK] */
static ev_prepare	 pr_prepare;
static ev_signal	 pr_sigint, pr_sigterm;
static ev_timer		 pr_grace;	/* after a signal */
static struct sched_item pr_room;	/* output.c: room again */

static void
merge_out(const char *lines, size_t len, void *arg)
{
	output_emit(0, lines, len);
}

static void procs_settle(struct child *c);

static void
merge_seen(size_t c, uint64_t index, void *arg)
{
	owed_seen(c, index);
}

static void
grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* The reader has not taken the records in time: a signal is
	 * honoured whatever the reader does. */
	pr_finished = 1;
	ev_break(pr_loop, EVBREAK_ALL);
}

static void
procs_check_end(void)
{
	size_t i;

	if (pr_finished || !report_parent_done() || !tee_done(pr_tee))
		return;
	for (i = 0; i < pr_n; i++) {
		procs_settle(&pr_ch[i]);
		if (!pr_ch[i].settled)
			return;
	}
	/* Every record is merged; the run ends once the reader has them
	 * (output_cb()), or the output breaks, or grace_cb(). */
	if (output_flush() == 0 && output_pending() > 0) {
		if (pr_signal && !ev_is_active(&pr_grace)) {
			ev_timer_init(&pr_grace, grace_cb, PROCS_GRACE, 0.);
			ev_timer_start(pr_loop, &pr_grace);
		}
		return;
	}
	pr_finished = 1;
	ev_break(pr_loop, EVBREAK_ALL);
}

static void
procs_rec_end(struct child *c)
{
	ev_io_stop(pr_loop, &c->rec_w);
	procs_close_fd(&c->rec_fd);
}

/* Once a child has exited and both its records and its notes are read,
 * end its stream, with an `internal` record for each request it started
 * and never recorded if it died. */
static void
procs_settle(struct child *c)
{
	struct buf owed;
	size_t cut, n = 0;

	if (c->settled)
		return;
	if (!pr_out_broken && (c->pid != 0 || c->rec_fd >= 0 ||
	    !owed_ended(c->no)))
		return;
	c->settled = 1;
	buf_init(&owed);
	if (c->why[0] != '\0' && !pr_out_broken)
		n = owed_records(c->no, &owed, pr_o, c->why);
	cut = merge_end(pr_merge, c->no, owed.data, owed.len);
	buf_free(&owed);
	if (pr_out_broken)
		return;
	if (cut > 0)
		errorf("process %zu of %zu ended in the middle of a record; "
		    "its last %zu bytes are dropped", c->no + 1, pr_n, cut);
	if (n > 0)
		errorf("%zu request%s started by process %zu got an internal "
		    "record", n, n == 1 ? "" : "s", c->no + 1);
}

static void
rec_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct child *c = w->data;
	ssize_t r;

	r = read(c->rec_fd, pr_buf, READ_CHUNK);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		procs_rec_end(c);
		procs_check_end();
		return;
	}
	merge_add(pr_merge, c->no, pr_buf, (size_t)r);
}

static const char *
procs_signame(int sig)
{
	const char *s = strsignal(sig);

	return s != NULL ? s : "unknown signal";
}

static void
child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct child *c = w->data;
	int st = w->rstatus;

	ev_child_stop(loop, w);
	c->pid = 0;
	c->wstatus = st;
	if (!pr_out_broken && WIFSIGNALED(st) && WTERMSIG(st) != pr_signal) {
		(void)snprintf(c->why, sizeof(c->why), "the process "
		    "fetching it (pid %d) was killed by signal %d (%s)",
		    w->rpid, WTERMSIG(st), procs_signame(WTERMSIG(st)));
		errorf("process %zu of %zu: %s", c->no + 1, pr_n,
		    c->why + strlen("the process fetching it "));
	} else if (!pr_out_broken && WIFEXITED(st) &&
	    WEXITSTATUS(st) >= 4 && WEXITSTATUS(st) != 128 + SIGINT &&
	    WEXITSTATUS(st) != 128 + SIGTERM) {
		errorf("process %zu of %zu (pid %d) exited with status %d",
		    c->no + 1, pr_n, w->rpid, WEXITSTATUS(st));
	}
	procs_check_end();
}

static void
procs_kill_all(int sig)
{
	size_t i;

	for (i = 0; i < pr_n; i++)
		if (pr_ch[i].pid != 0)
			(void)kill(pr_ch[i].pid, sig);
}

static void
signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	if (pr_signal)
		return;
	pr_signal = w->signum;
	/* Every child stops admitting and cancels what it has in flight;
	 * their `cancelled` records still come through the merge. */
	procs_kill_all(w->signum);
	tee_stop(pr_tee);
	procs_check_end();
}

/* The reader of our output has gone: stop everything, quietly. */
static void
procs_output_broken(void)
{
	size_t i;

	pr_out_broken = 1;
	tee_stop(pr_tee);
	procs_kill_all(SIGTERM);
	for (i = 0; i < pr_n; i++) {
		if (pr_ch[i].rec_fd >= 0)
			procs_rec_end(&pr_ch[i]);
		procs_settle(&pr_ch[i]);
	}
}

/* Read a child's records only while output.c has room for them and,
 * with --ordered, while the child is not far ahead of the others. After
 * a signal the children start nothing more, so what they still hold is
 * bounded: it is all read, so that they end at once and the parent alone
 * says, after its grace, what the reader did not take. */
static void
procs_watch(void)
{
	struct child *c;
	int room = pr_signal || output_room();
	size_t i;

	for (i = 0; i < pr_n; i++) {
		c = &pr_ch[i];
		if (c->rec_fd < 0)
			continue;
		if (!room || merge_full(pr_merge, i))
			ev_io_stop(pr_loop, &c->rec_w);
		else if (!ev_is_active(&c->rec_w))
			ev_io_start(pr_loop, &c->rec_w);
	}
}

static void
room_run(struct sched_item *item)
{
	procs_watch();
}

/* output.c: the output broke, or its queue has been written out. */
static void
output_cb(void)
{
	if (output_error() != 0 && !pr_out_broken)
		procs_output_broken();
	procs_check_end();
}

static void
prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct progress_feed feed;

	do
		(void)sched_drain();
	while (sched_pending());
	if (output_flush() < 0 && !pr_out_broken)
		procs_output_broken();
	procs_watch();
	report_parent_feed(&feed);
	progress_tick(&feed);
	procs_check_end();
}

static void
tee_done_cb(void *arg)
{
	procs_check_end();
}

/* The parent's loop: merge until every child has ended. */
static int
procs_parent(const struct opts *o, struct input *in,
    const struct resume *resumed, int out_fd)
{
	struct progress_feed feed;
	int *rep_rd, *own_rd, *wst, status;
	size_t i;

	pr_buf = xmalloc(READ_CHUNK);
	pr_o = o;
	pr_merge = merge_new(pr_n, o->ordered, merge_out, merge_seen, NULL);
	/* Child c takes the indexes i % (N * P) == K - 1 + N * c of the
	 * user's shard K/N (procs_become_child()). */
	if (!procs_by_host(o))
		merge_set_shards(pr_merge, o->shard_n * pr_n, o->shard_k - 1,
		    o->shard_n);
	pr_room.run = room_run;
	/* As completed: the merge has put the records in order already. */
	output_init(pr_loop, out_fd, o->output != NULL, 0, &pr_room,
	    output_cb);
	rep_rd = xcalloc(pr_n, sizeof(*rep_rd));
	own_rd = xcalloc(pr_n, sizeof(*own_rd));
	for (i = 0; i < pr_n; i++) {
		struct child *c = &pr_ch[i];

		procs_close_fd(&pf.rec[2 * i + 1]);
		procs_close_fd(&pf.rep[2 * i + 1]);
		procs_close_fd(&pf.own[2 * i + 1]);
		own_rd[i] = pf.own[2 * i];
		pf.own[2 * i] = -1;
		(void)fcntl(own_rd[i], F_SETFL, O_NONBLOCK);
		c->rec_fd = pf.rec[2 * i];
		pf.rec[2 * i] = -1;
		(void)fcntl(c->rec_fd, F_SETFL, O_NONBLOCK);
		ev_io_init(&c->rec_w, rec_read_cb, c->rec_fd, EV_READ);
		c->rec_w.data = c;
		ev_io_start(pr_loop, &c->rec_w);
		ev_child_init(&c->child_w, child_cb, c->pid, 0);
		c->child_w.data = c;
		ev_child_start(pr_loop, &c->child_w);
		rep_rd[i] = pf.rep[2 * i];
		pf.rep[2 * i] = -1;
		(void)fcntl(rep_rd[i], F_SETFL, O_NONBLOCK);
	}
	for (i = 0; i < pr_n * pf.ntee; i++)
		procs_close_fd(&pf.tee_rd[i]);
	report_parent_start(pr_loop, rep_rd, pr_n, o, in, resumed);
	free(rep_rd);
	if (progress_init(pr_loop, o))
		input_count_start(in);
	msg_set_clear_hook(progress_clear);
	owed_parent_start(pr_loop, own_rd, pr_n);
	free(own_rd);
	if (pf.ntee > 0)
		pr_tee = tee_new(pr_loop, pf.tee_src, pf.ntee, pf.tee_wr,
		    pr_n, tee_done_cb, NULL);
	ev_prepare_init(&pr_prepare, prepare_cb);
	ev_prepare_start(pr_loop, &pr_prepare);
	ev_signal_init(&pr_sigint, signal_cb, SIGINT);
	ev_signal_start(pr_loop, &pr_sigint);
	ev_signal_init(&pr_sigterm, signal_cb, SIGTERM);
	ev_signal_start(pr_loop, &pr_sigterm);

	ev_run(pr_loop, 0);
	signal_note_late();	/* see main.c */

	ev_timer_stop(pr_loop, &pr_grace);
	(void)output_flush();
	report_parent_feed(&feed);
	progress_finish(&feed);
	if (o->stats)
		stats_print(feed.st, isatty(STDERR_FILENO) &&
		    o->verbosity >= 0);
	wst = xcalloc(pr_n, sizeof(*wst));
	for (i = 0; i < pr_n; i++)
		wst[i] = pr_ch[i].wstatus;
	status = procs_exit_status(wst, pr_n, pr_signal);
	free(wst);
	if (output_error() == EPIPE)
		status = EXIT_SIGNAL_BASE + SIGPIPE;
	else if (output_error() != 0) {
		errorf("cannot write %s: %s", o->output ? o->output :
		    "stdout", strerror(output_error()));
		status = EXIT_OUTPUT;
	} else if (pr_signal)
		outfile_report_unwritten(o);
	output_close();
	if (status < EXIT_OUTPUT && output_error() != 0) {
		errorf("cannot write %s: %s", o->output ? o->output :
		    "stdout", strerror(output_error()));
		status = EXIT_OUTPUT;
	}
	msg_set_clear_hook(NULL);
	progress_free();
	sched_unqueue(&pr_room);
	ev_prepare_stop(pr_loop, &pr_prepare);
	ev_signal_stop(pr_loop, &pr_sigint);
	ev_signal_stop(pr_loop, &pr_sigterm);
	tee_free(pr_tee);
	pr_tee = NULL;
	report_parent_free();
	owed_parent_free();
	merge_free(pr_merge);
	pr_merge = NULL;
	free(pr_buf);
	free(pr_ch);
	pr_ch = NULL;
	procs_fds_free(&pf);
	return status;
}

int
procs_run(struct opts *o, struct ev_loop **loop, struct input *in,
    const struct resume *resumed, int *out_fd)
{
	char err[256];
	sigset_t block, old;
	size_t i;
	pid_t pid;
	int prog;

	pr_loop = *loop;
	pr_n = (size_t)o->processes;
	/* Every child needs a permit of -c: no more children than that. */
	if ((long)pr_n > o->concurrency)
		pr_n = (size_t)o->concurrency;
	pf.n = pr_n;
	if (o->shard_n > UINT64_MAX / pr_n) {
		usagef("--shard %llu/%llu cannot be split among %zu "
		    "processes", (unsigned long long)o->shard_k,
		    (unsigned long long)o->shard_n, pr_n);
		return EXIT_USAGE;
	}
	if (procs_fds_make(&pf, o, in, err, sizeof(err)) < 0) {
		errorf("%s", err);
		procs_fds_free(&pf);
		return EXIT_NO_MEMORY;
	}
	prog = progress_wanted(o) != 0;
	/* Blocked until each loop's watchers take them over, so a signal
	 * that comes while the children start is not lost nor fatal. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	(void)sigprocmask(SIG_BLOCK, &block, &old);
	pr_ch = xcalloc(pr_n, sizeof(*pr_ch));
	(void)fflush(NULL);
	for (i = 0; i < pr_n; i++) {
		pr_ch[i].no = i;
		pr_ch[i].rec_fd = -1;
		pid = fork();
		if (pid == 0) {
			free(pr_ch);
			pr_ch = NULL;
			procs_become_child(&pf, o, loop, i, prog, out_fd);
			return PROCS_CHILD;
		}
		if (pid < 0) {
			errorf("cannot start process %zu of %zu: %s", i + 1,
			    pr_n, strerror(errno));
			pr_n = pf.n = i;
			procs_kill_all(SIGKILL);
			while (wait(NULL) > 0 || errno == EINTR)
				;
			free(pr_ch);
			pr_ch = NULL;
			procs_fds_free(&pf);
			return EXIT_NO_MEMORY;
		}
		pr_ch[i].pid = pid;
	}
	return procs_parent(o, in, resumed, *out_fd);
}
