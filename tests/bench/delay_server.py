#!/usr/bin/python3
"""delay_server.py: an HTTP/1.1 keep-alive server that answers every request
a fixed delay (default 200 ms) after it arrived, for the latency-bound
benchmark.

nginx cannot delay a response without extra modules, so this is a small
asyncio.Protocol server (standard library only), built so that its own work
does not add to the delay:

  - "arrived" is when epoll reported the socket readable (the selector
    stamps the time right after each select()), not when Python got round
    to parsing it, so a burst of 500 requests all get the same deadline;
  - the delay is the same for every request, so deadlines are in arrival
    order: one global FIFO and one timer (call_at for the oldest) replace a
    timer per request;
  - parsing is minimal (find the end of the head; look for
    "connection: close" and Content-Length only when present).

The benchmark checks with h2load that this server is not the bottleneck
before it measures cofetch.

    delay_server.py [--port 0] [--delay 0.2] [--port-file FILE]

GET /__stats answers at once with {"requests": N, "connections": N} (that
request is not counted), for checking that a client fetched everything.
Only listens on 127.0.0.1.  Stops on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import collections
import json
import os
import resource
import selectors
import multiprocessing
import signal
import socket
import sys
import time

BODY = json.dumps({"delayed": True, "server": "cofetch-bench",
                   "note": "answered a fixed delay after arrival"}).encode()
RESP = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)
RESP_CLOSE = RESP.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)

# Counters, in shared memory when there are several worker processes:
# slot 2*w is worker w's requests, 2*w+1 its connections.
COUNTS = None
SLOT = 0


def stats():
    n = len(COUNTS) // 2
    return {"requests": sum(COUNTS[2 * i] for i in range(n)),
            "connections": sum(COUNTS[2 * i + 1] for i in range(n))}


class StampSelector(selectors.EpollSelector):
    """Remembers when the last select() returned: the arrival time of
    whatever it reported ready."""
    stamp = 0.0

    def select(self, timeout=None):
        ready = super().select(timeout)
        StampSelector.stamp = time.monotonic()
        return ready


class Delayer:
    """Global FIFO of (deadline, protocol, response, close)."""

    def __init__(self, loop, delay):
        self.loop = loop
        self.delay = delay
        self.fifo = collections.deque()
        self.timer = None

    def add(self, proto, resp, close, delay=None):
        d = self.delay if delay is None else delay
        if d <= 0:
            proto.send(resp, close)
            return
        self.fifo.append((StampSelector.stamp + d, proto, resp, close))
        if self.timer is None:
            self.timer = self.loop.call_at(self.fifo[0][0], self.fire)

    def fire(self):
        self.timer = None
        now = self.loop.time() + 0.0005
        fifo = self.fifo
        while fifo and fifo[0][0] <= now:
            _, proto, resp, close = fifo.popleft()
            proto.send(resp, close)
        if fifo:
            self.timer = self.loop.call_at(fifo[0][0], self.fire)


class DelayProtocol(asyncio.Protocol):
    def __init__(self, delayer):
        self.delayer = delayer
        self.transport = None
        self.buf = b""

    def connection_made(self, transport):
        self.transport = transport
        COUNTS[SLOT + 1] += 1

    def send(self, resp, close):
        t = self.transport
        if t.is_closing():
            return
        t.write(resp)
        if close:
            t.close()

    def data_received(self, data):
        buf = self.buf + data if self.buf else data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > 65536:
                    self.transport.close()
                    buf = b""
                break
            head = buf[:end].lower()
            buf = buf[end + 4:]
            close = (b"connection: close" in head or
                     (head.find(b"http/1.0", 0, head.find(b"\r\n")) >= 0 and
                      b"connection: keep-alive" not in head))
            i = head.find(b"content-length:")
            if i >= 0:
                n = int(head[i + 15:].split(b"\r\n", 1)[0].strip() or b"0")
                buf = buf[n:]  # bench clients send GETs; drop any body
            if head.startswith(b"get /__stats"):
                body = json.dumps(stats()).encode()
                resp = (b"HTTP/1.1 200 OK\r\nContent-Length: " +
                        str(len(body)).encode() + b"\r\n\r\n" + body)
                self.delayer.add(self, resp, close, 0)
                continue
            COUNTS[SLOT] += 1
            self.delayer.add(self, RESP_CLOSE if close else RESP, close)
        self.buf = buf


def listener(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port))
    return s


async def serve(args, port):
    loop = asyncio.get_running_loop()
    delayer = Delayer(loop, args.delay)
    sock = listener(port)
    sock.listen(4096)
    server = await loop.create_server(lambda: DelayProtocol(delayer),
                                      sock=sock, backlog=4096)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig,
                                lambda: stop.done() or stop.set_result(0))
    async with server:
        await stop


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--delay", type=float, default=0.2)
    p.add_argument("--port-file")
    p.add_argument("--workers", type=int, default=1)
    args = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    global COUNTS, SLOT
    COUNTS = multiprocessing.RawArray("q", 2 * args.workers)
    # Reserve the port (bound, never listening: gets no connections);
    # each worker listens on its own SO_REUSEPORT socket on it.
    reserve = listener(args.port)
    port = reserve.getsockname()[1]
    pids = []
    for w in range(args.workers):
        pid = os.fork()
        if pid == 0:
            SLOT = 2 * w
            loop = asyncio.SelectorEventLoop(StampSelector())
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(serve(args, port))
            finally:
                os._exit(0)
        pids.append(pid)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.replace(args.port_file + ".tmp", args.port_file)

    def forward(sig, frame):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for pid in pids:
        while True:
            try:
                os.waitpid(pid, 0)
                break
            except ChildProcessError:
                break
            except InterruptedError:
                continue
    return 0


if __name__ == "__main__":
    sys.exit(main())
