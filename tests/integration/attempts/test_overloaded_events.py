"""An event that finds the server overloaded (database or Redis pool exhausted) is refused ``unavailable`` with
a ``retry_after`` hint, the connection stays, nothing is stored, and the retry goes through."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy.exc
from socketio import packet
from sqlalchemy import select

from contest.attempts import service
from contest.attempts.models import Attempt, Status
from contest.extensions import socketio
from contest.realtime import fast_opening


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


@contextmanager
def door_full(app, door: str):
    """Every place at ``door`` (``contest.admission``) taken and no line: the next one is refused at once."""
    gate = app.extensions[f"olympiad.{door}_gate"]
    saved, taken = (gate.queue, gate.wait_s), 0
    while gate.places.acquire(blocking=False):
        taken += 1
    gate.queue, gate.wait_s = 0, 0.0
    try:
        yield
    finally:
        gate.queue, gate.wait_s = saved
        for _ in range(taken):
            gate.leave()


def test_a_full_submit_door_refuses_with_a_retry_hint_and_submits_nothing(alice_socket, client, world, db_session,
                                                                          app):
    """Past the submit door's line, a submit is refused as an overload, which the play page retries after
    ``retry_after`` seconds: the attempt stays open, and the later submit scores it."""
    attempt = alice_socket.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    with door_full(app, "submit"):
        refused = alice_socket.call("attempt_submit", {"attempt_id": attempt["id"]})
        over_http = client.post(f"/api/attempts/{attempt['id']}/submit", json={})
    assert refused["ok"] is False and refused["error"]["code"] == "unavailable", refused
    assert refused["error"]["retry_after"] >= 1
    assert over_http.status_code == 503 and int(over_http.headers["Retry-After"]) >= 1
    assert over_http.json["error"]["code"] == "unavailable"
    assert db_session.scalar(select(Attempt.status).where(Attempt.id == attempt["id"])) == Status.IN_PROGRESS
    submitted = alice_socket.call("attempt_submit", {"attempt_id": attempt["id"]})
    assert submitted["ok"] and submitted["result"]["max_score"] == 5
    assert db_session.scalar(select(Attempt.status).where(Attempt.id == attempt["id"])) == Status.SUBMITTED


def connect_errors(monkeypatch) -> list:
    """The data of every ``CONNECT_ERROR`` packet the server sends from now on (what a client's connect_error reads)."""
    sent, real = [], socketio.server.packet_class

    def recording(*args, **kwargs):
        made = real(*args, **kwargs)
        if made.packet_type == packet.CONNECT_ERROR:
            sent.append(made.data)
        return made

    monkeypatch.setattr(socketio.server, "packet_class", recording)
    return sent


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "flask"])
def test_a_full_opening_door_refuses_connects_and_starts_with_a_retry_hint(alice_socket, socket_client, world,
                                                                            db_session, app, monkeypatch, fast):
    """Connects (which load the login) and starts share the opening door: past its line a start is refused
    ``unavailable`` with ``retry_after`` and stores nothing, and a connect is refused with the same hint, in the
    connect_error's data (docs/contract.md) where the page and the harness read it; by either path
    (``realtime.fast_opening`` or Flask-SocketIO's handlers)."""
    monkeypatch.setitem(app.config, fast_opening.SETTING, fast)
    refusals = connect_errors(monkeypatch)
    with door_full(app, "opening"):
        refused = alice_socket.call("attempt_start", {"round_id": world["round"].id})
        late = socket_client()
    assert refused["ok"] is False and refused["error"]["code"] == "unavailable" and refused["error"]["retry_after"]
    assert db_session.query(Attempt).count() == 0
    assert not late.connected()
    [refusal] = refusals
    assert refusal["message"] == "unavailable"
    assert refusal["data"]["code"] == "unavailable" and 2 <= refusal["data"]["retry_after"] <= 6
    assert alice_socket.call("attempt_start", {"round_id": world["round"].id})["ok"]  # once there is room
    assert socket_client().connected()
