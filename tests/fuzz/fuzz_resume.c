/* fuzz_resume.c: libFuzzer target for --resume's reading of an earlier
 * run's output: resume_note() on each line of arbitrary bytes, then
 * resume_load() on the same bytes as a file.
 *
 * Checked: nothing crashes, leaks or allocates without bound; nok counts
 * the distinct ok indexes noted (the bits set); every line that cJSON reads
 * as a record {"index":N,...} with "ok":true and N a number in [0, 2^53)
 * marks N; resume_load() finds the same records (whole lines only, also
 * when they cross its 64 KiB reads) and cuts a last line that has no
 * newline off the file. */
#include <sys/mman.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "resume.h"
#include "util.h"
#include "fuzz_check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint64_t
bits_set(const struct resume *r)
{
	uint64_t	i, n = 0;

	for (i = 0; i < r->nbits / 8; i++)
		n += (uint64_t)__builtin_popcount(r->bits[i]);
	return n;
}

/* What resume_note() must have marked for line[0..n): 0 with the index
 * (the digits after {"index": as cofetch writes them: no sign, fraction,
 * exponent or leading zero, then ',' or '}', within 64 bits) when the
 * line is JSON with "ok": true, else -1. */
static int
ref_ok_index(const char *line, size_t n, uint64_t *index)
{
	char	 num[32], *e;
	size_t	 k;
	cJSON	*rec;
	int	 rc = -1;

	if (n < 10 || memcmp(line, "{\"index\":", 9) != 0)
		return -1;
	for (k = 0; 9 + k < n && line[9 + k] >= '0' && line[9 + k] <= '9';
	    k++)
		;
	if (k == 0 || 9 + k >= n || k >= sizeof(num) ||
	    (line[9] == '0' && k > 1) ||
	    (line[9 + k] != ',' && line[9 + k] != '}'))
		return -1;
	memcpy(num, line + 9, k);
	num[k] = '\0';
	errno = 0;
	*index = strtoull(num, &e, 10);
	if (errno == ERANGE || *e != '\0')
		return -1;
	if ((rec = cJSON_ParseWithLength(line, n)) == NULL)
		return -1;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "ok")))
		rc = 0;
	cJSON_Delete(rec);
	return rc;
}

static void
write_all(int fd, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 w;

	while (n > 0) {
		w = write(fd, c, n);
		FUZZ_CHECK(w > 0, "write to the memfd");
		c += w;
		n -= (size_t)w;
	}
}

/* resume_load() on a file of pad bytes of a line that is no record (so
 * that data crosses resume_load()'s 64 KiB reads where pad puts it)
 * followed by data. */
static void
check_load(const uint8_t *data, size_t size, const struct resume *want,
    size_t pad)
{
	struct resume	 r;
	const uint8_t	*nl;
	size_t		 whole = 0;
	char		 err[256], *filler;
	off_t		 end;
	int		 fd;

	fd = memfd_create("resume", 0);
	FUZZ_CHECK(fd != -1, "memfd_create");
	if (pad > 0) {
		filler = xmalloc(pad);
		memset(filler, '#', pad - 1);
		filler[pad - 1] = '\n';
		write_all(fd, filler, pad);
		free(filler);
	}
	write_all(fd, data, size);
	FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
	err[0] = '\0';
	FUZZ_CHECK(resume_load(&r, fd, "memfd", err, sizeof err) == 0,
	    "resume_load() failed: %s", err);
	for (nl = data; (nl = memchr(nl, '\n', size -
	    (size_t)(nl - data))) != NULL; nl++)
		whole = (size_t)(nl - data) + 1;
	end = lseek(fd, 0, SEEK_END);
	FUZZ_CHECK(end == (off_t)(pad + whole), "the file is %lld bytes "
	    "after resume_load(), not %zu (up to its last newline)",
	    (long long)end, pad + whole);
	FUZZ_CHECK(r.nok == want->nok && r.nok == bits_set(&r) + r.nbig,
	    "resume_load() found %llu ok records, resume_note() %llu "
	    "(padding %zu)", (unsigned long long)r.nok,
	    (unsigned long long)want->nok, pad);
	FUZZ_CHECK(r.nbits == want->nbits && (r.nbits == 0 ||
	    memcmp(r.bits, want->bits, r.nbits / 8) == 0) &&
	    r.nbig == want->nbig && (r.nbig == 0 ||
	    memcmp(r.big, want->big, r.nbig * sizeof(*r.big)) == 0),
	    "resume_load() and resume_note() found different indexes "
	    "(padding %zu)", pad);
	resume_free(&r);
	(void)close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resume	 r, whole;
	const char	*p = (const char *)data, *end = p + size, *nl;
	char		*line;
	size_t		 n;
	uint64_t	 nok, idx;

	memset(&r, 0, sizeof r);
	memset(&whole, 0, sizeof whole);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		/* An exact-size copy, so ASan sees a read past the line. */
		line = xmalloc(n ? n : 1);
		memcpy(line, p, n);
		nok = r.nok;
		resume_note(&r, line, n);
		if (nl < end)
			resume_note(&whole, line, n);
		FUZZ_CHECK(r.nok == nok || r.nok == nok + 1,
		    "one line added %llu ok records",
		    (unsigned long long)(r.nok - nok));
		if (ref_ok_index(line, n, &idx) == 0 &&
		    !resume_has(&r, idx)) {
			fuzz_show("line", line, n);
			FUZZ_CHECK(0, "ok index %llu not marked",
			    (unsigned long long)idx);
		}
		FUZZ_CHECK(r.nok == nok || ref_ok_index(line, n, &idx) == 0,
		    "a line that is no ok record of ours was counted");
		free(line);
		if (nl == end)
			break;
	}
	FUZZ_CHECK(r.nok == bits_set(&r) + r.nbig,
	    "nok %llu, %llu bits set, %zu large", (unsigned long long)r.nok,
	    (unsigned long long)bits_set(&r), r.nbig);
	/* The bitmap never grows past its cap, whatever the index. */
	FUZZ_CHECK(r.nbits <= RESUME_BITMAP_MAX, "bitmap of %llu bits",
	    (unsigned long long)r.nbits);
	check_load(data, size, &whole, 0);
	/* Across a 64 KiB read: at the byte data[0] names. */
	check_load(data, size, &whole, 65536 - (size > 0 ?
	    (size_t)data[0] % (size + 1) : 0));
	resume_free(&whole);
	resume_free(&r);
	return 0;
}
