/* host.h: per-host state for --per-host and --per-host-rate, keyed by
 * "host:port", reference-counted so the table holds only hosts that have
 * work (memory stays bounded by concurrency, not by distinct hosts). */
#ifndef COFETCH_HOST_H
#define COFETCH_HOST_H

#include "rate.h"
#include "sem.h"

struct host {
	struct host	*next;		/* hash chain */
	unsigned	 hash;
	long		 refs;		/* tasks using it */
	struct sem	 sem;		/* --per-host permits */
	struct rate	 rate;		/* --per-host-rate slots */
	char		 key[];		/* "host:port" */
};

/* Set the limits (0: none) for hosts made from now on. */
void		 host_setup(struct ev_loop *loop, long per_host,
		    double per_host_rate);
/* The host for key with a reference taken; made if new. */
struct host	*host_get(const char *key);
/* Drop a reference; frees the host once unused and its rate slot has
 * passed. */
void		 host_put(struct host *h);
void		 host_free_all(void);

#endif
