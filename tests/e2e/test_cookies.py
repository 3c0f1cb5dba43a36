"""Cookies (man page, OPTIONS): one cookie store for every transfer of a
run, filled from --cookie FILE and by responses, written to --cookie-jar
at the end; --cookie NAME=VALUE sends cookie data as given."""

import os

from conftest import lines_file


def cookie_header(rec):
    assert rec["ok"], rec
    return [v for k, v in rec["body"]["headers"] if k.lower() == "cookie"]


def test_cookie_set_by_one_response_is_sent_by_a_later_request(
        run, server, tmp_path):
    jar = tmp_path / "jar.txt"
    urls = lines_file(tmp_path / "urls", [server.url("/headers-repeat"),
                                          server.url("/echo")])
    # -c 1: the second request starts after the first has ended.
    code, recs, err = run(["-c", "1", "--ordered", "-b", "--cookie-jar",
                           jar, "-i", urls])
    assert code == 0, err
    assert cookie_header(recs[1]) == ["a=1; b=2"] or \
        cookie_header(recs[1]) == ["b=2; a=1"], recs[1]
    text = jar.read_text()
    lines = [ln.split("\t") for ln in text.splitlines()
             if ln and not ln.startswith("#")]
    assert sorted((f[5], f[6]) for f in lines) == [("a", "1"), ("b", "2")]
    assert all(f[0] == "127.0.0.1" for f in lines), lines


def test_no_cookies_without_the_options(run, server, tmp_path):
    urls = lines_file(tmp_path / "urls", [server.url("/headers-repeat"),
                                          server.url("/echo")])
    code, recs, err = run(["-c", "1", "--ordered", "-b", "-i", urls])
    assert code == 0, err
    assert cookie_header(recs[1]) == []


def test_cookie_file_is_loaded(run, server, tmp_path):
    f = tmp_path / "cookies.txt"
    f.write_text("# Netscape HTTP Cookie File\n"
                 "127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc\n")
    code, recs, err = run(["-b", "--cookie", f, server.url("/echo")])
    assert code == 0, err
    assert cookie_header(recs[0]) == ["session=abc"]


def test_cookie_data(run, server):
    code, recs, err = run(["-b", "--cookie", "x=1; y=2",
                           server.url("/echo")])
    assert code == 0, err
    assert cookie_header(recs[0]) == ["x=1; y=2"]


def test_cookie_jar_round_trip(run, server, tmp_path):
    jar = tmp_path / "jar.txt"
    code, recs, err = run(["--cookie-jar", jar,
                           server.url("/headers-repeat")])
    assert code == 0, err
    code, recs, err = run(["-b", "--cookie", jar, server.url("/echo")])
    assert code == 0, err
    assert sorted(cookie_header(recs[0])[0].split("; ")) == ["a=1", "b=2"]


def test_missing_cookie_file_is_a_usage_error(run, server, tmp_path):
    code, recs, err = run(["--cookie", tmp_path / "none",
                           server.url("/ok")])
    assert code == 2 and recs == []
    assert "--cookie" in err and "cannot read" in err, err


def test_cookie_jar_that_cannot_be_written_is_refused_at_start(run, tmp_path):
    # libcurl writes the jar at the end and says nothing when it cannot:
    # the run must not end with its cookies silently lost.
    code, recs, err = run(["--cookie-jar", str(tmp_path / "no" / "jar"),
                           "http://127.0.0.1:9/"])
    assert code == 2 and recs == []
    assert "--cookie-jar" in err


def test_cookie_jar_on_a_fifo_is_refused_at_start(run, httpbin, tmp_path):
    # libcurl opens the jar when the run ends: on a FIFO nobody reads,
    # open() waited for good, past SIGTERM. /dev/null stays allowed.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code, recs, err = run(["--cookie-jar", fifo, httpbin.url("/get")],
                          timeout=20)
    assert code == 2 and recs == [], err
    assert "FIFO" in err, err
    code, recs, err = run(["--cookie-jar", "/dev/null",
                           httpbin.url("/get")], timeout=20)
    assert code == 0, err
