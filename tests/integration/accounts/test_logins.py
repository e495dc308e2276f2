"""Logins are server-side records: each login its own token, ended by logout, a password change or staff."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from contest.accounts.models import LoginSession
from contest.audit.models import AuditEntry
from contest.config import load_config
from contest.db import utcnow
from tests.factories import PASSWORD, make_tree, make_user

PHONE = "0912345678"
CSRF_KEY = "csrf_token"  # Flask-WTF's key in the session


def entrant(db_session):
    return make_user(db_session, unit=make_tree(db_session)["s1"], phone=PHONE, commit=True)


def log_in(client, password: str = PASSWORD) -> None:
    assert client.post("/api/session", json={"login": PHONE, "password": password}).json["ok"]


def cookies_only(app, **cookies):
    """A new browser holding nothing but copies of these cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def whoami(client) -> int:
    return client.get("/api/session").status_code


def set_cookie_headers(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_each_login_gets_its_own_remember_token_stored_only_as_a_hash(app, client, db_session):
    user = entrant(db_session)
    log_in(client)
    second = app.test_client()
    log_in(second)
    first_token, second_token = client.get_cookie("remember_token").value, second.get_cookie("remember_token").value
    assert first_token != second_token
    hashes = db_session.scalars(select(LoginSession.token_hash).where(LoginSession.user_id == user.id)).all()
    assert len(hashes) == 2
    assert not any(stored in first_token or stored in second_token for stored in hashes)
    # A remember cookie alone logs in again (a new browser session), as long as its login is open.
    assert whoami(cookies_only(app, remember_token=first_token)) == 200


def test_logout_ends_the_session_and_remember_cookies_of_that_login_only(app, client, db_session):
    entrant(db_session)
    log_in(client)
    other_device = app.test_client()
    log_in(other_device)
    session_cookie, remember = client.get_cookie("session").value, client.get_cookie("remember_token").value

    assert client.delete("/api/session", json={}).json == {"ok": True}
    assert whoami(client) == 401
    assert whoami(cookies_only(app, session=session_cookie)) == 401  # a copy of the old session cookie
    assert whoami(cookies_only(app, remember_token=remember)) == 401
    assert whoami(other_device) == 200  # another login of the same person is untouched


def test_the_logout_form_ends_the_login_too(app, client, db_session):
    entrant(db_session)
    log_in(client)
    session_cookie = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    assert whoami(cookies_only(app, session=session_cookie)) == 401


def test_a_password_change_ends_every_login_but_keeps_this_browser_in(app, client, db_session):
    user = entrant(db_session)
    log_in(client)
    phone_browser = app.test_client()
    log_in(phone_browser)
    old = {"session": client.get_cookie("session").value, "remember_token": client.get_cookie("remember_token").value}

    response = client.post("/account/password", data={"current": PASSWORD, "new": "a-new-password-1",
                                                      "confirm": "a-new-password-1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert whoami(client) == 200 and client.get_cookie("remember_token").value != old["remember_token"]
    assert whoami(phone_browser) == 401
    assert whoami(cookies_only(app, session=old["session"])) == 401
    assert whoami(cookies_only(app, remember_token=old["remember_token"])) == 401
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "account.password_changed")).one()
    assert entry.target_id == str(user.id) and entry.details["logins_ended"] == 2


def test_staff_end_every_login_of_a_user_from_the_command_line(app, client, db_session):
    user = entrant(db_session)
    log_in(client)
    result = app.test_cli_runner().invoke(args=["users", "end-logins", "+84 912 345 678"])
    assert result.exit_code == 0 and f"ended 1 logins of user {user.id}" in result.output
    assert whoami(client) == 401
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "account.logins_revoked")).one()
    assert entry.target_id == str(user.id) and entry.details == {"count": 1}
    missing = app.test_cli_runner().invoke(args=["users", "end-logins", "0999999999"])
    assert missing.exit_code == 1 and "no user" in missing.output


def test_login_renews_the_csrf_token(app, client, db_session):
    entrant(db_session)
    with client.session_transaction() as session:
        session[CSRF_KEY] = "handed-out-before-login"
    log_in(client)
    with client.session_transaction() as session:
        assert session.get(CSRF_KEY) != "handed-out-before-login"


def test_every_cookie_is_samesite_lax_and_httponly(app, client, db_session):
    entrant(db_session)
    response = client.post("/api/session", json={"login": PHONE, "password": PASSWORD})
    cookies = set_cookie_headers(response)
    assert {"session", "remember_token"} <= cookies.keys()
    lang = set_cookie_headers(client.get("/lang/en"))["lang"]
    for header in (*cookies.values(), lang):
        assert "SameSite=Lax" in header and "HttpOnly" in header and "Secure" not in header, header


def test_secure_cookies_setting_marks_every_cookie_secure(app, client, db_session, monkeypatch, tmp_path):
    configured = Flask("probe", instance_path=str(tmp_path))
    load_config(configured, {"SECURE_COOKIES": True, "SECRET_KEY": "x"})
    secure = {key: configured.config[key] for key in ("SECURE_COOKIES", "SESSION_COOKIE_SECURE",
                                                       "REMEMBER_COOKIE_SECURE")}
    assert secure == dict.fromkeys(secure, True)
    for key, value in secure.items():
        monkeypatch.setitem(app.config, key, value)
    entrant(db_session)
    cookies = set_cookie_headers(client.post("/api/session", json={"login": PHONE, "password": PASSWORD}))
    lang = set_cookie_headers(client.get("/lang/en"))["lang"]
    for header in (cookies["session"], cookies["remember_token"], lang):
        assert "Secure" in header and "SameSite=Lax" in header, header


def test_logging_in_again_ends_the_login_it_replaces(app, client, db_session):
    entrant(db_session)
    log_in(client)
    replaced = client.get_cookie("remember_token").value
    log_in(client)
    assert whoami(client) == 200
    assert whoami(cookies_only(app, remember_token=replaced)) == 401


def test_a_login_older_than_the_cookie_lifetime_names_no_one(app, client, db_session):
    user = entrant(db_session)
    log_in(client)
    remember = client.get_cookie("remember_token").value
    login = db_session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    login.created_at = utcnow() - app.config["REMEMBER_COOKIE_DURATION"] + timedelta(minutes=1)
    db_session.commit()
    assert whoami(cookies_only(app, remember_token=remember)) == 200
    login.created_at -= timedelta(minutes=2)
    db_session.commit()
    assert whoami(cookies_only(app, remember_token=remember)) == 401
