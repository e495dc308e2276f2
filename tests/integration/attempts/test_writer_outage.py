"""The answer writer through a database outage: whole batches retried with capped exponential back-off, two log
lines per outage, never row by row; every acknowledged answer stored, none acknowledged that was not."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from contest.attempts import answer_store
from contest.attempts.answer_store import AnswerRow, GroupCommitWriter, StoreFailed, is_outage
from contest.attempts.models import Answer
from contest.db import utcnow
from tests.integration.attempts.test_group_commit import seed_attempts


class FlakyDatabase:
    """``upsert_answers`` failing as an unreachable database would, ``failures`` times (or while ``down``)."""

    def __init__(self, monkeypatch, failures: int):
        self.failures, self.calls, self.down = failures, [], False
        real = answer_store.upsert_answers

        def upsert(connection, rows):
            self.calls.append(len(rows))
            if self.down or len(self.calls) <= self.failures:
                raise OperationalError("INSERT", {}, Exception("could not connect to server: Connection refused"))
            real(connection, rows)

        monkeypatch.setattr(answer_store, "upsert_answers", upsert)


def answer_all(writer, attempt_ids) -> tuple[list, list]:
    acked, refused, lock = [], [], threading.Lock()

    def entrant(attempt_id: int) -> None:
        row = AnswerRow(attempt_id, 0, ("A",), seq=1, answered_at=utcnow())
        try:
            writer.store(row)
        except StoreFailed:
            with lock:
                refused.append(attempt_id)
        else:
            with lock:
                acked.append(attempt_id)

    threads = [threading.Thread(target=entrant, args=(aid,)) for aid in attempt_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return acked, refused


def stored(engine) -> set[int]:
    with Session(engine) as session:
        return set(session.scalars(select(Answer.attempt_id)))


def test_a_short_outage_is_ridden_out_with_back_off_and_two_log_lines(committed_engine, monkeypatch, caplog):
    attempt_ids = seed_attempts(committed_engine, 30)
    database = FlakyDatabase(monkeypatch, failures=6)
    sleeps = []
    writer = GroupCommitWriter(committed_engine, sleep=sleeps.append).start()
    with caplog.at_level(logging.WARNING, logger=answer_store.__name__):
        acked, refused = answer_all(writer, attempt_ids)
    assert sorted(acked) == sorted(attempt_ids) and refused == []
    assert stored(committed_engine) == set(attempt_ids)
    assert sleeps[:6] == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]  # doubling, capped at OUTAGE_BACKOFF_MAX_S
    assert len(set(database.calls[:7])) == 1  # the same whole batch, tried again: never row by row
    assert len(database.calls) == 6 + writer.batches  # each later call stored a whole batch: none row by row
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2 and messages[0].startswith("database unavailable")
    assert messages[1].startswith("database back after") and "6 tries failed" in messages[1]
    assert writer.outages == 1 and writer.down_since is None


def test_a_long_outage_refuses_and_never_acknowledges_what_it_did_not_store(committed_engine, monkeypatch):
    attempt_ids = seed_attempts(committed_engine, 10)
    database = FlakyDatabase(monkeypatch, failures=0)
    database.down = True
    writer = GroupCommitWriter(committed_engine, timeout_s=0.3, sleep=lambda s: threading.Event().wait(0.01)).start()
    acked, refused = answer_all(writer, attempt_ids)
    assert acked == [] and sorted(refused) == sorted(attempt_ids)  # each handler answered unavailable in time
    assert stored(committed_engine) == set()
    database.down = False
    acked, refused = answer_all(writer, attempt_ids)  # the clients resend once it is back
    assert sorted(acked) == sorted(attempt_ids) and stored(committed_engine) == set(attempt_ids)
    assert writer.outages == 1


@pytest.mark.parametrize("error, outage", [
    (OperationalError("x", {}, Exception("database is locked")), True),
    (ValueError("a bad row"), False),
])
def test_what_counts_as_an_outage(error, outage):
    assert is_outage(error) is outage
