"""Aiken (Moodle): a question line, lettered options 'A. …' or 'A) …', then 'ANSWER: B'; one block each.

Aiken carries no topic, difficulty or explanation: those come from the import's defaults. Line breaks inside
a text are written as spaces, since an Aiken question is one line. 'ANSWER: A, C' (several answers) is
read and written though strict Aiken readers accept one letter only.
"""

from __future__ import annotations

import re

from question_bank.formats.model import N_, BankQuestion, RawQuestion, ReadResult, RowProblem, correct_text
from question_bank.formats.tabular import decode_text, normalise_text

OPTION_LINE = re.compile(r"^([A-Ha-h])\s*[.)]\s+(.*)$")
ANSWER_LINE = re.compile(r"^(?:ANSWER|ĐÁP ÁN|DAP AN)\s*:\s*(.*)$", re.IGNORECASE)


def read(data: bytes) -> ReadResult:
    """Questions with their line numbers; a malformed block is a problem and reading goes on after it."""
    result = ReadResult()
    block: _Block | None = None
    for number, line in enumerate(normalise_text(decode_text(data)).split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        if block is None:
            block = _Block(number)
        answer = ANSWER_LINE.match(line)
        option = OPTION_LINE.match(line)
        if answer:
            result.questions.append(block.finish(answer.group(1)))
            block = None
        elif option and block.text_lines:
            block.options.append((option.group(1).upper(), option.group(2)))
        elif option:
            result.problems.append(RowProblem(number, "cau_hoi", N_("an option comes before the question text")))
            block = None
        elif block.options:
            # Text after the options that is not ANSWER: the block is broken; the next question starts here.
            result.problems.append(RowProblem(block.row, "dap_an_dung", N_("no ANSWER: line after the options")))
            block = _Block(number, [line])
        else:
            block.text_lines.append(line)
    if block is not None:
        result.problems.append(RowProblem(block.row, "dap_an_dung", N_("no ANSWER: line after the options")))
    return result


class _Block:
    def __init__(self, row: int, text_lines: list[str] | None = None):
        self.row = row
        self.text_lines = text_lines or []
        self.options: list[tuple[str, str]] = []

    def finish(self, answer: str) -> RawQuestion:
        return RawQuestion(row=self.row, text="\n".join(self.text_lines), options=tuple(self.options),
                           correct=answer)


def write(questions: list[BankQuestion]) -> bytes:
    blocks = []
    for question in questions:
        lines = [_one_line(question.text)]
        lines += [f"{option.key}. {_one_line(option.text)}" for option in question.options]
        lines.append(f"ANSWER: {correct_text(question)}")
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)
