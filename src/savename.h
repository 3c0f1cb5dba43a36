/* savename.h: --save-as names: a template with {index}, {id}, {host},
 * {path}, {ext} and {hash} rendered into a relative path that cannot leave DIR.
 * Every value from the request or the network is sanitised: no "..", no
 * absolute path, no control bytes, no name starting with "." (those are
 * cofetch's temporaries), bounded length. Pure functions. */
#ifndef COFETCH_SAVENAME_H
#define COFETCH_SAVENAME_H

#include <stddef.h>
#include <stdint.h>

#define SAVENAME_MAX	1024	/* a rendered path, bytes */
#define SAVENAME_PART	120	/* one value or one path component */

struct savename_in {
	uint64_t	 index;
	const char	*id;		/* the line's "id" as text, or NULL */
	const char	*host;		/* "host:port", or "" */
	const char	*url;		/* the request URL */
	const char	*content_type;	/* or NULL */
	const char	*hash;		/* hex SHA-256 of the body, or "" */
};

/* Is tmpl a usable template (known placeholders, a relative path that
 * names a file)? -1 with a message in err if not. */
int	savename_check(const char *tmpl, char *err, size_t errlen);
/* Render tmpl for in into out (SAVENAME_MAX + 1 bytes). -1 when the
 * result is not a usable name (too long), with a message in err. */
int	savename_render(const char *tmpl, const struct savename_in *in,
	    char *out, size_t outlen, char *err, size_t errlen);
/* The file extension for a content type ("bin" when unknown). */
const char	*savename_ext(const char *content_type);

#endif
