/* procs_merge.c: the parent's merge of its children's record streams. */
#include <stdlib.h>
#include <string.h>

#include "procs_merge.h"
#include "util.h"

struct stream {
	struct buf	 in;		/* bytes not yet sent out; owned */
	size_t		 off;		/* in.data[off..len) is pending */
	int		 ended;
	uint64_t	 head;		/* index of the first whole line */
	size_t		 head_len;	/* its length with "\n"; 0: none */
	uint64_t	 low;		/* with a stride: the least index
					 * it can still send */
};

struct merge {
	struct stream	*s;		/* malloced [n] */
	size_t		 n;
	int		 ordered;
	merge_out_fn	 out;
	merge_seen_fn	 seen;		/* or NULL */
	void		*arg;
	uint64_t	 stride;	/* merge_set_shards(), or 0 */
};

uint64_t
merge_line_index(const char *line, size_t n)
{
	static const char key[] = "{\"index\":";
	uint64_t v = 0;
	size_t i = sizeof(key) - 1;

	if (n < i + 1 || memcmp(line, key, i) != 0 ||
	    line[i] < '0' || line[i] > '9')
		return UINT64_MAX;
	for (; i < n && line[i] >= '0' && line[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 10) / 10)
			return UINT64_MAX;
		v = v * 10 + (uint64_t)(line[i] - '0');
	}
	return v;
}

struct merge *
merge_new(size_t n, int ordered, merge_out_fn out, merge_seen_fn seen,
    void *arg)
{
	struct merge *m = xcalloc(1, sizeof(*m));
	size_t i;

	m->s = xcalloc(n, sizeof(*m->s));
	m->n = n;
	m->ordered = ordered;
	m->out = out;
	m->seen = seen;
	m->arg = arg;
	for (i = 0; i < n; i++)
		buf_init(&m->s[i].in);
	return m;
}

void
merge_free(struct merge *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		buf_free(&m->s[i].in);
	free(m->s);
	free(m);
}

/* Drop the bytes already sent out once they are most of the buffer. */
static void
stream_compact(struct stream *s)
{
	if (s->off == s->in.len) {
		buf_reset(&s->in);
		s->off = 0;
	} else if (s->off > 65536 && s->off * 2 > s->in.len) {
		memmove(s->in.data, s->in.data + s->off, s->in.len - s->off);
		s->in.len -= s->off;
		s->in.data[s->in.len] = '\0';
		s->off = 0;
	}
}

/* Find the head of s: its first whole line. */
static void
stream_head(struct stream *s)
{
	const char *p = s->in.data + s->off, *nl;

	s->head_len = 0;
	if (s->off == s->in.len)
		return;
	nl = memchr(p, '\n', s->in.len - s->off);
	if (nl == NULL)
		return;
	s->head_len = (size_t)(nl - p) + 1;
	s->head = merge_line_index(p, s->head_len);
}

/* Tell seen() about each line of lines[0..n) (whole lines). */
static void
merge_see(struct merge *m, size_t i, const char *p, size_t n)
{
	const char *end = p + n, *nl;

	if (m->seen == NULL)
		return;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return;
		m->seen(i, merge_line_index(p, (size_t)(nl - p)), m->arg);
	}
}

/* --ordered: send out heads, smallest index first, while no stream still
 * running can send a smaller one: without shards, every such stream must
 * have a head; with them (merge_set_shards()), its least possible index
 * must be above the head going out. */
static void
merge_ordered(struct merge *m)
{
	struct stream *s, *best;
	size_t i;

	for (;;) {
		best = NULL;
		for (i = 0; i < m->n; i++) {
			s = &m->s[i];
			if (s->head_len > 0 &&
			    (best == NULL || s->head < best->head))
				best = s;
		}
		if (best == NULL)
			return;
		for (i = 0; i < m->n; i++) {
			s = &m->s[i];
			if (s->head_len == 0 && !s->ended &&
			    (m->stride == 0 || s->low < best->head))
				return;	/* it may yet send less */
		}
		if (m->seen != NULL)
			m->seen((size_t)(best - m->s), best->head, m->arg);
		m->out(best->in.data + best->off, best->head_len, m->arg);
		best->low = best->head + m->stride;
		best->off += best->head_len;
		stream_compact(best);
		stream_head(best);
	}
}

void
merge_set_shards(struct merge *m, uint64_t stride, uint64_t first,
    uint64_t step)
{
	size_t i;

	m->stride = stride;
	for (i = 0; i < m->n; i++)
		m->s[i].low = first + step * i;
}

void
merge_add(struct merge *m, size_t i, const char *p, size_t n)
{
	struct stream *s = &m->s[i];
	const char *last;
	size_t whole;

	if (!m->ordered) {
		/* Whole lines straight out; keep a cut one for later. */
		last = NULL;
		if (n > 0)
			last = memrchr(p, '\n', n);
		if (last == NULL) {
			buf_add(&s->in, p, n);
			return;
		}
		whole = (size_t)(last - p) + 1;
		if (s->in.len > s->off) {
			buf_add(&s->in, p, whole);
			merge_see(m, i, s->in.data + s->off,
			    s->in.len - s->off);
			m->out(s->in.data + s->off, s->in.len - s->off,
			    m->arg);
			buf_reset(&s->in);
			s->off = 0;
		} else {
			merge_see(m, i, p, whole);
			m->out(p, whole, m->arg);
		}
		buf_add(&s->in, p + whole, n - whole);
		return;
	}
	buf_add(&s->in, p, n);
	if (s->head_len == 0)
		stream_head(s);
	merge_ordered(m);
}

size_t
merge_end(struct merge *m, size_t i, const char *tail, size_t n)
{
	struct stream *s = &m->s[i];
	const char *p, *last;
	size_t cut;

	if (s->ended)
		return 0;
	/* A cut last line is dropped; whole lines still go out. */
	p = s->in.data + s->off;
	last = s->in.len > s->off ? memrchr(p, '\n', s->in.len - s->off) :
	    NULL;
	cut = last ? (size_t)(s->in.data + s->in.len - last - 1) :
	    s->in.len - s->off;
	s->in.len -= cut;
	if (s->in.data != NULL)
		s->in.data[s->in.len] = '\0';
	stream_compact(s);
	if (n > 0)
		merge_add(m, i, tail, n);
	s->ended = 1;
	if (m->ordered) {
		if (s->head_len == 0)
			stream_head(s);
		merge_ordered(m);
	}
	return cut;
}

int
merge_full(const struct merge *m, size_t i)
{
	const struct stream *s = &m->s[i];

	return m->ordered && s->head_len > 0 &&
	    s->in.len - s->off >= MERGE_HOLD;
}
