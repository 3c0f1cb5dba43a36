/* piperoom.c: how much a pipe can take whole (piperoom.h). */
#include <limits.h>
#include <string.h>

#include "piperoom.h"

void
piperoom_init(struct piperoom *r, size_t cap, size_t page)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
	r->page = page > 0 ? page : 4096;
}

void
piperoom_set_cap(struct piperoom *r, size_t cap)
{
	r->cap = cap;
}

/* Forget the writes the reader has taken whole: written - queued bytes
 * have been read. */
static void
piperoom_drain(struct piperoom *r, uint64_t queued)
{
	uint64_t read = queued < r->written ? r->written - queued : 0;

	while (r->n > 0 && r->end[r->head] <= read) {
		r->held -= r->pages[r->head];
		r->head = (r->head + 1) % PIPEROOM_WRITES;
		r->n--;
	}
}

size_t
piperoom_fit(struct piperoom *r, uint64_t queued, const char *p, size_t n)
{
	const char *nl;
	size_t first, slots, need;

	piperoom_drain(r, queued);
	if (n <= PIPE_BUF)
		return n;
	if ((nl = memrchr(p, '\n', PIPE_BUF)) != NULL)
		return (size_t)(nl - p) + 1;
	nl = memchr(p, '\n', n);
	first = nl != NULL ? (size_t)(nl - p) + 1 : n;
	if (first > r->cap)
		return n;
	if (queued == 0)
		return first;		/* fresh pages: up to cap fit */
	slots = r->cap / r->page;
	need = (first + r->page - 1) / r->page;
	return r->held + need <= slots ? first : 0;
}

void
piperoom_wrote(struct piperoom *r, size_t n)
{
	size_t at;
	unsigned pages;

	r->written += n;
	if (r->n == PIPEROOM_WRITES) {
		/* The ring is full: count the write with the newest one,
		 * which then ends later and may hold more pages (the bound
		 * only grows). */
		at = (r->head + r->n - 1) % PIPEROOM_WRITES;
	} else {
		at = (r->head + r->n) % PIPEROOM_WRITES;
		r->n++;
		r->pages[at] = 0;
	}
	pages = (unsigned)((n + r->page - 1) / r->page) + 1;
	r->end[at] = r->written;
	r->pages[at] += pages;
	r->held += pages;
}
