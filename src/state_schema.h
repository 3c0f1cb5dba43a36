/* state_schema.h: the layout of the --state store and its upgrades
 * (see state.h for what the tables mean). */
#ifndef COFETCH_STATE_SCHEMA_H
#define COFETCH_STATE_SCHEMA_H

#include <stddef.h>

#include <sqlite3.h>

#define STATE_SCHEMA	3	/* PRAGMA user_version of this layout */
/* Said when an upgrade has no room: its log holds the new tables, and
 * the checkpoint then writes them into the file (measured: a 29.5 MB
 * store needed 60 to 65 MB free, with secure_delete FAST). */
#define STATE_ROOM	" (an upgrade needs free room of about twice the " \
			    "store's size)"
#define STATE_SPARSE_MIN 64	/* free pages (4 KB) worth a VACUUM, at
				 * least */

/* Inside the caller's exclusive transaction on db: make the tables of an
 * empty database, or bring an older store up to STATE_SCHEMA in place.
 * 0 when db is at STATE_SCHEMA (or was empty); 1 when an older store was
 * upgraded (its old tables' pages are then free); -1 when SQLite failed (the reason is
 * sqlite3_errmsg(db)); -2 when the file is not one cofetch may use (a
 * newer schema, or an SQLite database of something else), with the
 * reason in err. */
int	state_schema_update(sqlite3 *db, char *err, size_t errlen);

/* Whether more than a quarter of db's pages (and more than
 * STATE_SPARSE_MIN) are free, as an upgrade leaves them until the VACUUM
 * that follows it: 1 or 0 (0 too when SQLite fails). Updates in place
 * free a few pages at most. */
int	state_schema_sparse(sqlite3 *db);

#endif
