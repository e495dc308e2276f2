"""``flask demo seed``: the demo unit tree, question bank, organiser and entrants, from files in the repo."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.demo.cli import demo

    app.cli.add_command(demo)
