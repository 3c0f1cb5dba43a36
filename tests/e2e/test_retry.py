"""Retries: which failures, how many attempts, how long between them
(SPEC --retries, --retry-on, --retry-delay, --retry-max-delay; brief 13)."""

import json
import re
import time
import uuid

import pytest

from conftest import SLOW, assert_record_shape, closed_port, kind

FAST = ["--retry-delay", "0.01"]


def flaky(server, fail, **q):
    key = uuid.uuid4().hex[:12]
    qs = "".join("&%s=%s" % kv for kv in q.items())
    return key, server.url("/flaky?key=%s&fail=%d%s" % (key, fail, qs))


def hits(server, key):
    return [r for r in server.requests("/flaky") if r.get("key") == key]


def one(run, args, input=None):
    code, recs, err = run(args, input=input)
    assert len(recs) == 1, err
    assert_record_shape(recs[0])
    return code, recs[0], err


def test_503_is_retried_until_it_succeeds(run, server):
    key, url = flaky(server, 2)
    code, r, err = one(run, FAST + [url])
    assert code == 0, err
    assert r["ok"] and r["status"] == 200
    assert r["attempts"] == 3
    assert len(hits(server, key)) == 3


def test_default_is_two_retries(run, server):
    key, url = flaky(server, 5)
    code, r, err = one(run, FAST + [url])
    assert code == 1
    assert r["attempts"] == 3
    assert r["status"] == 503 and kind(r) == "http"
    assert len(hits(server, key)) == 3


def test_retries_sets_the_number_of_extra_attempts(run, server):
    key, url = flaky(server, 3)
    code, r, err = one(run, FAST + ["--retries", "4", url])
    assert code == 0, err
    assert r["attempts"] == 4


def test_retries_zero_means_one_attempt(run, server):
    key, url = flaky(server, 1)
    code, r, err = one(run, FAST + ["--retries", "0", url])
    assert code == 1
    assert r["attempts"] == 1
    assert len(hits(server, key)) == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_default_retryable_statuses(run, server, status):
    key, url = flaky(server, 1, status=status)
    code, r, err = one(run, FAST + [url])
    assert code == 0, err
    assert r["attempts"] == 2


@pytest.mark.parametrize("status", [400, 404, 501])
def test_other_statuses_are_not_retried(run, server, status):
    key, url = flaky(server, 1, status=status)
    code, r, err = one(run, FAST + [url])
    assert code == 1
    assert r["attempts"] == 1
    assert r["status"] == status


def test_connect_failures_are_retried(run):
    code, r, err = one(run, FAST + ["http://127.0.0.1:%d/" % closed_port()])
    assert kind(r) == "connect"
    assert r["attempts"] == 3


def test_recv_failures_are_retried(run, server):
    code, r, err = one(run, FAST + [server.url("/reset")])
    assert kind(r) == "recv"
    assert r["attempts"] == 3
    assert len(server.requests("/reset")) == 3


def test_dns_failures_are_not_retried_by_default(run):
    code, r, err = one(run, FAST + ["http://nx.invalid/"])
    assert kind(r) == "dns"
    assert r["attempts"] == 1


@pytest.mark.parametrize("extra", [[], ["--headers"]])
def test_retry_after_seconds_is_respected(run, server, extra):
    """With or without --headers (libcurl's header store is read either
    way; the header callback is only installed for --headers)."""
    key, url = flaky(server, 1, retry_after=1)
    code, r, err = one(run, FAST + extra + [url])
    assert code == 0, err
    assert r["attempts"] == 2
    t = [h["t"] for h in hits(server, key)]
    assert t[1] - t[0] >= 0.95, "retried after %.3f s" % (t[1] - t[0])
    assert r["elapsed"] >= 0.95
    assert r["time"]["total"] < r["elapsed"]


def test_retry_after_http_date_is_respected(run, server):
    # The date is a whole second at least 2 s ahead.
    key, url = flaky(server, 1, retry_after_date=2)
    code, r, err = one(run, FAST + [url])
    assert code == 0, err
    t = [h["t"] for h in hits(server, key)]
    assert t[1] - t[0] >= 1.9, "retried after %.3f s" % (t[1] - t[0])
    assert t[1] - t[0] < 5 * SLOW


def test_retry_after_on_429_is_respected(run, server):
    key, url = flaky(server, 1, status=429, retry_after=1)
    code, r, err = one(run, FAST + [url])
    assert code == 0, err
    t = [h["t"] for h in hits(server, key)]
    assert t[1] - t[0] >= 0.95


def test_retry_max_delay_caps_retry_after(run, server):
    key, url = flaky(server, 1, retry_after=30)
    t0 = time.monotonic()
    code, r, err = one(run, FAST + ["--retry-max-delay", "0.5", url])
    assert code == 0, err
    assert r["attempts"] == 2
    assert time.monotonic() - t0 < 3 * SLOW


def test_retry_max_delay_caps_a_retry_after_date(run, server):
    key, url = flaky(server, 1, retry_after_date=60)
    t0 = time.monotonic()
    code, r, err = one(run, FAST + ["--retry-max-delay", "0.5", url])
    assert code == 0, err
    assert time.monotonic() - t0 < 3 * SLOW


def test_retry_max_delay_caps_backoff(run, server):
    key, url = flaky(server, 2)
    t0 = time.monotonic()
    code, r, err = one(run, ["--retry-delay", "20", "--retry-max-delay",
                             "0.2", url])
    assert code == 0, err
    assert r["attempts"] == 3
    assert time.monotonic() - t0 < 2.5 * SLOW


def test_backoff_stays_under_its_exponential_bound(run, server):
    # Full jitter: each sleep is at most delay * 2^n.
    key, url = flaky(server, 3)
    t0 = time.monotonic()
    code, r, err = one(run, ["--retry-delay", "0.2", "--retries", "3", url])
    assert code == 0, err
    assert r["attempts"] == 4
    assert time.monotonic() - t0 < 1.4 + 1.5 * SLOW


def test_post_is_not_retried(run, server):
    key, url = flaky(server, 1)
    code, r, err = one(run, FAST + ["-d", "x=1", url])
    assert code == 1
    assert r["method"] == "POST"
    assert r["attempts"] == 1
    assert len(hits(server, key)) == 1


def test_post_from_a_json_line_is_not_retried(run, server):
    key, url = flaky(server, 1)
    line = json.dumps({"url": url, "method": "POST", "body": "x"})
    code, r, err = one(run, FAST, input=line + "\n")
    assert r["attempts"] == 1


def test_patch_is_not_retried(run, server):
    key, url = flaky(server, 1)
    code, r, err = one(run, FAST + ["-X", "PATCH", url])
    assert r["attempts"] == 1


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "OPTIONS"])
def test_idempotent_methods_are_retried(run, server, method):
    key, url = flaky(server, 1)
    code, r, err = one(run, FAST + ["-X", method, url])
    assert code == 0, err
    assert r["method"] == method
    assert r["attempts"] == 2
    assert [h["method"] for h in hits(server, key)] == [method, method]


def test_retry_on_adds_a_status(run, server):
    key, url = flaky(server, 1, status=404)
    code, r, err = one(run, FAST + ["--retry-on", "404", url])
    assert code == 0, err
    assert r["attempts"] == 2


def test_retry_on_replaces_the_default_list(run, server):
    key, url = flaky(server, 1, status=503)
    code, r, err = one(run, FAST + ["--retry-on", "500", url])
    assert code == 1
    assert r["attempts"] == 1


def test_retry_on_error_kinds(run, server):
    code, r, err = one(run, FAST + ["--retry-on", "timeout",
                                    "http://127.0.0.1:%d/" % closed_port()])
    assert kind(r) == "connect"
    assert r["attempts"] == 1
    code, r, err = one(run, FAST + ["--retry-on", "connect,503",
                                    "http://127.0.0.1:%d/" % closed_port()])
    assert r["attempts"] == 3


def test_retry_on_protocol_errors_when_asked(run, server):
    code, r, err = one(run, FAST + ["--retry-on", "protocol",
                                    server.url("/garbage")])
    assert kind(r) == "protocol"
    assert r["attempts"] == 3


def test_timeouts_are_retried(run, server):
    t0 = time.monotonic()
    code, r, err = one(run, FAST + ["-t", "0.3", "--retries", "1",
                                    server.url("/stall")])
    assert kind(r) == "timeout"
    assert r["attempts"] == 2
    assert r["elapsed"] >= 0.55
    assert time.monotonic() - t0 < 3 * SLOW


def test_bad_retry_on_value_is_a_usage_error(run, server):
    code, recs, err = run(["--retry-on", "bogus", server.url("/ok")])
    assert code == 2
    assert "--retry-on" in err
    assert "bogus" in err


# -- --retry-unsafe, --retry-max-time, -v retry lines (issue 14) -----------


def test_verbose_prints_each_retry(run, server):
    code, recs, err = run(["-v", "--retries", "2", "--retry-delay", "0.01",
                           server.url("/status/503")])
    assert code == 1
    assert recs[0]["attempts"] == 3
    lines = [ln for ln in err.splitlines() if ", retry " in ln]
    assert len(lines) == 2, err
    assert re.match(r"^cofetch: #0 503, retry 1/2 in \d+\.\d\d s$",
                    lines[0]), lines
    assert re.match(r"^cofetch: #0 503, retry 2/2 in \d+\.\d\d s$",
                    lines[1]), lines


def test_verbose_names_the_error_kind(run):
    url = "http://127.0.0.1:%d/" % closed_port()
    code, recs, err = run(["-v", "--retries", "1", "--retry-delay", "0.01",
                           url])
    assert re.search(r"^cofetch: #0 connect, retry 1/1 in ", err, re.M), err


def test_post_is_not_retried_without_retry_unsafe(run, server):
    url = "http://127.0.0.1:%d/" % closed_port()
    code, recs, err = run(["-d", "x", "--retry-delay", "0.01", url])
    assert recs[0]["attempts"] == 1
    code, recs, err = run(["-d", "x", "--retry-delay", "0.01",
                           server.url("/status/503")])
    assert recs[0]["attempts"] == 1


def test_retry_unsafe_retries_post_when_not_sent_or_on_a_listed_status(
        run, server):
    url = "http://127.0.0.1:%d/" % closed_port()
    code, recs, err = run(["--retry-unsafe", "-d", "x", "--retry-delay",
                           "0.01", url])
    assert recs[0]["attempts"] == 3, recs[0]
    code, recs, err = run(["--retry-unsafe", "-d", "x", "--retry-delay",
                           "0.01", server.url("/status/503")])
    assert recs[0]["attempts"] == 3
    # A timeout may have reached the server: not again, even so.
    code, recs, err = run(["--retry-unsafe", "-d", "x", "-t", "0.3",
                           "--retry-delay", "0.01",
                           server.url("/delay?ms=2000")])
    assert kind(recs[0]) == "timeout"
    assert recs[0]["attempts"] == 1


def test_retry_max_time_bounds_the_retries(run, server):
    t0 = time.monotonic()
    code, recs, err = run(["--retries", "100", "--retry-delay", "0.05",
                           "--retry-max-delay", "0.1", "--retry-max-time",
                           "0.5", server.url("/status/503")])
    took = time.monotonic() - t0
    assert code == 1
    assert 2 <= recs[0]["attempts"] < 100, recs[0]
    assert took < 10 * SLOW
    assert recs[0]["elapsed"] < 0.5 + 5 * SLOW
