"""Leaderboards: exact ranking keys, boards of people per round and contest at every unit level (Redis or
in-process), unit rankings, the results organisers publish, their exports, and the pages and JSON of all of it.

From the ground up: ``keys`` (pure) < ``stores`` < ``placements`` < ``reads`` < ``boards`` < ``recording`` <
``results``, ``queries`` < ``exports``; ``runtime`` (the app's boards) < ``reconcile``, ``web``, ``cli``.
docs/architecture.md follows a submit through them."""

from __future__ import annotations

from flask import Flask

from contest.leadership import register_leader_job


def init_app(app: Flask) -> None:
    """Make the app's boards, register the pages, the JSON, ``flask boards`` and the leader's reconciliation."""
    from contest.leaderboards.cli import boards_cli
    from contest.leaderboards.reconcile import reconcile_once
    from contest.leaderboards.runtime import extension
    from contest.leaderboards.web.api import bp as api
    from contest.leaderboards.web.export_pages import bp as export_pages
    from contest.leaderboards.web.organiser_api import bp as organiser_api
    from contest.leaderboards.web.organiser_pages import bp as organiser_pages
    from contest.leaderboards.web.pages import bp as pages

    extension(app)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(organiser_pages)
    app.register_blueprint(organiser_api)
    app.register_blueprint(export_pages)
    app.cli.add_command(boards_cli)
    register_leader_job(app, "board reconciliation", reconcile_once, every_s=app.config["BOARD_RECONCILE_S"])
