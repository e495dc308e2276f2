"""Normalising what people type as their phone, email and citizen ID. Pure code.

Text is put in NFKC first, so full-width digits (what some phone keyboards type) become ASCII ones; any digit
still not ASCII after that (Arabic-Indic, Devanagari...) is refused: Python's ``int`` and ``\\d`` would take
them, and the same person could then register twice under numbers that look different.
"""

from __future__ import annotations

import re
import unicodedata

PHONE_DIGITS = re.compile(r"[\s.\-()]")
VN_MOBILE = re.compile(r"^0[0-9]{9}$", re.ASCII)
CITIZEN_ID = re.compile(r"^[0-9]{12}$", re.ASCII)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def has_foreign_digits(text: str) -> bool:
    """Whether ``text`` holds a digit that is not 0-9 even after NFKC (full-width digits are fine)."""
    return any(not ("0" <= char <= "9") and unicodedata.category(char) == "Nd" for char in _nfkc(text))


def normalise_phone(text: str) -> str | None:
    """'+84 912 345 678', '84912345678', '0912.345.678' -> '0912345678'; None when it is not a phone number."""
    digits = PHONE_DIGITS.sub("", _nfkc(text).strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if VN_MOBILE.match(digits) else None


def normalise_email(text: str) -> str | None:
    email = _nfkc(text).strip().lower()
    return email if EMAIL.match(email) and len(email) <= 254 else None


def normalise_citizen_id(text: str) -> str | None:
    digits = re.sub(r"\s", "", _nfkc(text))
    return digits if CITIZEN_ID.match(digits) else None


def login_kind(login: str) -> tuple[str, str] | None:
    """('phone', '0912345678') or ('email', 'a@b.vn') for what a user typed in the login field."""
    if "@" in login:
        email = normalise_email(login)
        return ("email", email) if email else None
    phone = normalise_phone(login)
    return ("phone", phone) if phone else None
