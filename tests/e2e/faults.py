"""faults.py: helpers shared by the resilience tests (test_rate.py,
test_signals.py, test_resume.py, test_shard.py, test_save.py,
test_faults.py, test_netns.py, test_valgrind.py).

Nothing here starts a server of its own: the scripted server of conftest.py
(testserver.py) already has every behaviour these tests need. What lives
here is the bookkeeping: reading a records file, waiting for the server to
reach a state, counting request starts in a sliding window, and finding
which input index a server-side request belonged to (URLs these tests
build carry `n=<index>` in their query, except where n is the route's own
parameter, as in /bytes?n=SIZE).
"""

import json
import time
import urllib.parse

from conftest import SLOW, parse_records


def read_records(path):
    """Parse a records file, asserting every line is a whole JSON object
    ended by a newline."""
    with open(path, "rb") as f:
        return parse_records(f.read())


def json_lines(data):
    """Every line of data (bytes) parsed; asserts each is a JSON object.
    Unlike parse_records this accepts a last line with no newline, so it
    can show *where* a file was torn."""
    out = []
    for ln in data.split(b"\n"):
        if not ln:
            continue
        obj = json.loads(ln.decode("utf-8"))
        assert isinstance(obj, dict), ln
        out.append(obj)
    return out


def wait_until(pred, timeout, what, interval=0.02):
    """Poll pred() until it returns something true; return that. Fails
    the test after timeout (scaled by SLOW) seconds."""
    deadline = time.monotonic() + timeout * SLOW
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what,
                                                                  last))


def max_in_window(times, width):
    """The largest number of times that fall in any half-open window
    [t, t + width)."""
    times = sorted(times)
    best = 0
    j = 0
    for i in range(len(times)):
        while times[i] - times[j] >= width:
            j += 1
        best = max(best, i - j + 1)
    return best


def assert_rate_limited(times, per_second, what="starts"):
    """The arrival times show a limit of per_second starts in effect.

    The exact spacing (in order, one interval apart however late the
    timer fires, no burst after an idle spell) is proved on a fake clock
    in tests/unit/test_rate.c. Here each arrival also carries the delays
    of a loaded machine (a first connect, a descheduled client or
    server), so the span may fall short of the ideal by a quarter (at
    least one interval), and one interval's window may hold three
    arrivals. Without the limit, all of them arrive in a few
    milliseconds and both checks fail by far."""
    t = sorted(times)
    assert len(t) >= 3, t
    interval = 1.0 / per_second
    ideal = (len(t) - 1) * interval
    span = t[-1] - t[0]
    gaps = [round(b - a, 3) for a, b in zip(t, t[1:])]
    assert span >= ideal - max(interval, ideal / 4), (
        "%d %s at %g/s spanned %.3f s (ideal %.3f); gaps %s" % (
            len(t), what, per_second, span, ideal, gaps))
    most = max_in_window(t, interval)
    assert most <= 3, "%d %s within %.3f s; gaps %s" % (most, what,
                                                        interval, gaps)
    return span


def query_of(req):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
        req["target"]).query))


def index_of(req):
    """The input index a server-side request was for (its n= parameter),
    or None."""
    n = query_of(req).get("n")
    return int(n) if n is not None else None


def started_indexes(server, path=None):
    """Input indexes the server has seen at least one request for."""
    return {index_of(r) for r in server.requests(path)
            if index_of(r) is not None}


def file_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0
