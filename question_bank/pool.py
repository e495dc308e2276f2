"""Loading a round's drawing pool: its active questions' current revisions, once per round, not per attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from question_bank.drawing import Pool, PoolQuestion
from question_bank.models import Question, QuestionRevision
from question_bank.storage import CURRENT_REVISION
from question_bank.vocabulary import QuestionType


def load_pool(session: Session, *, tags: frozenset[str] = frozenset(), opens_at: datetime | None = None) -> Pool:
    """Cells are keyed ``(topic_id, difficulty value)``, e.g. ``(3, "TH")``; ordered by id so draws with a
    seeded rng repeat. ``tags`` (when not empty) keeps questions whose current revision has one of them;
    ``opens_at`` leaves out questions whose key was shown before then (see ``key_rule``)."""
    stmt = (select(Question.id, QuestionRevision.id, Question.topic_id, Question.difficulty, Question.type,
                   QuestionRevision.options, QuestionRevision.tags)
            .join(QuestionRevision, CURRENT_REVISION)
            .where(Question.active)
            .order_by(Question.id))
    if opens_at is not None:
        stmt = stmt.where(or_(Question.key_shown_at.is_(None), Question.key_shown_at >= opens_at))
    return Pool.of(
        PoolQuestion(question_id, revision_id, topic_id, difficulty.value, tuple(o["key"] for o in options),
                     multiple=kind is QuestionType.MULTIPLE, shuffle_options=kind is not QuestionType.TRUE_FALSE)
        for question_id, revision_id, topic_id, difficulty, kind, options, revision_tags in session.execute(stmt)
        if not tags or tags & set(revision_tags or ())
    )


def round_pool(session: Session, round_) -> Pool:
    """The pool ``round_`` draws from now."""
    return load_pool(session, tags=frozenset(round_.pool_tags or ()), opens_at=round_.opens_at)
