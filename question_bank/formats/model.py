"""The plain values every format reads into and writes from. Pure: no Flask, no SQLAlchemy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from question_bank.vocabulary import Difficulty, QuestionType

OPTION_KEYS = ("A", "B", "C", "D", "E", "F", "G", "H")
MIN_OPTIONS = 2


def N_(message: str) -> str:
    """Marks a message for extraction (``pybabel extract -k N_``); it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Option:
    key: str  # "A".."H", stable across revisions so answers and statistics keep their meaning
    text: str
    image: str | None = None  # "<sha256>.<ext>" of a bank image (``question_bank.media``)


@dataclass(frozen=True)
class BankQuestion:
    """A valid question as the bank holds it, whatever file it came from or goes to."""

    text: str
    options: tuple[Option, ...]
    correct: tuple[str, ...]  # option keys, in key order
    topic: str
    difficulty: Difficulty
    type: QuestionType = QuestionType.SINGLE
    explanation: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    image: str | None = None  # the stem's picture, "<sha256>.<ext>"
    image_alt: str = ""


@dataclass(frozen=True)
class RawQuestion:
    """One question as a file spelled it, before validation. ``row`` is where it starts (row or line)."""

    row: int
    text: str
    options: tuple[tuple[str, str], ...]  # (key, text) in file order; texts may be empty
    correct: str  # as written: "B", "a, c", "Đúng"
    topic: str = ""
    difficulty: str = ""
    explanation: str = ""
    source: str = ""
    tags: str = ""
    type: str = ""
    # Pictures as the file names them (a file of the import's zip, or a bank image's "<sha256>.<ext>");
    # ``image_refs.attach_images`` turns them into bank image names before the plan checks them.
    image: str = ""
    image_alt: str = ""
    option_images: tuple[tuple[str, str], ...] = ()  # (key, name), only the options that have one


@dataclass(frozen=True)
class RowProblem:
    """Why one row (or line) cannot be imported. ``column`` names the field (the Vietnamese column name)."""

    row: int
    column: str
    message: str  # an English msgid marked with ``N_``; ``params`` fill its placeholders
    params: dict = field(default_factory=dict)

    def text(self) -> str:
        return self.message % self.params


@dataclass
class ReadResult:
    """What a reader found: questions to validate, and problems that stopped it reading some of them."""

    questions: list[RawQuestion] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


# Spreadsheet formula injection: a cell starting with one of these is run as a formula by Excel/Calc.
_FORMULA_LIKE = re.compile(r"^'*[=+\-@]")


def escape_cell(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula (and to already-escaped text,
    so that ``unescape_cell`` gives back exactly what was written)."""
    return "'" + text if _FORMULA_LIKE.match(text) else text


def unescape_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and _FORMULA_LIKE.match(text) else text


def join_tags(tags: tuple[str, ...]) -> str:
    return ", ".join(tags)


def split_tags(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tag.strip() for tag in re.split(r"[,;]", text) if tag.strip()))


def correct_text(question: BankQuestion) -> str:
    return ",".join(question.correct)
