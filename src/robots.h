/* robots.h: robots.txt (RFC 9309) as a pure parser and matcher: the
 * group that applies to one product token (or "*"), its Allow and
 * Disallow rules matched longest-first, and its Crawl-delay. No I/O. */
#ifndef COFETCH_ROBOTS_H
#define COFETCH_ROBOTS_H

#include <stddef.h>

/* At most this much of a robots.txt is read (RFC 9309 2.5 asks for at
 * least 500 KiB); the rest is ignored. */
#define ROBOTS_MAX_BYTES	(512 * 1024)
/* A Crawl-delay above this many seconds counts as this. */
#define ROBOTS_MAX_DELAY	3600.0

struct robots_rule {
	char		*pattern;	/* owned: normalised (robots_norm) */
	size_t		 len;		/* its length: the match's weight */
	int		 allow;		/* Allow, else Disallow */
};

/* The rules of the group(s) for one agent; all owned. */
struct robots {
	struct robots_rule *rules;	/* owned array */
	size_t		 n, cap;
	double		 crawl_delay;	/* seconds, or 0: none */
	size_t		 bytes;		/* memory held, for a cache's cap */
};

void	robots_init(struct robots *r);
void	robots_free(struct robots *r);	/* leaves it as robots_init() */
/* Parse text (len bytes, at most ROBOTS_MAX_BYTES of it are read) for
 * the product token agent (e.g. "cofetch"): the groups naming it (case
 * does not matter), combined, else the groups for "*", else none (allow
 * everything). r is freed first. */
void	robots_parse(struct robots *r, const char *text, size_t len,
	    const char *agent);
/* Is path (the URL's path and query, "/a?b") allowed? The longest
 * matching rule decides, Allow on a tie; none matching, or "/robots.txt",
 * allows. *rule (if not NULL) is set to the deciding rule or NULL. */
int	robots_allowed(const struct robots *r, const char *path,
	    const struct robots_rule **rule);
/* The product token of a User-Agent value: its leading run of letters,
 * '-' and '_', lower-cased, into out (at most len bytes with the NUL);
 * "*" when there is none. */
void	robots_token(const char *ua, char *out, size_t len);

#endif
