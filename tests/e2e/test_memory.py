"""Memory stays bounded by the concurrency, not by the number of input lines
(SPEC "Behaviour that scripts rely on"; DESIGN "Invariants")."""

import subprocess
import threading

import pytest

from conftest import BINARY, binary_env, check_sanitizer, need_binary


def stream_run(tmp_path, nginx, n, extra=()):
    """Feed n generated lines to cofetch -c 50 against nginx through a pipe;
    return (exit code, records counted, ok records, peak RSS in KiB)."""
    need_binary()
    names = sorted(nginx.files)
    timef = tmp_path / ("time-%d" % n)
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", str(timef),
                          BINARY, "-c", "50"] + list(extra),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=binary_env())

    def produce():
        base = nginx.url("/f/")
        batch = []
        try:
            for i in range(n):
                batch.append("%s%s?i=%d\n" % (base, names[i % 100], i))
                if len(batch) == 1000:
                    p.stdin.write("".join(batch).encode())
                    batch = []
            p.stdin.write("".join(batch).encode())
            p.stdin.close()
        except BrokenPipeError:
            pass

    errs = []

    def drain_err():
        errs.append(p.stderr.read())

    t = threading.Thread(target=produce)
    te = threading.Thread(target=drain_err)
    t.start()
    te.start()
    count = ok = 0
    for line in p.stdout:
        count += 1
        if b'"ok":true' in line:
            ok += 1
    p.wait()
    t.join()
    te.join()
    check_sanitizer(errs[0].decode("utf-8", "replace"))
    rss = int(timef.read_text().split()[-1])
    return p.returncode, count, ok, rss


@pytest.mark.slow
@pytest.mark.parametrize("extra", [[], ["--ordered"]],
                         ids=["as-completed", "ordered"])
def test_peak_memory_does_not_grow_with_input_length(tmp_path, nginx,
                                                     extra):
    nginx.truncate_log()
    code1, count1, ok1, rss1 = stream_run(tmp_path, nginx, 100_000, extra)
    assert (code1, count1, ok1) == (0, 100_000, 100_000)
    nginx.truncate_log()
    code2, count2, ok2, rss2 = stream_run(tmp_path, nginx, 1_000_000, extra)
    assert (code2, count2, ok2) == (0, 1_000_000, 1_000_000)
    nginx.truncate_log()
    print("peak RSS: 100k lines %d KiB, 1M lines %d KiB" % (rss1, rss2))
    assert rss2 <= rss1 * 1.2 + 2048, (
        "peak RSS %d KiB for 1M lines vs %d KiB for 100k" % (rss2, rss1))
