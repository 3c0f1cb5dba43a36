"""test_state.py: --state, --hash and --only-changed: conditional requests
from stored validators, change detection by content hash, and a store that
survives kill -9 and refuses a second run.

The site below is scripted per test: its bodies change between runs, its
/e/ pages serve ETag and Last-Modified and answer 304 to a matching
validator, its /i/ pages serve an ETag but ignore validators (always 200),
/slow/ pages do the same 2.2 s later, and /fail/ pages answer 500.
"""

import email.utils
import hashlib
import http.server
import json
import random
import signal
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import BINARY, SLOW, binary_env, lines_file


class Site:
    """A threaded HTTP/1.1 server on 127.0.0.1 whose bodies can change."""

    def __init__(self):
        self.bodies = {}        # path -> bytes
        self.seen = []          # (path, If-None-Match, If-Modified-Since)
        self.lock = threading.Lock()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                site.handle(self)

            def do_HEAD(self):
                site.handle(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def set(self, path, body):
        with self.lock:
            self.bodies[path] = body if isinstance(body, bytes) \
                else body.encode()

    def handle(self, h):
        path = h.path.split("?")[0]
        inm = h.headers.get("If-None-Match")
        ims = h.headers.get("If-Modified-Since")
        with self.lock:
            self.seen.append((path, inm, ims))
            body = self.bodies.get(path, b"missing")
        if path.startswith("/fail/"):
            return self.send(h, 500, b"down", {})
        if path.startswith("/slow/"):
            time.sleep(2.2)     # past a change of second of the clock
        digest = hashlib.sha256(body).hexdigest()
        etag = '"%s"' % digest[:16]
        # A Last-Modified that changes with the body.
        lm = email.utils.formatdate(1700000000 + int(digest[:6], 16),
                                    usegmt=True)
        hdrs = {"ETag": etag, "Last-Modified": lm}
        if path.startswith("/e/") and (inm == etag or
                                       (inm is None and ims == lm)):
            return self.send(h, 304, b"", hdrs)
        return self.send(h, 200, body, hdrs)

    @staticmethod
    def send(h, status, body, hdrs):
        h.send_response(status)
        for k, v in hdrs.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if status != 304 and h.command != "HEAD":
            h.wfile.write(body)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.stop()


def sha(body):
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def run_state(run, args, urls, tmp_path, name="in.txt", timeout=60):
    inp = lines_file(tmp_path / name, urls)
    return run(["-c", "8", "-i", inp] + args, timeout=timeout)


def test_first_run_is_unknown_then_304_is_unchanged(site, run, tmp_path):
    """First sight of every key: changed null and a hash; the second run
    sends the stored validators, gets 304s, and says changed: false."""
    for i in range(5):
        site.set("/e/%d" % i, "page %d" % i)
    urls = [site.url("/e/%d" % i) for i in range(5)]
    db = tmp_path / "state.db"
    code, recs, err = run_state(run, ["--state", db], urls, tmp_path)
    assert code == 0, err
    assert len(recs) == 5
    for r in recs:
        i = int(r["url"].rsplit("/", 1)[1])
        assert r["ok"] and r["status"] == 200
        assert r["changed"] is None
        assert r["hash"] == sha("page %d" % i)
        assert list(r)[-2:] == ["hash", "changed"]
    site.seen.clear()
    code, recs, err = run_state(run, ["--state", db], urls, tmp_path)
    assert code == 0, err
    for r in recs:
        i = int(r["url"].rsplit("/", 1)[1])
        assert r["ok"] is True and r["status"] == 304
        assert r["changed"] is False
        # The record names the content it still stands for.
        assert r["hash"] == sha("page %d" % i)
        assert r["error"] is None
    assert len(site.seen) == 5
    for path, inm, ims in site.seen:
        assert inm is not None and inm.startswith('"')
        assert ims is not None and ims.endswith("GMT")


def test_changed_body_gives_changed_true_and_new_hash(site, run, tmp_path):
    for i in range(6):
        site.set("/e/%d" % i, "v1 %d" % i)
    urls = [site.url("/e/%d" % i) for i in range(6)]
    db = tmp_path / "state.db"
    assert run_state(run, ["--state", db], urls, tmp_path)[0] == 0
    site.set("/e/1", "v2 1")
    site.set("/e/4", "v2 4")
    code, recs, err = run_state(run, ["--state", db], urls, tmp_path)
    assert code == 0, err
    for r in recs:
        i = int(r["url"].rsplit("/", 1)[1])
        if i in (1, 4):
            assert r["status"] == 200 and r["changed"] is True
            assert r["hash"] == sha("v2 %d" % i)
        else:
            assert r["status"] == 304 and r["changed"] is False
            assert r["hash"] == sha("v1 %d" % i)
    # The change is remembered: a third run sees nothing new.
    code, recs, err = run_state(run, ["--state", db], urls, tmp_path)
    assert code == 0, err
    assert all(r["changed"] is False and r["status"] == 304 for r in recs)
    con = sqlite3.connect(str(db))
    rows = dict(con.execute("SELECT key, changed_at >= fetched_at - 60 "
                            "FROM entries").fetchall())
    con.close()
    assert len(rows) == 6


def test_server_ignoring_validators_unchanged_by_hash(site, run, tmp_path):
    """Always 200 with the same body: changed is false from the hash."""
    for i in range(4):
        site.set("/i/%d" % i, "same %d" % i)
    urls = [site.url("/i/%d" % i) for i in range(4)]
    db = tmp_path / "state.db"
    assert run_state(run, ["--state", db], urls, tmp_path)[0] == 0
    site.set("/i/2", "other 2")
    code, recs, err = run_state(run, ["--state", db], urls, tmp_path)
    assert code == 0, err
    for r in recs:
        i = int(r["url"].rsplit("/", 1)[1])
        assert r["status"] == 200
        assert r["changed"] is (i == 2)
        assert r["hash"] == sha(("other %d" if i == 2 else "same %d") % i)


def test_only_changed_prints_exactly_changed_and_failed(site, run,
                                                         tmp_path):
    for i in range(8):
        site.set("/e/%d" % i, "a %d" % i)
    urls = [site.url("/e/%d" % i) for i in range(8)] + \
        [site.url("/fail/x")]
    db = tmp_path / "state.db"
    code, recs, err = run_state(run, ["--state", db, "--only-changed",
                                      "--retries", "0"], urls, tmp_path)
    # First sight is new content: everything is written.
    assert code == 1 and len(recs) == 9
    site.set("/e/3", "b 3")
    site.set("/e/6", "b 6")
    for extra in ([], ["--ordered"]):
        code, recs, err = run_state(run, ["--state", db, "--only-changed",
                                          "--retries", "0"] + extra,
                                    urls, tmp_path)
        assert code == 1, err
        got = sorted(r["url"].rsplit("/", 1)[1] for r in recs)
        if not extra:
            assert got == ["3", "6", "x"]
            assert all(r["changed"] is True for r in recs if r["ok"])
        else:
            # The change was stored by the run before.
            assert got == ["x"]
        bad = [r for r in recs if not r["ok"]]
        assert len(bad) == 1 and bad[0]["status"] == 500
        assert bad[0]["changed"] is None and bad[0]["hash"] is None
    if True:
        idx = [r["index"] for r in recs]
        assert idx == sorted(idx)


def test_hash_without_state(site, run, tmp_path):
    site.set("/i/h", "hello")
    code, recs, err = run(["--hash", site.url("/i/h")])
    assert code == 0, err
    assert recs[0]["hash"] == sha("hello")
    assert "changed" not in recs[0]


def test_key_is_id_else_method_and_url(site, run, tmp_path):
    """The same URL under two ids is two keys; the id's exact JSON text
    is the key, else "METHOD URL"."""
    site.set("/e/k", "body k")
    u = site.url("/e/k")
    lines = [json.dumps({"url": u, "id": "a"}),
             json.dumps({"url": u, "id": {"n": 1}}), u]
    db = tmp_path / "state.db"
    code, recs, err = run_state(run, ["--state", db, "--ordered"], lines,
                                tmp_path)
    assert code == 0, err
    assert [r["changed"] for r in recs] == [None, None, None]
    con = sqlite3.connect(str(db))
    keys = sorted(k for (k,) in con.execute("SELECT key FROM entries"))
    con.close()
    assert keys == sorted(['"a"', '{"n":1}', "GET " + u])
    code, recs, err = run_state(run, ["--state", db, "--ordered"], lines,
                                tmp_path)
    assert [r["changed"] for r in recs] == [False, False, False]


def test_one_key_twice_at_once_is_one_row(site, run, tmp_path):
    """A key whose request runs twice at once (both started before
    either ended, so neither found a row) ends with one key and one row,
    and the next run finds it."""
    site.set("/e/twice", "twice")
    u = site.url("/e/twice")
    db = tmp_path / "state.db"
    code, recs, err = run(["--state", db, "-c", "4", u, u, u])
    assert code == 0, err
    assert [r["changed"] for r in recs] == [None] * 3
    con = sqlite3.connect(str(db))
    assert con.execute("SELECT count(*) FROM keys").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
    assert con.execute("SELECT key, status FROM entries").fetchall() == [
        ("GET " + u, 200)]
    con.close()
    code, recs, err = run(["--state", db, u])
    assert code == 0, err
    assert recs[0]["status"] == 304 and recs[0]["changed"] is False


def test_change_time_follows_the_stored_content(site, run, tmp_path):
    """A key fetched twice at once (two lines with one id) is stored in
    the order its records come: the change time is when the stored hash
    last took another value, whatever each request compared with when it
    started."""
    for p, body in [("/i/zero", "zero"), ("/slow/zero", "zero"),
                    ("/i/one", "one")]:
        site.set(p, body)
    db = tmp_path / "state.db"

    def line(k, p):
        return json.dumps({"id": k, "url": site.url(p)})

    def stored(k):
        con = sqlite3.connect(str(db))
        row = con.execute("SELECT hash, fetched_at, changed_at FROM "
                          "entries WHERE key = ?", (k,)).fetchone()
        con.close()
        return row
    # A new key, the same content twice: it changed when first stored.
    code, recs, err = run_state(run, ["--state", db],
                                [line("n", "/i/zero"),
                                 line("n", "/slow/zero")], tmp_path)
    assert code == 0, err
    assert [r["changed"] for r in recs] == [None, None]
    h, fetched, changed = stored('"n"')
    assert h == hashlib.sha256(b"zero").digest()
    assert changed < fetched
    # A stored key: "one" comes, then "zero" again: it changed last when
    # "zero" came back, though that request, begun when "zero" was
    # stored, says unchanged.
    assert run_state(run, ["--state", db], [line("k", "/i/zero")],
                     tmp_path)[0] == 0
    time.sleep(1.1)
    code, recs, err = run_state(run, ["--state", db],
                                [line("k", "/i/one"),
                                 line("k", "/slow/zero")], tmp_path)
    assert code == 0, err
    assert [r["changed"] for r in recs] == [True, False]
    h, fetched, changed = stored('"k"')
    assert h == hashlib.sha256(b"zero").digest()
    assert changed == fetched


@pytest.mark.parametrize("prefix", ["/e/", "/i/"])
def test_head_is_changed_when_its_validators_change(site, run, tmp_path,
                                                    prefix):
    """A response to HEAD has no body to hash: its "changed" compares
    the ETag with the stored one (it compared two hashes of nothing, so
    a changed page was changed: false, and --only-changed hid it)."""
    path = prefix + "head"
    site.set(path, "one")
    u = site.url(path)
    db = tmp_path / "state.db"
    code, recs, err = run(["-I", "--state", db, u])
    assert code == 0, err
    assert recs[0]["changed"] is None and recs[0]["hash"] is None
    code, recs, err = run(["-I", "--state", db, u])
    assert code == 0, err
    assert recs[0]["changed"] is False, recs[0]
    site.set(path, "two")
    code, recs, err = run(["-I", "--state", db, "--only-changed", u])
    assert code == 0, err
    assert len(recs) == 1 and recs[0]["status"] == 200, recs
    assert recs[0]["changed"] is True and recs[0]["hash"] is None
    con = sqlite3.connect(str(db))
    etag, changed_at = con.execute(
        "SELECT etag, changed_at FROM entries").fetchone()
    con.close()
    assert etag == '"%s"' % hashlib.sha256(b"two").hexdigest()[:16]
    assert changed_at is not None
    code, recs, err = run(["-I", "--state", db, "--only-changed", u])
    assert code == 0 and recs == [], recs


def test_own_validator_header_is_not_replaced(site, run, tmp_path):
    site.set("/e/o", "own")
    u = site.url("/e/o")
    db = tmp_path / "state.db"
    assert run(["--state", db, u])[0] == 0
    site.seen.clear()
    code, recs, err = run(["--state", db, "-H", "If-None-Match: \"zz\"", u])
    assert code == 0, err
    assert site.seen == [("/e/o", '"zz"', None)]
    assert recs[0]["status"] == 200 and recs[0]["changed"] is False


@pytest.mark.parametrize("how", ["own-header", "old-store"])
def test_validators_without_content_are_not_sent(site, run, tmp_path, how):
    """A row with validators but no hash (a 304 that the line's own
    If-None-Match got, or a row of an older store) does not make later
    runs conditional: they would get 304s forever and never the content."""
    site.set("/e/v", "v body")
    u = site.url("/e/v")
    db = tmp_path / "state.db"
    etag = '"%s"' % hashlib.sha256(b"v body").hexdigest()[:16]
    if how == "own-header":
        code, recs, err = run(["--state", db, "-H",
                               "If-None-Match: " + etag, u])
        assert code == 0 and recs[0]["status"] == 304, err
        assert recs[0]["hash"] is None
    else:
        con = sqlite3.connect(str(db))
        con.execute("CREATE TABLE entries (key TEXT PRIMARY KEY NOT NULL, "
                    "etag TEXT, last_modified TEXT, hash BLOB, "
                    "status INTEGER, fetched_at INTEGER, "
                    "changed_at INTEGER) WITHOUT ROWID")
        con.execute("INSERT INTO entries VALUES (?, ?, NULL, NULL, 200, "
                    "1, 1)", ("GET " + u, etag))
        con.execute("PRAGMA user_version = 2")
        con.commit()
        con.close()
    site.seen.clear()
    code, recs, err = run(["--state", db, u])
    assert code == 0, err
    assert site.seen == [("/e/v", None, None)]
    assert recs[0]["status"] == 200 and recs[0]["hash"] == sha("v body")
    assert recs[0]["changed"] is None
    code, recs, err = run(["--state", db, u])
    assert recs[0]["status"] == 304 and recs[0]["changed"] is False
    assert recs[0]["hash"] == sha("v body")


def test_failure_keeps_stored_content(site, run, tmp_path):
    """A failed fetch updates the status but not the validators or the
    hash: the next good response compares against the last content."""
    site.set("/e/f", "good")
    good = json.dumps({"url": site.url("/e/f"), "id": "k"})
    bad = json.dumps({"url": site.url("/fail/f"), "id": "k"})
    db = tmp_path / "state.db"
    assert run_state(run, ["--state", db], [good], tmp_path)[0] == 0
    code, recs, err = run_state(run, ["--state", db, "--retries", "0"],
                                [bad], tmp_path)
    assert code == 1 and recs[0]["status"] == 500
    assert recs[0]["changed"] is None and recs[0]["hash"] is None
    con = sqlite3.connect(str(db))
    row = con.execute("SELECT status, hash IS NOT NULL, etag FROM entries "
                      "WHERE key = '\"k\"'").fetchone()
    con.close()
    assert row[0] == 500 and row[1] == 1 and row[2].startswith('"')
    code, recs, err = run_state(run, ["--state", db], [good], tmp_path)
    assert recs[0]["status"] == 304 and recs[0]["changed"] is False
    # No response at all: the store's status is null, as the record's,
    # not 0 (which no "status >= 400" finds either way).
    none = json.dumps({"url": "http://127.0.0.1:9/", "id": "k"})
    code, recs, err = run_state(run, ["--state", db, "--retries", "0"],
                                [none], tmp_path)
    assert code == 1 and recs[0]["status"] is None
    con = sqlite3.connect(str(db))
    assert con.execute("SELECT status, hash IS NOT NULL FROM entries WHERE "
                       "key = '\"k\"'").fetchone() == (None, 1)
    con.close()


def test_save_304_keeps_previous_file(site, run, tmp_path):
    site.set("/e/s", "saved body")
    u = site.url("/e/s")
    db, d = tmp_path / "state.db", tmp_path / "out"
    code, recs, err = run(["--state", db, "--save", d, u])
    assert code == 0, err
    f = recs[0]["file"]
    assert open(f).read() == "saved body"
    code, recs, err = run(["--state", db, "--save", d, u])
    assert code == 0, err
    assert recs[0]["status"] == 304 and recs[0]["changed"] is False
    assert recs[0]["file"] == f
    assert open(f).read() == "saved body"


@pytest.mark.parametrize("version", [1, 2])
def test_older_schema_is_upgraded(site, run, tmp_path, version):
    """A version-1 store (no change time) or version-2 store (one table
    keyed by the request) is brought up to date in place: every key and
    value kept, its validators used."""
    site.set("/e/old", "old body")
    u = site.url("/e/old")
    db = tmp_path / "state.db"
    # What a 304 needs: the validators the site sends for this body.
    assert run(["--state", tmp_path / "probe.db", u])[0] == 0
    p = sqlite3.connect(str(tmp_path / "probe.db"))
    etag, lm, h = p.execute("SELECT etag, last_modified, hash FROM "
                            "entries").fetchone()
    p.close()
    con = sqlite3.connect(str(db))
    con.execute("CREATE TABLE entries (key TEXT PRIMARY KEY NOT NULL, "
                "etag TEXT, last_modified TEXT, hash BLOB, status INTEGER, "
                "fetched_at INTEGER) WITHOUT ROWID")
    if version == 2:
        con.execute("ALTER TABLE entries ADD COLUMN changed_at INTEGER")
        rows = [("GET " + u, etag, lm, h, 200, 1, 1),
                ('"other"', '"x"', None, b"\x01" * 32, 404, 5, 3)]
    else:
        rows = [("GET " + u, etag, lm, h, 200, 1),
                ('"other"', '"x"', None, b"\x01" * 32, 404, 5)]
    con.executemany("INSERT INTO entries VALUES (%s)" %
                    ", ".join("?" * len(rows[0])), rows)
    con.execute("PRAGMA user_version = %d" % version)
    con.commit()
    con.close()
    code, recs, err = run(["--state", db, u])
    assert code == 0, err
    assert recs[0]["status"] == 304 and recs[0]["changed"] is False
    con = sqlite3.connect(str(db))
    assert con.execute("PRAGMA user_version").fetchone()[0] == 3
    names = {n for (n,) in con.execute("SELECT name FROM sqlite_master")}
    assert {"keys", "responses", "entries"} <= names
    got = dict((r[0], r[1:]) for r in con.execute(
        "SELECT key, etag, last_modified, hash, status, changed_at "
        "FROM entries"))
    assert set(got) == {"GET " + u, '"other"'}
    assert got['"other"'] == ('"x"', None, b"\x01" * 32, 404,
                              3 if version == 2 else None)
    assert got["GET " + u][:4] == (etag, lm, h, 304)
    assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 2
    # The old table's pages were given back (VACUUM after the upgrade).
    assert con.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_vacuum_an_upgrade_did_not_finish_is_done_by_the_next_run(
        site, run, tmp_path):
    """The upgrade commits, then VACUUM gives the old table's pages back;
    when that VACUUM did not end (kill -9, a full disk), the next run
    does it: a store with half its pages free is compacted."""
    site.set("/e/z", "z")
    u = site.url("/e/z")
    db = tmp_path / "state.db"
    assert run(["--state", db, u])[0] == 0
    con = sqlite3.connect(str(db))
    # What the upgrade leaves before its VACUUM: the old rows' pages free.
    con.execute("CREATE TABLE old (x)")
    con.executemany("INSERT INTO old VALUES (?)",
                    [(b"\0" * 1000,) for _ in range(2000)])
    con.commit()
    con.execute("DROP TABLE old")
    con.commit()
    free, pages = (con.execute("PRAGMA freelist_count").fetchone()[0],
                   con.execute("PRAGMA page_count").fetchone()[0])
    con.close()
    assert free > 400 and free * 4 > pages * 3
    code, recs, err = run(["--state", db, u])
    assert code == 0 and recs[0]["changed"] is False, err
    con = sqlite3.connect(str(db))
    assert con.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT key, status FROM entries").fetchall() == [
        ("GET " + u, 304)]
    con.close()


def make_schema_2_store(db, n):
    """A schema-2 store of n keys, in WAL mode as cofetch left it."""
    con = sqlite3.connect(str(db))
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("CREATE TABLE entries (key TEXT PRIMARY KEY NOT NULL, "
                "etag TEXT, last_modified TEXT, hash BLOB, status INTEGER, "
                "fetched_at INTEGER, changed_at INTEGER) WITHOUT ROWID")
    con.executemany("INSERT INTO entries VALUES (?, ?, NULL, ?, 200, ?, ?)",
                    (("GET http://127.0.0.1:9/%d" % i, '"%d"' % i,
                      hashlib.sha256(b"%d" % i).digest(), i, i)
                     for i in range(n)))
    con.execute("PRAGMA user_version = 2")
    con.commit()
    con.close()


@pytest.mark.slow
def test_kill_9_during_an_upgrade_never_loses_the_store(tmp_path):
    """kill -9 at random moments of an upgrade (its copy, its commit, the
    VACUUM after it): the store is sound every time, at version 2 or 3
    with every key, and the next run finishes the upgrade."""
    n = 100000
    src = tmp_path / "v2.db"
    make_schema_2_store(src, n)
    image = src.read_bytes()
    db = tmp_path / "state.db"
    env = binary_env()
    args = [BINARY, "--state", str(db), "--retries", "0",
            "http://127.0.0.1:9/x"]
    t0 = time.monotonic()
    db.write_bytes(image)
    subprocess.run(args, capture_output=True, env=env, timeout=120 * SLOW)
    took = time.monotonic() - t0
    rnd = random.Random(99)
    for _ in range(12):
        for f in tmp_path.glob("state.db*"):
            f.unlink()
        db.write_bytes(image)
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env)
        time.sleep(rnd.uniform(0, took))
        p.kill()
        p.wait()
        # Read a copy: sqlite3 here would finish what the kill left.
        for f in tmp_path.glob("state.db*"):
            (tmp_path / ("copy" + f.name[5:])).write_bytes(f.read_bytes())
        con = sqlite3.connect(str(tmp_path / "copy.db"))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA user_version").fetchone()[0] in (2, 3)
        assert con.execute("SELECT count(*) FROM entries WHERE key LIKE "
                           "'GET http://127.0.0.1:9/%' AND etag IS NOT NULL"
                           ).fetchone()[0] == n
        con.close()
        for f in tmp_path.glob("copy.db*"):
            f.unlink()
        p = subprocess.run(args, capture_output=True, env=env,
                           timeout=120 * SLOW)
        assert p.returncode == 1, p.stderr     # port 9 refuses
        con = sqlite3.connect(str(db))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 3
        assert con.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM keys").fetchone()[0] == \
            n + 1
        assert con.execute("SELECT hash FROM entries WHERE key = "
                           "'GET http://127.0.0.1:9/77'").fetchone()[0] == \
            hashlib.sha256(b"77").digest()
        con.close()


def run_on_tmpfs(tmp_path, store, size_kb, script_args, ro_dir=False):
    """Run cofetch with --state on a tmpfs of size_kb holding a copy of
    store, in a mount namespace of its own (the tmpfs is gone after it);
    the tmpfs's files are copied back into tmp_path / "after". Returns
    (exit status, stdout, stderr) of the cofetch run. With ro_dir, the
    store may be written but not its directory, and cofetch runs as
    nobody (root could write it anyway)."""
    import os
    import shutil
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a tmpfs of a given size")
    mnt, after = tmp_path / "mnt", tmp_path / "after"
    for d in (mnt, after):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
    if ro_dir and not shutil.which("setpriv"):
        pytest.skip("needs setpriv to run as nobody")
    script = ('mount -t tmpfs -o size=%dk,mode=755 tmpfs "$1" || exit 99; '
              'cp "$2" "$1/state.db" || exit 98; %s'
              '"$4" --state "$1/state.db" "${@:5}" >"$3/out" 2>"$3/err"; '
              'echo $? >"$3/rc"; cp "$1"/state.db* "$3"/' %
              (size_kb, 'chmod 666 "$1/state.db"; chmod 555 "$1"; HOME="$1" '
               'setpriv --reuid 65534 --regid 65534 --clear-groups '
               if ro_dir else ""))
    p = subprocess.run(["unshare", "-m", "bash", "-c", script, "-",
                        str(mnt), str(store), str(after), BINARY] +
                       script_args, env=binary_env(),
                       capture_output=True, timeout=120 * SLOW)
    if p.returncode == 99:
        pytest.skip("cannot mount a tmpfs here")
    assert p.returncode == 0, p.stderr
    return (int((after / "rc").read_text()), (after / "out").read_text(),
            (after / "err").read_text())


def test_upgrade_without_room_stops_before_any_fetch(site, run, tmp_path):
    """An upgrade on a disk without room for it (about twice the store)
    either ends whole or stops the run with exit 2 before any request:
    never a run that fetches everything and then cannot save (exit 3).
    The store is sound either way, and a run with room finishes it."""
    n = 30000
    src = tmp_path / "v2.db"
    make_schema_2_store(src, n)
    size = src.stat().st_size
    site.set("/e/room", "room")
    u = site.url("/e/room")
    outcomes = set()
    for tenths in (12, 16, 20, 24, 26, 28, 30, 32, 34, 40):
        site.seen.clear()
        code, out, err = run_on_tmpfs(tmp_path, src, size * tenths // 10240,
                                      [u])
        outcomes.add(code)
        if code == 2:
            assert "cannot upgrade the schema" in err and "full" in err, err
            assert "about twice the store's size" in err, err
            assert out == "" and site.seen == []
        else:
            assert code == 0, err
            assert len(site.seen) == 1
        db = tmp_path / "after" / "state.db"
        con = sqlite3.connect(str(db))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM entries").fetchone()[0] \
            == n + (code == 0)
        con.close()
        # With room, the next run ends the upgrade.
        code, recs, err = run(["--state", db, u])
        assert code == 0, err
        con = sqlite3.connect(str(db))
        assert con.execute("PRAGMA user_version").fetchone()[0] == 3
        assert con.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM keys").fetchone()[0] == n + 1
        con.close()
    assert outcomes == {0, 2}


def test_store_in_a_read_only_directory_is_named_clearly(site, tmp_path):
    """A store that may be written in a directory that may not (no room
    for its log beside it) exits 2 saying so, not "attempt to write a
    readonly database", and the file is untouched."""
    src = tmp_path / "v2.db"
    make_schema_2_store(src, 10)
    with sqlite3.connect(str(src)) as con:
        con.execute("PRAGMA journal_mode = DELETE")
    code, out, err = run_on_tmpfs(tmp_path, src, 4096, [site.url("/e/x")],
                                  ro_dir=True)
    assert code == 2 and out == ""
    assert "cannot write its directory" in err and "state.db-wal" in err, err
    assert "--help" not in err
    assert (tmp_path / "after" / "state.db").read_bytes() == src.read_bytes()
    assert site.seen == []


@pytest.mark.parametrize("what", ["newer", "foreign", "foreign-3",
                                  "garbage"])
def test_unusable_store_is_a_usage_error(run, tmp_path, what):
    db = tmp_path / "state.db"
    if what == "garbage":
        db.write_bytes(b"not a database at all\n" * 100)
    else:
        con = sqlite3.connect(str(db))
        if what == "newer":
            con.execute("PRAGMA user_version = 99")
        elif what == "foreign-3":   # another program's version 3
            con.execute("PRAGMA user_version = 3")
            con.execute("CREATE TABLE keys (k)")
        con.execute("CREATE TABLE other (x)")
        con.commit()
        con.close()
    before = db.read_bytes()
    out = tmp_path / "out.jsonl"
    out.write_text("keep\n")
    code, recs, err = run(["--state", db, "-o", out,
                           "http://127.0.0.1:9/"])
    assert code == 2
    assert "--state" in err and recs == []
    assert {"newer": "newer", "foreign": "not a cofetch state file",
            "foreign-3": "not a cofetch state file",
            "garbage": "not a database"}[what] in err
    assert "--help" not in err, err     # not a usage problem
    assert db.read_bytes() == before
    assert out.read_text() == "keep\n"


def test_store_that_cannot_be_opened_exits_2_without_the_help_hint(
        run, tmp_path):
    db = tmp_path / "no-such-dir" / "state.db"
    code, recs, err = run(["--state", db, "http://127.0.0.1:9/"])
    assert code == 2 and recs == []
    assert "--state" in err and "unable to open" in err, err
    assert "--help" not in err, err


def test_options_need_their_partners(run):
    code, _, err = run(["--only-changed", "http://127.0.0.1:9/"])
    assert code == 2 and "--state" in err
    code, _, err = run(["--metrics-per-host", "http://127.0.0.1:9/"])
    assert code == 2 and "--metrics" in err


def test_second_run_on_same_store_fails_clearly(site, run, spawn, tmp_path):
    """One run holds the store; a second waits a bounded time, then exits
    2 saying so, and the store stays sound."""
    site.set("/e/a", "a")
    db = tmp_path / "state.db"
    first = spawn(["--state", db, "-i", "-"], stdin=subprocess.PIPE)
    first.write(site.url("/e/a") + "\n")
    assert first.readline(10 * SLOW) is not None   # the store is open
    t0 = time.monotonic()
    code, recs, err = run(["--state", db, site.url("/e/a")], timeout=30)
    waited = time.monotonic() - t0
    assert code == 2, err
    assert "in use by another cofetch run" in err
    assert "--help" not in err, err
    assert recs == []
    assert waited >= 4.0    # STATE_WAIT_MS, with slack
    first.close_stdin()
    code, recs, err = first.finish()
    assert code == 0, err
    con = sqlite3.connect(str(db))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    con.close()
    # Free again: the next run works.
    code, recs, err = run(["--state", db, site.url("/e/a")])
    assert code == 0 and recs[0]["changed"] is False


def test_cancelled_requests_leave_the_store_alone(site, run, spawn,
                                                  tmp_path):
    site.set("/e/c", "c")
    db = tmp_path / "state.db"
    assert run(["--state", db, site.url("/e/c")])[0] == 0
    con = sqlite3.connect(str(db))
    before = con.execute("SELECT * FROM entries").fetchall()
    con.close()
    # A request to a server that never answers, then SIGTERM.
    import socket
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    stall = "http://127.0.0.1:%d/never" % ls.getsockname()[1]
    pr = spawn(["--state", db, "-i", "-"], stdin=subprocess.PIPE)
    pr.write(stall + "\n")
    time.sleep(0.5)
    pr.p.terminate()
    code, recs, err = pr.finish()
    ls.close()
    assert code == 128 + 15
    assert [r["error"]["kind"] for r in recs] == ["cancelled"]
    con = sqlite3.connect(str(db))
    assert con.execute("SELECT * FROM entries").fetchall() == before
    con.close()


@pytest.mark.slow
def test_kill_9_never_corrupts_the_store(nginx, tmp_path):
    """kill -9 at random moments of a few-thousand-request run: the store
    passes integrity_check every time, and the next full run completes
    with changed values that agree with what the store held."""
    n = 5000
    urls = ["%s?k=%d" % (nginx.url("/f/%d.txt" % (i % 100)), i)
            for i in range(n)]
    inp = lines_file(tmp_path / "in.txt", urls)
    db, out = tmp_path / "state.db", tmp_path / "out.jsonl"
    rnd = random.Random(1234)
    env = binary_env()
    kills = 0
    for _ in range(20):
        # Killed once a random number of records is out: mid-run, at a
        # different moment each time, however fast the machine.
        target = rnd.randrange(1, n * 4 // 5)
        p = subprocess.Popen([BINARY, "--state", str(db), "-c", "32",
                              "-i", str(inp), "-o", str(out)],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env=env)
        while p.poll() is None:
            try:
                with open(out, "rb") as f:
                    if f.read().count(b"\n") >= target:
                        break
            except FileNotFoundError:
                pass
            time.sleep(0.002)
        if p.poll() is None:
            p.kill()
            kills += 1
        p.communicate(timeout=60 * SLOW)
        con = sqlite3.connect(str(db), timeout=10)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    assert kills >= 10, "the runs ended before they could be killed"
    con = sqlite3.connect(str(db))
    stored = {k for (k,) in con.execute(
        "SELECT key FROM entries WHERE hash IS NOT NULL")}
    con.close()
    p = subprocess.run([BINARY, "--state", str(db), "-c", "32", "-i",
                        str(inp)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env,
                       timeout=120 * SLOW)
    assert p.returncode == 0, p.stderr[-2000:]
    recs = [json.loads(ln) for ln in p.stdout.splitlines()]
    assert len(recs) == n
    for r in recs:
        path = r["url"].split("/f/")[1].split("?")[0]
        assert r["hash"] == "sha256:" + hashlib.sha256(
            nginx.files[path]).hexdigest()
        if "GET " + r["url"] in stored:
            assert r["changed"] is False and r["status"] == 304
        else:
            assert r["changed"] is None and r["status"] == 200
    p = subprocess.run([BINARY, "--state", str(db), "-c", "32", "-i",
                        str(inp)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env,
                       timeout=120 * SLOW)
    recs = [json.loads(ln) for ln in p.stdout.splitlines()]
    assert len(recs) == n
    assert all(r["changed"] is False for r in recs)


def test_records_that_cannot_be_written_are_not_marked_seen(site, run,
                                                           tmp_path):
    """When the records cannot be written, the batch they belong to is
    dropped: the next run reports those changes again rather than never."""
    site.set("/e/w", "w")
    db = tmp_path / "state.db"
    code, recs, err = run(["--state", db, "-o", "/dev/full",
                           site.url("/e/w")])
    assert code == 3, err
    con = sqlite3.connect(str(db))
    assert con.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
    con.close()
    code, recs, err = run(["--state", db, site.url("/e/w")])
    assert code == 0 and recs[0]["changed"] is None


@pytest.mark.parametrize("end", ["kill", "term"])
@pytest.mark.parametrize("ordered", [False, True])
def test_records_a_slow_reader_has_not_taken_are_not_marked_seen(
        site, tmp_path, ordered, end):
    """A batch is committed once the output has written its records: a
    reader that takes nothing for seconds (records queued in cofetch, or
    held back by --ordered behind a slow request) and a kill -9, or a
    SIGTERM whose grace second the reader lets pass, then leave the
    store without them, so the next run reports them again rather than
    calling them unchanged."""
    import fcntl
    import os
    n = 600
    for i in range(n):
        site.set("/e/q%d" % i, "q %d" % i)
    urls = [site.url("/e/q%d" % i) for i in range(n)]
    if ordered:
        urls[0] = site.url("/slow/q")     # holds the others back
    inp = lines_file(tmp_path / "in.txt", urls)
    db = tmp_path / "state.db"
    r, w = os.pipe()
    args = [BINARY, "--state", str(db), "-c", "16", "-i", inp]
    p = subprocess.Popen(args + (["--ordered"] if ordered else []),
                         stdout=w, stderr=subprocess.DEVNULL,
                         env=binary_env())
    os.close(w)
    time.sleep(1.6 if ordered else 3)    # past a commit's second
    if end == "term":
        p.terminate()
        p.wait(timeout=30 * SLOW)   # after its grace second
    else:
        # Frozen first, so the reading below cannot make room for more:
        # what the pipe holds is what the run wrote before the kill -9.
        # (Read while it ran, the pipe was refilled as fast as it was
        # drained, and a quick run got every record through.)
        p.send_signal(signal.SIGSTOP)
    fcntl.fcntl(r, fcntl.F_SETFL, os.O_NONBLOCK)
    got = b""
    try:
        while True:
            b = os.read(r, 65536)
            if not b:
                break
            got += b
    except BlockingIOError:
        pass
    p.kill()
    p.wait()
    os.close(r)
    written = {json.loads(ln)["url"] for ln in got.splitlines()}
    con = sqlite3.connect(str(db))
    stored = {k[4:] for (k,) in con.execute("SELECT key FROM entries")}
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert len(written) < n
    assert not stored - written, "%d records marked seen, unwritten" % \
        len(stored - written)


def test_resume_with_only_changed_refetches_left_out(site, run, tmp_path):
    """--resume skips what the file holds an ok record for; with
    --only-changed the unchanged ones are not in the file, so a resumed
    run asks for them again, conditionally, and still leaves them out."""
    for i in range(4):
        site.set("/e/r%d" % i, "r %d" % i)
    urls = [site.url("/e/r%d" % i) for i in range(4)]
    db, out = tmp_path / "state.db", tmp_path / "out.jsonl"
    assert run_state(run, ["--state", db], urls, tmp_path)[0] == 0
    site.set("/e/r1", "r 1 new")
    args = ["--state", db, "--only-changed", "-o", out]
    assert run_state(run, args, urls, tmp_path)[0] == 0
    first = [json.loads(ln) for ln in out.read_text().splitlines()]
    assert [r["index"] for r in first] == [1]
    site.seen.clear()
    assert run_state(run, args + ["--resume"], urls, tmp_path)[0] == 0
    assert out.read_text().count("\n") == 1
    assert sorted(p for p, _, _ in site.seen) == ["/e/r0", "/e/r2", "/e/r3"]
    assert all(inm is not None for _, inm, _ in site.seen)


def test_readme_promises_what_the_man_page_does_on_power_loss():
    """The README said a power cut lost at most the last second; the man
    page (STATE STORE) says every batch since the last checkpoint."""
    from conftest import ROOT
    readme = " ".join((ROOT / "README").read_text().split())
    man = " ".join((ROOT / "man" / "cofetch.1").read_text().split())
    assert "power cut loses at most" not in readme
    assert "every 10,000 pages" in man
    assert "a power loss may take every batch since SQLite's last " \
        "checkpoint (every 10,000 pages of log)" in readme


def test_stats_with_processes_has_an_empty_host_list_as_documented():
    """README's --stats row and the man page both say so."""
    from conftest import ROOT
    p = subprocess.run([BINARY, "-q", "-P", "2", "--stats", "--retries",
                        "0", "http://127.0.0.1:9/", "http://127.0.0.1:9/x"],
                       capture_output=True, stdin=subprocess.DEVNULL,
                       env=binary_env(), timeout=60 * SLOW)
    stats = json.loads(p.stderr.decode().strip().splitlines()[-1])
    assert stats["requests"] == 2 and stats["hosts"] == []
    assert "with `-P` the host list is empty" in (ROOT / "README").read_text()


def test_make_bench_passes_bench_args():
    """`make bench --quick` is no make option: BENCH_ARGS is the way."""
    from conftest import ROOT
    p = subprocess.run(["make", "-s", "-n", "bench",
                        "BENCH_ARGS=--quick --only 1"], cwd=str(ROOT),
                       capture_output=True, timeout=60 * SLOW)
    assert p.returncode == 0, p.stderr
    assert "tests/bench/run --quick --only 1" in p.stdout.decode()
    for doc in ["README", "tests/bench/README"]:
        assert "make bench BENCH_ARGS=--quick" in (ROOT / doc).read_text()
