/* outfile.c: the records file, opened at start: refused when it is one of
 * the inputs, and with --resume checked to be the records of an earlier
 * run of the same input, then opened for appending; at the end, what
 * its reader did not take. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "outfile.h"
#include "output.h"

/* Is one of the inputs the file the records would go to (also through a
 * symlink or a hard link)? Checked before the output is opened, which
 * would truncate the list (cat refuses the same way). */
int
outfile_check_same(const struct opts *o, char *err, size_t errlen)
{
	struct stat out, in;
	size_t i, n = o->ninputs;
	const char *name;
	int r;

	if (o->output != NULL ? stat(o->output, &out) : fstat(1, &out))
		return 0;			/* made new: no input */
	if (!S_ISREG(out.st_mode))
		return 0;
	if (n == 0 && o->nurls == 0)
		n = 1;				/* stdin */
	for (i = 0; i < n; i++) {
		name = o->ninputs > 0 ? o->inputs[i] : "-";
		r = strcmp(name, "-") == 0 ? fstat(0, &in) : stat(name, &in);
		if (r == 0 && in.st_dev == out.st_dev &&
		    in.st_ino == out.st_ino) {
			(void)snprintf(err, errlen, "%s: input file is "
			    "output file", strcmp(name, "-") == 0 ?
			    "stdin" : name);
			return -1;
		}
	}
	return 0;
}

static int	 outfile_stdout_closed;	/* outfile_std_fds() */

void
outfile_std_fds(void)
{
	int fd, nfd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (fd == 1)
			outfile_stdout_closed = 1;
		/* The lowest free number: fd itself (no /dev/null in a
		 * chroot: left closed, as before). */
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd >= 0 && nfd != fd)
			(void)close(nfd);
	}
}

int
outfile_open(const struct opts *o, struct resume *resumed, int *fd,
    char *err, size_t errlen)
{
	struct stat st;

	if (o->output == NULL && outfile_stdout_closed) {
		(void)snprintf(err, errlen, "cannot write stdout: it is "
		    "closed (give -o FILE)");
		return -1;
	}
	if (o->output == NULL) {
		*fd = 1;
		return 0;
	}
	*fd = open(o->output, O_CLOEXEC | O_CREAT |
	    (o->resume ? O_RDWR : O_WRONLY | O_TRUNC), 0644);
	if (*fd < 0 && o->resume && errno == EISDIR) {
		(void)snprintf(err, errlen, "--resume: %s is not a regular "
		    "file: it must be the records of an earlier run",
		    o->output);
		return -2;
	}
	if (*fd < 0) {
		(void)snprintf(err, errlen, "cannot write %s: %s",
		    o->output, strerror(errno));
		return -1;
	}
	if (o->resume) {
		/* Reading back a FIFO (opened read-write, so never at end)
		 * would wait for ever. */
		if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			(void)snprintf(err, errlen, "--resume: %s is not a "
			    "regular file", o->output);
			return -2;
		}
		if (resume_check(*fd, o->output, err, errlen) < 0)
			return -2;	/* the wrong file: a usage error */
		if (resume_load(resumed, *fd, o->output, err, errlen) < 0)
			return -1;
		if (lseek(*fd, 0, SEEK_END) < 0 ||
		    fcntl(*fd, F_SETFL, O_APPEND) < 0) {
			(void)snprintf(err, errlen, "cannot append to %s: %s",
			    o->output, strerror(errno));
			return -1;
		}
	}
	return 0;
}

void
outfile_report_unwritten(const struct opts *o)
{
	uint64_t n;
	int cut;

	n = output_unwritten(&cut);
	if (n == 0)
		return;
	errorf("%llu record%s could not be written to %s (the reader did "
	    "not take %s)%s", (unsigned long long)n, n == 1 ? "" : "s",
	    o->output ? o->output : "stdout", n == 1 ? "it" : "them",
	    cut ? "; the last one written is cut short" : "");
}
