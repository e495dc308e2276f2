"""Unit-tree services: import (all or nothing), lookups for pickers and organiser scopes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from contest.audit import service as audit
from contest.search_text import fold
from contest.units.models import Unit
from contest.units.tree_import import ImportPlan, UnitRecord, plan_import, tree_order
from question_bank.formats.tabular import Table


def existing_records(session: Session) -> dict[str, UnitRecord]:
    parent = aliased(Unit)
    rows = session.execute(
        select(Unit, parent.code).outerjoin(parent, Unit.parent_id == parent.id)
    ).all()
    return {
        unit.code: UnitRecord(unit.code, unit.name, unit.level, parent_code, unit.member_count,
                              unit.valid_from, unit.valid_to)
        for unit, parent_code in rows
    }


def import_units(session: Session, table: Table, *, now: datetime, dry_run: bool = False,
                 actor_id: int | None = None, source: str = "") -> ImportPlan:
    """Upsert the units of ``table`` by code. Writes nothing unless every row is valid and not ``dry_run``."""
    existing = existing_records(session)
    plan = plan_import(table, existing)
    if not plan.ok or dry_run:
        return plan
    units = {unit.code: unit for unit in session.scalars(select(Unit))}
    for record in tree_order(plan.records, set(existing)):
        unit = units.get(record.code)
        if unit is None:
            unit = units[record.code] = Unit(code=record.code)
            session.add(unit)
        unit.name = record.name
        unit.search_key = fold(f"{record.code} {record.name}")
        unit.level = record.level
        unit.member_count = record.member_count
        unit.valid_from = record.valid_from
        unit.valid_to = record.valid_to
        unit.parent = units[record.parent_code] if record.parent_code else None
    session.flush()
    _recompute_paths(units.values())
    audit.record(session, actor_id=actor_id, action="units.import", now=now, target_type="units",
                 details={"source": source, "created": len(plan.created), "updated": len(plan.updated)})
    session.commit()
    return plan


def _recompute_paths(units) -> None:
    """Materialised paths and depths for the whole tree (a reorganisation may move any subtree)."""
    by_id = {unit.id: unit for unit in units}
    memo: dict[int, str] = {}

    def path_of(unit: Unit) -> str:
        if unit.id not in memo:
            prefix = path_of(by_id[unit.parent_id]) if unit.parent_id else "/"
            memo[unit.id] = f"{prefix}{unit.id}/"
        return memo[unit.id]

    for unit in by_id.values():
        unit.path = path_of(unit)
        unit.depth = unit.path.count("/") - 2


def valid_on(day: date):
    """A WHERE clause keeping the units valid on ``day``: ``valid_from <= day < valid_to``, either end open. An
    ended or merged unit stays in the tree (old results name it) but is no longer offered nor accepted."""
    return and_(or_(Unit.valid_from.is_(None), Unit.valid_from <= day),
                or_(Unit.valid_to.is_(None), Unit.valid_to > day))


def is_valid_on(session: Session, unit_id: int, day: date) -> bool:
    """Whether the unit exists and is valid on ``day`` (what registration accepts)."""
    return session.scalar(select(func.count()).select_from(Unit).where(Unit.id == unit_id, valid_on(day))) == 1


def leaf_units(session: Session, query: str = "", limit: int = 50, *, today: date | None = None) -> list[Unit]:
    """Leaf units (where entrants belong) whose name or code contains ``query``, for the picker; with ``today``,
    only those valid that day."""
    child = aliased(Unit)
    stmt = select(Unit).where(~exists().where(child.parent_id == Unit.id)).order_by(Unit.path)
    if today is not None:
        stmt = stmt.where(valid_on(today))
    for word in fold(query).split():
        stmt = stmt.where(Unit.search_key.contains(word, autoescape=True))
    return list(session.scalars(stmt.limit(limit)))


def is_leaf(session: Session, unit_id: int) -> bool:
    return session.scalar(select(func.count()).where(Unit.parent_id == unit_id)) == 0


def unit_paths(session: Session, units: list[Unit]) -> dict[int, str]:
    """'Tỉnh đoàn Thái Nguyên › Huyện Đại Từ › THPT Đại Từ' for each unit, for display."""
    ids = {ancestor for unit in units for ancestor in unit.ancestor_ids()}
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()) if ids else {}
    return {unit.id: " › ".join(names[i] for i in unit.ancestor_ids() if i in names) for unit in units}


def subtree_filter(scope: Unit | None):
    """A WHERE clause limiting units to ``scope``'s subtree (everything when ``scope`` is None)."""
    return Unit.path.startswith(scope.path) if scope is not None else True


def stored_paths(session: Session, unit_ids) -> dict[int, list[list]]:
    """Unit id -> its path as a published row keeps it, root first: ``[[id, code, name, level], ...]``. Reads the
    whole tree once (a few thousand short rows) rather than a list of ids too long for one query."""
    units = {row.id: row for row in session.execute(select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.path))}
    return {unit_id: [[units[part].id, units[part].code, units[part].name, units[part].level]
                      for part in (int(text) for text in units[unit_id].path.strip("/").split("/") if text)
                      if part in units]
            for unit_id in set(unit_ids) if unit_id in units}
