"""Login rate limits per account, counted in Redis when ``REDIS_URL`` is set (CI's PostgreSQL and Redis stage),
else in memory."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from flask import Flask, request
from flask_socketio import SocketIO

from contest import create_app
from contest import extensions as ext
from contest.extensions import db, limiter
from contest.serving import trust_proxies
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
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
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


def test_fourth_wrong_login_for_one_account_is_refused_while_others_go_on(limited_app):
    client = limited_app.test_client()

    def wrong_login(phone: str):
        return client.post("/api/session", json={"login": phone, "password": "wrong-password"})

    assert [wrong_login("0911000001").status_code for _ in range(3)] == [401, 401, 401]
    limited = wrong_login("0911000001")
    assert limited.status_code == 429
    assert limited.json["ok"] is False and limited.json["error"]["code"] == "rate_limited"
    # The same account written another way is the same account.
    assert wrong_login("+84 911 000 001").status_code == 429
    # Another account, from the same address, is still only told its password is wrong.
    other = wrong_login("0911000002")
    assert other.status_code == 401 and other.json["error"]["code"] == "not_authenticated"
    assert client.post("/api/session", json={"login": "0911000002", "password": PASSWORD}).status_code == 200

    if os.environ.get("REDIS_URL"):
        keys = redis.Redis.from_url(os.environ["REDIS_URL"]).keys(f"*{limited_app.config['RATELIMIT_KEY_PREFIX']}*")
        assert keys, "the limits were not counted in Redis"


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
