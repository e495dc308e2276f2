"""One contract for both stores (in-process always, Redis when ``REDIS_URL`` is set): every board answers exactly
like a plain sort of the full records, huge ties included."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contest.leaderboards.keys.encoding import encode
from contest.leaderboards.keys.ranking import Ranking, Result
from contest.leaderboards.stores.interface import Placement
from tests.integration.leaderboards.conftest import STORES, drop, make_store

LIVE = Ranking()
# Units: province 1 > districts 10, 11 > schools 100, 101 (district 10) and 110 (district 11).
SCHOOLS = {100: (1, 10, 100), 101: (1, 10, 101), 110: (1, 11, 110)}


def placement(result: Result, school: int) -> Placement:
    return Placement(result.entrant_id, encode(LIVE, result), SCHOOLS[school])


def reference(best: dict[int, tuple[Result, int]], unit: int | None) -> list[int]:
    """Entrant ids of a board, by a plain sort of the full records."""
    rows = [r for r, school in best.values() if unit is None or unit in SCHOOLS[school]]
    return [r.entrant_id for r in sorted(rows, key=lambda r: (-r.score, r.duration_ms, r.finished_ms, r.entrant_id))]


def check_boards(store, family: str, best: dict[int, tuple[Result, int]]) -> None:
    for unit in (None, 1, 10, 11, 100, 101, 110):
        expected = reference(best, unit)
        assert store.count(family, unit) == len(expected)
        assert [r.entrant_id for r in store.top(family, unit, 0, len(expected) + 5)] == expected
        for position, entrant in enumerate(expected, start=1):
            found = store.rank(family, unit, entrant)
            assert found is not None and found.rank == position and found.entrant_id == entrant
    assert store.rank(family, 110, next(iter(k for k, (_, s) in best.items() if s != 110), -1)) is None


def random_results(rng: random.Random, entrants: int, attempts: int) -> list[tuple[Result, int]]:
    school_of = {e: rng.choice(list(SCHOOLS)) for e in range(1, entrants + 1)}
    return [(Result(entrant, n, score=rng.choice([8, 9, 10]), duration_ms=rng.choice([1000, 1001, 2000]),
                    finished_ms=1_700_000_000_000 + rng.choice([0, 1, 2])), school_of[entrant])
            for n, entrant in enumerate((rng.randint(1, entrants) for _ in range(attempts)), start=1)]


@pytest.mark.parametrize("kind", STORES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), entrants=st.integers(1, 30), attempts=st.integers(0, 80))
def test_recording_keeps_each_entrants_best_and_ranks_like_the_reference(kind, seed, entrants, attempts):
    store = make_store(kind)
    try:
        best: dict[int, tuple[Result, int]] = {}
        for result, school in random_results(random.Random(seed), entrants, attempts):
            changed = store.record("r1", placement(result, school))
            previous = best.get(result.entrant_id)
            improves = previous is None or LIVE.key(result)[:-1] < LIVE.key(previous[0])[:-1]
            assert changed == improves
            if improves:
                best[result.entrant_id] = (result, school)
        check_boards(store, "r1", best)
    finally:
        drop(store)


def test_a_huge_tie_loads_and_ranks_exactly(store):
    """20,000 entrants with equal scores and durations: submission time then entrant id decide."""
    rng = random.Random(7)
    best = {}
    for entrant in rng.sample(range(1, 10**9), 20_000):
        best[entrant] = (Result(entrant, 1, score=30, duration_ms=60_000,
                                finished_ms=1_700_000_000_000 + rng.randint(0, 50)), rng.choice(list(SCHOOLS)))
    assert store.load("r2", (placement(r, s) for r, s in best.values())) == 20_000
    expected = reference(best, None)
    assert [r.entrant_id for r in store.top("r2", None, 0, 20_000)] == expected
    assert [r.entrant_id for r in store.top("r2", None, 12_345, 3)] == expected[12_345:12_348]
    for entrant in rng.sample(expected, 200):
        assert store.rank("r2", None, entrant).rank == expected.index(entrant) + 1
    school = reference(best, 101)
    assert [r.entrant_id for r in store.top("r2", 101, 0, len(school))] == school


def test_neighbours_replace_remove_copy_clear_and_marks(store):
    rows = [(Result(e, e, score=10 - e % 3, duration_ms=1000 + e, finished_ms=5), 100 if e % 2 else 110)
            for e in range(1, 11)]
    store.load("r3", (placement(r, s) for r, s in rows))
    order = reference({r.entrant_id: (r, s) for r, s in rows}, None)
    middle = order[4]
    assert [r.entrant_id for r in store.around("r3", None, middle, 2, 3)] == order[2:8]
    assert [r.rank for r in store.around("r3", None, order[0], 2, 1)] == [1, 2]
    assert store.around("r3", None, 999, 2, 2) == []
    # A worse result does not replace a better one, unless asked to (a rescored attempt, a contest sum).
    worse = Result(middle, 99, score=0, duration_ms=1, finished_ms=1)
    assert not store.record("r3", placement(worse, 100))
    assert store.record("r3", placement(worse, 100), replace=True)
    assert store.rank("r3", None, middle).rank == 10
    # Moving school on replacement leaves the old school's board.
    assert store.rank("r3", 100, middle) is not None and store.rank("r3", 110, middle) is None
    assert store.remove("r3", middle) and not store.remove("r3", middle)
    assert store.count("r3", None) == 9 and store.rank("r3", None, middle) is None
    store.copy("r3", "r3-frozen")
    store.record("r3", placement(Result(500, 500, score=99, duration_ms=1, finished_ms=1), 100))
    assert store.count("r3-frozen", None) == 9 and store.count("r3", None) == 10
    assert not store.is_ready("r3")
    store.mark_ready("r3")
    assert store.is_ready("r3")
    assert store.try_lock("r3", 60) and not store.try_lock("r3", 60)
    store.unlock("r3")
    assert store.try_lock("r3", 60)
    store.unlock("r3")
    store.clear("r3")
    assert store.count("r3", None) == 0 and store.count("r3", 100) == 0 and not store.is_ready("r3")
    assert store.count("r3-frozen", 100) > 0
