from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from contest.accounts.pages import safe_next
from contest.db import utcnow
from contest.extensions import db
from contest.i18n import LANG_COOKIE
from contest.rounds.content import latest_news
from contest.rounds.queries import current_contests

bp = Blueprint("public_pages", __name__)


@bp.get("/")
def home():
    """The current contests: their open and upcoming rounds with countdowns, and links to every board."""
    now = utcnow()
    cards = current_contests(db.session, now=now)
    news = latest_news(db.session, [card.contest.id for card in cards], now=now)
    return render_template("public/home.html", cards=cards, news=news, now=now)


@bp.get("/lang/<code>")
def switch_language(code: str):
    response = redirect(safe_next(url_for("public_pages.home")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SECURE_COOKIES"])
    return response


@bp.get("/healthz")
def health():
    return {"ok": True, "async_mode": current_app.config["ASYNC_MODE"], "path": request.path}
