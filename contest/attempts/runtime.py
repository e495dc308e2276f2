"""The collaborators of the attempt services, built once per app and reached through ``runtime()``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy.orm import Session

from contest.attempts.paper import PaperQuestion, Slot
from contest.attempts.state import AttemptCache

EXTENSION = "olympiad.attempts"


class AnswerWriter(Protocol):
    # True when ``store`` uses the app's database session, so it must run inside an app context.
    needs_app_context: bool

    def store(self, row) -> None: ...

    def has_pending(self, attempt_id: int) -> bool: ...

    def barrier(self) -> None: ...


class Bank(Protocol):
    def draw(self, session: Session, round_, rng, seen: frozenset[int]) -> tuple[Slot, ...]: ...


class QuestionSource(Protocol):
    def get_many(self, session: Session, revision_ids: Sequence[int]) -> dict[int, PaperQuestion]: ...


class Notifier(Protocol):
    def attempt_closed(self, user_id: int, payload: dict) -> None: ...

    def attempt_taken_over(self, attempt_id: int, device: str) -> None: ...

    def round_changed(self, round_id: int) -> None: ...  # every process forgets the round's cached attempts

    def round_paused(self, round_id: int) -> None: ...

    def round_resumed(self, round_id: int) -> None: ...

    def attempt_deadline(self, user_id: int, attempt_id: int, deadline_ms: int) -> None: ...


class Boards(Protocol):
    def attempt_finalised(self, session: Session, attempt) -> None: ...


class NoBoards:
    def attempt_finalised(self, session: Session, attempt) -> None:
        pass


@dataclass
class AttemptRuntime:
    writer: AnswerWriter
    bank: Bank
    questions: QuestionSource
    notifier: Notifier
    cache: AttemptCache = field(default_factory=AttemptCache)
    boards: Boards = field(default_factory=NoBoards)  # contest.leaderboards: places finalised attempts


def runtime() -> AttemptRuntime:
    return current_app.extensions[EXTENSION]


def install(app: Flask, rt: AttemptRuntime) -> None:
    app.extensions[EXTENSION] = rt
