"""--robots (issue 12): one robots.txt fetch per origin, through the same
queues; RFC 9309 rules for cofetch's product token; Crawl-delay as the
host's start spacing; a missing, 5xx or unreachable robots.txt allows
everything. The servers here are scripted per test (http.server threads
on 127.0.0.1) and record every request."""

import http.server
import socket
import threading
import time

import pytest

from conftest import SLOW, assert_record_shape, by_index, lines_file


class Site:
    """One origin: robots is (status, body), or "drop" to close the
    connection without an answer; every other path answers 200."""

    def __init__(self, robots):
        self.robots = robots
        self.log = []           # (monotonic time, path)
        self.lock = threading.Lock()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                with site.lock:
                    site.log.append((time.monotonic(), self.path))
                if self.path == "/robots.txt":
                    if site.robots == "drop":
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    status, body = site.robots
                else:
                    status, body = 200, "ok " + self.path
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def paths(self):
        with self.lock:
            return [p for _, p in self.log]

    def times(self, path_prefix):
        with self.lock:
            return [t for t, p in self.log if p.startswith(path_prefix)]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site():
    made = []

    def _site(robots):
        s = Site(robots)
        made.append(s)
        return s

    yield _site
    for s in made:
        s.stop()


RULES = ("User-agent: *\nDisallow: /\n\n"
         "User-agent: other\nAllow: /\n\n"
         "User-agent: cofetch\n"
         "Disallow: /private\n"
         "Allow: /private/open\n"
         "Disallow: /*.pdf$\n")


def test_disallowed_allowed_and_longest_match(run, site, tmp_path):
    s = site((200, RULES))
    paths = ["/a", "/private/x", "/private/open/y", "/doc.pdf", "/doc.pdf?v",
             "/robots.txt"]
    f = lines_file(tmp_path / "urls", [s.url(p) for p in paths])
    code, recs, err = run(["--robots", "-c", "4", "-i", f])
    assert code == 1, err
    # The robots.txt fetch takes no index and writes no record.
    assert len(recs) == len(paths)
    idx = by_index(recs)
    assert sorted(idx) == list(range(len(paths)))
    recs = [idx[i] for i in range(len(paths))]
    for r in recs:
        assert_record_shape(r)
    denied = {paths[r["index"]] for r in recs if not r["ok"]}
    assert denied == {"/private/x", "/doc.pdf"}, recs
    for r in recs:
        if not r["ok"]:
            assert r["error"]["kind"] == "robots", r
            assert r["attempts"] == 0 and r["status"] is None, r
    assert "Disallow: /private" in recs[1]["error"]["message"]
    # Denied URLs were never sent; robots.txt was fetched once, first
    # (a request for /robots.txt itself is always allowed).
    got = s.paths()
    assert got[0] == "/robots.txt" and got.count("/robots.txt") == 2, got
    assert "/private/x" not in got and "/doc.pdf" not in got


def test_user_agent_product_token_picks_the_group(run, site, tmp_path):
    s = site((200, RULES))
    f = lines_file(tmp_path / "urls", [s.url("/a"), s.url("/private/x")])
    # "other" has Allow: / ...
    code, recs, err = run(["--robots", "-A", "Other/2.0 (+x)", "-i", f])
    assert code == 0 and all(r["ok"] for r in recs), (err, recs)
    # ... an agent no group names gets "*": Disallow: /.
    code, recs, err = run(["--robots", "-A", "nobody/1", "-i", f])
    assert code == 1
    assert [r["error"]["kind"] for r in recs] == ["robots", "robots"]


@pytest.mark.parametrize("robots", [(404, "nope"), (500, "User-agent: *\n"
                                    "Disallow: /\n"), (503, ""), "drop"])
def test_missing_5xx_or_unreachable_robots_allows(run, site, tmp_path,
                                                  robots):
    s = site(robots)
    f = lines_file(tmp_path / "urls", [s.url("/a%d" % i) for i in range(4)])
    code, recs, err = run(["--robots", "--retries", "0", "-i", f])
    assert code == 0, (err, recs)
    assert len(recs) == 4 and all(r["ok"] for r in recs), recs
    assert s.paths().count("/robots.txt") == 1


def test_one_fetch_per_origin_however_many_requests(run, site, tmp_path):
    a = site((200, "User-agent: *\nDisallow: /no\n"))
    b = site((404, ""))
    urls = []
    for i in range(40):
        urls.append(a.url("/x%d" % i))
        urls.append(b.url("/no%d" % i))
    urls.append(a.url("/no"))
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["--robots", "-c", "20", "-i", f])
    assert code == 1, err
    assert len(recs) == 81
    bad = [r for r in recs if not r["ok"]]
    assert len(bad) == 1 and bad[0]["url"] == a.url("/no"), bad
    for s in (a, b):
        got = s.paths()
        assert got.count("/robots.txt") == 1, got
        assert got[0] == "/robots.txt", got[:5]


def test_off_by_default(run, site, tmp_path):
    s = site((200, "User-agent: *\nDisallow: /\n"))
    f = lines_file(tmp_path / "urls", [s.url("/a"), s.url("/b")])
    code, recs, err = run(["-i", f])
    assert code == 0 and all(r["ok"] for r in recs)
    assert "/robots.txt" not in s.paths()


def test_crawl_delay_spaces_the_host(run, site, tmp_path):
    s = site((200, "User-agent: cofetch\nCrawl-delay: 0.5\n"))
    other = site((404, ""))
    urls = [s.url("/d%d" % i) for i in range(4)]
    urls += [other.url("/o%d" % i) for i in range(4)]
    f = lines_file(tmp_path / "urls", urls)
    t0 = time.monotonic()
    code, recs, err = run(["--robots", "-c", "8", "-i", f])
    took = time.monotonic() - t0
    assert code == 0 and len(recs) == 8, err
    starts = s.times("/")      # robots.txt, then the four
    assert len(starts) == 5
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # Lower bounds: a busy machine makes the starts later, so a gap can
    # look shorter at the server only by the jitter of one arrival; the
    # span of four intervals cannot.
    assert min(gaps) >= 0.3, gaps
    assert starts[-1] - starts[0] >= 1.9, gaps
    assert took >= 2.0
    # The other host is not slowed by it.
    o = other.times("/o")
    assert len(o) == 4 and max(o) - min(o) < 1.0 * SLOW, o


def test_robots_kind_in_stats_and_rate_limits_count_the_fetch(run, site,
                                                              tmp_path):
    import json
    s = site((200, "User-agent: *\nDisallow: /no\n"))
    f = lines_file(tmp_path / "urls", [s.url("/no"), s.url("/yes")])
    # --per-host-rate 2: the robots.txt fetch takes a start slot too, so
    # the two requests that go (robots.txt and /yes) are 0.5 s apart.
    code, recs, err = run(["--robots", "--stats", "--per-host-rate", "2",
                           "-i", f])
    assert code == 1, err
    st = json.loads([l for l in err.splitlines() if l.startswith("{")][-1])
    assert st["errors"] == {"robots": 1}, st
    t = s.times("/")
    assert len(t) == 2 and t[1] - t[0] >= 0.4, t
