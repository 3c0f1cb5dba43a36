/* worker.c: transfer threads and the two queues between them and the main
 * thread. A queue is a mutex-protected list plus an ev_async that wakes
 * the other side's loop; each wake-up drains the whole list, so a busy run
 * takes one lock and one wake-up per batch, not per request. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "net.h"
#include "util.h"
#include "worker.h"
#include "xfer.h"

/* A request to stop one attempt (rare: signals only). */
struct cancel_msg {
	struct cancel_msg	*next;
	struct xfer		*x;
};

struct worker {
	pthread_t		 thread;
	int			 started;
	struct ev_loop		*loop;		/* owned: ev_loop_new() */
	long			 max_conns;
	ev_async		 wake;		/* main -> worker */
	pthread_mutex_t		 lock;		/* guards the three below */
	struct xfer		*inbox, **inbox_tail;	/* to start */
	struct cancel_msg	*cancels;	/* malloced, to stop */
	int			 quit;
	int			 need_wake;	/* main thread only: queued
						 * since the last wake-up */
	struct xfer		*running;	/* worker thread only */
	int			 out_pending;	/* worker thread only:
						 * finished since the last
						 * wake-up of main */
	ev_prepare		 flush;		/* worker: wake main once
						 * per loop iteration */
};

static struct worker	*workers;	/* malloced [nworkers] */
static int		 nworkers;
static struct ev_loop	*main_loop;
static worker_deliver_fn deliver;
static ev_async		 main_wake;	/* worker -> main */
static pthread_mutex_t	 outbox_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xfer	*outbox, **outbox_tail = &outbox;

static void
running_add(struct worker *w, struct xfer *x)
{
	x->aprev = NULL;
	x->anext = w->running;
	if (w->running != NULL)
		w->running->aprev = x;
	w->running = x;
}

static void
running_remove(struct worker *w, struct xfer *x)
{
	if (x->aprev != NULL)
		x->aprev->anext = x->anext;
	else
		w->running = x->anext;
	if (x->anext != NULL)
		x->anext->aprev = x->aprev;
	x->aprev = x->anext = NULL;
}

static int
running_has(struct worker *w, struct xfer *x)
{
	struct xfer *r;

	for (r = w->running; r != NULL; r = r->anext)
		if (r == x)
			return 1;
	return 0;
}

void
worker_finished(struct xfer *x)
{
	struct worker *w = x->worker;

	running_remove(w, x);
	x->qnext = NULL;
	(void)pthread_mutex_lock(&outbox_lock);
	*outbox_tail = x;
	outbox_tail = &x->qnext;
	(void)pthread_mutex_unlock(&outbox_lock);
	/* Main is woken once per iteration of this loop (worker_flush_cb),
	 * not once per transfer. */
	w->out_pending = 1;
}

static void
worker_flush_cb(struct ev_loop *loop, ev_prepare *p, int revents)
{
	struct worker *w = p->data;

	if (w->out_pending) {
		w->out_pending = 0;
		ev_async_send(main_loop, &main_wake);
	}
}

/* Worker thread: take what the main thread queued. */
static void
worker_wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	struct worker *w = a->data;
	struct xfer *x, *next;
	struct cancel_msg *c, *cnext;
	int quit;

	(void)pthread_mutex_lock(&w->lock);
	x = w->inbox;
	w->inbox = NULL;
	w->inbox_tail = &w->inbox;
	c = w->cancels;
	w->cancels = NULL;
	quit = w->quit;
	(void)pthread_mutex_unlock(&w->lock);

	for (; x != NULL; x = next) {
		next = x->qnext;
		running_add(w, x);
		xfer_run_start(x);	/* may finish it at once */
	}
	for (; c != NULL; c = cnext) {
		cnext = c->next;
		/* Not running any more: already handed back. */
		if (running_has(w, c->x)) {
			xfer_run_abort(c->x);
			worker_finished(c->x);
		}
		free(c);
	}
	if (quit) {
		while ((x = w->running) != NULL) {
			xfer_run_abort(x);
			running_remove(w, x);
		}
		ev_break(loop, EVBREAK_ALL);
	}
}

/* Main thread: hand finished attempts to their tasks. */
static void
main_wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	struct xfer *x, *next;

	(void)pthread_mutex_lock(&outbox_lock);
	x = outbox;
	outbox = NULL;
	outbox_tail = &outbox;
	(void)pthread_mutex_unlock(&outbox_lock);
	for (; x != NULL; x = next) {
		next = x->qnext;
		x->qnext = NULL;
		deliver(x);
	}
}

/* The worker thread: its own libcurl glue, then its loop until told to
 * quit. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	sigset_t all;

	/* Signals are the main loop's business (signalfd there): a worker
	 * must never be the thread one is delivered to. */
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (net_init(w->loop, xfer_net_done, w->max_conns) < 0) {
		fprintf(stderr, "cofetch: cannot initialise libcurl in a "
		    "worker thread\n");
		exit(70);
	}
	ev_run(w->loop, 0);
	ev_async_stop(w->loop, &w->wake);
	xfer_thread_cleanup();
	net_cleanup();
	return NULL;
}

int
worker_start_all(int n, struct ev_loop *loop, worker_deliver_fn fn,
    long max_conns)
{
	struct worker *w;
	int i;

	main_loop = loop;
	deliver = fn;
	ev_async_init(&main_wake, main_wake_cb);
	ev_async_start(main_loop, &main_wake);
	/* The wake-up must not keep the main loop alive by itself. */
	ev_unref(main_loop);
	workers = xcalloc((size_t)n, sizeof(*workers));
	nworkers = n;
	for (i = 0; i < n; i++) {
		w = &workers[i];
		w->loop = ev_loop_new(EVFLAG_AUTO);
		if (w->loop == NULL)
			return -1;
		w->max_conns = max_conns;
		w->inbox_tail = &w->inbox;
		(void)pthread_mutex_init(&w->lock, NULL);
		ev_async_init(&w->wake, worker_wake_cb);
		w->wake.data = w;
		/* Started here, before the thread runs: ev_async_start()
		 * clears a send that came first. */
		ev_async_start(w->loop, &w->wake);
		ev_prepare_init(&w->flush, worker_flush_cb);
		w->flush.data = w;
		ev_prepare_start(w->loop, &w->flush);
		ev_unref(w->loop);
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
			return -1;
		w->started = 1;
	}
	return 0;
}

void
worker_submit(struct xfer *x)
{
	struct worker *w;
	const char *p;
	unsigned h = 2166136261u;	/* FNV-1a */

	/* One host, one worker: its connections stay in one cache, so they
	 * are reused (and multiplexed) exactly as with a single loop, and a
	 * server never sees more connections because of the threads. */
	for (p = x->req->host; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	w = &workers[h % (unsigned)nworkers];
	x->worker = w;
	x->qnext = NULL;
	(void)pthread_mutex_lock(&w->lock);
	*w->inbox_tail = x;
	w->inbox_tail = &x->qnext;
	(void)pthread_mutex_unlock(&w->lock);
	w->need_wake = 1;	/* worker_flush() */
}

void
worker_flush(void)
{
	int i;

	for (i = 0; i < nworkers; i++)
		if (workers[i].need_wake) {
			workers[i].need_wake = 0;
			ev_async_send(workers[i].loop, &workers[i].wake);
		}
}

void
worker_cancel(struct xfer *x)
{
	struct worker *w = x->worker;
	struct cancel_msg *c = xcalloc(1, sizeof(*c));

	c->x = x;
	(void)pthread_mutex_lock(&w->lock);
	c->next = w->cancels;
	w->cancels = c;
	(void)pthread_mutex_unlock(&w->lock);
	ev_async_send(w->loop, &w->wake);
}

void
worker_stop_all(void)
{
	struct worker *w;
	struct cancel_msg *c;
	int i;

	for (i = 0; i < nworkers; i++) {
		w = &workers[i];
		if (!w->started)
			continue;
		(void)pthread_mutex_lock(&w->lock);
		w->quit = 1;
		(void)pthread_mutex_unlock(&w->lock);
		ev_async_send(w->loop, &w->wake);
	}
	for (i = 0; i < nworkers; i++) {
		w = &workers[i];
		if (w->started)
			(void)pthread_join(w->thread, NULL);
		if (w->loop != NULL) {
			ev_ref(w->loop);
			ev_prepare_stop(w->loop, &w->flush);
		}
		while ((c = w->cancels) != NULL) {
			w->cancels = c->next;
			free(c);
		}
		if (w->loop != NULL)
			ev_loop_destroy(w->loop);
		(void)pthread_mutex_destroy(&w->lock);
	}
	free(workers);
	workers = NULL;
	if (nworkers > 0) {
		ev_ref(main_loop);
		ev_async_stop(main_loop, &main_wake);
	}
	nworkers = 0;
	/* What was finished but not delivered belongs to tasks about to be
	 * freed: forget it. */
	outbox = NULL;
	outbox_tail = &outbox;
}
