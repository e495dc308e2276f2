"""Pages anyone can see: the home page, language switch; later the public contest pages and boards."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.public.pages import bp

    app.register_blueprint(bp)
