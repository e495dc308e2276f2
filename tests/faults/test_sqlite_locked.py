"""Embedded mode (one process on SQLite, no Redis) with the database file locked by another process for 12 s
under a round of 200 entrants: answers meanwhile are refused ``unavailable`` within the bounded wait (never left
hanging, never falsely acknowledged), the process keeps answering reads, and acknowledgements come back within the
stated time of the lock's release."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.servers import free_port
from tests.faults.rounds import (
    ACK_TIMEOUT_S,
    Load,
    Probe,
    acks_back_after,
    cookies_for,
    durability,
    http_status,
    report,
    wait_all_finalised,
)
from tests.faults.stack import SECRET, App, new_round
from tests.server.running import flask_cli

ENTRANTS = 200
LOCKED_S = 12.0
BACK_S = 10.0
SLOWEST_READ_S = 3.0  # a read while the file is locked: the process is not frozen
FINALISED_S = 30.0

HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""


def test_sqlite_file_locked_by_another_process_for_12_s(tmp_path):
    database = tmp_path / "olympiad.sqlite3"
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("FLASK_APP", "DATABASE_URL", "REDIS_URL")}
    env.update({"DATABASE_URL": f"sqlite:///{database}", "OLYMPIAD_SECRET_KEY": SECRET, "PYTHONUNBUFFERED": "1",
                "OLYMPIAD_LOGIN_LIMIT_PER_IP": "100000 per minute", "OLYMPIAD_SWEEP_INTERVAL_S": "2",
                "OLYMPIAD_PORT": str(port), "OLYMPIAD_HOST": "127.0.0.1"})
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "demo", "seed", "--entrants", str(ENTRANTS))
    app = App(port, env, tmp_path / "app.log")
    app.start()
    try:
        app.wait_healthy()
        round_id = new_round(env, "SQLite locked", minutes=1.0)
        cookies = cookies_for(app.url, 1, ENTRANTS, tmp_path / "sessions.json")
        reads = Probe(http_status(f"{app.url}/api/rounds/{round_id}/leaderboard", timeout_s=10), every_s=0.25)
        with reads, Load(app.url, round_id, cookies, server_pid=app.process.pid) as load:
            load.at(12)
            with subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(database), str(LOCKED_S)],
                                  stdout=subprocess.PIPE, text=True) as holder:
                assert holder.stdout.readline().strip() == "locked"
                locked = time.time()
                holder.wait(timeout=LOCKED_S + 30)
            released = time.time()
        figures = load.figures
        outcome = durability(figures, env["DATABASE_URL"], round_id)
        finalised_s = wait_all_finalised(env["DATABASE_URL"], round_id, timeout_s=120)
        refused = figures["errors"].get("answer:unavailable", 0)
        during = [taken for sent, _, taken in reads.samples if locked <= sent <= released]
        acks_back_s = acks_back_after(figures, released)
        report("SQLite file locked by another process for 12 s", acked=outcome["acked"], stored=outcome["stored"],
               acked_but_missing=len(outcome["missing"]), refused_unavailable=refused, acks_back_s=acks_back_s,
               slowest_read_while_locked_s=round(max(during, default=0.0), 2), ack_ms=figures["ack_ms"],
               finalised_s_after_last_deadline=finalised_s, reads=reads.outcomes(), errors=figures["errors"])
        assert outcome["missing"] == []
        assert outcome["acked"] > 0 and outcome["stored"] >= outcome["acked"]
        assert refused > 0, "no answer met the lock"
        assert figures["errors"].get("answer:timeout", 0) == 0  # every answer got a reply within the ack time-out
        assert figures["ack_ms"]["max"] < ACK_TIMEOUT_S * 1000
        assert during and max(during) <= SLOWEST_READ_S
        assert "http_500" not in reads.outcomes()
        assert acks_back_s is not None and acks_back_s <= BACK_S
        assert finalised_s <= FINALISED_S
    finally:
        app.stop()
