"""Entrant administration through the organiser pages and ``flask users``: search (accents, phone, CCCD, unit,
pages), fixes with errors per field, deactivation that ends logins, one-time reset codes (single use, short-lived,
hashed) and the reset by email; every change audited, and scoped organisers kept inside their subtree."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest import mail
from contest.accounts import admin_service, reset_codes
from contest.accounts.consent import CONSENT_VERSION
from contest.accounts.models import LoginSession, PasswordReset, Role, StaffRole, User
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.realtime.notifier import SocketIONotifier
from tests.factories import PASSWORD, make_tree, make_user
from tests.integration.rounds.conftest import log_in

NEW_PASSWORD = "test-new-pass-1"


@pytest.fixture
def world(db_session):
    tree = make_tree(db_session)
    entrants = {
        "an": make_user(db_session, unit=tree["s1"], full_name="Nguyễn Văn An", phone="0911000001"),
        "binh": make_user(db_session, unit=tree["s2"], full_name="Trần Thị Bình", phone="0911000002"),
        "cuong": make_user(db_session, unit=tree["s3"], full_name="Lê Văn Cường", phone="0911000003"),
    }
    entrants["an"].citizen_id = "001207000001"
    entrants["an"].email = "an@example.org"
    for user in entrants.values():  # registered: they agreed to the personal-data text then
        user.consent_version, user.consent_at = CONSENT_VERSION, utcnow()
    staff = {
        "admin": make_user(db_session, role=Role.ADMIN, email="admin@example.org"),
        "viewer_d1": make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.UNIT, scope=tree["d1"],
                               email="viewer@example.org"),
        "manager_d1": make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.UNIT_MANAGER,
                                scope=tree["d1"], email="manager@example.org"),
    }
    db_session.commit()
    return {"tree": tree, "entrants": entrants, "staff": staff}


def listed(client, query: str = "") -> set[str]:
    page = client.get("/organiser/entrants/", query_string={"q": query})
    assert page.status_code == 200
    return set(re.findall(r'/organiser/entrants/\d+">([^<]+)<', page.text))


def audited(db_session, action: str) -> list[AuditEntry]:
    return list(db_session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def code_from(page: str) -> str:
    return re.search(r'id="reset-code">([A-Z0-9-]+)<', page).group(1)


def test_search_by_name_without_accents_phone_cccd_and_unit(client, world):
    log_in(client, world["staff"]["admin"])
    assert listed(client, "nguyen van an") == {"Nguyễn Văn An"}
    assert listed(client, "TRAN binh") == {"Trần Thị Bình"}
    assert listed(client, "0911000003") == {"Lê Văn Cường"}
    assert listed(client, "+84 911 000 002") == {"Trần Thị Bình"}
    assert listed(client, "001207000001") == {"Nguyễn Văn An"}
    assert listed(client, "phu luong") == {"Lê Văn Cường"}
    assert listed(client, "0911") == {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}
    assert listed(client, "khong ai") == set()


def test_search_pages_through_the_matches(db_session, world):
    for n in range(5):
        make_user(db_session, unit=world["tree"]["s1"], full_name=f"Phạm Hoa {n}")
    first = admin_service.search_entrants(db_session, "pham hoa", scope=None, page=1, page_size=2)
    last = admin_service.search_entrants(db_session, "pham hoa", scope=None, page=9, page_size=2)
    assert (first.total, first.pages, len(first.entrants)) == (5, 3, 2)
    assert (last.page, len(last.entrants)) == (3, 1)
    assert {u.id for u in first.entrants}.isdisjoint({u.id for u in last.entrants})


def test_a_district_organiser_neither_sees_nor_opens_nor_changes_another_districts_entrant(client, world,
                                                                                           db_session):
    other = world["entrants"]["cuong"]  # a school of district D2
    for who in ("viewer_d1", "manager_d1"):
        log_in(client, world["staff"][who])
        assert listed(client) == {"Nguyễn Văn An", "Trần Thị Bình"}
        assert listed(client, "0911000003") == set() and listed(client, "cuong") == set()
        assert client.get(f"/organiser/entrants/{other.id}").status_code == 404
    log_in(client, world["staff"]["manager_d1"])
    changes = [(f"/organiser/entrants/{other.id}", {"full_name": "X", "birth_date": "2007-01-01",
                                                    "unit_code": "S1"}),
               (f"/organiser/entrants/{other.id}/active", {"active": "0"}),
               (f"/organiser/entrants/{other.id}/reset-code", {})]
    for url, data in changes:
        assert client.post(url, data=data).status_code == 404, url
    db_session.refresh(other)
    assert other.active and other.full_name == "Lê Văn Cường" and other.unit_id == world["tree"]["s3"].id
    assert db_session.scalar(select(PasswordReset.id).where(PasswordReset.user_id == other.id)) is None
    # nor move their own entrant out of their subtree
    own = world["entrants"]["an"]
    page = client.post(f"/organiser/entrants/{own.id}", data={"full_name": own.full_name,
                                                              "birth_date": "2007-05-01", "unit_code": "S3"})
    assert page.status_code == 422 and 'id="unit_code-error"' in page.text
    db_session.refresh(own)
    assert own.unit_id == world["tree"]["s1"].id


def test_a_read_only_unit_organiser_changes_nothing(client, world, db_session):
    log_in(client, world["staff"]["viewer_d1"])
    own = world["entrants"]["an"]
    page = client.get(f"/organiser/entrants/{own.id}")
    assert page.status_code == 200 and "Nguyễn Văn An" in page.text and 'id="edit-entrant"' not in page.text
    for url, data in [(f"/organiser/entrants/{own.id}", {"full_name": "X", "birth_date": "2007-01-01",
                                                         "unit_code": "S2"}),
                      (f"/organiser/entrants/{own.id}/active", {"active": "0"}),
                      (f"/organiser/entrants/{own.id}/reset-code", {}),
                      ("/organiser/entrants/lists", {})]:
        assert client.post(url, data=data).status_code == 403, url
    assert client.get("/organiser/entrants/lists").status_code == 403
    db_session.refresh(own)
    assert own.active and own.full_name == "Nguyễn Văn An" and own.unit_id == world["tree"]["s1"].id


def test_fixing_an_entrant_is_audited_and_errors_are_per_field(client, world, db_session):
    log_in(client, world["staff"]["manager_d1"])
    user = world["entrants"]["an"]
    bad = client.post(f"/organiser/entrants/{user.id}", data={"full_name": "   ", "birth_date": "1800-01-01",
                                                              "unit_code": "D1"})
    assert bad.status_code == 422
    assert {'id="full_name-error"', 'id="birth_date-error"', 'id="unit_code-error"'} <= set(
        re.findall(r'id="\w+-error"', bad.text))
    fixed = client.post(f"/organiser/entrants/{user.id}", data={"full_name": "Nguyễn Văn Ân",
                                                                "birth_date": "2008-02-03", "unit_code": "S2"})
    assert fixed.status_code == 302
    db_session.refresh(user)
    assert (user.full_name, user.birth_date.isoformat(), user.unit.code) == ("Nguyễn Văn Ân", "2008-02-03", "S2")
    assert user.name_key == "nguyen van an"
    [entry] = audited(db_session, "entrant.updated")
    assert entry.actor_id == world["staff"]["manager_d1"].id and entry.target_id == str(user.id)
    assert entry.details["changed"]["unit"] == ["S1", "S2"]
    assert entry.details["changed"]["full_name"] == ["Nguyễn Văn An", "Nguyễn Văn Ân"]


def test_deactivation_ends_the_entrants_logins_and_refuses_new_ones(app, client, world, db_session):
    user = world["entrants"]["binh"]
    entrant = app.test_client()
    assert entrant.post("/api/session", json={"login": user.phone, "password": PASSWORD}).status_code == 200
    assert entrant.get("/account").status_code == 200
    log_in(client, world["staff"]["manager_d1"])
    assert client.post(f"/organiser/entrants/{user.id}/active", data={"active": "0"}).status_code == 302
    assert entrant.get("/account").status_code == 302  # logged out: to the login page
    assert db_session.scalar(select(LoginSession.id).where(LoginSession.user_id == user.id,
                                                           LoginSession.revoked_at.is_(None))) is None
    assert entrant.post("/api/session", json={"login": user.phone, "password": PASSWORD}).status_code == 401
    assert client.post(f"/organiser/entrants/{user.id}/active", data={"active": "1"}).status_code == 302
    assert entrant.post("/api/session", json={"login": user.phone, "password": PASSWORD}).status_code == 200
    assert [e.details["logins_ended"] for e in audited(db_session, "entrant.deactivated")] == [1]
    assert len(audited(db_session, "entrant.activated")) == 1
    retired = world["entrants"]["cuong"]
    retired.active, retired.personal_data_removed = False, "erased"
    db_session.commit()
    log_in(client, world["staff"]["admin"])
    client.post(f"/organiser/entrants/{retired.id}/active", data={"active": "1"})
    db_session.refresh(retired)
    assert not retired.active  # an account whose data the retention command removed stays retired


def test_an_assisted_reset_code_works_once_and_ends_every_login(app, client, world, db_session):
    user = world["entrants"]["an"]
    entrant = app.test_client()
    assert entrant.post("/api/session", json={"login": user.phone, "password": PASSWORD}).status_code == 200
    log_in(client, world["staff"]["manager_d1"])
    page = client.post(f"/organiser/entrants/{user.id}/reset-code")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    code = code_from(page.text)
    assert f"/reset?login={user.phone}&amp;code={code}" in page.text
    stored = db_session.scalar(select(PasswordReset).where(PasswordReset.user_id == user.id))
    assert stored.code_hash == reset_codes.code_hash(code) and code not in str(stored.code_hash)
    assert code not in str([e.details for e in audited(db_session, "account.reset_code_issued")])

    anonymous = app.test_client()
    form = {"login": user.phone, "code": code.lower().replace("-", " "), "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD}
    wrong = anonymous.post("/reset", data={**form, "login": "0911000002"})
    assert wrong.status_code == 200 and 'id="code-error"' in wrong.text
    assert anonymous.post("/reset", data=form).status_code == 302
    assert entrant.get("/account").status_code == 302  # the old login ended
    assert anonymous.post("/api/session", json={"login": user.phone, "password": PASSWORD}).status_code == 401
    assert anonymous.post("/api/session", json={"login": user.phone, "password": NEW_PASSWORD}).status_code == 200
    again = app.test_client().post("/reset", data={**form, "password": "another-pass-2", "confirm": "another-pass-2"})
    assert again.status_code == 200 and 'id="code-error"' in again.text  # single use
    assert len(audited(db_session, "account.password_reset")) == 1


def test_a_reset_code_expires_and_a_new_one_ends_the_old(world, db_session):
    user, now = world["entrants"]["an"], utcnow()
    _user, first, _ = admin_service.issue_reset_code(db_session, user.id, scope=None, now=now, minutes=30,
                                                     actor_id=None)
    _user, second, expires = admin_service.issue_reset_code(db_session, user.id, scope=None, now=now, minutes=30,
                                                            actor_id=None)
    assert expires == now + timedelta(minutes=30)
    with pytest.raises(admin_service.DomainError):
        admin_service.redeem_reset(db_session, user.phone, first, NEW_PASSWORD, now=now,
                                   notifier=SocketIONotifier())
    with pytest.raises(admin_service.DomainError):
        admin_service.redeem_reset(db_session, user.phone, second, NEW_PASSWORD, now=now + timedelta(minutes=31),
                                   notifier=SocketIONotifier())
    assert admin_service.redeem_reset(db_session, user.phone, second, NEW_PASSWORD,
                                      now=now + timedelta(minutes=29), notifier=SocketIONotifier()).id == user.id


def test_a_reset_by_email_sends_a_code_only_to_an_existing_address_and_says_the_same(app, client, world,
                                                                                     db_session):
    box = mail.outbox(app)
    box.clear()
    answers = [client.post("/reset/email", data={"email": address}, follow_redirects=True).text
               for address in ("AN@example.org", "nobody@example.org")]
    message = "If an account has this email address"
    assert all(message in answer or "Nếu có tài khoản mang địa chỉ email này" in answer for answer in answers)
    [sent] = box
    assert sent.to == "an@example.org"
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", sent.body).group(0)
    assert "/reset?login=an%40example.org&code=" in sent.body or "/reset?login=an@example.org&code=" in sent.body
    done = client.post("/reset", data={"login": "an@example.org", "code": code, "password": NEW_PASSWORD,
                                       "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.post("/api/session", json={"login": "0911000001", "password": NEW_PASSWORD}).status_code == 200
    world["entrants"]["an"].active = False
    db_session.commit()
    client.post("/reset/email", data={"email": "an@example.org"})
    assert len(box) == 1  # a deactivated account gets nothing


def test_flask_users_commands_do_the_same(app, world, db_session):
    runner = app.test_cli_runner()
    found = runner.invoke(args=["users", "search", "nguyen an"])
    assert found.exit_code == 0 and "Nguyễn Văn An\t0911000001\tS1\tactive" in found.output
    assert runner.invoke(args=["users", "set-unit", "0911000001", "S3"]).exit_code == 0
    bad = runner.invoke(args=["users", "set-unit", "0911000001", "D2"])
    assert bad.exit_code == 1 and "unit_code" in bad.output
    assert runner.invoke(args=["users", "deactivate", "0911000002"]).exit_code == 0
    issued = runner.invoke(args=["users", "reset-code", "0911000001"])
    assert issued.exit_code == 0
    code = issued.output.split("\t")[0]
    user = db_session.get(User, world["entrants"]["an"].id)
    assert user.unit.code == "S3" and not db_session.get(User, world["entrants"]["binh"].id).active
    assert admin_service.redeem_reset(db_session, "0911000001", code, NEW_PASSWORD, now=utcnow(),
                                      notifier=SocketIONotifier()).id == user.id
    assert runner.invoke(args=["users", "reset-code", "0911000002"]).exit_code == 1  # deactivated
    actions = {e.action for e in db_session.scalars(select(AuditEntry).where(AuditEntry.actor_id.is_(None)))}
    assert {"entrant.updated", "entrant.deactivated", "account.reset_code_issued"} <= actions
