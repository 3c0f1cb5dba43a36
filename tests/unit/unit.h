/* unit.h: a minimal harness for the C unit tests. Each test file defines
 * tests with TEST(name), runs them from main() with RUN(name) and ends with
 * return unit_done("file"); which prints "N passed, N failed". */
#ifndef COFETCH_UNIT_H
#define COFETCH_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed, unit_cur_failed;

#define TEST(name)	static void name(void)
#define RUN(name)	do {						\
	unit_cur_failed = 0;						\
	name();								\
	if (unit_cur_failed) unit_failed++; else unit_passed++;	\
} while (0)
#define CHECK(cond)	do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",	\
		    __FILE__, __LINE__, __func__, #cond);		\
		unit_cur_failed = 1;					\
	}								\
} while (0)
#define CHECK_STR(a, b)	do {						\
	const char *a_ = (a), *b_ = (b);				\
	if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {		\
		fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n",	\
		    __FILE__, __LINE__, __func__,			\
		    a_ ? a_ : "(null)", b_ ? b_ : "(null)");		\
		unit_cur_failed = 1;					\
	}								\
} while (0)
#define CHECK_NEAR(a, b, eps) CHECK(((a) - (b)) < (eps) && ((b) - (a)) < (eps))

static int
unit_done(const char *file)
{
	printf("%s: %d passed, %d failed\n", file, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
