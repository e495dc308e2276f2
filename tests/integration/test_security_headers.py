"""Security headers on pages, the JSON API, errors and static files; templates with nothing inline to allow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contest.security_headers import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [*ROOT.glob("contest/templates/**/*.html"), *ROOT.glob("question_bank/templates/**/*.html")]


@pytest.mark.parametrize("path", ["/", "/login", "/api/rounds", "/api/session", "/static/css/app.css",
                                  "/static/js/attempt.js", "/no-such-page"])
def test_every_answer_carries_the_security_headers(client, path):
    with client.get(path) as response:  # closed: a static file's answer holds the file open
        headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would mean nothing


def test_hsts_only_behind_https(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SECURE_COOKIES", True)
    for path in ("/", "/api/rounds", "/static/css/app.css"):
        with client.get(path) as response:
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_templates_have_no_inline_script_handler_or_style(template):
    """What the policy would block: a <script> with code, an on…= attribute, a style attribute or element.
    JSON data blocks (<script type="application/json">) are not run, so the policy leaves them alone."""
    text = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=|<style\b", text), "inline style"
    assert "javascript:" not in text
