"""CSV: UTF-8 (with a byte-order mark so Excel opens Vietnamese text correctly), comma or semicolon separated."""

from __future__ import annotations

import csv
import io

from question_bank.formats.limits import NO_LIMITS, TableLimits
from question_bank.formats.model import BankQuestion, ReadResult
from question_bank.formats.table_rows import ALIASES, REQUIRED, header_and_rows, raw_questions
from question_bank.formats.tabular import read_table


def read(data: bytes, limits: TableLimits = NO_LIMITS) -> ReadResult:
    return ReadResult(questions=raw_questions(read_table(data, "csv", ALIASES, REQUIRED, limits)))


def write(questions: list[BankQuestion]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    header, rows = header_and_rows(questions)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
