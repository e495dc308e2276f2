"""Changing a round in flight: pausing and resuming it, a later close, extra time or an extra attempt for one
entrant or a unit's subtree. Each is one audited unit of work that writes a ``RoundAdjustment`` (the round's
results page and live monitor list them), then tells the entrants and every process's attempt cache.

The deadline of an attempt is always ``timing.adjusted_deadline`` of the round's adjustments so far: each change
recomputes it for the round's attempts in progress that are still taking answers (at the pause, while paused) and
stores the ones that moved. An attempt whose time was already over is left to the sweeper.

Who may do what (``contest.access.permissions``): pausing, resuming and extending change the whole round, so they
need ``ROUND_MANAGE`` on its contest (contest organisers and admins); extra time or attempts need
``ROUND_ALLOW`` on the contest and, for a unit organiser (``UNIT_MANAGER``), an entrant or unit inside their
subtree. A refusal is ``forbidden`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from contest.access.permissions import Action, can, unit_scope
from contest.accounts.models import Role, User
from contest.attempts import allowances, timing
from contest.attempts.models import Attempt, Status
from contest.attempts.runtime import AttemptRuntime
from contest.audit.service import record as audit
from contest.db import release_connection
from contest.errors import DomainError
from contest.rounds.models import AdjustmentKind, Round, RoundAdjustment
from contest.units.models import Unit

REASON_MAX = 1000
EXTRA_SECONDS_MAX = 6 * 3600
EXTRA_ATTEMPTS_MAX = 5


@dataclass(frozen=True)
class Moved:
    """An attempt whose deadline a change moved: its entrant is sent the new one (``attempt_deadline``)."""

    attempt_id: int
    user_id: int
    deadline: datetime


def pause_round(session: Session, rt: AttemptRuntime, *, actor, round_id: int, reason: str = "",
                now: datetime) -> RoundAdjustment:
    """Pause an open round: from now no start, answer or submit is accepted (``round_paused``) and the sweeper
    finalises none of its attempts. Audited as ``round.paused``; the entrants get ``round_paused``.
    ``conflict`` when the round is not open or already paused."""
    reason = _reason(reason)
    round_ = _managed(session, actor, round_id)
    if round_.paused_at is not None:
        raise DomainError("conflict", _l("The round is already paused."))
    if round_.status(now) != "open":
        raise DomainError("conflict", _l("Only an open round can be paused."))
    paused = session.execute(update(Round).where(Round.id == round_id, Round.paused_at.is_(None))
                             .values(paused_at=now)).rowcount
    if not paused:  # another organiser paused it a moment ago
        session.rollback()
        raise DomainError("conflict", _l("The round is already paused."))
    row = _adjustment(session, round_id, AdjustmentKind.PAUSE, actor, reason, now,
                      details={"paused_at": now.isoformat()})
    audit(session, actor_id=actor.id, action="round.paused", now=now, target_type="round", target_id=round_id,
          details=_with_reason({}, row.reason))
    session.commit()
    _tell(session, rt, round_id, event="paused")
    return row


def resume_round(session: Session, rt: AttemptRuntime, *, actor, round_id: int, reason: str = "",
                 now: datetime) -> RoundAdjustment:
    """Resume a paused round: the deadlines of its attempts in progress move by the length of the pause.
    Audited as ``round.resumed``; the entrants get ``round_resumed`` and each moved attempt ``attempt_deadline``.
    ``conflict`` when it is not paused."""
    reason = _reason(reason)
    round_ = _managed(session, actor, round_id)
    paused_at = round_.paused_at
    if paused_at is None:
        raise DomainError("conflict", _l("The round is not paused."))
    resumed = session.execute(update(Round).where(Round.id == round_id, Round.paused_at == paused_at)
                              .values(paused_at=None)).rowcount
    if not resumed:
        session.rollback()
        raise DomainError("conflict", _l("The round is not paused."))
    seconds = max(0, round((now - paused_at).total_seconds()))
    row = _adjustment(session, round_id, AdjustmentKind.RESUME, actor, reason, now, seconds=seconds,
                      details={"paused_at": paused_at.isoformat(), "resumed_at": now.isoformat()})
    session.flush()
    session.expire(round_)
    moved = _recompute(session, round_, reference=paused_at)
    audit(session, actor_id=actor.id, action="round.resumed", now=now, target_type="round", target_id=round_id,
          details=_with_reason({"paused_at": paused_at.isoformat(), "seconds": seconds, "moved": len(moved)},
                               row.reason))
    session.commit()
    _tell(session, rt, round_id, event="resumed", moved=moved)
    return row


def extend_round(session: Session, rt: AttemptRuntime, *, actor, round_id: int, closes_at: datetime,
                 reason: str = "", now: datetime) -> RoundAdjustment:
    """Move an open round's close later (never earlier): its attempts in progress get the deadline
    ``min(start + time limit, close)`` with the new close (plus extra time and pauses), and attempts started
    from now too. Audited as ``round.extended``. ``validation`` for a close not after the current one,
    ``conflict`` for a round that is not open."""
    reason = _reason(reason)
    round_ = _managed(session, actor, round_id)
    if round_.status(now) != "open":
        raise DomainError("conflict", _l("Only an open round can be extended."))
    before = round_.closes_at
    if closes_at <= before:
        raise DomainError("validation", fields={"closes_at": _l("The new close must be later than the current one.")})
    round_.closes_at = closes_at
    row = _adjustment(session, round_id, AdjustmentKind.EXTEND, actor, reason, now,
                      details={"before": before.isoformat(), "after": closes_at.isoformat()})
    session.flush()
    moved = _recompute(session, round_, reference=round_.paused_at or now)
    audit(session, actor_id=actor.id, action="round.extended", now=now, target_type="round", target_id=round_id,
          details=_with_reason({"before": before.isoformat(), "after": closes_at.isoformat(), "moved": len(moved)},
                               row.reason))
    session.commit()
    _tell(session, rt, round_id, moved=moved)
    return row


def give_extra_time(session: Session, rt: AttemptRuntime, *, actor, round_id: int, seconds: int,
                    user_id: int | None = None, unit_id: int | None = None, reason: str = "",
                    now: datetime) -> RoundAdjustment:
    """``seconds`` more for the attempts at an open round of one entrant (``user_id``) or of every entrant in a
    unit's subtree (``unit_id``): the ones in progress now and the ones they start later. Audited as
    ``round.extra_time``."""
    reason = _reason(reason)
    if not 1 <= seconds <= EXTRA_SECONDS_MAX:
        raise DomainError("validation", fields={"seconds": _l(
            "Give from 1 to %(most)d seconds.", most=EXTRA_SECONDS_MAX)})
    round_, user, unit = _allowed(session, actor, round_id, user_id, unit_id, now)
    row = _adjustment(session, round_id, AdjustmentKind.EXTRA_TIME, actor, reason, now, seconds=seconds,
                      user_id=user.id if user else None, unit_id=unit.id if unit else None)
    session.flush()
    moved = _recompute(session, round_, reference=round_.paused_at or now, user=user, unit=unit)
    audit(session, actor_id=actor.id, action="round.extra_time", now=now, target_type="round", target_id=round_id,
          details=_with_reason({**_target(user, unit), "seconds": seconds, "moved": len(moved)}, row.reason))
    session.commit()
    _tell(session, rt, round_id, moved=moved)
    return row


def give_extra_attempt(session: Session, rt: AttemptRuntime, *, actor, round_id: int, attempts: int = 1,
                       user_id: int | None = None, unit_id: int | None = None, reason: str = "",
                       now: datetime) -> RoundAdjustment:
    """``attempts`` more at an open round, beyond its ``attempts_allowed``, for one entrant or a unit's subtree.
    Audited as ``round.extra_attempt``."""
    reason = _reason(reason)
    if not 1 <= attempts <= EXTRA_ATTEMPTS_MAX:
        raise DomainError("validation", fields={"attempts": _l(
            "Give from 1 to %(most)d attempts.", most=EXTRA_ATTEMPTS_MAX)})
    round_, user, unit = _allowed(session, actor, round_id, user_id, unit_id, now)
    row = _adjustment(session, round_id, AdjustmentKind.EXTRA_ATTEMPT, actor, reason, now, attempts=attempts,
                      user_id=user.id if user else None, unit_id=unit.id if unit else None)
    audit(session, actor_id=actor.id, action="round.extra_attempt", now=now, target_type="round",
          target_id=round_id, details=_with_reason({**_target(user, unit), "extra_attempts": attempts}, row.reason))
    session.commit()
    return row


def target_ids(session: Session, *, login: str = "", unit_code: str = "") -> tuple[int | None, int | None]:
    """``(user_id, unit_id)`` of what an organiser typed: an entrant's phone or email, or a unit's code (exactly
    one). ``validation`` naming the field otherwise."""
    from contest.accounts.service import find_user

    login, unit_code = (login or "").strip(), (unit_code or "").strip()
    if bool(login) == bool(unit_code):
        raise DomainError("validation", fields={"login": _l("Enter either an entrant's phone or email, or a unit's "
                                                            "code.")})
    if login:
        user = find_user(session, login)
        if user is None or user.role != Role.ENTRANT:
            raise DomainError("validation", fields={"login": _l("No entrant has this phone or email.")})
        return user.id, None
    unit_id = session.scalar(select(Unit.id).where(Unit.code == unit_code))
    if unit_id is None:
        raise DomainError("validation", fields={"unit_code": _l("There is no unit with this code.")})
    return None, unit_id


def _managed(session: Session, actor, round_id: int) -> Round:
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise DomainError("not_found", _l("There is no such round."))
    if not can(session, actor, Action.ROUND_MANAGE, contest=round_.contest_id):
        raise DomainError("forbidden")
    return round_


def _allowed(session: Session, actor, round_id: int, user_id: int | None, unit_id: int | None,
             now: datetime) -> tuple[Round, User | None, Unit | None]:
    """The round, and the entrant or unit, once ``actor`` may give them more (their contest, their subtree)."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise DomainError("not_found", _l("There is no such round."))
    if (user_id is None) == (unit_id is None):
        raise DomainError("validation", fields={"login": _l("Enter either an entrant's phone or email, or a unit's "
                                                            "code.")})
    user = session.get(User, user_id) if user_id is not None else None
    unit = session.get(Unit, unit_id) if unit_id is not None else user.unit if user is not None else None
    if user_id is not None and (user is None or user.role != Role.ENTRANT):
        raise DomainError("not_found", _l("There is no such entrant."))
    if unit_id is not None and unit is None:
        raise DomainError("not_found", _l("There is no such unit."))
    limited = unit_scope(actor) is not None
    if (not can(session, actor, Action.ROUND_ALLOW, contest=round_.contest_id, unit=unit)
            or (limited and unit is None)):  # an entrant without a unit is in no unit organiser's subtree
        raise DomainError("forbidden")
    if round_.status(now) != "open":
        raise DomainError("conflict", _l("Extra time or attempts can be given only while the round is open."))
    return round_, user if user_id is not None else None, unit if unit_id is not None else None


def _recompute(session: Session, round_: Round, *, reference: datetime, user: User | None = None,
               unit: Unit | None = None) -> list[Moved]:
    """Store the deadline the adjustments so far give each attempt in progress at the round that was still taking
    answers at ``reference`` (now, or the start of the pause it is in); only ``user``'s or ``unit``'s subtree's
    when given. The ones that moved."""
    query = (select(Attempt.id, Attempt.user_id, Attempt.started_at, Attempt.deadline, Unit.path)
             .join(User, User.id == Attempt.user_id).outerjoin(Unit, Unit.id == User.unit_id)
             .where(Attempt.round_id == round_.id, Attempt.status == Status.IN_PROGRESS))
    if user is not None:
        query = query.where(Attempt.user_id == user.id)
    elif unit is not None:
        query = query.where(Unit.path.startswith(unit.path))
    extra = allowances.grants(session, round_.id, AdjustmentKind.EXTRA_TIME)
    pauses = allowances.pauses(session, round_.id)
    moved = []
    for attempt_id, user_id, started_at, deadline, path in session.execute(query).all():
        if not timing.accepts_answers(reference, deadline, round_.grace_s):
            continue  # over before this change: the sweeper finalises it
        new = timing.adjusted_deadline(started_at, round_.time_limit_s, round_.closes_at, grace_s=round_.grace_s,
                                       extra_s=allowances.owed(extra, user_id, path), pauses=pauses)
        if new != deadline:
            moved.append(Moved(attempt_id, user_id, new))
    if moved:
        session.execute(update(Attempt), [{"id": m.attempt_id, "deadline": m.deadline} for m in moved])
    return moved


def _tell(session: Session, rt: AttemptRuntime, round_id: int, *, event: str | None = None,
          moved: list[Moved] = ()) -> None:
    """After the commit: every process forgets the round's cached attempts, then the entrants are told."""
    rt.cache.forget_round(round_id)
    release_connection(session)  # emitting may yield to other greenlets: hold no connection meanwhile
    rt.notifier.round_changed(round_id)
    if event == "paused":
        rt.notifier.round_paused(round_id)
    elif event == "resumed":
        rt.notifier.round_resumed(round_id)
    for change in moved:
        rt.notifier.attempt_deadline(change.user_id, change.attempt_id, timing.epoch_ms(change.deadline))


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if len(text) > REASON_MAX:
        raise DomainError("validation", fields={"reason": _l("At most %(most)d characters.", most=REASON_MAX)})
    return text


def _adjustment(session: Session, round_id: int, kind: AdjustmentKind, actor, reason: str, now: datetime,
                **values) -> RoundAdjustment:
    row = RoundAdjustment(round_id=round_id, kind=kind, reason=reason, created_at=now, created_by_id=actor.id,
                          details=values.pop("details", {}), **values)
    session.add(row)
    return row


def _target(user: User | None, unit: Unit | None) -> dict:
    return {"entrant_id": user.id} if user is not None else {"unit_id": unit.id}


def _with_reason(details: dict, reason: str) -> dict:
    return {**details, "reason": reason} if reason else details


KIND_NAMES = {
    AdjustmentKind.PAUSE: _l("Paused"),
    AdjustmentKind.RESUME: _l("Resumed"),
    AdjustmentKind.EXTEND: _l("Close extended"),
    AdjustmentKind.EXTRA_TIME: _l("Extra time"),
    AdjustmentKind.EXTRA_ATTEMPT: _l("Extra attempt"),
}


@dataclass(frozen=True)
class Listed:
    """One adjustment as the round's results page and live monitor list it."""

    row: RoundAdjustment
    entrant: User | None
    unit: Unit | None
    by: str | None  # the organiser's name; None: a command

    @property
    def kind_name(self) -> str:
        return str(KIND_NAMES[self.row.kind])

    @property
    def who(self) -> str:
        """Whom extra time or attempts were given: the entrant's name, or the unit's name and code."""
        if self.entrant is not None:
            return self.entrant.full_name
        return f"{self.unit.name} ({self.unit.code})" if self.unit is not None else ""

    def moment(self, key: str) -> datetime:
        """A moment stored in the details (an extension's ``before`` and ``after``)."""
        return datetime.fromisoformat(self.row.details[key])


def round_adjustments(session: Session, round_id: int, *, scope: Unit | None = None) -> list[Listed]:
    """The round's adjustments, oldest first. A unit organiser (``scope``) sees the whole round's (pause, resume,
    extend) and the extra time and attempts that reach their subtree: given to an entrant or a unit in it, or to a
    unit above it."""
    rows = session.execute(
        select(RoundAdjustment, User.full_name).outerjoin(User, User.id == RoundAdjustment.created_by_id)
        .where(RoundAdjustment.round_id == round_id).order_by(RoundAdjustment.id)).all()
    listed = []
    for row, by_name in rows:  # a handful of rows: the entrants and units come from the identity map or by key
        person = session.get(User, row.user_id) if row.user_id is not None else None
        place = session.get(Unit, row.unit_id) if row.unit_id is not None else None
        if scope is not None and not _reaches(scope, person, place):
            continue
        listed.append(Listed(row, person, place, by_name))
    return listed


def _reaches(scope: Unit, person: User | None, place: Unit | None) -> bool:
    if person is not None:
        return person.unit is not None and person.unit.path.startswith(scope.path)
    if place is not None:
        return place.path.startswith(scope.path) or scope.path.startswith(place.path)
    return True  # the whole round's
