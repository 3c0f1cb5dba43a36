/* input.c: request lines from URL arguments, then each -i FILE in order
 * (or stdin). Pipes, sockets and terminals are read when the loop says
 * they are readable, so a slow producer never stalls transfers; regular
 * files are read as lines are needed. Lines longer than INPUT_LINE_MAX are
 * cut there and the rest of the line is skipped; whether such a line is a
 * request is decided by its first byte that is not white space, wherever
 * it lies. A read error ends all input (input_error()).
 *
 * The request lines of regular files are also counted ahead of the
 * reader (input_count.c), on the files the reader opened, by the same
 * rule (input_line_feed()). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "input.h"
#include "input_count.h"
#include "msg.h"
#include "util.h"

#define INPUT_CHUNK	(256 * 1024)

struct source {
	const char	*name;		/* for messages */
	int		 fd;		/* -1 once finished */
	int		 owned;		/* we close it */
	int		 pollable;	/* read only when the loop says so */
	int		 regular;	/* a regular file: can be counted */
	off_t		 count_off;	/* where counting starts */
};

struct input {
	struct ev_loop	*loop;
	const struct opts *o;
	input_wake_fn	 wake;
	void		*arg;
	size_t		 next_url;	/* URL arguments handed out */
	struct source	*srcs;		/* malloced [nsrcs] */
	size_t		 nsrcs;
	size_t		 cur;		/* the source being read */
	char		*buf;		/* malloced [INPUT_CHUNK +
					 * INPUT_LINE_MAX] */
	size_t		 start, end;	/* unread bytes buf[start..end) */
	int		 skipping;	/* dropping the rest of a long line */
	int		 deciding;	/* ...that is still blank: lc decides
					 * whether it is a request */
	struct line_class lc;
	int		 eof;		/* current source at EOF */
	int		 waiting;	/* the watcher is active */
	int		 readable;	/* the watcher fired: one read
					 * will not block */
	int		 stopped;
	ev_io		 io;
	uint64_t	 next_index;	/* of the next request line */
	input_want_fn	 want;		/* NULL: parse every line */
	void		*want_arg;
	char		 err[256];	/* "" or why reading stopped */
	struct line_count *count;	/* owned, or NULL: not counting */
};

void
input_set_want(struct input *in, input_want_fn want, void *arg)
{
	in->want = want;
	in->want_arg = arg;
}

/* A request line: 1, with req->index set and req parsed unless want()
 * turns the index down. */
static int
input_give(struct input *in, struct request *req, const char *line,
    size_t len, int truncated)
{
	req->index = in->next_index++;
	if (in->want == NULL || in->want(req->index, in->want_arg))
		(void)input_parse_line(req, line, len, truncated);
	return 1;
}

/* One whole line: 0 if it is no request, else input_give(). */
static int
input_take(struct input *in, struct request *req, const char *line,
    size_t len)
{
	return input_line_is_request(line, len) &&
	    input_give(in, req, line, len, 0);
}

/* A line longer than INPUT_LINE_MAX at p (avail bytes of it buffered).
 * Decided by its first INPUT_LINE_MAX bytes, it is given (from its first
 * byte that is not white space, as when the text lies further on) or
 * skipped now; else (all white space so far) the bytes skipped after
 * them decide. */
static int
input_take_long(struct input *in, struct request *req, const char *p,
    size_t avail)
{
	size_t at;

	memset(&in->lc, 0, sizeof(in->lc));
	at = input_line_feed(&in->lc, p, INPUT_LINE_MAX);
	in->deciding = in->lc.decided == 0;
	return in->lc.decided > 0 && input_give(in, req, p + at,
	    INPUT_LINE_MAX < avail - at ? INPUT_LINE_MAX : avail - at, 1);
}

/* Bytes p[0..n) of a long line being skipped while it is still blank;
 * eol: the line ends after them. 1 when they make it a request, given
 * from its first byte that is not white space. */
static int
input_decide_long(struct input *in, struct request *req, const char *p,
    size_t n, int eol)
{
	size_t at = input_line_feed(&in->lc, p, n);

	if (in->lc.decided != 0 || eol)
		in->deciding = 0;
	if (in->lc.decided > 0)
		return input_give(in, req, p + at, n - at < INPUT_LINE_MAX ?
		    n - at : INPUT_LINE_MAX, 1);
	if (eol && input_line_end(&in->lc))
		return input_give(in, req, "", 0, 1);
	return 0;
}

static void
input_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct input *in = w->data;

	ev_io_stop(loop, w);
	in->waiting = 0;
	in->readable = 1;
	in->wake(in->arg);
}

static int
source_open(struct source *s, const char *name, char *err, size_t errlen)
{
	struct stat st;

	s->name = name;
	if (strcmp(name, "-") == 0) {
		s->fd = 0;
		s->owned = 0;
		s->name = "stdin";
	} else {
		/* Non-blocking: a FIFO without a writer yet must not
		 * hold the run (URL arguments come first); it is read
		 * once per readiness like any pipe. */
		s->fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		s->owned = 1;
		if (s->fd < 0) {
			(void)snprintf(err, errlen, "cannot read %s: %s",
			    name, strerror(errno));
			return -1;
		}
	}
	if (fstat(s->fd, &st) < 0) {
		(void)snprintf(err, errlen, "cannot read %s: %s", s->name,
		    strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		(void)snprintf(err, errlen, "cannot read %s: it is a "
		    "directory", s->name);
		return -1;
	}
	s->pollable = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
	    isatty(s->fd);
	s->regular = S_ISREG(st.st_mode);
	s->count_off = s->regular ? lseek(s->fd, 0, SEEK_CUR) : -1;
	if (s->count_off < 0)
		s->regular = 0;
	return 0;
}

struct input *
input_new(struct ev_loop *loop, const struct opts *o, input_wake_fn wake,
    void *arg, char *err, size_t errlen)
{
	struct input *in = xcalloc(1, sizeof(*in));
	size_t i;

	in->loop = loop;
	in->o = o;
	in->wake = wake;
	in->arg = arg;
	ev_init(&in->io, input_io_cb);
	in->io.data = in;
	if (o->ninputs > 0) {
		in->nsrcs = o->ninputs;
		in->srcs = xcalloc(in->nsrcs, sizeof(*in->srcs));
		for (i = 0; i < in->nsrcs; i++)
			in->srcs[i].fd = -1;
		for (i = 0; i < in->nsrcs; i++)
			if (source_open(&in->srcs[i], o->inputs[i], err,
			    errlen) < 0)
				goto fail;
	} else if (o->nurls == 0) {
		in->nsrcs = 1;
		in->srcs = xcalloc(1, sizeof(*in->srcs));
		if (source_open(&in->srcs[0], "-", err, errlen) < 0)
			goto fail;
	}
	in->buf = xmalloc(INPUT_CHUNK + INPUT_LINE_MAX);
	return in;
fail:
	input_free(in);
	return NULL;
}

int
input_source_fd(const struct input *in, size_t i)
{
	return i < in->nsrcs ? in->srcs[i].fd : -1;
}

static void
source_close(struct input *in, struct source *s)
{
	if (in->waiting) {
		ev_io_stop(in->loop, &in->io);
		in->waiting = 0;
	}
	if (s->owned && s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
}

/* Read more of the current source into buf. 1 read something, 0 would
 * block (watcher started), -1 EOF or error. */
static int
input_fill(struct input *in, struct source *s)
{
	ssize_t n;

	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	for (;;) {
		n = read(s->fd, in->buf + in->end, INPUT_CHUNK +
		    INPUT_LINE_MAX - in->end);
		if (n > 0) {
			in->end += (size_t)n;
			return 1;
		}
		if (n == 0)
			return -1;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		/* Lines after the failure would get the wrong indexes, so
		 * reading stops here; main.c reports it. */
		(void)snprintf(in->err, sizeof(in->err), "cannot read %s: %s",
		    s->name, strerror(errno));
		in->stopped = 1;
		return -1;
	}
}

int
input_next(struct input *in, struct request *req)
{
	struct source *s;
	const char *u, *p;
	char *nl;
	size_t len;
	int r;

	if (in->stopped)
		return -1;
	while (in->next_url < in->o->nurls) {
		u = in->o->urls[in->next_url++];
		if (input_take(in, req, u, strlen(u)))
			return 1;
	}
	while (in->cur < in->nsrcs && !in->stopped) {
		s = &in->srcs[in->cur];
		/* Lines already buffered. */
		while (in->start < in->end) {
			p = in->buf + in->start;
			nl = memchr(p, '\n', in->end - in->start);
			len = nl ? (size_t)(nl - p) : in->end - in->start;
			if (in->skipping) {
				in->start = nl ? in->start + len + 1 : in->end;
				in->skipping = nl == NULL;
				if (in->deciding && input_decide_long(in, req,
				    p, len, nl != NULL))
					return 1;
				continue;
			}
			if (nl == NULL && len <= INPUT_LINE_MAX && !in->eof)
				break;		/* wait for the rest */
			if (len > INPUT_LINE_MAX) {
				/* Too long: the rest is skipped. */
				in->start = nl ? in->start + len + 1 : in->end;
				in->skipping = nl == NULL;
				r = input_take_long(in, req, p, len);
				if (in->deciding && input_decide_long(in, req,
				    p + INPUT_LINE_MAX, len - INPUT_LINE_MAX,
				    nl != NULL))
					return 1;
			} else {
				r = input_take(in, req, p, len);
				in->start += len + (nl ? 1 : 0);
			}
			if (r)
				return 1;
		}
		if (in->eof) {
			/* A blank long line without a newline ends here. */
			r = in->deciding && !in->stopped &&
			    input_decide_long(in, req, "", 0, 1);
			source_close(in, s);
			in->cur++;
			in->start = in->end = 0;
			in->eof = in->skipping = in->readable = 0;
			in->deciding = 0;
			if (r)
				return 1;
			continue;
		}
		/* A pipe or terminal is read once per readiness, so a slow
		 * producer never blocks the loop. */
		if (s->pollable && !in->readable) {
			if (!in->waiting) {
				ev_io_set(&in->io, s->fd, EV_READ);
				ev_io_start(in->loop, &in->io);
				in->waiting = 1;
			}
			return 0;
		}
		in->readable = 0;
		r = input_fill(in, s);
		if (r < 0)
			in->eof = 1;
		else if (r == 0) {
			/* An inherited non-blocking descriptor. */
			in->readable = 0;
			if (!in->waiting) {
				ev_io_set(&in->io, s->fd, EV_READ);
				ev_io_start(in->loop, &in->io);
				in->waiting = 1;
			}
			return 0;
		}
	}
	return -1;
}

void
input_count_start(struct input *in)
{
	struct line_file *files;
	uint64_t args = 0;
	size_t i;

	if (in->count != NULL)
		return;
	for (i = 0; i < in->o->nurls; i++)
		args += (uint64_t)input_line_is_request(in->o->urls[i],
		    strlen(in->o->urls[i]));
	files = xcalloc(in->nsrcs + 1, sizeof(*files));
	for (i = 0; i < in->nsrcs; i++) {
		files[i].fd = in->srcs[i].regular ? in->srcs[i].fd : -1;
		files[i].off = in->srcs[i].count_off;
	}
	in->count = line_count_new(in->loop, files, in->nsrcs, args);
	free(files);
}

int
input_count_total(const struct input *in, uint64_t *total)
{
	*total = 0;
	return in->count != NULL && line_count_total(in->count, total);
}

const char *
input_error(const struct input *in)
{
	return in->err[0] != '\0' ? in->err : NULL;
}

void
input_stop(struct input *in)
{
	size_t i;

	in->stopped = 1;
	for (i = 0; i < in->nsrcs; i++)
		source_close(in, &in->srcs[i]);
}

void
input_free(struct input *in)
{
	size_t i;

	if (in == NULL)
		return;
	line_count_free(in->count);
	for (i = 0; i < in->nsrcs; i++)
		source_close(in, &in->srcs[i]);
	free(in->srcs);
	free(in->buf);
	free(in);
}
