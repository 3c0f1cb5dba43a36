/* net_dns.h: libcurl's DNS cache in generations, so that its cost per
 * transfer stays flat in the number of distinct hosts.
 *
 * libcurl 7.88 walks its whole DNS cache after every transfer to expire
 * old entries (multi_done() -> Curl_hostcache_prune()): with the default
 * 60 s timeout that is every host seen in the last minute, so a run over
 * many hosts costs hosts x requests. With CURLOPT_DNS_CACHE_TIMEOUT -1
 * the walk is skipped but nothing ever expires. Instead each transfer
 * uses the DNS cache of the current generation (a CURLSH sharing
 * CURL_LOCK_DATA_DNS, entries never expiring); a new generation starts
 * after NET_DNS_GEN_USES transfers or NET_DNS_GEN_SECONDS, and an old one
 * is freed once no transfer uses it. Memory and lookup cost are bounded
 * by the generation's size; a name is looked up again at most once per
 * generation. */
#ifndef COFETCH_NET_DNS_H
#define COFETCH_NET_DNS_H

#include <curl/curl.h>

struct ev_loop;

#define NET_DNS_GEN_USES	1024
#define NET_DNS_GEN_SECONDS	60.0

/* enabled 0: every transfer keeps libcurl's own DNS cache (an easy handle
 * takes one share object only, and --cookie's must last the whole run). */
void	net_dns_init(struct ev_loop *loop, int enabled);
/* Before curl_multi_add_handle(): the current generation's cache. */
void	net_dns_attach(CURL *easy);
/* After curl_multi_remove_handle(): let go of it. */
void	net_dns_detach(CURL *easy);
void	net_dns_cleanup(void);

#endif
