"""The CI gate of the load harness: 200 simulated entrants take the demo round on the served app; every
acknowledged answer must be in the database (none lost, none counted twice) and no event may fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.server.running import ROOT, running_server

ENTRANTS = 200
QUESTIONS = 10  # the demo round's paper


def run_harness(tmp_path_factory) -> dict:
    with running_server(tmp_path_factory, entrants=ENTRANTS,
                        OLYMPIAD_LOGIN_LIMIT_PER_IP="100000 per minute") as server:
        command = [sys.executable, "-m", "bench.harness", "--url", server.url, "--server-pid",
                   str(server.process.pid), "--round-id", "auto", "--entrants", str(ENTRANTS), "--think", "0.5",
                   "--ramp", "100", "--login-rate", "50", "--duration", "90", "--ack-timeout", "20",
                   "--sessions", str(tmp_path_factory.mktemp("bench") / "sessions.json"),
                   "--database-url", server.database_url]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
        assert done.returncode == 0, f"{done.stderr}\n{server.log_tail()}"
        return json.loads(done.stdout.strip().splitlines()[-1])


def check(result: dict) -> None:
    assert result["errors"] == {}
    assert result["connected"] == result["attempt_starts"] == ENTRANTS
    assert result["answers_acked"] == ENTRANTS * QUESTIONS
    assert result["answers_in_db"] == result["answers_acked"] and result["lost"] == 0
    assert result["finished"] == ENTRANTS


@pytest.mark.server
def test_no_answer_is_lost_on_sqlite(tmp_path_factory, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    check(run_harness(tmp_path_factory))


@pytest.mark.server
@pytest.mark.postgres
def test_no_answer_is_lost_on_postgresql(tmp_path_factory):
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "the PostgreSQL stage sets DATABASE_URL"
    check(run_harness(tmp_path_factory))
