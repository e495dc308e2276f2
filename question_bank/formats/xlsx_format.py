"""Excel workbooks (.xlsx): the first sheet, a header row (possibly below title rows), one question a row."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from contest.xlsx_text import xlsx_safe
from question_bank.formats.limits import NO_LIMITS, TableLimits
from question_bank.formats.model import BankQuestion, ReadResult
from question_bank.formats.table_rows import ALIASES, REQUIRED, header_and_rows, raw_questions
from question_bank.formats.tabular import read_table

SHEET_TITLE = "CauHoi"


def read(data: bytes, limits: TableLimits = NO_LIMITS) -> ReadResult:
    """Formula cells come back as their formula text (the workbook is read without evaluating anything)."""
    return ReadResult(questions=raw_questions(read_table(data, "xlsx", ALIASES, REQUIRED, limits)))


def write(questions: list[BankQuestion]) -> bytes:
    header, rows = header_and_rows(questions)
    return workbook_bytes(SHEET_TITLE, header, rows)


def workbook_bytes(title: str, header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook: ``header`` then ``rows`` (cells already escaped by the caller)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([xlsx_safe(value) for value in header])
    for row in rows:
        sheet.append([xlsx_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
