/* progress.c: the live progress line on stderr.
 *
 * On a terminal the line is redrawn in place ("\r" line "\033[K") at most
 * ten times a second, from progress_tick() (the loop is about to block)
 * once PROG_TTY_EVERY has passed; a 0.1 s timer wakes the loop so the
 * line stays fresh while nothing else happens. With --progress and stderr
 * not a terminal, a plain line ending in "\n" is written every second
 * while something changes (at least every ten seconds), and once more at
 * the end.
 *
 * It calls nobody: main.c hands it the numbers (struct progress_feed):
 * the counts of the records, the requests in flight and, once the input
 * is counted (input.c), the total. */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "msg.h"
#include "progress.h"
#include "util.h"

#define PROG_TIMER		0.1	/* seconds between timer ticks */
#define PROG_TTY_EVERY		0.1	/* at most ten redraws a second */
#define PROG_PLAIN_EVERY	1.0	/* plain lines, when changed */
#define PROG_PLAIN_IDLE		10.0	/* plain lines, unchanged */
#define PROG_RING		50	/* done samples: 5 s of timer ticks */
#define PROG_LINE_MAX		512
#define PROG_TOP_KINDS		3	/* error kinds named in the line */

enum prog_mode {
	PROG_OFF = 0,
	PROG_TTY,			/* redrawn in place */
	PROG_PLAIN			/* a line now and then */
};

/* Formatting variants, from the full line to the narrowest. */
#define FMT_NO_KINDS	0x1	/* no error kinds after "fail N" */
#define FMT_NO_AVG	0x2	/* no overall rate */
#define FMT_NO_INFLIGHT	0x4
#define FMT_NO_OK	0x8

static struct ev_loop	*prog_loop;
static const struct opts *prog_o;
static enum prog_mode	 prog_mode;
static int		 prog_finished;
static double		 prog_start;	/* now_mono() at progress_init() */
static uint64_t		 prog_admitted;
static uint64_t		 prog_skipped;	/* by --resume */

static ev_timer		 prog_timer;
static int		 prog_timer_on;
static double		 prog_next;	/* ev_now() of the next draw */
static int		 prog_shown;	/* a terminal line is on screen */
static char		 prog_last[PROG_LINE_MAX];	/* as drawn */
static uint64_t		 prog_plain_done;	/* at the last plain line */
static double		 prog_plain_at;

/* Done counts sampled every PROG_TIMER, for the recent rate. */
static struct {
	double		 t;		/* now_mono() */
	uint64_t	 done;
} prog_ring[PROG_RING];
static int		 prog_ring_head, prog_ring_n;
static double		 prog_ring_next;	/* now_mono() of the next */

uint64_t
progress_shard_share(uint64_t total, uint64_t k, uint64_t n)
{
	if (n <= 1)
		return total;
	return total / n + (total % n >= k ? 1 : 0);
}

/* "42s", "3m05s", "2h07m", "3d04h": for the ETA, in whole seconds. */
static void
fmt_eta(char *s, size_t size, double sec)
{
	long long t;

	if (!(sec < 1e9)) {
		(void)snprintf(s, size, "--");
		return;
	}
	t = (long long)(sec + 0.5);
	if (t < 60)
		(void)snprintf(s, size, "%llds", t);
	else if (t < 3600)
		(void)snprintf(s, size, "%lldm%02llds", t / 60, t % 60);
	else if (t < 86400)
		(void)snprintf(s, size, "%lldh%02lldm", t / 3600,
		    t % 3600 / 60);
	else
		(void)snprintf(s, size, "%lldd%02lldh", t / 86400,
		    t % 86400 / 3600);
}

/* The live line. */

static void
format_one(struct buf *out, const struct progress_view *v, int flags)
{
	const struct stats *st = v->st;
	uint64_t total = 0, left;
	char r1[32], r2[32], eta[32];
	double rate;

	buf_reset(out);
	if (v->total_known) {
		total = v->total > st->requests ? v->total : st->requests;
		buf_addf(out, "%llu/%llu %llu%%",
		    (unsigned long long)st->requests,
		    (unsigned long long)total, (unsigned long long)(total ?
		    st->requests * 100 / total : 100));
	} else
		buf_addf(out, "%llu done", (unsigned long long)st->requests);

	stats_fmt_rate(r1, sizeof(r1), v->rate_recent);
	buf_addf(out, "  %s", r1);
	if (!(flags & FMT_NO_AVG)) {
		stats_fmt_rate(r2, sizeof(r2), v->rate_all);
		buf_addf(out, " (avg %s)", r2);
	}
	if (v->total_known) {
		left = total - st->requests;
		rate = v->rate_recent > 0 ? v->rate_recent : v->rate_all;
		if (left == 0)
			fmt_eta(eta, sizeof(eta), 0);
		else if (rate > 0)
			fmt_eta(eta, sizeof(eta), (double)left / rate);
		else
			(void)snprintf(eta, sizeof(eta), "--");
		buf_addf(out, "  ETA %s", eta);
	}
	if (!(flags & FMT_NO_INFLIGHT))
		buf_addf(out, "  in flight %ld", v->inflight);
	if (!(flags & FMT_NO_OK))
		buf_addf(out, "  ok %llu", (unsigned long long)st->ok);
	buf_addf(out, "  fail %llu", (unsigned long long)st->failed);
	if (!(flags & FMT_NO_KINDS))
		stats_add_kinds(out, st, PROG_TOP_KINDS);
}

size_t
progress_format(char *line, size_t size, const struct progress_view *v,
    int width)
{
	/* Drop the least useful fields first, then cut. */
	static const int variants[] = {
		0,
		FMT_NO_KINDS,
		FMT_NO_KINDS | FMT_NO_AVG,
		FMT_NO_KINDS | FMT_NO_AVG | FMT_NO_INFLIGHT,
		FMT_NO_KINDS | FMT_NO_AVG | FMT_NO_INFLIGHT | FMT_NO_OK,
	};
	struct buf b;
	size_t i, n, max;

	if (size == 0)
		return 0;
	max = size - 1;
	if (width > 0 && (size_t)width - 1 < max)
		max = (size_t)width - 1;
	buf_init(&b);
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		format_one(&b, v, variants[i]);
		if (b.len <= max || width <= 0)
			break;
	}
	n = b.len < max ? b.len : max;
	memcpy(line, b.data, n);
	line[n] = '\0';
	buf_free(&b);
	return n;
}

/* Output. */

static void
prog_write(const char *p, size_t n)
{
	msg_write(p, n);	/* never blocks the loop */
}

static int
prog_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 80;
	return ws.ws_col;
}

/* Records per second over the last few seconds (the oldest sample in the
 * ring), or since the start while the run is younger than a second. */
static double
prog_rate_recent(const struct stats *st, double now)
{
	int oldest;
	double dt;

	if (prog_ring_n == 0)
		return 0;
	oldest = (prog_ring_head - prog_ring_n + PROG_RING) % PROG_RING;
	dt = now - prog_ring[oldest].t;
	if (dt < 1.0) {
		dt = now - prog_start;
		return dt > 0 ? (double)st->requests / dt : 0;
	}
	return (double)(st->requests - prog_ring[oldest].done) / dt;
}

static void
prog_view(struct progress_view *v, const struct progress_feed *f,
    double now)
{
	uint64_t total;

	memset(v, 0, sizeof(*v));
	v->st = f->st;
	if (f->total_known) {
		total = progress_shard_share(f->total, prog_o->shard_k,
		    prog_o->shard_n);
		total = total > prog_skipped ? total - prog_skipped : 0;
		/* The file may have grown since it was counted. */
		if (total < prog_admitted)
			total = prog_admitted;
		v->total_known = 1;
		v->total = total;
	}
	v->inflight = f->inflight;
	v->rate_recent = prog_rate_recent(f->st, now);
	v->rate_all = now > prog_start ?
	    (double)f->st->requests / (now - prog_start) : 0;
}

static void
prog_draw(const struct progress_feed *f)
{
	struct progress_view v;
	char line[PROG_LINE_MAX], out[PROG_LINE_MAX + 16];
	size_t n;
	double now = now_mono();

	prog_view(&v, f, now);
	if (prog_mode == PROG_TTY) {
		n = progress_format(line, sizeof(line), &v, prog_width());
		if (prog_shown && strcmp(line, prog_last) == 0)
			return;
		memcpy(prog_last, line, n + 1);
		n = (size_t)snprintf(out, sizeof(out), "\r%s\033[K", line);
		prog_write(out, n);
		prog_shown = 1;
		return;
	}
	if (f->st->requests == prog_plain_done && prog_plain_at > 0 &&
	    now - prog_plain_at < PROG_PLAIN_IDLE)
		return;
	n = progress_format(line, sizeof(line), &v, 0);
	n = (size_t)snprintf(out, sizeof(out), "cofetch: %s\n", line);
	prog_write(out, n < sizeof(out) ? n : sizeof(out) - 1);
	prog_plain_done = f->st->requests;
	prog_plain_at = now;
}

static void
prog_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* Sampling and drawing are left to progress_tick(), which runs
	 * before the loop blocks again: the wake-up alone keeps the line
	 * fresh. */
}

/* Sample the done count for the recent rate, every PROG_TIMER. */
static void
prog_sample(uint64_t done, double now)
{
	if (now < prog_ring_next && prog_ring_next - now <= PROG_TIMER)
		return;
	prog_ring_next = now + PROG_TIMER;
	prog_ring[prog_ring_head].t = now;
	prog_ring[prog_ring_head].done = done;
	prog_ring_head = (prog_ring_head + 1) % PROG_RING;
	if (prog_ring_n < PROG_RING)
		prog_ring_n++;
}

static void
prog_timer_stop(void)
{
	if (!prog_timer_on)
		return;
	ev_ref(prog_loop);
	ev_timer_stop(prog_loop, &prog_timer);
	prog_timer_on = 0;
}

/* Records go to the terminal stderr is on: a line redrawn in place would
 * be torn by them. */
static int
records_on_our_tty(const struct opts *o)
{
	struct stat s1, s2;

	if (o->output != NULL || !isatty(STDOUT_FILENO))
		return 0;
	if (fstat(STDOUT_FILENO, &s1) < 0 || fstat(STDERR_FILENO, &s2) < 0)
		return 1;
	return s1.st_rdev == s2.st_rdev;
}

int
progress_wanted(const struct opts *o)
{
	int tty = isatty(STDERR_FILENO);

	if (o->progress > 0)
		return tty ? PROG_TTY : PROG_PLAIN;
	if (o->progress < 0 && tty && o->verbosity >= 0 &&
	    !records_on_our_tty(o))
		return PROG_TTY;
	return PROG_OFF;
}

int
progress_init(struct ev_loop *loop, const struct opts *o)
{
	prog_loop = loop;
	prog_o = o;
	prog_start = now_mono();
	prog_finished = 0;
	prog_admitted = prog_skipped = 0;
	prog_shown = 0;
	prog_last[0] = '\0';
	prog_ring_head = prog_ring_n = 0;
	prog_ring_next = 0;
	prog_plain_done = 0;
	prog_plain_at = 0;

	prog_mode = (enum prog_mode)progress_wanted(o);
	if (prog_mode == PROG_OFF)
		return 0;

	prog_next = ev_now(loop) + (prog_mode == PROG_TTY ?
	    PROG_TTY_EVERY : PROG_PLAIN_EVERY);
	ev_timer_init(&prog_timer, prog_timer_cb, PROG_TIMER, PROG_TIMER);
	ev_timer_start(loop, &prog_timer);
	ev_unref(loop);		/* the line never keeps the loop alive */
	prog_timer_on = 1;
	return 1;
}

void
progress_admit(void)
{
	prog_admitted++;
}

void
progress_skip(void)
{
	prog_skipped++;
}

void
progress_tick(const struct progress_feed *f)
{
	double now, every;

	if (prog_mode == PROG_OFF)
		return;
	prog_sample(f->st->requests, now_mono());
	now = ev_now(prog_loop);
	every = prog_mode == PROG_TTY ? PROG_TTY_EVERY : PROG_PLAIN_EVERY;
	/* Not yet, unless the clock went back. */
	if (now < prog_next && prog_next - now <= every)
		return;
	prog_next = now + every;
	prog_draw(f);
}

void
progress_clear(void)
{
	if (prog_mode != PROG_TTY || !prog_shown)
		return;
	prog_write("\r\033[K", 4);
	prog_shown = 0;
	prog_next = 0;		/* back at the next tick */
}

void
progress_finish(const struct progress_feed *f)
{
	struct progress_view v;
	struct buf out;
	char line[PROG_LINE_MAX];

	if (prog_finished)
		return;
	prog_finished = 1;
	prog_timer_stop();
	buf_init(&out);
	if (prog_mode == PROG_TTY && prog_shown)
		buf_adds(&out, "\r\033[K");
	else if (prog_mode == PROG_PLAIN) {
		prog_view(&v, f, now_mono());
		(void)progress_format(line, sizeof(line), &v, 0);
		buf_addf(&out, "cofetch: %s\n", line);
	}
	prog_mode = PROG_OFF;
	prog_shown = 0;
	if (out.len > 0)
		prog_write(out.data, out.len);
	buf_free(&out);
}

void
progress_free(void)
{
	prog_timer_stop();
	prog_mode = PROG_OFF;
}
