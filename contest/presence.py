"""How many entrants are connected to ``/play``, across every server process, for the organiser's live view.

Each process counts its own logged-in ``/play`` connections in memory (``connected``/``disconnected`` are
called by the namespace; a connection is one tab, so an entrant with two tabs counts twice).

- Embedded mode (no ``REDIS_URL``, one process): that count is the answer.
- With ``REDIS_URL``, each process also writes its count to one Redis hash (``HSET presence field "count
  time"``) every ``interval_s`` seconds from a heartbeat thread started by its first connection. Readers add up
  the fields written in the last ``stale_after_s`` seconds and delete older ones, so a process that died stops
  counting within that time. Cost: one small write per process per interval, one ``HGETALL`` per read.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

from flask import Flask, current_app

log = logging.getLogger(__name__)
EXTENSION = "olympiad.presence"


class LocalPresence:
    """The count of this process only: right when there is one process."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def connected(self) -> None:
        with self._lock:
            self.count += 1

    def disconnected(self) -> None:
        with self._lock:
            self.count = max(0, self.count - 1)

    def total(self) -> int | None:
        """Connected entrants in every process; None when that cannot be known right now."""
        return self.count


class RedisPresence(LocalPresence):
    KEY = "olympiad:presence:play"

    def __init__(self, url: str, *, interval_s: float = 5.0, stale_after_s: float = 15.0, client=None) -> None:
        super().__init__()
        if client is None:
            import redis

            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, decode_responses=True)
        self.redis = client
        self.interval_s = interval_s
        self.stale_after_s = stale_after_s
        self.field: str | None = None  # named in the serving process (after any fork), at its first connection
        self._beating = False

    def connected(self) -> None:
        super().connected()
        if not self._beating:
            self._start_heartbeat()

    def _start_heartbeat(self) -> None:
        with self._lock:
            if self._beating:
                return
            self._beating = True
        self.field = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        threading.Thread(target=self._beat, name="play-presence", daemon=True).start()

    def _beat(self) -> None:
        while True:
            try:
                self.publish()
            except Exception:  # Redis away: try again at the next beat; the live view shows "unknown"
                log.warning("could not publish /play presence to Redis", exc_info=True)
            time.sleep(self.interval_s)

    def publish(self, now: float | None = None) -> None:
        """Write this process's count, stamped with the time."""
        if self.field is None:
            self.field = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.redis.hset(self.KEY, self.field, f"{self.count} {time.time() if now is None else now:.3f}")

    def total(self, now: float | None = None) -> int | None:
        now = time.time() if now is None else now
        try:
            entries = self.redis.hgetall(self.KEY)
        except Exception:
            log.warning("could not read /play presence from Redis", exc_info=True)
            return None
        count, stale = 0, []
        for field, value in entries.items():
            try:
                connected, stamp = value.split()
                fresh = now - float(stamp) <= self.stale_after_s
            except ValueError:
                fresh = False
            if fresh:
                count += int(connected)
            else:
                stale.append(field)
        if stale:
            try:
                self.redis.hdel(self.KEY, *stale)
            except Exception:
                log.warning("could not forget stale /play presence", exc_info=True)
        return count


def install(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    if url:
        from contest.redis_pools import client

        app.extensions[EXTENSION] = RedisPresence(url, client=client(app, url, "PRESENCE"))
    else:
        app.extensions[EXTENSION] = LocalPresence()


def presence() -> LocalPresence:
    return current_app.extensions[EXTENSION]
