from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contest.attempts.payloads import answer_payload
from contest.attempts.timing import accepts_answers, deadline_for, duration_ms
from contest.realtime.flood import FloodGuard
from contest.web import BadPayload, too_large

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_deadline_is_capped_by_the_round_close():
    assert deadline_for(T0, 600, T0 + timedelta(hours=1)) == T0 + timedelta(minutes=10)
    assert deadline_for(T0, 600, T0 + timedelta(minutes=4)) == T0 + timedelta(minutes=4)


def test_answers_are_taken_until_deadline_plus_grace():
    deadline = T0 + timedelta(minutes=10)
    assert accepts_answers(deadline + timedelta(seconds=5), deadline, 5)
    assert not accepts_answers(deadline + timedelta(seconds=5, microseconds=1), deadline, 5)


def test_duration_counts_a_late_submit_as_at_the_deadline():
    deadline = T0 + timedelta(minutes=10)
    assert duration_ms(T0, T0 + timedelta(seconds=83, milliseconds=250), deadline) == 83_250
    assert duration_ms(T0, deadline + timedelta(seconds=3), deadline) == 600_000


@pytest.mark.parametrize("payload, field", [
    ({"slot": 0, "choice": ["A"], "seq": 1}, "attempt_id"),
    ({"attempt_id": "7", "slot": 0, "choice": ["A"], "seq": 1}, "attempt_id"),
    ({"attempt_id": True, "slot": 0, "choice": ["A"], "seq": 1}, "attempt_id"),
    ({"attempt_id": 7, "slot": -1, "choice": ["A"], "seq": 1}, "slot"),
    ({"attempt_id": 7, "slot": 0, "choice": "A", "seq": 1}, "choice"),
    ({"attempt_id": 7, "slot": 0, "choice": [1], "seq": 1}, "choice"),
    ({"attempt_id": 7, "slot": 0, "choice": ["A" * 1000], "seq": 1}, "choice"),
    ({"attempt_id": 7, "slot": 0, "choice": ["A"] * 9, "seq": 1}, "choice"),
    ({"attempt_id": 7, "slot": 0, "choice": ["A"], "seq": 2**60}, "seq"),
    ({"attempt_id": 7, "slot": 0, "choice": ["A"], "seq": 1.5}, "seq"),
])
def test_malformed_answers_name_the_bad_field(payload, field):
    with pytest.raises(BadPayload) as error:
        answer_payload(payload)
    assert error.value.field == field


def test_flood_guard_allows_a_burst_then_the_rate():
    guard = FloodGuard(rate=2, burst=5)
    assert all(guard.allow("s", now=100.0) for _ in range(5))
    assert not guard.allow("s", now=100.0)
    assert guard.allow("s", now=100.5) and not guard.allow("s", now=100.5)
    assert guard.allow("other", now=100.0)


def test_payload_size_is_bounded_without_walking_everything():
    assert not too_large({"attempt_id": 7, "slot": 0, "choice": ["A", "B"], "seq": 12}, 100)
    assert too_large({"note": "x" * 101}, 100)
    assert too_large({"deep": [[["y" * 60]], {"k" * 50: 1}]}, 100)
    assert too_large(list(range(1000)), 100)
