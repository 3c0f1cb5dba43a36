/* state.h: the --state store, an SQLite file that outlives the run. For
 * each request key it keeps the validators of the last response (ETag,
 * Last-Modified), the SHA-256 of the last content, the last status, when
 * the key was last fetched and when its content last changed.
 *
 * The key of a request is the exact JSON text of its "id" when the line
 * has one (e.g. 42 or "home"), else the method, one space and the URL
 * ("GET http://example.com/"). The two never collide: minified JSON has
 * no space outside a string, and a method cannot start with a quote.
 *
 * The layout (schema 3): "keys" maps each key to a row number, "responses"
 * holds that row's validators, hash, status and times, and the view
 * "entries" joins the two (what schema 2 kept in one table). Rows are
 * numbered in the order their keys were first stored, so a run that
 * visits its keys in the order of an earlier run updates neighbouring
 * rows: a batch of 1000 updates rewrites tens of pages, not a thousand
 * scattered over the key order.
 *
 * One run holds the file's lock from state_open() to state_close(): a
 * second run on the same file waits STATE_WAIT_MS for it, then fails.
 * Updates are batched into transactions of at most STATE_BATCH records
 * or STATE_BATCH_SEC seconds, committed from a timer, so a commit always
 * follows the output flush of the records it describes: the timer waits
 * for the output to have written them (output_settled()), and a reader
 * that falls behind keeps the batch open. The file is in
 * WAL mode with synchronous=NORMAL: a crash of the process (kill -9)
 * loses at most the updates of the batch under way, and nothing ever
 * corrupts the file. Commits do not fsync; a checkpoint (two fsyncs)
 * runs at the commit that takes the WAL past STATE_CHECKPOINT_PAGES, on
 * the loop, so a power loss can also take the batches committed since
 * the last one (their records are then reported again by the next
 * run). */
#ifndef COFETCH_STATE_H
#define COFETCH_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "opts.h"
#include "record.h"
#include "request.h"
#include "util.h"

#define STATE_WAIT_MS	5000	/* for a file another run holds */
/* Records per transaction, at most. Each commit writes every page its
 * batch changed; first sightings of keys change a page each, so 1000 was
 * about a WAL page written per two records, and 100k new keys into a 1M-key
 * store took 3.4 s of CPU against 2.6 s with 4000 or more (best of 4). */
#define STATE_BATCH	10000
#define STATE_BATCH_SEC	1.0	/* seconds per transaction, at most,
				 * when the output keeps up */
#define STATE_SETTLE_SEC 0.05	/* seconds between looks at an output
				 * still writing a batch's records */
#define STATE_CHECKPOINT_PAGES 10000	/* WAL pages (4 KB) between
					 * checkpoints: the WAL file grows
					 * to about 40 MB at most */

struct ev_loop;

/* What the store held for a key when its request started. */
struct state_prev {
	int64_t		 row;		/* the key's row in "responses", or 0
					 * when the key has none */
	int		 found;		/* a content hash is stored */
	unsigned char	 hash[HASH_LEN];
	char		 etag[256];	/* "" when none (sent only when
					 * found) */
	char		 last_modified[64];
};

/* Open (or create, or bring up to STATE_SCHEMA) the store at path and
 * take its lock. o and loop must outlive the store. -1 with the reason
 * in err: the file is held by another run, is not a cofetch state file,
 * or cannot be opened. */
int	state_open(const char *path, const struct opts *o,
	    struct ev_loop *loop, char *err, size_t errlen);
/* Commit what is pending (or, when !commit, drop the batch under way:
 * the records it describes may not have reached the reader) and close.
 * 0, or -1 when an update could not be written, with the reason in
 * err. */
int	state_close(int commit, char *err, size_t errlen);

/* What the store holds for req: a zeroed prev when nothing (or when no
 * store is open). */
void	state_lookup(const struct request *req, struct state_prev *prev);
/* Record the outcome of a finished request (after its record was
 * emitted). Cancelled requests and invalid lines leave the store as it
 * was. */
void	state_note(const struct request *req, const struct result *res);

/* Pure: r's "hash" and "changed" from its outcome, the digest of its body
 * (NULL when none was taken) and what the store held. A failure has
 * neither; a 304 has the stored hash and is unchanged; other content is
 * changed when its digest differs from a stored one, and unknown when
 * none was stored. */
void	state_compare(const struct state_prev *prev, struct result *r,
	    const unsigned char *digest);
/* Pure: the same for a response to HEAD, which has no body: no "hash";
 * a 304 is unchanged; another response is changed when its ETag (else
 * its Last-Modified) differs from the stored one, unchanged when it is
 * the same, and unknown when there is none to compare or no row. */
void	state_compare_head(const struct state_prev *prev, struct result *r);
/* The key of req (see above) into out, replacing its contents. */
void	state_key(struct buf *out, const struct request *req,
	    const struct opts *o);

#endif
