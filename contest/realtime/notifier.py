"""Telling connected entrants about their attempts and logins. Services call this interface; only it knows
Socket.IO."""

from __future__ import annotations

from contest.extensions import socketio


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def login_room(login_id: int) -> str:
    """Every ``/play`` connection opened under one login; membership is what each event checks
    (contest.realtime.logins), so closing the room ends those connections' right to play."""
    return f"login:{login_id}"


class SocketIONotifier:
    def attempt_closed(self, user_id: int, payload: dict) -> None:
        """``attempt_closed`` to every tab of the entrant (through the message queue when there is one)."""
        socketio.emit("attempt_closed", payload, to=user_room(user_id), namespace="/play")

    def logins_ended(self, login_ids: list[int]) -> None:
        """``session_ended`` to the connections of each login, then close its room in every process (the
        message queue carries both): the next event of such a connection is refused and it is disconnected."""
        for login_id in login_ids:
            socketio.emit("session_ended", {}, to=login_room(login_id), namespace="/play")
            socketio.close_room(login_room(login_id), namespace="/play")
