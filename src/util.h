/* util.h: allocation wrappers that exit on out-of-memory, and a growable
 * byte buffer used for records, bodies and headers. */
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
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Seconds on a monotonic clock, and on the wall clock. */
double now_mono(void);
double now_wall(void);

#endif
