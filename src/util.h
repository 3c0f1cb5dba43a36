/* util.h: allocation wrappers that exit on out-of-memory, a growable
 * byte buffer used for records, bodies and headers, clocks, the
 * end-of-run signal note and the one decimal syntax. */
#ifndef COFETCH_UTIL_H
#define COFETCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable byte buffer. The bytes are always NUL-terminated (the NUL is
 * not counted in len) so text can be handed to C string functions. */
struct buf {
	char	*data;	/* malloced, freed in buf_free() */
	size_t	 len;
	size_t	 cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);		/* accepts a zeroed buf */
void buf_reset(struct buf *b);		/* len = 0, memory kept */
void buf_grow(struct buf *b, size_t extra);	/* slow path of reserve */
void buf_adds(struct buf *b, const char *s);
/* Make room for extra more bytes without letting the capacity pass
 * limit + 1 (a buffer that must stay under a limit, such as the body
 * under --max-size; the caller has checked len + extra <= limit). */
void buf_reserve_max(struct buf *b, size_t extra, size_t limit);
/* After an outlier: when the capacity is above keep, give the memory
 * back (the next use starts small again). len is set to 0. */
void buf_shrink(struct buf *b, size_t keep);

/* Inline: records are built from a few dozen of these per request. */
static inline void
buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
		buf_grow(b, extra);
}

static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		__builtin_memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
void buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Seconds on a monotonic clock, and on the wall clock. */
double now_mono(void);
double now_wall(void);
/* SIGINT or SIGTERM when one is pending (blocked, as libev's signalfd
 * keeps them) or came after signal_note_late(), else 0. */
int signal_stop_pending(void);
/* From the end of the run to exit: SIGINT and SIGTERM no longer end the
 * process but are noted for signal_stop_pending(), whichever thread takes
 * them, so that a wait for stderr's reader stops at once. (Under SIG_IGN
 * such a signal was dropped unseen, and the wait went on.) */
void signal_note_late(void);
/* Seconds (>= 0, at most 1e6 as the options allow) as libcurl's
 * milliseconds, rounded up: a positive limit never becomes 0, which
 * libcurl reads as no limit at all. */
long secs_to_ms(double secs);
/* The number in s..end (not NUL-terminated) into *out: DIGITS[.DIGITS] or
 * .DIGITS, the one syntax of every fractional number cofetch reads (the
 * command line's seconds and rates, robots.txt's Crawl-delay). No sign,
 * exponent, hex, "inf" or "nan", no space. 0, or -1 when s..end is
 * anything else or longer than 63 bytes. */
int decimal_parse(const char *s, const char *end, double *out);

#endif
