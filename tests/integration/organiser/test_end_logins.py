"""An admin ends every login of a staff account from the staff page: the account's old browsers are logged out,
the action is audited, it needs the CSRF token, and other organisers are refused."""

from __future__ import annotations

from sqlalchemy import select

from contest.accounts.models import LoginSession
from contest.audit.models import AuditEntry
from tests.integration.rounds.conftest import log_in


def logged_in(client) -> bool:
    return client.get("/api/session").status_code == 200


def test_an_admin_ends_every_login_of_an_organiser(app, client, db_session, admin, organiser):
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, organiser)
    log_in(laptop, organiser)
    assert logged_in(phone) and logged_in(laptop) and phone.get("/organiser/").status_code == 200
    log_in(client, admin)
    client.set_cookie("lang", "vi")
    page = client.get("/organiser/staff").text
    assert f'id="end-logins-{organiser.id}"' in page and "Đăng xuất mọi thiết bị" in page

    response = client.post(f"/organiser/staff/{organiser.id}/end-logins", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == "/organiser/staff"
    assert f"Đã đăng xuất {organiser.full_name} khỏi mọi thiết bị: 2 phiên đăng nhập." in response.text
    assert not logged_in(phone) and not logged_in(laptop)
    assert "/login" in phone.get("/organiser/").location
    assert logged_in(client)  # the admin's own login goes on
    assert db_session.scalar(select(LoginSession.id).where(LoginSession.user_id == organiser.id,
                                                           LoginSession.revoked_at.is_(None))) is None
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "account.logins_revoked")).one()
    assert (entry.actor_id, entry.target_id, entry.details) == (admin.id, str(organiser.id), {"count": 2})
    assert client.post("/organiser/staff/999999/end-logins").status_code == 404


def test_an_organiser_may_not_end_logins(app, client, db_session, admin, organiser):
    admins_phone = app.test_client()
    log_in(admins_phone, admin)
    log_in(client, organiser)
    assert client.post(f"/organiser/staff/{admin.id}/end-logins").status_code == 403
    assert logged_in(admins_phone)
    assert db_session.scalar(select(AuditEntry.id).where(AuditEntry.action == "account.logins_revoked")) is None


def test_ending_logins_needs_the_csrf_token(app, client, db_session, admin, organiser):
    other = app.test_client()
    log_in(other, organiser)
    log_in(client, admin)
    page = client.get("/organiser/staff").text
    form = page.split(f'id="end-logins-{organiser.id}"')[1]
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/organiser/staff/{organiser.id}/end-logins").status_code == 400
        assert logged_in(other)
        response = client.post(f"/organiser/staff/{organiser.id}/end-logins", data={"csrf_token": token})
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert not logged_in(other)
