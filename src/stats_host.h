/* stats_host.h: the per-host part of --stats: requests, failures,
 * in-flight limit and host-wide pauses of the hosts with the most
 * requests, in bounded memory (the Space-Saving algorithm: a fixed table
 * of counters; a new host takes the place of the least counted one). */
#ifndef COFETCH_STATS_HOST_H
#define COFETCH_STATS_HOST_H

#include "util.h"

/* Hosts counted at once: exact while a run has at most this many; a
 * host with more than 1/STATS_HOSTS_KEEP of the records is always
 * counted (its requests shown are then a lower bound). */
#define STATS_HOSTS_KEEP	256
/* Hosts shown, most requests first. */
#define STATS_HOSTS_SHOW	10

/* One record for host key ("host:port"): failed or not; the host's
 * in-flight limit now (0: none) and its pauses so far (a count that
 * starts again at 0 when the host table forgot the host). */
void	stats_host_note(const char *key, int failed, long limit,
	    long pauses);
/* Append ,"hosts":[{"host":..,"requests":..,"failed":..,
 * "concurrency":..,"pauses":..},...] */
void	stats_host_json(struct buf *out);
void	stats_host_reset(void);

#endif
