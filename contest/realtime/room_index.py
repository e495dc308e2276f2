"""Socket.IO client managers that know each connection's rooms, so a disconnect costs its own rooms, not all.

python-socketio's manager finds a connection's rooms by walking every room of the namespace (``basic_disconnect``,
``get_rooms``). On /play every entrant has a room of their own and one for the attempt they hold, so at 10,000
connections a disconnect walked 20,000 rooms: about 20 ms of the event loop. In a round's opening the refused
connects (each one is a disconnect for the manager) then took a fifth of a process (py-spy), which made more
connects time out and be refused: the opening collapsed on it. The index makes each of them a few set operations;
the connections pending (dis)connection are kept as sets for the same reason.

The rest of ``basic_disconnect`` is python-socketio 5.18's (pinned in requirements.txt); the contract test
(``tests/unit/realtime/test_room_index.py``) runs the same connects, joins, leaves and disconnects through both
managers and compares their room tables.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import socketio

log = logging.getLogger(__name__)
SIGNAL_PREFIX = "clock:"  # the rooms of realtime.notifier.clock_room


class PendingSids:
    """A namespace's connections pending connection or disconnection: python-socketio keeps them in a list, this
    keeps them as an ordered set. The manager asks ``sid in pending`` for every event (``is_connected``), and in a
    round's opening thousands of connects are pending at once (waiting at the opening door, loading their login),
    so the list's scan took 6 % of a process (py-spy). A sid appears once (the list could hold a sid twice only if
    it were pre-disconnected twice)."""

    def __init__(self, sids=()) -> None:
        self.sids = dict.fromkeys(sids)

    def append(self, sid) -> None:
        self.sids[sid] = None

    def remove(self, sid) -> None:
        if self.sids.pop(sid, self) is self:
            raise ValueError(f"{sid!r} is not pending")  # as list.remove says it

    def __contains__(self, sid) -> bool:
        return sid in self.sids

    def __len__(self) -> int:
        return len(self.sids)

    def __iter__(self):
        return iter(self.sids)


class PendingTable(dict):
    """``namespace -> PendingSids``: the manager's own ``pending[namespace] = []`` becomes an ordered set."""

    def __setitem__(self, namespace, sids) -> None:
        super().__setitem__(namespace, sids if isinstance(sids, PendingSids) else PendingSids(sids))


class IndexedRooms:
    """Mixed in before a python-socketio manager class: keeps ``(namespace, sid) -> rooms`` beside ``rooms``, and the
    pending connections as sets (``PendingSids``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rooms_of: dict[tuple[str, str], set] = {}
        self.pending_connect = PendingTable()
        self.pending_disconnect = PendingTable()
        self.signal_listeners: list[Callable[[str], None]] = []

    def basic_close_room(self, room, namespace):
        """Closing a room whose name starts with ``SIGNAL_PREFIX`` is a signal to every process, the closing
        one included (this runs for a close from here and for one from the message queue): the listeners get
        its name. No connection is in such a room."""
        if isinstance(room, str) and room.startswith(SIGNAL_PREFIX):
            for listener in self.signal_listeners:
                try:
                    listener(room)
                except Exception:
                    log.exception("room signal %s failed", room)
        super().basic_close_room(room, namespace)

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self.rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self.rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self.rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid, namespace, **kwargs):
        if namespace not in self.rooms:
            return
        for room in list(self.rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.rooms_of.pop((namespace, sid), None)
        if sid in self.callbacks:
            del self.callbacks[sid]
        for pending in (self.pending_connect, self.pending_disconnect):
            if namespace in pending and sid in pending[namespace]:
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]

    def get_rooms(self, sid, namespace):
        """The rooms ``sid`` is in (the connection-wide room ``None`` left out, as python-socketio does)."""
        return [room for room in self.rooms_of.get((namespace, sid), ()) if room is not None]


class IndexedManager(IndexedRooms, socketio.Manager):
    """The in-process manager (no message queue: SQLite, tests)."""


class IndexedRedisManager(IndexedRooms, socketio.RedisManager):
    """The manager over Redis's publish/subscribe, for several processes."""


def client_manager(message_queue: str | None) -> socketio.Manager:
    """The manager Flask-SocketIO would build for ``message_queue`` (same channel), with the room index."""
    if message_queue:
        return IndexedRedisManager(message_queue, channel="flask-socketio")
    return IndexedManager()
