"""h2server.py: an HTTP/2 fault server for tests, on Debian's python3-h2
(h2c with prior knowledge, or TLS with ALPN "h2" when given a cert).

The path picks the answer:
  /ok                200 "ok"
  /big-headers?n=N   200 with one N-byte header (CONTINUATION frames)
  /upper             a header with an upper-case name
  /status-abc        :status "abc"
  /no-status         no :status at all
  /status-099        :status "099"
  /refuse            RST_STREAM(REFUSED_STREAM) for every 2nd request on a
                     connection (the request was not processed)
  /rotate            on every 3rd request of a connection, GOAWAY with the
                     last-stream-id of the last stream answered, and close
                     (the connection is rotated; no stream above it was
                     processed)
  anything else      404

.processed counts the requests answered (per path); .seen every request
received. Runs in threads of the test process, 127.0.0.1 only, on
rawserver.Listener (stop() closes it and every open connection).
"""

import ssl
from collections import Counter

import h2.config
import h2.connection
import h2.errors
import h2.events

from rawserver import Listener, close_drained, tls_context


class H2Server(Listener):
    def __init__(self, certfile=None, keyfile=None):
        ctx = None
        if certfile:
            ctx = tls_context(certfile, keyfile, alpn=["h2"])
        self.processed = Counter()
        self.seen = Counter()
        self.conns = 0
        self.answered = {}      # id(H2Connection) -> highest answered
        Listener.__init__(self, backlog=256, ctx=ctx)

    def _serve(self, c, n):
        try:
            if self.ctx:
                c = self.ctx.wrap_socket(c, server_side=True)
            self._h2(c)
            # Close as servers do after a GOAWAY: what was sent is
            # delivered (no reset for unread input).
            close_drained(c)
        except (OSError, ssl.SSLError, h2.exceptions.ProtocolError,
                ValueError):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    def _h2(self, c):
        cfg = h2.config.H2Configuration(
            client_side=False, header_encoding="utf-8",
            validate_outbound_headers=False,
            normalize_outbound_headers=False)
        conn = h2.connection.H2Connection(config=cfg)
        conn.initiate_connection()
        c.sendall(conn.data_to_send())
        with self.lock:
            self.conns += 1
        nreq = 0
        bodies = {}
        while True:
            data = c.recv(65536)
            if not data:
                return
            for ev in conn.receive_data(data):
                if isinstance(ev, h2.events.RequestReceived):
                    bodies[ev.stream_id] = dict(ev.headers)
                    if ev.stream_ended:
                        nreq += 1
                        if self._answer(conn, ev.stream_id,
                                        bodies.pop(ev.stream_id), nreq):
                            c.sendall(conn.data_to_send())
                            return
                elif isinstance(ev, h2.events.StreamEnded):
                    if ev.stream_id in bodies:
                        nreq += 1
                        if self._answer(conn, ev.stream_id,
                                        bodies.pop(ev.stream_id), nreq):
                            c.sendall(conn.data_to_send())
                            return
                elif isinstance(ev, h2.events.DataReceived):
                    conn.acknowledge_received_data(
                        ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.ConnectionTerminated):
                    c.sendall(conn.data_to_send())
                    return
            out = conn.data_to_send()
            if out:
                c.sendall(out)

    def _answer(self, conn, sid, hdrs, nreq):
        """Answer stream sid; True when the connection is to close."""
        target = hdrs.get(":path", "/")
        path, _, query = target.partition("?")
        q = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
        with self.lock:
            self.seen[path] += 1
        if path == "/refuse" and nreq % 2 == 0:
            conn.reset_stream(sid, h2.errors.ErrorCodes.REFUSED_STREAM)
            return False
        if path == "/rotate" and nreq % 3 == 0:
            conn.close_connection(
                last_stream_id=self.answered.get(id(conn), 0))
            return True
        body = b"ok"
        status = "200"
        extra = []
        if path == "/big-headers":
            extra = [("x-big", "b" * int(q.get("n", "20000")))]
        elif path == "/upper":
            extra = [("X-Upper", "1")]
        elif path in ("/status-abc", "/status-099"):
            status = path[-3:]
        elif path not in ("/ok", "/refuse", "/rotate", "/no-status"):
            status, body = "404", b"no"
        headers = [(":status", status)]
        if path == "/no-status":
            headers = []
        headers += [("content-length", str(len(body)))] + extra
        conn.send_headers(sid, headers)
        conn.send_data(sid, body, end_stream=True)
        with self.lock:
            self.processed[path] += 1
            self.answered[id(conn)] = max(sid,
                                          self.answered.get(id(conn), 0))
        return False
