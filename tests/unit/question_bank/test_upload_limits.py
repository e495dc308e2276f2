"""Upload limits, checked before and while a file is parsed: the file's size, the sheet's declared dimensions,
rows, columns and cells counted as they stream (so a lying dimension or a CSV cannot pass), and the unpacked
size of an xlsx (zip bombs). Each refusal is a ``TableError`` with a message that says what to do, and fast."""

from __future__ import annotations

import time

import pytest

from question_bank.formats import read_questions
from question_bank.formats.limits import TableLimits
from question_bank.formats.tabular import TableError
from tests.unit.question_bank.crafted_xlsx import HEADER, bank_xlsx, crafted_xlsx, question_rows, sheet_xml

BANK = TableLimits(max_bytes=10 * 1024 * 1024, max_rows=20_000, max_columns=50, max_cells=500_000,
                   max_unpacked_bytes=64 * 1024 * 1024)


def refused(data: bytes, fmt: str, limits: TableLimits = BANK) -> tuple[TableError, float]:
    started = time.perf_counter()
    with pytest.raises(TableError) as caught:
        read_questions(data, fmt, limits)
    return caught.value, time.perf_counter() - started


def csv_bank(count: int) -> bytes:
    return "\n".join(",".join(row) for row in [HEADER, *question_rows(count)]).encode()


def test_a_file_over_the_size_cap_is_refused_before_it_is_read():
    error, seconds = refused(b"x" * 2_000_000, "gift", TableLimits(max_bytes=1024 * 1024))
    assert str(error) == "the file is 1.9 MB, more than the 1.0 MB allowed"
    assert seconds < 0.1


def test_a_sheet_declaring_3000_by_16384_cells_is_refused_from_its_dimension():
    data = bank_xlsx(3, dimension="A1:XFD3000")
    assert len(data) < 10_000
    error, seconds = refused(data, "xlsx")
    assert "declares 16384 columns" in str(error)
    assert seconds < 0.5


def test_a_sheet_declaring_too_many_rows_or_cells_is_refused_from_its_dimension():
    assert "declares 1048576 rows" in str(refused(bank_xlsx(3, dimension="A1:F1048576"), "xlsx")[0])
    error, _seconds = refused(bank_xlsx(3, dimension="A1:AX15000"), "xlsx")  # 15,000 × 50: within rows and columns
    assert "more than the 500000 cells" in str(error)


def test_a_lying_dimension_does_not_let_a_million_rows_through():
    data = crafted_xlsx(sheet_xml([HEADER, *question_rows(30_000)], dimension="A1:F2"))
    error, seconds = refused(data, "xlsx")
    assert str(error) == "the file has more than 20000 rows; split it into smaller files"
    # The message proves the count stopped the read; the bound only catches a read gone quadratic (2-3 s on a quiet
    # machine, 8-26 s while other work loaded the two cores).
    assert seconds < 40


def test_a_lying_dimension_no_longer_cuts_the_data_short():
    read = read_questions(bank_xlsx(5, dimension="A1:B2"), "xlsx", BANK)
    assert [q.text for q in read.questions] == [f"Câu hỏi số {n}?" for n in range(1, 6)]


def test_one_far_row_counts_as_all_the_rows_before_it():
    sheet = sheet_xml([HEADER, *question_rows(1)]).replace(
        b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    assert "more than 20000 rows" in str(refused(crafted_xlsx(sheet), "xlsx")[0])


def test_one_far_cell_counts_as_a_row_too_wide():
    far = b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = sheet_xml([HEADER]).replace(b"</sheetData>", far + b"</sheetData>")
    assert str(refused(crafted_xlsx(sheet), "xlsx")[0]) == "a row has 16384 columns, more than the 50 allowed"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_too_many_rows_are_refused_and_the_limit_itself_is_allowed(fmt):
    make = bank_xlsx if fmt == "xlsx" else csv_bank
    assert len(read_questions(make(20_000), fmt, BANK).questions) == 20_000
    assert "more than 20000 rows" in str(refused(make(20_011), fmt)[0])


def test_too_many_cells_are_refused_while_streaming():
    limits = TableLimits(max_rows=20_000, max_columns=50, max_cells=1_000)
    assert str(refused(csv_bank(200), "csv", limits)[0]) == "the file has more than 1000 cells"


def test_a_csv_row_too_wide_is_refused():
    data = csv_bank(2) + b"\n" + b",".join([b"x"] * 60)
    assert "a row has 60 columns" in str(refused(data, "csv")[0])


def test_a_zip_bomb_is_refused_from_the_zip_directory():
    bomb = crafted_xlsx(sheet_xml([HEADER, *question_rows(2)]), extra={"xl/media/padding.bin": b"\0" * 80_000_000})
    assert len(bomb) < 200_000
    error, seconds = refused(bomb, "xlsx")
    assert "unpacks to 76.3 MB, more than the 64.0 MB allowed" in str(error)
    assert seconds < 0.5


def test_a_bomb_inside_the_sheet_itself_is_refused_too():
    sheet = sheet_xml([HEADER]).replace(b"</sheetData>", b"</sheetData>" + b" " * 70_000_000)
    assert "unpacks to" in str(refused(crafted_xlsx(sheet), "xlsx")[0])


def test_gift_and_aiken_count_their_questions():
    aiken = b"\n\n".join(b"Q%d?\nA. x\nB. y\nANSWER: A" % n for n in range(30))
    assert str(refused(aiken, "aiken", TableLimits(max_rows=20))[0]) == "the file has more than 20 questions"
    assert len(read_questions(aiken, "aiken", TableLimits(max_rows=30)).questions) == 30


def test_without_limits_nothing_is_refused():
    assert len(read_questions(csv_bank(20_011), "csv").questions) == 20_011
