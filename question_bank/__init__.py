"""The question bank: questions and topics, their file formats, and drawing papers from them."""

from __future__ import annotations

from flask import Flask

from contest.leadership import register_leader_job


def init_app(app: Flask) -> None:
    """Register the bank's organiser pages, its pictures (``/media``),
    ``flask bank`` commands and the leader's item statistics of closed
    rounds (after every sweep; the refresh runs in a thread of its own and logs its failures)."""
    from question_bank.cli import bank
    from question_bank.media_pages import bp as media
    from question_bank.pages import bp
    from question_bank.stored_stats import start_closed_round_refresh

    app.register_blueprint(bp)
    app.register_blueprint(media)
    app.cli.add_command(bank)
    register_leader_job(app, "item statistics",
                        lambda app: start_closed_round_refresh(app, app.config["SWEEP_INTERVAL_S"]))
