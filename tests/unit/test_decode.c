/* test_decode.c: content decoding checks the end of every coding's stream
 * and what follows it (issue 9 item 3), output leaves in bounded pieces
 * (--max-size stops a bomb), and the buffers' limit and shrink (issue 10
 * item 7). */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "decode.h"
#include "unit.h"
#include "util.h"

struct sink {
	struct buf	out;
	size_t		max_piece;
	size_t		limit;		/* stop (-1) past this many bytes */
};

static int
sink_out(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;

	if (n > s->max_piece)
		s->max_piece = n;
	if (s->limit && s->out.len + n > s->limit)
		return -1;
	buf_add(&s->out, p, n);
	return 0;
}

/* data gzip-compressed into *len bytes (malloced). */
static unsigned char *
gzip_of(const char *data, size_t n, size_t *len)
{
	z_stream z;
	unsigned char *out = malloc(n + 1024);

	memset(&z, 0, sizeof(z));
	(void)deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)(n + 1024);
	(void)deflate(&z, Z_FINISH);
	*len = z.total_out;
	(void)deflateEnd(&z);
	return out;
}

/* Decode p[0..n) as enc, fed in pieces of step bytes; 0/-1 and why. */
static int
run(const char *enc, const unsigned char *p, size_t n, size_t step,
    struct sink *s, const char **why)
{
	struct decode *d = NULL;
	size_t off, k;
	int rc = 0;

	*why = NULL;
	if (decode_add(&d, enc, strlen(enc), why) < 0)
		rc = -1;
	for (off = 0; rc == 0 && off < n; off += k) {
		k = n - off < step ? n - off : step;
		rc = decode_write(d, (const char *)p + off, k, sink_out, s,
		    why);
	}
	if (rc == 0)
		rc = decode_end(d, why);
	decode_free(d);
	return rc;
}

static const char text[] = "the quick brown fox jumps over the lazy dog ";

TEST(gzip_whole_in_any_pieces_decodes)
{
	size_t len, steps[] = { 1, 7, 100000 }, i;
	unsigned char *gz = gzip_of(text, sizeof(text) - 1, &len);
	struct sink s;
	const char *why;

	for (i = 0; i < 3; i++) {
		memset(&s, 0, sizeof(s));
		CHECK(run("gzip", gz, len, steps[i], &s, &why) == 0);
		CHECK(s.out.len == sizeof(text) - 1);
		CHECK(memcmp(s.out.data, text, s.out.len) == 0);
		buf_free(&s.out);
	}
	free(gz);
}

TEST(gzip_cut_short_or_with_junk_fails)
{
	size_t len;
	unsigned char *gz = gzip_of(text, sizeof(text) - 1, &len), *j;
	struct sink s;
	const char *why;

	memset(&s, 0, sizeof(s));
	CHECK(run("gzip", gz, len - 4, 3, &s, &why) == -1);
	CHECK(why != NULL && strstr(why, "truncated") != NULL);
	buf_free(&s.out);
	j = malloc(len + 4);
	memcpy(j, gz, len);
	memcpy(j + len, "JUNK", 4);
	memset(&s, 0, sizeof(s));
	CHECK(run("gzip", j, len + 4, 5, &s, &why) == -1);
	CHECK(why != NULL && strstr(why, "after the end") != NULL);
	buf_free(&s.out);
	free(j);
	free(gz);
}

TEST(two_gzip_members_are_one_body)
{
	size_t len;
	unsigned char *gz = gzip_of(text, sizeof(text) - 1, &len), *two;
	struct sink s;
	const char *why;

	two = malloc(2 * len);
	memcpy(two, gz, len);
	memcpy(two + len, gz, len);
	memset(&s, 0, sizeof(s));
	CHECK(run("x-gzip", two, 2 * len, 9, &s, &why) == 0);
	CHECK(s.out.len == 2 * (sizeof(text) - 1));
	buf_free(&s.out);
	free(two);
	free(gz);
}

TEST(unknown_and_too_many_codings_fail_at_the_first_byte)
{
	struct decode *d = NULL;
	const char *why = NULL;
	struct sink s;

	memset(&s, 0, sizeof(s));
	CHECK(decode_add(&d, "compress", 8, &why) == -1);
	CHECK(decode_end(d, &why) == 0);	/* no body: fine */
	CHECK(decode_write(d, "x", 1, sink_out, &s, &why) == -1);
	decode_free(d);
	d = NULL;
	CHECK(decode_add(&d, "gzip, gzip, br, zstd, br", 24, &why) == -1);
	decode_free(d);
	d = NULL;
	CHECK(decode_add(&d, " identity ", 10, &why) == 0);
	CHECK(d == NULL);
}

TEST(a_bomb_leaves_in_small_pieces_and_stops_at_the_limit)
{
	size_t n = 50 << 20, len;
	char *zeros = calloc(1, n);
	unsigned char *gz = gzip_of(zeros, n, &len);
	struct sink s;
	const char *why;

	memset(&s, 0, sizeof(s));
	s.limit = 1 << 20;
	CHECK(run("gzip", gz, len, 65536, &s, &why) == -1);
	CHECK(why == NULL);		/* the sink said stop */
	CHECK(s.out.len <= 1 << 20);
	CHECK(s.max_piece <= 16384);
	buf_free(&s.out);
	free(gz);
	free(zeros);
}

TEST(buf_reserve_max_never_passes_the_limit)
{
	struct buf b;
	char chunk[1000];
	int i;

	buf_init(&b);
	memset(chunk, 'a', sizeof(chunk));
	for (i = 0; i < 100; i++) {
		buf_reserve_max(&b, sizeof(chunk), 100000);
		buf_add(&b, chunk, sizeof(chunk));
	}
	CHECK(b.len == 100000);
	CHECK(b.cap == 100001);
	buf_shrink(&b, 65536);
	CHECK(b.cap == 0 && b.data == NULL && b.len == 0);
	buf_add(&b, "x", 1);
	buf_shrink(&b, 65536);
	CHECK(b.cap > 0 && b.len == 0);
	buf_free(&b);
}

int
main(void)
{
	RUN(gzip_whole_in_any_pieces_decodes);
	RUN(gzip_cut_short_or_with_junk_fails);
	RUN(two_gzip_members_are_one_body);
	RUN(unknown_and_too_many_codings_fail_at_the_first_byte);
	RUN(a_bomb_leaves_in_small_pieces_and_stops_at_the_limit);
	RUN(buf_reserve_max_never_passes_the_limit);
	return unit_done("tests/unit/test_decode.c");
}
