/* net_dns.c: generations of libcurl's DNS cache (see net_dns.h). */
#include <stdlib.h>

#include <ev.h>

#include "net_dns.h"
#include "util.h"

struct dns_gen {
	struct dns_gen	*next;		/* retired list, oldest first */
	CURLSH		*sh;		/* owned: curl_share_cleanup() */
	long		 uses;		/* transfers attached so far */
	double		 born;		/* ev_now() */
};

static struct ev_loop	*dns_loop;
static struct dns_gen	*dns_cur;	/* owned, or NULL: libcurl's own */
static struct dns_gen	*dns_old;	/* owned: retired, in use */
static struct dns_gen	**dns_old_tail = &dns_old;

static struct dns_gen *
dns_gen_new(void)
{
	struct dns_gen *g = xcalloc(1, sizeof(*g));

	g->sh = curl_share_init();
	if (g->sh == NULL ||
	    curl_share_setopt(g->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) !=
	    CURLSHE_OK) {
		if (g->sh != NULL)
			(void)curl_share_cleanup(g->sh);
		free(g);
		return NULL;
	}
	g->born = ev_now(dns_loop);
	return g;
}

void
net_dns_init(struct ev_loop *loop, int enabled)
{
	dns_loop = loop;
	dns_cur = enabled ? dns_gen_new() : NULL;
}

/* Free retired generations no transfer uses any more, oldest first
 * (they empty in about that order). */
static void
dns_reap(void)
{
	struct dns_gen *g;

	while ((g = dns_old) != NULL &&
	    curl_share_cleanup(g->sh) == CURLSHE_OK) {
		dns_old = g->next;
		if (dns_old == NULL)
			dns_old_tail = &dns_old;
		free(g);
	}
}

void
net_dns_attach(CURL *easy)
{
	struct dns_gen *g;

	if (dns_cur == NULL)
		return;			/* no share: libcurl's own cache */
	if (dns_cur->uses >= NET_DNS_GEN_USES ||
	    ev_now(dns_loop) - dns_cur->born >= NET_DNS_GEN_SECONDS) {
		g = dns_gen_new();
		if (g != NULL) {
			dns_cur->next = NULL;
			*dns_old_tail = dns_cur;
			dns_old_tail = &dns_cur->next;
			dns_cur = g;
		}
	}
	dns_cur->uses++;
	(void)curl_easy_setopt(easy, CURLOPT_SHARE, dns_cur->sh);
	(void)curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
}

void
net_dns_detach(CURL *easy)
{
	if (dns_cur == NULL)
		return;
	(void)curl_easy_setopt(easy, CURLOPT_SHARE, NULL);
	if (dns_old != NULL)
		dns_reap();
}

void
net_dns_cleanup(void)
{
	struct dns_gen *g;

	dns_reap();
	while ((g = dns_old) != NULL) {	/* still attached: leaked by a
					 * handle never detached */
		dns_old = g->next;
		free(g);
	}
	dns_old_tail = &dns_old;
	if (dns_cur != NULL) {
		(void)curl_share_cleanup(dns_cur->sh);
		free(dns_cur);
		dns_cur = NULL;
	}
}
