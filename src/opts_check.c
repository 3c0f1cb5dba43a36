/* opts_check.c: the checks across options once all are parsed: stdin
 * read once, files written at the end writable at the start, what -P
 * cannot share, options that need another. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "opts_int.h"

/* --cookie-jar and --metrics are written at the end of the run: check
 * now that they can be, so a run never ends with its cookies or metrics
 * lost. The directory of path must be writable (--metrics goes through a
 * temporary file there, renamed over path); with in_place (libcurl
 * writes the jar itself), so must path if it exists. Usage error, -1,
 * if not. */
static int
opts_end_file_writable(const char *opt, const char *path, int in_place)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 1 : slash == path ? 1 :
	    (size_t)(slash - path);
	struct stat st;

	if (path[0] == '\0') {
		usagef("%s: expected a file name", opt);
		return -1;
	}
	if (slash == NULL)
		(void)snprintf(dir, sizeof(dir), ".");
	else
		(void)snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
	if (access(dir, W_OK | X_OK) < 0) {
		usagef("%s: '%s' is not valid: cannot write in its directory "
		    "%s (%s)", opt, path, dir, strerror(errno));
		return -1;
	}
	if (in_place && access(path, F_OK) == 0 && access(path, W_OK) < 0) {
		usagef("%s: '%s' is not valid: cannot write it (%s)", opt,
		    path, strerror(errno));
		return -1;
	}
	/* --metrics is written through a temporary file renamed over it:
	 * anything but a regular file there would be replaced (as root, a
	 * device node). libcurl opens a --cookie-jar when the run ends: a
	 * FIFO would block the exit for good; a device such as /dev/null
	 * is written to as curl does. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && (!in_place ||
	    S_ISDIR(st.st_mode) || S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode))) {
		usagef("%s: '%s' is not valid: expected a regular file, not "
		    "%s", opt, path, S_ISDIR(st.st_mode) ? "a directory" :
		    S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or socket");
		return -1;
	}
	return 0;
}

int
opts_check_processes(const struct opts *o)
{
	const char *name = o->state_file != NULL ? "--state" :
	    o->metrics_file != NULL ? "--metrics" :
	    o->cookie_jar != NULL ? "--cookie-jar" : NULL;

	if (o->processes <= 1 || name == NULL)
		return 0;
	usagef("-P %ld and %s: its file has a single writer, and %ld "
	    "processes would each write it; use -P 1", o->processes, name,
	    o->processes);
	return -1;
}

/* Stdin can be read once: by the input (-i -, or no URLs and no -i), by
 * one -d @- or by one -H @-, never by two of them. Stdin named another
 * way (/dev/stdin, /dev/fd/0) counts as stdin. */
static int
opts_check_stdin(const struct opts *o)
{
	char ilabel[2][512];
	const char *who[2];
	size_t i, n = 0, total = o->nstdin_readers;

	/* The first two readers are the ones named. */
	for (i = 0; i < o->nstdin_readers && n < 2; i++)
		who[n++] = o->stdin_readers[i];
	for (i = 0; i < o->ninputs; i++) {
		if (!opts_path_is_stdin(o->inputs[i]))
			continue;
		total++;
		if (n < 2) {
			(void)snprintf(ilabel[n], sizeof(ilabel[n]), "-i %s",
			    o->inputs[i]);
			who[n] = ilabel[n];
			n++;
		}
	}
	if (o->nurls == 0 && o->ninputs == 0) {
		total++;
		if (n < 2)
			who[n++] = "the input (no URL arguments, no -i)";
	}
	if (total < 2)
		return 0;
	if (strcmp(who[0], who[1]) == 0)
		usagef("%s given more than once: stdin can be read only once",
		    who[0]);
	else
		usagef("%s and %s both read stdin, which can be read only "
		    "once%s", who[0], who[1], strncmp(who[1], "-i ", 3) == 0 ||
		    strncmp(who[1], "the input", 9) == 0 ? ": give URLs or "
		    "-i FILE" : "");
	return -1;
}

int
opts_check_pairs(struct opts *o)
{
	if (opts_check_stdin(o) < 0)
		return -1;
	if (opts_check_processes(o) < 0)
		return -1;
	if (o->only_changed && o->state_file == NULL) {
		usagef("--only-changed needs --state FILE: it compares with "
		    "what the store holds");
		return -1;
	}
	if (o->metrics_per_host && o->metrics_file == NULL) {
		usagef("--metrics-per-host needs --metrics FILE");
		return -1;
	}
	if (o->cookie_jar != NULL &&
	    opts_end_file_writable("--cookie-jar", o->cookie_jar, 1) < 0)
		return -1;
	if (o->metrics_file != NULL &&
	    opts_end_file_writable("--metrics", o->metrics_file, 0) < 0)
		return -1;
	if (o->state_file != NULL)
		o->hash = 1;		/* --state implies --hash */
	if (o->save_as != NULL && strstr(o->save_as, "{hash}") != NULL)
		o->hash = 1;		/* so does --save-as {hash} */
	return 0;
}
