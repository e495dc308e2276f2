"""Detecting a .txt file's format is linear in its size: adversarial texts that made the old patterns
backtrack quadratically (a 40 KB file froze a process for 11 s) are detected in milliseconds, and the
answers stay what the patterns meant."""

from __future__ import annotations

import time

import pytest

from question_bank.formats import detect_format
from tests.unit.question_bank.test_bank_gift_aiken import AIKEN_SAMPLE, GIFT_SAMPLE

ADVERSARIAL = {
    "blank lines": lambda size: b"\n" * size,
    "spaces and line ends": lambda size: b" \n" * (size // 2),
    "one brace, many equals signs": lambda size: b"{" + b"=" * size,
    "one brace, many tildes and spaces": lambda size: b"{" + b"~ " * (size // 2),
    "many opening braces": lambda size: b"{ " * (size // 2),
    "ANSWER without a colon": lambda size: b"ANSWER " * (size // 7),
}


@pytest.mark.parametrize("size", [40_000, 400_000])
@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_text_is_detected_well_under_a_second(name, size):
    data = ADVERSARIAL[name](size)
    started = time.perf_counter()
    detect_format("bank.txt", data)
    assert time.perf_counter() - started < 0.25


def test_detection_keeps_its_meaning():
    assert detect_format("a.txt", b"\n" * 40_000 + b"  answer  : B\n") == "aiken"
    assert detect_format("a.txt", b"Q\nA. x\nB. y\nANSWER:A") == "aiken"
    assert detect_format("a.txt", b"Q {=a ~b}") == "gift"
    assert detect_format("a.txt", b"{" * 40_000 + b"Q { T }") == "gift"
    assert detect_format("a.txt", b"Q {false}") == "gift"
    assert detect_format("a.txt", b"{" + b"=" * 40_000) == "csv"  # an unclosed brace holds no answers
    assert detect_format("a.txt", b"Q {{=a}") == "gift"  # the inner group counts
    assert detect_format("a.txt", b"Q {no answers here}") == "csv"
    assert detect_format("a.txt", b"ANSWERS: many") == "csv"
    assert detect_format("a.txt", AIKEN_SAMPLE.encode()) == "aiken"
    assert detect_format("a.txt", GIFT_SAMPLE.encode()) == "gift"
