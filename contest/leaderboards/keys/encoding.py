"""Exact ranking keys in a Redis sorted set, whose score is one IEEE double. Pure code.

A double holds every integer up to 2^53 exactly. The leading components of a ranking key (see ``ranking``) are
packed into one integer while their bit widths add up to at most 53; the remaining components and the entrant
id are written as fixed-width lowercase hex into the member. Redis orders a sorted set by score, then by member
bytes (memcmp), so the set's ascending order is the key's order:

* packing bounded fields ``(a, b)`` as ``a << bits(b) | b`` preserves lexicographic order of the tuples, and the
  result is below 2^53, so the double is exact and distinct keys give distinct scores;
* fixed-width hex strings of the same length compare like the numbers they spell.

The live order (score, duration, submission time) packs score (16 bits) and duration (37 bits) into exactly 53
bits, and the member is 11 hex digits of submission time + 8 of entrant id (19 characters). The final order
with the prediction error keeps the score alone in the double and the rest (41 characters) in the member.
Tests prove the order against a plain sort of the full records, ties of every size included.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import NamedTuple

from contest.leaderboards.keys.ranking import ENTRANT, SCORE, Field, Ranking, Result

DOUBLE_BITS = 53
ENTRANT_DIGITS = ENTRANT.bits // 4


class Encoded(NamedTuple):
    score: int  # < 2^53: exact as a double
    member: str  # fixed width for a given layout, ends with the entrant id


def _digits(field: Field) -> int:
    return -(-field.bits // 4)


@dataclass(frozen=True)
class Layout:
    fields: tuple[Field, ...]

    @cached_property
    def packed(self) -> int:
        """How many leading fields go into the score."""
        total = 0
        for n, field in enumerate(self.fields):
            total += field.bits
            if total > DOUBLE_BITS:
                return n
        return len(self.fields)

    def encode(self, values: tuple[int, ...], entrant_id: int) -> Encoded:
        split = self.packed
        score = 0
        for field, value in zip(self.fields, values, strict=True):
            if not 0 <= value <= field.limit:
                raise ValueError(f"{field.name} {value} is outside 0…{field.limit}")
        for field, value in zip(self.fields[:split], values[:split], strict=False):
            score = (score << field.bits) | value
        member = "".join(f"{value:0{_digits(field)}x}"
                         for field, value in zip(self.fields[split:], values[split:], strict=True))
        return Encoded(score, member + f"{entrant_id:0{ENTRANT_DIGITS}x}")

    def decode(self, encoded: Encoded) -> tuple[tuple[int, ...], int]:
        """``(values, entrant_id)`` back from an encoded key."""
        split = self.packed
        score, member = int(encoded.score), encoded.member
        head = []
        for field in reversed(self.fields[:split]):
            head.append(score & field.limit)
            score >>= field.bits
        tail, at = [], 0
        for field in self.fields[split:]:
            tail.append(int(member[at:at + _digits(field)], 16))
            at += _digits(field)
        return (*reversed(head), *tail), int(member[at:], 16)


@cache
def layout_for(ranking: Ranking) -> Layout:
    return Layout(ranking.fields)


def encode(ranking: Ranking, result: Result) -> Encoded:
    return layout_for(ranking).encode(ranking.values(result), result.entrant_id)


def entrant_of(member: str) -> int:
    return int(member[-ENTRANT_DIGITS:], 16)


def decode(ranking: Ranking, encoded: Encoded) -> dict[str, int]:
    """The shown fields of an encoded key: ``score``, ``duration_ms``, ``finished_ms`` (when the key has them)."""
    values, entrant_id = layout_for(ranking).decode(encoded)
    by_field = dict(zip((field.name for field in ranking.fields), values, strict=True))
    shown = {"entrant_id": entrant_id, "score": SCORE.limit - by_field["score"]}
    if "duration" in by_field:
        shown["duration_ms"] = by_field["duration"]
    if "submitted" in by_field:
        shown["finished_ms"] = by_field["submitted"]
    return shown
