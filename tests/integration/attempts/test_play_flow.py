from __future__ import annotations

from sqlalchemy import func, select

from contest.attempts.models import Answer, Attempt, Status
from tests.integration.attempts.conftest import correct_labels


def test_whole_attempt_over_the_socket(alice_socket, world, db_session, rt):
    started = alice_socket.call("attempt_start", {"round_id": world["round"].id})
    assert started["ok"], started
    attempt = started["attempt"]
    assert len(attempt["questions"]) == 5 and attempt["answers"] == {}
    assert attempt["deadline"] - attempt["server_now"] == 600_000
    assert "correct" not in repr(attempt) and "explanation" not in repr(attempt)
    assert [q["slot"] for q in attempt["questions"]] == [0, 1, 2, 3, 4]

    labels = correct_labels(db_session, attempt["id"])
    for slot, choice in enumerate(labels):
        reply = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": slot, "choice": choice,
                                             "seq": slot + 1})
        assert reply == {"ok": True, "slot": slot, "seq": slot + 1}
    wrong = [k for k in "ABCD" if [k] != labels[0]][0]
    assert alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": [wrong], "seq": 10})["ok"]
    # a resend of an older answer is harmless: the later seq stays
    assert alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": labels[0], "seq": 1})["ok"]

    resumed = alice_socket.call("attempt_resume", {"attempt_id": attempt["id"]})["attempt"]
    assert resumed["questions"] == attempt["questions"]
    assert resumed["answers"] == {"0": [wrong], **{str(s): c for s, c in enumerate(labels) if s}}

    submitted = alice_socket.call("attempt_submit", {"attempt_id": attempt["id"]})
    assert submitted["ok"] and submitted["result"]["score"] == 4 and submitted["result"]["max_score"] == 5
    assert submitted["result"]["duration_ms"] >= 0
    again = alice_socket.call("attempt_submit", {"attempt_id": attempt["id"]})
    assert again["result"] == submitted["result"]
    assert rt.notifier.closed == [(world["alice"].id, {"attempt_id": attempt["id"], "reason": "submitted",
                                                       "result": submitted["result"]})]
    closed = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 1, "choice": ["A"], "seq": 11})
    assert closed["error"]["code"] == "attempt_closed"


def test_second_attempt_avoids_seen_questions_and_the_limit_holds(alice_socket, world, db_session):
    first = alice_socket.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    assert alice_socket.call("attempt_start", {"round_id": world["round"].id})["attempt"]["id"] == first["id"]
    alice_socket.call("attempt_submit", {"attempt_id": first["id"]})
    second = alice_socket.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    assert second["id"] != first["id"]
    texts = lambda a: {q["text"] for q in a["questions"]}  # noqa: E731
    assert not texts(first) & texts(second)  # 12 questions in the pool, 5 per paper
    alice_socket.call("attempt_submit", {"attempt_id": second["id"]})
    third = alice_socket.call("attempt_start", {"round_id": world["round"].id})
    assert third["ok"] is False and third["error"]["code"] == "attempt_limit"
    assert "hết số lượt" in third["error"]["message"]
    assert db_session.scalar(select(func.count()).select_from(Attempt)) == 2


def test_overdue_attempts_are_finalised_with_the_answers_they_hold(alice_socket, world, db_session, rt):
    from datetime import timedelta

    from contest.attempts.service import finalise_overdue
    from contest.db import utcnow

    attempt = alice_socket.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    labels = correct_labels(db_session, attempt["id"])
    for slot in (0, 1):
        alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": slot, "choice": labels[slot], "seq": slot})
    assert finalise_overdue(db_session, rt, now=utcnow()) == 0  # not yet
    later = utcnow() + timedelta(minutes=10, seconds=6)
    assert finalise_overdue(db_session, rt, now=later) == 1
    stored = db_session.get(Attempt, attempt["id"])
    assert stored.status == Status.EXPIRED and stored.score == 2 and stored.duration_ms == 600_000
    assert rt.notifier.closed[0][1]["reason"] == "deadline"
    assert finalise_overdue(db_session, rt, now=later) == 0  # never twice
    assert db_session.scalar(select(func.count()).select_from(Answer)) == 2


def test_http_fallback_takes_a_whole_attempt(client, world, db_session):
    client.post("/api/session", json={"login": "0911111111", "password": "correct-horse"})
    started = client.post(f"/api/rounds/{world['round'].id}/attempts", json={})
    assert started.status_code == 200
    attempt = started.json["attempt"]
    labels = correct_labels(db_session, attempt["id"])
    stored = client.put(f"/api/attempts/{attempt['id']}/answers/0", json={"choice": labels[0], "seq": 1})
    assert stored.json == {"ok": True, "slot": 0, "seq": 1}
    bad = client.put(f"/api/attempts/{attempt['id']}/answers/0", json={"choice": ["Z"], "seq": 2})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_choice"
    assert client.get(f"/api/attempts/{attempt['id']}").json["attempt"]["answers"] == {"0": labels[0]}
    result = client.post(f"/api/attempts/{attempt['id']}/submit", json={}).json["result"]
    assert result["score"] == 1 and result["max_score"] == 5
    assert db_session.scalar(select(Answer.via)) == "http"


def test_rounds_are_listed_with_their_status(client, world):
    listed = client.get("/api/rounds?status=open").json
    assert [r["id"] for r in listed] == [world["round"].id]
    assert listed[0]["status"] == "open" and listed[0]["question_count"] == 5
    assert listed[0]["opens_at"].endswith("+00:00")
    assert client.get("/api/rounds?status=closed").json == []
    assert client.get("/api/rounds?status=bogus").json["error"]["code"] == "bad_request"

