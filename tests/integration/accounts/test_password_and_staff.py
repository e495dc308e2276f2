from __future__ import annotations

import pytest
from sqlalchemy import select

from contest.accounts import service
from contest.accounts.models import Role, User
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.errors import DomainError
from tests.factories import PASSWORD, make_tree, make_user


def test_change_password_requires_the_current_one_and_is_audited(client, db_session):
    user = make_user(db_session, unit=make_tree(db_session)["s1"], phone="0912345678")
    client.post("/login", data={"login": "0912345678", "password": PASSWORD})
    wrong = client.post("/account/password", data={"current": "nope-nope", "new": "new-secret-1",
                                                   "confirm": "new-secret-1"})
    assert "Mật khẩu hiện tại không đúng" in wrong.get_data(as_text=True)
    ok = client.post("/account/password", data={"current": PASSWORD, "new": "new-secret-1",
                                                "confirm": "new-secret-1"})
    assert ok.status_code == 302
    client.post("/logout")
    assert client.post("/api/session", json={"login": "0912345678", "password": "new-secret-1"}).json["ok"]
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_changed"))
    assert entry.actor_id == user.id


def test_create_organiser_scoped_to_a_district_sees_only_its_subtree(client, db_session):
    tree = make_tree(db_session)
    for school in ("s1", "s2", "s3"):
        make_user(db_session, unit=tree[school])
    service.create_staff(db_session, role=Role.ORGANISER, email="DaiTu@Example.org", full_name="Bí thư Đại Từ",
                         password="secret-pass", scope_unit_code="D1", now=utcnow())
    client.post("/api/session", json={"login": "daitu@example.org", "password": "secret-pass"})
    page = client.get("/organiser/").get_data(as_text=True)
    assert "Huyện Đại Từ" in page
    assert '<b>3</b>' in page and '<b>2</b>' in page  # D1 + two schools; two entrants


def test_staff_creation_refuses_duplicates_and_unknown_scope(db_session):
    make_user(db_session, role=Role.ADMIN, email="a@example.org")
    with pytest.raises(DomainError) as taken:
        service.create_staff(db_session, role=Role.ORGANISER, email="A@example.org", full_name="X",
                             password="secret-pass", now=utcnow())
    assert taken.value.code == "conflict" and "email" in taken.value.fields
    with pytest.raises(DomainError) as scope:
        service.create_staff(db_session, role=Role.ORGANISER, email="b@example.org", full_name="X",
                             password="secret-pass", scope_unit_code="NOPE", now=utcnow())
    assert "scope_unit" in scope.value.fields


def test_entrants_cannot_open_organiser_pages(client, db_session):
    make_user(db_session, unit=make_tree(db_session)["s1"], phone="0912345678")
    assert client.get("/organiser/").status_code == 302  # to the login page
    client.post("/api/session", json={"login": "0912345678", "password": PASSWORD})
    assert client.get("/organiser/").status_code == 403
    assert db_session.scalar(select(User.role).where(User.phone == "0912345678")) == Role.ENTRANT


def test_staff_names_are_cleaned_like_entrants_names(db_session):
    with pytest.raises(DomainError) as bidi:
        service.create_staff(db_session, role=Role.ORGANISER, email="c@example.org", full_name="Ban \u202eTổ chức",
                             password="secret-pass", now=utcnow())
    assert "full_name" in bidi.value.fields
    with pytest.raises(DomainError) as control:
        service.create_staff(db_session, role=Role.ORGANISER, email="c@example.org", full_name="Ban\x0bTổ\x01",
                             password="secret-pass", now=utcnow())
    assert "full_name" in control.value.fields
    user = service.create_staff(db_session, role=Role.ORGANISER, email="c@example.org",
                                full_name=" Ban\u200b  tổ chức ", password="secret-pass", now=utcnow())
    assert user.full_name == "Ban tổ chức"
