"""Domain errors: a stable machine code for clients plus a message in the user's language.

Services raise ``DomainError``; HTTP views and Socket.IO handlers translate it in one place each
(``contest.api.errors`` and ``contest.realtime.replies``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

HTTP_STATUS = {
    "bad_request": 400,
    "invalid_choice": 400,
    "validation": 400,
    "not_authenticated": 401,
    "forbidden": 403,
    "pow_required": 403,  # the door's proof of work is missing, wrong, expired or spent (contest.fairplay.door)
    "review_closed": 403,  # the round's review setting does not show the answers yet
    "not_found": 404,
    "conflict": 409,
    "round_not_open": 409,
    "attempt_limit": 409,
    "attempt_closed": 409,
    "deadline_passed": 409,
    "attempt_taken_over": 409,  # the attempt is open on another device now (contest.attempts.devices)
    "round_paused": 409,  # the organisers paused the round (contest.attempts.in_flight)
    "busy": 409,  # the same work is running elsewhere: try again later
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "internal": 500,
    "unavailable": 503,
}

DEFAULT_MESSAGES = {
    "bad_request": _l("The request is malformed."),
    "invalid_choice": _l("That choice is not one of the question's options."),
    "validation": _l("Some fields are not valid."),
    "not_authenticated": _l("Please log in first."),
    "forbidden": _l("You are not allowed to do that."),
    "pow_required": _l("The page's automatic check did not finish. Please try again."),
    "not_found": _l("Not found."),
    "conflict": _l("That conflicts with existing data."),
    "round_not_open": _l("The round is not open."),
    "attempt_limit": _l("You have used all your attempts for this round."),
    "attempt_closed": _l("This attempt is already closed."),
    "deadline_passed": _l("The time for this attempt is over."),
    "attempt_taken_over": _l("This attempt is now open on another device: answers from this one are not accepted. "
                             "Open the attempt again here to take it back."),
    "round_paused": _l("The round is paused by the organisers. Your time is stopped too: please wait, the round "
                       "will resume shortly."),
    "payload_too_large": _l("The request is too large."),
    "unsupported_media_type": _l("Send a JSON body (Content-Type: application/json)."),
    "rate_limited": _l("Too many requests. Please wait a moment and try again."),
    "internal": _l("Something went wrong on our side. Please try again."),
    "unavailable": _l("Not saved yet: the server is busy. Your answer will be sent again."),
}


class DomainError(Exception):
    """An expected failure a user can act on. ``fields`` maps a form field to its message; ``retry_after``
    (seconds) becomes the Retry-After header of a 429/503."""

    def __init__(self, code: str, message=None, *, fields: dict | None = None, retry_after: int | None = None):
        self.code = code
        self.message = message if message is not None else DEFAULT_MESSAGES.get(code, code)
        self.fields = fields or {}
        self.retry_after = retry_after
        super().__init__(code)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {name: str(msg) for name, msg in self.fields.items()}
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after  # as the overload replies (contest.overload) give it
        return body


def bad_field(field: str) -> DomainError:
    """``bad_request`` naming the field of a payload that is missing or has the wrong type."""
    return DomainError("bad_request", _l("The field %(field)s is missing or not valid.", field=field))
