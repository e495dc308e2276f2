"""Every Redis client of a process draws from a bounded, blocking connection pool sized on purpose.

redis-py's default pool opens a new connection whenever none is free, without limit: during a login rush each
waiting greenlet opened its own, until Redis or the pool refused and the request died with a 500. A blocking pool
makes a greenlet wait (cooperatively, under gevent) for a connection instead, for at most ``timeout_s``; past that
it raises ``redis.ConnectionError``, which ``overload`` answers with a retryable 503.

Sizes, per process (settings ``REDIS_POOL_*``): a Redis command takes well under a millisecond, so a few dozen
connections carry thousands of commands a second; the pool's size is the concurrency of Redis work, not of
entrants. Python-socketio's message queue keeps its own client: it publishes from the few greenlets that emit
(the board ticker, the notifier) and listens on one connection.
"""

from __future__ import annotations

import redis
from flask import Flask

SOCKET_TIMEOUT_S = 2.0


def blocking_pool(url: str, *, size: int, timeout_s: float, decode_responses: bool = False,
                  socket_timeout_s: float = SOCKET_TIMEOUT_S) -> redis.ConnectionPool:
    """A pool of at most ``size`` connections to ``url``; a caller waits up to ``timeout_s`` for a free one, and
    up to ``socket_timeout_s`` for Redis to connect or answer."""
    return redis.BlockingConnectionPool.from_url(
        url, max_connections=size, timeout=timeout_s, decode_responses=decode_responses,
        socket_timeout=socket_timeout_s, socket_connect_timeout=socket_timeout_s, health_check_interval=30)


def client(app: Flask, url: str, kind: str, *, decode_responses: bool = True) -> redis.Redis:
    """A client for one kind of Redis work (``LIMITER``, ``PRESENCE``, ``BOARDS``), with its own pool."""
    return redis.Redis(connection_pool=blocking_pool(
        url, size=app.config[f"REDIS_POOL_{kind}"], timeout_s=app.config["REDIS_POOL_TIMEOUT_S"],
        decode_responses=decode_responses))


def limiter_options(app: Flask) -> dict:
    """``RATELIMIT_STORAGE_OPTIONS`` for a Redis limiter storage: its pool, bounded like the others."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if not uri.startswith(("redis://", "rediss://")):
        return {}
    return {"connection_pool": blocking_pool(uri, size=app.config["REDIS_POOL_LIMITER"],
                                             timeout_s=app.config["REDIS_POOL_TIMEOUT_S"])}
