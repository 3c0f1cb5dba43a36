/* redact.c: a password in a URL's userinfo becomes "***" in records and
 * on stderr, as curl's verbose output writes it. */
#include <string.h>

#include "redact.h"
#include "util.h"

char *
redact_url(const char *url)
{
	const char *auth, *end, *at, *colon, *p;
	size_t head, tail;
	char *out;

	if (url == NULL || (p = strstr(url, "://")) == NULL)
		return NULL;
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	for (at = NULL, p = auth; p < end; p++)
		if (*p == '@')
			at = p;		/* the last one ends the userinfo */
	if (at == NULL ||
	    (colon = memchr(auth, ':', (size_t)(at - auth))) == NULL)
		return NULL;
	head = (size_t)(colon + 1 - url);
	tail = strlen(at);
	out = xmalloc(head + 3 + tail + 1);
	memcpy(out, url, head);
	memcpy(out + head, "***", 3);
	memcpy(out + head + 3, at, tail + 1);
	return out;
}
