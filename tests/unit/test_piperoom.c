/* test_piperoom.c: piperoom_fit() against a model of the Linux pipe
 * (fs/pipe.c pipe_write(): a ring of pages; a write first adds
 * len % page bytes to the last page when they fit there, then fills new
 * pages; without room, a non-blocking write returns what it wrote, or
 * EAGAIN when that is nothing). Whatever the records and the reader do, a
 * write piperoom_fit() allows goes whole. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "piperoom.h"
#include "unit.h"

#define PAGE	4096
#define SLOTS	16

struct model {
	size_t	 off[SLOTS], len[SLOTS];	/* per page in use */
	size_t	 head, n;			/* oldest page, pages */
	uint64_t queued;
};

/* pipe_write() on a non-blocking pipe: bytes taken (0: EAGAIN). */
static size_t
model_write(struct model *m, size_t len)
{
	size_t chars = len % PAGE, done = 0, last, take;

	if (chars != 0 && m->n > 0) {
		last = (m->head + m->n - 1) % SLOTS;
		if (m->off[last] + m->len[last] + chars <= PAGE) {
			m->len[last] += chars;
			done = chars;
		}
	}
	while (done < len && m->n < SLOTS) {
		last = (m->head + m->n) % SLOTS;
		take = len - done < PAGE ? len - done : PAGE;
		m->off[last] = 0;
		m->len[last] = take;
		m->n++;
		done += take;
	}
	m->queued += done;
	return done;
}

static void
model_read(struct model *m, size_t k)
{
	size_t take;

	while (k > 0 && m->n > 0) {
		take = k < m->len[m->head] ? k : m->len[m->head];
		m->off[m->head] += take;
		m->len[m->head] -= take;
		m->queued -= take;
		k -= take;
		if (m->len[m->head] == 0) {
			m->head = (m->head + 1) % SLOTS;
			m->n--;
		}
	}
}

/* A queue of records of the given sizes, each ending in '\n'. */
static size_t
fill(char *q, const size_t *sizes, size_t nrec)
{
	size_t i, at = 0;

	for (i = 0; i < nrec; i++) {
		memset(q + at, 'x', sizes[i] - 1);
		q[at + sizes[i] - 1] = '\n';
		at += sizes[i];
	}
	return at;
}

TEST(what_fit_allows_goes_whole_against_the_kernel_model)
{
	static char q[1 << 22];
	size_t sizes[512], nrec, n, at, want, got, i;
	struct piperoom r;
	struct model m;
	unsigned seed = 1;
	int round, step, cut = 0, stuck = 0, wrote = 0;

	for (round = 0; round < 200; round++) {
		memset(&m, 0, sizeof(m));
		piperoom_init(&r, PAGE * SLOTS, PAGE);
		nrec = 300;
		for (i = 0; i < nrec; i++) {
			seed = seed * 1103515245u + 12345u;
			/* short and long records, some over PIPE_BUF */
			sizes[i] = 40 + (seed >> 8) % (round % 3 == 0 ?
			    9000 : round % 3 == 1 ? 5200 : 1200);
		}
		n = fill(q, sizes, nrec);
		at = 0;
		for (step = 0; step < 5000 && at < n; step++) {
			want = piperoom_fit(&r, m.queued, q + at, n - at);
			if (want > 0) {
				got = model_write(&m, want);
				if (got > 0 && got < want)
					cut++;
				if (got > 0) {
					piperoom_wrote(&r, got);
					at += got;
					wrote++;
				}
			}
			/* A reader that sometimes stops for a while. */
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 4 == 0)
				model_read(&m, (seed >> 4) % 6000);
			if (m.queued == 0 && want == 0)
				stuck++;
		}
	}
	CHECK(cut == 0);
	CHECK(stuck == 0);
	CHECK(wrote > 1000);
}

TEST(short_records_go_up_to_pipe_buf_at_once)
{
	static char q[20000];
	size_t sizes[40], i, n;
	struct piperoom r;

	for (i = 0; i < 40; i++)
		sizes[i] = 300;
	n = fill(q, sizes, 40);
	piperoom_init(&r, PAGE * SLOTS, PAGE);
	/* Whole records, at most PIPE_BUF (4096) bytes: 13 of 300. */
	CHECK(piperoom_fit(&r, 0, q, n) == 3900);
	CHECK(piperoom_fit(&r, 0, q, 300) == 300);
}

TEST(a_long_record_waits_until_the_writes_in_the_pipe_leave_room)
{
	static char q[200000];
	size_t sizes[1] = { 9000 }, n;
	struct piperoom r;
	int i;

	n = fill(q, sizes, 1);
	piperoom_init(&r, PAGE * SLOTS, PAGE);
	CHECK(piperoom_fit(&r, 0, q, n) == n);	/* empty: fresh pages */
	for (i = 0; i < 4; i++)
		piperoom_wrote(&r, 9000);	/* 4 x (3 + 1) pages */
	CHECK(piperoom_fit(&r, 36000, q, n) == 0);
	/* The reader took the first two writes: room for 3 pages. */
	CHECK(piperoom_fit(&r, 18000, q, n) == n);
	/* Longer than the pipe: it can only go in pieces. */
	sizes[0] = PAGE * SLOTS + 1;
	n = fill(q, sizes, 1);
	CHECK(piperoom_fit(&r, 18000, q, n) == n);
}

int
main(void)
{
	RUN(what_fit_allows_goes_whole_against_the_kernel_model);
	RUN(short_records_go_up_to_pipe_buf_at_once);
	RUN(a_long_record_waits_until_the_writes_in_the_pipe_leave_room);
	return unit_done("tests/unit/test_piperoom.c");
}
