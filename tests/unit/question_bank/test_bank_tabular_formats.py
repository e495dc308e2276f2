"""XLSX and CSV: export -> import gives the same bank; formula-like cells are escaped and come back intact."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from question_bank.formats import csv_format, read_questions, write_questions, xlsx_format
from question_bank.formats.model import BankQuestion, Option
from question_bank.import_plan import plan_import
from question_bank.vocabulary import Difficulty, QuestionType
from tests.unit.question_bank.bank_samples import SAMPLE_BANK


def reimport(data: bytes, fmt: str) -> list[BankQuestion]:
    plan = plan_import(read_questions(data, fmt), existing={}, known_topics=[])
    assert plan.problems == []
    return [question for _, question in plan.questions]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_gives_the_same_bank(fmt):
    assert reimport(write_questions(SAMPLE_BANK, fmt), fmt) == SAMPLE_BANK


def test_csv_export_escapes_formula_like_cells():
    rows = list(csv.reader(io.StringIO(csv_format.write(SAMPLE_BANK).decode("utf-8-sig"))))
    header = rows[0]
    risky = dict(zip(header, rows[4], strict=True))
    assert risky["cau_hoi"].startswith("'=1+1")
    assert (risky["dap_an_a"], risky["dap_an_b"], risky["dap_an_c"], risky["dap_an_d"]) == (
        "'-5", "'+3", "'@home", "''=quoted")
    assert risky["giai_thich"] == "'=SUM(A1:A3) là công thức."
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_xlsx_export_holds_no_formulas():
    sheet = load_workbook(io.BytesIO(xlsx_format.write(SAMPLE_BANK))).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert [c.value for c in sheet[1]][:6] == ["cau_hoi", "dap_an_a", "dap_an_b", "dap_an_c", "dap_an_d", "dap_an_e"]


def test_formula_cells_in_a_workbook_are_read_as_their_text():
    book = Workbook()
    sheet = book.active
    sheet.append(["cau_hoi", "dap_an_a", "dap_an_b", "dap_an_dung", "chu_de", "muc_do"])
    sheet.append(["=1+1", "=SUM(A1:A2)", "2", "B", "Toán", "NB"])
    buffer = io.BytesIO()
    book.save(buffer)
    [question] = reimport(buffer.getvalue(), "xlsx")
    assert (question.text, question.options[0].text) == ("=1+1", "=SUM(A1:A2)")


def test_semicolon_csv_and_english_headers():
    data = "question;option_a;option_b;correct;topic;difficulty\nHai cộng hai?;3;4;b;Toán;Comprehension\n"
    [question] = reimport(data.encode(), "csv")
    assert question.correct == ("B",) and question.difficulty is Difficulty.COMPREHENSION


def test_a_comma_csv_full_of_semicolons_is_still_split_on_commas():
    data = ("cau_hoi,dap_an_a,dap_an_b,dap_an_dung,chu_de,muc_do\n"
            '"a;b;c;d;e;f;g;h;i;j;k;l;m",x;y;z;w,u;v;t;s,A,Toán,1\n')
    [question] = reimport(data.encode(), "csv")
    assert question.text == "a;b;c;d;e;f;g;h;i;j;k;l;m"


cell_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1,
                    max_size=30).map(lambda s: unicodedata.normalize("NFC", s).strip()).filter(bool)


@st.composite
def bank_questions(draw):
    count = draw(st.integers(2, 8))
    # Options the importer would call repeats (same text but for case, spacing and final punctuation: "0" and
    # "0?") are not a bank that can round-trip.
    texts = draw(st.lists(cell_text, min_size=count, max_size=count,
                          unique_by=lambda s: " ".join(s.casefold().split()).rstrip(" .?!:…")))
    correct = tuple(sorted(draw(st.sets(st.sampled_from("ABCDEFGH"[:count]), min_size=1, max_size=count))))
    kind = QuestionType.MULTIPLE if len(correct) > 1 else QuestionType.SINGLE
    return BankQuestion(draw(cell_text), tuple(Option(k, t) for k, t in zip("ABCDEFGH", texts, strict=False)),
                        correct, draw(cell_text), draw(st.sampled_from(list(Difficulty))), kind,
                        explanation=draw(st.one_of(st.just(""), cell_text)))


def distinct(questions):
    from question_bank.import_plan import question_key, topic_key

    seen, kept, spelled = set(), [], {}
    for question in questions:
        key = question_key(question)
        if key in seen:
            continue
        seen.add(key)
        # Topics differing only in case are one topic; the first spelling wins, as in an import.
        topic = spelled.setdefault(topic_key(question.topic), question.topic)
        kept.append(BankQuestion(**{**question.__dict__, "topic": topic}))
    return kept


@settings(max_examples=40, deadline=None)
@given(st.lists(bank_questions(), min_size=1, max_size=5).map(distinct), st.sampled_from(["csv", "xlsx"]))
def test_any_bank_round_trips(questions, fmt):
    assert reimport(write_questions(questions, fmt), fmt) == questions
