/* task.h: the fetch coroutine, one per admitted request: acquire the host
 * permit, wait for rate slots, transfer, classify, back off, retry, emit
 * the record, release. */
#ifndef COFETCH_TASK_H
#define COFETCH_TASK_H

#include <stdint.h>

#include <curl/curl.h>

#include "opts.h"
#include "rate.h"
#include "record.h"
#include "request.h"

struct ev_loop;

/* What the tasks need from the run (main.c). */
struct task_env {
	const struct opts	*o;
	struct ev_loop		*loop;
	struct rate		*rate;		/* -r, shared by all */
	/* Encode and hand over the record of a finished request. */
	void			(*emit)(uint64_t seq,
				    const struct request *req,
				    const struct result *res);
	/* A task ended: its global permit is free again. */
	void			(*done)(void);
};

void	task_setup(const struct task_env *env);
/* Start a task for req (its contents are moved into the task; req is left
 * as request_init()) with record sequence seq. The caller holds a global
 * permit, which the task now owns. */
void	task_spawn(struct request *req, uint64_t seq);
/* Cancel every live task: each ends with a `cancelled` record. */
void	task_cancel_all(void);
/* Drop every live task without a record (the output is gone). */
void	task_drop_all(void);
long	task_live(void);
/* xfer.c's done callback: the task's attempt has ended. */
void	task_xfer_done(void *owner);

#endif
