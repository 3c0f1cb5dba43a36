"""The --stats human line names every error kind that occurred (issue
14): with four kinds, the old line said "(http 1, invalid_input 1,
invalid_url 1, other 1)" and hid the fourth."""

import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import BINARY, SLOW, binary_env, closed_port, lines_file


@pytest.mark.skipif(not shutil.which("tmux"), reason="tmux not installed")
def test_stats_human_line_names_every_error_kind(server, tmp_path):
    lines_file(tmp_path / "list", [
        server.url("/status/404"),
        "ftp://127.0.0.1/x",
        "{not json",
        "http://127.0.0.1:%d/" % closed_port(),
        server.url("/ok"),
    ])
    sock = "cofetch-kinds-%d" % os.getpid()
    cmd = "cd %s; %s --stats --retries 0 -o out.jsonl -i list; " \
          "echo $? > rc; sleep 30" % (tmp_path, BINARY)
    tm = ["tmux", "-L", sock]
    env = binary_env()
    env.pop("TMUX", None)
    try:
        subprocess.run(tm + ["-f", "/dev/null", "new-session", "-d", "-s",
                             "kinds", "-x", "200", "-y", "20", cmd],
                       check=True, env=env)
        deadline = time.monotonic() + 20 * SLOW
        while not (tmp_path / "rc").exists():
            assert time.monotonic() < deadline, "cofetch did not finish"
            time.sleep(0.1)
        time.sleep(0.2)
        screen = subprocess.run(tm + ["capture-pane", "-p", "-J", "-S", "-",
                                      "-t", "kinds"], check=True,
                                capture_output=True, text=True).stdout
    finally:
        subprocess.run(tm + ["kill-server"], stderr=subprocess.DEVNULL)
    assert (tmp_path / "rc").read_text().strip() == "1"
    rows = [r.rstrip() for r in screen.split("\n") if r.strip()]
    assert len(rows) == 2, "screen: %r" % screen
    errors = json.loads(rows[0])["errors"]
    assert errors == {"http": 1, "invalid_url": 1, "invalid_input": 1,
                      "connect": 1}, errors
    human = rows[1]
    assert "1 ok, 4 failed (" in human, human
    for k in errors:
        assert "%s 1" % k in human, human
    assert "other" not in human, human
