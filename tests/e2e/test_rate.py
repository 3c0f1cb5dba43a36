"""Rate limits, measured where they matter: at the server, by the arrival
time of each request (cofetch(1) -r, --per-host-rate).

A start is one attempt reaching the server; a retry is a start too. The
server stamps arrivals with the same monotonic clock the tests read.
These tests show which limit is in effect where (globally, per host,
keyed how, counting retries, beside -c); the exact spacing is unit-tested
on a fake clock (tests/unit/test_rate.c), so the timing checks here
(faults.assert_rate_limited) leave room for a loaded machine. Lower
bounds are never scaled for the sanitizer build, upper bounds are
(SLOW)."""

import time
import uuid

from conftest import SLOW, assert_record_shape, lines_file
from faults import assert_rate_limited, max_in_window

FAST = ["--retry-delay", "0.01", "--retry-max-delay", "0.05"]


def ok_urls(server, n, i=0, tag="ok", start=0):
    return [server.url("/ok?n=%d&t=%s" % (k, tag), i)
            for k in range(start, start + n)]


def arrivals(server, host=None):
    reqs = server.requests()
    if host is not None:
        reqs = [r for r in reqs if r["host"] == host]
    return sorted(r["t"] for r in reqs)


def run_list(run, tmp_path, urls, args):
    f = lines_file(tmp_path / ("urls-%s" % uuid.uuid4().hex[:6]), urls)
    t0 = time.monotonic()
    code, recs, err = run(list(args) + ["-i", f])
    wall = time.monotonic() - t0
    assert len(recs) == len(urls), err
    for r in recs:
        assert_record_shape(r)
    return code, recs, err, wall


def test_rate_10_spreads_25_starts_over_2_4_seconds(run, server, tmp_path):
    code, recs, err, wall = run_list(run, tmp_path, ok_urls(server, 25),
                                     ["-r", "10"])
    assert code == 0, err
    t = arrivals(server)
    assert len(t) == 25
    span = assert_rate_limited(t, 10)
    # Spaced at 10/s, not merely slow: a limit of 5/s would take 4.8 s.
    assert span < 2.4 * 1.5 * SLOW + 0.5, "25 starts took %.3f s" % span
    assert wall < (2.4 + 2.5) * SLOW, "took %.2f s" % wall


def test_rate_applies_across_hosts(run, server, tmp_path):
    urls = []
    for k in range(5):
        urls += [server.url("/ok?n=%d" % (2 * k), 0),
                 server.url("/ok?n=%d" % (2 * k + 1), 1)]
    code, recs, err, wall = run_list(run, tmp_path, urls, ["-r", "5"])
    assert code == 0, err
    t = arrivals(server)
    assert len(t) == 10
    # One limit for both hosts: 1.8 s, where one each would take 0.8 s.
    assert_rate_limited(t, 5)


def per_host_wall(run, server, tmp_path, urls, rate):
    server.reset()
    code, recs, err, wall = run_list(run, tmp_path, urls,
                                     ["--per-host-rate", str(rate)])
    assert code == 0, err
    return wall


def test_per_host_rate_gives_each_host_its_own_spacing(run, server,
                                                       tmp_path):
    # 20 requests to one host at 5/s need 3.8 s; the same 20 split over
    # two hosts need 1.8 s: each host has its own spacing.
    one = ok_urls(server, 20, 0)
    wall_one = per_host_wall(run, server, tmp_path, one, 5)
    t = arrivals(server)
    assert len(t) == 20
    assert_rate_limited(t, 5)

    two = []
    for k in range(10):
        two += [server.url("/ok?n=%d" % (2 * k), 0),
                server.url("/ok?n=%d" % (2 * k + 1), 1)]
    wall_two = per_host_wall(run, server, tmp_path, two, 5)
    for i in (0, 1):
        th = arrivals(server, server.host(i))
        assert len(th) == 10, "host %d: %d starts" % (i, len(th))
        assert_rate_limited(th, 5, "starts to host %d" % i)
    t = arrivals(server)
    assert t[-1] - t[0] < 3.2 * SLOW, "two hosts did not proceed together"
    # About twice as fast (3.8 s of spacing against 1.8 s).
    assert wall_two < 0.7 * wall_one, (
        "one host: %.2f s, two hosts: %.2f s" % (wall_one, wall_two))


def test_per_host_rate_keys_on_the_host_name(run, server, tmp_path):
    # 127.0.0.1:P and localhost:P are different hosts (brief 12: the
    # key is the lower-cased host:port as written).
    port = server.port
    urls = []
    for k in range(6):
        urls += ["http://127.0.0.1:%d/ok?n=%d" % (port, 2 * k),
                 "http://LOCALHOST:%d/ok?n=%d" % (port, 2 * k + 1)]
    code, recs, err, wall = run_list(run, tmp_path, urls,
                                     ["--per-host-rate", "5"])
    assert code == 0, err
    for host in ("127.0.0.1:%d" % port, "localhost:%d" % port):
        th = arrivals(server, host)
        assert len(th) == 6, (host, len(th), {r["host"] for r in
                                             server.requests()})
        assert_rate_limited(th, 5, "starts to " + host)
    t = arrivals(server)
    # Two separate spacings run side by side: 12 starts in about 1 s,
    # where one shared spacing would need 2.2 s.
    assert t[-1] - t[0] < 1.9 * SLOW
    assert max_in_window(t, 0.2) >= 2


def test_a_retry_takes_a_start_slot_too(run, server, tmp_path):
    # Six requests that fail once each: twelve starts at 5/s, evenly
    # spaced, retries included.
    tag = uuid.uuid4().hex[:8]
    urls = [server.url("/flaky?key=%s-%d&fail=1&n=%d" % (tag, k, k))
            for k in range(6)]
    code, recs, err, wall = run_list(run, tmp_path, urls,
                                     FAST + ["-r", "5"])
    assert code == 0, err
    assert all(r["ok"] and r["attempts"] == 2 for r in recs), recs
    t = arrivals(server)
    assert len(t) == 12
    # 2.2 s; without the retries counted, about 1 s.
    assert_rate_limited(t, 5)


def test_per_host_rate_counts_retries(run, server, tmp_path):
    tag = uuid.uuid4().hex[:8]
    urls = [server.url("/flaky?key=%s-%d&fail=2&n=%d" % (tag, k, k))
            for k in range(3)]
    code, recs, err, wall = run_list(run, tmp_path, urls,
                                     FAST + ["--per-host-rate", "5"])
    assert code == 0, err
    assert all(r["attempts"] == 3 for r in recs)
    t = arrivals(server)
    assert len(t) == 9
    assert_rate_limited(t, 5)


def test_rate_with_a_low_concurrency_obeys_both(run, server, tmp_path):
    # -c 2 with 500 ms requests allows 4 starts a second; -r 10 spaces
    # the two starts of each round 100 ms apart. Starts: 0, .1, .5, .6,
    # 1.0, 1.1, ... 2.0, 2.1.
    urls = [server.url("/delay?ms=500&n=%d" % k) for k in range(10)]
    code, recs, err, wall = run_list(run, tmp_path, urls,
                                     ["-r", "10", "-c", "2"])
    assert code == 0, err
    st = server.stats()
    assert st["peak"] == 2
    t = arrivals(server)
    assert len(t) == 10
    # Five rounds, each waiting for the 500 ms of the last: at least
    # 2.0 s whatever the load (0.1 s of it for arrival jitter).
    assert t[-1] - t[0] >= 1.9
    assert max_in_window(t, 0.1) <= 2
    # The two starts of a round are -r's 100 ms apart: half the gaps are
    # about 0.1 s, the other half about 0.4 s (without -r: 0 and 0.5).
    # One gap may shrink when its first start arrived late; the median
    # may not.
    gaps = sorted(b - a for a, b in zip(t, t[1:]))
    assert gaps[len(gaps) // 2] >= 0.05, "gaps %s" % [round(g, 3)
                                                     for g in gaps]


def test_rate_binds_before_a_high_concurrency(run, server, tmp_path):
    # 50 ms requests started every 250 ms never overlap, whatever -c
    # (200 ms to spare for a loaded machine).
    urls = [server.url("/delay?ms=50&n=%d" % k) for k in range(8)]
    code, recs, err, wall = run_list(run, tmp_path, urls,
                                     ["-r", "4", "-c", "50"])
    assert code == 0, err
    assert server.stats()["peak"] == 1
    assert_rate_limited(arrivals(server), 4)
