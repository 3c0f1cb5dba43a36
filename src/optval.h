/* optval.h: parsers for option values, one syntax per type (man page,
 * OPTIONS, "Values"). Pure functions: each returns 0, or -1 with what is
 * accepted written into err (no "is not valid" prefix: the caller names
 * the option and the value). */
#ifndef COFETCH_OPTVAL_H
#define COFETCH_OPTVAL_H

#include <stddef.h>
#include <stdint.h>

/* --body MODE (optval_body()). */
enum body_mode {
	BODY_NONE = 0,
	BODY_AUTO,
	BODY_TEXT,
	BODY_BASE64,
	BODY_JSON
};

/* A count: decimal digits only (no sign, space, exponent or "0x"). */
int	optval_count(const char *s, long min, long max, long *out,
	    char *err, size_t errlen);
/* Seconds: DIGITS[.DIGITS] or .DIGITS, from 0 to 1000000. */
int	optval_seconds(const char *s, double *sec, char *err, size_t errlen);
/* A rate: a positive number as for seconds, optionally "/s", "/m" or "/h"
 * (also "/sec", "/min", "/hour"); at most 1000000 per second. */
int	optval_rate(const char *s, double *per_second, char *err,
	    size_t errlen);
/* A size: positive decimal digits, optionally K, M or G (1024-based). */
int	optval_size(const char *s, int64_t *bytes, char *err, size_t errlen);
/* --shard K/N: two counts, 1 <= K <= N. */
int	optval_shard(const char *s, uint64_t *k, uint64_t *n, char *err,
	    size_t errlen);
/* An HTTP method: a token of at most 32 bytes. */
int	optval_method(const char *s, char *err, size_t errlen);
/* -H: "Name: value" or "Name;" (an empty value), a token name, no CR or
 * LF. */
int	optval_header(const char *s, char *err, size_t errlen);
/* Text for one header line: no CR or LF. */
int	optval_line(const char *s, char *err, size_t errlen);
/* --body: auto, text, base64, json or none (enum body_mode). */
int	optval_body(const char *s, int *mode, char *err, size_t errlen);
/* A proxy: [SCHEME://][USER:PASS@]HOST[:PORT], SCHEME one of http,
 * https, socks4, socks4a, socks5, socks5h. */
int	optval_proxy(const char *s, char *err, size_t errlen);
/* --resolve HOST:PORT:ADDR[,ADDR...] (HOST may be [IPv6]). */
int	optval_resolve(const char *s, char *err, size_t errlen);
/* --connect-to HOST1:PORT1:HOST2:PORT2, any part may be empty. */
int	optval_connect_to(const char *s, char *err, size_t errlen);
/* Is s a word of the --body modes? (--body takes the next argument only
 * then.) */
int	optval_is_body_mode(const char *s);
/* Edit distance between a and b, capped at cap + 1. */
int	optval_distance(const char *a, const char *b, int cap);

#endif
