"""The device of a client (contest.attempts.devices) and the device check of an answer (``checked_choice``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contest.attempts.devices import coarse_agent, device_of, sent_device
from contest.attempts.paper import Slot
from contest.attempts.payloads import AnswerPayload
from contest.attempts.service import checked_choice
from contest.attempts.state import AttemptState
from contest.errors import DomainError

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_a_well_formed_id_is_kept_and_anything_else_is_one_device_per_login():
    assert device_of("a1B2c3D4-_", 7) == "a1B2c3D4-_"
    for bad in (None, "", "short", "x" * 65, "has space1", "login:7", 12345678, ["abcdefgh"]):
        assert device_of(bad, 7) == "login:7"
        assert sent_device(bad) is None


@pytest.mark.parametrize(("agent", "coarse"), [
    ("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36", "Android Chrome"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Safari/604.1",
     "iPhone Safari"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36 Edg/120.0", "Windows Edge"),
    ("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36", "headless Chrome"),
    ("python-requests/2.31", "script: Python"),
    ("", "unknown"),
    ("Something/1.0", "other"),
])
def test_the_user_agent_is_named_coarsely(agent, coarse):
    assert coarse_agent(agent) == coarse


def state(device: str | None) -> AttemptState:
    return AttemptState(1, 5, 2, NOW + timedelta(minutes=10), 5, (Slot(question_id=1, revision_id=1, shown=("A", "B"),
                                                                       multiple=False),), device=device)


def test_an_answer_from_another_device_is_refused_and_from_its_own_accepted():
    answer = AnswerPayload(1, 0, ("A",), 1)
    assert checked_choice(state("phone-1234"), user_id=5, answer=answer, now=NOW, device="phone-1234") == ("A",)
    with pytest.raises(DomainError) as refused:
        checked_choice(state("phone-1234"), user_id=5, answer=answer, now=NOW, device="laptop-123")
    assert refused.value.code == "attempt_taken_over"
    # an attempt made before devices were recorded, or a caller that names none, is not judged by device
    assert checked_choice(state(None), user_id=5, answer=answer, now=NOW, device="laptop-123") == ("A",)
    assert checked_choice(state("phone-1234"), user_id=5, answer=answer, now=NOW) == ("A",)
