"""Body integrity (issue 9 item 3, issue 10 item 7's --max-size): a body
that did not arrive whole and intact is never ok. Every content coding's
stream must end, nothing may follow it, chunking must be well formed,
and --max-size counts decoded bytes while decoding. Raw-socket servers
(rawserver.py) send what no well-behaved server would."""

import os
import shutil
import subprocess
import zlib

import brotli
import pytest

from conftest import assert_record_shape, kind
from rawserver import RawServer, response

TEXT = b"the quick brown fox jumps over the lazy dog\n" * 300


def gzip_of(data):
    c = zlib.compressobj(6, zlib.DEFLATED, 16 + 15)
    return c.compress(data) + c.flush()


def zstd_of(data):
    exe = shutil.which("zstd")
    if exe is None:
        pytest.fail("zstd not installed (make deps)")
    return subprocess.run([exe, "-q", "-c"], input=data, check=True,
                          stdout=subprocess.PIPE).stdout


def raw_deflate_of(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def corrupt(b):
    """b with a run of bytes in the middle flipped."""
    m = len(b) // 2
    return b[:m] + bytes(x ^ 0x5A for x in b[m:m + 16]) + b[m + 16:]


# name -> (Content-Encoding, body bytes as sent)
CASES = {
    "gzip": ("gzip", gzip_of(TEXT)),
    "gzip-two-members": ("gzip", gzip_of(TEXT[:500]) + gzip_of(TEXT[500:])),
    "deflate": ("deflate", zlib.compress(TEXT)),
    "deflate-raw": ("deflate", raw_deflate_of(TEXT)),
    "br": ("br", brotli.compress(TEXT)),
    "zstd": ("zstd", None),
    "gzip-br": ("gzip, br", brotli.compress(gzip_of(TEXT))),
    "identity": ("identity", TEXT),
}


def body_of(name):
    enc, body = CASES[name]
    if body is None:
        body = zstd_of(TEXT)
    return enc, body


@pytest.fixture
def raw():
    servers = []

    def _start(respond, tls=None):
        s = RawServer(respond, tls=tls)
        servers.append(s)
        return s

    yield _start
    for s in servers:
        s.stop()


def fixed(data, action="keep"):
    return lambda req: (data, action)


def fetch(run, url, *opts, code=None):
    rc, recs, err = run(["--retries", "2", "--retry-delay", "0.01"] +
                        list(opts) + [url])
    assert len(recs) == 1, err
    assert_record_shape(recs[0])
    return rc, recs[0], err


@pytest.mark.parametrize("name", sorted(CASES))
def test_whole_encoded_body_is_ok_and_decoded(run, raw, tmp_path, name):
    enc, body = body_of(name)
    srv = raw(fixed(response(200, body, [("Content-Encoding", enc)])))
    rc, r, err = fetch(run, srv.url("/x"), "--body=text", "--save",
                       tmp_path)
    assert rc == 0 and r["ok"], r
    assert r["size"] == len(TEXT)
    assert r["body"] == TEXT.decode()
    assert (tmp_path / "0").read_bytes() == TEXT


@pytest.mark.parametrize("name", sorted(set(CASES) - {"identity"}))
def test_truncated_encoding_is_protocol_and_not_saved(run, raw, tmp_path,
                                                      name):
    """Content-Length matches what was sent; the coding's stream has no
    end. One attempt (protocol is not retryable), no file."""
    enc, body = body_of(name)
    srv = raw(fixed(response(
        200, body[:-20] if len(body) > 40 else body[:-4],
        [("Content-Encoding", enc)])))
    rc, r, err = fetch(run, srv.url("/x"), "--save", tmp_path)
    assert rc == 1
    assert kind(r) == "protocol", r
    assert "truncated" in r["error"]["message"]
    assert r["attempts"] == 1
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", sorted(set(CASES) -
                                        {"identity", "deflate-raw"}))
def test_corrupt_encoding_is_protocol(run, raw, name):
    """(Raw deflate has no checksum: a flipped run may decode.)"""
    enc, body = body_of(name)
    srv = raw(fixed(response(200, corrupt(body),
                             [("Content-Encoding", enc)])))
    rc, r, err = fetch(run, srv.url("/x"))
    assert kind(r) == "protocol", r
    assert r["attempts"] == 1


@pytest.mark.parametrize("name", ["gzip", "deflate", "br", "zstd"])
def test_junk_after_a_complete_stream_is_protocol(run, raw, tmp_path, name):
    enc, body = body_of(name)
    srv = raw(fixed(response(200, body + b"JUNK-after-the-end",
                             [("Content-Encoding", enc)])))
    rc, r, err = fetch(run, srv.url("/x"), "--save", tmp_path)
    assert kind(r) == "protocol", r
    assert r["attempts"] == 1
    assert os.listdir(tmp_path) == []


def test_connection_closed_early_is_recv(run, raw, tmp_path):
    body = gzip_of(TEXT)
    data = response(200, body, [("Content-Encoding", "gzip")])[:-20]
    srv = raw(fixed(data, "close"))
    rc, r, err = fetch(run, srv.url("/x"), "--save", tmp_path)
    assert kind(r) == "recv", r
    assert r["attempts"] == 3
    assert os.listdir(tmp_path) == []


def test_bad_chunk_size_is_protocol_one_attempt(run, raw, tmp_path):
    data = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\nzz\r\nabc\r\n0\r\n\r\n")
    srv = raw(fixed(data))
    rc, r, err = fetch(run, srv.url("/x"), "--save", tmp_path)
    assert kind(r) == "protocol", r
    assert r["attempts"] == 1
    assert len(srv.log) == 1
    assert os.listdir(tmp_path) == []


def test_unsupported_coding_is_protocol(run, raw):
    srv = raw(fixed(response(200, b"abc", [("Content-Encoding", "foo")])))
    rc, r, err = fetch(run, srv.url("/x"))
    assert kind(r) == "protocol", r
    assert "Content-Encoding" in r["error"]["message"]


def test_head_and_304_with_an_encoding_and_no_body_are_ok(run, raw):
    data = (b"HTTP/1.1 304 Not Modified\r\nContent-Encoding: gzip\r\n"
            b"ETag: \"x\"\r\n\r\n")
    srv = raw(fixed(data))
    rc, r, err = fetch(run, srv.url("/x"))
    assert r["ok"] and r["status"] == 304 and r["size"] == 0, r
    head = response(200, gzip_of(TEXT), [("Content-Encoding", "gzip")])
    head = head[:head.index(b"\r\n\r\n") + 4]
    srv2 = raw(fixed(head))
    rc, r, err = fetch(run, srv2.url("/x"), "-X", "HEAD")
    assert r["ok"] and r["size"] == 0, r


def test_no_compress_keeps_the_encoded_bytes_unchecked(run, raw):
    body = gzip_of(TEXT)[:-20]
    srv = raw(fixed(response(200, body, [("Content-Encoding", "gzip")])))
    rc, r, err = fetch(run, srv.url("/x"), "--no-compress")
    assert r["ok"] and r["size"] == len(body), r


@pytest.mark.parametrize("enc", ["gzip", "br", "zstd"])
def test_max_size_counts_decoded_bytes_of_a_bomb(run, raw, enc):
    """100 MB of zeros in ~100 KB: stopped at --max-size, the record is
    small, and the decoder did not inflate much past the limit."""
    zeros = b"\0" * (100 << 20)
    if enc == "gzip":
        body = gzip_of(zeros)
    elif enc == "br":
        body = brotli.compress(zeros)
    else:
        body = zstd_of(zeros)
    srv = raw(fixed(response(200, body, [("Content-Encoding", enc)])))
    rc, r, err = fetch(run, srv.url("/x"), "--max-size", "1M",
                       "--body=base64")
    assert kind(r) == "too_large", r
    assert r["attempts"] == 1
    assert r["size"] <= 1 << 20


def test_tls_close_without_close_notify_is_a_truncation(run, raw, tmp_path):
    """RFC 9112 9.8: a close-delimited body over TLS is complete only
    with a closure alert."""
    d = tmp_path / "tls"
    d.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", str(d / "key.pem"), "-out",
                    str(d / "cert.pem"), "-days", "2", "-subj",
                    "/CN=127.0.0.1"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tls = (str(d / "cert.pem"), str(d / "key.pem"))
    data = response(200, TEXT, [("Connection", "close")], length=False)
    dirty = raw(fixed(data, "close_tls_dirty"), tls=tls)
    clean = raw(fixed(data, "close"), tls=tls)
    save = tmp_path / "save"
    save.mkdir()
    rc, r, err = fetch(run, dirty.url("/x"), "-k", "--save", save)
    assert kind(r) == "recv", r
    assert os.listdir(save) == []
    rc, r, err = fetch(run, clean.url("/x"), "-k")
    assert r["ok"] and r["size"] == len(TEXT), r


@pytest.mark.parametrize("name", ["gzip", "gzip-br"])
def test_codings_read_through_the_header_callback_too(run, raw, name):
    """With --headers the codings come from the header callback rather
    than libcurl's header store: the same checks hold."""
    enc, body = body_of(name)
    whole = raw(fixed(response(200, body, [("Content-Encoding", enc)])))
    rc, r, err = fetch(run, whole.url("/x"), "--headers", "--body=text")
    assert r["ok"] and r["body"] == TEXT.decode(), r
    cut = raw(fixed(response(200, body[:-20],
                             [("Content-Encoding", enc)])))
    rc, r, err = fetch(run, cut.url("/x"), "--headers")
    assert kind(r) == "protocol", r


def test_codings_over_several_header_lines_stack(run, raw):
    body = brotli.compress(gzip_of(TEXT))
    srv = raw(fixed(response(200, body, [("Content-Encoding", "gzip"),
                                         ("Content-Encoding", "br")])))
    for opts in ([], ["--headers"]):
        rc, r, err = fetch(run, srv.url("/x"), "--body=text", *opts)
        assert r["ok"] and r["body"] == TEXT.decode(), (opts, r)
