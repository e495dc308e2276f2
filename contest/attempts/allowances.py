"""What a round's changes in flight owe its entrants, read from its adjustments (``RoundAdjustment``): the extra
seconds and extra attempts given to an entrant or to a unit's subtree, and the pauses so far.

The rows are the record: ``attempts.in_flight`` writes them, and deadlines are computed from them
(``timing.adjusted_deadline``), so an attempt started after extra time was given gets it too. A round has no
adjustment at all nearly always; the reads on the start path are then one indexed query that finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.timing import Pause
from contest.rounds.models import AdjustmentKind, RoundAdjustment
from contest.units.models import Unit


@dataclass(frozen=True)
class Grant:
    """Extra seconds or attempts for one entrant (``user_id``) or a unit's subtree (``unit_id``)."""

    user_id: int | None
    unit_id: int | None
    amount: int

    def covers(self, user_id: int, unit_path: str | None) -> bool:
        """Whether the grant is the entrant's: given to them, or to a unit on their unit's path ('/1/4/9/')."""
        if self.user_id is not None:
            return self.user_id == user_id
        return unit_path is not None and f"/{self.unit_id}/" in unit_path


def owed(grants: Iterable[Grant], user_id: int, unit_path: str | None) -> int:
    """What ``grants`` add up to for one entrant; pure."""
    return sum(grant.amount for grant in grants if grant.covers(user_id, unit_path))


def grants(session: Session, round_id: int, kind: AdjustmentKind) -> list[Grant]:
    """The round's extra time (``EXTRA_TIME``, seconds) or extra attempts (``EXTRA_ATTEMPT``)."""
    amount = RoundAdjustment.seconds if kind == AdjustmentKind.EXTRA_TIME else RoundAdjustment.attempts
    return [Grant(user_id, unit_id, value or 0) for user_id, unit_id, value in session.execute(
        select(RoundAdjustment.user_id, RoundAdjustment.unit_id, amount)
        .where(RoundAdjustment.round_id == round_id, RoundAdjustment.kind == kind))]


def extra_seconds(session: Session, round_id: int, user_id: int) -> int:
    """The extra seconds an entrant's attempts at the round get."""
    return _owed_to(session, grants(session, round_id, AdjustmentKind.EXTRA_TIME), user_id)


def extra_attempts(session: Session, round_id: int, user_id: int) -> int:
    """The attempts an entrant may take at the round beyond its ``attempts_allowed``."""
    return _owed_to(session, grants(session, round_id, AdjustmentKind.EXTRA_ATTEMPT), user_id)


def unit_paths(session: Session, user_ids: Iterable[int]) -> dict[int, str | None]:
    """Each entrant's unit path, to match grants to units' subtrees."""
    ids = list(user_ids)
    if not ids:
        return {}
    return {user_id: path for user_id, path in session.execute(
        select(User.id, Unit.path).outerjoin(Unit, Unit.id == User.unit_id).where(User.id.in_(ids)))}


def pauses(session: Session, round_id: int) -> list[Pause]:
    """The round's pauses that have ended, from their resumes, in order."""
    rows = session.scalars(select(RoundAdjustment.details).where(RoundAdjustment.round_id == round_id,
                                                                  RoundAdjustment.kind == AdjustmentKind.RESUME))
    return sorted((Pause(datetime.fromisoformat(d["paused_at"]), datetime.fromisoformat(d["resumed_at"]))
                   for d in rows), key=lambda pause: pause.start)


def _owed_to(session: Session, found: list[Grant], user_id: int) -> int:
    if not found:
        return 0
    path = unit_paths(session, [user_id]).get(user_id) if any(g.user_id is None for g in found) else None
    return owed(found, user_id, path)
