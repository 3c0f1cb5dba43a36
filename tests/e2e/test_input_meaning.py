"""Input that must not change meaning on the way through (issue 9, item
9; man page INPUT FORMAT and EXIT STATUS): a JSON id is echoed as its
exact text, every line keeps its index whatever its length or bytes, and
an input that cannot be read to its end is an error, never a success."""

import json
import re
import subprocess

from conftest import BINARY, assert_record_shape, kind, lines_file, \
    need_binary


def run_raw(args, input=None, timeout=60):
    """(exit code, stdout lines as bytes, stderr) without parsing numbers
    through Python floats."""
    need_binary()
    p = subprocess.run([BINARY] + [str(a) for a in args], input=input,
                       stdin=None if input is not None else
                       subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.splitlines(), p.stderr.decode("utf-8",
                                                               "replace")


def test_a_numeric_id_is_echoed_as_its_exact_json_text(server):
    """Through a double these came back as 12345678901234568,
    9.223372036854776e+18 and null."""
    ids = [b"12345678901234567", b"9223372036854775808", b"1e400",
           b"-0.0", b"1.50", b"1E+2",
           b"[ 1.0 , {\"a\" : 123456789012345678901234567890} ]",
           b"\"\\u00e9\\/\""]
    want = [b"12345678901234567", b"9223372036854775808", b"1e400",
            b"-0.0", b"1.50", b"1E+2",
            b"[1.0,{\"a\":123456789012345678901234567890}]",
            b"\"\\u00e9\\/\""]
    lines = b"".join(b'{"url": "' + server.url("/ok?i=%d" % n).encode() +
                     b'", "id": ' + v + b"}\n" for n, v in enumerate(ids))
    code, out, err = run_raw(["--ordered"], input=lines)
    assert code == 0, err
    assert len(out) == len(ids)
    for n, (line, w) in enumerate(zip(out, want)):
        head = b'{"index":%d,"id":' % n
        assert line.startswith(head + w + b',"url":'), line[:120]
        json.loads(line)        # still one valid JSON object


def test_an_invalid_lines_id_is_echoed_exactly_too():
    code, out, err = run_raw([], input=b'{"url": "ftp://x/", '
                             b'"id": 12345678901234567}\n')
    assert code == 1
    assert out[0].startswith(b'{"index":0,"id":12345678901234567,')


def test_70000_spaces_then_a_url_keeps_its_index_and_one_record(run,
                                                                 server):
    url = server.url("/ok?b=1")
    data = (server.url("/ok?a=1") + "\n" + " " * 70000 + url + "\n" +
            server.url("/ok?c=1") + "\n")
    code, recs, err = run(["--ordered"], input=data)
    assert code == 1, err
    assert [r["index"] for r in recs] == [0, 1, 2]
    assert recs[0]["ok"] and recs[2]["ok"]
    assert recs[2]["url"] == server.url("/ok?c=1")
    assert kind(recs[1]) == "invalid_input"
    assert "64 KiB" in recs[1]["error"]["message"]
    assert recs[1]["url"] == url      # the text, from where it starts
    assert sorted(r["target"] for r in server.requests()) == \
        ["/ok?a=1", "/ok?c=1"]


def test_65536_tabs_then_x_keeps_its_index_and_one_record(run, server):
    data = "\t" * 65536 + "x\n" + server.url("/ok?after=1") + "\n"
    code, recs, err = run(["--ordered"], input=data)
    assert code == 1, err
    assert [r["index"] for r in recs] == [0, 1]
    assert kind(recs[0]) == "invalid_input"
    assert recs[0]["url"] == "x"
    assert recs[1]["ok"] and recs[1]["url"] == server.url("/ok?after=1")


def test_every_line_over_64k_has_exactly_one_record(run, server, tmp_path):
    """Whatever its leading white space, and whether or not it ends the
    file without a newline; blank and comment lines stay no requests,
    however long."""
    lines = [b"a" * 70000,
             b" " * 65535 + b"b" * 10,          # text straddles the cut
             b" " * 70000 + b"# a long comment",
             b"#" + b"c" * 100000,
             b" \t" * 50000,                    # a long blank line
             b"\xef\xbb\xbf" + b" " * 70000 + b"d",
             server.url("/ok?mid=1").encode(),
             b" " * 200000 + b"e"]              # the last, no newline
    f = tmp_path / "long"
    f.write_bytes(b"\n".join(lines))
    code, recs, err = run(["--ordered", "--progress", "-i", f])
    assert code == 1, err
    assert [r["index"] for r in recs] == [0, 1, 2, 3, 4]
    for i in (0, 1, 2, 4):
        assert kind(recs[i]) == "invalid_input", recs[i]
        assert_record_shape(recs[i])
    assert recs[1]["url"] == "b" * 10
    assert recs[2]["url"] == "d"
    assert recs[4]["url"] == "e"
    assert recs[3]["ok"]
    # The counting ahead of the reader follows the same rule: 5 of 5.
    finals = re.findall(r"(\d+)/(\d+) ", err)
    assert finals and finals[-1] == ("5", "5"), err


def test_nul_bytes_cr_only_ends_and_a_last_line_without_newline(run, server):
    data = (b"a\0b\n" +                                 # invalid_input
            b"http://x/\rhttp://y/\r\n" +                # one line
            server.url("/ok?n=1").encode() + b"\n" +
            server.url("/ok?last=1").encode())          # no newline
    code, recs, err = run(["--ordered"], input=data)
    assert code == 1, err
    assert [r["index"] for r in recs] == [0, 1, 2, 3]
    assert kind(recs[0]) == "invalid_input"
    assert "NUL" in recs[0]["error"]["message"]
    assert kind(recs[1]) == "invalid_url"
    assert recs[1]["url"] == "http://x/\rhttp://y/"
    assert recs[2]["ok"] and recs[3]["ok"]
    assert recs[3]["url"] == server.url("/ok?last=1")


def test_a_read_error_before_any_request_exits_2_naming_it(server):
    """/proc/self/mem opens but cannot be read at offset 0 (EIO)."""
    code, out, err = run_raw(["-q", "-i", "/proc/self/mem"])
    assert code == 2, err
    assert out == []
    assert "/proc/self/mem" in err and "Input/output error" in err
    assert server.stats()["count"] == 0


def test_a_read_error_after_requests_started_exits_2_naming_it(server,
                                                               tmp_path):
    good = lines_file(tmp_path / "good", [server.url("/ok?g=1"),
                                          server.url("/ok?g=2")])
    code, out, err = run_raw(["--ordered", "-i", good, "-i",
                              "/proc/self/mem"])
    assert code == 2, err
    recs = [json.loads(x) for x in out]
    assert [r["index"] for r in recs] == [0, 1]
    assert all(r["ok"] for r in recs)
    assert "cannot read /proc/self/mem: Input/output error" in err


def test_a_directory_as_input_exits_2_before_any_request(server, tmp_path):
    code, out, err = run_raw([server.url("/ok?arg=1"), "-i", tmp_path])
    assert code == 2
    assert out == []
    assert "directory" in err
    assert server.stats()["count"] == 0


def test_resume_takes_no_fractional_index_for_a_whole_one(server, tmp_path):
    """A record index read back through a double: 1.5 is no record of
    index 1, so index 1 is still fetched."""
    urls = lines_file(tmp_path / "urls", [server.url("/ok?r=0"),
                                          server.url("/ok?r=1")])
    out = tmp_path / "out.jsonl"
    out.write_text('{"index":1.5,"url":"x","ok":true}\n')
    code, _, err = run_raw(["--resume", "-o", out, "-i", urls])
    assert code == 0, err
    assert sorted(r["target"] for r in server.requests()) == \
        ["/ok?r=0", "/ok?r=1"]
