"""Time limits: -t for one attempt (connect to last byte), --connect-timeout
for connecting (SPEC -t, --connect-timeout)."""

import socket
import time

import pytest

from conftest import SLOW, assert_record_shape, kind


@pytest.fixture
def blackhole():
    """A port on 127.0.0.1 whose accept queue is full: connecting hangs."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    port = lst.getsockname()[1]
    fill = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fill.append(c)
    time.sleep(0.1)
    yield "http://127.0.0.1:%d/" % port
    for c in fill:
        c.close()
    lst.close()


def one(run, *args):
    t0 = time.monotonic()
    code, recs, err = run(["--retries", "0"] + list(args))
    wall = time.monotonic() - t0
    assert len(recs) == 1, err
    assert_record_shape(recs[0])
    return code, recs[0], wall


def test_request_within_the_timeout_succeeds(run, server):
    code, r, wall = one(run, "-t", "2", server.url("/delay?ms=300"))
    assert code == 0
    assert r["ok"]
    assert r["time"]["total"] >= 0.29
    assert r["time"]["ttfb"] >= 0.29


def test_timeout_ends_a_stalled_attempt(run, server):
    code, r, wall = one(run, "-t", "0.5", server.url("/stall"))
    assert kind(r) == "timeout"
    assert 0.45 <= r["elapsed"] < 1.5 * SLOW
    assert wall < 2.5 * SLOW


def test_fractional_timeout(run, server):
    code, r, wall = one(run, "-t", "0.25", server.url("/delay?ms=3000"))
    assert kind(r) == "timeout"
    assert r["elapsed"] < 1.0 * SLOW
    assert wall < 2.0 * SLOW


def test_timeout_covers_a_body_that_keeps_trickling(run, server):
    # Bytes keep arriving every 100 ms, but the whole attempt must end
    # within -t.
    code, r, wall = one(run, "-t", "1", server.url("/slowbody?n=50&ms=100"))
    assert kind(r) == "timeout"
    assert r["elapsed"] < 2.0 * SLOW
    assert wall < 3.0 * SLOW


def test_timeout_applies_to_each_attempt(run, server):
    t0 = time.monotonic()
    code, recs, err = run(["-t", "0.4", "--retries", "2", "--retry-on",
                           "timeout", "--retry-delay", "0.01",
                           server.url("/stall")])
    wall = time.monotonic() - t0
    r = recs[0]
    assert kind(r) == "timeout"
    assert r["attempts"] == 3
    assert r["elapsed"] >= 1.15
    assert wall < 4.0 * SLOW
    assert len(server.requests("/stall")) == 3


def test_connect_timeout_limits_connecting(run, blackhole):
    code, r, wall = one(run, "--connect-timeout", "0.5", "-t", "10",
                        blackhole)
    assert code == 1
    # A connect that hangs runs past a limit (cofetch(1), Error kinds):
    # not "connect", which is refused or unreachable.
    assert kind(r) == "timeout", r
    assert r["status"] is None
    assert wall < 2.5 * SLOW


def test_timeout_also_limits_connecting(run, blackhole):
    code, r, wall = one(run, "-t", "0.5", blackhole)
    # A connect that hangs runs past a limit (cofetch(1), Error kinds):
    # not "connect", which is refused or unreachable.
    assert kind(r) == "timeout", r
    assert wall < 2.5 * SLOW


def test_slow_requests_do_not_delay_fast_ones(run, server):
    # A stalled request times out on its own; the rest finish at once.
    urls = [server.url("/stall")] + [server.url("/ok?n=%d" % n)
                                     for n in range(5)]
    t0 = time.monotonic()
    code, recs, err = run(["--retries", "0", "-t", "1"] + urls)
    assert code == 1
    assert [r["index"] for r in recs][-1] == 0
    assert all(r["ok"] for r in recs if r["index"] != 0)
    assert time.monotonic() - t0 < 3 * SLOW


@pytest.mark.parametrize("value", ["-1", "abc", ""])
def test_bad_timeout_is_a_usage_error(run, server, value):
    code, recs, err = run(["-t", value, server.url("/ok")])
    assert code == 2
    assert recs == []
    assert "--timeout" in err or "-t" in err


@pytest.mark.parametrize("secs", ["0.0004", "0.0000001"])
def test_a_timeout_under_a_millisecond_is_still_a_limit(run, server,
                                                        secs):
    # -t 0.0004 was handed to libcurl as 0 ms, its "no limit": a stalled
    # response hung until the connect watchdog 10 s later, and a slow
    # body (2 s) came back ok. Limits are rounded up to whole
    # milliseconds: any positive -t is one.
    code, r, wall = one(run, "-t", secs, server.url("/stall"))
    assert kind(r) == "timeout"
    assert wall < 2 * SLOW
    code, r, wall = one(run, "-t", secs,
                        server.url("/slowbody?n=100&ms=20"))
    assert kind(r) == "timeout"
    assert wall < 1.5 * SLOW
