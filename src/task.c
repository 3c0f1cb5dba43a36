/* task.c: the fetch coroutine. Everything a task needs across a yield is
 * in struct task; each wait names its waker. */
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "coro.h"
#include "host.h"
#include "msg.h"
#include "output.h"
#include "retry.h"
#include "sched.h"
#include "task.h"
#include "util.h"
#include "xfer.h"

struct task {
	struct sched_item	 item;		/* first: run queue link */
	struct coro		 co;
	struct task		*prev, *next;	/* live list */
	uint64_t		 seq;
	struct request		 req;		/* owned */
	struct result		 res;		/* owned */
	struct xfer		 xfer;		/* owned */
	struct host		*host;		/* a reference */
	struct waiter	 host_wait;	/* in the host's queue */
	int			 host_held;	/* holds a global slot and a
						 * place in the host's
						 * limit: host_done() */
	struct waiter	 rate_wait;	/* global rate */
	ev_timer		 backoff;	/* retry sleep */
	int			 slept;		/* backoff expired */
	int			 xfer_done;	/* the attempt ended:
						 * task_xfer_done() */
	int			 cancelled;
	int			 keep_result;	/* cancelled, but the attempt
						 * had ended: report it */
	double			 first_start;	/* mono seconds */
	double			 attempt_start;	/* ev_now seconds */
	double			 wait_mark;	/* host_clock() or ev_now
						 * as the wait began */
	double			 wait;		/* this attempt's wait */
};

static struct task_env	 env;
static struct task	*live_head;
static long		 live_count;

static void task_resume(struct sched_item *item);

void
task_setup(const struct task_env *e)
{
	env = *e;
}

long
task_live(void)
{
	return live_count;
}

static void
task_backoff_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct task *t = w->data;

	t->slept = 1;
	sched_wake(&t->item);
}

void
task_xfer_done(void *owner)
{
	struct task *t = owner;

	t->xfer_done = 1;
	sched_wake(&t->item);			/* resumes in task_run() */
}

void
task_spawn(struct request *req, uint64_t seq)
{
	struct task *t = xcalloc(1, sizeof(*t));

	t->item.run = task_resume;
	t->seq = seq;
	t->req = *req;
	request_init(req);
	result_init(&t->res);
	xfer_init(&t->xfer, &t->res);
	t->host_wait.who = &t->item;
	t->rate_wait.who = &t->item;
	ev_timer_init(&t->backoff, task_backoff_cb, 0., 0.);
	t->backoff.data = t;
	t->host = host_get(t->req.host);
	t->next = live_head;
	if (live_head != NULL)
		live_head->prev = t;
	live_head = t;
	live_count++;
	sched_wake(&t->item);
}

static void
task_release_host(struct task *t)
{
	if (t->host_held) {
		host_done(t->host);
		t->host_held = 0;
	}
}

static void
task_free(struct task *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		live_head = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	live_count--;
	sched_unqueue(&t->item);
	ev_timer_stop(env.loop, &t->backoff);
	xfer_free(&t->xfer);
	host_cancel(t->host, &t->host_wait);
	task_release_host(t);
	host_put(t->host);
	rate_cancel(env.rate, &t->rate_wait);
	result_free(&t->res);
	request_free(&t->req);
	free(t);
}

/* -v: "#12 503, retry 1/2 in 0.62 s". */
static void
task_say_retry(const struct task *t, double delay)
{
	char why[32];

	if (t->res.kind == KIND_HTTP)
		(void)snprintf(why, sizeof(why), "%ld", t->res.status);
	else
		(void)snprintf(why, sizeof(why), "%s", kind_name(t->res.kind));
	infof("#%llu %s, retry %ld/%ld in %.2f s",
	    (unsigned long long)t->req.index, why, t->res.attempts,
	    env.o->retries, delay);
}

/* Tell the host what the attempt's outcome says about it (a host-wide
 * pause for Retry-After or a run of connection failures). */
static void
task_note_host(struct task *t)
{
	const struct opts *o = env.o;
	struct hq_signal sig;
	struct hq_outcome out;

	sig.status = t->res.status;
	sig.conn_failed = t->res.status == 0 &&
	    (t->res.kind == KIND_CONNECT || t->res.kind == KIND_TIMEOUT);
	sig.retry_after = t->xfer.retry_after;
	sig.started = t->attempt_start;
	sig.base = o->retry_delay;
	sig.cap = o->retry_max_delay;
	out.overload = t->res.status == 429 || t->res.status == 503 ||
	    t->res.kind == KIND_TIMEOUT;
	out.ok = !out.overload && t->res.status > 0 && t->res.status < 500;
	out.ttfb = t->res.t_ttfb;
	out.started = t->attempt_start;
	host_note(t->host, &sig, &out);
}

/* The coroutine. Returns CO_DONE once the record is out. */
static int
task_run(struct task *t)
{
	const struct opts *o = env.o;
	double delay;

	CO_BEGIN(&t->co);
	for (;;) {
		if (t->cancelled)
			break;
		/* Wait in the host's queue, holding nothing, for a global
		 * slot (-c) and the host's leave to start (--per-host,
		 * --per-host-rate, a host-wide pause). A retry queues
		 * again. */
		t->wait_mark = host_clock(t->host);
		host_push(t->host, &t->host_wait);
		CO_AWAIT(&t->co, t->host_wait.granted || t->cancelled);
		/* hostq_dispatch() */
		if (t->cancelled)
			break;			/* task_cancel() gave it back */
		t->host_wait.granted = 0;
		t->host_held = 1;
		t->wait = host_clock(t->host) - t->wait_mark;
		/* A start slot: -r. A retry takes one too. */
		if (!rate_try(env.rate)) {
			t->wait_mark = ev_now(env.loop);
			rate_wait(env.rate, &t->rate_wait);
			CO_AWAIT(&t->co, t->rate_wait.granted ||
			    t->cancelled);		/* rate_timer_cb() */
			if (t->cancelled)
				break;
			t->rate_wait.granted = 0;
			t->wait += ev_now(env.loop) - t->wait_mark;
		}

		if (t->res.attempts == 0)
			t->first_start = now_mono();
		t->res.attempts++;
		result_reset(&t->res);
		t->res.t_wait = t->wait > 0 ? t->wait : 0;
		t->attempt_start = ev_now(env.loop);
		/* Not on a connection asked to be h2: the h2c
		 * prior-knowledge workaround (setopt.c) keeps it. */
		t->xfer.no_reuse = !host_has_work(t->host) &&
		    o->http != HTTPV_2 && o->http != HTTPV_2_PRIOR;
		t->xfer_done = 0;
		xfer_start(&t->xfer, &t->req, t);
		CO_AWAIT(&t->co, t->xfer_done || t->cancelled);
		/* task_xfer_done() */
		if (!t->xfer_done) {
			/* Cancelled mid-transfer: the attempt is stopped
			 * and reports back before xfer_cancel() returns. */
			xfer_cancel(&t->xfer);
		}
		/* The host hears the outcome before its place is free, so
		 * a pause holds the next request too. */
		if (!t->cancelled && !t->xfer.aborted)
			task_note_host(t);
		task_release_host(t);
		if (t->cancelled) {
			/* A response that had arrived whole before the
			 * signal is reported as it is, not as cancelled. */
			t->keep_result = !t->xfer.aborted;
			break;
		}

		if (!retry_should(&o->retry_on, t->res.kind, t->res.status,
		    request_method(&t->req, o), t->res.attempts, o->retries))
			break;
		/* Retry-After counts only on 429 and 503. */
		delay = retry_delay(t->res.attempts, o->retry_delay,
		    o->retry_max_delay,
		    t->res.status == 429 || t->res.status == 503 ?
		    t->xfer.retry_after : -1, drand48());
		if (!retry_in_time(now_mono() - t->first_start, delay,
		    o->retry_max_time))
			break;			/* --retry-max-time */
		if (o->verbosity > 0)
			task_say_retry(t, delay);
		t->slept = 0;
		ev_timer_set(&t->backoff, delay, 0.);
		ev_timer_start(env.loop, &t->backoff);
		CO_AWAIT(&t->co, t->slept || t->cancelled);
		/* task_backoff_cb() */
		ev_timer_stop(env.loop, &t->backoff);
		if (t->cancelled)
			break;
	}
	if (t->cancelled && !t->keep_result) {
		result_reset(&t->res);
		t->res.kind = KIND_CANCELLED;
		(void)snprintf(t->res.message, sizeof(t->res.message),
		    "cancelled by a signal before it finished");
	}
	t->res.elapsed = t->res.attempts > 0 ?
	    now_mono() - t->first_start : 0;
	if (t->cancelled && t->res.attempts == 0)
		/* Read ahead but never started: as if never read (SPEC: a
		 * record for every request started). Its place in the
		 * --ordered sequence is filled with nothing. */
		output_emit(t->seq, "", 0);
	else
		env.emit(t->seq, &t->req, &t->res);
	CO_END(&t->co);
}

static void
task_resume(struct sched_item *item)
{
	struct task *t = (struct task *)item;

	if (task_run(t) == CO_DONE) {
		task_free(t);
		env.done();
	}
}

/* Stop whatever the task waits on and wake it as cancelled. */
static void
task_cancel(struct task *t)
{
	t->cancelled = 1;
	ev_timer_stop(env.loop, &t->backoff);
	host_cancel(t->host, &t->host_wait);
	rate_cancel(env.rate, &t->rate_wait);
	sched_wake(&t->item);
}

void
task_cancel_all(void)
{
	struct task *t;

	for (t = live_head; t != NULL; t = t->next)
		if (t->co.line != -1 && !t->cancelled)
			task_cancel(t);
}

void
task_drop_all(void)
{
	while (live_head != NULL)
		task_free(live_head);
}
