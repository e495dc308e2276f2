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


def test_a_storm_of_busy_events_is_logged_as_one_line_with_its_count(alice_socket, world, monkeypatch, caplog):
    from contest import overload

    def busy(*args, **kwargs):
        raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 24 overflow 12 reached")

    monkeypatch.setattr(service, "start_attempt", busy)
    monkeypatch.setattr(overload, "tally", overload.Tally(every_s=3600))
    monkeypatch.setattr("contest.realtime.replies.tally", overload.tally)
    with caplog.at_level("WARNING"):
        for _ in range(8):  # under the account's limit of database events (contest.realtime.guards)
            assert alice_socket.call("attempt_start", {"round_id": world["round"].id})["error"]["code"] == "unavailable"
    lines = [record for record in caplog.records if "overloaded" in record.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert "TimeoutError: QueuePool limit" in lines[0].getMessage() and "on_attempt_start" in lines[0].getMessage()
    assert overload.tally.count == 7  # counted, to be reported with the next line
