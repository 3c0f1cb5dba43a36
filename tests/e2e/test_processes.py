"""-P, --processes N: N single-loop processes, each a shard of the
requests (by host when a per-host policy is set), records merged onto one
output (man page -P; issue 11).

Every test checks what one process promises still holds with -P: each
index exactly once, --ordered order, one record per started request after
a signal, --resume, exact per-host limits, --shard, exit statuses."""

import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import (BINARY, SLOW, assert_record_shape, binary_env,
                      check_sanitizer, kind, lines_file, parse_records,
                      start_scripted_server, stop)
from faults import read_records, started_indexes, wait_until
from test_reader import (cofetch, padded, read_all, settled_count,
                         unwritten_count)
from test_signals import SIGNALS, check_cancelled_run, slow_mix, \
    wait_in_flight


def ok_urls(server, n, port=0):
    return [server.url("/ok?n=%d" % k, port) for k in range(n)]


def check_each_index_once(recs, n):
    for r in recs:
        assert_record_shape(r)
    idx = sorted(r["index"] for r in recs)
    assert idx == list(range(n)), "indexes: %s" % idx


@pytest.mark.parametrize("procs", [2, 4])
def test_every_index_has_exactly_one_valid_record(run, server, tmp_path,
                                                  procs):
    f = lines_file(tmp_path / "urls", ok_urls(server, 300))
    code, recs, err = run(["-P", procs, "-c", "20", "-i", f])
    assert code == 0, err
    check_each_index_once(recs, 300)
    for r in recs:
        assert r["ok"] and r["url"].endswith("n=%d" % r["index"]), r


def test_records_carry_the_global_index_of_their_line(run, server,
                                                      tmp_path):
    # URL arguments, then a file, then stdin: one numbering across all.
    a = ok_urls(server, 3)
    b = [server.url("/ok?n=%d" % k) for k in range(3, 10)]
    c = [server.url("/ok?n=%d" % k) for k in range(10, 25)]
    f = lines_file(tmp_path / "b", ["# a comment", ""] + b)
    code, recs, err = run(["-P", "3"] + a + ["-i", f, "-i", "-"],
                          input="\n".join(c) + "\n")
    assert code == 0, err
    check_each_index_once(recs, 25)
    for r in recs:
        assert r["url"].endswith("n=%d" % r["index"]), r


@pytest.mark.parametrize("procs", [2, 3])
def test_stdin_is_read_once_and_shared_by_the_processes(run, server, procs):
    urls = ok_urls(server, 200)
    code, recs, err = run(["-P", procs], input="\n".join(urls) + "\n")
    assert code == 0, err
    check_each_index_once(recs, 200)
    # Each request was made once, not once per process.
    assert server.stats()["count"] == 200


def test_ordered_merges_the_processes_by_index(run, server, tmp_path):
    # Later indexes answer sooner, so only the merge can put them back.
    urls = [server.url("/delay?ms=%d&n=%d" % ((60 - k) * 5, k))
            for k in range(60)]
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["-P", "3", "--ordered", "-c", "30", "-i", f])
    assert code == 0, err
    assert [r["index"] for r in recs] == list(range(60))


def test_ordered_from_stdin_by_host(run, server):
    urls = [server.url("/delay?ms=%d&n=%d" % ((40 - k) * 3, k), k % 2)
            for k in range(40)]
    code, recs, err = run(["-P", "2", "--ordered", "--per-host", "4"],
                          input="\n".join(urls) + "\n")
    assert code == 0, err
    assert [r["index"] for r in recs] == list(range(40))


@pytest.mark.parametrize("sig,status", SIGNALS, ids=["TERM", "INT"])
def test_signal_reaches_every_process_and_each_started_request_has_one_record(
        spawn, server, tmp_path, sig, status):
    urls = slow_mix(server)
    slow = {k for k in range(len(urls)) if k % 4}
    f = lines_file(tmp_path / "urls", urls)
    p = spawn(["-P", "2", "-c", "10", "-i", f])
    st = wait_in_flight(server, 10)
    started = started_indexes(server)
    assert len(started) == st["count"]
    p.p.send_signal(sig)
    code, recs, err = p.finish(timeout=15)
    assert code == status, err
    check_cancelled_run(recs, started, slow, 10)
    time.sleep(0.3)
    assert server.stats()["count"] == st["count"], (
        "requests started after the signal")


def test_resume_with_processes_fetches_only_what_is_missing(spawn, server,
                                                           tmp_path):
    lines = []
    for k in range(30):
        if k % 3 == 0:
            lines.append(server.url("/stall?headers=0&n=%d" % k))
        else:
            lines.append(server.url("/ok?n=%d" % k))
    f = lines_file(tmp_path / "urls", lines)
    out = tmp_path / "out.jsonl"
    args = ["-P", "2", "-c", "30", "-i", f, "-o", out]
    p = spawn(args)
    wait_until(lambda: server.stats()["count"] == 30 and
               server.stats()["inflight"] == 10, 10, "stalls in flight")
    p.p.send_signal(signal.SIGTERM)
    code, _, err = p.finish(timeout=15)
    assert code == 143, err
    recs1 = read_records(out)
    assert sorted(r["index"] for r in recs1) == list(range(30))

    server.reset()
    p = spawn(args + ["--resume", "-t", "0.3", "--retries", "0"])
    code, _, err = p.finish(timeout=30)
    assert code == 1, err
    assert started_indexes(server) == set(range(0, 30, 3))
    recs = read_records(out)
    second = recs[len(recs1):]
    assert sorted(r["index"] for r in second) == list(range(0, 30, 3))
    assert all(kind(r) == "timeout" for r in second)
    oks = sorted(r["index"] for r in recs if r["ok"])
    assert oks == [k for k in range(30) if k % 3]


@pytest.fixture(scope="module")
def six_hosts(tmp_path_factory):
    """A scripted server on six ports: six host:port keys."""
    srv = start_scripted_server(tmp_path_factory.mktemp("six"),
                                extra_ports=5)
    yield srv
    stop(srv.proc)


@pytest.mark.parametrize("limit", [1, 3])
def test_per_host_limit_stays_exact_across_processes(run, six_hosts,
                                                     tmp_path, limit):
    six_hosts.reset()
    urls = [six_hosts.url("/delay?ms=150&n=%d" % k, k % 6)
            for k in range(72)]
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["-P", "2", "-c", "40", "--per-host", limit,
                           "-i", f])
    assert code == 0, err
    check_each_index_once(recs, 72)
    peaks = six_hosts.stats()["host_peak"]
    assert len(peaks) == 6
    assert max(peaks.values()) == limit, peaks


def test_shard_and_processes_split_the_same_requests(run, server, tmp_path):
    f = lines_file(tmp_path / "urls", ok_urls(server, 50))
    got = []
    for k in (1, 2, 3):
        code, recs, err = run(["-P", "2", "--shard", "%d/3" % k, "-i", f])
        assert code == 0, err
        idx = [r["index"] for r in recs]
        assert all(i % 3 == k - 1 for i in idx), idx
        assert len(idx) == len(set(idx))
        got += idx
    assert sorted(got) == list(range(50))


def test_stats_is_one_summary_of_all_processes(run, server, tmp_path):
    urls = ok_urls(server, 40) + [server.url("/status/404?n=40")]
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["-P", "3", "--stats", "-i", f])
    assert code == 1, err
    summaries = [json.loads(ln) for ln in err.splitlines()
                 if ln.startswith("{")]
    assert len(summaries) == 1, err
    s = summaries[0]
    assert s["requests"] == 41 and s["ok"] == 40 and s["failed"] == 1
    assert s["status"]["2xx"] == 40 and s["status"]["4xx"] == 1
    assert s["latency"]["p50"] is not None


def test_progress_is_one_line_from_the_parent(run, server, tmp_path):
    f = lines_file(tmp_path / "urls", ok_urls(server, 30))
    code, recs, err = run(["-P", "3", "--progress", "-i", f])
    assert code == 0, err
    lines = [ln for ln in err.splitlines() if ln.startswith("cofetch:")]
    assert lines, err
    # progress.c's line, fed the children's sums and the parent's count
    # of the input.
    assert lines[-1].startswith("cofetch: 30/30 100%"), lines
    assert "ok 30  fail 0" in lines[-1], lines


def test_progress_total_leaves_out_what_resume_skips(run, server, tmp_path):
    f = lines_file(tmp_path / "urls", ok_urls(server, 30))
    out = tmp_path / "out.jsonl"
    code, recs, err = run(["-o", out, "-i", f])
    assert code == 0, err
    kept = out.read_text().splitlines()[:12]
    out.write_text("\n".join(kept) + "\n")
    code, recs, err = run(["-P", "2", "--progress", "--resume", "-o", out,
                           "-i", f])
    assert code == 0, err
    lines = [ln for ln in err.splitlines() if ln.startswith("cofetch:")]
    assert lines and lines[-1].startswith("cofetch: 18/18 100%"), err
    check_each_index_once([json.loads(ln) for ln in
                           out.read_text().splitlines()], 30)


@pytest.mark.parametrize("url,status", [
    ("/ok", 0), ("/status/500", 1)], ids=["all-ok", "one-failed"])
def test_exit_status_combines_the_processes(run, server, url, status):
    urls = ok_urls(server, 9) + [server.url(url + "?n=9")]
    code, recs, err = run(["-P", "2", "--retries", "0"] + urls)
    assert code == status, err
    check_each_index_once(recs, 10)


def test_exit_status_3_when_the_output_cannot_be_written(run, server):
    code, recs, err = run(["-P", "2", "-o", "/dev/full"] +
                          ok_urls(server, 5))
    assert code == 3, err
    assert "cannot write" in err


def test_a_reader_that_goes_away_stops_every_process(server, tmp_path):
    urls = ok_urls(server, 5000)
    f = lines_file(tmp_path / "urls", urls)
    cmd = "%s -P 2 -i %s | head -3" % (BINARY, f)
    p = subprocess.run(["bash", "-c", "set -o pipefail; " + cmd],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30, env=binary_env())
    assert p.returncode == 141, p.stderr
    assert len(p.stdout.splitlines()) == 3
    assert p.stderr == b""


def test_a_killed_process_is_reported_and_its_started_requests_get_internal(
        spawn, server, tmp_path):
    urls = [server.url("/delay?ms=30000&n=%d" % k) for k in range(8)]
    f = lines_file(tmp_path / "urls", urls)
    p = spawn(["-P", "2", "-c", "8", "-i", f])
    wait_until(lambda: server.stats()["inflight"] == 8, 10,
               "8 requests in flight")
    kids = subprocess.run(["pgrep", "-P", str(p.p.pid)],
                          stdout=subprocess.PIPE).stdout.split()
    assert len(kids) == 2
    # A child sends its notes of started requests every 50 ms: a death
    # within that window would leave the newest without a record.
    time.sleep(0.5)
    os.kill(int(kids[0]), signal.SIGKILL)
    # Its connections close with it.
    wait_until(lambda: server.stats()["inflight"] == 4, 10,
               "the killed process's requests gone")
    p.p.send_signal(signal.SIGTERM)
    code, recs, err = p.finish(timeout=15)
    assert code == 70, err
    assert "killed by signal 9" in err
    assert "4 requests started by process 1 got an internal record" in err
    # Every started request has exactly one record: the killed process's
    # are `internal`, the other's `cancelled` by the SIGTERM.
    for r in recs:
        assert_record_shape(r)
    idx = sorted(r["index"] for r in recs)
    assert idx == list(range(8))
    kinds = sorted(kind(r) for r in recs)
    assert kinds == ["cancelled"] * 4 + ["internal"] * 4, kinds
    for r in recs:
        assert r["url"] == urls[r["index"]]
        if kind(r) == "internal":
            assert "killed by signal 9" in r["error"]["message"]


def test_processes_value_is_checked(run):
    for bad in ("0", "x", "1025", "-1"):
        code, recs, err = run(["-P", bad, "http://127.0.0.1:1/"])
        assert code == 2, (bad, err)
        assert "--processes" in err


@pytest.mark.parametrize("opt", ["--state", "--metrics", "--cookie-jar"])
def test_single_writer_files_are_refused_with_processes(run, server,
                                                        tmp_path, opt):
    # One SQLite store, one metrics file, one cookie jar: each has a
    # single writer, which N processes would not be (man page, -P).
    target = tmp_path / "f"
    code, recs, err = run(["-P", "2", opt, target, server.url("/ok")])
    assert code == 2, err
    assert opt in err and "-P" in err and "Try 'cofetch --help'" in err
    assert recs == [] and server.stats()["count"] == 0
    assert not target.exists()
    # -P 1 is one process: accepted.
    code, recs, err = run(["-P", "1", opt, target, server.url("/ok")])
    assert code == 0, err
    assert len(recs) == 1


def test_a_slow_reader_gets_every_record_from_every_process(server,
                                                            tmp_path):
    # The parent never blocks on the reader: while output.c has no room
    # it reads no records, the children's pipes fill and they pause; in
    # the end the reader gets each record once.
    f = lines_file(tmp_path / "urls",
                   [padded(server, k) for k in range(3000)])
    p = cofetch(["-P", "2", "-c", "50", "-i", f], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    data = b""
    try:
        fd = p.stdout.fileno()
        while True:
            chunk = os.read(fd, 32768)
            if not chunk:
                break
            data += chunk
            time.sleep(0.005)       # about 6 MB/s at most
        p.wait(timeout=60 * SLOW)
        err = p.stderr.read().decode("utf-8", "replace")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    check_sanitizer(err)
    assert p.returncode == 0, err
    recs = parse_records(data)
    check_each_index_once(recs, 3000)
    assert all(r["ok"] for r in recs)


@pytest.mark.parametrize("sig,status", [(signal.SIGTERM, 143),
                                        (signal.SIGINT, 130)],
                         ids=["TERM", "INT"])
def test_a_reader_that_never_reads_pauses_every_process_and_a_signal_ends_it(
        server, tmp_path, sig, status):
    # The reader holds the FIFO open and never reads: the parent's queue
    # fills, it stops reading the children, whose own queues fill, and
    # every process stops starting requests (backpressure to the
    # children). A signal is still honoured within the grace, and the
    # parent alone says how many records the reader did not take.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        f = lines_file(tmp_path / "urls",
                       [padded(server, k) for k in range(6000)])
        p = cofetch(["-P", "2", "-c", "20", "-i", f, "-o", fifo],
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE)
        try:
            started = settled_count(server)
            assert started < 6000, "admission never paused"
            t0 = time.monotonic()
            p.send_signal(sig)
            out, err = p.communicate(timeout=10 * SLOW)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        took = time.monotonic() - t0
        err = err.decode("utf-8", "replace")
        check_sanitizer(err)
        assert p.returncode == status, err
        assert took < 3 * SLOW, "exit took %.2f s" % took
        assert len(re.findall("could not be written", err)) == 1, err
        assert "to %s" % fifo in err, err
        lost = unwritten_count(err)
        assert lost > 0, err
        data = read_all(rfd, time.monotonic() + 5)
        # output.c sizes a write to the pipe by the bytes queued in it,
        # but a pipe holds 16 pages and a write that does not fit the
        # last page's rest starts a new one: after many small writes a
        # larger one can be cut, leaving half a record (the parent writes
        # records as they trickle in from the children). The cut record
        # is among the unwritten ones the message counts.
        if "cut short" in err:
            data = data[:data.rfind(b"\n") + 1]
        assert data.endswith(b"\n"), "a cut record, unreported"
        recs = parse_records(data)
    finally:
        os.close(rfd)
    idx = [r["index"] for r in recs]
    assert len(idx) == len(set(idx))
    assert len(recs) + lost == server.stats()["count"] == started
    assert all(r["ok"] for r in recs)


@pytest.mark.parametrize("procs", [2, 4])
def test_ordered_records_go_out_while_the_input_is_still_open(
        spawn, server, procs):
    # -P N --ordered waited for a record from every child before the
    # first went out, so with three lines read and the rest of stdin still
    # to come, a child that had no line yet held all three back. Child c
    # owns indexes c, c + N, ...: index i goes out once no child can still
    # send a smaller one.
    p = spawn(["-P", procs, "--ordered"], stdin=subprocess.PIPE)
    p.write("".join(server.url("/ok?k=%d" % k) + "\n" for k in range(3)))
    got = [p.readline(10 * SLOW) for _ in range(3)]
    assert all(got), (got, p.err)
    assert [json.loads(ln)["index"] for ln in got] == [0, 1, 2]
    p.write(server.url("/ok?late") + "\n")
    p.close_stdin()
    code, recs, err = p.finish(timeout=30)
    assert code == 0, err
    assert [r["index"] for r in recs] == [0, 1, 2, 3]
    assert recs[3]["url"] == server.url("/ok?late")
