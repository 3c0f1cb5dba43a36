"""Malformed responses are `protocol`, one attempt: never `internal`, and
never ok with a body the server did not frame (issue 9 item 8)."""
import json

import pytest

from rawserver import RawServer

RESPONSES = {
    # A continuation line with no header before it (obs-fold at the
    # start, RFC 9112 5.2).
    "/folded": b"HTTP/1.1 200 OK\r\n folded: x\r\nContent-Length: 2\r\n"
               b"\r\nok",
    # Two Content-Length headers that disagree (RFC 9112 6.3), either
    # order.
    "/cl52": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 2"
             b"\r\n\r\nokabc",
    "/cl25": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5"
             b"\r\n\r\nokabc",
    # The same value twice is fine.
    "/cl22": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2"
             b"\r\n\r\nok",
    # So are a list of one value, leading zeros and spaces (RFC 9110
    # 8.6).
    "/cl-list": b"HTTP/1.1 200 OK\r\nContent-Length: 2, 02\r\n\r\nok",
}
# Content-Length values that are no 1*DIGIT: libcurl 7.88 reads them with
# strtoll, so "1e1" framed a one-byte body (ok, "H") and "0x41" an empty
# one, each reported ok.
BAD_LENGTHS = ["1e1", "0x41", "+2", "2abc", "2 2", "-0", "2,3", "", "2.0"]
for _i, _v in enumerate(BAD_LENGTHS):
    RESPONSES["/bad-cl-%d" % _i] = (
        b"HTTP/1.1 200 OK\r\nContent-Length: " + _v.encode() +
        b"\r\n\r\nHello world")


@pytest.fixture
def srv():
    s = RawServer(lambda req: (RESPONSES[req.target], "close"))
    yield s
    s.stop()


def assert_protocol_once(run, args):
    """A run of ARGS with retries allowed ends in one protocol record
    after one attempt (a malformed response is not retried)."""
    code, recs, err = run(["--retries", "2"] + args)
    assert code == 1, err
    r = recs[0]
    assert r["ok"] is False and r["error"]["kind"] == "protocol", r
    assert r["attempts"] == 1, r


@pytest.mark.parametrize("path", ["/folded", "/cl52", "/cl25"])
def test_malformed_response_is_protocol_once(run, srv, path):
    assert_protocol_once(run, [srv.url(path)])


def test_agreeing_content_lengths_are_fine(run, srv):
    code, recs, err = run(["-b", srv.url("/cl22")])
    assert code == 0, err
    assert recs[0]["body"] == "ok" and recs[0]["size"] == 2


@pytest.mark.parametrize("i", range(len(BAD_LENGTHS)), ids=BAD_LENGTHS)
def test_an_invalid_content_length_is_protocol(run, srv, i):
    # RFC 9112 6.3: without Transfer-Encoding, an invalid Content-Length
    # is an unrecoverable error, never an ok record of what libcurl
    # made of it.
    assert_protocol_once(run, ["-b", srv.url("/bad-cl-%d" % i)])


def test_a_content_length_list_of_one_value_is_fine(run, srv):
    code, recs, err = run(["-b", srv.url("/cl-list")])
    assert code == 0, err
    assert recs[0]["body"] == "ok" and recs[0]["size"] == 2
