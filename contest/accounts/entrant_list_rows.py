"""Reading a school's list of students (xlsx or csv: name, birth date, phone, unit code, optional CCCD) into
checked records, row by row. Pure but for reading the file; it runs in the parse child process
(``question_bank.parse_worker``), with the same limits as a bank upload.

What needs the database (does the unit exist inside the organiser's subtree, is the phone taken) is checked
by the parent, in ``entrant_lists``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from contest.accounts import identity
from contest.accounts.names import clean_name
from question_bank.formats.errors import TableError
from question_bank.formats.limits import NO_LIMITS, TableLimits
from question_bank.formats.model import N_, RowProblem
from question_bank.formats.tabular import detect_format, read_table
from question_bank.parse_worker import ParseOutcome

ALIASES = {
    "ho_ten": "name", "ho_va_ten": "name", "ten": "name", "name": "name", "full_name": "name",
    "ngay_sinh": "birth_date", "birth_date": "birth_date", "date_of_birth": "birth_date",
    "so_dien_thoai": "phone", "dien_thoai": "phone", "sdt": "phone", "phone": "phone",
    "ma_don_vi": "unit_code", "don_vi": "unit_code", "ma_truong": "unit_code", "unit_code": "unit_code",
    "unit": "unit_code",
    "cccd": "citizen_id", "so_cccd": "citizen_id", "citizen_id": "citizen_id",
}
REQUIRED = {"name", "birth_date", "phone", "unit_code"}
DATE_PATTERNS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
NAME_PROBLEMS = {
    "empty": N_("the name is empty"),
    "too_long": N_("the name is longer than 120 characters"),
    "control": N_("the name contains a control character"),
    "bidi": N_("the name contains a text-direction control character"),
}


@dataclass(frozen=True)
class StudentRecord:
    row: int
    full_name: str
    birth_date: date
    phone: str
    unit_code: str
    citizen_id: str | None = None


@dataclass
class StudentPlan:
    records: list[StudentRecord] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class StudentListRequest:
    """What the parse child needs: the stored upload and the ceilings (see ``parse_worker``)."""

    path: str
    filename: str
    today: date
    limits: TableLimits = NO_LIMITS
    memory_mb: int | None = None
    cpu_s: int | None = None
    nice: int = 10

    def run(self) -> ParseOutcome:
        try:
            fmt = detect_format(self.filename)
            table = read_table(Path(self.path).read_bytes(), fmt, ALIASES, REQUIRED, self.limits)
        except TableError as error:
            return ParseOutcome(error=(error.message, error.params))
        return ParseOutcome(plan=plan_rows(table.rows, today=self.today))


def plan_rows(rows: list[tuple[int, dict[str, str]]], *, today: date) -> StudentPlan:
    """Check every row; a phone or CCCD given on two rows is a problem on the later one (never merged)."""
    plan = StudentPlan()
    seen: dict[tuple[str, str], int] = {}
    for row, cells in rows:
        record = _record(row, cells, plan.problems, today)
        if record is None:
            continue
        duplicate = False
        for column, value in (("phone", record.phone), ("citizen_id", record.citizen_id)):
            if value is None:
                continue
            if (column, value) in seen:
                plan.problems.append(RowProblem(row, column, N_("%(value)s is also on row %(other)d"),
                                                {"value": value, "other": seen[(column, value)]}))
                duplicate = True
            else:
                seen[(column, value)] = row
        if not duplicate:
            plan.records.append(record)
    return plan


def _record(row: int, cells: dict[str, str], problems: list[RowProblem], today: date) -> StudentRecord | None:
    before = len(problems)
    name = clean_name(cells.get("name", ""))
    if name.problem is not None:
        problems.append(RowProblem(row, "name", NAME_PROBLEMS[name.problem]))
    birth = _birth_date(row, cells.get("birth_date", ""), problems, today)
    raw_phone = cells.get("phone", "")
    phone = identity.normalise_phone(raw_phone)
    if identity.has_foreign_digits(raw_phone) or phone is None:
        problems.append(RowProblem(row, "phone", N_("%(value)s is not a Vietnamese mobile number of 10 digits"),
                                   {"value": raw_phone}))
    raw_id = cells.get("citizen_id", "")
    citizen_id = identity.normalise_citizen_id(raw_id) if raw_id else None
    if raw_id and (citizen_id is None or identity.has_foreign_digits(raw_id)):
        problems.append(RowProblem(row, "citizen_id", N_("a citizen ID (CCCD) has exactly 12 digits")))
    code = cells.get("unit_code", "").strip()
    if not code:
        problems.append(RowProblem(row, "unit_code", N_("the unit code is empty")))
    if len(problems) > before:
        return None
    return StudentRecord(row, name.text, birth, phone, code, citizen_id)


def _birth_date(row: int, text: str, problems: list[RowProblem], today: date) -> date | None:
    parsed = None
    # An xlsx date cell with a time of day comes as '2008-02-01T07:00:00' (question_bank's cell reader): its day.
    day = text.strip()[:10] if "T" in text else text.strip()
    for pattern in DATE_PATTERNS:
        try:
            parsed = datetime.strptime(day, pattern).date()
            break
        except ValueError:
            continue
    if parsed is None:
        problems.append(RowProblem(row, "birth_date", N_("the date %(value)s is not a date (use dd/mm/yyyy)"),
                                   {"value": text}))
    elif not (date(today.year - 100, 1, 1) <= parsed <= date(today.year - 6, 12, 31)):
        problems.append(RowProblem(row, "birth_date", N_("check the date of birth %(value)s"), {"value": text}))
        parsed = None
    return parsed
