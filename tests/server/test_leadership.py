"""The cluster's background work runs in one process at a time, and another takes over within seconds when that
process dies: the leader holds a PostgreSQL advisory lock (contest/leadership.py), released with its connection."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import create_engine, text

from contest.leadership import LEADER_KEY, LOCK_SPACE
from tests.server.running import another_process, running_server

pytestmark = [pytest.mark.server, pytest.mark.postgres]
TAKEOVER_S = 15  # the sweep interval is 1 s here; PostgreSQL frees the lock when the dead process's socket closes


def leaders(database_url: str) -> list[int]:
    """The backend pids holding the leadership lock of ``database_url``'s database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = :space "
                "AND objid = :key AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                {"space": LOCK_SPACE, "key": LEADER_KEY}))
    finally:
        engine.dispose()


def wait_for_one_leader(database_url: str, other_than: int | None = None) -> int:
    deadline = time.monotonic() + TAKEOVER_S
    while time.monotonic() < deadline:
        held = leaders(database_url)
        assert len(held) <= 1, f"two leaders at once: {held}"
        if held and held[0] != other_than:
            return held[0]
        time.sleep(0.2)
    raise AssertionError(f"no process took the leadership within {TAKEOVER_S} s")


def test_one_leader_and_a_takeover_when_it_dies(tmp_path_factory):
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "needs PostgreSQL: set DATABASE_URL"
    with running_server(tmp_path_factory, OLYMPIAD_SWEEP_INTERVAL_S="1") as first:
        with another_process(first) as second:
            url = first.database_url
            leader = wait_for_one_leader(url)
            time.sleep(2.5)  # two more sweep intervals: the other process asked and was refused
            assert leaders(url) == [leader]
            # Kill whichever process leads, hard (no clean shutdown), and the other takes over.
            said = "now runs the cluster's background work"
            victim, survivor = (first, second) if said in first.log.read_text() else (second, first)
            assert said in victim.log.read_text() and said not in survivor.log.read_text()
            victim.process.kill()
            victim.process.wait(timeout=10)
            assert wait_for_one_leader(url, other_than=leader) != leader and survivor.process.poll() is None
            assert said in survivor.log.read_text()
