"""The answer-key rule (``key_rule``) applied to the stored bank and rounds: the one place every review page,
export, statistics page and API asks whether a key may be shown, and where showing one is recorded.

Keys shown to entrants mark their questions as used (``Question.key_shown_at``): rounds opening later leave
them out until an organiser re-admits them. Staff views (exports, statistics) follow the same rule but do not
mark questions: they are audited instead, and re-admitting would otherwise be needed after every backup.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from contest.audit import service as audit
from contest.errors import DomainError
from contest.rounds.models import Round
from question_bank import key_rule
from question_bank.key_rule import KeyCandidate, RoundPool
from question_bank.models import Question, QuestionRevision

# Rounds closed longer ago than this cannot be live (grace is at most 60 s): no need to load them.
GRACE_MAX = timedelta(seconds=60)


def live_pools(session: Session, now: datetime) -> list[RoundPool]:
    """The pools of every round that is open or upcoming at ``now`` (or still within its grace)."""
    rounds = session.scalars(select(Round).where(Round.closes_at > now - GRACE_MAX))
    return [pool for pool in map(RoundPool.of, rounds) if pool.live(now)]


def candidates(session: Session, question_ids: Iterable[int] | None = None) -> list[KeyCandidate]:
    """The questions (all of them when ``question_ids`` is None) as the rule sees them."""
    stmt = select(Question.id, Question.topic_id, Question.difficulty, Question.key_shown_at, Question.active,
                  Question.revision)
    tag_stmt = select(QuestionRevision.question_id, QuestionRevision.number, QuestionRevision.tags)
    if question_ids is not None:
        ids = sorted(set(question_ids))
        if not ids:
            return []
        stmt, tag_stmt = stmt.where(Question.id.in_(ids)), tag_stmt.where(QuestionRevision.question_id.in_(ids))
    every: dict[int, set[str]] = {}
    current: dict[tuple[int, int], frozenset[str]] = {}
    for question_id, number, tags in session.execute(tag_stmt):
        every.setdefault(question_id, set()).update(tags or ())
        current[question_id, number] = frozenset(tags or ())
    return [KeyCandidate(qid, topic_id, difficulty.value, frozenset(every.get(qid, ())), shown, active,
                         current.get((qid, revision), frozenset()))
            for qid, topic_id, difficulty, shown, active, revision in session.execute(stmt)]


def secret_ids(session: Session, question_ids: Iterable[int] | None, now: datetime, *,
               exempt_round_id: int | None = None) -> frozenset[int]:
    """Which of ``question_ids`` (None: the whole bank) must keep their key hidden at ``now``."""
    pools = live_pools(session, now)
    if not pools:
        return frozenset()
    return key_rule.secret_ids(candidates(session, question_ids), pools, now, exempt_round_id=exempt_round_id)


def mark_shown(session: Session, question_ids: Iterable[int], now: datetime) -> None:
    """Record that entrants were shown these keys (the first time counts). Commits: it is a unit of work of
    its own, called once the page that shows them is ready."""
    ids = sorted(set(question_ids))
    if ids:
        session.execute(update(Question).where(Question.id.in_(ids), Question.key_shown_at.is_(None))
                        .values(key_shown_at=now))
        session.commit()


def readmit(session: Session, *, question_id: int, now: datetime, actor_id: int | None) -> Question:
    """Let rounds draw a question whose key entrants have seen: the organiser decides it is fine to reuse.
    Audited with when the key had been shown."""
    question = session.get(Question, question_id)
    if question is None:
        raise DomainError("not_found", _l("There is no such question."))
    if question.key_shown_at is None:
        raise DomainError("conflict", _l("This question's answer has not been shown; rounds already draw it."))
    audit.record(session, actor_id=actor_id, action="question.readmitted", now=now, target_type="question",
                 target_id=question.id, details={"key_shown_at": question.key_shown_at.isoformat()})
    question.key_shown_at = None
    session.commit()
    return question


def shared_with(session: Session, pool: RoundPool, now: datetime) -> list[tuple[int, str]]:
    """The other live rounds, as ``(id, title)``, that may draw a question ``pool`` may draw."""
    others = [other for other in live_pools(session, now) if other.round_id != pool.round_id]
    if not others:
        return []
    ids = key_rule.overlapping(pool, others, candidates(session))
    if not ids:
        return []
    return list(session.execute(select(Round.id, Round.title).where(Round.id.in_(ids)).order_by(Round.opens_at)))
