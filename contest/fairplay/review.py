"""The review queue: flagging a contest's attempts from their signals, listing them for organisers within their
scope, and clearing or confirming each with a reason. Every scan and every decision is audited.

Scope is checked here: the contest must be one the organiser works on (``access.permissions.can``), and a unit
organiser sees and decides only the attempts of entrants in their subtree (anything else is "not found").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from contest.access.permissions import Action, can, entrant_filter, unit_scope
from contest.accounts.models import User
from contest.attempts.models import Attempt
from contest.audit import service as audit
from contest.errors import DomainError
from contest.fairplay.models import FairplayReview, FairplaySettings, ReviewStatus
from contest.fairplay.scan import contest_summaries, contest_thresholds
from contest.fairplay.signals import Thresholds, flagged, strength
from contest.leaderboards.results.disqualify import disqualify
from contest.rounds.models import Contest, Round

REASON_LENGTH = 1000
DECISIONS = {"clear": ReviewStatus.CLEARED, "confirm": ReviewStatus.CONFIRMED}


@dataclass(frozen=True)
class ScanReport:
    attempts: int
    flagged: int
    new: int


@dataclass(frozen=True)
class QueueRow:
    review: FairplayReview
    entrant: User
    round_title: str
    attempt_number: int
    score: int | None
    max_score: int


def _allowed(session: Session, user, action: Action, contest_id: int) -> None:
    if session.get(Contest, contest_id) is None:
        raise DomainError("not_found", _l("There is no such contest."))
    if not can(session, user, action, contest=contest_id):
        raise DomainError("forbidden")


def scan_contest(session: Session, user, contest_id: int, *, now: datetime) -> ScanReport:
    """Compute the contest's signals and bring its queue up to date: flagged attempts are added or their findings
    renewed; an attempt no longer flagged leaves the queue unless an organiser has decided on it already."""
    _allowed(session, user, Action.FAIRPLAY_DECIDE, contest_id)
    th = contest_thresholds(session, contest_id)
    summaries = contest_summaries(session, contest_id, now=now, th=th)
    existing = {review.attempt_id: review for review in session.scalars(
        select(FairplayReview).where(FairplayReview.contest_id == contest_id))}
    marked, new = set(), 0
    for summary in summaries:
        if not flagged(summary.findings, th):
            continue
        marked.add(summary.attempt_id)
        findings = [finding.as_dict() for finding in summary.findings]
        review = existing.get(summary.attempt_id)
        if review is None:
            new += 1
            session.add(FairplayReview(attempt_id=summary.attempt_id, contest_id=contest_id,
                                       round_id=summary.round_id, user_id=summary.user_id,
                                       strength=strength(summary.findings), findings=findings,
                                       status=ReviewStatus.FLAGGED, computed_at=now, reason=""))
        else:
            review.strength, review.findings, review.computed_at = strength(summary.findings), findings, now
    gone = [attempt_id for attempt_id, review in existing.items()
            if attempt_id not in marked and review.status == ReviewStatus.FLAGGED]
    if gone:
        session.execute(delete(FairplayReview).where(FairplayReview.attempt_id.in_(gone)))
    audit.record(session, actor_id=getattr(user, "id", None), action="fairplay.scan", now=now,
                 target_type="contest", target_id=contest_id,
                 details={"attempts": len(summaries), "flagged": len(marked), "new": new})
    session.commit()
    return ScanReport(len(summaries), len(marked), new)


def queue(session: Session, user, contest_id: int, *, status: ReviewStatus = ReviewStatus.FLAGGED,
          limit: int = 200) -> list[QueueRow]:
    """The contest's reviews with ``status``, strongest first, within the organiser's scope."""
    _allowed(session, user, Action.FAIRPLAY_REVIEW, contest_id)
    rows = session.execute(
        select(FairplayReview, User, Round.title, Attempt.number, Attempt.score, Attempt.max_score)
        .join(User, User.id == FairplayReview.user_id).join(Round, Round.id == FairplayReview.round_id)
        .join(Attempt, Attempt.id == FairplayReview.attempt_id)
        .where(FairplayReview.contest_id == contest_id, FairplayReview.status == status,
               entrant_filter(User.unit_id, unit_scope(user)))
        .order_by(FairplayReview.strength.desc(), FairplayReview.attempt_id).limit(limit)).all()
    return [QueueRow(*row) for row in rows]


def decide(session: Session, user, contest_id: int, attempt_id: int, *, decision: str, reason: str, now: datetime,
           boards=None, questions=None) -> FairplayReview:
    """Clear or confirm a flagged attempt with a reason (audited). Confirming disqualifies the entrant from the
    attempt's round through the results' disqualification (``leaderboards.results.disqualify``: off the boards at
    once, a new version of a published round), in the same commit; ``boards``/``questions``: its collaborators. An
    entrant already disqualified there is confirmed all the same."""
    _allowed(session, user, Action.FAIRPLAY_DECIDE, contest_id)
    if decision not in DECISIONS:
        raise DomainError("bad_request", _l("Choose to clear or to confirm."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("validation", fields={"reason": _l("Give the reason for the decision.")})
    if len(reason) > REASON_LENGTH:
        raise DomainError("validation", fields={"reason": _l("At most %(count)d characters.", count=REASON_LENGTH)})
    review = session.scalar(
        select(FairplayReview).join(User, User.id == FairplayReview.user_id)
        .where(FairplayReview.attempt_id == attempt_id, FairplayReview.contest_id == contest_id,
               entrant_filter(User.unit_id, unit_scope(user))))
    if review is None:
        raise DomainError("not_found", _l("This attempt is not in the review queue."))
    if review.status != ReviewStatus.FLAGGED:
        raise DomainError("conflict", _l("This attempt has been decided already."))
    review.status, review.reason = DECISIONS[decision], reason
    review.decided_by_id, review.decided_at = getattr(user, "id", None), now
    audit.record(session, actor_id=review.decided_by_id, action=f"fairplay.{decision}", now=now,
                 target_type="attempt", target_id=attempt_id,
                 details={"contest_id": contest_id, "user_id": review.user_id, "strength": review.strength,
                          "reason": reason, "findings": [f["code"] for f in review.findings]})
    if decision == "confirm":
        try:
            disqualify(session, actor=user, entrant_id=review.user_id, round_id=review.round_id,
                       reason=_("Fair-play review: %(reason)s", reason=reason), now=now, boards=boards,
                       questions=questions)  # commits the decision with the disqualification
        except DomainError as error:
            if error.code != "conflict":
                raise
    session.commit()
    return review


def settings_of(session: Session, user, contest_id: int) -> Thresholds:
    """The contest's thresholds, for its settings page."""
    _allowed(session, user, Action.FAIRPLAY_REVIEW, contest_id)
    return contest_thresholds(session, contest_id)


def save_settings(session: Session, user, contest_id: int, values: dict[str, str], *, now: datetime) -> Thresholds:
    """Change the contest's thresholds (those equal to the defaults are not stored); audited. A value that is not a
    positive number is refused, naming its field."""
    _allowed(session, user, Action.FAIRPLAY_DECIDE, contest_id)
    defaults = Thresholds().as_dict()
    changed, errors = {}, {}
    for name, default in defaults.items():
        raw = (values.get(name) or "").strip().replace(",", ".")
        if not raw:
            continue
        try:
            value = int(raw) if isinstance(default, int) else float(raw)
        except ValueError:
            errors[name] = _l("Enter a number.")
            continue
        if value <= 0 or value > 1_000_000:
            errors[name] = _l("Enter a number above zero.")
        elif value != default:
            changed[name] = value
    if errors:
        raise DomainError("validation", fields=errors)
    row = session.get(FairplaySettings, contest_id)
    if row is None:
        row = FairplaySettings(contest_id=contest_id, thresholds={}, updated_at=now)
        session.add(row)
    before = dict(row.thresholds or {})
    row.thresholds, row.updated_at, row.updated_by_id = changed, now, getattr(user, "id", None)
    audit.record(session, actor_id=getattr(user, "id", None), action="fairplay.settings", now=now,
                 target_type="contest", target_id=contest_id, details={"before": before, "after": changed})
    session.commit()
    return Thresholds.with_overrides(changed)
