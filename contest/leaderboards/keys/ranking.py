"""Ranking keys: the tie-break order of DESIGN.md §2 as a sortable tuple. Pure code.

A result ranks by score (higher first), then the round's tie-breaks in its chosen order (prediction error,
duration, submission time: each smaller first), then the entrant's id, then the attempt's id, so the order is
total. The live ranking skips the prediction error (the true value is known only at the close); the final
ranking uses it. Every component of a key is a bounded non-negative integer where smaller is better, which is
what ``encoding`` packs into a Redis score and member.

Ranges (checked, ``ValueError`` outside them): score 0 … 65,535 points; duration 0 … 2^37 − 1 ms (1,590 days,
room for a contest's sum of durations); submission time as epoch milliseconds 0 … 2^44 − 1 (year 2527);
entrant ids 0 … 2^32 − 1. A prediction error of 2^48 − 2 or more counts as 2^48 − 2 (a rule of the ranking, so the
reference sort agrees), and no prediction at all ranks after every prediction.
Submission time is compared at millisecond resolution, like durations.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class TieBreak(enum.StrEnum):
    PREDICTION = "prediction"
    DURATION = "duration"
    SUBMITTED = "submitted"


DEFAULT_TIE_BREAKS: tuple[TieBreak, ...] = (TieBreak.PREDICTION, TieBreak.DURATION, TieBreak.SUBMITTED)


@dataclass(frozen=True)
class Field:
    name: str
    bits: int

    @property
    def limit(self) -> int:
        return (1 << self.bits) - 1


SCORE = Field("score", 16)
PREDICTION = Field("prediction", 48)
DURATION = Field("duration", 37)
SUBMITTED = Field("submitted", 44)
ENTRANT = Field("entrant", 32)
FIELD_OF = {TieBreak.PREDICTION: PREDICTION, TieBreak.DURATION: DURATION, TieBreak.SUBMITTED: SUBMITTED}


@dataclass(frozen=True)
class Result:
    """One attempt's result as the ranking sees it; ``finished_ms`` is the submission time in epoch ms."""

    entrant_id: int
    attempt_id: int
    score: int
    duration_ms: int
    finished_ms: int
    prediction_error: int | None = None

    def __post_init__(self) -> None:
        for value, field in ((self.score, SCORE), (self.duration_ms, DURATION), (self.finished_ms, SUBMITTED),
                             (self.entrant_id, ENTRANT)):
            if not 0 <= value <= field.limit:
                raise ValueError(f"{field.name} {value} is outside 0…{field.limit}")
        if self.prediction_error is not None and self.prediction_error < 0:
            raise ValueError("a prediction error is never negative")


def parse_tie_breaks(names: Iterable[str]) -> tuple[TieBreak, ...]:
    """A round's configured order (e.g. ``["duration", "submitted", "prediction"]``): each tie-break once;
    any left out follow in the default order."""
    order = tuple(TieBreak(name) for name in names)
    if len(set(order)) != len(order):
        raise ValueError("a tie-break appears twice")
    return order + tuple(tb for tb in DEFAULT_TIE_BREAKS if tb not in order)


@dataclass(frozen=True)
class Ranking:
    """The order of one board: the tie-breaks in order, and whether the prediction error takes part."""

    tie_breaks: tuple[TieBreak, ...] = DEFAULT_TIE_BREAKS
    final: bool = False

    @property
    def fields(self) -> tuple[Field, ...]:
        """The key's components before the entrant id, most significant first."""
        return (SCORE,) + tuple(FIELD_OF[tb] for tb in self.tie_breaks if self.final or tb != TieBreak.PREDICTION)

    def values(self, result: Result) -> tuple[int, ...]:
        """The components of ``fields`` for ``result``, each smaller-is-better."""
        return self.values_of(result.score, result.duration_ms, result.finished_ms, result.prediction_error)

    def values_of(self, score: int, duration_ms: int, finished_ms: int,
                  prediction_error: int | None = None) -> tuple[int, ...]:
        """``values`` from bare numbers: the rebuild's hot loop, with no ``Result`` per row."""
        if prediction_error is None:
            error = PREDICTION.limit
        else:
            error = min(prediction_error, PREDICTION.limit - 1)
        by_field = {"score": SCORE.limit - score, "duration": duration_ms, "submitted": finished_ms,
                    "prediction": error}
        return tuple(by_field[field.name] for field in self.fields)

    def key(self, result: Result) -> tuple[int, ...]:
        """The total order: the values, then the entrant id, then the attempt id."""
        return (*self.values(result), result.entrant_id, result.attempt_id)

    def best(self, results: Iterable[Result]) -> Result:
        """The result that represents an entrant: the first by ``key``."""
        return min(results, key=self.key)


LIVE = Ranking()
