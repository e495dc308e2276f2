"""Item statistics: a hand-computed round, the undefined cases, and properties for any round (hypothesis)."""

from __future__ import annotations

import math
import random
import statistics
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from question_bank.item_stats import AttemptRecord, item_stats, point_biserial, score_groups

# Question 1 (revision 10): single answer, B correct. Question 2 (revision 20): multiple answer, A and C.
CORRECT = {10: frozenset("B"), 20: frozenset("AC"), 30: frozenset("A")}
PAPER = ({"q": 1, "rev": 10, "opts": ["C", "A", "D", "B"]}, {"q": 2, "rev": 20, "opts": ["A", "B", "C", "D"]})


def attempt(score, q1=(), q2=()):
    answers = {slot: list(keys) for slot, keys in enumerate((q1, q2)) if keys}
    return AttemptRecord(score, PAPER, answers)


# Scores 2, 1, 1, 0, 0 (each the number of exact matches below).
ROUND = [
    attempt(2, "B", "AC"),
    attempt(1, "B", "A"),
    attempt(1, "C", "CA"),
    attempt(0),
    attempt(0, "A", "C"),
]


def test_a_hand_computed_round():
    stats = item_stats(ROUND, CORRECT)
    one, two = stats[1], stats[2]
    assert (one.n, one.correct, one.facility) == (5, 2, 0.4)
    # 27% of 5 = 1.35 attempts. Upper: the 2 (weight 1) and the two 1s (weight 0.175 each);
    # lower: the two 0s (weight 0.675 each). p_upper = (1 + 0.175) / 1.35, p_lower = 0.
    assert one.upper_n == pytest.approx(1.35) and one.lower_n == pytest.approx(1.35)
    assert one.discrimination == pytest.approx(1.175 / 1.35)
    # n=5, Σx=2, Σy=4, Σy²=6, Σxy=3: r = (15 − 8) / √((10 − 4)(30 − 16)) = 7 / √84
    assert one.point_biserial == pytest.approx(7 / math.sqrt(84))
    assert one.option_counts == {"A": 1, "B": 2, "C": 1, "D": 0} and one.no_answer == 1
    assert one.option_shares == {"A": 0.2, "B": 0.4, "C": 0.2, "D": 0.0} and one.no_answer_share == 0.2
    assert one.correct_keys == ("B",)

    assert (two.n, two.correct, two.facility) == (5, 2, 0.4)
    assert two.discrimination == pytest.approx(1.175 / 1.35)
    assert two.point_biserial == pytest.approx(7 / math.sqrt(84))
    # A multiple-answer choice counts towards each key it names: shares add up to more than 1.
    assert two.option_shares == {"A": 0.6, "B": 0.0, "C": 0.6, "D": 0.0} and two.no_answer_share == 0.2
    assert two.correct_keys == ("A", "C")


def test_point_biserial_agrees_with_pearson():
    xs, ys = [1, 1, 0, 0, 0], [2, 1, 1, 0, 0]
    sums = (len(xs), sum(xs), sum(ys), sum(y * y for y in ys), sum(x * y for x, y in zip(xs, ys, strict=True)))
    assert point_biserial(*sums) == pytest.approx(statistics.correlation(xs, ys))


def test_groups_with_ties_weigh_exactly_27_percent():
    groups = score_groups({10: 6, 9: 3, 5: 1})  # 2.7 attempts per group
    assert (groups.upper_cut, groups.upper_edge) == (10, pytest.approx(2.7 / 6))
    assert (groups.lower_cut, groups.lower_edge) == (9, pytest.approx(1.7 / 3))
    assert groups.spread


def test_nothing_to_count():
    assert score_groups({}) is None and score_groups({3: 0}) is None
    assert item_stats([], CORRECT) == {}


def test_a_single_attempt_has_a_facility_but_no_discrimination():
    stats = item_stats([attempt(1, "B", "A")], CORRECT)[1]
    assert stats.facility == 1.0
    assert stats.discrimination is None and stats.point_biserial is None


def test_equal_scores_give_no_discrimination():
    # Everyone scores 1: the upper and lower groups would be the same attempts.
    stats = item_stats([attempt(1, "B", "A"), attempt(1, "A", "AC")], CORRECT)[1]
    assert stats.facility == 0.5
    assert stats.discrimination is None and stats.point_biserial is None


def test_an_item_everyone_got_right_has_no_correlation():
    stats = item_stats([attempt(2, "B", "AC"), attempt(1, "B", "A")], CORRECT)[1]
    assert stats.facility == 1.0 and stats.point_biserial is None
    assert stats.discrimination == 0.0


def test_a_group_that_never_saw_the_item_gives_no_discrimination():
    # Question 3 was only on the papers of the lowest scorers.
    low = AttemptRecord(0, [{"q": 3, "rev": 30, "opts": ["A", "B"]}], {0: ["B"]})
    stats = item_stats([attempt(2, "B", "AC"), attempt(2, "B", "AC"), low, low], CORRECT)
    assert stats[3].n == 2 and stats[3].discrimination is None and stats[3].upper_n == 0


# --- properties ---------------------------------------------------------------------------------------------

QUESTIONS = {1: (10, "ABCD"), 2: (20, "ABCD"), 3: (30, "AB")}


def _build(raw_attempts, single_only):
    """Attempts from ``[(question id, shuffle seed, choice bits)]`` per attempt; scores are recomputed from the
    answers, as the server does."""
    attempts = []
    for raw in raw_attempts:
        paper, answers, score = [], {}, 0
        for slot, (qid, seed, bits) in enumerate(raw):
            rev, keys = QUESTIONS[qid]
            paper.append({"q": qid, "rev": rev, "opts": random.Random(seed).sample(keys, len(keys))})
            choice = [key for i, key in enumerate(keys) if bits >> i & 1]
            if single_only:
                choice = choice[:1]
            if choice:
                answers[slot] = choice
            score += frozenset(choice) == CORRECT[rev]
        attempts.append(AttemptRecord(score, paper, answers))
    return attempts


def rounds(single_only=False):
    slots = st.lists(st.tuples(st.sampled_from(sorted(QUESTIONS)), st.integers(0, 2**16), st.integers(0, 15)),
                     min_size=1, max_size=3, unique_by=lambda slot: slot[0])
    return st.lists(slots, max_size=25).map(lambda raw: _build(raw, single_only))


@given(rounds())
def test_every_index_is_in_range(attempts):
    for stats in item_stats(attempts, CORRECT).values():
        assert stats.n >= 1 and 0.0 <= stats.facility <= 1.0
        assert stats.discrimination is None or -1.0 <= stats.discrimination <= 1.0
        assert stats.point_biserial is None or -1.0 <= stats.point_biserial <= 1.0
        assert all(0.0 <= share <= 1.0 for share in stats.option_shares.values())
        assert sum(stats.option_shares.values()) + stats.no_answer_share >= 1.0 - 1e-9


@given(rounds(single_only=True))
def test_single_answer_shares_add_up_to_one(attempts):
    for stats in item_stats(attempts, CORRECT).values():
        assert sum(stats.option_shares.values()) + stats.no_answer_share == pytest.approx(1.0)


@given(rounds(), st.randoms(use_true_random=False))
def test_the_order_of_attempts_does_not_matter(attempts, rng):
    shuffled = list(attempts)
    rng.shuffle(shuffled)
    assert item_stats(shuffled, CORRECT) == item_stats(attempts, CORRECT)


@given(rounds())
def test_point_biserial_is_pearsons_r(attempts):
    for qid, stats in item_stats(attempts, CORRECT).items():
        xs, ys = _observations(attempts, qid)
        if stats.point_biserial is None:
            assert len(xs) < 2 or len(set(xs)) < 2 or len(set(ys)) < 2
        else:
            assert stats.point_biserial == pytest.approx(statistics.correlation(xs, ys), abs=1e-9)


@given(rounds())
def test_discrimination_matches_a_fractional_reference(attempts):
    """Reference: sort every attempt by score, give the top and bottom 27% (in exact fractions, ties sharing
    the boundary weight equally) to the groups, and compare weighted facilities."""
    assume(attempts)
    scores = [a.score for a in attempts]
    size = Fraction(27, 100) * len(scores)
    upper, lower = _reference_weights(scores, size, reverse=True), _reference_weights(scores, size, reverse=False)
    for qid, stats in item_stats(attempts, CORRECT).items():
        seen = [(i, x) for i, x in _item_results(attempts, qid)]
        up = sum(upper[i] for i, _x in seen), sum(upper[i] * x for i, x in seen)
        lo = sum(lower[i] for i, _x in seen), sum(lower[i] * x for i, x in seen)
        if len(set(scores)) < 2 or not up[0] or not lo[0]:
            assert stats.discrimination is None
        else:
            assert stats.discrimination == pytest.approx(float(up[1] / up[0] - lo[1] / lo[0]), abs=1e-9)


def _reference_weights(scores, size, reverse):
    weights = [Fraction(0)] * len(scores)
    distinct = sorted(set(scores), reverse=reverse)
    taken = Fraction(0)
    for value in distinct:
        members = [i for i, s in enumerate(scores) if s == value]
        share = min(Fraction(1), (size - taken) / len(members))
        for i in members:
            weights[i] = share
        taken += share * len(members)
        if taken >= size:
            break
    return weights


def _item_results(attempts, qid):
    for i, a in enumerate(attempts):
        for slot, item in enumerate(a.paper):
            if item["q"] == qid:
                yield i, int(frozenset(a.answers.get(slot, ())) == CORRECT[item["rev"]])


def _observations(attempts, qid):
    pairs = [(x, attempts[i].score) for i, x in _item_results(attempts, qid)]
    return [x for x, _y in pairs], [y for _x, y in pairs]
