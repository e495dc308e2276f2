"""Login throttling per account and address and the registration limits, counted in Redis when ``REDIS_URL`` is
set (CI's PostgreSQL and Redis stage), else in memory."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
import redis
from flask import Flask, request
from flask_socketio import SocketIO
from sqlalchemy import select

from contest import create_app
from contest import extensions as ext
from contest.accounts import pages
from contest.accounts.consent import CONSENT_VERSION
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.extensions import db, limiter
from contest.serving import trust_proxies
from contest.units.models import Unit
from tests.conftest import FAST_HASH
from tests.factories import PASSWORD, make_tree, make_user


@pytest.fixture
def limited_app(app, tmp_path, monkeypatch):
    """An app of its own with rate limits on, over its own SQLite file.

    Flask-Limiter and Flask-SocketIO keep their state on the module-level extension objects, so this app gets
    a SocketIO of its own and the limiter's state is put back afterwards: the suite's app stays unlimited.
    The suite's ``app`` comes first, so every module has bound the real SocketIO before it is swapped here.
    """
    monkeypatch.setattr(ext, "socketio", SocketIO())
    saved = dict(limiter.__dict__)
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limits.sqlite3'}",
        "REDIS_URL": None,  # no Socket.IO message queue: only the limits go to Redis
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_THROTTLE_FREE_FAILURES": 3,
        "REGISTER_CONFLICT_LIMIT_PER_IP": "2 per minute",
        "WTF_CSRF_ENABLED": False,
        **FAST_HASH,
    })
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
        school = make_tree(db.session)["s1"]
        make_user(db.session, unit=school, phone="0911000001", commit=True)
        make_user(db.session, unit=school, phone="0911000002", commit=True)
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        limiter.__dict__.clear()
        limiter.__dict__.update(saved)


ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}
OWNER = {"REMOTE_ADDR": "203.0.113.10"}


def test_wrong_passwords_slow_down_that_address_only_and_form_and_api_count_together(limited_app, monkeypatch):
    attacker = limited_app.test_client()
    owner = limited_app.test_client()

    def api_guess(phone: str, password: str = "wrong-password"):
        return attacker.post("/api/session", json={"login": phone, "password": password}, environ_base=ATTACKER)

    def form_guess(phone: str, password: str = "wrong-password"):
        return attacker.post("/login", data={"login": phone, "password": password}, environ_base=ATTACKER)

    # Three free failures, shared by the form and the API: the third starts a one-second wait.
    assert api_guess("0911000001").status_code == 401
    assert form_guess("0911000001").status_code == 200
    assert api_guess("+84 911 000 001").status_code == 401  # the same account written another way
    waiting = api_guess("0911000001", PASSWORD)  # even the right password waits from this address
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    assert waiting.json["error"] == {
        "code": "rate_limited",
        "message": "Đã nhập sai mật khẩu quá nhiều lần cho tài khoản này từ kết nối của bạn. Hãy thử lại sau 1 giây.",
        "retry_after": 1}
    page = form_guess("0911000001")
    assert page.status_code == 429 and page.headers["Retry-After"] == "1"
    assert "Hãy thử lại sau 1 giây" in page.get_data(as_text=True) and "<form" in page.get_data(as_text=True)

    # The owner, on their own connection, is not locked out.
    login = owner.post("/api/session", json={"login": "0911000001", "password": PASSWORD}, environ_base=OWNER)
    assert login.status_code == 200
    # Another account from the attacker's address is only told its password is wrong.
    assert api_guess("0911000002").json["error"]["code"] == "not_authenticated"

    # Once the wait is over the attacker may guess again, and the next wait is twice as long.
    later = utcnow() + timedelta(seconds=5)
    monkeypatch.setattr(pages, "utcnow", lambda: later)
    assert api_guess("0911000001").status_code == 401
    assert api_guess("0911000001").headers["Retry-After"] == "2"

    with limited_app.app_context():
        bursts = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.login_throttled")).all()
        assert [(b.target_id, b.details["address"], b.details["failures"]) for b in bursts] == [
            ("0911000001", "198.51.100.66", 3)]

    if os.environ.get("REDIS_URL"):
        keys = redis.Redis.from_url(os.environ["REDIS_URL"]).keys(f"*{limited_app.config['RATELIMIT_KEY_PREFIX']}*")
        assert any(b"olympiad-login:" in key for key in keys), "the throttle did not count in Redis"


def test_registrations_refused_as_taken_are_limited_per_address(limited_app):
    client = limited_app.test_client()
    with limited_app.app_context():
        school_id = db.session.scalar(select(Unit.id).where(Unit.code == "S1"))

    def register(phone: str, environ=ATTACKER, **fields):
        data = {"full_name": "Nguyễn An", "birth_date": "2007-05-01", "phone": phone, "unit_id": str(school_id),
                "password": "mat-khau-1", "confirm": "mat-khau-1", "consent": "y", "consent_version": CONSENT_VERSION,
                **fields}
        return client.post("/register", data=data, environ_base=environ)

    # Mistakes that are not about someone else's phone do not count.
    assert [register("12345").status_code for _ in range(3)] == [200, 200, 200]
    assert [register("0911000001").status_code for _ in range(2)] == [200, 200]
    refused = register("0911000002")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 61
    assert "Vui lòng chờ một chút rồi thử lại" in refused.get_data(as_text=True)
    assert register("0912999999", environ=OWNER).status_code == 302  # another address registers as usual


def test_finding_a_school_without_javascript_is_not_a_registration(limited_app):
    """The unit picker's "Find" sends the registration form back (a school behind one address searches a lot):
    it counts toward no registration limit."""
    limited_app.config["REGISTER_LIMIT_PER_IP"] = "2 per hour"
    client = limited_app.test_client()
    data = {"full_name": "Nguyễn An", "birth_date": "2007-05-01", "phone": "12", "unit_q": "dai tu",
            "password": "mat-khau-1", "confirm": "mat-khau-1", "consent": "y", "consent_version": CONSENT_VERSION}
    finds = [client.post("/register", data={**data, "unit_find": "1"}, environ_base=ATTACKER) for _ in range(5)]
    assert [page.status_code for page in finds] == [200] * 5 and 'name="unit_id" value="' in finds[-1].text
    tries = [client.post("/register", data=data, environ_base=ATTACKER).status_code for _ in range(3)]
    assert tries == [200, 200, 429]


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_behind_nginx_the_client_address_is_the_forwarded_one(proxies, seen):
    """Per-IP limits key on ``request.remote_addr``: behind nginx (``OLYMPIAD_PROXIES=1``) that must be the
    entrant's address from ``X-Forwarded-For``, and without a proxy the header must not be believed."""
    app = Flask(__name__)
    app.config["PROXIES"] = proxies
    app.add_url_rule("/addr", "addr", lambda: request.remote_addr)
    trust_proxies(app)
    response = app.test_client().get("/addr", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.text == seen
