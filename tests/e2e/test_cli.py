"""The command line itself: help, version, usage errors, verbosity (SPEC
"Command line"; brief 15)."""

import re
import subprocess

import pytest

from conftest import ROOT, SLOW, binary_env, check_sanitizer

SPEC_LONG = ["--input", "--output", "--concurrency", "--per-host", "--rate",
             "--per-host-rate", "--timeout", "--connect-timeout",
             "--retries", "--retry-on", "--retry-delay", "--retry-max-delay",
             "--ordered", "--method", "--header", "--data", "--user-agent",
             "--no-follow", "--max-redirs", "--insecure", "--proxy",
             "--http1.1", "--http2", "--http2-prior-knowledge",
             "--no-compress", "--max-size", "--body", "--headers", "--save",
             "--resume", "--shard", "--progress", "--no-progress",
             "--stats", "--quiet", "--verbose", "--help", "--version",
             "--config", "--no-config", "--head", "--data-binary", "--user",
             "--digest", "--netrc", "--netrc-file", "--cacert", "--capath",
             "--cert", "--key", "--resolve", "--connect-to", "--ipv4",
             "--ipv6", "--cookie", "--cookie-jar"]
SPEC_SHORT = ["-i", "-o", "-c", "-r", "-t", "-X", "-H", "-d", "-A", "-k",
              "-x", "-b", "-q", "-v", "-h", "-V", "-I", "-u", "-4", "-6"]
HINT = "Try 'cofetch --help'."


def raw(cofetch_bin, *args):
    p = subprocess.run([cofetch_bin] + [str(a) for a in args],
                       capture_output=True, stdin=subprocess.DEVNULL,
                       env=binary_env(), timeout=30 * SLOW)
    check_sanitizer(p.stderr.decode("utf-8", "replace"))
    return p.returncode, p.stdout.decode(), p.stderr.decode()


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_names_every_option(cofetch_bin, flag):
    code, text, err = raw(cofetch_bin, flag)
    assert code == 0
    assert err == ""
    missing = [o for o in SPEC_LONG
               if not re.search(re.escape(o) + r"(?![\w.-])", text)]
    assert missing == [], "help lacks %s" % missing
    missing = [o for o in SPEC_SHORT
               if not re.search(r"(?<![\w-])" + re.escape(o) + r"\b", text)]
    assert missing == [], "help lacks %s" % missing


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(cofetch_bin, flag):
    code, out, err = raw(cofetch_bin, flag)
    assert code == 0
    assert err == ""
    assert out.startswith("cofetch ")
    assert re.search(r"\d+\.\d+", out)


def test_version_matches_the_default_user_agent(cofetch_bin, run, server):
    code, out, err = raw(cofetch_bin, "-V")
    version = out.split()[1]
    code, recs, err = run(["--body=json", server.url("/echo")])
    ua = [v for k, v in recs[0]["body"]["headers"]
          if k.lower() == "user-agent"]
    assert ua == ["cofetch/" + version]


# (args, what the message must name)
USAGE_ERRORS = [
    (["-c", "0"], ["--concurrency", "'0'"]),
    (["--concurrency", "abc"], ["--concurrency", "abc"]),
    (["-c", "100001"], ["--concurrency", "100001"]),
    (["--per-host", "-1"], ["--per-host", "-1"]),
    (["-r", "fast"], ["--rate", "fast"]),
    (["-r", "10/d"], ["--rate", "10/d"]),
    (["--per-host-rate", "x/s"], ["--per-host-rate", "x/s"]),
    (["-t", "soon"], ["--timeout", "soon"]),
    (["--connect-timeout", "-5"], ["--connect-timeout", "-5"]),
    (["--retries", "-1"], ["--retries", "-1"]),
    (["--retry-on", "teapot"], ["--retry-on", "teapot"]),
    (["--retry-on", "99"], ["--retry-on", "99"]),
    (["--retry-delay", "x"], ["--retry-delay", "x"]),
    (["--retry-max-delay", "-1"], ["--retry-max-delay", "-1"]),
    (["--max-redirs", "-2"], ["--max-redirs", "-2"]),
    (["--max-size", "12Q"], ["--max-size", "12Q"]),
    (["--body=xml"], ["--body", "xml"]),
    (["--shard", "3/2"], ["--shard", "3/2"]),
    (["--shard", "0/2"], ["--shard", "0/2"]),
    (["--shard", "half"], ["--shard", "half"]),
    (["-H", "no colon"], ["--header", "no colon"]),
    (["--no-such-option"], ["--no-such-option"]),
]


@pytest.mark.parametrize("args,names", USAGE_ERRORS,
                         ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_error_names_the_option_and_exits_2(cofetch_bin, server,
                                                  args, names):
    code, out, err = raw(cofetch_bin, *args, server.url("/ok"))
    assert code == 2
    assert out == ""
    for n in names:
        assert n in err, "%r not in %r" % (n, err)
    assert err.startswith("cofetch: ")
    assert HINT in err
    assert server.stats()["count"] == 0


def test_missing_option_argument_is_a_usage_error(cofetch_bin):
    code, out, err = raw(cofetch_bin, "-c")
    assert code == 2
    assert HINT in err


def test_resume_without_output_file_is_a_usage_error(cofetch_bin, server):
    code, out, err = raw(cofetch_bin, "--resume", server.url("/ok"))
    assert code == 2
    assert "--resume" in err
    assert server.stats()["count"] == 0


@pytest.mark.parametrize("value", ["20", "20/s", "300/m", "1000/h", "0.5",
                                   "20/sec", "300/min", "1000/hour"])
def test_rate_forms_are_accepted(run, server, value):
    code, recs, err = run(["-r", value, server.url("/ok")])
    assert code == 0, err


@pytest.mark.parametrize("value", ["1024", "1K", "64M", "1G"])
def test_size_forms_are_accepted(run, server, value):
    code, recs, err = run(["--max-size", value, server.url("/bytes?n=100")])
    assert code == 0, err


def test_quiet_and_verbose_change_only_stderr(run, server):
    urls = ["--retries", "0", server.url("/ok"), server.url("/status/404")]
    code_d, recs_d, err_d = run(urls)
    code_q, recs_q, err_q = run(["-q"] + urls)
    code_v, recs_v, err_v = run(["-v"] + urls)
    assert code_d == code_q == code_v == 1
    strip = lambda recs: sorted(  # noqa: E731
        (r["index"], r["status"]) for r in recs)
    assert strip(recs_d) == strip(recs_q) == strip(recs_v)
    assert err_q == ""
    assert len(err_v) > len(err_d)
    assert len(err_v) > 0


# -- exact long options, suggestions, values (issue 14) --------------------


@pytest.mark.parametrize("arg,want", [
    ("--concurency", "unknown option '--concurency'; did you mean "
     "'--concurrency'?"),
    ("--user-agnt=x", "unknown option '--user-agnt'; did you mean "
     "'--user-agent'?"),
    ("--conc", "unknown option '--conc'; did you mean '--concurrency'?"),
    ("--re", "unknown option '--re'\n"),
    ("--ordered=yes", "option '--ordered' takes no value"),
    ("--help=x", "option '--help' takes no value"),
    ("--no-follow=", "option '--no-follow' takes no value"),
])
def test_long_options_match_exactly(cofetch_bin, server, arg, want):
    code, out, err = raw(cofetch_bin, arg, server.url("/ok"))
    assert code == 2 and out == ""
    assert err.startswith("cofetch: "), err
    assert want in err, err
    assert HINT in err
    assert server.stats()["count"] == 0


def test_no_prefix_abbreviation(cofetch_bin, server):
    """--time is not --timeout, --user is not --user-agent."""
    code, out, err = raw(cofetch_bin, "--time", "5", server.url("/ok"))
    assert code == 2 and "unknown option '--time'" in err, err


@pytest.mark.parametrize("args", [["--body", "json"], ["--body=json"],
                                  ["-bjson"]])
def test_body_takes_its_mode_with_or_without_equals(run, server, args):
    code, recs, err = run(args + [server.url("/json")])
    assert code == 0, err
    assert len(recs) == 1, "the mode was taken as a URL: %r" % recs
    assert recs[0]["body_encoding"] == "json"


def test_b_stays_a_flag(run, server):
    """-b json: -b is auto, json is a URL argument (as with curl's -b). It
    takes index 0, left to the other shard so no name is looked up."""
    code, recs, err = run(["--shard", "2/2", "-b", "json",
                           server.url("/json")])
    assert code == 0, err
    assert [r["index"] for r in recs] == [1]
    assert recs[0]["body_encoding"] == "json"


def test_url_argument_that_is_a_file_is_warned(run, server, tmp_path):
    (tmp_path / "urls.txt").write_text(server.url("/ok") + "\n")
    args = ["--shard", "2/2", "urls.txt", server.url("/ok")]
    code, recs, err = run(args, cwd=tmp_path)
    assert code == 0
    assert "'urls.txt' is a file here, fetched as a URL; did you mean " \
        "-i urls.txt?" in err, err
    code, recs, err = run(["-q"] + args, cwd=tmp_path)
    assert err == ""


@pytest.mark.parametrize("proxy", ["bogus proxy", "htp://127.0.0.1:1",
                                   "http://", "ftp://127.0.0.1"])
def test_proxy_is_checked_at_start(cofetch_bin, server, proxy):
    code, out, err = raw(cofetch_bin, "-x", proxy, server.url("/ok"))
    assert code == 2 and out == ""
    assert err.startswith("cofetch: --proxy: '%s' is not valid: " % proxy)
    assert server.stats()["count"] == 0


@pytest.mark.parametrize("opt,value", [
    ("-c", "1e3"), ("-t", "1e3"), ("--rate", "1e3"), ("--max-size", "1e3"),
    ("--retry-delay", "-0.5"), ("-r", "20/d"), ("--timeout", "inf"),
])
def test_one_number_syntax(cofetch_bin, server, opt, value):
    """No exponents anywhere (man page, OPTIONS, Values)."""
    code, out, err = raw(cofetch_bin, opt, value, server.url("/ok"))
    assert code == 2, err
    assert "'%s' is not valid" % value in err


def test_short_option_cluster(run, server):
    code, recs, err = run(["-kqc2", server.url("/ok")])
    assert code == 0 and err == ""


def test_double_dash_ends_options(run, server):
    code, recs, err = run(["--shard", "2/2", "--", "-weird",
                           server.url("/ok")])
    assert code == 0, err
    assert [r["index"] for r in recs] == [1]


# -- request options from curl --------------------------------------------


def echoed(rec, name):
    assert rec["ok"], rec
    return [v for k, v in rec["body"]["headers"] if k.lower() == name]


def test_head(run, server):
    code, recs, err = run(["-I", server.url("/ok")])
    assert code == 0, err
    assert recs[0]["method"] == "HEAD"
    assert server.requests("/ok")[0]["method"] == "HEAD"
    # A body given with HEAD is not sent, and the request is done at
    # once (issue 9: a HEAD response never has a body to wait for).
    code, recs, err = run(["--head", "-d", "x", server.url("/echo")])
    assert code == 0, err
    assert recs[0]["method"] == "HEAD" and recs[0]["attempts"] == 1
    sent = server.requests("/echo")[0]
    assert sent["method"] == "HEAD" and not sent.get("body")


def test_data_file_strips_cr_lf_data_binary_does_not(run, server, tmp_path):
    f = tmp_path / "body"
    f.write_bytes(b"a=1\r\n&b=2\n")
    code, recs, err = run(["-b", "-d", "@%s" % f, server.url("/echo")])
    assert code == 0, err
    assert recs[0]["body"]["body"] == "a=1&b=2"
    code, recs, err = run(["-b", "--data-binary", "@%s" % f,
                           server.url("/echo")])
    assert code == 0, err
    assert recs[0]["body"]["body"] == "a=1\r\n&b=2\n"
    assert recs[0]["method"] == "POST"


def test_empty_and_removed_headers(run, server, tmp_path):
    code, recs, err = run(["-b", "-H", "X-Empty;", "-H", "User-Agent:",
                           server.url("/echo")])
    assert code == 0, err
    assert echoed(recs[0], "x-empty") == [""]
    assert echoed(recs[0], "user-agent") == []


def test_json_line_empty_and_null_headers(run, server):
    line = ('{"url": "%s", "headers": {"X-Empty": "", "User-Agent": null}}'
            % server.url("/echo"))
    code, recs, err = run(["-b"], input=line + "\n")
    assert code == 0, err
    assert echoed(recs[0], "x-empty") == [""]
    assert echoed(recs[0], "user-agent") == []


# -- the documentation of the options ---------------------------------------


def man_text():
    p = subprocess.run(["mandoc", "-Tascii", str(ROOT / "man" /
                                                 "cofetch.1")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return re.sub(".\x08", "", p.stdout)


def test_man_page_quotes_are_balanced():
    """A Ql inside Pq renders as `a, `b'' (issue 14): every opening quote
    of the rendered page closes before the next one opens."""
    bad = [ln for ln in man_text().splitlines()
           if re.search(r"`[^'`]*`", ln)]
    assert bad == [], bad


def test_help_and_man_name_the_same_options(cofetch_bin):
    code, text, err = raw(cofetch_bin, "--help")
    helps = set(re.findall(r"^\s+(?:-\w, )?(--[\w.-]+)", text, re.M))
    man = set()
    for ln in (ROOT / "man" / "cofetch.1").read_text().splitlines():
        if ln.startswith(".It Fl"):
            man.update("--" + m for m in re.findall(r"Fl Fl ([\w.-]+)",
                                                     ln))
    assert helps and helps == man, (sorted(helps - man), sorted(man - helps))


def test_completions_name_every_option(cofetch_bin):
    code, text, err = raw(cofetch_bin, "--help")
    helps = set(re.findall(r"^\s+(?:-\w, )?(--[\w.-]+)", text, re.M))
    for f in ("cofetch.bash", "_cofetch"):
        comp = (ROOT / "completions" / f).read_text()
        missing = [o for o in sorted(helps)
                   if not re.search(re.escape(o) + r"(?![\w.-])", comp)]
        assert missing == [], "%s lacks %s" % (f, missing)
