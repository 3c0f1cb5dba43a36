/* procs_report.c: -P: the children's numbers to the parent, which adds
 * them up. The parent's progress line is progress.c's and its summary
 * stats.c's, fed with the sums. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "input.h"
#include "procs_report.h"
#include "progress.h"
#include "record.h"
#include "resume.h"
#include "task.h"
#include "util.h"

#define REP_MAGIC	0x636f5045u	/* "coPE" */

struct report_msg {
	uint32_t	 magic;
	uint32_t	 final;
	int64_t		 inflight;
	struct stats	 st;
};

/* The child's side. */
static int		 ch_fd = -1;
static struct ev_loop	*ch_loop;
static ev_timer		 ch_timer;
static struct report_msg ch_msg;

static void
report_send(void)
{
	const char *p = (const char *)&ch_msg;
	size_t n = sizeof(ch_msg);
	ssize_t w;

	ch_msg.magic = REP_MAGIC;
	ch_msg.inflight = task_live();
	while (n > 0 && ch_fd >= 0) {
		w = write(ch_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			(void)close(ch_fd);	/* the parent is gone */
			ch_fd = -1;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
ch_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	report_send();
}

void
report_child_start(struct ev_loop *loop, int fd, int periodic)
{
	ch_fd = fd;
	ch_loop = loop;
	stats_init(&ch_msg.st);
	if (!periodic)
		return;
	ev_timer_init(&ch_timer, ch_timer_cb, REPORT_EVERY, REPORT_EVERY);
	ev_timer_start(loop, &ch_timer);
	ev_unref(loop);		/* reports never keep the run alive */
}

void
report_child_note(const struct result *res)
{
	stats_note(&ch_msg.st, res);
}

void
report_child_finish(void)
{
	if (ch_loop != NULL && ev_is_active(&ch_timer)) {
		ev_ref(ch_loop);
		ev_timer_stop(ch_loop, &ch_timer);
	}
	ch_msg.final = 1;
	report_send();
	if (ch_fd >= 0)
		(void)close(ch_fd);
	ch_fd = -1;
}

/* The parent's side. */

struct rep_child {
	int		 fd;		/* -1 at its end */
	ev_io		 w;
	struct report_msg got;		/* being read */
	size_t		 have;		/* bytes of got read */
	struct report_msg last;		/* the latest whole one */
};

static struct ev_loop	*pa_loop;
static struct rep_child	*pa_ch;		/* malloced [pa_n] */
static size_t		 pa_n, pa_open;
static struct stats	 pa_sum;	/* of the latest reports */
static long		 pa_inflight;	/* the same */
static int		 pa_dirty;	/* a report came after pa_sum */
static const struct opts *pa_o;		/* the user's options */
static struct input	*pa_in;		/* the parent's: counted only */
static const struct resume *pa_resumed;
static int		 pa_skips_done;	/* resumed lines left out of the
					 * progress total */

static void
pa_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct rep_child *c = w->data;
	ssize_t r;

	r = read(c->fd, (char *)&c->got + c->have, sizeof(c->got) - c->have);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		ev_io_stop(loop, w);
		(void)close(c->fd);
		c->fd = -1;
		pa_open--;
		return;
	}
	c->have += (size_t)r;
	if (c->have == sizeof(c->got)) {
		if (c->got.magic == REP_MAGIC) {
			c->last = c->got;
			pa_dirty = 1;
		}
		c->have = 0;
	}
}

void
report_parent_start(struct ev_loop *loop, int *fds, size_t n,
    const struct opts *o, struct input *in, const struct resume *resumed)
{
	size_t i;

	pa_loop = loop;
	pa_o = o;
	pa_in = in;
	pa_resumed = resumed;
	pa_skips_done = 0;
	stats_init(&pa_sum);
	pa_inflight = 0;
	pa_dirty = 0;
	pa_ch = xcalloc(n, sizeof(*pa_ch));
	pa_n = pa_open = n;
	for (i = 0; i < n; i++) {
		pa_ch[i].fd = fds[i];
		fds[i] = -1;
		ev_io_init(&pa_ch[i].w, pa_read_cb, pa_ch[i].fd, EV_READ);
		pa_ch[i].w.data = &pa_ch[i];
		ev_io_start(loop, &pa_ch[i].w);
	}
}

int
report_parent_done(void)
{
	return pa_open == 0;
}

const struct stats *
report_parent_sum(long *inflight)
{
	double start = pa_sum.start;
	size_t i;

	/* Called on every turn of the loop (progress_tick()): add up only
	 * when a report has come in since (struct stats holds histograms:
	 * initialising one costs ~40k instructions). */
	if (pa_dirty) {
		pa_dirty = 0;
		stats_init(&pa_sum);
		pa_sum.start = start;
		pa_inflight = 0;
		for (i = 0; i < pa_n; i++) {
			if (pa_ch[i].last.magic != REP_MAGIC)
				continue;
			stats_add(&pa_sum, &pa_ch[i].last.st);
			if (!pa_ch[i].last.final)
				pa_inflight += (long)pa_ch[i].last.inflight;
		}
	}
	*inflight = pa_inflight;
	return &pa_sum;
}

void
report_parent_feed(struct progress_feed *f)
{
	uint64_t i;

	f->st = report_parent_sum(&f->inflight);
	f->total_known = input_count_total(pa_in, &f->total);
	if (!f->total_known || pa_skips_done)
		return;
	pa_skips_done = 1;
	for (i = pa_o->shard_k - 1; pa_o->resume && i < f->total;
	    i += pa_o->shard_n)
		if (resume_has(pa_resumed, i))
			progress_skip();
}

void
report_parent_free(void)
{
	size_t i;

	for (i = 0; i < pa_n; i++)
		if (pa_ch[i].fd >= 0) {
			ev_io_stop(pa_loop, &pa_ch[i].w);
			(void)close(pa_ch[i].fd);
		}
	free(pa_ch);
	pa_ch = NULL;
	pa_n = pa_open = 0;
}
