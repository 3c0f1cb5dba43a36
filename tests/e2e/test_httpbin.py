"""Against a real third-party server: Debian's python3-httpbin on
127.0.0.1."""

import json

from conftest import assert_record_shape, kind


def one(run, *args, input=None):
    code, recs, err = run(["--retries", "0"] + list(args), input=input)
    assert len(recs) == 1, err
    assert_record_shape(recs[0])
    return code, recs[0]


def test_get(run, httpbin):
    code, r = one(run, "-b", httpbin.url("/get?x=1"))
    assert code == 0
    assert r["status"] == 200
    assert r["content_type"] == "application/json"
    assert r["body_encoding"] == "json"
    assert r["body"]["args"] == {"x": "1"}
    assert r["body"]["url"] == httpbin.url("/get?x=1")


def test_post_form_data(run, httpbin):
    code, r = one(run, "-b", "-d", "a=1&b=two", httpbin.url("/post"))
    assert code == 0
    assert r["method"] == "POST"
    assert r["body"]["form"] == {"a": "1", "b": "two"}


def test_post_json_body_from_a_json_line(run, httpbin):
    line = json.dumps({"url": httpbin.url("/post"), "body": {"k": [1, 2]},
                       "id": 9})
    code, r = one(run, "-b", input=line + "\n")
    assert code == 0
    assert r["id"] == 9
    assert r["body"]["json"] == {"k": [1, 2]}
    assert r["body"]["headers"]["Content-Type"] == "application/json"


def test_status_418_is_an_http_error(run, httpbin):
    code, r = one(run, httpbin.url("/status/418"))
    assert code == 1
    assert r["status"] == 418
    assert kind(r) == "http"


def test_gzip_is_decoded(run, httpbin):
    code, r = one(run, "-b", "--headers", httpbin.url("/gzip"))
    assert code == 0
    assert r["headers"]["content-encoding"] == "gzip"
    assert r["body"]["gzipped"] is True
    assert r["size"] > int(r["headers"]["content-length"])


def test_deflate_is_decoded(run, httpbin):
    code, r = one(run, "-b", httpbin.url("/deflate"))
    assert code == 0
    assert r["body"]["deflated"] is True


def test_headers_and_user_agent_are_sent(run, httpbin):
    code, r = one(run, "-b", "-H", "X-Custom: value 1", "-A", "tester/2",
                  httpbin.url("/headers"))
    assert code == 0
    h = r["body"]["headers"]
    assert h["X-Custom"] == "value 1"
    assert h["User-Agent"] == "tester/2"


def test_repeated_response_headers_become_arrays(run, httpbin):
    code, r = one(run, "--headers",
                  httpbin.url("/response-headers?X-Rep=a&X-Rep=b"))
    assert code == 0
    assert r["headers"]["x-rep"] == ["a", "b"]


def test_redirects(run, httpbin):
    code, r = one(run, httpbin.url("/redirect/3"))
    assert code == 0
    assert r["redirects"] == 3
    assert r["final_url"] == httpbin.url("/get")


def test_binary_bytes(run, httpbin):
    code, r = one(run, "-b", httpbin.url("/bytes/100"))
    assert code == 0
    assert r["size"] == 100
    assert r["body_encoding"] in ("base64", "text")


def test_html_page_is_text(run, httpbin):
    code, r = one(run, "--body=auto", httpbin.url("/html"))
    assert code == 0
    assert r["content_type"].startswith("text/html")
    assert r["body_encoding"] == "text"
    assert "Herman Melville" in r["body"]
