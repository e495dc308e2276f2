"""Olympiad: online quiz contests at national scale."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from contest import admission, compression, i18n, input_guard, overload, redis_pools, security_headers, static_files
from contest import extensions as ext
from contest.config import load_config
from contest.db import set_sqlite_busy_timeout, set_sqlite_synchronous
from contest.private_files import private_sqlite
from contest.realtime import compact_json, room_index
from contest.sessions import ConnectionCachedSessionInterface

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI. Touches no database."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    app.session_interface = ConnectionCachedSessionInterface()
    app.json.ensure_ascii = False  # Vietnamese as UTF-8, a third smaller than \uXXXX escapes (compact_json.py)
    compression.init_app(app)  # the first after_request registered runs last: it compresses the final body
    static_files.init_app(app)  # static addresses carry their content's hash: cached a year
    input_guard.init_app(app)  # first: its URL converter must be in place before any blueprint adds rules
    admission.init_app(app)  # then the login door: a refused login costs nothing more

    ext.db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():  # creates the engine object only; nothing connects yet
            set_sqlite_synchronous(ext.db.engine, app.config["SQLITE_SYNCHRONOUS"])
            set_sqlite_busy_timeout(ext.db.engine, float(app.config["SQLITE_BUSY_TIMEOUT_S"]))
            private_sqlite(ext.db.engine.url.database)
    ext.migrate.init_app(app, ext.db, directory=str(MIGRATIONS), render_as_batch=True)
    ext.login_manager.init_app(app)
    ext.csrf.init_app(app)
    ext.babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", redis_pools.limiter_options(app))
    security_headers.init_app(app)
    ext.limiter.init_app(app)
    ext.socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        client_manager=room_index.client_manager(app.config["REDIS_URL"]),  # disconnects that cost their rooms only
        # Entrants connect with websocket-only Socket.IO (the HTTP API is the fallback), so no process needs
        # sticky sessions behind nginx.
        transports=["websocket"],
        # A message up to this size reaches the handlers, which refuse it with payload_too_large and keep the
        # connection; Engine.IO closes the connection on anything larger.
        max_http_buffer_size=app.config["SOCKETIO_MAX_MESSAGE_BYTES"],
        json=compact_json,
    )

    import contest.models  # noqa: F401  (the whole schema, for Alembic)
    import question_bank
    from contest import (
        accounts,
        api,
        attempts,
        demo,
        fairplay,
        leaderboards,
        organiser,
        privacy,
        prizes,
        public,
        realtime,
        rounds,
        units,
    )

    overload.init_app(app)
    for module in (api, accounts, units, public, organiser, question_bank, rounds, leaderboards, attempts, fairplay,
                   realtime, demo, privacy, prizes):
        module.init_app(app)
    return app
