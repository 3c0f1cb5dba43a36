/* msg.c: warnings and errors on stderr, one format-checked entry point
 * each, so the progress line is cleared before any of them. */
#include <stdarg.h>
#include <stdio.h>

#include "msg.h"

static void	(*msg_clear)(void);	/* progress_clear(), or NULL */
static int	  msg_quiet;

void
msg_set_clear_hook(void (*clear)(void))
{
	msg_clear = clear;
}

void
msg_set_quiet(int quiet)
{
	msg_quiet = quiet;
}

static void
msg_vprint(const char *tag, const char *hint, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	if (msg_clear != NULL)
		msg_clear();
	/* Formatted whole first, then one write: lines from -P children
	 * and the progress line do not interleave mid-line. */
	n = vsnprintf(line, sizeof(line), fmt, ap);

	if (n < 0)
		line[0] = '\0';
	(void)fprintf(stderr, "cofetch: %s%s\n%s", tag, line, hint);
	(void)fflush(stderr);
}

void
warnf(const char *fmt, ...)
{
	va_list ap;

	if (msg_quiet)
		return;
	va_start(ap, fmt);
	msg_vprint("warning: ", "", fmt, ap);
	va_end(ap);
}

void
errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vprint("", "", fmt, ap);
	va_end(ap);
}

void
infof(const char *fmt, ...)
{
	va_list ap;

	if (msg_quiet)
		return;
	va_start(ap, fmt);
	msg_vprint("", "", fmt, ap);
	va_end(ap);
}

void
usagef(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vprint("", "Try 'cofetch --help'.\n", fmt, ap);
	va_end(ap);
}
