"""A round's item statistics as a spreadsheet: one row per question. Pure: plain values in, bytes out.

Text cells are escaped against formula injection as the bank export escapes them; numbers are written as
numbers (rounded to four places) and undefined values as empty cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from question_bank.formats.model import OPTION_KEYS, escape_cell
from question_bank.formats.xlsx_format import workbook_bytes
from question_bank.item_stats import ItemSummary

STATS_FORMATS = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
HEADER = ("question_id", "topic", "difficulty", "text", "n", "facility", "discrimination_ul", "point_biserial",
          *(f"share_{key.lower()}" for key in OPTION_KEYS), "share_no_answer", "image")
SHEET_TITLE = "ThongKe"
PLACES = 4


@dataclass(frozen=True)
class StatsRow:
    """A question's identity (its current revision) beside its statistics in the round."""

    question_id: int
    topic: str
    difficulty: str
    text: str
    stats: ItemSummary
    image: str = ""  # the stem's picture, "<sha256>.<ext>" (the file name a bank export gives it)


def table_rows(rows: Sequence[StatsRow]) -> list[list]:
    """The cells of each row, in ``HEADER`` order (None for an empty cell)."""
    table = []
    for row in rows:
        stats = row.stats
        shares = stats.option_shares
        table.append([
            row.question_id, escape_cell(row.topic), escape_cell(row.difficulty), escape_cell(row.text), stats.n,
            _number(stats.facility), _number(stats.discrimination), _number(stats.point_biserial),
            *(_number(shares.get(key)) for key in OPTION_KEYS), _number(stats.no_answer_share), row.image,
        ])
    return table


def write_stats(rows: Sequence[StatsRow], fmt: str) -> bytes:
    """The file's bytes; ``fmt`` is ``csv`` (UTF-8 with a byte-order mark, for Excel) or ``xlsx``."""
    table = table_rows(rows)
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        writer.writerows([["" if cell is None else cell for cell in line] for line in table])
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        return workbook_bytes(SHEET_TITLE, HEADER, table)
    raise ValueError(f"unknown statistics format {fmt}")


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, PLACES)
