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

#include "state.h"

/* Schema steps: steps[v] takes a store from user_version v to v + 1.
 * Version 1 had no change time. */
#define STATE_STR_(x)	#x
#define STATE_STR(x)	STATE_STR_(x)

static const char *const state_steps[STATE_SCHEMA] = {
	"CREATE TABLE entries ("
	" key TEXT PRIMARY KEY NOT NULL,"
	" etag TEXT,"
	" last_modified TEXT,"
	" hash BLOB,"
	" status INTEGER,"
	" fetched_at INTEGER"
	") WITHOUT ROWID",
	"ALTER TABLE entries ADD COLUMN changed_at INTEGER",
};

/* A response with content: everything is replaced but the change time,
 * which stays when ?7 is NULL (unchanged). An UPDATE, then an INSERT
 * when there was no row: in a cron run most keys are there, and a plain
 * UPDATE costs half of an upsert. */
static const char state_sql_content[] =
	"UPDATE entries SET etag = ?2, last_modified = ?3, hash = ?4,"
	" status = ?5, fetched_at = ?6, changed_at = coalesce(?7, changed_at)"
	" WHERE key = ?1";
/* Content for a key with no stored hash (most likely no row at all):
 * one upsert rather than an UPDATE that finds nothing. */
static const char state_sql_content_new[] =
	"INSERT INTO entries (key, etag, last_modified, hash, status,"
	" fetched_at, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
	" ON CONFLICT (key) DO UPDATE SET etag = ?2, last_modified = ?3,"
	" hash = ?4, status = ?5, fetched_at = ?6, changed_at = ?6";
/* A 304 or a failure: the stored content stands; a 304's validators
 * replace the stored ones when it carries any. */
static const char state_sql_touch[] =
	"UPDATE entries SET etag = coalesce(?2, etag),"
	" last_modified = coalesce(?3, last_modified), status = ?4,"
	" fetched_at = ?5 WHERE key = ?1";
static const char state_sql_touch_new[] =
	"INSERT INTO entries (key, etag, last_modified, status, fetched_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
static const char state_sql_lookup[] =
	"SELECT etag, last_modified, hash FROM entries WHERE key = ?1";

static sqlite3		*db;		/* owned, or NULL: no --state */
static sqlite3_stmt	*st_lookup, *st_content, *st_touch; /* owned */
static sqlite3_stmt	*st_content_new, *st_touch_new;	/* owned */
static const struct opts *so;
static const char	*spath;
static struct ev_loop	*sloop;
static ev_timer		 commit_w;	/* commits the batch */
static long		 pending;	/* updates since the last commit */
static int		 sfailed;	/* an update was lost */
static char		 serr[256];	/* why, for state_close() */
static struct buf	 skey;		/* reused key text */

void
state_key(struct buf *out, const struct request *req, const struct opts *o)
{
	buf_reset(out);
	if (req->id != NULL) {
		/* The id's JSON text as the line wrote it (minified), the
		 * same text the record echoes. */
		buf_add(out, req->id, req->id_len);
		return;
	}
	buf_adds(out, request_method(req, o));
	buf_addc(out, ' ');
	buf_adds(out, req->url != NULL ? req->url : "");
}

void
state_compare(const struct state_prev *prev, struct result *r,
    const unsigned char *digest)
{
	r->hash[0] = '\0';
	r->changed = CHANGED_UNKNOWN;
	if (r->kind != KIND_NONE)
		return;
	if (r->status == 304) {
		if (prev->found) {
			hash_text(r->hash, prev->hash);
			r->changed = CHANGED_NO;
		}
		return;
	}
	if (digest == NULL)
		return;
	hash_text(r->hash, digest);
	if (prev->found)
		r->changed = memcmp(prev->hash, digest, HASH_LEN) == 0 ?
		    CHANGED_NO : CHANGED_YES;
}

/* Remember the first failure; the run goes on without the store. */
static void
state_fail(const char *what)
{
	if (sfailed)
		return;
	sfailed = 1;
	(void)snprintf(serr, sizeof(serr), "--state %s: %s: %s", spath, what,
	    db != NULL ? sqlite3_errmsg(db) : "out of memory");
	if (so->verbosity >= 0)
		fprintf(stderr, "cofetch: warning: %s; later updates are "
		    "not saved\n", serr);
}

static int
state_exec(const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* End the batch under way and start the next. */
static void
state_commit(void)
{
	ev_timer_stop(sloop, &commit_w);
	if (db == NULL || pending == 0)
		return;
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
state_int(const char *sql, long long *v)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	(void)sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Bring the schema from version v up to STATE_SCHEMA, inside the
 * exclusive transaction. */
static int
state_migrate(long long v, char *err, size_t errlen)
{
	long long tables;
	char sql[64];

	if (v > STATE_SCHEMA) {
		(void)snprintf(err, errlen, "schema version %lld is newer "
		    "than this cofetch's (%d): use a newer cofetch", v,
		    STATE_SCHEMA);
		return -1;
	}
	if (v == 0 && (state_int("SELECT count(*) FROM sqlite_master",
	    &tables) < 0 || tables != 0)) {
		(void)snprintf(err, errlen, "not a cofetch state file (an "
		    "SQLite database with other tables)");
		return -1;
	}
	for (; v < STATE_SCHEMA; v++)
		if (state_exec(state_steps[v]) < 0)
			goto fail;
	(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STATE_SCHEMA);
	if (state_exec(sql) < 0)
		goto fail;
	return 0;
fail:
	(void)snprintf(err, errlen, "cannot upgrade the schema: %s",
	    sqlite3_errmsg(db));
	return -1;
}

static int
state_prepare(const char *sql, sqlite3_stmt **s)
{
	return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, s,
	    NULL) == SQLITE_OK ? 0 : -1;
}

int
state_open(const char *path, const struct opts *o, struct ev_loop *loop,
    char *err, size_t errlen)
{
	long long v;
	int rc;

	so = o;
	spath = path;
	sloop = loop;
	buf_init(&skey);
	ev_timer_init(&commit_w, state_commit_cb, 0., 0.);
	/* SQLite would say "disk I/O error" for a file we may not write. */
	if (access(path, F_OK) == 0 && access(path, R_OK | W_OK) < 0) {
		(void)snprintf(err, errlen, "cannot write it: %s",
		    strerror(errno));
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
	if (state_exec("PRAGMA locking_mode = EXCLUSIVE") < 0 ||
	    state_exec("BEGIN EXCLUSIVE") < 0)
		goto fail;
	if (state_int("PRAGMA user_version", &v) < 0)
		goto fail;
	if (v != STATE_SCHEMA && state_migrate(v, err, errlen) < 0)
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
	if (state_exec("PRAGMA cache_size = -8192") < 0 ||
	    state_exec("COMMIT") < 0 ||
	    state_exec("PRAGMA journal_mode = WAL") < 0 ||
	    state_exec("PRAGMA synchronous = NORMAL") < 0 ||
	    state_exec("PRAGMA wal_autocheckpoint = "
	    STATE_STR(STATE_CHECKPOINT_PAGES)) < 0 ||
	    state_exec("BEGIN") < 0)
		goto fail;
	if (state_prepare(state_sql_lookup, &st_lookup) < 0 ||
	    state_prepare(state_sql_content, &st_content) < 0 ||
	    state_prepare(state_sql_content_new, &st_content_new) < 0 ||
	    state_prepare(state_sql_touch, &st_touch) < 0 ||
	    state_prepare(state_sql_touch_new, &st_touch_new) < 0)
		goto fail;
	return 0;
fail:
	rc = db != NULL ? sqlite3_errcode(db) : SQLITE_NOMEM;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		(void)snprintf(err, errlen, "in use by another cofetch run "
		    "(waited %d s for it)", STATE_WAIT_MS / 1000);
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
	st_lookup = st_content = st_content_new = NULL;
	st_touch = st_touch_new = NULL;
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
		state_col_text(st_lookup, 0, prev->etag, sizeof(prev->etag));
		state_col_text(st_lookup, 1, prev->last_modified,
		    sizeof(prev->last_modified));
		h = sqlite3_column_blob(st_lookup, 2);
		if (h != NULL && sqlite3_column_bytes(st_lookup, 2) ==
		    HASH_LEN) {
			memcpy(prev->hash, h, HASH_LEN);
			prev->found = 1;
		}
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

/* Bind the values of res to s (one of the four update statements). */
static void
state_bind(sqlite3_stmt *s, int content, const struct result *res,
    const unsigned char *d, sqlite3_int64 now)
{
	(void)sqlite3_bind_text(s, 1, skey.data, (int)skey.len,
	    SQLITE_STATIC);
	state_bind_opt(s, 2, res->status == 304 || content ? res->etag : "");
	state_bind_opt(s, 3, res->status == 304 || content ?
	    res->last_modified : "");
	if (content) {
		(void)sqlite3_bind_blob(s, 4, d, HASH_LEN, SQLITE_STATIC);
		(void)sqlite3_bind_int64(s, 5, res->status);
		(void)sqlite3_bind_int64(s, 6, now);
		if (s == st_content && res->changed == CHANGED_NO)
			(void)sqlite3_bind_null(s, 7);
		else if (s == st_content)
			(void)sqlite3_bind_int64(s, 7, now);
	} else {
		(void)sqlite3_bind_int64(s, 4, res->status);
		(void)sqlite3_bind_int64(s, 5, now);
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
	s = !content ? st_touch : res->changed == CHANGED_UNKNOWN ?
	    st_content_new : st_content;
	state_bind(s, content, res, d, now);
	if (state_step(s) < 0)
		goto fail;
	if (s != st_content_new && sqlite3_changes(db) == 0) {
		s = content ? st_content_new : st_touch_new;
		state_bind(s, content, res, d, now);
		if (state_step(s) < 0)
			goto fail;
	}
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
