"""Bounded outgoing buffers (contest.realtime.outgoing): a connection whose queue reaches the cap, or whose writer
is stuck in one send too long, is closed and its queued packets freed; a reading connection is left alone."""

from __future__ import annotations

import logging
import queue
import threading

from engineio import packet
from engineio.base_server import BaseServer

from contest.realtime.outgoing import BoundedSocket, TimedWrites


class FakeServer:
    """What an Engine.IO socket asks of its server, run on plain threads."""

    ping_timeout = 20
    reason = BaseServer.reason
    logger = logging.getLogger(__name__)

    def __init__(self):
        self.events, self.tasks = [], []

    def create_queue(self):
        return queue.Queue()

    def start_background_task(self, target, *args):
        self.tasks.append((target, args))

    def _trigger_event(self, event, *args, **kwargs):
        self.events.append(event)


class RawSocket:
    shut = False

    def shutdown(self, how):
        self.shut = True


def test_a_connection_whose_queue_reaches_the_cap_is_closed_and_its_packets_freed(monkeypatch):
    monkeypatch.setattr(BoundedSocket, "queue_max", 5)
    server = FakeServer()
    sock = BoundedSocket(server, "sid1")
    sock.raw = RawSocket()
    for _ in range(20):
        sock.send(packet.Packet(packet.MESSAGE, data="2/play,[\"x\"]"))
    assert sock.queue.qsize() == 5 and sock.dropping and len(server.tasks) == 1
    target, args = server.tasks[0]
    target(*args)
    assert sock.closed and sock.raw.shut and server.events == ["disconnect"]
    assert sock.queue.get_nowait() is None and sock.queue.empty()


def test_a_writer_stuck_in_one_send_gets_its_connection_closed_and_a_reading_one_does_not(monkeypatch):
    monkeypatch.setattr(BoundedSocket, "unwritable_s", 0.05)
    server = FakeServer()
    reading, stuck = BoundedSocket(server, "reading"), BoundedSocket(server, "stuck")
    release = threading.Event()

    class Blocking:
        def send(self, message):
            release.wait(5)

    writer = threading.Thread(target=TimedWrites(Blocking(), stuck).send, args=("x",))
    writer.start()
    threading.Event().wait(0.1)
    reading.send(packet.Packet(packet.PING))
    stuck.send(packet.Packet(packet.PING))
    release.set()
    writer.join()
    assert not reading.dropping and reading.queue.qsize() == 1
    assert stuck.dropping and stuck.writing_since is None
