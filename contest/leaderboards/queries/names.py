"""What a public board shows of an entrant: a name in the contest's style and their unit, nothing else.

Phone, citizen ID and birth date are never read here, so they cannot leak onto a board.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.leaderboards.cache import TtlCache
from contest.rounds.models import NameStyle
from contest.units.models import Unit


@dataclass(frozen=True)
class Shown:
    full_name: str
    unit: str

    def name(self, style: NameStyle) -> str:
        return self.full_name if style == NameStyle.FULL else initials(self.full_name)


def initials(full_name: str) -> str:
    """'Nguyễn Văn An' -> 'N. V. A.'"""
    return " ".join(f"{word[0].upper()}." for word in full_name.split())


class EntrantNames:
    """Entrant id -> ``Shown``, from the database and cached for a minute (boards ask for the same top rows)."""

    def __init__(self, seconds: float = 60.0) -> None:
        self._cache = TtlCache(seconds, maxsize=200_000)

    def lookup(self, session: Session, ids: Iterable[int]) -> dict[int, Shown]:
        found: dict[int, Shown] = {}
        missing = []
        for entrant_id in set(ids):
            shown = self._cache.get(entrant_id)
            if shown is None:
                missing.append(entrant_id)
            else:
                found[entrant_id] = shown
        for start in range(0, len(missing), 500):
            rows = session.execute(select(User.id, User.full_name, Unit.name)
                                   .outerjoin(Unit, Unit.id == User.unit_id)
                                   .where(User.id.in_(missing[start:start + 500])))
            for entrant_id, full_name, unit_name in rows:
                found[entrant_id] = shown = Shown(full_name, unit_name or "")
                self._cache.put(entrant_id, shown)
        return found

    def clear(self) -> None:
        self._cache.clear()
