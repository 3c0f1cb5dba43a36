"""--save DIR: every completed transfer's decoded body goes to DIR/<index>,
written as a new temporary DIR/.<index>.<random>.part and renamed when
complete; failures leave
nothing behind, and saving failures give kind `write` (SPEC --save,
"Nothing from the network is ever used as a local path"; brief 7; issue
#3)."""

import base64
import os
import re
import shutil
import signal
import subprocess
import time
import uuid

import pytest

from conftest import assert_record_shape, kind
from faults import wait_until

SIZES = [0, 1, 255, 256, 4097, 65536, 300000]
FAST = ["--retry-delay", "0.01", "--retry-max-delay", "0.05"]


def pattern(n):
    """The body of the server's /bytes?n=N: byte i is i % 256."""
    block = bytes(range(256))
    return (block * (n // 256 + 1))[:n]


def listing(d):
    return sorted(os.listdir(d))


def assert_no_part_files(d):
    parts = [f for f in os.listdir(d) if f.endswith(".part") or
             f.startswith(".")]
    assert not parts, "temporary files left in %s: %s" % (d, parts)


def test_saved_files_hold_the_exact_body_bytes(run, server, tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    urls = [server.url("/bytes?n=%d" % n) for n in SIZES]
    urls.append(server.url("/bytes?n=70000&chunked=1"))
    code, recs, err = run(["--save", d, "-c", "4"] + urls)
    assert code == 0, err
    sizes = SIZES + [70000]
    assert len(recs) == len(sizes)
    for r in recs:
        assert_record_shape(r)
        i = r["index"]
        assert r["file"] == "%s/%d" % (d, i)
        assert r["size"] == sizes[i]
        data = open(r["file"], "rb").read()
        assert len(data) == sizes[i]
        assert data == pattern(sizes[i]), "index %d: bytes differ" % i
    assert listing(d) == sorted(str(i) for i in range(len(sizes)))


def test_file_names_are_dir_as_given_and_the_index(run, server, tmp_path):
    (tmp_path / "rel").mkdir()
    urls = [server.url("/bytes?n=10"),
            server.url("/ok/../../../../etc/passwd"),
            server.url("/text?s=x&name=..%2F..%2Fescape"),
            server.url("/redirect-to?url=/bytes%3Fn%3D5")]
    code, recs, err = run(["--save", "rel", "--retries", "0"] + urls,
                          cwd=tmp_path)
    for r in recs:
        assert r["file"] in (None, "rel/%d" % r["index"]), r
    assert set(listing(tmp_path / "rel")) <= {"0", "1", "2", "3"}
    assert listing(tmp_path) == ["rel"], "wrote outside DIR"
    b = {r["index"]: r for r in recs}
    assert (tmp_path / "rel" / "3").read_bytes() == pattern(5)
    assert b[3]["redirects"] == 1


def test_bodies_of_error_statuses_are_saved_too(run, server, tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    code, recs, err = run(["--save", d, "--retries", "0",
                           server.url("/status/404?body=gone%0A")])
    assert code == 1
    r = recs[0]
    assert kind(r) == "http" and r["status"] == 404
    assert r["file"] == "%s/0" % d
    assert (d / "0").read_bytes() == b"gone\n"


def test_decoded_body_is_saved(run, server, tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    code, recs, err = run(["--save", d, server.url("/gzip?n=5000")])
    assert code == 0, err
    assert (d / "0").read_bytes() == (b"abcdefghij" * 500)
    assert recs[0]["size"] == 5000


def test_only_the_final_attempt_and_final_response_are_saved(run, server,
                                                             tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    key = uuid.uuid4().hex[:10]
    code, recs, err = run(FAST + ["--save", d,
                                  server.url("/flaky?key=%s&fail=2" % key),
                                  server.url("/redirect/3")])
    assert code == 0, err
    assert (d / "0").read_bytes() == b"ok after 2\n"
    assert (d / "1").read_bytes() == b"done\n"
    assert_no_part_files(d)


def test_saved_file_matches_the_body_in_the_record(run, server, tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    code, recs, err = run(["--save", d, "--body=base64",
                           server.url("/bytes?n=3000")])
    assert code == 0, err
    assert base64.b64decode(recs[0]["body"]) == (d / "0").read_bytes()


@pytest.mark.parametrize("path,want", [
    ("/reset", "recv"), ("/reset?after=headers", "recv"),
    ("/truncate", "recv"), ("/stall", "timeout"),
    ("/garbage", "protocol"), ("/bytes?n=300000", "too_large"),
    ("/gzip-bomb?n=4M", "too_large")])
def test_a_failed_transfer_leaves_no_file(run, server, tmp_path, path,
                                          want):
    d = tmp_path / "out"
    d.mkdir()
    # Only the stall is meant to time out: the others get time to spare
    # on a loaded machine (a timeout is not the failure they test).
    timeout = "0.5" if want == "timeout" else "10"
    code, recs, err = run(FAST + ["--save", d, "-t", timeout, "--max-size",
                                  "200K", server.url(path)])
    assert code == 1
    r = recs[0]
    assert kind(r) == want, r
    assert r["file"] is None, r
    assert listing(d) == [], "left behind: %s" % listing(d)


def test_save_dir_that_is_a_file_is_refused(run, server, tmp_path):
    f = tmp_path / "plain"
    f.write_bytes(b"x")
    code, recs, err = run(["--save", f, server.url("/ok")])
    # Checked before any request: a usage error naming the option.
    assert code == 2
    assert "--save" in err
    assert recs == []
    assert server.stats()["count"] == 0
    assert f.read_bytes() == b"x"


@pytest.fixture
def tiny_fs(tmp_path):
    """A 64 KiB tmpfs: root cannot be refused by permissions, but a full
    file system refuses everyone."""
    d = tmp_path / "tiny"
    d.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=755",
                        "cofetch-test", str(d)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: %s" % p.stdout.decode(
            "utf-8", "replace").strip())
    try:
        yield d
    finally:
        subprocess.run(["umount", "-l", str(d)])


def test_a_full_file_system_gives_kind_write(run, server, tiny_fs):
    urls = [server.url("/bytes?n=1000"), server.url("/bytes?n=200000"),
            server.url("/bytes?n=2000")]
    code, recs, err = run(["--save", tiny_fs, "-c", "1"] + urls)
    assert code == 1
    b = {r["index"]: r for r in recs}
    assert sorted(b) == [0, 1, 2]
    for r in recs:
        assert_record_shape(r)
    assert kind(b[1]) == "write", b[1]
    assert b[1]["file"] is None
    assert b[1]["status"] == 200
    assert b[1]["error"]["message"]
    assert b[0]["ok"] and b[2]["ok"], (b[0], b[2])
    assert (tiny_fs / "0").read_bytes() == pattern(1000)
    assert (tiny_fs / "2").read_bytes() == pattern(2000)
    assert listing(tiny_fs) == ["0", "2"], listing(tiny_fs)


def test_dir_removed_during_the_run_gives_kind_write(spawn, server,
                                                     tmp_path):
    d = tmp_path / "gone"
    d.mkdir()
    urls = [server.url("/delay?ms=800&n=%d" % k) for k in range(3)]
    p = spawn(["--save", d] + urls)
    wait_until(lambda: server.stats()["inflight"] == 3, 10, "3 in flight")
    shutil.rmtree(d)
    code, recs, err = p.finish(timeout=20)
    assert code == 1
    assert len(recs) == 3
    for r in recs:
        assert kind(r) == "write", r
        assert r["file"] is None
    assert not d.exists()


def test_sigterm_mid_body_leaves_only_complete_files(spawn, server,
                                                     tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    urls = [server.url("/bytes?n=%d" % (1000 + k)) for k in range(4)]
    urls += [server.url("/slowbody?n=200&ms=20&k=%d" % k)
             for k in range(4)]
    p = spawn(["--save", d, "-c", "20"] + urls)
    wait_until(lambda: len(server.requests("/slowbody")) == 4 and
               server.stats()["inflight"] == 4, 10,
               "slow bodies in flight")
    time.sleep(0.5)             # about 25 of 200 bytes each
    p.p.send_signal(signal.SIGTERM)
    code, recs, err = p.finish(timeout=10)
    assert code == 143
    b = {r["index"]: r for r in recs}
    assert sorted(b) == list(range(8))
    for k in range(4):
        assert b[k]["ok"] and b[k]["file"] == "%s/%d" % (d, k)
        assert (d / str(k)).read_bytes() == pattern(1000 + k)
    for k in range(4, 8):
        assert kind(b[k]) == "cancelled", b[k]
        assert b[k]["file"] is None
    assert listing(d) == ["0", "1", "2", "3"], listing(d)


def test_kill_9_mid_body_never_leaves_a_partial_final_file(spawn, server,
                                                           tmp_path):
    # kill -9 cannot clean up: temporary .part files may stay, but a file
    # named for an index is always complete.
    d = tmp_path / "out"
    d.mkdir()
    urls = [server.url("/bytes?n=%d" % (500 + k)) for k in range(3)]
    urls += [server.url("/slowbody?n=200&ms=20&k=%d" % k)
             for k in range(3)]
    p = spawn(["--save", d] + urls)
    try:
        wait_until(lambda: len(server.requests("/slowbody")) == 3, 10,
                   "slow bodies started")
        time.sleep(0.5)
    finally:
        p.kill()
    final = [f for f in listing(d) if not f.startswith(".")]
    for f in final:
        k = int(f)
        assert k < 3, "partial body saved as %s" % f
        assert (d / f).read_bytes() == pattern(500 + k)
    for f in listing(d):
        if f.startswith("."):
            assert re.fullmatch(r"\.\d+\.[0-9a-f]{16}\.part", f), f


# -- files cofetch does not own (issue 10, items 2 to 4) -----------------


def test_a_planted_symlink_is_never_followed(run, server, tmp_path):
    # Links at the old temporary names and at a final name, pointing
    # outside DIR: nothing outside is written or truncated.
    d = tmp_path / "out"
    d.mkdir()
    outside = tmp_path / "outside"
    outside.write_bytes(b"precious\n")
    for name in (".0.part", ".1.part", "1"):
        os.symlink(outside, d / name)
    code, recs, err = run(["--save", d, "--retries", "0", "-t", "0.5",
                           server.url("/bytes?n=3000"),
                           server.url("/bytes?n=10"),
                           server.url("/truncate?n=2")])
    assert outside.read_bytes() == b"precious\n"
    b = {r["index"]: r for r in recs}
    assert b[0]["ok"] and (d / "0").read_bytes() == pattern(3000)
    assert not os.path.islink(d / "0")
    assert kind(b[1]) == "write", b[1]
    assert "not a regular file" in b[1]["error"]["message"]
    assert os.path.islink(d / "1"), "the planted link was replaced"
    assert kind(b[2]) == "recv"
    left = sorted(f for f in listing(d) if not os.path.islink(d / f))
    assert left == ["0"], left


def test_a_save_dir_that_is_a_symlink_is_followed_once(run, server,
                                                       tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "link")
    code, recs, err = run(["--save", tmp_path / "link",
                           server.url("/bytes?n=100")])
    assert code == 0, err
    assert (real / "0").read_bytes() == pattern(100)
    assert recs[0]["file"] == "%s/0" % (tmp_path / "link")


def test_a_fifo_planted_in_dir_fails_only_its_request(run, server,
                                                      tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    os.mkfifo(d / ".0.part")
    os.mkfifo(d / "1")
    t0 = time.monotonic()
    code, recs, err = run(["--save", d, server.url("/bytes?n=10"),
                           server.url("/bytes?n=20"),
                           server.url("/bytes?n=30")], timeout=20)
    assert time.monotonic() - t0 < 10
    assert code == 1
    b = {r["index"]: r for r in recs}
    assert sorted(b) == [0, 1, 2]
    assert b[0]["ok"] and (d / "0").read_bytes() == pattern(10)
    assert kind(b[1]) == "write" and b[1]["file"] is None, b[1]
    assert b[2]["ok"] and (d / "2").read_bytes() == pattern(30)
    import stat
    assert stat.S_ISFIFO(os.lstat(d / "1").st_mode)


def test_a_directory_at_the_final_name_fails_only_its_request(
        run, server, tmp_path):
    d = tmp_path / "out"
    (d / "0").mkdir(parents=True)
    code, recs, err = run(["--save", d, server.url("/bytes?n=10"),
                           server.url("/bytes?n=20")])
    b = {r["index"]: r for r in recs}
    assert kind(b[0]) == "write" and b[1]["ok"]
    assert sorted(listing(d)) == ["0", "1"] and (d / "0").is_dir()


def test_two_runs_sharing_dir_each_leave_a_whole_file(spawn, run, server,
                                                      tmp_path):
    # Run A's index 0 is still arriving when run B's index 0 is done:
    # B's file is B's body; A's, when it ends, replaces it whole.
    d = tmp_path / "out"
    d.mkdir()
    a = spawn(["--save", d, server.url("/slowbody?n=40&ms=25")])
    wait_until(lambda: server.stats()["inflight"] == 1, 10, "A under way")
    code, recs, err = run(["--save", d, server.url("/bytes?n=5000")])
    assert code == 0, err
    assert (d / "0").read_bytes() == pattern(5000)
    code, recs, err = a.finish(timeout=20)
    assert code == 0, err
    assert (d / "0").read_bytes() == b"s" * 40
    assert_no_part_files(d)


def test_concurrent_runs_never_tear_a_file(server, tmp_path, cofetch_bin):
    d = tmp_path / "out"
    d.mkdir()
    sizes = {1: 70000, 2: 30001}
    procs = []
    for r, n in sizes.items():
        urls = [server.url("/bytes?n=%d&r=%d&k=%d" % (n + k, r, k))
                for k in range(200)]
        f = tmp_path / ("urls%d" % r)
        f.write_text("\n".join(urls) + "\n")
        procs.append(subprocess.Popen([cofetch_bin, "-c", "20", "--save",
                                       str(d), "-i", str(f)],
                                      stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE))
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert sorted(listing(d), key=int) == [str(k) for k in range(200)]
    for k in range(200):
        data = (d / str(k)).read_bytes()
        assert data in (pattern(70000 + k), pattern(30001 + k)), k


def test_every_descriptor_of_a_transfer_is_counted(run, server, tmp_path):
    # ulimit -n 256: with --save each transfer holds a socket and a file
    # (and, while it connects, a second socket or the resolver's pair):
    # the concurrency is lowered to what fits, and nothing fails for
    # descriptors.
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    d = tmp_path / "out"
    urls = [server.url("/delay?ms=300&n=%d" % k) for k in range(600)]
    f = tmp_path / "urls"
    f.write_text("\n".join(urls) + "\n")
    code, recs, err = run(["-c", "5000", "--save", d, "-i", f],
                          preexec_fn=limit, timeout=120)
    assert code == 0, err
    m = re.search(r"using (\d+)", err)
    assert m, err
    assert 40 <= int(m.group(1)) <= 64, err
    assert len(recs) == 600 and all(r["ok"] for r in recs)
    assert server.stats()["peak"] <= int(m.group(1))


def test_a_limit_of_128_leaves_a_sensible_concurrency(run, server):
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))

    code, recs, err = run(["-c", "100", server.url("/ok")],
                          preexec_fn=limit)
    assert code == 0, err
    m = re.search(r"using (\d+)", err)
    assert m and int(m.group(1)) >= 32, err


# -- --save-as TEMPLATE (issue 14) ----------------------------------------


def all_files(d):
    out = []
    for root, dirs, files in os.walk(d):
        for f in files:
            out.append(os.path.relpath(os.path.join(root, f), d))
    return sorted(out)


def test_save_as_names_files_from_the_template(run, server, tmp_path):
    d = tmp_path / "out"
    host = server.host().replace(":", "_")
    code, recs, err = run(["--save", d, "--save-as",
                           "{host}/{path}.{ext}",
                           server.url("/json"), server.url("/ok"),
                           server.url("/bytes?n=10")])
    assert code == 0, err
    want = {0: "%s/json.json" % host, 1: "%s/ok.txt" % host,
            2: "%s/bytes.bin" % host}
    for r in recs:
        assert r["file"] == "%s/%s" % (d, want[r["index"]])
    assert all_files(d) == sorted(want.values())
    assert (d / want[2]).read_bytes() == pattern(10)


def test_save_as_hash_names_a_file_by_its_content(run, server, tmp_path):
    import hashlib
    d = tmp_path / "out"
    code, recs, err = run(["--save", d, "--save-as", "by-hash/{hash}.{ext}",
                           "--ordered", server.url("/bytes?n=10"),
                           server.url("/bytes?n=20")])
    assert code == 0, err
    want = ["by-hash/%s.bin" % hashlib.sha256(pattern(n)).hexdigest()
            for n in (10, 20)]
    # {hash} turns hashing on: the records carry the same digest.
    assert [r["file"] for r in recs] == ["%s/%s" % (d, w) for w in want]
    assert [r["hash"] for r in recs] == [
        "sha256:" + w.split("/")[1].split(".")[0] for w in want]
    assert all_files(d) == sorted(want)


def test_save_as_takes_the_id_of_a_json_line(run, server, tmp_path):
    d = tmp_path / "out"
    lines = ('{"url": "%s", "id": "sku-1"}\n{"url": "%s", "id": 42}\n'
             '%s\n' % (server.url("/ok"), server.url("/ok?b=2"),
                       server.url("/ok?c=3")))
    code, recs, err = run(["--save", d, "--save-as", "items/{id}"],
                          input=lines)
    assert code == 0, err
    assert all_files(d) == ["items/2", "items/42", "items/sku-1"]


def test_save_as_never_leaves_dir_whatever_the_url(run, server, tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    urls = [server.url("/ok/../../../../tmp/x"),
            server.url("/%2e%2e/%2e%2e/y"),
            server.url("/.hidden/z"),
            server.url("/a%00b/c%0a")]
    lines = "".join(u + "\n" for u in urls)
    lines += '{"url": "%s", "id": "../../../escape"}\n' % server.url("/ok")
    code, recs, err = run(["--save", d, "--save-as", "{path}-{id}",
                           "--retries", "0"], input=lines)
    assert listing(tmp_path) == ["out"], "wrote outside DIR"
    for f in all_files(d):
        assert not any(c.startswith(".") for c in f.split("/")), f
    for r in recs:
        if r["file"] is not None:
            real = os.path.realpath(r["file"])
            assert real.startswith(str(d) + os.sep), r["file"]


def test_save_as_collision_is_an_error_for_one_never_an_overwrite(
        run, server, tmp_path):
    d = tmp_path / "out"
    code, recs, err = run(["--save", d, "--save-as", "same.{ext}",
                           "-c", "1", "--ordered",
                           server.url("/bytes?n=10"),
                           server.url("/bytes?n=20")])
    assert code == 1
    assert recs[0]["ok"] and recs[0]["file"] == "%s/same.bin" % d
    assert kind(recs[1]) == "write", recs[1]
    assert "already saved" in recs[1]["error"]["message"]
    assert recs[1]["file"] is None
    assert (d / "same.bin").read_bytes() == pattern(10)
    assert_no_part_files(d)


def test_save_as_never_follows_a_planted_parent_link(run, server,
                                                     tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, d / "sub")
    code, recs, err = run(["--save", d, "--save-as", "sub/{index}",
                           server.url("/ok")])
    assert kind(recs[0]) == "write", recs[0]
    assert os.listdir(outside) == []
    assert_no_part_files(d)


def test_save_as_rejects_a_bad_template(run, server, tmp_path):
    for t in ["/abs/{index}", "{nope}", "../{index}"]:
        code, recs, err = run(["--save", tmp_path, "--save-as", t,
                               server.url("/ok")])
        assert code == 2, (t, err)
        assert "--save-as" in err
    assert server.stats()["count"] == 0


@pytest.mark.parametrize("tmpl", [None, "f{index}.{ext}", "{hash}"],
                         ids=["index", "save-as", "save-as-hash"])
def test_a_retry_that_succeeds_replaces_the_earlier_attempts_file(
        run, server, tmp_path, tmpl):
    # A 503 (saved: bodies of error statuses are) retried into a 200.
    # With --save-as, the name the 503's attempt had published was held
    # against the request itself: the 200 became "cannot save: f0.txt is
    # already saved by another request of this run" (kind write), and
    # the file kept the 503's body.
    d = tmp_path / "out"
    key = uuid.uuid4().hex[:10]
    args = FAST + ["--save", d] + (["--save-as", tmpl] if tmpl else [])
    code, recs, err = run(args + [server.url(
        "/flaky?key=%s&fail=1" % key)])
    assert code == 0, err
    r = recs[0]
    assert r["ok"] and r["attempts"] == 2, r
    name = {None: "0", "{hash}": r.get("hash", "")[7:]}.get(tmpl, "f0.txt")
    assert r["file"] == "%s/%s" % (d, name)
    assert sorted(os.listdir(d)) == [name]
    assert (d / name).read_bytes() == b"ok after 1\n"


@pytest.mark.parametrize("tmpl", [None, "f{index}"],
                         ids=["index", "save-as"])
def test_a_retry_that_fails_leaves_no_earlier_attempts_file(
        run, tmp_path, tmpl):
    # The first attempt gets a 503 with a body (saved), the retry no
    # answer at all: the record names no file, so none may be left
    # holding the 503's body (it was, under DIR/0).
    from rawserver import RawServer
    seen = []

    def answer(req):
        seen.append(req)
        if len(seen) == 1:
            return (b"HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n"
                    b"Connection: close\r\n\r\nbusy", "close")
        return None
    s = RawServer(answer)
    try:
        d = tmp_path / "out"
        args = FAST + ["--retries", "1", "--save", d] + (
            ["--save-as", tmpl] if tmpl else [])
        code, recs, err = run(args + [s.url("/x")])
    finally:
        s.stop()
    assert code == 1, err
    r = recs[0]
    assert r["attempts"] == 2 and not r["ok"] and r["status"] is None, r
    assert r["file"] is None
    assert os.listdir(d) == [], os.listdir(d)
