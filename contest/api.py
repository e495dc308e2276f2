"""The JSON side of HTTP: one envelope for every /api/ answer and one place that turns errors into it.

Success: ``{"ok": true, ...}``. Failure: ``{"ok": false, "error": {"code", "message"[, "fields"]}}`` with
the codes of docs/contract.md, the message in the user's language.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import ValidationError, validate_csrf
from werkzeug.exceptions import HTTPException

from contest.errors import DomainError, bad_field
from contest.extensions import limiter
from contest.input_guard import too_large_message
from contest.web import BadPayload

_HTTP_CODES = {
    400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "bad_request",
    413: "payload_too_large", 415: "unsupported_media_type", 429: "rate_limited",
}


def ok(status: int = 200, **payload):
    return jsonify({"ok": True, **payload}), status


def error_response(error: DomainError):
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else {}
    return jsonify({"ok": False, "error": error.to_dict()}), error.http_status, headers


def json_body() -> dict:
    """The request's JSON object. Only ``application/json`` is accepted: a cross-site form cannot send it,
    which is why these endpoints need no CSRF token."""
    if not request.is_json:
        raise DomainError("unsupported_media_type")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise DomainError("bad_request", _l("The body must be a JSON object."))
    return body


def limit_retry_after() -> int:
    """Seconds until the Flask-Limiter limit this request broke lets it through again. The limiter's own
    Retry-After header is renamed (RATELIMIT_HEADER_RETRY_AFTER): it would overwrite every other one, such as
    the login throttle's, with its window's end."""
    current = limiter.current_limit
    return max(1, math.ceil(current.reset_at - time.time())) if current else 60


def wants_json() -> bool:
    return request.path.startswith("/api/")


STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def refuse_cross_site_forms() -> None:
    """Before every request: an /api/ call that changes state must be JSON (``Content-Type: application/json``,
    which a cross-site form cannot send and a cross-site script cannot send without a CORS preflight this app
    never grants) or carry the page's CSRF token in a header. The /api/ blueprints are exempt from Flask-WTF's
    form check, so this is their check, enforced even where form CSRF is switched off (tests)."""
    if request.method not in STATE_CHANGING or not wants_json() or request.is_json:
        return
    token = next((request.headers[name] for name in current_app.config.get("WTF_CSRF_HEADERS", ("X-CSRFToken",))
                  if request.headers.get(name)), None)
    if token:
        try:
            validate_csrf(token)
            return
        except ValidationError:
            pass
    raise DomainError("forbidden", _l("Refused: send a JSON body (Content-Type: application/json) or the "
                                      "page's CSRF token. A form posted from another site cannot do this."))


def init_app(app: Flask) -> None:
    app.before_request(refuse_cross_site_forms)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return error_response(error)

    @app.errorhandler(BadPayload)
    def bad_payload(error: BadPayload):
        return error_response(bad_field(error.field))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = getattr(error, "message", None)
        if error.code == 413 and message is None:
            message = too_large_message()
        retry_after = limit_retry_after() if error.code == 429 else None
        domain = DomainError(_HTTP_CODES.get(error.code or 500, "internal"), message, retry_after=retry_after)
        if wants_json():
            return error_response(domain)
        page = render_template("error.html", title=f"{error.code}", message=domain.message)
        return page, error.code, {"Retry-After": str(retry_after)} if retry_after is not None else {}

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if wants_json():
            return error_response(DomainError("internal"))
        return render_template("error.html", title="500", message=DomainError("internal").message), 500
