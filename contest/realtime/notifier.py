"""Telling connected entrants about their attempts and logins. Services call this interface; only it knows
Socket.IO."""

from __future__ import annotations

import time

from contest.extensions import socketio
from contest.realtime.room_index import SIGNAL_PREFIX


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def login_room(login_id: int) -> str:
    """Every ``/play`` connection opened under one login; membership is what each event checks
    (contest.realtime.logins), so closing the room ends those connections' right to play."""
    return f"login:{login_id}"


def holder_room(attempt_id: int, device: str) -> str:
    """The ``/play`` connections of the device an attempt belongs to. The fast answer path accepts an answer only
    from a connection in it; a take-over closes it in every process (through the message queue), so another
    process's connections of the old device stop being accepted without a database read."""
    return f"holder:{attempt_id}:{device}"


def round_room(round_id: int) -> str:
    """The ``/play`` connections that started or resumed an attempt at the round: told when it is paused and
    resumed."""
    return f"round:{round_id}"


def clock_room(round_id: int) -> str:
    """A room no connection joins: closing it is the signal, carried by the message queue to every process, that
    the round's deadlines or pause changed (``room_index.IndexedRooms.basic_close_room`` hands it to the
    listeners, ``realtime.init_app`` makes the attempt cache forget the round)."""
    return f"{SIGNAL_PREFIX}{round_id}"


def in_room(namespace: str, room: str, sid: str) -> bool:
    """Whether connection ``sid`` is in ``room`` in this process: the manager's room table itself, a dict lookup
    (``server.rooms(sid)`` walks every room of the namespace)."""
    return sid in socketio.server.manager.rooms.get(namespace, {}).get(room, {})


class SocketIONotifier:
    def attempt_closed(self, user_id: int, payload: dict) -> None:
        """``attempt_closed`` to every tab of the entrant (through the message queue when there is one)."""
        socketio.emit("attempt_closed", payload, to=user_room(user_id), namespace="/play")

    def attempt_taken_over(self, attempt_id: int, device: str) -> None:
        """``attempt_taken_over`` to the connections of ``device`` holding the attempt, then close their holder
        room in every process: their answers go the ordinary way, which finds the new owner and refuses them."""
        room = holder_room(attempt_id, device)
        socketio.emit("attempt_taken_over", {"attempt_id": attempt_id}, to=room, namespace="/play")
        socketio.close_room(room, namespace="/play")

    def round_changed(self, round_id: int) -> None:
        """Every process (this one included) forgets the round's cached attempts: its deadlines or pause changed."""
        socketio.close_room(clock_room(round_id), namespace="/play")

    def round_paused(self, round_id: int) -> None:
        """``round_paused`` to the round's entrants: the page stops its clock and shows that the round is paused."""
        socketio.emit("round_paused", {"round_id": round_id}, to=round_room(round_id), namespace="/play")

    def round_resumed(self, round_id: int) -> None:
        """``round_resumed`` to the round's entrants; the new deadlines follow one by one (``attempt_deadline``)."""
        socketio.emit("round_resumed", {"round_id": round_id}, to=round_room(round_id), namespace="/play")

    def attempt_deadline(self, user_id: int, attempt_id: int, deadline_ms: int) -> None:
        """``attempt_deadline`` to every tab of the entrant: the attempt's deadline moved."""
        socketio.emit("attempt_deadline", {"attempt_id": attempt_id, "deadline": deadline_ms,
                                           "server_now": int(time.time() * 1000)},
                      to=user_room(user_id), namespace="/play")

    def logins_ended(self, login_ids: list[int]) -> None:
        """``session_ended`` to the connections of each login, then close its room in every process (the
        message queue carries both): the next event of such a connection is refused and it is disconnected."""
        for login_id in login_ids:
            socketio.emit("session_ended", {}, to=login_room(login_id), namespace="/play")
            socketio.close_room(login_room(login_id), namespace="/play")
