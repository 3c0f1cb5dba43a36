/* procs_tee.c: copying read-once input to every -P child. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "msg.h"
#include "procs_tee.h"
#include "util.h"

#define TEE_CHUNK	(64 * 1024)

struct tee_out {
	struct tee	*t;
	size_t		 c;		/* child number */
	ev_io		 w;		/* writable */
	struct buf	 pend;		/* bytes not yet written; owned */
	size_t		 off;
	int		 gone;		/* EPIPE: the child has ended */
};

struct tee {
	struct ev_loop	*loop;
	const int	*srcs;		/* the caller's [nsrcs] */
	size_t		 nsrcs;
	int		*wr;		/* the caller's [nchildren * nsrcs];
					 * each closed here, set to -1 */
	size_t		 nchildren;
	struct tee_out	*outs;		/* malloced [nchildren] */
	size_t		 cur;		/* the source being copied */
	int		 eof;		/* cur has ended */
	ev_io		 rd;
	char		*chunk;		/* malloced [TEE_CHUNK] */
	void		(*done)(void *);
	void		*arg;
	int		 finished;
};

static void tee_next(struct tee *t);

static size_t
tee_waiting(const struct tee_out *o)
{
	return o->pend.len - o->off;
}

static void
tee_close_out(struct tee *t, struct tee_out *o)
{
	int *fd = &t->wr[o->c * t->nsrcs + t->cur];

	ev_io_stop(t->loop, &o->w);
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
	buf_reset(&o->pend);
	o->off = 0;
}

/* Write what child o waits for; 0 when all is written or it is gone. */
static int
tee_flush(struct tee *t, struct tee_out *o)
{
	int fd = t->wr[o->c * t->nsrcs + t->cur];
	ssize_t w;

	while (!o->gone && tee_waiting(o) > 0) {
		w = write(fd, o->pend.data + o->off, tee_waiting(o));
		if (w > 0) {
			o->off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			if (!ev_is_active(&o->w)) {
				ev_io_set(&o->w, fd, EV_WRITE);
				ev_io_start(t->loop, &o->w);
			}
			return 1;
		}
		o->gone = 1;		/* EPIPE: nobody reads it */
	}
	ev_io_stop(t->loop, &o->w);
	buf_reset(&o->pend);
	o->off = 0;
	return 0;
}

/* Read on if no child is too far behind; move on at the end of one. */
static void
tee_check(struct tee *t)
{
	size_t c, high = 0;

	for (c = 0; c < t->nchildren; c++)
		if (tee_waiting(&t->outs[c]) > high)
			high = tee_waiting(&t->outs[c]);
	if (t->eof) {
		if (high > 0)
			return;
		for (c = 0; c < t->nchildren; c++)
			tee_close_out(t, &t->outs[c]);
		t->cur++;
		tee_next(t);
		return;
	}
	if (high >= TEE_HIGH)
		ev_io_stop(t->loop, &t->rd);
	else if (!ev_is_active(&t->rd))
		ev_io_start(t->loop, &t->rd);
}

static void
tee_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tee_out *o = w->data;

	(void)tee_flush(o->t, o);
	tee_check(o->t);
}

static void
tee_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tee *t = w->data;
	struct tee_out *o;
	ssize_t n;
	size_t c;

	/* One read per readiness, as input.c does: the descriptor may be
	 * a shared, blocking one. */
	n = read(t->srcs[t->cur], t->chunk, TEE_CHUNK);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (n < 0)
			errorf("reading the input: %s", strerror(errno));
		ev_io_stop(loop, w);
		t->eof = 1;
		tee_check(t);
		return;
	}
	for (c = 0; c < t->nchildren; c++) {
		o = &t->outs[c];
		if (o->gone)
			continue;
		buf_add(&o->pend, t->chunk, (size_t)n);
		(void)tee_flush(t, o);
	}
	tee_check(t);
}

/* Start copying source cur, or finish. */
static void
tee_next(struct tee *t)
{
	if (t->cur >= t->nsrcs) {
		if (!t->finished) {
			t->finished = 1;
			t->done(t->arg);
		}
		return;
	}
	t->eof = 0;
	ev_io_set(&t->rd, t->srcs[t->cur], EV_READ);
	ev_io_start(t->loop, &t->rd);
}

struct tee *
tee_new(struct ev_loop *loop, const int *srcs, size_t nsrcs, int *wr,
    size_t nchildren, void (*done)(void *), void *arg)
{
	struct tee *t = xcalloc(1, sizeof(*t));
	size_t c, i;

	t->loop = loop;
	t->srcs = srcs;
	t->nsrcs = nsrcs;
	t->wr = wr;
	t->nchildren = nchildren;
	t->done = done;
	t->arg = arg;
	t->chunk = xmalloc(TEE_CHUNK);
	t->outs = xcalloc(nchildren, sizeof(*t->outs));
	for (i = 0; i < nchildren * nsrcs; i++)
		if (wr[i] >= 0)
			(void)fcntl(wr[i], F_SETFL,
			    fcntl(wr[i], F_GETFL) | O_NONBLOCK);
	for (c = 0; c < nchildren; c++) {
		t->outs[c].t = t;
		t->outs[c].c = c;
		buf_init(&t->outs[c].pend);
		ev_init(&t->outs[c].w, tee_write_cb);
		t->outs[c].w.data = &t->outs[c];
	}
	ev_init(&t->rd, tee_read_cb);
	t->rd.data = t;
	tee_next(t);
	return t;
}

void
tee_stop(struct tee *t)
{
	size_t c, i;

	if (t == NULL)
		return;
	ev_io_stop(t->loop, &t->rd);
	for (c = 0; c < t->nchildren; c++) {
		ev_io_stop(t->loop, &t->outs[c].w);
		buf_reset(&t->outs[c].pend);
		t->outs[c].off = 0;
	}
	for (i = 0; i < t->nchildren * t->nsrcs; i++)
		if (t->wr[i] >= 0) {
			(void)close(t->wr[i]);
			t->wr[i] = -1;
		}
	t->cur = t->nsrcs;
	tee_next(t);
}

int
tee_done(const struct tee *t)
{
	return t == NULL || t->finished;
}

void
tee_free(struct tee *t)
{
	size_t c;

	if (t == NULL)
		return;
	tee_stop(t);
	for (c = 0; c < t->nchildren; c++)
		buf_free(&t->outs[c].pend);
	free(t->outs);
	free(t->chunk);
	free(t);
}
