"""Where requests come from and how input lines are read (SPEC "Command
line", "Input lines"; brief 5, 6, 8, 9)."""

import json
import os
import pty
import subprocess
import time

from conftest import SLOW, assert_record_shape, closed_port, kind, lines_file


def echo(rec):
    """The /echo document in a record fetched with --body=json."""
    assert rec["body_encoding"] == "json", rec
    return rec["body"]


def header_values(doc, name):
    return [v for k, v in doc["headers"] if k.lower() == name.lower()]


def assert_invalid_record(rec, kind_name):
    """brief 8: what an invalid line's record holds."""
    assert_record_shape(rec)
    assert rec["ok"] is False
    assert kind(rec) == kind_name, rec
    for k in ("status", "http_version", "final_url", "content_type",
              "remote_ip"):
        assert rec[k] is None, (k, rec)
    assert rec["attempts"] == 0
    assert rec["redirects"] == 0
    assert rec["size"] == 0
    assert rec["elapsed"] == 0
    assert all(v == 0 for v in rec["time"].values())


# -- sources -------------------------------------------------------------


def test_url_arguments_are_requests_in_order(run, server):
    urls = [server.url("/ok?a=%d" % n) for n in range(3)]
    code, recs, err = run(["--ordered"] + urls)
    assert code == 0, err
    assert [(r["index"], r["url"]) for r in recs] == list(enumerate(urls))


def test_arguments_come_before_input_files(run, server, tmp_path):
    f = lines_file(tmp_path / "a", [server.url("/ok?f=1")])
    code, recs, err = run(["--ordered", server.url("/ok?arg=1"), "-i", f])
    assert code == 0, err
    assert [r["url"] for r in recs] == [server.url("/ok?arg=1"),
                                        server.url("/ok?f=1")]


def test_multiple_input_files_are_read_in_order(run, server, tmp_path):
    a = lines_file(tmp_path / "a", [server.url("/ok?a=%d" % n)
                                    for n in range(3)])
    b = lines_file(tmp_path / "b", [server.url("/ok?b=%d" % n)
                                    for n in range(2)])
    code, recs, err = run(["--ordered", "-i", a, "--input", b])
    assert code == 0, err
    assert [r["url"] for r in recs] == (
        [server.url("/ok?a=%d" % n) for n in range(3)] +
        [server.url("/ok?b=%d" % n) for n in range(2)])
    assert [r["index"] for r in recs] == list(range(5))


def test_input_dash_reads_stdin_between_files(run, server, tmp_path):
    a = lines_file(tmp_path / "a", [server.url("/ok?a=1")])
    b = lines_file(tmp_path / "b", [server.url("/ok?b=1")])
    code, recs, err = run(["--ordered", "-i", a, "-i", "-", "-i", b],
                          input=server.url("/ok?stdin=1") + "\n")
    assert code == 0, err
    assert [r["url"] for r in recs] == [server.url("/ok?a=1"),
                                        server.url("/ok?stdin=1"),
                                        server.url("/ok?b=1")]


def test_stdin_is_read_when_no_urls_or_files_are_given(run, server):
    text = "".join(server.url("/ok?s=%d" % n) + "\n" for n in range(4))
    code, recs, err = run(["--ordered"], input=text)
    assert code == 0, err
    assert [r["url"] for r in recs] == [server.url("/ok?s=%d" % n)
                                        for n in range(4)]


def test_stdin_is_not_read_when_urls_are_given(run, server):
    code, recs, err = run([server.url("/ok?arg=1")],
                          input=server.url("/ok?stdin=1") + "\n")
    assert code == 0, err
    assert [r["url"] for r in recs] == [server.url("/ok?arg=1")]
    assert [r["target"] for r in server.requests()] == ["/ok?arg=1"]


def test_last_line_without_newline_is_a_request(run, server):
    code, recs, err = run([], input=server.url("/ok?a=1") + "\n" +
                          server.url("/ok?b=1"))
    assert code == 0, err
    assert sorted(r["url"] for r in recs) == [server.url("/ok?a=1"),
                                              server.url("/ok?b=1")]


def test_empty_input_is_no_requests_and_success(run):
    code, recs, err = run([], input="")
    assert code == 0, err
    assert recs == []


# -- lines ---------------------------------------------------------------


def test_comments_and_blank_lines_are_skipped_without_an_index(run, server,
                                                               tmp_path):
    f = lines_file(tmp_path / "urls", [
        "# a comment",
        "",
        "   ",
        "\t" + server.url("/ok?n=0") + "  ",
        "   # indented comment",
        server.url("/ok?n=1"),
        "",
    ])
    code, recs, err = run(["--ordered", "-i", f])
    assert code == 0, err
    assert [(r["index"], r["url"]) for r in recs] == [
        (0, server.url("/ok?n=0")), (1, server.url("/ok?n=1"))]
    assert server.stats()["count"] == 2


def test_crlf_line_endings_are_trimmed(run, server, tmp_path):
    f = tmp_path / "urls"
    f.write_bytes((server.url("/ok?n=0") + "\r\n" + server.url("/ok?n=1") +
                   "\r\n").encode())
    code, recs, err = run(["--ordered", "-i", f])
    assert code == 0, err
    assert [r["url"] for r in recs] == [server.url("/ok?n=0"),
                                        server.url("/ok?n=1")]
    assert sorted(r["target"] for r in server.requests()) == [
        "/ok?n=0", "/ok?n=1"]


def test_url_without_scheme_gets_http(run, server):
    bare = "127.0.0.1:%d/ok?bare=1" % server.port
    code, recs, err = run([bare])
    assert code == 0, err
    assert recs[0]["url"] == "http://" + bare
    assert recs[0]["ok"] and recs[0]["status"] == 200
    assert server.requests()[0]["target"] == "/ok?bare=1"


def test_https_and_http_are_the_only_schemes_fetched(run, server):
    lines = ["ftp://127.0.0.1:%d/x" % server.port,
             "file:///etc/passwd",
             "javascript:alert(1)",
             "gopher://127.0.0.1:%d/x" % server.port,
             "dict://127.0.0.1:%d/x" % server.port]
    code, recs, err = run(["--ordered"], input="\n".join(lines) + "\n")
    assert code == 1
    assert [r["index"] for r in recs] == list(range(len(lines)))
    for r, line in zip(recs, lines):
        assert_invalid_record(r, "invalid_url")
        assert r["url"] == line
    assert server.stats()["count"] == 0
    assert server.stats()["connections"] == 0


def test_not_a_url_is_invalid_url(run):
    code, recs, err = run([], input="http://\n" "http:// spaced host/\n")
    assert code == 1
    assert len(recs) == 2
    for r in recs:
        assert_invalid_record(r, "invalid_url")


def test_garbage_json_is_invalid_input_and_the_run_goes_on(run, server):
    lines = ['{"url": ', '{not json}', '{"url": "%s"} trailing' %
             server.url("/ok"), server.url("/ok?after=1")]
    code, recs, err = run(["--ordered"], input="\n".join(lines) + "\n")
    assert code == 1
    assert [r["index"] for r in recs] == [0, 1, 2, 3]
    for r, line in zip(recs[:3], lines):
        assert_invalid_record(r, "invalid_input")
        assert r["url"] == line.strip()
    assert recs[3]["ok"] and recs[3]["url"] == server.url("/ok?after=1")
    assert [r["target"] for r in server.requests()] == ["/ok?after=1"]


def test_json_line_with_unknown_key_is_invalid_input_naming_it(run, server):
    line = json.dumps({"url": server.url("/ok"), "colour": "red"})
    code, recs, err = run([], input=line + "\n")
    assert code == 1
    assert_invalid_record(recs[0], "invalid_input")
    assert "colour" in recs[0]["error"]["message"]
    assert server.stats()["count"] == 0


def test_json_line_with_wrong_types_is_invalid_input(run, server):
    u = server.url("/ok")
    lines = [json.dumps(x) for x in [
        {"url": 5},
        {"method": "GET"},
        {"url": u, "headers": {"X-A": 1}},
        {"url": u, "headers": ["X-A: 1"]},
        {"url": u, "method": 7},
        {"url": u, "method": "GE T"},
        {"url": u, "headers": {"Bad Name": "v"}},
    ]]
    code, recs, err = run(["--ordered"], input="\n".join(lines) + "\n")
    assert code == 1
    assert [r["index"] for r in recs] == list(range(len(lines)))
    for r in recs:
        assert_invalid_record(r, "invalid_input")
    assert server.stats()["count"] == 0


def test_header_with_cr_or_lf_is_invalid_input_and_never_sent(run, server):
    u = server.url("/echo")
    lines = [json.dumps({"url": u, "headers": {"X-A": "a\r\nX-Injected: 1"}}),
             json.dumps({"url": u, "headers": {"X-A": "a\nb"}}),
             json.dumps({"url": u, "headers": {"X-A\r\nX-B": "a"}})]
    code, recs, err = run(["--ordered"], input="\n".join(lines) + "\n")
    assert code == 1
    assert len(recs) == 3
    for r in recs:
        assert_invalid_record(r, "invalid_input")
    assert server.stats()["count"] == 0


def test_line_over_64k_is_invalid_input_with_a_short_url(run, server):
    long_line = server.url("/ok?x=") + "a" * 70000
    code, recs, err = run(["--ordered"], input=long_line + "\n" +
                          server.url("/ok?next=1") + "\n")
    assert code == 1
    assert [r["index"] for r in recs] == [0, 1]
    assert_invalid_record(recs[0], "invalid_input")
    assert len(recs[0]["url"].encode()) <= 1024
    assert long_line.startswith(recs[0]["url"])
    assert recs[1]["ok"] and recs[1]["url"] == server.url("/ok?next=1")
    assert [r["target"] for r in server.requests()] == ["/ok?next=1"]


def test_line_just_under_64k_is_still_a_request(run, server):
    u = server.url("/ok?x=")
    line = u + "b" * (65000 - len(u))
    code, recs, err = run([], input=line + "\n")
    assert code == 0, err
    assert recs[0]["ok"] and recs[0]["url"] == line


def test_invalid_utf8_in_lines_still_gives_valid_json(run, server):
    data = (b"\xff\xfe not a url \xc3(\n" +
            server.url("/ok?q=").encode() + b"caf\xe9\n" +
            b'{"url": "' + server.url("/ok?j=").encode() + b'\xff"}\n' +
            server.url("/ok?last=1").encode() + b"\n")
    code, recs, err = run(["--ordered"], input=data)
    assert code == 1, err   # line 0 is not a URL: a record not ok
    assert [r["index"] for r in recs] == [0, 1, 2, 3]
    for r in recs:
        assert_record_shape(r)
    assert recs[0]["ok"] is False
    # Not JSON, so a URL that does not parse (cofetch(1), Invalid lines).
    assert kind(recs[0]) == "invalid_url"
    assert "\ufffd" in recs[0]["url"]
    assert recs[3]["ok"]


def test_indexes_never_skip_whatever_happens(run, server, tmp_path):
    dead = "http://127.0.0.1:%d/" % closed_port()
    lines = [server.url("/ok"), "# skip", server.url("/status/404"),
             "ftp://127.0.0.1/x", "{bad json", "", dead,
             server.url("/status/500"), json.dumps({"url": server.url("/ok"),
                                                    "id": 1}),
             server.url("/reset"), server.url("/ok?end=1")]
    f = lines_file(tmp_path / "urls", lines)
    code, recs, err = run(["--retries", "0", "-i", f])
    assert code == 1
    assert sorted(r["index"] for r in recs) == list(range(9))
    for r in recs:
        assert_record_shape(r)


# -- JSON request lines ----------------------------------------------------


def test_json_line_sets_method_headers_body_and_id(run, server):
    line = json.dumps({"url": server.url("/echo"), "method": "PUT",
                       "headers": {"X-Test": "yes", "X-Other": "2"},
                       "body": "hello body", "id": {"k": [1, 2]}})
    code, recs, err = run(["--body=json"], input=line + "\n")
    assert code == 0, err
    r = recs[0]
    assert r["id"] == {"k": [1, 2]}
    assert list(r)[:3] == ["index", "id", "url"]
    assert r["method"] == "PUT"
    assert r["url"] == server.url("/echo")
    doc = echo(r)
    assert doc["method"] == "PUT"
    assert header_values(doc, "X-Test") == ["yes"]
    assert header_values(doc, "X-Other") == ["2"]
    assert doc["body"] == "hello body"


def test_default_headers_give_way_to_h_and_to_the_line(run, server):
    """User-Agent and Accept-Encoding are sent once each: the line's value
    over -H, -H over the defaults; other lines keep the defaults."""
    u = server.url("/echo")
    lines = [json.dumps({"url": u + "?n=1",
                         "headers": {"User-Agent": "line/1",
                                     "Accept-Encoding": "identity"}}),
             json.dumps({"url": u + "?n=2", "headers": {"X-A": "1"}}),
             u + "?n=3"]
    code, recs, err = run(["--body=json", "--ordered", "-A", "opt/1",
                           "-H", "Accept-Encoding: gzip"],
                          input="\n".join(lines) + "\n")
    assert code == 0, err
    got = [(header_values(echo(r), "User-Agent"),
            header_values(echo(r), "Accept-Encoding")) for r in recs]
    assert got == [(["line/1"], ["identity"]),
                   (["opt/1"], ["gzip"]),
                   (["opt/1"], ["gzip"])]
    code, recs, err = run(["--body=json", "-A", "", "--no-compress"],
                          input=u + "\n")
    assert code == 0, err
    assert header_values(echo(recs[0]), "User-Agent") == []
    assert header_values(echo(recs[0]), "Accept-Encoding") == []


def test_id_is_echoed_for_any_json_value_and_absent_otherwise(run, server):
    ids = [7, "seven", [1, "a"], None, 1.5, True]
    lines = [json.dumps({"url": server.url("/ok?i=%d" % n), "id": v})
             for n, v in enumerate(ids)]
    lines.append(server.url("/ok?plain=1"))
    code, recs, err = run(["--ordered"], input="\n".join(lines) + "\n")
    assert code == 0, err
    for r, v in zip(recs, ids):
        assert "id" in r and r["id"] == v
        assert list(r)[1] == "id"
    assert "id" not in recs[-1]


def test_id_is_echoed_on_invalid_json_requests_too(run):
    line = json.dumps({"url": "ftp://127.0.0.1/x", "id": "mine"})
    code, recs, err = run([], input=line + "\n")
    assert code == 1
    assert recs[0]["id"] == "mine"
    assert kind(recs[0]) == "invalid_url"


def test_json_body_without_method_is_a_post(run, server):
    line = json.dumps({"url": server.url("/echo"), "body": "x=1"})
    code, recs, err = run(["--body=json"], input=line + "\n")
    assert code == 0, err
    assert recs[0]["method"] == "POST"
    assert echo(recs[0])["method"] == "POST"
    assert echo(recs[0])["body"] == "x=1"


def test_json_body_that_is_not_a_string_is_sent_as_json(run, server):
    line = json.dumps({"url": server.url("/echo"),
                       "body": {"a": [1, 2, {"b": None}], "c": "d"}})
    code, recs, err = run(["--body=json"], input=line + "\n")
    assert code == 0, err
    doc = echo(recs[0])
    assert doc["method"] == "POST"
    assert json.loads(doc["body"]) == {"a": [1, 2, {"b": None}], "c": "d"}
    assert " " not in doc["body"], "JSON body not sent compact"
    assert header_values(doc, "Content-Type") == ["application/json"]


def test_json_body_keeps_the_lines_own_content_type(run, server):
    line = json.dumps({"url": server.url("/echo"), "body": [1, 2],
                       "headers": {"Content-Type": "application/x-mine"}})
    code, recs, err = run(["--body=json"], input=line + "\n")
    assert code == 0, err
    doc = echo(recs[0])
    assert header_values(doc, "Content-Type") == ["application/x-mine"]
    assert json.loads(doc["body"]) == [1, 2]


def test_json_null_body_sends_no_body(run, server):
    line = json.dumps({"url": server.url("/echo"), "body": None})
    code, recs, err = run(["--body=json"], input=line + "\n")
    assert code == 0, err
    assert recs[0]["method"] == "GET"
    assert echo(recs[0])["body_len"] == 0


def test_json_line_url_without_scheme_gets_http(run, server):
    bare = "127.0.0.1:%d/ok" % server.port
    code, recs, err = run([], input=json.dumps({"url": bare}) + "\n")
    assert code == 0, err
    assert recs[0]["url"] == "http://" + bare


def test_line_values_override_the_command_line(run, server):
    line = json.dumps({"url": server.url("/echo"), "method": "DELETE",
                       "headers": {"X-A": "line"}})
    code, recs, err = run(["--body=json", "-X", "PUT", "-H", "X-A: cmd",
                           "-H", "X-B: cmd", "-d", "cmd body"],
                          input=line + "\n" + server.url("/echo") + "\n")
    assert code == 0, err
    recs = sorted(recs, key=lambda r: r["index"])
    doc = echo(recs[0])
    assert recs[0]["method"] == "DELETE" and doc["method"] == "DELETE"
    assert header_values(doc, "X-A") == ["line"]
    assert header_values(doc, "X-B") == ["cmd"]
    plain = echo(recs[1])
    assert recs[1]["method"] == "PUT" and plain["method"] == "PUT"
    assert header_values(plain, "X-A") == ["cmd"]
    assert plain["body"] == "cmd body"


def test_line_body_overrides_data_option(run, server):
    line = json.dumps({"url": server.url("/echo"), "body": "from line"})
    code, recs, err = run(["--body=json", "-d", "from option"],
                          input=line + "\n")
    assert code == 0, err
    assert echo(recs[0])["body"] == "from line"


# -- terminals, unreadable files, streaming -------------------------------


def test_terminal_stdin_prints_a_usage_hint_and_exits_2(spawn):
    master, slave = pty.openpty()
    try:
        p = spawn([], stdin=slave)
        code, recs, err = p.finish(timeout=5)
    finally:
        os.close(slave)
        os.close(master)
    assert code == 2
    assert recs == []
    assert err.strip(), "no usage hint on stderr"
    assert "usage" in err.lower() or "--help" in err


def test_unreadable_input_file_exits_2_before_any_request(run, server,
                                                          tmp_path):
    good = lines_file(tmp_path / "good", [server.url("/ok?f=1")])
    missing = tmp_path / "does-not-exist"
    code, recs, err = run([server.url("/ok?arg=1"), "-i", good, "-i",
                           missing])
    assert code == 2
    assert recs == []
    assert str(missing) in err
    assert server.stats()["count"] == 0


def test_directory_as_input_file_exits_2_before_any_request(run, server,
                                                            tmp_path):
    code, recs, err = run([server.url("/ok?arg=1"), "-i", tmp_path])
    assert code == 2
    assert recs == []
    assert err.strip()
    assert server.stats()["count"] == 0


def test_slow_producer_lines_are_fetched_as_they_arrive(spawn, server):
    p = spawn([], stdin=subprocess.PIPE)
    for n in range(4):
        p.write(server.url("/ok?n=%d" % n) + "\n")
        line = p.readline(2.0 * SLOW)
        assert line is not None, "no record for line %d while the " \
            "producer waits" % n
        rec = json.loads(line)
        assert rec["index"] == n and rec["ok"], rec
        time.sleep(0.5)
    p.close_stdin()
    code, recs, err = p.finish(timeout=10)
    assert code == 0, err
    assert len(recs) == 4


def test_slow_producer_via_input_dash(spawn, server):
    p = spawn(["-i", "-"], stdin=subprocess.PIPE)
    p.write(server.url("/ok?n=0") + "\n")
    line = p.readline(2.0 * SLOW)
    assert line is not None
    assert json.loads(line)["index"] == 0
    p.write(server.url("/ok?n=1") + "\n")
    line = p.readline(2.0 * SLOW)
    assert line is not None
    assert json.loads(line)["index"] == 1
    p.close_stdin()
    code, recs, err = p.finish(timeout=10)
    assert code == 0, err


def test_slow_producer_does_not_stall_transfers_in_flight(spawn, server):
    # A request in flight finishes while stdin stays silent.
    p = spawn([], stdin=subprocess.PIPE)
    p.write(server.url("/delay?ms=300") + "\n")
    line = p.readline(2.0 * SLOW)
    assert line is not None
    assert json.loads(line)["ok"]
    p.close_stdin()
    code, recs, err = p.finish(timeout=10)
    assert code == 0, err


def test_a_fifo_without_a_writer_does_not_hold_the_url_arguments(
        spawn, server, tmp_path):
    # -i FIFO opened before anyone writes to it: open() used to block, so
    # the URL argument waited for a writer too. Now the argument is
    # fetched at once, the FIFO's lines when they come, and the run ends
    # when the writer closes.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    p = spawn([server.url("/ok?from=arg"), "-i", fifo])
    deadline = time.monotonic() + 10 * SLOW
    while time.monotonic() < deadline and not server.requests():
        time.sleep(0.02)
    assert [r["target"] for r in server.requests()] == ["/ok?from=arg"]
    assert p.p.poll() is None, "the run ended before the FIFO had a writer"
    with open(fifo, "w") as w:
        w.write(server.url("/ok?from=fifo") + "\n")
    code, recs, err = p.finish(timeout=10)
    assert code == 0, err
    assert [r["url"] for r in sorted(recs, key=lambda r: r["index"])] == [
        server.url("/ok?from=arg"), server.url("/ok?from=fifo")]
