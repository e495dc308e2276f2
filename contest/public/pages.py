from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from contest.accounts.pages import safe_next
from contest.i18n import LANG_COOKIE

bp = Blueprint("public_pages", __name__)


@bp.get("/")
def home():
    return render_template("public/home.html")


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
