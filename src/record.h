/* record.h: one request's outcome, and its encoding as one JSON line
 * (SPEC "Output records"). */
#ifndef COFETCH_RECORD_H
#define COFETCH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "kind.h"
#include "opts.h"
#include "request.h"
#include "util.h"

/* What happened to a request; filled by the transfer and the task. */
struct result {
	enum kind	 kind;		/* KIND_NONE: ok */
	char		 message[256];	/* human text when kind != NONE */
	long		 status;	/* 0: no response */
	const char	*http_version;	/* "1.0", "1.1", "2", "3" or NULL
					 * (static strings) */
	char		*final_url;	/* malloced, or NULL */
	long		 redirects;
	long		 attempts;
	int64_t		 size;		/* decoded body bytes, final
					 * attempt */
	char		*content_type;	/* malloced, or NULL */
	char		 remote_ip[64];	/* "" when unknown */
	double		 t_dns;		/* phase durations, seconds */
	double		 t_connect;
	double		 t_tls;
	double		 t_ttfb;	/* from the attempt's start */
	double		 t_total;
	double		 elapsed;	/* first attempt to record */
	struct buf	 headers;	/* raw header lines of the final
					 * response ("Name: value\r\n"...),
					 * when --headers */
	struct buf	 body;		/* body bytes when --body */
	char		*file;		/* malloced path of the saved body, or
					 * NULL */
};

void	result_init(struct result *r);
void	result_free(struct result *r);	/* accepts a zeroed one; leaves it
					 * as result_init() */
/* Forget the outcome of an attempt (before the next one); buffers keep
 * their memory up to 64 KiB. attempts and elapsed are kept. */
void	result_reset(struct result *r);

/* Append the record of req and res to out as one line of JSON ending in
 * "\n": keys in SPEC order, optional keys as o asks. The line is valid
 * UTF-8 JSON whatever bytes the request or response hold. */
void	record_encode(struct buf *out, const struct request *req,
	    const struct result *res, const struct opts *o);

/* JSON helpers, exposed for the tests and the fuzzers. */

/* Append s[0..n) as a JSON string (with quotes); invalid UTF-8 sequences
 * become U+FFFD, control characters are escaped. */
void	json_add_string(struct buf *out, const char *s, size_t n);
/* True when s[0..n) is valid UTF-8 (no overlongs, no surrogates, no code
 * points above U+10FFFF). NUL bytes are valid. */
int	utf8_valid(const char *s, size_t n);
/* Append s[0..n) base64-encoded (RFC 4648, padded) with no quotes. */
void	base64_add(struct buf *out, const unsigned char *s, size_t n);
/* If s[0..n) is one valid JSON document (RFC 8259, valid UTF-8, nesting at
 * most 256 deep) append it minified (white space outside strings removed,
 * everything else byte for byte) to out and return 0; else return -1
 * and leave out as it was. */
int	json_minify(struct buf *out, const char *s, size_t n);

#endif
