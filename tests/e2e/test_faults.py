"""The fault matrix: a seeded mix of well over a thousand requests over
every way a server or a line can go wrong, run at -c 100. Whatever
happens, each index gets exactly one record, every line is valid JSON, the
run exits 1, and each record's error kind is the one its fault calls for
(SPEC "Output records", error kinds, retries; issue #3).

The mix is 1,200 requests (COFETCH_FAULT_N sets another size); it takes
about ten seconds, the sanitizer build included, since the time goes into
the timeouts of the stalls rather than into cofetch. Only the stalls may
time out: on a loaded machine (two busy loops beside the sanitizer build
at -c 100) a redirect loop of 11 requests ran past -t 0.5 and then -t 2,
was retried and ended with "attempts: 2". So -t is 3 s and --max-redirs
3 makes a loop 4 requests."""

import os
import random
import uuid

from conftest import assert_record_shape, closed_port, kind, lines_file

N = int(os.environ.get("COFETCH_FAULT_N") or 1200)
SEED = 20240611
RETRIES = 2
ARGS = ["-c", "100", "-t", "3", "--connect-timeout", "3",
        "--max-redirs", "3", "--retries", str(RETRIES),
        "--retry-delay", "0.01", "--retry-max-delay", "0.05",
        "--max-size", "256K"]
ALL = RETRIES + 1


class Want:
    """What the record for one line must say. attempts/status None mean
    'not checked'; status may also be a set."""

    def __init__(self, kind, attempts=None, status=None, size=None,
                 redirects=None):
        self.kind = kind
        self.attempts = attempts
        self.status = status
        self.size = size
        self.redirects = redirects


def faults(server, tag, dead_port):
    """(weight, name, make(k, rnd) -> (line, Want))."""
    u = server.url

    def flaky(k, fail, status=503, extra=""):
        return u("/flaky?key=%s-%d&fail=%d&status=%d%s&n=%d" % (
            tag, k, fail, status, extra, k))

    def bytes_ok(k, rnd):
        n = rnd.randint(0, 100000)
        return u("/bytes?n=%d&i=%d" % (n, k)), Want(None, 1, 200, size=n)

    def burst_ok(k, rnd):
        fail = rnd.randint(1, RETRIES)
        st = rnd.choice([500, 502, 503, 504])
        return flaky(k, fail, st), Want(None, fail + 1, 200)

    def burst_fail(k, rnd):
        st = rnd.choice([500, 502, 503, 504])
        return flaky(k, ALL + 2, st), Want("http", ALL, st)

    def ra_ok(k, rnd):
        return (flaky(k, 1, 429, "&retry_after=%d" % rnd.randint(1, 30)),
                Want(None, 2, 200))

    def ra_date_ok(k, rnd):
        return (flaky(k, 1, 503, "&retry_after_date=5"),
                Want(None, 2, 200))

    def ra_fail(k, rnd):
        return (u("/status/429?retry_after=1&n=%d" % k),
                Want("http", ALL, 429))

    return [
        (14, "ok", lambda k, r: (u("/ok?n=%d" % k), Want(None, 1, 200,
                                                          size=3))),
        (6, "delay", lambda k, r: (u("/delay?ms=%d&n=%d" % (
            r.randint(0, 60), k)), Want(None, 1, 200))),
        (6, "bytes", bytes_ok),
        (3, "gzip", lambda k, r: (u("/gzip?n=20000&i=%d" % k),
                                  Want(None, 1, 200, size=20000))),
        (2, "utf8-bad", lambda k, r: (u("/utf8-bad?n=%d" % k),
                                      Want(None, 1, 200))),
        (3, "redirects", lambda k, r: (u("/redirect/3?n=%d" % k),
                                       Want(None, 1, 200, redirects=3))),
        (4, "reset-none", lambda k, r: (u("/reset?after=none&n=%d" % k),
                                        Want("recv", ALL, None))),
        (4, "reset-headers", lambda k, r: (
            u("/reset?after=headers&n=%d" % k), Want("recv", ALL, 200))),
        (4, "reset-body", lambda k, r: (u("/reset?after=body&n=%d" % k),
                                        Want("recv", ALL, 200))),
        (4, "truncate", lambda k, r: (u("/truncate?n=%d" % k),
                                      Want("recv", ALL, 200))),
        (3, "stall", lambda k, r: (u("/stall?n=%d" % k),
                                   Want("timeout", ALL, 200))),
        (2, "stall-no-headers", lambda k, r: (
            u("/stall?headers=0&n=%d" % k), Want("timeout", ALL, None))),
        (3, "garbage", lambda k, r: (u("/garbage?n=%d" % k),
                                     Want("protocol", 1, None))),
        (2, "garbage-status", lambda k, r: (
            u("/garbage?kind=status&n=%d" % k), Want("protocol", 1, None))),
        (5, "5xx-burst-ok", burst_ok),
        (3, "5xx-burst-fail", burst_fail),
        (3, "429-retry-after-ok", ra_ok),
        (2, "503-retry-after-date-ok", ra_date_ok),
        (2, "429-retry-after-fail", ra_fail),
        (3, "404", lambda k, r: (u("/status/404?n=%d" % k),
                                 Want("http", 1, 404))),
        (3, "loop", lambda k, r: (u("/loop?n=%d" % k),
                                  Want("too_many_redirects", 1, 302))),
        (2, "to-ftp", lambda k, r: (u("/to-ftp?n=%d" % k),
                                    Want("invalid_url", 1, None))),
        (3, "oversize", lambda k, r: (u("/bytes?n=300000&i=%d" % k),
                                      Want("too_large", 1, 200))),
        (3, "oversize-chunked", lambda k, r: (
            u("/bytes?n=300000&chunked=1&i=%d" % k),
            Want("too_large", 1, 200))),
        (3, "gzip-bomb", lambda k, r: (u("/gzip-bomb?n=8M&i=%d" % k),
                                       Want("too_large", 1, 200))),
        (2, "refused", lambda k, r: ("http://127.0.0.1:%d/n=%d" % (
            dead_port, k), Want("connect", ALL, None))),
        (2, "bad-scheme", lambda k, r: ("ftp://127.0.0.1/n=%d" % k,
                                        Want("invalid_url", 0, None))),
        (2, "bad-json", lambda k, r: ('{"url": "%s", ' % u("/ok"),
                                      Want("invalid_input", 0, None))),
        (1, "unknown-key", lambda k, r: (
            '{"url": "%s", "nope": %d}' % (u("/ok"), k),
            Want("invalid_input", 0, None))),
        (1, "crlf-header", lambda k, r: (
            '{"url": "%s", "headers": {"X-A": "a\\r\\nX-B: b"}}' % u("/ok"),
            Want("invalid_input", 0, None))),
        (1, "json-ok", lambda k, r: (
            '{"url": "%s", "id": %d}' % (u("/ok?n=%d" % k), k),
            Want(None, 1, 200))),
    ]


def build(server, n, seed):
    tag = uuid.uuid4().hex[:8]
    table = faults(server, tag, closed_port())
    rnd = random.Random(seed)
    weights = [w for w, _, _ in table]
    lines, wants, names = [], [], []
    for k in range(n):
        w, name, make = rnd.choices(table, weights)[0]
        line, want = make(k, rnd)
        lines.append(line)
        wants.append(want)
        names.append(name)
    # Every fault appears, whatever the seed.
    for k, (w, name, make) in enumerate(table):
        if name not in names:
            pos = len(lines)
            line, want = make(pos, rnd)
            lines.append(line)
            wants.append(want)
            names.append(name)
    return lines, wants, names


def check_matrix(code, recs, err, lines, wants, names):
    n = len(lines)
    idx = [r["index"] for r in recs]
    dups = sorted({i for i in idx if idx.count(i) > 1}) if \
        len(idx) != len(set(idx)) else []
    assert not dups, "indexes written twice: %s" % dups[:20]
    missing = sorted(set(range(n)) - set(idx))
    assert not missing, "indexes with no record: %s" % missing[:20]
    assert len(recs) == n
    assert code == 1, "exit %d; stderr: %s" % (code, err[-2000:])
    wrong = []
    for r in recs:
        assert_record_shape(r)
        k = r["index"]
        w = wants[k]
        problems = []
        if kind(r) != w.kind:
            problems.append("kind %s, want %s" % (kind(r), w.kind))
        if w.attempts is not None and r["attempts"] != w.attempts:
            problems.append("attempts %d, want %d" % (r["attempts"],
                                                      w.attempts))
        if w.status is not None and r["status"] != w.status:
            problems.append("status %s, want %s" % (r["status"], w.status))
        if w.size is not None and r["size"] != w.size:
            problems.append("size %d, want %d" % (r["size"], w.size))
        if w.redirects is not None and r["redirects"] != w.redirects:
            problems.append("redirects %d, want %d" % (r["redirects"],
                                                       w.redirects))
        if w.kind in ("invalid_input",) or (w.kind == "invalid_url" and
                                            w.attempts == 0):
            if r["status"] is not None or r["attempts"] != 0:
                problems.append("invalid line was fetched")
        elif not lines[k].startswith("{") and r["url"] != lines[k]:
            problems.append("url %r" % r["url"])
        if problems:
            wrong.append("%d %s %s: %s (error: %s)" % (
                k, names[k], lines[k][:80], "; ".join(problems),
                r["error"]))
    assert not wrong, "%d records wrong:\n%s" % (len(wrong),
                                                  "\n".join(wrong[:40]))


def test_fault_matrix_as_completed(run, server, tmp_path):
    lines, wants, names = build(server, N, SEED)
    assert len(lines) >= N
    f = lines_file(tmp_path / "urls", lines)
    code, recs, err = run(ARGS + ["-i", f], timeout=120)
    check_matrix(code, recs, err, lines, wants, names)


def test_fault_matrix_ordered_with_save(run, server, tmp_path):
    n = N // 3
    lines, wants, names = build(server, n, SEED + 1)
    f = lines_file(tmp_path / "urls", lines)
    d = tmp_path / "saved"
    d.mkdir()
    code, recs, err = run(ARGS + ["--ordered", "--save", d, "-i", f],
                          timeout=120)
    check_matrix(code, recs, err, lines, wants, names)
    assert [r["index"] for r in recs] == list(range(len(lines)))
    on_disk = set(os.listdir(d))
    assert not [x for x in on_disk if x.startswith(".")], (
        "temporary files left: %s" % sorted(on_disk)[:20])
    for r in recs:
        name = str(r["index"])
        if r["ok"]:
            assert r["file"] == "%s/%s" % (d, name)
            assert os.path.getsize(r["file"]) == r["size"]
        elif kind(r) == "http":
            assert r["file"] == "%s/%s" % (d, name), r
        elif kind(r) in ("recv", "timeout", "protocol", "too_large",
                         "connect", "invalid_input"):
            assert r["file"] is None, r
            assert name not in on_disk, "partial body saved: %s" % r


def test_fault_mix_is_deterministic_for_a_seed(server):
    a = build(server, 200, SEED)
    b = build(server, 200, SEED)
    assert a[2] == b[2]
    assert len(set(a[2])) == len(faults(server, "x", 1))
