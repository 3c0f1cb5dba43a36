"""--resume with -o FILE: a run killed part way (kill -9, SIGTERM) is
finished by the same command with --resume: requests FILE already holds an
ok record for are skipped, the rest are fetched and appended; a torn last
line is dropped (SPEC --resume; issue #3)."""

import os
import random
import signal
import time
import uuid

import pytest

from conftest import (SLOW, assert_record_shape, http_get, kind, lines_file,
                      parse_records)
from faults import (file_lines, index_of, json_lines, read_records,
                    started_indexes, wait_until)


def run_to_end(spawn, args, timeout=60):
    """Run cofetch to its exit: (exit code, raw stdout, stderr)."""
    p = spawn(args)
    code, _, err = p.finish(timeout)
    return code, p.out, err


def ok_count(recs):
    c = {}
    for r in recs:
        if r["ok"]:
            c[r["index"]] = c.get(r["index"], 0) + 1
    return c


def fetched_indexes(server, since=None):
    """Indexes the server saw requests for (since a monotonic time)."""
    if since is None:
        return started_indexes(server)
    return {index_of(r) for r in server.requests()
            if r["t"] >= since and index_of(r) is not None}


def mixed_list(server, n, seed):
    """n lines: mostly short delays; every 10th fails on its first hit
    only (with --retries 0, run 1 gets a failed record for it); every
    25th is a 404 that always fails; two invalid lines. Returns the lines,
    the flaky indexes, the always-failing ones and the flaky keys."""
    rnd = random.Random(seed)
    tag = uuid.uuid4().hex[:8]
    lines, flaky, always_bad, keys = [], set(), set(), {}
    for k in range(n):
        if k in (7, n // 2 + 1):
            lines.append("ftp://127.0.0.1/nope-%d" % k)
            always_bad.add(k)
        elif k % 25 == 24:
            lines.append(server.url("/status/404?n=%d" % k))
            always_bad.add(k)
        elif k % 10 == 3:
            lines.append(server.url("/flaky?key=%s-%d&fail=1&n=%d" % (
                tag, k, k)))
            flaky.add(k)
            keys[k] = "%s-%d" % (tag, k)
        else:
            lines.append(server.url("/delay?ms=%d&n=%d" % (
                rnd.randint(100, 300), k)))
    return lines, flaky, always_bad, keys


def test_kill_9_mid_run_then_resume_completes_each_index_once(
        spawn, server, tmp_path):
    n = 300
    lines, flaky, always_bad, keys = mixed_list(server, n, 3)
    f = lines_file(tmp_path / "urls", lines)
    out = tmp_path / "out.jsonl"
    args = ["-c", "20", "--retries", "0", "-i", f, "-o", out]

    p = spawn(args)
    try:
        wait_until(lambda: file_lines(out) >= 60, 20,
                   "60 records in the output file")
    finally:
        p.kill()
    assert p.p.returncode == -signal.SIGKILL
    first = out.read_bytes()
    whole = first[:first.rfind(b"\n") + 1]
    recs1 = json_lines(whole)
    assert 60 <= len(recs1) < n, "kill -9 did not land mid-run: %d" % len(
        recs1)
    ok1 = {r["index"] for r in recs1 if r["ok"]}
    failed1 = {r["index"] for r in recs1 if not r["ok"]}
    assert failed1 & flaky, "run 1 had no retryable failure to redo"
    # Flaky lines run 1 never reached would fail on their first hit in
    # run 2; spend that hit now, so only run 1 sees failures. (No server
    # reset from here on: it would clear the flaky counters too.)
    hits = server.stats()["flaky"]
    for k in flaky:
        if keys[k] not in hits:
            status, _ = http_get(server.port, "/flaky?key=%s&fail=1" %
                                 keys[k])
            assert status == 503

    t2 = time.monotonic()
    code, so, err = run_to_end(spawn, args + ["--resume"])
    assert code == 1, err            # the 404s and invalid lines
    assert so == b""
    data = out.read_bytes()
    assert data.startswith(whole), "resume rewrote the earlier records"
    recs = parse_records(data)      # every line parses: nothing torn
    for r in recs:
        assert_record_shape(r)

    oks = ok_count(recs)
    dup = {i: c for i, c in oks.items() if c > 1}
    assert not dup, "ok records written twice: %s" % dup
    good = set(range(n)) - always_bad
    assert set(oks) == good, "no ok record for %s" % sorted(good - set(oks))
    by = {}
    for r in recs:
        by.setdefault(r["index"], []).append(r)
    assert set(by) == set(range(n))
    for i in always_bad:
        assert all(not r["ok"] for r in by[i])

    # Run 2 fetched exactly what run 1 had not finished ok.
    again = fetched_indexes(server, since=t2)
    assert not (again & ok1), "refetched ok indexes %s" % sorted(
        again & ok1)
    fetchable_left = (set(range(n)) - ok1) - {i for i in always_bad
                                              if lines[i].startswith("ftp")}
    assert again == fetchable_left, (
        "run 2 fetched %d, expected %d" % (len(again), len(fetchable_left)))
    # Failed records from run 1 were retried and now are ok.
    for i in failed1 & flaky:
        assert [r["ok"] for r in by[i]] == [False, True], by[i]

    # A third --resume has nothing fetchable left but the 404s.
    t3 = time.monotonic()
    before = out.read_bytes()
    code, so, err = run_to_end(spawn, args + ["--resume"])
    assert code == 1, err
    after = out.read_bytes()
    assert after.startswith(before)
    assert fetched_indexes(server, since=t3) == {i for i in always_bad
                                       if not lines[i].startswith("ftp")}
    assert ok_count(parse_records(after)) == oks


def full_run(spawn, server, tmp_path, n=40):
    lines = [server.url("/ok?n=%d" % k) for k in range(n)]
    f = lines_file(tmp_path / "urls", lines)
    out = tmp_path / "out.jsonl"
    args = ["-c", "8", "-i", f, "-o", out]
    code, so, err = run_to_end(spawn, args)
    assert code == 0, err
    return args, out


@pytest.mark.parametrize("where", ["after-first-byte", "mid-line",
                                   "before-closing-brace",
                                   "before-newline"])
def test_resume_drops_a_torn_last_line(spawn, server, tmp_path,
                                       where):
    args, out = full_run(spawn, server, tmp_path)
    data = out.read_bytes()
    lines = data.split(b"\n")[:-1]
    cut_line = 29
    start_at = sum(len(ln) + 1 for ln in lines[:cut_line])
    torn = lines[cut_line]
    keep = {"after-first-byte": 1, "mid-line": len(torn) // 2,
            "before-closing-brace": len(torn) - 1,
            "before-newline": len(torn)}[where]
    cut = data[:start_at + keep]
    out.write_bytes(cut)
    prefix = data[:start_at]
    kept = {r["index"] for r in json_lines(prefix)}
    torn_index = json_lines(torn)[0]["index"]
    assert torn_index not in kept

    server.reset()
    code, so, err = run_to_end(spawn, args + ["--resume"])
    assert code == 0, err
    final = out.read_bytes()
    recs = parse_records(final)      # the torn line is gone
    assert final.startswith(prefix), "records before the torn one changed"
    oks = ok_count(recs)
    assert oks == {i: 1 for i in range(40)}, oks
    refetched = fetched_indexes(server)
    assert not (refetched & kept), "refetched %s" % sorted(refetched & kept)
    if where != "before-newline":
        assert torn_index in refetched
    # A last line missing only its newline is whole JSON: keeping it (and
    # ending it) or dropping it and refetching are both right, as long as
    # the file has exactly one ok record for it, checked above.


def test_resume_on_a_file_that_is_all_done_fetches_nothing(spawn,
                                                          server, tmp_path):
    args, out = full_run(spawn, server, tmp_path)
    before = out.read_bytes()
    server.reset()
    code, so, err = run_to_end(spawn, args + ["--resume"])
    assert code == 0, err
    assert server.stats()["count"] == 0
    assert out.read_bytes() == before


def test_resume_with_no_file_yet_runs_everything(spawn, server,
                                                 tmp_path):
    lines = [server.url("/ok?n=%d" % k) for k in range(10)]
    f = lines_file(tmp_path / "urls", lines)
    out = tmp_path / "new.jsonl"
    code, so, err = run_to_end(spawn, ["-i", f, "-o", out,
                                             "--resume"])
    assert code == 0, err
    recs = read_records(out)
    assert sorted(r["index"] for r in recs) == list(range(10))


def test_resume_after_sigterm_refetches_the_cancelled(spawn, server,
                                                      tmp_path):
    lines = []
    for k in range(30):
        if k % 3 == 0:
            lines.append(server.url("/stall?headers=0&n=%d" % k))
        else:
            lines.append(server.url("/ok?n=%d" % k))
    f = lines_file(tmp_path / "urls", lines)
    out = tmp_path / "out.jsonl"
    args = ["-c", "30", "-i", f, "-o", out]
    p = spawn(args)
    wait_until(lambda: server.stats()["count"] == 30 and
               server.stats()["inflight"] == 10, 10,
               "stalls in flight")
    p.p.send_signal(signal.SIGTERM)
    code, _, err = p.finish(timeout=10)
    assert code == 143, err
    recs1 = read_records(out)
    assert sorted(r["index"] for r in recs1 if kind(r) == "cancelled") == \
        list(range(0, 30, 3))

    # The second run gets a short timeout so the stalls end.
    server.reset()
    code, so, err = run_to_end(spawn, args + ["--resume", "-t", "0.3",
                                                    "--retries", "0"])
    assert code == 1, err
    assert fetched_indexes(server) == set(range(0, 30, 3))
    recs = read_records(out)
    assert ok_count(recs) == {k: 1 for k in range(30) if k % 3}
    second = recs[len(recs1):]
    assert sorted(r["index"] for r in second) == list(range(0, 30, 3))
    assert all(kind(r) == "timeout" for r in second)


def test_resume_is_by_index_with_shards(spawn, server, tmp_path):
    lines = [server.url("/ok?n=%d" % k) for k in range(20)]
    f = lines_file(tmp_path / "urls", lines)
    out = tmp_path / "out.jsonl"
    code, so, err = run_to_end(spawn, ["--shard", "1/2", "-i", f,
                                             "-o", out])
    assert code == 0, err
    server.reset()
    code, so, err = run_to_end(spawn, ["-i", f, "-o", out,
                                             "--resume"])
    assert code == 0, err
    assert fetched_indexes(server) == set(range(1, 20, 2))
    assert ok_count(read_records(out)) == {k: 1 for k in range(20)}


def test_resume_without_output_is_a_usage_error(run, server):
    code, recs, err = run(["--resume", server.url("/ok")])
    assert code == 2
    assert recs == []
    assert "--resume" in err
    assert server.stats()["count"] == 0


def test_resume_is_fast_to_skip_a_long_done_file(spawn, server,
                                                 tmp_path):
    # Skipping reads the file once: 20,000 done records are no burden.
    n = 20000
    lines = [server.url("/ok?n=%d" % k) for k in range(n)]
    f = lines_file(tmp_path / "urls", lines)
    out = tmp_path / "out.jsonl"
    recs = []
    for k in range(n):
        recs.append('{"index":%d,"url":"%s","method":"GET","ok":true,'
                    '"status":200,"http_version":"1.1","final_url":"%s",'
                    '"redirects":0,"attempts":1,"size":3,'
                    '"content_type":"text/plain","remote_ip":"127.0.0.1",'
                    '"time":{"dns":0,"connect":0,"tls":0,"ttfb":0,'
                    '"total":0},"elapsed":0,"error":null}' % (
                        k, lines[k], lines[k]))
    out.write_text("\n".join(recs[:-1]) + "\n")
    t0 = time.monotonic()
    code, so, err = run_to_end(spawn, ["-i", f, "-o", out,
                                             "--resume"])
    wall = time.monotonic() - t0
    assert code == 0, err
    assert fetched_indexes(server) == {n - 1}
    assert wall < 5 * SLOW, "resume took %.2f s" % wall


# -- --resume refuses another input and files that are not records --------


def test_resume_with_a_different_list_is_refused(run, server, tmp_path):
    first = [server.url("/ok?n=%d" % k) for k in range(4)]
    out = tmp_path / "out.jsonl"
    code, recs, err = run(["-i", lines_file(tmp_path / "a", first), "-o",
                           out])
    assert code == 0, err
    before = out.read_bytes()
    other = first[:2] + [server.url("/ok?other=2")] + first[3:]
    server.reset()
    code, recs, err = run(["--resume", "-o", out, "-i",
                           lines_file(tmp_path / "b", other)])
    assert code == 2, err
    assert "--resume: request 2 of the input (%s)" % other[2] in err, err
    assert "index 2" in err and str(out) in err
    assert server.stats()["count"] == 0
    assert out.read_bytes() == before


def test_resume_with_the_same_list_and_a_password_in_a_url(run, server,
                                                           tmp_path):
    """Records hold the url with its password masked; resuming compares
    like with like."""
    urls = ["http://u:pw@%s/ok?n=1" % server.host(),
            server.url("/status/500")]
    f = lines_file(tmp_path / "urls", urls)
    out = tmp_path / "out.jsonl"
    code, recs, err = run(["--retries", "0", "-i", f, "-o", out])
    assert code == 1
    server.reset()
    code, recs, err = run(["--retries", "0", "--resume", "-i", f, "-o",
                           out])
    assert code == 1, err
    assert [r["path"] for r in server.requests()] == ["/status/500"]


@pytest.mark.parametrize("content", ["http://a/\nhttp://b/\n",
                                     '{"url": "http://a/"}\n', "#\n"])
def test_resume_into_a_file_of_other_things_is_refused(run, server, tmp_path,
                                                       content):
    out = tmp_path / "urls.txt"
    out.write_text(content)
    code, recs, err = run(["--resume", "-o", out, server.url("/ok")])
    assert code == 2, err
    assert str(out) in err and "cofetch records" in err, err
    assert out.read_text() == content
    assert server.stats()["count"] == 0


def test_resume_into_what_is_not_a_regular_file_is_refused(run, server,
                                                           tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (tmp_path, fifo):
        code, recs, err = run(["--resume", "-o", target,
                               server.url("/ok")])
        assert code == 2, err
        assert "not a regular file" in err and str(target) in err, err
    assert server.stats()["count"] == 0
