"""Per-account limits on /play, through the namespace: a fourth connection of one account closes its first, and
one account's events past its window are refused while another account's pass."""

from __future__ import annotations

import time

from contest.realtime.flood import flood_guard
from contest.realtime.guards import account_guard
from tests.factories import PASSWORD


def wait_until(condition, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_connection_beyond_the_accounts_cap_closes_its_oldest(alice_socket, socket_client):
    others = [socket_client() for _ in range(3)]
    assert wait_until(lambda: not alice_socket.connected())
    assert all(sock.connected() for sock in others)
    assert others[-1].call("time_sync", {})["ok"]


def test_one_accounts_flood_is_refused_and_another_account_still_plays(alice_socket, socket_client, client,
                                                                        monkeypatch):
    monkeypatch.setattr(account_guard, "limits", account_guard.limits.__class__(events=20, window_s=3600.0))
    account_guard.local.windows.clear()
    flood_guard.buckets.clear()
    second = socket_client()
    replies = [sock.call("time_sync", {}) for _ in range(15) for sock in (alice_socket, second)]
    assert [reply["ok"] for reply in replies].count(True) == 20
    assert {reply["error"]["code"] for reply in replies if not reply["ok"]} == {"rate_limited"}
    client.delete("/api/session", json={})
    client.post("/api/session", json={"login": "0922222222", "password": PASSWORD})
    bob = socket_client()
    assert bob.call("time_sync", {})["ok"]
    assert alice_socket.connected() and second.connected()
    account_guard.local.windows.clear()
