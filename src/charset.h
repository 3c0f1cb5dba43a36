/* charset.h: a text body in the charset its Content-Type declares,
 * converted to UTF-8 for the record (--body=text and auto), as httpie
 * does; iconv(3) from the C library does the conversion. */
#ifndef COFETCH_CHARSET_H
#define COFETCH_CHARSET_H

#include <stddef.h>

#include "util.h"

/* The charset parameter of content_type (RFC 9110 8.3.2: "charset=x",
 * case-insensitive, perhaps quoted) into name (size bytes), 0; -1 when
 * there is none, it is too long, or it names UTF-8 or US-ASCII (nothing to
 * convert). */
int	charset_of(const char *content_type, char *name, size_t size);
/* Append body, read in charset, to out as a JSON string (quotes
 * included), converted to UTF-8. 0; -1 with out unchanged when iconv does
 * not know charset or the body is not valid in it. */
int	charset_add_json(struct buf *out, const char *charset, const char *body,
	    size_t len);

#endif
