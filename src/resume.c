/* resume.c: scan an earlier run's records for ok ones, and remember each
 * record's url so that a different input list is caught. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "msg.h"
#include "redact.h"
#include "request.h"
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

static uint64_t
url_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
resume_add_url(struct resume *r, uint64_t index, const char *url)
{
	if (r->nurls == r->capurls) {
		r->capurls = r->capurls ? r->capurls * 2 : 256;
		r->urls = xrealloc(r->urls, r->capurls * sizeof(*r->urls));
	}
	r->urls[r->nurls].index = index;
	r->urls[r->nurls].hash = url_hash(url);
	r->nurls++;
	r->sorted = 0;
}

static int
url_cmp(const void *a, const void *b)
{
	const struct resume_url *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

int
resume_url_matches(struct resume *r, uint64_t index, const char *url)
{
	size_t lo = 0, hi = r->nurls, mid;
	uint64_t h = url_hash(url);
	int seen = 0;

	if (!r->sorted) {
		if (r->nurls > 0)
			qsort(r->urls, r->nurls, sizeof(*r->urls), url_cmp);
		r->sorted = 1;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->urls[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->nurls && r->urls[lo].index == index; lo++) {
		if (r->urls[lo].hash == h)
			return 1;
		seen = 1;
	}
	return !seen;
}

int
resume_same(struct resume *r, const struct request *req, const char *file)
{
	const char *url = req->url != NULL ? req->url : "";
	char *masked = redact_url(url);
	int same;

	/* Records write the url with its password masked. */
	if (masked != NULL)
		url = masked;
	same = resume_url_matches(r, req->index, url);
	if (!same)
		errorf("--resume: request %llu of the input (%s) is not the "
		    "one %s holds for index %llu: resume with the input of "
		    "the run it continues", (unsigned long long)req->index,
		    url, file, (unsigned long long)req->index);
	free(masked);
	return same;
}

int
resume_check(int fd, const char *name, char *err, size_t errlen)
{
	struct stat st;
	char head[16];
	ssize_t n;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		(void)snprintf(err, errlen, "--resume: %s is not a regular "
		    "file: it must be the records of an earlier run", name);
		return -1;
	}
	do
		n = pread(fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		(void)snprintf(err, errlen, "cannot read %s for --resume: %s",
		    name, strerror(errno));
		return -1;
	}
	/* Every record starts {"index":N. */
	if (n > 0 && (n < 10 || memcmp(head, "{\"index\":", 9) != 0 ||
	    head[9] < '0' || head[9] > '9')) {
		(void)snprintf(err, errlen, "--resume: %s does not hold "
		    "cofetch records; refusing to append to it", name);
		return -1;
	}
	return 0;
}

/* The index a record starts with, {"index":N, read from its digits as
 * cofetch writes them (not through a double, where 1.0000000000000001,
 * 1e0 and 2^53 + 1 would all pass for a nearby whole number): 0, or -1
 * when the line is no record of ours. */
static int
resume_index(const char *line, size_t n, uint64_t *index)
{
	size_t i = 9;
	uint64_t v = 0;

	if (n < 10 || memcmp(line, "{\"index\":", 9) != 0)
		return -1;
	if (line[i] == '0' && i + 1 < n && line[i + 1] >= '0' &&
	    line[i + 1] <= '9')
		return -1;		/* no leading zeros */
	for (; i < n && line[i] >= '0' && line[i] <= '9'; i++) {
		if (v > (UINT64_MAX - (uint64_t)(line[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(line[i] - '0');
	}
	if (i == 9 || i == n || (line[i] != ',' && line[i] != '}'))
		return -1;
	*index = v;
	return 0;
}

void
resume_note(struct resume *r, const char *line, size_t n)
{
	cJSON *rec, *ok, *url;
	uint64_t index;

	/* A record starts {"index":N,; anything else is not ours. */
	if (resume_index(line, n, &index) < 0)
		return;
	rec = cJSON_ParseWithLength(line, n);
	if (rec == NULL)
		return;
	ok = cJSON_GetObjectItemCaseSensitive(rec, "ok");
	url = cJSON_GetObjectItemCaseSensitive(rec, "url");
	if (cJSON_IsTrue(ok))
		resume_set(r, index);
	if (cJSON_IsString(url))
		resume_add_url(r, index, url->valuestring);
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
	free(r->urls);
	memset(r, 0, sizeof(*r));
}
