"""The fair-play signals (contest.fairplay.signals): each fires on what it describes and not on ordinary play, and
no signal but the clearest weighs a flag on its own."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from contest.fairplay.signals import (
    WEIGHTS,
    AnswerFact,
    AttemptSummary,
    Thresholds,
    accuracy_jumps,
    cross_findings,
    flagged,
    own_findings,
    registration_bursts,
)

TH = Thresholds()
NOW = 2_000_000_000.0


def answers(gaps: list[float], chars: int = 150, start: float = 1000.0, choice: str = '["B"]') -> list[AnswerFact]:
    at, made = start, []
    for n, gap in enumerate(gaps):
        at += gap
        made.append(AnswerFact(n + 1, chars, choice, at))
    return made


def codes(found) -> set[str]:
    return {finding.code for finding in found}


def test_ten_answers_in_well_under_a_second_are_fast_short_and_flagged():
    found, _ = own_findings(1000.0, answers([0.06] * 10), questions=10, duration_s=0.7, th=TH, now=NOW)
    assert {"fast_answers", "short_total"} <= codes(found)
    fast = next(f for f in found if f.code == "fast_answers")
    assert fast.params == {"count": 10, "seconds": 0.6, "answers": 10}
    assert flagged(found, TH)


def test_a_script_with_a_uniform_random_delay_is_too_regular():
    rng = random.Random(3)
    found, _ = own_findings(1000.0, answers([rng.uniform(8, 12) for _ in range(15)]), questions=15,
                            duration_s=200, th=TH, now=NOW)
    assert codes(found) == {"regular_intervals"}
    assert not flagged(found, TH)  # regular but readable: not a flag by itself


def test_reading_at_a_human_pace_finds_nothing():
    found, sequence = own_findings(1000.0, answers([12, 7, 25, 9, 16, 31, 8, 14, 19, 10]), questions=10,
                                   duration_s=160, th=TH, now=NOW)
    assert found == [] and sequence is not None


def test_an_attempt_in_progress_is_timed_up_to_now():
    found, _ = own_findings(NOW - 3, answers([0.2] * 6, start=NOW - 3), questions=20, duration_s=None, th=TH,
                            now=NOW)
    assert "short_total" in codes(found)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=600.0), min_size=0, max_size=40),
       st.integers(min_value=10, max_value=400))
def test_any_answers_give_findings_that_are_known_and_weighted(gaps, chars):
    found, sequence = own_findings(0.0, answers(gaps, chars=chars, start=0.0), questions=max(1, len(gaps)),
                                   duration_s=sum(gaps), th=TH, now=NOW)
    assert all(f.code in WEIGHTS and f.weight == WEIGHTS[f.code] for f in found)
    assert (sequence is None) == (len(gaps) < TH.min_answers)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=600.0), min_size=5, max_size=30), st.floats(0.0, 5.0))
def test_answering_slower_never_adds_a_fast_answer(gaps, extra):
    def fast(values):
        found, _ = own_findings(0.0, answers(values, start=0.0), questions=len(values), duration_s=sum(values),
                                th=TH, now=NOW)
        return next((f.params["count"] for f in found if f.code == "fast_answers"), 0)

    assert fast([gap + extra for gap in gaps]) <= fast(gaps)


def summary(attempt_id, user_id, *, sequence=None, accuracy=None, started=0.0, round_id=1):
    return AttemptSummary(attempt_id, user_id, round_id, started, accuracy, sequence, [])


def test_identical_sequences_shared_devices_and_addresses_are_found_across_attempts():
    many = [summary(n, n, sequence=42) for n in range(1, 4)] + [summary(9, 9, sequence=7)]
    devices = {1: ["emu"], 2: ["emu"], 3: ["emu"], 9: ["own-phone"]}
    addresses = {n: ["10.0.0.1"] for n in (1, 2, 3, 9)}
    cross_findings(many, devices=devices, addresses=addresses, registrations=[], th=TH)
    assert {f.code: f.params for f in many[0].findings} == {"same_sequence": {"entrants": 3},
                                                             "shared_device": {"entrants": 3}}
    assert many[3].findings == []  # four on one address is a school, not a signal (40 by default)


def test_two_tabs_or_two_attempts_of_one_entrant_are_not_a_shared_device():
    same = [summary(1, 5), summary(2, 5), summary(3, 5)]
    cross_findings(same, devices={1: ["d"], 2: ["d"], 3: ["d"]}, addresses={}, registrations=[], th=TH)
    assert all(s.findings == [] for s in same)


def test_registration_bursts_are_counted_per_address_within_the_window():
    burst = [(n, "1.2.3.4", 100.0 + 30 * n) for n in range(12)]  # 12 in 6 minutes
    spread = [(100 + n, "1.2.3.4", 100_000.0 + 3600 * n) for n in range(12)]
    other = [(200 + n, "5.6.7.8", 100.0 + n) for n in range(9)]  # 9: below the bar
    found = registration_bursts(burst + spread + other, TH)
    assert set(found) == set(range(12)) and found[0] == 12


def test_an_accuracy_jump_marks_the_later_attempt_only():
    attempts = [summary(1, 5, accuracy=0.2, started=1), summary(2, 5, accuracy=0.95, started=2),
                summary(3, 6, accuracy=0.5, started=1), summary(4, 6, accuracy=0.8, started=2)]
    assert accuracy_jumps(attempts, TH) == {2: (0.2, 0.95)}


def test_thresholds_take_a_contests_overrides_with_their_types():
    th = Thresholds.with_overrides({"fast_answers": "7", "regular_cv": "0.3", "unknown": 1})
    assert (th.fast_answers, th.regular_cv, th.flag_strength) == (7, 0.3, 1.0)
    assert isinstance(th.fast_answers, int)
