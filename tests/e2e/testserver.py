#!/usr/bin/python3
"""testserver.py: a scripted HTTP/1.1 server for cofetch's end-to-end tests.

Standard library only (asyncio streams). Behaviour is chosen by the path and
query of each request; see ROUTES below. The server records every request
(arrival time, method, path, Host) and tracks how many requests are in
flight, overall and per Host header, with their peaks. GET /_stats returns
that as JSON and GET /_reset clears it; neither is counted.

Run:    /usr/bin/python3 testserver.py --port 0 --port-file F [--extra-ports K]
        (F gets the listening ports, one a line, the primary first)
Import: srv = testserver.start_in_thread(); srv.port; srv.stop()
"""

import argparse
import asyncio
import base64
import email.utils
import itertools
import json
import math
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib

ROUTES = """
/ok                       200 "ok"
/delay?ms=N[&status=S]    sleep N ms, then answer (200 "delayed")
/cap?max=N&ms=M           503 when more than N are in flight to this Host,
                          else sleep M ms and answer 200
/status/N                 answer status N; &retry_after=SEC sets Retry-After
                          in seconds, &retry_after_date=SEC as an HTTP date
                          SEC (rounded up to a whole second) in the future;
                          &body=TEXT sets the body
/flaky?key=K&fail=N       first N hits for K answer &status= (503), then 200;
                          &retry_after= / &retry_after_date= as above
/reset[?after=none|headers|body]   RST (SO_LINGER 0) before anything, after
                          the headers, or (default) after part of the body
/truncate                 Content-Length 1000, 100 bytes sent, then close
/stall[?headers=0]        headers (unless headers=0), then nothing ever
/slowbody?n=N&ms=M        Content-Length N, one byte every M ms
/garbage[?kind=binary|status]   bytes that are not an HTTP response
/redirect/N[?status=302&abs=1]  N hops to /redirect/0 (200 "done")
/redirect-to?url=U[&status=302]
/loop                     302 to itself, forever
/to-file, /to-ftp         302 to file:///etc/passwd, ftp://127.0.0.1/x
/utf8-bad                 text/plain body with invalid UTF-8
/json                     application/json body (spaces, exact numbers)
/text?s=TEXT[&ct=TYPE]    TEXT as the body
/bytes?n=N[&ct=TYPE&chunked=1]  N bytes (i % 256), octet-stream
/gzip?n=N                 N bytes of text, Content-Encoding: gzip (always)
/gzip-bomb?n=N            N zero bytes gzip-compressed (N may end in K/M/G)
/headers-repeat           two Set-Cookie, X-Multi twice, one X-Single
/echo                     JSON: method, target, path, query, version,
                          headers [[name, value]...], body, body_b64
/close                    200 with Connection: close
/_stats, /_reset          statistics (not counted)
"""

REASONS = {
    100: "Continue", 200: "OK", 201: "Created", 204: "No Content",
    301: "Moved Permanently", 302: "Found", 303: "See Other",
    304: "Not Modified", 307: "Temporary Redirect",
    308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
    403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    418: "I'm a teapot", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}

JSON_BODY = (b'{ "a": 1.50, "b": [1e3, -0, "x\\u00e9"],\n'
    b'  "c": {"d": null, "e": true} }\n')
UTF8_BAD_BODY = b"caf\xc3\xa9 \xff\xfe bad \xc3( end"


class Stats:
    """What the server saw since the last reset."""

    def __init__(self):
        self.inflight = 0
        self.host_inflight = {}
        self.reset()

    def reset(self):
        # Requests in flight across a reset keep being counted, so
        # the counters stay right; the peaks restart from them.
        self.requests = []
        self.peak = self.inflight
        self.host_peak = {h: n for h, n in self.host_inflight.items()
            if n > 0}
        self.flaky = {}
        self.connections = 0    # connections that made a counted request
        self.conns = set()

    def begin(self, entry):
        self.requests.append(entry)
        host = entry["host"]
        self.inflight += 1
        self.peak = max(self.peak, self.inflight)
        n = self.host_inflight.get(host, 0) + 1
        self.host_inflight[host] = n
        self.host_peak[host] = max(self.host_peak.get(host, 0), n)

    def end(self, host):
        self.inflight -= 1
        self.host_inflight[host] -= 1

    def as_json(self):
        return {
            "count": len(self.requests),
            "requests": self.requests,
            "inflight": self.inflight,
            "peak": self.peak,
            "host_inflight": {h: n for h, n in
                self.host_inflight.items() if n},
            "host_peak": self.host_peak,
            "flaky": self.flaky,
            "connections": self.connections,
        }


class Request:
    def __init__(self, method, target, version, headers, body):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers      # [(name, value)], as sent
        self.body = body
        self.proxied = target.startswith(("http://", "https://"))
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path or "/"
        self.query = dict(urllib.parse.parse_qsl(parts.query,
            keep_blank_values=True))
        self.raw_query = parts.query

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def qint(self, name, default=0):
        return parse_size(self.query.get(name, str(default)))


class Abort(Exception):
    """The handler has already dealt with the connection; close it."""


def parse_size(s):
    s = s.strip()
    mult = 1
    if s and s[-1] in "kKmMgG":
        mult = 1024 ** ("kmg".index(s[-1].lower()) + 1)
        s = s[:-1]
    return int(float(s) * mult)


def http_date(seconds_ahead):
    when = math.ceil(time.time()) + seconds_ahead
    return email.utils.formatdate(when, usegmt=True)


def head(status, headers, length=None, close=False, reason=None):
    reason = reason or REASONS.get(status, "Status")
    lines = ["HTTP/1.1 %d %s" % (status, reason)]
    for k, v in headers:
        lines.append("%s: %s" % (k, v))
    if length is not None:
        lines.append("Content-Length: %d" % length)
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Server:
    def __init__(self):
        self.stats = Stats()
        self.conn_ids = itertools.count(1)
        self.bombs = {}
        self.servers = []
        self.ports = []

    async def listen(self, host, port, extra_ports=0):
        for p in [port] + [0] * extra_ports:
            srv = await asyncio.start_server(self.handle, host, p,
                limit=1 << 20, backlog=4096, reuse_address=True)
            self.servers.append(srv)
            self.ports.append(srv.sockets[0].getsockname()[1])
        return self.ports

    def close(self):
        for s in self.servers:
            s.close()

    # -- connection ---------------------------------------------------

    async def handle(self, reader, writer):
        conn = next(self.conn_ids)
        sock = writer.get_extra_info("socket")
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        try:
            while True:
                req = await self.read_request(reader, writer)
                if req is None:
                    break
                if not await self.serve(req, conn, reader,
                    writer):
                    break
        except (Abort, ConnectionError, asyncio.IncompleteReadError,
            asyncio.LimitOverrunError, ValueError, OSError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def read_request(self, reader, writer):
        first = await reader.read(1)
        while first in (b"\r", b"\n"):
            first = await reader.read(1)
        if not first:
            return None
        if not first.isalpha():
            # Not HTTP (a TLS ClientHello, say): answer like nginx.
            writer.write(head(400, [], 0, close=True))
            await writer.drain()
            raise Abort()
        line = first + await reader.readline()
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3:
            writer.write(head(400, [], 0, close=True))
            raise Abort()
        method, target, version = parts
        headers = []
        while True:
            h = await reader.readline()
            if not h:
                return None
            if h in (b"\r\n", b"\n"):
                break
            name, _, value = h.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))
        req = Request(method, target, version, headers, b"")
        if (req.header("expect", "").lower() == "100-continue"):
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        te = req.header("transfer-encoding", "").lower()
        if "chunked" in te:
            body = bytearray()
            while True:
                size = int((await reader.readline()).split(
                    b";")[0].strip(), 16)
                if size == 0:
                    while (await reader.readline()) not in \
                        (b"\r\n", b"\n", b""):
                        pass
                    break
                body += await reader.readexactly(size)
                await reader.readline()
            req.body = bytes(body)
        else:
            n = int(req.header("content-length", "0") or 0)
            if n:
                req.body = await reader.readexactly(n)
        return req

    def wants_close(self, req):
        c = (req.header("connection") or "").lower()
        if req.version == "HTTP/1.0":
            return "keep-alive" not in c
        return "close" in c

    async def serve(self, req, conn, reader, writer):
        """Answer req; return whether the connection stays open."""
        if req.path == "/_stats":
            body = json.dumps(self.stats.as_json()).encode()
            writer.write(head(200, [("Content-Type",
                "application/json")], len(body)) + body)
            await writer.drain()
            return True
        if req.path == "/_reset":
            self.stats.reset()
            writer.write(head(200, [], 3) + b"ok\n")
            await writer.drain()
            return True
        host = (req.header("host") or "").lower()
        entry = {
            "t": time.monotonic(), "wall": time.time(),
            "method": req.method, "path": req.path,
            "target": req.target, "host": host, "conn": conn,
            "proxied": req.proxied,
        }
        key = req.query.get("key")
        if key is not None:
            entry["key"] = key
        if conn not in self.stats.conns:
            self.stats.conns.add(conn)
            self.stats.connections += 1
        self.stats.begin(entry)
        try:
            keep = await self.route(req, reader, writer)
            await writer.drain()
        finally:
            self.stats.end(host)
        return keep and not self.wants_close(req)

    # -- helpers ------------------------------------------------------

    async def send(self, req, writer, status, body=b"", headers=(),
        ctype="text/plain", close=False):
        hdrs = list(headers)
        if ctype:
            hdrs.insert(0, ("Content-Type", ctype))
        nobody = req.method == "HEAD" or status in (204, 304) or \
            100 <= status < 200
        writer.write(head(status, hdrs, None if status in (204, 304)
            else len(body), close=close))
        if not nobody and body:
            writer.write(body)
        await writer.drain()
        return not close

    def retry_after_headers(self, req):
        h = []
        if "retry_after" in req.query:
            h.append(("Retry-After", req.query["retry_after"]))
        if "retry_after_date" in req.query:
            h.append(("Retry-After",
                http_date(float(req.query["retry_after_date"]))))
        return h

    def rst(self, writer):
        sock = writer.get_extra_info("socket")
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                struct.pack("ii", 1, 0))
        except OSError:
            pass
        writer.transport.abort()
        raise Abort()

    def bomb(self, n):
        if n not in self.bombs:
            z = zlib.compressobj(9, zlib.DEFLATED, 31)
            chunk = bytes(1 << 20)
            out = []
            left = n
            while left > 0:
                out.append(z.compress(chunk[:min(left,
                    len(chunk))]))
                left -= len(chunk)
            out.append(z.flush())
            self.bombs[n] = b"".join(out)
        return self.bombs[n]

    async def pause(self, reader, writer, seconds):
        """Sleep, but end the request when the client goes away."""
        deadline = time.monotonic() + seconds
        while True:
            if reader.at_eof() or writer.transport.is_closing():
                raise Abort()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.02))

    async def wait_eof(self, reader):
        """Hold the connection until the client goes away."""
        while await reader.read(65536):
            pass
        raise Abort()

    # -- routes -------------------------------------------------------

    async def route(self, req, reader, writer):
        p = req.path
        q = req.query
        if p == "/ok" or p == "/":
            return await self.send(req, writer, 200, b"ok\n")
        if p == "/delay":
            await self.pause(reader, writer, req.qint("ms", 100) / 1000.0)
            return await self.send(req, writer,
                req.qint("status", 200), b"delayed\n")
        if p == "/cap":
            # More than max requests in flight to this Host: 503 at
            # once; else answer after ms.
            host = (req.header("host") or "").lower()
            if self.stats.host_inflight.get(host, 0) > req.qint("max", 1):
                return await self.send(req, writer, 503, b"busy\n")
            await self.pause(reader, writer, req.qint("ms", 50) / 1000.0)
            return await self.send(req, writer, 200, b"ok\n")
        if p.startswith("/status/"):
            status = int(p[len("/status/"):])
            body = q.get("body", "status %d\n" % status).encode()
            return await self.send(req, writer, status, body,
                self.retry_after_headers(req))
        if p == "/flaky":
            k = q.get("key", "")
            hits = self.stats.flaky.get(k, 0) + 1
            self.stats.flaky[k] = hits
            if hits <= req.qint("fail", 1):
                status = req.qint("status", 503)
                return await self.send(req, writer, status,
                    b"flaky %d\n" % hits,
                    self.retry_after_headers(req))
            return await self.send(req, writer, 200,
                b"ok after %d\n" % (hits - 1))
        if p == "/reset":
            after = q.get("after", "body")
            if after == "none":
                self.rst(writer)
            writer.write(head(200, [("Content-Type", "text/plain")],
                100000))
            if after == "body":
                writer.write(b"x" * 1000)
            await writer.drain()
            await asyncio.sleep(0.05)
            self.rst(writer)
        if p == "/truncate":
            writer.write(head(200, [("Content-Type", "text/plain")],
                1000) + b"y" * 100)
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.close()
            raise Abort()
        if p == "/stall":
            if q.get("headers", "1") != "0":
                writer.write(head(200, [("Content-Type",
                    "text/plain")], 100) + b"z" * 10)
                await writer.drain()
            await self.wait_eof(reader)
        if p == "/slowbody":
            n = req.qint("n", 100)
            ms = req.qint("ms", 100)
            writer.write(head(200, [("Content-Type", "text/plain")],
                n))
            for _ in range(n):
                await writer.drain()
                await self.pause(reader, writer, ms / 1000.0)
                writer.write(b"s")
            return True
        if p == "/garbage":
            if q.get("kind") == "status":
                writer.write(b"HTTP/1.1 abc\r\n\r\n")
            else:
                writer.write(b"\x00\x01\x02\xff\xfeGARBAGE not "
                    b"http at all\r\n\r\n" * 4)
            await writer.drain()
            writer.close()
            raise Abort()
        if p.startswith("/redirect/"):
            n = int(p[len("/redirect/"):])
            if n <= 0:
                return await self.send(req, writer, 200,
                    b"done\n")
            loc = "/redirect/%d" % (n - 1)
            if req.raw_query:
                loc += "?" + req.raw_query
            if q.get("abs") == "1":
                loc = "http://%s%s" % (req.header("host"), loc)
            return await self.send(req, writer,
                req.qint("status", 302), b"redirect\n",
                [("Location", loc), ("X-Hop", str(n))])
        if p == "/redirect-to":
            return await self.send(req, writer,
                req.qint("status", 302), b"redirect\n",
                [("Location", q.get("url", "/ok"))])
        if p == "/loop":
            return await self.send(req, writer, 302, b"loop\n",
                [("Location", "/loop")])
        if p == "/to-file":
            return await self.send(req, writer, 302, b"file\n",
                [("Location", "file:///etc/passwd")])
        if p == "/to-ftp":
            return await self.send(req, writer, 302, b"ftp\n",
                [("Location", "ftp://127.0.0.1/x")])
        if p == "/utf8-bad":
            return await self.send(req, writer, 200, UTF8_BAD_BODY,
                ctype="text/plain; charset=utf-8")
        if p == "/json":
            return await self.send(req, writer, 200, JSON_BODY,
                ctype="application/json")
        if p == "/text":
            return await self.send(req, writer, 200,
                q.get("s", "").encode(),
                ctype=q.get("ct", "text/plain; charset=utf-8"))
        if p == "/bytes":
            n = req.qint("n", 1024)
            ctype = q.get("ct", "application/octet-stream")
            return await self.send_bytes(req, writer, n, ctype,
                q.get("chunked") == "1")
        if p == "/gzip":
            n = req.qint("n", 1000)
            text = (b"abcdefghij" * (n // 10 + 1))[:n]
            z = zlib.compressobj(6, zlib.DEFLATED, 31)
            body = z.compress(text) + z.flush()
            return await self.send(req, writer, 200, body,
                [("Content-Encoding", "gzip")])
        if p == "/gzip-bomb":
            body = self.bomb(req.qint("n", 100 << 20))
            return await self.send(req, writer, 200, body,
                [("Content-Encoding", "gzip")],
                ctype="application/octet-stream")
        if p == "/headers-repeat":
            return await self.send(req, writer, 200, b"hr\n", [
                ("Set-Cookie", "a=1; Path=/"),
                ("X-Multi", "one"),
                ("X-Single", "s"),
                ("Set-Cookie", "b=2; Path=/"),
                ("X-Multi", "two"),
            ])
        if p == "/echo":
            doc = {
                "method": req.method, "target": req.target,
                "path": req.path, "query": req.query,
                "version": req.version,
                "headers": [[k, v] for k, v in req.headers],
                "body": req.body.decode("utf-8", "replace"),
                "body_b64": base64.b64encode(
                    req.body).decode(),
                "body_len": len(req.body),
                "proxied": req.proxied,
            }
            return await self.send(req, writer, 200,
                json.dumps(doc).encode(),
                ctype="application/json")
        if p == "/close":
            return await self.send(req, writer, 200, b"bye\n",
                close=True)
        return await self.send(req, writer, 404, b"no such route\n")

    async def send_bytes(self, req, writer, n, ctype, chunked):
        block = bytes(range(256)) * 256
        if chunked:
            writer.write(head(200, [("Content-Type", ctype),
                ("Transfer-Encoding", "chunked")]))
        else:
            writer.write(head(200, [("Content-Type", ctype)], n))
        if req.method == "HEAD":
            return True
        left = n
        while left > 0:
            piece = block[:min(left, len(block))]
            if chunked:
                writer.write(b"%x\r\n" % len(piece) + piece +
                    b"\r\n")
            else:
                writer.write(piece)
            left -= len(piece)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
        return True


def write_port_file(path, ports):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join("%d\n" % p for p in ports))
    os.rename(tmp, path)


async def amain(args):
    srv = Server()
    ports = await srv.listen(args.host, args.port, args.extra_ports)
    if args.port_file:
        write_port_file(args.port_file, ports)
    else:
        print(" ".join(map(str, ports)), flush=True)
    await asyncio.Event().wait()


class ThreadedServer:
    """The server on its own loop in a daemon thread (for importers)."""

    def __init__(self, host="127.0.0.1", port=0, extra_ports=0):
        self.loop = asyncio.new_event_loop()
        self.server = Server()
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self.server.listen(host,
                port, extra_ports))
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(10)
        self.ports = self.server.ports
        self.port = self.ports[0]

    def stop(self):
        async def shutdown():
            self.server.close()
            tasks = [t for t in asyncio.all_tasks()
                     if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def start_in_thread(host="127.0.0.1", port=0, extra_ports=0):
    return ThreadedServer(host, port, extra_ports)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
        epilog=ROUTES, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--extra-ports", type=int, default=0,
        help="also listen on K more free ports")
    args = ap.parse_args()
    try:
        asyncio.run(amain(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
