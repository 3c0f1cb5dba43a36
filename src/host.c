/* host.c: the per-host table and the run's fair queues on the loop. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "msg.h"
#include "util.h"

#define HOST_BUCKETS	4096

static struct host	*host_table[HOST_BUCKETS];
static struct ev_loop	*host_loop;
static struct hostq	 host_q;	/* the global slots and the ring */
static const struct opts *host_o;
static long		 host_slots;	/* -c */
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

#define HOST_OF(hqp) \
	((struct host *)((char *)(hqp) - offsetof(struct host, hq)))

static void
host_arm(struct hq_host *hq, double at)
{
	struct host *h = HOST_OF(hq);
	double after = at - ev_now(host_loop);

	ev_timer_stop(host_loop, &h->timer);
	ev_timer_set(&h->timer, after > 0 ? after : 0, 0.);
	ev_timer_start(host_loop, &h->timer);
}

static void
host_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct host *h = w->data;

	hostq_wake(&host_q, &h->hq, ev_now(loop));
}

void
host_setup(struct ev_loop *loop, const struct opts *o)
{
	host_loop = loop;
	host_o = o;
	host_slots = o->concurrency;
	host_permits = o->per_host;
	host_rate = o->per_host_rate;
	hostq_init(&host_q, host_slots, host_arm);
}

static int
host_unused(struct host *h)
{
	return h->refs == 0 && hostq_idle(&h->hq, ev_now(host_loop));
}

static void
host_destroy(struct host *h)
{
	ev_timer_stop(host_loop, &h->timer);
	free(h);
	host_count--;
}

/* Free hosts left unused whose rate slot and pause have since passed. */
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
	hq_host_init(&h->hq, host_permits, host_rate);
	if (host_o->adaptive) {
		hostq_aimd_init(&h->aimd, host_permits > 0 ? host_permits :
		    host_slots);
		h->hq.limit = h->aimd.limit;
	}
	ev_timer_init(&h->timer, host_timer_cb, 0., 0.);
	h->timer.data = h;
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

void
host_push(struct host *h, struct waiter *w)
{
	hostq_push(&host_q, &h->hq, w, ev_now(host_loop));
}

void
host_done(struct host *h)
{
	hostq_done(&host_q, &h->hq, ev_now(host_loop));
}

void
host_cancel(struct host *h, struct waiter *w)
{
	hostq_cancel(&host_q, &h->hq, w, ev_now(host_loop));
}

double
host_clock(const struct host *h)
{
	return hostq_clock(&h->hq, ev_now(host_loop));
}

void
host_note(struct host *h, const struct hq_signal *sig,
    const struct hq_outcome *o)
{
	double now = ev_now(host_loop), until;
	long limit;

	until = hostq_backoff(&h->hq, sig, now);
	if (until > 0) {
		hostq_pause(&host_q, &h->hq, until, now);
		if (host_o->verbosity > 0)
			infof("host %s paused for %.3fs", h->key,
			    until - now);
	}
	if (!host_o->adaptive)
		return;
	limit = hostq_aimd(&h->aimd, o, now);
	if (limit == h->hq.limit)
		return;
	if (host_o->verbosity > 0)
		infof("host %s concurrency %ld -> %ld", h->key, h->hq.limit,
		    limit);
	hostq_set_limit(&host_q, &h->hq, limit, now);
}

void
host_set_interval(struct host *h, double interval, double since)
{
	hostq_set_interval(&host_q, &h->hq, interval, since,
	    ev_now(host_loop));
}

long
host_busy(void)
{
	return host_slots - host_q.avail;
}

int
host_has_work(const struct host *h)
{
	/* Every live request to h holds a reference: queued, in flight,
	 * in a retry's backoff, or admitted and not yet queued. */
	return h->refs > 1;
}
