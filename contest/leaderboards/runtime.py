"""The app's boards, entrant names and unit rankings, made once per app and reached through ``extension(app)``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from contest.leaderboards.queries.names import EntrantNames
from contest.leaderboards.queries.units import UnitRankings
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.stores.interface import BoardStore

EXTENSION = "olympiad.leaderboards"
DEFAULT_PREFIX = "olympiad:lb:"


@dataclass
class LeaderboardsExtension:
    boards: Leaderboards
    names: EntrantNames
    units: UnitRankings


def make_store(app: Flask) -> BoardStore:
    """Redis sorted sets when ``REDIS_URL`` is set (``LEADERBOARD_REDIS_URL`` overrides it), else in-process."""
    url = app.config.get("LEADERBOARD_REDIS_URL") or app.config.get("REDIS_URL")
    if url:
        from contest.leaderboards.stores.redis_store import RedisStore
        from contest.redis_pools import client

        return RedisStore(client(app, url, "BOARDS"), app.config.get("LEADERBOARD_PREFIX", DEFAULT_PREFIX))
    from contest.leaderboards.stores.memory import MemoryStore

    return MemoryStore()


def extension(app: Flask) -> LeaderboardsExtension:
    """The app's boards, names and unit rankings, made on first use (the attempts runtime needs the boards)."""
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = LeaderboardsExtension(Leaderboards(make_store(app)), EntrantNames(),
                                                          UnitRankings())
    return app.extensions[EXTENSION]


def leaderboards(app: Flask) -> Leaderboards:
    return extension(app).boards
