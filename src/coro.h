/* coro.h: stackless coroutines in the protothread style.
 *
 * A coroutine is a function that takes a struct carrying all of its state
 * and a `struct coro` (the saved resume point). It is resumed only by the
 * scheduler (sched.c), which calls the function again; CO_BEGIN jumps back
 * to where the last CO_AWAIT or CO_YIELD left off.
 *
 * Limits, because this is a switch statement in disguise:
 * - locals do not survive a yield: keep everything in the task struct;
 * - no yield inside a `switch` of your own (its `case` labels would mix
 *   with ours); loops and ifs are fine;
 * - two yields on the same source line are not allowed (__LINE__ is the
 *   resume point).
 */
#ifndef COFETCH_CORO_H
#define COFETCH_CORO_H

#include <stdlib.h>

struct coro {
	int	line;		/* 0: not started; -1: finished;
				 * else the line of the last yield */
};

enum co_status {
	CO_WAIT = 0,		/* suspended: something will wake it */
	CO_DONE = 1		/* finished: do not resume again */
};

#define CO_FALLTHROUGH	__attribute__((fallthrough))

#define CO_BEGIN(c)	switch ((c)->line) { case 0:

/* Suspend until cond holds; cond is re-checked each time the coroutine
 * is resumed. The waker must make cond true and then wake the task. */
#define CO_AWAIT(c, cond) do {						\
	(c)->line = __LINE__;						\
	CO_FALLTHROUGH;							\
	case __LINE__:							\
	if (!(cond))							\
		return CO_WAIT;						\
} while (0)

/* Suspend once; resumes at the next wake-up. */
#define CO_YIELD(c) do {						\
	(c)->line = __LINE__;						\
	return CO_WAIT;							\
	case __LINE__:;							\
} while (0)

/* A resume point that is none of ours (corrupt state, or a finished
 * coroutine resumed) aborts: carrying on would skip the whole body and
 * report a task that never ran as finished. */
#define CO_END(c)							\
	(c)->line = -1;							\
	return CO_DONE;							\
	default:							\
	abort();							\
	}

#endif
