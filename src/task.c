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
#include "robots_cache.h"
#include "sched.h"
#include "stats_host.h"
#include "task.h"
#include "util.h"
#include "xfer.h"

/* --robots: the fetch of an origin's robots.txt, made by the first task
 * that needs it: no record, no index of its own. */
struct robots_fetch {
	struct request		 req;		/* owned: GET /robots.txt */
	struct result		 res;		/* owned */
	struct xfer		 xfer;		/* owned */
};

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
	double			 paused;	/* seconds of the last retry
						 * sleep spent in a host pause
						 * (a Retry-After), counted in
						 * the next attempt's wait */
	struct robots_entry	*robots;	/* --robots: the origin's
						 * rules, a reference, or
						 * NULL */
	char			*robots_path;	/* owned: path and query to
						 * match */
	struct waiter		 robots_wait;	/* for another task's fetch */
	int			 robots_fetcher; /* this task fetches them */
	double			 robots_since;	/* ev_now: the fetch's start,
						 * or 0 */
	struct robots_fetch	*rf;		/* owned during the fetch */
	int			 denied;	/* robots.txt disallows it */
};

static struct task_env	 env;
static struct task	*live_head;
static long		 live_count;

static void task_resume(struct sched_item *item);

void
task_setup(const struct task_env *e)
{
	env = *e;
	if (env.o->robots)
		robots_cache_setup(env.o->user_agent);
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
	t->robots_wait.who = &t->item;
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
task_robots_fetch_free(struct task *t)
{
	if (t->rf == NULL)
		return;
	xfer_free(&t->rf->xfer);
	result_free(&t->rf->res);
	request_free(&t->rf->req);
	free(t->rf);
	t->rf = NULL;
}

/* Let go of the origin's entry; a fetch left unfinished allows all, so
 * that its waiters go on. */
static void
task_robots_free(struct task *t)
{
	task_robots_fetch_free(t);
	if (t->robots != NULL) {
		robots_cache_cancel(t->robots, &t->robots_wait);
		if (t->robots_fetcher && t->robots->state != ROBOTS_READY)
			robots_cache_set(t->robots, NULL, 0);
		robots_cache_put(t->robots);
		t->robots = NULL;
	}
	free(t->robots_path);
	t->robots_path = NULL;
}

/* --robots: the task's origin entry; whether this task is to fetch it.
 * A request without an origin (none here) is not checked. */
static void
task_robots_begin(struct task *t)
{
	char key[320], *url;

	if (robots_cache_origin(&t->req, key, sizeof(key), &url,
	    &t->robots_path) < 0)
		return;
	t->robots = robots_cache_get(key);
	if (t->robots->state == ROBOTS_NEW) {
		t->robots->state = ROBOTS_FETCHING;
		t->robots_fetcher = 1;
		t->rf = xcalloc(1, sizeof(*t->rf));
		request_init(&t->rf->req);
		t->rf->req.url = url;
		t->rf->req.index = t->req.index;
		memcpy(t->rf->req.host, t->req.host, sizeof(t->req.host));
		result_init(&t->rf->res);
		xfer_init(&t->rf->xfer, &t->rf->res);
		t->rf->xfer.aux_max = ROBOTS_MAX_BYTES;
	} else
		free(url);
}

/* The fetch ended: a 2xx body gives the rules, anything else (4xx, 5xx,
 * a redirect not followed, no answer) allows everything. */
static void
task_robots_end(struct task *t)
{
	struct result *r = &t->rf->res;
	int got = !t->rf->xfer.aborted && r->status >= 200 &&
	    r->status < 300;

	robots_cache_set(t->robots, got ? r->body.data : NULL,
	    got ? r->body.len : 0);
	if (env.o->verbosity > 0)
		infof("robots.txt of %s: %ld%s, %zu rules, crawl-delay %g",
		    t->robots->key, r->status, got ? "" : " (allow all)",
		    t->robots->rules.n, t->robots->rules.crawl_delay);
	task_robots_fetch_free(t);
}

/* The rules are known: Crawl-delay for the host, and may it go? */
static void
task_robots_decide(struct task *t)
{
	const struct robots_rule *rule;
	const struct robots *r = &t->robots->rules;

	if (r->crawl_delay > 0)
		host_set_interval(t->host, r->crawl_delay, t->robots_since);
	if (robots_allowed(r, t->robots_path, &rule))
		return;
	t->denied = 1;
	t->res.kind = KIND_ROBOTS;
	(void)snprintf(t->res.message, sizeof(t->res.message),
	    "disallowed by %.80s/robots.txt (Disallow: %.120s)",
	    t->robots->key, rule != NULL ? rule->pattern : "");
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
	task_robots_free(t);
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
	if (o->robots && !t->cancelled)
		task_robots_begin(t);
	if (t->rf != NULL) {
		/* This task fetches the origin's robots.txt, queued like a
		 * request (host slot, -c, -r), before its own request. */
		host_push(t->host, &t->host_wait);
		CO_AWAIT(&t->co, t->host_wait.granted || t->cancelled);
		if (!t->cancelled) {
			t->host_wait.granted = 0;
			t->host_held = 1;
			if (!rate_try(env.rate)) {
				rate_wait(env.rate, &t->rate_wait);
				CO_AWAIT(&t->co, t->rate_wait.granted ||
				    t->cancelled);
				t->rate_wait.granted = 0;
			}
		}
		if (!t->cancelled) {
			t->robots_since = ev_now(env.loop);
			t->xfer_done = 0;
			xfer_start(&t->rf->xfer, &t->rf->req, t);
			CO_AWAIT(&t->co, t->xfer_done || t->cancelled);
			if (!t->xfer_done)
				xfer_cancel(&t->rf->xfer);
			task_robots_end(t);
		}
		task_release_host(t);
	} else if (t->robots != NULL &&
	    t->robots->state == ROBOTS_FETCHING) {
		robots_cache_wait(t->robots, &t->robots_wait);
		CO_AWAIT(&t->co, t->robots_wait.granted || t->cancelled);
		t->robots_wait.granted = 0;
	}
	if (t->robots != NULL && !t->cancelled)
		task_robots_decide(t);
	for (;;) {
		if (t->cancelled || t->denied)
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
		t->wait = t->paused + (host_clock(t->host) - t->wait_mark);
		t->paused = 0;
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
		t->wait_mark = ev_now(env.loop);
		ev_timer_set(&t->backoff, delay, 0.);
		ev_timer_start(env.loop, &t->backoff);
		CO_AWAIT(&t->co, t->slept || t->cancelled);
		/* task_backoff_cb() */
		ev_timer_stop(env.loop, &t->backoff);
		if (t->cancelled)
			break;
		/* A Retry-After paused the host (task_note_host()): the
		 * sleep was that pause, which time.wait counts (SPEC). */
		if ((t->res.status == 429 || t->res.status == 503) &&
		    t->xfer.retry_after >= 0)
			t->paused = ev_now(env.loop) - t->wait_mark;
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
	else {
		if (o->stats)	/* its per-host part */
			stats_host_note(t->req.host, t->res.kind != KIND_NONE,
			    t->host->hq.limit, t->host->hq.pauses);
		env.emit(t->seq, &t->req, &t->res);
	}
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
	if (t->robots != NULL)
		robots_cache_cancel(t->robots, &t->robots_wait);
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
