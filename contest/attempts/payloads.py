"""Checking the shape of an answer, before anything else looks at it. Pure code.

``answer_payload`` returns the typed values or raises ``BadPayload`` (``contest.web``, with the generic checks);
the caller answers ``bad_request``.
"""

from __future__ import annotations

from dataclasses import dataclass

from contest.web import BadPayload, whole

MAX_CHOICES = 8


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
