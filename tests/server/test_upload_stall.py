"""A million-row upload leaves entrants unaffected, served for real (gevent, SQLite: one connection per process).

The organiser uploads a 7.5 MB workbook of 1,000,000 rows that lies about its size while three entrants keep
answering, each answer acknowledged once stored (bench/upload_stall.py): the upload is answered at once, the file
is parsed by a child process, and the answer acknowledgements and the job's own progress polls (which read the
database) stay prompt throughout.
"""

from __future__ import annotations

import pytest

from bench.upload_stall import RAISED_LIMITS, adversarial_xlsx, measure
from tests.server.running import running_server

pytestmark = pytest.mark.server
P99_BUDGET_MS = 300


@pytest.fixture(scope="module")
def million_rows():
    return adversarial_xlsx(1_000_000, "lying")


def assert_prompt(figures: dict) -> None:
    assert figures["probe_failures"] == 0, figures["last_failure"]
    assert figures["upload_status"] == 302 and figures["upload_answered_s"] < 3, figures
    assert figures["during"]["p99"] < P99_BUDGET_MS, figures
    assert figures["job_poll_ms"]["p99"] < P99_BUDGET_MS, figures


def test_the_row_limit_stops_a_lying_million_row_file_within_seconds(tmp_path_factory, monkeypatch, million_rows):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with running_server(tmp_path_factory, entrants=3) as server:
        figures = measure(server.url, million_rows, before_s=2, during_s=30)
    assert_prompt(figures)
    assert figures["job"]["status"] == "rejected" and figures["followed_s"] < 15, figures


def test_acks_stay_prompt_while_the_child_grinds_through_a_million_rows(tmp_path_factory, monkeypatch,
                                                                         million_rows):
    """Limits lifted, so the child parses for its whole time allowance (then is stopped): 10 s of the heaviest
    parsing there is, with the server's process free for its entrants."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with running_server(tmp_path_factory, entrants=3, OLYMPIAD_IMPORT_TIMEOUT_S="10", **RAISED_LIMITS) as server:
        figures = measure(server.url, million_rows, before_s=2, during_s=40)
    assert_prompt(figures)
    assert figures["during"]["n"] > 150, figures  # the answers went on being stored all along, ~25 a second
    assert figures["job"]["status"] == "rejected" and 9 < figures["followed_s"] < 25, figures
