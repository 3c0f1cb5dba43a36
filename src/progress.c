/* progress.c: the live progress line on stderr and the --stats summary.
 *
 * On a terminal the line is redrawn in place ("\r" line "\033[K") at most
 * ten times a second, from progress_tick() (the loop is about to block)
 * once PROG_TTY_EVERY has passed; a 0.1 s timer wakes the loop so the
 * line stays fresh while nothing else happens, samples the done count
 * for the recent rate and counts the input ahead of the reader. With
 * --progress and stderr not a terminal, a plain line ending in "\n" is
 * written every second while something changes (at least every ten
 * seconds), and once more at the end.
 *
 * The total is known when every source is an argument or a regular file:
 * their request lines are counted with the reader's rules, a chunk at a
 * time (PROG_COUNT_FIRST at the start, then PROG_COUNT_TICK per timer
 * tick) so a huge list never delays the first requests. */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "hist.h"
#include "input.h"
#include "progress.h"
#include "task.h"
#include "util.h"

#define PROG_TIMER		0.1	/* seconds between timer ticks */
#define PROG_TTY_EVERY		0.1	/* at most ten redraws a second */
#define PROG_PLAIN_EVERY	1.0	/* plain lines, when changed */
#define PROG_PLAIN_IDLE		10.0	/* plain lines, unchanged */
#define PROG_RING		50	/* done samples: 5 s of timer ticks */
#define PROG_LINE_MAX		512
#define PROG_COUNT_CHUNK	(256 * 1024)
#define PROG_COUNT_FIRST	(16 * 1024 * 1024)
#define PROG_COUNT_TICK		(8 * 1024 * 1024)
#define PROG_TOP_KINDS		3	/* error kinds named in the line */

enum prog_mode {
	PROG_OFF = 0,
	PROG_TTY,			/* redrawn in place */
	PROG_PLAIN			/* a line now and then */
};

enum prog_total {
	TOTAL_UNKNOWN = 0,
	TOTAL_COUNTING,
	TOTAL_KNOWN
};

/* A file whose request lines are being counted. */
struct count_src {
	int		 fd;		/* -1 once counted */
	int		 owned;		/* opened here: close it */
	off_t		 off;		/* next byte to count (pread) */
};

/* Formatting variants, from the full line to the narrowest. */
#define FMT_NO_KINDS	0x1	/* no error kinds after "fail N" */
#define FMT_NO_AVG	0x2	/* no overall rate */
#define FMT_NO_INFLIGHT	0x4
#define FMT_NO_OK	0x8

static struct ev_loop	*prog_loop;
static const struct opts *prog_o;
static enum prog_mode	 prog_mode;
static int		 prog_stats;	/* --stats */
static int		 prog_finished;
static double		 prog_start;	/* now_mono() at progress_init() */
static struct progress_stats prog_st;
static uint64_t		 prog_admitted;
static uint64_t		 prog_skipped;	/* by --resume */

static ev_timer		 prog_timer;
static int		 prog_timer_on;
static double		 prog_next;	/* ev_now() of the next draw */
static int		 prog_shown;	/* a terminal line is on screen */
static char		 prog_last[PROG_LINE_MAX];	/* as drawn */
static uint64_t		 prog_plain_done;	/* at the last plain line */
static double		 prog_plain_at;

/* Done counts sampled by the timer, for the recent rate. */
static struct {
	double		 t;		/* now_mono() */
	uint64_t	 done;
} prog_ring[PROG_RING];
static int		 prog_ring_head, prog_ring_n;

static enum prog_total	 cnt_state;
static struct progress_lines cnt_lines;
static struct count_src	*cnt_srcs;	/* malloced [cnt_n], freed by
					 * count_stop() */
static size_t		 cnt_n, cnt_cur;
static char		*cnt_buf;	/* malloced [PROG_COUNT_CHUNK] while
					 * counting */

/* White space as input_parse_line() sees it. */
static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

/* Line counting. */

static const unsigned char utf8_bom[3] = { 0xef, 0xbb, 0xbf };

static void
lines_next(struct progress_lines *pl)
{
	/* A line of only part of a byte order mark starts with a byte that
	 * is not white space: it is a request (an invalid one). */
	if (pl->decided > 0 || (pl->decided == 0 && pl->bom > 0 &&
	    pl->bom < 3))
		pl->count++;
	pl->col = 0;
	pl->bom = 0;
	pl->decided = 0;
}

void
progress_lines_add(struct progress_lines *pl, const char *p, size_t n)
{
	const char *end = p + n, *nl;
	unsigned char c;
	uint64_t col;

	while (p < end) {
		if (pl->decided != 0 || pl->col >= INPUT_LINE_MAX) {
			/* The reader looks no further into this line. */
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL) {
				pl->col += (uint64_t)(end - p);
				return;
			}
			p = nl + 1;
			lines_next(pl);
			continue;
		}
		c = (unsigned char)*p++;
		if (c == '\n') {
			lines_next(pl);
			continue;
		}
		col = pl->col++;
		if (col < 3 && (uint64_t)pl->bom == col) {
			if (c == utf8_bom[col]) {
				pl->bom++;
				continue;
			}
			if (pl->bom > 0) {
				pl->decided = 1;
				continue;
			}
		}
		if (!is_space(c))
			pl->decided = c == '#' ? -1 : 1;
	}
}

void
progress_lines_end(struct progress_lines *pl)
{
	if (pl->col > 0)
		lines_next(pl);
}

uint64_t
progress_shard_share(uint64_t total, uint64_t k, uint64_t n)
{
	if (n <= 1)
		return total;
	return total / n + (total % n >= k ? 1 : 0);
}

/* Statistics. */

void
progress_stats_init(struct progress_stats *st)
{
	memset(st, 0, sizeof(*st));
	hist_init(&st->latency);
}

void
progress_stats_note(struct progress_stats *st, const struct result *res)
{
	int k = (int)res->kind;

	st->requests++;
	if (k < 0 || k >= KIND_COUNT)
		k = KIND_INTERNAL;
	if (k == KIND_NONE)
		st->ok++;
	else {
		st->failed++;
		st->kinds[k]++;
	}
	if (res->status == 0)
		st->status[0]++;
	else if (res->status >= 100 && res->status <= 599)
		st->status[res->status / 100]++;
	else
		st->status[6]++;
	if (res->attempts > 0) {
		st->retries += (uint64_t)(res->attempts - 1);
		hist_add(&st->latency, res->elapsed);
	}
	if (res->size > 0)
		st->bytes += (uint64_t)res->size;
}

/* The up to n most frequent error kinds into top[], most first (ties in
 * kind order); returns how many. */
static int
stats_top_kinds(const struct progress_stats *st, int *top, int n)
{
	int taken[KIND_COUNT] = { 0 }, i, k, best, got = 0;

	for (i = 0; i < n; i++) {
		best = -1;
		for (k = 1; k < KIND_COUNT; k++)
			if (st->kinds[k] > 0 && !taken[k] &&
			    (best < 0 || st->kinds[k] > st->kinds[best]))
				best = k;
		if (best < 0)
			break;
		taken[best] = 1;
		top[got++] = best;
	}
	return got;
}

/* Append " (timeout 9, http 3, other 1)" (nothing when none failed). */
static void
stats_add_kinds(struct buf *out, const struct progress_stats *st)
{
	int top[PROG_TOP_KINDS], n, i;
	uint64_t named = 0;

	n = stats_top_kinds(st, top, PROG_TOP_KINDS);
	if (n == 0)
		return;
	buf_adds(out, " (");
	for (i = 0; i < n; i++) {
		buf_addf(out, "%s%s %llu", i ? ", " : "", kind_name(top[i]),
		    (unsigned long long)st->kinds[top[i]]);
		named += st->kinds[top[i]];
	}
	if (named < st->failed)
		buf_addf(out, ", other %llu",
		    (unsigned long long)(st->failed - named));
	buf_addc(out, ')');
}

static void
json_seconds(struct buf *out, double sec)
{
	buf_addf(out, "%.6f", sec >= 0 && sec < 1e15 ? sec : 0.0);
}

void
progress_stats_json(struct buf *out, const struct progress_stats *st,
    double wall)
{
	static const char *const classes[] = {
		"none", "1xx", "2xx", "3xx", "4xx", "5xx"
	};
	static const double pcts[] = { 50, 90, 99 };
	const struct hist *h = &st->latency;
	int i, k, first;

	buf_addf(out, "{\"requests\":%llu,\"ok\":%llu,\"failed\":%llu,"
	    "\"status\":{", (unsigned long long)st->requests,
	    (unsigned long long)st->ok, (unsigned long long)st->failed);
	for (i = 1; i <= 5; i++)
		buf_addf(out, "\"%s\":%llu,", classes[i],
		    (unsigned long long)st->status[i]);
	buf_addf(out, "\"none\":%llu", (unsigned long long)st->status[0]);
	if (st->status[6] > 0)
		buf_addf(out, ",\"other\":%llu",
		    (unsigned long long)st->status[6]);
	buf_adds(out, "},\"errors\":{");
	first = 1;
	for (k = 1; k < KIND_COUNT; k++) {
		if (st->kinds[k] == 0)
			continue;
		buf_addf(out, "%s\"%s\":%llu", first ? "" : ",", kind_name(k),
		    (unsigned long long)st->kinds[k]);
		first = 0;
	}
	buf_addf(out, "},\"retries\":%llu,\"bytes\":%llu,\"wall\":",
	    (unsigned long long)st->retries, (unsigned long long)st->bytes);
	json_seconds(out, wall);
	buf_addf(out, ",\"rps\":%.3f,\"latency\":{\"min\":",
	    wall > 0 ? (double)st->requests / wall : 0.0);
	if (h->n == 0) {
		buf_adds(out, "null,\"p50\":null,\"p90\":null,\"p99\":null,"
		    "\"max\":null}}\n");
		return;
	}
	json_seconds(out, h->min);
	for (i = 0; i < 3; i++) {
		buf_addf(out, ",\"p%.0f\":", pcts[i]);
		json_seconds(out, hist_percentile(h, pcts[i]));
	}
	buf_adds(out, ",\"max\":");
	json_seconds(out, h->max);
	buf_adds(out, "}}\n");
}

/* "850us", "12.3ms", "1.20s", "3m05s", "2h07m". */
static void
fmt_duration(char *s, size_t size, double sec)
{
	long long t;

	if (sec < 0.001)
		(void)snprintf(s, size, "%.0fus", sec * 1e6);
	else if (sec < 0.01)
		(void)snprintf(s, size, "%.2fms", sec * 1e3);
	else if (sec < 0.1)
		(void)snprintf(s, size, "%.1fms", sec * 1e3);
	else if (sec < 1)
		(void)snprintf(s, size, "%.0fms", sec * 1e3);
	else if (sec < 60)
		(void)snprintf(s, size, "%.2fs", sec);
	else if (sec < 3600) {
		t = (long long)(sec + 0.5);
		(void)snprintf(s, size, "%lldm%02llds", t / 60, t % 60);
	} else if (sec < 1e9) {
		t = (long long)(sec / 60 + 0.5);
		(void)snprintf(s, size, "%lldh%02lldm", t / 60, t % 60);
	} else
		(void)snprintf(s, size, "forever");
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

static void
fmt_rate(char *s, size_t size, double r)
{
	if (!(r >= 0) || r > 1e12)
		r = 0;
	if (r < 10)
		(void)snprintf(s, size, "%.2f/s", r);
	else if (r < 100)
		(void)snprintf(s, size, "%.1f/s", r);
	else
		(void)snprintf(s, size, "%.0f/s", r);
}

static void
fmt_bytes(char *s, size_t size, uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
	    "PiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		(void)snprintf(s, size, "%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	(void)snprintf(s, size, "%.1f %s", v, units[u]);
}

void
progress_stats_human(struct buf *out, const struct progress_stats *st,
    double wall)
{
	const struct hist *h = &st->latency;
	char a[32], b[32], c[32], d[32];

	fmt_duration(a, sizeof(a), wall);
	fmt_rate(b, sizeof(b), wall > 0 ? (double)st->requests / wall : 0);
	buf_addf(out, "cofetch: %llu request%s in %s (%s): %llu ok, "
	    "%llu failed", (unsigned long long)st->requests,
	    st->requests == 1 ? "" : "s", a, b, (unsigned long long)st->ok,
	    (unsigned long long)st->failed);
	stats_add_kinds(out, st);
	if (st->retries > 0)
		buf_addf(out, ", %llu retr%s", (unsigned long long)st->retries,
		    st->retries == 1 ? "y" : "ies");
	fmt_bytes(a, sizeof(a), st->bytes);
	buf_addf(out, "; %s", a);
	if (h->n > 0) {
		fmt_duration(a, sizeof(a), hist_percentile(h, 50));
		fmt_duration(b, sizeof(b), hist_percentile(h, 90));
		fmt_duration(c, sizeof(c), hist_percentile(h, 99));
		fmt_duration(d, sizeof(d), h->max);
		buf_addf(out, "; latency p50 %s, p90 %s, p99 %s, max %s",
		    a, b, c, d);
	}
	buf_addc(out, '\n');
}

/* The live line. */

static void
format_one(struct buf *out, const struct progress_view *v, int flags)
{
	const struct progress_stats *st = v->st;
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

	fmt_rate(r1, sizeof(r1), v->rate_recent);
	buf_addf(out, "  %s", r1);
	if (!(flags & FMT_NO_AVG)) {
		fmt_rate(r2, sizeof(r2), v->rate_all);
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
		stats_add_kinds(out, st);
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
	ssize_t w;

	while (n > 0) {
		w = write(STDERR_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;		/* nowhere to complain */
		p += w;
		n -= (size_t)w;
	}
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
prog_rate_recent(double now)
{
	int oldest;
	double dt;

	if (prog_ring_n == 0)
		return 0;
	oldest = (prog_ring_head - prog_ring_n + PROG_RING) % PROG_RING;
	dt = now - prog_ring[oldest].t;
	if (dt < 1.0) {
		dt = now - prog_start;
		return dt > 0 ? (double)prog_st.requests / dt : 0;
	}
	return (double)(prog_st.requests - prog_ring[oldest].done) / dt;
}

static void
prog_view(struct progress_view *v, double now)
{
	uint64_t total;

	memset(v, 0, sizeof(*v));
	v->st = &prog_st;
	if (cnt_state == TOTAL_KNOWN) {
		total = progress_shard_share(cnt_lines.count, prog_o->shard_k,
		    prog_o->shard_n);
		total = total > prog_skipped ? total - prog_skipped : 0;
		/* The file may have grown since it was counted. */
		if (total < prog_admitted)
			total = prog_admitted;
		v->total_known = 1;
		v->total = total;
	}
	v->inflight = task_live();
	v->rate_recent = prog_rate_recent(now);
	v->rate_all = now > prog_start ?
	    (double)prog_st.requests / (now - prog_start) : 0;
}

static void
prog_draw(void)
{
	struct progress_view v;
	char line[PROG_LINE_MAX], out[PROG_LINE_MAX + 16];
	size_t n;
	double now = now_mono();

	prog_view(&v, now);
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
	if (prog_st.requests == prog_plain_done && prog_plain_at > 0 &&
	    now - prog_plain_at < PROG_PLAIN_IDLE)
		return;
	n = progress_format(line, sizeof(line), &v, 0);
	n = (size_t)snprintf(out, sizeof(out), "cofetch: %s\n", line);
	prog_write(out, n < sizeof(out) ? n : sizeof(out) - 1);
	prog_plain_done = prog_st.requests;
	prog_plain_at = now;
}

/* Counting the total. */

static void
count_stop(void)
{
	size_t i;

	for (i = 0; i < cnt_n; i++)
		if (cnt_srcs[i].owned && cnt_srcs[i].fd >= 0)
			(void)close(cnt_srcs[i].fd);
	free(cnt_srcs);
	cnt_srcs = NULL;
	cnt_n = cnt_cur = 0;
	free(cnt_buf);
	cnt_buf = NULL;
}

/* Set up counting the sources of o; TOTAL_UNKNOWN when one of them is not
 * a regular file. */
static void
count_start(const struct opts *o)
{
	struct stat st;
	struct count_src *s;
	size_t i, n;
	int stdin_seen = 0;

	cnt_state = TOTAL_UNKNOWN;
	memset(&cnt_lines, 0, sizeof(cnt_lines));
	for (i = 0; i < o->nurls; i++)
		if (input_line_is_request(o->urls[i], strlen(o->urls[i])))
			cnt_lines.count++;
	n = o->ninputs;
	if (n == 0 && o->nurls == 0)
		n = 1;				/* stdin */
	cnt_srcs = xcalloc(n, sizeof(*cnt_srcs));
	for (i = 0; i < n; i++) {
		s = &cnt_srcs[cnt_n];
		if (o->ninputs == 0 || strcmp(o->inputs[i], "-") == 0) {
			/* stdin: read once; a second "-" finds it at EOF. */
			if (stdin_seen)
				continue;
			stdin_seen = 1;
			s->fd = STDIN_FILENO;
			s->owned = 0;
			s->off = lseek(STDIN_FILENO, 0, SEEK_CUR);
			if (s->off < 0)
				goto fail;
		} else {
			s->fd = open(o->inputs[i], O_RDONLY | O_NONBLOCK |
			    O_CLOEXEC);
			s->owned = 1;
			s->off = 0;
			if (s->fd < 0)
				goto fail;
		}
		cnt_n++;
		if (fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode))
			goto fail;
	}
	cnt_buf = xmalloc(PROG_COUNT_CHUNK);
	cnt_state = TOTAL_COUNTING;
	return;
fail:
	count_stop();
	cnt_state = TOTAL_UNKNOWN;
}

/* Count up to budget bytes more. */
static void
count_step(size_t budget)
{
	struct count_src *s;
	ssize_t r;
	size_t want;

	while (cnt_state == TOTAL_COUNTING && budget > 0) {
		if (cnt_cur == cnt_n) {
			count_stop();
			cnt_state = TOTAL_KNOWN;
			return;
		}
		s = &cnt_srcs[cnt_cur];
		want = budget < PROG_COUNT_CHUNK ? budget : PROG_COUNT_CHUNK;
		r = pread(s->fd, cnt_buf, want, s->off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			count_stop();
			cnt_state = TOTAL_UNKNOWN;
			return;
		}
		if (r == 0) {
			progress_lines_end(&cnt_lines);
			if (s->owned)
				(void)close(s->fd);
			s->fd = -1;
			cnt_cur++;
			continue;
		}
		progress_lines_add(&cnt_lines, cnt_buf, (size_t)r);
		s->off += r;
		budget -= (size_t)r;
	}
	if (cnt_state == TOTAL_COUNTING && cnt_cur == cnt_n) {
		count_stop();
		cnt_state = TOTAL_KNOWN;
	}
}

static void
prog_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* Drawing is left to progress_tick(), which runs before the loop
	 * blocks again: the wake-up alone keeps the line fresh. */
	if (cnt_state == TOTAL_COUNTING)
		count_step(PROG_COUNT_TICK);
	prog_ring[prog_ring_head].t = now_mono();
	prog_ring[prog_ring_head].done = prog_st.requests;
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

void
progress_init(struct ev_loop *loop, const struct opts *o,
    struct input *countable)
{
	int tty = isatty(STDERR_FILENO);

	prog_loop = loop;
	prog_o = o;
	prog_start = now_mono();
	prog_stats = o->stats;
	prog_finished = 0;
	progress_stats_init(&prog_st);
	prog_admitted = prog_skipped = 0;
	prog_shown = 0;
	prog_last[0] = '\0';
	prog_ring_head = prog_ring_n = 0;
	prog_plain_done = 0;
	prog_plain_at = 0;

	if (o->progress > 0)
		prog_mode = tty ? PROG_TTY : PROG_PLAIN;
	else if (o->progress < 0 && tty && o->verbosity >= 0 &&
	    !records_on_our_tty(o))
		prog_mode = PROG_TTY;
	else
		prog_mode = PROG_OFF;
	if (prog_mode == PROG_OFF)
		return;

	prog_next = ev_now(loop) + (prog_mode == PROG_TTY ?
	    PROG_TTY_EVERY : PROG_PLAIN_EVERY);
	cnt_state = TOTAL_UNKNOWN;
	if (countable != NULL) {
		count_start(o);
		count_step(PROG_COUNT_FIRST);
	}
	ev_timer_init(&prog_timer, prog_timer_cb, PROG_TIMER, PROG_TIMER);
	ev_timer_start(loop, &prog_timer);
	ev_unref(loop);		/* the line never keeps the loop alive */
	prog_timer_on = 1;
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
progress_note(const struct request *req, const struct result *res)
{
	progress_stats_note(&prog_st, res);
}

void
progress_tick(void)
{
	double now, every;

	if (prog_mode == PROG_OFF)
		return;
	now = ev_now(prog_loop);
	every = prog_mode == PROG_TTY ? PROG_TTY_EVERY : PROG_PLAIN_EVERY;
	/* Not yet, unless the clock went back. */
	if (now < prog_next && prog_next - now <= every)
		return;
	prog_next = now + every;
	prog_draw();
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
progress_finish(void)
{
	struct progress_view v;
	struct buf out;
	char line[PROG_LINE_MAX];
	double wall = now_mono() - prog_start;

	if (prog_finished)
		return;
	prog_finished = 1;
	prog_timer_stop();
	buf_init(&out);
	if (prog_mode == PROG_TTY && prog_shown)
		buf_adds(&out, "\r\033[K");
	else if (prog_mode == PROG_PLAIN) {
		prog_view(&v, now_mono());
		(void)progress_format(line, sizeof(line), &v, 0);
		buf_addf(&out, "cofetch: %s\n", line);
	}
	prog_mode = PROG_OFF;
	prog_shown = 0;
	if (prog_stats) {
		progress_stats_json(&out, &prog_st, wall);
		if (isatty(STDERR_FILENO) && prog_o->verbosity >= 0)
			progress_stats_human(&out, &prog_st, wall);
	}
	if (out.len > 0)
		prog_write(out.data, out.len);
	buf_free(&out);
}

void
progress_free(void)
{
	prog_timer_stop();
	count_stop();
	cnt_state = TOTAL_UNKNOWN;
	prog_mode = PROG_OFF;
}
