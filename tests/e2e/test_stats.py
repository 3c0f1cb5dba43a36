"""--stats (SPEC; man page --stats; src/stats.c, src/hist.h): one JSON
object on one line of stderr at the end, holding requests, ok, failed,
status classes, errors by kind, retries, bytes, wall, rps and latency
min/p50/p90/p99/max over the `elapsed` of every attempted request; the
counts agree with the records and the percentiles with the nearest-rank
percentiles of the records' `elapsed`, to the histogram's resolution."""

import collections
import json
import os
import random
import shutil
import subprocess
import time

import pytest

from conftest import (BINARY, SLOW, binary_env, closed_port, kind,
                      lines_file)

TOP_KEYS = ["requests", "ok", "failed", "status", "errors", "retries",
            "bytes", "wall", "rps", "hosts", "latency"]
STATUS_KEYS = ["1xx", "2xx", "3xx", "4xx", "5xx", "none"]
LATENCY_KEYS = ["min", "p50", "p90", "p99", "max"]
RETRY = ["--retries", "2", "--retry-delay", "0.02", "--retry-max-delay",
         "0.05"]


def stats_line(err):
    """The one --stats line of stderr, parsed."""
    lines = [ln for ln in err.split("\n") if ln]
    objs = [ln for ln in lines if ln.startswith("{")]
    assert len(objs) == 1, "expected one JSON line on stderr: %r" % err
    st = json.loads(objs[0])
    assert isinstance(st, dict)
    return st, lines


def nearest_rank(sorted_samples, p):
    n = len(sorted_samples)
    k = -(-p * n // 100)            # ceil(p * n / 100), exactly
    return sorted_samples[max(k, 1) - 1]


def hist_tolerance(v):
    """src/hist.h: a percentile is the middle of its bucket, within 1/128
    of the true sample (exact below 128 us), plus half a microsecond for
    rounding to whole microseconds; plus 1.5 us more for the six-decimal
    printing of both the records and the summary."""
    return v / 128.0 + 0.5e-6 + 1.5e-6


def check_against_records(st, recs):
    for k in TOP_KEYS:
        assert k in st, "--stats lacks %r: %r" % (k, st)
    assert set(st) == set(TOP_KEYS), "unexpected keys: %r" % list(st)
    assert st["requests"] == len(recs)
    assert st["ok"] == sum(1 for r in recs if r["ok"])
    assert st["failed"] == sum(1 for r in recs if not r["ok"])
    assert st["ok"] + st["failed"] == st["requests"]

    classes = collections.Counter(
        "none" if r["status"] is None else "%dxx" % (r["status"] // 100)
        for r in recs)
    for k in STATUS_KEYS:
        assert k in st["status"], "status lacks %r: %r" % (k, st["status"])
        assert st["status"][k] == classes.get(k, 0), (k, st["status"])
    assert sum(st["status"].values()) == len(recs)

    kinds = collections.Counter(kind(r) for r in recs if not r["ok"])
    assert {k: v for k, v in st["errors"].items() if v} == dict(kinds)
    assert st["retries"] == sum(r["attempts"] - 1 for r in recs
                                if r["attempts"] > 0)
    assert st["bytes"] == sum(r["size"] for r in recs)

    assert isinstance(st["wall"], (int, float)) and st["wall"] > 0
    # rps (3 decimals) is requests / wall, wall being printed with 6.
    lo = st["requests"] / (st["wall"] + 0.6e-6) - 0.0006
    hi = st["requests"] / max(st["wall"] - 0.6e-6, 1e-9) + 0.0006
    assert lo <= st["rps"] <= hi, (st["rps"], st["requests"], st["wall"])

    lat = st["latency"]
    assert list(lat) == LATENCY_KEYS, lat
    samples = sorted(r["elapsed"] for r in recs if r["attempts"] > 0)
    if not samples:
        assert all(lat[k] is None for k in LATENCY_KEYS), lat
        return
    assert abs(lat["min"] - samples[0]) <= 1.5e-6, (lat, samples[0])
    assert abs(lat["max"] - samples[-1]) <= 1.5e-6, (lat, samples[-1])
    for p in (50, 90, 99):
        want = nearest_rank(samples, p)
        got = lat["p%d" % p]
        assert abs(got - want) <= hist_tolerance(want), \
            "p%d: --stats says %.6f, the records give %.6f (n=%d)" % (
                p, got, want, len(samples))
        assert lat["min"] <= got <= lat["max"]
    assert lat["p50"] <= lat["p90"] <= lat["p99"]


def mixed_list(server, tmp_path, name="list"):
    rng = random.Random(20261123)
    lines = []
    for i in range(40):
        lines.append(server.url("/delay?ms=%d" % rng.randint(10, 400)))
    for i in range(4):
        lines.append(server.url("/status/404"))
    for i in range(3):
        lines.append(server.url("/flaky?key=%s%d&fail=1" % (name, i)))
    for i in range(2):
        lines.append(server.url("/status/503"))
    for i in range(2):
        lines.append("http://127.0.0.1:%d/ok" % closed_port())
    lines.append(server.url("/bytes?n=1000"))
    lines.append(server.url("/bytes?n=5000&chunked=1"))
    lines.append(server.url("/status/302"))
    lines.append(server.url("/status/204"))
    lines.append("ftp://example.com/x")         # invalid_url
    lines.append('{"url": 1}')                  # invalid_input
    rng.shuffle(lines)
    return lines_file(tmp_path / name, lines), len(lines)


def test_stats_matches_the_records(run, server, tmp_path):
    lst, n = mixed_list(server, tmp_path)
    t0 = time.monotonic()
    code, recs, err = run(["--stats", "--no-progress", "-c", "16"] + RETRY +
                          ["-i", lst])
    took = time.monotonic() - t0
    assert code == 1
    assert len(recs) == n
    st, lines = stats_line(err)
    # stderr is not a terminal: the JSON line and nothing else.
    assert lines == [err.strip()], "more than the JSON line: %r" % err
    assert err.endswith("}\n")
    check_against_records(st, recs)
    # The mix did what it was meant to.
    assert st["retries"] >= 3 + 2 * 2 + 2 * 2
    assert st["errors"].get("http") == 6
    assert st["errors"].get("connect") == 2
    assert st["errors"].get("invalid_url") == 1
    assert st["errors"].get("invalid_input") == 1
    assert st["status"]["3xx"] == 1 and st["status"]["none"] == 4
    assert st["bytes"] >= 6000
    assert st["wall"] >= max(r["elapsed"] for r in recs)
    assert st["wall"] <= took + 0.01
    assert st["latency"]["max"] >= 0.3


def test_stats_percentiles_over_a_wide_spread(run, server, tmp_path):
    """Many samples spread over three decades, so p50, p90 and p99 fall in
    different octaves of the histogram."""
    rng = random.Random(7)
    lines = [server.url("/delay?ms=%d" % int(10 ** rng.uniform(0, 2.6)))
             for _ in range(200)]
    lst = lines_file(tmp_path / "list", lines)
    code, recs, err = run(["--stats", "-c", "100", "-i", lst])
    assert code == 0
    assert len(recs) == 200
    st, _ = stats_line(err)
    check_against_records(st, recs)


def test_stats_with_quiet_still_printed(run, server):
    code, recs, err = run(["--stats", "-q", server.url("/ok"),
                           server.url("/status/404")])
    assert code == 1
    st, lines = stats_line(err)
    assert len(lines) == 1
    check_against_records(st, recs)


def test_stats_after_plain_progress_lines(run, server, tmp_path):
    """--progress with stderr not a terminal writes plain lines; the --stats
    object is the last line."""
    lst = lines_file(tmp_path / "list",
                     [server.url("/delay?ms=700")] * 4 +
                     [server.url("/status/500")])
    code, recs, err = run(["--stats", "--progress", "-c", "2", "--retries",
                           "0", "-i", lst])
    assert code == 1
    lines = err.rstrip("\n").split("\n")
    assert lines[-1].startswith("{"), err
    assert all(ln.startswith("cofetch: ") for ln in lines[:-1]), err
    check_against_records(json.loads(lines[-1]), recs)


def test_stats_when_nothing_was_attempted(run, server):
    code, recs, err = run(["--stats"], input="ftp://a/b\n{\"nope\": 1}\n")
    assert code == 1
    assert len(recs) == 2
    st, _ = stats_line(err)
    check_against_records(st, recs)
    assert st["latency"] == {k: None for k in LATENCY_KEYS}
    assert st["retries"] == 0 and st["bytes"] == 0


def test_stats_of_an_empty_run(run):
    code, recs, err = run(["--stats"], input="# nothing\n\n")
    assert code == 0
    assert recs == []
    st, _ = stats_line(err)
    assert st["requests"] == st["ok"] == st["failed"] == 0
    assert st["errors"] == {}
    assert all(v == 0 for v in st["status"].values())
    assert st["latency"] == {k: None for k in LATENCY_KEYS}


def test_stats_count_only_this_runs_records_with_resume_and_shard(
        run, server, tmp_path):
    lst = lines_file(tmp_path / "list",
                     [server.url("/ok")] * 6 + [server.url("/status/404")] * 3
                     + [server.url("/delay?ms=50")] * 3)
    out = tmp_path / "out.jsonl"
    code, _, err = run(["-o", out, "-i", lst])
    assert code == 1
    code, recs, err = run(["--stats", "--resume", "-o", out, "-i", lst])
    assert code == 1
    new = [json.loads(ln) for ln in out.read_text().splitlines()[12:]]
    assert len(new) == 3 and all(r["status"] == 404 for r in new)
    st, _ = stats_line(err)
    check_against_records(st, new)

    code, recs, err = run(["--stats", "--shard", "2/3", "-i", lst])
    assert sorted(r["index"] for r in recs) == [1, 4, 7, 10]
    st, _ = stats_line(err)
    check_against_records(st, recs)


@pytest.mark.skipif(not shutil.which("tmux"), reason="tmux not installed")
def test_stats_on_a_terminal_adds_a_human_line(server, tmp_path):
    """On a terminal: the JSON line, then the short human line, and no
    progress leftovers."""
    lines_file(tmp_path / "list", [server.url("/delay?ms=300")] * 6 +
               [server.url("/status/404")])
    sock = "cofetch-stats-%d" % os.getpid()
    name = "stats"
    cmd = "cd %s; %s --stats -c 3 -o out.jsonl -i list; echo $? > rc; " \
          "sleep 30" % (tmp_path, BINARY)
    tm = ["tmux", "-L", sock]
    env = binary_env()
    env.pop("TMUX", None)
    try:
        subprocess.run(tm + ["-f", "/dev/null", "new-session", "-d", "-s",
                             name, "-x", "120", "-y", "20", cmd],
                       check=True, env=env)
        deadline = time.monotonic() + 20 * SLOW
        while not (tmp_path / "rc").exists():
            assert time.monotonic() < deadline, "cofetch did not finish"
            time.sleep(0.1)
        time.sleep(0.2)
        screen = subprocess.run(tm + ["capture-pane", "-p", "-J", "-S", "-",
                                      "-t", name], check=True,
                                capture_output=True, text=True).stdout
    finally:
        subprocess.run(tm + ["kill-server"], stderr=subprocess.DEVNULL)
    assert (tmp_path / "rc").read_text().strip() == "1"
    rows = [r.rstrip() for r in screen.split("\n") if r.strip()]
    assert len(rows) == 2, "screen: %r" % screen
    st = json.loads(rows[0])
    recs = [json.loads(ln) for ln in
            (tmp_path / "out.jsonl").read_text().splitlines()]
    check_against_records(st, recs)
    human = rows[1]
    assert human.startswith("cofetch: 7 requests in "), human
    assert "6 ok, 1 failed (http 1)" in human, human
    assert "latency p50" in human, human
