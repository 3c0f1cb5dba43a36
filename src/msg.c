/* msg.c: warnings and errors on stderr, one format-checked entry point
 * each, so the progress line is cleared before any of them; and the one
 * writer of stderr. Once the run's loop is up (msg_nonblocking()), stderr
 * is written without blocking: a line that does not fit waits in a
 * bounded queue, and past the queue it is dropped and counted, so that a
 * stderr nobody reads never stalls the loop (signals, timeouts). */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "util.h"

#define MSG_QUEUE_MAX	(64 * 1024)	/* bytes waiting for stderr */

static void	(*msg_clear)(void);	/* progress_clear(), or NULL */
static int	  msg_quiet;
static int	  msg_fd = STDERR_FILENO; /* or our own description of
					 * it (msg_nonblocking()), open
					 * until exit */
static int	  msg_nb;		/* writes must not block */
static int	  msg_socket;		/* msg_fd is a socket: send()
					 * with MSG_DONTWAIT */
static char	  msg_q[MSG_QUEUE_MAX];	/* bytes waiting, whole lines */
static size_t	  msg_qlen;
static unsigned long long msg_dropped;	/* lines dropped, not yet told */

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

void
msg_nonblocking(void)
{
	char path[64];
	struct stat st, st2;
	int fd;

	if (msg_nb || fstat(STDERR_FILENO, &st) < 0 || S_ISREG(st.st_mode))
		return;
	msg_nb = 1;
	if (S_ISSOCK(st.st_mode)) {
		msg_socket = 1;
		return;
	}
	/* A description of our own: O_NONBLOCK on the inherited one would
	 * reach the shell and whoever else shares it. */
	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d",
	    STDERR_FILENO);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st2) == 0 && st2.st_dev == st.st_dev &&
	    st2.st_ino == st.st_ino) {
		msg_fd = fd;
		return;
	}
	if (fd >= 0)
		(void)close(fd);
	msg_nb = 0;	/* no way to write it without blocking: as before */
}

/* One non-blocking write: bytes written, 0 when there is no room now,
 * -1 when stderr is broken (nothing will ever be written). */
static ssize_t
msg_try(const char *p, size_t n)
{
	ssize_t w;

	do
		w = msg_socket ? send(msg_fd, p, n, MSG_DONTWAIT |
		    MSG_NOSIGNAL) : write(msg_fd, p, n);
	while (w < 0 && errno == EINTR);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return w;
}

/* Write what the queue holds, as far as stderr takes it now; then the
 * note of lines dropped. 0 when the queue is empty. */
static int
msg_push(void)
{
	char note[96];
	ssize_t w;
	size_t len;
	int n;

	while (msg_qlen > 0) {
		/* Whole lines of at most PIPE_BUF bytes, which a pipe takes
		 * whole or not at all: one that stays stalled is never left
		 * holding half a line. */
		len = msg_qlen;
		if (len > PIPE_BUF) {
			for (len = PIPE_BUF; len > 0 && msg_q[len - 1] != '\n';
			    len--)
				;
			if (len == 0)
				len = PIPE_BUF;
		}
		w = msg_try(msg_q, len);
		if (w < 0) {
			msg_qlen = 0;	/* nowhere to complain */
			msg_dropped = 0;
			return 0;
		}
		if (w == 0)
			return -1;
		memmove(msg_q, msg_q + w, msg_qlen - (size_t)w);
		msg_qlen -= (size_t)w;
	}
	if (msg_dropped > 0) {
		n = snprintf(note, sizeof(note), "cofetch: warning: %llu "
		    "line%s not shown: stderr was not read\n", msg_dropped,
		    msg_dropped == 1 ? "" : "s");
		msg_dropped = 0;
		memcpy(msg_q, note, (size_t)n);
		msg_qlen = (size_t)n;
		return msg_push();
	}
	return 0;
}

void
msg_write(const char *p, size_t n)
{
	ssize_t w;

	if (!msg_nb) {
		while (n > 0) {
			w = write(STDERR_FILENO, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return;		/* nowhere to complain */
			p += w;
			n -= (size_t)w;
		}
		return;
	}
	if (msg_push() < 0) {
		if (msg_qlen + n > sizeof(msg_q)) {
			/* A progress redraw (no newline) is no line lost. */
			msg_dropped += n > 0 && p[n - 1] == '\n';
			return;
		}
		memcpy(msg_q + msg_qlen, p, n);
		msg_qlen += n;
		return;
	}
	while (n > 0) {
		w = msg_try(p, n);
		if (w < 0)
			return;
		if (w == 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	if (n == 0)
		return;
	/* The rest of the line waits (cut to the queue: a message longer
	 * than 64 KiB is cofetch's own bug). */
	if (n > sizeof(msg_q))
		n = sizeof(msg_q);
	memcpy(msg_q, p, n);
	msg_qlen = n;
}

int
msg_drain(double max_secs)
{
	static double deadline;	/* of the first bounded drain; 0: none */
	struct pollfd pfd;
	sigset_t set;
	double now, left;
	int sig;

	if (!msg_nb)
		return 0;
	/* Blocked, a signal stays pending for the check below. */
	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGTERM);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	now = now_mono();
	/* One grace in all, however many drains share it. */
	if (max_secs >= 0 && (deadline == 0 || now + max_secs < deadline))
		deadline = now + max_secs;
	while (msg_push() < 0) {
		if ((sig = signal_stop_pending()) != 0)
			return sig;
		now = now_mono();
		left = deadline - now;
		if (deadline != 0 && left <= 0)
			break;
		pfd.fd = msg_fd;
		pfd.events = POLLOUT;
		/* Woken each 0.1 s to look for a signal. */
		(void)poll(&pfd, 1, deadline == 0 || left > 0.1 ? 100 :
		    (int)(left * 1000) + 1);
	}
	return 0;
}

static void
msg_vprint(const char *tag, const char *hint, const char *fmt, va_list ap)
{
	char line[2048], out[2200];
	int n;

	if (msg_clear != NULL)
		msg_clear();
	/* Formatted whole first, then one write: lines from -P children
	 * and the progress line do not interleave mid-line. */
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		line[0] = '\0';
	n = snprintf(out, sizeof(out), "cofetch: %s%s\n%s", tag, line, hint);
	if (n < 0)
		return;
	msg_write(out, (size_t)n < sizeof(out) ? (size_t)n :
	    sizeof(out) - 1);
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
