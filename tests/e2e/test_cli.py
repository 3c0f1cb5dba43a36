"""The command line itself: help, version, usage errors, verbosity (SPEC
"Command line"; brief 15)."""

import re
import subprocess

import pytest

from conftest import SLOW, binary_env, check_sanitizer

SPEC_LONG = ["--input", "--output", "--concurrency", "--per-host", "--rate",
             "--per-host-rate", "--timeout", "--connect-timeout",
             "--retries", "--retry-on", "--retry-delay", "--retry-max-delay",
             "--ordered", "--method", "--header", "--data", "--user-agent",
             "--no-follow", "--max-redirs", "--insecure", "--proxy",
             "--http1.1", "--http2", "--http2-prior-knowledge",
             "--no-compress", "--max-size", "--body", "--headers", "--save",
             "--resume", "--shard", "--progress", "--no-progress",
             "--stats", "--quiet", "--verbose", "--help", "--version"]
SPEC_SHORT = ["-i", "-o", "-c", "-r", "-t", "-X", "-H", "-d", "-A", "-k",
              "-x", "-b", "-q", "-v", "-h", "-V"]
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


@pytest.mark.parametrize("value", ["20", "20/s", "300/m", "1000/h", "0.5"])
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
