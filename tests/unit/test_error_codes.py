"""Every error code the code raises has its HTTP status (``contest.errors.HTTP_STATUS``): none falls back to 400."""

from __future__ import annotations

import ast
from pathlib import Path

from contest.errors import HTTP_STATUS

ROOT = Path(__file__).resolve().parents[2]


def raised_codes() -> dict[str, str]:
    """Each literal code given to ``DomainError(...)`` in contest/ and question_bank/ -> one place it is raised."""
    codes = {}
    for top in ("contest", "question_bank"):
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                        == "DomainError" and node.args and isinstance(node.args[0], ast.Constant)):
                    codes.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return codes


def test_every_raised_code_has_its_http_status():
    codes = raised_codes()
    assert {"busy", "review_closed", "not_found", "conflict"} <= set(codes)  # the reader finds them
    assert {code: where for code, where in codes.items() if code not in HTTP_STATUS} == {}


def test_the_statuses_of_codes_that_once_fell_back_to_400():
    assert HTTP_STATUS["busy"] == 409 and HTTP_STATUS["review_closed"] == 403
