/* optval.c: option values, parsed and checked; one syntax per type. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "optval.h"
#include "util.h"

/* Decimal digits s..end, no sign, no overflow. */
static int
digits_u64(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s) ||
		    v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int
optval_count(const char *s, long min, long max, long *out, char *err,
    size_t errlen)
{
	uint64_t v;

	if (digits_u64(s, s + strlen(s), &v) < 0 || v < (uint64_t)min ||
	    v > (uint64_t)max) {
		(void)snprintf(err, errlen, "expected an integer from %ld to "
		    "%ld", min, max);
		return -1;
	}
	*out = (long)v;
	return 0;
}

int
optval_seconds(const char *s, double *sec, char *err, size_t errlen)
{
	double v;

	if (decimal_parse(s, s + strlen(s), &v) < 0 || v > 1e6) {
		(void)snprintf(err, errlen, "expected seconds, a number from "
		    "0 to 1000000 (fractions allowed, e.g. 2.5)");
		return -1;
	}
	*sec = v;
	return 0;
}

int
optval_rate(const char *s, double *per_second, char *err, size_t errlen)
{
	static const struct {
		const char	*word;
		double		 sec;
	} units[] = {
		{ "s", 1 }, { "sec", 1 }, { "m", 60 }, { "min", 60 },
		{ "h", 3600 }, { "hour", 3600 }
	};
	const char *slash = strchr(s, '/');
	double v, unit = 1;
	size_t i;

	if (decimal_parse(s, slash ? slash : s + strlen(s), &v) < 0 || v <= 0)
		goto fail;
	if (slash != NULL) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(slash + 1, units[i].word) == 0)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			goto fail;
		unit = units[i].sec;
	}
	if (v / unit > 1e6)
		goto fail;
	*per_second = v / unit;
	return 0;
fail:
	(void)snprintf(err, errlen, "expected a positive rate such as 20, "
	    "20/s, 300/m or 1000/h (at most 1000000/s)");
	return -1;
}

int
optval_size(const char *s, int64_t *bytes, char *err, size_t errlen)
{
	const char *end = s + strlen(s);
	uint64_t v;
	int64_t mult = 1;

	if (end > s && strchr("kKmMgG", end[-1]) != NULL) {
		switch (tolower((unsigned char)end[-1])) {
		case 'k':
			mult = 1024;
			break;
		case 'm':
			mult = 1024 * 1024;
			break;
		default:
			mult = 1024LL * 1024 * 1024;
			break;
		}
		end--;
	}
	if (digits_u64(s, end, &v) < 0 || v == 0 ||
	    v > (uint64_t)(INT64_MAX / mult)) {
		(void)snprintf(err, errlen, "expected a positive size in bytes "
		    "with an optional K, M or G suffix, e.g. 512K or 64M");
		return -1;
	}
	*bytes = (int64_t)v * mult;
	return 0;
}

int
optval_shard(const char *s, uint64_t *k, uint64_t *n, char *err,
    size_t errlen)
{
	const char *slash = strchr(s, '/');

	if (slash == NULL || digits_u64(s, slash, k) < 0 ||
	    digits_u64(slash + 1, slash + 1 + strlen(slash + 1), n) < 0 ||
	    *k < 1 || *k > *n) {
		(void)snprintf(err, errlen, "expected K/N with 1 <= K <= N, "
		    "e.g. 2/8");
		return -1;
	}
	return 0;
}

static int
is_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return 0;
	return 1;
}

int
optval_method(const char *s, char *err, size_t errlen)
{
	if (!is_token(s, strlen(s)) || strlen(s) > 32) {
		(void)snprintf(err, errlen, "expected an HTTP method such as "
		    "GET, POST or DELETE");
		return -1;
	}
	return 0;
}

int
optval_header(const char *s, char *err, size_t errlen)
{
	size_t n = strcspn(s, ":;");

	/* "Name;" is curl's way to send a header with an empty value;
	 * "Name:" (nothing after) removes a default header. */
	if (s[n] == '\0' || !is_token(s, n) || strpbrk(s, "\r\n") != NULL ||
	    (s[n] == ';' && s[n + 1] != '\0')) {
		(void)snprintf(err, errlen, "expected 'Name: value' (or "
		    "'Name;' for an empty value) with a token name and no CR "
		    "or LF");
		return -1;
	}
	return 0;
}

int
optval_line(const char *s, char *err, size_t errlen)
{
	if (strpbrk(s, "\r\n") != NULL) {
		(void)snprintf(err, errlen, "expected text without CR or LF");
		return -1;
	}
	return 0;
}

static const char *const body_modes[] = {
	[BODY_NONE] = "none", [BODY_AUTO] = "auto", [BODY_TEXT] = "text",
	[BODY_BASE64] = "base64", [BODY_JSON] = "json"
};

int
optval_is_body_mode(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(body_modes) / sizeof(body_modes[0]); i++)
		if (strcmp(s, body_modes[i]) == 0)
			return 1;
	return 0;
}

int
optval_body(const char *s, int *mode, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(body_modes) / sizeof(body_modes[0]); i++)
		if (strcmp(s, body_modes[i]) == 0) {
			*mode = (int)i;
			return 0;
		}
	(void)snprintf(err, errlen, "expected auto, text, base64, json or "
	    "none (--body MODE, --body=MODE or -bMODE)");
	return -1;
}

int
optval_proxy(const char *s, char *err, size_t errlen)
{
	static const char *const schemes[] = {
		"http", "https", "socks4", "socks4a", "socks5", "socks5h"
	};
	CURLU *u;
	char *url, *scheme = NULL, *host = NULL;
	size_t i, n = strlen(s) + 8;
	int ok = 0;

	/* As libcurl reads a proxy: no scheme means http://. */
	url = malloc(n);
	u = curl_url();
	if (url == NULL || u == NULL)
		goto out;
	(void)snprintf(url, n, "%s%s", strstr(s, "://") ? "" : "http://", s);
	if (strpbrk(s, " \t\r\n") != NULL ||
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0')
		goto out;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strcmp(scheme, schemes[i]) == 0)
			ok = 1;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	free(url);
	if (!ok)
		(void)snprintf(err, errlen, "expected a proxy URL "
		    "[SCHEME://][USER:PASSWORD@]HOST[:PORT], SCHEME one of "
		    "http, https, socks4, socks4a, socks5, socks5h");
	return ok ? 0 : -1;
}

/* One HOST of --resolve or --connect-to at *p: a name, or [IPv6];
 * *p is left on the ':' after it. */
static int
host_part(const char **p, int may_be_empty)
{
	const char *s = *p, *e;

	if (*s == '[') {
		e = strchr(s, ']');
		if (e == NULL || e == s + 1)
			return -1;
		e++;
	} else
		e = s + strcspn(s, ":");
	if (*e != ':' || (e == s && !may_be_empty))
		return -1;
	*p = e;
	return 0;
}

/* A port at s..end: 1 to 65535, or empty when allowed. */
static int
port_part(const char *s, const char *end, int may_be_empty)
{
	uint64_t v;

	if (s == end)
		return may_be_empty ? 0 : -1;
	return digits_u64(s, end, &v) < 0 || v < 1 || v > 65535 ? -1 : 0;
}

int
optval_resolve(const char *s, char *err, size_t errlen)
{
	const char *p = s + (s[0] == '+' || s[0] == '-'), *port;

	if (host_part(&p, 0) < 0)
		goto fail;
	port = ++p;
	p += strcspn(p, ":");
	if (port_part(port, p, 0) < 0 || (s[0] != '-' && (*p != ':' ||
	    p[1] == '\0' || strpbrk(p + 1, " \t\r\n") != NULL)))
		goto fail;
	return 0;
fail:
	(void)snprintf(err, errlen, "expected HOST:PORT:ADDRESS, e.g. "
	    "example.com:443:127.0.0.1");
	return -1;
}

int
optval_connect_to(const char *s, char *err, size_t errlen)
{
	const char *p = s, *port;

	if (host_part(&p, 1) < 0)
		goto fail;
	port = ++p;
	p += strcspn(p, ":");
	if (*p != ':' || port_part(port, p, 1) < 0)
		goto fail;
	p++;
	if (host_part(&p, 1) < 0)
		goto fail;
	port = ++p;
	if (port_part(port, port + strlen(port), 1) < 0)
		goto fail;
	return 0;
fail:
	(void)snprintf(err, errlen, "expected HOST1:PORT1:HOST2:PORT2 (any "
	    "part may be empty), e.g. example.com:443:127.0.0.1:8443");
	return -1;
}

int
optval_distance(const char *a, const char *b, int cap)
{
	int row[64], prev, tmp, best;
	size_t i, j, na = strlen(a), nb = strlen(b);

	if (na >= 64 || nb >= 64)
		return cap + 1;
	for (j = 0; j <= nb; j++)
		row[j] = (int)j;
	for (i = 1; i <= na; i++) {
		prev = row[0];
		row[0] = (int)i;
		best = row[0];
		for (j = 1; j <= nb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
			if (row[j] < best)
				best = row[j];
		}
		if (best > cap)
			return cap + 1;
	}
	return row[nb] > cap ? cap + 1 : row[nb];
}
