"""The opening without a request context (contest.realtime.fast_opening) against Flask-SocketIO's handlers: a
logged-in connect and a start skip the per-event Flask context, and every other connect and start gets exactly the
reply the ordinary path gives."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contest.accounts.models import LoginSession
from contest.attempts.models import Attempt, Status
from contest.db import utcnow
from contest.realtime import fast_opening
from contest.realtime.flood import flood_guard
from contest.realtime.guards import AccountLimits, account_guard
from tests.factories import PASSWORD
from tests.integration.attempts.conftest import correct_labels, flask_events


@pytest.fixture
def flask_opening(monkeypatch):
    """The connect and attempt_start events that reached Flask-SocketIO's per-event context."""
    return flask_events(monkeypatch, "connect", "attempt_start")


@pytest.fixture(params=[True, False], ids=["fast", "flask"])
def fast_setting(request, app, monkeypatch):
    monkeypatch.setitem(app.config, fast_opening.SETTING, request.param)
    return request.param


def test_a_logged_in_entrant_connects_and_starts_without_the_flask_context(flask_opening, fast_setting,
                                                                           alice_socket, world, db_session):
    assert alice_socket.connected()
    reply = alice_socket.call("attempt_start", {"round_id": world["round"].id, "device_id": "page-0001"})
    assert reply["ok"] and reply["attempt"]["status"] == "in_progress"
    assert flask_opening == ([] if fast_setting else ["connect", "attempt_start"])
    stored = db_session.get(Attempt, reply["attempt"]["id"])
    assert stored.user_id == world["alice"].id and stored.device_id == "page-0001"
    # the connection joined the attempt's holder room: its answers are taken, and a second start is the same one
    labels = correct_labels(db_session, stored.id)
    answered = alice_socket.call("answer", {"attempt_id": stored.id, "slot": 0, "choice": labels[0], "seq": 1})
    assert answered == {"ok": True, "slot": 0, "seq": 1}
    again = alice_socket.call("attempt_start", {"round_id": world["round"].id, "device_id": "page-0001"})
    assert again["attempt"]["id"] == stored.id and again["attempt"]["answers"] == {"0": labels[0]}


def starts(sock, world) -> dict:
    """Every kind of start the server must refuse, and its reply."""
    return {name: sock.call("attempt_start", *payload) for name, payload in {
        "not a dict": (["x"],),
        "two arguments": ({"round_id": world["round"].id}, {}),
        "no round": ({},),
        "a word for a round": ({"round_id": "one"},),
        "too large": ({"round_id": world["round"].id, "pad": "x" * 20_000},),
        "no such round": ({"round_id": 10**9},),
    }.items()}


def test_refused_starts_match_the_ordinary_path(app, client, socket_client, world, monkeypatch):
    assert client.post("/api/session", json={"login": "0911111111", "password": PASSWORD}).json["ok"]
    client.set_cookie("lang", "en")
    sock = socket_client()
    # twelve starts in a row, each to be judged on its payload
    monkeypatch.setattr(flood_guard, "burst", 1e9)
    monkeypatch.setattr(account_guard, "limits", AccountLimits(heavy_events=100))
    replies = {}
    for setting in (True, False):
        monkeypatch.setitem(app.config, fast_opening.SETTING, setting)
        replies[setting] = starts(sock, world)
    assert replies[True] == replies[False]
    assert all(reply["ok"] is False for reply in replies[True].values()), replies[True]
    assert replies[True]["no such round"]["error"] == {"code": "not_found", "message": "There is no such round."}
    assert replies[True]["too large"]["error"]["code"] == "payload_too_large"
    assert replies[True]["a word for a round"]["error"]["code"] == "bad_request"


def test_an_ended_login_connects_as_no_one(client, socket_client, world, db_session, fast_setting):
    """The session cookie still names the login, which has ended: the connect is let in anonymous, as Flask-Login
    would have it, and its start is refused."""
    assert client.post("/api/session", json={"login": "0911111111", "password": PASSWORD}).json["ok"]
    for login in db_session.scalars(select(LoginSession).where(LoginSession.user_id == world["alice"].id)):
        login.revoked_at = utcnow()
    db_session.commit()
    sock = socket_client()
    reply = sock.call("attempt_start", {"round_id": world["round"].id})
    assert reply["ok"] is False and reply["error"]["code"] == "not_authenticated"
    assert db_session.query(Attempt).count() == 0


def test_a_deactivated_account_connects_as_no_one(fast_setting, alice_socket, socket_client, world, db_session):
    world["alice"].active = False
    db_session.commit()
    reply = socket_client().call("attempt_start", {"round_id": world["round"].id})
    assert reply["ok"] is False and reply["error"]["code"] == "not_authenticated"


def test_a_flooding_connection_is_limited_once_per_start(fast_setting, alice_socket, world, db_session,
                                                         monkeypatch):
    monkeypatch.setattr(flood_guard, "rate", 0.0)
    monkeypatch.setattr(flood_guard, "burst", 2.0)
    flood_guard.buckets.clear()
    codes = [alice_socket.call("attempt_start", {"round_id": world["round"].id}).get("error", {}).get("code")
             for _ in range(4)]
    assert codes == [None, None, "rate_limited", "rate_limited"]
    assert db_session.scalar(select(Attempt.status)) == Status.IN_PROGRESS
