"""The ranking key against a plain reading of DESIGN.md §2: score, then the tie-breaks in the round's order, then
a stable id; the prediction error only in the final ranking."""

from __future__ import annotations

import functools
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.leaderboards.keys.ranking import (
    DEFAULT_TIE_BREAKS,
    DURATION,
    PREDICTION,
    SUBMITTED,
    Ranking,
    Result,
    TieBreak,
    parse_tie_breaks,
)

ORDERS = list(itertools.permutations(TieBreak))


def results(max_entrant: int = 10**6, score=None, duration=None, finished=None):
    """Results drawn from small pools so that ties on every field are common, plus the edges of each range."""
    return st.builds(
        Result,
        entrant_id=st.integers(0, max_entrant),
        attempt_id=st.integers(1, 10**9),
        score=score or st.sampled_from([0, 1, 9, 10, 65_535]),
        duration_ms=duration or st.sampled_from([0, 1, 999, 60_000, DURATION.limit]),
        finished_ms=finished or st.sampled_from([0, 1_700_000_000_000, 1_700_000_000_001, SUBMITTED.limit]),
        prediction_error=st.one_of(st.none(), st.sampled_from([0, 1, 5, PREDICTION.limit - 2, 10**20])),
    )


def reference_compare(order: tuple[TieBreak, ...], final: bool):
    """A comparator written straight from the rules, field by field, with no encoding."""
    cap = PREDICTION.limit - 1

    def error(r: Result) -> float:
        return float("inf") if r.prediction_error is None else min(r.prediction_error, cap)

    def compare(a: Result, b: Result) -> int:
        if a.score != b.score:
            return -1 if a.score > b.score else 1
        for tb in order:
            if tb == TieBreak.PREDICTION and not final:
                continue
            x, y = {TieBreak.PREDICTION: (error(a), error(b)), TieBreak.DURATION: (a.duration_ms, b.duration_ms),
                    TieBreak.SUBMITTED: (a.finished_ms, b.finished_ms)}[tb]
            if x != y:
                return -1 if x < y else 1
        return (a.entrant_id, a.attempt_id) < (b.entrant_id, b.attempt_id) and -1 or (
            0 if (a.entrant_id, a.attempt_id) == (b.entrant_id, b.attempt_id) else 1)

    return compare


@given(st.lists(results(), max_size=60), st.sampled_from(ORDERS), st.booleans())
def test_sorting_by_key_equals_the_reference_sort(items, order, final):
    ranking = Ranking(order, final=final)
    assert sorted(items, key=ranking.key) == sorted(items, key=functools.cmp_to_key(reference_compare(order, final)))


@given(st.lists(results(), max_size=40, unique_by=lambda r: (r.entrant_id, r.attempt_id)), st.sampled_from(ORDERS),
       st.booleans(), st.randoms(use_true_random=False))
def test_the_order_is_total_and_independent_of_input_order(items, order, final, rng):
    ranking = Ranking(order, final=final)
    keys = [ranking.key(r) for r in items]
    assert len(set(keys)) == len(keys)  # distinct results never compare equal
    shuffled = items[:]
    rng.shuffle(shuffled)
    assert sorted(shuffled, key=ranking.key) == sorted(items, key=ranking.key)


@given(st.lists(results(max_entrant=0), min_size=1, max_size=10), st.sampled_from(ORDERS))
def test_an_entrants_best_attempt_is_the_first_by_the_reference(attempts, order):
    ranking = Ranking(order)
    assert ranking.best(attempts) == min(attempts, key=functools.cmp_to_key(reference_compare(order, False)))


def test_live_ranking_skips_the_prediction_and_final_uses_it():
    near = Result(1, 1, score=10, duration_ms=5000, finished_ms=100, prediction_error=0)
    far = Result(2, 2, score=10, duration_ms=4000, finished_ms=100, prediction_error=50)
    assert sorted([near, far], key=Ranking().key) == [far, near]
    assert sorted([near, far], key=Ranking(final=True).key) == [near, far]
    nothing = Result(3, 3, score=10, duration_ms=1, finished_ms=1, prediction_error=None)
    assert sorted([nothing, far], key=Ranking(final=True).key) == [far, nothing]


def test_tie_break_order_is_configurable_and_validated():
    assert parse_tie_breaks([]) == DEFAULT_TIE_BREAKS
    assert parse_tie_breaks(["submitted"]) == (TieBreak.SUBMITTED, TieBreak.PREDICTION, TieBreak.DURATION)
    with pytest.raises(ValueError):
        parse_tie_breaks(["duration", "duration"])
    with pytest.raises(ValueError):
        parse_tie_breaks(["luck"])


@pytest.mark.parametrize("field", ["score", "duration_ms", "finished_ms", "entrant_id"])
def test_values_outside_the_documented_ranges_are_refused(field):
    values = {"entrant_id": 1, "attempt_id": 1, "score": 1, "duration_ms": 1, "finished_ms": 1}
    with pytest.raises(ValueError):
        Result(**{**values, field: -1})
    with pytest.raises(ValueError):
        Result(**{**values, field: 2**64})
