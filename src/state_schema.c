/* state_schema.c: the --state store's tables, and the steps that bring
 * an older store up to date. */
#include <stdio.h>

#include <sqlite3.h>

#include "state_schema.h"

/* steps[v] takes a store from user_version v to v + 1. Version 1 had
 * no change time; version 2 kept each key and its row in one table. */

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
	/* Version 3: the rows apart from their keys (see state.h); rows of
	 * an older store are numbered in key order. */
	"CREATE TABLE responses ("
	" id INTEGER PRIMARY KEY,"
	" etag TEXT,"
	" last_modified TEXT,"
	" hash BLOB,"
	" status INTEGER,"
	" fetched_at INTEGER,"
	" changed_at INTEGER);"
	"CREATE TABLE keys ("
	" key TEXT PRIMARY KEY NOT NULL,"
	" id INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"INSERT INTO keys (key, id)"
	" SELECT key, row_number() OVER (ORDER BY key) FROM entries;"
	"INSERT INTO responses"
	" SELECT k.id, e.etag, e.last_modified, e.hash, e.status,"
	" e.fetched_at, e.changed_at"
	" FROM entries AS e JOIN keys AS k ON k.key = e.key;"
	"DROP TABLE entries;"
	"CREATE VIEW entries AS"
	" SELECT k.key AS key, r.etag AS etag,"
	" r.last_modified AS last_modified, r.hash AS hash,"
	" r.status AS status, r.fetched_at AS fetched_at,"
	" r.changed_at AS changed_at"
	" FROM keys AS k JOIN responses AS r ON r.id = k.id",
};

/* The one integer that sql yields into *v; -1 when it yields none. */
static int
schema_int(sqlite3 *db, const char *sql, long long *v)
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

int
state_schema_update(sqlite3 *db, char *err, size_t errlen)
{
	long long v, tables;
	char sql[64];
	int upgraded;

	if (schema_int(db, "PRAGMA user_version", &v) < 0)
		return -1;
	/* Another program's database may have this version too. */
	if (v == STATE_SCHEMA && (schema_int(db, "SELECT count(*) FROM "
	    "sqlite_master WHERE name IN ('keys', 'responses', 'entries')",
	    &tables) < 0 || tables != 3)) {
		(void)snprintf(err, errlen, "not a cofetch state file (its "
		    "version is cofetch's, its tables are not)");
		return -2;
	}
	if (v == STATE_SCHEMA)
		return 0;
	if (v > STATE_SCHEMA) {
		(void)snprintf(err, errlen, "schema version %lld is newer "
		    "than this cofetch's (%d): use a newer cofetch", v,
		    STATE_SCHEMA);
		return -2;
	}
	if (v == 0 && (schema_int(db, "SELECT count(*) FROM sqlite_master",
	    &tables) < 0 || tables != 0)) {
		(void)snprintf(err, errlen, "not a cofetch state file (an "
		    "SQLite database with other tables)");
		return -2;
	}
	upgraded = v > 0;
	for (; v < STATE_SCHEMA; v++)
		if (sqlite3_exec(db, state_steps[v], NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto fail;
	(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STATE_SCHEMA);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return upgraded;
fail:
	(void)snprintf(err, errlen, "cannot upgrade the schema: %s%s",
	    sqlite3_errmsg(db), sqlite3_errcode(db) == SQLITE_FULL ?
	    STATE_ROOM : "");
	return -2;
}

int
state_schema_sparse(sqlite3 *db)
{
	long long pages, free_pages;

	if (schema_int(db, "PRAGMA page_count", &pages) < 0 ||
	    schema_int(db, "PRAGMA freelist_count", &free_pages) < 0)
		return 0;
	return free_pages > STATE_SPARSE_MIN && free_pages * 4 > pages;
}
