"""A control character stored in a name (an old row, a direct import) never fails an XLSX export."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from contest.leaderboards.exports.rows import write_xlsx
from contest.xlsx_text import xlsx_safe
from question_bank.formats.xlsx_format import workbook_bytes

NASTY = "Nguyễn\x00\x01\x08\x0b\x0c\x1b\x1f\ud800 An\t"


def test_text_loses_only_what_xml_cannot_hold():
    assert xlsx_safe(NASTY) == "Nguyễn An\t"
    assert xlsx_safe("=1+1 \u202e ok\n") == "=1+1 \u202e ok\n"
    assert xlsx_safe(42) == 42 and xlsx_safe(None) is None


def test_a_results_export_with_control_characters_in_names_is_written_and_reads_back():
    out = io.BytesIO()
    write_xlsx([("name\x07", "điểm"), (NASTY, 3), ("=HYPERLINK(\x01)", 1)], "Kết quả", out)
    rows = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert rows == [("name", "điểm"), ("Nguyễn An\t", 3), ("'=HYPERLINK()", 1)]


def test_a_bank_workbook_with_control_characters_is_written():
    data = workbook_bytes("CauHoi", ["text\x02"], [[NASTY]])
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows == [("text",), ("Nguyễn An\t",)]
