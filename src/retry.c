/* retry.c: pure retry decisions (cofetch(1), --retry-on and
 * --retry-base-delay): which failures --retry-on makes retryable, the
 * backoff with full jitter, and Retry-After values. No I/O, no clocks, no
 * locale: HTTP dates go through libcurl's curl_getdate() (English names
 * whatever LC_TIME says, unlike strptime). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "ascii.h"
#include "retry.h"

static void
status_set(struct retry_policy *p, int status)
{
	p->status[status / 8] |= (uint8_t)(1u << (status % 8));
}

static int
status_isset(const struct retry_policy *p, long status)
{
	if (status < 0 || status >= (long)sizeof(p->status) * 8)
		return 0;
	return (p->status[status / 8] >> (status % 8)) & 1;
}

/* OWS (RFC 9110 5.6.3): space or horizontal tab. */
static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* The message for a bad --retry-on item: names it and what is accepted. */
static void
policy_error(char *err, size_t errlen, const char *item, size_t len)
{
	char	kinds[256];
	size_t	off = 0;
	int	k, n;

	if (err == NULL || errlen == 0)
		return;
	kinds[0] = '\0';
	for (k = 1; k < KIND_COUNT; k++) {
		n = snprintf(kinds + off, sizeof(kinds) - off, "%s%s",
		    k > 1 ? ", " : "", kind_name((enum kind)k));
		if (n < 0 || (size_t)n >= sizeof(kinds) - off)
			break;
		off += (size_t)n;
	}
	(void)snprintf(err, errlen, "item '%.*s' is neither an error kind "
	    "nor a status: expected a comma-separated list of error kinds "
	    "(%s) and HTTP statuses from 100 to 599, or none",
	    len > 64 ? 64 : (int)len, item, kinds);
}

int
retry_policy_parse(struct retry_policy *p, const char *list,
    char *err, size_t errlen)
{
	const char	*s = list, *e, *a, *b;
	char		 item[32];
	size_t		 len;
	int		 k, status;

	memset(p, 0, sizeof(*p));
	while (is_ows(*s))
		s++;
	if (*s == '\0')
		return 0;
	for (;;) {
		if ((e = strchr(s, ',')) == NULL)
			e = s + strlen(s);
		a = s;
		b = e;
		while (a < b && is_ows(*a))
			a++;
		while (b > a && is_ows(b[-1]))
			b--;
		len = (size_t)(b - a);
		if (len == 3 && ascii_is_digit((unsigned char)a[0]) &&
		    ascii_is_digit((unsigned char)a[1]) &&
		    ascii_is_digit((unsigned char)a[2])) {
			status = (a[0] - '0') * 100 + (a[1] - '0') * 10 +
			    (a[2] - '0');
			if (status < 100 || status > 599)
				goto fail;
			status_set(p, status);
		} else {
			if (len == 0 || len >= sizeof(item))
				goto fail;
			memcpy(item, a, len);
			item[len] = '\0';
			if (strcmp(item, "none") != 0) {
				if ((k = kind_parse(item)) == -1)
					goto fail;
				p->kinds |= 1u << k;
			}
		}
		if (*e == '\0')
			break;
		s = e + 1;
	}
	return 0;

fail:
	policy_error(err, errlen, a, len);
	memset(p, 0, sizeof(*p));
	return -1;
}

int
retry_method_idempotent(const char *method)
{
	static const char *const idempotent[] = {
		"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"
	};
	size_t	i;

	if (method == NULL)
		return 0;
	for (i = 0; i < sizeof(idempotent) / sizeof(idempotent[0]); i++)
		if (strcmp(method, idempotent[i]) == 0)
			return 1;
	return 0;
}

int
retry_should(const struct retry_policy *p, enum kind kind, long status,
    const char *method, long attempts, long retries)
{
	/* A cancelled request must end, whatever --retry-on says. */
	if (kind == KIND_NONE || kind == KIND_CANCELLED ||
	    (int)kind < 0 || kind >= KIND_COUNT)
		return 0;
	if (attempts > retries)
		return 0;
	/* A non-idempotent request is sent again only when the server
	 * cannot have acted on it, or said it did not (a listed status). */
	if (!retry_method_idempotent(method) && !(p->unsafe &&
	    (kind == KIND_DNS || kind == KIND_CONNECT || kind == KIND_TLS ||
	    kind == KIND_HTTP)))
		return 0;
	if (p->kinds & (1u << kind))
		return 1;	/* "http" makes every HTTP error retryable */
	return kind == KIND_HTTP && status_isset(p, status);
}

int
retry_in_time(double elapsed, double delay, double max_time)
{
	return !(max_time > 0) || elapsed + delay < max_time;
}

double
retry_delay(long attempts, double base, double max_delay,
    double retry_after, double u)
{
	double	d;

	if (!(max_delay > 0))
		max_delay = 0;		/* also NaN */
	if (retry_after >= 0)
		return retry_after < max_delay ? retry_after : max_delay;
	if (!(base > 0))
		return 0;
	if (attempts < 1)
		attempts = 1;
	d = attempts > 1024 ? HUGE_VAL : ldexp(base, (int)(attempts - 1));
	if (d > max_delay)
		d = max_delay;
	if (!(u > 0))
		u = 0;
	else if (u > 1)
		u = 1;
	return u * d;
}

double
retry_after_parse(const char *value, double now)
{
	const char	*s = value, *e, *p;
	double		 v = 0;
	time_t		 t;

	if (value == NULL)
		return -1;
	e = s + strlen(s);
	while (s < e && is_ows(*s))
		s++;
	while (e > s && is_ows(e[-1]))
		e--;
	if (s == e)
		return -1;
	if (ascii_is_digit((unsigned char)*s)) {
		/* delta-seconds: digits only */
		for (p = s; p < e; p++) {
			if (!ascii_is_digit((unsigned char)*p))
				return -1;
			v = v * 10 + (*p - '0');
		}
		return v;
	}
	/* An HTTP-date (RFC 9110 5.6.7): libcurl's parser takes its three
	 * forms and the variations servers send (see retry.h). -1 is also
	 * 23:59:59 on 31 Dec 1969, which no server means. */
	if ((t = curl_getdate(s, NULL)) == -1)
		return -1;
	v = (double)t - now;
	return v > 0 ? v : 0;
}
