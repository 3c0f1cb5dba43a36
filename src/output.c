/* output.c: the only writer of records: ordered or as completed, queued in
 * a bounded buffer and written without ever blocking the loop.
 *
 * A regular file is written directly (a disk write does not wait for a
 * reader); on a failed write it is cut back to the end of the last whole
 * record. Anything else (pipe, FIFO, terminal, socket) is written
 * non-blocking from an EV_WRITE watcher. Our own descriptor is made
 * non-blocking, never the one shared with the shell: an inherited stdout
 * is reopened through /proc/self/fd (a new open file description), and
 * only where that is impossible (a socket) are its flags changed, and
 * restored at the end. A pipe or FIFO is also watched for its reader's
 * hang-up, so a departed reader stops the run even while nothing is
 * written. */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "output.h"
#include "piperoom.h"
#include "util.h"

#define OUTPUT_HIGH	(256 * 1024)	/* write once this much is queued */
#define OUTPUT_MAX	(1024 * 1024)	/* queued past this: admission
					 * pauses */
#define SLOT_KEEP	(64 * 1024)	/* larger slot buffers are freed */
#define ROOM_FIRST	0.001		/* seconds before the first look
					 * again at a pipe without room */
#define ROOM_LAST	0.032		/* ... doubling up to this while
					 * the reader takes nothing */
#define ROOM_SPINS	64		/* looks on EV_WRITE (a page free)
					 * before the timer */

struct slot {
	struct buf	line;		/* the record; owned */
	int		filled;
};

static struct ev_loop	*out_loop;
static int		 out_fd = -1;
static int		 out_owned;	/* out_fd is closed by us */
static int		 out_regular;	/* a regular file: plain writes */
static int		 out_restore = -1;	/* file status flags to put
						 * back on an inherited fd */
static off_t		 out_whole = -1;	/* regular file: end of the
						 * last whole record */
static int		 out_err;	/* errno of the first failure */
static struct buf	 out_buf;	/* records waiting for write(2) */
static size_t		 out_off;	/* of out_buf, already written */
static ev_io		 out_write_w;	/* EV_WRITE while blocked */
static ev_timer		 out_room_t;	/* a pipe without room for a record */
static double		 out_room_delay = ROOM_FIRST;
static int		 out_room_spins;	/* EV_WRITE looks in vain */
static size_t		 out_pipe_cap;	/* a pipe's capacity, or 0 */
static struct piperoom	 out_pipe;	/* what is in it (out_pipe_cap) */
static int		 out_to_merge;	/* a -P child's pipe to its parent */
static int		 out_midrec;	/* last byte written ends no record */
static ev_io		 out_hup_w;	/* a pipe's reader going away */
static struct slot	*out_slots;	/* malloced [out_window] or NULL */
static uint64_t		 out_window;
static uint64_t		 out_next;	/* next seq to write (ordered) */
static uint64_t		 out_admitted;	/* seqs handed out */
static uint64_t		 out_top;	/* 1 + the highest seq emitted */
static struct sched_item *out_room_waker;
static int		 out_room_wanted;
static output_notify_fn	 out_notify;

static void output_write_cb(struct ev_loop *l, ev_io *w, int revents);
static void output_room_cb(struct ev_loop *l, ev_timer *w, int revents);
static void output_hup_cb(struct ev_loop *l, ev_io *w, int revents);

/* A non-blocking descriptor of our own for the inherited fd. */
static int
output_reopen(int fd, const struct stat *st)
{
	char path[64];
	struct stat st2;
	int nfd, fl;

	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (nfd >= 0) {
		if (fstat(nfd, &st2) == 0 && st2.st_dev == st->st_dev &&
		    st2.st_ino == st->st_ino) {
			out_owned = 1;
			return nfd;
		}
		(void)close(nfd);
	} else if (errno == ENXIO && S_ISFIFO(st->st_mode)) {
		/* A pipe with no reader left. */
		out_err = EPIPE;
		return fd;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK) &&
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
		out_restore = fl;
	return fd;
}

void
output_to_merge(void)
{
	out_to_merge = 1;
}

void
output_init(struct ev_loop *loop, int fd, int owned, uint64_t window,
    struct sched_item *waker, output_notify_fn notify)
{
	struct stat st;
	int fl;

	out_loop = loop;
	out_fd = fd;
	out_owned = owned;
	out_window = window;
	out_room_waker = waker;
	out_notify = notify;
	buf_init(&out_buf);
	buf_reserve(&out_buf, OUTPUT_HIGH + 4096);
	if (window > 0)
		out_slots = xcalloc(window, sizeof(*out_slots));
	if (fstat(fd, &st) < 0) {
		out_err = errno;
		return;
	}
	if (S_ISREG(st.st_mode)) {
		out_regular = 1;
		/* Where our first record starts: the end of a file
		 * opened for appending (>>, --resume), else here. */
		fl = fcntl(fd, F_GETFL);
		out_whole = lseek(fd, 0, fl >= 0 && (fl & O_APPEND) ?
		    SEEK_END : SEEK_CUR);
		return;
	}
	if (!owned)
		out_fd = output_reopen(fd, &st);
	else if ((fl = fcntl(fd, F_GETFL)) >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	ev_io_init(&out_write_w, output_write_cb, out_fd, EV_WRITE);
	ev_timer_init(&out_room_t, output_room_cb, ROOM_FIRST, 0.);
	if (S_ISFIFO(st.st_mode)) {
		fl = fcntl(out_fd, F_GETPIPE_SZ);
		out_pipe_cap = fl > PIPE_BUF && !out_to_merge ?
		    (size_t)fl : 0;
		piperoom_init(&out_pipe, out_pipe_cap,
		    (size_t)sysconf(_SC_PAGESIZE));
		/* The write end of a pipe never polls readable; it reports
		 * an error once the last reader is gone. (One opened for
		 * reading too would poll readable with our own records.) */
		fl = fcntl(out_fd, F_GETFL);
		if (fl < 0 || (fl & O_ACCMODE) != O_WRONLY)
			return;
		ev_io_init(&out_hup_w, output_hup_cb, out_fd, EV_READ);
		ev_io_start(loop, &out_hup_w);
		ev_unref(loop);		/* never keeps the loop alive */
	}
}

uint64_t
output_next_seq(void)
{
	return out_admitted++;
}

size_t
output_pending(void)
{
	return out_buf.len - out_off;
}

int
output_room(void)
{
	if ((out_window == 0 || out_admitted < out_next + out_window) &&
	    output_pending() < OUTPUT_MAX)
		return 1;
	out_room_wanted = 1;
	return 0;
}

static void
output_room_check(void)
{
	if (out_room_wanted && output_pending() < OUTPUT_MAX / 2 &&
	    (out_window == 0 || out_admitted < out_next + out_window)) {
		out_room_wanted = 0;
		sched_wake(out_room_waker);
	}
}

static int
output_waiting(void)
{
	return ev_is_active(&out_write_w) || ev_is_active(&out_room_t);
}

static void
output_unwait(void)
{
	if (ev_is_active(&out_write_w))
		ev_io_stop(out_loop, &out_write_w);
	if (ev_is_active(&out_room_t))
		ev_timer_stop(out_loop, &out_room_t);
}

/* How much of p (n bytes from a record boundary unless out_midrec) to
 * hand to a pipe now: whole records only, as many as surely go whole
 * (piperoom.h). 0: wait for room. */
static size_t
output_pipe_fit(const char *p, size_t n)
{
	const char *nl;
	size_t want;
	int queued, got;

	if (out_pipe_cap == 0 || out_midrec ||
	    ioctl(out_fd, FIONREAD, &queued) < 0 || queued < 0)
		return n;
	want = piperoom_fit(&out_pipe, (uint64_t)queued, p, n);
	/* A record longer than the pipe: make the pipe larger, if the
	 * system lets us (fcntl(2), F_SETPIPE_SZ; up to
	 * /proc/sys/fs/pipe-max-size), so that it too goes whole. */
	if (want == n && n > out_pipe_cap && (nl = memchr(p, '\n', n)) !=
	    NULL && (size_t)(nl - p) + 1 > out_pipe_cap &&
	    (size_t)(nl - p) + 1 <= INT_MAX &&
	    (got = fcntl(out_fd, F_SETPIPE_SZ, (int)(nl - p) + 1)) > 0 &&
	    (size_t)got > out_pipe_cap) {
		out_pipe_cap = (size_t)got;
		piperoom_set_cap(&out_pipe, out_pipe_cap);
		want = piperoom_fit(&out_pipe, (uint64_t)queued, p, n);
	}
	return want;
}

/* The output failed: a regular file that got part of a record is cut
 * back to the end of the last whole one, so that no reader ever sees half
 * of one. Nothing else in it is touched: with nothing cut short there is
 * nothing to take back (a file appended to keeps what it had). */
static void
output_fail(int err)
{
	if (out_err != 0)
		return;
	out_err = err;
	if (out_regular && out_midrec && out_whole >= 0)
		(void)ftruncate(out_fd, out_whole);
	output_unwait();
	if (ev_is_active(&out_hup_w)) {
		ev_ref(out_loop);
		ev_io_stop(out_loop, &out_hup_w);
	}
}

/* Note n bytes written from p: where a regular file's last whole record
 * ends. The offset is asked after the write, which also holds for
 * O_APPEND (-o with --resume, or the shell's >>). */
static void
output_wrote(const char *p, size_t n)
{
	const char *nl;
	off_t pos;

	if (!out_regular || out_whole < 0 ||
	    (nl = memrchr(p, '\n', n)) == NULL)
		return;
	pos = lseek(out_fd, 0, SEEK_CUR);
	if (pos >= 0)
		out_whole = pos - (off_t)(p + n - nl - 1);
}

/* Write from p as much as the descriptor takes now. Returns the bytes
 * written; sets out_err on failure. */
static size_t
output_write(const char *p, size_t n, int *room)
{
	size_t done = 0, want;
	ssize_t w;

	*room = 0;
	while (done < n && out_err == 0) {
		want = output_pipe_fit(p + done, n - done);
		if (want == 0) {
			*room = 1;
			break;
		}
		w = write(out_fd, p + done, want);
		if (w > 0) {
			output_wrote(p + done, (size_t)w);
			if (out_pipe_cap != 0)
				piperoom_wrote(&out_pipe, (size_t)w);
			out_midrec = p[done + (size_t)w - 1] != '\n';
			done += (size_t)w;
		} else if (w < 0 && errno == EINTR)
			continue;
		else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (out_regular) {
				/* An inherited non-blocking regular file
				 * (rare): wait, it is a disk. */
				struct pollfd pfd = { out_fd, POLLOUT, 0 };
				(void)poll(&pfd, 1, 100);
				continue;
			}
			break;
		} else
			output_fail(w < 0 ? errno : EIO);
	}
	return done;
}

/* Wait for the descriptor to take more: EV_WRITE, or, for a pipe that
 * has room but not for the next whole record, a look again shortly. */
static void
output_wait(int room)
{
	if (out_err != 0 || output_waiting())
		return;
	if (room && out_room_spins++ < ROOM_SPINS) {
		/* A reader that keeps up empties the pipe in a read or
		 * two: look again as soon as a page is free. */
		ev_io_start(out_loop, &out_write_w);
	} else if (room) {
		/* One that stalls is looked at ever less often (the pipe
		 * polls writable with a page free: no busy loop). */
		ev_timer_set(&out_room_t, out_room_delay, 0.);
		ev_timer_start(out_loop, &out_room_t);
		if (out_room_delay < ROOM_LAST)
			out_room_delay *= 2;
	}
	else
		ev_io_start(out_loop, &out_write_w);
}

int
output_flush(void)
{
	size_t n;
	int room;

	if (out_err == 0 && output_pending() > 0 && !output_waiting()) {
		n = output_write(out_buf.data + out_off, output_pending(),
		    &room);
		out_off += n;
		if (n > 0) {
			out_room_delay = ROOM_FIRST;
			out_room_spins = 0;
		}
		if (output_pending() > 0)
			output_wait(room);
	}
	if (output_pending() == 0 || out_err != 0) {
		buf_reset(&out_buf);
		out_off = 0;
	} else if (out_off > out_buf.len / 2) {
		memmove(out_buf.data, out_buf.data + out_off,
		    output_pending());
		out_buf.len -= out_off;
		out_off = 0;
	}
	output_room_check();
	return out_err ? -1 : 0;
}

static void
output_write_cb(struct ev_loop *l, ev_io *w, int revents)
{
	ev_io_stop(l, w);
	(void)output_flush();
	if (out_err != 0 || output_pending() == 0)
		out_notify();
}

static void
output_room_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)output_flush();
	if (out_err != 0 || output_pending() == 0)
		out_notify();
}

static void
output_hup_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct pollfd pfd = { out_fd, POLLOUT, 0 };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP))) {
		output_fail(EPIPE);
		out_notify();
	}
}

static void
output_append(const char *line, size_t len)
{
	size_t n = 0;
	int room;

	if (out_err != 0)
		return;
	if (len >= OUTPUT_HIGH && output_pending() == 0 &&
	    !output_waiting()) {
		/* A record with a big body: no point copying it first. */
		n = output_write(line, len, &room);
		if (out_err != 0 || n == len)
			return;
		output_wait(room);
	}
	buf_add(&out_buf, line + n, len - n);
	if (output_pending() >= OUTPUT_HIGH)
		(void)output_flush();
}

void
output_emit(uint64_t seq, const char *line, size_t len)
{
	struct slot *s;

	if (out_window == 0) {
		output_append(line, len);
		return;
	}
	s = &out_slots[seq % out_window];
	buf_reset(&s->line);
	buf_add(&s->line, line, len);
	s->filled = 1;
	out_top = seq >= out_top ? seq + 1 : out_top;
	while ((s = &out_slots[out_next % out_window])->filled) {
		output_append(s->line.data, s->line.len);
		s->filled = 0;
		if (s->line.cap > SLOT_KEEP)
			buf_free(&s->line);
		out_next++;
	}
	output_room_check();
}

int
output_settled(void)
{
	return output_pending() == 0 && out_top <= out_next;
}

int
output_error(void)
{
	return out_err;
}

uint64_t
output_unwritten(int *cut)
{
	const char *p = out_buf.data + out_off, *end = out_buf.data +
	    out_buf.len;
	uint64_t n = 0;

	/* Not out_buf's byte before out_off: the queue may have been
	 * moved down since (out_off 0) with half a record written. */
	*cut = out_midrec;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

void
output_close(void)
{
	uint64_t i;

	(void)output_flush();
	output_unwait();
	if (ev_is_active(&out_hup_w)) {
		ev_ref(out_loop);
		ev_io_stop(out_loop, &out_hup_w);
	}
	buf_free(&out_buf);
	out_off = 0;
	if (out_slots != NULL) {
		for (i = 0; i < out_window; i++)
			buf_free(&out_slots[i].line);
		free(out_slots);
		out_slots = NULL;
	}
	if (out_restore >= 0)
		(void)fcntl(out_fd, F_SETFL, out_restore);
	if (out_owned && out_fd >= 0 && close(out_fd) < 0 && out_err == 0)
		out_err = errno;
	out_fd = -1;
}
