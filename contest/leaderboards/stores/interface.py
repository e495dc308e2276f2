"""The leaderboard store: one interface, an in-process implementation (``memory``) and a Redis one (``redis_store``).

A *family* is every board of one ranking: ``r12`` (round 12), ``c3`` (contest 3), and snapshots such as the frozen
``r12f`` (``families`` names them all). A family has one entry per entrant (an ``Encoded`` key, see ``encoding``,
and the ids of the units the entrant belongs to, the leaf and every ancestor) and one board for everyone plus one
board per unit.
The store knows nothing of scores or rounds: it keeps encoded keys in order, which is what makes the two
implementations provably the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from contest.leaderboards.keys.encoding import Encoded


@dataclass(frozen=True)
class Ranked:
    rank: int  # 1-based, within the board asked for
    entrant_id: int
    key: Encoded


@dataclass(frozen=True)
class Placement:
    entrant_id: int
    key: Encoded
    units: tuple[int, ...]  # the leaf unit and all its ancestors


class BoardStore(Protocol):
    def record(self, family: str, placement: Placement, *, replace: bool = False) -> bool:
        """Place an entrant. Keeps the better of the stored and the new key unless ``replace``; True if changed."""

    def remove(self, family: str, entrant_id: int) -> bool: ...

    def top(self, family: str, unit_id: int | None, offset: int, limit: int) -> list[Ranked]:
        """Ranks ``offset + 1`` … ``offset + limit`` of the board (``unit_id`` None: everyone)."""

    def rank(self, family: str, unit_id: int | None, entrant_id: int) -> Ranked | None: ...

    def around(self, family: str, unit_id: int | None, entrant_id: int, before: int, after: int) -> list[Ranked]:
        """The entrant and up to ``before`` entrants above and ``after`` below; empty if not on the board."""

    def count(self, family: str, unit_id: int | None) -> int: ...

    def load(self, family: str, placements: Iterable[Placement], *, kept: list[int] | None = None) -> int:
        """Bulk-add to a family after its ``clear``, one placement per entrant; returns how many placements.

        Records go on during a rebuild, so an entrant may already be placed when their placement arrives. Each
        chunk is merged at once: the better key stays, like ``record``; with ``kept``, the entry already there
        stays and the entrant is appended to ``kept``, for the caller to place again (``recording`` says which
        families need which). Either way the entrant has one entry and one member per board."""

    def clear(self, family: str) -> None:
        """Drop every board and entry of the family, and its ready mark."""

    def copy(self, family: str, target: str) -> None:
        """Replace ``target`` by a snapshot of ``family`` (a frozen board)."""

    def is_ready(self, family: str) -> bool: ...

    def mark_ready(self, family: str) -> None: ...

    def try_lock(self, family: str, seconds: int) -> bool:
        """Take the family's rebuild lock unless someone holds it."""

    def unlock(self, family: str) -> None: ...
