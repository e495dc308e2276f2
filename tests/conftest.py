"""Fixtures shared by every suite.

The database is chosen by ``DATABASE_URL`` (PostgreSQL in CI's second stage) and otherwise is a fresh SQLite
file per test session. Each test runs inside a transaction rolled back at its end (``db_session``), so tests
are isolated and fast on both backends; services' ``commit()`` calls release savepoints instead.
"""

from __future__ import annotations

import contextvars
import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from contest import create_app
from contest.config import database_uri
from contest.extensions import db, socketio
from contest.realtime.guards import LocalCounts, account_guard

FAST_HASH = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 64}


def _test_database_url(tmp_path_factory) -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    base = database_uri(base)
    # One database per test process (pytest-xdist runs two), dropped at the end.
    url = make_url(base).set(database=f"olympiad_test_{uuid.uuid4().hex[:10]}")
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _test_database_url(tmp_path_factory)
    yield url
    _drop_database(url)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # Flask-SocketIO's test client refuses a message queue; Redis is exercised by the rate-limit test.
        "REDIS_URL": None,
        **FAST_HASH,
    })
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    app.wsgi_app = _isolated(app.wsgi_app)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def _isolated(fn):
    """Run ``fn`` in an empty context, as a server runs each request: nothing of the test's app context
    (``g``, the logged-in user) leaks into it."""

    def run(*args, **kwargs):
        return contextvars.Context().run(fn, *args, **kwargs)

    return run


@pytest.fixture(autouse=True)
def _fresh_account_limits():
    """Each test's entrants start with no connections or events counted: users of rolled-back tests share ids, and
    the per-account windows (contest.realtime.guards) would otherwise carry one test's events into the next."""
    account_guard.local = LocalCounts()


@pytest.fixture
def db_session(app):
    """One session for the whole test, shared by the test's own code and every request it makes, on a
    connection whose outer transaction is rolled back at the end."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"), scopefunc=lambda: 0
        )
        session.remove = lambda: None  # requests end; the test's session lives on
        db.session = session
        try:
            yield session
        finally:
            scoped_session.remove(session)
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def socket_client(app, client):
    """A ``/play`` Socket.IO test client that shares ``client``'s cookies (log in through ``client`` first)."""
    clients = []

    def connect(namespace: str = "/play"):
        sock = _isolated(socketio.test_client)(app, namespace=namespace, flask_test_client=client)
        wrapped = IsolatedSocket(sock, namespace)
        clients.append(wrapped)
        return wrapped

    yield connect
    for sock in clients:
        sock.close()


class IsolatedSocket:
    """A Socket.IO test client whose calls run in an empty context, like ``client``'s requests."""

    def __init__(self, sock, namespace: str):
        self.sock = sock
        self.namespace = namespace

    def call(self, event: str, *args):
        """Emit ``event`` and return its acknowledgement."""
        return _isolated(self.sock.emit)(event, *args, namespace=self.namespace, callback=True)

    def received(self) -> list:
        return _isolated(self.sock.get_received)(self.namespace)

    def connected(self) -> bool:
        return self.sock.is_connected(self.namespace)

    def close(self) -> None:
        if self.connected():
            _isolated(self.sock.disconnect)(self.namespace)


@pytest.fixture
def committed_engine(app, tmp_path_factory):
    """A fresh database of the current kind whose commits are real: for concurrency tests, where several
    connections must see each other's work. Dropped after the test."""
    url = _test_database_url(tmp_path_factory)
    engine = create_engine(url)
    db.metadata.create_all(engine)
    yield engine
    engine.dispose()
    _drop_database(url)


class RecordingNotifier:
    """Keeps what the attempt services would have pushed to entrants."""

    def __init__(self):
        self.closed: list[tuple[int, dict]] = []
        self.taken_over: list[tuple[int, str]] = []
        self.rounds: list[tuple[str, int]] = []  # ("changed" | "paused" | "resumed", round id)
        self.deadlines: list[tuple[int, int, int]] = []  # (user id, attempt id, deadline in epoch ms)

    def attempt_closed(self, user_id: int, payload: dict) -> None:
        self.closed.append((user_id, payload))

    def attempt_taken_over(self, attempt_id: int, device: str) -> None:
        self.taken_over.append((attempt_id, device))

    def round_changed(self, round_id: int) -> None:
        self.rounds.append(("changed", round_id))

    def round_paused(self, round_id: int) -> None:
        self.rounds.append(("paused", round_id))

    def round_resumed(self, round_id: int) -> None:
        self.rounds.append(("resumed", round_id))

    def attempt_deadline(self, user_id: int, attempt_id: int, deadline_ms: int) -> None:
        self.deadlines.append((user_id, attempt_id, deadline_ms))


@pytest.fixture
def rt(app, db_session):
    """The app's attempt runtime with empty caches (ids are reused after each test's rollback) and a
    recording notifier."""
    from contest.attempts.runtime import runtime

    with app.app_context():
        rt = runtime()
    rt.cache.clear()
    rt.questions._revisions.clear()
    rt.bank.forget_pools()
    original = rt.notifier
    rt.notifier = RecordingNotifier()
    yield rt
    rt.notifier = original
