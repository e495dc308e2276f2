"""Validation and planning of an import, without a database."""

from __future__ import annotations

import pytest

from question_bank.formats import read_questions
from question_bank.formats.model import RawQuestion, ReadResult
from question_bank.import_plan import Defaults, check_question, content_key, plan_import
from question_bank.vocabulary import Difficulty, QuestionType
from tests.unit.question_bank.bank_samples import IN_THE_BANK, expected_messy_problems, messy_file


def problems_of(plan):
    return [(p.row, p.column, p.text()) for p in plan.problems]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_messy_file_gives_exactly_the_expected_row_problems(fmt):
    existing = {content_key(*IN_THE_BANK): 7}
    plan = plan_import(read_questions(messy_file(fmt), fmt), existing, known_topics=["kỹ năng số"])
    assert problems_of(plan) == expected_messy_problems(7)
    assert not plan.ok
    # The valid rows are still understood correctly (what would be imported once the file is fixed).
    rows = {row: question for row, question in plan.questions}
    assert sorted(rows) == [4, 6, 14]
    assert rows[4].correct == ("B",) and rows[4].topic == "kỹ năng số"  # the known topic's spelling
    assert rows[6].text == "Những việc nào giúp giữ an toàn tài khoản?"  # NFC now
    assert rows[6].correct == ("A", "C") and rows[6].type is QuestionType.MULTIPLE
    assert rows[6].difficulty is Difficulty.COMPREHENSION
    assert rows[14].type is QuestionType.TRUE_FALSE and [o.text for o in rows[14].options] == ["Đúng", "Sai"]
    assert plan.new_topics == ["Chuyển đổi số"]


def raw(**fields) -> RawQuestion:
    base = {"row": 2, "text": "Câu hỏi?", "options": (("A", "x"), ("B", "y")), "correct": "A", "topic": "T",
            "difficulty": "NB"}
    return RawQuestion(**{**base, **fields})


@pytest.mark.parametrize(("answer", "keys"), [("b", ("B",)), ("A,B", ("A", "B")), ("b; a", ("A", "B")),
                                              ("AB", ("A", "B")), ("y", ("B",)), (" A ", ("A",))])
def test_answer_spellings(answer, keys):
    question, problems = check_question(raw(correct=answer))
    assert problems == [] and question.correct == keys


def test_several_problems_on_one_row_are_all_reported():
    _, problems = check_question(raw(text="", options=(("A", "x"),), correct="", difficulty="hard", topic=""))
    assert [(p.column, p.message) for p in problems] == [
        ("cau_hoi", "the question is empty"),
        ("dap_an_b", "fewer than %(min)d options (found %(count)d)"),
        ("dap_an_dung", "no correct answer given"),
        ("chu_de", "no topic (fill the column or choose a topic for the whole import)"),
        ("muc_do", "unknown difficulty %(value)s (use Nhận biết, Thông hiểu, Vận dụng, Vận dụng cao, "
                   "NB/TH/VD/VDC or 1-4)"),
    ]


def test_defaults_fill_empty_topic_and_difficulty_only():
    defaults = Defaults(topic="Chung", difficulty=Difficulty.APPLICATION)
    question, _ = check_question(raw(topic="", difficulty=""), defaults)
    assert (question.topic, question.difficulty) == ("Chung", Difficulty.APPLICATION)
    question, _ = check_question(raw(topic="Riêng", difficulty="4"), defaults)
    assert (question.topic, question.difficulty) == ("Riêng", Difficulty.HIGH_APPLICATION)


def test_stated_type_must_fit_the_answers():
    _, problems = check_question(raw(correct="A,B", type="Một đáp án"))
    assert [p.column for p in problems] == ["dap_an_dung"]
    question, _ = check_question(raw(correct="A", type="multiple"))
    assert question.type is QuestionType.MULTIPLE
    _, problems = check_question(raw(options=(("A", "x"), ("B", "y"), ("C", "z")), type="true_false"))
    assert [p.column for p in problems] == ["loai"]


def test_repeated_options_and_control_characters():
    _, problems = check_question(raw(options=(("A", "Hà Nội"), ("B", "hà  nội"))))
    assert [(p.column, p.text()) for p in problems] == [("dap_an_b", "option B repeats option A")]
    question, _ = check_question(raw(text="Câu\x0b hỏi\x00?"))
    assert question.text == "Câu hỏi?"


def test_duplicates_ignore_composition_case_spacing_final_punctuation_and_option_order():
    assert content_key("Thủ đô là gì?", ["Hà Nội", "Huế"]) == content_key(" THỦ  ĐÔ là gì ", ["huế", "hà nội"])
    assert content_key("Chọn đáp án đúng", ["1", "2"]) != content_key("Chọn đáp án đúng", ["3", "4"])


def test_skip_existing_skips_instead_of_refusing():
    existing = {content_key("Câu hỏi?", ["x", "y"]): 42}
    plan = plan_import(ReadResult([raw()]), existing, [], skip_existing=True)
    assert plan.ok and plan.questions == [] and plan.skipped == [(2, 42)]
