"""Output records: where they go, their shape, and how promptly they arrive
(SPEC "Output records", -o, --resume, --shard, --stats, --progress;
brief 1)."""

import json
import os
import pty
import re
import signal
import subprocess
import threading
import time
import uuid

import pytest

from conftest import (RECORD_KEYS, SLOW, TIME_KEYS, assert_record_shape,
                      binary_env, check_sanitizer, lines_file,
                      parse_records)


def test_output_option_writes_records_to_the_file(run, server, tmp_path):
    out = tmp_path / "out.jsonl"
    code, recs, err = run(["-o", out, server.url("/ok"),
                           server.url("/ok?b=1")])
    assert code == 0, err
    assert recs == []
    recs = parse_records(out.read_bytes())
    assert sorted(r["index"] for r in recs) == [0, 1]


def test_record_keys_and_types(run, server):
    code, recs, err = run([server.url("/ok")])
    r = recs[0]
    assert list(r) == RECORD_KEYS
    assert_record_shape(r)
    assert r["index"] == 0
    assert r["url"] == server.url("/ok")
    assert r["method"] == "GET"
    assert r["ok"] is True and r["error"] is None
    assert r["status"] == 200
    assert r["http_version"] == "1.1"
    assert r["final_url"] == server.url("/ok")
    assert r["redirects"] == 0
    assert r["attempts"] == 1
    assert r["size"] == 3
    assert r["content_type"] == "text/plain"
    assert r["remote_ip"] == "127.0.0.1"
    assert list(r["time"]) == TIME_KEYS


def test_times_are_seconds_with_six_decimals(run, server):
    code, recs, err = run([server.url("/delay?ms=200")])
    line = recs.lines[0]
    for k in TIME_KEYS + ["elapsed"]:
        assert re.search(r'"%s":\d+\.\d{6}[,}]' % k, line), (k, line)
    t = recs[0]["time"]
    assert t["tls"] == 0
    assert t["ttfb"] >= 0.19
    assert t["total"] >= t["ttfb"]
    assert recs[0]["elapsed"] >= t["total"] - 0.001
    assert recs[0]["elapsed"] < 2 * SLOW


def test_reused_connection_reports_zero_connect_time(run, server):
    urls = [server.url("/ok?n=%d" % n) for n in range(5)]
    code, recs, err = run(["-c", "1", "--ordered"] + urls)
    assert code == 0, err
    conns = {r["conn"] for r in server.requests("/ok")}
    assert len(conns) == 1, "connection not reused"
    for r in recs[1:]:
        assert r["time"]["connect"] == 0
        assert r["time"]["dns"] == 0


def test_records_reach_the_pipe_promptly(spawn, server):
    p = spawn([server.url("/delay?ms=3000"), server.url("/ok")])
    t0 = time.monotonic()
    line = p.readline(2.5 * SLOW)
    assert line is not None, "fast record held back by the slow request"
    # Before the slow request's 3 s are over, with time to spare for a
    # loaded machine.
    assert time.monotonic() - t0 < 2.5 * SLOW
    assert json.loads(line)["index"] == 1
    assert p.p.poll() is None, "slow request already finished?"
    code, recs, err = p.finish()
    assert code == 0, err
    assert [r["index"] for r in recs] == [1, 0]


def test_ordered_records_reach_the_pipe_as_soon_as_their_turn_comes(
        spawn, server):
    p = spawn(["--ordered", server.url("/ok"), server.url("/delay?ms=3000")])
    line = p.readline(1.5 * SLOW)
    assert line is not None, "index 0 held back"
    assert json.loads(line)["index"] == 0
    assert p.p.poll() is None
    code, recs, err = p.finish()
    assert code == 0, err


def test_records_to_a_file_are_flushed_promptly(spawn, server, tmp_path):
    out = tmp_path / "out.jsonl"
    p = spawn(["-o", out, server.url("/delay?ms=3000"), server.url("/ok")])
    deadline = time.monotonic() + 2.0 * SLOW
    data = b""
    while time.monotonic() < deadline:
        if out.exists():
            data = out.read_bytes()
            if data.endswith(b"\n"):
                break
        time.sleep(0.05)
    assert data.endswith(b"\n"), \
        "fast record not in the file before the slow one finished"
    assert p.p.poll() is None
    code, recs, err = p.finish()
    assert code == 0, err
    assert len(parse_records(out.read_bytes())) == 2


def test_records_are_never_interleaved_under_load(run, server, tmp_path):
    urls = [server.url("/bytes?n=%d&i=%d" % (20000 + i * 7, i))
            for i in range(400)]
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["-c", "50", "--body=base64", "--headers", "-i",
                           f], timeout=120)
    assert code == 0, err
    assert sorted(r["index"] for r in recs) == list(range(400))
    for r in recs:
        assert r["size"] == 20000 + r["index"] * 7


def test_resume_skips_ok_records_and_appends_the_rest(run, server,
                                                      tmp_path):
    key = uuid.uuid4().hex[:8]
    urls = [server.url("/ok?n=0"),
            server.url("/flaky?key=%s&fail=1&status=404" % key),
            server.url("/ok?n=2")]
    f = lines_file(tmp_path / "urls", urls)
    out = tmp_path / "out.jsonl"
    code, recs, err = run(["--retries", "0", "-o", out, "-i", f])
    assert code == 1
    first = parse_records(out.read_bytes())
    assert len(first) == 3
    before = len(server.requests())
    code, recs, err = run(["--retries", "0", "--resume", "-o", out, "-i",
                           f])
    assert code == 0, err
    assert [r["target"] for r in server.requests()[before:]] == [
        "/flaky?key=%s&fail=1&status=404" % key]
    after = parse_records(out.read_bytes())
    assert after[:3] == first, "existing records changed"
    assert len(after) == 4
    assert after[3]["index"] == 1 and after[3]["ok"]


def test_resume_with_nothing_left_fetches_nothing(run, server, tmp_path):
    f = lines_file(tmp_path / "urls", [server.url("/ok?n=%d" % n)
                                       for n in range(3)])
    out = tmp_path / "out.jsonl"
    code, recs, err = run(["-o", out, "-i", f])
    assert code == 0, err
    server.reset()
    code, recs, err = run(["--resume", "-o", out, "-i", f])
    assert code == 0, err
    assert server.stats()["count"] == 0
    assert len(parse_records(out.read_bytes())) == 3


def test_shard_takes_every_nth_request_keeping_indexes(run, server,
                                                        tmp_path):
    f = lines_file(tmp_path / "urls", [server.url("/ok?n=%d" % n)
                                       for n in range(10)])
    code, recs, err = run(["--shard", "2/3", "--ordered", "-i", f])
    assert code == 0, err
    assert [r["index"] for r in recs] == [1, 4, 7]
    assert [r["url"] for r in recs] == [server.url("/ok?n=%d" % n)
                                        for n in (1, 4, 7)]
    assert sorted(r["target"] for r in server.requests()) == sorted(
        "/ok?n=%d" % n for n in (1, 4, 7))


def test_shards_together_cover_every_request_once(run, server, tmp_path):
    f = lines_file(tmp_path / "urls", [server.url("/ok?n=%d" % n)
                                       for n in range(20)])
    seen = []
    for k in (1, 2, 3, 4):
        code, recs, err = run(["--shard", "%d/4" % k, "-i", f])
        assert code == 0, err
        seen += [r["index"] for r in recs]
    assert sorted(seen) == list(range(20))


def test_stats_prints_one_json_summary_on_stderr(run, server):
    code, recs, err = run(["--stats", server.url("/ok"),
                           server.url("/ok?b=1")])
    assert code == 0
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines, "no --stats output"
    summary = json.loads(lines[-1])
    assert isinstance(summary, dict)
    assert summary


def test_no_progress_line_when_stderr_is_not_a_terminal(run, server):
    code, recs, err = run([server.url("/ok")])
    assert code == 0
    assert err == ""


def test_progress_can_be_forced_and_never_touches_stdout(run, server):
    code, recs, err = run(["--progress", server.url("/delay?ms=600"),
                           server.url("/ok")])
    assert code == 0, err
    assert len(recs) == 2
    code, recs, err = run(["--no-progress", server.url("/ok")])
    assert err == ""


def test_progress_is_on_by_default_when_stderr_is_a_terminal(cofetch_bin,
                                                              server):
    master, slave = pty.openpty()
    chunks = []

    def drain():
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        p = subprocess.Popen([cofetch_bin, server.url("/delay?ms=1500"),
                              server.url("/ok")],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=slave, env=binary_env())
        os.close(slave)
        out, _ = p.communicate(timeout=20 * SLOW)
        reader.join(5)
    finally:
        os.close(master)
    err = b"".join(chunks)
    check_sanitizer(err.decode("utf-8", "replace"))
    assert p.returncode == 0
    assert len(parse_records(out)) == 2
    assert err.strip(), "no progress line on a terminal"


# -- the same file in and out; opening FIFOs (issue 10, items 3 and 6) ---


def same_file_cases(tmp_path, server):
    lst = lines_file(tmp_path / "list.txt", [server.url("/ok")])
    os.symlink(lst, tmp_path / "link.txt")
    os.link(lst, tmp_path / "hard.txt")
    return lst


@pytest.mark.parametrize("out", ["list.txt", "link.txt", "hard.txt"])
def test_input_file_that_is_the_output_file_is_refused(run, server,
                                                       tmp_path, out):
    lst = same_file_cases(tmp_path, server)
    before = lst.read_bytes()
    code, recs, err = run(["-i", lst, "-o", tmp_path / out])
    assert code == 2, err
    assert "input file is output file" in err
    assert lst.read_bytes() == before, "the list was truncated"
    assert server.stats()["count"] == 0


def test_stdin_or_stdout_that_is_the_list_is_refused(cofetch_bin, server,
                                                     tmp_path):
    lst = same_file_cases(tmp_path, server)
    before = lst.read_bytes()
    with open(lst, "rb") as i:
        p = subprocess.run([cofetch_bin, "-o", str(lst)], stdin=i,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=binary_env(), timeout=20)
    assert p.returncode == 2 and b"input file is output file" in p.stderr
    with open(lst, "ab") as o:
        p = subprocess.run([cofetch_bin, "-i", str(lst)],
                           stdin=subprocess.DEVNULL, stdout=o,
                           stderr=subprocess.PIPE, env=binary_env(),
                           timeout=20)
    assert p.returncode == 2 and b"input file is output file" in p.stderr
    assert lst.read_bytes() == before
    assert server.stats()["count"] == 0


@pytest.mark.parametrize("which", ["-i", "-o"])
def test_a_fifo_nobody_opens_does_not_hold_off_a_signal(cofetch_bin,
                                                        server, tmp_path,
                                                        which):
    # Opening a FIFO waits for the other end (as the shell's > does);
    # SIGTERM still ends cofetch at once.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    args = [cofetch_bin, which, str(fifo)]
    if which == "-o":
        args.append(server.url("/ok"))
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=binary_env())
    try:
        time.sleep(0.5)
        assert p.poll() is None
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=5 * SLOW)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode in (-signal.SIGTERM, 143)
    assert server.stats()["count"] == 0


def test_a_fifo_given_to_i_is_read_through_the_loop(spawn, server,
                                                    tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    p = spawn(["-i", fifo])
    w = open(fifo, "wb", buffering=0)
    try:
        w.write((server.url("/ok?n=0") + "\n").encode())
        line = p.readline(5 * SLOW)
        assert line is not None and b'"index":0' in line
        p.p.send_signal(signal.SIGTERM)
        code, recs, err = p.finish(timeout=10)
    finally:
        w.close()
    assert code == 143, err


def test_closed_standard_descriptors_never_take_records_or_messages(
        server, tmp_path, cofetch_bin):
    # Started with 0, 1 and 2 closed (as some daemons and cron setups
    # do), the records file was opened as descriptor 2: every -v line
    # went into it between the records. Closed ones are now /dev/null.
    import os
    out = tmp_path / "out.jsonl"

    def close_std():
        for fd in (0, 1, 2):
            os.close(fd)
    p = subprocess.run([cofetch_bin, "-v", "-o", str(out),
                        server.url("/ok?a"), server.url("/status/404")],
                       preexec_fn=close_std, env=binary_env(),
                       timeout=30 * SLOW)
    assert p.returncode == 1
    lines = out.read_bytes().splitlines()
    assert len(lines) == 2, lines
    assert all(json.loads(x)["index"] in (0, 1) for x in lines)
    # A closed stdout without -o is no place for records: exit 3, and
    # nothing is fetched.
    before = server.stats()["count"]
    p = subprocess.run([cofetch_bin, server.url("/ok?b")],
                       preexec_fn=lambda: os.close(1), env=binary_env(),
                       stderr=subprocess.PIPE, timeout=30 * SLOW)
    assert p.returncode == 3, p.stderr
    assert b"stdout" in p.stderr
    assert server.stats()["count"] == before
