"""Fair play: one device per attempt lives in ``contest.attempts``; here the signals computed from stored data,
the organisers' review queue and the proof-of-work at the doors."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.fairplay.api import api
    from contest.fairplay.cli import fairplay_cli
    from contest.fairplay.pages import bp

    app.register_blueprint(api)
    app.register_blueprint(bp)
    app.cli.add_command(fairplay_cli)
