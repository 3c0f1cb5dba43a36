"""What is sent: method, headers, body, user agent, proxy (SPEC -X, -H, -d,
-A, -x; brief 6)."""

import base64
import time

from conftest import SLOW, assert_record_shape


def echo_one(run, *args, env=None):
    code, recs, err = run(["--body=json", "--retries", "0"] + list(args),
                          env=env)
    assert code == 0, err
    assert len(recs) == 1
    assert_record_shape(recs[0])
    assert recs[0]["body_encoding"] == "json"
    return recs[0], recs[0]["body"]


def values(doc, name):
    return [v for k, v in doc["headers"] if k.lower() == name.lower()]


def test_default_request_is_a_get_with_cofetch_user_agent(run, server):
    r, doc = echo_one(run, server.url("/echo"))
    assert r["method"] == "GET" and doc["method"] == "GET"
    ua = values(doc, "User-Agent")
    assert len(ua) == 1 and ua[0].startswith("cofetch/")
    assert doc["body_len"] == 0


def test_user_agent_option(run, server):
    r, doc = echo_one(run, "-A", "my-agent/1.0", server.url("/echo"))
    assert values(doc, "User-Agent") == ["my-agent/1.0"]


def test_headers_are_added_and_repeatable(run, server):
    r, doc = echo_one(run, "-H", "X-One: 1", "--header", "X-Two: two words",
                      server.url("/echo"))
    assert values(doc, "X-One") == ["1"]
    assert values(doc, "X-Two") == ["two words"]


def test_header_option_replaces_a_default_header(run, server):
    r, doc = echo_one(run, "-H", "User-Agent: via-header",
                      server.url("/echo"))
    assert values(doc, "User-Agent") == ["via-header"]


def test_method_option(run, server):
    r, doc = echo_one(run, "-X", "DELETE", server.url("/echo"))
    assert r["method"] == "DELETE" and doc["method"] == "DELETE"


def test_data_implies_post_and_is_sent(run, server):
    r, doc = echo_one(run, "-d", "a=1&b=2", server.url("/echo"))
    assert r["method"] == "POST" and doc["method"] == "POST"
    assert doc["body"] == "a=1&b=2"


def test_data_with_method_keeps_the_method(run, server):
    r, doc = echo_one(run, "-X", "PUT", "-d", "x", server.url("/echo"))
    assert doc["method"] == "PUT" and doc["body"] == "x"


def test_data_binary_from_file_is_sent_byte_for_byte(run, server,
                                                     tmp_path):
    f = tmp_path / "payload"
    payload = b"line one\nline two\r\n\x00\xff binary\n"
    f.write_bytes(payload)
    r, doc = echo_one(run, "--data-binary", "@%s" % f, server.url("/echo"))
    assert base64.b64decode(doc["body_b64"]) == payload


def test_data_from_file_drops_cr_and_lf_as_curl_does(run, server, tmp_path):
    """-d @FILE as curl reads it (issue 14): every CR and LF is dropped,
    every other byte (NUL included) is sent."""
    f = tmp_path / "payload"
    f.write_bytes(b"line one\nline two\r\n\x00\xff binary\n")
    r, doc = echo_one(run, "-d", "@%s" % f, server.url("/echo"))
    assert base64.b64decode(doc["body_b64"]) == \
        b"line oneline two\x00\xff binary"


def test_large_data_is_sent_whole(run, server, tmp_path):
    f = tmp_path / "big"
    payload = bytes(range(256)) * 8192      # 2 MiB
    f.write_bytes(payload)
    r, doc = echo_one(run, "--data-binary", "@%s" % f, server.url("/echo"))
    assert doc["body_len"] == len(payload)
    r, doc = echo_one(run, "-d", "@%s" % f, server.url("/echo"))
    assert doc["body_len"] == len(payload) - 2 * 8192    # no CR, no LF


def test_several_data_pieces_are_merged_with_ampersands_as_curl_does(
        run, server, tmp_path):
    """curl(1), -d: pieces given more than once are merged with '&';
    cofetch used to keep the last one."""
    f = tmp_path / "piece"
    f.write_bytes(b"c=3\nd=4\n")
    r, doc = echo_one(run, "-d", "a=1", "--data-binary", "b=2", "-d",
                      "@%s" % f, "-d", "", server.url("/echo"))
    assert doc["method"] == "POST"
    assert doc["body"] == "a=1&b=2&c=3d=4&"


def test_data_from_missing_file_is_a_usage_error(run, server, tmp_path):
    code, recs, err = run(["-d", "@%s" % (tmp_path / "nope"),
                           server.url("/echo")])
    assert code == 2
    assert recs == []
    assert server.stats()["count"] == 0


def test_bad_method_is_a_usage_error(run, server):
    code, recs, err = run(["-X", "GE T", server.url("/echo")])
    assert code == 2
    assert server.stats()["count"] == 0


def test_head_request_does_not_wait_for_a_body(run, server):
    t0 = time.monotonic()
    code, recs, err = run(["-X", "HEAD", "-t", "5",
                           server.url("/bytes?n=100000")])
    assert code == 0, err
    assert recs[0]["status"] == 200 and recs[0]["size"] == 0
    assert time.monotonic() - t0 < 2 * SLOW
    assert server.requests()[0]["method"] == "HEAD"


def test_proxy_option_sends_requests_through_the_proxy(run, server):
    r, doc = echo_one(run, "-x", server.base(), "http://target.invalid/echo")
    assert doc["proxied"] is True
    assert doc["target"] == "http://target.invalid/echo"
    assert values(doc, "Host") == ["target.invalid"]
    assert r["remote_ip"] == "127.0.0.1"


def test_http_proxy_environment_is_honoured(run, server):
    r, doc = echo_one(run, "http://target.invalid/echo",
                      env={"http_proxy": server.base()})
    assert doc["proxied"] is True


def test_no_proxy_environment_is_honoured(run, server):
    r, doc = echo_one(run, server.url("/echo"),
                      env={"http_proxy": "http://127.0.0.1:1",
                           "no_proxy": "127.0.0.1"})
    assert doc["proxied"] is False
