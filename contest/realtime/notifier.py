"""Telling connected entrants about their attempts. Services call this interface; only it knows Socket.IO."""

from __future__ import annotations

from contest.extensions import socketio


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


class SocketIONotifier:
    def attempt_closed(self, user_id: int, payload: dict) -> None:
        """``attempt_closed`` to every tab of the entrant (through the message queue when there is one)."""
        socketio.emit("attempt_closed", payload, to=user_room(user_id), namespace="/play")
