"""Reading spreadsheet-like files (CSV, XLSX) into numbered rows keyed by canonical column names.

Shared by every tabular import (question banks, unit trees). Cells come back as NFC-normalised, trimmed
strings; a cell that looks like a formula is kept as its text, never evaluated.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from contest.search_text import fold
from question_bank.formats.errors import TableError
from question_bank.formats.limits import (
    HEADER_ALLOWANCE,
    NO_LIMITS,
    RowCounter,
    TableLimits,
    check_archive,
    check_declared,
    check_size,
)
from question_bank.formats.model import N_

__all__ = ["Table", "TableError", "read_table"]

HEADER_SEARCH_ROWS = HEADER_ALLOWANCE


@dataclass(frozen=True)
class Table:
    header_row: int  # 1-based row number of the header in the file
    columns: tuple[str, ...]  # canonical names of the recognised columns, in file order
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (1-based row number, cells)
    unknown_columns: tuple[str, ...] = ()


def normalise_text(value: str) -> str:
    """NFC, trimmed, inner runs of whitespace kept as they are except line ends unified."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()


def header_key(label: str) -> str:
    """'Đáp án A' -> 'dap_an_a', 'Parent code' -> 'parent_code': accents, case and spacing do not matter."""
    return re.sub(r"[^a-z0-9]+", "_", fold(str(label))).strip("_")


def detect_format(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("csv", "txt"):
        return "csv"
    raise TableError(N_("unsupported file type: .%(suffix)s (use .csv or .xlsx)"), suffix=suffix or "?")


def read_table(data: bytes, fmt: str, aliases: dict[str, str], required: set[str],
               limits: TableLimits = NO_LIMITS) -> Table:
    """Read ``data`` (``fmt`` 'csv' or 'xlsx'), find the header row and map its labels through ``aliases``.

    ``aliases`` maps a ``header_key`` to a canonical column name (canonical names map to themselves).
    The header is the first of the first rows that names every ``required`` column, so a title row above
    it is skipped. Blank rows are dropped; row numbers are those a spreadsheet shows. ``limits`` are checked
    before and while the file is read (``TableError`` at the first one crossed).
    """
    check_size(len(data), limits)
    if fmt == "csv":
        raw_rows, (index, cells, names) = _read_csv_header(data, aliases, required, limits)
    else:
        raw_rows = _read_xlsx(data, limits)
        index, cells, names = _find_header(raw_rows, aliases, required)

    unknown = tuple(cell for cell, name in zip(cells, names, strict=True) if cell and not name)
    rows = []
    for offset, values in enumerate(raw_rows[index + 1 :], start=index + 2):
        record = {}
        for name, value in zip(names, values, strict=False):
            if name and name not in record:
                record[name] = value
        if any(record.values()):
            rows.append((offset, record))
    columns = tuple(dict.fromkeys(name for name in names if name))
    return Table(header_row=index + 1, columns=columns, rows=rows, unknown_columns=unknown)


def _find_header(raw_rows, aliases, required) -> tuple[int, list[str], list[str | None]]:
    for index, cells in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):
        names = [aliases.get(header_key(cell)) if cell else None for cell in cells]
        if required <= {name for name in names if name}:
            return index, cells, names
    raise TableError(N_("no header row naming the columns %(columns)s in the first %(count)d rows"),
                     columns=", ".join(sorted(required)), count=HEADER_SEARCH_ROWS)


def _read_csv_header(data: bytes, aliases, required, limits: TableLimits):
    """Rows and header of a CSV file. The delimiter is the one under which a header row appears: counting
    characters alone is fooled by a question text full of semicolons."""
    text = decode_text(data)
    sample = text[:4096]
    likely = ";" if sample.count(";") > sample.count(",") else ","
    error = None
    for delimiter in dict.fromkeys((likely, ",", ";", "\t")):
        rows = _read_csv(text, delimiter, limits)
        try:
            return rows, _find_header(rows, aliases, required)
        except TableError as exc:
            error = error or exc
    raise error


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes almost anything
        raise TableError(N_("the file is not UTF-8 text"))
    return text


def _read_csv(text: str, delimiter: str, limits: TableLimits) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    counter = RowCounter(limits)
    rows = []
    try:
        for row in reader:
            counter.count(reader.line_num, len(row))
            rows.append([normalise_text(cell) for cell in row])
        return rows
    except csv.Error as exc:
        raise TableError(N_("the CSV file cannot be read: %(reason)s"), reason=str(exc)) from exc


def _read_xlsx(data: bytes, limits: TableLimits) -> list[list[str]]:
    from openpyxl import load_workbook

    check_archive(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or non-xlsx file
        raise TableError(N_("the file is not a readable .xlsx workbook")) from exc
    try:
        sheet = workbook.worksheets[0]
        check_declared(sheet.max_row, sheet.max_column, limits)
        # Read what the sheet holds, not what it declares: openpyxl pads every row to the declared width and
        # stops at the declared last row, so a lying <dimension> would either inflate or silently cut the data.
        sheet.reset_dimensions()
        counter = RowCounter(limits)
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            counter.count(number, len(row))
            rows.append([_cell_text(value) for value in row])
        return rows
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return normalise_text(str(value))
