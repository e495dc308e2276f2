from __future__ import annotations

import pytest

from question_bank.vocabulary import Difficulty, QuestionType, parse_difficulty, parse_type, truth_of


@pytest.mark.parametrize("spelling", ["Nhận biết", "nhan biet", "NHẬN BIẾT", "NB", "nb", "1", "recognition"])
def test_recognition_spellings(spelling):
    assert parse_difficulty(spelling) is Difficulty.RECOGNITION


@pytest.mark.parametrize(("spelling", "level"), [
    ("Thông hiểu", Difficulty.COMPREHENSION), ("TH", Difficulty.COMPREHENSION), ("2", Difficulty.COMPREHENSION),
    ("Vận dụng", Difficulty.APPLICATION), ("vd", Difficulty.APPLICATION), ("3", Difficulty.APPLICATION),
    ("Vận dụng cao", Difficulty.HIGH_APPLICATION), ("VDC", Difficulty.HIGH_APPLICATION),
    ("4", Difficulty.HIGH_APPLICATION), ("van-dung  cao", Difficulty.HIGH_APPLICATION),
])
def test_difficulty_spellings(spelling, level):
    assert parse_difficulty(spelling) is level


@pytest.mark.parametrize("spelling", ["", "5", "khó", "Vận dụng rất cao"])
def test_unknown_difficulty(spelling):
    assert parse_difficulty(spelling) is None


def test_labels_and_levels():
    assert [d.label for d in Difficulty] == ["Nhận biết", "Thông hiểu", "Vận dụng", "Vận dụng cao"]
    assert [d.level for d in Difficulty] == [1, 2, 3, 4]


def test_types_and_truth_words():
    assert parse_type("Nhiều đáp án") is QuestionType.MULTIPLE
    assert parse_type("true_false") is QuestionType.TRUE_FALSE
    assert parse_type("Đúng/Sai") is QuestionType.TRUE_FALSE
    assert parse_type("essay") is None
    assert (truth_of("ĐÚNG"), truth_of("sai"), truth_of("TRUE"), truth_of("D")) == (True, False, True, None)
