from __future__ import annotations

import random
from datetime import timedelta

import pytest

from contest.attempts import service
from contest.attempts.models import Attempt
from contest.attempts.paper import LABELS
from contest.attempts.payloads import AnswerPayload
from contest.db import utcnow
from contest.extensions import socketio
from contest.rounds.models import Contest, Round
from question_bank.models import Question, QuestionRevision, Topic
from question_bank.vocabulary import Difficulty, QuestionType
from tests.factories import PASSWORD, make_tree, make_user


@pytest.fixture(autouse=True)
def _fresh_runtime(rt):
    """Every attempts test starts with empty caches (see ``rt`` in tests/conftest.py)."""
    return rt


def make_bank(session, *, single: int = 10, multiple: int = 2) -> list[Question]:
    topic = Topic(name="Chuyển đổi số")
    session.add(topic)
    questions = []
    for n in range(single + multiple):
        kind = QuestionType.SINGLE if n < single else QuestionType.MULTIPLE
        question = Question(topic=topic, difficulty=Difficulty.RECOGNITION, type=kind, revision=1,
                            content_key=f"k{n}")
        session.add(question)
        session.flush()
        session.add(QuestionRevision(
            question_id=question.id, number=1, text=f"Câu hỏi {n}?",
            options=[{"key": k, "text": f"Phương án {k}{n}"} for k in "ABCD"],
            correct=["B"] if kind == QuestionType.SINGLE else ["A", "C"]))
        questions.append(question)
    session.flush()
    return questions


def make_round(session, *, questions: int = 5, attempts: int = 2, minutes: int = 10, grace: int = 5,
               opens_delta=timedelta(minutes=-1), days: int = 1) -> Round:
    now = utcnow()
    contest = Contest(title="Tìm hiểu chuyển đổi số", created_at=now)
    round_ = Round(contest=contest, title="Tuần 1", opens_at=now + opens_delta, closes_at=now + timedelta(days=days),
                   time_limit_s=minutes * 60, question_count=questions, attempts_allowed=attempts, grace_s=grace,
                   created_at=now)
    session.add(round_)
    session.commit()
    return round_


def take_attempt(session, rt, user, round_, *, right: int = 0, submit: bool = True) -> int:
    """Start an attempt for ``user`` through the service, answer ``right`` questions correctly, submit."""
    now = utcnow()
    attempt = service.start_attempt(session, rt, user_id=user.id, round_id=round_.id, now=now, rng=random.Random(7))
    labels = correct_labels(session, attempt["id"])
    for slot in range(right):
        service.record_answer(session, rt, user_id=user.id, now=now,
                              answer=AnswerPayload(attempt["id"], slot, tuple(labels[slot]), slot + 1))
    if submit:
        service.submit_attempt(session, rt, user_id=user.id, attempt_id=attempt["id"], prediction=None, now=now)
    return attempt["id"]


def correct_labels(session, attempt_id: int) -> list[list[str]]:
    """The labels an entrant must pick, slot by slot, to get everything right."""
    attempt = session.get(Attempt, attempt_id)
    labels = []
    for item in attempt.paper:
        correct = session.get(QuestionRevision, item["rev"]).correct
        labels.append(sorted(LABELS[item["opts"].index(key)] for key in correct))
    return labels


@pytest.fixture
def world(db_session):
    """A bank, an open round and two entrants (the first logged in through ``client``)."""
    tree = make_tree(db_session)
    make_bank(db_session)
    round_ = make_round(db_session)
    alice = make_user(db_session, unit=tree["s1"], phone="0911111111", full_name="Alice")
    bob = make_user(db_session, unit=tree["s2"], phone="0922222222", full_name="Bob")
    db_session.commit()
    return {"round": round_, "alice": alice, "bob": bob, "tree": tree}


@pytest.fixture
def alice_socket(client, socket_client, world):
    assert client.post("/api/session", json={"login": "0911111111", "password": PASSWORD}).json["ok"]
    return socket_client()


def flask_events(monkeypatch, *messages: str) -> list[str]:
    """The ``messages`` events that reach Flask-SocketIO's per-event context from now on (not a fast path)."""
    seen = []
    original = socketio._handle_event

    def counting(handler, message, *args):
        if message in messages:
            seen.append(message)
        return original(handler, message, *args)

    monkeypatch.setattr(socketio, "_handle_event", counting)
    return seen
