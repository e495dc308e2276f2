"""Security headers on every answer of the app: pages, the JSON API and static files.

The policy allows scripts and styles from this origin only: no inline ``<script>``, no ``on…=`` handlers and no
``style=`` attributes in the templates (JSON data blocks, ``<script type="application/json">``, are not run and
need nothing). Socket.IO connects to the same origin, which ``connect-src 'self'`` covers (ws/wss included).
"""

from __future__ import annotations

from flask import Flask, Response, current_app

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "same-origin",  # addresses carry round and attempt ids: none of them leaves the site
}
# Only behind HTTPS (SECURE_COOKIES): over plain HTTP it would be ignored, and a test server would keep it.
HSTS = "max-age=31536000"


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["SECURE_COOKIES"]:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
