"""docs/contract.md against the code, so the client contract cannot drift: the Socket.IO events of each namespace
(handlers and what the server emits), the JSON routes of the app's URL map (by method and URL rule, whichever
module serves them) and the error codes with their HTTP statuses, each way round."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import flask
import pytest

from contest.errors import HTTP_STATUS, DomainError
from contest.extensions import socketio

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "contract.md"
PACKAGES = ("contest", "question_bank")
SERVER_TO_CLIENT = "server → client"


def sections(text: str, level: str) -> dict[str, str]:
    """The doc's sections at heading ``level`` (``##``, ``###``), by heading text."""
    parts = re.split(rf"^{level} (.+)$", text, flags=re.MULTILINE)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def table_rows(text: str) -> list[list[str]]:
    """The cells of each table row whose first cell is code (`` `…` ``), without the backticks of that cell."""
    rows = []
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            rows.append([cells[0].strip("`"), *cells[1:]])
    return rows


@pytest.fixture(scope="module")
def doc() -> dict[str, str]:
    return sections(DOC.read_text(), "##")


# ---------------------------------------------------------------------------------------------- Socket.IO


def documented_events(doc) -> dict[str, dict[str, str]]:
    """``{namespace: {event: direction}}`` from the Socket.IO section."""
    found = {}
    for title, body in sections(doc["Socket.IO"], "###").items():
        namespace = re.fullmatch(r"Namespace `(/\w*)`", title)
        if namespace:
            found[namespace.group(1)] = {row[0]: row[1] for row in table_rows(body)}
    return found


def handled_events(app) -> dict[str, set[str]]:
    """Every ``on_*`` handler of every namespace registered on the app's Socket.IO server."""
    assert app is not None
    handlers = socketio.server.namespace_handlers
    return {namespace: {name[3:] for name in dir(type(handler)) if name.startswith("on_")}
            for namespace, handler in handlers.items()}


def python_files():
    for package in PACKAGES:
        yield from (ROOT / package).rglob("*.py")


def emitted_events() -> dict[str, set[str]]:
    """``{namespace: {event}}`` of every ``….emit("event", …, namespace=…)`` in the code; the namespace is a string
    or a module-level constant of the same file."""
    emitted: dict[str, set[str]] = {}
    for path in python_files():
        tree = ast.parse(path.read_text())
        constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                     for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name != "emit":
                continue
            where = next((k.value for k in node.keywords if k.arg == "namespace"), None)
            namespace = (where.value if isinstance(where, ast.Constant) else
                         constants.get(where.id) if isinstance(where, ast.Name) else None)
            assert namespace, f"{path.relative_to(ROOT)}:{node.lineno}: emit without a namespace the test can read"
            emitted.setdefault(namespace, set()).add(node.args[0].value)
    return emitted


def test_every_namespace_and_event_handler_is_documented_and_nothing_else(app, doc):
    documented = documented_events(doc)
    handled = handled_events(app)
    assert set(documented) == set(handled) == {"/play", "/board"}
    for namespace, events in handled.items():
        from_clients = {event for event, direction in documented[namespace].items() if direction != SERVER_TO_CLIENT}
        assert from_clients == events, f"{namespace}: documented {sorted(from_clients)}, handled {sorted(events)}"


def test_every_event_the_server_emits_is_documented_and_nothing_else(doc):
    documented = documented_events(doc)
    emitted = emitted_events()
    assert emitted.get("/play") and emitted.get("/board")  # the scan sees the pushes at all
    assert set(emitted) <= set(documented)
    for namespace, events in documented.items():
        pushed = {event for event, direction in events.items() if direction == SERVER_TO_CLIENT}
        assert pushed == emitted.get(namespace, set()), namespace


# ---------------------------------------------------------------------------------------------- HTTP


def answers_json(view, depth: int = 0) -> bool:
    """Whether the view (or a function of the project it calls, a few calls deep) makes a JSON response with
    ``flask.jsonify``, or the view itself returns a dict literal (Flask turns it into JSON)."""
    function = inspect.unwrap(view)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):  # Flask's own static view, a builtin
        return False
    for node in ast.walk(tree):
        if depth == 0 and isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called = function.__globals__.get(node.func.id)
            if called is flask.jsonify:
                return True
            if (depth < 3 and inspect.isfunction(called) and called is not function
                    and called.__module__.split(".")[0] in PACKAGES and answers_json(called, depth + 1)):
                return True
    return False


def spelled(rule: str) -> set[str]:
    """The URL rule as the doc writes it: ``<int:id>`` as ``<id>``, and an ``any(a, b)`` part as each of its values."""
    rule = re.sub(r"<(?:int|string|path):(\w+)>", r"<\1>", rule)
    choice = re.search(r"<any\(([^)]*)\):\w+>", rule)
    if choice is None:
        return {rule}
    return {spelled_path for value in choice.group(1).split(",")
            for spelled_path in spelled(rule[:choice.start()] + value.strip() + rule[choice.end():])}


def json_routes(app) -> set[str]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or answers_json(app.view_functions[rule.endpoint]):
            methods = rule.methods - {"HEAD", "OPTIONS"}
            routes |= {f"{method} {path}" for method in methods for path in spelled(rule.rule)}
    return routes


def documented_routes(doc) -> set[str]:
    rows = table_rows(doc["HTTP endpoints that answer JSON"])
    assert all(re.fullmatch(r"(GET|POST|PUT|PATCH|DELETE) /\S*", row[0]) for row in rows), rows
    return {row[0] for row in rows}


def test_the_json_detection_sees_json_routes_outside_the_api_and_no_page(app):
    routes = json_routes(app)
    assert {"GET /healthz", "GET /organiser/rounds/<round_id>/live.json", "GET /organiser/bank/import/<job_id>",
            "GET /organiser/rounds/<round_id>/live/activity"} <= routes
    assert not {"GET /", "GET /login", "GET /rounds/<round_id>/play", "GET /organiser/rounds/<round_id>/live"} & routes


def test_every_json_route_is_documented_and_nothing_else(app, doc):
    documented, served = documented_routes(doc), json_routes(app)
    assert not served - documented, f"JSON routes missing from docs/contract.md: {sorted(served - documented)}"
    assert not documented - served, f"documented routes the app does not serve as JSON: {sorted(documented - served)}"


# ---------------------------------------------------------------------------------------------- errors


def raised_codes() -> set[str]:
    """Every code the code raises as ``DomainError("code", …)``."""
    codes = set()
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DomainError" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                codes.add(node.args[0].value)
    return codes


def test_every_error_code_is_documented_with_the_status_it_answers(doc):
    rows = table_rows(doc["Error codes"])
    documented = {row[0]: int(row[1]) for row in rows}
    assert len(documented) == len(rows), "a code is listed twice"
    raised = raised_codes()
    assert {"not_found", "invalid_choice", "rate_limited"} <= raised  # the scan sees the raises at all
    missing = (set(HTTP_STATUS) | raised) - set(documented)
    assert not missing, f"error codes missing from docs/contract.md: {sorted(missing)}"
    unknown = set(documented) - set(HTTP_STATUS) - raised
    assert not unknown, f"documented codes the code never uses: {sorted(unknown)}"
    wrong = {code: (status, DomainError(code).http_status) for code, status in documented.items()
             if status != DomainError(code).http_status}
    assert not wrong, f"documented status, status in contest/errors.py: {wrong}"
