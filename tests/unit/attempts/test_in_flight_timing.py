"""The deadline of an attempt after its round's changes in flight (``timing.adjusted_deadline``) and what the
round's adjustments owe an entrant (``allowances.owed``): pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from contest.attempts.allowances import Grant, owed
from contest.attempts.timing import Pause, accepts_answers, adjusted_deadline, deadline_for, duration_ms

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
CLOSE = T0 + timedelta(hours=2)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_without_changes_it_is_the_ordinary_deadline():
    assert adjusted_deadline(T0, 600, CLOSE, grace_s=5) == deadline_for(T0, 600, CLOSE) == at(10)
    assert adjusted_deadline(T0, 600, at(4), grace_s=5) == at(4)


def test_a_pause_during_the_attempt_moves_it_by_its_length():
    assert adjusted_deadline(T0, 600, CLOSE, grace_s=5, pauses=[Pause(at(3), at(8))]) == at(15)
    # two pauses, the second one reached only because the first moved the deadline
    assert adjusted_deadline(T0, 600, CLOSE, grace_s=5, pauses=[Pause(at(12), at(13)), Pause(at(3), at(8))]) \
        == at(16)


def test_a_pause_before_the_start_or_after_the_time_was_over_takes_nothing():
    assert adjusted_deadline(at(5), 600, CLOSE, grace_s=5, pauses=[Pause(at(1), at(4))]) == at(15)
    assert adjusted_deadline(T0, 600, CLOSE, grace_s=5, pauses=[Pause(at(11), at(20))]) == at(10)
    # within the grace the entrant could still answer: the pause took that from them
    grace_pause = Pause(at(10) + timedelta(seconds=4), at(12))
    assert adjusted_deadline(T0, 600, CLOSE, grace_s=5, pauses=[grace_pause]) == at(12) - timedelta(seconds=4)


def test_the_close_caps_before_extra_time_and_pauses_are_added():
    # a later close gives back what the old one cut; extra time comes on top of the cap
    assert adjusted_deadline(T0, 600, at(6), grace_s=5) == at(6)
    assert adjusted_deadline(T0, 600, at(30), grace_s=5) == at(10)
    assert adjusted_deadline(T0, 600, at(6), grace_s=5, extra_s=120) == at(8)
    assert adjusted_deadline(T0, 600, at(6), grace_s=5, extra_s=120, pauses=[Pause(at(7), at(9))]) == at(10)


def test_the_time_taken_leaves_out_the_pauses():
    pauses = [Pause(at(3), at(8)), Pause(at(30), at(40))]
    assert duration_ms(T0, at(12), at(15), pauses) == 7 * 60_000
    assert duration_ms(T0, at(20), at(15), pauses) == 10 * 60_000  # at the deadline at most
    assert duration_ms(at(9), at(12), at(19), pauses) == 3 * 60_000  # started after the pause
    assert duration_ms(T0, at(12), at(15)) == 12 * 60_000


def test_grants_cover_the_entrant_or_their_units_subtree():
    grants = [Grant(7, None, 60), Grant(None, 4, 120), Grant(None, 5, 300), Grant(8, None, 1)]
    assert owed(grants, 7, "/1/4/9/") == 180  # their own and their district's
    assert owed(grants, 9, "/1/4/") == 120
    assert owed(grants, 9, "/1/14/") == 0  # /14/ is not /4/
    assert owed(grants, 7, None) == 60


times = st.integers(min_value=0, max_value=240 * 60)  # seconds after T0
pause_lists = st.lists(st.tuples(times, st.integers(min_value=1, max_value=3600)), max_size=5)


def separate(raw: list[tuple[int, int]]) -> list[Pause]:
    """Pauses one after the other, as a round has them (a pause ends before the next begins)."""
    pauses, cursor = [], T0
    for gap, length in sorted(raw):
        start = max(cursor, T0 + timedelta(seconds=gap))
        pauses.append(Pause(start, start + timedelta(seconds=length)))
        cursor = start + timedelta(seconds=length)
    return pauses


@settings(deadline=None)  # pure arithmetic, but the machine is shared: no flaky timing
@given(start=times, limit=st.integers(min_value=1, max_value=7200), close=times, grace=st.integers(0, 60),
       extra=st.integers(0, 3600), raw=pause_lists)
def test_resuming_one_pause_at_a_time_agrees_with_the_whole_history(start, limit, close, grace, extra, raw):
    """The service recomputes from every pause so far; stepping through them (each resume moving a deadline that
    was still taking answers when the pause began) gives the same deadline."""
    started = T0 + timedelta(seconds=start)
    closes = started + timedelta(seconds=close + 1)
    pauses = [p for p in separate(raw) if p.start >= started]
    stepped = adjusted_deadline(started, limit, closes, grace_s=grace, extra_s=extra)
    for index, pause in enumerate(pauses):
        if accepts_answers(pause.start, stepped, grace):
            stepped += pause.end - pause.start
        assert stepped == adjusted_deadline(started, limit, closes, grace_s=grace, extra_s=extra,
                                            pauses=pauses[:index + 1])


@settings(deadline=None)  # pure arithmetic, but the machine is shared: no flaky timing
@given(start=times, limit=st.integers(min_value=1, max_value=7200), close=times, grace=st.integers(0, 60),
       extra=st.integers(0, 3600), more=st.integers(0, 3600), later=st.integers(0, 7200), raw=pause_lists)
def test_changes_in_flight_never_take_time_away(start, limit, close, grace, extra, more, later, raw):
    started = T0 + timedelta(seconds=start)
    closes = started + timedelta(seconds=close + 1)
    pauses = separate(raw)
    before = adjusted_deadline(started, limit, closes, grace_s=grace, extra_s=extra, pauses=pauses)
    assert before >= deadline_for(started, limit, closes)
    assert adjusted_deadline(started, limit, closes, grace_s=grace, extra_s=extra + more, pauses=pauses) >= before
    assert adjusted_deadline(started, limit, closes + timedelta(seconds=later), grace_s=grace, extra_s=extra,
                             pauses=pauses) >= before
    assert adjusted_deadline(started, limit, closes, grace_s=grace, extra_s=extra, pauses=pauses[:-1]) <= before


@settings(deadline=None)
@given(start=times, limit=st.integers(min_value=1, max_value=7200), close=times, extra=st.integers(0, 3600),
       raw=pause_lists)
def test_an_attempt_run_to_its_deadline_had_its_whole_time_whatever_the_pauses(start, limit, close, extra, raw):
    """Without grace: the time taken up to the moved deadline, pauses left out, is the time the entrant was owed."""
    started = T0 + timedelta(seconds=start)
    closes = started + timedelta(seconds=close + 1)
    pauses = separate(raw)
    deadline = adjusted_deadline(started, limit, closes, grace_s=0, extra_s=extra, pauses=pauses)
    owed_ms = (deadline_for(started, limit, closes) + timedelta(seconds=extra) - started).total_seconds() * 1000
    assert duration_ms(started, deadline, deadline, pauses) == round(owed_ms)
