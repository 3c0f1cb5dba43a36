"""conftest.py: fixtures for cofetch's end-to-end tests.

The binary is $COFETCH (default: cofetch at the repository root). Every
server the tests talk to runs on 127.0.0.1 on a free port and is started and
stopped here: the scripted server (testserver.py), httpbin and nginx.

With COFETCH_ASAN=1 the binary is a sanitizer build: any sanitizer report
on its stderr fails the test, and timing bounds are loosened.

Run (from the repository root, with Debian's pytest):
    /usr/bin/python3 -m pytest -q tests/e2e                  # everything
    /usr/bin/python3 -m pytest -q -m "not slow" tests/e2e    # ~1 minute
    COFETCH=$PWD/cofetch-asan COFETCH_ASAN=1 \
        /usr/bin/python3 -m pytest -q -m "not slow" tests/e2e
"""

import http.client
import json
import os
import pathlib
import selectors
import shutil
import socket
import subprocess
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BINARY = os.environ.get("COFETCH") or str(ROOT / "cofetch")
ASAN = os.environ.get("COFETCH_ASAN") == "1"
# Upper time bounds are multiplied by this; lower bounds never are.
SLOW = 3.0 if ASAN else 1.0
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:",
                   "ERROR: LeakSanitizer")
PYTHON = sys.executable or "/usr/bin/python3"
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
              "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
RECORD_KEYS = ["index", "url", "method", "ok", "status", "http_version",
               "final_url", "redirects", "attempts", "size", "content_type",
               "remote_ip", "time", "elapsed", "error"]
TIME_KEYS = ["dns", "connect", "tls", "ttfb", "total", "wait"]
ERROR_KINDS = {"invalid_input", "invalid_url", "dns", "connect", "tls",
               "timeout", "send", "recv", "protocol", "too_many_redirects",
               "too_large", "http", "cancelled", "write", "robots", "internal"}


def pytest_configure(config):
    config.addinivalue_line("markers",
                            "slow: long-running (memory, large inputs)")


# -- the binary --------------------------------------------------------


def binary_env(extra=None):
    """The environment for cofetch: no proxy settings nor config file
    from the caller."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.setdefault("LC_ALL", "C.UTF-8")
    # No config file from the caller's home (man page, FILES): this
    # directory does not exist.
    env["XDG_CONFIG_HOME"] = str(HERE / "no-config-home")
    if extra:
        env.update(extra)
    return env


def check_sanitizer(stderr):
    for mark in SANITIZER_MARKS:
        assert mark not in stderr, "sanitizer report:\n" + stderr


class Records(list):
    """Parsed records; .lines holds the raw text of each line."""
    lines = ()


def parse_records(data):
    """Parse stdout bytes as JSON Lines, asserting every line is a whole,
    valid UTF-8 JSON object."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AssertionError("output is not valid UTF-8: %s" % e)
    recs = Records()
    if not text:
        return recs
    assert text.endswith("\n"), "last record not ended by a newline: %r" % (
        text[-200:],)
    recs.lines = text[:-1].split("\n")
    for line in recs.lines:
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise AssertionError("not a JSON line (%s): %r" % (e, line[:500]))
        assert isinstance(obj, dict), "record is not an object: %r" % line
        recs.append(obj)
    return recs


def need_binary():
    if not os.access(BINARY, os.X_OK):
        pytest.fail("cofetch binary not found at %s (build it with make, "
                    "or set COFETCH)" % BINARY)


class Proc:
    """A running cofetch with pipes, for tests that watch it over time."""

    def __init__(self, args, stdin=subprocess.DEVNULL, env=None, **kw):
        need_binary()
        self.args = [BINARY] + [str(a) for a in args]
        self.p = subprocess.Popen(self.args, stdin=stdin,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE,
                                  env=binary_env(env), **kw)
        self.buf = b""
        self.out = b""      # everything read from stdout so far
        self.err = b""

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def close_stdin(self):
        self.p.stdin.close()
        self.p.stdin = None

    def readline(self, timeout):
        """The next stdout line (bytes), or None after timeout seconds or
        at EOF. stderr is drained meanwhile."""
        deadline = time.monotonic() + timeout
        sel = selectors.DefaultSelector()
        sel.register(self.p.stdout, selectors.EVENT_READ, "out")
        sel.register(self.p.stderr, selectors.EVENT_READ, "err")
        try:
            while b"\n" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                ready = sel.select(left)
                eof = False
                for key, _ in ready:
                    chunk = os.read(key.fileobj.fileno(), 65536)
                    if key.data == "err":
                        self.err += chunk
                        if not chunk:
                            sel.unregister(self.p.stderr)
                        continue
                    if not chunk:
                        eof = True
                    self.buf += chunk
                    self.out += chunk
                if eof and b"\n" not in self.buf:
                    return None
            line, _, self.buf = self.buf.partition(b"\n")
            return line + b"\n"
        finally:
            sel.close()

    def finish(self, timeout=30):
        """Wait for the exit; return (code, records, stderr) for all of
        stdout (including lines already read with readline)."""
        try:
            out, err = self.p.communicate(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
            raise AssertionError("cofetch did not exit within %ss; "
                                 "stderr: %s" % (timeout, err[-2000:]))
        self.out += out
        self.err += err
        stderr = self.err.decode("utf-8", "replace")
        check_sanitizer(stderr)
        return self.p.returncode, parse_records(self.out), stderr

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        try:
            self.p.communicate(timeout=5)
        except Exception:
            pass


@pytest.fixture
def cofetch_bin():
    need_binary()
    return BINARY


@pytest.fixture
def run():
    """run(args, input=None, timeout=60, env=None) -> (exit code,
    records, stderr). Asserts every stdout line is a JSON object."""
    need_binary()

    def _run(args, input=None, timeout=60, env=None, cwd=None, **kw):
        cmd = [BINARY] + [str(a) for a in args]
        if isinstance(input, str):
            input = input.encode()
        stdin = subprocess.DEVNULL if input is None else None
        try:
            p = subprocess.run(cmd, input=input, stdin=stdin,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE,
                               timeout=timeout * SLOW, env=binary_env(env),
                               cwd=cwd, **kw)
        except subprocess.TimeoutExpired as e:
            raise AssertionError("cofetch %s did not finish within %ss; "
                                 "stderr: %r" % (args, timeout * SLOW,
                                                 (e.stderr or b"")[-2000:]))
        stderr = p.stderr.decode("utf-8", "replace")
        check_sanitizer(stderr)
        return p.returncode, parse_records(p.stdout), stderr

    return _run


@pytest.fixture
def spawn():
    """spawn(args, stdin=..., env=...) -> Proc; killed at the end."""
    procs = []

    def _spawn(args, **kw):
        pr = Proc(args, **kw)
        procs.append(pr)
        return pr

    yield _spawn
    for pr in procs:
        pr.kill()


def lines_file(path, lines):
    """Write lines (str or bytes) to path, one a line; return the path."""
    path = pathlib.Path(path)
    with open(path, "wb") as f:
        for ln in lines:
            if isinstance(ln, str):
                ln = ln.encode()
            f.write(ln + b"\n")
    return path


def by_index(records):
    return {r["index"]: r for r in records}


# -- servers -----------------------------------------------------------


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def closed_port():
    """A port on 127.0.0.1 nothing listens on."""
    return free_port()


def http_get(port, path, timeout=10, host="127.0.0.1"):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def wait_http(port, path, proc, timeout=20):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            http_get(port, path, timeout=2)
            return
        except OSError as e:
            last = e
            time.sleep(0.05)
    raise RuntimeError("server on port %d not answering: %s" % (port, last))


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ScriptedServer:
    """Handle on a testserver.py subprocess."""

    def __init__(self, proc, ports):
        self.proc = proc
        self.ports = ports
        self.port = ports[0]

    def base(self, i=0):
        return "http://127.0.0.1:%d" % self.ports[i]

    def url(self, path, i=0):
        if not path.startswith("/"):
            path = "/" + path
        return self.base(i) + path

    def host(self, i=0):
        return "127.0.0.1:%d" % self.ports[i]

    def stats(self):
        status, body = http_get(self.port, "/_stats")
        assert status == 200
        return json.loads(body)

    def requests(self, path=None):
        reqs = self.stats()["requests"]
        if path is not None:
            reqs = [r for r in reqs if r["path"] == path]
        return reqs

    def reset(self):
        assert self.proc.poll() is None, "test server died"
        http_get(self.port, "/_reset")


def start_scripted_server(tmpdir, extra_ports=1):
    port_file = os.path.join(str(tmpdir), "port")
    log = open(os.path.join(str(tmpdir), "server.log"), "wb")
    proc = subprocess.Popen([PYTHON, str(HERE / "testserver.py"), "--port",
                             "0", "--port-file", port_file,
                             "--extra-ports", str(extra_ports)],
                            stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + 15
    while not os.path.exists(port_file):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError("testserver.py did not start")
        time.sleep(0.02)
    ports = [int(x) for x in open(port_file).read().split()]
    return ScriptedServer(proc, ports)


@pytest.fixture(scope="session")
def _scripted_server(tmp_path_factory):
    srv = start_scripted_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop(srv.proc)


@pytest.fixture
def server(_scripted_server):
    """The scripted server (two ports: server.url(path, i) for i in 0, 1),
    with its statistics cleared for this test."""
    _scripted_server.reset()
    return _scripted_server


class Httpbin:
    def __init__(self, proc, port):
        self.proc = proc
        self.port = port

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)


@pytest.fixture(scope="session")
def httpbin(tmp_path_factory):
    """Debian's python3-httpbin under werkzeug on a free port."""
    d = tmp_path_factory.mktemp("httpbin")
    code = ("import sys, logging\n"
            "from werkzeug.serving import run_simple\n"
            "from httpbin import app\n"
            "logging.getLogger('werkzeug').setLevel(logging.ERROR)\n"
            "run_simple('127.0.0.1', int(sys.argv[1]), app, threaded=True)\n")
    for _ in range(5):
        port = free_port()
        log = open(d / "httpbin.log", "ab")
        proc = subprocess.Popen([PYTHON, "-c", code, str(port)],
                                stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)
        log.close()
        try:
            wait_http(port, "/get", proc)
            break
        except RuntimeError:
            stop(proc)
    else:
        pytest.fail("httpbin did not start; see %s" % (d / "httpbin.log"))
    yield Httpbin(proc, port)
    stop(proc)


NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 8192;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format conn '$connection $connection_requests $status '
                    '$request_method $request_uri';
    access_log {d}/access.log conn;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 75s;
    types {{ text/plain txt; text/html html; application/json json; }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        listen 127.0.0.1:{tls_port} ssl http2;
        listen 127.0.0.1:{h2c_port} http2;
        ssl_certificate {d}/cert.pem;
        ssl_certificate_key {d}/key.pem;
        root {d}/html;
        location / {{ }}
    }}
}}
"""


class Nginx:
    def __init__(self, proc, d, port, tls_port, h2c_port, files):
        self.proc = proc
        self.dir = d
        self.port = port
        self.tls_port = tls_port
        self.h2c_port = h2c_port
        self.files = files          # name -> bytes, under /f/
        self.access_log = d / "access.log"

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def tls_url(self, path):
        return "https://127.0.0.1:%d%s" % (self.tls_port, path)

    def h2c_url(self, path):
        return "http://127.0.0.1:%d%s" % (self.h2c_port, path)

    def log_lines(self):
        """Access log lines: [connection, requests on it, status, method,
        uri]. nginx writes them as each request ends."""
        out = []
        with open(self.access_log) as f:
            for ln in f:
                out.append(ln.split())
        return out

    def truncate_log(self):
        open(self.access_log, "w").close()


@pytest.fixture(scope="session")
def nginx(tmp_path_factory):
    """nginx-light from a generated config: plain HTTP, TLS (self-signed,
    h2 via ALPN) and h2c prior-knowledge listeners on free ports, serving
    /f/0.txt .. /f/99.txt (i * 37 + 1 bytes each)."""
    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        pytest.fail("nginx not installed")
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    d = tmp_path_factory.mktemp("nginx")
    (d / "tmp").mkdir()
    (d / "html" / "f").mkdir(parents=True)
    files = {}
    for i in range(100):
        data = (("%d:" % i) + "abcdefghijklmnopqrstuvwxyz" * 60)[:i * 37 + 1]
        files["%d.txt" % i] = data.encode()
        (d / "html" / "f" / ("%d.txt" % i)).write_bytes(data.encode())
    (d / "html" / "index.html").write_text("<p>hello</p>\n")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", str(d / "key.pem"), "-out",
                    str(d / "cert.pem"), "-days", "2", "-subj",
                    "/CN=127.0.0.1"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(5):
        port, tls_port, h2c_port = free_port(), free_port(), free_port()
        if len({port, tls_port, h2c_port}) < 3:
            continue
        (d / "nginx.conf").write_text(NGINX_CONF.format(
            d=d, port=port, tls_port=tls_port, h2c_port=h2c_port))
        log = open(d / "stderr.log", "ab")
        proc = subprocess.Popen([exe, "-p", str(d), "-c",
                                 str(d / "nginx.conf"), "-e",
                                 str(d / "error.log")],
                                stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)
        log.close()
        try:
            wait_http(port, "/index.html", proc)
            break
        except RuntimeError:
            stop(proc)
    else:
        pytest.fail("nginx did not start; see %s" % d)
    yield Nginx(proc, d, port, tls_port, h2c_port, files)
    stop(proc)


# -- record checks -------------------------------------------------------


def assert_record_shape(rec):
    """Keys and types every record has, whatever happened."""
    keys = [k for k in rec if k not in ("id", "headers", "body",
                                        "body_encoding", "file")]
    assert keys == RECORD_KEYS, "record keys/order: %s" % list(rec)
    assert isinstance(rec["index"], int) and rec["index"] >= 0
    assert isinstance(rec["ok"], bool)
    assert rec["ok"] == (rec["error"] is None)
    assert isinstance(rec["time"], dict)
    assert list(rec["time"]) == TIME_KEYS
    for k in TIME_KEYS:
        assert isinstance(rec["time"][k], (int, float))
        assert rec["time"][k] >= 0
    assert isinstance(rec["elapsed"], (int, float)) and rec["elapsed"] >= 0
    assert isinstance(rec["attempts"], int) and rec["attempts"] >= 0
    assert isinstance(rec["redirects"], int) and rec["redirects"] >= 0
    assert isinstance(rec["size"], int) and rec["size"] >= 0
    if rec["error"] is not None:
        assert list(rec["error"]) == ["kind", "message"]
        assert rec["error"]["kind"] in ERROR_KINDS
        assert isinstance(rec["error"]["message"], str)
        assert rec["error"]["message"]
    if rec["status"] is None:
        assert rec["http_version"] is None


def kind(rec):
    return rec["error"]["kind"] if rec["error"] else None
