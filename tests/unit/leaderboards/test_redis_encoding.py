"""The encoding of ranking keys into (double score, member) pairs orders exactly like the keys themselves, in the
way Redis orders a sorted set: by score as a double, then by member bytes."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from contest.leaderboards.keys.encoding import DOUBLE_BITS, decode, encode, entrant_of, layout_for
from contest.leaderboards.keys.ranking import DURATION, PREDICTION, SCORE, SUBMITTED, Ranking, Result, TieBreak

RANKINGS = [Ranking(order, final) for order in itertools.permutations(TieBreak) for final in (False, True)]


def redis_order(encoded):
    """How Redis sorts: the score as a double (exactness is the point), then the member's bytes."""
    return float(encoded.score), encoded.member.encode()


results = st.builds(
    Result,
    entrant_id=st.integers(0, 2**32 - 1),
    attempt_id=st.just(1),
    score=st.one_of(st.integers(0, SCORE.limit), st.sampled_from([0, SCORE.limit])),
    duration_ms=st.one_of(st.integers(0, DURATION.limit), st.sampled_from([0, DURATION.limit - 1, DURATION.limit])),
    finished_ms=st.one_of(st.integers(0, SUBMITTED.limit), st.sampled_from([0, SUBMITTED.limit])),
    prediction_error=st.one_of(st.none(), st.integers(0, 2**50)),
)


@given(st.lists(results, max_size=50, unique_by=lambda r: r.entrant_id), st.sampled_from(RANKINGS))
def test_redis_order_of_encoded_keys_is_the_key_order(items, ranking):
    encoded = {r.entrant_id: encode(ranking, r) for r in items}
    by_redis = sorted(items, key=lambda r: redis_order(encoded[r.entrant_id]))
    assert [r.entrant_id for r in by_redis] == [r.entrant_id for r in sorted(items, key=ranking.key)]


@given(results, st.sampled_from(RANKINGS))
def test_scores_are_exact_doubles_members_fixed_width_and_decoding_round_trips(result, ranking):
    encoded = encode(ranking, result)
    assert 0 <= encoded.score < 2**DOUBLE_BITS and float(encoded.score) == encoded.score
    assert int(float(encoded.score)) == encoded.score
    assert len(encoded.member) == len(encode(ranking, Result(0, 1, 0, 0, 0)).member)
    assert entrant_of(encoded.member) == result.entrant_id
    shown = decode(ranking, encoded)
    assert shown["score"] == result.score and shown["duration_ms"] == result.duration_ms
    assert shown["finished_ms"] == result.finished_ms and shown["entrant_id"] == result.entrant_id


def test_the_live_layout_packs_score_and_duration_into_53_bits():
    layout = layout_for(Ranking())
    assert [f.name for f in layout.fields[:layout.packed]] == ["score", "duration"]
    assert SCORE.bits + DURATION.bits == DOUBLE_BITS
    best = encode(Ranking(), Result(7, 1, score=SCORE.limit, duration_ms=0, finished_ms=0))
    worst = encode(Ranking(), Result(7, 1, score=0, duration_ms=DURATION.limit, finished_ms=SUBMITTED.limit))
    assert best.score == 0 and worst.score == 2**DOUBLE_BITS - 1
    assert len(best.member) == 19
    final = layout_for(Ranking(final=True))
    assert final.packed == 1 and len(encode(Ranking(final=True), Result(7, 1, 1, 1, 1)).member) == 41
    assert PREDICTION.bits + SCORE.bits > DOUBLE_BITS


def test_a_huge_tie_is_ordered_by_submission_time_then_entrant():
    """36,533 of 85,532 entrants with full marks (DESIGN.md §2): with equal score and duration the member decides."""
    ranking = Ranking()
    tied = [Result(entrant, 1, score=30, duration_ms=60_000, finished_ms=1_700_000_000_000 + entrant % 997)
            for entrant in range(40_000)]
    encoded = sorted(tied, key=lambda r: redis_order(encode(ranking, r)))
    assert encoded == sorted(tied, key=lambda r: (r.finished_ms, r.entrant_id))
    assert len({encode(ranking, r).score for r in tied}) == 1
