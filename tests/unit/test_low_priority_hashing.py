"""Password hashes run beside the event loop at a lower priority than it (contest.concurrency)."""

from __future__ import annotations

import os
import threading

import pytest
from flask_socketio import SocketIO

from contest import create_app
from contest import extensions as ext
from contest.concurrency import run_blocking
from contest.extensions import limiter


def where_and_how_nice() -> tuple[int, int]:
    thread = threading.get_native_id()
    return thread, os.getpriority(os.PRIO_PROCESS, thread)


@pytest.fixture
def gevent_app(tmp_path, monkeypatch):
    """An app of its own. The module-level SocketIO and limiter are swapped out and put back (as in
    ``tests/integration/test_rate_limits.py``): otherwise this app's Socket.IO server replaces the suite's, and
    the suite's later socket tests in this process cannot connect."""
    monkeypatch.setattr(ext, "socketio", SocketIO())
    saved = dict(limiter.__dict__)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db",
                      "REDIS_URL": None})
    app.config["ASYNC_MODE"] = "gevent"
    yield app
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


def test_hashes_run_in_a_niced_thread_of_their_own(gevent_app):
    caller = where_and_how_nice()
    with gevent_app.app_context():
        thread, nice = run_blocking(where_and_how_nice)
    assert thread != caller[0]
    assert nice == min(19, caller[1] + gevent_app.config["HASH_NICE"])
    assert where_and_how_nice() == caller  # the caller's own priority is untouched


def test_with_plain_threads_the_work_runs_in_the_caller(gevent_app):
    gevent_app.config["ASYNC_MODE"] = "threading"
    with gevent_app.app_context():
        assert run_blocking(where_and_how_nice) == where_and_how_nice()
