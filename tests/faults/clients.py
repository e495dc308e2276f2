"""Misbehaving clients for the fault tests, on plain threads with websocket-client: an account flooding from many
sockets, and sockets that never read what the server sends."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

import websocket

from bench import wire
from bench.entrant import socket_url


def joined(url: str, cookie: str | None, *, namespace: str = "/play", timeout_s: float = 10.0,
           sockopt=()) -> websocket.WebSocket:
    """A websocket to ``namespace`` under ``cookie`` (None: anonymous), the namespace joined."""
    ws = websocket.create_connection(socket_url(url), timeout=timeout_s,
                                     header=[f"Cookie: {cookie}"] if cookie else None,
                                     suppress_origin=True, sockopt=list(sockopt))
    try:
        if not ws.recv().startswith(wire.ENGINE_OPEN):
            raise ConnectionError("no Engine.IO handshake")
        ws.send(wire.connect(namespace))
        while True:
            frame = ws.recv()
            if frame.startswith(f"40{namespace}"):
                return ws
            if frame.startswith(f"44{namespace}"):
                raise ConnectionError("namespace refused")
    except BaseException:
        ws.close()
        raise


@dataclass
class Flood:
    """``sockets`` connections of one account, each sending ``event`` as fast as the per-connection limit lets
    it (``rate_per_s``, a little over it), each reconnecting a second after the server closes it. Counts the
    server's answers. (An unpaced flood is a CPU attack on the socket layer, which no per-account limit
    behind Socket.IO's parser stops; nginx or a firewall has to.)"""

    url: str
    cookie: str
    sockets: int
    event: str
    payload: dict
    rate_per_s: float = 12.0
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Flood:
        self.threads = [threading.Thread(target=self._flood, daemon=True) for _ in range(self.sockets)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def _flood(self) -> None:
        while not self.stop.is_set():
            try:
                ws = joined(self.url, self.cookie)
            except (OSError, websocket.WebSocketException):
                self.count("connect_failed")
                self.stop.wait(1.0)
                continue
            self.count("connected")
            reader = threading.Thread(target=self._read, args=(ws,), daemon=True)
            reader.start()
            ack_id = 0
            try:
                while not self.stop.is_set() and reader.is_alive():
                    ack_id += 1
                    ws.send(wire.emit("/play", self.event, self.payload, ack_id))
                    self.count("sent")
                    self.stop.wait(1 / self.rate_per_s)
            except (OSError, websocket.WebSocketException):
                pass
            ws.close()
            reader.join(timeout=5)
            self.stop.wait(1.0)

    def _read(self, ws: websocket.WebSocket) -> None:
        try:
            while True:
                frame = ws.recv()
                if not frame or frame.startswith(wire.ENGINE_CLOSE) or frame.startswith("41/play"):
                    self.count("closed_by_server")
                    return
                if frame == wire.ENGINE_PING:
                    ws.send(wire.ENGINE_PONG)
                elif frame.startswith("43/play"):
                    self.count("rate_limited" if '"rate_limited"' in frame else
                               "ok" if '"ok":true' in frame else "refused")
        except (OSError, websocket.WebSocketException):
            self.count("closed_by_server")


@dataclass
class NeverReads:
    """A socket that reads nothing after joining ``namespace`` (anonymous, a tiny receive buffer), sends ``event``
    at ``rate_per_s`` and a pong every 10 s so that no ping time-out saves the server. ``closed_after_s`` is when
    its sends started failing: the server closed it."""

    url: str
    namespace: str
    event: str
    payload: dict
    rate_per_s: float = 10.0
    closed_after_s: float | None = None
    sent: int = 0
    error: str | None = None  # it could not even connect

    def run(self, until: float) -> None:
        started = time.time()
        try:
            ws = joined(self.url, None, namespace=self.namespace,
                        sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
        except (OSError, websocket.WebSocketException) as error:
            self.error = f"{type(error).__name__}: {error}"
            return
        last_pong = started
        try:
            while time.time() < until:
                ws.send(wire.emit(self.namespace, self.event, self.payload, self.sent + 1))
                self.sent += 1
                if time.time() - last_pong > 10:
                    ws.send(wire.ENGINE_PONG)
                    last_pong = time.time()
                time.sleep(1 / self.rate_per_s)
        except (OSError, websocket.WebSocketException):
            self.closed_after_s = round(time.time() - started, 1)
        finally:
            if ws.sock is not None:
                ws.sock.close()
