"""Organiser screens: the landing page, the guard every organiser view uses, staff and audit pages for admins,
and the presence count behind the live view."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest import presence
    from contest.access.permissions import Action, current_can
    from contest.organiser import entrants_pages
    from contest.organiser.pages import bp

    presence.install(app)
    app.register_blueprint(bp)
    app.register_blueprint(entrants_pages.bp)
    # Templates show an organiser only the buttons and links their role allows (the views check again).
    app.context_processor(lambda: {"can": current_can, "Action": Action})
