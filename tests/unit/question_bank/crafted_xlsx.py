"""Workbooks written byte by byte, as an attacker would: any ``<dimension>``, any number of rows, extra members.

A real workbook from openpyxl is the frame; only its sheet XML (and any ``extra`` member) is replaced, so the
file is otherwise what Excel and openpyxl expect.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ("cau_hoi", "dap_an_a", "dap_an_b", "dap_an_dung", "chu_de", "muc_do")


def question_rows(count: int, start: int = 1) -> Iterable[Sequence[str]]:
    """``count`` valid, distinct questions in the ``HEADER`` layout."""
    for number in range(start, start + count):
        yield (f"Câu hỏi số {number}?", f"Có {number}", f"Không {number}", "A", "Kỹ năng số", "NB")


def sheet_xml(rows: Iterable[Sequence[str]], dimension: str | None = None) -> bytes:
    parts = ['<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>")
    for number, row in enumerate(rows, start=1):
        cells = "".join(f'<c r="{get_column_letter(column)}{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
                        for column, value in enumerate(row, start=1) if value != "")
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode()


def crafted_xlsx(sheet: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    from openpyxl import Workbook

    frame = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["x"])
    workbook.save(frame)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(frame.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            target.writestr(member.filename, sheet if member.filename == SHEET else source.read(member))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def bank_xlsx(count: int, dimension: str | None = None) -> bytes:
    """A question-bank workbook of ``count`` questions under the header, declaring ``dimension`` if given."""
    return crafted_xlsx(sheet_xml([HEADER, *question_rows(count)], dimension))
