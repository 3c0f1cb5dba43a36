/* robots_cache.c: the run's robots.txt rules per origin, in a hash table
 * with an LRU list; the parsing and matching are robots.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "robots_cache.h"
#include "util.h"

#define RC_BUCKETS	1024

static struct robots_entry *rc_table[RC_BUCKETS];
static struct robots_entry *rc_head, *rc_tail;	/* LRU, newest first */
static long		 rc_count;
static size_t		 rc_bytes;	/* rules held, robots.bytes */
static char		 rc_agent[64];	/* product token, lower case */

void
robots_cache_setup(const char *ua)
{
	robots_token(ua != NULL ? ua : "", rc_agent, sizeof(rc_agent));
}

int
robots_cache_origin(const struct request *req, char *key, size_t keylen,
    char **url, char **path)
{
	CURLU *u = NULL;
	char *scheme = NULL, *p = NULL, *q = NULL, *s = NULL;
	int rc = -1;

	*url = *path = NULL;
	if (req->cu == NULL || req->host[0] == '\0' ||
	    curl_url_get(req->cu, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto fail;
	(void)snprintf(key, keylen, "%s://%s", scheme, req->host);
	if (curl_url_get(req->cu, CURLUPART_PATH, &p, 0) != CURLUE_OK)
		goto fail;
	if (curl_url_get(req->cu, CURLUPART_QUERY, &q, 0) != CURLUE_OK)
		q = NULL;
	*path = xmalloc(strlen(p) + (q != NULL ? strlen(q) + 1 : 0) + 1);
	(void)sprintf(*path, "%s%s%s", p, q != NULL ? "?" : "",
	    q != NULL ? q : "");
	/* The same origin, path /robots.txt, no query, fragment or
	 * credentials in the URL. */
	if ((u = curl_url_dup(req->cu)) == NULL ||
	    curl_url_set(u, CURLUPART_PATH, "/robots.txt", 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		goto fail;
	*url = xstrdup(s);
	rc = 0;
fail:
	if (rc < 0) {
		free(*path);
		*path = NULL;
	}
	curl_free(scheme);
	curl_free(p);
	curl_free(q);
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}

static unsigned
rc_hash(const char *s)
{
	unsigned h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
rc_unlink(struct robots_entry *e)
{
	if (e->lprev != NULL)
		e->lprev->lnext = e->lnext;
	else
		rc_head = e->lnext;
	if (e->lnext != NULL)
		e->lnext->lprev = e->lprev;
	else
		rc_tail = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void
rc_front(struct robots_entry *e)
{
	e->lnext = rc_head;
	if (rc_head != NULL)
		rc_head->lprev = e;
	rc_head = e;
	if (rc_tail == NULL)
		rc_tail = e;
}

static void
rc_destroy(struct robots_entry *e)
{
	struct robots_entry **pp;

	for (pp = &rc_table[e->hash % RC_BUCKETS]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	rc_unlink(e);
	rc_bytes -= e->rules.bytes;
	robots_free(&e->rules);
	free(e);
	rc_count--;
}

struct robots_entry *
robots_cache_get(const char *key)
{
	unsigned hash = rc_hash(key);
	struct robots_entry *e;
	size_t len;

	for (e = rc_table[hash % RC_BUCKETS]; e != NULL; e = e->next)
		if (e->hash == hash && strcmp(e->key, key) == 0)
			break;
	if (e == NULL) {
		len = strlen(key);
		e = xcalloc(1, sizeof(*e) + len + 1);
		memcpy(e->key, key, len + 1);
		e->hash = hash;
		e->state = ROBOTS_NEW;
		robots_init(&e->rules);
		waitq_init(&e->waiters);
		e->next = rc_table[hash % RC_BUCKETS];
		rc_table[hash % RC_BUCKETS] = e;
		rc_count++;
	} else
		rc_unlink(e);
	rc_front(e);
	e->refs++;
	return e;
}

void
robots_cache_put(struct robots_entry *e)
{
	struct robots_entry *x, *prev;

	e->refs--;
	/* Pinned or unfinished entries stay: their number is bounded by
	 * the tasks alive (-c plus --queue). */
	for (x = rc_tail; x != NULL && (rc_count > ROBOTS_CACHE_MAX ||
	    rc_bytes > (size_t)ROBOTS_CACHE_BYTES);
	    x = prev) {
		prev = x->lprev;
		if (x->refs == 0 && x->state != ROBOTS_FETCHING)
			rc_destroy(x);
	}
}

void
robots_cache_wait(struct robots_entry *e, struct waiter *w)
{
	waitq_push(&e->waiters, w);
}

void
robots_cache_cancel(struct robots_entry *e, struct waiter *w)
{
	waitq_remove(&e->waiters, w);
}

void
robots_cache_set(struct robots_entry *e, const char *text, size_t len)
{
	rc_bytes -= e->rules.bytes;
	robots_free(&e->rules);
	if (text != NULL)
		robots_parse(&e->rules, text, len, rc_agent);
	rc_bytes += e->rules.bytes;
	e->state = ROBOTS_READY;
	while (waitq_grant(&e->waiters) != NULL)
		;
}

void
robots_cache_free_all(void)
{
	while (rc_head != NULL)
		rc_destroy(rc_head);
}
