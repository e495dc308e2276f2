"""The load harness end to end against the bare reference server: every answer acknowledged, no error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.server


def test_bare_run_acknowledges_every_answer():
    command = [sys.executable, "-m", "bench.harness", "--bare-only", "--entrants", "50", "--questions", "2",
               "--think", "0.2", "--ramp", "100", "--procs", "2", "--duration", "20", "--ack-timeout", "10"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    result = json.loads(lines[0])

    assert result["target"] == "bare"
    assert result["errors"] == {}
    assert result["connected"] == 50
    assert result["attempt_starts"] == 50
    assert result["answers_acked"] == 50 * 2
    assert result["ack_ms"]["n"] == 100
    assert result["submits"] == result["finished"] == 50
    assert result["unfinished"] == 0
    assert result["server"]["rss_peak_kib"] >= result["server"]["rss_before_kib"] > 0
