/* save.h: the --save files. Every file is made relative to the directory
 * opened once at start (a DIR that is a symlink is followed then, and
 * only then), as a new temporary with an unpredictable name (O_CREAT |
 * O_EXCL | O_NOFOLLOW: never an existing file, never through a link, never
 * a FIFO), and published whole with renameat(): a file named for an index
 * is complete or absent, also when several runs share DIR (the last
 * writer wins, with a whole file). */
#ifndef COFETCH_SAVE_H
#define COFETCH_SAVE_H

#include <stddef.h>
#include <stdint.h>

#include "request.h"

struct xfer;

/* Once, before any transfer: make dir if missing and open it; tmpl is the
 * --save-as template or NULL (files named by index). On failure a message
 * (naming the option) is left in err and -1 returned. dir and tmpl are
 * not copied and must outlive the run. */
int	save_init(const char *dir, const char *tmpl, char *err,
	    size_t errlen);
void	save_cleanup(void);
/* Open the temporary file for req's body (x->save_fd). On failure x->res
 * has kind `write` and a message, and -1 is returned. */
int	save_open(struct xfer *x, const struct request *req);
/* Write body bytes to x's file. -1 (x->write_failed, x->write_errno set)
 * when the file cannot take them. */
int	save_write(struct xfer *x, const char *p, size_t len);
/* Close the temporary; publish it under its final name when keep (a
 * failure to do so becomes a `write` error in x->res), else remove it.
 * x->res->file is set (malloced) for a published file. Idempotent. */
void	save_close(struct xfer *x, int keep);
/* A 304 (--state): point x->res->file at the file an earlier run saved
 * under this request's name, when it is there. */
void	save_keep_previous(struct xfer *x);
/* The final path of index without --save-as, into buf (messages). */
void	save_path(char *buf, size_t len, uint64_t index);

#endif
