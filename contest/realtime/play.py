"""The ``/play`` namespace: entrants taking rounds (DESIGN.md §3)."""

from __future__ import annotations

import time

from flask_socketio import Namespace

from contest.realtime.replies import ack, event


class PlayNamespace(Namespace):
    def on_connect(self, auth=None):
        # Anonymous connections are accepted; their events are answered with not_authenticated.
        return True

    @event(login=False)
    def on_time_sync(self, data: dict) -> dict:
        """``{}`` -> ``{"ok": true, "server_now": epoch ms}``: the client's offset to the only clock."""
        return ack(server_now=int(time.time() * 1000))
