"""test_reuse.py: per-transfer state never leaks from one request into
another when connections are reused (issue 9 items 1 and 2).

Every request is answered by rawserver.RawServer, which logs which
connection served what, so each record can be checked against the
server's truth.
"""

import socket

import pytest

from conftest import assert_record_shape, by_index, kind, lines_file
from rawserver import RawServer, response


def ok_handler(req):
    return response(200, b"ok:" + req.target.encode(),
                    [("Content-Type", "text/x-" + str(req.nth))])


@pytest.fixture
def raw():
    servers = []

    def _raw(handler=ok_handler, **kw):
        s = RawServer(handler, **kw)
        servers.append(s)
        return s

    yield _raw
    for s in servers:
        s.stop()


def test_final_url_is_each_requests_own(run, raw):
    s = raw()
    urls = [s.url("/a"), s.url("/b?x=1"), s.url("/c")]
    code, recs, err = run(["-c", "1"] + urls)
    assert code == 0, err
    recs = by_index(recs)
    for i, u in enumerate(urls):
        assert_record_shape(recs[i])
        assert recs[i]["final_url"] == u
        assert recs[i]["size"] == len("ok:" + u[len(s.base()):])
    # All three went over one connection: reuse did happen.
    assert {r.conn for r in s.log} == {1}


def test_credentials_stay_in_their_record(run, raw):
    s = raw()
    base = s.base()
    secret = base.replace("http://", "http://user:secret@") + "/private"
    urls = [secret] + [s.url("/n%d" % i) for i in range(5)]
    code, recs, err = run(["-c", "1"] + urls)
    assert code == 0, err
    recs = by_index(recs)
    for i in range(1, 6):
        assert "secret" not in recs[i]["final_url"]
        assert recs[i]["final_url"] == urls[i]
    # The server saw the credentials only on the first request.
    auth = [r.header("Authorization") for r in s.log]
    assert auth[0] is not None and all(a is None for a in auth[1:])


def test_ipv6_and_ipv4_records_do_not_mix(run, raw):
    try:
        s6 = raw(family=socket.AF_INET6, host="::1")
    except OSError:
        pytest.skip("no IPv6 on lo")
    s4 = raw()
    urls = [s4.url("/four"), s6.url("/six"), s4.url("/four2"),
            s6.url("/six2")]
    code, recs, err = run(["-c", "1"] + urls)
    assert code == 0, err
    recs = by_index(recs)
    for i, u in enumerate(urls):
        assert recs[i]["final_url"] == u
        assert recs[i]["remote_ip"] == ("::1" if "[" in u else "127.0.0.1")


def test_content_type_and_status_per_request(run, raw):
    def handler(req):
        if req.target == "/nct":
            return response(404, b"gone", [])
        return response(200, b"x", [("Content-Type", "text/a")])

    s = raw(handler)
    urls = [s.url("/ct"), s.url("/nct"), s.url("/ct")]
    code, recs, err = run(["-c", "1"] + urls)
    recs = by_index(recs)
    assert recs[0]["content_type"] == "text/a"
    assert recs[1]["content_type"] is None and recs[1]["status"] == 404
    assert recs[2]["content_type"] == "text/a"


def test_folded_first_header_on_reused_connection(run, raw):
    """The 2nd response on a connection starts its headers with a folded
    line: libcurl 7.88 read freed memory on a reused easy handle."""
    def handler(req):
        if req.nth % 2 == 0:
            return (b"HTTP/1.1 200 OK\r\n folded: x\r\n"
                    b"Content-Length: 2\r\n\r\nok")
        return response(200, b"ok")

    s = raw(handler)
    urls = [s.url("/f%d" % i) for i in range(40)]
    code, recs, err = run(["-c", "2"] + urls, timeout=60)
    assert len(recs) == 40, err
    assert sorted(r["index"] for r in recs) == list(range(40))
    for r in recs:
        assert_record_shape(r)


def close_after(n):
    """Answer n requests on a connection; read the next and close."""
    def handler(req):
        if req.nth > n:
            return None
        return response(200, b"ok")
    return handler


@pytest.mark.parametrize("conc,count", [(1, 20), (5, 300)])
def test_server_closing_kept_alive_connection(run, raw, tmp_path,
                                              conc, count):
    s = raw(close_after(3))
    urls = [s.url("/k%d" % i) for i in range(count)]
    lst = lines_file(tmp_path / "l", urls)
    code, recs, err = run(["-c", conc, "-i", lst], timeout=120)
    assert code == 0, err
    assert len(recs) == count
    bad = [r for r in recs if not r["ok"]]
    assert bad == []
    assert all(r["attempts"] == 1 for r in recs)


def test_server_closing_kept_alive_connection_post(run, raw, tmp_path):
    s = raw(close_after(2))
    urls = [s.url("/p%d" % i) for i in range(20)]
    lst = lines_file(tmp_path / "l", urls)
    code, recs, err = run(["-c", "1", "-d", "hello", "-i", lst])
    assert code == 0, err
    assert all(r["ok"] and r["attempts"] == 1 for r in recs)
    # Every POST the server answered was processed exactly once.
    answered = [r.target for r in s.log if r.nth <= 2]
    assert sorted(answered) == sorted("/p%d" % i for i in range(20))
