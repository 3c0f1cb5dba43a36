"""rawserver.py: a raw-socket HTTP/1.1 server for tests that need exact
bytes on the wire and to know which connection served what.

Each accepted connection gets a number (1, 2, ...). Every request read is
logged as a dict (conn, nth request on that connection, method, target,
version, headers as a list of (name, value), body bytes) in .log, and the
handler decides the answer: handler(req) returns the bytes to send, or
None to close the connection without answering (after reading the
request), or a tuple (bytes, "close") to answer and then close.

Runs in a thread of the test process, on 127.0.0.1 (or ::1) only.
"""

import socket
import threading


class Req:
    def __init__(self, conn, nth, method, target, version, headers, body):
        self.conn = conn
        self.nth = nth
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body

    def header(self, name, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def __repr__(self):
        return "<%d/%d %s %s>" % (self.conn, self.nth, self.method,
                                  self.target)


def response(status=200, body=b"ok", headers=(), reason="OK",
             length=True):
    """An HTTP/1.1 response as bytes."""
    if isinstance(body, str):
        body = body.encode()
    lines = ["HTTP/1.1 %d %s" % (status, reason)]
    lines += ["%s: %s" % h for h in headers]
    if length:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class RawServer:
    def __init__(self, handler, family=socket.AF_INET, host="127.0.0.1"):
        self.handler = handler
        self.log = []
        self.lock = threading.Lock()
        self.nconn = 0
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.host = host
        self.conns = []
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def base(self):
        h = "[%s]" % self.host if ":" in self.host else self.host
        return "http://%s:%d" % (h, self.port)

    def url(self, path):
        return self.base() + path

    def _accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.nconn += 1
                n = self.nconn
                self.conns.append(c)
            threading.Thread(target=self._serve, args=(c, n),
                             daemon=True).start()

    def _read_request(self, c, buf):
        while b"\r\n\r\n" not in buf:
            d = c.recv(65536)
            if not d:
                return None, buf
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = []
        for l in lines[1:]:
            k, _, v = l.partition(":")
            headers.append((k.strip(), v.strip()))
        n = 0
        for k, v in headers:
            if k.lower() == "content-length":
                n = int(v)
        while len(buf) < n:
            d = c.recv(65536)
            if not d:
                break
            buf += d
        return (method, target, version, headers, buf[:n]), buf[n:]

    def _serve(self, c, n):
        buf = b""
        nth = 0
        try:
            while True:
                r, buf = self._read_request(c, buf)
                if r is None:
                    break
                nth += 1
                req = Req(n, nth, *r)
                with self.lock:
                    self.log.append(req)
                out = self.handler(req)
                if out is None:
                    break
                close = False
                if isinstance(out, tuple):
                    out, close = out[0], True
                c.sendall(out)
                if close:
                    # Close as a server does: no reset for what the
                    # client sent after the request.
                    c.shutdown(socket.SHUT_WR)
                    c.settimeout(2)
                    while c.recv(65536):
                        pass
                    break
        except (OSError, ValueError):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    def stop(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass
        with self.lock:
            for c in self.conns:
                try:
                    c.close()
                except OSError:
                    pass
