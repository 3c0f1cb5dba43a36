/* json.h: JSON text without a tree: a string encoder that turns any bytes
 * into valid JSON, a UTF-8 check, base64 (json.c), and a strict RFC 8259
 * validator that minifies a document byte for byte and says where the
 * members of its top-level object lie (json_strict.c). */
#ifndef COFETCH_JSON_H
#define COFETCH_JSON_H

#include <stddef.h>

#include "util.h"

/* json_add_text() flags. */
#define JSON_ESCAPE	0x1	/* JSON string escapes */
#define JSON_LOWER	0x2	/* ASCII upper case to lower case */

/* Append s[0..n) to out with invalid UTF-8 replaced by U+FFFD (one per
 * maximal subpart) and, as flags ask, JSON string escapes and ASCII
 * lower-casing; no quotes. */
void	json_add_text(struct buf *out, const char *s, size_t n, int flags);
/* Append s[0..n) as a JSON string (with quotes); invalid UTF-8 sequences
 * become U+FFFD, control characters are escaped. */
void	json_add_string(struct buf *out, const char *s, size_t n);
/* True when s[0..n) is valid UTF-8 (no overlongs, no surrogates, no code
 * points above U+10FFFF). NUL bytes are valid. */
int	utf8_valid(const char *s, size_t n);
/* Length of the UTF-8 sequence at p (p < end): > 0 when it is well formed,
 * else minus the length of its maximal subpart. */
int	utf8_seq_len(const unsigned char *p, const unsigned char *end);
/* Append s[0..n) base64-encoded (RFC 4648, padded) with no quotes. */
void	base64_add(struct buf *out, const unsigned char *s, size_t n);

/* Where one member of the top-level object lies in json_minify_doc()'s
 * output: offsets into out->data, the key with its quotes, the value
 * minified. */
struct json_member {
	size_t		 key, key_len;
	size_t		 value, value_len;
};

/* What json_minify_doc() learns besides the minified text. Filled by it;
 * members is the caller's array of max entries (may be NULL with max 0). */
struct json_doc {
	struct json_member *members;	/* the first max members */
	size_t		 max;
	size_t		 n;		/* members of the top-level object
					 * (0 when it is no object), may
					 * exceed max */
	size_t		 error_at;	/* on failure: input offset where the
					 * text stopped being valid */
	int		 trailing;	/* on failure: a whole document was
					 * followed by other text */
	int		 has_nul;	/* a string holds \u0000 */
};

/* If s[0..n) is one valid JSON document (RFC 8259, valid UTF-8, nesting at
 * most 256 deep, no lone escaped surrogates) append it minified (white
 * space outside strings removed, everything else byte for byte: numbers
 * keep their text, strings their escapes) to out and return 0; else
 * return -1 and leave out as it was. doc may be NULL. */
int	json_minify_doc(struct buf *out, const char *s, size_t n,
	    struct json_doc *doc);
int	json_minify(struct buf *out, const char *s, size_t n);

#endif
