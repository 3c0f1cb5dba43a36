/* test_opts.c: every option value parser (optval.c): what each type
 * accepts, what it refuses, and that one syntax holds for every type. */
#include <math.h>
#include <stdint.h>

#include "optval.h"
#include "opts.h"
#include "unit.h"

static char err[256];

TEST(count_takes_digits_in_range)
{
	long v = -1;

	CHECK(optval_count("1", 1, 100000, &v, err, sizeof(err)) == 0);
	CHECK(v == 1);
	CHECK(optval_count("100000", 1, 100000, &v, err, sizeof(err)) == 0);
	CHECK(v == 100000);
	CHECK(optval_count("007", 0, 100, &v, err, sizeof(err)) == 0);
	CHECK(v == 7);
}

TEST(count_refuses_other_syntax)
{
	static const char *const bad[] = {
		"", "0", "100001", "1e3", "+2", "-1", " 5", "5 ", "0x10",
		"1.0", "5k", "99999999999999999999999"
	};
	long v = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(optval_count(bad[i], 1, 100000, &v, err,
		    sizeof(err)) < 0);
		CHECK(v == 42);
	}
	CHECK_STR(err, "expected an integer from 1 to 100000");
}

TEST(seconds_take_decimals)
{
	double v = -1;

	CHECK(optval_seconds("0", &v, err, sizeof(err)) == 0 && v == 0);
	CHECK(optval_seconds("2.5", &v, err, sizeof(err)) == 0 && v == 2.5);
	CHECK(optval_seconds(".25", &v, err, sizeof(err)) == 0 && v == 0.25);
	CHECK(optval_seconds("1000000", &v, err, sizeof(err)) == 0);
	CHECK(v == 1e6);
}

TEST(seconds_refuse_exponents_signs_and_words)
{
	static const char *const bad[] = {
		"", "1e3", "-1", "+1", " 1", "1 ", "1.", ".", "inf", "nan",
		"0x1p3", "1000000.5", "2s", "1,5"
	};
	double v = 7;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(optval_seconds(bad[i], &v, err, sizeof(err)) < 0);
	CHECK(v == 7);
}

TEST(rate_units)
{
	double v = 0;

	CHECK(optval_rate("20", &v, err, sizeof(err)) == 0 && v == 20);
	CHECK(optval_rate("20/s", &v, err, sizeof(err)) == 0 && v == 20);
	CHECK(optval_rate("20/sec", &v, err, sizeof(err)) == 0 && v == 20);
	CHECK(optval_rate("300/m", &v, err, sizeof(err)) == 0 && v == 5);
	CHECK(optval_rate("300/min", &v, err, sizeof(err)) == 0 && v == 5);
	CHECK(optval_rate("1800/h", &v, err, sizeof(err)) == 0 && v == 0.5);
	CHECK(optval_rate("1800/hour", &v, err, sizeof(err)) == 0);
	CHECK(optval_rate("0.5", &v, err, sizeof(err)) == 0 && v == 0.5);
}

TEST(rate_refuses)
{
	static const char *const bad[] = {
		"", "0", "0/s", "-1", "1e3", "20/", "20/d", "20/S", "/s",
		"fast", "2000000", "20 /s", "20/s/s"
	};
	double v = 3;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(optval_rate(bad[i], &v, err, sizeof(err)) < 0);
	CHECK(v == 3);
}

TEST(size_suffixes)
{
	int64_t v = 0;

	CHECK(optval_size("1", &v, err, sizeof(err)) == 0 && v == 1);
	CHECK(optval_size("512K", &v, err, sizeof(err)) == 0);
	CHECK(v == 512 * 1024);
	CHECK(optval_size("64m", &v, err, sizeof(err)) == 0);
	CHECK(v == 64LL << 20);
	CHECK(optval_size("2G", &v, err, sizeof(err)) == 0 && v == 2LL << 30);
	CHECK(optval_size("0", &v, err, sizeof(err)) < 0);
	CHECK(optval_size("1.5M", &v, err, sizeof(err)) < 0);
	CHECK(optval_size("10X", &v, err, sizeof(err)) < 0);
	CHECK(optval_size("K", &v, err, sizeof(err)) < 0);
	CHECK(optval_size("1e3", &v, err, sizeof(err)) < 0);
	CHECK(optval_size("9999999999999G", &v, err, sizeof(err)) < 0);
	CHECK(optval_size("10KB", &v, err, sizeof(err)) < 0);
}

TEST(shard)
{
	uint64_t k = 0, n = 0;

	CHECK(optval_shard("2/8", &k, &n, err, sizeof(err)) == 0);
	CHECK(k == 2 && n == 8);
	CHECK(optval_shard("1/1", &k, &n, err, sizeof(err)) == 0);
	CHECK(optval_shard("0/3", &k, &n, err, sizeof(err)) < 0);
	CHECK(optval_shard("4/3", &k, &n, err, sizeof(err)) < 0);
	CHECK(optval_shard("half", &k, &n, err, sizeof(err)) < 0);
	CHECK(optval_shard("1/", &k, &n, err, sizeof(err)) < 0);
	CHECK(optval_shard("+1/2", &k, &n, err, sizeof(err)) < 0);
}

TEST(method_header_line)
{
	CHECK(optval_method("GET", err, sizeof(err)) == 0);
	CHECK(optval_method("M-SEARCH", err, sizeof(err)) == 0);
	CHECK(optval_method("BAD METHOD", err, sizeof(err)) < 0);
	CHECK(optval_method("", err, sizeof(err)) < 0);
	CHECK(optval_method("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", err,
	    sizeof(err)) < 0);
	CHECK(optval_header("A: b", err, sizeof(err)) == 0);
	CHECK(optval_header("A:", err, sizeof(err)) == 0);
	CHECK(optval_header("A;", err, sizeof(err)) == 0);
	CHECK(optval_header("A; b", err, sizeof(err)) < 0);
	CHECK(optval_header("NoColon", err, sizeof(err)) < 0);
	CHECK(optval_header("Bad Name: x", err, sizeof(err)) < 0);
	CHECK(optval_header(": x", err, sizeof(err)) < 0);
	CHECK(optval_header("A: b\r\nC: d", err, sizeof(err)) < 0);
	CHECK(optval_line("ok text", err, sizeof(err)) == 0);
	CHECK(optval_line("x\ny", err, sizeof(err)) < 0);
}

TEST(body_modes)
{
	int m = -1;

	CHECK(optval_body("json", &m, err, sizeof(err)) == 0);
	CHECK(m == BODY_JSON);
	CHECK(optval_body("none", &m, err, sizeof(err)) == 0);
	CHECK(m == BODY_NONE);
	CHECK(optval_body("xml", &m, err, sizeof(err)) < 0);
	CHECK(optval_is_body_mode("base64"));
	CHECK(!optval_is_body_mode("http://json"));
}

TEST(proxy)
{
	CHECK(optval_proxy("http://127.0.0.1:3128", err, sizeof(err)) == 0);
	CHECK(optval_proxy("127.0.0.1:3128", err, sizeof(err)) == 0);
	CHECK(optval_proxy("socks5h://u:p@h:1080", err, sizeof(err)) == 0);
	CHECK(optval_proxy("bogus proxy", err, sizeof(err)) < 0);
	CHECK(optval_proxy("htp://a", err, sizeof(err)) < 0);
	CHECK(optval_proxy("", err, sizeof(err)) < 0);
	CHECK(optval_proxy("http://", err, sizeof(err)) < 0);
}

TEST(resolve_and_connect_to)
{
	CHECK(optval_resolve("example.com:443:127.0.0.1", err,
	    sizeof(err)) == 0);
	CHECK(optval_resolve("[::1]:80:::1", err, sizeof(err)) == 0);
	CHECK(optval_resolve("a:80:1.2.3.4,5.6.7.8", err, sizeof(err)) == 0);
	CHECK(optval_resolve("-a:80", err, sizeof(err)) == 0);
	CHECK(optval_resolve("a:80", err, sizeof(err)) < 0);
	CHECK(optval_resolve("a:0:1.2.3.4", err, sizeof(err)) < 0);
	CHECK(optval_resolve("a:x:1.2.3.4", err, sizeof(err)) < 0);
	CHECK(optval_resolve(":80:1.2.3.4", err, sizeof(err)) < 0);
	CHECK(optval_resolve("a:80:", err, sizeof(err)) < 0);
	CHECK(optval_connect_to("a:443:b:8443", err, sizeof(err)) == 0);
	CHECK(optval_connect_to("::127.0.0.1:", err, sizeof(err)) == 0);
	CHECK(optval_connect_to("[::1]:80:[::1]:81", err, sizeof(err)) == 0);
	CHECK(optval_connect_to("a:443:b", err, sizeof(err)) < 0);
	CHECK(optval_connect_to("a:99999:b:1", err, sizeof(err)) < 0);
	CHECK(optval_connect_to("a:1:b:1:c", err, sizeof(err)) < 0);
}

/* One --state store, one --metrics file, one --cookie-jar: a single
 * writer each, so refused with more than one process (the usage message
 * goes to stderr). */
TEST(single_writer_files_are_refused_with_more_than_one_process)
{
	struct opts o;

	memset(&o, 0, sizeof(o));
	o.processes = 2;
	CHECK(opts_check_processes(&o) == 0);
	o.state_file = "s.db";
	CHECK(opts_check_processes(&o) == -1);
	o.processes = 1;
	CHECK(opts_check_processes(&o) == 0);
	o.state_file = NULL;
	o.processes = 4;
	o.metrics_file = "m.prom";
	CHECK(opts_check_processes(&o) == -1);
	o.metrics_file = NULL;
	o.cookie_jar = "jar";
	CHECK(opts_check_processes(&o) == -1);
	o.cookie_jar = NULL;
	o.cookie_file = "jar";		/* read only: shared safely */
	CHECK(opts_check_processes(&o) == 0);
}

TEST(distance)
{
	CHECK(optval_distance("concurency", "concurrency", 2) == 1);
	CHECK(optval_distance("user-agnt", "user-agent", 2) == 1);
	CHECK(optval_distance("abc", "abc", 2) == 0);
	CHECK(optval_distance("xyz", "concurrency", 2) == 3);
}

int
main(void)
{
	RUN(count_takes_digits_in_range);
	RUN(count_refuses_other_syntax);
	RUN(seconds_take_decimals);
	RUN(seconds_refuse_exponents_signs_and_words);
	RUN(rate_units);
	RUN(rate_refuses);
	RUN(size_suffixes);
	RUN(shard);
	RUN(method_header_line);
	RUN(body_modes);
	RUN(proxy);
	RUN(resolve_and_connect_to);
	RUN(distance);
	RUN(single_writer_files_are_refused_with_more_than_one_process);
	return unit_done("test_opts");
}
