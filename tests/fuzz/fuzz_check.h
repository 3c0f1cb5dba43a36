/* fuzz_check.h: what the fuzzers check, written apart from the code
 * under test: a strict RFC 8259 validator and minifier, a UTF-8 decoder,
 * a base64 decoder, and the checks every output record must pass. A
 * failed check prints what failed and abort()s, which libFuzzer reports
 * as a crash with the input that caused it. */
#ifndef COFETCH_FUZZ_CHECK_H
#define COFETCH_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util.h"

#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);	\
} while (0)

void	fuzz_fail(const char *file, int line, const char *cond,
	    const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 4, 5)));
/* Print s[0..n) to stderr, escaped, at most 600 bytes of it. */
void	fuzz_show(const char *what, const char *s, size_t n);

/* Length of the well-formed UTF-8 character at s[0..n) (n > 0) with its
 * code point in *cp, or 0 when it is not well formed. */
size_t	ref_utf8_char(const unsigned char *s, size_t n, uint32_t *cp);
int	ref_utf8_valid(const char *s, size_t n);

/* Strict JSON (RFC 8259, valid UTF-8, escaped surrogates in pairs, at most
 * maxdepth nested arrays and objects, 0: no limit). On success appends
 * the text minified (white space between tokens dropped, tokens byte for
 * byte) to out (if not NULL) and returns 0; else -1, out unchanged. */
int	ref_json(const char *s, size_t n, size_t maxdepth, struct buf *out);
/* Decode the body of a JSON string (between the quotes, already valid)
 * into bytes, NULs included. */
void	ref_json_unescape(const char *s, size_t n, struct buf *out);
/* Decode padded base64; -1 when s[0..n) is not canonical base64. */
int	ref_base64_decode(const char *s, size_t n, struct buf *out);

/* Check that out[0..n) is one record line: ends in exactly one "\n" and
 * holds no other, is valid UTF-8 (json.c's utf8_valid() and ours), is
 * strict JSON and parses with cJSON as an object whose keys are the SPEC
 * keys in SPEC order (id, headers, body/body_encoding and file present as
 * said). Returns the parsed record (caller deletes). */
cJSON	*check_record(const char *out, size_t n, int has_id, int headers_out,
	    int body_on, int save_on);

#endif
