/* procs_owed.c: which started requests a -P child still owes a record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "opts.h"
#include "procs_owed.h"
#include "record.h"
#include "request.h"

/* A note: index (8 bytes), method length (2), URL length (4), method,
 * URL. Host byte order: parent and child are the same binary. */
#define NOTE_HEAD	14
#define NOTE_FLUSH	(64 * 1024)
/* Notes go out at most this often (or once NOTE_FLUSH are waiting): a
 * write per loop iteration would wake the parent as often as the records
 * do, and a note only matters if the child dies; one that dies within
 * the interval leaves the last notes unsent and those requests without a
 * record. */
#define NOTE_EVERY	0.05

/* The child's side. */
static int		 oc_fd = -1;
static struct ev_loop	*oc_loop;
static ev_timer		 oc_timer;
static struct buf	 oc_buf;		/* notes not yet written */

static void
oc_flush(void)
{
	const char *p = oc_buf.data;
	size_t n = oc_buf.len;
	ssize_t w;

	while (n > 0 && oc_fd >= 0) {
		w = write(oc_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			(void)close(oc_fd);	/* the parent is gone */
			oc_fd = -1;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	buf_reset(&oc_buf);
}

static void
oc_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (oc_buf.len > 0)
		oc_flush();
}

void
owed_child_start(struct ev_loop *loop, int fd)
{
	oc_fd = fd;
	oc_loop = loop;
	buf_init(&oc_buf);
	ev_timer_init(&oc_timer, oc_timer_cb, NOTE_EVERY, NOTE_EVERY);
	ev_timer_start(loop, &oc_timer);
	ev_unref(loop);		/* notes never keep the run alive */
}

void
owed_child_note(const struct request *req)
{
	const char *m = req->method != NULL ? req->method : "";
	uint16_t ml = (uint16_t)strnlen(m, 64);
	uint32_t ul = (uint32_t)strlen(req->url);

	if (oc_fd < 0)
		return;
	buf_add(&oc_buf, &req->index, 8);
	buf_add(&oc_buf, &ml, 2);
	buf_add(&oc_buf, &ul, 4);
	buf_add(&oc_buf, m, ml);
	buf_add(&oc_buf, req->url, ul);
	if (oc_buf.len >= NOTE_FLUSH)
		oc_flush();
}

void
owed_child_finish(void)
{
	if (oc_loop != NULL) {
		ev_ref(oc_loop);
		ev_timer_stop(oc_loop, &oc_timer);
	}
	oc_flush();
	if (oc_fd >= 0)
		(void)close(oc_fd);
	oc_fd = -1;
	buf_free(&oc_buf);
}

/* The parent's side: an open-addressing table of indexes, each with a
 * count (+1 a start, -1 its record; in either order). */
struct owed {
	uint64_t	 index;
	int		 count;		/* 0: free slot */
	size_t		 child;
	char		*method;	/* malloced, or NULL */
	char		*url;		/* malloced, or NULL */
};

struct owed_pipe {
	int		 fd;		/* -1 at its end */
	ev_io		 w;
	struct buf	 in;		/* a note not yet whole */
	size_t		 child;
};

static struct ev_loop	*op_loop;
static struct owed_pipe	*op_pipes;	/* malloced [op_n] */
static size_t		 op_n;
static struct owed	*op_tab;	/* malloced [op_cap] */
static size_t		 op_cap, op_used;

static size_t
owed_slot(uint64_t index)
{
	uint64_t h = index * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 20) & (op_cap - 1);

	while (op_tab[i].count != 0 && op_tab[i].index != index)
		i = (i + 1) & (op_cap - 1);
	return i;
}

static void owed_add(uint64_t index, int d, size_t child, const char *m,
    size_t ml, const char *u, size_t ul);

static void
owed_grow(void)
{
	struct owed *old = op_tab;
	size_t i, n = op_cap;

	op_cap = op_cap ? op_cap * 2 : 1024;
	op_tab = xcalloc(op_cap, sizeof(*op_tab));
	op_used = 0;
	for (i = 0; i < n; i++)
		if (old[i].count != 0) {
			op_tab[owed_slot(old[i].index)] = old[i];
			op_used++;
		}
	free(old);
}

/* Remove slot i, then put the rest of its cluster back where a lookup
 * finds it (linear probing without tombstones). */
static void
owed_remove(size_t i)
{
	struct owed e;
	size_t j = i;

	free(op_tab[i].method);
	free(op_tab[i].url);
	memset(&op_tab[i], 0, sizeof(op_tab[i]));
	op_used--;
	for (;;) {
		j = (j + 1) & (op_cap - 1);
		if (op_tab[j].count == 0)
			return;
		e = op_tab[j];
		memset(&op_tab[j], 0, sizeof(op_tab[j]));
		op_tab[owed_slot(e.index)] = e;
	}
}

static void
owed_add(uint64_t index, int d, size_t child, const char *m, size_t ml,
    const char *u, size_t ul)
{
	struct owed *e;
	size_t i;

	if (op_used * 2 >= op_cap)
		owed_grow();
	i = owed_slot(index);
	e = &op_tab[i];
	if (e->count == 0) {
		e->index = index;
		op_used++;
	}
	e->count += d;
	if (u != NULL) {
		e->child = child;
		free(e->method);
		free(e->url);
		e->method = ml > 0 ? xstrndup(m, ml) : NULL;
		e->url = xstrndup(u, ul);
	}
	if (e->count == 0)
		owed_remove(i);
}

void
owed_seen(size_t c, uint64_t index)
{
	if (op_tab != NULL)
		owed_add(index, -1, c, NULL, 0, NULL, 0);
}

static void
op_parse(struct owed_pipe *p)
{
	const char *s = p->in.data, *end = s + p->in.len;
	uint64_t index;
	uint16_t ml;
	uint32_t ul;

	while ((size_t)(end - s) >= NOTE_HEAD) {
		memcpy(&index, s, 8);
		memcpy(&ml, s + 8, 2);
		memcpy(&ul, s + 10, 4);
		if ((size_t)(end - s) < NOTE_HEAD + (size_t)ml + ul)
			break;
		owed_add(index, 1, p->child, s + NOTE_HEAD, ml,
		    s + NOTE_HEAD + ml, ul);
		s += NOTE_HEAD + ml + ul;
	}
	memmove(p->in.data, s, (size_t)(end - s));
	p->in.len = (size_t)(end - s);
}

static void
op_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct owed_pipe *p = w->data;
	ssize_t r;

	buf_reserve(&p->in, 65536);
	r = read(p->fd, p->in.data + p->in.len, 65536);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		ev_io_stop(loop, w);
		(void)close(p->fd);
		p->fd = -1;
		return;
	}
	p->in.len += (size_t)r;
	op_parse(p);
}

void
owed_parent_start(struct ev_loop *loop, int *fds, size_t n)
{
	size_t i;

	op_loop = loop;
	op_n = n;
	op_pipes = xcalloc(n, sizeof(*op_pipes));
	owed_grow();
	for (i = 0; i < n; i++) {
		op_pipes[i].fd = fds[i];
		op_pipes[i].child = i;
		fds[i] = -1;
		buf_init(&op_pipes[i].in);
		ev_io_init(&op_pipes[i].w, op_read_cb, op_pipes[i].fd,
		    EV_READ);
		op_pipes[i].w.data = &op_pipes[i];
		ev_io_start(loop, &op_pipes[i].w);
	}
}

int
owed_ended(size_t c)
{
	return op_pipes == NULL || op_pipes[c].fd < 0;
}

static int
owed_cmp(const void *a, const void *b)
{
	uint64_t x = (*(struct owed *const *)a)->index;
	uint64_t y = (*(struct owed *const *)b)->index;

	return x < y ? -1 : x > y;
}

size_t
owed_records(size_t c, struct buf *out, const struct opts *o,
    const char *why)
{
	struct owed **list, *e;
	uint64_t *idx;
	struct request req;
	struct result res;
	size_t i, n = 0;

	list = xcalloc(op_used + 1, sizeof(*list));
	idx = xcalloc(op_used + 1, sizeof(*idx));
	for (i = 0; i < op_cap; i++)
		if (op_tab[i].count > 0 && op_tab[i].child == c &&
		    op_tab[i].url != NULL)
			list[n++] = &op_tab[i];
	qsort(list, n, sizeof(*list), owed_cmp);
	for (i = 0; i < n; i++) {
		request_init(&req);
		result_init(&res);
		req.index = list[i]->index;
		req.url = list[i]->url;
		req.method = list[i]->method;
		res.kind = KIND_INTERNAL;
		(void)snprintf(res.message, sizeof(res.message), "%s", why);
		record_encode(out, &req, &res, o);
		req.url = req.method = NULL;
		request_free(&req);
		result_free(&res);
	}
	/* Forget them: a record each is out now. The table moves entries
	 * as they go, so by index, not by pointer. */
	for (i = 0; i < n; i++)
		idx[i] = list[i]->index;
	for (i = 0; i < n; i++) {
		e = &op_tab[owed_slot(idx[i])];
		if (e->count > 0)
			owed_remove((size_t)(e - op_tab));
	}
	free(idx);
	free(list);
	return n;
}

void
owed_parent_free(void)
{
	size_t i;

	for (i = 0; i < op_n; i++) {
		if (op_pipes[i].fd >= 0) {
			ev_io_stop(op_loop, &op_pipes[i].w);
			(void)close(op_pipes[i].fd);
		}
		buf_free(&op_pipes[i].in);
	}
	for (i = 0; i < op_cap; i++) {
		free(op_tab[i].method);
		free(op_tab[i].url);
	}
	free(op_pipes);
	free(op_tab);
	op_pipes = NULL;
	op_tab = NULL;
	op_n = op_cap = op_used = 0;
}
