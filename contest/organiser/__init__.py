"""Organiser screens: the landing page and the guard every organiser view uses."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.organiser.views import bp

    app.register_blueprint(bp)
