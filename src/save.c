/* save.c: the --save files: made under the directory descriptor opened at
 * start, as temporaries no one can predict or plant, published whole with
 * renameat(). Nothing from the network is ever used in a name. */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "save.h"
#include "util.h"
#include "xfer.h"

#define SAVE_TRIES	16	/* temporary names tried before giving up */

static const char	*save_dir;	/* as given, for messages */
static int		 save_dirfd = -1;	/* owned: save_cleanup() */

int
save_init(const char *dir, char *err, size_t errlen)
{
	save_dir = dir;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		(void)snprintf(err, errlen, "--save: '%s' is not valid: "
		    "cannot create the directory: %s\nTry 'cofetch --help'.",
		    dir, strerror(errno));
		return -1;
	}
	/* A DIR that is itself a symlink is followed here, once. */
	save_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (save_dirfd < 0 || access(dir, W_OK | X_OK) < 0) {
		(void)snprintf(err, errlen, "--save: '%s' is not valid: "
		    "expected a directory you can write (it is made if "
		    "missing)\nTry 'cofetch --help'.", dir);
		save_cleanup();
		return -1;
	}
	return 0;
}

void
save_cleanup(void)
{
	if (save_dirfd >= 0)
		(void)close(save_dirfd);
	save_dirfd = -1;
}

void
save_path(char *buf, size_t len, uint64_t index)
{
	(void)snprintf(buf, len, "%s/%llu", save_dir,
	    (unsigned long long)index);
}

/* 64 bits no other process can guess. */
static unsigned long long
save_nonce(void)
{
	unsigned long long r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == sizeof(r))
		return r;
	return ((unsigned long long)lrand48() << 32) ^
	    (unsigned long long)lrand48() ^
	    (unsigned long long)(now_mono() * 1e9);
}

static void
save_error(struct xfer *x, const char *what, const char *name, int err)
{
	x->res->kind = KIND_WRITE;
	(void)snprintf(x->res->message, sizeof(x->res->message),
	    "%s %s/%s: %s", what, save_dir, name, strerror(err));
}

int
save_open(struct xfer *x, const struct request *req)
{
	int i;

	x->save_fd = -1;
	for (i = 0; i < SAVE_TRIES; i++) {
		(void)snprintf(x->save_tmp, sizeof(x->save_tmp),
		    ".%llu.%016llx.part", (unsigned long long)req->index,
		    save_nonce());
		/* O_EXCL: a new file or nothing; a planted name (a link, a
		 * FIFO, another run's file) is just taken, and another
		 * tried. */
		x->save_fd = openat(save_dirfd, x->save_tmp, O_WRONLY |
		    O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (x->save_fd >= 0 || errno != EEXIST)
			break;
	}
	if (x->save_fd < 0) {
		save_error(x, "cannot create", x->save_tmp, errno);
		x->save_tmp[0] = '\0';
		return -1;
	}
	return 0;
}

int
save_write(struct xfer *x, const char *p, size_t len)
{
	size_t off;
	ssize_t w;

	for (off = 0; off < len; off += (size_t)w) {
		w = write(x->save_fd, p + off, len - off);
		if (w < 0 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0) {
			x->write_failed = 1;
			x->write_errno = w < 0 ? errno : ENOSPC;
			return -1;
		}
	}
	return 0;
}

/* Publish the temporary as name. Returns 0 or an errno. */
static int
save_publish(struct xfer *x, const char *name)
{
	struct stat st;

	/* Only a regular file is ever replaced: whatever else was put
	 * there (a directory, a FIFO, a link) is left alone. rename()
	 * itself never follows a link, so the check cannot be raced into
	 * writing outside DIR. */
	if (fstatat(save_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode))
		return EEXIST;
	if (renameat(save_dirfd, x->save_tmp, save_dirfd, name) < 0)
		return errno;
	return 0;
}

void
save_close(struct xfer *x, int keep)
{
	char name[32], path[4096];
	int failed = 0;

	if (x->save_fd < 0)
		return;
	if (close(x->save_fd) < 0 && keep) {
		failed = errno;
		keep = 0;
	}
	x->save_fd = -1;
	(void)snprintf(name, sizeof(name), "%llu",
	    (unsigned long long)x->index);
	if (keep && (failed = save_publish(x, name)) != 0)
		keep = 0;
	if (!keep)
		(void)unlinkat(save_dirfd, x->save_tmp, 0);
	x->save_tmp[0] = '\0';
	save_path(path, sizeof(path), x->index);
	if (failed && x->res->kind == KIND_NONE) {
		x->res->kind = KIND_WRITE;
		if (failed == EEXIST)
			(void)snprintf(x->res->message,
			    sizeof(x->res->message), "cannot save %s: it "
			    "exists and is not a regular file", path);
		else
			(void)snprintf(x->res->message,
			    sizeof(x->res->message), "cannot save %s: %s",
			    path, strerror(failed));
	}
	if (keep)
		x->res->file = xstrdup(path);
}
