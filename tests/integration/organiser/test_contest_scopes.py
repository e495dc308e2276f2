"""Organisers limited to chosen contests see and change only those; admins manage staff and read the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.accounts.models import Role, StaffRole, User
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.rounds.models import OrganiserContest
from contest.rounds.service import set_organiser_contests
from tests.factories import PASSWORD, make_tree, make_user
from tests.integration.attempts.conftest import make_round
from tests.integration.rounds.conftest import log_in


@pytest.fixture
def two_contests(db_session):
    a = make_round(db_session, opens_delta=timedelta(days=1), days=3)
    b = make_round(db_session, opens_delta=timedelta(days=1), days=3)
    a.contest.title, b.contest.title = "Cuộc thi A", "Cuộc thi B"
    db_session.commit()
    return a, b


@pytest.fixture
def limited(db_session, organiser, two_contests):
    set_organiser_contests(db_session, user_id=organiser.id, contest_ids=[two_contests[0].contest_id], now=utcnow())
    return organiser


def test_limited_organiser_sees_only_their_contest(client, limited, two_contests):
    a, b = two_contests
    log_in(client, limited)
    listing = client.get("/organiser/contests").text
    assert "Cuộc thi A" in listing and "Cuộc thi B" not in listing
    assert "/organiser/contests/new" not in listing
    assert client.get(f"/organiser/contests/{a.contest_id}").status_code == 200
    assert client.get(f"/organiser/rounds/{a.id}/edit").status_code == 200
    assert client.get(f"/organiser/rounds/{a.id}/live.json").status_code == 200


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/organiser/contests/{contest}"),
    ("get", "/organiser/contests/{contest}/edit"),
    ("post", "/organiser/contests/{contest}/edit"),
    ("get", "/organiser/contests/{contest}/rounds/new"),
    ("post", "/organiser/contests/{contest}/rounds/new"),
    ("get", "/organiser/rounds/{round}/edit"),
    ("post", "/organiser/rounds/{round}/edit"),
    ("get", "/organiser/rounds/{round}/live"),
    ("get", "/organiser/rounds/{round}/live.json"),
    ("get", "/organiser/contests/new"),
    ("post", "/organiser/contests/new"),
])
def test_limited_organiser_cannot_open_other_contests(client, db_session, limited, two_contests, method, path):
    _a, b = two_contests
    log_in(client, limited)
    response = getattr(client, method)(path.format(contest=b.contest_id, round=b.id),
                                       data={"title": "Đổi", "name_style": "full"})
    assert response.status_code == 403
    assert b.contest.title == "Cuộc thi B" and b.title == "Tuần 1"


def test_unlimited_organiser_sees_every_contest(client, organiser, two_contests):
    log_in(client, organiser)
    listing = client.get("/organiser/contests").text
    assert "Cuộc thi A" in listing and "Cuộc thi B" in listing and "/organiser/contests/new" in listing


def test_admin_is_never_limited(db_session, admin, two_contests):
    from contest.errors import DomainError

    with pytest.raises(DomainError):
        set_organiser_contests(db_session, user_id=admin.id, contest_ids=[two_contests[0].contest_id], now=utcnow())


def test_staff_pages_are_for_admins(client, organiser):
    log_in(client, organiser)
    for path in ("/organiser/staff", "/organiser/staff/new", "/organiser/audit",
                 f"/organiser/staff/{organiser.id}/contests"):
        assert client.get(path).status_code == 403


def test_admin_creates_a_limited_organiser(client, db_session, admin, two_contests):
    a, b = two_contests
    make_tree(db_session)
    log_in(client, admin)
    form = client.get("/organiser/staff/new").text
    assert "Cuộc thi A" in form and 'data-name="scope_unit" data-value="code"' in form  # contests, a unit picker
    response = client.post("/organiser/staff/new", data={
        "full_name": "Bí thư tỉnh", "email": "Tinh@Example.org", "password": "long-enough-pass",
        "staff_role": "unit", "scope_unit": "P1", "contests": [str(a.contest_id)]})
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "tinh@example.org"))
    assert user.role == Role.ORGANISER and user.scope_unit.code == "P1" and user.staff_role == StaffRole.UNIT
    assert list(db_session.scalars(select(OrganiserContest.contest_id).where(OrganiserContest.user_id == user.id))) \
        == [a.contest_id]
    actions = {entry.action: entry for entry in db_session.scalars(select(AuditEntry))}
    assert actions["account.staff_created"].actor_id == admin.id
    assert actions["account.contest_scope"].details == {"before": [], "after": [a.contest_id]}
    staff = client.get("/organiser/staff").text
    assert "Bí thư tỉnh" in staff and "Cuộc thi A" in staff


def test_create_organiser_errors_beside_fields(client, db_session, admin):
    log_in(client, admin)
    page = client.post("/organiser/staff/new", data={"full_name": "X", "email": "x@example.org",
                                                      "password": "long-enough-pass", "staff_role": "unit",
                                                      "scope_unit": "NOPE"})
    assert page.status_code == 200 and "No unit has the code NOPE." in page.text
    assert db_session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_admin_changes_contest_scope(client, db_session, admin, limited, two_contests):
    a, b = two_contests
    log_in(client, admin)
    assert client.get(f"/organiser/staff/{limited.id}/contests").status_code == 200
    client.post(f"/organiser/staff/{limited.id}/contests", data={"contests": [str(b.contest_id)]})
    assert set(db_session.scalars(select(OrganiserContest.contest_id).where(OrganiserContest.user_id == limited.id))) \
        == {b.contest_id}
    client.post(f"/organiser/staff/{limited.id}/contests", data={})  # none ticked: every contest
    assert db_session.scalar(select(OrganiserContest).where(OrganiserContest.user_id == limited.id)) is None
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "account.contest_scope")
                                 .order_by(AuditEntry.id)).all()
    assert [e.details["after"] for e in entries] == [[a.contest_id], [b.contest_id], []]


def test_audit_page_lists_recent_entries(client, db_session, admin, two_contests):
    log_in(client, admin)
    client.post(f"/organiser/contests/{two_contests[0].contest_id}/edit",
                data={"title": "Đổi tên", "name_style": "full"})
    page = client.get("/organiser/audit").text
    assert "Edited a contest" in page and "contest.updated" not in page and "Quản trị" in page and "Đổi tên" in page


def test_cli_create_organiser_with_contests(app, db_session, two_contests):
    a, b = two_contests
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-organiser", "--email", "cli@example.org", "--name", "CLI",
                                 "--password", PASSWORD, "--contest", str(a.contest_id), "--contest",
                                 str(b.contest_id)])
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "cli@example.org"))
    assert set(db_session.scalars(select(OrganiserContest.contest_id).where(OrganiserContest.user_id == user.id))) \
        == {a.contest_id, b.contest_id}
    missing = runner.invoke(args=["users", "create-organiser", "--email", "x@example.org", "--name", "X",
                                  "--password", PASSWORD, "--contest", "999999"])
    assert missing.exit_code == 1 and "999999" in missing.output
    assert db_session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_entrant_gets_403(client, db_session, two_contests):
    log_in(client, make_user(db_session, unit=make_tree(db_session)["s1"], commit=True))
    assert client.get(f"/organiser/contests/{two_contests[0].contest_id}").status_code == 403
