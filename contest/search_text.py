"""Accent- and case-insensitive search keys for Vietnamese text: 'Chuyển đổi số' -> 'chuyen doi so'."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lowercase, without diacritics (đ -> d), whitespace collapsed. Store it beside the text and search it."""
    decomposed = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"\s+", " ", bare).strip()
