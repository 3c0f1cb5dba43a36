/* kind.c: error kind names. */
#include <string.h>

#include "kind.h"

static const char *const kind_names[KIND_COUNT] = {
	"none", "invalid_input", "invalid_url", "dns", "connect", "tls",
	"timeout", "send", "recv", "protocol", "too_many_redirects",
	"too_large", "http", "cancelled", "write", "internal",
};

const char *
kind_name(enum kind k)
{
	if ((int)k < 0 || k >= KIND_COUNT)
		return "internal";
	return kind_names[k];
}

int
kind_parse(const char *s)
{
	int k;

	for (k = 1; k < KIND_COUNT; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}
