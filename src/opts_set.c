/* opts_set.c: the options whose value needs more than a parser and a
 * field: lists, files read at start, credentials. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "optval.h"
#include "opts_int.h"
#include "util.h"

char *
opts_own(struct opts *o, char *s)
{
	o->owned = xrealloc(o->owned, (o->nowned + 1) * sizeof(*o->owned));
	o->owned[o->nowned++] = s;
	return s;
}

/* Append s to a NULL-ended malloced array. */
static void
list_add(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* The whole of path ("-": stdin) into *out (malloced, NUL-ended). */
static int
read_file(const char *path, char **out, size_t *len)
{
	struct buf b;
	char chunk[65536];
	ssize_t n;
	int fd;

	fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	buf_init(&b);
	buf_reserve(&b, 1);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (fd != 0)
				(void)close(fd);
			buf_free(&b);
			return -1;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	if (fd != 0)
		(void)close(fd);
	buf_addc(&b, '\0');
	*out = b.data;
	*len = b.len - 1;
	return 0;
}

/* Whether path names this process's stdin: "-", or, when stdin is not a
 * regular file (a pipe, a terminal), a path to the same file by device
 * and inode (/dev/stdin, /dev/fd/0). A regular file redirected to stdin
 * and also named is read twice through separate opens, which is fine. */
int
opts_path_is_stdin(const char *path)
{
	struct stat in, st;

	if (strcmp(path, "-") == 0)
		return 1;
	if (fstat(0, &in) < 0 || S_ISREG(in.st_mode))
		return 0;
	return stat(path, &st) == 0 && st.st_dev == in.st_dev &&
	    st.st_ino == in.st_ino;
}

/* Note, for opts_check_stdin(), that option opt's value arg (an @FILE)
 * reads stdin, if it does. */
static void
note_stdin_reader(struct opts *o, const char *opt, const char *arg)
{
	char *label;
	size_t n;

	if (!opts_path_is_stdin(arg + 1))
		return;
	n = strlen(opt) + strlen(arg) + 2;
	label = opts_own(o, xmalloc(n));
	(void)snprintf(label, n, "%s %s", opt, arg);
	list_add(&o->stdin_readers, &o->nstdin_readers, label);
}

static int
cannot_read(const char *path, char *err, size_t errlen)
{
	(void)snprintf(err, errlen, "cannot read %s: %s", path,
	    strerror(errno));
	return -1;
}

int
opt_input(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	o->inputs = xrealloc(o->inputs, (o->ninputs + 1) *
	    sizeof(*o->inputs));
	o->inputs[o->ninputs++] = arg;
	return 0;
}

int
opt_header(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	char *text, *line, *next;
	size_t len;
	int lineno = 0;

	if (arg[0] != '@') {
		if (optval_header(arg, err, errlen) < 0)
			return -1;
		list_add(&o->headers, &o->nheaders, (char *)arg);
		return 0;
	}
	/* -H @FILE: one header a line, as curl reads it, so a token stays
	 * out of the process list. */
	note_stdin_reader(o, "-H", arg);
	if (read_file(arg + 1, &text, &len) < 0)
		return cannot_read(arg + 1, err, errlen);
	opts_own(o, text);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '\0')
			continue;
		if (optval_header(line, err, errlen) < 0) {
			len = strlen(err);
			(void)snprintf(err + len, errlen - len,
			    " (%s, line %d)", arg + 1, lineno);
			return -1;
		}
		list_add(&o->headers, &o->nheaders, line);
	}
	return 0;
}

/* -d and --data-binary given more than once: the pieces are merged with
 * '&' between them, as curl does. */
int
opt_data(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	char *piece, *p, *q;
	size_t len;
	int text = strcmp(d->name, "data") == 0;

	if (arg[0] != '@') {
		piece = xstrdup(arg);
		len = strlen(arg);
	} else {
		note_stdin_reader(o, text ? "-d" : "--data-binary", arg);
		if (read_file(arg + 1, &piece, &len) < 0)
			return cannot_read(arg + 1, err, errlen);
	}
	if (arg[0] == '@' && text) {
		/* -d @FILE drops every CR and LF, as curl does; the file is
		 * sent as is with --data-binary. */
		for (p = q = piece; p < piece + len; p++)
			if (*p != '\r' && *p != '\n')
				*q++ = *p;
		*q = '\0';
		len = (size_t)(q - piece);
	}
	if (o->data == NULL) {
		o->data = piece;
		o->data_len = len;
		return 0;
	}
	o->data = xrealloc(o->data, o->data_len + len + 2);
	o->data[o->data_len] = '&';
	memcpy(o->data + o->data_len + 1, piece, len + 1);
	o->data_len += len + 1;
	free(piece);
	return 0;
}

int
opt_body(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	int mode = BODY_AUTO;

	if (arg != NULL && optval_body(arg, &mode, err, errlen) < 0)
		return -1;
	o->body = (enum body_mode)mode;
	return 0;
}

int
opt_shard(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	return optval_shard(arg, &o->shard_k, &o->shard_n, err, errlen);
}

int
opt_retry_on(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	return retry_policy_parse(&o->retry_on, arg, err, errlen);
}

int
opt_user(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	char *colon;

	if (arg[0] == '\0' || arg[0] == ':' || strpbrk(arg, "\r\n")) {
		(void)snprintf(err, errlen, "expected USER:PASSWORD or USER");
		return -1;
	}
	o->user = opts_own(o, xstrdup(arg));
	/* Out of the process list, as curl does: ps shows USER:****. */
	colon = strchr(arg, ':');
	if (colon != NULL)
		memset(colon + 1, '*', strlen(colon + 1));
	return 0;
}

int
opt_netrc_file(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	if (opt_check_file(o, d, arg, err, errlen) < 0)
		return -1;
	o->netrc_file = arg;
	o->netrc = 1;
	return 0;
}

int
opt_cert(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	char *file = opts_own(o, xstrdup(arg)), *p, *q;

	/* FILE[:PASS]; "\:" is a colon of the file name, as in curl. */
	o->cert_pass = NULL;
	for (p = q = file; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] == ':')
			p++;
		else if (*p == ':') {
			o->cert_pass = p + 1;
			break;
		}
		*q++ = *p;
	}
	*q = '\0';
	o->cert = file;
	return opt_check_file(o, d, file, err, errlen);
}

int
opt_list(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	if (strcmp(d->name, "resolve") == 0) {
		if (optval_resolve(arg, err, errlen) < 0)
			return -1;
		list_add(&o->resolve, &o->nresolve, (char *)arg);
	} else {
		if (optval_connect_to(arg, err, errlen) < 0)
			return -1;
		list_add(&o->connect_to, &o->nconnect_to, (char *)arg);
	}
	return 0;
}

int
opt_cookie(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	/* As curl tells them apart: with a '=' it is cookie data. */
	if (strchr(arg, '=') != NULL) {
		if (optval_line(arg, err, errlen) < 0)
			return -1;
		o->cookie = arg;
		return 0;
	}
	if (arg[0] != '\0' && opt_check_file(o, d, arg, err, errlen) < 0)
		return -1;
	o->cookie_file = arg;
	return 0;
}

int
opt_head(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	o->method = "HEAD";
	return 0;
}

int
opt_check_method(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	return optval_method(arg, err, errlen);
}

int
opt_check_line(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	return optval_line(arg, err, errlen);
}

int
opt_proxy(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	char *at, *colon, *user;

	if (optval_proxy(arg, err, errlen) < 0)
		return -1;
	o->proxy = opts_own(o, xstrdup(arg));
	/* A password in the proxy URL leaves the process list, as -u's
	 * does: ps shows scheme://user:****@host. */
	user = strstr(arg, "://");
	user = user != NULL ? user + 3 : (char *)arg;
	at = strchr(user, '@');
	colon = strchr(user, ':');
	if (at != NULL && colon != NULL && colon < at)
		memset(colon + 1, '*', (size_t)(at - colon - 1));
	return 0;
}

int
opt_check_file(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	struct stat st;

	if (stat(arg, &st) < 0 || access(arg, R_OK) < 0)
		return cannot_read(arg, err, errlen);
	if (S_ISDIR(st.st_mode)) {
		(void)snprintf(err, errlen, "expected a file, not a "
		    "directory");
		return -1;
	}
	/* libcurl and OpenSSL read these files while requests run (the
	 * netrc and cookie files for every transfer, the CA file and keys
	 * at the first TLS connection), on the loop: open() of a FIFO
	 * would wait for a writer, past every signal and timeout. A device
	 * such as /dev/null is read as curl does. */
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		(void)snprintf(err, errlen, "expected a regular file, not %s "
		    "(it is read while requests run)", S_ISFIFO(st.st_mode) ?
		    "a FIFO or pipe" : "a socket");
		return -1;
	}
	return 0;
}

int
opt_check_dir(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	struct stat st;

	if (stat(arg, &st) < 0 || !S_ISDIR(st.st_mode)) {
		(void)snprintf(err, errlen, "expected a directory you can "
		    "read");
		return -1;
	}
	return 0;
}

int
opt_nop(struct opts *o, const struct opt_def *d, const char *arg,
    char *err, size_t errlen)
{
	return 0;
}
