"""The organiser forms of the ranking settings: the tie-break order on a round's results page, the aggregate on the
contest's page; round trips, refusals shown as messages, contest scopes and the CSRF token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest.accounts.models import Role
from contest.db import utcnow
from contest.leaderboards.models import Aggregate, ContestBoard, RankingRule
from contest.rounds.models import Contest, Prediction
from tests.factories import make_user
from tests.integration.leaderboards.test_ranking_settings import closed_league
from tests.integration.leaderboards.test_results import organiser_client


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def options(page: str, select_id: str) -> list[tuple[str, bool]]:
    """``(value, selected)`` of each option of the select."""
    select = page.split(f'<select id="{select_id}"')[1].split("</select>")[0]
    return [(value, bool(selected)) for value, selected in re.findall(r'<option value="([^"]*)"( selected)?>', select)]


def names_on(page: str, table_id: str) -> list[str]:
    table = page.split(f'id="{table_id}"')[1].split("</table>")[0]
    return re.findall(r"<tr><td>\d+</td><td>([^<]*)</td>", table)


def test_tie_break_form_round_trip(client, db_session, boards):
    round_, _ = closed_league(db_session)
    organiser_client(client, db_session)
    url = f"/organiser/rounds/{round_.id}/results"
    page = client.get(url).get_data(as_text=True)
    # No prediction question: only duration and submission time to order.
    assert options(page, "order") == [("duration,submitted", True), ("submitted,duration", False)]
    assert "Time taken → Submission time" in page and 'id="tie-break-lock"' not in page

    response = client.post(f"/organiser/rounds/{round_.id}/tie-breaks", data={"order": "submitted,duration"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert "The tie-break order is saved" in page
    assert options(page, "order") == [("duration,submitted", False), ("submitted,duration", True)]
    assert db_session.get(RankingRule, round_.id).tie_breaks == ["submitted", "duration", "prediction"]
    assert names_on(page, "live-board") == ["Dung", "An", "Bình"]

    client.post(f"/organiser/rounds/{round_.id}/tie-breaks", data={"order": "score,duration"})
    assert "The score always ranks first" in client.get(url).get_data(as_text=True)
    assert db_session.get(RankingRule, round_.id).tie_breaks == ["submitted", "duration", "prediction"]


def test_a_prediction_round_orders_all_three_and_an_open_round_shows_why_not(client, db_session, boards):
    round_, _ = closed_league(db_session)
    round_.prediction = Prediction.FULL_MARKS
    db_session.commit()
    organiser_client(client, db_session)
    url = f"/organiser/rounds/{round_.id}/results"
    page = client.get(url).get_data(as_text=True)
    assert len(options(page, "order")) == 6
    assert ("prediction,duration,submitted", True) in options(page, "order")

    round_.closes_at = utcnow() + timedelta(days=1)
    db_session.commit()
    page = client.get(url).get_data(as_text=True)
    assert 'id="tie-break-lock"' in page and '<select id="order"' not in page
    assert "cannot change from a minute before the round opens until it closes" in page
    client.post(f"/organiser/rounds/{round_.id}/tie-breaks", data={"order": "submitted,duration,prediction"})
    assert db_session.get(RankingRule, round_.id) is None


def test_aggregate_form_round_trip(client, db_session, boards):
    round_, _ = closed_league(db_session)
    organiser_client(client, db_session)
    url = f"/organiser/contests/{round_.contest_id}"
    page = client.get(url).get_data(as_text=True)
    assert options(page, "aggregate") == [("best", True), ("sum", False)]

    response = client.post(f"{url}/aggregate", data={"aggregate": "sum"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert "The contest&#39;s board is saved" in page and options(page, "aggregate") == [("best", False),
                                                                                         ("sum", True)]
    assert db_session.get(ContestBoard, round_.contest_id).aggregate == Aggregate.SUM
    client.post(f"{url}/aggregate", data={"aggregate": "median"})
    assert "Choose the best round or the sum of rounds." in client.get(url).get_data(as_text=True)


def test_only_organisers_of_the_contest_change_its_settings(client, db_session, boards):
    round_, _ = closed_league(db_session)
    tie_breaks, aggregate = (f"/organiser/rounds/{round_.id}/tie-breaks",
                             f"/organiser/contests/{round_.contest_id}/aggregate")
    assert client.post(tie_breaks, data={"order": "submitted"}).status_code == 302  # to the login page
    assert "/login" in client.post(aggregate, data={"aggregate": "sum"}).headers["Location"]

    other = Contest(title="Khác", created_at=utcnow())
    db_session.add(other)
    db_session.commit()
    organiser_client(client, db_session, contest=other)
    assert client.post(tie_breaks, data={"order": "submitted"}).status_code == 403
    assert client.post(aggregate, data={"aggregate": "sum"}).status_code == 403
    assert client.post("/organiser/rounds/999999/tie-breaks", data={"order": "submitted"}).status_code == 404
    assert client.post("/organiser/contests/999999/aggregate", data={"aggregate": "sum"}).status_code == 404
    assert db_session.get(RankingRule, round_.id) is None and db_session.get(ContestBoard, round_.contest_id) is None

    entrant = make_user(db_session, role=Role.ENTRANT, phone="0977777777", commit=True)
    client.delete("/api/session", json={})
    assert client.post("/api/session", json={"login": entrant.phone, "password": "correct-horse"}).json["ok"]
    assert client.post(aggregate, data={"aggregate": "sum"}).status_code == 403


def test_the_forms_carry_a_csrf_token(app, client, db_session, boards):
    round_, _ = closed_league(db_session)
    organiser_client(client, db_session)
    page = client.get(f"/organiser/contests/{round_.contest_id}").get_data(as_text=True)
    token = page.split('id="aggregate-form"')[1].split('name="csrf_token" value="')[1].split('"')[0]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        url = f"/organiser/contests/{round_.contest_id}/aggregate"
        assert client.post(url, data={"aggregate": "sum"}).status_code == 400
        assert client.post(url, data={"aggregate": "sum", "csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db_session.get(ContestBoard, round_.contest_id).aggregate == Aggregate.SUM
