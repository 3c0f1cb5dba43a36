"""Memory per response (issue 10 item 7, man page MEMORY): --max-size
bounds what one response takes, decoded body and record encoding, even
for decoding bombs, and a run with a few huge responses among small ones
peaks within the documented bound."""

import re
import shutil
import subprocess
import zlib

import pytest

from conftest import ASAN, BINARY, binary_env, need_binary, parse_records
from rawserver import RawServer, response

M = 8 << 20          # --max-size
C = 4                # -c


def gzip_of(data):
    c = zlib.compressobj(6, zlib.DEFLATED, 16 + 15)
    return c.compress(data) + c.flush()


def peak_rss_mib(args, stdin):
    time = shutil.which("time") or "/usr/bin/time"
    p = subprocess.run([time, "-v", BINARY] + args, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=binary_env(), timeout=300)
    m = re.search(rb"Maximum resident set size \(kbytes\): (\d+)",
                  p.stderr)
    assert m, p.stderr[-2000:]
    return int(m.group(1)) / 1024.0, p


@pytest.mark.skipif(ASAN, reason="ASan's shadow memory and quarantine "
                    "change RSS; the bound is for the release build")
def test_peak_rss_with_huge_responses_stays_within_the_bound():
    need_binary()
    # Control bytes: the worst case for a text record (\u0001 each).
    full = response(200, gzip_of(b"\x01" * (M - 100)),
                    [("Content-Encoding", "gzip")])
    bomb = response(200, gzip_of(b"\x01" * (200 << 20)),
                    [("Content-Encoding", "gzip")])
    small = response(200, b"hello")

    def respond(req):
        path = req.target
        if path.startswith("/full"):
            return full, "keep"
        if path.startswith("/bomb"):
            return bomb, "keep"
        return small, "keep"

    srv = RawServer(respond)
    try:
        urls = []
        for i in range(3):
            urls += [srv.url("/full/%d" % i), srv.url("/bomb/%d" % i)]
            urls += [srv.url("/s/%d/%d" % (i, j)) for j in range(30)]
        base, _ = peak_rss_mib(["--max-size", "8M", "-c", str(C)],
                               b"")
        peak, p = peak_rss_mib(["--max-size", "8M", "--body=text", "-c",
                                str(C), "--retries", "0"],
                               "\n".join(urls).encode())
    finally:
        srv.stop()
    recs = parse_records(p.stdout)
    assert len(recs) == len(urls)
    kinds = sorted((r["error"] or {}).get("kind", "ok") for r in recs)
    assert kinds.count("too_large") == 3, kinds
    assert kinds.count("ok") == len(urls) - 3, kinds
    # The man page's bound (Memory): -c bodies of --max-size and their
    # records of at most 6 x --max-size queued for the reader (24 MiB
    # of decoder window each at most, not used by gzip), and one record
    # being encoded; 32 MiB of margin for allocator slack.
    mib = M / (1 << 20)
    bound = base + C * 7 * mib + 6 * mib + 32
    assert peak <= bound, (peak, bound, base)
