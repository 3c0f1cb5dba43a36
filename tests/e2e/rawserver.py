"""rawserver.py: raw-socket servers for tests, in threads of the test
process, on 127.0.0.1 (or ::1) only.

Listener listens on a free port, accepts connections in a thread and
serves each in a thread of its own (a subclass's _serve); stop() closes
the listening socket and every connection still open. RawServer (here)
and h2server.H2Server are built on it.

RawServer is an HTTP/1.1 server for tests that need exact bytes on the
wire, responses no well-behaved server sends (cut-short encodings, junk
after a body, bad chunking, TLS closed without close_notify), and to know
which connection served what. Each accepted connection gets a number (1,
2, ...). Every request read is logged as a Req (conn, nth request on that
connection, method, target, version, headers as a list of (name, value),
body bytes) in .log, and handler(req) decides the answer:
  bytes            send them and read the next request on the connection
  None             close the connection without answering
  (bytes, action)  send them, then by action:
    "keep"             read the next request
    "close"            shut the socket down at once (over TLS: after a
                       close_notify)
    "close_drain"      close as a server does: shut down the sending side,
                       read and drop what the client still sends until it
                       closes (2 s at most), then close, so that nothing it
                       sent after the request turns the close into a reset
    "rst"              close with a TCP reset
    "close_tls_dirty"  over TLS, close without close_notify (a plain
                       socket: as "close")
With tls=(certfile, keyfile) the listener speaks TLS.
"""

import socket
import ssl
import struct
import threading


def tls_context(certfile, keyfile, alpn=None):
    """A server-side SSLContext with the given certificate chain and key
    (PEM file paths) and, if given, the ALPN protocols (list of str)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile, keyfile)
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


def close_drained(c, seconds=2):
    """Close socket c as servers do: shut down sending (what was sent is
    delivered), read and drop input until EOF or for seconds at most, then
    close. OSError (including the timeout) is the caller's."""
    c.shutdown(socket.SHUT_WR)
    c.settimeout(seconds)
    while c.recv(65536):
        pass


class Listener:
    """Accepts connections on host (a port of its own, .port) and calls
    self._serve(sock, n) in a new daemon thread for each, n = 1, 2, ...;
    _serve owns sock and closes it. ctx (an SSLContext) only says the
    scheme of url(); wrapping is _serve's."""

    def __init__(self, family=socket.AF_INET, host="127.0.0.1",
                 backlog=512, ctx=None):
        self.ctx = ctx
        self.host = host
        self.lock = threading.Lock()
        self.nconn = 0
        self.open = set()           # accepted sockets not yet served out
        self.stopping = False
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def base(self):
        """scheme://host:port, the host in brackets when IPv6."""
        h = "[%s]" % self.host if ":" in self.host else self.host
        scheme = "https" if self.ctx else "http"
        return "%s://%s:%d" % (scheme, h, self.port)

    def url(self, path="/"):
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
                self.open.add(c)
            threading.Thread(target=self._run, args=(c, n),
                             daemon=True).start()

    def _run(self, c, n):
        try:
            self._serve(c, n)
        finally:
            with self.lock:
                self.open.discard(c)

    def _serve(self, c, n):
        raise NotImplementedError

    def stop(self):
        """Close the listening socket and every connection still open."""
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass
        with self.lock:
            conns = list(self.open)
        for c in conns:
            try:
                c.close()
            except OSError:
                pass


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


def read_request(sock, buf):
    """Read one request head and its Content-Length body from sock after
    what buf (bytes) already holds. Returns ((method, target, version,
    headers, body), rest of the buffer), or (None, b"") at EOF before the
    request is whole. OSError from recv and ValueError for a request line
    or Content-Length that does not parse are the caller's."""
    while b"\r\n\r\n" not in buf:
        d = sock.recv(65536)
        if not d:
            return None, b""
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    headers = []
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers.append((k.strip(), v.strip()))
    n = 0
    for k, v in headers:
        if k.lower() == "content-length":
            n = int(v)
    while len(buf) < n:
        d = sock.recv(65536)
        if not d:
            return None, b""
        buf += d
    return (method, target, version, headers, buf[:n]), buf[n:]


def response(status=200, body=b"ok", headers=(), reason="OK",
             length=True):
    """An HTTP/1.1 response as bytes: status line, headers ((name, value)
    pairs), a Content-Length matching body unless length is False, and
    body (str is sent as UTF-8)."""
    if isinstance(body, str):
        body = body.encode()
    lines = ["HTTP/1.1 %d %s" % (status, reason)]
    lines += ["%s: %s" % h for h in headers]
    if length:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class RawServer(Listener):
    """See the module's comment. keep_log=False keeps no .log (a long
    fuzzing run); .nreq counts the requests read either way."""

    def __init__(self, handler, tls=None, family=socket.AF_INET,
                 host="127.0.0.1", keep_log=True):
        self.handler = handler
        self.keep_log = keep_log
        self.log = []
        self.nreq = 0
        ctx = tls_context(tls[0], tls[1]) if tls is not None else None
        Listener.__init__(self, family, host, ctx=ctx)

    def _serve(self, c, n):
        s = c
        shut = True     # shut down before closing (not for None)
        nth = 0
        buf = b""
        try:
            if self.ctx is not None:
                c.settimeout(30)
                s = self.ctx.wrap_socket(c, server_side=True)
            while True:
                r, buf = read_request(s, buf)
                if r is None:
                    break
                nth += 1
                req = Req(n, nth, *r)
                with self.lock:
                    self.nreq += 1
                    if self.keep_log:
                        self.log.append(req)
                out = self.handler(req)
                if out is None:
                    shut = False
                    break
                action = "keep"
                if isinstance(out, tuple):
                    out, action = out
                s.sendall(out)
                if action == "keep":
                    continue
                if action == "close_drain":
                    close_drained(s)
                elif action == "rst":
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
                elif action == "close" and self.ctx is not None:
                    try:
                        s = s.unwrap()
                    except (OSError, ssl.SSLError):
                        pass
                break
        except (OSError, ValueError):
            pass
        finally:
            if shut:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            s.close()
