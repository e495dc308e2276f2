"""Per-account limits on ``/play``: a few connections per account across processes, and an event rate per account.

Per-connection limits (``flood``) alone let one account open 20 sockets and send twenty times the rate; its
events then held the process's database connections and every other entrant on it waited. Here:

* **Connections**: at most ``PLAY_MAX_CONNECTIONS_PER_ACCOUNT`` (default 3). A new connection beyond the cap closes
  the account's oldest, wherever it is: with Redis, a sorted set per account (connection ids scored by connect
  time) is shared by every process, and the disconnect goes through the Socket.IO message queue to the process
  holding that connection. Connections of a process that died stay in the set, but they are the oldest, so they
  are the first ones "closed" (a no-op) and never keep a live one out.
* **Events**: at most ``PLAY_ACCOUNT_EVENTS`` per ``PLAY_ACCOUNT_WINDOW_S`` per account (a fixed window), and of
  those at most ``PLAY_ACCOUNT_HEAVY_EVENTS`` of the events that read the database (``HEAVY_EVENTS``), on top of
  the per-connection token bucket. A refusal is ``rate_limited`` and costs no database work, so a flooding account
  degrades only itself. The window is counted in each process, not in Redis: a Redis round trip per event was
  7.6 % of an answering process's CPU in the 10,000-entrant opening (py-spy), more than half of what the
  in-memory answer path costs. The connection cap is what bounds an account across processes: with at most
  ``max_connections`` connections it can send at most that many windows' worth in all, however it spreads them.

Redis is never a dependency of correctness: its commands have a short time-out, and after a failure this process
keeps the connection cap in memory (per process, so it is only looser) for ``REDIS_RETRY_S`` before trying Redis
again.
Nothing here needs a Flask context: ``allow_event(sid, user_id, now)`` is the whole per-event check.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass, field

import redis

from contest.extensions import socketio
from contest.realtime.flood import flood_guard

log = logging.getLogger(__name__)

# A Redis that answers slower than this is treated as down. The wait includes the greenlet's turn on a busy
# process: at 0.2 s a healthy Redis "failed" every few seconds on a loaded 2-core box.
REDIS_TIMEOUT_S = 0.5
REDIS_RETRY_S = 5.0  # after a failure, how long this process counts in memory before trying Redis again
CONNECTIONS_TTL_S = 24 * 3600  # an account's set of connections outlives any contest day, then goes
# Events whose handler reads the database (an answer's path reads nothing: its attempt is cached in the process).
HEAVY_EVENTS = frozenset({"attempt_start", "attempt_resume", "attempt_submit"})


@dataclass(frozen=True)
class AccountLimits:
    max_connections: int = 3
    events: int = 100
    window_s: float = 10.0
    heavy_events: int = 10


@dataclass
class LocalCounts:
    """The limits counted in this process: the event windows always, the connections without Redis or while it
    fails."""

    connections: dict[int, OrderedDict] = field(default_factory=dict)  # user -> {sid: connect time}, oldest first
    windows: dict[int, list] = field(default_factory=dict)  # user -> [window number, events in it]

    def connected(self, sid: str, user_id: int, now: float, cap: int) -> list[str]:
        held = self.connections.setdefault(user_id, OrderedDict())
        held[sid] = now
        evicted = []
        while len(held) > cap:
            oldest, _ = held.popitem(last=False)
            evicted.append(oldest)
        return evicted

    def disconnected(self, sid: str, user_id: int) -> None:
        held = self.connections.get(user_id)
        if held is not None:
            held.pop(sid, None)
            if not held:
                del self.connections[user_id]

    def count_event(self, user_id: int, window: int, heavy: bool) -> tuple[int, int]:
        """Events and heavy events of the account in ``window`` so far, this one included."""
        entry = self.windows.get(user_id)
        if entry is None or entry[0] != window:
            entry = self.windows[user_id] = [window, 0, 0]
            if len(self.windows) > 50_000:  # old windows of accounts gone quiet
                self.windows = {user: counted for user, counted in self.windows.items() if counted[0] >= window}
        entry[1] += 1
        entry[2] += heavy
        return entry[1], entry[2]


class RedisCounts:
    """The connections of each account in Redis, shared by every process of the deployment."""

    def __init__(self, client: redis.Redis, prefix: str):
        self.client, self.prefix = client, prefix

    def connected(self, sid: str, user_id: int, now: float, cap: int) -> list[str]:
        key = f"{self.prefix}conns:{user_id}"
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(key, {sid: now})
        pipe.expire(key, CONNECTIONS_TTL_S)
        pipe.zrange(key, 0, -1)
        members = pipe.execute()[2]
        evicted = [member.decode() if isinstance(member, bytes) else member for member in members[:-cap]]
        evicted = [member for member in evicted if member != sid]
        if evicted:
            self.client.zrem(key, *evicted)
        return evicted

    def disconnected(self, sid: str, user_id: int) -> None:
        self.client.zrem(f"{self.prefix}conns:{user_id}", sid)



class AccountGuard:
    """Connections and event rates per account; see the module docstring."""

    def __init__(self) -> None:
        self.limits = AccountLimits()
        self.local = LocalCounts()
        self.shared: RedisCounts | None = None
        self.redis_down_until = 0.0

    def configure(self, limits: AccountLimits, shared: RedisCounts | None) -> None:
        self.limits, self.shared, self.local, self.redis_down_until = limits, shared, LocalCounts(), 0.0

    def connected(self, sid: str, user_id: int, now: float) -> list[str]:
        """Record a new connection of ``user_id``; returns the connections to close (the oldest beyond the cap)."""
        evicted = self.local.connected(sid, user_id, now, self.limits.max_connections)
        shared = self._shared(now)
        if shared is not None:
            try:
                return shared.connected(sid, user_id, now, self.limits.max_connections)
            except redis.RedisError:
                self._redis_failed(now)
        return evicted

    def disconnected(self, sid: str, user_id: int, now: float) -> None:
        self.local.disconnected(sid, user_id)
        shared = self._shared(now)
        if shared is not None:
            try:
                shared.disconnected(sid, user_id)
            except redis.RedisError:
                self._redis_failed(now)

    def allow(self, sid: str, user_id: int | None, now: float, event: str = "") -> bool:
        """Whether one more ``event`` of connection ``sid`` (of ``user_id``, None when anonymous) may run now."""
        if not flood_guard.allow(sid, now):
            return False
        if user_id is None:
            return True
        window, heavy = int(now // self.limits.window_s), event in HEAVY_EVENTS
        counted = self.local.count_event(user_id, window, heavy)
        return counted[0] <= self.limits.events and (not heavy or counted[1] <= self.limits.heavy_events)

    def _shared(self, now: float) -> RedisCounts | None:
        return self.shared if self.shared is not None and now >= self.redis_down_until else None

    def _redis_failed(self, now: float) -> None:
        self.redis_down_until = now + REDIS_RETRY_S
        log.warning("per-account connection cap: Redis failed, counting in this process for %.0f s", REDIS_RETRY_S)


account_guard = AccountGuard()


def allow_event(sid: str, user_id: int | None, now: float, event: str = "") -> bool:
    """The per-event check of a ``/play`` or ``/board`` connection: its own rate, then its account's (``now``:
    epoch seconds, ``time.time()``, as every process must agree on the windows; ``event``: its name, as some
    events cost more than others)."""
    return account_guard.allow(sid, user_id, now, event)


def close_connections(sids: list[str], namespace: str) -> None:
    """Disconnect ``sids`` wherever they are (the message queue carries it to their process), after the current
    handler: a connect handler must not run another connection's disconnect handler inside its own."""
    if sids:
        socketio.start_background_task(_close_now, list(sids), namespace)


def _close_now(sids: list[str], namespace: str) -> None:
    for sid in sids:
        try:
            socketio.server.disconnect(sid, namespace=namespace)
        except Exception:  # a connection already gone, or a queue that is down: it is closed or will be
            log.warning("could not close connection %s beyond its account's cap", sid, exc_info=True)


def init_app(app) -> None:
    """Configure the guard from the app's settings (``PLAY_*``), on Redis when ``REDIS_URL`` is set."""
    limits = AccountLimits(max_connections=int(app.config["PLAY_MAX_CONNECTIONS_PER_ACCOUNT"]),
                           events=int(app.config["PLAY_ACCOUNT_EVENTS"]),
                           window_s=float(app.config["PLAY_ACCOUNT_WINDOW_S"]),
                           heavy_events=int(app.config["PLAY_ACCOUNT_HEAVY_EVENTS"]))
    shared = None
    if app.config["REDIS_URL"]:
        from contest.redis_pools import blocking_pool

        pool = blocking_pool(app.config["REDIS_URL"], size=int(app.config["REDIS_POOL_PRESENCE"]) * 4,
                             timeout_s=REDIS_TIMEOUT_S, socket_timeout_s=REDIS_TIMEOUT_S)
        shared = RedisCounts(redis.Redis(connection_pool=pool), key_prefix(app.config["SQLALCHEMY_DATABASE_URI"]))
    account_guard.configure(limits, shared)


def key_prefix(database_uri: str) -> str:
    """Redis keys per database: user 7 of one deployment is not user 7 of another sharing the Redis."""
    return f"olympiad:play:{hashlib.sha256(database_uri.encode()).hexdigest()[:12]}:"
