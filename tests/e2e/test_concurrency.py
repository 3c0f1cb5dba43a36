"""Concurrency limits, rate limits and output order (SPEC: -c, --per-host,
-r, --per-host-rate, --ordered; brief 11, 12)."""

import random
import resource
import time

from conftest import SLOW, assert_record_shape, lines_file
from faults import assert_rate_limited, wait_until


def delay_urls(server, ms_list, i=0):
    return [server.url("/delay?ms=%d&n=%d" % (ms, n), i)
            for n, ms in enumerate(ms_list)]


def test_peak_in_flight_equals_concurrency(run, server, tmp_path):
    f = lines_file(tmp_path / "urls", delay_urls(server, [300] * 30))
    code, recs, err = run(["-c", "6", "-i", f])
    assert code == 0, err
    assert len(recs) == 30 and all(r["ok"] for r in recs)
    st = server.stats()
    assert st["count"] == 30
    assert st["peak"] == 6


def test_default_concurrency_is_50(run, server, tmp_path):
    f = lines_file(tmp_path / "urls", delay_urls(server, [600] * 70))
    code, recs, err = run(["-i", f])
    assert code == 0, err
    assert server.stats()["peak"] == 50


def test_per_host_limits_each_host_separately(run, server, tmp_path):
    urls = []
    for n in range(12):
        urls += [server.url("/delay?ms=300&n=%d" % n, 0),
                 server.url("/delay?ms=300&n=%d" % n, 1)]
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["-c", "20", "--per-host", "3", "-i", f])
    assert code == 0, err
    assert len(recs) == 24
    st = server.stats()
    assert st["host_peak"][server.host(0)] == 3
    assert st["host_peak"][server.host(1)] == 3
    assert st["peak"] == 6


def test_global_limit_applies_across_hosts(run, server, tmp_path):
    urls = []
    for n in range(10):
        urls += [server.url("/delay?ms=300&n=%d" % n, 0),
                 server.url("/delay?ms=300&n=%d" % n, 1)]
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["-c", "4", "--per-host", "3", "-i", f])
    assert code == 0, err
    st = server.stats()
    assert st["peak"] == 4
    assert max(st["host_peak"].values()) <= 3


def test_forty_one_second_requests_at_c40_overlap(run, server, tmp_path):
    f = lines_file(tmp_path / "urls", delay_urls(server, [1000] * 40))
    t0 = time.monotonic()
    code, recs, err = run(["-c", "40", "-i", f])
    wall = time.monotonic() - t0
    assert code == 0, err
    assert len(recs) == 40 and all(r["ok"] for r in recs)
    assert wall < 3.0 * SLOW, "40 x 1 s at -c 40 took %.2f s" % wall
    assert server.stats()["peak"] == 40


def test_as_completed_order_follows_completion(run, server):
    urls = delay_urls(server, [900, 100, 500, 300])
    code, recs, err = run(["-c", "4"] + urls)
    assert code == 0, err
    assert [r["index"] for r in recs] == [1, 3, 2, 0]
    for r in recs:
        assert r["url"] == urls[r["index"]]


def test_ordered_emits_records_in_input_order(run, server):
    urls = delay_urls(server, [900, 100, 500, 300])
    code, recs, err = run(["-c", "4", "--ordered"] + urls)
    assert code == 0, err
    assert [r["index"] for r in recs] == [0, 1, 2, 3]
    # Still concurrent: all four were in flight together.
    assert server.stats()["peak"] == 4


def test_ordered_many_uneven_requests_keep_input_order(run, server,
                                                       tmp_path):
    rnd = random.Random(7)
    ms = [rnd.choice([0, 5, 20, 60]) for _ in range(200)]
    f = lines_file(tmp_path / "urls", delay_urls(server, ms))
    code, recs, err = run(["-c", "20", "--ordered", "-i", f])
    assert code == 0, err
    assert [r["index"] for r in recs] == list(range(200))
    for r in recs:
        assert_record_shape(r)


def test_ordered_waits_for_a_slow_first_request_within_a_window(
        spawn, server, tmp_path):
    # brief 11: the reorder window is 16 x concurrency (at least 256);
    # admission waits when it is full, so a slow index 0 bounds how far
    # the run gets.
    urls = [server.url("/delay?ms=4000&first=1")]
    urls += [server.url("/ok?n=%d" % n) for n in range(500)]
    f = lines_file(tmp_path / "urls", urls)
    p = spawn(["-c", "20", "--ordered", "-i", f])
    # The window fills in well under a second; index 0 takes 4 s, which
    # leaves a loaded machine time to fill it and us time to look.
    wait_until(lambda: server.stats()["count"] >= 16 * 20 - 20, 3.0,
               "the reorder window to fill")
    time.sleep(0.3)
    started = server.stats()["count"]
    line = p.readline(0.1)
    assert line is None, "a record came out before index 0 finished"
    assert started <= 16 * 20 + 2, (
        "%d requests started while index 0 was pending" % started)
    code, recs, err = p.finish()
    assert code == 0, err
    assert [r["index"] for r in recs] == list(range(501))


def test_rate_spaces_request_starts_evenly(run, server, tmp_path):
    f = lines_file(tmp_path / "urls",
                   [server.url("/ok?n=%d" % n) for n in range(11)])
    code, recs, err = run(["-r", "10", "-i", f])
    assert code == 0, err
    t = sorted(r["t"] for r in server.requests("/ok"))
    assert len(t) == 11
    assert_rate_limited(t, 10)


def test_rate_accepts_per_minute_units(run, server, tmp_path):
    f = lines_file(tmp_path / "urls",
                   [server.url("/ok?n=%d" % n) for n in range(6)])
    code, recs, err = run(["-r", "600/m", "-i", f])
    assert code == 0, err
    t = sorted(r["t"] for r in server.requests("/ok"))
    assert assert_rate_limited(t, 10) < 2.0 * SLOW


def test_rate_per_second_suffix(run, server, tmp_path):
    f = lines_file(tmp_path / "urls",
                   [server.url("/ok?n=%d" % n) for n in range(6)])
    code, recs, err = run(["-r", "20/s", "-i", f])
    assert code == 0, err
    t = sorted(r["t"] for r in server.requests("/ok"))
    assert assert_rate_limited(t, 20) < 2.0 * SLOW


def test_per_host_rate_limits_each_host_not_the_total(run, server,
                                                      tmp_path):
    urls = []
    for n in range(6):
        urls += [server.url("/ok?n=%d" % n, 0), server.url("/ok?n=%d" % n,
                                                           1)]
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["--per-host-rate", "5", "-i", f])
    assert code == 0, err
    reqs = server.requests("/ok")
    for i in (0, 1):
        t = sorted(r["t"] for r in reqs if r["host"] == server.host(i))
        assert len(t) == 6
        assert_rate_limited(t, 5, "starts to host %d" % i)
    # The two hosts proceed side by side: about 1 s, not 2.2 s.
    t = sorted(r["t"] for r in reqs)
    assert t[-1] - t[0] < 1.8 * SLOW, "%.2f s" % (t[-1] - t[0])


def test_concurrency_beyond_open_file_limit_is_lowered_with_one_warning(
        run, server, tmp_path):
    def low_nofile():
        resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))

    f = lines_file(tmp_path / "urls", delay_urls(server, [300] * 300))
    code, recs, err = run(["-c", "1000", "-i", f], preexec_fn=low_nofile)
    assert code == 0, err
    assert len(recs) == 300 and all(r["ok"] for r in recs)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, "expected one warning, got: %r" % err
    assert "concurrency" in lines[0].lower()
    assert server.stats()["peak"] < 200
