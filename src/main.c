/* main.c: parse options, build the loop, admit requests, run, and map the
 * outcome to the exit status.
 *
 * Admission is lazy: a line is read and a task made only once a global
 * permit (and, with --ordered, a reorder slot) is free, so memory follows
 * the concurrency, never the length of the input. */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ev.h>

#include "host.h"
#include "input.h"
#include "net.h"
#include "opts.h"
#include "output.h"
#include "procs.h"
#include "progress.h"
#include "rate.h"
#include "record.h"
#include "resume.h"
#include "sched.h"
#include "sem.h"
#include "task.h"
#include "util.h"
#include "xfer.h"

#define FD_RESERVE	64	/* descriptors kept for files, epoll, ... */

static struct opts	 opts;
static struct ev_loop	*loop;
static struct input	*input;		/* owned */
static struct sem	 global_sem;	/* -c */
static struct rate	 global_rate;	/* -r */
static struct resume	 resumed;	/* owned: --resume */
static struct sched_item admit_item;	/* the admission pump */
static struct waiter admit_wait;	/* admission waits for a permit */
static int		 admit_permit;	/* admission holds a permit */
static int		 input_done;
static int		 stop_signal;	/* SIGINT/SIGTERM received */
static int		 any_failed;
static int		 finished;
static struct buf	 rec_buf;	/* reused record encoding */
static ev_prepare	 prepare_w;
static ev_signal	 sigint_w, sigterm_w;

static void
run_emit(uint64_t seq, const struct request *req, const struct result *res)
{
	buf_reset(&rec_buf);
	record_encode(&rec_buf, req, res, &opts);
	output_emit(seq, rec_buf.data, rec_buf.len);
	procs_note(req, res);
	if (res->kind != KIND_NONE)
		any_failed = 1;
	progress_note(req, res);
	if (opts.verbosity > 0) {
		progress_clear();
		fprintf(stderr, "cofetch: #%llu %s %ld %s%s%.3fs\n",
		    (unsigned long long)req->index, req->url, res->status,
		    res->kind != KIND_NONE ? kind_name(res->kind) : "",
		    res->kind != KIND_NONE ? " " : "", res->elapsed);
	}
}

static void
run_check_end(void)
{
	if (!finished && input_done && task_live() == 0 && !admit_permit) {
		finished = 1;
		ev_break(loop, EVBREAK_ALL);
	}
}

static void
run_task_done(void)
{
	sem_release(&global_sem);
	run_check_end();
}

/* Is index in this run's shard (--shard K/N)? */
static int
run_in_shard(uint64_t index)
{
	return index % opts.shard_n == opts.shard_k - 1;
}

/* Is the request line at index this run's to fetch: in the shard and not
 * done by the run --resume continues? The reader parses no other line. */
static int
run_want(uint64_t index, void *arg)
{
	return run_in_shard(index) &&
	    !(opts.resume && resume_has(&resumed, index));
}

/* Admit as many requests as permits, reorder slots and input allow. */
static void
admit_run(struct sched_item *item)
{
	struct request req;
	struct result res;
	uint64_t index;
	int r;

	if (admit_wait.granted) {
		admit_wait.granted = 0;
		admit_permit = 1;
	}
	while (!input_done && !stop_signal) {
		if (!admit_permit) {
			if (admit_wait.waiting)
				return;
			if (!sem_try(&global_sem)) {
				sem_wait(&global_sem, &admit_wait);
				return;		/* run_task_done() */
			}
			admit_permit = 1;
		}
		if (!output_room())
			return;			/* output_emit() */
		request_init(&req);
		r = input_next(input, &req);
		if (r == 0)
			return;			/* input_io_cb() */
		if (r < 0) {
			input_done = 1;
			break;
		}
		index = req.index;
		if (!run_want(index, NULL)) {	/* left unparsed */
			if (run_in_shard(index))
				progress_skip();	/* resumed: not in
							 * this run's total */
			request_free(&req);
			continue;
		}
		if (!procs_owns(&req)) {	/* another -P process's host */
			request_free(&req);
			continue;
		}
		progress_admit();
		if (req.invalid != KIND_NONE) {
			result_init(&res);
			res.kind = req.invalid;
			(void)snprintf(res.message, sizeof(res.message), "%s",
			    req.message);
			run_emit(output_next_seq(), &req, &res);
			result_free(&res);
			request_free(&req);
			continue;
		}
		admit_permit = 0;	/* the task owns it now */
		procs_started(&req);
		task_spawn(&req, output_next_seq());
	}
	if (admit_permit) {
		admit_permit = 0;
		sem_release(&global_sem);
	}
	run_check_end();
}

static void
input_wake(void *arg)
{
	sched_wake(&admit_item);
}

/* Read no more input and admit nothing more. */
static void
run_stop_admission(void)
{
	input_done = 1;
	input_stop(input);
	if (admit_wait.waiting)
		sem_cancel(&global_sem, &admit_wait);
}

static void
run_teardown_output(void)
{
	/* The output is gone: nothing more can be reported, so stop
	 * everything at once and quietly. */
	run_stop_admission();
	task_drop_all();
	finished = 1;
	ev_break(loop, EVBREAK_ALL);
}

static void
prepare_cb(struct ev_loop *l, ev_prepare *w, int revents)
{
	do
		(void)sched_drain();
	while (sched_pending());
	if (output_flush() < 0 && !finished) {
		run_teardown_output();
		return;
	}
	progress_tick();
	run_check_end();
}

static void
signal_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	if (stop_signal)
		return;
	stop_signal = w->signum;
	run_stop_admission();
	task_cancel_all();
	sched_wake(&admit_item);
}

/* A SIGINT or SIGTERM that arrived as the run ended (Ctrl-C on
 * `producer | cofetch` ends the input at the same moment): the run is
 * over, but the exit status must still say it was interrupted. */
static int
run_signal_pending(void)
{
	sigset_t set;

	if (sigpending(&set) < 0)
		return 0;
	if (sigismember(&set, SIGINT))
		return SIGINT;
	if (sigismember(&set, SIGTERM))
		return SIGTERM;
	return 0;
}

/* Raise the soft descriptor limit to the hard one and make sure the
 * concurrency fits in it. */
static void
run_fit_fds(void)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		want = rl.rlim_max;
		if (want == RLIM_INFINITY || want > 1048576)
			want = 1048576;
		if (want > rl.rlim_cur) {
			rl.rlim_cur = want;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
			(void)getrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)opts.concurrency + FD_RESERVE > rl.rlim_cur) {
		long fit = rl.rlim_cur > FD_RESERVE * 2 ?
		    (long)(rl.rlim_cur - FD_RESERVE) : 1;

		if (opts.verbosity >= 0)
			fprintf(stderr, "cofetch: warning: --concurrency %ld "
			    "needs more open files than the limit of %llu; "
			    "using %ld (raise it with ulimit -n)\n",
			    opts.concurrency, (unsigned long long)rl.rlim_cur,
			    fit);
		opts.concurrency = fit;
	}
}

static int
run_open_output(int *fd, char *err, size_t errlen)
{
	if (opts.output == NULL) {
		*fd = 1;
		return 0;
	}
	*fd = open(opts.output, O_CLOEXEC | O_CREAT |
	    (opts.resume ? O_RDWR : O_WRONLY | O_TRUNC), 0644);
	if (*fd < 0) {
		(void)snprintf(err, errlen, "cannot write %s: %s",
		    opts.output, strerror(errno));
		return -1;
	}
	if (opts.resume) {
		if (resume_load(&resumed, *fd, opts.output, err, errlen) < 0)
			return -1;
		if (lseek(*fd, 0, SEEK_END) < 0 ||
		    fcntl(*fd, F_SETFL, O_APPEND) < 0) {
			(void)snprintf(err, errlen, "cannot append to %s: %s",
			    opts.output, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
run_check_save_dir(char *err, size_t errlen)
{
	struct stat st;

	if (opts.save_dir == NULL)
		return 0;
	if (stat(opts.save_dir, &st) < 0 && errno == ENOENT &&
	    mkdir(opts.save_dir, 0755) < 0) {
		(void)snprintf(err, errlen, "--save: '%s' is not valid: "
		    "cannot create the directory: %s\nTry 'cofetch --help'.",
		    opts.save_dir, strerror(errno));
		return -1;
	}
	if (stat(opts.save_dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    access(opts.save_dir, W_OK | X_OK) < 0) {
		(void)snprintf(err, errlen, "--save: '%s' is not valid: "
		    "expected a directory you can write (it is made if "
		    "missing)\nTry 'cofetch --help'.", opts.save_dir);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char err[512];
	struct task_env env;
	int rc, exit_now, out_fd = -1, status;
	uint64_t window;

	rc = opts_parse(&opts, argc, argv, &exit_now);
	if (rc != 0 || exit_now) {
		opts_free(&opts);
		return rc;
	}
	if (opts.nurls == 0 && opts.ninputs == 0 && isatty(0)) {
		fprintf(stderr, "cofetch: no URLs given and stdin is a "
		    "terminal\nUsage: cofetch [OPTIONS] URL ...   or   "
		    "cofetch -i FILE   or   producer | cofetch\n"
		    "Try 'cofetch --help'.\n");
		opts_free(&opts);
		return 2;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	/* With glibc's malloc (built --without-mimalloc; mimalloc ignores
	 * this): records held for --ordered come and go in waves at the top
	 * of the heap, and without slack glibc gives the pages back and
	 * faults them in again (1,100 brk calls and ~6,000 page faults per
	 * 100k requests). 2 MB of slack costs at most 2 MB of RSS. */
	(void)mallopt(M_TRIM_THRESHOLD, 2 << 20);
	(void)mallopt(M_TOP_PAD, 256 << 10);
	srand48((long)getpid() ^ (long)(now_wall() * 1e6));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "cofetch: cannot initialise libcurl\n");
		return 70;
	}
	run_fit_fds();

	/* With signalfd, SIGINT and SIGTERM stay blocked and pending until
	 * the loop reads them, so one that lands as the run ends is still
	 * seen (sigpending() below) rather than lost. */
	loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_SIGNALFD);
	sched_init(loop);
	input = input_new(loop, &opts, input_wake, NULL, err, sizeof(err));
	if (input == NULL) {
		fprintf(stderr, "cofetch: %s%s\n",
		    opts.ninputs > 0 ? "--input: " : "", err);
		status = 2;
		goto out;
	}
	input_set_want(input, run_want, NULL);
	if (run_check_save_dir(err, sizeof(err)) < 0) {
		fprintf(stderr, "cofetch: %s\n", err);
		status = 2;
		goto out;
	}
	if (run_open_output(&out_fd, err, sizeof(err)) < 0) {
		fprintf(stderr, "cofetch: %s\n", err);
		status = 3;
		goto out;
	}
	if (opts.processes > 1) {
		/* -P: the parent runs the children and merges their records;
		 * each child goes on from here over its share. */
		status = procs_run(&opts, &loop, input, &resumed, &out_fd);
		if (status != PROCS_CHILD)
			goto out;
		sched_init(loop);
		input_free(input);
		input = input_new(loop, &opts, input_wake, NULL, err,
		    sizeof(err));
		if (input == NULL) {
			fprintf(stderr, "cofetch: %s\n", err);
			status = 2;
			goto out;
		}
		input_set_want(input, run_want, NULL);
	}
	window = 0;
	if (opts.ordered)
		window = opts.concurrency * 16 > 256 ?
		    (uint64_t)opts.concurrency * 16 : 256;
	admit_item.run = admit_run;
	admit_wait.who = &admit_item;
	output_init(out_fd, opts.output != NULL, window, &admit_item);
	sem_init(&global_sem, opts.concurrency);
	rate_init(&global_rate, loop, opts.rate);
	host_setup(loop, opts.per_host, opts.per_host_rate);
	if (xfer_global_init(&opts, loop, task_xfer_done) < 0) {
		fprintf(stderr, "cofetch: cannot initialise libcurl\n");
		status = 70;
		goto out;
	}
	env.o = &opts;
	env.loop = loop;
	env.rate = &global_rate;
	env.emit = run_emit;
	env.done = run_task_done;
	task_setup(&env);
	progress_init(loop, &opts, input_countable(input) ? input : NULL);
	buf_init(&rec_buf);

	ev_prepare_init(&prepare_w, prepare_cb);
	ev_prepare_start(loop, &prepare_w);
	ev_signal_init(&sigint_w, signal_cb, SIGINT);
	ev_signal_start(loop, &sigint_w);
	ev_signal_init(&sigterm_w, signal_cb, SIGTERM);
	ev_signal_start(loop, &sigterm_w);

	sched_wake(&admit_item);
	ev_run(loop, 0);
	if (!stop_signal)
		stop_signal = run_signal_pending();
	/* The run is over and its status decided: a further signal (or one
	 * still pending when the watchers unblock it) must not kill us
	 * before the output is flushed and the status returned. */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGTERM, SIG_IGN);

	(void)output_flush();
	progress_finish();
	procs_child_finish();
	if (output_error() == EPIPE)
		status = 128 + SIGPIPE;
	else if (output_error() != 0) {
		fprintf(stderr, "cofetch: cannot write %s: %s\n",
		    opts.output ? opts.output : "stdout",
		    strerror(output_error()));
		status = 3;
	} else if (stop_signal)
		status = 128 + stop_signal;
	else
		status = any_failed ? 1 : 0;
	output_close();
	if (status < 3 && output_error() != 0) {
		fprintf(stderr, "cofetch: cannot write %s: %s\n",
		    opts.output ? opts.output : "stdout",
		    strerror(output_error()));
		status = 3;
	}
	ev_prepare_stop(loop, &prepare_w);
	ev_signal_stop(loop, &sigint_w);
	ev_signal_stop(loop, &sigterm_w);
	rate_stop(&global_rate);
	xfer_global_cleanup();
	host_free_all();
	progress_free();
	buf_free(&rec_buf);
out:
	input_free(input);
	input_parse_cleanup();
	resume_free(&resumed);
	curl_global_cleanup();
	opts_free(&opts);
	return status;
}
