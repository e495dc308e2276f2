"""Static files under addresses that carry their content's hash, kept a year by browsers.

``url_for('static', filename=...)`` adds ``?v=<hash>`` (the first 12 hex digits of the file's SHA-256, computed
once per file and again only when its modification time changes). A request whose ``v`` is the file's current hash
is answered ``Cache-Control: public, max-age=31536000, immutable``: a new release changes the address, so a browser
never needs to ask again. Any other request (no ``v``, or the hash of an earlier version) keeps ``no-cache``: the
browser revalidates each time with the ETag Flask sends, and gets a 304 while the file is unchanged.

ES modules: a page's entry module is versioned like any other file (``js/attempt.js?v=…``), but the modules it
imports by relative paths (``./attempt/answers.js``) are addressed by the JavaScript itself, without ``v``. They are
revalidated (``no-cache``): one small conditional request each, and a page can never run the entry of one release
with a module of another. An import map would version them too, but it has to be an inline ``<script>``, which the
Content-Security-Policy forbids (``contest/security_headers.py``); rewriting imports while serving would be a build
step in the app.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "no-cache"
HASH_DIGITS = 12


class Fingerprints:
    """The content hash of each file of ``folder``, cached by modification time."""

    def __init__(self, folder: str):
        self.folder = folder
        self.known: dict[str, tuple[int, str]] = {}

    def path(self, filename: str) -> str | None:
        return safe_join(self.folder, filename)

    def of(self, filename: str) -> str | None:
        """``filename``'s hash, or None when it is not a file of the folder."""
        path = self.path(filename)
        if path is None:
            return None
        try:
            modified = os.stat(path).st_mtime_ns
        except OSError:
            return None
        held = self.known.get(filename)
        if held is not None and held[0] == modified:
            return held[1]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:HASH_DIGITS]
        self.known[filename] = (modified, digest)
        return digest


def fingerprints(app: Flask) -> Fingerprints:
    return app.extensions["static_fingerprints"]


def add_version(endpoint: str, values: dict) -> None:
    """``url_for`` defaults: the static file's hash as ``v``."""
    if endpoint != "static" or "filename" not in values or "v" in values:
        return
    version = fingerprints(current_app).of(values["filename"])
    if version is not None:
        values["v"] = version


def cache_headers(response: Response) -> Response:
    """A year for the current version's address, revalidation for any other."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    current = fingerprints(current_app).of((request.view_args or {}).get("filename", ""))
    fresh = current is not None and request.args.get("v") == current
    response.headers["Cache-Control"] = LONG_CACHE if fresh else SHORT_CACHE
    return response


def init_app(app: Flask) -> None:
    app.extensions["static_fingerprints"] = Fingerprints(app.static_folder)
    app.url_defaults(add_version)
    app.after_request(cache_headers)
