"""What the organiser's unit pages show: one unit's children a page at a time, the breadcrumbs down to it and a
search within a subtree. Never the whole tree (a national one holds 10,000 schools and more).

Every read takes ``scope``, the root of the organiser's subtree (None: the whole tree): a unit outside it is
refused (``forbidden``), as if the organiser could not see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from contest.errors import DomainError
from contest.search_text import fold
from contest.units.models import Unit, UnitMerge
from contest.units.service import subtree_filter
from contest.units.tree_rules import inside

PAGE_SIZE = 50


@dataclass(frozen=True)
class UnitPage:
    """A page of units (a unit's children, or what a search found) with how many children each has."""

    units: list[Unit]
    children: dict[int, int]
    total: int
    page: int
    pages: int


def unit_in_scope(session: Session, unit_id: int, scope: Unit | None) -> Unit:
    """The unit, if it exists (else ``not_found``) and lies in ``scope`` (else ``forbidden``)."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise DomainError("not_found", _l("There is no such unit."))
    if not inside(unit, scope):
        raise DomainError("forbidden", _l("This unit is outside the units you manage."))
    return unit


def children_page(session: Session, parent: Unit | None, *, scope: Unit | None, page: int = 1,
                  text: str = "", page_size: int = PAGE_SIZE) -> UnitPage:
    """``parent``'s children by name (None: the tree's roots, or the scope's own unit), or with ``text`` the units
    of ``parent``'s subtree (the scope's) whose code or name holds every word of it, accents ignored, by path."""
    words = fold(text or "").split()
    if words:
        stmt = select(Unit).where(subtree_filter(parent or scope))
        for word in words:
            stmt = stmt.where(Unit.search_key.contains(word, autoescape=True))
        order = (Unit.path,)
    elif parent is not None:
        stmt, order = select(Unit).where(Unit.parent_id == parent.id), (Unit.name, Unit.code)
    elif scope is not None:
        stmt, order = select(Unit).where(Unit.id == scope.id), (Unit.name,)
    else:
        stmt, order = select(Unit).where(Unit.parent_id.is_(None)), (Unit.name, Unit.code)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    units = list(session.scalars(stmt.order_by(*order).offset((page - 1) * page_size).limit(page_size)))
    child = aliased(Unit)
    counts = dict(session.execute(
        select(child.parent_id, func.count()).where(child.parent_id.in_([unit.id for unit in units]))
        .group_by(child.parent_id)).all()) if units else {}
    return UnitPage(units, counts, total, page, pages)


def breadcrumbs(session: Session, unit: Unit, *, scope: Unit | None) -> list[Unit]:
    """The units from the top the organiser may see (the root, or their own unit) down to ``unit``'s parent."""
    ids = unit.ancestor_ids()[:-1]
    if scope is not None:
        ids = ids[ids.index(scope.id):] if scope.id in ids else []
    found = {row.id: row for row in session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def merges_of(session: Session, unit: Unit) -> tuple[list[tuple[UnitMerge, Unit]], tuple[UnitMerge, Unit] | None]:
    """The units merged into ``unit`` (each with its merge), and the merge that ended ``unit`` itself with the unit
    it went into, if any."""
    other = aliased(Unit)
    into = [tuple(row) for row in session.execute(select(UnitMerge, other).join(other, other.id == UnitMerge.merged_id)
                                .where(UnitMerge.into_id == unit.id).order_by(UnitMerge.id))]
    gone = session.execute(select(UnitMerge, other).join(other, other.id == UnitMerge.into_id)
                           .where(UnitMerge.merged_id == unit.id).order_by(UnitMerge.id.desc()).limit(1)).first()
    return into, tuple(gone) if gone else None
