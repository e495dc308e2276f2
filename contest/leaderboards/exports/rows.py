"""Organiser exports of a round, as CSV or XLSX: the final ranking, the unit rankings at every level, and each
entrant's correctness per question (for appeals).

Every text cell goes through ``escape_cell`` (a leading ``= + - @`` would run as a formula in a spreadsheet).
The files are written by export jobs (``jobs``), away from any request, with a progress count: rows come
from the database a page at a time (keyset pages, each read whole), so no cursor stays open between two pages and
the job may commit its progress and let other work use the connection (SQLite has one per process) between any
two rows. Each ``*_count`` says in one query how many rows (header aside) its generator will yield.

The rows are for an official with a spreadsheet, not a programmer: the header row in the job's language
(``LABELS``: Vietnamese, English with ``lang=en``; the generators yield the column keys, the writers label them),
one column per level of the unit tree (the tree's own level names: Tỉnh, Huyện, Trường) instead of one path, times
as moments in Vietnam's time and durations as ``timedelta`` (shown m:ss.d).

* CSV is written with ``csv.writer``, UTF-8 with a byte-order mark (Excel reads Vietnamese right); moments as
  ``dd/mm/yyyy hh:mm:ss`` (``yyyy-mm-dd`` in English), durations as ``m:ss.d``, decimals in the language's way;
* XLSX is written by openpyxl in write-only mode (rows go straight to the file, not into memory), on as many
  sheets as Excel's limit of 1,048,576 rows a sheet needs (the answers of a national round are tens of millions
  of rows), each with the header, bold and frozen, and columns sized for what they hold; moments, dates and
  durations are real Excel values with a number format (they sort and add up), the participation a percentage.

These are organiser exports: full names (whatever the public style) and unit paths, never phone, citizen ID or
birth date, except the prize contacts (``contact_rows``): the final ranking with each entrant's phone, email, citizen
ID and birth date, which contest-level organisers need to reach and verify winners; the job that writes one and each
download of it are audited (``contest.privacy.disclosure``). ``scope`` (a unit organiser's unit; None: everything)
keeps the rows of that subtree only, in SQL where the rows come from SQL.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import TextIO

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select, tuple_
from sqlalchemy.orm import Session

from contest.access.permissions import entrant_filter, entrants_attempts, keep_within
from contest.accounts.models import User
from contest.attempts.models import Answer, Attempt, Status
from contest.i18n import CONTEST_TIME_ZONE
from contest.leaderboards.models import PublishedResult, PublishedRow
from contest.leaderboards.queries.units import PublishedUnits, tree_levels, unit_rows
from contest.leaderboards.reads import not_disqualified
from contest.leaderboards.results.final import compute_final
from contest.rounds.models import Round
from contest.units.models import Unit
from contest.units.service import subtree_filter
from contest.xlsx_text import xlsx_safe
from question_bank.formats.model import escape_cell

BATCH = 2000
# Attempts read per page of the answers: with their answers, ~3,000 rows and a few tens of milliseconds.
ANSWER_PAGE = 100
SHEET_ROWS = 1_048_576  # Excel's rows per sheet, the header included
# Column keys; ``UNIT_PATH`` stands for one column per level of the tree (``with_levels``).
UNIT_PATH = "unit_path"
RANKING_HEADER = ("rank", "entrant_id", "name", UNIT_PATH, "score", "max_score", "prediction", "prediction_error",
                  "duration", "submitted_at", "attempts")
CONTACT_COLUMNS = ("phone", "email", "citizen_id", "birth_date")
CONTACTS_HEADER = RANKING_HEADER + CONTACT_COLUMNS
UNITS_HEADER = ("level", "rank", "code", "unit", "entrants", "attempts", "members", "participation",
                "average_score", "full_marks")
ANSWERS_HEADER = ("entrant_id", "name", UNIT_PATH, "attempt", "attempt_id", "status", "question_no",
                  "question_id", "revision_id", "chosen", "correct_answer", "right", "voided")
LABELS = {
    "rank": _l("Rank"), "entrant_id": _l("Entrant no."), "name": _l("Full name"), "score": _l("Score"),
    "max_score": _l("Maximum score"), "prediction": _l("Prediction"), "prediction_error": _l("Prediction error"),
    "duration": _l("Time taken (m:ss.d)"), "submitted_at": _l("Submitted at"), "attempts": _l("Attempts"),
    "phone": _l("Phone"), "email": _l("Email"), "citizen_id": _l("Citizen ID (CCCD)"),
    "birth_date": _l("Date of birth"), "level": _l("Level"), "code": _l("Unit code"), "unit": _l("Unit"),
    "entrants": _l("Entrants"), "members": _l("Members"), "participation": _l("Participation"),
    "average_score": _l("Average best score"), "full_marks": _l("Full marks"), "attempt": _l("Attempt"),
    "attempt_id": _l("Attempt no."), "status": _l("Status"), "question_no": _l("Question"),
    "question_id": _l("Question no."), "revision_id": _l("Revision no."), "chosen": _l("Chosen"),
    "correct_answer": _l("Correct answer"), "right": _l("Right (1/0)"), "voided": _l("Voided (1/0)"),
}
STATUS_LABELS = {Status.SUBMITTED: _l("submitted"), Status.EXPIRED: _l("closed at the deadline")}
# Column widths in characters, by key (a level column: ``UNIT_WIDTH``); others fit their header.
WIDTHS = {"name": 28, "email": 28, "submitted_at": 20, "birth_date": 13, "duration": 12, "unit": 30,
          "phone": 14, "citizen_id": 16, "chosen": 10, "correct_answer": 10, "status": 16}
UNIT_WIDTH = 26
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
DATE_FORMAT = "dd/mm/yyyy"
DURATION_FORMAT = "[m]:ss.0"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.00"


def label(key: str) -> str:
    """A column's header in the current language: a key of ``LABELS``, or a level of the tree as it is named."""
    return str(LABELS[key]) if key in LABELS else key


def with_levels(header: tuple, levels: list[str]) -> tuple:
    """``header`` with ``UNIT_PATH`` replaced by the tree's levels, from the top down."""
    out: list[str] = []
    for key in header:
        out.extend(levels if key == UNIT_PATH else (key,))
    return tuple(out)


def unit_paths(session: Session) -> dict[int, str]:
    """Unit id -> 'Province / District / School' (one text: the prize export and the certificates print it)."""
    units = session.execute(select(Unit.id, Unit.name, Unit.path)).all()
    names = {unit.id: unit.name for unit in units}
    return {unit.id: " / ".join(names.get(int(part), "?") for part in unit.path.strip("/").split("/") if part)
            for unit in units}


def unit_columns(session: Session, levels: list[str]) -> dict[int, tuple[str, ...]]:
    """Unit id -> the names of the unit and its ancestors, one per level of ``levels`` ("" where a branch of the
    tree has no unit at that level)."""
    units = session.execute(select(Unit.id, Unit.name, Unit.level, Unit.path)).all()
    found = {unit.id: unit for unit in units}
    at = {level: i for i, level in enumerate(levels)}
    columns = {}
    for unit in units:
        cells = [""] * len(levels)
        for part in unit.path.strip("/").split("/"):
            ancestor = found.get(int(part)) if part else None
            if ancestor is not None and ancestor.level in at:
                cells[at[ancestor.level]] = ancestor.name
        columns[unit.id] = tuple(cells)
    return columns


def _moment(value: datetime | None) -> datetime | None:
    """A stored moment (UTC) in Vietnam's time, without its zone: a spreadsheet has none."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(CONTEST_TIME_ZONE).replace(tzinfo=None)


def _duration(ms: int | None) -> timedelta | None:
    return None if ms is None else timedelta(milliseconds=ms)


def ranking_rows(session: Session, round_: Round, questions, *, version: int | None,
                 scope: Unit | None = None) -> Iterator[tuple]:
    """The final ranking: a published version's rows, their units as the tree stood at its publication (the paths
    its rows keep), or (``version`` None, nothing published) the draft, with today's tree."""
    result_id = session.scalar(select(_result_id(round_.id, version))) if version is not None else None
    levels = (PublishedUnits.read(session, result_id).levels if result_id is not None else None) \
        or tree_levels(session)
    paths = unit_columns(session, levels)
    blank = ("",) * len(levels)
    yield with_levels(RANKING_HEADER, levels)
    if version is not None:
        rows = ((row, name, paths.get(row.unit_id, blank) if row.unit_path is None
                 else stored_columns(row.unit_path, levels))
                for row, name in _published_rows(session, _result_id(round_.id, version), scope))
    else:
        final = keep_within(session, scope, compute_final(session, round_, questions).rows)
        names = {}
        ids = [row.user_id for row in final]
        for start in range(0, len(ids), 1000):
            names.update(session.execute(select(User.id, User.full_name)
                                         .where(User.id.in_(ids[start:start + 1000]))).all())
        rows = ((row, names.get(row.user_id, ""), paths.get(row.unit_id, blank)) for row in final)
    for row, name, cells in rows:
        yield (row.rank, row.user_id, name, *cells, row.score, row.max_score, row.prediction,
               row.prediction_error, _duration(row.duration_ms), _moment(row.finished_at), row.attempts)


def stored_columns(path: list, levels: list[str]) -> tuple[str, ...]:
    """A stored unit path (``[[id, code, name, level], ...]``) as one name per level of ``levels``."""
    at = {level: i for i, level in enumerate(levels)}
    cells = [""] * len(levels)
    for _id, _code, name, level in path:
        if level in at:
            cells[at[level]] = name
    return tuple(cells)


def ranking_count(session: Session, round_: Round, *, version: int | None, scope: Unit | None = None) -> int:
    if version is not None:
        return session.scalar(select(func.count()).select_from(PublishedRow)
                              .where(PublishedRow.result_id == _result_id(round_.id, version),
                                     entrant_filter(PublishedRow.unit_id, scope)))
    # compute_final's entrants: whoever has a scored, finalised attempt and is not disqualified.
    return session.scalar(select(func.count(distinct(Attempt.user_id)))
                          .where(Attempt.round_id == round_.id, Attempt.status != Status.IN_PROGRESS,
                                 Attempt.score.is_not(None), entrants_attempts(scope),
                                 not_disqualified(round_.contest_id)))


def _result_id(round_id: int, version: int):
    return (select(PublishedResult.id)
            .where(PublishedResult.round_id == round_id, PublishedResult.version == version).scalar_subquery())


def _published_rows(session: Session, result_id, scope: Unit | None) -> Iterator[tuple]:
    """``(row, full name)`` by rank, a page at a time; columns, not ORM objects, which a commit would expire."""
    columns = (PublishedRow.rank, PublishedRow.user_id, PublishedRow.unit_id, PublishedRow.unit_path,
               PublishedRow.score, PublishedRow.max_score, PublishedRow.prediction, PublishedRow.prediction_error,
               PublishedRow.duration_ms, PublishedRow.finished_at, PublishedRow.attempts)
    last = 0
    while page := session.execute(select(*columns, User.full_name).join(User, User.id == PublishedRow.user_id)
                                  .where(PublishedRow.result_id == result_id, PublishedRow.rank > last,
                                         entrant_filter(PublishedRow.unit_id, scope))
                                  .order_by(PublishedRow.rank).limit(BATCH)).all():
        for row in page:
            yield row, row.full_name
        last = page[-1].rank


def contact_rows(session: Session, round_: Round, questions, *, version: int | None,
                 places: int | None = None) -> Iterator[tuple]:
    """``ranking_rows`` with each entrant's contact columns added (``CONTACT_COLUMNS``), read a page at a time;
    ``places``: ranks 1..places only."""
    rows = ranking_rows(session, round_, questions, version=version)
    yield next(rows) + CONTACT_COLUMNS
    page: list[tuple] = []
    for row in rows:
        if places is not None and row[0] > places:
            break
        page.append(row)
        if len(page) == BATCH:
            yield from _with_contacts(session, page)
            page = []
    yield from _with_contacts(session, page)


def _with_contacts(session: Session, page: list[tuple]) -> Iterator[tuple]:
    ids = [row[1] for row in page]
    contacts = {found.id: found for found in session.execute(
        select(User.id, User.phone, User.email, User.citizen_id, User.birth_date).where(User.id.in_(ids)))}
    for row in page:
        found = contacts.get(row[1])
        yield row + ((found.phone or "", found.email or "", found.citizen_id or "",
                      found.birth_date) if found else ("", "", "", None))


def unit_ranking_rows(session: Session, round_: Round, scope: Unit | None = None) -> Iterator[tuple]:
    """Every level's units ranked by entrants; with ``scope``, the rows of its subtree's units (ranked among all)."""
    yield UNITS_HEADER
    for level in tree_levels(session):
        rows = sorted(unit_rows(session, round_.id, level), key=lambda row: (-row["entrants"], row["code"]))
        ranked = keep_within(session, scope, list(enumerate(rows, start=1)), unit_of=lambda pair: pair[1]["unit_id"])
        for rank, row in ranked:
            yield (level, rank, row["code"], row["name"], row["entrants"], row["attempts"], row["members"],
                   row["participation"], row["average_score"], row["full_marks"])


def unit_ranking_count(session: Session, scope: Unit | None = None) -> int:
    """Every unit (of the subtree) once, at its own level."""
    return session.scalar(select(func.count()).select_from(Unit).where(subtree_filter(scope)))


def answer_rows(session: Session, round_: Round, questions, *, voided: Iterable[int] = (),
                secret: frozenset[int] = frozenset(), scope: Unit | None = None) -> Iterator[tuple]:
    """One row per question of every finalised attempt: what was chosen, the key, right or not (1/0). The key
    and right/wrong of the questions in ``secret`` (``key_guard.secret_ids``) are left empty."""
    voided = frozenset(voided)
    levels = tree_levels(session)
    paths = unit_columns(session, levels)
    yield with_levels(ANSWERS_HEADER, levels)
    stmt = (select(Attempt.id, Attempt.number, Attempt.status, Attempt.paper, Attempt.user_id, User.full_name,
                   User.unit_id)
            .join(User, User.id == Attempt.user_id)
            .where(Attempt.round_id == round_.id, Attempt.status != Status.IN_PROGRESS,
                   entrant_filter(User.unit_id, scope))
            .order_by(Attempt.user_id, Attempt.number).limit(ANSWER_PAGE))
    last = (0, 0)
    while batch := session.execute(stmt.where(tuple_(Attempt.user_id, Attempt.number) > last)).all():
        yield from _answer_batch(session, batch, questions, paths, voided, secret)
        last = (batch[-1].user_id, batch[-1].number)


def answer_count(session: Session, round_: Round, scope: Unit | None = None) -> int:
    """``answer_rows``' rows: an attempt's maximum score is the length of its paper (one point a question)."""
    return session.scalar(select(func.coalesce(func.sum(Attempt.max_score), 0))
                          .where(Attempt.round_id == round_.id, Attempt.status != Status.IN_PROGRESS,
                                 entrants_attempts(scope)))


def _answer_batch(session: Session, attempts: list, questions, paths: dict[int, tuple[str, ...]],
                  voided: frozenset[int], secret: frozenset[int]) -> Iterator[tuple]:
    ids = [a.id for a in attempts]
    found = session.execute(select(Answer.attempt_id, Answer.slot, Answer.choice)
                            .where(Answer.attempt_id.in_(ids)).order_by(Answer.attempt_id)).all()
    chosen = {attempt_id: {r.slot: r.choice for r in group} for attempt_id, group in groupby(found, lambda r: r[0])}
    revisions = questions.get_many(session, sorted({item["rev"] for a in attempts for item in a.paper}))
    blank = ("",) * len(next(iter(paths.values()), ()))
    for a in attempts:
        given = chosen.get(a.id, {})
        for slot, item in enumerate(a.paper):
            keys = sorted(given.get(slot, ()))
            correct = sorted(revisions[item["rev"]].correct)
            hidden = item["q"] in secret
            yield (a.user_id, a.full_name, *paths.get(a.unit_id, blank), a.number, a.id,
                   str(STATUS_LABELS.get(a.status, a.status)), slot + 1,
                   item["q"], item["rev"], ",".join(keys), None if hidden else ",".join(correct),
                   None if hidden else int(keys == correct), int(item["q"] in voided))


def _cell(value):
    return escape_cell(value) if isinstance(value, str) else value


def _csv_value(value, lang: str):
    """A value as CSV text: moments day first in Vietnamese (ISO-like in English), durations m:ss.d, decimals in
    the language's way (4,25); text escaped."""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S" if lang == "vi" else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")
    if isinstance(value, timedelta):
        return duration_text(value)
    if isinstance(value, float):
        return format_decimal(value, format="0.####", locale=lang)
    return _cell(value)


def duration_text(value: timedelta) -> str:
    """4:05.3 (minutes:seconds.tenths), as the pages show durations."""
    tenths = int(value / timedelta(milliseconds=100))
    return f"{tenths // 600}:{tenths // 10 % 60:02d}.{tenths % 10}"


def write_csv(rows: Iterable[tuple], out: TextIO, lang: str = "vi") -> None:
    """``out``: a text file opened with ``encoding="utf-8-sig"`` (the byte-order mark lets Excel read Vietnamese
    correctly) and ``newline=""``. The first row holds column keys, written as their labels (``label``)."""
    writer = csv.writer(out)
    rows = iter(rows)
    writer.writerow([_cell(label(key)) for key in next(rows)])
    for row in rows:
        writer.writerow([_csv_value(value, lang) for value in row])


def write_xlsx(rows: Iterable[tuple], title: str, out) -> None:
    """A workbook of ``rows`` (the first holds the column keys: written as their labels, bold and frozen on every
    sheet, the columns sized by ``WIDTHS``) saved to ``out`` (a path or a binary file); a new sheet, ``title 2``
    and so on, whenever one is full. Moments, dates, durations and the participation are typed cells with a
    number format."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    rows = iter(rows)
    keys = next(rows)
    header = [label(key) for key in keys]
    decimals = {i for i, key in enumerate(keys) if key in ("average_score", "prediction_error")}
    percents = {i for i, key in enumerate(keys) if key == "participation"}

    def new_sheet(number: int):
        sheet = workbook.create_sheet(title=title[:31] if number == 1 else f"{title[:24]} {number}")
        sheet.freeze_panes = "A2"
        for i, key in enumerate(keys):
            width = WIDTHS.get(key, UNIT_WIDTH if key not in LABELS else 0)
            sheet.column_dimensions[get_column_letter(i + 1)].width = max(width, len(header[i]) + 3, 8)
        cells = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=xlsx_safe(_cell(value)))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        return sheet

    def typed(sheet, i: int, value):
        if isinstance(value, datetime):
            fmt = DATETIME_FORMAT
        elif isinstance(value, date):
            fmt = DATE_FORMAT
        elif isinstance(value, timedelta):
            fmt = DURATION_FORMAT
        elif value is not None and i in percents:
            fmt = PERCENT_FORMAT
        elif value is not None and i in decimals:
            fmt = DECIMAL_FORMAT
        else:
            return xlsx_safe(_cell(value))
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = fmt
        return cell

    sheets = 1
    sheet, used = new_sheet(sheets), 1
    try:
        for row in rows:
            if used == SHEET_ROWS:
                sheets += 1
                sheet, used = new_sheet(sheets), 1
            sheet.append([typed(sheet, i, value) for i, value in enumerate(row)])
            used += 1
    except BaseException:
        # openpyxl keeps each sheet in a temporary file until the workbook is saved (or the process exits):
        # a failed export must not leave gigabytes of them behind.
        for written in workbook.worksheets:
            written.close()
            written._writer.cleanup()
        raise
    workbook.save(out)
