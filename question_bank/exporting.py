"""Exporting the bank (or one topic of it) to any format."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.audit import service as audit
from question_bank import key_guard
from question_bank.formats import TEXT_ONLY, write_questions
from question_bank.formats.model import BankQuestion
from question_bank.models import Question, QuestionRevision, Topic
from question_bank.storage import CURRENT_REVISION, bank_question


def current_questions(session: Session, *, topic_id: int | None = None, include_inactive: bool = False,
                      leave_out: frozenset[int] = frozenset()) -> list[BankQuestion]:
    """The current revision of each question but those in ``leave_out``, grouped by topic (GIFT writes one
    category per run)."""
    stmt = (
        select(Question, QuestionRevision, Topic.name)
        .join(QuestionRevision, CURRENT_REVISION)
        .join(Topic, Topic.id == Question.topic_id)
        .order_by(Topic.name, Question.id)
    )
    if topic_id is not None:
        stmt = stmt.where(Question.topic_id == topic_id)
    if not include_inactive:
        stmt = stmt.where(Question.active)
    if leave_out:
        stmt = stmt.where(Question.id.not_in(sorted(leave_out)))
    return [bank_question(question, revision, topic) for question, revision, topic in session.execute(stmt)]


def export_questions(session: Session, fmt: str, *, now: datetime, topic_id: int | None = None,
                     include_inactive: bool = False, every_key: bool = False,
                     actor_id: int | None = None) -> tuple[bytes, int, int]:
    """The file's bytes, how many questions it holds, and how many were left out because a live round can still
    draw them (``key_guard``); ``every_key`` (an admin's export) leaves none out. Audited as ``bank.exported``, with
    how many questions lost their pictures in a text-only format (Aiken)."""
    leave_out = frozenset() if every_key else key_guard.secret_ids(session, None, now)
    questions = current_questions(session, topic_id=topic_id, include_inactive=include_inactive, leave_out=leave_out)
    withheld = len(current_questions(session, topic_id=topic_id, include_inactive=include_inactive)) - len(questions)
    details = {"format": fmt, "topic_id": topic_id, "questions": len(questions), "withheld": withheld,
               "every_key": every_key}
    if fmt in TEXT_ONLY:
        details["pictures_dropped"] = sum(1 for q in questions if q.image or any(o.image for o in q.options))
    audit.record(session, actor_id=actor_id, action="bank.exported", now=now, target_type="bank", details=details)
    session.commit()
    return write_questions(questions, fmt), len(questions), withheld
