"""Organiser screens: the landing page, the guard every organiser view uses, staff and audit pages for admins,
and the presence count behind the live view."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.organiser import presence
    from contest.organiser.views import bp

    presence.install(app)
    app.register_blueprint(bp)
