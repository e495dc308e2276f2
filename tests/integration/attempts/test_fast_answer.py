"""The in-memory ``answer`` path (contest.realtime.fast_answer) against the ordinary Flask-SocketIO one: it takes
the answers it can without a Flask context, and accepts or refuses exactly what the ordinary path would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.attempts.answer_store import StoreFailed
from contest.db import utcnow
from contest.realtime import fast_answer, play
from contest.realtime.flood import flood_guard
from tests.integration.attempts.conftest import correct_labels, flask_events, take_attempt


@pytest.fixture
def flask_answers(monkeypatch):
    """The answer events that reached Flask-SocketIO's per-event context."""
    return flask_events(monkeypatch, "answer")


@pytest.fixture(params=[True, False], ids=["fast", "flask"])
def fast_setting(request, app, monkeypatch):
    monkeypatch.setitem(app.config, fast_answer.SETTING, request.param)
    return request.param


def started(sock, world) -> dict:
    reply = sock.call("attempt_start", {"round_id": world["round"].id})
    assert reply["ok"], reply
    return reply["attempt"]


def test_cached_answers_skip_the_flask_context_and_are_stored(alice_socket, world, db_session, flask_answers,
                                                              fast_setting):
    attempt = started(alice_socket, world)
    labels = correct_labels(db_session, attempt["id"])
    for slot in range(3):
        reply = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": slot, "choice": labels[slot],
                                             "seq": slot + 1})
        assert reply == {"ok": True, "slot": slot, "seq": slot + 1}
    assert len(flask_answers) == (0 if fast_setting else 3)
    resumed = alice_socket.call("attempt_resume", {"attempt_id": attempt["id"]})["attempt"]
    assert resumed["answers"] == {str(slot): labels[slot] for slot in range(3)}


def test_a_cache_miss_takes_the_ordinary_path(alice_socket, world, db_session, rt, flask_answers, fast_setting):
    attempt = started(alice_socket, world)
    rt.cache.clear()
    reply = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": ["A"], "seq": 1})
    assert reply["ok"] and len(flask_answers) == 1
    alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 1, "choice": ["A"], "seq": 2})
    assert len(flask_answers) == (1 if fast_setting else 2)  # the miss put the attempt back in the cache


def refusals(sock, attempt: dict, other_id: int) -> dict:
    """Every kind of answer the server must refuse, and its reply."""
    single = next(question["slot"] for question in attempt["questions"] if not question["multiple"])
    attempt_id = attempt["id"]
    ok = {"attempt_id": attempt_id, "slot": single, "choice": ["A"], "seq": 1}
    return {name: sock.call("answer", *payload) for name, payload in {
        "not a dict": (["A"],),
        "two arguments": (ok, ok),
        "no choice": ({**ok, "choice": None},),
        "long labels": ({**ok, "choice": ["ABC"]},),
        "too large": ({**ok, "pad": "x" * 20_000},),
        "no such slot": ({**ok, "slot": 99},),
        "invalid choice": ({**ok, "choice": ["A", "B"]},),  # two options for a single-answer question
        "unknown label": ({**ok, "choice": ["Z"]},),
        "no such attempt": ({**ok, "attempt_id": 10**9},),
        "someone else's attempt": ({**ok, "attempt_id": other_id},),
    }.items()}


def test_refusals_match_the_ordinary_path(app, alice_socket, world, db_session, rt, monkeypatch):
    attempt = started(alice_socket, world)
    bobs = take_attempt(db_session, rt, world["bob"], world["round"], submit=False)
    replies = {}
    for setting in (True, False):
        monkeypatch.setitem(app.config, fast_answer.SETTING, setting)
        replies[setting] = refusals(alice_socket, attempt, bobs)
    assert replies[True] == replies[False]
    assert all(reply["ok"] is False for reply in replies[True].values()), replies[True]
    assert replies[True]["someone else's attempt"]["error"]["code"] == "forbidden"
    assert replies[True]["invalid choice"]["error"]["code"] == "invalid_choice"
    assert replies[True]["too large"]["error"]["code"] == "payload_too_large"


def test_closed_and_late_attempts_are_refused(alice_socket, world, monkeypatch, fast_setting):
    attempt = started(alice_socket, world)
    late = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr(fast_answer, "utcnow", lambda: late)
    monkeypatch.setattr(play, "utcnow", lambda: late)
    reply = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": ["A"], "seq": 1})
    assert reply["error"]["code"] == "deadline_passed"
    monkeypatch.undo()
    alice_socket.call("attempt_submit", {"attempt_id": attempt["id"]})
    reply = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": ["A"], "seq": 2})
    assert reply["error"]["code"] == "attempt_closed"


def test_an_ended_login_is_refused_at_once(client, alice_socket, world, fast_setting):
    attempt = started(alice_socket, world)
    client.delete("/api/session", json={})
    reply = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": ["A"], "seq": 1})
    assert reply["ok"] is False and reply["error"]["code"] == "not_authenticated"


def test_a_login_due_for_its_check_is_checked(app, alice_socket, world, flask_answers, monkeypatch):
    attempt = started(alice_socket, world)
    monkeypatch.setitem(app.config, "LOGIN_RECHECK_S", 0.0)
    reply = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": ["A"], "seq": 1})
    assert reply["ok"] and flask_answers == ["answer"]


def test_a_flooding_connection_is_rate_limited(alice_socket, world, monkeypatch, fast_setting):
    attempt = started(alice_socket, world)
    monkeypatch.setattr(flood_guard, "rate", 0.0)
    monkeypatch.setattr(flood_guard, "burst", 3.0)
    flood_guard.buckets.clear()
    codes = [alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": ["A"], "seq": seq})
             .get("error", {}).get("code") for seq in range(5)]
    assert codes == [None, None, None, "rate_limited", "rate_limited"]


def test_a_failed_store_is_unavailable_in_the_entrants_language(alice_socket, world, rt, monkeypatch,
                                                                fast_setting):
    attempt = started(alice_socket, world)

    def failing(row):
        raise StoreFailed("the database is down")

    monkeypatch.setattr(rt.writer, "store", failing)
    reply = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": ["A"], "seq": 1})
    assert reply["ok"] is False and reply["error"]["code"] == "unavailable"
    assert "máy chủ" in reply["error"]["message"]  # Vietnamese, the default language
