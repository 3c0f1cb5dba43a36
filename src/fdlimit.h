/* fdlimit.h: fit the concurrency into the open-file limit, counting every
 * descriptor a transfer can hold, so that a run never fails for
 * descriptors it promised to have. */
#ifndef COFETCH_FDLIMIT_H
#define COFETCH_FDLIMIT_H

#include <stddef.h>

/* Raise the soft RLIMIT_NOFILE to the hard one; return the concurrency
 * that fits (concurrency itself when it does), warning on stderr when
 * warn and it had to be lowered. save: transfers hold a --save file;
 * ninputs: -i files open for the whole run. */
long	fdlimit_fit(long concurrency, int save, size_t ninputs, int warn);
/* Pure: how many transfers fit in limit descriptors (at least 1). */
long	fdlimit_cap(unsigned long long limit, int save, size_t ninputs);
/* Pure: the size of libcurl's connection cache (CURLMOPT_MAXCONNECTS,
 * connections in use and idle) for concurrency transfers (as fitted by
 * fdlimit_fit()) and a read-ahead of queue requests: one connection per
 * transfer plus an idle one for each host the transfers and the queue
 * may hold work for, so that a list over more hosts than -c keeps its
 * connections; as far as limit descriptors leave room (0: no limit), and
 * never fewer than one idle connection per transfer. */
long	fdlimit_cache(unsigned long long limit, long concurrency, long queue,
	    int save, size_t ninputs);
/* fdlimit_cache() at the current soft limit. */
long	fdlimit_cache_now(long concurrency, long queue, int save,
	    size_t ninputs);

#endif
