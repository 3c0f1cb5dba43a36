"""Exit status and ending the run: all ok, some not ok, usage errors,
unwritable output, a reader that goes away, signals (SPEC "Behaviour that
scripts rely on"; brief 14)."""

import signal
import subprocess
import time

import pytest

from conftest import (SLOW, binary_env, check_sanitizer, kind,
                      lines_file, parse_records)


def test_exit_0_when_every_record_is_ok(run, server):
    code, recs, err = run([server.url("/ok"), server.url("/redirect/1")])
    assert code == 0, err
    assert len(recs) == 2


def test_exit_1_when_some_record_is_not_ok(run, server):
    code, recs, err = run(["--retries", "0", server.url("/ok"),
                           server.url("/status/404")])
    assert code == 1
    assert len(recs) == 2


def test_exit_1_when_only_invalid_lines_fail(run, server):
    code, recs, err = run([], input=server.url("/ok") + "\nftp://x/\n")
    assert code == 1


def test_exit_2_on_a_usage_error_with_no_request_made(run, server):
    code, recs, err = run(["--concurrency", "0", server.url("/ok")])
    assert code == 2
    assert recs == []
    assert server.stats()["count"] == 0


def test_exit_2_on_an_unreadable_input_file(run, server, tmp_path):
    code, recs, err = run(["-i", tmp_path / "missing", server.url("/ok")])
    assert code == 2
    assert server.stats()["count"] == 0


def test_exit_3_when_the_output_file_cannot_be_written(run, server):
    code, recs, err = run(["-o", "/dev/full", server.url("/ok")])
    assert code == 3
    assert err.strip(), "no message about the failed write"


def test_exit_3_when_stdout_cannot_be_written(cofetch_bin, server):
    with open("/dev/full", "wb") as full:
        p = subprocess.run([cofetch_bin, server.url("/ok")],
                           stdin=subprocess.DEVNULL, stdout=full,
                           stderr=subprocess.PIPE, env=binary_env(),
                           timeout=30 * SLOW)
    check_sanitizer(p.stderr.decode("utf-8", "replace"))
    assert p.returncode == 3
    assert p.stderr.strip()


def test_exit_3_when_the_output_file_cannot_be_opened(run, server,
                                                     tmp_path):
    code, recs, err = run(["-o", tmp_path / "no" / "such" / "dir",
                           server.url("/ok")])
    assert code == 3, err
    assert recs == []
    assert "cannot write" in err and "no/such/dir" in err, err


def test_reader_going_away_ends_the_run_at_once_and_quietly(
        cofetch_bin, server, tmp_path):
    urls = lines_file(tmp_path / "urls",
                      [server.url("/delay?ms=100&n=%d" % n)
                       for n in range(5000)])
    errf = tmp_path / "stderr"
    outf = tmp_path / "head"
    stf = tmp_path / "status"
    script = ('"$0" -c 50 -i "$1" 2>"$2" | head -2 >"$3"; '
              'echo "${PIPESTATUS[0]}" >"$4"')
    t0 = time.monotonic()
    subprocess.run(["bash", "-c", script, cofetch_bin, str(urls), str(errf),
                    str(outf), str(stf)], env=binary_env(),
                   stdin=subprocess.DEVNULL, timeout=60 * SLOW)
    wall = time.monotonic() - t0
    stderr = errf.read_text()
    check_sanitizer(stderr)
    assert wall < 3.0 * SLOW, "pipeline took %.1f s" % wall
    assert len(parse_records(outf.read_bytes())) == 2
    assert stderr == "", "not quiet: %r" % stderr
    assert stf.read_text().strip() == "141"
    n = server.stats()["count"]
    time.sleep(0.3)
    assert server.stats()["count"] == n, "requests go on after exit"
    assert n < 1000


def start_and_wait_in_flight(spawn, server, n_flight, extra_args=(),
                             fast=0):
    lines = [server.url("/ok?fast=%d" % i) for i in range(fast)]
    lines += [server.url("/delay?ms=20000&n=%d" % i) for i in range(20)]
    p = spawn(["-c", str(n_flight)] + list(extra_args) + lines)
    deadline = time.monotonic() + 10 * SLOW
    while time.monotonic() < deadline:
        st = server.stats()
        if st["inflight"] == n_flight and st["count"] >= fast + n_flight:
            return p
        time.sleep(0.05)
    raise AssertionError("requests never got in flight: %s" %
                         server.stats()["inflight"])


@pytest.mark.parametrize("sig,status", [(signal.SIGTERM, 143),
                                        (signal.SIGINT, 130)])
def test_signal_cancels_in_flight_requests_with_one_record_each(
        spawn, server, sig, status):
    p = start_and_wait_in_flight(spawn, server, 5, fast=3)
    started = server.stats()["count"]
    p.p.send_signal(sig)
    code, recs, err = p.finish(timeout=10)
    assert code == status
    idx = [r["index"] for r in recs]
    assert len(idx) == len(set(idx)), "a record was written twice"
    cancelled = [r for r in recs if kind(r) == "cancelled"]
    assert len(cancelled) == 5
    assert sorted(r["index"] for r in recs if r["ok"]) == [0, 1, 2]
    assert len(recs) == started
    time.sleep(0.2)
    assert server.stats()["count"] == started, "started new requests"


def test_sigterm_while_waiting_for_stdin_exits_143(spawn, server):
    # Idle: nothing in flight, the producer silent, stdin still open.
    p = spawn([], stdin=subprocess.PIPE)
    p.write(server.url("/ok") + "\n")
    assert p.readline(5 * SLOW) is not None
    time.sleep(0.1)
    assert p.p.poll() is None, "exited while stdin was still open"
    p.p.send_signal(signal.SIGTERM)
    p.p.wait(5 * SLOW)          # stdin stays open until it has exited
    code, recs, err = p.finish(timeout=10)
    assert code == 143
    assert len(recs) == 1


def test_ctrl_c_on_a_pipeline_exits_130_even_as_input_ends(spawn, server):
    # Ctrl-C on `producer | cofetch` signals both: cofetch gets SIGINT
    # and, at the same moment, EOF on stdin. The signal still decides the
    # status. Repeated, since the two race.
    for _ in range(30):
        p = spawn([], stdin=subprocess.PIPE)
        p.write(server.url("/ok") + "\n")
        assert p.readline(5 * SLOW) is not None
        p.p.send_signal(signal.SIGINT)
        p.close_stdin()
        code, recs, err = p.finish(timeout=10)
        assert code == 130
        assert len(recs) == 1
