"""Background work that must run once across the cluster runs in the process that holds the leadership: a
PostgreSQL advisory lock held on a connection of its own. The attempt sweeper's loop (``attempts.sweeper``) asks
for the leadership every interval; while it leads it sweeps overdue attempts, then runs the leader jobs the other
packages registered (``register_leader_job``: the question bank's item statistics of closed rounds, the boards'
reconciliation with the database), each when it is due.

Why a session-level advisory lock: PostgreSQL releases it the moment the holder's connection ends, so when the
leader's process dies (crash, kill, restart) the lock is free at once and the next process to ask (every sweep
interval, a few seconds) takes over; no lease to expire, no clock to trust. On SQLite there is one serving
process, which always leads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

LOCK_SPACE, LEADER_KEY = 0x51B6, 1  # advisory lock keys: (space of this module, the one leadership)
JOBS = "olympiad.leader_jobs"


@dataclass
class LeaderJob:
    """``run(app)`` every ``every_s`` seconds (None: at every sweep), in the leader only; ``due`` is monotonic."""

    name: str
    run: Callable[[Flask], object]
    every_s: float | None = None
    due: float = 0.0


def register_leader_job(app: Flask, name: str, run: Callable[[Flask], object], *,
                        every_s: float | None = None) -> None:
    """Have the leader run ``run(app)`` at every sweep, or every ``every_s`` seconds (the first time after
    ``every_s``). ``run`` must not raise for long: a job that needs time starts its own thread."""
    due = time.monotonic() + every_s if every_s else 0.0
    app.extensions.setdefault(JOBS, []).append(LeaderJob(name, run, every_s, due))


def run_leader_jobs(app: Flask, now: float | None = None) -> list[str]:
    """Run the jobs that are due (called by the leader after each sweep); the names of those run. A job that fails
    is logged and tried again when next due; the others run anyway."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in app.extensions.get(JOBS, []):
        if now < job.due:
            continue
        job.due = now + (job.every_s or 0.0)
        try:
            job.run(app)
        except Exception:
            log.exception("leader job %s failed; trying again when next due", job.name)
        ran.append(job.name)
    return ran


class Leadership:
    """``held()`` answers whether this process leads now, claiming the leadership if it is free."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    def held(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        try:
            if self.connection is not None:
                self.connection.execute(text("SELECT 1"))  # the lock lives as long as this connection
                return True
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if connection.scalar(text("SELECT pg_try_advisory_lock(:space, :key)"),
                                 {"space": LOCK_SPACE, "key": LEADER_KEY}):
                self.connection = connection
                log.warning("this process now runs the cluster's background work")  # once per takeover: worth seeing
                return True
            connection.close()
            return False
        except Exception:
            log.warning("lost the leadership (database connection)", exc_info=True)
            self.release()
            return False

    def release(self) -> None:
        """Give the leadership up (closing the connection releases the lock)."""
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                log.debug("closing the leader's connection failed", exc_info=True)
            self.connection = None
