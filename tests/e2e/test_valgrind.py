"""Representative runs of the plain ./cofetch under valgrind (memcheck):
no invalid access, no use of uninitialised memory, nothing definitely or
indirectly lost, on the ok path, the error paths, retries, --ordered,
--body/--headers, --save, invalid lines and a SIGTERM in mid-run.

Opt-in: runs only with COFETCH_VALGRIND=1 (make check-valgrind); the
binary is always the plain build at the repository root, since a
sanitizer build cannot run under valgrind."""

import os
import re
import shutil
import signal
import subprocess
import time
import uuid
import warnings

import pytest

from conftest import (ROOT, binary_env, closed_port, lines_file,
                      parse_records)
from faults import wait_until

with warnings.catch_warnings():
    # The marker is registered in pytest.ini by whoever adds it there;
    # until then, no warning for it.
    warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
    VALGRIND_MARK = pytest.mark.valgrind

pytestmark = [
    VALGRIND_MARK,
    pytest.mark.skipif(os.environ.get("COFETCH_VALGRIND") != "1",
                       reason="valgrind runs need COFETCH_VALGRIND=1"),
]

PLAIN = str(ROOT / "cofetch")
VALGRIND = ["valgrind", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect", "--track-fds=no",
            "--num-callers=30",
            # cofetch may be linked with mimalloc: check its malloc too.
            "--soname-synonyms=somalloc=*mimalloc*"]
FAST = ["--retry-delay", "0.01", "--retry-max-delay", "0.05"]


@pytest.fixture(autouse=True)
def _need_valgrind():
    if not shutil.which("valgrind"):
        pytest.fail("COFETCH_VALGRIND=1 but valgrind is not installed")
    if not os.access(PLAIN, os.X_OK):
        pytest.fail("no plain build at %s (run make)" % PLAIN)


def vg_cmd(tmp_path, args):
    log = tmp_path / ("vg-%s.log" % uuid.uuid4().hex[:6])
    cmd = VALGRIND + ["--log-file=%s" % log, PLAIN] + [str(a) for a in args]
    return cmd, log


def check_log(code, log):
    text = log.read_text(errors="replace")
    assert code != 99, "valgrind found errors:\n" + text[-6000:]
    m = re.search(r"definitely lost: ([\d,]+) bytes", text)
    assert not m or m.group(1) == "0", "leak:\n" + text[-6000:]
    m = re.search(r"indirectly lost: ([\d,]+) bytes", text)
    assert not m or m.group(1) == "0", "leak:\n" + text[-6000:]
    m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    assert m, "no valgrind summary:\n" + text[-3000:]
    assert m.group(1) == "0", text[-6000:]
    return text


def vg_run(tmp_path, args, input=None, timeout=60):
    cmd, log = vg_cmd(tmp_path, args)
    p = subprocess.run(cmd, input=input.encode() if input else None,
                       stdin=None if input else subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=binary_env(), timeout=timeout)
    check_log(p.returncode, log)
    return p.returncode, parse_records(p.stdout)


def test_ok_requests(server, tmp_path):
    urls = [server.url("/ok?n=%d" % k) for k in range(20)]
    urls += [server.url("/redirect/2"), server.url("/bytes?n=100000")]
    code, recs = vg_run(tmp_path, ["-c", "8"] + urls)
    assert code == 0
    assert len(recs) == 22


def test_error_paths(server, tmp_path):
    urls = [server.url(p) for p in (
        "/reset", "/reset?after=none", "/truncate", "/garbage",
        "/garbage?kind=status", "/stall", "/status/404", "/loop",
        "/to-ftp", "/gzip-bomb?n=2M", "/bytes?n=300000")]
    urls.append("http://127.0.0.1:%d/" % closed_port())
    code, recs = vg_run(tmp_path, FAST + ["-t", "3", "--max-size", "200K",
                                          "--retries", "1"] + urls,
                        timeout=90)
    assert code == 1
    assert len(recs) == len(urls)
    assert all(not r["ok"] for r in recs)


def test_retries_and_retry_after(server, tmp_path):
    key = uuid.uuid4().hex[:8]
    urls = [server.url("/flaky?key=%s-a&fail=2" % key),
            server.url("/flaky?key=%s-b&fail=1&status=429&retry_after=1" %
                       key),
            server.url("/status/503")]
    code, recs = vg_run(tmp_path, FAST + urls)
    assert code == 1
    b = {r["index"]: r for r in recs}
    assert b[0]["attempts"] == 3 and b[0]["ok"]
    assert b[1]["attempts"] == 2 and b[1]["ok"]
    assert b[2]["attempts"] == 3 and not b[2]["ok"]


def test_ordered_body_headers_and_invalid_lines(server, tmp_path):
    lines = [server.url("/json"), server.url("/utf8-bad"),
             server.url("/headers-repeat"), server.url("/gzip?n=5000"),
             server.url("/bytes?n=3000"), "ftp://x/", '{"url": 1}',
             '{"url": "%s", "id": [1, 2], "method": "PUT", "body": {"a": 1},'
             ' "headers": {"X-A": "b"}}' % server.url("/echo"),
             '{"bad', "not a url at all", "x" * 70000]
    text = "".join(ln + "\n" for ln in lines)
    for mode in ("auto", "text", "base64", "json"):
        code, recs = vg_run(tmp_path, ["--ordered", "-c", "3",
                                       "--body=%s" % mode, "--headers"],
                            input=text)
        assert code == 1
        assert [r["index"] for r in recs] == list(range(len(lines)))


def test_save_resume_shard_and_rate(server, tmp_path):
    d = tmp_path / "saved"
    d.mkdir()
    urls = [server.url("/bytes?n=%d" % (k * 1000)) for k in range(6)]
    urls.append(server.url("/truncate"))
    f = lines_file(tmp_path / "urls", urls)
    out = tmp_path / "out.jsonl"
    code, _ = vg_run(tmp_path, FAST + ["--save", d, "-i", f, "-o", out,
                                       "--shard", "1/2", "-r", "50",
                                       "--per-host-rate", "40"])
    assert code == 1
    code, _ = vg_run(tmp_path, FAST + ["--save", d, "-i", f, "-o", out,
                                       "--resume", "--per-host", "2"])
    assert code == 1
    recs = parse_records(out.read_bytes())
    assert {r["index"] for r in recs if r["ok"]} == set(range(6))


def test_sigterm_mid_run(server, tmp_path):
    urls = [server.url("/ok?n=%d" % k) for k in range(5)]
    urls += [server.url("/delay?ms=30000&n=%d" % k) for k in range(5, 10)]
    urls += [server.url("/status/503?retry_after=30&n=10")]
    urls += [server.url("/slowbody?n=1000&ms=20&n2=11")]
    cmd, log = vg_cmd(tmp_path, ["--retry-max-delay", "60", "--ordered",
                                 "-c", "20"] + urls)
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=binary_env())
    try:
        wait_until(lambda: server.stats()["inflight"] == 6 and
                   server.stats()["count"] == 12, 30,
                   "requests in flight under valgrind")
        time.sleep(0.5)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 143, err.decode(errors="replace")[-2000:]
    check_log(p.returncode, log)
    recs = parse_records(out)
    assert [r["index"] for r in recs] == list(range(12))
