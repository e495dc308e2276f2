from __future__ import annotations

import pytest

from contest.accounts.logins import open_login
from contest.accounts.models import Role
from contest.db import utcnow
from contest.extensions import db
from contest.rounds.pages import LIVE_EXTENSION
from tests.factories import make_user


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so tests read the msgids (the Vietnamese catalog is filled in separately)."""
    client.set_cookie("lang", "en")


@pytest.fixture(autouse=True)
def fresh_live_counts(app):
    """The live view memoises counts per round id, and ids repeat after each test's rollback."""
    app.extensions.pop(LIVE_EXTENSION, None)
    yield
    app.extensions.pop(LIVE_EXTENSION, None)


def log_in(client, user) -> None:
    """Flask-Login's session for a new login of ``user`` (as ``login_user`` leaves it), without hashing a password."""
    token = open_login(db.session, user, now=utcnow())
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


@pytest.fixture
def organiser(db_session):
    user = make_user(db_session, role=Role.ORGANISER, email="org@example.org", full_name="Tổ chức")
    db_session.commit()
    return user


@pytest.fixture
def admin(db_session):
    user = make_user(db_session, role=Role.ADMIN, email="admin@example.org", full_name="Quản trị")
    db_session.commit()
    return user
