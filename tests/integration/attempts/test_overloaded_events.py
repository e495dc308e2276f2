"""An event that finds the server overloaded (database or Redis pool exhausted) is refused ``unavailable`` with
a ``retry_after`` hint, the connection stays, nothing is stored, and the retry goes through."""

from __future__ import annotations

import sqlalchemy.exc

from contest.attempts import service
from contest.attempts.models import Attempt


def test_a_busy_start_on_the_socket_is_refused_with_a_retry_hint(alice_socket, world, db_session, monkeypatch):
    def busy(*args, **kwargs):
        raise sqlalchemy.exc.TimeoutError("QueuePool limit reached")

    monkeypatch.setattr(service, "start_attempt", busy)
    reply = alice_socket.call("attempt_start", {"round_id": world["round"].id})
    assert reply["ok"] is False and reply["error"]["code"] == "unavailable"
    assert 2 <= reply["error"]["retry_after"] <= 6 and alice_socket.connected()
    assert db_session.query(Attempt).count() == 0
    monkeypatch.undo()
    assert alice_socket.call("attempt_start", {"round_id": world["round"].id})["ok"]  # the retry goes through
