/* input_line.c: is a line a request? (input_line.h) */
#include <stddef.h>
#include <stdint.h>

#include "ascii.h"
#include "input_line.h"

static const unsigned char utf8_bom[3] = { 0xef, 0xbb, 0xbf };

size_t
input_line_feed(struct line_class *lc, const char *p, size_t n)
{
	size_t i;
	unsigned char c;
	uint64_t col;

	if (lc->decided != 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		col = lc->col++;
		if (col < 3 && (uint64_t)lc->bom == col) {
			if (c == utf8_bom[col]) {
				lc->bom++;
				continue;
			}
			if (lc->bom > 0) {
				/* Part of a byte order mark: no white space,
				 * so a request (an invalid one). */
				lc->decided = 1;
				return i;
			}
		}
		if (!ascii_is_space(c)) {
			lc->decided = c == '#' ? -1 : 1;
			return i;
		}
	}
	return n;
}

int
input_line_end(const struct line_class *lc)
{
	return lc->decided > 0 || (lc->decided == 0 && lc->bom > 0 &&
	    lc->bom < 3);
}

int
input_line_is_request(const char *line, size_t len)
{
	struct line_class lc = { 0, 0, 0 };

	(void)input_line_feed(&lc, line, len);
	return input_line_end(&lc);
}
