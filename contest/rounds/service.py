"""Contest and round services: creating and validating them, and listing rounds for entrants."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.audit import service as audit
from contest.errors import DomainError
from contest.rounds.models import Contest, NameStyle, Prediction, Review, Round


@dataclass(frozen=True)
class RoundSpec:
    title: str
    opens_at: datetime
    closes_at: datetime
    time_limit_s: int
    question_count: int
    attempts_allowed: int = 1
    blueprint: list[dict] = field(default_factory=list)  # [{"topic_id", "difficulty", "count"}]
    prediction: Prediction = Prediction.OFF
    review: Review = Review.AFTER_CLOSE
    grace_s: int = 5


def create_contest(session: Session, *, title: str, now: datetime, description: str = "",
                   board_levels: list[str] | None = None, name_style: NameStyle = NameStyle.FULL,
                   actor_id: int | None = None) -> Contest:
    if not title.strip():
        raise DomainError("validation", fields={"title": _l("Enter a title.")})
    contest = Contest(title=title.strip(), description=description.strip(), board_levels=board_levels or [],
                      name_style=name_style, created_at=now, created_by_id=actor_id)
    session.add(contest)
    session.flush()
    audit.record(session, actor_id=actor_id, action="contest.created", now=now, target_type="contest",
                 target_id=contest.id, details={"title": contest.title})
    session.commit()
    return contest


def create_round(session: Session, bank, *, contest_id: int, spec: RoundSpec, now: datetime,
                 actor_id: int | None = None) -> Round:
    """Validate ``spec`` (window, limits, a blueprint the active bank can satisfy) and store the round."""
    if session.get(Contest, contest_id) is None:
        raise DomainError("not_found", _l("There is no such contest."))
    errors = round_problems(spec)
    if not errors:
        short = bank.shortfalls(session, spec.blueprint, spec.question_count)
        if short:
            errors["blueprint"] = "; ".join(str(line) for line in short)
    if errors:
        raise DomainError("validation", fields=errors)
    round_ = Round(contest_id=contest_id, title=spec.title.strip(), opens_at=spec.opens_at,
                   closes_at=spec.closes_at, time_limit_s=spec.time_limit_s, question_count=spec.question_count,
                   blueprint=spec.blueprint, attempts_allowed=spec.attempts_allowed, prediction=spec.prediction,
                   review=spec.review, grace_s=spec.grace_s, created_at=now)
    session.add(round_)
    session.flush()
    audit.record(session, actor_id=actor_id, action="round.created", now=now, target_type="round",
                 target_id=round_.id, details={"contest_id": contest_id, "title": round_.title})
    session.commit()
    return round_


def round_problems(spec: RoundSpec) -> dict[str, object]:
    errors: dict[str, object] = {}
    if not spec.title.strip():
        errors["title"] = _l("Enter a title.")
    if spec.closes_at <= spec.opens_at:
        errors["closes_at"] = _l("The round must close after it opens.")
    if not 10 <= spec.time_limit_s <= 24 * 3600:
        errors["time_limit_s"] = _l("The time limit must be between 10 seconds and 24 hours.")
    if not 1 <= spec.question_count <= 200:
        errors["question_count"] = _l("A round has between 1 and 200 questions.")
    if not 1 <= spec.attempts_allowed <= 10:
        errors["attempts_allowed"] = _l("Entrants may have between 1 and 10 attempts.")
    if not 0 <= spec.grace_s <= 60:
        errors["grace_s"] = _l("The grace for answers in transit is between 0 and 60 seconds.")
    if spec.blueprint and sum(cell["count"] for cell in spec.blueprint) != spec.question_count:
        errors["blueprint"] = _l("The blueprint's counts must add up to the number of questions.")
    return errors


def list_rounds(session: Session, *, now: datetime, status: str | None = None) -> list[dict]:
    """Rounds for entrants, newest window first: ``[{id, contest_id, contest_title, title, opens_at, …}]``."""
    rows = session.execute(select(Round, Contest.title).join(Contest).order_by(Round.opens_at.desc())).all()
    listed = []
    for round_, contest_title in rows:
        state = round_.status(now)
        if status and state != status:
            continue
        listed.append({
            "id": round_.id, "contest_id": round_.contest_id, "contest_title": contest_title,
            "title": round_.title, "opens_at": round_.opens_at.isoformat(), "closes_at": round_.closes_at.isoformat(),
            "status": state, "time_limit_s": round_.time_limit_s, "question_count": round_.question_count,
            "attempts_allowed": round_.attempts_allowed,
        })
    return listed
