"""The leader's jobs: each package registers its own, the leader runs each when due, and one failing job does not
stop the others."""

from __future__ import annotations

from flask import Flask

from contest.leadership import register_leader_job, run_leader_jobs


def test_jobs_run_when_due_and_a_failure_stops_no_other(monkeypatch):
    app = Flask(__name__)
    clock = [1000.0]
    monkeypatch.setattr("contest.leadership.time.monotonic", lambda: clock[0])
    ran = []

    def broken(_app):
        ran.append("broken")
        raise RuntimeError("a failing job")

    register_leader_job(app, "every sweep", lambda _app: ran.append("sweep"))
    register_leader_job(app, "broken", broken)
    register_leader_job(app, "every 30 s", lambda _app: ran.append("slow"), every_s=30)
    assert run_leader_jobs(app) == ["every sweep", "broken"]  # the slow one waits its first 30 s
    clock[0] += 30
    assert run_leader_jobs(app) == ["every sweep", "broken", "every 30 s"]
    clock[0] += 5
    assert run_leader_jobs(app) == ["every sweep", "broken"]
    assert ran == ["sweep", "broken", "sweep", "broken", "slow", "sweep", "broken"]


def test_the_app_registers_the_bank_and_boards_jobs(app):
    names = [job.name for job in app.extensions["olympiad.leader_jobs"]]
    assert names.count("item statistics") == 1 and names.count("board reconciliation") == 1
