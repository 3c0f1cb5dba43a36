/* test_input_count.c: the one rule for "is this a request line", and
 * the counting of request lines ahead of the reader (input.c), which
 * must agree with what the reader makes of each line. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "input.h"
#include "input_count.h"
#include "opts.h"
#include "request.h"
#include "util.h"
#include "unit.h"

/* Count the request lines of text with the rule fed in pieces of step
 * bytes, as input.c's counting feeds it whatever read() returned. */
static uint64_t
feed_lines(const char *text, size_t len, size_t step)
{
	struct line_class lc;
	const char *p, *end, *nl;
	size_t off, n;
	uint64_t count = 0;

	memset(&lc, 0, sizeof(lc));
	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		for (p = text + off, end = p + n; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			(void)input_line_feed(&lc, p,
			    (size_t)((nl ? nl : end) - p));
			if (nl == NULL)
				break;
			count += (uint64_t)input_line_end(&lc);
			memset(&lc, 0, sizeof(lc));
		}
	}
	return count + (uint64_t)input_line_end(&lc);
}

static void
wake(void *arg)
{
}

/* The real path: a file, the loop, input_new(), input_count_start(). */
static uint64_t
count_file(const char *text, size_t len)
{
	char path[] = "/tmp/cofetch-count-XXXXXX";
	const char *inputs[1];
	struct ev_loop *loop = ev_default_loop(0);
	struct opts o;
	struct input *in;
	char err[256];
	uint64_t total = 0;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, text, len) == (ssize_t)len);
	(void)close(fd);
	memset(&o, 0, sizeof(o));
	inputs[0] = path;
	o.inputs = inputs;
	o.ninputs = 1;
	in = input_new(loop, &o, wake, NULL, err, sizeof(err));
	CHECK(in != NULL);
	if (in != NULL) {
		input_count_start(in);
		while (!input_count_total(in, &total))
			ev_run(loop, EVRUN_ONCE);
		input_free(in);
	}
	(void)unlink(path);
	return total;
}

static uint64_t
count_lines(const char *text, size_t len, size_t step)
{
	uint64_t n = feed_lines(text, len, step);

	CHECK(count_file(text, len) == n);
	return n;
}

/* What the reader makes of the same text: input_parse_line() per line. */
static uint64_t
parse_lines(const char *text, size_t len)
{
	struct request req;
	const char *p = text, *end = text + len, *nl;
	uint64_t count = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		request_init(&req);
		count += (uint64_t)input_parse_line(&req, p,
		    (size_t)((nl ? nl : end) - p), 0);
		request_free(&req);
		p = nl ? nl + 1 : end;
	}
	return count;
}

TEST(counting_lines_agrees_with_the_reader)
{
	static const char text[] =
	    "http://a/1\n"
	    "\n"
	    "   \t \r\n"
	    "# a comment\n"
	    "   # an indented comment\n"
	    "\xef\xbb\xbfhttp://bom/\n"
	    "\xef\xbb\xbf# bom comment\n"
	    "\xef\xbb\xbf\n"
	    "\xef\xbb\n"
	    "\xef\n"
	    "\xef\xbbx\n"
	    " \xef\xbb\xbf\n"
	    "{\"url\": \"http://j/\"}\r\n"
	    "not a url at all\n"
	    "nul\0byte\n"
	    "ftp://other.scheme/\n"
	    "last line without newline";
	size_t len = sizeof(text) - 1, step;
	uint64_t want = parse_lines(text, len);

	CHECK(want == 11);
	for (step = 1; step <= len; step++)
		CHECK(count_lines(text, len, step) == want);
	input_parse_cleanup();
}

TEST(a_long_line_is_decided_by_its_first_byte_that_is_not_blank)
{
	size_t len = INPUT_LINE_MAX + 100, step;
	char *text = malloc(len + 20);

	/* 64 KiB of blanks, then text: a request, however far in. */
	memset(text, ' ', len);
	memcpy(text + INPUT_LINE_MAX, "http://x/", 9);
	text[len] = '\n';
	for (step = 1000; step < 70000; step += 17000)
		CHECK(count_lines(text, len + 1, step) == 1);
	/* Then a comment, or nothing: no request. */
	text[INPUT_LINE_MAX] = '#';
	CHECK(count_lines(text, len + 1, 4096) == 0);
	memset(text + INPUT_LINE_MAX, '\t', 9);
	CHECK(count_lines(text, len + 1, 4096) == 0);
	/* Text within the first 64 KiB: a request (cut, invalid). */
	text[INPUT_LINE_MAX - 1] = 'h';
	CHECK(count_lines(text, len + 1, 4096) == 1);
	/* Two long lines, the second without its newline. */
	memcpy(text, "http://a/\n", 10);
	CHECK(count_lines(text, len, 4096) == 2);
	free(text);
}

TEST(counting_an_empty_file_gives_zero)
{
	CHECK(count_lines("", 0, 1) == 0);
	CHECK(count_lines("\n\n\n", 3, 1) == 0);
}

TEST(counting_a_file_bigger_than_a_read_agrees)
{
	size_t len = 3 * 256 * 1024 + 1000, i;
	char *text = malloc(len);
	uint64_t want = 0;

	/* Lines of 1..40 bytes straddle every read boundary. */
	for (i = 0; i < len; ) {
		size_t n = 1 + i % 40;

		if (i + n + 1 > len)
			n = len - i - 1;
		memset(text + i, i % 3 == 0 ? ' ' : 'a', n);
		if (i % 3 != 0)
			want++;
		i += n;
		text[i++] = '\n';
	}
	CHECK(count_file(text, len) == want);
	CHECK(feed_lines(text, len, 4093) == want);
	free(text);
}

TEST(counting_goes_on_after_the_reader_closes_its_descriptor)
{
	/* More than the first slice (16 MiB), so the rest is counted on
	 * timer ticks, after the reader closed the file and its number went
	 * to another file. */
	char path[] = "/tmp/cofetch-count-XXXXXX";
	char other[] = "/tmp/cofetch-other-XXXXXX";
	struct ev_loop *loop = ev_default_loop(0);
	struct line_file f;
	struct line_count *c;
	size_t line = 64, n = 20 * 1024 * 1024 / line, i;
	char *text = malloc(line * n);
	uint64_t total = 0;
	int fd = mkstemp(path), fd2;

	for (i = 0; i < n; i++) {
		memset(text + i * line, 'u', line - 1);
		text[i * line + line - 1] = '\n';
	}
	CHECK(fd >= 0 && write(fd, text, line * n) == (ssize_t)(line * n));
	f.fd = fd;
	f.off = 0;
	c = line_count_new(loop, &f, 1, 3);
	CHECK(c != NULL);
	(void)close(fd);
	fd2 = mkstemp(other);		/* likely the same number */
	CHECK(fd2 >= 0 && write(fd2, "\n\n", 2) == 2);
	if (c != NULL) {
		CHECK(!line_count_total(c, &total));
		while (!line_count_total(c, &total))
			ev_run(loop, EVRUN_ONCE);
		CHECK(total == n + 3);
		line_count_free(c);
	}
	(void)close(fd2);
	(void)unlink(path);
	(void)unlink(other);
	free(text);
}

TEST(url_arguments_count_unless_blank_or_comment)
{
	CHECK(input_line_is_request("http://a/", 9));
	CHECK(input_line_is_request("a\nb", 3));
	CHECK(!input_line_is_request("", 0));
	CHECK(!input_line_is_request("  \t", 3));
	CHECK(!input_line_is_request(" # x", 4));
	CHECK(!input_line_is_request("\xef\xbb\xbf", 3));
	CHECK(input_line_is_request("\xef\xbb", 2));
}

int
main(void)
{
	RUN(counting_lines_agrees_with_the_reader);
	RUN(a_long_line_is_decided_by_its_first_byte_that_is_not_blank);
	RUN(counting_an_empty_file_gives_zero);
	RUN(counting_a_file_bigger_than_a_read_agrees);
	RUN(counting_goes_on_after_the_reader_closes_its_descriptor);
	RUN(url_arguments_count_unless_blank_or_comment);
	return unit_done(__FILE__);
}
