/* test_fdlimit.c: how many transfers a descriptor limit allows: every
 * descriptor a transfer can hold is counted, a --save file too, and a low
 * limit still leaves a sensible concurrency (never 1 at 128). */
#include "fdlimit.h"
#include "unit.h"

TEST(limit_128_leaves_dozens)
{
	long c = fdlimit_cap(128, 0, 0);

	CHECK(c >= 32 && c <= 64);
	CHECK(fdlimit_cap(128, 1, 0) >= 24);
}

TEST(every_descriptor_fits)
{
	unsigned long long lim;
	long c;
	int save;

	/* (sockets 3 + file) per transfer plus the fixed few never pass
	 * the limit. */
	for (save = 0; save <= 1; save++)
		for (lim = 32; lim <= 70000; lim = lim * 3 / 2) {
			c = fdlimit_cap(lim, save, 2);
			CHECK(c >= 1);
			if (c > 1)
				CHECK((unsigned long long)c * (3 + save) +
				    16 + 2 <= lim);
		}
}

TEST(saving_needs_more)
{
	CHECK(fdlimit_cap(256, 1, 0) < fdlimit_cap(256, 0, 0));
	CHECK(fdlimit_cap(256, 1, 0) >= 50);
}

TEST(tiny_limits_still_run_one)
{
	CHECK(fdlimit_cap(0, 1, 0) == 1);
	CHECK(fdlimit_cap(16, 0, 0) == 1);
	CHECK(fdlimit_cap(20, 1, 10) == 1);
}

TEST(inputs_are_reserved)
{
	CHECK(fdlimit_cap(1000, 0, 100) < fdlimit_cap(1000, 0, 0));
}

TEST(connection_cache_holds_idle_connections_for_the_read_ahead)
{
	/* No limit: one per transfer plus one per request read ahead. */
	CHECK(fdlimit_cache(0, 50, 200, 0, 0) == 250);
	/* A short queue still leaves an idle one per transfer. */
	CHECK(fdlimit_cache(0, 50, 10, 0, 0) == 100);
	/* 1024 descriptors, -c 200: 16 + 2 x 200 in flight, 608 spare. */
	CHECK(fdlimit_cache(1024, 200, 800, 0, 0) == 200 + 608);
	/* Never below two per transfer (fdlimit_fit() made room for it). */
	CHECK(fdlimit_cache(300, 100, 400, 1, 4) == 200);
}

int
main(void)
{
	RUN(limit_128_leaves_dozens);
	RUN(every_descriptor_fits);
	RUN(saving_needs_more);
	RUN(tiny_limits_still_run_one);
	RUN(inputs_are_reserved);
	RUN(connection_cache_holds_idle_connections_for_the_read_ahead);
	return unit_done("test_fdlimit");
}
