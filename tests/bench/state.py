#!/usr/bin/python3
"""tests/bench/state.py: what --state costs, against nginx on 127.0.0.1.

1. Fill a store with KEYS keys (default 1,000,000) the way cofetch writes
   them (schema 3: a key like "GET http://host/p?k=N", an ETag, a
   Last-Modified, a 32-byte hash, status and times); report bytes per key.
2. N requests (default 100,000) to nginx, at -c 50, with -o /dev/null:
   a) without --state                   (baseline)
   b) --state on the filled store, first sight of N new keys (200s)
   c) the same again: every request conditional, 304s
   Each is run REPEAT times (a, b, c alternating), for the URLs in input
   order and shuffled; the report gives the lowest user+sys CPU seconds of
   cofetch (every round's in brackets), the ratio to the best baseline
   round (of either order: a busy machine only slows runs down), the
   median wall seconds and the peak RSS (ru_maxrss of the child).

   With --callgrind N, a, b and c also run for N URLs under callgrind:
   instructions per request and their ratios (start-up included).

Usage: tests/bench/state.py [--n N] [--keys K] [--repeat R]
                            [--order key|shuffled|both] [--json FILE]
                            [--callgrind N]
                            [--body-size BYTES] [--cofetch P]
Targets (issue 13): b/a and c/a <= 1.25, peak RSS < 32 MB.
"""

import argparse
import hashlib
import json
import os
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 8192;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    keepalive_requests 10000000;
    default_type application/json;
    server {{
        listen 127.0.0.1:{port};
        root {d}/html;
        location / {{ }}
    }}
}}
"""

# cofetch's schema 3 (src/state.c): keys, and their rows numbered in the
# order they were first stored.
SCHEMA = ("CREATE TABLE responses (id INTEGER PRIMARY KEY, etag TEXT, "
          "last_modified TEXT, hash BLOB, status INTEGER, fetched_at "
          "INTEGER, changed_at INTEGER);"
          "CREATE TABLE keys (key TEXT PRIMARY KEY NOT NULL, "
          "id INTEGER NOT NULL) WITHOUT ROWID;"
          "CREATE VIEW entries AS SELECT k.key AS key, r.etag AS etag, "
          "r.last_modified AS last_modified, r.hash AS hash, "
          "r.status AS status, r.fetched_at AS fetched_at, "
          "r.changed_at AS changed_at FROM keys AS k JOIN responses AS r "
          "ON r.id = k.id")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# With two cores or more, nginx runs on one and cofetch on another: CPU
# time is each process's own either way, but unpinned the two (and
# anything else on the machine) share both cores, and a round's CPU
# varied by 30% (pinned: 5%).  --no-pin turns it off.
SERVER_CPU, CLIENT_CPU = 0, 1
PIN = (os.cpu_count() or 1) >= 2 and "STATE_BENCH_NO_PIN" not in os.environ


def pin(cpu):
    if PIN:
        os.sched_setaffinity(0, {cpu})


def start_nginx(d, size):
    os.makedirs(os.path.join(d, "tmp"))
    os.makedirs(os.path.join(d, "html"))
    for i in range(100):
        with open(os.path.join(d, "html", "%d.json" % i), "w") as f:
            f.write('{"i": %d, "pad": "%s"}\n' % (i, "x" * (size + i)))
    port = free_port()
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(d=d, port=port))
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    p = subprocess.Popen([exe, "-p", d, "-c", os.path.join(d, "nginx.conf"),
                          "-e", os.path.join(d, "error.log")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         preexec_fn=lambda: pin(SERVER_CPU))
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return p, port
        except OSError:
            time.sleep(0.05)
    sys.exit("nginx did not start")


def fill(db, keys, port):
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode = WAL")
    con.executescript(SCHEMA)
    con.execute("PRAGMA user_version = 3")
    now = int(time.time())
    con.executemany("INSERT INTO keys VALUES (?, ?)", (
        ("GET http://127.0.0.1:%d/%d.json?old=%d" % (port, i % 100, i),
         i + 1) for i in range(keys)))
    con.executemany("INSERT INTO responses VALUES (?,?,?,?,?,?,?)", (
        (i + 1, '"%x-%x"' % (0x6560a0b0 + i, 200 + i % 100),
         "Mon, 30 Nov 2026 10:00:00 GMT", hashlib.sha256(b"%d" % i).digest(),
         200, now, now) for i in range(keys)))
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def run(cofetch, args):
    t0 = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run([cofetch] + args, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit("cofetch failed (%d): %s" % (p.returncode, p.stderr[-500:]))
    cpu = (after.ru_utime - before.ru_utime) + \
        (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss


def measure(a, d, base_db, port, shuffle):
    """Rounds of a/b/c for one URL order; {mode: [(cpu, wall, rss_kb)]}."""
    urls = os.path.join(d, "urls.txt")
    lines = ["http://127.0.0.1:%d/%d.json?k=%d\n" % (port, i % 100, i)
             for i in range(a.n)]
    if shuffle:
        random.Random(1).shuffle(lines)
    with open(urls, "w") as f:
        f.writelines(lines)
    common = ["-q", "-c", "50", "-i", urls, "-o", "/dev/null"]
    res = {"a": [], "b": [], "c": []}
    db = os.path.join(d, "run.db")
    for _ in range(a.repeat):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        shutil.copy(base_db, db)
        # One child at a time, so ru_maxrss is this child's; a, b, c
        # alternate, so load from elsewhere hits them alike.
        for k, extra in (("a", []), ("b", ["--state", db]),
                         ("c", ["--state", db])):
            r = subprocess.run([sys.executable, __file__, "--child",
                                a.cofetch] + common + extra,
                               stdout=subprocess.PIPE, check=True)
            res[k].append(tuple(map(float, r.stdout.split())))
    return res, os.path.getsize(db)


def callgrind(a, d, base_db, port):
    """Instructions of a, b and c (in key order, a fresh store copy) under
    valgrind --tool=callgrind for a.callgrind URLs: {mode: Ir}."""
    urls = os.path.join(d, "urls-cg.txt")
    with open(urls, "w") as f:
        f.writelines("http://127.0.0.1:%d/%d.json?k=%d\n" % (port, i % 100,
                                                             i)
                     for i in range(a.callgrind))
    db = os.path.join(d, "cg.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    shutil.copy(base_db, db)
    out = {}
    for k, extra in (("a", []), ("b", ["--state", db]),
                     ("c", ["--state", db])):
        cg = os.path.join(d, "callgrind.out")
        p = subprocess.run(["valgrind", "--tool=callgrind",
                            "--callgrind-out-file=" + cg, a.cofetch, "-q",
                            "-c", "50", "-i", urls, "-o", "/dev/null"] +
                           extra, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        m = re.search(rb"Collected : (\d+)", p.stderr)
        if p.returncode != 0 or not m:
            sys.exit("callgrind run failed: %s" % p.stderr[-500:])
        out[k] = int(m.group(1))
    return out


NAMES = {"a": "no --state", "b": "--state, new keys (200)",
         "c": "--state, conditional (304)"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--body-size", type=int, default=200,
                    help="bytes of each response body (about)")
    ap.add_argument("--order", choices=("key", "shuffled", "both"),
                    default="both",
                    help="URLs in the input's order (key), in random order "
                    "(shuffled: every lookup and update on another page), "
                    "or both one after the other (default)")
    ap.add_argument("--shuffle", action="store_true",
                    help="same as --order shuffled")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--no-pin", action="store_true",
                    help="do not pin nginx and cofetch to a core each")
    ap.add_argument("--callgrind", type=int, default=0, metavar="N",
                    help="also count instructions of a, b and c for N URLs "
                    "in key order under callgrind (stable on a busy "
                    "machine; 0: not)")
    ap.add_argument("--cofetch", default=os.environ.get("COFETCH") or
                    os.path.join(ROOT, "cofetch"))
    a = ap.parse_args()
    global PIN
    if a.no_pin:
        os.environ["STATE_BENCH_NO_PIN"] = "1"  # for the --child runs
        PIN = False
    if a.shuffle:
        a.order = "shuffled"
    orders = ("key", "shuffled") if a.order == "both" else (a.order,)
    d = tempfile.mkdtemp(prefix="cofetch-state-bench-")
    ng, port = start_nginx(d, a.body_size)
    out = {"keys": a.keys, "n": a.n, "repeat": a.repeat, "orders": {}}
    try:
        base_db = os.path.join(d, "filled.db")
        t0 = time.monotonic()
        fill(base_db, a.keys, port)
        size = os.path.getsize(base_db)
        out["store_bytes"] = size
        out["bytes_per_key"] = size / a.keys
        print("store: %d keys, %d bytes, %.0f bytes/key (filled in %.1f s)"
              % (a.keys, size, size / a.keys, time.monotonic() - t0),
              flush=True)
        runs = {o: measure(a, d, base_db, port, o == "shuffled")
                for o in orders}
        # The baseline does not depend on the order: the best of all its
        # rounds, so one slow round from elsewhere skews no ratio.
        base = min(c for res, _ in runs.values() for c, _, _ in res["a"])
        out["base_cpu"] = base
        for order in orders:
            res, size2 = runs[order]
            o = out["orders"][order] = {}
            print("%d requests, URLs in %s order, -c 50, best of %d "
                  "(CPU of every round in brackets; x: to the best no "
                  "--state round of any order):" % (a.n, order, a.repeat))
            for k in "abc":
                cpu = min(c for c, _, _ in res[k])
                rss = max(r for _, _, r in res[k])
                wall = statistics.median(w for _, w, _ in res[k])
                o[k] = {"name": NAMES[k], "cpu": cpu, "ratio": cpu / base,
                        "cpu_all": [c for c, _, _ in res[k]],
                        "wall_median": wall, "rss_kb": rss}
                print("  %-28s cpu %6.2f s  x%.2f  wall %6.2f s  "
                      "peak RSS %5.1f MB  [%s]" % (
                          NAMES[k], cpu, cpu / base, wall, rss / 1024,
                          " ".join("%.2f" % c for c, _, _ in res[k])),
                      flush=True)
            o["store_bytes_after"] = size2
            print("  store after the runs: %d keys, %d bytes, %.0f "
                  "bytes/key" % (a.keys + a.n, size2,
                                 size2 / (a.keys + a.n)), flush=True)
        if a.callgrind:
            ir = out["callgrind"] = callgrind(a, d, base_db, port)
            print("instructions (callgrind), %d URLs in key order:" %
                  a.callgrind)
            for k in "abc":
                print("  %-28s %6.1f k/request  x%.2f" % (
                    NAMES[k], ir[k] / 1e3 / a.callgrind, ir[k] / ir["a"]))
        if a.json:
            with open(a.json, "w") as f:
                json.dump(out, f, indent=1)
    finally:
        ng.terminate()
        ng.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        pin(CLIENT_CPU)
        cpu, wall, maxrss = run(sys.argv[2], sys.argv[3:])
        print(cpu, wall, maxrss)
    else:
        main()
