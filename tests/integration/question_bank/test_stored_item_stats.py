"""Stored item statistics: computing and replacing a round's rows, the closed-round hook, the question page's
bounded queries, the round pages and "Compute now" with who may use it. The round is the hand-made ``case`` of
``test_item_stats_pages.py``."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, insert, select, text

from contest.accounts.models import Role, StaffRole
from contest.attempts.models import Answer, Attempt, Status
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.rounds.models import OrganiserContest
from question_bank import stored_stats
from question_bank.models import RoundItemStat
from question_bank.round_stats import round_item_stats
from question_bank.stored_stats import (
    LOCK_SPACE,
    refresh_closed_rounds,
    refresh_round_stats,
    rounds_due,
    start_closed_round_refresh,
    stored_round_stats,
)
from tests.factories import make_user
from tests.integration.question_bank import test_item_stats_pages as pages
from tests.integration.rounds.conftest import log_in

SWEEP_S = 5.0
# the fixtures of the hand-made round
case, closed, english, add_attempt = pages.case, pages.closed, pages.english, pages.add_attempt


def rows_of(session, round_id):
    return session.scalars(select(RoundItemStat).where(RoundItemStat.round_id == round_id)
                           .order_by(RoundItemStat.question_id)).all()


def close(session, round_, ago: timedelta) -> None:
    """Move the round's window so that it closed ``ago`` before now."""
    round_.opens_at = utcnow() - ago - timedelta(days=1)
    round_.closes_at = utcnow() - ago
    session.commit()


def finish_in_progress(session, round_) -> None:
    for attempt in session.scalars(select(Attempt).where(Attempt.round_id == round_.id,
                                                         Attempt.status == Status.IN_PROGRESS)):
        attempt.status, attempt.score, attempt.finished_at = Status.EXPIRED, 0, utcnow()
    session.commit()


def many_attempts(session, round_, count: int) -> None:
    """``count`` more submitted attempts (one entrant, numbered on), each with two answers, in two statements."""
    paper = session.scalars(select(Attempt.paper).where(Attempt.round_id == round_.id)).first()
    user = make_user(session)
    now = utcnow()
    ids = session.scalars(insert(Attempt).returning(Attempt.id), [
        {"round_id": round_.id, "user_id": user.id, "number": 10 + i, "status": Status.SUBMITTED, "paper": paper,
         "started_at": now - timedelta(minutes=5), "deadline": now, "finished_at": now, "score": i % 3,
         "max_score": 2, "duration_ms": 1000} for i in range(count)]).all()
    session.execute(insert(Answer), [{"attempt_id": attempt_id, "slot": slot, "choice": [("B", "A")[slot]], "seq": 1,
                                      "answered_at": now} for attempt_id in ids for slot in (0, 1)])
    session.commit()


def test_stored_rows_equal_the_computation(db_session, case, closed):
    round_id = case["round"].id
    now = utcnow()
    assert refresh_round_stats(db_session, round_id, now) == 2
    computed = {qid: stats.summary() for qid, stats in round_item_stats(db_session, round_id).items()}
    assert stored_round_stats(db_session, round_id) == computed  # exactly, floats and shares included
    rows = rows_of(db_session, round_id)
    assert [row.question_id for row in rows] == [case["single"].id, case["multiple"].id]
    single = rows[0]
    assert (single.n, single.facility, single.no_answer_share) == (5, 0.4, 0.2)
    assert single.option_shares == {"A": 0.2, "B": 0.4, "C": 0.2, "D": 0.0} and single.correct_keys == ["B"]
    assert {row.computed_at for row in rows} == {now}
    assert rows_of(db_session, case["other"].id) == []  # other rounds untouched


def test_a_small_chunk_and_a_pause_give_the_same_rows(db_session, case, closed):
    pauses = []
    refresh_round_stats(db_session, case["round"].id, utcnow(), chunk=2, pause=lambda: pauses.append(1))
    assert len(pauses) == 3  # 5 finalised attempts, 2 a chunk
    assert stored_round_stats(db_session, case["round"].id) == {
        qid: stats.summary() for qid, stats in round_item_stats(db_session, case["round"].id).items()}


def test_refresh_replaces_the_rounds_rows(db_session, case):
    round_id = case["round"].id
    first = utcnow() - timedelta(minutes=1)
    refresh_round_stats(db_session, round_id, first)
    stale = RoundItemStat(round_id=round_id, question_id=case["unused"].id, n=9, option_shares={}, correct_keys=[],
                          computed_at=first)
    db_session.add(stale)
    db_session.commit()
    add_attempt(db_session, case["round"], _paper(db_session, case["round"]), ("B", "AC"))
    db_session.commit()
    later = utcnow()
    assert refresh_round_stats(db_session, round_id, later) == 2
    rows = rows_of(db_session, round_id)
    assert [(row.question_id, row.n, row.computed_at) for row in rows] == [
        (case["single"].id, 6, later), (case["multiple"].id, 6, later)]  # the stray row is gone


def _paper(session, round_):
    return session.scalars(select(Attempt.paper).where(Attempt.round_id == round_.id)).first()


def test_unknown_round(db_session, case):
    with pytest.raises(DomainError) as raised:
        refresh_round_stats(db_session, 999999, utcnow())
    assert raised.value.code == "not_found"


def test_the_closed_round_hook_computes_once(db_session, case):
    round_ = case["round"]
    now = utcnow()
    assert rounds_due(db_session, now, sweep_s=SWEEP_S) == []  # open
    close(db_session, round_, timedelta(seconds=2))
    assert refresh_closed_rounds(db_session, utcnow(), sweep_s=SWEEP_S) == []  # within grace + sweep
    close(db_session, round_, timedelta(minutes=1))
    assert refresh_closed_rounds(db_session, utcnow(), sweep_s=SWEEP_S) == []  # an attempt is still in progress
    finish_in_progress(db_session, round_)
    now = utcnow()
    assert refresh_closed_rounds(db_session, now, sweep_s=SWEEP_S) == [round_.id]
    assert stored_round_stats(db_session, round_.id)[case["single"].id].n == 6
    assert {row.computed_at for row in rows_of(db_session, round_.id)} == {now}
    assert refresh_closed_rounds(db_session, utcnow(), sweep_s=SWEEP_S) == []  # and not again
    assert {row.computed_at for row in rows_of(db_session, round_.id)} == {now}


def test_rows_computed_before_the_close_are_computed_again(db_session, case):
    round_ = case["round"]
    finish_in_progress(db_session, round_)
    refresh_round_stats(db_session, round_.id, utcnow() - timedelta(hours=2))  # "Compute now" while open
    close(db_session, round_, timedelta(minutes=1))
    assert rounds_due(db_session, utcnow(), sweep_s=SWEEP_S) == [round_.id]
    assert refresh_closed_rounds(db_session, utcnow(), sweep_s=SWEEP_S) == [round_.id]
    assert rounds_due(db_session, utcnow(), sweep_s=SWEEP_S) == []


def test_a_closed_round_without_finished_attempts_is_not_due(db_session, case):
    from tests.integration.attempts.conftest import make_round

    empty = make_round(db_session)
    close(db_session, empty, timedelta(hours=1))
    assert rounds_due(db_session, utcnow(), sweep_s=SWEEP_S) == []


def test_the_sweeper_hook_runs_one_at_a_time_and_logs_failures(app, monkeypatch, caplog):
    started, release = threading.Event(), threading.Event()

    def slow(session, now, **kwargs):
        started.set()
        release.wait(5)
        raise RuntimeError("boom")

    monkeypatch.setattr(stored_stats, "refresh_closed_rounds", slow)
    with caplog.at_level(logging.ERROR, logger="question_bank.stored_stats"):
        thread = start_closed_round_refresh(app, SWEEP_S)
        assert thread is not None and started.wait(5)
        assert start_closed_round_refresh(app, SWEEP_S) is None  # one is running
        release.set()
        thread.join(5)
    assert "item statistics of closed rounds failed" in caplog.text
    monkeypatch.setattr(stored_stats, "refresh_closed_rounds", lambda session, now, **kwargs: [])
    again = start_closed_round_refresh(app, SWEEP_S)
    assert again is not None
    again.join(5)


@pytest.mark.postgres
def test_another_process_computing_the_round_is_left_alone(db_session, case):
    assert db_session.get_bind().dialect.name == "postgresql", "advisory locks are PostgreSQL's: set DATABASE_URL"
    finish_in_progress(db_session, case["round"])
    close(db_session, case["round"], timedelta(minutes=1))
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(:s, :r)"), {"s": LOCK_SPACE, "r": case["round"].id})
        with pytest.raises(DomainError) as raised:
            refresh_round_stats(db_session, case["round"].id, utcnow())
        assert raised.value.code == "busy"
        assert refresh_closed_rounds(db_session, utcnow(), sweep_s=SWEEP_S) == []
        other.execute(text("SELECT pg_advisory_unlock(:s, :r)"), {"s": LOCK_SPACE, "r": case["round"].id})
        other.commit()
    assert refresh_closed_rounds(db_session, utcnow(), sweep_s=SWEEP_S) == [case["round"].id]


def count_statements(client, session, url: str) -> int:
    """Statements of one request, its objects not cached (the test's session is shared with the requests)."""
    session.expire_all()
    seen = []

    def on_execute(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO")):  # the test's transaction
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    return len(seen)


def test_the_question_page_makes_a_bounded_number_of_queries(client, db_session, case, closed):
    log_in(client, make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email="stats@example.org"))
    url = f"/organiser/bank/{case['single'].id}"
    for round_ in (case["round"], case["other"]):
        refresh_round_stats(db_session, round_.id, utcnow())
    small = count_statements(client, db_session, url)
    many_attempts(db_session, case["round"], 2500)  # three chunks of the streaming computation
    many_attempts(db_session, case["other"], 1200)
    refresh_round_stats(db_session, case["round"].id, utcnow())
    refresh_round_stats(db_session, case["other"].id, utcnow())
    assert db_session.scalar(select(func.count()).select_from(Attempt)) > 3700
    large = count_statements(client, db_session, url)
    # user, question, revisions, topic, the organiser's contests, the stored rows, the live rounds (key rule)
    assert large == small <= 7
    page = client.get(url).get_data(as_text=True)
    assert "<td>2505</td>" in page and "<td>1201</td>" in page


def organiser(session, email="stats@example.org", contest_id=None):
    user = make_user(session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email=email)
    if contest_id is not None:
        session.add(OrganiserContest(user_id=user.id, contest_id=contest_id))
        session.commit()
    return user


def test_compute_now_on_the_round_page(client, db_session, case, closed):
    round_id = case["round"].id
    log_in(client, organiser(db_session))
    page = client.get(f"/organiser/bank/stats/{round_id}").get_data(as_text=True)
    assert "Compute now" in page and "it may take a while for a big round" in page
    assert "Not computed yet" in page and f"/organiser/bank/stats/{round_id}.csv" not in page
    response = client.post(f"/organiser/bank/stats/{round_id}/refresh")
    assert response.status_code == 302 and response.location.endswith(f"/organiser/bank/stats/{round_id}")
    assert len(rows_of(db_session, round_id)) == 2
    page = client.get(f"/organiser/bank/stats/{round_id}").get_data(as_text=True)
    assert "Statistics computed for 2 questions." in page and "Computed " in page
    assert "<td>5</td><td>40.0%</td>" in page and f"/organiser/bank/stats/{round_id}.csv" in page
    listing = client.get("/organiser/bank/stats/").get_data(as_text=True)
    assert "2 questions" in listing and "not computed yet" in listing  # the other round
    assert client.get(f"/organiser/bank/stats/{round_id}/refresh").status_code == 405
    assert client.post("/organiser/bank/stats/999999/refresh").status_code == 404
    assert client.get("/organiser/bank/stats/999999").status_code == 404


def test_compute_now_is_for_organisers_of_the_contest(client, db_session, case):
    url = f"/organiser/bank/stats/{case['round'].id}/refresh"
    assert client.post(url).status_code in (302, 401)
    assert rows_of(db_session, case["round"].id) == []
    log_in(client, make_user(db_session, phone="0911111111"))
    assert client.post(url).status_code == 403
    assert client.get(f"/organiser/bank/stats/{case['round'].id}").status_code == 403

    log_in(client, organiser(db_session, "limited@example.org", case["other"].contest_id))
    assert client.post(url).status_code == 403
    assert client.get(f"/organiser/bank/stats/{case['round'].id}").status_code == 403
    assert rows_of(db_session, case["round"].id) == []
    assert client.post(f"/organiser/bank/stats/{case['other'].id}/refresh").status_code == 302
    assert len(rows_of(db_session, case["other"].id)) == 2
    listing = client.get("/organiser/bank/stats/").get_data(as_text=True)
    assert f"/organiser/bank/stats/{case['other'].id}\"" in listing
    assert f"/organiser/bank/stats/{case['round'].id}\"" not in listing


def test_compute_now_needs_the_csrf_token(app, client, db_session, case):
    log_in(client, organiser(db_session))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/organiser/bank/stats/{case['round'].id}/refresh").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert rows_of(db_session, case["round"].id) == []


def test_exports_read_the_stored_rows(client, db_session, case):
    round_id = case["round"].id
    log_in(client, organiser(db_session))
    assert client.get(f"/organiser/bank/stats/{round_id}.csv").status_code == 200  # computed and stored
    stored_at = {row.computed_at for row in rows_of(db_session, round_id)}
    assert len(stored_at) == 1
    add_attempt(db_session, case["round"], _paper(db_session, case["round"]), ("B", "AC"))
    db_session.commit()
    csv_text = client.get(f"/organiser/bank/stats/{round_id}.csv").get_data().decode("utf-8-sig")
    assert csv_text.splitlines()[1].split(",")[4] == "5"  # the stored rows, not the 6 attempts now
    assert {row.computed_at for row in rows_of(db_session, round_id)} == stored_at


def test_cli_refresh(app, db_session, case, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bank", "stats", str(case["round"].id), "--refresh"])
    assert result.exit_code == 0, result.output
    assert "statistics of 2 question(s) computed and stored" in result.output
    assert len(rows_of(db_session, case["round"].id)) == 2
    path = tmp_path / "s.csv"
    both = runner.invoke(args=["bank", "stats", str(case["round"].id), str(path), "--refresh"])
    assert both.exit_code == 0 and "written to" in both.output and path.exists()
    bare = runner.invoke(args=["bank", "stats", str(case["round"].id)])
    assert bare.exit_code == 1 and "or pass --refresh" in bare.output
    missing = runner.invoke(args=["bank", "stats", "999999", "--refresh"])
    assert missing.exit_code == 1 and "there is no round 999999" in missing.output

