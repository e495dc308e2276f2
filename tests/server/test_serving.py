"""``python wsgi.py`` under gevent and eventlet: a real client logs in, connects over a websocket, gets acks."""

from __future__ import annotations

import contextlib
import socket

import pytest

from tests.server.running import play_client, running_server, time_sync

pytestmark = pytest.mark.server


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_login_then_time_sync_over_a_websocket(tmp_path_factory, async_mode):
    with running_server(tmp_path_factory, async_mode=async_mode) as server:
        http = server.login()
        assert http.get(f"{server.url}/api/session", timeout=5).json()["user"]["role"] == "entrant"
        with play_client(server, http) as client:
            assert client.transport() == "websocket"
            reply = time_sync(client)
        assert reply["ok"] is True and isinstance(reply["server_now"], int)


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_connection_cap_is_the_configured_one(tmp_path_factory, async_mode):
    """With ``OLYMPIAD_MAX_CONNECTIONS=30``, 25 websocket entrants all connect, and with 30 connections held
    a request on another one waits until some leave: the cap is the setting, neither lower nor the server's
    own default (1,024 for eventlet, none for gevent). The client library may hold a stray connection of
    its own, so the test frees all its idle connections rather than exactly one."""
    cap, entrants = 30, 25
    with running_server(tmp_path_factory, async_mode=async_mode, OLYMPIAD_MAX_CONNECTIONS=str(cap)) as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        with contextlib.ExitStack() as held:
            clients = [held.enter_context(play_client(server)) for _ in range(entrants)]
            assert all(time_sync(client)["ok"] for client in clients)
            idle = [held.enter_context(socket.create_connection(address)) for _ in range(cap - entrants)]
            probe = held.enter_context(socket.create_connection(address))
            probe.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            probe.settimeout(1.5)
            with pytest.raises(TimeoutError):
                probe.recv(1024)
            for sock in idle:
                sock.close()
            probe.settimeout(10)
            assert probe.recv(1024).startswith(b"HTTP/1.1 200")
