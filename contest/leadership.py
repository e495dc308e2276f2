"""Background work that must run once across the cluster (the deadline sweeper, item statistics of closed rounds)
runs in the process that holds the leadership: a PostgreSQL advisory lock held on a connection of its own.

Why a session-level advisory lock: PostgreSQL releases it the moment the holder's connection ends, so when the
leader's process dies (crash, kill, restart) the lock is free at once and the next process to ask (every sweep
interval, a few seconds) takes over; no lease to expire, no clock to trust. On SQLite there is one serving
process, which always leads.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

LOCK_SPACE, LEADER_KEY = 0x51B6, 1  # advisory lock keys: (space of this module, the one leadership)


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
