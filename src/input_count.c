/* input_count.c: counting the request lines of the input files ahead of
 * the reader, so the progress line can show a total and an ETA. The
 * rule is the reader's own (input_line_feed()), and the files are the
 * ones the reader opened: each descriptor is duplicated and read with
 * pread(), which leaves the reader's offset alone. A slice is counted at
 * the start and a slice per timer tick, so a huge list never delays the
 * first requests. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "input_line.h"
#include "input_count.h"
#include "util.h"

#define COUNT_CHUNK	(256 * 1024)		/* bytes per pread() */
#define COUNT_FIRST	(16 * 1024 * 1024)	/* bytes counted at once */
#define COUNT_TICK	(8 * 1024 * 1024)	/* bytes per timer tick */
#define COUNT_EVERY	0.1			/* seconds between ticks */

struct line_count {
	struct ev_loop	*loop;
	struct line_file *files;	/* malloced [n]; fds are dups,
					 * closed here */
	size_t		 n;
	size_t		 cur;		/* the file being counted */
	uint64_t	 count;		/* request lines counted */
	struct line_class lc;		/* the line being counted */
	char		*buf;		/* malloced [COUNT_CHUNK] */
	int		 done;
	int		 timer_on;
	ev_timer	 timer;
};

static void
count_timer_stop(struct line_count *c)
{
	if (!c->timer_on)
		return;
	ev_ref(c->loop);
	ev_timer_stop(c->loop, &c->timer);
	c->timer_on = 0;
}

/* Count up to budget bytes more; -1 on a read error. */
static int
count_step(struct line_count *c, size_t budget)
{
	struct line_file *f;
	const char *p, *end, *nl;
	ssize_t r;

	while (!c->done && budget > 0) {
		if (c->cur == c->n) {
			c->done = 1;
			count_timer_stop(c);
			break;
		}
		f = &c->files[c->cur];
		r = pread(f->fd, c->buf, budget < COUNT_CHUNK ? budget :
		    COUNT_CHUNK, f->off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {		/* the end of a file ends a line */
			c->count += (uint64_t)input_line_end(&c->lc);
			memset(&c->lc, 0, sizeof(c->lc));
			c->cur++;
			continue;
		}
		for (p = c->buf, end = p + r; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			(void)input_line_feed(&c->lc, p,
			    (size_t)((nl ? nl : end) - p));
			if (nl == NULL)
				break;
			c->count += (uint64_t)input_line_end(&c->lc);
			memset(&c->lc, 0, sizeof(c->lc));
		}
		f->off += r;
		budget -= (size_t)r;
	}
	return 0;
}

static void
count_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct line_count *c = w->data;

	if (count_step(c, COUNT_TICK) < 0) {
		/* Unknown, for good: the line shows no total. */
		count_timer_stop(c);
		c->cur = c->n;
	}
}

struct line_count *
line_count_new(struct ev_loop *loop, const struct line_file *files,
    size_t n, uint64_t already)
{
	struct line_count *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->loop = loop;
	c->count = already;
	c->files = xcalloc(n + 1, sizeof(*c->files));
	for (i = 0; i < n; i++)
		c->files[i].fd = -1;
	c->n = n;
	for (i = 0; i < n; i++) {
		if (files[i].fd < 0 || files[i].off < 0 ||
		    (c->files[i].fd = fcntl(files[i].fd, F_DUPFD_CLOEXEC,
		    0)) < 0)
			goto fail;
		c->files[i].off = files[i].off;
	}
	c->buf = xmalloc(COUNT_CHUNK);
	ev_timer_init(&c->timer, count_timer_cb, COUNT_EVERY, COUNT_EVERY);
	c->timer.data = c;
	ev_timer_start(loop, &c->timer);
	ev_unref(loop);		/* counting never keeps the loop alive */
	c->timer_on = 1;
	if (count_step(c, COUNT_FIRST) < 0)
		goto fail;
	return c;
fail:
	line_count_free(c);
	return NULL;
}

int
line_count_total(const struct line_count *c, uint64_t *total)
{
	*total = c->count;
	return c->done;
}

void
line_count_free(struct line_count *c)
{
	size_t i;

	if (c == NULL)
		return;
	count_timer_stop(c);
	for (i = 0; i < c->n; i++)
		if (c->files[i].fd >= 0)
			(void)close(c->files[i].fd);
	free(c->files);
	free(c->buf);
	free(c);
}
