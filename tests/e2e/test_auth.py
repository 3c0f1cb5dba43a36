"""Credentials (man page, AUTHENTICATION): -u (Basic, --digest), --netrc
and --netrc-file, -H @FILE; credentials never follow a redirect to
another host; a password in a URL never appears in what cofetch writes."""

import base64
import json
import time

from conftest import lines_file


def basic(user, password):
    return "Basic " + base64.b64encode(
        ("%s:%s" % (user, password)).encode()).decode()


def echoed(rec, name):
    """The values of header name as the /echo route saw them."""
    assert rec["ok"], rec
    return [v for k, v in rec["body"]["headers"] if k.lower() == name]


def test_user_sends_basic_auth(run, server):
    code, recs, err = run(["-b", "-u", "alice:s3cret", server.url("/echo")])
    assert code == 0, err
    assert echoed(recs[0], "authorization") == [basic("alice", "s3cret")]


def test_user_without_password_sends_an_empty_one(run, server):
    code, recs, err = run(["-b", "--user=alice", server.url("/echo")])
    assert code == 0, err
    assert echoed(recs[0], "authorization") == [basic("alice", "")]


def test_user_is_not_user_agent(run, server):
    """--user was once taken as a prefix of --user-agent."""
    code, recs, err = run(["-b", "--user", "u:p", server.url("/echo")])
    assert code == 0, err
    assert echoed(recs[0], "user-agent")[0].startswith("cofetch/")


def test_digest_auth(run, httpbin):
    url = httpbin.url("/digest-auth/auth/user/passwd")
    code, recs, err = run(["--digest", "-u", "user:passwd", url])
    assert code == 0, err
    assert recs[0]["status"] == 200
    code, recs, err = run(["--retries", "0", "--digest", "-u",
                           "user:wrong", url])
    assert code == 1
    assert recs[0]["status"] == 401


def test_basic_auth_against_httpbin(run, httpbin):
    url = httpbin.url("/basic-auth/user/passwd")
    code, recs, err = run(["-u", "user:passwd", url])
    assert code == 0 and recs[0]["status"] == 200, err


def test_netrc_file(run, server, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login bob password fromnetrc\n")
    code, recs, err = run(["-b", "--netrc-file", netrc,
                           server.url("/echo")])
    assert code == 0, err
    assert echoed(recs[0], "authorization") == [basic("bob", "fromnetrc")]


def test_netrc_reads_home(run, server, tmp_path):
    (tmp_path / ".netrc").write_text(
        "machine 127.0.0.1 login carol password inhome\n")
    code, recs, err = run(["-b", "--netrc", server.url("/echo")],
                          env={"HOME": str(tmp_path)})
    assert code == 0, err
    assert echoed(recs[0], "authorization") == [basic("carol", "inhome")]


def test_missing_netrc_file_is_a_usage_error(run, server, tmp_path):
    code, recs, err = run(["--netrc-file", tmp_path / "none",
                           server.url("/ok")])
    assert code == 2 and recs == []
    assert "--netrc-file" in err and "cannot read" in err, err


def test_header_lines_from_a_file(run, server, tmp_path):
    hdrs = tmp_path / "headers"
    hdrs.write_text("Authorization: Bearer tok-123\r\n\nX-Two: 2\n")
    code, recs, err = run(["-b", "-H", "@%s" % hdrs, server.url("/echo")])
    assert code == 0, err
    assert echoed(recs[0], "authorization") == ["Bearer tok-123"]
    assert echoed(recs[0], "x-two") == ["2"]


def test_bad_line_in_header_file_names_file_and_line(run, server, tmp_path):
    hdrs = tmp_path / "headers"
    hdrs.write_text("X-Ok: 1\nno colon here\n")
    code, recs, err = run(["-H", "@%s" % hdrs, server.url("/ok")])
    assert code == 2 and recs == []
    assert "--header" in err and "line 2" in err and str(hdrs) in err, err
    assert server.stats()["count"] == 0


def test_credentials_do_not_follow_a_redirect_to_another_host(run, server):
    """Another port is another host to libcurl: the redirected request
    carries no Authorization; on the same host it does."""
    other = server.url("/echo", 1)
    same = server.url("/echo", 0)
    for target, want in ((other, []), (same, [basic("u", "p")])):
        url = server.url("/redirect-to?url=%s" % target)
        code, recs, err = run(["-b", "-u", "u:p", url])
        assert code == 0, err
        assert echoed(recs[0], "authorization") == want, target


def test_url_password_is_masked_everywhere(run, server, tmp_path):
    """A password in a URL's userinfo is sent (Basic) but written as ***
    in url, final_url and the -v lines: nothing cofetch writes holds it."""
    url = "http://joe:hunter2@%s/redirect-to?url=/echo" % server.host()
    out = tmp_path / "out.jsonl"
    code, recs, err = run(["-v", "-b", "-o", out, url])
    assert code == 0, err
    text = out.read_text()
    rec = json.loads(text)
    assert echoed(rec, "authorization") == [basic("joe", "hunter2")]
    assert rec["url"] == "http://joe:***@%s/redirect-to?url=/echo" % (
        server.host())
    assert "hunter2" not in (rec["final_url"] or ""), rec["final_url"]
    assert "hunter2" not in err, err
    assert "joe:***@" in err, err
    # The body echoes the Authorization header (base64), never the
    # password in clear.
    assert "hunter2" not in text


def test_password_masked_in_an_invalid_line_record(run, server, tmp_path):
    urls = lines_file(tmp_path / "urls", ["ftp://u:topsecret@host/x"])
    code, recs, err = run(["-v", "-i", urls])
    assert code == 1
    assert recs[0]["url"] == "ftp://u:***@host/x"
    assert "topsecret" not in err


def test_user_password_is_blanked_in_the_process_list(spawn, server):
    """Like curl, the -u argument is overwritten once read: ps shows the
    user, not the password."""
    p = spawn(["-u", "u:pw-in-argv", server.url("/delay?ms=1500")])
    deadline = time.monotonic() + 10
    cmdline = b""
    while time.monotonic() < deadline:
        cmdline = open("/proc/%d/cmdline" % p.p.pid, "rb").read()
        if b"pw-in-argv" not in cmdline:
            break
        time.sleep(0.05)
    assert b"pw-in-argv" not in cmdline, cmdline
    code, recs, err = p.finish()
    assert code == 0, err


def test_proxy_password_is_blanked_in_the_process_list(spawn, server):
    """The same for a password in the -x proxy URL (the proxy is this
    test's server, which answers the absolute-form request itself)."""
    proxy = "http://pu:proxy-pw-in-argv@%s" % server.host()
    p = spawn(["-x", proxy, server.url("/delay?ms=1500")])
    deadline = time.monotonic() + 10
    cmdline = b""
    while time.monotonic() < deadline:
        cmdline = open("/proc/%d/cmdline" % p.p.pid, "rb").read()
        if b"proxy-pw-in-argv" not in cmdline:
            break
        time.sleep(0.05)
    assert b"proxy-pw-in-argv" not in cmdline, cmdline
    # Read while it ran (a slow sanitizer build may be done already).
    assert cmdline == b"" or b"pu:" in cmdline, cmdline
    code, recs, err = p.finish()
    assert "proxy-pw-in-argv" not in err
