from __future__ import annotations

import pytest

from contest.accounts.models import Role, StaffRole
from question_bank import pages as views
from tests.factories import PASSWORD, make_user


@pytest.fixture
def organiser(client, db_session):
    """A bank editor, logged in through ``client``."""
    user = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email="bank@example.org")
    assert client.post("/api/session", json={"login": "bank@example.org", "password": PASSWORD}).status_code == 200
    return user


@pytest.fixture
def run_now(monkeypatch):
    """The background steps of an import run within the request that starts them, on the test's session."""
    monkeypatch.setattr(views, "launch", views.run_job)
