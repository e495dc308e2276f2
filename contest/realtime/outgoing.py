"""Bounded outgoing buffers: a connection whose client does not read is closed instead of growing the process.

Engine.IO queues every packet for a connection (``Socket.queue``, unbounded) and one writer greenlet per connection
drains it into the websocket. A client that never reads fills the kernel's buffers (a few MB), then the writer
blocks in ``send`` and the queue grows for as long as the client keeps the connection open, which it can do
forever by sending pongs blindly: +0.6 MB/s for 5 such sockets, measured. Here a connection is closed when

* its queue holds ``SOCKETIO_OUTGOING_QUEUE_MAX`` packets (a reading client's queue is almost always empty: the
  writer sends as soon as a packet is queued), or
* its writer has been stuck in one ``send`` for ``SOCKETIO_UNWRITABLE_S`` seconds (checked on each packet queued,
  and Engine.IO queues a ping every 25 s, so even a quiet connection is checked).

Each websocket's kernel send buffer is set to ``SOCKETIO_SEND_BUFFER_BYTES`` (64 KB) instead of growing to a
few MB: plenty for acknowledgements and board snapshots, and a client that stops reading blocks the writer after
64 KB, so the rules above notice in seconds, not after megabytes.

Closing shuts the TCP socket down, which wakes the blocked writer, so the queue and its packets are freed; the
disconnect handlers run in a greenlet of their own, never inside the emit that noticed (which may be iterating
over a room). Python-engineio has no hook for its socket class, so ``install`` replaces ``engineio.socket.Socket``
(the name ``engineio.server`` instantiates) with the subclass below; it changes nothing else.
"""

from __future__ import annotations

import logging
import socket
import time

import engineio.socket

log = logging.getLogger(__name__)

_EngineSocket = engineio.socket.Socket


def raw_socket(ws):
    """The TCP socket under Engine.IO's websocket wrapper (gevent-websocket, or eventlet's), or None."""
    handler = getattr(getattr(ws, "_sock", None), "handler", None)
    found = getattr(handler, "socket", None) or getattr(ws, "socket", None)
    return found if hasattr(found, "shutdown") else None


class TimedWrites:
    """The websocket as Engine.IO's writer sees it, noting when a ``send`` started and has not returned."""

    def __init__(self, ws, owner: BoundedSocket):
        self._ws, self._owner = ws, owner

    def send(self, message):
        self._owner.writing_since = time.monotonic()
        try:
            return self._ws.send(message)
        finally:
            self._owner.writing_since = None

    def __getattr__(self, name):
        return getattr(self._ws, name)


class BoundedSocket(_EngineSocket):
    queue_max = 256
    unwritable_s = 20.0
    send_buffer_bytes = 64 * 1024

    def __init__(self, server, sid):
        super().__init__(server, sid)
        self.writing_since: float | None = None
        self.raw = None
        self.dropping = False

    def send(self, pkt):
        if self.dropping:
            return  # nobody will read it
        if not self.closed and not self.closing and self.stuck(time.monotonic()):
            self.dropping = True
            self.server.start_background_task(self.drop)
            return
        super().send(pkt)

    def stuck(self, now: float) -> bool:
        if self.queue.qsize() >= self.queue_max:
            return True
        started = self.writing_since
        return started is not None and now - started >= self.unwritable_s

    def drop(self) -> None:
        """Close the connection and its TCP socket: the writer blocked on it wakes up and ends."""
        log.warning("closing connection %s: its client does not read (%d packets queued)", self.sid,
                    self.queue.qsize())
        raw = self.raw
        try:
            self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_ERROR)
        finally:
            if raw is not None:
                try:
                    raw.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        while not self.queue.empty():  # the packets nobody will read, freed now rather than with the socket
            try:
                self.queue.get_nowait()
                self.queue.task_done()
            except Exception:
                break
        self.queue.put(None)  # the writer, if still waiting for packets, ends

    def _websocket_handler(self, ws):
        self.raw = raw_socket(ws)
        if self.raw is not None and self.send_buffer_bytes:
            try:
                self.raw.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer_bytes)
            except OSError:
                pass  # not a TCP socket: the queue cap still holds
        return super()._websocket_handler(TimedWrites(ws, self))


def install(queue_max: int, unwritable_s: float, send_buffer_bytes: int) -> None:
    """Make every Engine.IO connection of this process a ``BoundedSocket`` with these limits."""
    BoundedSocket.queue_max = max(1, int(queue_max))
    BoundedSocket.unwritable_s = float(unwritable_s)
    BoundedSocket.send_buffer_bytes = int(send_buffer_bytes)
    engineio.socket.Socket = BoundedSocket
