/* fdlimit.c: the concurrency a descriptor limit allows.
 *
 * A transfer can hold at once: its connection and, while it is being
 * made, a second happy-eyeballs socket or the threaded resolver's socket
 * pair (two in all); an idle cached connection its slot may leave behind
 * (libcurl keeps up to --concurrency of them); and its --save file. The
 * rest of the process keeps a fixed few (stdio, epoll, signalfd, the
 * output, the --save directory, libcurl's wake-up pair) and the -i
 * files. */
#include <sys/resource.h>

#include <stdio.h>

#include "fdlimit.h"
#include "msg.h"

#define FD_RESERVE	16	/* the fixed few, with room to spare */
#define FD_NET		3	/* two while connecting, one idle */

long
fdlimit_cap(unsigned long long limit, int save, size_t ninputs)
{
	unsigned long long per = FD_NET + (save ? 1 : 0);
	unsigned long long reserve = FD_RESERVE + ninputs;

	if (limit <= reserve + per)
		return 1;
	return (long)((limit - reserve) / per);
}

long
fdlimit_fit(long concurrency, int save, size_t ninputs, int warn)
{
	struct rlimit rl;
	rlim_t want;
	long fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return concurrency;
	if (rl.rlim_cur < rl.rlim_max) {
		want = rl.rlim_max;
		if (want == RLIM_INFINITY || want > 1048576)
			want = 1048576;
		if (want > rl.rlim_cur) {
			rl.rlim_cur = want;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
			(void)getrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return concurrency;
	fit = fdlimit_cap((unsigned long long)rl.rlim_cur, save, ninputs);
	if (fit >= concurrency)
		return concurrency;
	if (warn)
		warnf("--concurrency %ld needs more open files than the "
		    "limit of %llu (%d for each transfer); using %ld (raise "
		    "it with ulimit -n)", concurrency,
		    (unsigned long long)rl.rlim_cur, FD_NET + (save ? 1 : 0),
		    fit);
	return fit;
}

long
fdlimit_cache(unsigned long long limit, long concurrency, long queue,
    int save, size_t ninputs)
{
	unsigned long long busy, spare;
	long idle = queue > concurrency ? queue : concurrency;

	if (limit > 0) {
		/* In flight: two while connecting, and the --save file. */
		busy = FD_RESERVE + ninputs +
		    (unsigned long long)concurrency * (FD_NET - 1 +
		    (save ? 1 : 0));
		spare = limit > busy ? limit - busy : 0;
		if ((unsigned long long)idle > spare)
			idle = (long)spare;
	}
	if (idle < concurrency)
		idle = concurrency;
	return concurrency + idle;
}

long
fdlimit_cache_now(long concurrency, long queue, int save, size_t ninputs)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return fdlimit_cache(0, concurrency, queue, save, ninputs);
	return fdlimit_cache((unsigned long long)rl.rlim_cur, concurrency,
	    queue, save, ninputs);
}
