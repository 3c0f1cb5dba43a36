"""rawhttp.py: a raw-socket HTTP/1.1 server for tests that need responses
no well-behaved server sends (cut-short encodings, junk after a body, bad
chunking, TLS closed without close_notify) and for the response fuzzer.

RawServer(respond) answers every request on every connection with
respond(path, conn_no, req_no) -> (bytes_to_send, action), where action is
"keep" (read the next request on this connection), "close" (close the
socket), "rst" (close with a TCP reset) or "close_tls_dirty" (over TLS: close without close_notify; plain
sockets treat it as "close"). With tls=(certfile, keyfile) the listener
speaks TLS; "close" then sends close_notify first.
"""

import socket
import ssl
import struct
import threading


def read_request(sock, buf):
    """Read one request head (and a Content-Length body) from sock; returns
    (path, rest_of_buffer) or (None, b"") at EOF."""
    while b"\r\n\r\n" not in buf:
        try:
            d = sock.recv(65536)
        except (OSError, ssl.SSLError):
            return None, b""
        if not d:
            return None, b""
        buf += d
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    path = parts[1].decode("latin-1") if len(parts) > 1 else "/"
    clen = 0
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        if k.strip().lower() == b"content-length":
            try:
                clen = int(v.strip())
            except ValueError:
                clen = 0
    while len(buf) < clen:
        try:
            d = sock.recv(65536)
        except (OSError, ssl.SSLError):
            return None, b""
        if not d:
            return None, b""
        buf += d
    return path, buf[clen:]


class RawServer:
    def __init__(self, respond, tls=None):
        self.respond = respond
        self.ctx = None
        if tls is not None:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(tls[0], tls[1])
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = 0
        self.requests = 0
        self.stopped = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url(self, path="/"):
        scheme = "https" if self.ctx else "http"
        return "%s://127.0.0.1:%d%s" % (scheme, self.port, path)

    def _accept(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                n = self.conns
                self.conns += 1
            threading.Thread(target=self._serve, args=(c, n),
                             daemon=True).start()

    def _serve(self, c, conn_no):
        s = c
        try:
            if self.ctx is not None:
                c.settimeout(30)
                s = self.ctx.wrap_socket(c, server_side=True)
            buf = b""
            req_no = 0
            while True:
                path, buf = read_request(s, buf)
                if path is None:
                    break
                with self.lock:
                    self.requests += 1
                data, action = self.respond(path, conn_no, req_no)
                req_no += 1
                s.sendall(data)
                if action == "keep":
                    continue
                if action == "rst":
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
                    break
                if action == "close" and self.ctx is not None:
                    try:
                        s = s.unwrap()
                    except (OSError, ssl.SSLError):
                        pass
                break
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.stopped = True
        try:
            self.sock.close()
        except OSError:
            pass


def response(body, status="200 OK", headers=(), length=True):
    """An HTTP/1.1 response's bytes: status line, headers, a
    Content-Length matching body unless length is False, and body."""
    h = ["HTTP/1.1 " + status]
    h.extend(headers)
    if length:
        h.append("Content-Length: %d" % len(body))
    return ("\r\n".join(h) + "\r\n\r\n").encode("latin-1") + body
