"""Language choice: Vietnamese unless the visitor switched to another supported language (a cookie)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask, current_app, request
from flask_babel import get_locale

LANG_COOKIE = "lang"
# Contest times are entered and shown in Vietnam's time, whatever the server's or the phone's zone.
CONTEST_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def select_locale() -> str:
    chosen = request.cookies.get(LANG_COOKIE) if request else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["get_locale"] = get_locale
