"""Entrants, organisers and admins: registration, login, roles and organiser scopes."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from contest.accounts import admin_cli, reset_pages  # noqa: F401  (admin_cli adds its commands to users)
    from contest.accounts.api import api
    from contest.accounts.cli import users
    from contest.accounts.logins import user_for_token
    from contest.accounts.pages import bp
    from contest.db import utcnow
    from contest.errors import DomainError
    from contest.extensions import csrf, db, login_manager

    login_manager.login_view = "accounts_pages.login"
    login_manager.login_message = _l("Please log in first.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(token: str):
        """The session and remember cookies name a login's token, looked up on every request. A deactivated
        account (e.g. its personal data removed by the retention command) is logged out."""
        user = user_for_token(db.session, token, now=utcnow(), lifetime=app.config["REMEMBER_COOKIE_DURATION"])
        return user if user is not None and user.active else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return jsonify({"ok": False, "error": DomainError("not_authenticated").to_dict()}), 401
        return redirect(url_for("accounts_pages.login", next=request.full_path.rstrip("?")))

    csrf.exempt(api)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    app.register_blueprint(reset_pages.bp)
    app.cli.add_command(users)
