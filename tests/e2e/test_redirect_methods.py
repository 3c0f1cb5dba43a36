"""test_redirect_methods.py: what the follow-up to a redirect sends
(RFC 9110 15.4), what a refused redirect reports, and HEAD with a body
(issue 9 items 4 and 5). The server logs every request it read, so the
assertions are on what went over the wire.
"""

import json

import pytest

from conftest import assert_record_shape, kind
from rawserver import RawServer, response


def handler(req):
    path, _, query = req.target.partition("?")
    q = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
    if path.startswith("/r/"):
        status = int(path[3:])
        return response(status, b"moved", [("Location",
                                             q.get("to", "/echo"))])
    if path == "/loop":
        return response(302, b"loop", [("Location", "/loop")])
    if path == "/head":
        # A HEAD answer announces a body it never sends.
        return response(200, b"", [("Content-Length", "100")],
                        length=False)
    return response(200, json.dumps({"m": req.method}),
                    [("Content-Type", "application/json")])


@pytest.fixture
def srv():
    s = RawServer(handler)
    yield s
    s.stop()


@pytest.fixture
def srv2():
    s = RawServer(handler)
    yield s
    s.stop()


def one(run, args):
    code, recs, err = run(args)
    assert len(recs) == 1, err
    assert_record_shape(recs[0])
    return code, recs[0], err


# (status, method sent first) -> (method of the follow-up, body kept)
CASES = []
for st in (301, 302, 303, 307, 308):
    for m in ("POST", "PUT", "PATCH", "DELETE", "GET"):
        if st == 303:
            exp = ("GET", False)
        elif st in (301, 302) and m == "POST":
            exp = ("GET", False)
        else:
            exp = (m, m != "GET")
        CASES.append((st, m, exp))


@pytest.mark.parametrize("status,method,expect", CASES)
def test_follow_up_method_and_body(run, srv, status, method, expect):
    args = [srv.url("/r/%d" % status), "-X", method,
            "-H", "Content-Type: text/x-mine"]
    if method != "GET":
        args += ["-d", "payload"]
    code, r, err = one(run, args)
    assert code == 0, err
    assert r["redirects"] == 1
    assert r["final_url"] == srv.url("/echo")
    first, follow = srv.log
    assert first.method == method
    assert follow.method == expect[0]
    if expect[1]:
        assert follow.body == b"payload"
        assert follow.header("Content-Length") == "7"
        assert follow.header("Content-Type") == "text/x-mine"
    else:
        assert follow.body == b""
        assert follow.header("Content-Length") in (None, "0")
        # A Content-Type goes only where the body went.
        if method == "GET":
            assert follow.header("Content-Type") == "text/x-mine"
        else:
            assert follow.header("Content-Type") is None


def test_303_keeps_head(run, srv):
    code, r, err = one(run, [srv.url("/r/303?to=/head"), "-X", "HEAD"])
    assert code == 0, err
    assert [q.method for q in srv.log] == ["HEAD", "HEAD"]


def test_json_line_body_after_303_has_no_content_type(run, srv):
    line = json.dumps({"url": srv.url("/r/303"), "method": "PUT",
                       "body": {"a": 1}})
    code, recs, err = run([], input=line + "\n")
    assert code == 0, err
    first, follow = srv.log
    assert first.header("Content-Type") == "application/json"
    assert follow.method == "GET" and follow.header("Content-Type") is None


def test_head_with_a_body_is_done_at_once(run, srv):
    code, r, err = one(run, [srv.url("/head"), "-X", "HEAD", "-d", "x",
                             "-t", "20"])
    assert code == 0, err
    assert r["ok"] and r["attempts"] == 1 and r["size"] == 0
    assert r["elapsed"] < 10
    line = json.dumps({"url": srv.url("/head"), "method": "HEAD",
                       "body": "x"})
    code, recs, err = run(["-t", "20"], input=line + "\n")
    assert code == 0 and recs[0]["ok"] and recs[0]["elapsed"] < 10, err


def test_refused_redirect_reports_last_url_fetched(run, srv):
    code, r, err = one(run, [srv.url("/r/302?to=ftp://127.0.0.1/x")])
    assert kind(r) == "invalid_url"
    assert r["redirects"] == 0
    assert r["final_url"] == srv.url("/r/302?to=ftp://127.0.0.1/x")
    assert "ftp://127.0.0.1/x" in r["error"]["message"]
    assert r["attempts"] == 1


def test_refused_redirect_after_one_followed(run, srv):
    hop2 = "/r/301?to=ftp://127.0.0.1/y"
    code, r, err = one(run, [srv.url("/r/302?to=" + hop2)])
    assert kind(r) == "invalid_url"
    assert r["redirects"] == 1
    assert r["final_url"] == srv.url(hop2)
    assert "ftp://127.0.0.1/y" in r["error"]["message"]


def test_credentials_not_sent_to_another_origin(run, srv, srv2):
    other = srv2.url("/echo")
    code, r, err = one(run, [srv.url("/r/302?to=" + other),
                             "-H", "Authorization: Bearer t0ken",
                             "-H", "Cookie: c=1", "-H", "X-Keep: 1"])
    assert code == 0, err
    assert r["final_url"] == other
    assert srv.log[0].header("Authorization") == "Bearer t0ken"
    hop = srv2.log[0]
    assert hop.header("Authorization") is None
    assert hop.header("Cookie") is None
    assert hop.header("X-Keep") == "1"


def test_credentials_kept_on_same_origin(run, srv):
    code, r, err = one(run, [srv.url("/r/307"),
                             "-H", "Authorization: Bearer t0ken"])
    assert code == 0, err
    assert [q.header("Authorization") for q in srv.log] == \
        ["Bearer t0ken"] * 2


def test_too_many_redirects_is_one_attempt(run, srv):
    code, r, err = one(run, [srv.url("/loop"), "--max-redirs", "3"])
    assert kind(r) == "too_many_redirects"
    assert r["redirects"] == 3 and r["attempts"] == 1
    assert len(srv.log) == 4
