"""Name and address control (man page, OPTIONS): --resolve and
--connect-to reach a loopback server under another name, -4/-6 pick the
address family. Names other than 127.0.0.1 are used only inside a network
namespace of this test's own (unshare -n, lo up), so a name that slipped
through to DNS could reach nothing."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import BINARY, SLOW, binary_env, check_sanitizer

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else \
    sys.executable

# Runs inside the namespace: lo up, a server answering with the Host
# header it got, cofetch with PORT in its arguments replaced.
INSIDE = r"""
import http.server, json, subprocess, sys, threading
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"host": self.headers.get("Host")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
port = str(srv.server_address[1])
args = [a.replace("PORT", port) for a in json.loads(sys.argv[1])]
p = subprocess.run(args, capture_output=True, stdin=subprocess.DEVNULL)
sys.stdout.write(json.dumps({"code": p.returncode, "port": port,
                             "out": p.stdout.decode(),
                             "err": p.stderr.decode()}))
"""


def in_netns(args):
    if os.geteuid() != 0 or not shutil.which("unshare") or \
            not shutil.which("ip"):
        pytest.skip("needs root, unshare and ip for a network namespace")
    p = subprocess.run(["unshare", "-n", PYTHON, "-c", INSIDE,
                        json.dumps([BINARY] + [str(a) for a in args])],
                       capture_output=True, env=binary_env(),
                       timeout=60 * SLOW)
    if p.returncode != 0:
        pytest.skip("no network namespace: %s" % p.stderr.decode()[-300:])
    res = json.loads(p.stdout)
    check_sanitizer(res["err"])
    res["recs"] = [json.loads(ln) for ln in res["out"].splitlines()]
    return res


def test_resolve_reaches_a_name_on_loopback():
    r = in_netns(["-b", "--resolve", "api.example.test:PORT:127.0.0.1",
                  "http://api.example.test:PORT/x"])
    assert r["code"] == 0, r
    rec = r["recs"][0]
    assert rec["remote_ip"] == "127.0.0.1"
    assert rec["body"] == {"host": "api.example.test:%s" % r["port"]}


def test_without_resolve_the_name_fails():
    r = in_netns(["--retries", "0", "http://api.example.test:PORT/x"])
    assert r["code"] == 1
    assert r["recs"][0]["error"]["kind"] == "dns", r


def test_connect_to_keeps_the_name_and_changes_the_address():
    r = in_netns(["-b", "--connect-to", "www.example.test:80:127.0.0.1:PORT",
                  "http://www.example.test/y"])
    assert r["code"] == 0, r
    assert r["recs"][0]["body"] == {"host": "www.example.test"}


def test_connect_to_with_empty_parts():
    r = in_netns(["-b", "--connect-to", "::127.0.0.1:PORT",
                  "http://anything.example.test/"])
    assert r["code"] == 0, r


def test_ipv4_only():
    r = in_netns(["-4", "--resolve", "a.example.test:PORT:127.0.0.1",
                  "http://a.example.test:PORT/"])
    assert r["code"] == 0, r
    r = in_netns(["-6", "--retries", "0", "--resolve",
                  "a.example.test:PORT:127.0.0.1",
                  "http://a.example.test:PORT/"])
    assert r["code"] == 1, r


@pytest.mark.parametrize("opt,value", [
    ("--resolve", "example.test:80"), ("--resolve", "example.test:x:1.2.3.4"),
    ("--connect-to", "a:80:b"), ("--connect-to", "a:99999:b:1"),
])
def test_bad_values_are_usage_errors(run, opt, value):
    code, recs, err = run([opt, value, "http://127.0.0.1:1/"])
    assert code == 2 and recs == []
    assert err.startswith("cofetch: %s: '%s' is not valid: " % (opt, value))
