"""Response bodies, headers, sizes and saved files (SPEC --body, --headers,
--no-compress, --max-size, --save; brief 2, 3, 4, 7)."""

import base64
import json
import os
import zlib

import pytest

from conftest import assert_record_shape, closed_port, kind

BYTES = (bytes(range(256)) * 64)
JSON_MIN = '{"a":1.50,"b":[1e3,-0,"x\\u00e9"],"c":{"d":null,"e":true}}'
UTF8_BAD = b"caf\xc3\xa9 \xff\xfe bad \xc3( end"


def one(run, url, *opts):
    code, recs, err = run(["--retries", "0"] + list(opts) + [url])
    assert len(recs) == 1, err
    assert_record_shape(recs[0])
    return code, recs[0], recs.lines[0], err


# -- --body ----------------------------------------------------------------


def test_no_body_keys_without_body_option(run, server):
    code, r, line, err = one(run, server.url("/json"))
    assert code == 0, err
    assert "body" not in r and "body_encoding" not in r


def test_body_none_means_no_body_keys(run, server):
    code, r, line, err = one(run, server.url("/json"), "--body=none")
    assert "body" not in r and "body_encoding" not in r


@pytest.mark.parametrize("opt", [["-b"], ["--body"], ["--body=auto"]])
def test_bare_body_option_means_auto(run, server, opt):
    code, r, line, err = one(run, server.url("/json"), *opt)
    assert code == 0, err
    assert r["body_encoding"] == "json"
    assert r["body"] == json.loads(JSON_MIN)


def test_body_keys_come_last_in_order(run, server):
    code, r, line, err = one(run, server.url("/text?s=hi"), "-b",
                             "--headers")
    assert list(r)[-3:] == ["headers", "body", "body_encoding"]


def test_body_text_is_the_utf8_text(run, server):
    code, r, line, err = one(run, server.url("/text?s=h%C3%A9llo%20w"),
                             "--body=text")
    assert r["body"] == "h\u00e9llo w"
    assert r["body_encoding"] == "text"


def test_body_text_replaces_invalid_utf8(run, server):
    code, r, line, err = one(run, server.url("/utf8-bad"), "--body=text")
    assert r["body_encoding"] == "text"
    assert "\ufffd" in r["body"]
    assert r["body"].replace("\ufffd", "") == "caf\u00e9  bad ( end"


def test_body_base64_round_trips_bytes(run, server):
    code, r, line, err = one(run, server.url("/bytes?n=3000"),
                             "--body=base64")
    assert r["body_encoding"] == "base64"
    assert base64.b64decode(r["body"]) == BYTES[:3000]
    assert r["size"] == 3000


def test_body_json_embeds_the_document_minified_byte_for_byte(run, server):
    code, r, line, err = one(run, server.url("/json"), "--body=json")
    assert r["body_encoding"] == "json"
    assert r["body"] == json.loads(JSON_MIN)
    assert '"body":' + JSON_MIN in line, line


def test_body_json_falls_back_to_text_when_not_json(run, server):
    code, r, line, err = one(run, server.url("/text?s=not%20json"),
                             "--body=json")
    assert r["body_encoding"] == "text"
    assert r["body"] == "not json"


def test_body_json_falls_back_to_base64_for_binary(run, server):
    code, r, line, err = one(run, server.url("/utf8-bad"), "--body=json")
    assert r["body_encoding"] == "base64"
    assert base64.b64decode(r["body"]) == UTF8_BAD


@pytest.mark.parametrize("path,encoding", [
    ("/json", "json"),
    ("/text?s=plain%20text", "text"),
    ("/utf8-bad", "base64"),
    ("/bytes?n=256", "base64"),
])
def test_body_auto_picks_json_then_text_then_base64(run, server, path,
                                                    encoding):
    code, r, line, err = one(run, server.url(path), "--body=auto")
    assert r["body_encoding"] == encoding


def test_empty_body_is_empty_text(run, server):
    code, r, line, err = one(run, server.url("/bytes?n=0"), "-b")
    assert r["body"] == ""
    assert r["body_encoding"] == "text"
    assert r["size"] == 0


def test_error_status_body_is_included(run, server):
    code, r, line, err = one(run, server.url("/status/404?body=gone"),
                             "--body=text")
    assert code == 1
    assert r["status"] == 404
    assert r["body"] == "gone"


def test_body_and_headers_are_null_when_no_response(run):
    code, r, line, err = one(run, "http://127.0.0.1:%d/" % closed_port(),
                             "-b", "--headers")
    assert code == 1
    assert kind(r) == "connect"
    assert r["body"] is None
    assert r["body_encoding"] is None
    assert r["headers"] is None


def test_unknown_body_mode_is_a_usage_error(run, server):
    code, recs, err = run(["--body=xml", server.url("/ok")])
    assert code == 2
    assert recs == []
    assert "--body" in err


# -- --headers -------------------------------------------------------------


def test_headers_are_lower_cased_and_repeats_become_arrays(run, server):
    code, r, line, err = one(run, server.url("/headers-repeat"),
                             "--headers")
    assert code == 0, err
    h = r["headers"]
    assert list(h) == ["content-type", "set-cookie", "x-multi", "x-single",
                       "content-length"]
    assert h["set-cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    assert h["x-multi"] == ["one", "two"]
    assert h["x-single"] == "s"
    assert h["content-length"] == "3"


def test_headers_are_those_of_the_final_response(run, server):
    code, r, line, err = one(run, server.url("/redirect/2"), "--headers")
    assert code == 0, err
    assert r["redirects"] == 2
    assert "x-hop" not in r["headers"]
    assert "location" not in r["headers"]


def test_no_headers_key_without_the_option(run, server):
    code, r, line, err = one(run, server.url("/headers-repeat"))
    assert "headers" not in r


# -- compression and size -------------------------------------------------


def accept_encoding(rec):
    return [v for k, v in rec["body"]["headers"]
            if k.lower() == "accept-encoding"]


def test_accept_encoding_is_sent_by_default(run, server):
    code, r, line, err = one(run, server.url("/echo"), "--body=json")
    ae = accept_encoding(r)
    assert len(ae) == 1
    assert "gzip" in ae[0]


def test_no_compress_sends_no_accept_encoding(run, server):
    code, r, line, err = one(run, server.url("/echo"), "--body=json",
                             "--no-compress")
    assert accept_encoding(r) == []


def test_size_counts_decoded_bytes(run, server):
    code, r, line, err = one(run, server.url("/gzip?n=10000"),
                             "--body=text", "--headers")
    assert code == 0, err
    assert r["headers"]["content-encoding"] == "gzip"
    assert int(r["headers"]["content-length"]) < 1000
    assert r["size"] == 10000
    assert r["body"] == ("abcdefghij" * 1000)


def test_size_without_body_option(run, server):
    code, r, line, err = one(run, server.url("/bytes?n=12345"))
    assert r["size"] == 12345
    code, r, line, err = one(run, server.url("/bytes?n=12345&chunked=1"))
    assert r["size"] == 12345


def test_no_compress_leaves_an_encoded_body_as_sent(run, server):
    code, r, line, err = one(run, server.url("/gzip?n=10000"),
                             "--no-compress", "--body=base64", "--headers")
    assert code == 0, err
    raw = base64.b64decode(r["body"])
    assert r["size"] == len(raw) == int(r["headers"]["content-length"])
    assert zlib.decompress(raw, 31) == b"abcdefghij" * 1000


def test_content_type_and_remote_ip_are_reported(run, server):
    code, r, line, err = one(run, server.url("/json"))
    assert r["content_type"] == "application/json"
    assert r["remote_ip"] == "127.0.0.1"
    assert r["http_version"] == "1.1"


# -- --save ----------------------------------------------------------------


def test_save_writes_each_body_to_dir_index(run, server, tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    urls = [server.url("/bytes?n=3000"), server.url("/text?s=hello"),
            server.url("/status/404?body=missing"),
            server.url("/gzip?n=500")]
    code, recs, err = run(["--retries", "0", "--save", d] + urls)
    assert code == 1
    by = {r["index"]: r for r in recs}
    for i, r in by.items():
        assert r["file"] == "%s/%d" % (d, i)
        assert list(r)[-1] == "file"
    assert (d / "0").read_bytes() == BYTES[:3000]
    assert (d / "1").read_bytes() == b"hello"
    assert (d / "2").read_bytes() == b"missing"
    assert (d / "3").read_bytes() == (b"abcdefghij" * 50)
    assert sorted(os.listdir(d)) == ["0", "1", "2", "3"]


def test_save_leaves_no_file_for_an_incomplete_body(run, server, tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    code, recs, err = run(["--retries", "0", "--save", d,
                           server.url("/truncate"), server.url("/ok")])
    assert code == 1
    assert kind(min(recs, key=lambda r: r["index"])) == "recv"
    assert sorted(os.listdir(d)) == ["1"], "a partial body was left"


def test_save_into_unwritable_place_is_write_error(run, server, tmp_path):
    f = tmp_path / "not-a-dir"
    f.write_text("x")
    code, recs, err = run(["--retries", "0", "--save", f,
                           server.url("/ok")])
    # Either refused up front as a usage error, or each record says
    # kind write.
    if code == 2:
        assert recs == []
    else:
        assert code == 1
        assert kind(recs[0]) == "write"
