"""Drawing papers: properties that must hold for any pool, blueprint and seed."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from question_bank.drawing import Pool, PoolQuestion, PoolTooSmall, draw_paper

TOPICS, LEVELS = (1, 2, 3), ("NB", "TH", "VD", "VDC")


@st.composite
def pools(draw):
    cells = draw(st.lists(st.tuples(st.sampled_from(TOPICS), st.sampled_from(LEVELS)), min_size=1, max_size=40))
    return Pool.of(
        PoolQuestion(qid, 1000 + qid, topic, level, tuple("ABCDEFGH"[: draw(st.integers(2, 8))]),
                     shuffle_options=draw(st.booleans()))
        for qid, (topic, level) in enumerate(cells, start=1)
    )


@st.composite
def pool_and_blueprint(draw):
    """A pool and a blueprint it can satisfy (counts up to each cell's size)."""
    pool = draw(pools())
    blueprint = {cell: draw(st.integers(0, len(members))) for cell, members in pool.cells.items()}
    return pool, blueprint


@settings(max_examples=200)
@given(pool_and_blueprint(), st.integers(0, 2**32), st.frozensets(st.integers(1, 40)))
def test_a_paper_follows_its_blueprint_exactly_without_duplicates(case, seed, seen):
    pool, blueprint = case
    paper = draw_paper(pool, blueprint, random.Random(seed), seen)
    ids = [q.question_id for q in paper]
    assert len(ids) == len(set(ids))
    by_id = {q.question_id: q for q in pool.everything}
    assert Counter((by_id[i].topic, by_id[i].difficulty) for i in ids) == +Counter(blueprint)
    for drawn in paper:
        source = by_id[drawn.question_id]
        assert drawn.revision_id == source.revision_id
        assert sorted(drawn.option_order) == sorted(source.option_keys)
        if not source.shuffle_options:
            assert drawn.option_order == source.option_keys


@settings(max_examples=100)
@given(pool_and_blueprint(), st.integers(0, 2**32), st.frozensets(st.integers(1, 40)))
def test_a_paper_is_determined_by_the_seed(case, seed, seen):
    pool, blueprint = case
    assert draw_paper(pool, blueprint, random.Random(seed), seen) == draw_paper(pool, blueprint,
                                                                               random.Random(seed), seen)


@settings(max_examples=100)
@given(pool_and_blueprint(), st.integers(0, 2**32), st.data())
def test_seen_questions_are_avoided_while_the_cell_allows(case, seed, data):
    pool, blueprint = case
    seen = frozenset(data.draw(st.sets(st.sampled_from([q.question_id for q in pool.everything]))))
    paper = draw_paper(pool, blueprint, random.Random(seed), seen)
    for cell, count in blueprint.items():
        members = {q.question_id for q in pool.cells[cell]}
        fresh = len(members - seen)
        repeated = [q.question_id for q in paper if q.question_id in members & seen]
        assert len(repeated) == max(0, count - fresh)


@settings(max_examples=100)
@given(pools(), st.integers(1, 50), st.integers(0, 2**32))
def test_a_plain_count_draws_from_the_whole_pool(pool, count, seed):
    assume(count <= len(pool.everything))
    paper = draw_paper(pool, count, random.Random(seed))
    assert len({q.question_id for q in paper}) == count


def test_a_short_pool_names_every_short_cell_and_by_how_much():
    pool = Pool.of(PoolQuestion(i, i, "Kỹ năng số", "NB", ("A", "B")) for i in range(3))
    with pytest.raises(PoolTooSmall) as raised:
        draw_paper(pool, {("Kỹ năng số", "NB"): 5, ("Lịch sử", "VD"): 2}, random.Random(1))
    assert [(s.topic, s.difficulty, s.wanted, s.available, s.missing) for s in raised.value.shortages] == [
        ("Kỹ năng số", "NB", 5, 3, 2), ("Lịch sử", "VD", 2, 0, 2)]
    assert str(raised.value) == ("topic Kỹ năng số, difficulty NB: needs 5, has 3 (short by 2); "
                                 "topic Lịch sử, difficulty VD: needs 2, has 0 (short by 2)")
    with pytest.raises(PoolTooSmall, match=r"the pool: needs 4, has 3 \(short by 1\)"):
        draw_paper(pool, 4, random.Random(1))


def test_bad_counts_are_refused():
    pool = Pool.of([PoolQuestion(1, 1, "T", "NB", ("A", "B"))])
    with pytest.raises(ValueError, match="whole number"):
        draw_paper(pool, {("T", "NB"): -1}, random.Random(1))


def test_draws_are_roughly_uniform_over_questions_and_option_orders():
    pool = Pool.of(PoolQuestion(i, i, "T", "NB", ("A", "B", "C")) for i in range(20))
    rng = random.Random(20251127)
    draws = 20_000
    questions, first_options, positions = Counter(), Counter(), Counter()
    for _ in range(draws):
        paper = draw_paper(pool, {("T", "NB"): 5}, rng)
        questions.update(q.question_id for q in paper)
        first_options.update(q.option_order[0] for q in paper)
        positions[paper[0].question_id] += 1
    expected = draws * 5 / 20  # 5,000 each; a binomial's standard deviation here is about 61
    assert all(abs(count - expected) < 0.05 * expected for count in questions.values())
    assert all(abs(count - draws * 5 / 3) < 0.03 * draws * 5 / 3 for count in first_options.values())
    assert all(abs(count - draws / 20) < 0.15 * draws / 20 for count in positions.values())


def test_repeat_attempts_cycle_through_the_pool_before_repeating():
    pool = Pool.of(PoolQuestion(i, i, "T", "NB", ("A", "B")) for i in range(30))
    rng, seen = random.Random(3), set()
    for _ in range(3):
        paper = draw_paper(pool, 10, rng, frozenset(seen))
        assert not seen & {q.question_id for q in paper}
        seen |= {q.question_id for q in paper}
    assert len(seen) == 30
