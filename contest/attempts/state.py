"""What the answer path needs to know about an attempt, kept in memory so an answer costs no database read.

The deadline, owner and paper of an attempt never change, so a cached copy is always right about them;
``open`` turns false when this process finalises the attempt; ``device`` follows take-overs. An attempt finalised
by another process is caught when this one submits or sweeps it (finalising is a conditional update), and its
score was fixed then.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from contest.attempts.paper import Slot


@dataclass
class AttemptState:
    attempt_id: int
    user_id: int
    round_id: int
    deadline: datetime
    grace_s: int
    slots: tuple[Slot, ...]
    open: bool = True
    # The device the attempt belongs to (``devices``); changed in place when a device takes it over here. Another
    # process's take-over reaches this copy through the holder room (``realtime.notifier.holder_room``).
    device: str | None = None


@dataclass
class AttemptCache:
    maxsize: int = 200_000
    _items: OrderedDict[int, AttemptState] = field(default_factory=OrderedDict)

    def get(self, attempt_id: int) -> AttemptState | None:
        state = self._items.get(attempt_id)
        if state is not None:
            self._items.move_to_end(attempt_id)
        return state

    def put(self, state: AttemptState) -> None:
        self._items[state.attempt_id] = state
        self._items.move_to_end(state.attempt_id)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def close(self, attempt_id: int) -> None:
        state = self._items.get(attempt_id)
        if state is not None:
            state.open = False

    def clear(self) -> None:
        self._items.clear()
