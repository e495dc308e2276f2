"""Contests and their rounds: schedule, time limits, blueprints, attempt limits."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.rounds.api import api
    from contest.rounds.cli import contest_cli
    from contest.rounds.pages import bp

    app.register_blueprint(api)
    app.register_blueprint(bp)
    app.cli.add_command(contest_cli)
