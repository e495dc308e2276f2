"""Acknowledgement envelopes for Socket.IO events, and the guard that keeps bad input from hurting.

Every client event is answered ``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}``;
no handler raises to the client or drops the connection.
"""

from __future__ import annotations

import logging
from functools import wraps

from flask_login import current_user

from contest.errors import DomainError

log = logging.getLogger(__name__)


def ack(**payload) -> dict:
    return {"ok": True, **payload}


def refuse(error: DomainError) -> dict:
    return {"ok": False, "error": error.to_dict()}


def event(*, login: bool = True):
    """Wrap a namespace handler ``(self, data)``: check login, pass a dict payload, turn errors into acks."""

    def decorate(handler):
        @wraps(handler)
        def wrapped(self, data=None, *extra):
            try:
                if login and not current_user.is_authenticated:
                    raise DomainError("not_authenticated")
                if data is None:
                    data = {}
                if not isinstance(data, dict) or extra:
                    raise DomainError("bad_request")
                return handler(self, data)
            except DomainError as error:
                return refuse(error)
            except Exception:
                log.exception("event %s failed", handler.__name__)
                return refuse(DomainError("internal"))

        return wrapped

    return decorate
