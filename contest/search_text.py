"""Accent- and case-insensitive search keys for Vietnamese text: 'Chuyển đổi số' -> 'chuyen doi so'."""

from __future__ import annotations

import re
import unicodedata

# The combining marks of Vietnamese after NFD: grave, acute, tilde, hook above, dot below (tones), circumflex,
# breve, horn. Deleting them with str.replace is far cheaper than testing every character.
_VIETNAMESE_MARKS = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b")
_SCANNED_BELOW = 0x3000


def _other_marks() -> re.Pattern[str]:
    """Any combining mark below U+3000 that is not Vietnamese, or any character from U+3000 on (not scanned
    here, to keep the import cheap): text holding one is stripped character by character."""
    codes = [code for code in range(_SCANNED_BELOW)
             if unicodedata.combining(chr(code)) and chr(code) not in _VIETNAMESE_MARKS]
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    members = "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in runs)
    return re.compile(f"[{members}\\u{_SCANNED_BELOW:04x}-\\U0010ffff]")


_OTHER_MARKS = _other_marks()


def fold(text: str) -> str:
    """Lowercase, without diacritics (đ -> d), whitespace collapsed. Store it beside the text and search it.

    The same as: NFD, đ -> d, every combining character (``unicodedata.combining``) dropped, ``lower()``,
    runs of whitespace made one space and the ends trimmed.
    """
    bare = unicodedata.normalize("NFD", text)
    for mark in _VIETNAMESE_MARKS:
        bare = bare.replace(mark, "")
    if not bare.isascii() and _OTHER_MARKS.search(bare):
        bare = "".join(ch for ch in bare if not unicodedata.combining(ch))
    # str.split() and re's \s agree on what whitespace is; lower() runs on the whole string (Greek's final
    # sigma depends on its neighbours).
    return " ".join(bare.replace("đ", "d").replace("Đ", "D").lower().split())
