"""Which login each ``/play`` connection was opened under, and whether that login is still open.

The check runs before every event, so it must cost next to nothing: ending a login closes its Socket.IO room in
every process (``SocketIONotifier.logins_ended``, through the message queue when there is one), and each event
looks its connection up in that room, a dict lookup. A login ended where no message reaches this process (the
``flask users`` command in embedded mode, a lost queue message) is caught by a database check at most every
``recheck_s`` seconds per connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from contest.extensions import socketio
from contest.realtime.notifier import in_room, login_room


@dataclass
class LoginWatch:
    namespace: str
    logins: dict[str, list] = field(default_factory=dict)  # sid -> [login id, time of its last database check]

    def track(self, sid: str, login_id: int, now: float) -> None:
        """Call inside the connect handler: joins the login's room."""
        socketio.server.enter_room(sid, login_room(login_id), namespace=self.namespace)
        self.logins[sid] = [login_id, now]

    def forget(self, sid: str) -> None:
        self.logins.pop(sid, None)

    def open_in_memory(self, sid: str, *, now: float, recheck_s: float) -> bool:
        """True when the connection's login is known open without asking the database: its room still holds
        the connection and the re-check is not due. False means "ask ``still_open``", not "ended"."""
        entry = self.logins.get(sid)
        return entry is not None and now - entry[1] < recheck_s and self.in_room(sid, entry[0])

    def in_room(self, sid: str, login_id: int) -> bool:
        return in_room(self.namespace, login_room(login_id), sid)

    def still_open(self, sid: str, *, now: float, recheck_s: float, is_open: Callable[[int], bool]) -> bool:
        """False once the connection's login has ended. Untracked (anonymous) connections are not judged here."""
        entry = self.logins.get(sid)
        if entry is None:
            return True
        login_id, checked = entry
        if not self.in_room(sid, login_id):
            return False
        if now - checked >= recheck_s:
            if not is_open(login_id):
                return False
            entry[1] = now
        return True
