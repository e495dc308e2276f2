"""Socket.IO namespaces: ``/play`` for entrants, ``/board`` for the public watching leaderboards."""

from __future__ import annotations

from flask import Flask

from contest.extensions import socketio

_registered: set[str] = set()


def init_app(app: Flask) -> None:
    from contest.realtime import guards, outgoing
    from contest.realtime.play import PlayNamespace

    guards.init_app(app)
    _listen_for_clocks(app)
    outgoing.install(app.config["SOCKETIO_OUTGOING_QUEUE_MAX"], app.config["SOCKETIO_UNWRITABLE_S"],
                     app.config["SOCKETIO_SEND_BUFFER_BYTES"])

    # Namespace handlers live on the shared SocketIO object and are re-bound by each init_app.
    if "/play" not in _registered:
        socketio.on_namespace(PlayNamespace("/play"))
        _registered.add("/play")
    if "/board" not in _registered:  # the public boards
        from contest.realtime.board import BoardNamespace

        socketio.on_namespace(BoardNamespace("/board"))
        _registered.add("/board")


def _listen_for_clocks(app: Flask) -> None:
    """A round changed in flight in any process (``notifier.clock_room``): this process's attempt cache forgets
    the round's attempts, so the next answer reads the new deadline and pause from the database."""
    from contest.attempts.runtime import EXTENSION
    from contest.realtime.room_index import SIGNAL_PREFIX

    def forget(room: str) -> None:
        app.extensions[EXTENSION].cache.forget_round(int(room[len(SIGNAL_PREFIX):]))

    manager = socketio.server.manager
    if hasattr(manager, "signal_listeners"):
        manager.signal_listeners[:] = [forget]  # the latest app's (tests build several)
