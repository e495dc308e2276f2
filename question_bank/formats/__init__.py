"""Pure readers and writers between files and plain dataclasses (no Flask, no SQLAlchemy).

Every format module has ``read(data: bytes) -> ReadResult`` and ``write(questions) -> bytes``; readers
raise ``TableError`` when the file as a whole cannot be read. Messages are English msgids marked with ``N_``
(``RowProblem.message``, ``TableError.message``), translated where they are shown.
"""

from __future__ import annotations

import re

from question_bank.formats import aiken, csv_format, gift, xlsx_format
from question_bank.formats.model import N_, BankQuestion, ReadResult
from question_bank.formats.tabular import TableError

FORMATS = {"xlsx": xlsx_format, "csv": csv_format, "gift": gift, "aiken": aiken}
EXTENSIONS = {"xlsx": "xlsx", "csv": "csv", "gift": "gift.txt", "aiken": "aiken.txt"}
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "gift": "text/plain; charset=utf-8",
    "aiken": "text/plain; charset=utf-8",
}
_AIKEN_ANSWER = re.compile(rb"^\s*ANSWER\s*:", re.MULTILINE | re.IGNORECASE)
_GIFT_ANSWERS = re.compile(rb"\{[^{}]*[=~][^{}]*\}|\{\s*(?:T|F|TRUE|FALSE)\s*\}", re.IGNORECASE)


def detect_format(filename: str, data: bytes = b"") -> str:
    """The format a file is in, from its name and, for plain text files, its content."""
    name = filename.lower()
    for fmt, suffixes in (("xlsx", (".xlsx", ".xlsm")), ("csv", (".csv",)), ("gift", (".gift",)),
                          ("aiken", (".aiken",))):
        if name.endswith(suffixes) or name.endswith(tuple(s + ".txt" for s in suffixes)):
            return fmt
    if name.endswith(".txt"):
        if _AIKEN_ANSWER.search(data):
            return "aiken"
        if _GIFT_ANSWERS.search(data):
            return "gift"
        return "csv"
    raise TableError(N_("unsupported file type (use .xlsx, .csv, .gift or .txt in Aiken or GIFT)"))


def read_questions(data: bytes, fmt: str) -> ReadResult:
    return FORMATS[fmt].read(data)


def write_questions(questions: list[BankQuestion], fmt: str) -> bytes:
    return FORMATS[fmt].write(questions)
