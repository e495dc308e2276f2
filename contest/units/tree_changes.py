"""Changing the unit tree from the organiser pages: add, rename, move, end and merge units. Each change is one unit
of work, audited in the same commit, and writes nothing when refused.

Every function takes ``scope``, the root of the organiser's subtree (None: the whole tree). A unit, a new parent or
a unit to merge outside it is refused with ``forbidden``; a scoped organiser cannot add a unit at the top, nor move,
end or merge away their own unit. The checks are in ``tree_rules`` (pure).

Entrants keep their unit's id: a rename or a move shows at once everywhere the tree of today is read (live boards,
once rebuilt: the pages call ``Boards.tree_changed``); published versions keep the path each row was published
with (``PublishedRow.unit_path``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.audit import service as audit
from contest.errors import DomainError
from contest.search_text import fold
from contest.units import tree_rules
from contest.units.models import Unit, UnitMerge
from contest.units.queries import unit_in_scope


@dataclass(frozen=True)
class MergeDone:
    into: Unit
    merged: list[str]
    members: int
    children: int


def add_unit(session: Session, *, parent_id: int | None, code: str, name: str, level: str,
             member_count: int | None, valid_from: date | None, scope: Unit | None, now: datetime,
             actor_id: int | None) -> Unit:
    """A new unit under ``parent_id`` (None: at the top of the tree, for organisers of the whole tree only); its
    level defaults to its future siblings'. Audited as ``units.added``."""
    parent = unit_in_scope(session, parent_id, scope) if parent_id is not None else None
    if parent is None and scope is not None:
        raise DomainError("forbidden", _l("Add units inside the units you manage."))
    code, name, level = (code or "").strip(), " ".join((name or "").split()), (level or "").strip()
    if not level and parent is not None:
        level = session.scalar(select(Unit.level).where(Unit.parent_id == parent.id).limit(1)) or ""
    problems = {key: message for key, message in (
        ("code", tree_rules.code_problem(code)), ("name", tree_rules.name_problem(name)),
        ("level", _l("Enter the unit's level (Tỉnh, Huyện, Trường…).") if not level else
         _l("The level is longer than 64 characters.") if len(level) > 64 else None)) if message}
    if "code" not in problems and session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        problems["code"] = _l("Another unit has the code %(code)s.", code=code)
    if problems:
        raise DomainError("validation", fields=problems)
    unit = Unit(code=code, name=name, search_key=fold(f"{code} {name}"), level=level, parent_id=parent_id,
                member_count=member_count, valid_from=valid_from, path="", depth=0)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.depth = unit.path.count("/") - 2
    audit.record(session, actor_id=actor_id, action="units.added", now=now, target_type="unit", target_id=unit.id,
                 details={"code": code, "name": name, "level": level, "parent": parent.code if parent else None})
    session.commit()
    return unit


def rename_unit(session: Session, unit_id: int, *, name: str, scope: Unit | None, now: datetime,
                actor_id: int | None) -> Unit:
    """Give the unit a new name (its code stays). Audited as ``units.renamed`` with the old and new names."""
    unit = unit_in_scope(session, unit_id, scope)
    name = " ".join((name or "").split())
    problem = tree_rules.name_problem(name)
    if problem:
        raise DomainError("validation", fields={"name": problem})
    if name != unit.name:
        before = unit.name
        unit.name, unit.search_key = name, fold(f"{unit.code} {name}")
        audit.record(session, actor_id=actor_id, action="units.renamed", now=now, target_type="unit",
                     target_id=unit.id, details={"code": unit.code, "before": before, "after": name})
    session.commit()
    return unit


def move_unit(session: Session, unit_id: int, *, parent_code: str, scope: Unit | None, now: datetime,
              actor_id: int | None) -> int:
    """Put the unit (and its subtree) under the unit coded ``parent_code`` (empty: at the top, for organisers of
    the whole tree only); the subtree's paths and depths follow. How many units moved. Refused under its own
    subtree. Audited as ``units.moved``."""
    unit = unit_in_scope(session, unit_id, scope)
    if scope is not None and unit.id == scope.id:
        raise DomainError("forbidden", _l("You cannot move the unit you manage."))
    parent_code = (parent_code or "").strip()
    if not parent_code and scope is not None:  # only organisers of the whole tree may move a unit to its top
        raise DomainError("validation", fields={"parent_code": _l("Enter the code of the new parent unit.")})
    parent = session.scalar(select(Unit).where(Unit.code == parent_code)) if parent_code else None
    if parent_code and parent is None:
        raise DomainError("validation", fields={"parent_code": _l("No unit has the code %(code)s.", code=parent_code)})
    if parent is not None and not tree_rules.inside(parent, scope):
        raise DomainError("forbidden", _l("A unit cannot move outside the units you manage."))
    problem = tree_rules.move_problem(unit, parent)
    if problem:
        raise DomainError("validation", fields={"parent_code": problem})
    before = unit.parent.code if unit.parent else None
    moved = _reparent(session, unit, parent)
    audit.record(session, actor_id=actor_id, action="units.moved", now=now, target_type="unit", target_id=unit.id,
                 details={"code": unit.code, "from": before, "to": parent.code if parent else None, "units": moved})
    session.commit()
    return moved


def end_unit(session: Session, unit_id: int, *, on: date | None, scope: Unit | None, now: datetime,
             actor_id: int | None) -> int:
    """The unit, and the units under it still open then, are no longer valid from ``on`` (``valid_to``): no
    longer offered nor accepted at registration; their entrants and results stay. How many units ended. Audited
    as ``units.ended``."""
    unit = unit_in_scope(session, unit_id, scope)
    if scope is not None and unit.id == scope.id:
        raise DomainError("forbidden", _l("You cannot end the unit you manage."))
    if on is None:
        raise DomainError("validation", fields={"valid_to": _l("Enter the day the unit ends.")})
    problem = tree_rules.end_problem(unit, on)
    if problem:
        raise DomainError("validation", fields={"valid_to": problem})
    ended = session.execute(update(Unit).where(Unit.path.startswith(unit.path, autoescape=True),
                                               or_(Unit.valid_to.is_(None), Unit.valid_to > on))
                            .values(valid_to=on).execution_options(synchronize_session=False)).rowcount
    session.expire_all()
    audit.record(session, actor_id=actor_id, action="units.ended", now=now, target_type="unit", target_id=unit_id,
                 details={"code": unit.code, "on": on.isoformat(), "units": ended})
    session.commit()
    return ended


def merge_units(session: Session, into_id: int, *, codes: list[str], on: date | None, today: date,
                scope: Unit | None, now: datetime, actor_id: int | None) -> MergeDone:
    """Merge the units coded ``codes`` into unit ``into_id`` from ``on`` (today or earlier): each merged unit ends
    that day, its entrants and its child units (with their subtrees) go to ``into``, and a ``UnitMerge`` records
    it. Only units of ``into``'s level, valid that day. Audited as ``units.merged``."""
    into = unit_in_scope(session, into_id, scope)
    if on is None:
        raise DomainError("validation", fields={"effective_on": _l("Enter the day the merge takes effect.")})
    merged = list(session.scalars(select(Unit).where(Unit.code.in_(codes)))) if codes else []
    unknown = sorted(set(codes) - {unit.code for unit in merged})
    if unknown:
        raise DomainError("validation", fields={"codes": _l("No unit has the code %(code)s.", code=", ".join(unknown))})
    if any(not tree_rules.below(unit, scope) for unit in merged):
        raise DomainError("forbidden", _l("Only units inside the units you manage can be merged."))
    problems = tree_rules.merge_problems(merged, into, on, today)
    if problems:
        raise DomainError("validation", fields=problems)
    members = children = 0
    for unit in sorted(merged, key=lambda u: codes.index(u.code)):
        moved_members = session.execute(update(User).where(User.unit_id == unit.id).values(unit_id=into.id)
                                        .execution_options(synchronize_session=False)).rowcount
        kids = list(session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.id)))
        for kid in kids:
            _reparent(session, kid, into)
        unit.valid_to = on
        session.add(UnitMerge(merged_id=unit.id, into_id=into.id, effective_on=on, members=moved_members,
                              children=len(kids), created_at=now, created_by_id=actor_id))
        members, children = members + moved_members, children + len(kids)
    done = MergeDone(into, list(codes), members, children)
    audit.record(session, actor_id=actor_id, action="units.merged", now=now, target_type="unit", target_id=into.id,
                 details={"into": into.code, "merged": done.merged, "on": on.isoformat(), "entrants": members,
                          "units": children})
    session.flush()
    session.expire_all()  # the members and paths were rewritten in SQL
    session.commit()
    return done


def _reparent(session: Session, unit: Unit, parent: Unit | None) -> int:
    """Put ``unit`` under ``parent`` and rewrite its subtree's paths and depths in one statement; how many."""
    old_prefix = unit.path
    new_prefix = f"{parent.path if parent else '/'}{unit.id}/"
    shift = (new_prefix.count("/") - 2) - unit.depth
    unit.parent_id = parent.id if parent else None
    session.flush()
    moved = session.execute(update(Unit).where(Unit.path.startswith(old_prefix, autoescape=True))
                            .values(path=literal(new_prefix) + func.substr(Unit.path, len(old_prefix) + 1),
                                    depth=Unit.depth + shift)
                            .execution_options(synchronize_session=False)).rowcount
    session.expire(unit)
    return moved
