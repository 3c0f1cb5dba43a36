/* util.c: allocation wrappers, the byte buffer, clocks, the end-of-run
 * signal note, and the one decimal syntax. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exitcode.h"
#include "util.h"

static void
oom(size_t n)
{
	/* Not msg.c: nothing here may allocate or call back. */
	fprintf(stderr, "cofetch: out of memory (%zu bytes)\n", n);
	exit(EXIT_NO_MEMORY);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_reserve_max(struct buf *b, size_t extra, size_t limit)
{
	size_t need = b->len + extra + 1, cap;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	/* Doubling would overshoot the limit: take what it allows. */
	if (cap > limit + 1)
		cap = need > limit + 1 ? need : limit + 1;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_shrink(struct buf *b, size_t keep)
{
	if (b->cap > keep)
		buf_free(b);
	else
		buf_reset(b);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

double
now_mono(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
now_wall(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile sig_atomic_t late_signal;	/* signal_note_late() */

static void
late_signal_cb(int sig)
{
	late_signal = sig;
}

void
signal_note_late(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = late_signal_cb;
	(void)sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a wait in poll() comes back with EINTR. */
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
}

int
signal_stop_pending(void)
{
	sigset_t set;

	if (late_signal != 0)
		return late_signal;
	if (sigpending(&set) < 0)
		return 0;
	if (sigismember(&set, SIGINT))
		return SIGINT;
	if (sigismember(&set, SIGTERM))
		return SIGTERM;
	return 0;
}

long
secs_to_ms(double secs)
{
	double ms = secs * 1000;

	if (!(ms > 0))
		return 0;		/* also NaN */
	if (ms >= 1e12)
		return 1000000000000L;
	return (long)ms + ((double)(long)ms < ms);
}

int
decimal_parse(const char *s, const char *end, double *out)
{
	const char *p = s;
	char num[64];
	int before = 0, after = 0;

	while (p < end && isdigit((unsigned char)*p)) {
		p++;
		before++;
	}
	if (p < end && *p == '.') {
		p++;
		while (p < end && isdigit((unsigned char)*p)) {
			p++;
			after++;
		}
		if (after == 0)
			return -1;
	}
	if (p != end || before + after == 0 || (size_t)(end - s) >= sizeof(num))
		return -1;
	memcpy(num, s, (size_t)(end - s));
	num[end - s] = '\0';
	*out = strtod(num, NULL);
	return 0;
}
