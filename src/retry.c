/* retry.c: pure retry decisions (SPEC "Behaviour that scripts rely on"):
 * which failures --retry-on makes retryable, the backoff with full jitter,
 * and Retry-After values. No I/O, no clocks, no locale: HTTP dates are
 * parsed by hand (strptime's %a and %b follow LC_TIME). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
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
	while (is_space(*s))
		s++;
	if (*s == '\0')
		return 0;
	for (;;) {
		if ((e = strchr(s, ',')) == NULL)
			e = s + strlen(s);
		a = s;
		b = e;
		while (a < b && is_space(*a))
			a++;
		while (b > a && is_space(b[-1]))
			b--;
		len = (size_t)(b - a);
		if (len == 3 && is_digit(a[0]) && is_digit(a[1]) &&
		    is_digit(a[2])) {
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

/* A cursor over the trimmed Retry-After value. */
struct scan {
	const char	*p;
	const char	*end;
};

static int
scan_char(struct scan *sc, char c)
{
	if (sc->p == sc->end || *sc->p != c)
		return -1;
	sc->p++;
	return 0;
}

/* Exactly min..max digits. */
static int
scan_num(struct scan *sc, int min, int max, int *v)
{
	int	n = 0;

	*v = 0;
	while (n < max && sc->p < sc->end && is_digit(*sc->p)) {
		*v = *v * 10 + (*sc->p++ - '0');
		n++;
	}
	if (n < min || (sc->p < sc->end && is_digit(*sc->p)))
		return -1;
	return 0;
}

/* The next run of letters, ASCII case-insensitively, as an index into
 * names, or -1. */
static int
scan_name(struct scan *sc, const char *const *names, int count)
{
	const char	*a = sc->p;
	size_t		 len, i;
	int		 k;

	while (sc->p < sc->end && ((*sc->p | 0x20) >= 'a' &&
	    (*sc->p | 0x20) <= 'z'))
		sc->p++;
	len = (size_t)(sc->p - a);
	for (k = 0; k < count; k++) {
		if (strlen(names[k]) != len)
			continue;
		for (i = 0; i < len; i++)
			if ((a[i] | 0x20) != (names[k][i] | 0x20))
				break;
		if (i == len)
			return k;
	}
	return -1;
}

static const char *const day_short[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};
static const char *const day_long[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday"
};
static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};
static const char *const zone_names[] = { "GMT", "UTC" };

/* "HH:MM:SS" */
static int
scan_time(struct scan *sc, struct tm *tm)
{
	if (scan_num(sc, 2, 2, &tm->tm_hour) == -1 ||
	    scan_char(sc, ':') == -1 ||
	    scan_num(sc, 2, 2, &tm->tm_min) == -1 ||
	    scan_char(sc, ':') == -1 ||
	    scan_num(sc, 2, 2, &tm->tm_sec) == -1)
		return -1;
	if (tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60)
		return -1;
	return 0;
}

/* An HTTP-date (RFC 9110 5.6.7) in any of its three forms, as seconds
 * since the epoch in *t:
 *	IMF-fixdate	Sun, 06 Nov 1994 08:49:37 GMT
 *	RFC 850		Sunday, 06-Nov-94 08:49:37 GMT
 *	asctime		Sun Nov  6 08:49:37 1994
 * Day and month names are matched without regard to case, a one-digit
 * day and "UTC" are accepted; the weekday is not checked against the
 * date. */
static int
http_date(const char *s, const char *end, double now, time_t *t)
{
	static const int mdays[] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	struct scan	sc = { s, end };
	struct tm	tm, nowtm;
	time_t		nowt;
	int		year, leap, cy;

	memset(&tm, 0, sizeof(tm));
	if (scan_name(&sc, day_short, 7) != -1) {
		if (scan_char(&sc, ',') == 0) {
			/* IMF-fixdate */
			if (scan_char(&sc, ' ') == -1 ||
			    scan_num(&sc, 1, 2, &tm.tm_mday) == -1 ||
			    scan_char(&sc, ' ') == -1 ||
			    (tm.tm_mon = scan_name(&sc, month_names,
			    12)) == -1 ||
			    scan_char(&sc, ' ') == -1 ||
			    scan_num(&sc, 4, 4, &year) == -1 ||
			    scan_char(&sc, ' ') == -1 ||
			    scan_time(&sc, &tm) == -1 ||
			    scan_char(&sc, ' ') == -1 ||
			    scan_name(&sc, zone_names, 2) == -1)
				return -1;
		} else {
			/* asctime: the day is padded with a space */
			if (scan_char(&sc, ' ') == -1 ||
			    (tm.tm_mon = scan_name(&sc, month_names,
			    12)) == -1 ||
			    scan_char(&sc, ' ') == -1)
				return -1;
			(void)scan_char(&sc, ' ');
			if (scan_num(&sc, 1, 2, &tm.tm_mday) == -1 ||
			    scan_char(&sc, ' ') == -1 ||
			    scan_time(&sc, &tm) == -1 ||
			    scan_char(&sc, ' ') == -1 ||
			    scan_num(&sc, 4, 4, &year) == -1)
				return -1;
		}
	} else {
		/* RFC 850, with a two-digit year */
		sc.p = s;
		if (scan_name(&sc, day_long, 7) == -1 ||
		    scan_char(&sc, ',') == -1 ||
		    scan_char(&sc, ' ') == -1 ||
		    scan_num(&sc, 1, 2, &tm.tm_mday) == -1 ||
		    scan_char(&sc, '-') == -1 ||
		    (tm.tm_mon = scan_name(&sc, month_names, 12)) == -1 ||
		    scan_char(&sc, '-') == -1 ||
		    scan_num(&sc, 2, 2, &year) == -1 ||
		    scan_char(&sc, ' ') == -1 ||
		    scan_time(&sc, &tm) == -1 ||
		    scan_char(&sc, ' ') == -1 ||
		    scan_name(&sc, zone_names, 2) == -1)
			return -1;
		/* RFC 9110: a year more than 50 years in the future is the
		 * most recent past year with those last two digits. */
		nowt = (time_t)now;
		if (gmtime_r(&nowt, &nowtm) == NULL)
			return -1;
		cy = nowtm.tm_year + 1900;
		year += cy - cy % 100;
		if (year > cy + 50)
			year -= 100;
	}
	if (sc.p != end)
		return -1;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (tm.tm_mday < 1 || tm.tm_mday > mdays[tm.tm_mon] ||
	    (tm.tm_mon == 1 && tm.tm_mday == 29 && !leap))
		return -1;
	tm.tm_year = year - 1900;
	*t = timegm(&tm);
	return 0;
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
	while (s < e && is_space(*s))
		s++;
	while (e > s && is_space(e[-1]))
		e--;
	if (s == e)
		return -1;
	if (is_digit(*s)) {
		/* delta-seconds: digits only */
		for (p = s; p < e; p++) {
			if (!is_digit(*p))
				return -1;
			v = v * 10 + (*p - '0');
		}
		return v;
	}
	if (http_date(s, e, now, &t) == -1)
		return -1;
	v = (double)t - now;
	return v > 0 ? v : 0;
}
