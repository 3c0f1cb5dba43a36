/* test_stats.c: the --stats summary: one JSON line with the counts, and
 * the human line that names every error kind that occurred. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "record.h"
#include "stats.h"
#include "stats_host.h"
#include "util.h"
#include "unit.h"

static struct stats st;

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
	stats_note(&st, &res);
	result_free(&res);
}

static cJSON *
stats_parse(double wall)
{
	struct buf b;
	cJSON *j;

	buf_init(&b);
	stats_json(&b, &st, wall);
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

	stats_init(&st);
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
	    "hosts", "latency" };
	cJSON *j, *x;
	size_t i = 0;

	stats_init(&st);
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

	stats_init(&st);
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

	stats_init(&st);
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

	stats_init(&st);
	note(KIND_NONE, 200, 1, 1536, 0.120);
	note(KIND_NONE, 200, 2, 0, 0.340);
	note(KIND_TIMEOUT, 0, 3, 0, 1.5);
	buf_init(&b);
	stats_human(&b, &st, 2.5);
	CHECK_STR(b.data, "cofetch: 3 requests in 2.50s (1.20/s): 2 ok, "
	    "1 failed (timeout 1), 3 retries; 1.5 KiB; latency p50 342ms, "
	    "p90 1.50s, p99 1.50s, max 1.50s\n");
	buf_free(&b);
}

TEST(stats_human_line_names_every_error_kind)
{
	struct buf b;

	stats_init(&st);
	note(KIND_TIMEOUT, 0, 1, 0, 1);
	note(KIND_TIMEOUT, 0, 1, 0, 1);
	note(KIND_DNS, 0, 1, 0, 1);
	note(KIND_CONNECT, 0, 1, 0, 1);
	note(KIND_HTTP, 500, 1, 0, 1);
	note(KIND_TLS, 0, 1, 0, 1);
	buf_init(&b);
	stats_human(&b, &st, 1);
	CHECK(strstr(b.data, "6 failed (timeout 2, dns 1, connect 1, tls 1, "
	    "http 1)") != NULL);
	CHECK(strstr(b.data, "other") == NULL);
	if (strstr(b.data, "other") != NULL)
		fprintf(stderr, "  %s", b.data);
	buf_free(&b);
}

/* -P: the parent's sum of its children's stats says what one process
 * noting every record would have said, percentiles included. */
TEST(stats_add_sums_to_what_one_run_would_count)
{
	struct stats one, sum, empty;
	struct buf a, b;
	double start;
	int i;

	stats_init(&one);
	for (i = 0; i < 2; i++) {
		stats_init(&st);
		note(KIND_NONE, 200, 1 + i, 100 * (i + 1), 0.010 * (i + 1));
		note(KIND_HTTP, 404 + 100 * i, 1, 10, 0.5 + i);
		note(KIND_TIMEOUT, 0, 3, 0, 30.0 * (i + 1));
		note(KIND_INVALID_URL, 0, 0, 0, 0);
		if (i == 0)
			sum = st;
		else
			stats_add(&sum, &st);
	}
	stats_init(&empty);
	start = sum.start;
	stats_add(&sum, &empty);	/* a child with no record */
	CHECK(sum.start == start);
	st = one;
	note(KIND_NONE, 200, 1, 100, 0.010);
	note(KIND_HTTP, 404, 1, 10, 0.5);
	note(KIND_TIMEOUT, 0, 3, 0, 30.0);
	note(KIND_INVALID_URL, 0, 0, 0, 0);
	note(KIND_NONE, 200, 2, 200, 0.020);
	note(KIND_HTTP, 504, 1, 10, 1.5);
	note(KIND_TIMEOUT, 0, 3, 0, 60.0);
	note(KIND_INVALID_URL, 0, 0, 0, 0);
	buf_init(&a);
	buf_init(&b);
	stats_json(&a, &st, 3.0);
	stats_json(&b, &sum, 3.0);
	CHECK_STR(a.data, b.data);
	CHECK(sum.latency.min == 0.010 && sum.latency.max == 60.0);
	CHECK(sum.requests == 8 && sum.retries == 5 && sum.bytes == 320);
	buf_free(&a);
	buf_free(&b);
}

/* The hosts part: most requests first, at most STATS_HOSTS_SHOW, in a
 * fixed table however many hosts come by. */
TEST(stats_hosts_top_in_bounded_memory)
{
	struct buf b = { 0 };
	cJSON *j, *h, *e;
	char key[64];
	int i;

	stats_host_reset();
	for (i = 0; i < 48; i++)
		stats_host_note("big:80", i == 0, 4, i < 4 ? i / 2 : 1);
	stats_host_note("big:80", 0, 2, 0);	/* made again: +0 */
	stats_host_note("big:80", 0, 3, 1);	/* one more pause */
	for (i = 0; i < 3; i++)
		stats_host_note("mid:443", 1, 0, 0);
	/* Far more hosts than the table keeps, one request each. */
	for (i = 0; i < 5000; i++) {
		(void)snprintf(key, sizeof(key), "h%d:80", i);
		stats_host_note(key, 0, 0, 0);
	}
	buf_adds(&b, "{\"x\":0");
	stats_host_json(&b);
	buf_addc(&b, '}');
	buf_addc(&b, '\0');
	j = cJSON_Parse(b.data);
	CHECK(j != NULL);
	if (j == NULL)
		return;
	h = cJSON_GetObjectItem(j, "hosts");
	CHECK(cJSON_GetArraySize(h) == STATS_HOSTS_SHOW);
	e = cJSON_GetArrayItem(h, 0);
	CHECK_STR(cJSON_GetObjectItem(e, "host")->valuestring, "big:80");
	CHECK(cJSON_GetObjectItem(e, "requests")->valuedouble == 50);
	CHECK(cJSON_GetObjectItem(e, "failed")->valuedouble == 1);
	CHECK(cJSON_GetObjectItem(e, "concurrency")->valuedouble == 3);
	CHECK(cJSON_GetObjectItem(e, "pauses")->valuedouble == 2);
	e = cJSON_GetArrayItem(h, 1);
	/* The rest: displaced and taken in again, shown by what is
	 * surely theirs. */
	CHECK(cJSON_GetObjectItem(e, "requests")->valuedouble >= 1);
	CHECK(cJSON_GetObjectItem(e, "requests")->valuedouble <= 3);
	cJSON_Delete(j);
	buf_free(&b);
	stats_host_reset();
}

int
main(void)
{
	RUN(stats_is_one_json_line_with_counts_status_classes_and_errors);
	RUN(stats_keys_come_in_a_fixed_order);
	RUN(stats_hosts_top_in_bounded_memory);
	RUN(stats_of_an_empty_run_has_null_latencies);
	RUN(stats_counts_odd_statuses_as_other);
	RUN(stats_human_line_sums_up_the_run);
	RUN(stats_human_line_names_every_error_kind);
	RUN(stats_add_sums_to_what_one_run_would_count);
	return unit_done(__FILE__);
}
