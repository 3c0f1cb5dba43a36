/* msg.h: every line cofetch writes to stderr goes through here, so the
 * progress line is cleared first and -q is honoured in one place. */
#ifndef COFETCH_MSG_H
#define COFETCH_MSG_H

#define MSG_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* Called before a message is written (the progress line clears itself). */
void	msg_set_clear_hook(void (*clear)(void));
/* -q: warnf() and infof() print nothing. */
void	msg_set_quiet(int quiet);
/* "cofetch: warning: ...\n", unless quiet. */
void	warnf(const char *fmt, ...) MSG_PRINTF(1, 2);
/* "cofetch: ...\n", always. */
void	errorf(const char *fmt, ...) MSG_PRINTF(1, 2);
/* "cofetch: ...\n", unless quiet (-v lines and notes). */
void	infof(const char *fmt, ...) MSG_PRINTF(1, 2);
/* errorf() and then the usage hint "Try 'cofetch --help'." */
void	usagef(const char *fmt, ...) MSG_PRINTF(1, 2);

#endif
