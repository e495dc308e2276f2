"""``make cluster`` (deploy/cluster.py) on a fresh database: nginx in front of two answering processes and a board
process, entrants playing through nginx over websockets, one leader for the background work, and a clean stop."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
import requests
from sqlalchemy.engine import make_url

from contest.config import database_uri
from deploy.cluster import alive, pids
from tests.conftest import _drop_database
from tests.server.running import DEMO_PASSWORD, ROOT, Server, free_port, play_client

pytestmark = [pytest.mark.server, pytest.mark.postgres]


def cluster(run_dir, env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "deploy/cluster.py", *args, "--run-dir", str(run_dir)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=180)


def test_the_cluster_serves_entrants_through_nginx_and_stops_cleanly(tmp_path):
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "needs PostgreSQL: set DATABASE_URL"
    assert os.environ.get("REDIS_URL"), "needs Redis: set REDIS_URL"
    name = f"olympiad_cluster_{uuid.uuid4().hex[:8]}"  # created by the cluster itself
    database_url = make_url(database_uri(os.environ["DATABASE_URL"])).set(database=name)
    database_url = database_url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": database_url, "OLYMPIAD_LEADERBOARD_PREFIX": f"test-{uuid.uuid4().hex}:"}
    listen, answering, board = free_port(), [free_port(), free_port()], free_port()
    run = tmp_path / "cluster"
    try:
        started = cluster(run, env, "start", "--seed", "5", "--listen", str(listen),
                          "--ports", ",".join(map(str, answering)), "--board-ports", str(board))
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"serving on http://127.0.0.1:{listen}/" in started.stdout
        assert set(pids(run)) == {"nginx", f"answer-{answering[0]}", f"answer-{answering[1]}", f"board-{board}"}
        front = Server(f"http://127.0.0.1:{listen}", database_url, None, run / "nginx-error.log", env)
        round_id = requests.get(f"{front.url}/api/rounds", params={"status": "open"}, timeout=10).json()[0]["id"]
        for phone in ("0900000001", "0900000002", "0900000003"):
            http = front.login(phone, DEMO_PASSWORD)
            with play_client(front, http) as entrant:
                reply = entrant.call("attempt_start", {"round_id": round_id}, namespace="/play", timeout=10)
                assert reply["ok"], reply
                attempt = reply["attempt"]
                answer = {"attempt_id": attempt["id"], "slot": 0, "choice": ["A"], "seq": 1}
                assert entrant.call("answer", answer, namespace="/play", timeout=10)["ok"]
                done = entrant.call("attempt_submit", {"attempt_id": attempt["id"]}, namespace="/play", timeout=10)
                assert done["ok"] and done["result"]["max_score"] == len(attempt["questions"]), done
        board_json = requests.get(f"{front.url}/api/rounds/{round_id}/leaderboard", timeout=10).json()
        assert board_json["total"] == 3, board_json
        logs = "".join((run / f"answer-{port}.log").read_text() for port in answering)
        logs += (run / f"board-{board}.log").read_text()
        assert logs.count("now runs the cluster's background work") == 1

        again = cluster(run, env, "start", "--listen", str(listen))
        assert again.returncode != 0 and "already running" in again.stderr
        running = pids(run)
        stopped = cluster(run, env, "stop")
        assert stopped.returncode == 0, stopped.stderr
        assert not any(alive(pid) for pid in running.values()) and pids(run) == {}
    finally:
        for pid in pids(run).values():  # a failed test leaves nothing running
            if alive(pid):
                os.kill(pid, 9)
        _drop_database(database_url)
