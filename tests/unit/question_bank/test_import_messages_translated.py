"""Import errors are English msgids (marked with ``N_``) that the Vietnamese catalog translates, placeholders
kept: the row problems of every reader and of the plan, and the whole-file ``TableError``. Pure (no app)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from question_bank.formats import aiken, detect_format, gift, read_questions
from question_bank.formats.tabular import TableError
from question_bank.import_plan import content_key, plan_import
from tests.unit.question_bank.bank_samples import IN_THE_BANK, messy_file

CATALOG = Path(__file__).resolve().parents[3] / "contest" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def vietnamese():
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="vi")
    return {m.id: m.string for m in catalog if m.id and m.string}


def translated(vietnamese, message: str, params: dict) -> str:
    assert message in vietnamese, f"not in the Vietnamese catalog: {message!r}"
    return vietnamese[message] % params


def test_every_row_problem_of_a_messy_file_is_translated(vietnamese):
    existing = {content_key(*IN_THE_BANK): 7}
    plan = plan_import(read_questions(messy_file("xlsx"), "xlsx"), existing, known_topics=[])
    texts = {problem.row: translated(vietnamese, problem.message, problem.params) for problem in plan.problems}
    assert len(texts) == len(plan.problems) == 7
    assert texts[7] == "trùng với câu hỏi ở dòng 6"
    assert texts[9] == "ít hơn 2 phương án (chỉ có 1)"
    assert texts[13] == "trùng với câu hỏi số 7 đã có trong ngân hàng"


def test_gift_and_aiken_problems_are_translated(vietnamese):
    gift_read = gift.read("Nói về ngày 2/9. {}\n\nNăm nào? {#1945}\n\nGhép đôi {=a -> b =c -> d}\n\n"
                          "Không ngoặc\n".encode())
    aiken_read = aiken.read("A. lạc chỗ\n\nCâu hỏi?\nA. Một\nB. Hai\n".encode())
    problems = [*gift_read.problems, *aiken_read.problems]
    assert len(problems) == 6
    texts = [translated(vietnamese, problem.message, problem.params) for problem in problems]
    assert "không hỗ trợ câu hỏi tự luận" in texts and "không có dòng ANSWER: sau các phương án" in texts


@pytest.mark.parametrize(("data", "name", "english", "vi"), [
    ("Tiêu đề;Ghi chú\nx;y\n".encode(), "a.csv",
     "no header row naming the columns cau_hoi, dap_an_dung in the first 10 rows",
     "không có dòng tên cột nào ghi các cột cau_hoi, dap_an_dung trong 10 dòng đầu"),
    (b"not a zip", "a.xlsx", "the file is not a readable .xlsx workbook", "tệp không phải là bảng tính .xlsx đọc được"),
    (b"", "a.pdf", "unsupported file type (use .xlsx, .csv, .gift or .txt in Aiken or GIFT)",
     "không hỗ trợ loại tệp này (dùng .xlsx, .csv, .gift hoặc .txt theo định dạng Aiken hay GIFT)"),
])
def test_whole_file_errors_keep_english_text_and_carry_a_msgid(vietnamese, data, name, english, vi):
    with pytest.raises(TableError) as caught:
        read_questions(data, detect_format(name, data))
    error = caught.value
    assert str(error) == english  # what the command line prints
    assert error.message % error.params == english
    assert translated(vietnamese, error.message, error.params) == vi


def test_the_shared_table_reader_reports_an_unknown_suffix_with_a_placeholder(vietnamese):
    from question_bank.formats.tabular import detect_format as table_format

    with pytest.raises(TableError) as caught:
        table_format("cay_don_vi.ods")
    assert str(caught.value) == "unsupported file type: .ods (use .csv or .xlsx)"
    assert caught.value.params == {"suffix": "ods"}
    assert translated(vietnamese, caught.value.message, caught.value.params) == (
        "không hỗ trợ loại tệp .ods (dùng .csv hoặc .xlsx)")
