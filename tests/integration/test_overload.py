"""Overload is answered with a retryable 503 and ``Retry-After``, never a 500: Redis unreachable, the limiter's
Redis pool exhausted, the database pool exhausted."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid

import pytest
from flask_socketio import SocketIO

from contest import create_app
from contest import extensions as ext
from contest.extensions import db, limiter
from tests.conftest import FAST_HASH
from tests.factories import PASSWORD, make_tree, make_user

NOBODY_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture
def own_app(app, tmp_path, monkeypatch):
    """``own_app(**config)``: an app of its own over its own SQLite file, with one entrant (0911000001). The
    module-level SocketIO and limiter state are swapped out and put back, as in ``test_rate_limits``."""
    monkeypatch.setattr(ext, "socketio", SocketIO())
    saved = dict(limiter.__dict__)
    made = []

    def build(**config):
        built = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "REDIS_URL": None,
                            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'own.sqlite3'}",
                            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}", **FAST_HASH, **config})
        built.instance_path = str(tmp_path)
        with built.app_context():
            db.create_all()
            make_user(db.session, unit=make_tree(db.session)["s1"], phone="0911000001", commit=True)
        made.append(built)
        return built

    yield build
    for built in made:
        with built.app_context():
            db.engine.dispose()
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


def assert_retryable(response, *, json: bool) -> None:
    assert response.status_code == 503
    assert 2 <= int(response.headers["Retry-After"]) <= 6
    if json:
        assert response.json["ok"] is False and response.json["error"]["code"] == "unavailable"
        assert response.json["error"]["retry_after"] == int(response.headers["Retry-After"])
        assert "thử lại sau" in response.json["error"]["message"]


def test_with_redis_unreachable_the_limits_count_in_the_process_and_logins_go_on(own_app):
    """Redis is a cache, never the door (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED): no 500, no 503, still limited."""
    client = own_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=NOBODY_LISTENS, WTF_CSRF_ENABLED=False,
                     REDIS_POOL_TIMEOUT_S=0.2, LOGIN_LIMIT_PER_IP="3 per minute").test_client()
    login = {"login": "0911000001", "password": PASSWORD}
    assert [client.post("/api/session", json=login).status_code for _ in range(3)] == [200, 200, 200]
    assert client.post("/api/session", json=login).status_code == 429  # counted in memory meanwhile


def test_a_full_login_door_is_answered_at_once_with_a_long_retry(own_app):
    busy_app = own_app(RATELIMIT_ENABLED=False, LOGIN_CONCURRENCY=1, LOGIN_QUEUE=0)
    gate = busy_app.extensions["olympiad.login_gate"]
    assert gate.enter()  # someone is logging in
    try:
        client = busy_app.test_client()
        started = time.monotonic()
        refused = client.post("/api/session", json={"login": "0911000001", "password": PASSWORD})
        assert time.monotonic() - started < 1
        assert refused.status_code == 503 and 5 <= int(refused.headers["Retry-After"]) <= 15
        assert refused.json["error"]["code"] == "unavailable"
        page = client.post("/login", data={"login": "0911000001", "password": PASSWORD})
        assert page.status_code == 503 and "Bạn đang trong hàng chờ" in page.get_data(as_text=True)
        assert client.get("/api/rounds").status_code == 200  # only the doors that hash are gated
    finally:
        gate.leave()
    assert client.post("/api/session", json={"login": "0911000001", "password": PASSWORD}).status_code == 200


def test_the_database_pool_exhausted_gives_503(own_app):
    busy = own_app(RATELIMIT_ENABLED=False, SQLALCHEMY_ENGINE_OPTIONS={"pool_timeout": 0.2})
    with busy.app_context():
        held = db.engine.connect()  # SQLite has one connection per process: now nobody else gets it
        try:
            started = time.monotonic()
            response = busy.test_client().get("/api/rounds")
            assert time.monotonic() - started < 2
        finally:
            held.close()
    assert_retryable(response, json=True)
    assert busy.test_client().get("/api/rounds").status_code == 200  # and served once the pool has room
    with busy.app_context():
        held = db.engine.connect()
        try:
            page = busy.test_client().get("/contests")
        finally:
            held.close()
    assert_retryable(page, json=False)
    assert 'http-equiv="refresh"' in page.get_data(as_text=True)  # a page that was only read reloads by itself


@pytest.mark.postgres
def test_the_limiters_redis_pool_is_bounded_and_a_full_one_falls_back_to_the_process(own_app):
    assert os.environ.get("REDIS_URL"), "needs Redis: set REDIS_URL"
    limited = own_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=os.environ["REDIS_URL"],
                      REDIS_POOL_LIMITER=1, REDIS_POOL_TIMEOUT_S=0.2)
    client = limited.test_client()
    login = {"login": "0911000001", "password": PASSWORD}
    assert client.post("/api/session", json=login).status_code == 200
    pool = limited.config["RATELIMIT_STORAGE_OPTIONS"]["connection_pool"]
    held = pool.get_connection()  # the pool's only connection
    try:
        started = time.monotonic()
        assert client.post("/api/session", json=login).status_code == 200  # counted in the process meanwhile
        assert time.monotonic() - started < 2  # waited for the pool's timeout, not for ever
    finally:
        pool.release(held)
    assert client.post("/api/session", json=login).status_code == 200
    assert pool.max_connections == 1 and len(pool._connections) == 1  # noqa: SLF001  (never more than its size)



def test_sqlite_locked_by_another_process_is_a_quick_503_not_a_frozen_process(own_app, tmp_path):
    locked = own_app(RATELIMIT_ENABLED=False)
    other = sqlite3.connect(tmp_path / "own.sqlite3", isolation_level=None)  # another process, as far as SQLite knows
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        client = locked.test_client()
        started = time.monotonic()
        assert_retryable(client.get("/api/rounds"), json=True)
        assert_retryable(client.post("/api/session", json={"login": "0911000001", "password": PASSWORD}), json=True)
        assert time.monotonic() - started < 2  # each waited SQLITE_BUSY_TIMEOUT_S (0.25 s), not SQLite's 5 s
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert client.post("/api/session", json={"login": "0911000001", "password": PASSWORD}).status_code == 200
