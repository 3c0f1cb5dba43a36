"""Against nginx: many requests, connection reuse, TLS and HTTP/2."""

from conftest import assert_record_shape, kind, lines_file


def test_two_thousand_requests_each_index_once_all_ok(run, nginx, tmp_path):
    names = sorted(nginx.files)
    urls = [nginx.url("/f/%s?i=%d" % (names[i % len(names)], i))
            for i in range(2000)]
    f = lines_file(tmp_path / "urls", urls)
    nginx.truncate_log()
    code, recs, err = run(["-c", "50", "-i", f], timeout=120)
    assert code == 0, err
    assert len(recs) == 2000
    assert sorted(r["index"] for r in recs) == list(range(2000))
    for r in recs:
        assert r["ok"], r
        assert r["url"] == urls[r["index"]]
        name = names[r["index"] % len(names)]
        assert r["size"] == len(nginx.files[name])
        assert r["content_type"] == "text/plain"
    # Only this run's lines: a request an earlier test left behind can be
    # logged after the truncation (nginx logs a request when it ends).
    paths = sorted(u[u.index("/f/"):] for u in urls)
    log = [ln for ln in nginx.log_lines() if "?i=" in ln[4]]
    assert sorted(ln[4] for ln in log) == paths
    # Connections are reused: about one per concurrent slot.
    conns = {ln[0] for ln in log}
    assert len(conns) <= 60, "%d connections for 2000 requests" % len(conns)


def test_bodies_match_the_files(run, nginx):
    urls = [nginx.url("/f/%d.txt" % i) for i in (0, 1, 50, 99)]
    code, recs, err = run(["--body=text"] + urls)
    assert code == 0, err
    for r in recs:
        name = "%d.txt" % (0, 1, 50, 99)[r["index"]]
        assert r["body"] == nginx.files[name].decode()


def test_missing_file_is_http_404(run, nginx):
    code, recs, err = run(["--retries", "0", nginx.url("/f/nope.txt")])
    assert code == 1
    assert recs[0]["status"] == 404 and kind(recs[0]) == "http"


def test_https_with_insecure_uses_h2_via_alpn(run, nginx):
    code, recs, err = run(["-k", nginx.tls_url("/f/3.txt")])
    assert code == 0, err
    r = recs[0]
    assert_record_shape(r)
    assert r["http_version"] == "2"
    assert r["size"] == len(nginx.files["3.txt"])
    assert r["time"]["tls"] > 0


def test_https_http1_1_option(run, nginx):
    code, recs, err = run(["-k", "--http1.1", nginx.tls_url("/f/3.txt")])
    assert code == 0, err
    assert recs[0]["http_version"] == "1.1"


def test_https_self_signed_without_insecure_is_tls(run, nginx):
    code, recs, err = run(["--retries", "0", nginx.tls_url("/f/3.txt")])
    assert code == 1
    assert kind(recs[0]) == "tls"
    assert recs[0]["status"] is None


def test_h2c_prior_knowledge(run, nginx):
    code, recs, err = run(["--http2-prior-knowledge",
                           nginx.h2c_url("/f/4.txt")])
    assert code == 0, err
    assert recs[0]["http_version"] == "2"


def test_many_https_h2_requests(run, nginx, tmp_path):
    urls = [nginx.tls_url("/f/%d.txt?i=%d" % (i % 100, i))
            for i in range(300)]
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["-k", "-c", "30", "-i", f], timeout=120)
    assert code == 0, err
    assert sorted(r["index"] for r in recs) == list(range(300))
    assert all(r["http_version"] == "2" for r in recs)


def test_many_h2c_prior_knowledge_requests_share_one_connection(
        run, nginx, tmp_path):
    # libcurl 7.88 breaks reuse of an h2c prior-knowledge connection
    # (curl#10634); cofetch must still multiplex every request.
    urls = [nginx.h2c_url("/f/%d.txt?i=%d" % (i % 100, i))
            for i in range(300)]
    f = lines_file(tmp_path / "urls", urls)
    code, recs, err = run(["--http2-prior-knowledge", "-c", "30", "-i", f],
                          timeout=120)
    assert code == 0, [r["error"] for r in recs if not r["ok"]][:3]
    assert sorted(r["index"] for r in recs) == list(range(300))
    assert all(r["http_version"] == "2" for r in recs)
    # One connection: every record after the first reused it.
    assert sum(1 for r in recs if r["time"]["connect"] > 0) <= 1
