"""test_record_audit.py: every field of every record against what the
server really did (issue 9, "the whole kind, tested").

Hundreds of requests mix plain 200s, relative and absolute redirects (to
another port), 404 and 503, connection resets, a 503-then-200 retry, IPv4
and IPv6 literals and userinfo URLs, at -c 1 and -c 50, over kept-alive
connections. Each request has its own number N, so the server's log says
which request it served on which connection, and each record must match
that truth, field by field.
"""

import random
import socket

import pytest

from conftest import assert_record_shape, kind, lines_file
from rawserver import RawServer, response

KINDS = ["ok", "rel", "abs", "e404", "e503", "reset", "flaky"]


class Truth:
    """The scripted servers: what each path answers."""

    def __init__(self):
        self.flaky_seen = set()
        self.other = None           # the server absolute redirects go to

    def handler(self, req):
        path = req.target.split("?")[0]
        parts = path.strip("/").split("/")
        if len(parts) != 2:
            return response(400, b"bad")
        what, n = parts[0], int(parts[1])
        if what == "ok":
            return response(200, body(n), [("Content-Type", ctype(n))])
        if what == "rel":
            return response(302, b"moved", [("Location", "/ok/%d" % n)])
        if what == "abs":
            return response(301, b"moved", [(
                "Location", self.other.url("/ok/%d" % n))])
        if what == "e404":
            return response(404, b"nope", [("Content-Type", "text/plain")])
        if what == "e503":
            return response(503, b"later", [("Retry-After", "0")])
        if what == "reset":
            return None
        if what == "flaky":
            if n not in self.flaky_seen:
                self.flaky_seen.add(n)
                return response(503, b"later", [("Retry-After", "0")])
            return response(200, body(n), [("Content-Type", ctype(n))])
        return response(400, b"bad")


def body(n):
    return ("body-%d-" % n).encode() * (1 + n % 7)


def ctype(n):
    return "text/x-%d" % n


@pytest.fixture
def servers():
    truth = Truth()
    a = RawServer(truth.handler)
    b = RawServer(truth.handler)
    truth.other = b
    try:
        six = RawServer(truth.handler, family=socket.AF_INET6, host="::1")
    except OSError:
        six = None
    yield truth, a, b, six
    for s in (a, b, six):
        if s is not None:
            s.stop()


def plan(a, six, count, seed):
    """[(url, what, n, userinfo, server)] for count requests."""
    rnd = random.Random(seed)
    out = []
    for n in range(count):
        what = rnd.choice(KINDS)
        srv = six if (six is not None and rnd.random() < 0.2) else a
        user = rnd.random() < 0.15 and what in ("ok", "rel", "e404")
        base = srv.base()
        if user:
            base = base.replace("http://", "http://u%d:pw%d@" % (n, n))
        out.append((base + "/%s/%d" % (what, n), what, n, user, srv))
    return out


def redact(url):
    """The URL as records show it: the password as ***."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    cred, host = rest.split("@", 1)
    user = cred.split(":", 1)[0]
    return "%s://%s:***@%s" % (scheme, user, host)


def expected(item, other):
    url, what, n, user, srv = item
    ip = "::1" if srv.host == "::1" else "127.0.0.1"
    ok_final = url.rsplit("/", 2)[0] + "/ok/%d" % n
    e = dict(url=redact(url), status=None, final_url=None, redirects=0,
             attempts=1, size=0, content_type=None, remote_ip=ip,
             kind=None, http_version="1.1")
    if what == "ok":
        e.update(status=200, final_url=redact(url), size=len(body(n)),
                 content_type=ctype(n))
    elif what == "rel":
        e.update(status=200, final_url=redact(ok_final), redirects=1,
                 size=len(body(n)), content_type=ctype(n))
    elif what == "abs":
        e.update(status=200, final_url=other.url("/ok/%d" % n),
                 redirects=1, size=len(body(n)), content_type=ctype(n),
                 remote_ip="127.0.0.1")
    elif what == "e404":
        e.update(status=404, final_url=redact(url), size=4,
                 content_type="text/plain", kind="http")
    elif what == "e503":
        e.update(status=503, final_url=redact(url), size=5, kind="http",
                 attempts=2)
    elif what == "reset":
        e.update(kind="recv", attempts=2, http_version=None,
                 remote_ip=None)
    elif what == "flaky":
        e.update(status=200, final_url=redact(url), size=len(body(n)),
                 content_type=ctype(n), attempts=2)
    return e


@pytest.mark.parametrize("conc", ["1", "50"])
def test_every_field_of_every_record(run, servers, tmp_path, conc):
    truth, a, b, six = servers
    items = plan(a, six, 400, seed=int(conc))
    lst = lines_file(tmp_path / "list", [it[0] for it in items])
    code, recs, err = run(["-c", conc, "--retries", "1", "--retry-delay",
                           "0.01", "--body=text", "-i", lst], timeout=180)
    assert len(recs) == len(items), err
    wrong = []
    for r in recs:
        assert_record_shape(r)
        item = items[r["index"]]
        e = expected(item, b)
        # A password shows as *** (SPEC) or as given: the same truth.
        got = dict(url=redact(r["url"]), status=r["status"],
                   final_url=redact(r["final_url"] or "") or None,
                   redirects=r["redirects"],
                   attempts=r["attempts"], size=r["size"],
                   content_type=r["content_type"], remote_ip=r["remote_ip"],
                   kind=kind(r), http_version=r["http_version"])
        if e["kind"] == "recv":
            # Which reset libcurl saw first is its business; the rest
            # must hold.
            got["remote_ip"] = None
        diff = {k: (got[k], e[k]) for k in e if got[k] != e[k]}
        n, what = item[2], item[1]
        if e["status"] == 200 and r["body"] != body(n).decode():
            diff["body"] = (r["body"][:40], body(n)[:40])
        if diff:
            wrong.append("%d %s: %s" % (r["index"], item[0], diff))
    assert not wrong, "%d records wrong:\n%s" % (len(wrong),
                                                  "\n".join(wrong[:30]))
    # The server's truth: each final target was served once per record
    # that reports it, and credentials went only with their own request.
    served = {}
    for s in (a, b, six):
        if s is None:
            continue
        for q in s.log:
            served.setdefault(q.target, []).append(q)
    for url, what, n, user, srv in items:
        if what in ("ok", "rel", "abs"):
            qs = served.get("/ok/%d" % n, [])
            assert len(qs) == 1, (url, qs)
            auth = qs[0].header("Authorization")
            if user and what != "abs":
                assert auth is not None, url
            else:
                assert auth is None, url
    # Connections were reused (a reset costs up to 5: libcurl's re-send,
    # the retry's two, and the next request's).
    assert a.nconn < len(items), a.nconn
