/* host.c: the per-host table. */
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "util.h"

#define HOST_BUCKETS	4096

static struct host	*host_table[HOST_BUCKETS];
static struct ev_loop	*host_loop;
static long		 host_permits;
static double		 host_rate;
static long		 host_count;
static long		 host_sweep_at = 1024;	/* sweep idle hosts when
						 * the table grows past */

static unsigned
host_hash(const char *s)
{
	unsigned h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void
host_setup(struct ev_loop *loop, long per_host, double per_host_rate)
{
	host_loop = loop;
	host_permits = per_host;
	host_rate = per_host_rate;
}

static int
host_unused(struct host *h)
{
	return h->refs == 0 && rate_idle(&h->rate);
}

static void
host_destroy(struct host *h)
{
	rate_stop(&h->rate);
	free(h);
	host_count--;
}

/* Free hosts left unused whose rate slot has since passed. */
static void
host_sweep(void)
{
	struct host **pp, *h;
	size_t i;

	for (i = 0; i < HOST_BUCKETS; i++) {
		pp = &host_table[i];
		while ((h = *pp) != NULL) {
			if (host_unused(h)) {
				*pp = h->next;
				host_destroy(h);
			} else
				pp = &h->next;
		}
	}
	host_sweep_at = host_count * 2 > 1024 ? host_count * 2 : 1024;
}

struct host *
host_get(const char *key)
{
	unsigned hash = host_hash(key);
	struct host *h;
	size_t len;

	for (h = host_table[hash % HOST_BUCKETS]; h != NULL; h = h->next)
		if (h->hash == hash && strcmp(h->key, key) == 0) {
			h->refs++;
			return h;
		}
	if (host_count >= host_sweep_at)
		host_sweep();
	len = strlen(key);
	h = xcalloc(1, sizeof(*h) + len + 1);
	memcpy(h->key, key, len + 1);
	h->hash = hash;
	h->refs = 1;
	sem_init(&h->sem, host_permits);
	rate_init(&h->rate, host_loop, host_rate);
	h->next = host_table[hash % HOST_BUCKETS];
	host_table[hash % HOST_BUCKETS] = h;
	host_count++;
	return h;
}

void
host_put(struct host *h)
{
	struct host **pp;

	if (--h->refs > 0 || !host_unused(h))
		return;
	for (pp = &host_table[h->hash % HOST_BUCKETS]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			host_destroy(h);
			return;
		}
}

void
host_free_all(void)
{
	struct host *h;
	size_t i;

	for (i = 0; i < HOST_BUCKETS; i++)
		while ((h = host_table[i]) != NULL) {
			host_table[i] = h->next;
			host_destroy(h);
		}
}
