/* procs_child.c: -P: what makes a forked process one child of the run
 * (its descriptors, its share of the options, its shard), what a child
 * does differently from a single run, the pipes made before the fork, and
 * the pure rules of -P. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
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
#include "output.h"
#include "procs.h"
#include "procs_int.h"
#include "procs_owed.h"
#include "procs_report.h"
#include "request.h"
#include "sched.h"
#include "util.h"

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
procs_by_host(const struct opts *o)
{
	return o->per_host > 0 || o->per_host_rate > 0;
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
procs_started(const struct request *req)
{
	if (ch_is)
		owed_child_note(req);
}

void
procs_child_finish(void)
{
	if (!ch_is)
		return;
	owed_child_finish();
	report_child_finish();
	free(ch_paths);
	ch_paths = NULL;
}

/* Which sources can be read only once: the parent copies them. */
static void
procs_find_tee(struct procs_fds *f, const struct opts *o,
    struct input *in)
{
	struct stat st;
	size_t s, nsrc = o->ninputs > 0 ? o->ninputs : o->nurls == 0;
	int fd;

	f->tee_src = xcalloc(nsrc + 1, sizeof(*f->tee_src));
	f->tee_of = xcalloc(nsrc + 1, sizeof(*f->tee_of));
	for (s = 0; s < nsrc; s++) {
		fd = input_source_fd(in, s);
		if (fd < 0)
			continue;
		/* stdin even when it is a file: its offset is shared. */
		if (o->ninputs > 0 && strcmp(o->inputs[s], "-") != 0 &&
		    fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			continue;
		f->tee_src[f->ntee] = fd;
		f->tee_of[f->ntee++] = s;
	}
}

static int
procs_pipes(struct procs_fds *f, char *err, size_t errlen)
{
	size_t i;

	f->rec = xmalloc(2 * f->n * sizeof(int));
	f->rep = xmalloc(2 * f->n * sizeof(int));
	f->own = xmalloc(2 * f->n * sizeof(int));
	f->tee_rd = xmalloc((f->n * f->ntee + 1) * sizeof(int));
	f->tee_wr = xmalloc((f->n * f->ntee + 1) * sizeof(int));
	for (i = 0; i < 2 * f->n; i++)
		f->rec[i] = f->rep[i] = f->own[i] = -1;
	for (i = 0; i < f->n * f->ntee; i++)
		f->tee_rd[i] = f->tee_wr[i] = -1;
	for (i = 0; i < f->n; i++)
		if (pipe(&f->rec[2 * i]) < 0 || pipe(&f->rep[2 * i]) < 0 ||
		    pipe(&f->own[2 * i]) < 0)
			goto fail;
	for (i = 0; i < f->n * f->ntee; i++) {
		int p[2];

		if (pipe(p) < 0)
			goto fail;
		f->tee_rd[i] = p[0];
		f->tee_wr[i] = p[1];
	}
	return 0;
fail:
	(void)snprintf(err, errlen, "cannot make a pipe for -P: %s",
	    strerror(errno));
	return -1;
}

int
procs_fds_make(struct procs_fds *f, const struct opts *o, struct input *in,
    char *err, size_t errlen)
{
	procs_find_tee(f, o, in);
	return procs_pipes(f, err, errlen);
}

int
procs_start(struct opts *o, struct ev_loop **loop, struct input **in,
    const struct resume *resumed, int *out_fd, void (*wake)(void *),
    int (*want)(uint64_t, void *))
{
	char err[512];
	int status;

	status = procs_run(o, loop, *in, resumed, out_fd);
	if (status != PROCS_CHILD)
		return status;
	sched_init(*loop);
	output_to_merge();
	input_free(*in);
	*in = input_new(*loop, o, wake, NULL, err, sizeof(err));
	if (*in == NULL) {
		errorf("%s%s", o->ninputs > 0 ? "--input: " : "", err);
		return EXIT_USAGE;
	}
	input_set_want(*in, want, NULL);
	return PROCS_CHILD;
}

void
procs_close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

/* Free the descriptor arrays (their descriptors closed or handed on
 * already). */
static void
procs_fds_free_arrays(struct procs_fds *f)
{
	free(f->rec);
	free(f->rep);
	free(f->own);
	free(f->tee_rd);
	free(f->tee_wr);
	free(f->tee_src);
	free(f->tee_of);
	f->rec = f->rep = f->own = f->tee_rd = f->tee_wr = f->tee_src = NULL;
	f->tee_of = NULL;
}

void
procs_fds_free(struct procs_fds *f)
{
	size_t i;

	for (i = 0; f->rec != NULL && i < 2 * f->n; i++) {
		procs_close_fd(&f->rec[i]);
		procs_close_fd(&f->rep[i]);
		procs_close_fd(&f->own[i]);
	}
	for (i = 0; f->tee_rd != NULL && i < f->n * f->ntee; i++) {
		procs_close_fd(&f->tee_rd[i]);
		procs_close_fd(&f->tee_wr[i]);
	}
	procs_fds_free_arrays(f);
}

/* In child c: keep its own ends, close every other descriptor of the
 * parent's, and rewrite o to the child's share. */
void
procs_become_child(struct procs_fds *f, struct opts *o,
    struct ev_loop **loop, size_t c, int prog, int *out_fd)
{
	size_t i, s;
	int rd;

	ch_is = 1;
	ch_no = c;
	ch_n = f->n;
	ch_user_shard_n = o->shard_n;
	ch_by_host = procs_by_host(o);
	for (i = 0; i < f->n; i++) {
		procs_close_fd(&f->rec[2 * i]);
		procs_close_fd(&f->rep[2 * i]);
		procs_close_fd(&f->own[2 * i]);
		if (i != c) {
			procs_close_fd(&f->rec[2 * i + 1]);
			procs_close_fd(&f->rep[2 * i + 1]);
			procs_close_fd(&f->own[2 * i + 1]);
		}
		for (s = 0; s < f->ntee; s++) {
			procs_close_fd(&f->tee_wr[i * f->ntee + s]);
			if (i != c)
				procs_close_fd(&f->tee_rd[i * f->ntee + s]);
		}
	}
	/* Records go to stdout, now the pipe to the parent. */
	if (o->output != NULL && *out_fd > 2)
		(void)close(*out_fd);
	(void)dup2(f->rec[2 * c + 1], STDOUT_FILENO);
	procs_close_fd(&f->rec[2 * c + 1]);
	*out_fd = STDOUT_FILENO;
	o->output = NULL;
	ch_paths = xcalloc(f->ntee + 1, sizeof(*ch_paths));
	for (s = 0; s < f->ntee; s++) {
		rd = f->tee_rd[c * f->ntee + s];
		if (o->ninputs == 0 ||
		    strcmp(o->inputs[f->tee_of[s]], "-") == 0) {
			(void)dup2(rd, STDIN_FILENO);
			procs_close_fd(&f->tee_rd[c * f->ntee + s]);
			continue;
		}
		(void)snprintf(ch_paths[s], sizeof(ch_paths[s]),
		    "/dev/fd/%d", rd);
		o->inputs[f->tee_of[s]] = ch_paths[s];
	}
	o->processes = 1;
	o->concurrency = procs_share(o->concurrency, c, f->n);
	o->rate /= (double)f->n;
	o->progress = 0;
	o->stats = 0;
	if (!ch_by_host) {
		/* Index i is ours when i % (N * P) == K - 1 + N * c: still
		 * in the user's shard K/N, and every such i in one child. */
		o->shard_k += o->shard_n * c;
		o->shard_n *= f->n;
	}
	/* A loop of its own. The one made before the fork is left alone,
	 * never run nor destroyed: its signalfd is one open file shared
	 * with the parent, whose signal mask any change here would
	 * change for the parent too. Blocked signals stay pending for the
	 * new loop's signalfd. */
	*loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_SIGNALFD);
	if (*loop == NULL) {
		errorf("cannot make an event loop");
		_exit(EXIT_NO_MEMORY);
	}
	report_child_start(*loop, f->rep[2 * c + 1], prog);
	f->rep[2 * c + 1] = -1;		/* the report's now */
	owed_child_start(*loop, f->own[2 * c + 1]);
	procs_fds_free_arrays(f);
}
