/* msg.h: every line cofetch writes to stderr goes through here, so the
 * progress line is cleared first and -q is honoured in one place. */
#ifndef COFETCH_MSG_H
#define COFETCH_MSG_H

#include <stddef.h>

#define MSG_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* Called before a message is written (the progress line clears itself). */
void	msg_set_clear_hook(void (*clear)(void));
/* -q: warnf() and infof() print nothing. */
void	msg_set_quiet(int quiet);
/* From here on stderr is written without blocking (the loop is up): a
 * line it has no room for waits in a 64 KiB queue, and past that is
 * dropped and counted ("N lines not shown"). Not for a regular file. */
void	msg_nonblocking(void);
/* Write n bytes of p to stderr, whole lines (progress, --stats): the
 * one writer of stderr. */
void	msg_write(const char *p, size_t n);
/* As the run ends: wait for the queue to be written, at most max_secs
 * (< 0: no limit) counted from the first bounded call (one grace for
 * all), giving up at once when SIGINT or SIGTERM is pending or came
 * after signal_note_late() (they are blocked from here on). Before the
 * last lines, so that they find room, and after them. The signal that
 * cut the wait short, else 0. */
int	msg_drain(double max_secs);
/* "cofetch: warning: ...\n", unless quiet. */
void	warnf(const char *fmt, ...) MSG_PRINTF(1, 2);
/* "cofetch: ...\n", always. */
void	errorf(const char *fmt, ...) MSG_PRINTF(1, 2);
/* "cofetch: ...\n", unless quiet (-v lines and notes). */
void	infof(const char *fmt, ...) MSG_PRINTF(1, 2);
/* errorf() and then the usage hint "Try 'cofetch --help'." */
void	usagef(const char *fmt, ...) MSG_PRINTF(1, 2);

#endif
