"""The in-process leaderboard store of the embedded mode (one server process): sorted lists in a dict."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

from sortedcontainers import SortedList

from contest.leaderboards.keys.encoding import Encoded, entrant_of
from contest.leaderboards.stores.interface import Placement, Ranked


@dataclass
class _Family:
    entries: dict[int, Placement] = field(default_factory=dict)
    boards: dict[int | None, SortedList] = field(default_factory=dict)

    def board(self, unit_id: int | None) -> SortedList:
        return self.boards.setdefault(unit_id, SortedList())


class MemoryStore:
    """Boards as ``SortedList``s of ``(score, member)`` pairs: the order Redis gives its sorted sets."""

    def __init__(self, chunk: int = 5000) -> None:
        self.chunk = chunk  # placements a load merges at a time, holding the store: records go on between chunks
        self._families: dict[str, _Family] = {}
        self._ready: set[str] = set()
        self._locks: set[str] = set()
        self._mutex = threading.RLock()

    def record(self, family: str, placement: Placement, *, replace: bool = False) -> bool:
        with self._mutex:
            return self._merge(self._families.setdefault(family, _Family()), placement, replace)

    def remove(self, family: str, entrant_id: int) -> bool:
        with self._mutex:
            fam = self._families.get(family)
            old = fam.entries.pop(entrant_id, None) if fam else None
            if old is None:
                return False
            self._unplace(fam, old)
            return True

    def top(self, family: str, unit_id: int | None, offset: int, limit: int) -> list[Ranked]:
        with self._mutex:
            board = self._board(family, unit_id)
            return [Ranked(offset + n + 1, entrant_of(key[1]), Encoded(*key))
                    for n, key in enumerate(board[offset:offset + limit])]

    def rank(self, family: str, unit_id: int | None, entrant_id: int) -> Ranked | None:
        with self._mutex:
            found = self._position(family, unit_id, entrant_id)
            return None if found is None else Ranked(found[0] + 1, entrant_id, found[1])

    def around(self, family: str, unit_id: int | None, entrant_id: int, before: int, after: int) -> list[Ranked]:
        with self._mutex:
            found = self._position(family, unit_id, entrant_id)
            if found is None:
                return []
            start = max(0, found[0] - before)
            return self.top(family, unit_id, start, found[0] - start + after + 1)

    def count(self, family: str, unit_id: int | None) -> int:
        with self._mutex:
            return len(self._board(family, unit_id))

    def load(self, family: str, placements: Iterable[Placement], *, kept: list[int] | None = None) -> int:
        """Chunk by chunk, like Redis's: the placements are read (a rebuild's database cursor, which yields to
        other greenlets) without holding the store, and each chunk is merged at once."""
        n = 0
        items = iter(placements)
        while chunk := list(islice(items, self.chunk)):
            with self._mutex:
                fam = self._families.setdefault(family, _Family())
                by_board: dict[int | None, list] = {}
                for placement in chunk:
                    if placement.entrant_id not in fam.entries:
                        fam.entries[placement.entrant_id] = placement
                        for unit_id in (None, *placement.units):
                            by_board.setdefault(unit_id, []).append(tuple(placement.key))
                    elif kept is not None:
                        kept.append(placement.entrant_id)
                    else:
                        self._merge(fam, placement, replace=False)
                for unit_id, keys in by_board.items():
                    fam.board(unit_id).update(keys)
            n += len(chunk)
        return n

    def clear(self, family: str) -> None:
        with self._mutex:
            self._families.pop(family, None)
            self._ready.discard(family)

    def copy(self, family: str, target: str) -> None:
        with self._mutex:
            self.clear(target)
            source = self._families.get(family)
            if source is not None:
                self.load(target, list(source.entries.values()))

    def is_ready(self, family: str) -> bool:
        return family in self._ready

    def mark_ready(self, family: str) -> None:
        self._ready.add(family)

    def try_lock(self, family: str, seconds: int) -> bool:
        with self._mutex:
            if family in self._locks:
                return False
            self._locks.add(family)
            return True

    def unlock(self, family: str) -> None:
        with self._mutex:
            self._locks.discard(family)

    def _board(self, family: str, unit_id: int | None) -> SortedList:
        fam = self._families.get(family)
        return fam.boards.get(unit_id, SortedList()) if fam else SortedList()

    def _position(self, family: str, unit_id: int | None, entrant_id: int) -> tuple[int, Encoded] | None:
        fam = self._families.get(family)
        placement = fam.entries.get(entrant_id) if fam else None
        if placement is None or (unit_id is not None and unit_id not in placement.units):
            return None
        return self._board(family, unit_id).index(tuple(placement.key)), placement.key

    def _merge(self, fam: _Family, placement: Placement, replace: bool) -> bool:
        old = fam.entries.get(placement.entrant_id)
        if old is not None:
            if not replace and tuple(old.key) <= tuple(placement.key):
                return False
            self._unplace(fam, old)
        self._place(fam, placement)
        return True

    @staticmethod
    def _place(fam: _Family, placement: Placement) -> None:
        fam.entries[placement.entrant_id] = placement
        for unit_id in (None, *placement.units):
            fam.board(unit_id).add(tuple(placement.key))

    @staticmethod
    def _unplace(fam: _Family, placement: Placement) -> None:
        for unit_id in (None, *placement.units):
            fam.board(unit_id).remove(tuple(placement.key))

