"""Each error kind a local server can provoke ends in one record with the
right kind (SPEC "Output records": error kinds; brief 10)."""

import time

import pytest

from conftest import SLOW, assert_record_shape, closed_port, kind


def fetch_one(run, url, *opts):
    code, recs, err = run(["--retries", "0"] + list(opts) + [url])
    assert len(recs) == 1, (recs, err)
    assert_record_shape(recs[0])
    return code, recs[0], err


def assert_no_response(rec):
    assert rec["status"] is None
    assert rec["http_version"] is None
    assert rec["ok"] is False


def test_unresolvable_host_is_dns(run):
    code, r, err = fetch_one(run, "http://nx.invalid/x",
                             "--connect-timeout", "5")
    assert code == 1
    assert kind(r) == "dns"
    assert_no_response(r)
    assert "nx.invalid" in r["error"]["message"]
    assert r["attempts"] == 1


def test_closed_port_is_connect(run):
    code, r, err = fetch_one(run, "http://127.0.0.1:%d/x" % closed_port())
    assert code == 1
    assert kind(r) == "connect"
    assert_no_response(r)


def test_https_to_a_plain_http_port_is_tls(run, server):
    code, r, err = fetch_one(run, "https://127.0.0.1:%d/ok" % server.port,
                             "-t", "5")
    assert code == 1
    assert kind(r) == "tls"
    assert_no_response(r)


def test_https_to_plain_nginx_is_tls(run, nginx):
    code, r, err = fetch_one(run, "https://127.0.0.1:%d/index.html" %
                             nginx.port, "-t", "5")
    assert code == 1
    assert kind(r) == "tls"


def test_stalled_response_is_timeout(run, server):
    t0 = time.monotonic()
    code, r, err = fetch_one(run, server.url("/stall"), "-t", "0.5")
    wall = time.monotonic() - t0
    assert code == 1
    assert kind(r) == "timeout"
    assert 0.45 <= r["elapsed"] < 2.0 * SLOW
    assert wall < 3.0 * SLOW


def test_no_response_at_all_is_timeout(run, server):
    code, r, err = fetch_one(run, server.url("/stall?headers=0"), "-t",
                             "0.5")
    assert code == 1
    assert kind(r) == "timeout"
    assert_no_response(r)


@pytest.mark.parametrize("path", ["/reset", "/reset?after=headers",
                                  "/reset?after=none", "/truncate"])
def test_connection_reset_or_closed_mid_response_is_recv(run, server, path):
    code, r, err = fetch_one(run, server.url(path), "-t", "5")
    assert code == 1
    assert kind(r) == "recv", r


@pytest.mark.parametrize("path", ["/garbage", "/garbage?kind=status"])
def test_malformed_response_is_protocol(run, server, path):
    code, r, err = fetch_one(run, server.url(path), "-t", "5")
    assert code == 1
    assert kind(r) == "protocol", r


def test_redirect_loop_is_too_many_redirects(run, server):
    code, r, err = fetch_one(run, server.url("/loop"))
    assert code == 1
    assert kind(r) == "too_many_redirects"
    # Default --max-redirs 10: the first request and ten redirects, and
    # no more.
    n = len(server.requests("/loop"))
    assert 10 <= n <= 11, n


def test_max_redirs_bounds_redirects(run, server):
    code, r, err = fetch_one(run, server.url("/redirect/5"),
                             "--max-redirs", "2")
    assert code == 1
    assert kind(r) == "too_many_redirects"
    assert len(server.requests()) <= 3


def test_body_over_max_size_is_too_large(run, server):
    code, r, err = fetch_one(run, server.url("/bytes?n=5000"),
                             "--max-size", "1K")
    assert code == 1
    assert kind(r) == "too_large"
    assert "max-size" in r["error"]["message"]


def test_chunked_body_over_max_size_is_too_large(run, server):
    code, r, err = fetch_one(run, server.url("/bytes?n=5000&chunked=1"),
                             "--max-size", "1K")
    assert code == 1
    assert kind(r) == "too_large"


def test_body_of_exactly_max_size_is_ok(run, server):
    code, r, err = fetch_one(run, server.url("/bytes?n=1024"),
                             "--max-size", "1K")
    assert code == 0, err
    assert r["ok"] and r["size"] == 1024


def test_gzip_bomb_is_too_large_by_decoded_size(run, server):
    # About 10 KB on the wire, 10 MiB decoded.
    code, r, err = fetch_one(run, server.url("/gzip-bomb?n=10M"),
                             "--max-size", "1M")
    assert code == 1
    assert kind(r) == "too_large"


def test_gzip_bomb_over_default_max_size_is_too_large(run, server):
    t0 = time.monotonic()
    code, r, err = fetch_one(run, server.url("/gzip-bomb?n=200M"))
    assert code == 1
    assert kind(r) == "too_large"
    assert time.monotonic() - t0 < 10 * SLOW


@pytest.mark.parametrize("status", [400, 404, 410, 500, 503])
def test_status_400_and_above_is_http(run, server, status):
    code, r, err = fetch_one(run, server.url("/status/%d" % status))
    assert code == 1
    assert kind(r) == "http"
    assert r["status"] == status
    assert r["http_version"] == "1.1"
    assert str(status) in r["error"]["message"]


def test_redirect_to_file_scheme_is_invalid_url_and_never_opened(run,
                                                                  server):
    code, r, err = fetch_one(run, server.url("/to-file"), "--body=text")
    assert code == 1
    assert kind(r) == "invalid_url"
    assert "root:" not in (r["body"] or "")
    assert len(server.requests()) == 1


def test_redirect_to_ftp_is_invalid_url(run, server):
    code, r, err = fetch_one(run, server.url("/to-ftp"))
    assert code == 1
    assert kind(r) == "invalid_url"
    assert len(server.requests()) == 1


def test_redirect_to_file_from_a_json_line_is_invalid_url(
        run, server):
    # Same through a JSON request line.
    code, recs, err = run(["--retries", "0"],
                          input='{"url": "%s"}\n' % server.url("/to-file"))
    assert code == 1
    assert kind(recs[0]) == "invalid_url"


def test_errors_do_not_stop_the_run(run, server):
    urls = [server.url("/status/404"), "http://127.0.0.1:%d/" %
            closed_port(), server.url("/garbage"), server.url("/ok")]
    code, recs, err = run(["--retries", "0", "--ordered"] + urls)
    assert code == 1
    assert [r["ok"] for r in recs] == [False, False, False, True]
