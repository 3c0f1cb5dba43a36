/* net.h: the only glue between libev and libcurl's multi interface:
 * socket and timer callbacks, curl_multi_socket_action, and harvesting of
 * finished transfers. */
#ifndef COFETCH_NET_H
#define COFETCH_NET_H

#include <curl/curl.h>

struct ev_loop;

/* Called for each finished transfer with the easy handle's CURLOPT_PRIVATE
 * and its result. Only records and queues (it runs inside libcurl's
 * processing). */
typedef void (*net_done_fn)(void *priv, CURLcode result);

int	net_init(struct ev_loop *loop, net_done_fn done, long max_host_conns);
CURLM	*net_multi(void);
/* Start or abort a transfer. net_remove() gives no done callback. */
int	net_add(CURL *easy);
void	net_remove(CURL *easy);
void	net_cleanup(void);

#endif
