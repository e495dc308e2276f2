"""What the answer path needs to know about an attempt, kept in memory so an answer costs no database read.

The owner and paper of an attempt never change, so a cached copy is always right about them; ``open`` turns false
when this process finalises the attempt; ``device`` follows take-overs. An attempt finalised by another process is
caught when this one submits or sweeps it (finalising is a conditional update), and its score was fixed then.

The deadline and ``paused`` change only when an organiser changes the round in flight (``attempts.in_flight``:
pause, resume, a later close, extra time). Every process then forgets the round's attempts (``forget_round``,
told through the message queue: ``realtime.notifier.clock_room``), so the next answer reads them again from the
database. ``epoch`` counts those forgettings: a copy read from the database before one is not kept after it
(``put(state, epoch=...)``), or a load racing the change would keep the old deadline.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from contest.attempts.paper import Slot
from contest.attempts.timing import Pause


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
    # The round is paused (``Round.paused_at``): no answer is taken until it is resumed.
    paused: bool = False


@dataclass
class AttemptCache:
    maxsize: int = 200_000
    _items: OrderedDict[int, AttemptState] = field(default_factory=OrderedDict)
    epoch: int = 0
    # Each round's pauses so far (``allowances.pauses``), read once per round for the durations of its attempts.
    _pauses: dict[int, tuple[Pause, ...]] = field(default_factory=dict)

    def get(self, attempt_id: int) -> AttemptState | None:
        state = self._items.get(attempt_id)
        if state is not None:
            self._items.move_to_end(attempt_id)
        return state

    def put(self, state: AttemptState, *, epoch: int | None = None) -> None:
        """Keep ``state``, unless a round was forgotten since ``epoch`` (read before ``state`` was loaded)."""
        if epoch is not None and epoch != self.epoch:
            return
        self._items[state.attempt_id] = state
        self._items.move_to_end(state.attempt_id)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def close(self, attempt_id: int) -> None:
        state = self._items.get(attempt_id)
        if state is not None:
            state.open = False

    def forget_round(self, round_id: int) -> None:
        """Drop every cached attempt of ``round_id``: its deadlines or pause changed. Rare (an organiser's
        action), so a walk of the cache is fine."""
        self.epoch += 1
        self._pauses.pop(round_id, None)
        for state in list(self._items.values()):  # a copy taken at once: answers may add to the cache meanwhile
            if state.round_id == round_id:
                self._items.pop(state.attempt_id, None)

    def pauses(self, round_id: int) -> tuple[Pause, ...] | None:
        """The round's pauses as kept, or None: read them (``keep_pauses``)."""
        return self._pauses.get(round_id)

    def keep_pauses(self, round_id: int, pauses: tuple[Pause, ...], *, epoch: int) -> None:
        if epoch == self.epoch:
            self._pauses[round_id] = pauses

    def clear(self) -> None:
        self._items.clear()
        self._pauses.clear()
