/* test_coro.c: the stackless coroutines of coro.h: a coroutine resumes
 * where it left off, finishes once, and aborts on a resume point that is
 * none of its own instead of reporting a task that never ran as done. */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coro.h"
#include "unit.h"

struct counter {
	struct coro	co;
	int		ready;		/* the awaited condition */
	int		steps;		/* one per stretch of body run */
};

static enum co_status
counter_run(struct counter *c)
{
	CO_BEGIN(&c->co);
	c->steps++;
	CO_YIELD(&c->co);
	c->steps++;
	CO_AWAIT(&c->co, c->ready);
	c->steps++;
	CO_END(&c->co);
}

TEST(resumes_where_it_left_off_and_finishes_once)
{
	struct counter	c = { { 0 }, 0, 0 };

	CHECK(counter_run(&c) == CO_WAIT);	/* at the yield */
	CHECK(c.steps == 1);
	CHECK(counter_run(&c) == CO_WAIT);	/* at the await */
	CHECK(c.steps == 2);
	CHECK(counter_run(&c) == CO_WAIT);	/* still not ready */
	CHECK(c.steps == 2);
	c.ready = 1;
	CHECK(counter_run(&c) == CO_DONE);
	CHECK(c.steps == 3);
	CHECK(c.co.line == -1);
}

TEST(an_await_whose_condition_holds_does_not_suspend)
{
	struct counter	c = { { 0 }, 1, 0 };

	CHECK(counter_run(&c) == CO_WAIT);	/* the yield always does */
	CHECK(counter_run(&c) == CO_DONE);
	CHECK(c.steps == 3);
}

/* Run counter_run on a coroutine whose resume point is line in a child:
 * 1 if it died of SIGABRT. */
static int
aborts_at(int line)
{
	struct counter	c = { { line }, 1, 0 };
	pid_t		pid;
	int		status;

	fflush(NULL);
	if ((pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		/* No core file for an expected abort. */
		struct rlimit no_core = { 0, 0 };

		(void)setrlimit(RLIMIT_CORE, &no_core);
		(void)signal(SIGABRT, SIG_DFL);
		(void)counter_run(&c);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

TEST(a_corrupt_resume_point_aborts)
{
	CHECK(aborts_at(1));
	CHECK(aborts_at(123456));
	CHECK(aborts_at(-7));
}

TEST(resuming_a_finished_coroutine_aborts)
{
	CHECK(aborts_at(-1));
}

int
main(void)
{
	RUN(resumes_where_it_left_off_and_finishes_once);
	RUN(an_await_whose_condition_holds_does_not_suspend);
	RUN(a_corrupt_resume_point_aborts);
	RUN(resuming_a_finished_coroutine_aborts);
	return unit_done(__FILE__);
}
