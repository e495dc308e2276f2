"""The question bank: questions and topics, their file formats, and drawing papers from them."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the bank's organiser pages and ``flask bank`` commands."""
    from question_bank.cli import bank
    from question_bank.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(bank)
