"""Pure readers and writers between files and plain dataclasses (no Flask, no SQLAlchemy).

Every format module has ``read(data: bytes) -> ReadResult`` and ``write(questions) -> bytes``; readers
raise ``TableError`` when the file as a whole cannot be read. Messages are English msgids marked with ``N_``
(``RowProblem.message``, ``TableError.message``), translated where they are shown.
"""

from __future__ import annotations

import re

from question_bank.formats import aiken, csv_format, gift, xlsx_format
from question_bank.formats.limits import NO_LIMITS, TableLimits, check_question_count, check_size
from question_bank.formats.model import N_, BankQuestion, ReadResult
from question_bank.formats.tabular import TableError

FORMATS = {"xlsx": xlsx_format, "csv": csv_format, "gift": gift, "aiken": aiken}
TEXT_ONLY = frozenset({"aiken"})  # formats with no way to name a picture: pictures are dropped, with a warning
EXTENSIONS = {"xlsx": "xlsx", "csv": "csv", "gift": "gift.txt", "aiken": "aiken.txt"}
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "gift": "text/plain; charset=utf-8",
    "aiken": "text/plain; charset=utf-8",
}
# Detection must stay linear in the file's size: it runs on whatever was uploaded. ``^\s*ANSWER`` with
# MULTILINE (its \s crossing line ends) and ``\{[^{}]*[=~][^{}]*\}`` backtracked quadratically on a 40 KB file
# of blank lines or of one brace and many '=' (11 s). Here every brace group is scanned once, and no
# pattern has two unbounded runs that can trade characters.
_BRACE_GROUP = re.compile(rb"\{([^{}]*)\}")
_GIFT_TRUE_FALSE = (b"T", b"F", b"TRUE", b"FALSE")


def detect_format(filename: str, data: bytes = b"") -> str:
    """The format a file is in, from its name and, for plain text files, its content."""
    name = filename.lower()
    for fmt, suffixes in (("xlsx", (".xlsx", ".xlsm")), ("csv", (".csv",)), ("gift", (".gift",)),
                          ("aiken", (".aiken",))):
        if name.endswith(suffixes) or name.endswith(tuple(s + ".txt" for s in suffixes)):
            return fmt
    if name.endswith(".txt"):
        if _has_aiken_answer(data):
            return "aiken"
        if _has_gift_answers(data):
            return "gift"
        return "csv"
    raise TableError(N_("unsupported file type (use .xlsx, .csv, .gift or .txt in Aiken or GIFT)"))


def _has_aiken_answer(data: bytes) -> bool:
    """A line reading ``ANSWER:`` (any case, spaces allowed around the word)."""
    for line in data.splitlines():
        stripped = line.lstrip()
        if stripped[:6].upper() == b"ANSWER" and stripped[6:].lstrip().startswith(b":"):
            return True
    return False


def _has_gift_answers(data: bytes) -> bool:
    """A brace group without nested braces holding ``=``/``~`` answers, or ``{T}``/``{FALSE}``."""
    for found in _BRACE_GROUP.finditer(data):
        body = found.group(1)
        if b"=" in body or b"~" in body or body.strip().upper() in _GIFT_TRUE_FALSE:
            return True
    return False


def read_questions(data: bytes, fmt: str, limits: TableLimits = NO_LIMITS) -> ReadResult:
    """Read ``data`` as ``fmt``; ``TableError`` when it cannot be read or crosses one of ``limits``."""
    if fmt in ("xlsx", "csv"):
        return FORMATS[fmt].read(data, limits)
    check_size(len(data), limits)
    read = FORMATS[fmt].read(data)
    check_question_count(len(read.questions) + len(read.problems), limits)
    return read


def write_questions(questions: list[BankQuestion], fmt: str) -> bytes:
    return FORMATS[fmt].write(questions)
