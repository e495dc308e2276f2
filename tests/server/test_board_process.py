"""Watchers on a process of their own (README "Deployment", deploy/nginx.conf): the process that pushes boards is
not the one that takes the answers, and nginx sends ``?audience=board`` connections to it.

PostgreSQL and Redis, as in production: the board process reads the boards that the answering process records.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio

from deploy.cluster import main_config, render_site
from tests.server.running import ROOT, Server, another_process, free_port, play_client, running_server, time_sync

pytestmark = [pytest.mark.server, pytest.mark.postgres]

NGINX = "/usr/sbin/nginx"
PUSH_WAIT_S = 5  # a board is pushed within about a second of a change (DESIGN.md §5: fresh within 2 s)


def production_settings() -> dict[str, str]:
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "needs PostgreSQL: set DATABASE_URL"
    assert os.environ.get("REDIS_URL"), "needs Redis: set REDIS_URL"
    # Boards of their own in the shared test Redis: other test processes have rounds with the same ids.
    return {"REDIS_URL": os.environ["REDIS_URL"], "OLYMPIAD_LEADERBOARD_PREFIX": f"test-{uuid.uuid4().hex}:"}


def watcher(url: str, pushes: queue.Queue) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.on("board", pushes.put, namespace="/board")
    client.connect(f"{url}?audience=board", namespaces=["/board"], transports=["websocket"], wait_timeout=10)
    return client


def open_round(server_url: str) -> int:
    return requests.get(f"{server_url}/api/rounds", params={"status": "open"}, timeout=10).json()[0]["id"]


def take_empty_attempt(http: requests.Session, url: str, round_id: int) -> None:
    started = http.post(f"{url}/api/rounds/{round_id}/attempts", json={}, timeout=10).json()
    assert started["ok"], started
    submitted = http.post(f"{url}/api/attempts/{started['attempt']['id']}/submit", json={}, timeout=10).json()
    assert submitted["ok"], submitted


def next_push_with_total(pushes: queue.Queue, total: int) -> dict:
    while True:
        push = pushes.get(timeout=PUSH_WAIT_S)
        if push["total"] == total:
            return push


def test_a_board_process_pushes_what_the_answering_process_recorded(tmp_path_factory):
    with running_server(tmp_path_factory, **production_settings()) as answering:
        with another_process(answering, "nice", "-n", "10") as board:
            round_id = open_round(answering.url)
            pushes: queue.Queue = queue.Queue()
            client = watcher(board.url, pushes)
            try:
                watched = client.call("watch", {"round_id": round_id}, namespace="/board", timeout=10)
                assert watched["ok"] and watched["board"]["total"] == 0
                take_empty_attempt(answering.login(), answering.url, round_id)
                push = next_push_with_total(pushes, 1)
                assert push["round_id"] == round_id and len(push["rows"]) == 1
                assert push["rows"][0]["rank"] == 1
            finally:
                client.disconnect()


def nginx_config(tmp: Path, listen: int, answering: Server, board: Server) -> Path:
    """deploy/nginx.conf with this test's ports, inside a minimal main configuration (as ``make cluster`` does)."""
    answering_port, board_port = (int(re.search(r":(\d+)$", s.url).group(1)) for s in (answering, board))
    site = render_site((ROOT / "deploy" / "nginx.conf").read_text(), f"127.0.0.1:{listen}", [answering_port],
                       [board_port])
    assert f"127.0.0.1:{answering_port} " in site and f"127.0.0.1:{board_port} " in site
    (tmp / "olympiad.conf").write_text(site)
    main = tmp / "nginx.conf"
    main.write_text(main_config(tmp, tmp / "olympiad.conf", worker_connections=256))
    return main


def test_nginx_sends_watchers_to_the_board_process_and_entrants_elsewhere(tmp_path_factory):
    assert Path(NGINX).exists(), "needs nginx: apt-get install nginx (.ci/run installs it)"
    with running_server(tmp_path_factory, OLYMPIAD_PROXIES="1", **production_settings()) as answering:
        with another_process(answering) as board:
            tmp = tmp_path_factory.mktemp("nginx")
            port = free_port()
            config = nginx_config(tmp, port, answering, board)
            (tmp / "nginx-error.log").touch()  # nginx writes here once it has read its configuration
            with (tmp / "nginx-error.log").open("a") as errors:
                nginx = subprocess.Popen([NGINX, "-c", str(config), "-p", str(tmp), "-g", "daemon off;"],
                                         stdout=errors, stderr=errors)
            try:
                front = Server(f"http://127.0.0.1:{port}", answering.database_url, nginx, tmp / "nginx-error.log", {})
                _wait_for(front)
                round_id = open_round(front.url)
                pushes: queue.Queue = queue.Queue()
                client = watcher(front.url, pushes)
                http = front.login()
                with play_client(front, http) as entrant:
                    assert client.call("watch", {"round_id": round_id}, namespace="/board", timeout=10)["ok"]
                    take_empty_attempt(http, front.url, round_id)
                    assert next_push_with_total(pushes, 1)["rows"][0]["rank"] == 1
                    # Stopping the board process ends the watcher's connection and no entrant's.
                    board.process.terminate()
                    board.process.wait(timeout=10)
                    _wait_until(lambda: not client.connected, "the watcher was not on the board process")
                    assert time_sync(entrant)["ok"]
                client.disconnect()
            finally:
                nginx.terminate()
                nginx.wait(timeout=10)


def _wait_for(front: Server) -> None:
    _wait_until(lambda: _answers(front.url + "/healthz"), f"nginx did not come up: {front.log_tail()}")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.ConnectionError:
        return False


def _wait_until(condition, failure: str, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(failure)
