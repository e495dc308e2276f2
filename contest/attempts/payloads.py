"""Checking the shape of what clients send, before anything else looks at it. Pure code.

Each function returns the typed values or raises ``BadPayload``; the caller answers ``bad_request``.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ID = 2**53  # what a JavaScript number holds exactly
MAX_CHOICES = 8


class BadPayload(ValueError):
    """``field`` is missing or not valid."""

    def __init__(self, field: str):
        self.field = field
        super().__init__(field)


def whole(value, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not (minimum <= value < MAX_ID):
        raise BadPayload(name)
    return value


def optional_whole(data: dict, name: str) -> int | None:
    value = data.get(name)
    return None if value is None else whole(value, name)


@dataclass(frozen=True)
class AnswerPayload:
    attempt_id: int
    slot: int
    choice: tuple[str, ...]
    seq: int


def answer_payload(data: dict) -> AnswerPayload:
    choice = data.get("choice")
    if not isinstance(choice, list) or len(choice) > MAX_CHOICES:
        raise BadPayload("choice")
    if not all(isinstance(key, str) and len(key) <= 2 for key in choice):
        raise BadPayload("choice")
    return AnswerPayload(
        attempt_id=whole(data.get("attempt_id"), "attempt_id", minimum=1),
        slot=whole(data.get("slot"), "slot"),
        choice=tuple(choice),
        seq=whole(data.get("seq"), "seq"),
    )


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
