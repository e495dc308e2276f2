"""Leaderboards: exact ranking keys, boards of people per round and contest at every unit level (Redis or
in-process), unit rankings, and their public JSON."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from contest.leaderboards.names import EntrantNames
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.store import BoardStore
from contest.leaderboards.unit_rankings import UnitRankings

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
        from contest.leaderboards.redis_store import RedisStore
        from contest.redis_pools import client

        return RedisStore(client(app, url, "BOARDS"), app.config.get("LEADERBOARD_PREFIX", DEFAULT_PREFIX))
    from contest.leaderboards.memory import MemoryStore

    return MemoryStore()


def init_app(app: Flask) -> None:
    from contest.leaderboards.cli import boards_cli
    from contest.leaderboards.export_pages import bp as export_pages
    from contest.leaderboards.organiser import bp as organiser_pages
    from contest.leaderboards.organiser_live import bp as organiser_live
    from contest.leaderboards.public import bp as public_pages
    from contest.leaderboards.views import api

    extension(app)
    app.register_blueprint(api)
    app.register_blueprint(public_pages)
    app.register_blueprint(organiser_pages)
    app.register_blueprint(organiser_live)
    app.register_blueprint(export_pages)
    app.cli.add_command(boards_cli)


def extension(app: Flask) -> LeaderboardsExtension:
    """The app's boards, names and unit rankings, made on first use (the attempts runtime needs the boards)."""
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = LeaderboardsExtension(Leaderboards(make_store(app)), EntrantNames(),
                                                          UnitRankings())
    return app.extensions[EXTENSION]


def leaderboards(app: Flask) -> Leaderboards:
    return extension(app).boards
