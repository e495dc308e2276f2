"""Leaderboard fixtures: a fresh store per test, in-process and, when ``REDIS_URL`` is set, Redis too (a key
prefix per test, so parallel test processes never share keys); the app's boards swapped for it."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest

from contest.attempts.models import Attempt, Status
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.runtime import extension
from contest.leaderboards.stores.memory import MemoryStore

STORES = ["memory"] + (["redis"] if os.environ.get("REDIS_URL") else [])


def make_store(kind: str):
    if kind == "memory":
        return MemoryStore()
    from contest.leaderboards.stores.redis_store import RedisStore

    return RedisStore.from_url(os.environ["REDIS_URL"], prefix=f"test-lb-{uuid.uuid4().hex[:12]}:")


def drop(store) -> None:
    if hasattr(store, "redis"):
        keys = list(store.redis.scan_iter(match=store.prefix + "*", count=1000))
        if keys:
            store.redis.unlink(*keys)
        store.redis.close()


@pytest.fixture(params=STORES)
def store(request):
    store = make_store(request.param)
    yield store
    drop(store)


@pytest.fixture
def boards(app, db_session, store):
    """The app's ``Leaderboards`` (the attempts runtime's too) on a fresh store, with empty caches."""
    with app.app_context():
        ext, rt = extension(app), runtime()
    saved = ext.boards, rt.boards
    ext.boards = rt.boards = Leaderboards(store)
    ext.names.clear()
    ext.units.clear()
    yield ext.boards
    ext.boards, rt.boards = saved


def make_attempt(session, round_, user, *, score: int, duration_ms: int, number: int = 1, finished_at=None,
                 status: Status = Status.SUBMITTED, max_score: int = 5) -> Attempt:
    started = (finished_at or utcnow()) - timedelta(milliseconds=duration_ms)
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=number, status=status, paper=[],
                      started_at=started, deadline=started + timedelta(minutes=10),
                      finished_at=None if status == Status.IN_PROGRESS else started + timedelta(
                          milliseconds=duration_ms),
                      score=None if status == Status.IN_PROGRESS else score, max_score=max_score,
                      duration_ms=None if status == Status.IN_PROGRESS else duration_ms)
    session.add(attempt)
    session.flush()
    return attempt
