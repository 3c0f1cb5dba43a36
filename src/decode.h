/* decode.h: a response body's Content-Encoding undone as it arrives
 * (gzip, deflate, br, zstd, stacked), with the end of every coding's
 * stream and the absence of trailing bytes checked: a body that was cut
 * short or has junk after its end is an error, never a shorter body. */
#ifndef COFETCH_DECODE_H
#define COFETCH_DECODE_H

#include <stddef.h>

struct decode;

/* Where decoded bytes go: 0 to go on, -1 to stop (the sink said why). */
typedef int (*decode_out_fn)(void *arg, const char *p, size_t n);

/* The Accept-Encoding value for what decode_* understands (static). */
const char	*decode_accept(void);

/* Add the codings of one Content-Encoding header value ("gzip, br") to
 * *d, which is created (malloced) on the first coding other than
 * identity. -1 with *why set (static text) for a coding we cannot
 * decode or too many of them. */
int	decode_add(struct decode **d, const char *value, size_t n,
	    const char **why);
/* Feed received bytes through the codings, last applied first; decoded
 * bytes go to out(arg, ...). -1 with *why set when the data is corrupt
 * or continues after the end of its stream, or when out returned -1
 * (then *why is NULL). */
int	decode_write(struct decode *d, const char *p, size_t n,
	    decode_out_fn out, void *arg, const char **why);
/* The body has ended: 0 when every coding's stream ended (or no byte
 * was received at all), else -1 with *why set. */
int	decode_end(struct decode *d, const char **why);
/* Free d and its decoders; accepts NULL. */
void	decode_free(struct decode *d);

#endif
