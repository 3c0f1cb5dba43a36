/* kind.h: the closed set of error kinds of SPEC "Output records". */
#ifndef COFETCH_KIND_H
#define COFETCH_KIND_H

enum kind {
	KIND_NONE = 0,		/* no error: the record is ok */
	KIND_INVALID_INPUT,
	KIND_INVALID_URL,
	KIND_DNS,
	KIND_CONNECT,
	KIND_TLS,
	KIND_TIMEOUT,
	KIND_SEND,
	KIND_RECV,
	KIND_PROTOCOL,
	KIND_TOO_MANY_REDIRECTS,
	KIND_TOO_LARGE,
	KIND_HTTP,
	KIND_CANCELLED,
	KIND_WRITE,
	KIND_INTERNAL,
	KIND_COUNT
};

/* "invalid_input", ...; "none" for KIND_NONE. Static storage. */
const char	*kind_name(enum kind k);
/* The kind named s, or -1 if s names none (KIND_NONE is not parsed). */
int		 kind_parse(const char *s);

#endif
