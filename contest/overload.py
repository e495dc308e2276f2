"""Overload answered, not failed: when a shared resource has no room (Redis or database pool exhausted, Redis
unreachable for a moment), the request gets a 503 with ``Retry-After`` that clients honour with jittered back-off,
instead of a 500. Nothing was written: these errors come before or instead of a commit, so a retry is safe.
"""

from __future__ import annotations

import random

import redis
import sqlalchemy.exc
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _

# Waiting for a pooled connection timed out, or Redis could not be reached or answered too late.
OVERLOAD_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, sqlalchemy.exc.TimeoutError)
RETRY_AFTER_S = (2, 6)  # spread the retries so the crowd does not come back in one wave


def retry_after(rng: random.Random) -> int:
    """Seconds to wait before retrying, drawn from ``RETRY_AFTER_S``."""
    return rng.randint(*RETRY_AFTER_S)


def init_app(app: Flask) -> None:
    rng = random.Random()

    def overloaded(error: Exception):
        app.logger.warning("overloaded on %s: %s: %s", request.path, type(error).__name__, error)
        wait = retry_after(rng)
        message = _("Too many people are connecting right now. Please try again in %(n)d seconds.", n=wait)
        if request.path.startswith("/api/"):
            response = jsonify({"ok": False, "error": {"code": "unavailable", "message": message,
                                                       "retry_after": wait}})
        else:
            # A page of its own: the usual layout asks for the logged-in user, which needs the busy database.
            response = app.make_response(render_template("overload.html", message=message, wait=wait))
        response.status_code = 503
        response.headers["Retry-After"] = str(wait)
        return response

    for kind in OVERLOAD_ERRORS:
        app.register_error_handler(kind, overloaded)
