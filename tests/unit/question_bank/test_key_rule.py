"""The answer-key rule's properties over random banks, rounds and clocks: whatever a live round could hand out is
secret, the exemption of a round's own after-submit review covers that round only, and a key shown before a
round opened keeps the question out of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from question_bank.key_rule import KeyCandidate, RoundPool, drawable, may_draw, overlapping, secret_ids

T0 = datetime(2026, 5, 1, tzinfo=UTC)
TAGS = st.frozensets(st.sampled_from(["tuan-1", "tuan-2", "luyen-tap"]), max_size=2)
HOURS = st.integers(-48, 48).map(lambda h: T0 + timedelta(hours=h))


@st.composite
def questions(draw):
    count = draw(st.integers(1, 12))
    made = []
    for qid in range(1, count + 1):
        current = draw(TAGS)
        made.append(KeyCandidate(
            question_id=qid, topic_id=draw(st.integers(1, 2)), difficulty=draw(st.sampled_from(["NB", "TH"])),
            tags=current | draw(TAGS),  # earlier revisions may have carried other tags
            key_shown_at=draw(st.none() | HOURS), active=draw(st.booleans()), current_tags=current))
    return made


@st.composite
def pools(draw):
    made = []
    for round_id in range(1, draw(st.integers(0, 5)) + 1):
        opens = draw(HOURS)
        cells = draw(st.frozensets(st.tuples(st.integers(1, 2), st.sampled_from(["NB", "TH"])), max_size=3))
        made.append(RoundPool(round_id, opens, opens + timedelta(hours=draw(st.integers(1, 24))),
                              grace_s=draw(st.sampled_from([0, 5, 60])), cells=cells, tags=draw(TAGS)))
    return made


@settings(max_examples=300)
@given(questions(), pools(), HOURS, st.none() | st.integers(1, 5))
def test_nothing_a_live_round_can_hand_out_is_revealed(bank, rounds, now, exempt):
    secret = secret_ids(bank, rounds, now, exempt_round_id=exempt)
    for pool in rounds:
        if not pool.live(now) or pool.round_id == exempt:
            continue
        for question in bank:
            assert not drawable(pool, question) or may_draw(pool, question)
            if may_draw(pool, question):
                assert question.question_id in secret
    # and nothing else is hidden: a question no other live round may draw is shown
    for question in bank:
        hidden = any(p.live(now) and p.round_id != exempt and may_draw(p, question) for p in rounds)
        assert (question.question_id in secret) == hidden


@settings(max_examples=200)
@given(questions(), pools())
def test_a_key_shown_before_a_round_opens_keeps_the_question_out_of_it(bank, rounds):
    for pool in rounds:
        for question in bank:
            if question.key_shown_at is not None and question.key_shown_at < pool.opens_at:
                assert not may_draw(pool, question) and not drawable(pool, question)


def test_the_round_counts_until_its_grace_is_over():
    pool = RoundPool(1, T0, T0 + timedelta(hours=1), grace_s=5)
    question = KeyCandidate(1, 1, "NB", frozenset())
    assert secret_ids([question], [pool], T0 - timedelta(days=3)) == {1}  # upcoming
    assert secret_ids([question], [pool], T0 + timedelta(hours=1, seconds=4)) == {1}  # answers in transit
    assert secret_ids([question], [pool], T0 + timedelta(hours=1, seconds=5)) == frozenset()


def test_tags_and_cells_keep_rounds_apart():
    week1 = RoundPool(1, T0, T0 + timedelta(days=7), tags=frozenset({"tuan-1"}))
    week2 = RoundPool(2, T0 + timedelta(days=7), T0 + timedelta(days=14), tags=frozenset({"tuan-2"}))
    hard = RoundPool(3, T0, T0 + timedelta(days=7), cells=frozenset({(1, "TH")}))
    bank = [KeyCandidate(1, 1, "NB", frozenset({"tuan-1"})), KeyCandidate(2, 1, "TH", frozenset({"tuan-2"}))]
    after_week1 = T0 + timedelta(days=8)
    assert secret_ids(bank, [week1, week2], after_week1) == {2}  # week 1's key may be shown, week 2's not
    assert overlapping(week1, [week2, hard], bank) == []
    assert overlapping(week2, [week1, hard], bank) == [3]
    # an edit that took the tag off the current revision does not free a question a live round handed out
    edited = KeyCandidate(1, 1, "NB", frozenset({"tuan-1"}), current_tags=frozenset())
    assert not drawable(week1, edited) and secret_ids([edited], [week1], T0 + timedelta(days=1)) == {1}
