"""The unit tree (province → district → school, or any other shape) entrants belong to."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.units.api import api
    from contest.units.cli import units
    from contest.units.pages import bp

    app.register_blueprint(api)
    app.register_blueprint(bp)
    app.cli.add_command(units)
