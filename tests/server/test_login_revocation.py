"""Logging out on one process reaches the sockets of that login on another, through the Redis message queue:
they are told, refused at their next event and disconnected. PostgreSQL and Redis, as in production."""

from __future__ import annotations

import queue
import time

import pytest

from tests.server.running import another_process, play_client, running_server, time_sync
from tests.server.test_board_process import production_settings

pytestmark = [pytest.mark.server, pytest.mark.postgres]


def test_a_logout_on_one_process_ends_the_sockets_on_another(tmp_path_factory):
    with running_server(tmp_path_factory, **production_settings()) as first, another_process(first) as second:
        http = first.login()
        ended: queue.Queue = queue.Queue()
        with play_client(first, http) as socket, play_client(first, first.login()) as other_login:
            socket.on("session_ended", ended.put, namespace="/play")
            assert time_sync(socket)["ok"] and time_sync(other_login)["ok"]
            assert http.delete(f"{second.url}/api/session", json={}, timeout=10).json() == {"ok": True}
            assert ended.get(timeout=5) == {}  # pushed by the first process, told by the second through Redis
            refused = time_sync(socket)
            assert refused["ok"] is False and refused["error"]["code"] == "not_authenticated", refused
            deadline = time.monotonic() + 5
            while "/play" in socket.namespaces and time.monotonic() < deadline:
                time.sleep(0.05)
            assert "/play" not in socket.namespaces  # and then disconnected
            assert time_sync(other_login)["ok"]  # another login of the same entrant goes on
