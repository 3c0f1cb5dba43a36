/* test_progress.c: the live progress line as a user sees it (fields,
 * ETA, error kinds, fitting the terminal), the --stats summary, and the
 * counting of request lines ahead of the reader. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "input.h"
#include "progress.h"
#include "record.h"
#include "request.h"
#include "util.h"
#include "unit.h"

static struct progress_stats st;

/* Note one record of kind k with status, attempts, size and elapsed. */
static void
note(enum kind k, long status, long attempts, int64_t size, double elapsed)
{
	struct result res;

	result_init(&res);
	res.kind = k;
	res.status = status;
	res.attempts = attempts;
	res.size = size;
	res.elapsed = elapsed;
	progress_stats_note(&st, &res);
	result_free(&res);
}

static void
note_n(int n, enum kind k, long status)
{
	while (n-- > 0)
		note(k, status, 1, 100, 0.05);
}

/* 1234 records: 1200 ok, 20 timeouts, 10 http, 4 dns. */
static void
fill_typical(void)
{
	progress_stats_init(&st);
	note_n(1200, KIND_NONE, 200);
	note_n(20, KIND_TIMEOUT, 0);
	note_n(10, KIND_HTTP, 503);
	note_n(4, KIND_DNS, 0);
}

static void
view_typical(struct progress_view *v, int total_known)
{
	memset(v, 0, sizeof(*v));
	v->st = &st;
	v->total_known = total_known;
	v->total = 10000;
	v->inflight = 50;
	v->rate_recent = 85.2;
	v->rate_all = 80.06;
}

TEST(line_shows_done_total_rates_eta_in_flight_ok_and_failures)
{
	struct progress_view v;
	char line[512];
	size_t n;

	fill_typical();
	view_typical(&v, 1);
	n = progress_format(line, sizeof(line), &v, 0);
	/* 8766 left at 85.2/s: 102.9 s. */
	CHECK_STR(line, "1234/10000 12%  85.2/s (avg 80.1/s)  ETA 1m43s  "
	    "in flight 50  ok 1200  fail 34 (timeout 20, http 10, dns 4)");
	CHECK(n == strlen(line));
}

TEST(line_without_a_known_total_shows_a_running_count_and_no_eta)
{
	struct progress_view v;
	char line[512];

	fill_typical();
	view_typical(&v, 0);
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK_STR(line, "1234 done  85.2/s (avg 80.1/s)  in flight 50  "
	    "ok 1200  fail 34 (timeout 20, http 10, dns 4)");
}

TEST(line_names_the_top_three_error_kinds_and_counts_the_rest)
{
	struct progress_view v;
	char line[512];

	progress_stats_init(&st);
	note_n(3, KIND_CONNECT, 0);
	note_n(5, KIND_TLS, 0);
	note_n(1, KIND_RECV, 0);
	note_n(3, KIND_HTTP, 404);
	note_n(2, KIND_INVALID_URL, 0);
	view_typical(&v, 0);
	v.inflight = 0;
	v.rate_recent = v.rate_all = 0;
	(void)progress_format(line, sizeof(line), &v, 0);
	/* Ties keep the kinds' order (connect before http). */
	CHECK_STR(line, "14 done  0.00/s (avg 0.00/s)  in flight 0  ok 0  "
	    "fail 14 (tls 5, connect 3, http 3, other 3)");
}

TEST(line_with_no_failures_says_fail_0)
{
	struct progress_view v;
	char line[512];

	progress_stats_init(&st);
	note_n(7, KIND_NONE, 200);
	view_typical(&v, 1);
	v.total = 7;
	v.inflight = 0;
	v.rate_recent = 1234.4;
	v.rate_all = 3.333;
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK_STR(line, "7/7 100%  1234/s (avg 3.33/s)  ETA 0s  in flight 0  "
	    "ok 7  fail 0");
}

TEST(eta_falls_back_to_the_overall_rate_and_else_says_unknown)
{
	struct progress_view v;
	char line[512];

	fill_typical();
	view_typical(&v, 1);
	v.rate_recent = 0;		/* nothing finished lately */
	v.rate_all = 2;
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK(strstr(line, "  ETA 1h13m  ") != NULL);	/* 8766 / 2 */
	v.rate_all = 0;
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK(strstr(line, "  ETA --  ") != NULL);
	v.rate_all = 0.01;
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK(strstr(line, "  ETA 10d03h  ") != NULL);
}

TEST(total_never_shows_less_than_done)
{
	struct progress_view v;
	char line[512];

	fill_typical();
	view_typical(&v, 1);
	v.total = 1000;			/* the file grew after counting */
	(void)progress_format(line, sizeof(line), &v, 0);
	CHECK(strncmp(line, "1234/1234 100%  ", 16) == 0);
}

TEST(line_fits_the_terminal_dropping_the_least_useful_fields_first)
{
	struct progress_view v;
	char line[512];
	int w;

	fill_typical();
	view_typical(&v, 1);
	(void)progress_format(line, sizeof(line), &v, 80);
	CHECK_STR(line, "1234/10000 12%  85.2/s (avg 80.1/s)  ETA 1m43s  "
	    "in flight 50  ok 1200  fail 34");
	(void)progress_format(line, sizeof(line), &v, 70);
	CHECK_STR(line, "1234/10000 12%  85.2/s  ETA 1m43s  in flight 50  "
	    "ok 1200  fail 34");
	(void)progress_format(line, sizeof(line), &v, 52);
	CHECK_STR(line, "1234/10000 12%  85.2/s  ETA 1m43s  ok 1200  "
	    "fail 34");
	(void)progress_format(line, sizeof(line), &v, 51);
	CHECK_STR(line, "1234/10000 12%  85.2/s  ETA 1m43s  fail 34");
	(void)progress_format(line, sizeof(line), &v, 40);
	CHECK_STR(line, "1234/10000 12%  85.2/s  ETA 1m43s  fail");
	/* Never the last column (no wrap), at any width. */
	for (w = 1; w <= 200; w++)
		CHECK(progress_format(line, sizeof(line), &v, w) <=
		    (size_t)w - 1);
	CHECK(progress_format(line, sizeof(line), &v, 1) == 0);
	CHECK_STR(line, "");
}

TEST(line_respects_a_small_buffer)
{
	struct progress_view v;
	char line[10];

	fill_typical();
	view_typical(&v, 1);
	CHECK(progress_format(line, sizeof(line), &v, 0) == 9);
	CHECK_STR(line, "1234/1000");
}

TEST(line_is_plain_ascii_without_escapes)
{
	struct progress_view v;
	char line[512];
	const char *p;

	fill_typical();
	view_typical(&v, 1);
	(void)progress_format(line, sizeof(line), &v, 0);
	for (p = line; *p != '\0'; p++)
		CHECK(*p >= 0x20 && *p < 0x7f);
}

static cJSON *
stats_parse(double wall)
{
	struct buf b;
	cJSON *j;

	buf_init(&b);
	progress_stats_json(&b, &st, wall);
	CHECK(b.len > 0 && b.data[b.len - 1] == '\n');
	CHECK(memchr(b.data, '\n', b.len) == b.data + b.len - 1);
	j = cJSON_Parse(b.data);
	if (j == NULL)
		fprintf(stderr, "  not JSON: %s", b.data);
	buf_free(&b);
	return j;
}

static double
num(const cJSON *j, const char *path1, const char *path2)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, path1);

	if (path2 != NULL)
		x = cJSON_GetObjectItemCaseSensitive(x, path2);
	if (!cJSON_IsNumber(x)) {
		fprintf(stderr, "  %s.%s is not a number\n", path1,
		    path2 ? path2 : "");
		return -1;
	}
	return x->valuedouble;
}

TEST(stats_is_one_json_line_with_counts_status_classes_and_errors)
{
	cJSON *j, *errors;

	progress_stats_init(&st);
	note(KIND_NONE, 200, 1, 1000, 0.010);
	note(KIND_NONE, 204, 3, 0, 0.030);	/* two retries */
	note(KIND_NONE, 301, 1, 24, 0.020);
	note(KIND_HTTP, 404, 1, 10, 0.040);
	note(KIND_HTTP, 503, 3, 10, 2.000);
	note(KIND_TIMEOUT, 0, 3, 0, 30.0);
	note(KIND_INVALID_URL, 0, 0, 0, 0);	/* no attempt: no latency */
	j = stats_parse(2.0);
	CHECK(j != NULL);
	if (j == NULL)
		return;
	CHECK(num(j, "requests", NULL) == 7);
	CHECK(num(j, "ok", NULL) == 3);
	CHECK(num(j, "failed", NULL) == 4);
	CHECK(num(j, "status", "1xx") == 0);
	CHECK(num(j, "status", "2xx") == 2);
	CHECK(num(j, "status", "3xx") == 1);
	CHECK(num(j, "status", "4xx") == 1);
	CHECK(num(j, "status", "5xx") == 1);
	CHECK(num(j, "status", "none") == 2);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "status"),
	    "other") == NULL);
	errors = cJSON_GetObjectItemCaseSensitive(j, "errors");
	CHECK(cJSON_GetArraySize(errors) == 3);	/* only non-zero kinds */
	CHECK(num(j, "errors", "http") == 2);
	CHECK(num(j, "errors", "timeout") == 1);
	CHECK(num(j, "errors", "invalid_url") == 1);
	CHECK(num(j, "retries", NULL) == 6);
	CHECK(num(j, "bytes", NULL) == 1044);
	CHECK(num(j, "wall", NULL) == 2.0);
	CHECK(num(j, "rps", NULL) == 3.5);
	CHECK(num(j, "latency", "min") == 0.01);
	CHECK(num(j, "latency", "max") == 30.0);
	/* Six samples: p50 is the third, p90 and p99 the sixth. */
	CHECK_NEAR(num(j, "latency", "p50"), 0.030, 0.030 / 128 + 1e-6);
	CHECK(num(j, "latency", "p90") == 30.0);
	CHECK(num(j, "latency", "p99") == 30.0);
	cJSON_Delete(j);
}

TEST(stats_keys_come_in_a_fixed_order)
{
	static const char *const keys[] = { "requests", "ok", "failed",
	    "status", "errors", "retries", "bytes", "wall", "rps",
	    "latency" };
	cJSON *j, *x;
	size_t i = 0;

	progress_stats_init(&st);
	note(KIND_NONE, 200, 1, 5, 0.5);
	j = stats_parse(1.0);
	if (j == NULL)
		return;
	cJSON_ArrayForEach(x, j) {
		CHECK(i < sizeof(keys) / sizeof(keys[0]) &&
		    strcmp(x->string, keys[i]) == 0);
		i++;
	}
	CHECK(i == sizeof(keys) / sizeof(keys[0]));
	cJSON_Delete(j);
}

TEST(stats_of_an_empty_run_has_null_latencies)
{
	cJSON *j, *lat;

	progress_stats_init(&st);
	j = stats_parse(0);
	if (j == NULL)
		return;
	CHECK(num(j, "requests", NULL) == 0);
	CHECK(num(j, "rps", NULL) == 0);
	lat = cJSON_GetObjectItemCaseSensitive(j, "latency");
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(lat, "min")));
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(lat, "p50")));
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(lat, "max")));
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(j, "errors")) == 0);
	cJSON_Delete(j);
}

TEST(stats_counts_odd_statuses_as_other)
{
	cJSON *j;

	progress_stats_init(&st);
	note(KIND_NONE, 799, 1, 0, 0.1);
	j = stats_parse(1);
	if (j == NULL)
		return;
	CHECK(num(j, "status", "other") == 1);
	cJSON_Delete(j);
}

TEST(stats_human_line_sums_up_the_run)
{
	struct buf b;

	progress_stats_init(&st);
	note(KIND_NONE, 200, 1, 1536, 0.120);
	note(KIND_NONE, 200, 2, 0, 0.340);
	note(KIND_TIMEOUT, 0, 3, 0, 1.5);
	buf_init(&b);
	progress_stats_human(&b, &st, 2.5);
	CHECK_STR(b.data, "cofetch: 3 requests in 2.50s (1.20/s): 2 ok, "
	    "1 failed (timeout 1), 3 retries; 1.5 KiB; latency p50 342ms, "
	    "p90 1.50s, p99 1.50s, max 1.50s\n");
	buf_free(&b);
}

/* Count the request lines of text fed in pieces of step bytes. */
static uint64_t
count_lines(const char *text, size_t len, size_t step)
{
	struct progress_lines pl;
	size_t off, n;

	memset(&pl, 0, sizeof(pl));
	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		progress_lines_add(&pl, text + off, n);
	}
	progress_lines_end(&pl);
	return pl.count;
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

TEST(counting_lines_looks_no_further_than_the_reader_into_a_long_line)
{
	size_t len = INPUT_LINE_MAX + 100, step;
	char *text = malloc(len + 20);

	/* 64 KiB of blanks, then text: the reader sees a blank line. */
	memset(text, ' ', len);
	memcpy(text + INPUT_LINE_MAX, "http://x/", 9);
	text[len] = '\n';
	for (step = 1000; step < 70000; step += 17000)
		CHECK(count_lines(text, len + 1, step) == 0);
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

TEST(a_shard_gets_its_share_of_the_total)
{
	uint64_t total, n, k, sum;

	CHECK(progress_shard_share(5, 1, 2) == 3);	/* 0 2 4 */
	CHECK(progress_shard_share(5, 2, 2) == 2);	/* 1 3 */
	CHECK(progress_shard_share(0, 1, 3) == 0);
	CHECK(progress_shard_share(7, 1, 1) == 7);
	for (total = 0; total < 40; total++)
		for (n = 1; n <= 7; n++) {
			sum = 0;
			for (k = 1; k <= n; k++)
				sum += progress_shard_share(total, k, n);
			CHECK(sum == total);
		}
}

int
main(void)
{
	RUN(line_shows_done_total_rates_eta_in_flight_ok_and_failures);
	RUN(line_without_a_known_total_shows_a_running_count_and_no_eta);
	RUN(line_names_the_top_three_error_kinds_and_counts_the_rest);
	RUN(line_with_no_failures_says_fail_0);
	RUN(eta_falls_back_to_the_overall_rate_and_else_says_unknown);
	RUN(total_never_shows_less_than_done);
	RUN(line_fits_the_terminal_dropping_the_least_useful_fields_first);
	RUN(line_respects_a_small_buffer);
	RUN(line_is_plain_ascii_without_escapes);
	RUN(stats_is_one_json_line_with_counts_status_classes_and_errors);
	RUN(stats_keys_come_in_a_fixed_order);
	RUN(stats_of_an_empty_run_has_null_latencies);
	RUN(stats_counts_odd_statuses_as_other);
	RUN(stats_human_line_sums_up_the_run);
	RUN(counting_lines_agrees_with_the_reader);
	RUN(counting_lines_looks_no_further_than_the_reader_into_a_long_line);
	RUN(counting_an_empty_file_gives_zero);
	RUN(url_arguments_count_unless_blank_or_comment);
	RUN(a_shard_gets_its_share_of_the_total);
	return unit_done(__FILE__);
}
