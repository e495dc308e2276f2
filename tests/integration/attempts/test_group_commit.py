from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.answer_store import AnswerRow, GroupCommitWriter
from contest.attempts.models import Answer, Attempt
from contest.db import utcnow
from contest.rounds.models import Contest, Round


def seed_attempts(engine, count: int) -> list[int]:
    now = utcnow()
    with Session(engine) as session:
        contest = Contest(title="C", created_at=now)
        round_ = Round(contest=contest, title="R", opens_at=now, closes_at=now + timedelta(days=1),
                       time_limit_s=600, question_count=3, attempts_allowed=1, created_at=now)
        session.add(round_)
        session.flush()
        session.execute(insert(User), [{"full_name": f"U{i}", "phone": f"09{i:08d}", "password_hash": "x",
                                        "created_at": now} for i in range(count)])
        users = session.scalars(select(User.id)).all()
        session.add_all(Attempt(round_id=round_.id, user_id=uid, number=1, paper=[], started_at=now,
                                deadline=now + timedelta(minutes=10), max_score=3) for uid in users)
        session.commit()
        return list(session.scalars(select(Attempt.id)))


def test_concurrent_answers_are_all_stored_in_few_commits(committed_engine):
    attempt_ids = seed_attempts(committed_engine, 40)
    writer = GroupCommitWriter(committed_engine, max_batch=500).start()
    acked = []
    lock = threading.Lock()

    def entrant(attempt_id: int) -> None:
        for slot in range(3):
            writer.store(AnswerRow(attempt_id, slot, ("A",), seq=slot + 1, answered_at=utcnow()))
            with lock:
                acked.append((attempt_id, slot))

    threads = [threading.Thread(target=entrant, args=(aid,)) for aid in attempt_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    with Session(committed_engine) as session:
        stored = set(session.execute(select(Answer.attempt_id, Answer.slot)))
    assert len(acked) == 120 and stored == set(acked)  # every ack is a stored row, none lost or doubled
    assert writer.rows == 120 and writer.batches < 120  # answers shared commits


def test_later_seq_wins_and_an_older_resend_changes_nothing(committed_engine):
    [attempt_id] = seed_attempts(committed_engine, 1)
    writer = GroupCommitWriter(committed_engine).start()
    writer.store(AnswerRow(attempt_id, 0, ("A",), seq=5, answered_at=utcnow()))
    writer.store(AnswerRow(attempt_id, 0, ("B",), seq=3, answered_at=utcnow()))  # a stale resend
    writer.store(AnswerRow(attempt_id, 1, ("C",), seq=6, answered_at=utcnow()))
    writer.store(AnswerRow(attempt_id, 1, ("D",), seq=7, answered_at=utcnow()))
    with Session(committed_engine) as session:
        rows = dict(session.execute(select(Answer.slot, Answer.choice)).all())
        assert rows == {0: ["A"], 1: ["D"]}
        assert session.scalar(select(func.count()).select_from(Answer)) == 2


def test_a_bad_row_fails_alone(committed_engine):
    [attempt_id] = seed_attempts(committed_engine, 1)
    writer = GroupCommitWriter(committed_engine).start()
    results = {}

    def store(name: str, row: AnswerRow) -> None:
        try:
            writer.store(row)
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - the test records which kind
            results[name] = type(exc).__name__

    rows = {"good": AnswerRow(attempt_id, 0, ("A",), 1, utcnow()),
            "orphan": AnswerRow(999_999, 0, ("A",), 1, utcnow())}  # no such attempt: foreign key fails
    threads = [threading.Thread(target=store, args=item) for item in rows.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {"good": "ok", "orphan": "StoreFailed"}


def test_submit_waits_only_for_its_own_queued_answers(committed_engine):
    [attempt_id] = seed_attempts(committed_engine, 1)
    writer = GroupCommitWriter(committed_engine).start()
    assert not writer.has_pending(attempt_id)
    seen_pending = []
    original = writer._write

    def slow_write(batch):
        seen_pending.append(writer.has_pending(attempt_id))
        original(batch)

    writer._write = slow_write
    storing = threading.Thread(target=writer.store, args=(AnswerRow(attempt_id, 0, ("A",), 1, utcnow()),))
    storing.start()
    storing.join(10)
    assert seen_pending == [True]  # queued while the batch was being written
    assert not writer.has_pending(attempt_id)  # and nothing once it is committed
