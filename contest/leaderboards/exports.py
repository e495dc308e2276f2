"""Organiser exports of a round, as CSV or XLSX: the final ranking, the unit rankings at every level, and each
entrant's correctness per question (for appeals).

Every text cell goes through ``escape_cell`` (a leading ``= + - @`` would run as a formula in a spreadsheet).
Large exports stream: rows come from the database in batches (``yield_per``) and

* CSV is sent as it is written (a generator; chunked transfer): the browser's download shows the bytes received
  so far, without a total, and the first bytes arrive at once;
* XLSX is written by openpyxl in write-only mode (rows go straight to a temporary file, not into memory) and then
  sent with its ``Content-Length``: the browser's download shows a percentage and the time left.

These are organiser exports: full names (whatever the public style) and unit paths, never phone, citizen ID or
birth date.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.models import Answer, Attempt, Status
from contest.i18n import CONTEST_TIME_ZONE
from contest.leaderboards.final import compute_final
from contest.leaderboards.models import PublishedResult, PublishedRow
from contest.leaderboards.unit_rankings import _levels, unit_rows
from contest.rounds.models import Round
from contest.units.models import Unit
from question_bank.formats.model import escape_cell

BATCH = 2000
RANKING_HEADER = ("rank", "entrant_id", "name", "unit_path", "score", "max_score", "prediction", "prediction_error",
                  "duration_ms", "submitted_at", "attempts")
UNITS_HEADER = ("level", "rank", "code", "unit", "entrants", "attempts", "members", "participation",
                "average_score", "full_marks")
ANSWERS_HEADER = ("entrant_id", "name", "unit_path", "attempt", "attempt_id", "status", "question_no",
                  "question_id", "revision_id", "chosen", "correct_answer", "right", "voided")


def unit_paths(session: Session) -> dict[int, str]:
    """Unit id -> 'Province / District / School'."""
    units = session.execute(select(Unit.id, Unit.name, Unit.path)).all()
    names = {unit.id: unit.name for unit in units}
    return {unit.id: " / ".join(names.get(int(part), "?") for part in unit.path.strip("/").split("/") if part)
            for unit in units}


def _local(moment: datetime | None) -> str:
    return moment.astimezone(CONTEST_TIME_ZONE).isoformat(timespec="milliseconds") if moment else ""


def ranking_rows(session: Session, round_: Round, questions, *, version: int | None) -> Iterator[tuple]:
    """The final ranking: a published version's rows, or (``version`` None, nothing published) the draft."""
    paths = unit_paths(session)
    yield RANKING_HEADER
    if version is not None:
        result = session.scalar(select(PublishedResult).where(PublishedResult.round_id == round_.id,
                                                              PublishedResult.version == version))
        stmt = (select(PublishedRow, User.full_name).join(User, User.id == PublishedRow.user_id)
                .where(PublishedRow.result_id == result.id).order_by(PublishedRow.rank)
                .execution_options(yield_per=BATCH))
        rows = ((row, name) for row, name in session.execute(stmt))
    else:
        final = compute_final(session, round_, questions)
        names = {}
        ids = [row.user_id for row in final.rows]
        for start in range(0, len(ids), 1000):
            names.update(session.execute(select(User.id, User.full_name)
                                         .where(User.id.in_(ids[start:start + 1000]))).all())
        rows = ((row, names.get(row.user_id, "")) for row in final.rows)
    for row, name in rows:
        yield (row.rank, row.user_id, name, paths.get(row.unit_id, ""), row.score, row.max_score, row.prediction,
               row.prediction_error, row.duration_ms, _local(row.finished_at), row.attempts)


def unit_ranking_rows(session: Session, round_: Round) -> Iterator[tuple]:
    yield UNITS_HEADER
    for level in _levels(session):
        rows = sorted(unit_rows(session, round_.id, level), key=lambda row: (-row["entrants"], row["code"]))
        for rank, row in enumerate(rows, start=1):
            yield (level, rank, row["code"], row["name"], row["entrants"], row["attempts"], row["members"],
                   row["participation"], row["average_score"], row["full_marks"])


def answer_rows(session: Session, round_: Round, questions, *, voided: Iterable[int] = ()) -> Iterator[tuple]:
    """One row per question of every finalised attempt: what was chosen, the key, right or not (1/0)."""
    voided = frozenset(voided)
    paths = unit_paths(session)
    yield ANSWERS_HEADER
    stmt = (select(Attempt.id, Attempt.number, Attempt.status, Attempt.paper, User.id.label("user_id"),
                   User.full_name, User.unit_id)
            .join(User, User.id == Attempt.user_id)
            .where(Attempt.round_id == round_.id, Attempt.status != Status.IN_PROGRESS)
            .order_by(User.id, Attempt.number).execution_options(yield_per=BATCH))
    batch: list = []
    for row in session.execute(stmt):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from _answer_batch(session, batch, questions, paths, voided)
            batch = []
    if batch:
        yield from _answer_batch(session, batch, questions, paths, voided)


def _answer_batch(session: Session, attempts: list, questions, paths: dict, voided: frozenset[int]) -> Iterator[tuple]:
    ids = [a.id for a in attempts]
    found = session.execute(select(Answer.attempt_id, Answer.slot, Answer.choice)
                            .where(Answer.attempt_id.in_(ids)).order_by(Answer.attempt_id)).all()
    chosen = {attempt_id: {r.slot: r.choice for r in group} for attempt_id, group in groupby(found, lambda r: r[0])}
    revisions = questions.get_many(session, sorted({item["rev"] for a in attempts for item in a.paper}))
    for a in attempts:
        given = chosen.get(a.id, {})
        for slot, item in enumerate(a.paper):
            keys = sorted(given.get(slot, ()))
            correct = sorted(revisions[item["rev"]].correct)
            yield (a.user_id, a.full_name, paths.get(a.unit_id, ""), a.number, a.id, str(a.status), slot + 1,
                   item["q"], item["rev"], ",".join(keys), ",".join(correct), int(keys == correct),
                   int(item["q"] in voided))


def _cell(value):
    return escape_cell(value) if isinstance(value, str) else value


def csv_stream(rows: Iterable[tuple]) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (Excel then reads Vietnamese correctly), in chunks of ``BATCH`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    for n, row in enumerate(rows, start=1):
        writer.writerow([_cell(value) for value in row])
        if n % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_file(rows: Iterable[tuple], title: str) -> tempfile.SpooledTemporaryFile:
    """A workbook of ``rows`` (the first is the header, bold and frozen), rewound, in a temporary file."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for n, row in enumerate(rows):
        if n == 0:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=_cell(value))
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append([_cell(value) for value in row])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(out)
    out.seek(0)
    return out
