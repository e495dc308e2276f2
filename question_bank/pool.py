"""Loading the drawing pool: every active question's current revision, once per round, not per attempt."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from question_bank.drawing import Pool, PoolQuestion
from question_bank.models import Question, QuestionRevision
from question_bank.storage import CURRENT_REVISION
from question_bank.vocabulary import QuestionType


def load_pool(session: Session) -> Pool:
    """Cells are keyed ``(topic_id, difficulty value)``, e.g. ``(3, "TH")``; ordered by id so draws with a
    seeded rng repeat."""
    rows = session.execute(
        select(Question.id, QuestionRevision.id, Question.topic_id, Question.difficulty, Question.type,
               QuestionRevision.options)
        .join(QuestionRevision, CURRENT_REVISION)
        .where(Question.active)
        .order_by(Question.id)
    )
    return Pool.of(
        PoolQuestion(question_id, revision_id, topic_id, difficulty.value, tuple(o["key"] for o in options),
                     multiple=kind is QuestionType.MULTIPLE, shuffle_options=kind is not QuestionType.TRUE_FALSE)
        for question_id, revision_id, topic_id, difficulty, kind, options in rows
    )
