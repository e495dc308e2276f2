"""Every kind of bad input gets its error code, stores nothing, and keeps the connection."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from contest.attempts.models import Answer, Attempt
from contest.db import utcnow
from contest.realtime.flood import flood_guard
from contest.realtime.guards import account_guard
from tests.factories import PASSWORD


def code(reply) -> str:
    assert reply["ok"] is False, reply
    assert reply["error"]["message"]
    return reply["error"]["code"]


def answers(session) -> int:
    return session.scalar(select(func.count()).select_from(Answer))


def test_each_bad_answer_gets_its_code_and_nothing_is_stored(alice_socket, world, db_session, client,
                                                            socket_client):
    attempt = alice_socket.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    aid = attempt["id"]
    single = next(q["slot"] for q in attempt["questions"] if not q["multiple"])
    cases = {
        "not_found": {"attempt_id": 987654, "slot": 0, "choice": ["A"], "seq": 1},
        "bad_request": {"attempt_id": aid, "slot": 99, "choice": ["A"], "seq": 1},
        "invalid_choice": {"attempt_id": aid, "slot": single, "choice": ["Z"], "seq": 1},
    }
    for expected, payload in cases.items():
        assert code(alice_socket.call("answer", payload)) == expected
    assert code(alice_socket.call("answer", {"attempt_id": aid, "slot": single, "choice": ["A", "B"],
                                             "seq": 1})) == "invalid_choice"
    for payload in ("text", 5, ["list"], {"attempt_id": "1", "slot": 0, "choice": ["A"], "seq": 1},
                    {"attempt_id": aid, "slot": 0, "choice": "A", "seq": 1}, {"attempt_id": aid}):
        assert code(alice_socket.call("answer", payload)) == "bad_request"
    megabyte = {"attempt_id": aid, "slot": 0, "choice": ["A"], "seq": 1, "note": "x" * 1_048_576}
    assert code(alice_socket.call("answer", megabyte)) == "payload_too_large"
    assert answers(db_session) == 0

    # Bob may not answer, resume or submit Alice's attempt.
    client.delete("/api/session", json={})
    client.post("/api/session", json={"login": "0922222222", "password": PASSWORD})
    bob = socket_client()
    assert code(bob.call("answer", {"attempt_id": aid, "slot": 0, "choice": ["A"], "seq": 1})) == "forbidden"
    assert code(bob.call("attempt_resume", {"attempt_id": aid})) == "forbidden"
    assert code(bob.call("attempt_submit", {"attempt_id": aid})) == "forbidden"
    assert answers(db_session) == 0 and alice_socket.connected() and bob.connected()


def test_answers_after_the_deadline_are_refused(alice_socket, world, db_session, rt):
    attempt = alice_socket.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    stored = db_session.get(Attempt, attempt["id"])
    stored.deadline = utcnow() - timedelta(seconds=6)  # past the 5 s grace
    db_session.commit()
    rt.cache.clear()
    reply = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": ["A"], "seq": 1})
    assert code(reply) == "deadline_passed" and "hết thời gian" in reply["error"]["message"].lower()
    assert answers(db_session) == 0


def test_events_before_login_are_refused(socket_client, world):
    anonymous = socket_client()
    for event, payload in (("attempt_start", {"round_id": world["round"].id}), ("attempt_resume", {"attempt_id": 1}),
                           ("answer", {"attempt_id": 1, "slot": 0, "choice": ["A"], "seq": 1}),
                           ("attempt_submit", {"attempt_id": 1})):
        assert code(anonymous.call(event, payload)) == "not_authenticated"
    assert anonymous.call("time_sync", {})["ok"] and anonymous.connected()


def test_round_not_open_and_unknown_round(alice_socket, world, db_session):
    world["round"].opens_at = utcnow() + timedelta(hours=1)
    db_session.commit()
    assert code(alice_socket.call("attempt_start", {"round_id": world["round"].id})) == "round_not_open"
    assert code(alice_socket.call("attempt_start", {"round_id": 424242})) == "not_found"
    assert code(alice_socket.call("attempt_start", {"round_id": -3})) == "bad_request"


def test_flooding_is_rate_limited_and_the_connection_stays(alice_socket, monkeypatch):
    monkeypatch.setattr(flood_guard, "rate", 0.0)  # no refill during the test, however slow the machine
    flood_guard.buckets.clear()
    replies = [alice_socket.call("time_sync", {}) for _ in range(int(flood_guard.burst) + 5)]
    assert [r["ok"] for r in replies].count(False) == 5
    assert code(replies[-1]) == "rate_limited"
    assert alice_socket.connected()
    flood_guard.buckets.clear()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
payloads = st.one_of(json_values, st.fixed_dictionaries(
    {}, optional={"attempt_id": json_values, "slot": json_values, "choice": json_values, "seq": json_values,
                  "round_id": json_values, "prediction": json_values}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=st.sampled_from(["attempt_start", "attempt_resume", "answer", "attempt_submit", "time_sync"]),
       payload=payloads)
def test_random_payloads_never_break_the_server(alice_socket, world, event, payload):
    flood_guard.buckets.clear()
    account_guard.local.windows.clear()
    reply = alice_socket.call(event, payload)
    assert isinstance(reply, dict) and reply["ok"] in (True, False)
    if not reply["ok"]:
        assert reply["error"]["code"] in {"bad_request", "not_found", "forbidden", "invalid_choice",
                                          "attempt_limit", "round_not_open", "attempt_closed", "deadline_passed"}
    assert alice_socket.connected()
