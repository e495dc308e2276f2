"""Two tabs, a double tap: concurrent starts by one entrant never make two attempts. The database says so."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.answer_store import InlineWriter
from contest.attempts.bank import BankPapers
from contest.attempts.models import Attempt, Status
from contest.attempts.runtime import AttemptRuntime
from contest.attempts.service import start_attempt
from contest.db import utcnow
from tests.conftest import RecordingNotifier
from tests.integration.attempts.conftest import make_bank, make_round


@pytest.fixture
def committed_world(committed_engine):
    with Session(committed_engine) as session:
        make_bank(session)
        round_ = make_round(session, attempts=2)
        user = User(full_name="Tab", phone="0933333333", password_hash="x", created_at=utcnow())
        session.add(user)
        session.commit()
        return round_.id, user.id


def test_concurrent_starts_make_one_attempt(app, committed_engine, committed_world):
    round_id, user_id = committed_world
    papers = BankPapers()
    replies, errors = [], []
    barrier = threading.Barrier(6)

    def tab() -> None:
        with app.app_context(), Session(committed_engine) as session:
            rt = AttemptRuntime(writer=InlineWriter(lambda: session), bank=papers, questions=papers,
                                notifier=RecordingNotifier())
            barrier.wait()
            try:
                replies.append(start_attempt(session, rt, user_id=user_id, round_id=round_id, now=utcnow(),
                                             rng=random.Random()))
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=tab) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len({reply["id"] for reply in replies}) == 1
    with Session(committed_engine) as session:
        assert session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_database_refuses_a_second_attempt_in_progress_and_a_repeated_number(committed_engine, committed_world):
    round_id, user_id = committed_world
    now = utcnow()

    def attempt(number: int, status: Status) -> Attempt:
        return Attempt(round_id=round_id, user_id=user_id, number=number, status=status, paper=[], started_at=now,
                       deadline=now + timedelta(minutes=10), max_score=5)

    with Session(committed_engine) as session:
        session.add(attempt(1, Status.IN_PROGRESS))
        session.commit()
        session.add(attempt(2, Status.IN_PROGRESS))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.add(attempt(1, Status.SUBMITTED))
        with pytest.raises(IntegrityError):
            session.commit()
