/* output.c: ordered or as-completed record output with batched writes. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "util.h"

#define OUTPUT_HIGH	(256 * 1024)	/* write once this much is buffered */
#define SLOT_KEEP	(64 * 1024)	/* larger slot buffers are freed */

struct slot {
	struct buf	line;		/* the record; owned */
	int		filled;
};

static int		 out_fd = -1;
static int		 out_owned;
static int		 out_err;	/* errno of the first failure */
static struct buf	 out_buf;	/* records waiting for write(2) */
static struct slot	*out_slots;	/* malloced [out_window] or NULL */
static uint64_t		 out_window;
static uint64_t		 out_next;	/* next seq to write (ordered) */
static uint64_t		 out_admitted;	/* seqs handed out */
static struct sched_item *out_room_waker;
static int		 out_room_wanted;

void
output_init(int fd, int owned, uint64_t window, struct sched_item *waker)
{
	out_fd = fd;
	out_owned = owned;
	out_window = window;
	out_room_waker = waker;
	buf_init(&out_buf);
	buf_reserve(&out_buf, OUTPUT_HIGH + 4096);
	if (window > 0)
		out_slots = xcalloc(window, sizeof(*out_slots));
}

uint64_t
output_next_seq(void)
{
	return out_admitted++;
}

int
output_room(void)
{
	if (out_window == 0 || out_admitted < out_next + out_window)
		return 1;
	out_room_wanted = 1;
	return 0;
}

static void
output_write_all(const char *p, size_t n)
{
	struct pollfd pfd;
	ssize_t w;

	while (n > 0 && out_err == 0) {
		w = write(out_fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EINTR)
			continue;
		else if (w < 0 && errno == EAGAIN) {
			/* An inherited non-blocking descriptor: wait. */
			pfd.fd = out_fd;
			pfd.events = POLLOUT;
			(void)poll(&pfd, 1, -1);
		} else
			out_err = w < 0 ? errno : EIO;
	}
}

int
output_flush(void)
{
	if (out_buf.len > 0 && out_err == 0)
		output_write_all(out_buf.data, out_buf.len);
	buf_reset(&out_buf);
	return out_err ? -1 : 0;
}

static void
output_append(const char *line, size_t len)
{
	if (out_err != 0)
		return;
	if (len >= OUTPUT_HIGH) {
		/* A record with a big body: no point copying it twice. */
		(void)output_flush();
		output_write_all(line, len);
		return;
	}
	buf_add(&out_buf, line, len);
	if (out_buf.len >= OUTPUT_HIGH)
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
	while ((s = &out_slots[out_next % out_window])->filled) {
		output_append(s->line.data, s->line.len);
		s->filled = 0;
		if (s->line.cap > SLOT_KEEP)
			buf_free(&s->line);
		out_next++;
	}
	if (out_room_wanted && out_admitted < out_next + out_window) {
		out_room_wanted = 0;
		sched_wake(out_room_waker);
	}
}

int
output_error(void)
{
	return out_err;
}

void
output_close(void)
{
	uint64_t i;

	(void)output_flush();
	buf_free(&out_buf);
	if (out_slots != NULL) {
		for (i = 0; i < out_window; i++)
			buf_free(&out_slots[i].line);
		free(out_slots);
		out_slots = NULL;
	}
	if (out_owned && out_fd >= 0 && close(out_fd) < 0 && out_err == 0)
		out_err = errno;
	out_fd = -1;
}
