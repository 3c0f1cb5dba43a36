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
 * --stats travel on a second pipe (procs_report.c). */
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
#include "procs_merge.h"
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
};

/* The parent's state; the fd arrays are malloced and every descriptor in
 * them is closed by procs_free_fds(). */
static struct ev_loop	*pr_loop;
static struct child	*pr_ch;		/* malloced [pr_n] */
static size_t		 pr_n;
static int		*pr_rec;	/* [2 * pr_n]: pipe pairs */
static int		*pr_rep;	/* [2 * pr_n] */
static int		*pr_tee_rd;	/* [pr_n * pr_ntee] */
static int		*pr_tee_wr;	/* [pr_n * pr_ntee] */
static int		*pr_tee_src;	/* [pr_ntee]: source fds (not
					 * owned) */
static size_t		*pr_tee_of;	/* [pr_ntee]: source numbers */
static size_t		 pr_ntee;
static struct merge	*pr_merge;
static struct tee	*pr_tee;
static int		 pr_signal;	/* SIGINT/SIGTERM received */
static int		 pr_out_broken;
static int		 pr_finished;
static char		*pr_buf;	/* malloced [READ_CHUNK] */
static ev_prepare	 pr_prepare;
static ev_signal	 pr_sigint, pr_sigterm;

/* The child's state. */
static int		 ch_is;		/* this process is a child */
static int		 ch_by_host;
static size_t		 ch_no, ch_n;
static uint64_t		 ch_user_shard_n;
static char		(*ch_paths)[32];	/* malloced "/dev/fd/N" */

long
procs_share(long total, size_t c, size_t n)
{
	return total / (long)n + ((long)c < total % (long)n ? 1 : 0);
}

size_t
procs_host_child(const char *key, size_t n)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % n;
}

int
procs_exit_status(const int *wstatus, size_t n, int stop_signal)
{
	int any3 = 0, any2 = 0, crash = 0, sig = stop_signal, any1 = 0, st;
	size_t i;

	for (i = 0; i < n; i++) {
		if (WIFSIGNALED(wstatus[i])) {
			if (WTERMSIG(wstatus[i]) == stop_signal)
				continue;
			crash = 1;
			continue;
		}
		st = WEXITSTATUS(wstatus[i]);
		if (st == 3)
			any3 = 1;
		else if (st == 2)
			any2 = 1;
		else if (st == 1)
			any1 = 1;
		else if (st == 128 + SIGINT || st == 128 + SIGTERM) {
			if (sig == 0)
				sig = st - 128;
		} else if (st != 0)
			crash = 1;
	}
	if (any3)
		return 3;
	if (any2)
		return 2;
	if (crash)
		return 70;
	if (sig)
		return 128 + sig;
	return any1 ? 1 : 0;
}

int
procs_owns(const struct request *req)
{
	if (!ch_is || !ch_by_host)
		return 1;
	if (req->host[0] != '\0')
		return procs_host_child(req->host, ch_n) == ch_no;
	/* No host (an invalid line): by index, within the user's shard. */
	return (req->index / ch_user_shard_n) % ch_n == ch_no;
}

void
procs_note(const struct request *req, const struct result *res)
{
	if (ch_is)
		report_child_note(res);
}

void
procs_child_finish(void)
{
	if (!ch_is)
		return;
	report_child_finish();
	free(ch_paths);
	ch_paths = NULL;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

static void
procs_free_fds(void)
{
	size_t i;

	for (i = 0; pr_rec != NULL && i < 2 * pr_n; i++) {
		close_fd(&pr_rec[i]);
		close_fd(&pr_rep[i]);
	}
	for (i = 0; pr_tee_rd != NULL && i < pr_n * pr_ntee; i++) {
		close_fd(&pr_tee_rd[i]);
		close_fd(&pr_tee_wr[i]);
	}
	free(pr_rec);
	free(pr_rep);
	free(pr_tee_rd);
	free(pr_tee_wr);
	free(pr_tee_src);
	free(pr_tee_of);
	pr_rec = pr_rep = pr_tee_rd = pr_tee_wr = pr_tee_src = NULL;
	pr_tee_of = NULL;
}

/* Which sources can be read only once: the parent copies them. */
static void
procs_find_tee(const struct opts *o, struct input *in)
{
	struct stat st;
	size_t s, nsrc = o->ninputs > 0 ? o->ninputs : o->nurls == 0;
	int fd;

	pr_tee_src = xcalloc(nsrc + 1, sizeof(*pr_tee_src));
	pr_tee_of = xcalloc(nsrc + 1, sizeof(*pr_tee_of));
	for (s = 0; s < nsrc; s++) {
		fd = input_source_fd(in, s);
		if (fd < 0)
			continue;
		/* stdin even when it is a file: its offset is shared. */
		if (o->ninputs > 0 && strcmp(o->inputs[s], "-") != 0 &&
		    fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			continue;
		pr_tee_src[pr_ntee] = fd;
		pr_tee_of[pr_ntee++] = s;
	}
}

static int
procs_pipes(char *err, size_t errlen)
{
	size_t i;

	pr_rec = xmalloc(2 * pr_n * sizeof(int));
	pr_rep = xmalloc(2 * pr_n * sizeof(int));
	pr_tee_rd = xmalloc((pr_n * pr_ntee + 1) * sizeof(int));
	pr_tee_wr = xmalloc((pr_n * pr_ntee + 1) * sizeof(int));
	for (i = 0; i < 2 * pr_n; i++)
		pr_rec[i] = pr_rep[i] = -1;
	for (i = 0; i < pr_n * pr_ntee; i++)
		pr_tee_rd[i] = pr_tee_wr[i] = -1;
	for (i = 0; i < pr_n; i++)
		if (pipe(&pr_rec[2 * i]) < 0 || pipe(&pr_rep[2 * i]) < 0)
			goto fail;
	for (i = 0; i < pr_n * pr_ntee; i++) {
		int p[2];

		if (pipe(p) < 0)
			goto fail;
		pr_tee_rd[i] = p[0];
		pr_tee_wr[i] = p[1];
	}
	return 0;
fail:
	(void)snprintf(err, errlen, "cannot make a pipe for -P: %s",
	    strerror(errno));
	return -1;
}

/* In child c: keep its own ends, close every other descriptor of the
 * parent's, and rewrite o to the child's share. */
static void
procs_become_child(struct opts *o, struct ev_loop *loop, size_t c,
    int prog, int *out_fd)
{
	size_t i, s;
	int rd;

	ch_is = 1;
	ch_no = c;
	ch_n = pr_n;
	ch_user_shard_n = o->shard_n;
	ch_by_host = o->per_host > 0 || o->per_host_rate > 0;
	for (i = 0; i < pr_n; i++) {
		close_fd(&pr_rec[2 * i]);
		close_fd(&pr_rep[2 * i]);
		if (i != c) {
			close_fd(&pr_rec[2 * i + 1]);
			close_fd(&pr_rep[2 * i + 1]);
		}
		for (s = 0; s < pr_ntee; s++) {
			close_fd(&pr_tee_wr[i * pr_ntee + s]);
			if (i != c)
				close_fd(&pr_tee_rd[i * pr_ntee + s]);
		}
	}
	/* Records go to stdout, now the pipe to the parent. */
	if (o->output != NULL && *out_fd > 2)
		(void)close(*out_fd);
	(void)dup2(pr_rec[2 * c + 1], STDOUT_FILENO);
	close_fd(&pr_rec[2 * c + 1]);
	*out_fd = STDOUT_FILENO;
	o->output = NULL;
	ch_paths = xcalloc(pr_ntee + 1, sizeof(*ch_paths));
	for (s = 0; s < pr_ntee; s++) {
		rd = pr_tee_rd[c * pr_ntee + s];
		if (o->ninputs == 0 ||
		    strcmp(o->inputs[pr_tee_of[s]], "-") == 0) {
			(void)dup2(rd, STDIN_FILENO);
			close_fd(&pr_tee_rd[c * pr_ntee + s]);
			continue;
		}
		(void)snprintf(ch_paths[s], sizeof(ch_paths[s]),
		    "/dev/fd/%d", rd);
		o->inputs[pr_tee_of[s]] = ch_paths[s];
	}
	o->processes = 1;
	o->concurrency = procs_share(o->concurrency, c, pr_n);
	o->rate /= (double)pr_n;
	o->progress = 0;
	o->stats = 0;
	if (!ch_by_host) {
		/* Index i is ours when i % (N * P) == K - 1 + N * c: still
		 * in the user's shard K/N, and every such i in one child. */
		o->shard_k += o->shard_n * c;
		o->shard_n *= pr_n;
	}
	ev_loop_fork(loop);
	report_child_start(loop, pr_rep[2 * c + 1], prog);
	pr_rep[2 * c + 1] = -1;		/* the report's now */
	free(pr_rec);
	free(pr_rep);
	free(pr_tee_rd);
	free(pr_tee_wr);
	free(pr_tee_src);
	free(pr_tee_of);
	pr_rec = pr_rep = pr_tee_rd = pr_tee_wr = pr_tee_src = NULL;
	pr_tee_of = NULL;
}

static void
merge_out(const char *lines, size_t len, void *arg)
{
	output_emit(0, lines, len);
}

static void
procs_check_end(void)
{
	size_t i;

	if (pr_finished || !report_parent_done() || !tee_done(pr_tee))
		return;
	for (i = 0; i < pr_n; i++)
		if (pr_ch[i].pid != 0 || pr_ch[i].rec_fd >= 0)
			return;
	pr_finished = 1;
	ev_break(pr_loop, EVBREAK_ALL);
}

static void
procs_rec_end(struct child *c)
{
	size_t cut;

	ev_io_stop(pr_loop, &c->rec_w);
	close_fd(&c->rec_fd);
	cut = merge_end(pr_merge, c->no);
	if (cut > 0 && !pr_out_broken) {
		report_parent_clear();
		fprintf(stderr, "cofetch: process %zu of %zu ended in the "
		    "middle of a record; its last %zu bytes are dropped\n",
		    c->no + 1, pr_n, cut);
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
		report_parent_clear();
		fprintf(stderr, "cofetch: process %zu of %zu (pid %d) was "
		    "killed by signal %d (%s); requests it had started may "
		    "have no record\n", c->no + 1, pr_n, w->rpid,
		    WTERMSIG(st), procs_signame(WTERMSIG(st)));
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
	for (i = 0; i < pr_n; i++)
		if (pr_ch[i].rec_fd >= 0)
			procs_rec_end(&pr_ch[i]);
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
	int *rep_rd, *wst, status;
	size_t i;

	pr_buf = xmalloc(READ_CHUNK);
	pr_merge = merge_new(pr_n, o->ordered, merge_out, NULL);
	output_init(out_fd, o->output != NULL, 0, NULL);
	rep_rd = xcalloc(pr_n, sizeof(*rep_rd));
	for (i = 0; i < pr_n; i++) {
		struct child *c = &pr_ch[i];

		close_fd(&pr_rec[2 * i + 1]);
		close_fd(&pr_rep[2 * i + 1]);
		c->rec_fd = pr_rec[2 * i];
		pr_rec[2 * i] = -1;
		(void)fcntl(c->rec_fd, F_SETFL, O_NONBLOCK);
		ev_io_init(&c->rec_w, rec_read_cb, c->rec_fd, EV_READ);
		c->rec_w.data = c;
		ev_io_start(pr_loop, &c->rec_w);
		ev_child_init(&c->child_w, child_cb, c->pid, 0);
		c->child_w.data = c;
		ev_child_start(pr_loop, &c->child_w);
		rep_rd[i] = pr_rep[2 * i];
		pr_rep[2 * i] = -1;
		(void)fcntl(rep_rd[i], F_SETFL, O_NONBLOCK);
	}
	for (i = 0; i < pr_n * pr_ntee; i++)
		close_fd(&pr_tee_rd[i]);
	report_parent_start(pr_loop, o, rep_rd, pr_n,
	    pr_ntee == 0 ? in : NULL, resumed);
	free(rep_rd);
	if (pr_ntee > 0)
		pr_tee = tee_new(pr_loop, pr_tee_src, pr_ntee, pr_tee_wr,
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
	merge_free(pr_merge);
	pr_merge = NULL;
	free(pr_buf);
	free(pr_ch);
	pr_ch = NULL;
	procs_free_fds();
	return status;
}

int
procs_run(struct opts *o, struct ev_loop *loop, struct input *in,
    const struct resume *resumed, int *out_fd)
{
	char err[256];
	sigset_t block, old;
	size_t i;
	pid_t pid;
	int prog;

	pr_loop = loop;
	pr_n = (size_t)o->processes;
	/* Every child needs a permit of -c: no more children than that. */
	if ((long)pr_n > o->concurrency)
		pr_n = (size_t)o->concurrency;
	if (o->shard_n > UINT64_MAX / pr_n) {
		fprintf(stderr, "cofetch: --shard %llu/%llu cannot be split "
		    "among %zu processes\n", (unsigned long long)o->shard_k,
		    (unsigned long long)o->shard_n, pr_n);
		return 2;
	}
	procs_find_tee(o, in);
	if (procs_pipes(err, sizeof(err)) < 0) {
		fprintf(stderr, "cofetch: %s\n", err);
		procs_free_fds();
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
			procs_become_child(o, loop, i, prog, out_fd);
			return PROCS_CHILD;
		}
		if (pid < 0) {
			fprintf(stderr, "cofetch: cannot start process %zu "
			    "of %zu: %s\n", i + 1, pr_n, strerror(errno));
			pr_n = i;
			procs_kill_all(SIGKILL);
			while (wait(NULL) > 0 || errno == EINTR)
				;
			free(pr_ch);
			pr_ch = NULL;
			procs_free_fds();
			return 70;
		}
		pr_ch[i].pid = pid;
	}
	return procs_parent(o, in, resumed, *out_fd);
}
