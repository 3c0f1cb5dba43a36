/* record.h: one request's outcome, and its encoding as one JSON line
 * (SPEC "Output records"). */
#ifndef COFETCH_RECORD_H
#define COFETCH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "kind.h"
#include "opts.h"
#include "request.h"
#include "util.h"

/* "changed" of a record (--state): unknown is null (no content stored for
 * the key, or no content this time). */
enum changed {
	CHANGED_UNKNOWN = 0,
	CHANGED_NO,
	CHANGED_YES
};

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
	double		 t_wait;	/* waited for the host or a rate
					 * slot before the final attempt */
	double		 elapsed;	/* first attempt to record */
	struct buf	 headers;	/* raw header lines of the final
					 * response ("Name: value\r\n"...),
					 * when --headers */
	struct buf	 body;		/* body bytes when --body */
	char		*file;		/* malloced path of the saved body, or
					 * NULL */
	char		 hash[HASH_TEXT_LEN]; /* "sha256:<hex>" of the body
					 * (--hash, --state), or "" */
	enum changed	 changed;	/* --state: against the store */
	int64_t		 state_row;	/* --state: the key's row when the
					 * request started (state_compare()),
					 * 0: none */
	char		 etag[256];	/* the final response's validators,
					 * "" when absent or too long */
	char		 last_modified[64];
};

void	result_init(struct result *r);
/* Initialise res as the outcome of a line that is no valid request
 * (req->invalid set by the parser): its kind and message. The one place
 * such a line becomes a result; its record then goes out like any
 * other. */
void	result_invalid(struct result *res, const struct request *req);
void	result_free(struct result *r);	/* accepts a zeroed one; leaves it
					 * as result_init() */
/* Forget the outcome of an attempt (before the next one); buffers keep
 * their memory up to 64 KiB. attempts and elapsed are kept. */
void	result_reset(struct result *r);

/* Append the record of req and res to out as one line of JSON ending in
 * "\n": keys in SPEC order, optional keys as o asks. The line is valid
 * UTF-8 JSON whatever bytes the request or response hold. Only res says
 * whether it failed (see result_invalid()). */
void	record_encode(struct buf *out, const struct request *req,
	    const struct result *res, const struct opts *o);

/* -v: one line on stderr for the record ("#12 http://... 200 0.031s"),
 * a password in the URL shown as "***". */
void	record_say(const struct request *req, const struct result *res);

#endif
