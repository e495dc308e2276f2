"""Refusing malformed requests before any view sees them: oversized bodies, NUL bytes, deeply nested JSON and
ids no database column can hold. Each answers 400/404/413 with the usual envelope or error page, never 500.

- Bodies: ``JSON_MAX_BYTES`` (64 KB) for JSON and everything under ``/api/``, ``MAX_CONTENT_LENGTH`` for forms,
  and a route that takes files names its own cap with ``@upload_limit("SETTING")``.
- NUL: PostgreSQL refuses it in any text value (psycopg2 raises before the query is sent), and no name, answer
  or search needs it, so a NUL anywhere in the query string, form or JSON is a 400.
- JSON nesting deeper than ``JSON_MAX_DEPTH``: the parser would recurse (a RecursionError, so a 500).
- JSON sent to a page (not ``/api/``): 415, pages take forms.
- ``<int:...>`` in a URL beyond a 64-bit integer is simply no match (404): SQLite raises OverflowError on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError
from werkzeug import exceptions as werkzeug_exceptions
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from contest.extensions import db

JSON_MAX_DEPTH = 32
BIGINT_MAX = 2**63 - 1
UPLOAD_SETTING = "olympiad_upload_limit"
# NUL, and lone surrogates (JSON's "\\ud800"), which no database driver can encode.
UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")

View = TypeVar("View", bound=Callable)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only values a 64-bit integer column can hold."""

    def __init__(self, map, fixed_digits=0, min=None, max=BIGINT_MAX, signed=False):  # noqa: A002  (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def upload_limit(setting: str) -> Callable[[View], View]:
    """Let the decorated view take a body of up to ``app.config[setting]`` bytes instead of the usual cap."""

    def mark(view: View) -> View:
        setattr(view, UPLOAD_SETTING, setting)
        return view

    return mark


def body_cap() -> int:
    """How many bytes this request's body may have."""
    view = current_app.view_functions.get(request.endpoint or "")
    setting = getattr(view, UPLOAD_SETTING, None)
    if setting:
        return int(current_app.config[setting])
    if request.path.startswith("/api/") or request.is_json:
        return int(current_app.config["JSON_MAX_BYTES"])
    return int(current_app.config["MAX_CONTENT_LENGTH"])


def json_too_deep(raw: bytes, limit: int = JSON_MAX_DEPTH) -> bool:
    """Whether the brackets of the JSON text ``raw`` nest deeper than ``limit`` (strings are skipped). Linear."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


class Refused(BadRequest):
    """A 400 whose page or JSON error carries ``message`` (contest.api renders it)."""

    def __init__(self, message):
        super().__init__()
        self.message = message


class UnsupportedMediaType(werkzeug_exceptions.UnsupportedMediaType):
    """A 415 with its ``message``."""

    def __init__(self, message):
        super().__init__()
        self.message = message


def unsafe_json(value: object) -> bool:
    """Whether a parsed JSON value has a NUL or a lone surrogate in any string, key or value, at any depth."""
    if isinstance(value, str):
        return UNSAFE_TEXT.search(value) is not None
    if isinstance(value, dict):
        return any(unsafe_json(key) or unsafe_json(item) for key, item in value.items())
    if isinstance(value, list):
        return any(unsafe_json(item) for item in value)
    return False


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def too_large_message():
    return _l("The request is too large: at most %(size)d KB here.", size=body_cap() // 1024)


_NUL = _l("The request contains a NUL character, which is not allowed in any field.")


def guard_request() -> None:
    """The checks, run before every other ``before_request`` function (CSRF and the rate limits read the body)."""
    cap = body_cap()
    request.max_content_length = cap
    if request.content_length is not None and request.content_length > cap:
        abort(413)
    if "\x00" in request.path or _has_nul(request.args.items(multi=True)):
        raise Refused(_NUL)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json and not request.path.startswith("/api/"):
        # Pages take forms. Flask-WTF would read a JSON body as the form, numbers and lists where every field
        # expects text (a TypeError in the validators).
        raise UnsupportedMediaType(_l("This page takes a form, not JSON."))
    if request.is_json:
        raw = request.get_data(cache=True)
        if json_too_deep(raw):
            raise Refused(_l("The JSON body is nested too deeply."))
        if b"\x00" in raw or unsafe_json(request.get_json(silent=True)):
            raise Refused(_NUL)
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        files = [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
        if _has_nul(request.form.items(multi=True)) or _has_nul(files):
            raise Refused(_NUL)


def refuse_unstorable_value(error: Exception):
    """A value the database cannot hold that got past the forms (an id beyond 64 bits in a field, a NUL by
    another way): 400, not 500. SQLite raises OverflowError, PostgreSQL a DataError."""
    db.session.rollback()
    current_app.logger.warning("refused a value the database cannot store on %s: %s", request.path, error)
    return current_app.handle_http_exception(Refused(_l("A value in the request is out of range.")))


def init_app(app: Flask) -> None:
    """Install the converter (before any blueprint adds its rules) and the guard (before every other hook)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request_funcs.setdefault(None, []).insert(0, guard_request)
    app.register_error_handler(OverflowError, refuse_unstorable_value)
    app.register_error_handler(DataError, refuse_unstorable_value)
