"""Cleaning the names people give themselves, before they are stored and shown on public boards. Pure code.

The choice: control characters and bidirectional controls are refused with a message (a right-to-left
override would turn a name around on every board, and a control character breaks XLSX exports), while
zero-width and other invisible formatting characters are stripped (phone keyboards and copy-paste insert them
without the person knowing). The result is NFC, its white space collapsed, and it must keep something visible.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_LENGTH = 120

# Embeddings, overrides, isolates and the implicit marks: they reorder text around them.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters (category Lo/So) that draw nothing: a name of only these looks empty on a board.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


@dataclass(frozen=True)
class CleanName:
    """``text`` when the name is fine, else ``problem``: 'empty', 'too_long', 'control' or 'bidi'."""

    text: str
    problem: str | None = None


def clean_name(raw: str, max_length: int = MAX_LENGTH) -> CleanName:
    """``raw`` as it should be stored, or the reason it cannot be."""
    kept = []
    for char in unicodedata.normalize("NFC", raw or ""):
        if char in BIDI_CONTROLS:
            return CleanName("", "bidi")
        category = unicodedata.category(char)
        if (category == "Cc" and not char.isspace()) or category == "Cs":  # Cs: a lone surrogate from JSON
            return CleanName("", "control")
        if category == "Cf":
            continue  # zero-width space/joiners, BOM, soft hyphen...
        kept.append(char)
    text = " ".join("".join(kept).split())
    if not any(char.isalnum() and char not in BLANK_LETTERS for char in text):
        return CleanName("", "empty")
    if len(text) > max_length:
        return CleanName("", "too_long")
    return CleanName(text)
