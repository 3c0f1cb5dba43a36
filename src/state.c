/* state.c: the --state store on SQLite (see state.h for the contract).
 * Every statement is prepared once; a lookup is one primary-key probe of
 * a WITHOUT ROWID table, so the loop never waits on more than a few
 * B-tree pages, and memory is SQLite's page cache, whatever the number
 * of keys. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>
#include <sqlite3.h>

#include "output.h"
#include "msg.h"
#include "state.h"
#include "state_schema.h"

#define STATE_STR_(x)	#x
#define STATE_STR(x)	STATE_STR_(x)

/* A response with content for a stored row: everything is replaced but
 * the change time, which stays when the row holds this hash. That is
 * the record's "changed" unless the key ran twice at once: the record
 * compares with the row as its request found it, the row with the
 * content the last record stored. */
static const char state_sql_content[] =
	"UPDATE responses SET etag = ?2, last_modified = ?3, hash = ?4,"
	" status = ?5, fetched_at = ?6,"
	" changed_at = CASE WHEN hash IS ?4 THEN changed_at ELSE ?6 END"
	" WHERE id = ?1";
/* A 304, a response to HEAD or a failure: the stored content stands;
 * the validators of a response replace the stored ones when it carries
 * any; a HEAD whose validators changed (?6) sets the change time. */
static const char state_sql_touch[] =
	"UPDATE responses SET etag = coalesce(?2, etag),"
	" last_modified = coalesce(?3, last_modified), status = ?4,"
	" fetched_at = ?5, changed_at = coalesce(?6, changed_at)"
	" WHERE id = ?1";
/* A key with no row: a new row (numbered after every other, so the rows
 * of a run are neighbours), then its key. ?1 is unused. */
static const char state_sql_content_new[] =
	"INSERT INTO responses (etag, last_modified, hash, status,"
	" fetched_at, changed_at) VALUES (?2, ?3, ?4, ?5, ?6, ?6)";
static const char state_sql_touch_new[] =
	"INSERT INTO responses (etag, last_modified, status, fetched_at)"
	" VALUES (?2, ?3, ?4, ?5)";
/* The key of a new row; nothing when the key has a row already (its
 * request ran twice in this run, both started before either ended). */
static const char state_sql_key_new[] =
	"INSERT INTO keys (key, id) VALUES (?1, ?2) ON CONFLICT (key)"
	" DO NOTHING";
static const char state_sql_drop[] =
	"DELETE FROM responses WHERE id = ?1";
static const char state_sql_row[] =
	"SELECT id FROM keys WHERE key = ?1";
static const char state_sql_lookup[] =
	"SELECT r.id, r.etag, r.last_modified, r.hash"
	" FROM keys AS k JOIN responses AS r ON r.id = k.id WHERE k.key = ?1";

static sqlite3		*db;		/* owned, or NULL: no --state */
static sqlite3_stmt	*st_lookup, *st_content, *st_touch; /* owned */
static sqlite3_stmt	*st_content_new, *st_touch_new;	/* owned */
static sqlite3_stmt	*st_key_new, *st_drop, *st_row;	/* owned */
static const struct opts *so;
static const char	*spath;
static struct ev_loop	*sloop;
static ev_timer		 commit_w;	/* commits the batch */
static long		 pending;	/* updates since the last commit */
static int		 sfailed;	/* an update was lost */
static char		 serr[256];	/* why, for state_close() */
static struct buf	 skey;		/* reused key text */

/* Remember the first failure; the run goes on without the store. */
static void
state_fail(const char *what)
{
	if (sfailed)
		return;
	sfailed = 1;
	(void)snprintf(serr, sizeof(serr), "--state %s: %s: %s", spath, what,
	    db != NULL ? sqlite3_errmsg(db) : "out of memory");
	warnf("%s; later updates are not saved", serr);
}

static int
state_exec(const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* End the batch under way and start the next, once the output has
 * written every record handed to it: a record queued for a slow reader
 * (or held back by --ordered) would otherwise be marked seen, and a
 * kill -9 then lose it for good (the next run calls it unchanged). */
static void
state_commit(void)
{
	ev_timer_stop(sloop, &commit_w);
	if (db == NULL || pending == 0)
		return;
	if (!output_settled()) {
		ev_timer_set(&commit_w, STATE_SETTLE_SEC, 0.);
		ev_timer_start(sloop, &commit_w);
		return;
	}
	pending = 0;
	if (!sfailed && (state_exec("COMMIT") < 0 || state_exec("BEGIN") < 0))
		state_fail("cannot commit");
}

static void
state_commit_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	state_commit();
}

static int
state_prepare(const char *sql, sqlite3_stmt **s)
{
	return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, s,
	    NULL) == SQLITE_OK ? 0 : -1;
}

/* 0 when the directory of path may be written, or does not exist
 * (SQLite then says so); else -1 with errno set. */
static int
state_dir_writable(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash -
	    path);

	if (n >= sizeof(dir))
		return 0;
	memcpy(dir, n > 0 ? path : ".", n > 0 ? n : 1);
	dir[n > 0 ? n : 1] = '\0';
	if (access(dir, W_OK | X_OK) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int
state_open(const char *path, const struct opts *o, struct ev_loop *loop,
    char *err, size_t errlen)
{
	int rc, upgraded = 0;

	so = o;
	spath = path;
	sloop = loop;
	buf_init(&skey);
	ev_timer_init(&commit_w, state_commit_cb, 0., 0.);
	/* SQLite would say "disk I/O error" for a file we may not write,
	 * and "attempt to write a readonly database" for a directory where
	 * it may not make the log beside it. */
	if (access(path, F_OK) == 0 && access(path, R_OK | W_OK) < 0) {
		(void)snprintf(err, errlen, "cannot write it: %s",
		    strerror(errno));
		buf_free(&skey);
		return -1;
	}
	if (state_dir_writable(path) < 0) {
		(void)snprintf(err, errlen, "cannot write its directory "
		    "(for its log, %s-wal): %s", path, strerror(errno));
		buf_free(&skey);
		return -1;
	}
	/* One thread, and no memory statistics: SQLite then takes no mutex
	 * and keeps no counters on its hot paths (this must come before
	 * its first use, and cofetch has no other). */
	(void)sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	(void)sqlite3_busy_timeout(db, STATE_WAIT_MS);
	/* The lock taken by the first transaction below is kept until the
	 * file is closed: one run at a time, and in WAL mode no -shm file
	 * (the WAL index lives in this process's memory). */
	/* Debian's SQLite zeroes every page a DROP TABLE frees, through
	 * the WAL: an upgrade wrote the old table once more (a 300k-key
	 * store's upgrade, 62 MB of WAL, 31 MB with FAST). FAST still
	 * clears deleted content from the pages it writes. */
	if (state_exec("PRAGMA locking_mode = EXCLUSIVE") < 0 ||
	    state_exec("PRAGMA secure_delete = FAST") < 0 ||
	    state_exec("BEGIN EXCLUSIVE") < 0)
		goto fail;
	if ((rc = state_schema_update(db, err, errlen)) == -1)
		goto fail;
	if (rc < 0)
		goto fail_msg;
	/* WAL only once the file is known to be ours: the switch writes
	 * the database header. */
	/* 8 MB of page cache (SQLite's default is 2): the interior pages of
	 * a store of a few million keys stay cached, so a lookup reads one
	 * leaf page at most; a measured half of the reads of a 1M-key store
	 * go away. */
	/* A checkpoint every STATE_CHECKPOINT_PAGES pages of WAL rather
	 * than SQLite's 1000: each is two fsyncs on the loop, and a page
	 * rewritten by several batches is copied back once. 1000 pages was
	 * a checkpoint every 2 or 3 batches of a 1M-key store; measured on
	 * 100k requests, fdatasync 58 -> 10 (250 -> 34 shuffled), pwrite
	 * -10% (-20%), pread -25% (-35%). */
	/* What the log holds (an upgrade, or the batches of a run killed
	 * with -9) is copied into the file now rather than by the run's
	 * first commit, which would fail without the room for it, after
	 * every fetch: here the run stops first, and the store stays
	 * sound (its log holds what the file lacks). */
	upgraded = rc == 1;
	if (state_exec("PRAGMA cache_size = -8192") < 0 ||
	    state_exec("COMMIT") < 0 ||
	    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL) != SQLITE_OK)
		goto fail;
	upgraded = 0;		/* in the file: later failures are others */
	/* An upgrade copied the old table into the new ones and left its
	 * pages free: give them back (a 1M-key store would stay twice its
	 * size). So does a later run when that VACUUM did not end (a kill
	 * -9, a full disk): the upgrade is committed before it. Without
	 * room for the copy VACUUM makes, the store works as it is. */
	if (rc == 1 || state_schema_sparse(db))
		(void)state_exec("VACUUM");
	if (state_exec("PRAGMA journal_mode = WAL") < 0 ||
	    state_exec("PRAGMA synchronous = NORMAL") < 0 ||
	    state_exec("PRAGMA wal_autocheckpoint = "
	    STATE_STR(STATE_CHECKPOINT_PAGES)) < 0 ||
	    state_exec("BEGIN") < 0)
		goto fail;
	if (state_prepare(state_sql_lookup, &st_lookup) < 0 ||
	    state_prepare(state_sql_content, &st_content) < 0 ||
	    state_prepare(state_sql_content_new, &st_content_new) < 0 ||
	    state_prepare(state_sql_touch, &st_touch) < 0 ||
	    state_prepare(state_sql_touch_new, &st_touch_new) < 0 ||
	    state_prepare(state_sql_key_new, &st_key_new) < 0 ||
	    state_prepare(state_sql_drop, &st_drop) < 0 ||
	    state_prepare(state_sql_row, &st_row) < 0)
		goto fail;
	return 0;
fail:
	rc = db != NULL ? sqlite3_errcode(db) : SQLITE_NOMEM;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		(void)snprintf(err, errlen, "in use by another cofetch run "
		    "or program (waited %d s for it)", STATE_WAIT_MS / 1000);
	else if (upgraded)
		(void)snprintf(err, errlen, "cannot upgrade the schema: %s%s",
		    sqlite3_errmsg(db), rc == SQLITE_FULL ? STATE_ROOM : "");
	else
		(void)snprintf(err, errlen, "%s", db != NULL ?
		    sqlite3_errmsg(db) : "out of memory");
fail_msg:
	(void)sqlite3_close_v2(db);
	db = NULL;
	buf_free(&skey);
	return -1;
}

int
state_close(int commit, char *err, size_t errlen)
{
	int rc = 0;

	if (db == NULL)
		return 0;
	ev_timer_stop(sloop, &commit_w);
	/* After a failed update the batch still holds the good ones. */
	if (!commit)
		(void)state_exec("ROLLBACK");
	else if (state_exec("COMMIT") < 0)
		state_fail("cannot commit");
	(void)sqlite3_finalize(st_lookup);
	(void)sqlite3_finalize(st_content);
	(void)sqlite3_finalize(st_content_new);
	(void)sqlite3_finalize(st_touch);
	(void)sqlite3_finalize(st_touch_new);
	(void)sqlite3_finalize(st_key_new);
	(void)sqlite3_finalize(st_drop);
	(void)sqlite3_finalize(st_row);
	st_lookup = st_content = st_content_new = NULL;
	st_touch = st_touch_new = st_key_new = st_drop = st_row = NULL;
	if (sqlite3_close_v2(db) != SQLITE_OK)
		state_fail("cannot close");
	db = NULL;
	buf_free(&skey);
	if (sfailed) {
		(void)snprintf(err, errlen, "%s", serr);
		rc = -1;
	}
	return rc;
}

/* Copy column c of s, a text of fewer than len bytes, into out. */
static void
state_col_text(sqlite3_stmt *s, int c, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, c);
	int n = sqlite3_column_bytes(s, c);

	out[0] = '\0';
	if (t != NULL && n > 0 && (size_t)n < len) {
		memcpy(out, t, (size_t)n);
		out[n] = '\0';
	}
}

void
state_lookup(const struct request *req, struct state_prev *prev)
{
	const void *h;
	int rc;

	memset(prev, 0, sizeof(*prev));
	if (db == NULL)
		return;
	state_key(&skey, req, so);
	(void)sqlite3_bind_text(st_lookup, 1, skey.data, (int)skey.len,
	    SQLITE_STATIC);
	rc = sqlite3_step(st_lookup);
	if (rc == SQLITE_ROW) {
		prev->row = sqlite3_column_int64(st_lookup, 0);
		h = sqlite3_column_blob(st_lookup, 3);
		if (h != NULL && sqlite3_column_bytes(st_lookup, 3) ==
		    HASH_LEN) {
			memcpy(prev->hash, h, HASH_LEN);
			prev->found = 1;
		}
		state_col_text(st_lookup, 1, prev->etag, sizeof(prev->etag));
		state_col_text(st_lookup, 2, prev->last_modified,
		    sizeof(prev->last_modified));
	} else if (rc != SQLITE_DONE)
		state_fail("cannot read");
	(void)sqlite3_reset(st_lookup);
}

static void
state_bind_opt(sqlite3_stmt *s, int i, const char *t)
{
	if (t[0] != '\0')
		(void)sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
	else
		(void)sqlite3_bind_null(s, i);
}

/* Bind the values of res to s (one of the four update statements) for
 * row (unused by the two that make a row). */
static void
state_bind(sqlite3_stmt *s, int content, const struct result *res,
    const unsigned char *d, sqlite3_int64 row, sqlite3_int64 now)
{
	(void)sqlite3_bind_int64(s, 1, row);
	/* Validators from any response that is not a failure: content, a
	 * 304, a response to HEAD. */
	state_bind_opt(s, 2, res->kind == KIND_NONE ? res->etag : "");
	state_bind_opt(s, 3, res->kind == KIND_NONE ?
	    res->last_modified : "");
	if (content) {
		(void)sqlite3_bind_blob(s, 4, d, HASH_LEN, SQLITE_STATIC);
		(void)sqlite3_bind_int64(s, 5, res->status);
		(void)sqlite3_bind_int64(s, 6, now);
	} else {
		/* No response: NULL, as the record's null. */
		if (res->status > 0)
			(void)sqlite3_bind_int64(s, 4, res->status);
		else
			(void)sqlite3_bind_null(s, 4);
		(void)sqlite3_bind_int64(s, 5, now);
		if (s == st_touch && res->changed == CHANGED_YES)
			(void)sqlite3_bind_int64(s, 6, now); /* HEAD */
	}
}

/* Run s once; 0 or -1. */
static int
state_step(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	(void)sqlite3_reset(s);
	(void)sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The row of skey's key: 0 when it has none, -1 on an error. */
static sqlite3_int64
state_row_of_key(void)
{
	sqlite3_int64 v = 0;
	int rc;

	(void)sqlite3_bind_text(st_row, 1, skey.data, (int)skey.len,
	    SQLITE_STATIC);
	rc = sqlite3_step(st_row);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st_row, 0);
	(void)sqlite3_reset(st_row);
	(void)sqlite3_clear_bindings(st_row);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? v : -1;
}

/* Delete row (one this batch made); 0 or -1. */
static int
state_drop(sqlite3_int64 row)
{
	(void)sqlite3_bind_int64(st_drop, 1, row);
	return state_step(st_drop);
}

/* A key without a row when its request started: a new row, numbered
 * after the others, and the key. When the key has gained a row since
 * (its request ran twice at once), the new row goes and that one is
 * updated. 0 or -1. */
static int
state_insert(int content, const struct result *res, const unsigned char *d,
    sqlite3_int64 now)
{
	sqlite3_stmt *s = content ? st_content_new : st_touch_new;
	sqlite3_int64 row;

	state_bind(s, content, res, d, 0, now);
	if (state_step(s) < 0)
		return -1;
	row = sqlite3_last_insert_rowid(db);
	(void)sqlite3_bind_text(st_key_new, 1, skey.data, (int)skey.len,
	    SQLITE_STATIC);
	(void)sqlite3_bind_int64(st_key_new, 2, row);
	if (state_step(st_key_new) < 0) {
		/* No row without its key: the batch is still committed. */
		(void)state_drop(row);
		return -1;
	}
	if (sqlite3_changes(db) == 1)
		return 0;
	if (state_drop(row) < 0 || (row = state_row_of_key()) <= 0)
		return -1;
	s = content ? st_content : st_touch;
	state_bind(s, content, res, d, row, now);
	return state_step(s);
}

void
state_note(const struct request *req, const struct result *res)
{
	unsigned char d[HASH_LEN];
	sqlite3_stmt *s;
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	int content;

	if (db == NULL || sfailed || res->kind == KIND_CANCELLED ||
	    req->invalid != KIND_NONE || res->attempts == 0)
		return;
	content = res->kind == KIND_NONE && res->status != 304 &&
	    hash_parse(res->hash, d) == 0;
	state_key(&skey, req, so);
	if (res->state_row > 0) {
		s = content ? st_content : st_touch;
		state_bind(s, content, res, d, res->state_row, now);
		if (state_step(s) < 0)
			goto fail;
	} else if (state_insert(content, res, d, now) < 0)
		goto fail;
	/* Commit from the timer, never here: the records of this batch are
	 * handed to the output before the store says they were seen. */
	if (++pending == 1 || pending == STATE_BATCH) {
		ev_timer_stop(sloop, &commit_w);
		ev_timer_set(&commit_w, pending == STATE_BATCH ? 0. :
		    STATE_BATCH_SEC, 0.);
		ev_timer_start(sloop, &commit_w);
	}
	return;
fail:
	state_fail("cannot update");
}
