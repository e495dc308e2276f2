"""A round's opening without a Flask request context: the ``/play`` connect and ``attempt_start``.

In an opening every entrant connects and starts once, hundreds a second, and Flask-SocketIO builds a Flask request
context for each of those events (a request object, the URL match, the session's copy) and Flask-Login loads the
whole account row for the connect: in the 4 December profile those were 30 % of a process, against 18 % for the
start's own work (bench/RESULTS.md). Neither needs it: the connect needs the login named by the session cookie (one
query for two ids) and the start needs an app context for its database session. So the successful connect and
start are done here, under an app context only, and answered as ``PlayNamespace`` would.

Everything these paths do not take goes the ordinary way, which checks it all again: a connect whose session names
no open login (anonymous, a remember cookie, an ended login: Flask-Login decides), a start whose connection's login
is due for its database re-check or whose payload is not a plain small dict. A start refused after the rate limit
counted it (the round is closed, the door is full, the store failed) is answered here, in a request context so the
message is in the entrant's language: sent on, it would be counted twice.
"""

from __future__ import annotations

import time

from werkzeug.wrappers import Request

from contest.accounts.logins import open_login_of
from contest.db import release_connection, utcnow
from contest.errors import DomainError
from contest.extensions import db, login_manager
from contest.overload import OVERLOAD_ERRORS, Full
from contest.realtime.guards import allow_event
from contest.realtime.in_memory import caller_in_memory
from contest.realtime.replies import failure_reply, refuse, refused_connection

SETTING = "OPENING_FAST_PATH"
USER_ID_KEY = "_user_id"  # where Flask-Login keeps the logged-in user's id (here a login's token) in the session


def connect_in_memory(namespace, sid: str, environ: dict, auth=None) -> bool | None:
    """True once a connection whose session names an open login is let in, or None: take the ordinary path.
    Raises Socket.IO's ``ConnectionRefusedError`` (with a retry hint) when the opening door is full."""
    app = environ.get("flask.app")
    if app is None or not app.config[SETTING] or login_manager.session_protection == "strong":
        return None  # "strong" may refuse a session from another address: Flask-Login decides
    session = app.session_interface.open_session(app, Request(environ))  # kept in the environ for later events
    token = session.get(USER_ID_KEY) if session is not None else None
    if not isinstance(token, str):
        return None
    gate = app.extensions["olympiad.opening_gate"]
    with app.app_context():
        if not gate.enter():
            _refuse_connect(app, environ, Full("opening door full"))
        try:
            login = open_login_of(db.session, token, now=utcnow(), lifetime=app.config["REMEMBER_COOKIE_DURATION"])
        except OVERLOAD_ERRORS as error:
            db.session.rollback()
            _refuse_connect(app, environ, error)
        finally:
            gate.leave()
            release_connection(db.session)
        if login is None:
            return None
        namespace.admit(sid, environ, *login, auth)
    return True


def _refuse_connect(app, environ: dict, error: Exception) -> None:
    with app.request_context(environ):
        raise refused_connection(error, "connect /play") from None


def start_in_memory(namespace, sid: str, *args) -> dict | None:
    """The acknowledgement of an ``attempt_start`` done without a request context, or None: take the ordinary
    path."""
    caller = caller_in_memory(namespace, sid, args, SETTING)
    if caller is None:
        return None
    app, environ, user_id, data = caller
    if not allow_event(sid, user_id, time.time(), "attempt_start"):  # counted once: refused here, not sent on
        with app.request_context(environ):
            return refuse(DomainError("rate_limited"))
    with app.app_context():
        try:
            return namespace.start(sid, data, user_id)
        except Exception as error:
            failed = error  # the app context's teardown ends its session, and the transaction with it
    with app.request_context(environ):
        return failure_reply(failed, "on_attempt_start")
