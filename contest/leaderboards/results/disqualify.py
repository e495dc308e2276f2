"""Disqualifying an entrant from one round or from a whole contest, and reinstating them: the one service every
edge calls (the entrant's organiser page, ``flask users disqualify``, a fair-play review queue).

A disqualification is a row (``Disqualification``) that every read behind the boards and the final ranking
honours (``reads.not_disqualified``), so a rebuild, the leader's reconciliation or a late submit never puts the
entrant back. Each action is one audited unit of work, then:
* the entrant is placed again on every board of the contest from the database (``place_entrant_again``): off the
  round's live family and its frozen copy, the contest's live and public families; back on them when reinstated;
* each affected round whose results are published gets a new version through ``publish.publish`` (the path of
  every correction), its changelog carrying the reason.

Scope is checked here: the actor must be allowed ``DISQUALIFY`` on the contest, and a unit organiser only within
their subtree (an entrant outside it is "not found", as everywhere in entrant administration).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.access.permissions import Action, can, unit_scope
from contest.accounts.admin_service import entrant_in_scope
from contest.accounts.models import User
from contest.attempts.runtime import runtime
from contest.audit.service import record as audit
from contest.errors import DomainError
from contest.leaderboards import reads
from contest.leaderboards.models import Disqualification
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.results.publish import publish
from contest.rounds.models import Contest, Round

REASON_MAX = 1000


def disqualify(session: Session, *, actor, entrant_id: int, round_id: int | None = None,
               contest_id: int | None = None, reason: str, now: datetime, boards: Leaderboards,
               questions=None) -> Disqualification:
    """Disqualify ``entrant_id`` from ``round_id`` or (``contest_id``) from every round of the contest, with a
    ``reason`` (required). Audited as ``entrant.disqualified``; the entrant leaves the boards at once and each
    published round of it gets a new version. ``actor``: the organiser (or ``OPERATOR``); ``questions``: the
    attempts runtime's revisions reader (for the republication), the app's when None.

    Errors (``DomainError``): ``validation`` (no reason, not exactly one of round and contest), ``not_found``
    (round, contest or entrant, or an entrant outside the actor's subtree), ``forbidden`` (not the actor's
    contest or role), ``conflict`` (already disqualified there)."""
    user, contest, round_ = _target(session, actor, entrant_id, round_id, contest_id)
    text = _reason(reason)
    standing = reads.standing_disqualification(session, user.id, contest_id=contest.id,
                                               round_id=round_.id if round_ else None)
    if standing is not None:
        raise DomainError("conflict", _l("This entrant is already disqualified from the whole contest.")
                          if standing.round_id is None else _l("This entrant is already disqualified from this round."))
    row = Disqualification(user_id=user.id, contest_id=contest.id, round_id=round_.id if round_ else None,
                           reason=text, created_at=now, created_by_id=actor.id)
    session.add(row)
    audit(session, actor_id=actor.id, action="entrant.disqualified", now=now, target_type="user", target_id=user.id,
          details=_details(contest, round_, text))
    session.commit()
    _apply(session, boards, questions, actor=actor, user_id=user.id, contest=contest, round_=round_, now=now,
           changelog=f"Loại thí sinh #{user.id} (disqualified entrant #{user.id}): {text}")
    return row


def reinstate(session: Session, *, actor, entrant_id: int, round_id: int | None = None,
              contest_id: int | None = None, reason: str, now: datetime, boards: Leaderboards,
              questions=None) -> Disqualification:
    """Lift the entrant's disqualification from ``round_id`` or from the whole contest (``contest_id``), with a
    ``reason``; audited as ``entrant.reinstated``, then the same effects as ``disqualify`` the other way. A
    disqualification from the whole contest is lifted on the contest, not on one of its rounds (``conflict``)."""
    user, contest, round_ = _target(session, actor, entrant_id, round_id, contest_id)
    text = _reason(reason)
    standing = reads.standing_disqualification(session, user.id, contest_id=contest.id,
                                               round_id=round_.id if round_ else None)
    if standing is None:
        raise DomainError("conflict", _l("This entrant is not disqualified here."))
    if round_ is not None and standing.round_id is None:
        raise DomainError("conflict", _l("This entrant is disqualified from the whole contest: reinstate them on "
                                         "the contest."))
    standing.lifted_at, standing.lifted_by_id, standing.lift_reason = now, actor.id, text
    audit(session, actor_id=actor.id, action="entrant.reinstated", now=now, target_type="user", target_id=user.id,
          details={**_details(contest, round_, text), "disqualified_at": standing.created_at.isoformat()})
    session.commit()
    _apply(session, boards, questions, actor=actor, user_id=user.id, contest=contest, round_=round_, now=now,
           changelog=f"Phục hồi thí sinh #{user.id} (reinstated entrant #{user.id}): {text}")
    return standing


def entrant_disqualifications(session: Session, user_id: int) -> list[tuple[Disqualification, Contest,
                                                                            Round | None]]:
    """Every disqualification of the entrant, standing or lifted, newest first, with its contest and round."""
    return list(session.execute(
        select(Disqualification, Contest, Round).join(Contest, Contest.id == Disqualification.contest_id)
        .outerjoin(Round, Round.id == Disqualification.round_id)
        .where(Disqualification.user_id == user_id).order_by(Disqualification.id.desc())).all())


def round_disqualifications(session: Session, round_id: int) -> list[tuple[Disqualification, User]]:
    """The disqualifications standing on the round (from it or from its contest), with the entrant."""
    contest_id = session.scalar(select(Round.contest_id).where(Round.id == round_id))
    return list(session.execute(
        select(Disqualification, User).join(User, User.id == Disqualification.user_id)
        .where(Disqualification.contest_id == contest_id, Disqualification.lifted_at.is_(None),
               (Disqualification.round_id.is_(None)) | (Disqualification.round_id == round_id))
        .order_by(Disqualification.id)).all())


def _target(session: Session, actor, entrant_id: int, round_id: int | None,
            contest_id: int | None) -> tuple[User, Contest, Round | None]:
    if (round_id is None) == (contest_id is None):
        message = _l("Choose a round or the whole contest.")
        raise DomainError("validation", message, fields={"where": message})
    round_ = None
    if round_id is not None:
        round_ = reads.round_or_error(session, round_id)
        contest_id = round_.contest_id
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise DomainError("not_found", _l("There is no such contest."))
    user = entrant_in_scope(session, entrant_id, scope=unit_scope(actor))
    if not can(session, actor, Action.DISQUALIFY, contest=contest.id, unit=user.unit):
        raise DomainError("forbidden", _l("You may not disqualify entrants of this contest."))
    return user, contest, round_


def _reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if not text:
        message = _l("Say why (the reason is kept and shown to the entrant).")
        raise DomainError("validation", message, fields={"reason": message})
    if len(text) > REASON_MAX:
        message = _l("Keep the reason under %(count)d characters.", count=REASON_MAX)
        raise DomainError("validation", message, fields={"reason": message})
    return text


def _details(contest: Contest, round_: Round | None, reason: str) -> dict:
    return {"contest_id": contest.id, "contest": contest.title, "round_id": round_.id if round_ else None,
            "round": round_.title if round_ else None, "reason": reason}


def _apply(session: Session, boards: Leaderboards, questions, *, actor, user_id: int, contest: Contest,
           round_: Round | None, now: datetime, changelog: str) -> None:
    """After the commit: the boards from the database, and a new version of each published round it touches."""
    contest_id = contest.id
    round_ids = [round_.id] if round_ is not None else list(
        session.scalars(select(Round.id).where(Round.contest_id == contest_id).order_by(Round.id)))
    boards.place_entrant_again(session, user_id, contest_id=contest_id)
    published = [rid for rid in round_ids if reads.latest_version(session, rid) is not None]
    if published and questions is None:
        questions = runtime().questions
    for rid in published:
        publish(session, boards, questions, round_id=rid, actor_id=actor.id, reason=changelog, now=now)
