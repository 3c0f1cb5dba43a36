/* procs_report.c: children's numbers to the parent; the parent's
 * progress line and --stats summary for the whole -P run. */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "input.h"
#include "opts.h"
#include "procs_report.h"
#include "record.h"
#include "resume.h"
#include "task.h"
#include "util.h"

#define REP_MAGIC	0x636f5045u	/* "coPE" */
#define REP_LINE_MAX	512
#define REP_TTY_EVERY	0.1
#define REP_PLAIN_EVERY	1.0
#define REP_PLAIN_IDLE	10.0
#define REP_RECENT	5.0	/* seconds of the recent rate */
#define REP_COUNT_CHUNK	(256 * 1024)

struct report_msg {
	uint32_t	 magic;
	uint32_t	 final;
	int64_t		 inflight;
	struct progress_stats st;
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
	progress_stats_init(&ch_msg.st);
	if (!periodic)
		return;
	ev_timer_init(&ch_timer, ch_timer_cb, REPORT_EVERY, REPORT_EVERY);
	ev_timer_start(loop, &ch_timer);
	ev_unref(loop);		/* reports never keep the run alive */
}

void
report_child_note(const struct result *res)
{
	progress_stats_note(&ch_msg.st, res);
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

void
report_stats_add(struct progress_stats *sum, const struct progress_stats *st)
{
	size_t i;

	sum->requests += st->requests;
	sum->ok += st->ok;
	sum->failed += st->failed;
	for (i = 0; i < KIND_COUNT; i++)
		sum->kinds[i] += st->kinds[i];
	for (i = 0; i < 7; i++)
		sum->status[i] += st->status[i];
	sum->retries += st->retries;
	sum->bytes += st->bytes;
	if (st->latency.n == 0)
		return;
	for (i = 0; i < HIST_BUCKETS; i++)
		sum->latency.counts[i] += st->latency.counts[i];
	if (sum->latency.n == 0 || st->latency.min < sum->latency.min)
		sum->latency.min = st->latency.min;
	if (sum->latency.n == 0 || st->latency.max > sum->latency.max)
		sum->latency.max = st->latency.max;
	sum->latency.n += st->latency.n;
}

/* The parent's side. */

enum rep_mode { REP_OFF = 0, REP_TTY, REP_PLAIN };

struct rep_child {
	int		 fd;		/* -1 at its end */
	ev_io		 w;
	struct report_msg got;		/* being read */
	size_t		 have;		/* bytes of got read */
	struct report_msg last;		/* the latest whole one */
};

static struct ev_loop	*pa_loop;
static const struct opts *pa_o;
static const struct resume *pa_resumed;
static struct rep_child	*pa_ch;		/* malloced [pa_n] */
static size_t		 pa_n, pa_open;
static enum rep_mode	 pa_mode;
static double		 pa_start, pa_next, pa_plain_at;
static uint64_t		 pa_plain_done;
static int		 pa_shown;
static char		 pa_last[REP_LINE_MAX];
static struct progress_stats pa_sum;	/* of the latest reports */
static double		 pa_ring_t[2];	/* recent-rate sample */
static uint64_t		 pa_ring_done[2];
/* Counting the request lines of the input (regular files only). */
static const struct input *pa_in;
static size_t		 pa_src;	/* the source being counted */
static off_t		 pa_off;
static struct progress_lines pa_lines;
static int		 pa_counted;	/* 1 known, -1 not countable */

int
report_parent_progress(const struct opts *o)
{
	struct stat s1, s2;
	int tty = isatty(STDERR_FILENO), ours = 0;

	if (o->output == NULL && isatty(STDOUT_FILENO))
		ours = fstat(STDOUT_FILENO, &s1) < 0 ||
		    fstat(STDERR_FILENO, &s2) < 0 || s1.st_rdev == s2.st_rdev;
	if (o->progress > 0)
		return tty ? REP_TTY : REP_PLAIN;
	if (o->progress < 0 && tty && o->verbosity >= 0 && !ours)
		return REP_TTY;
	return REP_OFF;
}

static void
pa_sum_up(void)
{
	size_t i;

	progress_stats_init(&pa_sum);
	for (i = 0; i < pa_n; i++)
		if (pa_ch[i].last.magic == REP_MAGIC)
			report_stats_add(&pa_sum, &pa_ch[i].last.st);
}

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
		if (c->got.magic == REP_MAGIC)
			c->last = c->got;
		c->have = 0;
	}
}

void
report_parent_start(struct ev_loop *loop, const struct opts *o, int *fds,
    size_t n, const struct input *in, const struct resume *resumed)
{
	size_t i;

	pa_loop = loop;
	pa_o = o;
	pa_resumed = resumed;
	pa_start = pa_ring_t[0] = pa_ring_t[1] = now_mono();
	pa_mode = report_parent_progress(o);
	pa_next = 0;
	pa_in = in;
	pa_counted = in == NULL ? -1 : 0;
	pa_ch = xcalloc(n, sizeof(*pa_ch));
	pa_n = pa_open = n;
	for (i = 0; i < n; i++) {
		pa_ch[i].fd = fds[i];
		fds[i] = -1;
		ev_io_init(&pa_ch[i].w, pa_read_cb, pa_ch[i].fd, EV_READ);
		pa_ch[i].w.data = &pa_ch[i];
		ev_io_start(loop, &pa_ch[i].w);
	}
	if (pa_counted == 0)
		for (i = 0; i < o->nurls; i++)
			if (input_line_is_request(o->urls[i],
			    strlen(o->urls[i])))
				pa_lines.count++;
}

int
report_parent_done(void)
{
	return pa_open == 0;
}

/* Count up to REP_COUNT_BUDGET bytes more of the input's request
 * lines, so a huge list never holds up the merge. */
#define REP_COUNT_BUDGET	(8 * 1024 * 1024)
static void
pa_count_step(void)
{
	char *chunk;
	ssize_t r;
	size_t budget = REP_COUNT_BUDGET;
	int fd;

	if (pa_counted != 0 || pa_mode == REP_OFF)
		return;
	chunk = xmalloc(REP_COUNT_CHUNK);
	while (pa_counted == 0 && budget > 0) {
		fd = input_source_fd(pa_in, pa_src);
		if (fd < 0) {
			pa_counted = 1;		/* all counted */
			break;
		}
		r = pread(fd, chunk, REP_COUNT_CHUNK, pa_off);
		if (r > 0) {
			progress_lines_add(&pa_lines, chunk, (size_t)r);
			pa_off += r;
			budget -= (size_t)r < budget ? (size_t)r : budget;
		} else if (r == 0) {
			progress_lines_end(&pa_lines);
			pa_src++;
			pa_off = 0;
		} else if (errno != EINTR)
			pa_counted = -1;
	}
	free(chunk);
}

static int
pa_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 80;
	return ws.ws_col;
}

static void
pa_write(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(STDERR_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += (size_t)w;
		n -= (size_t)w;
	}
}

static void
pa_view(struct progress_view *v, double now)
{
	uint64_t total, skipped = 0, i;
	size_t c;

	memset(v, 0, sizeof(*v));
	pa_sum_up();
	v->st = &pa_sum;
	for (c = 0; c < pa_n; c++)
		if (!pa_ch[c].last.final)
			v->inflight += (long)pa_ch[c].last.inflight;
	if (pa_counted == 1) {
		total = progress_shard_share(pa_lines.count, pa_o->shard_k,
		    pa_o->shard_n);
		if (pa_o->resume)
			for (i = pa_o->shard_k - 1; i < pa_lines.count;
			    i += pa_o->shard_n)
				skipped += (uint64_t)resume_has(pa_resumed, i);
		total = total > skipped ? total - skipped : 0;
		v->total_known = 1;
		v->total = total > pa_sum.requests ? total : pa_sum.requests;
	}
	if (now - pa_ring_t[1] >= REP_RECENT) {
		pa_ring_t[0] = pa_ring_t[1];
		pa_ring_done[0] = pa_ring_done[1];
		pa_ring_t[1] = now;
		pa_ring_done[1] = pa_sum.requests;
	}
	v->rate_all = now > pa_start ?
	    (double)pa_sum.requests / (now - pa_start) : 0;
	v->rate_recent = now - pa_ring_t[0] >= 1.0 ?
	    (double)(pa_sum.requests - pa_ring_done[0]) /
	    (now - pa_ring_t[0]) : v->rate_all;
}

void
report_parent_tick(void)
{
	struct progress_view v;
	char line[REP_LINE_MAX], out[REP_LINE_MAX + 16];
	size_t n;
	double now;

	if (pa_mode == REP_OFF)
		return;
	now = now_mono();
	if (now < pa_next)
		return;
	pa_next = now + (pa_mode == REP_TTY ? REP_TTY_EVERY :
	    REP_PLAIN_EVERY);
	pa_count_step();
	pa_view(&v, now);
	if (pa_mode == REP_TTY) {
		n = progress_format(line, sizeof(line), &v, pa_width());
		if (pa_shown && strcmp(line, pa_last) == 0)
			return;
		memcpy(pa_last, line, n + 1);
		n = (size_t)snprintf(out, sizeof(out), "\r%s\033[K", line);
		pa_write(out, n < sizeof(out) ? n : sizeof(out) - 1);
		pa_shown = 1;
		return;
	}
	if (pa_sum.requests == pa_plain_done && pa_plain_at > 0 &&
	    now - pa_plain_at < REP_PLAIN_IDLE)
		return;
	(void)progress_format(line, sizeof(line), &v, 0);
	n = (size_t)snprintf(out, sizeof(out), "cofetch: %s\n", line);
	pa_write(out, n < sizeof(out) ? n : sizeof(out) - 1);
	pa_plain_done = pa_sum.requests;
	pa_plain_at = now;
}

void
report_parent_clear(void)
{
	if (pa_mode != REP_TTY || !pa_shown)
		return;
	pa_write("\r\033[K", 4);
	pa_shown = 0;
	pa_next = 0;
}

void
report_parent_finish(void)
{
	struct progress_view v;
	struct buf out;
	char line[REP_LINE_MAX];
	double wall = now_mono() - pa_start;

	buf_init(&out);
	pa_view(&v, now_mono());
	if (pa_mode == REP_TTY && pa_shown)
		buf_adds(&out, "\r\033[K");
	else if (pa_mode == REP_PLAIN) {
		(void)progress_format(line, sizeof(line), &v, 0);
		buf_addf(&out, "cofetch: %s\n", line);
	}
	pa_mode = REP_OFF;
	if (pa_o->stats) {
		progress_stats_json(&out, &pa_sum, wall);
		if (isatty(STDERR_FILENO) && pa_o->verbosity >= 0)
			progress_stats_human(&out, &pa_sum, wall);
	}
	if (out.len > 0)
		pa_write(out.data, out.len);
	buf_free(&out);
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
