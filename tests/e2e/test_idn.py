"""test_idn.py: an IDN host name (bücher.example) is sent in its ASCII
form, xn--bcher-kva.example, whether it comes as an argument, an input
line or a redirect's Location, and whatever the locale (issue 9 item 6).

No DNS: cofetch talks to a raw server on 127.0.0.1 acting as its HTTP
proxy (-x), which sees the absolute URL and the Host header as sent.
"""

import json

import pytest

from rawserver import RawServer, response

IDN = "http://bücher.example/x"
ACE = "http://xn--bcher-kva.example/x"


def proxy_handler(req):
    if req.target == "http://start.example/":
        return (b"HTTP/1.1 302 Found\r\nLocation: " +
                IDN.encode("utf-8") + b"\r\nContent-Length: 0\r\n\r\n")
    return response(200, b"ok")


@pytest.fixture
def proxy():
    s = RawServer(proxy_handler)
    yield s
    s.stop()


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_idn_argument(run, proxy, locale):
    code, recs, err = run(["-x", proxy.base(), IDN],
                          env={"LC_ALL": locale})
    assert code == 0, err
    assert recs[0]["ok"]
    (req,) = proxy.log
    assert req.target == ACE
    assert req.header("Host") == "xn--bcher-kva.example"


def test_idn_input_line(run, proxy):
    lines = IDN + "\n" + json.dumps({"url": IDN}) + "\n"
    code, recs, err = run(["-x", proxy.base()], input=lines)
    assert code == 0, err
    assert [q.target for q in proxy.log] == [ACE, ACE]


def test_idn_location(run, proxy):
    code, recs, err = run(["-x", proxy.base(), "http://start.example/"])
    assert code == 0, err
    assert recs[0]["redirects"] == 1
    assert [q.target for q in proxy.log] == ["http://start.example/", ACE]
