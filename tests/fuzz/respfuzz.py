#!/usr/bin/python3
"""respfuzz.py: the response fuzzer over reused connections (issue 9,
"The whole kind, tested").

Servers on 127.0.0.1 answer every request with a response mutated from
the request's path and the seed: folded and oversized headers, bad status
lines, bad chunking, truncated, corrupt and stacked content codings,
1xx/204/304 with bodies, length mismatches, early closes and resets; many
requests per connection (HTTP/1.1 keep-alive, and HTTP/2 streams on one
connection). The h2 server (python3-h2) adds GOAWAY, RST_STREAM codes,
bad pseudo-headers, uppercase names, oversized header blocks and
flow-control stalls.

Each round runs cofetch (the ASan+UBSan build, normally) over a few
hundred such URLs with random options and checks: no sanitizer report,
no crash or hang, exit status 0 or 1, exactly one valid JSON record per
index, the record's shape, and error kinds from SPEC's closed set.

    tests/fuzz/respfuzz.py --binary ./cofetch-asan --seconds 60 --seed 1

A failing round is written to --out (default build/fuzz/respfuzz/) with
its seed, options, URLs and cofetch's stderr; rerun it with
--seed S --rounds 1 --first-round R. Exit status: 0 clean, 1 findings.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from rawserver import Listener, RawServer  # noqa: E402

try:
    import brotli
except ImportError:  # python3-brotli: then no br bodies
    brotli = None

KINDS = {"invalid_input", "invalid_url", "dns", "connect", "tls", "timeout",
         "send", "recv", "protocol", "too_many_redirects", "too_large",
         "http", "cancelled", "write", "robots", "internal"}
RECORD_KEYS = ["index", "url", "method", "ok", "status", "http_version",
               "final_url", "redirects", "attempts", "size", "content_type",
               "remote_ip", "time", "elapsed", "error"]
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "UndefinedBehaviorSanitizer",
                   "ThreadSanitizer")

TEXT = (b"fuzzing cofetch over reused connections, seeded and bounded; "
        * 40)


def gz(b):
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return c.compress(b) + c.flush()


def zstd_blob(b):
    exe = shutil.which("zstd")
    if exe is None:
        return None
    return subprocess.run([exe, "-q", "-c"], input=b, check=True,
                          stdout=subprocess.PIPE).stdout


ENC = {"gzip": gz(TEXT), "deflate": zlib.compress(TEXT),
       "gzip-bomb": gz(b"\0" * (8 << 20))}
if brotli is not None:
    ENC["br"] = brotli.compress(TEXT)
    ENC["gzip, br"] = brotli.compress(gz(TEXT))
_z = zstd_blob(TEXT)
if _z is not None:
    ENC["zstd"] = _z


SKIP = set()   # HTTP/1 mutation numbers left out (--skip)


def rng_for(seed, path):
    return random.Random("%s|%s" % (seed, path))


# -- HTTP/1.1 mutations ------------------------------------------------

def h1_head(status, headers):
    return ("\r\n".join([status] + headers) + "\r\n\r\n").encode("latin-1")


def h1_mutate(r, path, port):
    """(bytes, action) for one request; action keep, close or rst."""
    body = TEXT[:r.randrange(0, len(TEXT))]
    ok = "HTTP/1.1 200 OK"
    cl = "Content-Length: %d" % len(body)
    m = r.randrange(40)
    if m in SKIP:
        m = 39
    if m == 0:
        return h1_head(ok, [cl, "X-A: 1"]) + body, "keep"
    if m == 1:      # obs-fold as the first header line
        return h1_head(ok, [" folded: x", cl]) + body, "keep"
    if m == 2:      # folded later
        return h1_head(ok, ["X-A: 1", "\tcontinued", cl]) + body, "keep"
    if m == 3:      # one oversized header
        n = r.choice([17000, 70000, 120000, 400000])
        return h1_head(ok, ["X-Big: " + "a" * n, cl]) + body, "keep"
    if m == 4:      # many header lines
        n = r.choice([300, 3000, 6000])
        return h1_head(ok, ["X-%d: v" % i for i in range(n)] + [cl]) + \
            body, "keep"
    if m == 5:      # bad status lines
        st = r.choice(["HTTP/1.1 abc OK", "HTTP/9.9 200 OK", "garbage",
                       "HTTP/1.1 099 X", "HTTP/1.1 600 X", "", "ICY 200 OK",
                       "HTTP/1.1 2000 OK", "HTTP/1.1  200 OK", "HTTP/1.1",
                       "HTTP/1.1 -1 X", "HTTP/1.1 200\x00 OK"])
        return h1_head(st, [cl]) + body, r.choice(["keep", "close"])
    if m == 6:      # valid chunked
        return h1_head(ok, ["Transfer-Encoding: chunked"]) + \
            b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n", "keep"
    if m == 7:      # bad chunking
        bad = r.choice([b"zz\r\nabc\r\n0\r\n\r\n",
                        b"5\r\nabc\r\n0\r\n\r\n",
                        b"ffffffffffffffffff\r\nx\r\n",
                        b"5;ext=\"q\r\nhello\r\n0\r\n\r\n",
                        b"3\r\nabc",
                        b"-1\r\n\r\n",
                        b"3\r\nabcXX0\r\n\r\n",
                        b"0\r\nTrailer: x\r\n folded\r\n\r\n"])
        return h1_head(ok, ["Transfer-Encoding: chunked"]) + bad, \
            r.choice(["keep", "close"])
    if m == 8:      # chunked and Content-Length both, or two lengths
        hs = r.choice([["Transfer-Encoding: chunked", cl],
                       [cl, "Content-Length: %d" % (len(body) + 3)],
                       ["Content-Length: -5"], ["Content-Length: 1e3"],
                       ["Transfer-Encoding: gzip, chunked"],
                       ["Content-Length: 99999999999999999999"]])
        return h1_head(ok, hs) + body, r.choice(["keep", "close"])
    if m in (9, 10, 11, 12):    # content codings, whole or damaged
        enc = r.choice(sorted(ENC))
        b = ENC[enc]
        how = r.randrange(5)
        if how == 1:
            b = b[:max(0, len(b) - r.randrange(1, 30))]
        elif how == 2 and len(b) > 20:
            i = r.randrange(len(b) - 8)
            b = b[:i] + bytes(x ^ 0xA5 for x in b[i:i + 8]) + b[i + 8:]
        elif how == 3:
            b = b + b"junk"
        name = "gzip" if enc == "gzip-bomb" else enc
        return h1_head(ok, ["Content-Encoding: " + name,
                            "Content-Length: %d" % len(b)]) + b, "keep"
    if m == 13:     # unknown or odd codings
        name = r.choice(["compress", "x-foo", "gzip, gzip, gzip, gzip, gzip",
                         "identity", "", ",,", "GZIP"])
        return h1_head(ok, ["Content-Encoding: " + name, cl]) + body, "keep"
    if m == 14:     # 1xx before the final response
        pre = r.choice([b"HTTP/1.1 100 Continue\r\n\r\n",
                        b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
                        b"HTTP/1.1 100 Continue\r\nContent-Length: 3\r\n"
                        b"\r\nabc",
                        b"HTTP/1.1 101 Switching\r\nUpgrade: x\r\n\r\n"])
        return pre + h1_head(ok, [cl]) + body, "keep"
    if m == 15:     # 204/304 (and HEAD-like) with a body
        st = r.choice(["HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Mod"])
        hs = r.choice([[], [cl], ["Transfer-Encoding: chunked"]])
        return h1_head(st, hs) + body, "keep"
    if m == 16:     # Content-Length larger than sent, then close/reset
        return h1_head(ok, ["Content-Length: %d" % (len(body) + 50)]) + \
            body, r.choice(["close", "rst"])
    if m == 17:     # Content-Length smaller: the rest is the next reply
        return h1_head(ok, ["Content-Length: %d" % (len(body) // 2)]) + \
            body, "keep"
    if m == 18:     # close or reset before or during the head
        cut = r.choice([b"", b"HTTP/1.1 2", h1_head(ok, [cl])[:-3]])
        return cut, r.choice(["close", "rst"])
    if m == 19:     # close-delimited (HTTP/1.0 or no length)
        v = r.choice(["HTTP/1.0 200 OK", ok])
        return h1_head(v, ["Connection: close"]) + body, "close"
    if m == 20:     # redirects on this server
        loc = r.choice(["/r%d" % r.randrange(100), "http://127.0.0.1:%d/a"
                        % port, "//127.0.0.1:%d/b" % port, "/" + "x" * 9000,
                        "ftp://127.0.0.1/", "", "http://[::1", "/\x01\x7f",
                        path])
        st = r.choice(["301 Moved", "302 Found", "303 See Other",
                       "307 Temp", "308 Perm"])
        return h1_head("HTTP/1.1 " + st, ["Location: " + loc, cl]) + \
            body, "keep"
    if m == 21:     # Retry-After oddities on 429/503
        ra = r.choice(["1", "0", "-1", "99999999999999", "abc",
                       "Sun, 06 Nov 1994 08:49:37 GMT", "1.5", ""])
        st = r.choice(["HTTP/1.1 429 Too Many", "HTTP/1.1 503 Unavail"])
        return h1_head(st, ["Retry-After: " + ra, cl]) + body, "keep"
    if m == 22:     # odd header bytes
        hs = [r.choice(["Content-Type: text/\xff\xfe", "X: \x00\x01",
                        "NoColon", ": empty name", "X :space before",
                        "Content-Type:", "Set-Cookie: a=" + "b" * 5000]),
              cl]
        return h1_head(ok, hs) + body, "keep"
    if m == 23:     # a status line split oddly or with bare LF
        return (b"HTTP/1.1 200 OK\nContent-Length: %d\n\n" % len(body)) + \
            body, "keep"
    if m == 24:     # headers never end (bounded by -t)
        return b"HTTP/1.1 200 OK\r\nX: y\r\n", "close"
    if m == 25:     # status >= 400 with bodies
        st = r.choice(["404 Not Found", "500 Oops", "502 Bad", "418 Tea"])
        return h1_head("HTTP/1.1 " + st, [cl]) + body, "keep"
    # the rest: a plain good response, so that connections get reused
    return h1_head(ok, [cl, "Content-Type: text/plain"]) + body, "keep"


class H1Server:
    def __init__(self, seed):
        self.seed = seed
        self.srv = RawServer(self.respond, keep_log=False)
        self.port = self.srv.port

    def respond(self, req):
        r = rng_for(self.seed, "%s|%d" % (req.target, (req.nth - 1) % 3))
        return h1_mutate(r, req.target, self.port)

    def close(self):
        self.srv.stop()


# -- HTTP/2 (h2c prior knowledge) ---------------------------------------

def h2_serve_conn(sock, seed):
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions
    import h2.errors

    cfg = h2.config.H2Configuration(client_side=False,
                                    header_encoding=None,
                                    validate_outbound_headers=False,
                                    normalize_outbound_headers=False,
                                    validate_inbound_headers=False)
    conn = h2.connection.H2Connection(config=cfg)
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    sock.settimeout(20)
    paths = {}
    stalled = set()
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            try:
                events = conn.receive_data(data)
            except h2.exceptions.ProtocolError:
                break
            for ev in events:
                if isinstance(ev, h2.events.RequestReceived):
                    hd = dict((k if isinstance(k, bytes) else k.encode(),
                               v if isinstance(v, bytes) else v.encode())
                              for k, v in ev.headers)
                    paths[ev.stream_id] = hd.get(b":path", b"/").decode()
                elif isinstance(ev, h2.events.DataReceived):
                    # Open the window again, or an upload over 64 KiB
                    # stalls (that is the server's fault, not cofetch's).
                    conn.acknowledge_received_data(
                        ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.StreamEnded):
                    sid = ev.stream_id
                    r = rng_for(seed, "h2|" + paths.get(sid, "/"))
                    if h2_answer(conn, sid, r, stalled) == "close":
                        sock.sendall(conn.data_to_send())
                        return
            out = conn.data_to_send()
            if out:
                sock.sendall(out)
    except (OSError, h2.exceptions.H2Error, KeyError, ValueError):
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


def h2_answer(conn, sid, r, stalled):
    import h2.errors

    body = TEXT[:r.randrange(0, len(TEXT))]
    good = [(b":status", b"200"), (b"content-length", b"%d" % len(body))]
    m = r.randrange(24)
    if m == 0:      # RST_STREAM with a random code
        conn.reset_stream(sid, error_code=r.choice(
            [0, 1, 2, 3, 5, 7, 8, 11, 13, 0xFF]))
        return "keep"
    if m == 1:      # GOAWAY below streams already sent, then close
        conn.close_connection(error_code=r.choice([0, 2, 11]),
                              last_stream_id=max(0, sid - 2 *
                                                 r.randrange(0, 3)))
        return "close"
    if m == 2:      # bad pseudo-headers and names
        hs = r.choice([[(b":status", b"abc")], [(b":status", b"099")],
                       [(b"content-type", b"x")],
                       [(b":status", b"200"), (b"X-Upper", b"1")],
                       [(b":status", b"200"), (b":path", b"/")],
                       [(b":status", b"200"), (b":status", b"201")],
                       [(b":status", b"600")], [(b":status", b"")],
                       [(b":status", b"200"), (b"connection", b"close")],
                       [(b":status", b"200"), (b"bad name", b"v")]])
        conn.send_headers(sid, hs, end_stream=True)
        return "keep"
    if m == 3:      # oversized header block (CONTINUATION frames)
        n = r.choice([17000, 40000, 100000])
        conn.send_headers(sid, good + [(b"x-big", b"a" * n)])
        conn.send_data(sid, body, end_stream=True)
        return "keep"
    if m == 4:      # flow-control stall: headers, then nothing
        conn.send_headers(sid, [(b":status", b"200")])
        stalled.add(sid)
        return "keep"
    if m == 5:      # content codings, whole or damaged
        enc = r.choice(sorted(ENC))
        b = ENC[enc]
        if r.randrange(2):
            b = b[:max(0, len(b) - r.randrange(1, 30))]
        name = b"gzip" if enc == "gzip-bomb" else enc.encode()
        conn.send_headers(sid, [(b":status", b"200"),
                                (b"content-encoding", name)])
        for i in range(0, len(b), 16000):
            if conn.local_flow_control_window(sid) < 16000:
                break
            conn.send_data(sid, b[i:i + 16000])
        conn.end_stream(sid)
        return "keep"
    if m == 6:      # data beyond content-length
        conn.send_headers(sid, [(b":status", b"200"),
                                (b"content-length", b"3")])
        conn.send_data(sid, b"abcdef", end_stream=True)
        return "keep"
    if m == 7:      # 1xx then final; or a trailer
        conn.send_headers(sid, [(b":status", b"103"), (b"link", b"</a>")])
        conn.send_headers(sid, good)
        conn.send_data(sid, body)
        conn.send_headers(sid, [(b"x-trailer", b"t")], end_stream=True)
        return "keep"
    if m == 8:      # data, then the connection closes mid-stream
        conn.send_headers(sid, [(b":status", b"200")])
        conn.send_data(sid, body[:10])
        return "close"
    if m == 9:      # 204/304 with data
        conn.send_headers(sid, [(b":status", r.choice([b"204", b"304"]))])
        conn.send_data(sid, b"xyz", end_stream=True)
        return "keep"
    if m == 10:
        conn.send_headers(sid, [(b":status", b"503"),
                                (b"retry-after", b"1")], end_stream=True)
        return "keep"
    conn.send_headers(sid, good)
    conn.send_data(sid, body, end_stream=True)
    return "keep"


class H2Server(Listener):
    def __init__(self, seed):
        self.seed = seed
        Listener.__init__(self, backlog=64)

    def _serve(self, c, n):
        h2_serve_conn(c, self.seed)

    def close(self):
        self.stop()


# -- one round -----------------------------------------------------------

def check_records(out, n):
    """Problems with cofetch's output, as a list of strings."""
    probs = []
    seen = {}
    if out and not out.endswith(b"\n"):
        probs.append("output does not end with a newline")
    for ln in out.split(b"\n"):
        if not ln:
            continue
        try:
            rec = json.loads(ln.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            probs.append("invalid JSON line (%s): %r" % (e, ln[:200]))
            continue
        if not isinstance(rec, dict):
            probs.append("not an object: %r" % ln[:200])
            continue
        keys = [k for k in rec if k in RECORD_KEYS]
        if keys != RECORD_KEYS:
            probs.append("keys %r" % list(rec))
        i = rec.get("index")
        seen[i] = seen.get(i, 0) + 1
        err = rec.get("error")
        if rec.get("ok") != (err is None):
            probs.append("ok/error disagree: %r" % ln[:300])
        if err is not None:
            if err.get("kind") not in KINDS:
                probs.append("kind %r not in the closed set" %
                             err.get("kind"))
            if not isinstance(err.get("message"), str):
                probs.append("no message: %r" % ln[:300])
        st = rec.get("status")
        if st is not None and not isinstance(st, int):
            probs.append("status %r" % st)
        elif rec.get("ok") and not 200 <= st <= 399:
            probs.append("ok with status %r" % st)
    for i in range(n):
        if seen.get(i, 0) != 1:
            probs.append("index %d has %d records" % (i, seen.get(i, 0)))
    extra = set(seen) - set(range(n))
    if extra:
        probs.append("unexpected indexes %r" % sorted(extra)[:10])
    return probs


def show(args):
    return " ".join(a if len(a) < 40 else "%s...(%d)" % (a[:10], len(a))
                    for a in args)


def round_run(binary, seed, rnd, h1, h2, urls_per_round):
    r = random.Random("%s/round/%d" % (seed, rnd))
    use_h2 = r.randrange(4) == 0
    n = r.randrange(urls_per_round // 2, urls_per_round + 1)
    c = r.choice([1, 2, 5, 20, 50])
    retries = r.choice([0, 0, 0, 1, 2])
    n = min(n, 25 * c + 20)     # a round stays short at any -c
    if use_h2:
        urls = ["http://127.0.0.1:%d/s%d/%d" % (h2.port, rnd, i)
                for i in range(n)]
    else:
        urls = ["http://127.0.0.1:%d/s%d/%d" % (h1.port, rnd, i)
                for i in range(n)]
    # Every request may stall until -t (3 s) on each attempt.
    timeout = 60 + n * 4.0 * (retries + 1) / c
    args = ["-c", str(c),
            "-t", "3", "--connect-timeout", "2",
            "--retries", str(retries),
            "--retry-delay", "0.01", "--retry-max-delay", "0.05",
            "--max-size", r.choice(["64M", "1M", "10K"])]
    if use_h2:
        args.append("--http2-prior-knowledge")
    if r.randrange(2):
        args.append("--body=" + r.choice(["auto", "text", "base64",
                                          "json"]))
    if r.randrange(2):
        args.append("--headers")
    if r.randrange(4) == 0:
        args.append("--no-compress")
    if r.randrange(4) == 0:
        args.append("--no-follow")
    if r.randrange(4) == 0:
        args.append("--ordered")
    if r.randrange(3) == 0:
        args += ["-X", r.choice(["HEAD", "POST", "PUT", "DELETE"])]
    if r.randrange(5) == 0:
        args += ["-d", "x" * r.choice([1, 100, 70000])]
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:"
                   "exitcode=99")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env["LC_ALL"] = "C.UTF-8"
    for k in ("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
              "ALL_PROXY", "no_proxy", "NO_PROXY", "HTTP_PROXY"):
        env.pop(k, None)
    if os.environ.get("RESPFUZZ_TRACE"):
        print("respfuzz: round %d starts: %s" % (rnd, show(args)),
              flush=True)
    probs = []
    t0 = time.monotonic()
    try:
        p = subprocess.run([binary] + args, input="\n".join(urls).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=timeout)
        out, err, rc = p.stdout, p.stderr.decode("utf-8", "replace"), \
            p.returncode
    except subprocess.TimeoutExpired as e:
        out, err, rc = e.stdout or b"", (e.stderr or b"").decode(
            "utf-8", "replace"), None
        probs.append("hang: no exit within %ss" % timeout)
    for mark in SANITIZER_MARKS:
        if mark in err:
            probs.append("sanitizer report (%s)" % mark)
    if rc is not None and rc not in (0, 1):
        probs.append("exit status %d" % rc)
    if rc is not None:
        probs += check_records(out, n)
    kinds, notes = {}, {}
    for ln in out.split(b"\n"):
        try:
            e = json.loads(ln).get("error") or {}
        except (ValueError, AttributeError):
            continue
        k = e.get("kind", "ok")
        kinds[k] = kinds.get(k, 0) + 1
        # internal: never the server's fault; worth a look.
        if k == "internal":
            m = e.get("message", "")
            notes[m] = notes.get(m, 0) + 1
    return {"round": rnd, "args": args, "n": n, "h2": use_h2,
            "seconds": round(time.monotonic() - t0, 1), "kinds": kinds,
            "notes": notes,
            "problems": probs, "stderr": err[-20000:], "urls": urls,
            "stdout_tail": out[-3000:].decode("utf-8", "replace")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.environ.get("COFETCH") or
                    os.path.join(HERE, "..", "..", "cofetch-asan"))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--rounds", type=int, default=0,
                    help="stop after this many rounds (0: by time)")
    ap.add_argument("--first-round", type=int, default=0)
    ap.add_argument("--skip", default="",
                    help="HTTP/1 mutations to leave out, as numbers "
                    "(1,2: folded headers, a known libcurl 7.88 bug)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--urls", type=int, default=200,
                    help="URLs per round, at most")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "build",
                                                  "fuzz", "respfuzz"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    SKIP.update(int(x) for x in a.skip.split(",") if x.strip())
    h1, h2 = H1Server(a.seed), H2Server(a.seed)
    deadline = time.monotonic() + a.seconds
    rounds = reqs = 0
    findings = []
    notes = {}
    rnd = a.first_round
    try:
        while True:
            if a.rounds and rounds >= a.rounds:
                break
            if not a.rounds and time.monotonic() >= deadline:
                break
            res = round_run(a.binary, a.seed, rnd, h1, h2, a.urls)
            rounds += 1
            reqs += res["n"]
            for m, c in res["notes"].items():
                notes[m] = notes.get(m, 0) + c
            if a.verbose:
                print("respfuzz: round %d: %s urls %d, %.1fs, %s; %s" %
                      (rnd, "h2" if res["h2"] else "h1", res["n"],
                       res["seconds"], res["kinds"], show(res["args"])),
                      flush=True)
            if res["problems"]:
                path = os.path.join(a.out, "finding-%s-%d.json" %
                                    (a.seed, rnd))
                with open(path, "w") as f:
                    json.dump(res, f, indent=1)
                findings.append((rnd, res["problems"][:5], path))
                print("respfuzz: round %d (%s): %s -> %s" %
                      (rnd, show(res["args"]), res["problems"][:3],
                       path), flush=True)
            rnd += 1
    finally:
        h1.close()
        h2.close()
    print("respfuzz: seed %s: %d rounds, %d requests (responses served: "
          "h1 %d), %d findings" % (a.seed, rounds, reqs, h1.srv.nreq,
                                   len(findings)), flush=True)
    for m, c in sorted(notes.items(), key=lambda x: -x[1]):
        print("respfuzz: note: %d records of kind internal: %r" % (c, m))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
