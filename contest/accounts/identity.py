"""Normalising what people type as their phone, email and citizen ID. Pure code."""

from __future__ import annotations

import re

PHONE_DIGITS = re.compile(r"[\s.\-()]")
VN_MOBILE = re.compile(r"^0\d{9}$")
CITIZEN_ID = re.compile(r"^\d{12}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_phone(text: str) -> str | None:
    """'+84 912 345 678', '84912345678', '0912.345.678' -> '0912345678'; None when it is not a phone number."""
    digits = PHONE_DIGITS.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if VN_MOBILE.match(digits) else None


def normalise_email(text: str) -> str | None:
    email = text.strip().lower()
    return email if EMAIL.match(email) and len(email) <= 254 else None


def normalise_citizen_id(text: str) -> str | None:
    digits = re.sub(r"\s", "", text)
    return digits if CITIZEN_ID.match(digits) else None


def login_kind(login: str) -> tuple[str, str] | None:
    """('phone', '0912345678') or ('email', 'a@b.vn') for what a user typed in the login field."""
    if "@" in login:
        email = normalise_email(login)
        return ("email", email) if email else None
    phone = normalise_phone(login)
    return ("phone", phone) if phone else None
