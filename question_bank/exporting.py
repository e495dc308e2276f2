"""Exporting the bank (or one topic of it) to any format."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from question_bank.formats import write_questions
from question_bank.formats.model import BankQuestion
from question_bank.models import Question, QuestionRevision, Topic
from question_bank.storage import CURRENT_REVISION, bank_question


def current_questions(session: Session, *, topic_id: int | None = None,
                      include_inactive: bool = False) -> list[BankQuestion]:
    """The current revision of each question, grouped by topic (GIFT writes one category per run)."""
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
    return [bank_question(question, revision, topic) for question, revision, topic in session.execute(stmt)]


def export_questions(session: Session, fmt: str, *, topic_id: int | None = None,
                     include_inactive: bool = False) -> tuple[bytes, int]:
    """The file's bytes and how many questions it holds."""
    questions = current_questions(session, topic_id=topic_id, include_inactive=include_inactive)
    return write_questions(questions, fmt), len(questions)
