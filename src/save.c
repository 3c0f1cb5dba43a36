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

#include <cjson/cJSON.h>

#include "save.h"
#include "savename.h"
#include "util.h"
#include "xfer_state.h"

#define SAVE_TRIES	16	/* temporary names tried before giving up */

static const char	*save_dir;	/* as given, for messages */
static int		 save_dirfd = -1;	/* owned: save_cleanup() */
static const char	*save_as;	/* --save-as template, or NULL */
static struct save_name {
	uint64_t	 hash;		/* of the name, 0 = free */
	uint64_t	 index;		/* the request that published it */
}			*save_names;	/* malloced: the names this run
					 * published (--save-as), open
					 * addressing */
static size_t		 save_names_cap, save_names_n;

int
save_init(const char *dir, const char *tmpl, char *err, size_t errlen)
{
	char why[200];

	save_dir = dir;
	save_as = tmpl;
	if (tmpl != NULL && savename_check(tmpl, why, sizeof(why)) < 0) {
		(void)snprintf(err, errlen, "--save-as: '%s' is not valid: "
		    "%s", tmpl, why);
		return -1;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		(void)snprintf(err, errlen, "--save: '%s' is not valid: "
		    "cannot create the directory: %s",
		    dir, strerror(errno));
		return -1;
	}
	/* A DIR that is itself a symlink is followed here, once. */
	save_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (save_dirfd < 0 || access(dir, W_OK | X_OK) < 0) {
		(void)snprintf(err, errlen, "--save: '%s' is not valid: "
		    "expected a directory you can write (it is made if "
		    "missing)", dir);
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
	free(save_names);
	save_names = NULL;
	save_names_cap = save_names_n = 0;
}

static int
save_claim_hash(uint64_t h, uint64_t index)
{
	size_t i = (size_t)(h % save_names_cap);

	while (save_names[i].hash != 0) {
		if (save_names[i].hash == h)
			return save_names[i].index == index ? 0 : -1;
		i = (i + 1) % save_names_cap;
	}
	save_names[i].hash = h;
	save_names[i].index = index;
	save_names_n++;
	return 0;
}

/* Claim name for request index: 0, or -1 when another request of the
 * run has published it already (an earlier attempt of the same request
 * may be replaced). Only a 64-bit hash is kept. */
static int
save_claim(const char *name, uint64_t index)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct save_name *old;
	size_t i, oldcap;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	if (h == 0)
		h = 1;
	if (save_names_n * 2 >= save_names_cap) {
		old = save_names;
		oldcap = save_names_cap;
		save_names_cap = oldcap ? oldcap * 2 : 1024;
		save_names = xcalloc(save_names_cap, sizeof(*save_names));
		save_names_n = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i].hash != 0)
				(void)save_claim_hash(old[i].hash,
				    old[i].index);
		free(old);
	}
	return save_claim_hash(h, index);
}


/* The parent directory of the relative path name, made (mode 0755) where
 * missing, each level opened with O_NOFOLLOW so that no link is ever
 * followed; *leaf is set to the last component. Returns a descriptor
 * (save_dirfd itself for a name without "/"), or -1 with errno. */
static int
save_parent(char *name, const char **leaf)
{
	char *c = name, *slash;
	int fd = save_dirfd, nfd, e;

	while ((slash = strchr(c, '/')) != NULL) {
		*slash = '\0';
		if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST)
			nfd = -1;
		else
			nfd = openat(fd, c, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		e = errno;
		*slash = '/';
		if (fd != save_dirfd)
			(void)close(fd);
		if (nfd < 0) {
			errno = e == ELOOP ? ENOTDIR : e;
			return -1;
		}
		fd = nfd;
		c = slash + 1;
	}
	*leaf = c;
	return fd;
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
save_publish(struct xfer *x, int pfd, const char *name)
{
	struct stat st;

	/* Only a regular file is ever replaced: whatever else was put
	 * there (a directory, a FIFO, a link) is left alone. rename()
	 * itself never follows a link, so the check cannot be raced into
	 * writing outside DIR. */
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode))
		return EEXIST;
	if (renameat(save_dirfd, x->save_tmp, pfd, name) < 0)
		return errno;
	return 0;
}

/* The name of x's file under DIR, into name (SAVENAME_MAX + 1 bytes):
 * its index, or the --save-as template rendered. -1 with a message in
 * why when the template gives no usable name. */
static int
save_name(struct xfer *x, char *name, size_t len, char *why, size_t wlen)
{
	struct savename_in in;
	cJSON *id = NULL;
	int r;

	if (save_as == NULL) {
		(void)snprintf(name, len, "%llu",
		    (unsigned long long)x->index);
		return 0;
	}
	in.index = x->index;
	in.id = NULL;
	/* A string id names the file by its value, any other by its JSON
	 * text (savename_render() sanitises either). */
	if (x->req->id != NULL && x->req->id[0] == '"' &&
	    (id = cJSON_ParseWithLength(x->req->id, x->req->id_len)) != NULL &&
	    cJSON_IsString(id))
		in.id = cJSON_GetStringValue(id);
	else
		in.id = x->req->id;
	in.host = x->req->host;
	in.url = x->req->url;
	in.content_type = x->res->content_type;
	/* "sha256:<hex>" without its prefix; the body's hash is known
	 * before the file is published (getinfo_result()). */
	in.hash = strncmp(x->res->hash, "sha256:", 7) == 0 ?
	    x->res->hash + 7 : "";
	r = savename_render(save_as, &in, name, len, why, wlen);
	cJSON_Delete(id);
	return r;
}

/* The request's record will name no file (this attempt saved none):
 * remove the one an earlier attempt published (the body of a 503 that
 * was retried), if it is still the regular file it made. */
static void
save_unpublish(struct xfer *x)
{
	const char *leaf;
	struct stat st;
	int pfd;

	if (x->save_prev == NULL)
		return;
	if ((pfd = save_parent(x->save_prev, &leaf)) >= 0) {
		if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			(void)unlinkat(pfd, leaf, 0);
		if (pfd != save_dirfd)
			(void)close(pfd);
	}
	free(x->save_prev);
	x->save_prev = NULL;
}

void
save_close(struct xfer *x, int keep)
{
	char name[SAVENAME_MAX + 1], path[SAVENAME_MAX + 4096];
	char why[200];
	const char *leaf;
	int failed = 0, pfd = -1;

	if (x->save_fd < 0)
		return;
	if (close(x->save_fd) < 0 && keep) {
		failed = errno;
		keep = 0;
	}
	x->save_fd = -1;
	why[0] = '\0';
	if (keep && save_name(x, name, sizeof(name), why, sizeof(why)) < 0) {
		failed = EINVAL;
		keep = 0;
	} else if (keep && save_as != NULL && save_claim(name,
	    x->index) < 0) {
		(void)snprintf(why, sizeof(why), "%s is already saved by "
		    "another request of this run", name);
		failed = EEXIST;
		keep = 0;
	} else if (keep && (pfd = save_parent(name, &leaf)) < 0) {
		failed = errno;
		keep = 0;
	}
	if (keep && (failed = save_publish(x, pfd, leaf)) != 0)
		keep = 0;
	if (pfd >= 0 && pfd != save_dirfd)
		(void)close(pfd);
	if (!keep)
		(void)unlinkat(save_dirfd, x->save_tmp, 0);
	x->save_tmp[0] = '\0';
	if (save_as == NULL || why[0] != '\0')
		(void)snprintf(name, sizeof(name), "%llu",
		    (unsigned long long)x->index);
	(void)snprintf(path, sizeof(path), "%s/%s", save_dir, name);
	if (failed && x->res->kind == KIND_NONE) {
		x->res->kind = KIND_WRITE;
		if (why[0] != '\0')
			(void)snprintf(x->res->message,
			    sizeof(x->res->message), "cannot save: %s", why);
		else if (failed == EEXIST)
			(void)snprintf(x->res->message,
			    sizeof(x->res->message), "cannot save %s: it "
			    "exists and is not a regular file", path);
		else
			(void)snprintf(x->res->message,
			    sizeof(x->res->message), "cannot save %s: %s",
			    path, strerror(failed));
	}
	if (keep) {
		x->res->file = xstrdup(path);
		/* An earlier attempt's file under another name ({ext} of
		 * another type, {hash} of another body) goes. */
		if (x->save_prev != NULL && strcmp(x->save_prev, name) != 0)
			save_unpublish(x);
		free(x->save_prev);
		x->save_prev = xstrdup(name);
	} else
		save_unpublish(x);
}

void
save_keep_previous(struct xfer *x)
{
	char name[SAVENAME_MAX + 1], path[SAVENAME_MAX + 4096], why[200];
	struct stat st;

	if (save_dirfd < 0 || x->res->file != NULL ||
	    save_name(x, name, sizeof(name), why, sizeof(why)) < 0)
		return;
	/* The file an earlier run published, if it is still a regular
	 * file (not followed through a link). */
	if (fstatat(save_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return;
	(void)snprintf(path, sizeof(path), "%s/%s", save_dir, name);
	x->res->file = xstrdup(path);
}
