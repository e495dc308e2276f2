"""What the events taken without a Flask request context (``fast_answer``, ``fast_opening``) first check: that the
path is on, the connection's user and open login are known in memory, and the payload is one small dict."""

from __future__ import annotations

import time
from typing import NamedTuple

from flask import Flask

from contest.realtime.replies import MAX_PAYLOAD_CHARS
from contest.web import too_large


class Caller(NamedTuple):
    app: Flask
    environ: dict
    user_id: int
    data: dict


def caller_in_memory(namespace, sid: str, args: tuple, setting: str) -> Caller | None:
    """The connection's app, environ and user and the event's payload, or None: take the ordinary path (which
    checks all of it again, with the database where memory does not know)."""
    environ = namespace.socketio.server.get_environ(sid, namespace=namespace.namespace)
    if not environ or len(args) != 1 or not isinstance(args[0], dict):
        return None
    app = environ["flask.app"]
    if not app.config[setting]:
        return None
    user_id = namespace.users.get(sid)
    if user_id is None or not namespace.logins.open_in_memory(sid, now=time.monotonic(),
                                                              recheck_s=app.config["LOGIN_RECHECK_S"]):
        return None
    if too_large(args[0], MAX_PAYLOAD_CHARS):
        return None
    return Caller(app, environ, user_id, args[0])
