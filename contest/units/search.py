"""Finding a unit by what a person types: the unit picker's search (registration, the boards' filters, the
organiser forms that take a unit).

Words in any order, accents and case optional (``Unit.search_key`` holds the folded code and name), only units
valid today, ranked: the exact code first, then names that start with what was typed, then names with a word
that starts with it, then the rest; shorter names first within a rank (closer to what was typed). Each result
carries its parents' names, nearest first, so two schools of the same name can be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from contest.search_text import fold
from contest.units.models import Unit
from contest.units.service import valid_on

MAX_LIMIT = 20
MAX_QUERY = 100  # characters of what was typed that count
MAX_WORDS = 8


@dataclass(frozen=True)
class FoundUnit:
    """A unit as the picker shows it: 'THPT Đại Từ — Huyện Đại Từ, Tỉnh đoàn Thái Nguyên'."""

    id: int
    code: str
    name: str
    level: str
    leaf: bool
    parents: tuple[str, ...]  # nearest first

    @property
    def label(self) -> str:
        return f"{self.name} — {', '.join(self.parents)}" if self.parents else self.name

    def as_json(self) -> dict:
        return {"id": self.id, "code": self.code, "name": self.name, "level": self.level, "leaf": self.leaf,
                "parents": list(self.parents), "label": self.label}


@dataclass(frozen=True)
class UnitSearch:
    """What to look for: ``text`` as typed; only leaves (where entrants register), only one ``level``, only
    ``within`` a subtree (an organiser's scope)."""

    text: str
    leaf_only: bool = False
    level: str | None = None
    within: Unit | None = None
    limit: int = 10


def search_units(session: Session, search: UnitSearch, *, today: date) -> list[FoundUnit]:
    """At most ``search.limit`` (≤ ``MAX_LIMIT``) units valid ``today`` holding every word typed, best first."""
    phrase = fold(search.text[:MAX_QUERY])
    words = phrase.split()[:MAX_WORDS]
    if not words:
        return []
    child = aliased(Unit)
    has_children = exists().where(child.parent_id == Unit.id)
    # The folded name: search_key is fold(code + " " + name), and codes are ASCII (their fold is their lowercase).
    name_key = func.substr(Unit.search_key, func.length(Unit.code) + 2, type_=String)
    rank = case((func.lower(Unit.code) == phrase, 0),
                (name_key.startswith(phrase, autoescape=True), 1),
                (or_(Unit.search_key.startswith(phrase, autoescape=True),
                     Unit.search_key.contains(" " + phrase, autoescape=True)), 2),
                else_=3)
    stmt = select(Unit, has_children).where(valid_on(today))
    for word in words:
        stmt = stmt.where(Unit.search_key.contains(word, autoescape=True))
    if search.leaf_only:
        stmt = stmt.where(~has_children)
    if search.level:
        stmt = stmt.where(Unit.level == search.level)
    if search.within is not None:
        stmt = stmt.where(Unit.path.startswith(search.within.path))
    stmt = stmt.order_by(rank, func.length(Unit.name), Unit.name, Unit.id).limit(max(1, min(search.limit, MAX_LIMIT)))
    return described(session, [(unit, bool(children)) for unit, children in session.execute(stmt)])


def found_unit(session: Session, unit_id: int | None = None, *, code: str | None = None) -> FoundUnit | None:
    """One unit, by id or by code, as the picker shows it (the one already chosen in a form), or None."""
    if code is not None:
        unit = session.scalar(select(Unit).where(Unit.code == code.strip())) if code.strip() else None
    else:
        unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        return None
    child = aliased(Unit)
    has_children = session.scalar(select(exists().where(child.parent_id == unit.id)))
    return described(session, [(unit, bool(has_children))])[0]


def described(session: Session, rows: list[tuple[Unit, bool]]) -> list[FoundUnit]:
    """``(unit, has_children)`` rows as ``FoundUnit``s, their parents' names read in one query."""
    ancestors = {ancestor for unit, _ in rows for ancestor in unit.ancestor_ids()[:-1]}
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ancestors))).all()) if ancestors else {}
    return [FoundUnit(unit.id, unit.code, unit.name, unit.level, not has_children,
                      tuple(names[i] for i in reversed(unit.ancestor_ids()[:-1]) if i in names))
            for unit, has_children in rows]
