"""What every edge (HTTP views, Socket.IO handlers, forms) checks the same way: the shape of a JSON payload, a
whole number in a query string or a form, and a service's field errors shown on a form. Pure code, Flask's
``flash`` aside.

Payload checks return the typed values or raise ``BadPayload``; the caller answers ``bad_request``.
"""

from __future__ import annotations

from flask import flash

from contest.errors import DomainError

MAX_ID = 2**53  # what a JavaScript number holds exactly
MAX_DIGITS = 15  # a whole number typed in a URL or a form: below MAX_ID


class BadPayload(ValueError):
    """``field`` is missing or not valid."""

    def __init__(self, field: str):
        self.field = field
        super().__init__(field)


def whole(value, name: str, *, minimum: int = 0) -> int:
    """A JSON integer (not a boolean) from ``minimum`` to below ``MAX_ID``, else ``BadPayload(name)``."""
    if isinstance(value, bool) or not isinstance(value, int) or not (minimum <= value < MAX_ID):
        raise BadPayload(name)
    return value


def optional_whole(data: dict, name: str) -> int | None:
    value = data.get(name)
    return None if value is None else whole(value, name)


def too_large(data, limit: int) -> bool:
    """Whether ``data`` (decoded JSON) holds more than about ``limit`` characters; stops counting once it does,
    so a normal payload costs a few microseconds and a megabyte one no more than reaching the limit."""
    total, stack = 0, [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            total += len(item)
            stack.extend(item)
        else:
            total += 8
        if total > limit:
            return True
    return False


def whole_number(raw: str | None, *, low: int = 0, high: int | None = None) -> int | None:
    """A whole number typed in a query string or a form (ASCII digits, spaces around allowed) from ``low`` to
    ``high``; None when empty; ``ValueError`` for anything else, which each edge answers in its own way."""
    text = (raw or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
        raise ValueError(raw)
    value = int(text)
    if value < low or (high is not None and value > high):
        raise ValueError(raw)
    return value


def show_field_errors(form, error: DomainError) -> None:
    """A service's ``DomainError`` on a WTForms ``form``: each field's message under its field (flashed when the
    form has no such field), or the error's message flashed when it names no field."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            flash(str(message), "error")
    if not error.fields:
        flash(str(error.message), "error")
