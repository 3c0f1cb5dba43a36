"""The live progress line (SPEC --progress/--no-progress; man page
--progress; src/progress.c), on a real terminal: tmux runs cofetch in a
detached 120x20 pane and the tests read the screen with capture-pane.

On a terminal the line is redrawn in place and erased at the end; it is off
with --no-progress, and by default when the records go to the same
terminal; it never reaches stdout; with --progress and stderr not a
terminal it is plain lines without escape codes."""

import json
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import (BINARY, SLOW, binary_env, check_sanitizer, lines_file,
                      parse_records)

pytestmark = pytest.mark.skipif(not shutil.which("tmux"),
                                reason="tmux not installed")

WIDTH, HEIGHT = 120, 20
# "5/31 16%  6.20/s (avg 6.20/s)  ETA 4s  in flight 5  ok 4  fail 1 (http 1)"
LINE_KNOWN = re.compile(
    r"^(?P<done>\d+)/(?P<total>\d+) (?P<pct>\d+)%  (?P<rate>[\d.]+)/s"
    r" \(avg (?P<avg>[\d.]+)/s\)  ETA (?P<eta>\S+)"
    r"  in flight (?P<inflight>\d+)  ok (?P<ok>\d+)  fail (?P<fail>\d+)"
    r"(?P<kinds> \(.*\))?$")
# Total unknown (a pipe): "12 done  6.20/s (avg ...)  in flight 5  ..."
LINE_UNKNOWN = re.compile(
    r"^(?P<done>\d+) done  (?P<rate>[\d.]+)/s \(avg (?P<avg>[\d.]+)/s\)"
    r"  in flight (?P<inflight>\d+)  ok (?P<ok>\d+)  fail (?P<fail>\d+)"
    r"(?P<kinds> \(.*\))?$")


class Tmux:
    """One detached session on a private tmux server (its own socket), so
    that nothing of the user's tmux is touched."""

    def __init__(self, tag, width=WIDTH):
        self.width = width
        self.sock = "cofetch-test-%d-%s" % (os.getpid(), tag)
        self.name = tag
        self.env = binary_env()
        self.env.pop("TMUX", None)
        self.env.setdefault("TERM", "xterm")

    def tm(self, *args, **kw):
        return subprocess.run(["tmux", "-L", self.sock] + list(args),
                              env=self.env, **kw)

    def start(self, cmd):
        self.tm("-f", "/dev/null", "new-session", "-d", "-s", self.name,
                "-x", str(self.width), "-y", str(HEIGHT), cmd, check=True)

    def screen(self, history=False, join=False):
        args = ["capture-pane", "-p", "-t", self.name]
        if history:
            args += ["-S", "-"]
        if join:
            args.append("-J")
        return self.tm(*args, capture_output=True, text=True,
                       check=True).stdout

    def kill(self):
        self.tm("kill-server", stderr=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL)


@pytest.fixture
def tmux(request):
    sessions = []

    def _new(tag, width=WIDTH):
        t = Tmux(tag, width)
        sessions.append(t)
        return t

    yield _new
    for t in sessions:
        t.kill()


def rows(screen):
    return [r.rstrip() for r in screen.split("\n") if r.strip()]


def run_in_tmux(tmux, tag, d, args, shell_tail="", width=WIDTH):
    """Start `cd d; cofetch args [shell_tail]; echo $? > rc; sleep 30`."""
    t = tmux(tag, width)
    cmd = "cd %s; %s %s%s; echo $? > rc; sleep 30" % (
        d, BINARY, " ".join(args), shell_tail)
    (d / "rc").unlink(missing_ok=True)
    t.start(cmd)
    return t


def poll_until_done(t, d, timeout):
    """Capture the screen every 50 ms until rc appears; return the list of
    screens seen (as row lists) and the exit status."""
    screens = []
    deadline = time.monotonic() + timeout * SLOW
    while not (d / "rc").exists():
        assert time.monotonic() < deadline, \
            "cofetch did not finish; screen: %r" % screens[-1:]
        screens.append(rows(t.screen()))
        time.sleep(0.05)
    time.sleep(0.1)
    return screens, int((d / "rc").read_text())


def test_progress_line_is_drawn_in_place_and_erased(tmux, server, tmp_path):
    # One failure first, then 30 slow requests, 5 at a time: about 5 s.
    lines_file(tmp_path / "list", [server.url("/status/404")] +
               [server.url("/delay?ms=800&n=%d" % i) for i in range(30)])
    t = run_in_tmux(tmux, "draw", tmp_path,
                    ["-c", "5", "-o", "out.jsonl", "-i", "list"])
    screens, rc = poll_until_done(t, tmp_path, 30)
    assert rc == 1

    seen = []
    for scr in screens:
        if not scr:
            continue
        # The line fits the width: one row, never wrapped, no other text.
        assert len(scr) == 1, "more than one row on screen: %r" % scr
        line = scr[0]
        assert len(line) <= WIDTH - 1, line
        m = LINE_KNOWN.match(line)
        assert m, "not a progress line: %r" % line
        v = {k: int(m.group(k)) for k in ("done", "total", "pct",
                                          "inflight", "ok", "fail")}
        assert v["total"] == 31, line
        assert v["pct"] == v["done"] * 100 // 31, line
        assert v["ok"] + v["fail"] == v["done"], line
        assert 0 <= v["inflight"] <= 5, line
        assert v["fail"] <= 1, line
        if v["fail"]:
            assert m.group("kinds") == " (http 1)", line
        seen.append((v["done"], float(m.group("rate")), line))
    mid = [s for s in seen if 5 <= s[0] < 31]
    assert mid, "no progress line with 5 or more done seen; lines: %r" % (
        sorted({s[2] for s in seen})[:20],)
    assert any(r > 0 for _, r, _ in mid), "rate never above 0: %r" % mid[:5]
    assert any(s[0] == 31 or "in flight 5" in s[2] for s in seen)
    dones = [s[0] for s in seen]
    assert dones == sorted(dones), "done went backwards: %r" % dones

    # After the run: nothing of the line is left, not even in the history.
    final = t.screen(history=True)
    assert final.strip() == "", "left on screen: %r" % final
    recs = [json.loads(ln) for ln in
            (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(recs) == 31
    assert sorted(r["index"] for r in recs) == list(range(31))


def test_progress_line_fits_a_narrow_terminal(tmux, server, tmp_path):
    """40 columns: the least useful fields go first and the line is cut to
    39 columns, so it never wraps onto a second row."""
    lines_file(tmp_path / "list", [server.url("/status/500")] +
               [server.url("/delay?ms=500")] * 8)
    t = run_in_tmux(tmux, "narrow", tmp_path,
                    ["-c", "2", "--retries", "0", "-o", "out.jsonl", "-i",
                     "list"], width=40)
    screens, rc = poll_until_done(t, tmp_path, 20)
    assert rc == 1
    shown = [s for s in screens if s]
    assert shown, "no progress line seen"
    for scr in shown:
        assert len(scr) == 1 and len(scr[0]) <= 39, scr
        assert re.match(r"^\d+/9 \d+%  [\d.]+/s", scr[0]), scr
    assert t.screen(history=True).strip() == ""


def test_no_progress_shows_nothing_on_a_terminal(tmux, server, tmp_path):
    lines_file(tmp_path / "list", [server.url("/delay?ms=300")] * 10)
    t = run_in_tmux(tmux, "noprog", tmp_path,
                    ["--no-progress", "-c", "5", "-o", "out.jsonl", "-i",
                     "list"])
    screens, rc = poll_until_done(t, tmp_path, 20)
    assert rc == 0
    assert len(screens) >= 5
    assert all(not s for s in screens), \
        "something on screen: %r" % [s for s in screens if s][:3]
    assert t.screen(history=True).strip() == ""


def test_quiet_shows_nothing_on_a_terminal(tmux, server, tmp_path):
    lines_file(tmp_path / "list", [server.url("/delay?ms=300")] * 10)
    t = run_in_tmux(tmux, "quiet", tmp_path,
                    ["-q", "-c", "5", "-o", "out.jsonl", "-i", "list"])
    screens, rc = poll_until_done(t, tmp_path, 20)
    assert rc == 0
    assert all(not s for s in screens), \
        "something on screen: %r" % [s for s in screens if s][:3]


def test_no_line_by_default_when_records_share_the_terminal(tmux, server,
                                                          tmp_path):
    """stdout and stderr on the same terminal, no -o: the screen holds the
    records and nothing else."""
    lines_file(tmp_path / "list", [server.url("/delay?ms=300")] * 10)
    t = run_in_tmux(tmux, "shared", tmp_path, ["-c", "5", "-i", "list"])
    screens, rc = poll_until_done(t, tmp_path, 20)
    assert rc == 0
    text = t.screen(history=True, join=True)
    lines = [ln for ln in text.split("\n") if ln.strip()]
    assert len(lines) == 10, text
    for ln in lines:
        assert isinstance(json.loads(ln), dict), ln


def test_progress_on_a_terminal_never_reaches_stdout(tmux, server,
                                                     tmp_path):
    """--progress, stderr on the terminal, stdout redirected to a file and
    the input a pipe (total unknown: "N done"): the file holds only the
    records."""
    lines_file(tmp_path / "list", [server.url("/delay?ms=400")] * 12)
    t = tmux("stdout")
    (tmp_path / "rc").unlink(missing_ok=True)
    t.start("cd %s; cat list | %s --progress -c 4 > out.jsonl; "
            "echo $? > rc; sleep 30" % (tmp_path, BINARY))
    screens, rc = poll_until_done(t, tmp_path, 20)
    assert rc == 0
    data = (tmp_path / "out.jsonl").read_bytes()
    assert b"\r" not in data and b"\x1b" not in data, data[:300]
    recs = parse_records(data)
    assert len(recs) == 12
    shown = [s[0] for s in screens if s]
    assert shown, "no progress line seen on the terminal"
    for line in shown:
        m = LINE_UNKNOWN.match(line)
        assert m, "not a progress line (total unknown): %r" % line
        assert "ETA" not in line
        assert int(m.group("inflight")) <= 4
    assert t.screen(history=True).strip() == ""


def test_forced_progress_off_a_terminal_is_plain_lines(server, tmp_path):
    """--progress, stdout to a file, stderr a pipe: the file has only the
    records; stderr has plain "cofetch: ..." lines, about one a second and
    one at the end, without carriage returns or escape codes."""
    lst = lines_file(tmp_path / "list", [server.url("/delay?ms=500")] * 12 +
                     [server.url("/status/404")])
    out = tmp_path / "out.jsonl"
    with open(out, "wb") as f:
        p = subprocess.run([BINARY, "--progress", "-c", "2", "-i", lst],
                           stdout=f, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, env=binary_env(),
                           timeout=30 * SLOW)
    assert p.returncode == 1
    recs = parse_records(out.read_bytes())
    assert len(recs) == 13
    err = p.stderr.decode()
    check_sanitizer(err)
    assert "\r" not in err and "\x1b" not in err, repr(err)
    assert err.endswith("\n")
    lines = err[:-1].split("\n")
    assert len(lines) >= 3, "expected a line a second over ~3 s: %r" % err
    for ln in lines:
        assert ln.startswith("cofetch: "), ln
        m = LINE_KNOWN.match(ln[len("cofetch: "):])
        assert m, "not a progress line: %r" % ln
        assert int(m.group("total")) == 13
        assert int(m.group("ok")) + int(m.group("fail")) == \
            int(m.group("done"))
    last = LINE_KNOWN.match(lines[-1][len("cofetch: "):])
    assert last.group("done") == "13" and last.group("pct") == "100"
    assert last.group("ok") == "12" and last.group("fail") == "1"
    assert last.group("inflight") == "0"
    assert last.group("kinds") == " (http 1)"


def test_no_progress_when_stderr_is_not_a_terminal(run, server):
    code, recs, err = run(["-c", "2", server.url("/delay?ms=300"),
                           server.url("/delay?ms=300"),
                           server.url("/delay?ms=300")])
    assert code == 0 and len(recs) == 3
    assert err == ""
