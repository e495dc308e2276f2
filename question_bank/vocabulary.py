"""The bank's fixed vocabularies: difficulty levels and question types, and how files may spell them. Pure."""

from __future__ import annotations

import enum
import re
from functools import lru_cache

from contest.search_text import fold


class Difficulty(enum.StrEnum):
    """The four levels of Vietnamese assessment practice, stored by their usual abbreviations."""

    RECOGNITION = "NB"
    COMPREHENSION = "TH"
    APPLICATION = "VD"
    HIGH_APPLICATION = "VDC"

    @property
    def label(self) -> str:
        """The Vietnamese name, as written in files and spoken by organisers."""
        return _LABELS[self]

    @property
    def level(self) -> int:
        return list(Difficulty).index(self) + 1


_LABELS = {
    Difficulty.RECOGNITION: "Nhận biết",
    Difficulty.COMPREHENSION: "Thông hiểu",
    Difficulty.APPLICATION: "Vận dụng",
    Difficulty.HIGH_APPLICATION: "Vận dụng cao",
}


class QuestionType(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    QuestionType.SINGLE: "Một đáp án",
    QuestionType.MULTIPLE: "Nhiều đáp án",
    QuestionType.TRUE_FALSE: "Đúng/Sai",
}


@lru_cache(maxsize=1024)  # an import spells the same few difficulties thousands of times
def _spelling(text: str) -> str:
    """'Vận dụng cao' -> 'van_dung_cao': accents, case, spacing and punctuation do not matter."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


_DIFFICULTY_SPELLINGS = {
    **{_spelling(level.label): level for level in Difficulty},
    **{_spelling(level.value): level for level in Difficulty},
    **{str(level.level): level for level in Difficulty},
    "recognition": Difficulty.RECOGNITION, "knowledge": Difficulty.RECOGNITION,
    "comprehension": Difficulty.COMPREHENSION, "understanding": Difficulty.COMPREHENSION,
    "application": Difficulty.APPLICATION,
    "high_application": Difficulty.HIGH_APPLICATION, "advanced_application": Difficulty.HIGH_APPLICATION,
}

_TYPE_SPELLINGS = {
    **{_spelling(kind.label): kind for kind in QuestionType},
    **{_spelling(kind.value): kind for kind in QuestionType},
    "mot": QuestionType.SINGLE, "nhieu": QuestionType.MULTIPLE, "dung_sai": QuestionType.TRUE_FALSE,
    "true_false": QuestionType.TRUE_FALSE, "truefalse": QuestionType.TRUE_FALSE, "tf": QuestionType.TRUE_FALSE,
}


def parse_difficulty(text: str) -> Difficulty | None:
    """'Nhận biết', 'nhan biet', 'NB', '1', 'recognition' -> Difficulty.RECOGNITION; None when unknown."""
    return _DIFFICULTY_SPELLINGS.get(_spelling(text))


def parse_type(text: str) -> QuestionType | None:
    """'Nhiều đáp án', 'multiple' -> QuestionType.MULTIPLE; None when unknown."""
    return _TYPE_SPELLINGS.get(_spelling(text))


# The wordings a two-option question uses to be a true/false question (folded).
# Single letters are left out on purpose: "D" is far more often option D than "Đúng".
TRUE_WORDS = frozenset({"dung", "true"})
FALSE_WORDS = frozenset({"sai", "false"})
TRUE_TEXT = "Đúng"
FALSE_TEXT = "Sai"


def truth_of(text: str) -> bool | None:
    """True for 'Đúng'/'TRUE', False for 'Sai'/'FALSE', None otherwise."""
    word = fold(text).strip(" .")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None
