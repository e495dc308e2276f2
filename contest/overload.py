"""Overload answered, not failed: when a shared resource has no room (Redis or database pool exhausted, Redis
unreachable for a moment), the request gets a 503 with ``Retry-After`` that clients honour with jittered back-off,
instead of a 500. Nothing was written: these errors come before or instead of a commit, so a retry is safe.

In a rush these answers come by the thousand a second, so they are cheap (no layout, no database) and logged as
one line a second with their count, not one line each.
"""

from __future__ import annotations

import logging
import random
import threading
import time

import redis
import sqlalchemy.exc
from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _


class Full(Exception):
    """One of the app's own doors (``contest.admission``) has no room: refused before any work was done."""


# One of our own doors is full, waiting for a pooled connection timed out, the database could not do it now
# (unreachable, or SQLite locked by another process past SQLITE_BUSY_TIMEOUT_S), or Redis could not be reached or
# answered too late.
OVERLOAD_ERRORS = (Full, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, sqlalchemy.exc.TimeoutError,
                   sqlalchemy.exc.OperationalError)
RETRY_AFTER_S = (2, 6)  # spread the retries so the crowd does not come back in one wave
_rng = random.Random()


def retry_after(rng: random.Random, spread: tuple[int, int] = RETRY_AFTER_S) -> int:
    """Seconds to wait before retrying, drawn from ``spread``."""
    return rng.randint(*spread)


class Tally:
    """Counts overload answers and logs them once per ``every_s`` with the count and the last reason."""

    def __init__(self, every_s: float = 1.0) -> None:
        self.every_s, self.count, self.logged_at = every_s, 0, float("-inf")
        self._lock = threading.Lock()

    def note(self, reason: str, where: str) -> None:
        """One overload answer, for ``reason`` (the error) at ``where`` (a path or a Socket.IO event)."""
        with self._lock:
            self.count += 1
            now = time.monotonic()
            if now - self.logged_at < self.every_s:
                return
            count, self.count, self.logged_at = self.count, 0, now
        logging.getLogger(__name__).warning("overloaded: %d answered busy in the last %.0f s (last: %s at %s)",
                                            count, self.every_s, reason, where)


def reason_of(error: Exception) -> str:
    """The error's kind and the first line of its message, short enough for the tally's log line."""
    return f"{type(error).__name__}: {str(error).splitlines()[0][:120] if str(error) else ''}"


tally = Tally()


def busy(reason: str, spread: tuple[int, int] = RETRY_AFTER_S) -> Response:
    """The 503 answer: JSON under /api/, else a standalone "you are in line" page; ``Retry-After`` either way."""
    tally.note(reason, request.path)
    wait = retry_after(_rng, spread)
    message = _("Too many people are connecting right now. Please try again in %(n)d seconds.", n=wait)
    if request.path.startswith("/api/"):
        response = jsonify({"ok": False, "error": {"code": "unavailable", "message": message, "retry_after": wait}})
    else:
        # A page of its own: the usual layout asks for the logged-in user, which needs the busy database.
        response = current_app.make_response(render_template("overload.html", message=message, wait=wait))
    response.status_code = 503
    response.headers["Retry-After"] = str(wait)
    return response


def init_app(app: Flask) -> None:
    def overloaded(error: Exception):
        return busy(reason_of(error))

    for kind in OVERLOAD_ERRORS:
        app.register_error_handler(kind, overloaded)
