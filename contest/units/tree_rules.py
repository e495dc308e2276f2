"""What a change of the unit tree must respect, checked before anything is written. Pure code: units come in as
anything with ``id``, ``path``, ``valid_from`` and ``valid_to`` (``Unit`` rows), days as dates.

A unit organiser's ``scope`` is the root of their subtree (None: the whole tree). They change units strictly under
it: their own unit can be renamed but not moved, ended or merged away, and nothing may leave the subtree.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from contest.units.tree_import import CODE_PATTERN

CODES = re.compile(r"[\s,;]+")


def inside(unit, scope) -> bool:
    """Whether ``unit`` lies in ``scope``'s subtree (itself included); everything is inside no scope."""
    return scope is None or unit.path.startswith(scope.path)


def below(unit, scope) -> bool:
    """Whether ``unit`` lies strictly under ``scope`` (everything is, for no scope)."""
    return scope is None or (unit.path.startswith(scope.path) and unit.id != scope.id)


def valid(unit, day: date) -> bool:
    """``valid_from <= day < valid_to``, either end open (as ``service.valid_on`` says in SQL)."""
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day < unit.valid_to)


def moved_path(path: str, old_prefix: str, new_prefix: str) -> str:
    """A subtree member's path once its root's path ``old_prefix`` became ``new_prefix``."""
    return new_prefix + path[len(old_prefix):]


def code_problem(code: str) -> object | None:
    if not code:
        return _l("Enter the unit's code.")
    if not CODE_PATTERN.match(code):
        return _l("A code holds only letters, digits, '.', '_' and '-' (at most 32).")
    return None


def name_problem(name: str) -> object | None:
    if not name:
        return _l("Enter the unit's name.")
    if len(name) > 200:
        return _l("The name is longer than 200 characters.")
    return None


def move_problem(unit, parent) -> object | None:
    """Why ``unit`` cannot go under ``parent`` (None: the top of the tree), or None."""
    if parent is None:
        return None
    if parent.id == unit.id:
        return _l("A unit cannot be its own parent.")
    if parent.path.startswith(unit.path):
        return _l("A unit cannot move under one of its own units.")
    if parent.id == unit.parent_id:
        return _l("The unit is already there.")
    return None


def end_problem(unit, on: date) -> object | None:
    """Why ``unit`` cannot end on ``on`` (no longer valid from that day), or None."""
    if unit.valid_from is not None and on <= unit.valid_from:
        return _l("A unit cannot end before it starts (%(day)s).", day=unit.valid_from.strftime("%d/%m/%Y"))
    if unit.valid_to is not None and unit.valid_to <= on:
        return _l("The unit has already ended (%(day)s).", day=unit.valid_to.strftime("%d/%m/%Y"))
    return None


def merge_problems(merged: list, into, on: date, today: date) -> dict[str, object]:
    """``{field: message}`` for merging ``merged`` into ``into`` from ``on``: ``codes`` or ``effective_on``."""
    problems: dict[str, object] = {}
    if not merged:
        problems["codes"] = _l("Enter the codes of the units to merge into this one.")
    elif any(unit.id == into.id for unit in merged):
        problems["codes"] = _l("A unit cannot be merged into itself.")
    elif any(into.path.startswith(unit.path) for unit in merged):
        problems["codes"] = _l("A unit cannot be merged into one of its own units.")
    elif any(a.id != b.id and b.path.startswith(a.path) for a in merged for b in merged):
        problems["codes"] = _l("One of the units to merge lies under another: merge the upper one only.")
    elif any(unit.level != into.level for unit in merged):
        other = next(unit for unit in merged if unit.level != into.level)
        problems["codes"] = _l("Only units of one level merge: %(code)s is a %(level)s, this unit a %(into)s.",
                               code=other.code, level=other.level, into=into.level)
    elif any(not valid(unit, on) for unit in merged):
        ended = next(unit for unit in merged if not valid(unit, on))
        problems["codes"] = _l("%(code)s is not valid on that day (already ended or merged).", code=ended.code)
    if on > today:
        problems["effective_on"] = _l("A merge takes effect when it is recorded: choose today or an earlier day.")
    elif not valid(into, on) or not valid(into, today):
        problems["effective_on"] = _l("The unit merged into must be valid from that day to today.")
    return problems


def parse_codes(text: str) -> list[str]:
    """Codes separated by commas, semicolons or spaces, each once, in the order given."""
    return list(dict.fromkeys(code for code in CODES.split(text or "") if code))
