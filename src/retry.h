/* retry.h: pure retry decisions: which failures are retryable and how
 * long to wait before the next attempt. No I/O, no clocks. */
#ifndef COFETCH_RETRY_H
#define COFETCH_RETRY_H

#include <stdint.h>

#include "kind.h"

/* What --retry-on names: a set of error kinds and a set of statuses. */
struct retry_policy {
	uint32_t	kinds;		/* bit (1u << kind) */
	uint8_t		status[75];	/* bitmap of statuses 0..599 */
	int		unsafe;		/* --retry-unsafe: POST and the
					 * like too, where it is safe */
};

/* Parse a --retry-on list.
 * Items are error kind names or 3-digit statuses 100..599, separated by
 * commas; "" and "none" give an empty set. Returns 0, or -1 with a
 * message naming the bad item in err. */
int	retry_policy_parse(struct retry_policy *p, const char *list,
	    char *err, size_t errlen);

/* True when method (upper-case, e.g. "GET") may be retried: GET, HEAD,
 * PUT, DELETE, OPTIONS, TRACE. */
int	retry_method_idempotent(const char *method);

/* True when a failed attempt may be retried: kind (KIND_HTTP with its
 * status, or another kind with status 0) is in the policy, attempts (made
 * so far) <= retries, and the method is idempotent, or p->unsafe is set
 * and the request was not sent (dns, connect, tls) or was answered with a
 * status (http). */
int	retry_should(const struct retry_policy *p, enum kind kind, long status,
	    const char *method, long attempts, long retries);

/* Seconds to sleep before attempt number attempts+1 (attempts >= 1 made
 * so far): full jitter, u * min(max_delay, base * 2^(attempts-1)), with u
 * uniform in [0, 1). If retry_after >= 0 (seconds, from the server) it
 * replaces that, capped by max_delay. */
double	retry_delay(long attempts, double base, double max_delay,
	    double retry_after, double u);

/* True when a retry that sleeps delay seconds still starts within
 * max_time seconds (--retry-max-time; 0: no limit) of the first attempt,
 * elapsed seconds ago. */
int	retry_in_time(double elapsed, double delay, double max_time);

/* Parse a Retry-After value: delta-seconds (digits only) or an HTTP-date,
 * read by libcurl's curl_getdate(): the IMF-fixdate, RFC 850 and asctime
 * forms and what servers send besides (any case, no zone or another zone,
 * two-digit years as 1971-2070, text after the date ignored). now is the
 * wall clock in seconds since the epoch. Returns seconds to wait (>= 0; a
 * date in the past gives 0), or -1 if the value is neither. */
double	retry_after_parse(const char *value, double now);

#endif
