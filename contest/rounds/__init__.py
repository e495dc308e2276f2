"""Contests and their rounds: schedule, time limits, blueprints, attempt limits; a contest's home content."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.rounds.api import api
    from contest.rounds.cli import contest_cli
    from contest.rounds.content_pages import bp as content_pages
    from contest.rounds.in_flight_pages import bp as in_flight_pages
    from contest.rounds.pages import bp

    app.register_blueprint(api)
    app.register_blueprint(bp)
    app.register_blueprint(content_pages)
    app.register_blueprint(in_flight_pages)
    app.cli.add_command(contest_cli)
