"""cofetch over a real link instead of loopback: a network namespace this
test makes itself (cofetch-test-<pid>), joined to the host by a veth pair,
with the scripted server inside it and cofetch outside. Where the kernel
has sch_netem, the host side of the link gets 50 ms of delay and 2 % loss
and the run must still end with every index exactly once, nearly all ok.

The addresses are the documentation ranges (TEST-NET-2, TEST-NET-3; or
TEST-NET-1 when the machine does not already use it), given to this
test's own two ends of the link and nothing else; before any request the
route to the server is checked to go over that link. Skips, with the
reason, when not root, when `ip` or `tc` is missing, or when the namespace
cannot be made. The namespace is always deleted afterwards."""

import ipaddress
import json
import os
import random
import shutil
import subprocess
import sys
import time

import pytest

from conftest import (HERE, SLOW, assert_record_shape, http_get, kind,
                      lines_file, stop)

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else \
    sys.executable
SUBNETS = ["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24"]


def sh(*args, check=True):
    p = subprocess.run([str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    out = p.stdout.decode("utf-8", "replace").strip()
    if check and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(map(str, args)), out))
    return p.returncode, out


def subnet_in_use(net):
    """Whether the host already has an address or a route (other than
    the default) inside net: then it is not ours to use."""
    net = ipaddress.ip_network(net)
    _, addrs = sh("ip", "-4", "-o", "addr", "show", check=False)
    for ln in addrs.splitlines():
        parts = ln.split()
        if "inet" in parts:
            a = ipaddress.ip_interface(parts[parts.index("inet") + 1])
            if a.ip in net or a.network.overlaps(net):
                return True
    _, routes = sh("ip", "-4", "route", "show", "table", "all", check=False)
    for ln in routes.splitlines():
        dst = ln.split()[0] if ln.split() else ""
        if dst in ("default", "local", "broadcast", "unreachable"):
            continue
        try:
            if ipaddress.ip_network(dst, strict=False).overlaps(net):
                return True
        except ValueError:
            continue
    return False


class Link:
    """The namespace, the veth pair and the addresses at its two ends."""

    def __init__(self):
        pid = os.getpid()
        self.ns = "cofetch-test-%d" % pid
        self.host_if = "cfh%d" % (pid % 1000000)
        self.ns_if = "cfn%d" % (pid % 1000000)
        self.made_ns = False
        self.made_link = False
        self.server = None
        self.netem = None       # None: not tried; else the reason it failed
        self.server_ip = None

    def create(self):
        for net in SUBNETS:
            if not subnet_in_use(net):
                break
        else:
            raise RuntimeError("every documentation subnet is in use here")
        hosts = list(ipaddress.ip_network(net).hosts())
        self.server_ip, self.host_ip = str(hosts[0]), str(hosts[1])
        sh("ip", "netns", "add", self.ns)
        self.made_ns = True
        sh("ip", "link", "add", self.host_if, "type", "veth", "peer", "name",
           self.ns_if)
        self.made_link = True
        sh("ip", "link", "set", self.ns_if, "netns", self.ns)
        sh("ip", "addr", "add", "%s/24" % self.host_ip, "dev", self.host_if)
        sh("ip", "link", "set", self.host_if, "up")
        nsx = ["ip", "netns", "exec", self.ns]
        sh(*nsx, "ip", "link", "set", "lo", "up")
        sh(*nsx, "ip", "addr", "add", "%s/24" % self.server_ip, "dev",
           self.ns_if)
        sh(*nsx, "ip", "link", "set", self.ns_if, "up")
        # The server must be reached over our link and nothing else.
        _, route = sh("ip", "route", "get", self.server_ip)
        if ("dev %s " % self.host_if) not in route + " ":
            raise RuntimeError("route to %s does not use %s: %s" % (
                self.server_ip, self.host_if, route))

    def add_netem(self):
        code, out = sh("tc", "qdisc", "add", "dev", self.host_if, "root",
                       "netem", "delay", "50ms", "loss", "2%", check=False)
        if code != 0:
            return out or "tc exited %d" % code
        return None

    def add_tbf(self):
        """Shape the server's side to 4 Mbit/s with a queue of ten
        packets: with twenty flows the queue overflows and packets are
        really dropped. Returns the reason when tbf is unavailable."""
        code, out = sh("ip", "netns", "exec", self.ns, "tc", "qdisc",
                       "replace", "dev", self.ns_if, "root", "tbf", "rate",
                       "4mbit", "burst", "3000", "limit", "15000",
                       check=False)
        if code != 0:
            return out or "tc exited %d" % code
        return None

    def tbf_drops(self):
        _, out = sh("ip", "netns", "exec", self.ns, "tc", "-s", "qdisc",
                    "show", "dev", self.ns_if)
        words = out.replace(",", " ").replace("(", " ").split()
        return int(words[words.index("dropped") + 1])

    def clear_qdisc(self):
        sh("ip", "netns", "exec", self.ns, "tc", "qdisc", "del", "dev",
           self.ns_if, "root", check=False)

    def start_server(self, tmpdir):
        port_file = os.path.join(str(tmpdir), "ns-port")
        log = open(os.path.join(str(tmpdir), "ns-server.log"), "wb")
        self.server = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, PYTHON,
             str(HERE / "testserver.py"), "--host", self.server_ip,
             "--port", "0", "--port-file", port_file],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 15
        while not os.path.exists(port_file):
            if self.server.poll() is not None or \
                    time.monotonic() > deadline:
                raise RuntimeError("test server in %s did not start" %
                                   self.ns)
            time.sleep(0.05)
        self.port = int(open(port_file).read().split()[0])

    def url(self, path):
        return "http://%s:%d%s" % (self.server_ip, self.port, path)

    def get(self, path, timeout=20):
        return http_get(self.port, path, timeout, host=self.server_ip)

    def stats(self):
        status, body = self.get("/_stats")
        assert status == 200
        return json.loads(body)

    def destroy(self):
        if self.server is not None:
            stop(self.server)
        if self.made_link:
            sh("ip", "link", "del", self.host_if, check=False)
        if self.made_ns:
            sh("ip", "netns", "del", self.ns, check=False)


@pytest.fixture(scope="module")
def link(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    for tool in ("ip", "tc"):
        if not shutil.which(tool):
            pytest.skip("%s is not installed" % tool)
    ln = Link()
    try:
        try:
            ln.create()
            ln.start_server(tmp_path_factory.mktemp("netns"))
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            pytest.skip("cannot set up the namespace: %s" % e)
        yield ln
    finally:
        ln.destroy()
        _, left = sh("ip", "netns", "list", check=False)
        assert ln.ns not in left.split(), "namespace %s left behind" % ln.ns


def mixed(link, n, seed):
    rnd = random.Random(seed)
    lines = []
    for k in range(n):
        if k % 4 == 0:
            lines.append(link.url("/bytes?n=%d&i=%d" % (
                rnd.randint(1000, 60000), k)))
        else:
            lines.append(link.url("/delay?ms=%d&n=%d" % (
                rnd.randint(0, 50), k)))
    return lines


def check_all_once(recs, n):
    idx = sorted(r["index"] for r in recs)
    assert idx == list(range(n)), "indexes missing or repeated"
    for r in recs:
        assert_record_shape(r)


def test_a_plain_link_to_another_namespace(run, link, tmp_path):
    # No impairment yet: everything over the veth pair is ok.
    n = 200
    link.get("/_reset")
    f = lines_file(tmp_path / "urls", mixed(link, n, 1))
    code, recs, err = run(["-c", "20", "-i", f], timeout=60)
    assert code == 0, err
    check_all_once(recs, n)
    for r in recs:
        assert r["ok"], r
        assert r["remote_ip"] == link.server_ip
    assert link.stats()["count"] == n


def test_two_hundred_requests_over_a_congested_link(run, link, tmp_path):
    # Where netem is missing, tbf still gives real packet loss: a shaped
    # link whose queue overflows. TCP recovers; cofetch must not notice.
    reason = link.add_tbf()
    if reason:
        pytest.skip("tbf is not available here (tc: %s)" % reason)
    try:
        n = 200
        lines = []
        for k in range(n):
            size = 20000 if k % 2 == 0 else 2000
            lines.append(link.url("/bytes?n=%d&i=%d" % (size, k)))
        f = lines_file(tmp_path / "urls", lines)
        code, recs, err = run(["-c", "20", "-t", "20", "--retries", "3",
                               "--retry-delay", "0.1", "-i", f],
                              timeout=180)
        drops = link.tbf_drops()
    finally:
        link.clear_qdisc()
    check_all_once(recs, n)
    assert drops > 0, "the shaped link dropped nothing: no loss tested"
    ok = [r for r in recs if r["ok"]]
    assert len(ok) >= 0.97 * n, "only %d of %d ok: %s" % (
        len(ok), n, sorted({kind(r) for r in recs if not r["ok"]}))
    for r in recs:
        if r["ok"]:
            assert r["size"] == (20000 if r["index"] % 2 == 0 else 2000)
        else:
            assert kind(r) in ("timeout", "recv", "connect"), r
    # 1 exactly when a record is not ok (the congestion decides which).
    assert code == (0 if all(r["ok"] for r in recs) else 1), err


def test_two_hundred_requests_over_a_delayed_lossy_link(run, link,
                                                        tmp_path):
    reason = link.add_netem()
    if reason:
        pytest.skip("netem is not available here (tc: %s)" % reason)
    n = 200
    f = lines_file(tmp_path / "urls", mixed(link, n, 2))
    t0 = time.monotonic()
    code, recs, err = run(["-c", "20", "-t", "10", "--connect-timeout", "5",
                           "--retries", "3", "--retry-delay", "0.1",
                           "-i", f], timeout=180)
    wall = time.monotonic() - t0
    check_all_once(recs, n)
    # 1 exactly when a record is not ok (the lossy link decides which).
    assert code == (0 if all(r["ok"] for r in recs) else 1), err
    ok = [r for r in recs if r["ok"]]
    assert len(ok) >= 0.97 * n, "only %d of %d ok: %s" % (
        len(ok), n, sorted({kind(r) for r in recs if not r["ok"]}))
    for r in recs:
        if not r["ok"]:
            assert kind(r) in ("timeout", "recv", "connect"), r
        else:
            assert r["remote_ip"] == link.server_ip
    # Each new connection pays at least the 50 ms of delay.
    fresh = [r for r in ok if r["time"]["connect"] > 0]
    assert fresh and min(r["time"]["connect"] for r in fresh) >= 0.045
    assert wall < 120 * SLOW
