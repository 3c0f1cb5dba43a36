/* state_floor.c: what SQLite alone costs --state, without the network.
 *
 * Builds a store of K keys in cofetch's layout (schema 3, src/state.c),
 * then runs the statements cofetch runs for N requests:
 *   first sight: a lookup that finds nothing, a row insert, a key insert
 *   again:       a lookup that finds the row, an update by row number
 * with a commit every BATCH keys, as cofetch does (STATE_BATCH), and
 * prints the microseconds per key of each step (the total in CPU time,
 * the steps by the monotonic clock).
 *
 * Usage: cc -O2 -o state_floor tests/bench/state_floor.c -lsqlite3
 *        ./state_floor FILE [K N BATCH]     (default 1000000 100000 10000)
 * FILE is made afresh (and left for sqlite3 to look at). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The total is CPU time; each step is timed with the monotonic clock,
 * which the vDSO reads without a system call (the CPU-time clock costs
 * one, a few hundred ns, which would swamp steps of about 1 us). Pinned
 * to a core (taskset), the two agree but for a commit's waits. */
static double
clock_secs(clockid_t id)
{
	struct timespec t;

	(void)clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
cpu_now(void)
{
	return clock_secs(CLOCK_PROCESS_CPUTIME_ID);
}

static double
step_now(void)
{
	return clock_secs(CLOCK_MONOTONIC);
}

static void
must(int rc, sqlite3 *db, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "state_floor: %s: %s\n", what,
		    sqlite3_errmsg(db));
		exit(1);
	}
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;

	must(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL), db, sql);
	return s;
}

static void
run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "state_floor: step: %s\n",
		    sqlite3_errmsg(sqlite3_db_handle(s)));
		exit(1);
	}
	(void)sqlite3_reset(s);
	(void)sqlite3_clear_bindings(s);
}

static const char etag[] = "\"6560a0b0-12c\"";
static const char lastmod[] = "Mon, 30 Nov 2026 10:00:00 GMT";

int
main(int argc, char **argv)
{
	long k = argc > 2 ? atol(argv[2]) : 1000000;
	long n = argc > 3 ? atol(argv[3]) : 100000;
	long batch = argc > 4 ? atol(argv[4]) : 10000;
	sqlite3 *db;
	sqlite3_stmt *lk, *ir, *ik, *up;
	unsigned char h[32];
	char key[128];
	double t, t0, tl = 0, tr = 0, tk = 0, tc = 0, tu = 0;
	long i, row;
	int len, pass;

	if (argc < 2 || k < 1 || n < 1 || batch < 1) {
		fprintf(stderr, "usage: state_floor FILE [K N BATCH]\n");
		return 2;
	}
	(void)unlink(argv[1]);
	memset(h, 7, sizeof(h));
	must(sqlite3_open(argv[1], &db), db, "open");
	must(sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE;"
	    "PRAGMA cache_size = -8192; PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000;"
	    "CREATE TABLE responses (id INTEGER PRIMARY KEY, etag TEXT,"
	    " last_modified TEXT, hash BLOB, status INTEGER,"
	    " fetched_at INTEGER, changed_at INTEGER);"
	    "CREATE TABLE keys (key TEXT PRIMARY KEY NOT NULL,"
	    " id INTEGER NOT NULL) WITHOUT ROWID;"
	    "PRAGMA user_version = 3; BEGIN", NULL, NULL, NULL), db, "schema");
	lk = prep(db, "SELECT r.id, r.etag, r.last_modified, r.hash FROM keys"
	    " AS k JOIN responses AS r ON r.id = k.id WHERE k.key = ?1");
	ir = prep(db, "INSERT INTO responses (etag, last_modified, hash,"
	    " status, fetched_at, changed_at) VALUES (?2, ?3, ?4, ?5, ?6, ?6)");
	ik = prep(db, "INSERT INTO keys (key, id) VALUES (?1, ?2)"
	    " ON CONFLICT (key) DO NOTHING");
	up = prep(db, "UPDATE responses SET etag = coalesce(?2, etag),"
	    " last_modified = coalesce(?3, last_modified), status = ?4,"
	    " fetched_at = ?5 WHERE id = ?1");
	/* The store: K keys as tests/bench/state.py fills it. */
	for (i = 0; i < k; i++) {
		len = snprintf(key, sizeof(key),
		    "GET http://127.0.0.1:8080/%ld.json?old=%ld", i % 100, i);
		sqlite3_bind_text(ir, 2, etag, -1, SQLITE_STATIC);
		sqlite3_bind_text(ir, 3, lastmod, -1, SQLITE_STATIC);
		sqlite3_bind_blob(ir, 4, h, 32, SQLITE_STATIC);
		sqlite3_bind_int64(ir, 5, 200);
		sqlite3_bind_int64(ir, 6, 1);
		run(ir);
		sqlite3_bind_text(ik, 1, key, len, SQLITE_STATIC);
		sqlite3_bind_int64(ik, 2, sqlite3_last_insert_rowid(db));
		run(ik);
	}
	must(sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL), db,
	    "commit");
	for (pass = 0; pass < 2; pass++) {
		t0 = cpu_now();
		tl = tr = tk = tc = tu = 0;
		for (i = 0; i < n; i++) {
			len = snprintf(key, sizeof(key),
			    "GET http://127.0.0.1:8080/%ld.json?k=%ld",
			    i % 100, i);
			t = step_now();
			sqlite3_bind_text(lk, 1, key, len, SQLITE_STATIC);
			row = sqlite3_step(lk) == SQLITE_ROW ?
			    (long)sqlite3_column_int64(lk, 0) : 0;
			(void)sqlite3_reset(lk);
			tl += step_now() - t;
			t = step_now();
			if (pass == 0) {
				sqlite3_bind_text(ir, 2, etag, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(ir, 3, lastmod, -1,
				    SQLITE_STATIC);
				sqlite3_bind_blob(ir, 4, h, 32, SQLITE_STATIC);
				sqlite3_bind_int64(ir, 5, 200);
				sqlite3_bind_int64(ir, 6, 2);
				run(ir);
				tr += step_now() - t;
				t = step_now();
				sqlite3_bind_text(ik, 1, key, len,
				    SQLITE_STATIC);
				sqlite3_bind_int64(ik, 2,
				    sqlite3_last_insert_rowid(db));
				run(ik);
				tk += step_now() - t;
			} else {
				sqlite3_bind_int64(up, 1, row);
				sqlite3_bind_int64(up, 4, 304);
				sqlite3_bind_int64(up, 5, 3);
				run(up);
				tu += step_now() - t;
			}
			if ((i + 1) % batch == 0) {
				t = step_now();
				must(sqlite3_exec(db, "COMMIT; BEGIN", NULL,
				    NULL, NULL), db, "commit");
				tc += step_now() - t;
			}
		}
		t = step_now();
		must(sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL), db,
		    "commit");
		tc += step_now() - t;
		if (pass == 0)
			printf("first sight of %ld keys, %ld-key store, batches "
			    "of %ld: %.2f us/key (lookup %.2f, row insert %.2f, "
			    "key insert %.2f, commit %.2f)\n", n, k, batch,
			    (cpu_now() - t0) / (double)n * 1e6, tl / n * 1e6,
			    tr / n * 1e6, tk / n * 1e6, tc / n * 1e6);
		else
			printf("again (304s): %.2f us/key (lookup %.2f, update "
			    "%.2f, commit %.2f)\n",
			    (cpu_now() - t0) / (double)n * 1e6, tl / n * 1e6,
			    tu / n * 1e6, tc / n * 1e6);
		fflush(stdout);
	}
	must(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), db, "commit");
	(void)sqlite3_close(db);
	return 0;
}
