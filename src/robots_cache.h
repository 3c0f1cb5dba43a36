/* robots_cache.h: --robots for the run: each origin's robots.txt rules,
 * fetched once and kept in a bounded LRU cache, and the requests that
 * wait while one task fetches them. */
#ifndef COFETCH_ROBOTS_CACHE_H
#define COFETCH_ROBOTS_CACHE_H

#include "request.h"
#include "robots.h"
#include "waitq.h"

/* Origins whose rules are kept; the least recently used unpinned ones
 * go first (and are fetched again when met again). */
#define ROBOTS_CACHE_MAX	1024
/* ... and as long as their rules take more than this many bytes. */
#define ROBOTS_CACHE_BYTES	(64L * 1024 * 1024)

enum robots_state {
	ROBOTS_NEW,		/* nobody fetches it yet: the getter must */
	ROBOTS_FETCHING,	/* a task fetches it; others wait */
	ROBOTS_READY		/* rules known (none: allow all) */
};

struct robots_entry {
	struct robots_entry *next;		/* hash chain */
	struct robots_entry *lprev, *lnext;	/* LRU list, newest first */
	unsigned	 hash;
	long		 refs;			/* tasks holding it */
	enum robots_state state;
	struct robots	 rules;			/* owned, when READY */
	struct waitq	 waiters;		/* tasks waiting for READY */
	char		 key[];			/* "scheme://host:port" */
};

/* Once: the product token the rules are for, from the User-Agent (ua
 * is not kept). */
void	robots_cache_setup(const char *ua);
/* The origin key of req ("http://host:port") and the URL of its
 * robots.txt (malloced, into *url) and the path and query to match
 * (malloced, into *path). -1 when req has none. */
int	robots_cache_origin(const struct request *req, char *key,
	    size_t keylen, char **url, char **path);
/* The entry for key, pinned (a reference taken), made as ROBOTS_NEW if
 * new; it becomes the most recently used. */
struct robots_entry *robots_cache_get(const char *key);
/* Drop the reference; then trim the cache to ROBOTS_CACHE_MAX entries
 * and ROBOTS_CACHE_BYTES. */
void	robots_cache_put(struct robots_entry *e);
/* Queue w (w->who set) until e is READY; w->granted is then set. */
void	robots_cache_wait(struct robots_entry *e, struct waiter *w);
void	robots_cache_cancel(struct robots_entry *e, struct waiter *w);
/* The fetch ended: text (len bytes) is the robots.txt, or NULL for
 * "allow everything". e becomes READY and its waiters are woken. */
void	robots_cache_set(struct robots_entry *e, const char *text,
	    size_t len);
void	robots_cache_free_all(void);

#endif
