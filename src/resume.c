/* resume.c: scan an earlier run's records for ok ones. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "resume.h"
#include "util.h"

/* Insert a large index into the sorted array (rare: kept simple). */
static void
resume_set_big(struct resume *r, uint64_t index)
{
	size_t lo = 0, hi = r->nbig, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->big[mid] == index)
			return;
		if (r->big[mid] < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (r->nbig == r->capbig) {
		r->capbig = r->capbig ? r->capbig * 2 : 64;
		r->big = xrealloc(r->big, r->capbig * sizeof(*r->big));
	}
	memmove(r->big + lo + 1, r->big + lo, (r->nbig - lo) * sizeof(*r->big));
	r->big[lo] = index;
	r->nbig++;
	r->nok++;
}

static void
resume_set(struct resume *r, uint64_t index)
{
	uint64_t need;

	if (index >= RESUME_BITMAP_MAX) {
		resume_set_big(r, index);
		return;
	}
	if (index >= r->nbits) {
		need = r->nbits ? r->nbits : 1024;
		while (need <= index)
			need *= 2;
		r->bits = xrealloc(r->bits, need / 8);
		memset(r->bits + r->nbits / 8, 0, (need - r->nbits) / 8);
		r->nbits = need;
	}
	if (!(r->bits[index / 8] & (1u << (index % 8)))) {
		r->bits[index / 8] |= (uint8_t)(1u << (index % 8));
		r->nok++;
	}
}

int
resume_has(const struct resume *r, uint64_t index)
{
	size_t lo = 0, hi = r->nbig, mid;

	if (index < RESUME_BITMAP_MAX)
		return index < r->nbits &&
		    (r->bits[index / 8] & (1u << (index % 8)));
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->big[mid] == index)
			return 1;
		if (r->big[mid] < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void
resume_note(struct resume *r, const char *line, size_t n)
{
	cJSON *rec, *idx, *ok;

	/* A record starts {"index":; anything else is not ours. */
	if (n < 10 || memcmp(line, "{\"index\":", 9) != 0)
		return;
	rec = cJSON_ParseWithLength(line, n);
	if (rec == NULL)
		return;
	idx = cJSON_GetObjectItemCaseSensitive(rec, "index");
	ok = cJSON_GetObjectItemCaseSensitive(rec, "ok");
	/* An index is a whole number below 2^53 (exact in a double); 1.5
	 * is no record of ours, not index 1. */
	if (cJSON_IsNumber(idx) && cJSON_IsTrue(ok) && idx->valuedouble >= 0 &&
	    idx->valuedouble < 9007199254740992.0 &&
	    idx->valuedouble == (double)(uint64_t)idx->valuedouble)
		resume_set(r, (uint64_t)idx->valuedouble);
	cJSON_Delete(rec);
}

int
resume_load(struct resume *r, int fd, const char *name, char *err,
    size_t errlen)
{
	struct buf line;
	char chunk[65536];
	off_t whole = 0, pos = 0;
	ssize_t n, i, from;

	memset(r, 0, sizeof(*r));
	buf_init(&line);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			(void)snprintf(err, errlen, "cannot read %s for "
			    "--resume: %s", name, strerror(errno));
			buf_free(&line);
			return -1;
		}
		if (n == 0)
			break;
		from = 0;
		for (i = 0; i < n; i++) {
			if (chunk[i] != '\n')
				continue;
			buf_add(&line, chunk + from, (size_t)(i - from));
			resume_note(r, line.data, line.len);
			buf_reset(&line);
			from = i + 1;
			whole = pos + i + 1;
		}
		buf_add(&line, chunk + from, (size_t)(n - from));
		pos += n;
	}
	buf_free(&line);
	if (pos != whole && ftruncate(fd, whole) < 0) {
		(void)snprintf(err, errlen, "cannot drop the cut last line of "
		    "%s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

void
resume_free(struct resume *r)
{
	free(r->bits);
	free(r->big);
	memset(r, 0, sizeof(*r));
}
