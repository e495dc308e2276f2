"""Prize fixtures: a contest of closed rounds whose entrants' attempts are made directly (the scores and times a
test chooses), published through the results service, so the prize hook runs as it does in the app."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts.models import Role, StaffRole
from contest.db import utcnow
from contest.leaderboards.results.publish import publish
from contest.rounds.models import Contest, OrganiserContest, Round
from tests.factories import PASSWORD, make_tree, make_user
from tests.integration.leaderboards.conftest import boards, make_attempt, store  # noqa: F401  (fixtures)


def make_contest(session, *, rounds: int = 1, title: str = "Tìm hiểu lịch sử Đoàn") -> tuple[Contest, list[Round]]:
    now = utcnow()
    contest = Contest(title=title, created_at=now)
    made = []
    for number in range(rounds):
        made.append(Round(contest=contest, title=f"Tuần {number + 1}", opens_at=now - timedelta(days=10 - number),
                          closes_at=now + timedelta(days=1), time_limit_s=600, question_count=10,
                          attempts_allowed=1, grace_s=5, created_at=now))
    session.add_all(made)
    session.commit()
    return contest, made


def close(session, round_: Round) -> None:
    round_.closes_at = utcnow() - timedelta(seconds=1)
    session.commit()


def publish_round(session, boards, round_: Round, *, reason: str = ""):  # noqa: F811
    close(session, round_)
    return publish(session, boards, None, round_id=round_.id, actor_id=None, reason=reason, now=utcnow())


def take(session, round_: Round, user, *, score: int, duration_ms: int):
    return make_attempt(session, round_, user, score=score, duration_ms=duration_ms, max_score=10)


def login(client, login_name: str) -> None:
    response = client.post("/api/session", json={"login": login_name, "password": PASSWORD})
    assert response.json["ok"], response.json


def logout(client) -> None:
    assert client.delete("/api/session", json={}).json == {"ok": True}


def organiser(session, *, email: str, contest: Contest | None = None, staff_role: StaffRole = StaffRole.CONTEST,
              scope=None):
    user = make_user(session, role=Role.ORGANISER, email=email, staff_role=staff_role, scope=scope, commit=True)
    if contest is not None:
        session.add(OrganiserContest(user_id=user.id, contest_id=contest.id))
        session.commit()
    return user


@pytest.fixture
def tree(db_session):
    return make_tree(db_session)
