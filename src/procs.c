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
 * whole lines (procs_merge.c) into output.c. Numbers for --progress and
 * --stats travel on a second pipe (procs_report.c), notes of started
 * requests on a third (procs_owed.c), so a child that dies still leaves
 * one record per started request. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "input.h"
#include "opts.h"
#include "output.h"
#include "procs.h"
#include "procs_int.h"
#include "procs_merge.h"
#include "procs_owed.h"
#include "procs_report.h"
#include "procs_tee.h"
#include "record.h"
#include "request.h"
#include "util.h"

#define READ_CHUNK	(64 * 1024)

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

/* Which sources can be read only once: the parent copies them. */
static void
procs_find_tee(const struct opts *o, struct input *in)
{
	struct stat st;
	size_t s, nsrc = o->ninputs > 0 ? o->ninputs : o->nurls == 0;
	int fd;

	pf.tee_src = xcalloc(nsrc + 1, sizeof(*pf.tee_src));
	pf.tee_of = xcalloc(nsrc + 1, sizeof(*pf.tee_of));
	for (s = 0; s < nsrc; s++) {
		fd = input_source_fd(in, s);
		if (fd < 0)
			continue;
		/* stdin even when it is a file: its offset is shared. */
		if (o->ninputs > 0 && strcmp(o->inputs[s], "-") != 0 &&
		    fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			continue;
		pf.tee_src[pf.ntee] = fd;
		pf.tee_of[pf.ntee++] = s;
	}
}

static int
procs_pipes(char *err, size_t errlen)
{
	size_t i;

	pf.rec = xmalloc(2 * pr_n * sizeof(int));
	pf.rep = xmalloc(2 * pr_n * sizeof(int));
	pf.own = xmalloc(2 * pr_n * sizeof(int));
	pf.tee_rd = xmalloc((pr_n * pf.ntee + 1) * sizeof(int));
	pf.tee_wr = xmalloc((pr_n * pf.ntee + 1) * sizeof(int));
	for (i = 0; i < 2 * pr_n; i++)
		pf.rec[i] = pf.rep[i] = pf.own[i] = -1;
	for (i = 0; i < pr_n * pf.ntee; i++)
		pf.tee_rd[i] = pf.tee_wr[i] = -1;
	for (i = 0; i < pr_n; i++)
		if (pipe(&pf.rec[2 * i]) < 0 || pipe(&pf.rep[2 * i]) < 0 ||
		    pipe(&pf.own[2 * i]) < 0)
			goto fail;
	for (i = 0; i < pr_n * pf.ntee; i++) {
		int p[2];

		if (pipe(p) < 0)
			goto fail;
		pf.tee_rd[i] = p[0];
		pf.tee_wr[i] = p[1];
	}
	return 0;
fail:
	(void)snprintf(err, errlen, "cannot make a pipe for -P: %s",
	    strerror(errno));
	return -1;
}


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
	if (cut > 0) {
		report_parent_clear();
		fprintf(stderr, "cofetch: process %zu of %zu ended in the "
		    "middle of a record; its last %zu bytes are dropped\n",
		    c->no + 1, pr_n, cut);
	}
	if (n > 0) {
		report_parent_clear();
		fprintf(stderr, "cofetch: %zu request%s started by process "
		    "%zu got an internal record\n", n, n == 1 ? "" : "s",
		    c->no + 1);
	}
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
		report_parent_clear();
		fprintf(stderr, "cofetch: process %zu of %zu: %s\n",
		    c->no + 1, pr_n, c->why + strlen("the process fetching "
		    "it "));
	} else if (!pr_out_broken && WIFEXITED(st) &&
	    WEXITSTATUS(st) >= 4 && WEXITSTATUS(st) != 128 + SIGINT &&
	    WEXITSTATUS(st) != 128 + SIGTERM) {
		report_parent_clear();
		fprintf(stderr, "cofetch: process %zu of %zu (pid %d) "
		    "exited with status %d\n", c->no + 1, pr_n, w->rpid,
		    WEXITSTATUS(st));
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

static void
prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct child *c;
	size_t i;

	if (output_flush() < 0 && !pr_out_broken)
		procs_output_broken();
	/* --ordered: a child far ahead of the others waits. */
	for (i = 0; i < pr_n; i++) {
		c = &pr_ch[i];
		if (c->rec_fd < 0)
			continue;
		if (merge_full(pr_merge, i))
			ev_io_stop(loop, &c->rec_w);
		else if (!ev_is_active(&c->rec_w))
			ev_io_start(loop, &c->rec_w);
	}
	report_parent_tick();
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
	int *rep_rd, *own_rd, *wst, status;
	size_t i;

	pr_buf = xmalloc(READ_CHUNK);
	pr_o = o;
	pr_merge = merge_new(pr_n, o->ordered, merge_out, merge_seen, NULL);
	output_init(out_fd, o->output != NULL, 0, NULL);
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
	report_parent_start(pr_loop, o, rep_rd, pr_n,
	    pf.ntee == 0 ? in : NULL, resumed);
	free(rep_rd);
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
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGTERM, SIG_IGN);

	(void)output_flush();
	report_parent_finish();
	wst = xcalloc(pr_n, sizeof(*wst));
	for (i = 0; i < pr_n; i++)
		wst[i] = pr_ch[i].wstatus;
	status = procs_exit_status(wst, pr_n, pr_signal);
	free(wst);
	if (output_error() == EPIPE)
		status = 128 + SIGPIPE;
	else if (output_error() != 0)
		status = 3;
	output_close();
	if (status != 128 + SIGPIPE && output_error() != 0 &&
	    output_error() != EPIPE) {
		fprintf(stderr, "cofetch: cannot write %s: %s\n",
		    o->output ? o->output : "stdout",
		    strerror(output_error()));
		status = 3;
	}
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
		fprintf(stderr, "cofetch: --shard %llu/%llu cannot be split "
		    "among %zu processes\n", (unsigned long long)o->shard_k,
		    (unsigned long long)o->shard_n, pr_n);
		return 2;
	}
	procs_find_tee(o, in);
	if (procs_pipes(err, sizeof(err)) < 0) {
		fprintf(stderr, "cofetch: %s\n", err);
		procs_fds_free(&pf);
		return 70;
	}
	prog = report_parent_progress(o) != 0;
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
			fprintf(stderr, "cofetch: cannot start process %zu "
			    "of %zu: %s\n", i + 1, pr_n, strerror(errno));
			pr_n = pf.n = i;
			procs_kill_all(SIGKILL);
			while (wait(NULL) > 0 || errno == EINTR)
				;
			free(pr_ch);
			pr_ch = NULL;
			procs_fds_free(&pf);
			return 70;
		}
		pr_ch[i].pid = pid;
	}
	return procs_parent(o, in, resumed, *out_fd);
}
