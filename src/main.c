/* main.c: parse options, build the loop, admit requests, run, and map the
 * outcome to the exit status.
 *
 * Admission is lazy: a line is read and a task made only once a place in
 * the admission window (-c plus --queue; with --ordered, also a reorder
 * slot) is free, so memory follows the concurrency and the window, never
 * the length of the input. A task then waits in its host's queue
 * (host.c), where the -c slots are handed out. */
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

#include "fdlimit.h"
#include "host.h"
#include "exitcode.h"
#include "input.h"
#include "metrics.h"
#include "msg.h"
#include "net.h"
#include "opts.h"
#include "outfile.h"
#include "output.h"
#include "procs.h"
#include "progress.h"
#include "robots_cache.h"
#include "rate.h"
#include "record.h"
#include "resume.h"
#include "sched.h"
#include "save.h"
#include "sem.h"
#include "state.h"
#include "stats.h"
#include "task.h"
#include "util.h"
#include "xfer.h"

#define OUTPUT_GRACE	1.0	/* seconds a reader gets, after a signal,
				 * to take the records still queued */

static struct opts	 opts;
static struct ev_loop	*loop;
static struct input	*input;		/* owned */
static struct sem	 global_sem;	/* admission: -c + --queue */
static struct rate	 global_rate;	/* -r */
static struct resume	 resumed;	/* owned: --resume */
static struct sched_item admit_item;	/* the admission pump */
static struct waiter admit_wait;	/* admission waits for a permit */
static int		 admit_permit;	/* admission holds a permit */
static int		 input_done;
static int		 stop_signal;	/* SIGINT/SIGTERM received */
static int		 any_failed;
static int		 resume_mismatch; /* --resume with another input */
static int		 finished;
static struct buf	 rec_buf;	/* reused record encoding */
static struct stats	 run_stats;	/* of every record */
#define REC_BUF_KEEP	(64 * 1024)	/* rec_buf's usual size at most */
static ev_prepare	 prepare_w;
static ev_signal	 sigint_w, sigterm_w;
static ev_timer		 grace_w;	/* after a signal */

static void	run_stop_admission(void);

static void
run_emit(uint64_t seq, const struct request *req, const struct result *res)
{
	state_note(req, res);
	metrics_note(req, res);
	buf_reset(&rec_buf);
	/* --only-changed: an unchanged record is left out, but its slot in
	 * the --ordered window is still handed over. */
	if (!opts.only_changed || res->kind != KIND_NONE ||
	    res->changed != CHANGED_NO)
		record_encode(&rec_buf, req, res, &opts);
	output_emit(seq, rec_buf.data, rec_buf.len);
	/* A record with a big body does not keep its memory. */
	buf_shrink(&rec_buf, REC_BUF_KEEP);
	procs_note(req, res);
	if (res->kind != KIND_NONE)
		any_failed = 1;
	stats_note(&run_stats, res);
	if (opts.verbosity > 0)
		record_say(req, res);
}

static void
run_check_end(void)
{
	if (finished || !input_done || task_live() != 0 || admit_permit)
		return;
	/* Every record is made; the run ends once the reader has them
	 * (run_output_cb()), or the output breaks, or grace_cb(). */
	if (output_flush() == 0 && output_pending() > 0)
		return;
	finished = 1;
	ev_break(loop, EVBREAK_ALL);
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

/* Is the request line at index this run's: in the shard? The reader
 * parses no other line. (Lines --resume skips are parsed too: see
 * resume_same().) */
static int
run_want(uint64_t index, void *arg)
{
	return run_in_shard(index);
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
			request_free(&req);
			continue;
		}
		if (opts.resume && !resume_same(&resumed, &req, opts.output)) {
			resume_mismatch = 1;	/* exit 2 at the end */
			request_free(&req);
			run_stop_admission();
			break;
		}
		if (opts.resume && resume_has(&resumed, index)) {
			progress_skip();	/* not in this run's total */
			request_free(&req);
			continue;
		}
		if (!procs_owns(&req)) {	/* another -P process's host */
			request_free(&req);
			continue;
		}
		progress_admit();
		if (req.invalid != KIND_NONE) {
			result_invalid(&res, &req);
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

/* The numbers the progress line shows: it asks no module itself. */
static void
run_progress_feed(struct progress_feed *f)
{
	f->st = &run_stats;
	f->inflight = host_busy();	/* not those queued */
	f->total_known = input_count_total(input, &f->total);
}

/* output.c: the output broke (a departed reader, a full disk), or its
 * queue has been written out. */
static void
run_output_cb(void)
{
	if (output_error() != 0) {
		if (!finished)
			run_teardown_output();
		return;
	}
	run_check_end();
}

static void
grace_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	/* The reader has not taken the records in time: a signal is
	 * honoured whatever the reader does. */
	finished = 1;
	ev_break(loop, EVBREAK_ALL);
}

static void
prepare_cb(struct ev_loop *l, ev_prepare *w, int revents)
{
	struct progress_feed feed;

	do
		(void)sched_drain();
	while (sched_pending());
	if (output_flush() < 0 && !finished) {
		run_teardown_output();
		return;
	}
	run_progress_feed(&feed);
	progress_tick(&feed);
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
	ev_timer_init(&grace_w, grace_cb, OUTPUT_GRACE, 0.);
	ev_timer_start(loop, &grace_w);
}

int
main(int argc, char **argv)
{
	char err[512];
	struct task_env env;
	struct progress_feed feed;
	int rc, exit_now, out_fd = -1, status, settled = 1;
	uint64_t window;

	outfile_std_fds();	/* before anything is opened */
	rc = opts_parse(&opts, argc, argv, &exit_now);
	if (rc != 0 || exit_now) {
		opts_free(&opts);
		return rc;
	}
	if (opts.save_as != NULL && opts.save_dir == NULL)
		opts.save_dir = ".";		/* --save-as alone: here */
	if (opts.nurls == 0 && opts.ninputs == 0 && isatty(0)) {
		usagef("no URLs given and stdin is a terminal\nUsage: "
		    "cofetch [OPTIONS] URL ...   or   cofetch -i FILE   or   "
		    "producer | cofetch");
		opts_free(&opts);
		return EXIT_USAGE;
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
		errorf("cannot initialise libcurl");
		return EXIT_NO_MEMORY;
	}
	opts.concurrency = fdlimit_fit(opts.concurrency,
	    opts.save_dir != NULL, opts.ninputs, opts.verbosity >= 0);

	/* With signalfd, SIGINT and SIGTERM stay blocked and pending until
	 * the loop reads them, so one that lands as the run ends is still
	 * seen (sigpending() below) rather than lost. */
	loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_SIGNALFD);
	msg_nonblocking();	/* the loop must never wait for stderr */
	metrics_start(&opts);
	sched_init(loop);
	input = input_new(loop, &opts, input_wake, NULL, err, sizeof(err));
	if (input == NULL) {
		errorf("%s%s", opts.ninputs > 0 ? "--input: " : "", err);
		status = EXIT_USAGE;
		goto out;
	}
	input_set_want(input, run_want, NULL);
	if (opts.state_file != NULL && state_open(opts.state_file, &opts,
	    loop, err, sizeof(err)) < 0) {
		errorf("--state %s: %s", opts.state_file, err);
		status = EXIT_USAGE;
		goto out;
	}
	if (opts.save_dir != NULL &&
	    save_init(opts.save_dir, opts.save_as, err, sizeof(err)) < 0) {
		usagef("%s", err);
		status = EXIT_USAGE;
		goto out;
	}
	if (outfile_check_same(&opts, err, sizeof(err)) < 0) {
		usagef("%s", err);
		status = EXIT_USAGE;
		goto out;
	}
	if ((rc = outfile_open(&opts, &resumed, &out_fd, err,
	    sizeof(err))) < 0) {
		errorf("%s", err);
		status = rc == -2 ? EXIT_USAGE : EXIT_OUTPUT;
		goto out;
	}
	if (opts.processes > 1) {
		/* -P: the parent runs the children and merges their records;
		 * each child goes on from here over its share. */
		status = procs_start(&opts, &loop, &input, &resumed, &out_fd,
		    input_wake, run_want);
		if (status != PROCS_CHILD)
			goto out;
	}
	window = 0;
	if (opts.ordered)
		window = opts.concurrency * 16 > 256 ?
		    (uint64_t)opts.concurrency * 16 : 256;
	if (opts.ordered && window < (uint64_t)(opts.concurrency + opts.queue))
		window = (uint64_t)(opts.concurrency + opts.queue);
	admit_item.run = admit_run;
	admit_wait.who = &admit_item;
	output_init(loop, out_fd, opts.output != NULL, window, &admit_item,
	    run_output_cb);
	sem_init(&global_sem, opts.concurrency + opts.queue);
	rate_init(&global_rate, loop, opts.rate);
	host_setup(loop, &opts);
	if (xfer_global_init(&opts, loop, task_xfer_done) < 0) {
		errorf("cannot initialise libcurl");
		status = EXIT_NO_MEMORY;
		goto out;
	}
	env.o = &opts;
	env.loop = loop;
	env.rate = &global_rate;
	env.emit = run_emit;
	env.done = run_task_done;
	task_setup(&env);
	stats_init(&run_stats);
	if (progress_init(loop, &opts))
		input_count_start(input);
	msg_set_clear_hook(progress_clear);
	buf_init(&rec_buf);

	ev_prepare_init(&prepare_w, prepare_cb);
	ev_prepare_start(loop, &prepare_w);
	ev_signal_init(&sigint_w, signal_cb, SIGINT);
	ev_signal_start(loop, &sigint_w);
	ev_signal_init(&sigterm_w, signal_cb, SIGTERM);
	ev_signal_start(loop, &sigterm_w);

	sched_wake(&admit_item);
	ev_run(loop, 0);
	/* A SIGINT or SIGTERM that arrived as the run ended (Ctrl-C on
	 * `producer | cofetch` ends the input at the same moment): the exit
	 * status must still say it was interrupted. */
	if (!stop_signal)
		stop_signal = signal_stop_pending();
	/* The run is over: a further signal (or one still pending when the
	 * watchers unblock it) must not kill us before the output is
	 * flushed and the status returned, but it ends any wait for
	 * stderr's reader, and the status says it came. */
	signal_note_late();
	if (!stop_signal)	/* room for the end */
		stop_signal = msg_drain(-1);
	else
		(void)msg_drain(OUTPUT_GRACE);

	ev_timer_stop(loop, &grace_w);
	(void)output_flush();
	run_progress_feed(&feed);
	progress_finish(&feed);
	if (opts.stats)
		stats_print(&run_stats, isatty(STDERR_FILENO) &&
		    opts.verbosity >= 0);
	if (input_error(input) != NULL)
		errorf("%s%s", opts.ninputs > 0 ? "--input: " : "",
		    input_error(input));
	msg_set_clear_hook(NULL);
	procs_child_finish();
	if (output_error() == EPIPE)
		status = EXIT_SIGNAL_BASE + SIGPIPE;
	else if (output_error() != 0) {
		errorf("cannot write %s: %s", opts.output ? opts.output :
		    "stdout", strerror(output_error()));
		status = EXIT_OUTPUT;
	} else if (stop_signal) {
		status = EXIT_SIGNAL_BASE + stop_signal;
		outfile_report_unwritten(&opts);
	} else if (input_error(input) != NULL || resume_mismatch)
		status = EXIT_USAGE;	/* the input was not read to its end,
					 * or is not the one resumed */
	else
		status = any_failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
	settled = output_settled();	/* before the queue goes */
	output_close();
	if (status < EXIT_OUTPUT && output_error() != 0) {
		errorf("cannot write %s: %s", opts.output ? opts.output :
		    "stdout", strerror(output_error()));
		status = EXIT_OUTPUT;
	}
	ev_prepare_stop(loop, &prepare_w);
	ev_signal_stop(loop, &sigint_w);
	ev_signal_stop(loop, &sigterm_w);
	rate_stop(&global_rate);
	xfer_global_cleanup();
	save_cleanup();
	host_free_all();
	robots_cache_free_all();
	progress_free();
	buf_free(&rec_buf);
out:
	/* Records the reader never got are not marked as seen. */
	if (state_close(!output_error() && settled, err, sizeof(err)) < 0) {
		errorf("%s", err);
		status = status < 3 ? 3 : status;
	}
	if (opts.metrics_file != NULL && metrics_write(opts.metrics_file,
	    status, err, sizeof(err)) < 0) {
		errorf("%s", err);
		status = status < 3 ? 3 : status;
	}
	metrics_free();
	input_free(input);
	input_parse_cleanup();
	resume_free(&resumed);
	curl_global_cleanup();
	opts_free(&opts);
	rc = msg_drain(status > EXIT_SIGNAL_BASE ? OUTPUT_GRACE : -1);
	return rc != 0 && status < EXIT_SIGNAL_BASE ? EXIT_SIGNAL_BASE + rc :
	    status;
}
