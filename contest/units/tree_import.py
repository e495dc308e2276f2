"""Planning a unit-tree import: validate rows against the existing tree, all or nothing. Pure code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from question_bank.formats.model import N_, RowProblem
from question_bank.formats.tabular import Table

ALIASES = {
    "ma": "code", "code": "code", "ma_don_vi": "code",
    "ten": "name", "name": "name", "ten_don_vi": "name",
    "cap": "level", "level": "level",
    "ma_cap_tren": "parent_code", "parent_code": "parent_code", "parent": "parent_code",
    "so_doan_vien": "members", "members": "members", "member_count": "members",
    "hieu_luc_tu": "valid_from", "valid_from": "valid_from",
    "hieu_luc_den": "valid_to", "valid_to": "valid_to",
}
REQUIRED = {"code", "name"}
THOUSANDS = re.compile(r"\d{1,3}([ .,]\d{3})+")  # "1.450" is 1450 in Vietnamese
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,31}$")


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    level: str
    parent_code: str | None
    member_count: int | None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass
class ImportPlan:
    records: list[UnitRecord] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # code -> changed fields
    unchanged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def plan_import(table: Table, existing: dict[str, UnitRecord]) -> ImportPlan:
    """Validate every row of ``table`` and say what importing it would change in ``existing`` (by code)."""
    plan = ImportPlan()
    rows_by_code: dict[str, int] = {}
    for row, cells in table.rows:
        record = _parse_row(row, cells, plan.problems)
        if record is None:
            continue
        if record.code in rows_by_code:
            plan.problems.append(
                RowProblem(row, "code", N_("duplicate code %(code)s (also on row %(other)d)"),
                           {"code": record.code, "other": rows_by_code[record.code]})
            )
            continue
        rows_by_code[record.code] = row
        plan.records.append(record)

    parents = {code: rec.parent_code for code, rec in existing.items()}
    parents.update({rec.code: rec.parent_code for rec in plan.records})
    for record in plan.records:
        row = rows_by_code[record.code]
        if record.parent_code is None:
            continue
        if record.parent_code == record.code:
            plan.problems.append(RowProblem(row, "parent_code", N_("a unit cannot be its own parent")))
        elif record.parent_code not in parents:
            plan.problems.append(
                RowProblem(row, "parent_code", N_("unknown parent unit %(code)s"), {"code": record.parent_code})
            )
        elif _in_cycle(record.code, parents):
            plan.problems.append(
                RowProblem(row, "parent_code", N_("parent %(code)s makes a cycle in the tree"),
                           {"code": record.parent_code})
            )
    plan.problems.sort(key=lambda p: (p.row, p.column))

    for record in plan.records:
        before = existing.get(record.code)
        if before is None:
            plan.created.append(record.code)
            continue
        changed = [name for name in _COMPARED if getattr(before, name) != getattr(record, name)]
        if changed:
            plan.updated[record.code] = changed
        else:
            plan.unchanged.append(record.code)
    return plan


def tree_order(records: list[UnitRecord], existing_codes: set[str]) -> list[UnitRecord]:
    """Records ordered so every parent comes before its children (parents already stored come first)."""
    pending = {rec.code: rec for rec in records}
    placed = set(existing_codes) - set(pending)
    ordered: list[UnitRecord] = []
    while pending:
        ready = [rec for rec in pending.values() if rec.parent_code is None or rec.parent_code in placed]
        if not ready:  # only reachable for a plan with problems
            raise ValueError("records contain a cycle or an unknown parent")
        for rec in ready:
            ordered.append(rec)
            placed.add(rec.code)
            del pending[rec.code]
    return ordered


_COMPARED = ("name", "level", "parent_code", "member_count", "valid_from", "valid_to")


def _in_cycle(code: str, parents: dict[str, str | None]) -> bool:
    seen = {code}
    current = parents.get(code)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _parse_row(row: int, cells: dict[str, str], problems: list[RowProblem]) -> UnitRecord | None:
    before = len(problems)
    code = cells.get("code", "")
    name = cells.get("name", "")
    if not code:
        problems.append(RowProblem(row, "code", N_("the code is empty")))
    elif not CODE_PATTERN.match(code):
        problems.append(
            RowProblem(row, "code", N_("the code %(code)s may hold only letters, digits, '.', '_' and '-' "
                          "(at most 32)"), {"code": code})
        )
    if not name:
        problems.append(RowProblem(row, "name", N_("the name is empty")))
    elif len(name) > 200:
        problems.append(RowProblem(row, "name", N_("the name is longer than 200 characters")))
    level = cells.get("level", "")
    if len(level) > 64:
        problems.append(RowProblem(row, "level", N_("the level is longer than 64 characters")))
    members = _parse_members(row, cells.get("members", ""), problems)
    valid_from = _parse_date(row, "valid_from", cells.get("valid_from", ""), problems)
    valid_to = _parse_date(row, "valid_to", cells.get("valid_to", ""), problems)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(RowProblem(row, "valid_to", N_("the end of validity is before its start")))
    if len(problems) > before:
        return None
    return UnitRecord(code, name, level, cells.get("parent_code") or None, members, valid_from, valid_to)


def _parse_members(row: int, text: str, problems: list[RowProblem]) -> int | None:
    if not text:
        return None
    cleaned = re.sub(r"[ .,]", "", text) if THOUSANDS.fullmatch(text) else text
    if not cleaned.isdigit():
        problems.append(
            RowProblem(row, "members", N_("the member count %(value)s is not a whole number"), {"value": text})
        )
        return None
    return int(cleaned)


def _parse_date(row: int, column: str, text: str, problems: list[RowProblem]) -> date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    problems.append(
        RowProblem(row, column, N_("the date %(value)s is not a date (use dd/mm/yyyy)"), {"value": text})
    )
    return None
