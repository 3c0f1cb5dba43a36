#!/usr/bin/python3
"""fair_server.py: a scripted HTTP/1.1 server for the fairness and backoff
benchmark (tests/bench/run, scenario 7).  Standard library only.

It listens on --ports ports of 127.0.0.1 (each port is a host to cofetch,
which counts hosts as host:port) and writes them, one a line, to
--port-file.  What a request gets depends on its path:

  /slow/MS/...    200 after MS milliseconds
  /r429/SECS/...  429 with "Retry-After: 1" while less than SECS seconds
                  have passed since the first /r429 request to that port
                  (after the last /__reset), 200 afterwards

Every request is logged with the port, path, status, and the times
(time.monotonic(), the same clock as the bench's) when its request line
was read and when the answer went out.

  GET /__log     the log as JSON [{port, path, status, t_in, t_out}, ...]
                 (not logged itself)
  GET /__reset   empty the log and restart every /r429 window

Threads (one per connection): the loads are small (a few connections).
Stops on SIGTERM or SIGINT.
"""

import argparse
import os
import http.server
import json
import signal
import socketserver
import sys
import threading
import time

LOCK = threading.Lock()
LOG = []            # the request log, guarded by LOCK
FIRST_429 = {}      # port -> monotonic time of its first /r429 request


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # the head and the body are two writes: without TCP_NODELAY the body
    # waits for the client's delayed ACK (40 ms a response)
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):  # noqa: N802 (http.server's name)
        t_in = time.monotonic()
        port = self.server.server_address[1]
        path = self.path
        if path == "/__log":
            with LOCK:
                body = json.dumps(LOG).encode()
            self.answer(200, body)
            return
        if path == "/__reset":
            with LOCK:
                LOG.clear()
                FIRST_429.clear()
            self.answer(200, b"reset\n")
            return
        parts = path.split("/")
        status, extra = 200, ()
        try:
            if parts[1] == "slow":
                time.sleep(int(parts[2]) / 1000.0)
            elif parts[1] == "r429":
                with LOCK:
                    first = FIRST_429.setdefault(port, t_in)
                if t_in - first < float(parts[2]):
                    status, extra = 429, (("Retry-After", "1"),)
            else:
                status = 404
        except (IndexError, ValueError):
            status = 400
        self.answer(status, b"%d\n" % status, extra)
        with LOCK:
            LOG.append({"port": port, "path": path, "status": status,
                        "t_in": t_in, "t_out": time.monotonic()})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ports", type=int, default=2)
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()
    servers = [Server(("127.0.0.1", 0), Handler) for _ in range(a.ports)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(a.port_file + ".tmp", "w") as f:
        f.write("".join("%d\n" % s.server_address[1] for s in servers))
    os.replace(a.port_file + ".tmp", a.port_file)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(1):
        pass
    for s in servers:
        s.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
