"""The README's Examples (the cookbook), run as written, with the remote
hosts replaced by local servers: only the failures; a status histogram; a
field pulled out with --body=json; POSTed JSON request lines matched by
`id`; failed URLs fed back in; the nightly cron run with --resume; --shard
splitting (GNU parallel and a Kubernetes Indexed Job, emulated); polite
crawling with --per-host and --per-host-rate, measured at the server.

Each recipe is taken from the README text, so a recipe that changes or
goes away fails here until this file follows."""

import collections
import http.server
import json
import os
import re
import shutil
import subprocess
import threading

import pytest

from conftest import (BINARY, ROOT, SLOW, binary_env, check_sanitizer,
                      lines_file, parse_records)

README = ROOT / "README"


def readme_examples():
    text = README.read_text()
    m = re.search(r"^Examples\n-+\n(.*?)\n\n\n\S", text, re.S | re.M)
    assert m, "no Examples section in README"
    return m.group(1)


def recipe(key):
    """The code block of README's Examples that contains key, dedented."""
    blocks, cur = [], []
    for ln in readme_examples().split("\n"):
        if ln.startswith("    "):
            cur.append(ln[4:])
        else:
            if cur:
                blocks.append("\n".join(cur))
            cur = []
    if cur:
        blocks.append("\n".join(cur))
    found = [b for b in blocks if key in b]
    assert len(found) == 1, "README recipe with %r: found %d" % (key,
                                                                 len(found))
    return found[0]


SHIM = """#!/bin/sh
{real} "$@"
rc=$?
echo "{name} $rc" >> {log}
exit $rc
"""


class Kitchen:
    """A working directory, and PATH with cofetch and jq wrappers that log
    each exit status."""

    def __init__(self, tmp_path):
        self.dir = tmp_path / "work"
        self.dir.mkdir()
        bindir = tmp_path / "bin"
        bindir.mkdir()
        self.log = tmp_path / "exits.log"
        jq = shutil.which("jq")
        if not jq:
            pytest.fail("jq not installed (make deps)")
        for name, real in (("cofetch", BINARY), ("jq", jq)):
            p = bindir / name
            p.write_text(SHIM.format(real=real, name=name, log=self.log))
            p.chmod(0o755)
        self.env = binary_env({"PATH": "%s:%s" % (bindir,
                                                  os.environ["PATH"])})
        # Plain: cofetch itself, for runs that timeout(1) signals (the
        # signal goes to the whole process group and would end the
        # wrapper before it logs).
        plain = tmp_path / "plain-bin"
        plain.mkdir()
        (plain / "cofetch").symlink_to(BINARY)
        self.plain_env = binary_env({"PATH": "%s:%s" % (
            plain, os.environ["PATH"])})

    def sh(self, script, timeout=60, env=None, shell="bash", plain=False):
        """Run script; return (exit status, stdout, stderr, [(program,
        exit status)] of the wrapped programs)."""
        e = dict(self.plain_env if plain else self.env)
        if env:
            e.update(env)
        if self.log.exists():
            self.log.unlink()
        p = subprocess.run([shell, "-c", script], cwd=self.dir, env=e,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout * SLOW)
        check_sanitizer(p.stderr)
        exits = []
        if self.log.exists():
            exits = [(a, int(b)) for a, b in
                     (ln.split() for ln in
                      self.log.read_text().splitlines())]
        return p.returncode, p.stdout, p.stderr, exits

    def records(self, name):
        return parse_records((self.dir / name).read_bytes())


@pytest.fixture
def kitchen(tmp_path):
    return Kitchen(tmp_path)


def mixed_urls(server):
    """4 ok, 3 HTTP failures (not retryable), 2 invalid lines."""
    return [server.url("/ok"), server.url("/status/404"),
            server.url("/delay?ms=100"), "ftp://example.com/x",
            server.url("/ok?b"), server.url("/status/418"),
            "{bad json", server.url("/status/404?b"), server.url("/ok?c")]


def test_only_the_failures(kitchen, server):
    cmd = recipe("cofetch -i urls.txt | jq -c 'select(.ok|not)'")
    lines_file(kitchen.dir / "urls.txt", mixed_urls(server))
    rc, out, err, exits = kitchen.sh(cmd)
    assert rc == 0, err
    assert sorted(exits) == [("cofetch", 1), ("jq", 0)], exits
    recs = parse_records(out.encode())
    assert sorted(r["index"] for r in recs) == [1, 3, 5, 6, 7]
    assert all(not r["ok"] for r in recs)
    # -c: one record a line.
    assert len(out.splitlines()) == 5


def test_status_histogram(kitchen, server):
    cmd = recipe("uniq -c")
    lines_file(kitchen.dir / "urls.txt", mixed_urls(server))
    rc, out, err, exits = kitchen.sh(cmd)
    assert rc == 0, err
    assert sorted(exits) == [("cofetch", 1), ("jq", 0)], exits
    rows = [ln.split() for ln in out.splitlines()]
    got = {what: int(n) for n, what in rows}
    assert got == {"200": 4, "404": 2, "418": 1, "invalid_url": 1,
                   "invalid_input": 1}, out
    counts = [int(n) for n, _ in rows]
    assert counts == sorted(counts, reverse=True)


class _Todos(http.server.BaseHTTPRequestHandler):
    """jsonplaceholder's /todos/N; every 50th is missing."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        m = re.match(r"^/todos/(\d+)$", self.path)
        if not m or int(m.group(1)) % 50 == 0:
            self.send_error(404)
            return
        n = int(m.group(1))
        body = json.dumps({"userId": n % 10 + 1, "id": n,
                           "title": "todo number %d" % n,
                           "completed": n % 3 == 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256        # cofetch connects 50 at once


@pytest.fixture
def todos():
    srv = _Server(("127.0.0.1", 0), _Todos)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield "http://127.0.0.1:%d" % srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def test_pull_a_field_with_body_json(kitchen, todos):
    cmd = recipe("jsonplaceholder")
    assert "https://jsonplaceholder.typicode.com" in cmd
    cmd = cmd.replace("https://jsonplaceholder.typicode.com", todos)
    rc, out, err, exits = kitchen.sh(cmd)
    assert rc == 0, err
    assert sorted(exits) == [("cofetch", 1), ("jq", 0)], (exits, err)
    got = sorted(tuple(ln.split("\t")) for ln in out.splitlines())
    want = sorted((str(n), "todo number %d" % n) for n in range(1, 201)
                  if n % 50)
    assert got == want


def test_post_json_lines_matched_by_id(kitchen, server):
    cmd = recipe("api.example.com")
    assert "https://api.example.com/items" in cmd
    cmd = cmd.replace("https://api.example.com/items", server.url("/echo"))
    items = [{"sku": "a1", "qty": 2}, {"sku": "b7", "qty": 1},
             {"sku": "c3", "qty": 5}]
    lines_file(kitchen.dir / "items.jsonl", [json.dumps(i) for i in items])
    rc, out, err, exits = kitchen.sh(cmd)
    assert rc == 0, err
    assert sorted(exits) == [("cofetch", 0), ("jq", 0), ("jq", 0)], exits
    got = sorted((json.loads(ln) for ln in out.splitlines()),
                 key=lambda r: r["id"])
    assert got == [{"id": i["sku"], "status": 200, "error": None}
                   for i in items]
    reqs = server.requests("/echo")
    assert len(reqs) == 3 and all(r["method"] == "POST" for r in reqs)


def test_feed_the_failed_urls_back_in(kitchen, server):
    cmd = recipe("run2.jsonl")
    flaky = server.url("/flaky?key=cookbook-feed&fail=3")
    lines_file(kitchen.dir / "urls.txt", [
        server.url("/ok"), flaky, "ftp://example.com/x",
        server.url("/status/404"), server.url("/ok?b")])
    rc, out, err, exits = kitchen.sh(cmd)
    # The second run still has the 404: its cofetch, the script's last
    # command, exits 1.
    assert rc == 1, err
    assert exits[0] == ("cofetch", 1)
    assert sorted(exits[1:]) == [("cofetch", 1), ("jq", 0)], exits
    run1 = kitchen.records("run1.jsonl")
    assert len(run1) == 5
    assert [r["attempts"] for r in sorted(run1, key=lambda r: r["index"])] \
        == [1, 3, 0, 1, 1]
    run2 = kitchen.records("run2.jsonl")
    by_url = {r["url"]: r for r in run2}
    # Not the invalid line (attempts 0); the flaky one is ok now.
    assert set(by_url) == {flaky, server.url("/status/404")}
    assert by_url[flaky]["ok"] and by_url[flaky]["attempts"] == 1
    assert by_url[server.url("/status/404")]["status"] == 404


def test_nightly_cron_with_timeout_and_resume(kitchen, server):
    """The cron line, its schedule fields dropped and `\\%` unescaped as
    cron does, in the test's directory. The first run has `timeout 1` for
    55m and is cut off; the second, the line as written, goes on from
    there; then the README's merge gives one ok record for every index."""
    line = recipe("--resume")
    m = re.match(r"^(\S+\s+){5}(.*)$", line)
    assert m, line
    cmd = m.group(2).replace("\\%", "%")
    assert "cd /srv/crawl" in cmd and "timeout 55m" in cmd, cmd
    cmd = cmd.replace("cd /srv/crawl", "cd %s" % kitchen.dir)
    short = cmd.replace("timeout 55m", "timeout 1")
    urls = []
    for i in range(12):
        urls.append(server.url("/delay?ms=%d&i=%d" %
                               (100 if i % 2 == 0 else 1500, i)))
    lines_file(kitchen.dir / "urls.txt", urls)

    rc, out, err, exits = kitchen.sh(short, shell="sh", plain=True)
    assert rc == 124, (rc, err)          # timeout's status: cut off
    outs = list(kitchen.dir.glob("out-*.jsonl"))
    assert len(outs) == 1, outs
    assert re.match(r"^out-\d{4}-\d\d-\d\d\.jsonl$", outs[0].name)
    first = kitchen.records(outs[0].name)
    assert sorted(r["index"] for r in first if r["ok"]) == \
        list(range(0, 12, 2))
    assert all(r["error"]["kind"] == "cancelled" for r in first
               if not r["ok"])

    rc, out, err, exits = kitchen.sh(cmd, shell="sh", plain=True)
    assert rc == 0, (rc, err)
    assert err == ""                      # -q
    allrecs = kitchen.records(outs[0].name)
    assert allrecs[:len(first)] == list(first), "earlier records changed"
    oks = collections.Counter(r["index"] for r in allrecs if r["ok"])
    assert sorted(oks) == list(range(12)), "an index without an ok record"
    assert set(oks.values()) == {1}, "an index with two ok records"

    merge = recipe("group_by(.index) | map(last)")
    merge = re.sub(r"out-\d{4}-\d\d-\d\d\.jsonl", outs[0].name, merge)
    rc, out, err, exits = kitchen.sh(merge)
    assert rc == 0, err
    merged = parse_records(out.encode())
    assert [r["index"] for r in merged] == list(range(12))
    assert all(r["ok"] for r in merged)


def shard_list(kitchen, server, n=22):
    urls = [server.url("/ok?i=%d" % i) for i in range(n)]
    lines_file(kitchen.dir / "urls.txt", urls)
    return urls


def test_shards_with_gnu_parallel(kitchen, server):
    """Emulated: the command GNU parallel runs on each host, once per
    argument after :::, the outputs concatenated (--line-buffer keeps
    lines whole)."""
    block = recipe("parallel -j1").replace("\\\n", " ")
    m = re.search(r"--line-buffer\s+(cofetch .*?)\s+:::\s+([\d ]+?)\s*>\s*"
                  r"(\S+)$", block)
    assert m, block
    template, args, out_name = m.group(1), m.group(2).split(), m.group(3)
    assert args == ["1", "2", "3", "4"]
    urls = shard_list(kitchen, server)
    script = " ; ".join(template.replace("{}", a) for a in args)
    rc, out, err, exits = kitchen.sh("{ %s ; } > %s" % (script, out_name))
    assert exits == [("cofetch", 0)] * 4, (exits, err)
    recs = kitchen.records(out_name)
    assert sorted(r["index"] for r in recs) == list(range(len(urls)))
    for r in recs:
        assert r["url"] == urls[r["index"]] and r["ok"]


def test_shards_as_a_kubernetes_indexed_job(kitchen, server):
    block = recipe("completionMode: Indexed")
    n = int(re.search(r"completions:\s*(\d+)", block).group(1))
    cmdline = re.search(r"command:\s*(\[.*\])", block).group(1)
    argv = json.loads(cmdline)
    assert argv[:2] == ["sh", "-c"]
    cmd = argv[2].replace("/data/urls.txt", "urls.txt").replace("/out/", "")
    urls = shard_list(kitchen, server)
    for i in range(n):
        rc, out, err, exits = kitchen.sh(
            cmd, env={"JOB_COMPLETION_INDEX": str(i)}, shell="sh")
        assert rc == 0 and exits == [("cofetch", 0)], (i, err)
    merge = re.search(r"`(jq -s -c 'sort_by\(\.index\)\[\]' part-\*\.jsonl)`",
                      readme_examples())
    assert merge, "the merge command of the shards is gone from README"
    rc, out, err, exits = kitchen.sh(merge.group(1))
    assert rc == 0, err
    merged = parse_records(out.encode())
    assert [r["index"] for r in merged] == list(range(len(urls)))
    for r in merged:
        assert r["url"] == urls[r["index"]]
    sizes = sorted(len(kitchen.records("part-%d.jsonl" % i))
                   for i in range(n))
    assert sizes == sorted([len(range(k, len(urls), n)) for k in range(n)])


def test_polite_crawling(kitchen, server):
    """Two hosts, three slow requests each: per host, starts at least a
    second apart and never more than two in flight; the third waits for a
    free slot though the rate would already allow it."""
    cmd = recipe("--per-host 2 --per-host-rate 1/s")
    assert "-c 200" in cmd
    urls = [server.url("/delay?ms=2200&h=%d&i=%d" % (h, i), h)
            for i in range(3) for h in (0, 1)]
    lines_file(kitchen.dir / "urls.txt", urls)
    rc, out, err, exits = kitchen.sh(cmd)
    assert rc == 0 and exits == [("cofetch", 0)], err
    recs = kitchen.records("crawl.jsonl")
    assert len(recs) == 6 and all(r["ok"] for r in recs)
    st = server.stats()
    assert st["count"] == 6
    for h in (0, 1):
        host = server.host(h)
        assert st["host_peak"][host] == 2, st["host_peak"]
        starts = sorted(r["t"] for r in st["requests"] if r["host"] == host)
        assert len(starts) == 3
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        # The rate spaces the first two (without it they start
        # together); the exact second between them is
        # tests/unit/test_rate.c's, since the first start's arrival
        # also carries a connect on a loaded machine.
        assert gaps[0] >= 0.5, "per-host-rate 1/s broken: %r" % gaps
        # The third waits for the first's 2.2 s to end: a bound load
        # cannot shorten.
        assert starts[2] - starts[0] >= 2.15, \
            "third start before a slot was free: %r" % gaps
    assert st["peak"] <= 4
