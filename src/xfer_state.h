/* xfer_state.h: the state of one attempt of one request (struct xfer),
 * shared by the modules that carry the attempt out: xfer.c drives it
 * (handles, redirects, finishing), sink.c and save.c take its body,
 * getinfo.c reads its outcome back. A header of data only, so that those
 * modules need not include xfer.h, whose functions call them: the
 * includes go one way. */
#ifndef COFETCH_XFER_STATE_H
#define COFETCH_XFER_STATE_H

#include <curl/curl.h>
#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "record.h"
#include "request.h"
#include "state.h"

struct decode;

/* One attempt: a fresh easy handle for every hop (the first request and
 * each redirect it follows; connections and DNS results live in the multi
 * handle, so they are still reused), so nothing one transfer leaves on a
 * handle can reach another's record. */
struct xfer {
	CURL			*easy;		/* owned during a hop, else
						 * NULL: curl_easy_cleanup() */
	char			 errbuf[CURL_ERROR_SIZE]; /* the hop's */
	struct curl_slist	*hdrs;		/* owned: this hop's header
						 * list, or NULL */
	char			*hop_url;	/* owned: the redirect target
						 * being fetched, or NULL on
						 * the first hop */
	const char		*hop_method;	/* static or the request's */
	int			 hop_body;	/* the hop sends the body */
	int			 hop_dropped;	/* a redirect dropped the
						 * body */
	int			 hop_cross;	/* the hop left the first
						 * URL's origin */
	int			 hop_fresh;	/* on a connection of its
						 * own (setopt_hop) */
	int			 hop_resends;	/* times the hop was sent
						 * again, unanswered */
	int			 hop_refused;	/* a reuse-only hop wanted
						 * a new connection */
	int			 hop_skip;	/* -1 unknown, 1: this hop's
						 * body is a redirect's, not
						 * kept */
	long			 redirects;	/* followed in this attempt */
	curl_off_t		 t_sum[5];	/* dns, connect, tls, ttfb,
						 * total of finished hops, us */
	double			 t_start;	/* mono, the attempt's start */
	double			 hop_start;	/* mono, the hop's start */
	ev_timer		 watchdog;	/* bounds the hop by -t and
						 * --connect-timeout also where
						 * libcurl does not (transfers
						 * waiting for a connection) */
	struct result		*res;		/* the task's; not owned;
						 * filled before the end
						 * notification */
	const struct request	*req;		/* the task's, during an
						 * attempt */
	void			*owner;		/* handed to the end
						 * callback */
	int			 too_large;	/* the write callback
						 * stopped: --max-size */
	int			 write_failed;	/* --save write failed */
	int			 write_errno;
	struct decode		*dec;		/* owned (sink.c): the body's
						 * content decoder, or NULL */
	const void		*ssl;		/* the TLS connection's key
						 * (tlsend.h), noted at the
						 * first body byte, or NULL */
	int			 body_started;
	const char		*body_why;	/* static: why the body is
						 * corrupt (kind protocol), or
						 * NULL */
	double			 retry_after;	/* seconds from the final
						 * response's Retry-After,
						 * or -1 */
	int			 save_fd;	/* --save temporary, or -1 */
	char			 save_tmp[48];	/* its name in DIR */
	char			*save_prev;	/* owned (xfer_free()): the
						 * name under DIR an earlier
						 * attempt of the request
						 * published, or NULL */
	int			 aborted;	/* xfer_cancel() stopped the
						 * attempt: x->res is not its
						 * outcome */
	uint64_t		 index;
	struct hash		 hash;		/* owned: --hash, --state */
	struct state_prev	 prev;		/* --state: the store's entry
						 * for the request */
	size_t			 aux_max;	/* set by the caller: 0 for
						 * a request's attempt; else a
						 * side fetch (robots.txt): a
						 * plain GET, no --save,
						 * --hash or --state, its body
						 * kept up to aux_max bytes
						 * whatever --body and
						 * --max-size say */
	int			 no_reuse;	/* set by the caller: close
						 * the connection after (its
						 * host has no queued work) */
};

#endif
