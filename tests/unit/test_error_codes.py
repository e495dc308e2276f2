"""Every error code the code raises has its own HTTP status in ``contest.errors.HTTP_STATUS``: none falls back to
400 unnoticed (docs/contract.md documents each status; ``test_contract_doc`` holds the two together)."""

from __future__ import annotations

from contest.errors import HTTP_STATUS
from tests.unit.test_contract_doc import raised_codes


def test_every_raised_code_has_its_http_status():
    codes = raised_codes()
    assert {"busy", "review_closed", "not_found", "conflict"} <= codes  # the scan finds them
    assert sorted(codes - set(HTTP_STATUS)) == []


def test_the_statuses_of_codes_that_once_fell_back_to_400():
    assert HTTP_STATUS["busy"] == 409 and HTTP_STATUS["review_closed"] == 403
