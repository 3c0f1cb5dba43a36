/* charset.c: text bodies in a declared charset, converted to UTF-8 with
 * iconv(3), a piece at a time straight into the record. */
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "json.h"

#define CHARSET_PIECE	16384	/* UTF-8 bytes converted at a time */

int
charset_of(const char *content_type, char *name, size_t size)
{
	const char *p, *v;
	size_t n;

	if (content_type == NULL)
		return -1;
	for (p = content_type; (p = strchr(p, ';')) != NULL; ) {
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		v = p + 8;
		if (*v == '"')
			v++;
		n = strcspn(v, "\"; \t");
		if (n == 0 || n >= size)
			return -1;
		memcpy(name, v, n);
		name[n] = '\0';
		if (strcasecmp(name, "utf-8") == 0 ||
		    strcasecmp(name, "utf8") == 0 ||
		    strcasecmp(name, "us-ascii") == 0)
			return -1;
		return 0;
	}
	return -1;
}

int
charset_add_json(struct buf *out, const char *charset, const char *body,
    size_t len)
{
	char piece[CHARSET_PIECE], *in = (char *)body, *o;
	size_t inleft = len, oleft, mark = out->len;
	iconv_t cd;
	int failed = 0;

	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return -1;
	buf_addc(out, '"');
	while (inleft > 0 && !failed) {
		o = piece;
		oleft = sizeof(piece);
		if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 &&
		    errno != E2BIG)
			failed = 1;	/* EILSEQ, EINVAL: not this charset */
		json_add_text(out, piece, sizeof(piece) - oleft, JSON_ESCAPE);
	}
	(void)iconv_close(cd);
	if (failed) {
		out->len = mark;
		return -1;
	}
	buf_addc(out, '"');
	return 0;
}
