"""bench.event_cost runs both answer paths on a real app (its own SQLite file, Flask-SQLAlchemy's own sessions,
not the suite's shared one): each answer is acknowledged, and stored by the inline writer."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.mark.parametrize("writer", ["null", "inline"])
def test_both_paths_answer_and_are_timed(writer):
    # A process of its own, as the command runs: the app and its Socket.IO server are made once per process.
    done = subprocess.run([sys.executable, "-m", "bench.event_cost", "--answers", "20", "--rounds", "1",
                           "--writer", writer], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result["cpu_us_per_answer"]) == {"in_memory", "flask"}
    assert all(value > 0 for value in result["cpu_us_per_answer"].values())
    assert result["writer"] == writer
