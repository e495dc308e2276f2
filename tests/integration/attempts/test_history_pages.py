"""The entrant's side: their rounds with best results, the result and review pages, and who may see them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from contest.attempts import history
from contest.attempts.history import AttemptSummary, best_attempt
from contest.attempts.models import Attempt, Status
from contest.db import utcnow
from contest.errors import DomainError
from contest.rounds.models import Review
from tests.factories import PASSWORD
from tests.integration.attempts.conftest import correct_labels, make_round, take_attempt


def _close(session, round_) -> None:
    round_.opens_at = utcnow() - timedelta(days=2)
    round_.closes_at = utcnow() - timedelta(minutes=1)
    session.commit()


def _summary(n, score, duration, finished_minute, status="submitted"):
    return AttemptSummary(n, n, status, score, 10, duration, datetime(2025, 1, 1, tzinfo=UTC),
                          datetime(2025, 1, 1, 0, finished_minute, tzinfo=UTC))


def test_best_attempt_is_highest_score_then_shortest_then_earliest():
    attempts = [_summary(1, 7, 1000, 5), _summary(2, 9, 9000, 9), _summary(3, 9, 8000, 8), _summary(4, 9, 8000, 7),
                _summary(5, 10, 1, 1, status="in_progress")]
    assert best_attempt(attempts).id == 4
    assert best_attempt([_summary(1, None, None, 1, status="in_progress")]) is None
    assert best_attempt([]) is None


def test_entrant_rounds_groups_and_counts(db_session, rt, world):
    alice, open_round = world["alice"], world["round"]
    upcoming = make_round(db_session, opens_delta=timedelta(days=1), days=3)
    closed = make_round(db_session, attempts=1)
    first = take_attempt(db_session, rt, alice, open_round, right=2)
    second = take_attempt(db_session, rt, alice, open_round, right=4)
    take_attempt(db_session, rt, alice, closed, right=1)
    _close(db_session, closed)
    take_attempt(db_session, rt, world["bob"], open_round, right=5)  # someone else's best is not Alice's

    listed = history.entrant_rounds(db_session, user_id=alice.id, now=utcnow())
    assert [r.id for r in listed.open] == [open_round.id]
    assert [r.id for r in listed.upcoming] == [upcoming.id]
    assert [r.id for r in listed.done] == [closed.id]
    mine = listed.open[0]
    assert (mine.attempts_used, mine.attempts_allowed, mine.can_start, mine.in_progress) == (2, 2, False, None)
    assert mine.best.id == second and mine.best.score == 4 and first in [a.id for a in mine.attempts]
    assert listed.upcoming[0].can_start is False and listed.upcoming[0].best is None
    assert listed.done[0].best.score == 1 and listed.done[0].can_start is False


def test_an_attempt_in_progress_is_offered_to_continue(db_session, rt, world):
    attempt_id = take_attempt(db_session, rt, world["alice"], world["round"], right=1, submit=False)
    mine = history.entrant_rounds(db_session, user_id=world["alice"].id, now=utcnow()).open[0]
    assert mine.in_progress == attempt_id and mine.can_start and mine.best is None
    # past its deadline and grace it is no longer offered (the sweeper finalises it)
    later = utcnow() + timedelta(minutes=11)
    assert history.entrant_rounds(db_session, user_id=world["alice"].id, now=later).open[0].in_progress is None


def test_review_waits_for_the_close_by_default(db_session, rt, world):
    attempt_id = take_attempt(db_session, rt, world["alice"], world["round"], right=3)
    with pytest.raises(DomainError) as refused:
        history.attempt_review(db_session, rt, user_id=world["alice"].id, attempt_id=attempt_id, now=utcnow())
    assert refused.value.code == "review_closed"
    assert str(refused.value.message) == "Đáp án đúng được công bố sau khi vòng thi đóng."

    _close(db_session, world["round"])
    review = history.attempt_review(db_session, rt, user_id=world["alice"].id, attempt_id=attempt_id, now=utcnow())
    assert [q.number for q in review] == [1, 2, 3, 4, 5]
    assert [q.right for q in review] == [True, True, True, False, False]
    assert [q.answered for q in review] == [True, True, True, False, False]
    labels = correct_labels(db_session, attempt_id)
    for question, correct in zip(review, labels, strict=True):
        assert sorted(o.label for o in question.options if o.correct) == correct
        assert question.text.startswith("Câu hỏi")
    assert [o.label for o in review[0].options if o.chosen] == labels[0]


@pytest.mark.parametrize(("policy", "open_now"), [(Review.AFTER_SUBMIT, True), (Review.NEVER, False)])
def test_review_policies(db_session, rt, world, policy, open_now):
    world["round"].review = policy
    db_session.commit()
    attempt_id = take_attempt(db_session, rt, world["alice"], world["round"])
    result = history.attempt_result(db_session, user_id=world["alice"].id, attempt_id=attempt_id, now=utcnow())
    assert result.review_open is open_now and (result.review_message == "") is open_now
    _close(db_session, world["round"])
    result = history.attempt_result(db_session, user_id=world["alice"].id, attempt_id=attempt_id, now=utcnow())
    assert result.review_open is open_now


def test_no_review_of_an_attempt_in_progress_even_after_submit_policy(db_session, rt, world):
    world["round"].review = Review.AFTER_SUBMIT
    db_session.commit()
    attempt_id = take_attempt(db_session, rt, world["alice"], world["round"], submit=False)
    with pytest.raises(DomainError):
        history.attempt_review(db_session, rt, user_id=world["alice"].id, attempt_id=attempt_id, now=utcnow())


def test_others_attempts_are_refused(db_session, rt, world):
    bobs = take_attempt(db_session, rt, world["bob"], world["round"])
    with pytest.raises(DomainError) as refused:
        history.attempt_result(db_session, user_id=world["alice"].id, attempt_id=bobs, now=utcnow())
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError) as missing:
        history.owned_attempt(db_session, user_id=world["alice"].id, attempt_id=bobs + 999)
    assert missing.value.code == "not_found"


# ------------------------------------------------------------------ pages


@pytest.fixture
def alice_client(client, world):
    assert client.post("/api/session", json={"login": "0911111111", "password": PASSWORD}).json["ok"]
    return client


def test_pages_need_a_login(client, world):
    for path in ("/rounds", f"/rounds/{world['round'].id}/play", "/attempts/1/result", "/attempts/1/review"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_rounds_page_lists_and_links(alice_client, db_session, rt, world):
    page = alice_client.get("/rounds").get_data(as_text=True)
    assert world["round"].title in page and f'href="/rounds/{world["round"].id}/play"' in page
    assert 'href="/rounds"' in page  # the header link
    attempt_id = take_attempt(db_session, rt, world["alice"], world["round"], right=2)
    page = alice_client.get("/rounds").get_data(as_text=True)
    assert f'href="/attempts/{attempt_id}/result"' in page and "2/5" in page
    assert 'href="/rounds"' in alice_client.get("/account").get_data(as_text=True)


def test_play_page_carries_what_the_script_needs(alice_client, db_session, rt, world):
    round_id = world["round"].id
    page = alice_client.get(f"/rounds/{round_id}/play").get_data(as_text=True)
    assert f'data-round-id="{round_id}"' in page and 'data-attempt-id=""' in page
    assert "/static/vendor/socket.io/socket.io.min.js" in page and "/static/js/attempt.js" in page
    assert 'aria-live="polite"' in page and 'data-result-url="/attempts/{id}/result"' in page
    assert 'data-api="/api"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # every asset from this server, none from a CDN
    attempt_id = take_attempt(db_session, rt, world["alice"], world["round"], submit=False)
    page = alice_client.get(f"/rounds/{round_id}/play").get_data(as_text=True)
    assert f'data-attempt-id="{attempt_id}"' in page


def test_play_page_sends_back_when_the_round_is_not_open_or_used_up(alice_client, db_session, rt, world):
    round_ = world["round"]
    for _ in range(round_.attempts_allowed):
        take_attempt(db_session, rt, world["alice"], round_)
    response = alice_client.get(f"/rounds/{round_.id}/play")
    assert response.status_code == 302 and response.headers["Location"].endswith("/rounds")
    _close(db_session, round_)
    assert alice_client.get(f"/rounds/{round_.id}/play").status_code == 302
    assert alice_client.get("/rounds/999999/play").status_code == 404


def test_result_and_review_pages(alice_client, db_session, rt, world):
    attempt_id = take_attempt(db_session, rt, world["alice"], world["round"], right=3)
    result = alice_client.get(f"/attempts/{attempt_id}/result")
    assert result.status_code == 200 and "3/5" in result.get_data(as_text=True)
    review = alice_client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert 'id="review-closed"' in review and "Phương án" not in review  # no answer key while open

    _close(db_session, world["round"])
    review = alice_client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert 'id="review-closed"' not in review and review.count('class="card review-question') == 5
    assert "Phương án" in review and review.count("review-question right") == 3
    assert f'href="/attempts/{attempt_id}/review"' in alice_client.get(f"/attempts/{attempt_id}/result").get_data(
        as_text=True)


def test_an_attempt_in_progress_has_no_result_page_yet(alice_client, db_session, rt, world):
    attempt_id = take_attempt(db_session, rt, world["alice"], world["round"], submit=False)
    response = alice_client.get(f"/attempts/{attempt_id}/result")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rounds/{world['round'].id}/play")


def test_foreign_and_unknown_attempt_pages_are_refused(alice_client, db_session, rt, world):
    bobs = take_attempt(db_session, rt, world["bob"], world["round"], right=5)
    _close(db_session, world["round"])
    for page in ("result", "review"):
        assert alice_client.get(f"/attempts/{bobs}/{page}").status_code == 403
        assert alice_client.get(f"/attempts/{bobs + 1000}/{page}").status_code == 404
    assert db_session.get(Attempt, bobs).status == Status.SUBMITTED
