"""``fold`` (the bank's search keys) gives exactly what its first, simple definition gave, on any text."""

from __future__ import annotations

import re
import sys
import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from contest.search_text import fold

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def reference(text: str) -> str:
    """``fold`` as first written: clear, and the slowest step of building search keys."""
    decomposed = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"\s+", " ", bare).strip()


def vietnamese_letters() -> list[str]:
    letters = ["đ", "Đ", *"bcdghklmnpqrstvx"]
    for vowel in VOWELS:
        for tone in TONES:
            letter = unicodedata.normalize("NFC", vowel + tone)
            letters += [letter, letter.upper()]
    return letters


LETTERS = vietnamese_letters()


def test_every_vietnamese_letter_in_every_form():
    assert len(set(LETTERS)) == 2 * 12 * 6 + 18
    for letter in LETTERS:
        for form in ("NFC", "NFD", "NFKC", "NFKD"):
            text = unicodedata.normalize(form, f" {letter}Xin chào {letter}\t")
            assert fold(text) == reference(text), (letter, form)
    assert fold("Chuyển  đổi\nSỐ ") == "chuyen doi so"


def test_every_character_below_u3000_and_a_sample_above():
    codes = [*range(0x3000), *range(0x3000, sys.maxunicode + 1, 97), 0xFA10, 0xAC00, 0x1D15E, 0x2F800]
    for code in codes:
        char = chr(code)
        for text in (char, f"Aσ{char}Σ ế{char}\u0301", f"{char}{char} Đ"):
            assert fold(text) == reference(text), hex(code)


def test_every_whitespace_character():
    spaces = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())
    text = f"{spaces}a{spaces}ă{spaces}"
    assert fold(text) == reference(text) == "a a"


VIETNAMESE_TEXT = st.text(alphabet=st.sampled_from([*LETTERS, *TONES[1:], " ", "\n", "\u00a0", "Σ", "“", "–", "\u0345",
                                                    "\uac00", "\u0e4a", ",", "1"]))


@given(st.text())
@example("ΌΣΟΣ ΣΑΣ")
def test_any_text(text):
    assert fold(text) == reference(text)


@given(VIETNAMESE_TEXT)
def test_any_vietnamese_looking_text(text):
    assert fold(text) == reference(text)
