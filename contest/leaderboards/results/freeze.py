"""Freezing a round's public boards, and making them live again.

A freeze copies the round's live family to its frozen one (``stores.families``); the public then reads the copy,
organisers the live family. The contest's public board (``c3p``) is kept the way a round's frozen family is:
* on a freeze it is copied from what the public saw a moment before (the live family when no round was cut yet;
  otherwise it is already kept);
* each finalised attempt places its entrant again, unless the public does not see that attempt (``recording``);
* on an unfreeze or a publication it is rebuilt from the database, or dropped once every round is live again;
* when the store lost it (a restart of the embedded mode, a flushed Redis) the next reader rebuilds it.
Each action is one unit of work with an audit entry (who, when, why) committed with the change it describes.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.attempts.models import Attempt
from contest.audit.service import record as audit
from contest.errors import DomainError
from contest.leaderboards import reads
from contest.leaderboards.models import BoardFreeze
from contest.leaderboards.placements import best_placements
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.stores.families import family_of_contest, family_of_round, frozen_family, public_family


def freeze(session: Session, boards: Leaderboards, *, round_id: int, actor_id: int | None, now: datetime) -> None:
    """Freeze the round's public boards as they are now; organisers keep seeing the live ones."""
    round_ = reads.round_or_error(session, round_id)
    if reads.freeze_of(session, round_id) is not None:
        raise DomainError("conflict", _l("The boards of this round are already frozen."))
    if reads.latest_version(session, round_id) is not None:
        raise DomainError("conflict", _l("The results of this round are published: there is nothing to freeze."))
    boards.ensure_round(session, round_id)
    session.add(BoardFreeze(round_id=round_id, frozen_at=now, frozen_by_id=actor_id))
    audit(session, actor_id=actor_id, action="board.freeze", now=now, target_type="round", target_id=round_id,
          details={"round": round_.title})
    session.commit()
    family = frozen_family(round_id)
    boards.store.copy(family_of_round(round_id), family)
    boards.store.mark_ready(family)
    _contest_round_frozen(session, boards, contest_id=round_.contest_id, round_id=round_id, round_family=family)
    boards.forget_views()


def unfreeze(session: Session, boards: Leaderboards, *, round_id: int, actor_id: int | None, now: datetime) -> None:
    """Make the round's public boards live again (audited as ``board.unfreeze``)."""
    round_ = reads.round_or_error(session, round_id)
    frozen = reads.freeze_of(session, round_id)
    if frozen is None:
        raise DomainError("conflict", _l("The boards of this round are not frozen."))
    session.delete(frozen)
    audit(session, actor_id=actor_id, action="board.unfreeze", now=now, target_type="round", target_id=round_id,
          details={"round": round_.title, "frozen_at": frozen.frozen_at.isoformat()})
    session.commit()
    boards.store.clear(frozen_family(round_id))
    boards.public_contest_changed(session, round_.contest_id)
    boards.forget_views()


def _contest_round_frozen(session: Session, boards: Leaderboards, *, contest_id: int, round_id: int,
                          round_family: str) -> None:
    """After ``round_id`` was frozen (committed) and its board copied to ``round_family``: the public contest board
    is what the public saw until now. A result finished after the freeze but recorded on the live boards between
    the freeze's commit and a copy would be in that copy: its entrant is placed again on both copies by their
    results until the freeze (an entrant with none is taken off)."""
    cuts = reads.public_cuts(session, contest_id=contest_id)
    family = public_family(contest_id)
    if not any(rid != round_id for rid in cuts):  # else already the public family, kept by ``recording``
        boards.ensure_contest(session, contest_id)
        boards.store.copy(family_of_contest(contest_id), family)
        boards.store.mark_ready(family)
    frozen_at = cuts[round_id].frozen_at
    late = list(session.scalars(select(Attempt.user_id).distinct()
                                .where(Attempt.round_id == round_id, Attempt.finished_at > frozen_at)))
    if not late:
        return
    aggregate, units = reads.contest_aggregate(session, contest_id), reads.unit_ancestors(session)
    for user_id in late:
        rows = session.execute(reads.public_rows(contest_id, cuts, user_id)).all()
        placement = boards.contest_placement(session, rows, aggregate, units)
        if placement is None:
            boards.store.remove(family, user_id)
        else:
            boards.store.record(family, placement, replace=True)
    info = boards.round_info(session, round_id)
    rows = session.execute(reads.round_attempts(round_id).where(Attempt.user_id.in_(late),
                                                                Attempt.finished_at <= frozen_at))
    placed = {placement.entrant_id: placement for placement in best_placements(rows, info.ranking, units)}
    for user_id in late:
        if user_id in placed:
            boards.store.record(round_family, placed[user_id], replace=True)
        else:
            boards.store.remove(round_family, user_id)
