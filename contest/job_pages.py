"""The page of a background job (an upload's check, an export): HTML for a person, or its progress as JSON for
the page's poll (``Accept: application/json``); never cached, since it changes until the job ends."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, jsonify, request


def job_page(progress: dict, render: Callable[[], str]) -> Response:
    """``{"ok": true, **progress}`` to a poll, else the page ``render()`` draws."""
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        response = jsonify({"ok": True, **progress})
    else:
        response = current_app.make_response(render())
    response.cache_control.no_store = True
    response.vary.add("Accept")
    return response
