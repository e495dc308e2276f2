"""Acknowledgement envelopes for Socket.IO events, and the guard that keeps bad input from hurting.

Every client event is answered ``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}``;
no handler raises to the client or drops the connection.
"""

from __future__ import annotations

import logging
import random
import time
from functools import wraps

from flask import request
from flask_babel import lazy_gettext as _l
from flask_socketio import ConnectionRefusedError

from contest.errors import DomainError, bad_field
from contest.extensions import db, socketio
from contest.overload import OVERLOAD_ERRORS, reason_of, retry_after, tally
from contest.realtime.guards import allow_event
from contest.web import BadPayload, too_large

log = logging.getLogger(__name__)

# No client event needs more than a few hundred characters; anything past this is refused before parsing it.
MAX_PAYLOAD_CHARS = 16 * 1024
DISCONNECT_DELAY_S = 0.1


def ack(**payload) -> dict:
    return {"ok": True, **payload}


def refuse(error: DomainError) -> dict:
    return {"ok": False, "error": error.to_dict()}


def overloaded() -> dict:
    """``unavailable`` with ``retry_after`` (seconds): nothing was done, the client tries again after that."""
    reply = refuse(DomainError("unavailable"))
    reply["error"]["retry_after"] = retry_after(_rng)
    return reply


def refused_connection(error: Exception, where: str) -> ConnectionRefusedError:
    """Socket.IO's refusal of a connection that met an overload (``error``, counted in the tally under ``where``),
    with a retry hint: the message, then the data the page and the harness read the hint from (Python's own
    ``ConnectionRefusedError`` carries no data). Build it in a request context: the message is translated."""
    tally.note(reason_of(error), where)
    return ConnectionRefusedError("unavailable", overloaded()["error"])


_rng = random.Random()


def _login_ended(namespace, sid: str) -> dict:
    """A connection whose login ended (logout, password change, staff): refused, then disconnected."""
    socketio.start_background_task(_disconnect_soon, namespace, sid)
    return refuse(DomainError("not_authenticated", _l("Your session has ended. Please log in again.")))


def _disconnect_soon(namespace, sid: str) -> None:
    # After the refusal has gone out: a client drops the acknowledgements of a namespace it was disconnected from.
    socketio.sleep(DISCONNECT_DELAY_S)
    namespace.disconnect(sid)


def event(*, login: bool = True):
    """Wrap a namespace handler ``(self, data, user_id)``: rate limit (the connection's and its account's), check
    login, pass a dict payload, and turn every failure into an ``ok: false`` acknowledgement.

    The user is the one authenticated when the socket connected (``self.users``): looking them up again
    for every event would cost a query and hold a database connection while the answer waits for its commit.
    """

    def decorate(handler):
        @wraps(handler)
        def wrapped(self, data=None, *extra):
            try:
                users = getattr(self, "users", None)  # namespaces nobody logs in to keep none
                user_id = users.get(request.sid) if users else None
                if not allow_event(request.sid, user_id, time.time(), handler.__name__.removeprefix("on_")):
                    raise DomainError("rate_limited")
                if user_id is not None and not self.login_open(request.sid):
                    return _login_ended(self, request.sid)
                if login and user_id is None:
                    raise DomainError("not_authenticated")
                if data is None:
                    data = {}
                if not isinstance(data, dict) or extra:
                    raise DomainError("bad_request")
                if too_large(data, MAX_PAYLOAD_CHARS):
                    raise DomainError("payload_too_large")
                return handler(self, data, user_id)
            except Exception as error:
                return failure_reply(error, handler.__name__)

        return wrapped

    return decorate


def failure_reply(error: Exception, handler_name: str) -> dict:
    """The ``ok: false`` acknowledgement of a handler that raised ``error``, its transaction rolled back. Call it
    in a request context: the message is in the entrant's language."""
    if isinstance(error, BadPayload):
        return refuse(bad_field(error.field))
    db.session.rollback()
    if isinstance(error, DomainError):
        return refuse(error)
    if isinstance(error, OVERLOAD_ERRORS):  # by the thousand in a rush: a line a second, not a traceback each
        tally.note(reason_of(error), f"event {handler_name}")
        return overloaded()
    log.error("event %s failed", handler_name, exc_info=error)
    return refuse(DomainError("internal"))
