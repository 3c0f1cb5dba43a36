"""Usage errors, one per option that takes a value (brief 15, man page
DIAGNOSTICS): the message names the option, the value given and what is
accepted, points to --help, nothing reaches stdout, the exit status is 2,
and no request is made (the scripted server sees nothing, although every
run is also given a URL of it)."""

import json
import subprocess

import pytest

from conftest import (BINARY, SLOW, binary_env, check_sanitizer,
                      lines_file)

HINT = "Try 'cofetch --help'."


def raw(cofetch_bin, args, cwd=None):
    p = subprocess.run([cofetch_bin] + [str(a) for a in args],
                       capture_output=True, stdin=subprocess.DEVNULL,
                       env=binary_env(), timeout=30 * SLOW, cwd=cwd)
    err = p.stderr.decode("utf-8", "replace")
    check_sanitizer(err)
    return p.returncode, p.stdout, err


# (id, args, option named, value named, what is accepted: substrings of
# which at least the first must appear)
VALUE_ERRORS = [
    ("c-0", ["-c", "0"], "--concurrency", "0", ["1 to 100000"]),
    ("c-x", ["-c", "x"], "--concurrency", "x", ["1 to 100000"]),
    ("c-space", ["-c", " 5"], "--concurrency", " 5", ["1 to 100000"]),
    ("retries-plus", ["--retries", "+2"], "--retries", "+2", ["0 to 100"]),
    ("concurrency=0", ["--concurrency=0"], "--concurrency", "0",
     ["1 to 100000"]),
    ("per-host--1", ["--per-host", "-1"], "--per-host", "-1",
     ["0", "100000"]),
    ("r-0", ["-r", "0"], "--rate", "0", ["20/s"]),
    ("r-10/d", ["-r", "10/d"], "--rate", "10/d", ["300/m"]),
    ("per-host-rate-x", ["--per-host-rate", "x"], "--per-host-rate", "x",
     ["20/s"]),
    ("t--1", ["-t", "-1"], "--timeout", "-1", ["number"]),
    ("t-abc", ["-t", "abc"], "--timeout", "abc", ["number"]),
    ("connect-timeout-x", ["--connect-timeout", "x"], "--connect-timeout",
     "x", ["number"]),
    ("retries-101", ["--retries", "101"], "--retries", "101",
     ["0 to 100"]),
    ("retry-on-foo", ["--retry-on", "foo"], "--retry-on", "foo",
     ["error kinds", "timeout", "none"]),
    ("retry-on-list", ["--retry-on", "connect,foo"], "--retry-on",
     "connect,foo", ["'foo'", "error kinds"]),
    ("retry-delay-x", ["--retry-delay", "x"], "--retry-delay", "x",
     ["number"]),
    ("retry-max-delay-x", ["--retry-max-delay", "x"], "--retry-max-delay",
     "x", ["number"]),
    ("X-bad-method", ["-X", "BAD METHOD"], "--method", "BAD METHOD",
     ["method"]),
    ("H-no-colon", ["-H", "NoColon"], "--header", "NoColon",
     ["Name: value"]),
    ("H-crlf", ["-H", "A: b\r\nC: d"], "--header", "A: b\r\nC: d",
     ["Name: value", "CR or LF"]),
    ("d-missing-file", ["-d", "@/nonexistent"], "--data", "@/nonexistent",
     ["No such file or directory"]),
    ("A-newline", ["-A", "x\ny"], "--user-agent", "x\ny", ["CR or LF"]),
    ("max-redirs--1", ["--max-redirs", "-1"], "--max-redirs", "-1",
     ["integer from 0"]),
    ("max-size-0", ["--max-size", "0"], "--max-size", "0",
     ["K, M or G"]),
    ("max-size-10X", ["--max-size", "10X"], "--max-size", "10X",
     ["K, M or G"]),
    ("body=xml", ["--body=xml"], "--body", "xml",
     ["auto, text, base64, json or none"]),
    ("b-xml", ["-bxml"], "--body", "xml",
     ["auto, text, base64, json or none"]),
    ("shard-0/3", ["--shard", "0/3"], "--shard", "0/3", ["K/N"]),
    ("shard-4/3", ["--shard", "4/3"], "--shard", "4/3", ["K/N"]),
    ("t-exponent", ["-t", "1e3"], "--timeout", "1e3", ["number"]),
    ("c-exponent", ["-c", "1e3"], "--concurrency", "1e3", ["1 to 100000"]),
    ("rate-unit", ["-r", "20/fortnight"], "--rate", "20/fortnight",
     ["20/s"]),
    ("x-space", ["-x", "bogus proxy"], "--proxy", "bogus proxy",
     ["SCHEME"]),
    ("x-scheme", ["-x", "htp://p:3128"], "--proxy", "htp://p:3128",
     ["socks5h"]),
    ("user-empty", ["-u", ""], "--user", "", ["USER:PASSWORD"]),
    ("resolve", ["--resolve", "h:80"], "--resolve", "h:80",
     ["HOST:PORT:ADDRESS"]),
    ("connect-to", ["--connect-to", "h:80"], "--connect-to", "h:80",
     ["HOST1:PORT1:HOST2:PORT2"]),
    ("cacert", ["--cacert", "/nonexistent.pem"], "--cacert",
     "/nonexistent.pem", ["No such file"]),
    ("capath", ["--capath", "/nonexistent"], "--capath", "/nonexistent",
     ["directory"]),
    ("cert", ["--cert", "/nonexistent.pem:pw"], "--cert",
     "/nonexistent.pem:pw", ["No such file"]),
    ("key", ["--key", "/nonexistent.key"], "--key", "/nonexistent.key",
     ["No such file"]),
    ("H-file", ["-H", "@/nonexistent"], "--header", "@/nonexistent",
     ["No such file"]),
    ("H-semicolon-value", ["-H", "A; b"], "--header", "A; b",
     ["Name;"]),
    ("data-binary-file", ["--data-binary", "@/nonexistent"],
     "--data-binary", "@/nonexistent", ["No such file"]),
]


def assert_usage_error(code, out, err, server):
    assert code == 2, "exit %d, stderr %r" % (code, err)
    assert out == b"", "stdout not empty: %r" % out[:500]
    assert err.startswith("cofetch: "), err
    assert HINT in err, "no %r in %r" % (HINT, err)
    assert server.stats()["count"] == 0, "a request was made"


@pytest.mark.parametrize("args,opt,value,accepted",
                         [v[1:] for v in VALUE_ERRORS],
                         ids=[v[0] for v in VALUE_ERRORS])
def test_bad_value_names_option_value_and_what_is_accepted(
        cofetch_bin, server, args, opt, value, accepted):
    code, out, err = raw(cofetch_bin, args + [server.url("/ok")])
    assert_usage_error(code, out, err, server)
    assert opt in err, "option %s not named in %r" % (opt, err)
    assert "'%s'" % value in err, "value %r not quoted in %r" % (value, err)
    for a in accepted:
        assert a in err, "accepted values (%r) not said in %r" % (a, err)


@pytest.mark.parametrize("args,opt,value,accepted",
                         [v[1:] for v in VALUE_ERRORS],
                         ids=[v[0] for v in VALUE_ERRORS])
def test_bad_value_message_has_the_documented_shape(
        cofetch_bin, server, args, opt, value, accepted):
    """`cofetch: OPT: 'VALUE' is not valid: WHY`, WHY not repeating the
    'VALUE' is not valid part (brief 15, man DIAGNOSTICS)."""
    code, out, err = raw(cofetch_bin, args + [server.url("/ok")])
    head = "cofetch: %s: '%s' is not valid: " % (opt, value)
    assert err.startswith(head), "%r does not start with %r" % (err, head)
    why = err[len(head):]
    assert "'%s' is not valid" % value not in why, \
        "the message says twice that %r is not valid: %r" % (value, err)
    assert err.endswith(HINT + "\n"), err


def test_save_onto_a_regular_file(cofetch_bin, server, tmp_path):
    f = tmp_path / "plain"
    f.write_text("not a directory\n")
    code, out, err = raw(cofetch_bin, ["--save", f, server.url("/ok")])
    assert code == 2, err
    assert out == b""
    assert "--save" in err and str(f) in err, err
    assert "directory" in err, "what is accepted is not said: %r" % err
    assert f.read_text() == "not a directory\n"
    assert server.stats()["count"] == 0
    assert HINT in err, ("--save onto a regular file exits 2 (a usage "
                         "error) but does not point to --help: %r" % err)
    assert err.count(HINT) == 1, err


@pytest.mark.parametrize("args", [["--save-as", "/abs/{index}"],
                                  ["--save-as", "../{index}"]])
def test_save_as_errors_point_to_help_once(cofetch_bin, server, tmp_path,
                                           args):
    code, out, err = raw(cofetch_bin, ["--save", tmp_path / "d"] + args +
                         [server.url("/ok")])
    assert code == 2, err
    assert "--save-as" in err and err.count(HINT) == 1, err


def test_resume_without_output(cofetch_bin, server, tmp_path):
    code, out, err = raw(cofetch_bin, ["--resume", server.url("/ok")])
    assert_usage_error(code, out, err, server)
    assert "--resume" in err and "-o" in err, err


@pytest.mark.parametrize("opt", ["--no-such-option", "-Z", "--re"],
                         ids=["unknown-long", "unknown-short", "prefix"])
def test_unknown_option(cofetch_bin, server, opt):
    code, out, err = raw(cofetch_bin, [opt, server.url("/ok")])
    assert_usage_error(code, out, err, server)
    assert "'%s'" % opt in err, err


@pytest.mark.parametrize("opt,long", [
    ("-c", "--concurrency"), ("--concurrency", "--concurrency"),
    ("-o", "--output"), ("--timeout", "--timeout"), ("--shard", "--shard"),
    ("-H", "--header"),
], ids=["-c", "--concurrency", "-o", "--timeout", "--shard", "-H"])
def test_missing_argument(cofetch_bin, server, opt, long):
    """The option is last, with no value after it: the message says that a
    value is missing for that option (not that the option is unknown)."""
    code, out, err = raw(cofetch_bin, [server.url("/ok"), opt])
    assert_usage_error(code, out, err, server)
    assert opt in err or long in err, err
    if opt.startswith("--"):
        assert opt in err, "%s is not named: %r" % (opt, err)
    assert "unknown" not in err, \
        "a known option missing its value is called unknown: %r" % err
    assert "value" in err or "argument" in err, err


def test_unreadable_input_file_exits_2_before_any_request(cofetch_bin,
                                                          server, tmp_path):
    """A missing -i file after a good one and URL arguments: exit 2 and
    nothing fetched, not even the URL arguments or the first file. This is
    the `input file that cannot be read` case of EXIT STATUS, reported as
    `cannot read PATH: REASON` (no --help hint required)."""
    good = lines_file(tmp_path / "good", [server.url("/ok?from=file")])
    code, out, err = raw(cofetch_bin, [server.url("/ok?from=arg"), "-i",
                                       good, "-i", "/nonexistent"])
    assert code == 2, err
    assert out == b""
    assert err.startswith("cofetch: "), err
    assert "/nonexistent" in err, err
    assert "No such file or directory" in err, err
    assert server.stats()["count"] == 0, "requests were made"


def test_input_directory_exits_2(cofetch_bin, server, tmp_path):
    code, out, err = raw(cofetch_bin, ["-i", tmp_path, server.url("/ok")])
    assert code == 2, err
    assert out == b""
    assert str(tmp_path) in err, err
    assert server.stats()["count"] == 0


def test_every_usage_error_leaves_the_output_file_alone(cofetch_bin, server,
                                                        tmp_path):
    """A usage error is found before -o FILE is truncated."""
    out_file = tmp_path / "out.jsonl"
    out_file.write_text('{"index":0}\n')
    code, out, err = raw(cofetch_bin, ["-o", out_file, "-c", "0",
                                       server.url("/ok")])
    assert code == 2
    assert out_file.read_text() == '{"index":0}\n'


@pytest.mark.parametrize("args,first,second", [
    (["-H", "@-"], "-H @-", "the input"),
    (["-H", "@-", "-i", "-"], "-H @-", "-i -"),
    (["-d", "@-"], "-d @-", "the input"),
    (["-d", "@-", "-H", "@-", "URL"], "-d @-", "-H @-"),
    (["-H", "@-", "-H", "@-", "URL"], "-H @-", "more than once"),
    (["-d", "@-", "-d", "@-", "URL"], "-d @-", "more than once"),
    (["--data-binary", "@-", "-i", "-"], "--data-binary @-", "-i -"),
    (["-i", "/dev/stdin", "-H", "@-"], "-H @-", "-i /dev/stdin"),
    (["-H", "@/dev/fd/0", "-i", "-"], "-H @/dev/fd/0", "-i -"),
    (["-H", "@/dev/stdin", "-i", "-"], "-H @/dev/stdin", "-i -"),
    (["-d", "@/dev/stdin", "URL", "-i", "/dev/fd/0"], "-d @/dev/stdin",
     "-i /dev/fd/0"),
    (["-i", "/dev/stdin", "-i", "-"], "-i /dev/stdin", "-i -"),
], ids=["H-input", "H-i", "d-input", "d-H", "H-H", "d-d", "data-binary-i",
        "i-devstdin-H", "H-devfd0-i", "H-devstdin-i", "d-devstdin-i-devfd0",
        "i-devstdin-i"])
def test_two_readers_of_stdin_are_a_usage_error(server, tmp_path, args,
                                                first, second):
    # -H @- used to take stdin silently: `cofetch -H @- -i -` then read
    # an empty input and exited 0 with no record.
    args = [server.url("/ok") if a == "URL" else a for a in args]
    p = subprocess.run([BINARY] + args, input=b"X-A: 1\n",
                       capture_output=True, env=binary_env(),
                       timeout=30 * SLOW)
    err = p.stderr.decode("utf-8", "replace")
    check_sanitizer(err)
    assert p.returncode == 2, err
    assert p.stdout == b""
    assert first in err and second in err, err
    assert server.stats()["count"] == 0


def test_stdin_named_as_a_file_is_one_reader_alone(server):
    """-i /dev/stdin, or -H @/dev/stdin with URLs, is a single reader."""
    p = subprocess.run([BINARY, "-i", "/dev/stdin"],
                       input=(server.url("/ok") + "\n").encode(),
                       capture_output=True, env=binary_env(),
                       timeout=30 * SLOW)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["ok"] is True
    p = subprocess.run([BINARY, "-H", "@/dev/stdin", "--body", "text",
                        server.url("/echo")],
                       input=b"X-From-Stdin: yes\n", capture_output=True,
                       env=binary_env(), timeout=30 * SLOW)
    assert p.returncode == 0, p.stderr
    sent = json.loads(json.loads(p.stdout)["body"])["headers"]
    assert ["X-From-Stdin", "yes"] in sent, sent


def test_a_regular_file_on_stdin_may_also_be_named(server, tmp_path):
    """A regular file redirected to stdin is opened afresh by name: both
    readers get it whole, so that is no usage error."""
    f = tmp_path / "hdr"
    f.write_bytes(b"X-From-File: yes\n")
    with open(f, "rb") as stdin:
        p = subprocess.run([BINARY, "-H", "@/dev/stdin", "-H", "@%s" % f,
                            "--body", "text", server.url("/echo")],
                           stdin=stdin, capture_output=True,
                           env=binary_env(), timeout=30 * SLOW)
    assert p.returncode == 0, p.stderr
    sent = json.loads(json.loads(p.stdout)["body"])["headers"]
    assert ["X-From-File", "yes"] in sent, sent


def test_header_lines_from_stdin_with_urls_as_arguments(server):
    p = subprocess.run([BINARY, "-H", "@-", "--body", "text",
                        server.url("/echo")],
                       input=b"X-From-Stdin: yes\n", capture_output=True,
                       env=binary_env(), timeout=30 * SLOW)
    assert p.returncode == 0, p.stderr
    rec = json.loads(p.stdout)
    sent = json.loads(rec["body"])["headers"]
    assert ["X-From-Stdin", "yes"] in sent, sent


@pytest.mark.parametrize("opt", ["--netrc-file", "--cookie", "--cacert",
                                 "--key", "--cert", "CURL_CA_BUNDLE"])
def test_a_file_read_while_requests_run_is_no_fifo(cofetch_bin, server,
                                                   tmp_path, opt):
    # libcurl reads the netrc and cookie files for every transfer and
    # OpenSSL the CA file and keys at the first TLS connection, on the
    # loop: given a FIFO, open() waited for a writer and the run stood
    # still past SIGTERM (--netrc-file FIFO was killed after 2 s). Now a
    # usage error at start, as for --cookie-jar.
    import os
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    env = None
    if opt == "CURL_CA_BUNDLE":
        args = []
        env = dict(binary_env(), CURL_CA_BUNDLE=str(fifo))
    else:
        args = [opt, fifo]
    p = subprocess.run([cofetch_bin] + [str(a) for a in args] +
                       [server.url("/ok")], capture_output=True,
                       stdin=subprocess.DEVNULL, env=env or binary_env(),
                       timeout=10 * SLOW)
    err = p.stderr.decode("utf-8", "replace")
    check_sanitizer(err)
    assert_usage_error(p.returncode, p.stdout, err, server)
    assert "'%s'" % fifo in err and "FIFO" in err, err
