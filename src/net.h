/* net.h: the only glue between libev and libcurl's multi interface:
 * socket and timer callbacks, curl_multi_socket_action, and harvesting of
 * finished transfers. */
#ifndef COFETCH_NET_H
#define COFETCH_NET_H

#include <curl/curl.h>

struct ev_loop;

/* Called for each transfer libcurl has finished (CURLMSG_DONE), after it
 * left the multi handle, with the easy handle's CURLOPT_PRIVATE and its
 * result. It may start new transfers (it runs inside libcurl's
 * processing, but no longer on the handle's behalf). */
typedef void (*net_finished_fn)(void *priv, CURLcode result);

/* max_conns: how many connections, in use or idle, libcurl's cache may
 * hold (CURLMOPT_MAXCONNECTS). A failing CURLM call is reported on
 * stderr. */
/* dns_generations: the DNS cache in generations (net_dns.h); 0 when the
 * transfers carry a share object of their own (cookies). */
int	net_init(struct ev_loop *loop, net_finished_fn finished,
	    long max_conns, int dns_generations);
/* Start or abort a transfer. net_remove() gives no finished callback. */
int	net_add(CURL *easy);
void	net_remove(CURL *easy);
void	net_cleanup(void);

#endif
