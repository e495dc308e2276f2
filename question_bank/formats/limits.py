"""How much an uploaded file may hold, checked before and while it is parsed. Pure: no Flask.

An xlsx is a zip of XML: a 1.5 KB file can declare 3,000 × 16,384 cells, a 5 MB one hold a million rows, a
small zip unpack to gigabytes. So the archive's unpacked size is checked from its directory before anything is
inflated, the sheet's declared dimensions before a row is read, and rows, columns and cells are counted again as
they stream, so a dimension that lies (or a CSV, which declares nothing) stops at the same limits.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from question_bank.formats.errors import TableError
from question_bank.formats.model import N_

# Title rows a header may sit below (``tabular.HEADER_SEARCH_ROWS``): they do not count against ``max_rows``.
HEADER_ALLOWANCE = 10


@dataclass(frozen=True)
class TableLimits:
    """``None``: no limit (the CLI and the demo seed, run by whoever runs the server)."""

    max_bytes: int | None = None
    max_rows: int | None = None  # rows of questions (or units); title and header rows come on top
    max_columns: int | None = None
    max_cells: int | None = None
    max_unpacked_bytes: int | None = None  # an xlsx's members inflated, all together


NO_LIMITS = TableLimits()


def check_size(size: int, limits: TableLimits) -> None:
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise TableError(N_("the file is %(size)s, more than the %(max)s allowed"),
                         size=megabytes(size), max=megabytes(limits.max_bytes))


def check_archive(data: bytes, limits: TableLimits) -> None:
    """Refuse an xlsx whose members would inflate past ``max_unpacked_bytes`` (a zip bomb), from the sizes the
    zip directory declares: Python's zip reader never inflates a member past its declared size."""
    if limits.max_unpacked_bytes is None:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise TableError(N_("the file is not a readable .xlsx workbook")) from exc
    if unpacked > limits.max_unpacked_bytes:
        raise TableError(N_("the workbook unpacks to %(size)s, more than the %(max)s allowed (is it a zip bomb?)"),
                         size=megabytes(unpacked), max=megabytes(limits.max_unpacked_bytes))


def check_declared(rows: int | None, columns: int | None, limits: TableLimits) -> None:
    """The sheet's declared size (its ``<dimension>``), before any row is read."""
    if rows is not None:
        _check_rows(rows, limits, declared=True)
    if columns is not None:
        _check_columns(columns, limits, declared=True)
    if rows is not None and columns is not None and limits.max_cells is not None and rows * columns > limits.max_cells:
        raise TableError(N_("the sheet declares %(rows)s rows × %(columns)s columns, more than the %(max)s cells "
                            "allowed; delete the empty rows and columns after the data, or save it as CSV"),
                         rows=rows, columns=columns, max=limits.max_cells)


class RowCounter:
    """Counts rows and cells as they stream and stops the read at the first limit crossed."""

    def __init__(self, limits: TableLimits):
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def count(self, row_number: int, width: int) -> None:
        """``row_number``: the row's 1-based number in the file (blank rows between count); ``width``: its cells."""
        self.rows = max(self.rows, row_number)
        self.cells += width
        _check_rows(self.rows, self.limits, declared=False)
        _check_columns(width, self.limits, declared=False)
        if self.limits.max_cells is not None and self.cells > self.limits.max_cells:
            raise TableError(N_("the file has more than %(max)s cells"), max=self.limits.max_cells)


def check_question_count(count: int, limits: TableLimits) -> None:
    """For formats without rows (GIFT, Aiken): the number of questions."""
    if limits.max_rows is not None and count > limits.max_rows:
        raise TableError(N_("the file has more than %(max)s questions"), max=limits.max_rows)


def _check_rows(rows: int, limits: TableLimits, *, declared: bool) -> None:
    if limits.max_rows is not None and rows > limits.max_rows + HEADER_ALLOWANCE:
        if declared:
            raise TableError(N_("the sheet declares %(rows)s rows, more than the %(max)s allowed; delete the empty "
                                "rows after the data, or split the file"), rows=rows, max=limits.max_rows)
        raise TableError(N_("the file has more than %(max)s rows; split it into smaller files"), max=limits.max_rows)


def _check_columns(columns: int, limits: TableLimits, *, declared: bool) -> None:
    if limits.max_columns is not None and columns > limits.max_columns:
        if declared:
            raise TableError(N_("the sheet declares %(columns)s columns, more than the %(max)s allowed; delete the "
                                "empty columns after the data, or save it as CSV"), columns=columns,
                             max=limits.max_columns)
        raise TableError(N_("a row has %(columns)s columns, more than the %(max)s allowed"), columns=columns,
                         max=limits.max_columns)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
