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

#endif
