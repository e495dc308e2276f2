"""Drawing an attempt's paper from the eligible pool, per a blueprint. Pure: the rng is an argument.

A round loads its pool once (``Pool.of``) and draws from it for every attempt: each cell of the blueprint
is an indexed tuple, so a draw costs O(questions drawn + questions already seen), not O(pool).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

Cell = tuple[Hashable, Hashable]  # (topic, difficulty), as the caller identifies them
Blueprint = Mapping[Cell, int] | int
ANY = ("*", "*")  # the cell a plain-count blueprint draws from: the whole pool


@dataclass(frozen=True)
class PoolQuestion:
    question_id: int
    revision_id: int
    topic: Hashable
    difficulty: Hashable
    option_keys: tuple[str, ...]
    multiple: bool = False  # several correct answers (check boxes, not radio buttons)
    shuffle_options: bool = True  # False for true/false: 'Sai' above 'Đúng' only confuses


@dataclass(frozen=True)
class DrawnQuestion:
    question_id: int
    revision_id: int
    option_order: tuple[str, ...]  # option keys in the order the entrant sees them
    multiple: bool = False


@dataclass(frozen=True)
class Shortage:
    topic: Hashable
    difficulty: Hashable
    wanted: int
    available: int

    @property
    def missing(self) -> int:
        return self.wanted - self.available

    def describe(self) -> str:
        whole = (self.topic, self.difficulty) == ANY
        where = "the pool" if whole else f"topic {self.topic}, difficulty {self.difficulty}"
        return f"{where}: needs {self.wanted}, has {self.available} (short by {self.missing})"


class PoolTooSmall(ValueError):
    """The pool cannot satisfy the blueprint; ``shortages`` lists every short cell."""

    def __init__(self, shortages: list[Shortage]):
        self.shortages = tuple(shortages)
        super().__init__("; ".join(shortage.describe() for shortage in shortages))


@dataclass(frozen=True)
class Pool:
    """The eligible questions of a round, indexed by cell. Build it with ``Pool.of`` and reuse it."""

    cells: Mapping[Cell, tuple[PoolQuestion, ...]]
    everything: tuple[PoolQuestion, ...]
    # question id -> (cell, index in that cell, index in ``everything``): finds seen questions in O(seen)
    positions: Mapping[int, tuple[Cell, int, int]] = field(repr=False)

    @classmethod
    def of(cls, questions: Iterable[PoolQuestion]) -> Pool:
        everything = tuple(questions)
        cells: dict[Cell, list[PoolQuestion]] = {}
        positions = {}
        for index, question in enumerate(everything):
            cell = (question.topic, question.difficulty)
            members = cells.setdefault(cell, [])
            positions[question.question_id] = (cell, len(members), index)
            members.append(question)
        if len(positions) != len(everything):
            raise ValueError("a question appears twice in the pool")
        return cls({cell: tuple(members) for cell, members in cells.items()}, everything, positions)

    def available(self, cell: Cell) -> int:
        return len(self.everything) if cell == ANY else len(self.cells.get(cell, ()))


def draw_paper(pool: Pool | Iterable[PoolQuestion], blueprint: Blueprint, rng: random.Random,
               seen: frozenset[int] = frozenset()) -> tuple[DrawnQuestion, ...]:
    """A paper per ``blueprint`` (``{(topic, difficulty): count}`` or a plain count from the whole pool):
    questions in random order, options shuffled per question. Questions whose ids are in ``seen`` (the
    entrant's earlier attempts) are drawn only when a cell has too few others. Raises ``PoolTooSmall``."""
    if not isinstance(pool, Pool):
        pool = Pool.of(pool)
    wanted = _cells(blueprint)
    shortages = [Shortage(cell[0], cell[1], count, pool.available(cell))
                 for cell, count in wanted.items() if count > pool.available(cell)]
    if shortages:
        raise PoolTooSmall(shortages)
    seen_by_cell: dict[Cell, set[int]] = {}  # indices of seen questions, per cell and in the whole pool
    for qid in seen:
        if qid in pool.positions:
            cell, in_cell, in_pool = pool.positions[qid]
            seen_by_cell.setdefault(cell, set()).add(in_cell)
            seen_by_cell.setdefault(ANY, set()).add(in_pool)
    chosen: list[PoolQuestion] = []
    for cell, count in wanted.items():
        members = pool.everything if cell == ANY else pool.cells.get(cell, ())
        chosen.extend(members[i] for i in _pick(len(members), count, seen_by_cell.get(cell, set()), rng))
    rng.shuffle(chosen)
    return tuple(
        DrawnQuestion(q.question_id, q.revision_id, _shuffled(q.option_keys, rng) if q.shuffle_options
                      else q.option_keys, q.multiple)
        for q in chosen
    )


def _shuffled(keys: tuple[str, ...], rng: random.Random) -> tuple[str, ...]:
    """A uniformly random order of ``keys``. Up to 5 options, one pick among the precomputed orders costs a
    fifth of ``rng.sample`` (4 options are the common case, 30 times per paper)."""
    if len(keys) <= 5:
        orders = _orders(keys)
        return orders[rng.randrange(len(orders))]
    return tuple(rng.sample(keys, len(keys)))


@lru_cache(maxsize=256)
def _orders(keys: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(itertools.permutations(keys))


def _cells(blueprint: Blueprint) -> dict[Cell, int]:
    cells = {ANY: blueprint} if isinstance(blueprint, int) else dict(blueprint)
    for cell, count in cells.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"the count for {cell} must be a whole number >= 0, not {count!r}")
    return {cell: count for cell, count in cells.items() if count}


def _pick(size: int, count: int, seen: set[int], rng: random.Random) -> list[int]:
    """``count`` distinct indices below ``size``, uniformly at random, avoiding ``seen`` while possible."""
    if not seen:
        return rng.sample(range(size), count)
    fresh = size - len(seen)
    if fresh < count:  # every unseen question, topped up with seen ones
        unseen = [i for i in range(size) if i not in seen]
        return unseen + rng.sample(sorted(seen), count - fresh)
    if len(seen) * 2 <= size:  # mostly unseen: rejection sampling stays O(count)
        picked: dict[int, None] = {}
        while len(picked) < count:
            index = rng.randrange(size)
            if index not in seen:
                picked[index] = None
        return list(picked)
    return rng.sample([i for i in range(size) if i not in seen], count)
