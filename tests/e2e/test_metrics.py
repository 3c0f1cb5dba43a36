"""test_metrics.py: --metrics FILE is Prometheus text exposition format
(every line checked), written by rename, and its counts equal the
records'."""

import json
import os
import re
import socket
import stat
import subprocess

import pytest

from conftest import SLOW, lines_file
from test_state import Site

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
VALUE = r"(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?" \
        r"|[-+]?Inf|NaN)"
SAMPLE = re.compile(r"^(%s)(?:\{(%s(?:,%s)*)?\})? (%s)(?: -?[0-9]+)?$"
                    % (NAME, LABEL, LABEL, VALUE))
HELP = re.compile(r"^# HELP (%s) (.*)$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|"
                  r"untyped)$" % NAME)
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prom(text):
    """Check the exposition strictly; return {family: {"type", "help",
    "samples": [(name, labels dict, float)]}}."""
    assert text.endswith("\n")
    fams, order, cur = {}, [], None
    for ln in text.split("\n")[:-1]:
        m = HELP.match(ln)
        if m:
            f = fams.setdefault(m.group(1), {"samples": []})
            assert "help" not in f, "second HELP for %s" % m.group(1)
            assert m.group(2).strip()
            f["help"] = m.group(2)
            continue
        m = TYPE.match(ln)
        if m:
            f = fams.setdefault(m.group(1), {"samples": []})
            assert "type" not in f and not f["samples"], \
                "TYPE of %s late or twice" % m.group(1)
            f["type"] = m.group(2)
            order.append(m.group(1))
            cur = m.group(1)
            continue
        assert not ln.startswith("#"), "stray comment: %r" % ln
        m = SAMPLE.match(ln)
        assert m, "not a sample line: %r" % ln
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        fam = name
        if cur is not None and fams[cur]["type"] == "histogram":
            for suf in ("_bucket", "_sum", "_count"):
                if name == cur + suf:
                    fam = cur
        assert fam == cur, "%s outside its family's block" % name
        lab = dict(LABEL_RE.findall(labels))
        assert len(lab) == labels.count('="')
        fams[fam]["samples"].append((name, lab, float(value)))
    for name, f in fams.items():
        assert "type" in f and "help" in f, name
        assert name.startswith("cofetch_")
        if f["type"] == "counter":
            assert name.endswith("_total"), name
        if f["type"] == "histogram":
            check_histogram(name, f["samples"])
    return fams


def check_histogram(name, samples):
    buckets = [(s[1]["le"], s[2]) for s in samples
               if s[0] == name + "_bucket"]
    assert buckets and buckets[-1][0] == "+Inf"
    les = [float(le) for le, _ in buckets]
    assert les == sorted(les) and len(set(les)) == len(les)
    counts = [c for _, c in buckets]
    assert counts == sorted(counts), "buckets not cumulative"
    count = [s[2] for s in samples if s[0] == name + "_count"]
    total = [s[2] for s in samples if s[0] == name + "_sum"]
    assert count == [counts[-1]] and len(total) == 1 and total[0] >= 0


@pytest.fixture
def site():
    s = Site()
    yield s
    s.stop()


def value(fams, name, **labels):
    for f in fams.values():
        for n, lab, v in f["samples"]:
            if n == name and lab == labels:
                return v
    raise KeyError((name, labels))


def mixed_input(site, tmp_path):
    for i in range(6):
        site.set("/e/%d" % i, "body %d" % i)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    refused = "http://127.0.0.1:%d/" % s.getsockname()[1]
    s.close()
    lines = [site.url("/e/%d" % i) for i in range(6)] + \
        [site.url("/fail/a"), site.url("/fail/b"), refused,
         "{not json", "ftp://127.0.0.1/x"]
    return lines_file(tmp_path / "in.txt", lines)


def check_against_records(fams, recs):
    classes = {"none": 0, "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0,
               "5xx": 0, "other": 0}
    kinds = {}
    for r in recs:
        c = "none" if r["status"] is None else "%dxx" % (r["status"] // 100)
        classes[c] += 1
        if r["error"]:
            kinds[r["error"]["kind"]] = kinds.get(r["error"]["kind"], 0) + 1
    for c, n in classes.items():
        assert value(fams, "cofetch_requests_total", **{"class": c}) == n
    for n, lab, v in fams["cofetch_request_errors_total"]["samples"]:
        assert v == kinds.get(lab["kind"], 0), lab
    assert value(fams, "cofetch_retries_total") == \
        sum(max(r["attempts"] - 1, 0) for r in recs)
    assert value(fams, "cofetch_response_bytes_total") == \
        sum(r["size"] for r in recs)
    attempted = [r for r in recs if r["attempts"] > 0]
    assert value(fams, "cofetch_request_duration_seconds_count") == \
        len(attempted)
    inf = value(fams, "cofetch_request_duration_seconds_bucket", le="+Inf")
    assert inf == len(attempted)
    # Every request here takes well under a minute.
    assert value(fams, "cofetch_request_duration_seconds_bucket",
                 le="60") == len(attempted)


def test_metrics_parse_and_match_records(site, run, tmp_path):
    inp = mixed_input(site, tmp_path)
    prom = tmp_path / "tf" / "cofetch.prom"
    prom.parent.mkdir()
    db = tmp_path / "state.db"
    args = ["-i", inp, "--retries", "1", "--retry-delay", "0.01",
            "--state", db, "--metrics", prom]
    code, recs, err = run(args)
    assert code == 1, err
    assert len(recs) == 11
    fams = parse_prom(prom.read_text())
    check_against_records(fams, recs)
    assert value(fams, "cofetch_changed_total") == 0
    assert value(fams, "cofetch_unchanged_total") == 0
    assert value(fams, "cofetch_run_exit_status") == 1
    start = value(fams, "cofetch_run_start_timestamp_seconds")
    end = value(fams, "cofetch_run_end_timestamp_seconds")
    assert 0 <= end - start < 120
    assert value(fams, "cofetch_run_duration_seconds") <= end - start + 1
    assert "cofetch_host_requests_total" not in fams
    # Nothing but the file is left in the directory (no temporary).
    assert os.listdir(prom.parent) == ["cofetch.prom"]

    # Second run: the site changed one page; --only-changed writes fewer
    # records, but the metrics still count every request.
    site.set("/e/2", "new body 2")
    code, recs2, err = run(args + ["--only-changed", "-o",
                                   tmp_path / "o.jsonl"])
    assert code == 1, err
    written = [json.loads(ln) for ln in
               open(tmp_path / "o.jsonl").read().splitlines()]
    fams = parse_prom(prom.read_text())
    assert value(fams, "cofetch_changed_total") == 1
    assert value(fams, "cofetch_unchanged_total") == 5
    assert value(fams, "cofetch_requests_total", **{"class": "3xx"}) == 5
    assert len(written) == 1 + 5     # the change and the failures
    assert sum(v for n, _, v in
               fams["cofetch_requests_total"]["samples"]) == 11


def test_metrics_per_host(site, run, tmp_path):
    inp = mixed_input(site, tmp_path)
    prom = tmp_path / "m.prom"
    code, recs, err = run(["-i", inp, "--retries", "0", "--metrics", prom,
                           "--metrics-per-host"])
    fams = parse_prom(prom.read_text())
    check_against_records(fams, recs)
    host = "127.0.0.1:%d" % site.port
    assert value(fams, "cofetch_host_requests_total", host=host,
                 **{"class": "2xx"}) == 6
    assert value(fams, "cofetch_host_requests_total", host=host,
                 **{"class": "5xx"}) == 2
    assert value(fams, "cofetch_host_failures_total", host=host) == 2
    assert value(fams, "cofetch_host_response_bytes_total", host=host) == \
        sum(r["size"] for r in recs if r["url"].startswith(
            "http://" + host))
    assert "cofetch_changed_total" not in fams


def test_metrics_in_a_missing_directory_is_refused_at_start(site, run,
                                                             tmp_path):
    """As --cookie-jar: not found only at the end, after every fetch."""
    site.set("/m/a", "a")
    code, recs, err = run(["--metrics", tmp_path / "no" / "dir" / "m.prom",
                           site.url("/m/a")])
    assert code == 2 and recs == []
    assert "--metrics" in err and str(tmp_path / "no" / "dir") in err, err
    code, recs, err = run(["--metrics", tmp_path, site.url("/m/a")])
    assert code == 2 and recs == [] and "directory" in err, err
    code, recs, err = run(["--metrics", tmp_path / "m.prom",
                           site.url("/m/a")])
    assert code == 0, err
    assert len(recs) == 1       # the refused runs fetched nothing


def test_metrics_over_a_fifo_or_device_is_refused_at_start(site, run,
                                                          tmp_path):
    """The file is renamed over its target: a FIFO or device there (as
    root, /dev/null or /dev/full) would be replaced by a regular file."""
    site.set("/m/a", "a")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (fifo, "/dev/null", ""):
        code, recs, err = run(["--metrics", target, site.url("/m/a")])
        assert code == 2 and recs == [], (target, err)
        assert "--metrics" in err, err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_metrics_write_failure_is_reported(site, spawn, tmp_path):
    """The directory goes away during the run: exit 3 at the end."""
    site.set("/m/a", "a")
    d = tmp_path / "d"
    d.mkdir()
    p = spawn(["--metrics", d / "m.prom", "-i", "-"],
              stdin=subprocess.PIPE)
    p.write(site.url("/m/a") + "\n")
    assert p.readline(10 * SLOW) is not None
    d.rmdir()
    p.close_stdin()
    code, recs, err = p.finish()
    assert code == 3, err
    assert "--metrics" in err
