"""Who watches which board in this process, and the ticker that pushes board snapshots to them.

Pushing per answer or per watcher would be O(answers × watchers). Instead one ticker per server process, once a
second, takes every board that has watchers *in this process*, builds its snapshot once (``board_snapshot``),
compares a fingerprint with the last one pushed, and only when it changed emits it once per room. A board's
watchers are spread over ``shards`` rooms, emitted at even intervals across most of the second, so a push to
5,000 connections never holds the event loop for more than one shard (answer acknowledgements go between).

Several processes behind a message queue: rooms live in each process's Socket.IO manager, and every process
runs its own ticker for its own watchers. The push goes out with ``ignore_queue=True`` (python-socketio's
``Server.emit``: "the event is emitted to the clients directly, without going through the queue"), i.e. to this
process's members of the room only. Through the queue, every process watching a board would make every other
process send its watchers the same snapshot again (N processes: N copies). Each watcher therefore gets exactly
one push per change, from the process it is connected to, and Redis carries no snapshot traffic at all.

This module knows nothing of Socket.IO: ``emit(room, snapshot)`` and ``pause()`` come in from ``realtime.board``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

log = logging.getLogger(__name__)
SHARDS = 32
INTERVAL_S = 1.0
SPREAD_SHARE = 0.8  # of each tick, over which the pushes are spaced (snapshots stay fresher than 2 s)


class BoardKey(NamedTuple):
    round_id: int
    unit_id: int | None

    def room(self, shard: int) -> str:
        return f"board:{self.round_id}:{self.unit_id or 0}:{shard}"


@dataclass
class BoardWatchers:
    """Connection id -> the board it watches (one at a time) and its shard room; thread-safe."""

    shards: int = SHARDS
    _of: dict[str, tuple[BoardKey, int]] = field(default_factory=dict)
    _members: dict[BoardKey, list[int]] = field(default_factory=dict)  # members per shard
    _next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def watch(self, sid: str, key: BoardKey) -> tuple[str, str | None]:
        """Register ``sid`` on ``key``; ``(room to join, room to leave or None)``."""
        with self._lock:
            left = self._drop(sid)
            shard = self._next = (self._next + 1) % self.shards
            self._of[sid] = (key, shard)
            self._members.setdefault(key, [0] * self.shards)[shard] += 1
            return key.room(shard), left

    def unwatch(self, sid: str) -> str | None:
        """Forget ``sid``; the room it should leave, if any."""
        with self._lock:
            return self._drop(sid)

    def boards(self) -> list[BoardKey]:
        with self._lock:
            return list(self._members)

    def rooms(self, key: BoardKey) -> list[str]:
        """The board's non-empty shard rooms."""
        with self._lock:
            counts = self._members.get(key, ())
            return [key.room(shard) for shard, n in enumerate(counts) if n]

    def count(self, key: BoardKey | None = None) -> int:
        with self._lock:
            if key is None:
                return len(self._of)
            return sum(self._members.get(key, ()))

    def clear(self) -> None:
        with self._lock:
            self._of.clear()
            self._members.clear()

    def _drop(self, sid: str) -> str | None:
        held = self._of.pop(sid, None)
        if held is None:
            return None
        key, shard = held
        counts = self._members[key]
        counts[shard] -= 1
        if not any(counts):
            del self._members[key]
        return key.room(shard)


@dataclass
class Snapshots:
    """The latest snapshot of each board and its fingerprint, kept ``max_age_s``: a crowd of new watchers is
    answered from here, not with one computation each."""

    max_age_s: float = INTERVAL_S
    _items: dict[BoardKey, tuple[float, dict, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: BoardKey, build: Callable[[], tuple[dict, str]], *, fresh: bool = False) -> tuple[dict, str]:
        with self._lock:
            held = self._items.get(key)
        if held is not None and not fresh and time.monotonic() - held[0] < self.max_age_s:
            return held[1], held[2]
        snapshot, version = build()
        with self._lock:
            self._items[key] = (time.monotonic(), snapshot, version)
        return snapshot, version

    def forget(self, keep: set[BoardKey]) -> None:
        with self._lock:
            for key in [k for k in self._items if k not in keep]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass
class BoardTicker:
    """One pass (``tick``) pushes every changed watched board of this process; ``run`` loops forever."""

    watchers: BoardWatchers
    snapshots: Snapshots
    build: Callable[[BoardKey], tuple[dict, str]]  # -> (snapshot, fingerprint); inside an app context
    emit: Callable[[str, dict], None]  # (room, snapshot): to this process's members of the room only
    pause: Callable[[float], None] = time.sleep  # yields to other connections between shard rooms
    pushed: dict[BoardKey, str] = field(default_factory=dict)

    def given(self, key: BoardKey, version: str) -> None:
        """A watcher got ``version`` of ``key`` in its watch acknowledgement. If the board has had no push yet, that
        is what its watchers hold, so the next tick pushes only a newer snapshot, not the same one again."""
        self.pushed.setdefault(key, version)

    def tick(self, spread_s: float = 0.0) -> int:
        """Push the boards whose snapshot changed since their last push; how many boards were pushed.

        The shard rooms' pushes are spaced evenly over ``spread_s``: sent in one burst, 5,000 frames held answer
        acknowledgements back by ~150 ms at p99 (bench/README.md); spread, each burst is one shard's worth.
        """
        boards = self.watchers.boards()
        due: list[tuple[BoardKey, dict, str]] = []
        for key in boards:
            try:
                snapshot, version = self.snapshots.get(key, lambda k=key: self.build(k), fresh=True)
            except Exception:
                log.exception("board %s: no snapshot this tick", key)
                continue
            if self.pushed.get(key) != version:
                due.append((key, snapshot, version))
        rooms = [(room, snapshot) for key, snapshot, _ in due for room in self.watchers.rooms(key)]
        gap = spread_s / len(rooms) if rooms else 0.0
        for room, snapshot in rooms:
            self.emit(room, snapshot)
            self.pause(gap)
        for key, _, version in due:
            self.pushed[key] = version
        watched = set(boards)
        for key in [k for k in self.pushed if k not in watched]:
            del self.pushed[key]
        self.snapshots.forget(watched)
        return len(due)

    def run(self, interval_s: float = INTERVAL_S) -> None:
        while True:
            started = time.monotonic()
            try:
                self.tick(spread_s=interval_s * SPREAD_SHARE)
            except Exception:
                log.exception("board ticker failed; trying again")
            self.pause(max(0.05, interval_s - (time.monotonic() - started)))
