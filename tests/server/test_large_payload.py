"""A megabyte over a real websocket: refused with payload_too_large, and the connection stays usable."""

from __future__ import annotations

import pytest

from tests.server.running import play_client, running_server, time_sync

pytestmark = pytest.mark.server


def test_a_megabyte_payload_is_refused_and_the_connection_kept(tmp_path_factory, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with running_server(tmp_path_factory) as server, play_client(server, server.login()) as client:
        reply = client.call("answer", {"attempt_id": 1, "slot": 0, "choice": ["A"], "seq": 1, "x": "y" * 1_048_576},
                            namespace="/play", timeout=20)
        assert reply["ok"] is False and reply["error"]["code"] == "payload_too_large"
        assert time_sync(client)["ok"]
